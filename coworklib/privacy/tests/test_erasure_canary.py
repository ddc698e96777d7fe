"""Deletion leaves nothing of the person (promises 3, 4, 5): the canary test of issue 6."""

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from conftest import PASSWORD, bearer, make_member
from coworklib.accounts.models import User
from coworklib.community.models import Message
from coworklib.organizations.models import Organization, Role
from coworklib.planning.models import CheckIn, Participant, ParticipantStatus, Session
from coworklib.planning.tests.factories import at
from coworklib.privacy.retention import run_retention
from coworklib.privacy.services import export_as_json, export_user_data
from coworklib.privacy.tests.canary import (
    DAY,
    Scenario,
    media_containing,
    others_snapshot,
    populate,
    tables_containing,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def traveller() -> Iterator[Any]:
    with time_machine.travel(at(DAY, 9, 0), tick=False) as traveller:
        yield traveller


@pytest.fixture
def scenario(traveller: Any, acme: Organization, globex: Organization) -> Scenario:
    owner = make_member(acme, "owner@acme.test", Role.OWNER, first_name="Odile", last_name="Owner")
    make_member(globex, "owner@globex.test", Role.OWNER)
    scenario = populate(traveller, organization=acme, owner=owner, other_org=globex)
    call_command("worker", "--batch")  # notifications fanned out, e-mails sent: the outbox holds their subjects
    return scenario


def test_the_canary_is_everywhere_before_the_deletion(scenario: Scenario) -> None:
    # The negative control of the scan: it finds the token in the tables the scenario filled.
    hits = tables_containing(scenario.token)
    for column in (
        "accounts_user.email",
        "accounts_user.first_name",
        "accounts_user.job_title",
        "accounts_loginevent.user_agent",
        "accounts_apitoken.name",
        "planning_session.description",
        "community_message.body",
        "community_group.description",
        "organizations_joinrequest.message",
        "organizations_invitation.email",
        "account_emailaddress.email",
        "notifications_pushsubscription.endpoint",
        "privacy_contactrequest.message",
        "django_admin_log.object_repr",
    ):
        assert column in hits, f"{column} not filled by the scenario: {sorted(hits)}"
    # The photo's EXIF never reached the disk: photos are re-encoded from their pixels on upload.
    assert media_containing(scenario.token) == []
    assert all(scenario.photo_names)


def test_deleting_the_account_leaves_no_trace_of_the_canary(scenario: Scenario, media_root: Any) -> None:
    before = others_snapshot(scenario)
    response = Client().delete(
        "/api/v1/me", json.dumps({"password": PASSWORD}), content_type="application/json", headers=bearer(scenario.user)
    )
    assert response.status_code == 204, response.content
    call_command("worker", "--batch")  # the notices of hand-over and cancellation go out after the deletion

    assert tables_containing(scenario.token) == {}
    assert media_containing(scenario.token) == []
    assert not any((media_root / name).exists() for name in scenario.photo_names)
    assert others_snapshot(scenario) == before


def test_what_they_published_stays_attributed_to_a_deleted_user(scenario: Scenario) -> None:
    response = Client().delete(
        "/api/v1/me", json.dumps({"password": PASSWORD}), content_type="application/json", headers=bearer(scenario.user)
    )
    assert response.status_code == 204
    user = User.objects.get(pk=scenario.user.pk)
    assert user.is_deleted and user.display_name == "Utilisateur supprimé"
    assert not user.is_active and not user.has_usable_password()
    # The past session, its participation and the check-in still count, with the deleted user as author.
    past = Session.objects.get(pk=scenario.past_session.pk)
    assert past.organizer_id == user.pk and past.description == "" and past.cancelled_at is None
    assert Participant.objects.filter(session=past, user=user, status=ParticipantStatus.GOING).exists()
    assert CheckIn.objects.filter(user=user).count() == 1
    # Messages keep their place in the threads, without their text.
    messages = Message.objects.filter(author=user)
    assert messages.count() == 2 and all(message.body == "" and message.deleted_at for message in messages)
    # The coming session with a participant was handed to them; the one without was cancelled.
    handed = Session.objects.get(pk=scenario.future_with_colleague.pk)
    assert handed.organizer_id == scenario.colleague.pk and handed.cancelled_at is None
    assert Session.objects.get(pk=scenario.future_alone.pk).cancelled_at is not None
    # Nothing ties them to anyone any more.
    assert not user.memberships.exists() and not user.group_memberships.exists()
    assert not user.member_follows.exists() and not user.member_followers.exists()
    assert not user.favourite_workspaces.exists() and not user.workspace_follows.exists()
    assert not user.api_tokens.exists() and not user.push_subscriptions.exists()


def test_the_participants_are_told_about_the_hand_over(scenario: Scenario) -> None:
    from coworklib.notifications.models import Notification

    before = Notification.objects.filter(recipient=scenario.colleague).count()
    Client().delete(
        "/api/v1/me", json.dumps({"password": PASSWORD}), content_type="application/json", headers=bearer(scenario.user)
    )
    call_command("worker", "--batch")
    told = Notification.objects.filter(recipient=scenario.colleague).order_by("-id")
    assert told.count() > before
    assert told.first().target_id == scenario.future_with_colleague.pk  # type: ignore[union-attr]


def test_a_deleted_account_can_no_longer_sign_in(scenario: Scenario) -> None:
    email = scenario.user.email
    web = Client()
    web.force_login(scenario.user)
    api_headers = bearer(scenario.user)
    Client().delete(
        "/api/v1/me", json.dumps({"password": PASSWORD}), content_type="application/json", headers=api_headers
    )

    assert Client().post("/accounts/login/", {"login": email, "password": PASSWORD}).status_code == 200
    token_response = Client().post(
        "/api/v1/auth/token", json.dumps({"email": email, "password": PASSWORD}), content_type="application/json"
    )
    assert token_response.status_code == 401
    assert Client().get("/api/v1/me", headers=api_headers).status_code == 401
    # The web session opened before the deletion is over too.
    assert web.get("/api/v1/me").status_code == 401


def test_the_export_holds_every_canary_and_nobody_elses(scenario: Scenario, acme: Organization) -> None:
    other = make_member(acme, "other.person@acme.test", first_name="Autre", last_name="Personne", job_title="Secret")
    exported = export_as_json(export_user_data(user=scenario.user))
    token = scenario.token
    for value in (
        scenario.user.email,
        f"second.{token.lower()}@example.test",
        f"Prénom{token}",
        f"Nom{token}",
        f"Poste {token}",
        f"Navigateur {token}",  # login history
        f"Téléphone {token}",  # API token
        f"Atelier {token}",
        f"Revue {token}",
        f"Bonjour {token}",
        f"J'apporte le café {token}",
        f"Animé par {token}",  # a group they created
        f"Je voudrais vous rejoindre {token}",
        f"https://push.example.net/send/{token}",
        f"Firefox {token}",
        f"Question {token}",  # contact request
    ):
        assert value in exported, value
    assert '"consents"' in exported and '"audience"' in exported
    assert '"notifications"' in exported and '"login_history"' in exported
    assert other.email not in exported and "Secret" not in exported
    assert scenario.colleague.email not in exported


def _retention_at(traveller: Any, when: Any) -> dict[str, int]:
    traveller.move_to(when)
    return run_retention()


def _inactive_for(days: int, scenario: Scenario, settings: Any) -> Any:
    """The moment the canary has been away ``days`` days; everyone else stays active."""
    last_activity = User.objects.get(pk=scenario.user.pk).last_login
    assert last_activity is not None
    when = last_activity + timedelta(days=days)
    User.objects.exclude(pk=scenario.user.pk).update(last_login=when - timedelta(days=1))
    return when


def test_the_inactivity_job_spares_an_account_one_day_short_of_two_years(
    scenario: Scenario, traveller: Any, settings: Any
) -> None:
    warned = _retention_at(traveller, _inactive_for(settings.INACTIVITY_WARNING_DAYS + 1, scenario, settings))
    assert warned["warned"] == 1
    done = _retention_at(traveller, _inactive_for(settings.INACTIVITY_ERASURE_DAYS - 1, scenario, settings))
    assert done["erased"] == 0
    user = User.objects.get(pk=scenario.user.pk)
    assert not user.is_deleted
    assert scenario.token.lower() in user.email


def test_the_inactivity_job_anonymises_an_account_a_day_after_two_years_and_is_idempotent(
    scenario: Scenario, traveller: Any, settings: Any, media_root: Any
) -> None:
    before = others_snapshot(scenario)
    # The daily job warned them at 23 months; at 24 months and a day it anonymises them, once.
    _retention_at(traveller, _inactive_for(settings.INACTIVITY_WARNING_DAYS + 1, scenario, settings))
    when = _inactive_for(settings.INACTIVITY_ERASURE_DAYS + 1, scenario, settings)
    first = _retention_at(traveller, when)
    second = _retention_at(traveller, when + timedelta(hours=1))
    call_command("worker", "--batch")

    assert first["erased"] == 1 and second["erased"] == 0
    user = User.objects.get(pk=scenario.user.pk)
    assert user.is_deleted
    assert tables_containing(scenario.token) == {}
    assert media_containing(scenario.token) == []
    assert others_snapshot(scenario) == before
