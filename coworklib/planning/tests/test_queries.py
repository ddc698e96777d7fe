"""Query counts that do not grow with history (or with the number of workspaces).

Each test measures an operation on a fresh workspace, adds a history of hundreds of past sessions, participants
and check-ins in bulk, and measures the same operation again: the counts must be equal, and within the bound
written in the test. The clock is stopped on Wednesday 2 December 2026, 10:00 in Paris.
"""

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import make_member
from coworklib.accounts.models import User
from coworklib.organizations.models import Organization
from coworklib.planning import selectors, services
from coworklib.planning.models import CheckIn, Participant, ParticipantStatus, Session
from coworklib.planning.tests.factories import FROZEN_MONDAY, at, book
from coworklib.workspaces.models import Workspace
from coworklib.workspaces.tests.factories import membership_of, populate_workspaces

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

HISTORY_DAYS = 300
TODAY = date(2026, 12, 2)


def lock_statements() -> int:
    """PostgreSQL sets the lock timeout of the durable transaction: one statement more than SQLite."""
    return 1 if connection.vendor == "postgresql" else 0


def counted[T](operation: Callable[[], T]) -> tuple[T, int]:
    with CaptureQueriesContext(connection) as queries:
        result = operation()
    return result, len(queries.captured_queries)


def add_history(workspace: Workspace, organization: Organization, people: list[User], days: int = HISTORY_DAYS) -> None:
    """A past session a day at the workspace for `days` days, everyone going and checked in: ~1,500 rows."""
    first = TODAY - timedelta(days=days)
    sessions = Session.objects.bulk_create(
        Session(
            organization=organization,
            workspace=workspace,
            organizer=people[number % len(people)],
            start=at(first + timedelta(days=number), 9),
            end=at(first + timedelta(days=number), 17),
        )
        for number in range(days)
    )
    Participant.objects.bulk_create(
        Participant(session=session, user=person, status=ParticipantStatus.GOING)
        for session in sessions
        for person in people
    )
    CheckIn.objects.bulk_create(
        CheckIn(
            organization=organization,
            workspace=workspace,
            user=person,
            session=session,
            checked_in_at=session.start,
            closes_at=session.end,
        )
        for session in sessions
        for person in people
    )


@pytest.fixture
def people(alice: User, bob: User, carol: User, acme: Organization) -> list[User]:
    return [alice, bob, carol, make_member(acme, "dave@acme.test")]


def test_creating_a_session_runs_the_same_queries_whatever_the_history(
    alice: User, bob: User, acme: Organization, paris: Workspace, people: list[User]
) -> None:
    book(alice, acme, paris, at(FROZEN_MONDAY, 8), at(FROZEN_MONDAY, 9))  # warm caches up
    _session, fresh = counted(
        lambda: book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), invitee_ids=[bob.pk])
    )

    add_history(paris, acme, people)
    _session, with_history = counted(
        lambda: book(alice, acme, paris, at(FROZEN_MONDAY, 13), at(FROZEN_MONDAY, 16), invitee_ids=[bob.pk])
    )

    assert with_history == fresh <= 16 + lock_statements()


def test_creating_a_session_runs_the_same_queries_for_one_invitee_or_ten(
    alice: User, acme: Organization, paris: Workspace
) -> None:
    colleagues = [make_member(acme, f"colleague{number}@acme.test") for number in range(10)]
    book(alice, acme, paris, at(FROZEN_MONDAY, 8), at(FROZEN_MONDAY, 9))  # warm caches up

    _session, one = counted(
        lambda: book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), invitee_ids=[colleagues[0].pk])
    )
    _session, ten = counted(
        lambda: book(
            alice, acme, paris, at(FROZEN_MONDAY, 13), at(FROZEN_MONDAY, 16), invitee_ids=[c.pk for c in colleagues]
        )
    )

    assert ten == one


def test_joining_runs_the_same_queries_whatever_the_history(
    alice: User, bob: User, acme: Organization, paris: Workspace, people: list[User]
) -> None:
    first = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))
    second = book(alice, acme, paris, at(FROZEN_MONDAY, 13), at(FROZEN_MONDAY, 16))
    _participant, fresh = counted(lambda: services.join_session(by=membership_of(bob, acme), session=first))

    add_history(paris, acme, people)
    _participant, with_history = counted(lambda: services.join_session(by=membership_of(bob, acme), session=second))

    assert with_history == fresh <= 12 + lock_statements()


