"""My agenda: coming sessions I go to, past ones I went to, and invitations to answer. Clock: Wed 2 Dec 2026, 10:00."""

from datetime import date

import pytest
import time_machine

from coworklib.accounts.models import User
from coworklib.organizations.models import Membership, Organization, Role
from coworklib.planning import selectors, services
from coworklib.planning.models import Session, Visibility
from coworklib.planning.selectors import Agenda
from coworklib.planning.tests.factories import FROZEN_MONDAY, at, book
from coworklib.workspaces import services as workspace_services
from coworklib.workspaces.models import Workspace
from coworklib.workspaces.tests.factories import membership_of

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 2)


def ids(sessions: list[Session]) -> list[int]:
    return [session.pk for session in sessions]


def agenda(user: User, organization: Organization) -> Agenda:
    return selectors.agenda_of(membership_of(user, organization))


@pytest.fixture
def history(alice: User, bob: User, acme: Organization, paris: Workspace) -> dict[str, Session]:
    """Bob's sessions: two past ones (booked a week earlier), one running, two coming."""
    with time_machine.travel(at(date(2026, 11, 23), 8), tick=False):
        older = book(bob, acme, paris, at(date(2026, 11, 24), 9), at(date(2026, 11, 24), 12))
        recent = book(alice, acme, paris, at(date(2026, 11, 30), 9), at(date(2026, 11, 30), 12))
        services.join_session(by=membership_of(bob, acme), session=recent)
    with time_machine.travel(at(TODAY, 8), tick=False):
        running = book(bob, acme, paris, at(TODAY, 9), at(TODAY, 11))
        later = book(bob, acme, paris, at(FROZEN_MONDAY, 14), at(FROZEN_MONDAY, 17))
        sooner = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))
        services.join_session(by=membership_of(bob, acme), session=sooner)
    return {"older": older, "recent": recent, "running": running, "sooner": sooner, "later": later}


@pytest.mark.usefixtures("frozen_now")
def test_upcoming_sessions_come_in_time_order_running_ones_first(
    bob: User, acme: Organization, history: dict[str, Session]
) -> None:
    assert ids(agenda(bob, acme).upcoming) == ids([history["running"], history["sooner"], history["later"]])


@pytest.mark.usefixtures("frozen_now")
def test_past_sessions_come_newest_first(bob: User, acme: Organization, history: dict[str, Session]) -> None:
    assert ids(agenda(bob, acme).past) == ids([history["recent"], history["older"]])


@pytest.mark.usefixtures("frozen_now")
def test_a_session_moves_from_upcoming_to_past_when_it_ends(
    bob: User, acme: Organization, history: dict[str, Session]
) -> None:
    with time_machine.travel(at(TODAY, 11), tick=False):
        result = agenda(bob, acme)

    assert history["running"].pk in ids(result.past)
    assert history["running"].pk not in ids(result.upcoming)


@pytest.mark.usefixtures("frozen_now")
def test_invitations_to_answer_are_apart(
    alice: User, bob: User, carol: User, acme: Organization, paris: Workspace, small_room: Workspace
) -> None:
    invitation = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), invitee_ids=[bob.pk])
    declined = book(carol, acme, small_room, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), invitee_ids=[bob.pk])
    services.decline_session(by=membership_of(bob, acme), session=declined)

    result = agenda(bob, acme)

    assert ids(result.invitations) == [invitation.pk]
    assert result.upcoming == [] and result.past == []


@pytest.mark.usefixtures("frozen_now")
def test_an_accepted_invitation_becomes_upcoming(alice: User, bob: User, acme: Organization, paris: Workspace) -> None:
    invitation = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), invitee_ids=[bob.pk])

    services.join_session(by=membership_of(bob, acme), session=invitation)

    result = agenda(bob, acme)
    assert (ids(result.upcoming), result.invitations) == ([invitation.pk], [])


