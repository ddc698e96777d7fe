"""Invariant 1 against the real server on SQLite, as `./run` starts it: gunicorn, several workers, HTTP.

The server runs in its own processes on a fresh SQLite database in a
temporary data folder; 50 clients, each with its own bearer token, fire their
requests at the same instant. The outcome is read back from the database
file itself. PostgreSQL has its own threaded tests (test_concurrency.py).
"""

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="about SQLite, ./run's default database (PostgreSQL: test_concurrency)"
)

CROWD = 50
CAPACITY = 5
WORKERS = 4
STARTUP_TIMEOUT = 90.0
REQUEST_TIMEOUT = 60.0

# Run in the server's environment, as ./run prepares it (migrate, createcachetable), then the cast: an organization,
# a 5-seat room, 50 members with API tokens, and two days a week ahead: one with a session holding no seat (its
# organizer's released, as by the no-show release), one free.
SETUP = """
import json
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import django

django.setup()

from django.core.management import call_command
from django.utils import timezone

call_command("migrate", interactive=False, verbosity=0)
call_command("createcachetable", verbosity=0)

from coworklib.accounts.models import ApiToken, User
from coworklib.organizations.models import Membership, Organization, Role
from coworklib.planning import services as planning
from coworklib.planning.models import Participant, ParticipantStatus
from coworklib.workspaces import services as workspaces

paris = ZoneInfo("Europe/Paris")
organization = Organization.objects.create(name="Foule", slug="foule")
owner = User.objects.create(email="owner@foule.test")
Membership.objects.create(organization=organization, user=owner, role=Role.OWNER)
by = Membership.objects.select_related("organization", "user").get(user=owner)
members = User.objects.bulk_create(User(email=f"member{number:02d}@foule.test") for number in range(CROWD))
Membership.objects.bulk_create(Membership(organization=organization, user=user) for user in members)
room = workspaces.create_workspace(by=by, name="Salle de 5", capacity=CAPACITY, timezone="Europe/Paris")
day = timezone.now().astimezone(paris).date() + timedelta(days=7)
session = planning.create_session(
    by=by,
    workspace=room,
    start=datetime.combine(day, time(9), tzinfo=paris),
    end=datetime.combine(day, time(17), tzinfo=paris),
)
Participant.objects.filter(session=session, user=owner).update(status=ParticipantStatus.INVITED)
free_day = day + timedelta(days=1)
print(json.dumps({
    "workspace": room.pk,
    "session": session.pk,
    "free_day_9am": datetime.combine(free_day, time(9), tzinfo=paris).isoformat(),
    "tokens": [ApiToken.issue(user=user, name="crowd")[1] for user in members],
}))
"""


@dataclass
class Server:
    url: str
    database: Path
    workspace: int
    session: int
    free_day_9am: datetime
    tokens: list[str]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_environment(data_dir: Path, port: int) -> dict[str, str]:
    """./run's environment: production settings (no test flags), SQLite in the data folder."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DATABASE_URL", "REDIS_URL", "COWORKLIB_TESTING", "DEBUG", "SECRET_KEY"}
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        COWORKLIB_DATA_DIR=str(data_dir),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SITE_URL=f"http://127.0.0.1:{port}",
        PYTHONUNBUFFERED="1",
    )
    return environment


def run_python(environment: dict[str, str], code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:  # noqa: S310 - our own server
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"gunicorn did not answer within {STARTUP_TIMEOUT:.0f} s:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """TERM to the server's own process group (master and workers), KILL if it lingers."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("running-server")
    port = free_port()
    environment = server_environment(data_dir, port)
    cast = json.loads(
        run_python(environment, f"CROWD = {CROWD}\nCAPACITY = {CAPACITY}\n{SETUP}").strip().splitlines()[-1]
    )
    log = data_dir / "gunicorn.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(WORKERS),
                "--threads",
                "4",
                "--graceful-timeout",
                "10",
                "--no-control-socket",
            ],
            cwd=settings.BASE_DIR,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_up(url, process, log)
        yield Server(
            url=url,
            database=data_dir / "coworklib.sqlite3",
            workspace=cast["workspace"],
            session=cast["session"],
            free_day_9am=datetime.fromisoformat(cast["free_day_9am"]),
            tokens=cast["tokens"],
        )
    finally:
        stop(process)