def test_checking_in_runs_the_same_queries_whatever_the_history(
    alice: User, bob: User, acme: Organization, paris: Workspace, small_room: Workspace, people: list[User]
) -> None:
    _record, fresh = counted(lambda: services.check_in(by=membership_of(bob, acme), workspace=small_room))
    services.check_out(user=bob)

    add_history(paris, acme, people)
    _record, with_history = counted(lambda: services.check_in(by=membership_of(bob, acme), workspace=paris))

    assert with_history == fresh <= 17 + lock_statements()


def test_free_seats_take_one_query_for_10_or_100_workspaces(
    alice: User, bob: User, acme: Organization, paris: Workspace, people: list[User]
) -> None:
    populate_workspaces(acme, 100, [], bob)
    workspaces = list(Workspace.objects.filter(organization=acme).order_by("pk"))
    book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))

    ten, with_ten = counted(lambda: selectors.free_seats_on(workspaces[:10], FROZEN_MONDAY))
    add_history(paris, acme, people)
    hundred, with_hundred = counted(lambda: selectors.free_seats_on(workspaces, FROZEN_MONDAY))

    assert with_ten == with_hundred == 1
    assert len(ten) == 10 and len(hundred) == 101
    assert hundred[paris.pk] == 19


def test_the_day_timeline_runs_the_same_queries_whatever_the_history(
    alice: User, acme: Organization, paris: Workspace, people: list[User]
) -> None:
    book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))
    _timeline, fresh = counted(lambda: selectors.day_timeline(Workspace.objects.get(pk=paris.pk), FROZEN_MONDAY))

    add_history(paris, acme, people)
    timeline, with_history = counted(lambda: selectors.day_timeline(Workspace.objects.get(pk=paris.pk), FROZEN_MONDAY))

    # One for the workspace in the lambda, hours, closures, sessions.
    assert with_history == fresh <= 4
    assert timeline.peak == 1


def test_who_is_where_runs_the_same_queries_whatever_the_history(
    alice: User, bob: User, acme: Organization, paris: Workspace, people: list[User]
) -> None:
    book(alice, acme, paris, at(TODAY, 11), at(TODAY, 12))
    services.check_in(by=membership_of(bob, acme), workspace=paris)
    membership = membership_of(bob, acme)
    _days, fresh = counted(lambda: selectors.whereabouts(membership, date(2026, 11, 30)))

    add_history(paris, acme, people)
    days, with_history = counted(lambda: selectors.whereabouts(membership, date(2026, 11, 30)))

    # the week's sessions, who goes, their people, check-ins
    assert with_history == fresh <= 4
    assert sum(day.people for day in days) == 2 + 4 + 4  # today's two; Monday's and Tuesday's history


def test_the_agenda_runs_the_same_queries_whatever_the_history(
    alice: User, bob: User, acme: Organization, paris: Workspace, people: list[User]
) -> None:
    book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), invitee_ids=[bob.pk])
    book(bob, acme, paris, at(FROZEN_MONDAY, 13), at(FROZEN_MONDAY, 16))
    add_history(paris, acme, people, days=1)  # a past list to prefetch for, like the long history below
    membership = membership_of(bob, acme)
    _agenda, fresh = counted(lambda: selectors.agenda_of(membership))

    add_history(paris, acme, people)
    agenda, with_history = counted(lambda: selectors.agenda_of(membership))

    # Three lists, each with its participants prefetched.
    assert with_history == fresh <= 6
    assert (len(agenda.upcoming), len(agenda.past), len(agenda.invitations)) == (1, 20, 1)


def test_presence_runs_two_queries_whatever_the_history(
    bob: User, acme: Organization, paris: Workspace, people: list[User]
) -> None:
    services.check_in(by=membership_of(bob, acme), workspace=paris)
    _presence, fresh = counted(lambda: selectors.presence_at(paris))

    add_history(paris, acme, people)
    presence, with_history = counted(lambda: selectors.presence_at(paris))

    assert with_history == fresh == 2
    assert (presence.present_now, presence.visits_today) == (1, 1)


def test_a_capacity_decrease_check_runs_the_same_queries_whatever_the_history(
    alice: User, acme: Organization, paris: Workspace, people: list[User]
) -> None:
    book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))
    _nothing, fresh = counted(lambda: services.ensure_capacity_fits(paris, 1))

    add_history(paris, acme, people)
    _nothing, with_history = counted(lambda: services.ensure_capacity_fits(paris, 1))

    assert with_history == fresh == 1
