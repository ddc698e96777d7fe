"""A membership that ends (removal or leaving): coming seats given back, organised sessions handed over or
cancelled, a running check-in ended, the past left as it was. Clock: Wednesday 2 December 2026, 10:00 in Paris.
"""

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import time_machine

from conftest import make_member
from coworklib.accounts.models import User
from coworklib.core.errors import Forbidden
from coworklib.organizations import services as organization_services
from coworklib.organizations.models import Membership, Organization, Role
from coworklib.planning import events, services
from coworklib.planning.models import CheckIn, Participant, ParticipantStatus, Session
from coworklib.planning.tests.factories import FROZEN_MONDAY, at, book
from coworklib.workspaces.models import Workspace
from coworklib.workspaces.tests.factories import membership_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

TODAY = date(2026, 12, 2)
NOW = at(TODAY, 10)


def remove_bob(alice: User, acme: Organization, bob: User) -> None:
    organization_services.remove_member(by=membership_of(alice, acme), user_id=bob.pk)


def session_of(record: CheckIn) -> Session:
    """The session whose seat the check-in uses, as stored now."""
    assert record.session_id is not None
    return Session.objects.get(pk=record.session_id)


def status_of(user: User, session: Session) -> str:
    return Participant.objects.get(session=session, user=user).status


@pytest.fixture
def dave(acme: Organization) -> User:
    return make_member(acme, "dave@acme.test", first_name="Dave")


@pytest.fixture
def received() -> Iterator[list[tuple[str, dict[str, Any]]]]:
    log: list[tuple[str, dict[str, Any]]] = []
    signals = {
        "changed": events.session_changed,
        "cancelled": events.session_cancelled,
        "left": events.participant_left,
    }
    receivers = []
    for name, signal in signals.items():

        def receiver(sender: Any, _name: str = name, **arguments: Any) -> None:
            arguments.pop("signal", None)
            log.append((_name, arguments))

        signal.connect(receiver, weak=False)
        receivers.append((signal, receiver))
    yield log
    for signal, receiver in receivers:
        signal.disconnect(receiver)


def test_a_removed_member_gives_back_their_coming_seats(
    alice: User, bob: User, carol: User, acme: Organization, small_room: Workspace
) -> None:
    session = book(alice, acme, small_room, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))
    services.join_session(by=membership_of(bob, acme), session=session)

    remove_bob(alice, acme, bob)

    assert status_of(bob, session) == ParticipantStatus.DECLINED
    assert book(carol, acme, small_room, at(FROZEN_MONDAY, 10), at(FROZEN_MONDAY, 11)).pk


def test_a_removed_member_no_longer_has_invitations(
    alice: User, bob: User, acme: Organization, paris: Workspace
) -> None:
    session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), invitee_ids=[bob.pk])

    remove_bob(alice, acme, bob)

    assert status_of(bob, session) == ParticipantStatus.DECLINED


def test_their_organised_sessions_go_to_the_longest_standing_going_participant(
    alice: User,
    bob: User,
    carol: User,
    dave: User,
    acme: Organization,
    paris: Workspace,
    received: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    session = book(bob, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), invitee_ids=[alice.pk])
    with time_machine.travel(at(TODAY, 10, 5), tick=False):
        services.join_session(by=membership_of(dave, acme), session=session)
    with time_machine.travel(at(TODAY, 10, 10), tick=False):
        services.join_session(by=membership_of(carol, acme), session=session)

    with django_capture_on_commit_callbacks(execute=True):
        remove_bob(alice, acme, bob)

    session.refresh_from_db()
    assert (session.organizer_id, session.cancelled_at) == (dave.pk, None)
    assert status_of(alice, session) == ParticipantStatus.INVITED
    assert (
        "changed",
        {"session_id": session.pk, "by_user_id": bob.pk, "changes": ["organizer"], "reconfirm_user_ids": []},
    ) in received
    assert ("left", {"session_id": session.pk, "user_id": bob.pk}) in received


