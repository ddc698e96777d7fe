"""How long planning's hot paths take with a year of history for 300 workspaces.

    .venv/bin/python bench/planning_timings.py                       # SQLite file in a temporary folder
    .venv/bin/python bench/planning_timings.py --database-url postgres://postgres@127.0.0.1:5432/cwl_bench

The database is a throwaway: on PostgreSQL its schema is dropped and rebuilt,
so the name must contain "bench". The history is written in bulk (it is not
what is measured); the timed calls go through the real services and
selectors. Prints a markdown table: median and p95 over the repetitions, and
the queries each call runs. See bench/README.md for the figures measured.
"""

import argparse
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from benchdb import configure

PARIS = ZoneInfo("Europe/Paris")
WORKSPACES = 300
MEMBERS = 6000
# Three sessions a working day at every workspace: a morning, an afternoon, and a long one across both.
DAILY_SLOTS = [(8, 12), (13, 18), (10, 16)]
GOING_PER_SESSION = (1, 10)
CHECK_IN_SHARE = 0.6  # of the going participants who checked in
# Seconds each: a few calls are enough to see it.
WHOLE_ORGANIZATION_CALLS = 3


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="", help="a throwaway PostgreSQL database (name with 'bench')")
    parser.add_argument("--days", type=int, default=365, help="days of history before today (weekdays only)")
    parser.add_argument("--repetitions", type=int, default=200, help="timed calls per operation")
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--keep", action="store_true", help="keep the temporary data folder (SQLite file) afterwards")
    return parser.parse_args()


def insert(model: Any, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Write rows straight into the model's table: COPY on PostgreSQL, one executemany on SQLite."""
    from django.db import connection

    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        with connection.connection.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    placeholders = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", rows)  # noqa: S608


def generate(days: int, rng: random.Random) -> dict[str, Any]:
    """A year of history, in bulk: what the timed calls must not slow down with."""
    from django.db import connection, transaction
    from django.utils import timezone

    from coworklib.accounts.models import User
    from coworklib.organizations.models import Membership, Organization, Role
    from coworklib.planning.models import CheckIn, CheckInMethod, Participant, ParticipantStatus, Session
    from coworklib.workspaces.models import OpeningInterval, Workspace
    from coworklib.workspaces.opening_hours import wall_instant

    organization = Organization.objects.create(name="Bench", slug="bench")
    users = User.objects.bulk_create(
        (
            User(email=f"member{number:05d}@bench.test", first_name="Member", last_name=f"{number:05d}")
            for number in range(MEMBERS)
        ),
        batch_size=5000,
    )
    Membership.objects.bulk_create(
        (
            Membership(organization=organization, user=user, role=Role.OWNER if number == 0 else Role.MEMBER)
            for number, user in enumerate(users)
        ),
        batch_size=5000,
    )
    workspaces = Workspace.objects.bulk_create(
        Workspace(
            organization=organization, name=f"Espace {number:03d}", capacity=20 + number % 11, timezone="Europe/Paris"
        )
        for number in range(WORKSPACES)
    )
    OpeningInterval.objects.bulk_create(
        OpeningInterval(workspace=workspace, weekday=weekday, opens=8 * 60, closes=19 * 60)
        for workspace in workspaces
        for weekday in range(5)
    )
    today = timezone.now().astimezone(PARIS).date()
    history = [today - timedelta(days=offset) for offset in range(days, 0, -1)]
    working_days = [day for day in history if day.weekday() < 5]
    counts = {"sessions": 0, "participants": 0, "check_ins": 0}
    user_ids = [user.pk for user in users]
    instant = connection.ops.adapt_datetimefield_value
    written_at = instant(timezone.now())
    going_status, app = ParticipantStatus.GOING.value, CheckInMethod.APP.value
    # The ORM costs ~100 µs a row and this is two million rows: raw inserts, with the session ids chosen here.
    session_id = 0
    with transaction.atomic():
        for day in working_days:
            # Each day, people are dealt out in turn: nobody goes to two sessions on the same day.
            rng.shuffle(user_ids)
            dealt = iter(user_ids)
            closing = wall_instant(PARIS, day, 19 * 60)
            slots = [
                (wall_instant(PARIS, day, opens * 60), wall_instant(PARIS, day, closes * 60))
                for opens, closes in DAILY_SLOTS
            ]
            sessions: list[tuple[Any, ...]] = []
            participants: list[tuple[Any, ...]] = []
            check_ins: list[tuple[Any, ...]] = []
            for workspace in workspaces:
                for start, end in slots:
                    session_id += 1
                    people = [next(dealt) for _ in range(rng.randint(*GOING_PER_SESSION))]
                    sessions.append(
                        (
                            session_id,
                            organization.pk,
                            workspace.pk,
                            people[0],
                            instant(start),
                            instant(end),
                            "",
                            "organization",
                            False,
                            written_at,
                            written_at,
                        )
                    )
                    participants.extend(
                        (session_id, user_id, going_status, written_at, written_at) for user_id in people
                    )
                    check_ins.extend(
                        (
                            organization.pk,
                            workspace.pk,
                            user_id,
                            session_id,
                            app,
                            instant(start + timedelta(minutes=rng.randint(0, 40))),
                            instant(end),
                            instant(closing),
                        )
                        for user_id in people
                        if rng.random() < CHECK_IN_SHARE
                    )
            insert(
                Session,
                [
                    "id",
                    "organization_id",
                    "workspace_id",
                    "organizer_id",
                    "start",
                    "end",
                    "description",
                    "visibility",
                    "is_walk_in",
                    "created_at",
                    "updated_at",
                ],
                sessions,
            )
            insert(Participant, ["session_id", "user_id", "status", "created_at", "updated_at"], participants)
            insert(
                CheckIn,
                [
                    "organization_id",
                    "workspace_id",
                    "user_id",
                    "session_id",
                    "method",
                    "checked_in_at",
                    "checked_out_at",
                    "closes_at",
                ],
                check_ins,
            )
            counts["sessions"] += len(sessions)
            counts["participants"] += len(participants)
            counts["check_ins"] += len(check_ins)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{Session._meta.db_table}', 'id'), %s)", [session_id]
                )
    with connection.cursor() as cursor:
        # Fresh statistics, as a live database would have: the planner's choices depend on them.
        cursor.execute("ANALYZE")
    return {
        "organization": organization,
        "workspaces": workspaces,
        "users": users,
        "working_days": len(working_days),
        "today": today,
        **counts,
    }


