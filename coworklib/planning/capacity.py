"""Seats: the lock every seat-consuming change holds, and the occupancy arithmetic.

Invariant 1 of DESIGN.md: at no instant do the going participants of a
workspace's sessions outnumber its seats. Every change that can consume a
seat (create, join, accept, move, extend, recurring occurrences, walk-in
check-ins) and every capacity decrease runs its check and its write inside
`planning_lock`, which serialises them per workspace:

- PostgreSQL: `SELECT … FOR NO KEY UPDATE` of the users concerned, then of
  the workspace rows, always in that order and by ascending id so that two
  changes can never wait for each other in a cycle; a short `lock_timeout`
  turns a long wait into a 409 `busy` instead of a hung request. NO KEY:
  inserting a row that references a locked user (an invitation, a favourite)
  takes a KEY SHARE lock, which FOR UPDATE would block; a creation inviting
  someone whose own booking queues for the same workspace then deadlocked
  (test_concurrency). The row locks still exclude each other, and
  `workspaces.services`' FOR UPDATE.
- SQLite: the connection runs IMMEDIATE transactions (core.env), so the
  durable transaction holds the database's write lock from its first
  statement; `select_for_update` is a no-op there.

The user rows are locked because "a member is never going to two overlapping
sessions" spans workspaces: the workspace lock alone would not cover it.
"""

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from django.db import OperationalError, connection, transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from coworklib.accounts.models import User
from coworklib.core.errors import Conflict
from coworklib.planning.models import SESSION_MAX_DURATION, ParticipantStatus, Session
from coworklib.workspaces.models import Workspace

# Long enough for a queue of a few hundred quick bookings, short enough that nobody stares at a spinner.
LOCK_TIMEOUT_MS = 5000


@dataclass(frozen=True, slots=True)
class Booking:
    """A session's hold on seats: `going` seats from `start` to `end`."""

    session_id: int
    start: datetime
    end: datetime
    going: int


def _busy() -> Conflict:
    return Conflict(_("Cet espace est très demandé en ce moment : réessayez dans un instant."), code="busy")


def _is_lock_failure(error: OperationalError) -> bool:
    if connection.vendor == "postgresql":
        from psycopg import errors as pg_errors

        return isinstance(error.__cause__, pg_errors.LockNotAvailable | pg_errors.DeadlockDetected)
    return "locked" in str(error)


@contextmanager
def planning_lock(*, workspace_ids: Iterable[int], user_ids: Iterable[int] = ()) -> Iterator[dict[int, Workspace]]:
    """Open the durable transaction that a seat change needs and lock its rows; yields the locked workspaces by id.

    Must be the outermost transaction (durable): a caller's enclosing
    transaction would keep the rows locked, and the seats unchecked, for
    longer than this function can promise.
    """
    try:
        with transaction.atomic(durable=True):
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(f"SET LOCAL lock_timeout = '{int(LOCK_TIMEOUT_MS)}ms'")
            users = sorted(set(user_ids))
            if users:
                list(
                    User.objects.select_for_update(no_key=True)
                    .filter(pk__in=users)
                    .order_by("pk")
                    .values_list("pk", flat=True)
                )
            locked = {
                workspace.pk: workspace
                # of=("self",): lock the workspace rows only, not their organization's (joined for names and slugs).
                for workspace in Workspace.objects.select_for_update(of=("self",), no_key=True)
                .select_related("organization")
                .filter(pk__in=sorted(set(workspace_ids)))
                .order_by("pk")
            }
            yield locked
    except OperationalError as error:
        if _is_lock_failure(error):
            raise _busy() from error
        raise


def bookings_between(
    workspace_id: int, start: datetime, end: datetime, *, exclude_session_id: int | None = None
) -> list[Booking]:
    """The seats held at the workspace by sessions overlapping [start, end): one query.

    Bounded by what overlaps the range, never by the workspace's history
    (index session_workspace_range).
    """
    sessions = Session.objects.filter(
        workspace_id=workspace_id,
        cancelled_at__isnull=True,
        start__lt=end,
        end__gt=start,
        # Redundant with end > start, but it bounds the index scan from below: without it the
        # database walks every past session of the workspace (bench/README.md).
        start__gte=start - SESSION_MAX_DURATION,
    )
    if exclude_session_id is not None:
        sessions = sessions.exclude(pk=exclude_session_id)
    rows = (
        sessions.annotate(going=Count("participants", filter=Q(participants__status=ParticipantStatus.GOING)))
        .filter(going__gt=0)
        .values_list("pk", "start", "end", "going")
    )
    return [Booking(session_id=pk, start=s, end=e, going=going) for pk, s, e, going in rows]


def peak_occupancy(bookings: Sequence[Booking], start: datetime, end: datetime) -> int:
    """The most seats held at any instant of [start, end).

    A sweep over the bookings' edges: a seat given back at an instant is free
    for a booking starting at that same instant (sessions are half-open).
    """
    edges: list[tuple[datetime, int]] = []
    for booking in bookings:
        lower, upper = max(booking.start, start), min(booking.end, end)
        if lower < upper:
            edges.append((lower, booking.going))
            edges.append((upper, -booking.going))
    edges.sort(key=lambda edge: (edge[0], edge[1]))  # at equal instants, departures first
    running = peak = 0
    for _instant, delta in edges:
        running += delta
        peak = max(peak, running)
    return peak


def occupancy_steps(bookings: Sequence[Booking]) -> list[tuple[datetime, int]]:
    """The occupancy as a step function: (instant, seats held from that instant on), in time order."""
    edges: dict[datetime, int] = {}
    for booking in bookings:
        edges[booking.start] = edges.get(booking.start, 0) + booking.going
        edges[booking.end] = edges.get(booking.end, 0) - booking.going
    steps: list[tuple[datetime, int]] = []
    running = 0
    for instant in sorted(edges):
        running += edges[instant]
        steps.append((instant, running))
    return steps


def ensure_seats(
    workspace: Workspace,
    start: datetime,
    end: datetime,
    *,
    seats: int,
    exclude_session_id: int | None = None,
) -> None:
    """Raise 409 `capacity_exceeded` unless `seats` more fit at every instant of [start, end).

    Call while holding `planning_lock` on the workspace: the answer is only
    true until the lock is released.
    """
    held = peak_occupancy(bookings_between(workspace.pk, start, end, exclude_session_id=exclude_session_id), start, end)
    if held + seats > workspace.capacity:
        free = max(workspace.capacity - held, 0)
        raise Conflict(
            _("%(workspace)s est complet sur ce créneau : %(free)d place(s) libre(s) sur %(capacity)d.")
            % {"workspace": workspace.name, "free": free, "capacity": workspace.capacity},
            code="capacity_exceeded",
            extra={"free_seats": free, "capacity": workspace.capacity},
        )


def sessions_over_capacity(workspace_id: int, capacity: int, since: datetime) -> list[int]:
    """Ids of the sessions (ending after `since`) that would hold a seat over `capacity` somewhere."""
    far_future = datetime.max.replace(tzinfo=since.tzinfo)
    bookings = bookings_between(workspace_id, since, far_future)
    over: list[tuple[datetime, datetime]] = []
    steps = occupancy_steps(bookings)
    for index, (instant, held) in enumerate(steps):
        if held > capacity:
            until = steps[index + 1][0] if index + 1 < len(steps) else far_future
            over.append((instant, until))
    return sorted(
        {
            booking.session_id
            for booking in bookings
            for lower, upper in over
            if booking.start < upper and booking.end > lower
        }
    )