def test_their_sessions_with_nobody_else_going_are_cancelled(
    alice: User,
    bob: User,
    acme: Organization,
    paris: Workspace,
    received: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    session = book(bob, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), invitee_ids=[alice.pk])

    with django_capture_on_commit_callbacks(execute=True):
        remove_bob(alice, acme, bob)

    session.refresh_from_db()
    assert session.cancelled_at == NOW
    assert ("cancelled", {"session_id": session.pk, "by_user_id": bob.pk}) in received


def test_their_running_check_in_ends_and_its_walk_in_seat_is_given_back(
    alice: User,
    bob: User,
    acme: Organization,
    paris: Workspace,
    received: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    with time_machine.travel(at(TODAY, 9), tick=False):
        record, _created = services.check_in(by=membership_of(bob, acme), workspace=paris)

    with django_capture_on_commit_callbacks(execute=True):
        remove_bob(alice, acme, bob)

    record.refresh_from_db()
    assert record.checked_out_at == NOW
    walk_in = session_of(record)
    # Bob was there from 09:00 to 10:00: that stays true, and nobody is told a walk-in was "cancelled".
    assert (walk_in.start, walk_in.end, walk_in.cancelled_at) == (at(TODAY, 9), NOW, None)
    assert received == []


def test_the_past_is_left_as_it_was(alice: User, bob: User, acme: Organization, paris: Workspace) -> None:
    with time_machine.travel(at(date(2026, 11, 23), 8), tick=False):
        organised = book(bob, acme, paris, at(date(2026, 11, 24), 9), at(date(2026, 11, 24), 12))
        joined = book(alice, acme, paris, at(date(2026, 11, 25), 9), at(date(2026, 11, 25), 12))
        services.join_session(by=membership_of(bob, acme), session=joined)
        record, _created = services.check_in(by=membership_of(bob, acme), workspace=paris)
    sessions_before = list(Session.objects.order_by("pk").values())

    remove_bob(alice, acme, bob)

    assert list(Session.objects.order_by("pk").values()) == sessions_before
    assert status_of(bob, organised) == status_of(bob, joined) == ParticipantStatus.GOING
    record.refresh_from_db()
    assert record.checked_out_at is None


def test_leaving_the_organization_does_the_same(
    alice: User, bob: User, acme: Organization, paris: Workspace, small_room: Workspace
) -> None:
    joined = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))
    services.join_session(by=membership_of(bob, acme), session=joined)
    organised = book(bob, acme, small_room, at(FROZEN_MONDAY, 14), at(FROZEN_MONDAY, 16))

    organization_services.leave_organization(membership=membership_of(bob, acme))

    assert status_of(bob, joined) == ParticipantStatus.DECLINED
    organised.refresh_from_db()
    assert organised.cancelled_at == NOW


def test_another_organization_keeps_the_members_plans(
    alice: User, bob: User, acme: Organization, globex: Organization, paris: Workspace, globex_office: Workspace
) -> None:
    Membership.objects.create(organization=globex, user=bob, role=Role.MEMBER)
    elsewhere = book(bob, globex, globex_office, at(FROZEN_MONDAY, 15), at(FROZEN_MONDAY, 17))
    with time_machine.travel(at(TODAY, 10), tick=False):
        record, _created = services.check_in(by=membership_of(bob, globex), workspace=globex_office)

    remove_bob(alice, acme, bob)

    elsewhere.refresh_from_db()
    record.refresh_from_db()
    assert (elsewhere.cancelled_at, record.checked_out_at) == (None, None)
    assert status_of(bob, elsewhere) == ParticipantStatus.GOING


def test_a_removal_that_is_refused_changes_no_plan(
    alice: User, bob: User, carol: User, acme: Organization, paris: Workspace
) -> None:
    session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))

    with pytest.raises(Forbidden):
        organization_services.remove_member(by=membership_of(carol, acme), user_id=alice.pk)

    session.refresh_from_db()
    assert session.cancelled_at is None
    assert status_of(alice, session) == ParticipantStatus.GOING
    assert not CheckIn.objects.exists()
