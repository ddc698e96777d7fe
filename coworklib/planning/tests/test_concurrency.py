"""Invariant 1 under real concurrency: 50 threads, each with its own PostgreSQL connection, released at once.

Every run builds its own workspace and session, so the 20 runs of the
headline test are 20 independent races. The negative control runs the same
race with the lock taken out and shows overbooking: proof that these tests
can see a race when there is one. The checks read the rows in plain SQL
(`concurrency.py`), not through the code under test.
"""

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone

from coworklib.accounts.models import User
from coworklib.core.errors import Conflict
from coworklib.organizations.models import Organization
from coworklib.planning import capacity, services
from coworklib.planning.models import Participant, ParticipantStatus, Session
from coworklib.planning.tests.concurrency import (
    add_members,
    double_bookings,
    membership,
    one_crowd_at_a_time,
    peak_going,
    run_together,
)
from coworklib.planning.tests.factories import PARIS, at, book
from coworklib.workspaces import services as workspace_services
from coworklib.workspaces.models import Workspace
from coworklib.workspaces.tests.factories import make_workspace

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL: real row locks, one connection per thread"
    ),
    pytest.mark.django_db(transaction=True),
]

CROWD = 50
CAPACITY = 5
SINCE_EVER = datetime(2000, 1, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def crowd_slot() -> Iterator[None]:
    with one_crowd_at_a_time():
        yield


def planned_day() -> date:
    """A day a week ahead of the real clock: threads share the process clock, so it is not frozen here."""
    return timezone.now().astimezone(PARIS).date() + timedelta(days=7)


def empty_session(organization: Organization, organizer: User, workspace: Workspace, day: date) -> Session:
    """A 09:00–17:00 session holding no seat: its organizer's seat released, as the no-show release does."""
    session = book(organizer, organization, workspace, at(day, 9), at(day, 17))
    Participant.objects.filter(session=session, user=organizer).update(status=ParticipantStatus.INVITED)
    return session


def outcomes_by_kind(outcomes: Iterable[object]) -> dict[str, list[object]]:
    """Successes, refusals by error code, and anything else (which no test expects)."""
    kinds: dict[str, list[object]] = {}
    for outcome in outcomes:
        if isinstance(outcome, Conflict):
            kind = outcome.code
        elif isinstance(outcome, Exception):
            kind = "unexpected"
        else:
            kind = "done"
        kinds.setdefault(kind, []).append(outcome)
    return kinds


def fifty_joins(organization: Organization, session: Session) -> list[Callable[[], object]]:
    joiners = add_members(organization, CROWD, prefix="joiner")
    return [partial(services.join_session, by=membership(user, organization), session=session) for user in joiners]


@pytest.mark.parametrize("run", range(20))
def test_fifty_simultaneous_joins_fill_exactly_the_five_seats(run: int, acme: Organization, alice: User) -> None:
    workspace = make_workspace(alice, acme, "Salle de 5", capacity=CAPACITY)
    session = empty_session(acme, alice, workspace, planned_day())

    outcomes = outcomes_by_kind(run_together(fifty_joins(acme, session)))

    assert {kind: len(items) for kind, items in outcomes.items()} == {"done": 5, "capacity_exceeded": 45}
    refusals = [refusal for refusal in outcomes["capacity_exceeded"] if isinstance(refusal, Conflict)]
    assert all(refusal.extra == {"free_seats": 0, "capacity": CAPACITY} for refusal in refusals)
    assert Participant.objects.filter(session=session, status=ParticipantStatus.GOING).count() == CAPACITY
    assert peak_going(workspace.pk, SINCE_EVER) == CAPACITY


@pytest.mark.parametrize("run", range(5))
def test_fifty_simultaneous_creations_on_overlapping_ranges_book_exactly_five(
    run: int, acme: Organization, alice: User
) -> None:
    workspace = make_workspace(alice, acme, "Salle de 5", capacity=CAPACITY)
    day = planned_day()
    organizers = add_members(acme, CROWD, prefix="organizer")
    # Every range holds 11:15–13:00, so any two of them overlap there.
    calls = [
        partial(
            services.create_session,
            by=membership(user, acme),
            workspace=workspace,
            start=at(day, 9) + timedelta(minutes=15 * (number % 10)),
            end=at(day, 13) + timedelta(minutes=15 * (number % 10)),
        )
        for number, user in enumerate(organizers)
    ]

    outcomes = outcomes_by_kind(run_together(calls))

    assert {kind: len(items) for kind, items in outcomes.items()} == {"done": 5, "capacity_exceeded": 45}
    assert Session.objects.filter(workspace=workspace).count() == CAPACITY
    assert peak_going(workspace.pk, SINCE_EVER) == CAPACITY


@pytest.mark.parametrize("run", range(5))
def test_simultaneous_joins_moves_extensions_creations_leaves_and_a_capacity_cut_keep_the_invariant(
    run: int, acme: Organization, alice: User
) -> None:
    day = planned_day()
    hall = make_workspace(alice, acme, "Salle de 5", capacity=CAPACITY)
    annex = make_workspace(alice, acme, "Annexe", capacity=20)
    target = empty_session(acme, alice, hall, day)
    leavers = add_members(acme, 4, prefix="leaver")
    for user in leavers[:2]:
        services.join_session(by=membership(user, acme), session=target)
    movers = add_members(acme, 10, prefix="mover")
    moved = [
        book(user, acme, annex, at(day, 8 + number % 8), at(day, 9 + number % 8)) for number, user in enumerate(movers)
    ]
    extenders = add_members(acme, 3, prefix="extender")
    extended = [book(user, acme, hall, at(day, 7), at(day, 8)) for user in extenders]
    # Sessions the other two leavers organise, alone: leaving cancels them.
    abandoned = [book(user, acme, hall, at(day, 12), at(day, 14)) for user in leavers[2:]]
    # Five movers also join the target while their own session is moved over it: one of the two must lose.
    joiners = [*add_members(acme, 12, prefix="joiner"), *movers[:5]]
    creators = add_members(acme, 15, prefix="creator")
    admin = membership(alice, acme)
    calls: list[Callable[[], object]] = [
        *(partial(services.join_session, by=membership(user, acme), session=target) for user in joiners),
        *(
            partial(
                services.create_session,
                by=membership(user, acme),
                workspace=hall,
                start=at(day, 10) + timedelta(minutes=30 * (number % 4)),
                end=at(day, 15),
            )
            for number, user in enumerate(creators)
        ),
        # Moved into the hall over the target's hours: the whole session's seats are checked there.
        *(
            partial(
                services.update_session,
                by=membership(user, acme),
                session=session,
                workspace=hall,
                start=at(day, 10 + number % 3),
                end=at(day, 13 + number % 3),
            )
            for number, (user, session) in enumerate(zip(movers, moved, strict=True))
        ),
        *(
            partial(services.update_session, by=membership(user, acme), session=session, end=at(day, 12))
            for user, session in zip(extenders, extended, strict=True)
        ),
        *(partial(services.leave_session, by=membership(user, acme), session=target) for user in leavers[:2]),
        *(
            partial(services.leave_session, by=membership(user, acme), session=session)
            for user, session in zip(leavers[2:], abandoned, strict=True)
        ),
        # Fits before any other change lands (the hall's peak is 4), not after.
        partial(workspace_services.update_workspace, by=admin, workspace=hall, capacity=4),
    ]
    assert len(calls) == CROWD

    outcomes = outcomes_by_kind(run_together(calls))

    assert set(outcomes) <= {"done", "capacity_exceeded", "overlapping_session", "sessions_over_capacity"}, outcomes
    hall.refresh_from_db()
    assert peak_going(hall.pk, SINCE_EVER) <= hall.capacity
    assert peak_going(annex.pk, SINCE_EVER) <= annex.capacity
    assert double_bookings(acme.pk) == []


@contextmanager
def no_lock(*, workspace_ids: Iterable[int], user_ids: Iterable[int] = ()) -> Iterator[dict[int, Workspace]]:
    """`planning_lock` without its locks: a plain READ COMMITTED transaction."""
    with transaction.atomic():
        yield {
            workspace.pk: workspace
            for workspace in Workspace.objects.select_related("organization").filter(pk__in=list(workspace_ids))
        }


def test_negative_control_without_the_lock_the_same_joins_overbook(
    acme: Organization, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_ensure_seats = services.ensure_seats

    def slow_ensure_seats(*args: Any, **kwargs: Any) -> None:
        real_ensure_seats(*args, **kwargs)
        # Widen the window between the check and the write, so the race shows on every run.
        time.sleep(0.05)

    monkeypatch.setattr(services, "planning_lock", no_lock)
    monkeypatch.setattr(services, "ensure_seats", slow_ensure_seats)
    workspace = make_workspace(alice, acme, "Salle de 5", capacity=CAPACITY)
    session = empty_session(acme, alice, workspace, planned_day())

    run_together(fifty_joins(acme, session))

    going = Participant.objects.filter(session=session, status=ParticipantStatus.GOING).count()
    assert going > CAPACITY, f"no overbooking seen without the lock ({going} going): the test cannot see a race"
    assert peak_going(workspace.pk, SINCE_EVER) == going


def test_a_join_kept_waiting_by_the_lock_is_refused_as_busy_then_succeeds_once_it_is_free(
    acme: Organization, alice: User, bob: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(capacity, "LOCK_TIMEOUT_MS", 300)
    workspace = make_workspace(alice, acme, "Salle de 5", capacity=CAPACITY)
    session = empty_session(acme, alice, workspace, planned_day())
    by = membership(bob, acme)

    with transaction.atomic():
        # Another booking holding the workspace's lock for longer than the timeout.
        Workspace.objects.select_for_update().get(pk=workspace.pk)
        started = time.monotonic()
        [outcome] = run_together([partial(services.join_session, by=by, session=session)])
        waited = time.monotonic() - started

    assert isinstance(outcome, Conflict)
    assert (outcome.status, outcome.code) == (409, "busy")
    assert 0.3 <= waited < 3
    assert not Participant.objects.filter(session=session, user=bob).exists()
    services.join_session(by=by, session=session)
    assert Participant.objects.get(session=session, user=bob).status == ParticipantStatus.GOING


def in_the_test_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def test_inviting_someone_who_waits_for_the_same_workspace_does_not_deadlock(
    acme: Organization, alice: User, bob: User, carol: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    day = planned_day()
    workspace = make_workspace(alice, acme, "Salle de 5", capacity=CAPACITY)
    session = book(alice, acme, workspace, at(day, 9), at(day, 12))
    by_bob = membership(bob, acme)
    outcomes: list[object] = []
    helpers: list[threading.Thread] = []
    real_ensure_seats = services.ensure_seats

    def seats_while_the_invitee_queues(*args: Any, **kwargs: Any) -> None:
        real_ensure_seats(*args, **kwargs)
        if in_the_test_thread():
            # Bob's join locks Bob's row, then queues for the workspace this creation holds.
            joining = threading.Thread(
                target=lambda: outcomes.extend(
                    run_together([partial(services.join_session, by=by_bob, session=session)])
                )
            )
            joining.start()
            wait_for_a_blocked_backend()
            helpers.append(joining)

    monkeypatch.setattr(services, "ensure_seats", seats_while_the_invitee_queues)

    created = services.create_session(
        by=membership(carol, acme), workspace=workspace, start=at(day, 14), end=at(day, 15), invitee_ids=[bob.pk]
    )
    for helper in helpers:
        helper.join(30)

    assert [type(outcome) for outcome in outcomes] == [Participant], outcomes
    assert Participant.objects.get(session=created, user=bob).status == ParticipantStatus.INVITED
    assert Participant.objects.get(session=session, user=bob).status == ParticipantStatus.GOING


def wait_for_a_blocked_backend(timeout: float = 5.0) -> None:
    """Until another connection to this database waits for a row lock."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            # The activity view is a snapshot taken once per transaction, and the caller is inside one.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.01)
    raise AssertionError("no connection ever waited for the lock")


def test_a_member_joining_a_session_while_it_moves_cannot_end_up_in_two_places_at_once(
    acme: Organization, alice: User, bob: User, carol: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    day = planned_day()
    hall = make_workspace(alice, acme, "Salle de 5", capacity=CAPACITY)
    annex = make_workspace(alice, acme, "Annexe", capacity=CAPACITY)
    moving = book(alice, acme, hall, at(day, 9), at(day, 10))
    elsewhere = book(carol, acme, annex, at(day, 11), at(day, 12))
    by_bob = membership(bob, acme)
    real_lock, real_ensure_seats = services.planning_lock, services.ensure_seats
    outcomes: list[object] = []
    helpers: list[threading.Thread] = []

    def lock_once_bob_has_joined(**kwargs: Any) -> Any:
        if in_the_test_thread() and not helpers:
            # Bob joins after the move has read who is going, before it takes the lock.
            outcomes.extend(run_together([partial(services.join_session, by=by_bob, session=moving)]))
        return real_lock(**kwargs)

    def seats_while_bob_joins_elsewhere(*args: Any, **kwargs: Any) -> None:
        real_ensure_seats(*args, **kwargs)
        if in_the_test_thread():
            # The move has checked Bob's other sessions; Bob now joins one at the new time, at another workspace.
            joining = threading.Thread(
                target=lambda: outcomes.extend(
                    run_together([partial(services.join_session, by=by_bob, session=elsewhere)])
                )
            )
            helpers.append(joining)
            joining.start()
            joining.join(1.0)

    monkeypatch.setattr(services, "planning_lock", lock_once_bob_has_joined)
    monkeypatch.setattr(services, "ensure_seats", seats_while_bob_joins_elsewhere)

    services.update_session(by=membership(alice, acme), session=moving, start=at(day, 11), end=at(day, 12))
    for helper in helpers:
        helper.join(30)

    assert double_bookings(acme.pk) == []
    assert isinstance(outcomes[0], Participant)
    refusal = outcomes[1]
    assert isinstance(refusal, Conflict) and refusal.code == "overlapping_session", outcomes