def measure(call: Callable[[int], object], repetitions: int) -> tuple[float, float, int]:
    """Median and p95 in milliseconds over `repetitions` calls (each given its index), and the queries of one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call(-1)  # warm-up: imports, caches, query plans
    with CaptureQueriesContext(connection) as queries:
        call(-2)
    durations = []
    for index in range(repetitions):
        started = time.perf_counter()
        call(index)
        durations.append((time.perf_counter() - started) * 1000)
    durations.sort()
    p95 = durations[min(len(durations) - 1, round(0.95 * len(durations)) - 1)]
    return statistics.median(durations), p95, len(queries)


def main() -> None:
    arguments = parse_arguments()
    rng = random.Random(arguments.seed)
    data_dir = tempfile.mkdtemp(prefix="coworklib-bench-")
    try:
        run(arguments, rng, configure(arguments.database_url, data_dir))
    finally:
        if not arguments.keep:
            # The SQLite file of a year of history is ~450 MB.
            shutil.rmtree(data_dir, ignore_errors=True)


def run(arguments: argparse.Namespace, rng: random.Random, database: str) -> None:

    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    migrated = time.perf_counter() - started

    started = time.perf_counter()
    world = generate(arguments.days, rng)
    generated = time.perf_counter() - started

    from coworklib.organizations.models import Membership
    from coworklib.planning import selectors, services
    from coworklib.planning.models import Session
    from coworklib.workspaces.opening_hours import wall_instant

    memberships = {
        membership.user_id: membership
        for membership in Membership.objects.select_related("organization", "user").filter(
            organization=world["organization"]
        )
    }
    workspaces = world["workspaces"]
    users = world["users"]
    # A working day a week or two ahead: bookable, and with the history behind it.
    day = world["today"] + timedelta(days=7)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    repetitions = arguments.repetitions
    # Sessions to join on that day, one per workspace, organised by the last members (never timed as joiners).
    to_join: list[Session] = [
        services.create_session(
            by=memberships[users[-1 - number].pk],
            workspace=workspace,
            start=wall_instant(PARIS, day, 13 * 60),
            end=wall_instant(PARIS, day, 17 * 60),
        )
        for number, workspace in enumerate(workspaces)
    ]

    def create(index: int) -> object:
        # A different member and workspace each time: every call books, none is refused.
        number = index + 2
        return services.create_session(
            by=memberships[users[number].pk],
            workspace=workspaces[number % WORKSPACES],
            start=wall_instant(PARIS, day, 8 * 60),
            end=wall_instant(PARIS, day, 12 * 60),
        )

    def join(index: int) -> object:
        number = index + 2
        return services.join_session(by=memberships[users[1000 + number].pk], session=to_join[number % WORKSPACES])

    viewer = memberships[users[0].pk]
    past_monday = world["today"] - timedelta(days=world["today"].weekday() + 7)
    group = [user.pk for user in users[:20]]

    rows: list[tuple[str, tuple[float, float, int], int]] = [
        ("`create_session`", measure(create, repetitions), repetitions),
        ("`join_session`", measure(join, repetitions), repetitions),
        (
            f"`free_seats_on` ({WORKSPACES} workspaces, one day)",
            measure(lambda _index: selectors.free_seats_on(workspaces, day), repetitions // 4),
            repetitions // 4,
        ),
        (
            "`day_timeline` (one workspace, a past day with history)",
            measure(
                lambda index: selectors.day_timeline(workspaces[index % WORKSPACES], past_monday),
                repetitions,
            ),
            repetitions,
        ),
        (
            "`day_timeline` (one workspace, the booked day)",
            measure(lambda index: selectors.day_timeline(workspaces[index % WORKSPACES], day), repetitions),
            repetitions,
        ),
        (
            f"`whereabouts`, a past week, whole organization ({MEMBERS} members)",
            measure(lambda _index: selectors.whereabouts(viewer, past_monday), WHOLE_ORGANIZATION_CALLS),
            WHOLE_ORGANIZATION_CALLS,
        ),
        (
            "`whereabouts`, a past week, a group of 20",
            measure(lambda _index: selectors.whereabouts(viewer, past_monday, user_ids=group), repetitions // 4),
            repetitions // 4,
        ),
    ]

    print(f"\nDatabase: {database}")
    print(
        f"History: {WORKSPACES} workspaces, {MEMBERS} members, {world['working_days']} working days, "
        f"{world['sessions']:,} sessions, {world['participants']:,} participants, {world['check_ins']:,} check-ins"
    )
    print(f"Migrate: {migrated:.1f} s · history generated in {generated:.1f} s\n")
    print("| operation | median (ms) | p95 (ms) | queries | calls |")
    print("|---|---:|---:|---:|---:|")
    for name, (median, p95, queries), calls in rows:
        print(f"| {name} | {median:.1f} | {p95:.1f} | {queries} | {calls} |")


if __name__ == "__main__":
    main()