def test_an_invitation_to_a_session_now_over_is_no_longer_asked(
    alice: User, bob: User, acme: Organization, paris: Workspace
) -> None:
    with time_machine.travel(at(TODAY, 8), tick=False):
        book(alice, acme, paris, at(TODAY, 9), at(TODAY, 10), invitee_ids=[bob.pk])

    with time_machine.travel(at(TODAY, 10), tick=False):
        result = agenda(bob, acme)

    assert (result.upcoming, result.past, result.invitations) == ([], [], [])


@pytest.mark.usefixtures("frozen_now")
def test_cancelled_sessions_and_those_one_left_are_not_in_the_agenda(
    alice: User, bob: User, acme: Organization, paris: Workspace
) -> None:
    cancelled = book(bob, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))
    services.cancel_session(by=membership_of(bob, acme), session=cancelled)
    left = book(alice, acme, paris, at(FROZEN_MONDAY, 14), at(FROZEN_MONDAY, 17))
    services.join_session(by=membership_of(bob, acme), session=left)
    services.leave_session(by=membership_of(bob, acme), session=left)

    result = agenda(bob, acme)

    assert (result.upcoming, result.past, result.invitations) == ([], [], [])


@pytest.mark.usefixtures("frozen_now")
def test_the_agenda_is_of_one_organization(
    alice: User,
    olivia: User,
    acme: Organization,
    globex: Organization,
    paris: Workspace,
    globex_office: Workspace,
) -> None:
    Membership.objects.create(organization=globex, user=alice, role=Role.MEMBER)
    at_acme = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))
    at_globex = book(alice, globex, globex_office, at(date(2026, 12, 8), 9), at(date(2026, 12, 8), 12))

    assert ids(agenda(alice, acme).upcoming) == [at_acme.pk]
    assert ids(agenda(alice, globex).upcoming) == [at_globex.pk]
    assert agenda(olivia, globex).upcoming == []


@pytest.mark.usefixtures("frozen_now")
def test_a_session_at_a_workspace_one_may_no_longer_see_leaves_the_agenda(
    alice: User, bob: User, acme: Organization, paris: Workspace
) -> None:
    book(bob, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))

    workspace_services.set_access_rule(by=membership_of(alice, acme), workspace=paris, restricted=True)

    assert agenda(bob, acme).upcoming == []


@pytest.mark.usefixtures("frozen_now")
def test_invitation_only_sessions_are_in_their_participants_agenda(
    alice: User, bob: User, acme: Organization, paris: Workspace
) -> None:
    private = book(
        alice,
        acme,
        paris,
        at(FROZEN_MONDAY, 9),
        at(FROZEN_MONDAY, 12),
        visibility=Visibility.INVITED,
        invitee_ids=[bob.pk],
    )

    assert ids(agenda(bob, acme).invitations) == [private.pk]
    assert ids(agenda(alice, acme).upcoming) == [private.pk]


@pytest.mark.usefixtures("frozen_now")
def test_agenda_sessions_come_with_their_workspace_and_people(
    alice: User, bob: User, acme: Organization, paris: Workspace, django_assert_num_queries: object
) -> None:
    session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), invitee_ids=[bob.pk])
    [upcoming] = agenda(alice, acme).upcoming

    with django_assert_num_queries(0):  # type: ignore[operator]
        assert upcoming.workspace.name == "Paris HQ"
        assert upcoming.organizer is not None and upcoming.organizer.display_name == "Alice Arnaud"
        assert [p.user.display_name for p in upcoming.participants.all()] == ["Alice Arnaud", "Bob Bernard"]
        assert [p.user_id for p in selectors.going_participants(upcoming)] == [alice.pk]
        assert selectors.participant_of(upcoming, bob.pk) is not None
    assert upcoming.pk == session.pk


@pytest.mark.usefixtures("frozen_now")
def test_the_past_is_limited(bob: User, acme: Organization, paris: Workspace) -> None:
    with time_machine.travel(at(date(2026, 11, 1), 8), tick=False):
        for day in range(2, 28):
            when = date(2026, 11, day)
            if when.weekday() < 5:
                book(bob, acme, paris, at(when, 9), at(when, 10))

    result = selectors.agenda_of(membership_of(bob, acme), past_limit=5)

    assert len(result.past) == 5
    assert result.past[0].start == at(date(2026, 11, 27), 9)