def post_all_at_once(url: str, tokens: list[str], bodies: list[dict[str, Any]]) -> list[tuple[int, dict[str, Any]]]:
    """POST each body with its own token, from its own thread, all released together: (status, JSON) each."""
    start_line = threading.Barrier(len(tokens), timeout=REQUEST_TIMEOUT)
    answers: list[tuple[int, dict[str, Any]]] = [(0, {})] * len(tokens)

    def client(index: int) -> None:
        request = urllib.request.Request(  # noqa: S310 - our own server
            url,
            data=json.dumps(bodies[index]).encode(),
            headers={"Authorization": f"Bearer {tokens[index]}", "Content-Type": "application/json"},
            method="POST",
        )
        start_line.wait()
        try:
            with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as response:  # noqa: S310
                answers[index] = (response.status, json.loads(response.read()))
        except urllib.error.HTTPError as error:
            body = error.read()
            try:
                answers[index] = (error.code, json.loads(body))
            except ValueError:
                answers[index] = (error.code, {"raw": body.decode(errors="replace")[:500]})

    threads = [threading.Thread(target=client, args=(index,), daemon=True) for index in range(len(tokens))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(REQUEST_TIMEOUT + 10)
    assert not any(thread.is_alive() for thread in threads), "a request never came back"
    return answers


def tally(answers: list[tuple[int, dict[str, Any]]]) -> Counter[tuple[int, str]]:
    return Counter((status, body.get("code", "")) for status, body in answers)


def peak_going(database: Path, workspace_id: int) -> int:
    """The most going participants at one instant at the workspace, from the database file's raw rows."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        rows = db.execute(
            """
            SELECT s.start, s."end", COUNT(p.id)
            FROM planning_session s JOIN planning_participant p ON p.session_id = s.id AND p.status = 'going'
            WHERE s.workspace_id = ? AND s.cancelled_at IS NULL
            GROUP BY s.id
            """,
            [workspace_id],
        ).fetchall()
    bookings = [(datetime.fromisoformat(start), datetime.fromisoformat(end), going) for start, end, going in rows]
    return max(
        (sum(going for start, end, going in bookings if start <= instant < end) for instant, _end, _going in bookings),
        default=0,
    )


def test_fifty_simultaneous_joins_over_http_fill_exactly_the_five_seats(server: Server) -> None:
    answers = post_all_at_once(
        f"{server.url}/api/v1/sessions/{server.session}/participants", server.tokens, [{}] * CROWD
    )

    assert tally(answers) == {(201, ""): 5, (409, "capacity_exceeded"): 45}, answers
    with sqlite3.connect(f"file:{server.database}?mode=ro", uri=True) as db:
        [(going,)] = db.execute(
            "SELECT COUNT(*) FROM planning_participant WHERE session_id = ? AND status = 'going'", [server.session]
        ).fetchall()
    assert going == CAPACITY
    assert peak_going(server.database, server.workspace) == CAPACITY


def test_fifty_simultaneous_bookings_over_http_of_overlapping_ranges_book_exactly_five(server: Server) -> None:
    # Every range holds 11:15–13:00 of a day nobody has booked yet.
    starts = [server.free_day_9am + timedelta(minutes=15 * (number % 10)) for number in range(CROWD)]
    bodies = [
        {"workspace": server.workspace, "start": start.isoformat(), "end": (start + timedelta(hours=4)).isoformat()}
        for start in starts
    ]

    answers = post_all_at_once(f"{server.url}/api/v1/sessions", server.tokens, bodies)

    assert tally(answers) == {(201, ""): 5, (409, "capacity_exceeded"): 45}, answers
    created = {body["id"] for status, body in answers if status == 201}
    with sqlite3.connect(f"file:{server.database}?mode=ro", uri=True) as db:
        [(stored,)] = db.execute(
            f"SELECT COUNT(*) FROM planning_session WHERE id IN ({','.join('?' * len(created))})",  # noqa: S608
            sorted(created),
        ).fetchall()
    assert stored == CAPACITY
    assert peak_going(server.database, server.workspace) == CAPACITY
