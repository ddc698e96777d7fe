"""Helpers for the capacity tests: threads that start together, and the invariants checked in plain SQL.

The checks read the raw rows with their own SQL rather than through
`capacity.py`, so that a wrong peak in the code under test cannot hide
behind the same wrong arithmetic in the test.
"""

import fcntl
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from django.db import connection

from coworklib.accounts.models import User
from coworklib.organizations.models import Membership, Organization, Role
from coworklib.planning.models import Participant, ParticipantStatus, Session

SESSION_TABLE = Session._meta.db_table
PARTICIPANT_TABLE = Participant._meta.db_table


def run_together(calls: Sequence[Callable[[], object]], *, timeout: float = 120.0) -> list[object]:
    """Run each call in its own thread and database connection, all released at once; their results or exceptions.

    Each thread connects before the start line, so that connecting (slow,
    and serialised by the server) does not spread the calls out in time.
    """
    start_line = threading.Barrier(len(calls), timeout=timeout)
    outcomes: list[object] = [None] * len(calls)

    def worker(index: int, call: Callable[[], object]) -> None:
        try:
            connection.ensure_connection()
            start_line.wait()
            outcomes[index] = call()
        except Exception as error:
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(index, call), daemon=True) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread is still running: deadlock or lost wake-up?"
    return outcomes


@contextmanager
def one_crowd_at_a_time() -> Iterator[None]:
    """Hold a machine-wide lock while a test opens ~50 connections at once.

    PostgreSQL's default `max_connections` is 100: two pytest-xdist workers
    running their crowds side by side would exceed it.
    """
    path = Path(tempfile.gettempdir()) / "coworklib-concurrency-tests.lock"
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def add_members(organization: Organization, count: int, *, prefix: str) -> list[User]:
    """`count` plain members, in bulk (no password: they never log in, services take their membership)."""
    users = User.objects.bulk_create(
        User(email=f"{prefix}{number:03d}@acme.test", first_name=prefix.title(), last_name=f"{number:03d}")
        for number in range(count)
    )
    Membership.objects.bulk_create(Membership(organization=organization, user=user, role=Role.MEMBER) for user in users)
    return users


def membership(user: User, organization: Organization) -> Membership:
    return Membership.objects.select_related("organization", "user").get(user=user, organization=organization)


def _db_instant(value: datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def peak_going(workspace_id: int, since: datetime, until: datetime | None = None, *, excluding_session: int = 0) -> int:
    """The most going participants of the workspace's live sessions at one instant of [since, until), in plain SQL.

    Occupancy only rises when a session starts, so the peak is reached at
    `since` or at one of the session starts inside the range.
    """
    upper = "AND start < %s" if until is not None else ""
    upper_params = [_db_instant(until)] if until is not None else []
    sql = f"""
        SELECT COALESCE(MAX(held), 0) FROM (
            SELECT (
                SELECT COUNT(*)
                FROM {PARTICIPANT_TABLE} p JOIN {SESSION_TABLE} s ON s.id = p.session_id
                WHERE s.workspace_id = %s AND s.cancelled_at IS NULL AND p.status = %s AND s.id <> %s
                  AND s.start <= instants.at AND s."end" > instants.at
            ) AS held
            FROM (
                SELECT start AS at FROM {SESSION_TABLE}
                WHERE workspace_id = %s AND cancelled_at IS NULL AND start >= %s {upper}
                UNION SELECT %s
            ) instants
        ) occupancy
    """  # noqa: S608 - table names come from the models, values are parameters
    params = [
        workspace_id,
        ParticipantStatus.GOING.value,
        excluding_session,
        workspace_id,
        _db_instant(since),
        *upper_params,
        _db_instant(since),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.fetchone()[0])


def double_bookings(organization_id: int) -> list[tuple[int, int, int]]:
    """(user, session, other session) for every member going to two overlapping live sessions, in plain SQL."""
    sql = f"""
        SELECT a.user_id, a.session_id, b.session_id
        FROM {PARTICIPANT_TABLE} a
        JOIN {SESSION_TABLE} sa ON sa.id = a.session_id
        JOIN {PARTICIPANT_TABLE} b ON b.user_id = a.user_id AND b.session_id > a.session_id
        JOIN {SESSION_TABLE} sb ON sb.id = b.session_id
        WHERE sa.organization_id = %s AND a.status = %s AND b.status = %s
          AND sa.cancelled_at IS NULL AND sb.cancelled_at IS NULL
          AND sa.start < sb."end" AND sb.start < sa."end"
    """  # noqa: S608 - table names come from the models, values are parameters
    going = ParticipantStatus.GOING.value
    with connection.cursor() as cursor:
        cursor.execute(sql, [organization_id, going, going])
        return [(int(user), int(first), int(second)) for user, first, second in cursor.fetchall()]
