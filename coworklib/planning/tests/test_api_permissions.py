"""Roles × planning endpoints, and every endpoint against what the caller may not see: another organization's
objects, a workspace an access rule hides, an invitation-only session (STYLE.md: pretix test_permissions).

The clock is frozen on Wednesday 2 December 2026, 10:00 in Paris, when the workspace is open (check-ins).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from conftest import make_member
from coworklib.accounts.models import User
from coworklib.organizations.models import Organization, Role
from coworklib.planning import services
from coworklib.planning.models import CalendarFeed, CheckIn, Participant, Session, SessionSeries
from coworklib.planning.tests.factories import FROZEN_MONDAY, at, book
from coworklib.workspaces import services as workspace_services
from coworklib.workspaces.models import Workspace
from coworklib.workspaces.opening_hours import WeeklyInterval
from coworklib.workspaces.tests.factories import call, make_workspace, membership_of


@dataclass
class World:
    """One organization's workspace and a session its owner organises there, for the paths to point at."""

    organization: Organization
    workspace: Workspace
    session: Session
    guest: User

    def format(self, template: str) -> str:
        return template.format(
            org=self.organization.slug, ws=self.workspace.pk, session=self.session.pk, guest=self.guest.pk
        )


def build_world(owner: User, organization: Organization, guest_email: str) -> World:
    workspace = make_workspace(
        owner,
        organization,
        f"{organization.name} office",
        capacity=10,
        opening_hours=[WeeklyInterval(day, 8 * 60, 20 * 60) for day in range(7)],
    )
    session = book(owner, organization, workspace, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))
    guest = make_member(organization, guest_email, Role.MEMBER, first_name="Guest")
    return World(organization, workspace, session, guest)


@pytest.fixture
def acme_world(alice: User, acme: Organization, frozen_now: Any) -> World:
    return build_world(alice, acme, "dave@acme.test")


@pytest.fixture
def globex_world(olivia: User, globex: Organization, frozen_now: Any) -> World:
    return build_world(olivia, globex, "gus@globex.test")


LATER = {"start": "2026-12-07T13:00:00+01:00", "end": "2026-12-07T14:00:00+01:00"}


def _new_session(world: World) -> dict[str, Any]:
    return {"workspace": world.workspace.pk, **LATER}


def _series(world: World) -> dict[str, Any]:
    return {**_new_session(world), "weekdays": [0], "until": "2026-12-20"}


def _check_in(world: World) -> dict[str, Any]:
    return {"workspace": world.workspace.pk}


def _invite(world: World) -> dict[str, Any]:
    return {"invitees": [world.guest.pk]}


Body = dict[str, Any] | Callable[[World], dict[str, Any]] | None

