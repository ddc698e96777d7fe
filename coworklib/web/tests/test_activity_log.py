"""The console's activity log tells every recorded action as a sentence naming its object (issue 14).

It once showed raw codes ("workspace.closure_added") for the actions of apps
above organizations, and never said which workspace. Every app now describes
its own codes in core.audit's registry; the first test reads the source of
every app for the codes it records, so that a new action cannot ship without
its sentence.
"""

import ast
import html
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone, translation
from django.utils.formats import date_format

import coworklib
from coworklib.accounts.models import User
from coworklib.community import services as community_services
from coworklib.core.audit import describe_audit_entry, described_actions
from coworklib.core.models import AuditEntry
from coworklib.organizations.models import Organization
from coworklib.workspaces import services as workspace_services
from coworklib.workspaces.models import Equipment, Workspace
from coworklib.workspaces.tests.factories import make_workspace, membership_of

SOURCE_ROOT = Path(coworklib.__file__).resolve().parent
# The ways an audit entry gets written: the helper, or the model itself.
RECORDERS = {"record_audit", "AuditEntry", "create", "bulk_create"}


def _callee(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        owner = func.value
        # AuditEntry.objects.create(...) / .bulk_create(...)
        if (
            func.attr in {"create", "bulk_create"}
            and isinstance(owner, ast.Attribute)
            and isinstance(owner.value, ast.Name)
            and owner.value.id == "AuditEntry"
        ):
            return func.attr
        return func.attr if func.attr == "record_audit" else ""
    return ""


class _AuditCalls(ast.NodeVisitor):
    """Collects the action codes of audit writes; anything but a literal code is reported as built."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.literal: dict[str, list[str]] = {}
        self.built: list[str] = []
        self._function: list[str] = []

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._function.append(node.name)
        self.generic_visit(node)
        self._function.pop()

    def visit_Call(self, node: ast.Call) -> None:
        # record_audit itself hands its `action` parameter on to the model.
        if _callee(node) in RECORDERS and self._function[-1:] != ["record_audit"]:
            where = f"{self.path.relative_to(SOURCE_ROOT.parent)}:{node.lineno}"
            action = next((keyword.value for keyword in node.keywords if keyword.arg == "action"), None)
            if isinstance(action, ast.Constant) and isinstance(action.value, str):
                self.literal.setdefault(action.value, []).append(where)
            elif action is not None or any(keyword.arg is None for keyword in node.keywords) or node.args:
                self.built.append(where)
        self.generic_visit(node)


def _recorded_actions() -> tuple[dict[str, list[str]], list[str]]:
    literal: dict[str, list[str]] = {}
    built: list[str] = []
    for path in sorted(SOURCE_ROOT.rglob("*.py")):
        if {"tests", "migrations"} & set(path.relative_to(SOURCE_ROOT).parts):
            continue
        visitor = _AuditCalls(path)
        visitor.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        for action, places in visitor.literal.items():
            literal.setdefault(action, []).extend(places)
        built.extend(visitor.built)
    return literal, built


# --- Every action has its sentence ------------------------------------------------------------------------------


def test_every_action_recorded_anywhere_has_a_description() -> None:
    recorded, built = _recorded_actions()

    # The scan sees the actions of every layer (its negative control: it would find nothing otherwise).
    assert {"organization.created", "workspace.closure_added", "group.created", "invitation.refused"} <= set(recorded)
    assert built == [], "write audit action codes out as literals, so that this test can check them"
    undescribed = {action: places for action, places in recorded.items() if action not in described_actions()}
    assert undescribed == {}


def test_no_description_is_left_for_an_action_nobody_records() -> None:
    recorded, _built = _recorded_actions()

    assert described_actions() - set(recorded) == set()


@pytest.mark.parametrize("action", sorted(described_actions()))
def test_every_description_copes_with_an_entry_without_details(action: str) -> None:
    # Entries recorded by older code lack today's details; the log must still read.
    sentence = describe_audit_entry(AuditEntry(action=action, details={}))

    assert sentence and action not in sentence


# --- The page names the object, in the reader's language ---------------------------------------------------------


@pytest.fixture
def atelier(acme: Organization, alice: User) -> Workspace:
    return make_workspace(alice, acme, "Atelier Lumière")


def _closure_days() -> tuple[date, date]:
    today = timezone.localdate()
    return today + timedelta(days=10), today + timedelta(days=12)


@pytest.fixture
def history(acme: Organization, alice: User, bob: User, atelier: Workspace) -> None:
    """What admins did to the organization's workspaces and groups."""
    admin = membership_of(alice, acme)
    start, end = _closure_days()
    workspace_services.add_closure(by=admin, workspace=atelier, start_date=start, end_date=end, reason="Travaux")
    workspace_services.update_workspace(by=admin, workspace=atelier, capacity=30)
    workspace_services.set_access_rule(by=admin, workspace=atelier, restricted=True)
    workspace_services.archive_workspace(by=admin, workspace=atelier)
    wifi = Equipment.objects.get(organization=acme, key="wifi")
    workspace_services.update_equipment(by=admin, equipment=wifi, icon="other")
    group = community_services.create_group(membership=admin, name="Équipe produit", member_ids=[bob.pk])
    community_services.remove_group_member(membership=admin, group=group, user_id=bob.pk)


def _activity(client: Client, user: User) -> str:
    client.force_login(user)
    response = client.get("/o/acme/console/activity/")
    assert response.status_code == 200
    return " ".join(html.unescape(response.content.decode()).split())


def test_the_activity_log_names_each_workspace_and_group_in_french(client: Client, alice: User, history: None) -> None:
    page = _activity(client, alice)

    start, end = _closure_days()
    with translation.override("fr"):
        days = {"start": date_format(start, "j F Y"), "end": date_format(end, "j F Y")}
    assert "a créé l'espace « Atelier Lumière »" in page
    assert "a fermé l'espace « Atelier Lumière » du {start} au {end}".format(**days) in page
    assert "a modifié l'espace « Atelier Lumière » : la capacité" in page
    assert "a restreint l'accès à l'espace « Atelier Lumière »" in page
    assert "a archivé l'espace « Atelier Lumière »" in page
    assert "a modifié l'équipement « Wi-Fi »" in page
    assert "a créé le groupe « Équipe produit »" in page
    assert "a retiré Bob Bernard du groupe « Équipe produit »" in page
    assert "workspace." not in page and "equipment." not in page and "group." not in page


def test_the_activity_log_reads_in_english_for_an_english_reader(client: Client, alice: User, history: None) -> None:
    alice.language = "en"
    alice.save(update_fields=["language"])

    page = _activity(client, alice)

    start, end = _closure_days()
    with translation.override("en"):
        days = {"start": date_format(start, "j F Y"), "end": date_format(end, "j F Y")}
    assert 'created the workspace "Atelier Lumière"' in page
    assert 'closed the workspace "Atelier Lumière" from {start} to {end}'.format(**days) in page
    assert 'changed the workspace "Atelier Lumière": the capacity' in page
    assert 'archived the workspace "Atelier Lumière"' in page
    assert 'changed the equipment "Wi-Fi"' in page
    assert 'removed Bob Bernard from the group "Équipe produit"' in page


def test_a_renamed_workspace_is_told_by_both_names(client: Client, acme: Organization, alice: User) -> None:
    workspace = make_workspace(alice, acme, "Ancien nom")
    workspace_services.update_workspace(by=membership_of(alice, acme), workspace=workspace, name="Nouveau nom")

    assert "a renommé l'espace « Ancien nom » en « Nouveau nom »" in _activity(client, alice)


def test_details_keep_the_names_of_things_and_no_address(
    acme: Organization, alice: User, history: None, atelier: Workspace
) -> None:
    entries = AuditEntry.objects.filter(organization=acme, action__startswith="workspace.")

    assert {entry.details["name"] for entry in entries} == {"Atelier Lumière"}
    assert all("@" not in json.dumps(entry.details) for entry in AuditEntry.objects.all())