# name, method, path, body, status by role (owner = Alice, who organises the session; admin = Carol; member = Bob).
ENDPOINTS: list[tuple[str, str, str, Body, dict[str, int]]] = [
    ("create", "POST", "/sessions", _new_session, {"owner": 201, "admin": 201, "member": 201}),
    ("recurring", "POST", "/sessions/recurring", _series, {"owner": 201, "admin": 201, "member": 201}),
    ("detail", "GET", "/sessions/{session}", None, {"owner": 200, "admin": 200, "member": 200}),
    ("update", "PATCH", "/sessions/{session}", {"description": "x"}, {"owner": 200, "admin": 403, "member": 403}),
    ("cancel", "DELETE", "/sessions/{session}", None, {"owner": 204, "admin": 204, "member": 403}),
    ("ics", "GET", "/sessions/{session}/ics", None, {"owner": 200, "admin": 200, "member": 200}),
    ("join", "POST", "/sessions/{session}/participants", {}, {"owner": 409, "admin": 201, "member": 201}),
    ("leave", "DELETE", "/sessions/{session}/participants/me", None, {"owner": 204, "admin": 204, "member": 204}),
    (
        "answer",
        "PATCH",
        "/sessions/{session}/participants/me",
        {"status": "going"},
        {"owner": 409, "admin": 200, "member": 200},
    ),
    ("invite", "POST", "/sessions/{session}/invitations", _invite, {"owner": 201, "admin": 403, "member": 403}),
    ("agenda", "GET", "/me/sessions?organization={org}", None, {"owner": 200, "admin": 200, "member": 200}),
    ("day", "GET", "/workspaces/{ws}/sessions", None, {"owner": 200, "admin": 200, "member": 200}),
    ("timeline", "GET", "/workspaces/{ws}/timeline", None, {"owner": 200, "admin": 200, "member": 200}),
    ("presence", "GET", "/workspaces/{ws}/presence", None, {"owner": 200, "admin": 200, "member": 200}),
    ("whereabouts", "GET", "/organizations/{org}/whereabouts", None, {"owner": 200, "admin": 200, "member": 200}),
    ("check in", "POST", "/checkins", _check_in, {"owner": 201, "admin": 201, "member": 201}),
]
# The endpoints that name a session: those an invitation-only session must hide.
SESSION_ENDPOINTS = [endpoint for endpoint in ENDPOINTS if "{session}" in endpoint[2]]
# The endpoints that name a workspace or its session: those an access rule must hide.
HIDDEN_BY_ACCESS_RULES = [endpoint for endpoint in ENDPOINTS if "{session}" in endpoint[2] or "{ws}" in endpoint[2]]
HIDDEN_BY_ACCESS_RULES += [endpoint for endpoint in ENDPOINTS if callable(endpoint[3]) and endpoint[0] != "invite"]

ROLES = {"owner": "alice", "admin": "carol", "member": "bob", "outsider": "olivia", "anonymous": None}


def send(client: Client, user: User | None, world: World, method: str, path: str, body: Body) -> Any:
    payload = body(world) if callable(body) else body
    return call(client, method, world.format(path), user, payload)


def snapshot() -> dict[str, Any]:
    """Everything the planning endpoints could change, to compare before and after a refused call."""
    return {
        "sessions": list(Session.objects.order_by("pk").values()),
        "participants": list(Participant.objects.order_by("pk").values()),
        "series": list(SessionSeries.objects.order_by("pk").values()),
        "check-ins": list(CheckIn.objects.order_by("pk").values()),
        "feeds": list(CalendarFeed.objects.order_by("pk").values()),
    }


def ids(endpoints: list[Any]) -> list[str]:
    return [endpoint[0] for endpoint in endpoints]


@pytest.mark.parametrize(("name", "method", "path", "body", "by_role"), ENDPOINTS, ids=ids(ENDPOINTS))
@pytest.mark.parametrize("role", list(ROLES))
def test_roles_by_endpoint(
    request: pytest.FixtureRequest,
    client: Client,
    acme_world: World,
    role: str,
    name: str,
    method: str,
    path: str,
    body: Body,
    by_role: dict[str, int],
) -> None:
    user = ROLES[role]
    caller = request.getfixturevalue(user) if user else None
    before = snapshot()

    response = send(client, caller, acme_world, method, path, body)

    expected = {**by_role, "outsider": 404, "anonymous": 401}[role]
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert snapshot() == before


@pytest.mark.parametrize(("name", "method", "path", "body", "by_role"), ENDPOINTS, ids=ids(ENDPOINTS))
def test_another_organizations_objects_are_404_and_unchanged(
    client: Client,
    acme_world: World,
    globex_world: World,
    olivia: User,
    name: str,
    method: str,
    path: str,
    body: Body,
    by_role: dict[str, int],
) -> None:
    """Olivia owns Globex and has every right there, but none on Acme's objects."""
    before = snapshot()

    response = send(client, olivia, acme_world, method, path, body)

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert snapshot() == before


@pytest.mark.parametrize(
    ("name", "method", "path", "body", "by_role"), HIDDEN_BY_ACCESS_RULES, ids=ids(HIDDEN_BY_ACCESS_RULES)
)
def test_a_workspace_an_access_rule_hides_is_404_on_every_endpoint(
    client: Client,
    alice: User,
    bob: User,
    acme: Organization,
    acme_world: World,
    name: str,
    method: str,
    path: str,
    body: Body,
    by_role: dict[str, int],
) -> None:
    workspace_services.set_access_rule(by=membership_of(alice, acme), workspace=acme_world.workspace, restricted=True)
    before = snapshot()

    response = send(client, bob, acme_world, method, path, body)

    assert response.status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize(("name", "method", "path", "body", "by_role"), SESSION_ENDPOINTS, ids=ids(SESSION_ENDPOINTS))
def test_an_invitation_only_session_is_404_for_members_not_invited(
    client: Client,
    alice: User,
    bob: User,
    carol: User,
    acme_world: World,
    name: str,
    method: str,
    path: str,
    body: Body,
    by_role: dict[str, int],
) -> None:
    services.update_session(
        by=membership_of(alice, acme_world.organization), session=acme_world.session, visibility="invited"
    )
    before = snapshot()

    for caller in (bob, carol):
        response = send(client, caller, acme_world, method, path, body)

        assert response.status_code == 404, caller
        assert snapshot() == before


def test_an_invitation_only_session_is_visible_to_its_invitees(
    client: Client, alice: User, bob: User, acme_world: World
) -> None:
    by = membership_of(alice, acme_world.organization)
    services.update_session(by=by, session=acme_world.session, visibility="invited")
    services.invite_to_session(by=by, session=acme_world.session, user_ids=[bob.pk])

    assert send(client, bob, acme_world, "GET", "/sessions/{session}", None).status_code == 200
    assert send(client, bob, acme_world, "POST", "/sessions/{session}/participants", {}).status_code == 201


def test_another_organizations_ids_inside_ones_own_requests_are_404(
    client: Client, alice: User, acme_world: World, globex_world: World
) -> None:
    before = snapshot()

    moved = send(client, alice, acme_world, "PATCH", "/sessions/{session}", {"workspace": globex_world.workspace.pk})
    invited = send(
        client, alice, acme_world, "POST", "/sessions/{session}/invitations", {"invitees": [globex_world.guest.pk]}
    )
    created = send(
        client,
        alice,
        acme_world,
        "POST",
        "/sessions",
        {**_new_session(acme_world), "invitees": [globex_world.guest.pk]},
    )

    assert (moved.status_code, invited.status_code, created.status_code) == (404, 404, 404)
    assert snapshot() == before


# --- Personal endpoints: anyone signed in, nobody else ---------------------------------------------------------

PERSONAL = [
    ("GET", "/me/sessions", 200),
    ("GET", "/me/calendar-feed", 200),
    ("POST", "/me/calendar-feed", 201),
    ("DELETE", "/me/calendar-feed", 204),
    ("POST", "/checkins/checkout", 409),
]


@pytest.mark.parametrize(("method", "path", "status"), PERSONAL)
def test_personal_endpoints_need_authentication(
    client: Client, acme_world: World, method: str, path: str, status: int
) -> None:
    before = snapshot()

    response = call(client, method, path, None)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert snapshot() == before


@pytest.mark.parametrize(("method", "path", "status"), PERSONAL)
@pytest.mark.parametrize("user", ["alice", "bob", "olivia"])
def test_personal_endpoints_answer_every_signed_in_user(
    request: pytest.FixtureRequest, client: Client, acme_world: World, method: str, path: str, status: int, user: str
) -> None:
    response = call(client, method, path, request.getfixturevalue(user))

    assert response.status_code == status


def test_an_outsiders_agenda_never_shows_another_organizations_session(
    client: Client, acme_world: World, olivia: User
) -> None:
    Participant.objects.create(session=acme_world.session, user=olivia, status="going")

    response = call(client, "GET", "/me/sessions", olivia)

    assert response.json() == {"items": [], "count": 0}


@pytest.mark.parametrize(
    "path",
    [
        "/sessions/0",
        "/sessions/-1",
        "/sessions/abc",
        "/sessions/99999999999999999999999",
        "/sessions/9223372036854775807",
    ],
)
def test_ids_that_cannot_exist_are_404_or_422_never_500(
    client: Client, alice: User, acme_world: World, path: str
) -> None:
    assert call(client, "GET", path, alice).status_code in {404, 422}
