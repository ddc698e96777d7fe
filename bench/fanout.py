"""How long a session at a workspace followed by 5,000 members takes to fan out, and to e-mail.

    .venv/bin/python bench/fanout.py                        # SQLite file in a temporary folder
    .venv/bin/python bench/fanout.py --database-url postgres://postgres@127.0.0.1:5432/cwl_bench

The database is a throwaway (on PostgreSQL its schema is dropped and rebuilt, so
the name must contain "bench"). Members and follows are written in bulk; what is
timed goes through the real code: `fanout.session_created` (who may see it, the
notifications and the outbox rows, in one transaction), then the e-mail sender
(`delivery.send_email_batch`, batches of 200 over one SMTP connection to a local
aiosmtpd server that accepts everything). Half the followers turned e-mail on for
this type (off by default); all of them get the in-app notification.
"""

import argparse
import os
import shutil
import socket
import tempfile
import time
from datetime import timedelta
from typing import Any

import benchdb


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="", help="a throwaway PostgreSQL database (name with 'bench')")
    parser.add_argument("--followers", type=int, default=5000)
    parser.add_argument("--email-share", type=float, default=0.5, help="followers who turned e-mail on for the type")
    return parser.parse_args()


def configure(database_url: str, data_dir: str, smtp_port: int) -> str:
    os.environ["EMAIL_URL"] = f"smtp://127.0.0.1:{smtp_port}"
    return benchdb.configure(database_url, data_dir)


class Accept:
    count = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        Accept.count += 1
        return "250 OK"


def main() -> None:
    arguments = parse_arguments()
    import logging

    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    smtp = Controller(Accept(), hostname="127.0.0.1", port=port)
    smtp.start()
    data_dir = tempfile.mkdtemp(prefix="cwl-bench-")
    try:
        database = configure(arguments.database_url, data_dir, port)
        run(arguments, database)
    finally:
        smtp.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


def run(arguments: argparse.Namespace, database: str) -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from coworklib.accounts.models import User
    from coworklib.community.models import WorkspaceFollow
    from coworklib.notifications import delivery, fanout
    from coworklib.notifications.models import Channel, Delivery, Notification, NotificationPreference, NotificationType
    from coworklib.organizations.models import Membership, Organization, Role
    from coworklib.planning.models import Participant, ParticipantStatus, Session
    from coworklib.workspaces.models import Workspace

    organization = Organization.objects.create(name="Bench", slug="bench")
    users = User.objects.bulk_create(
        (
            User(email=f"m{n:05d}@bench.test", first_name="M", last_name=f"{n:05d}")
            for n in range(arguments.followers + 1)
        ),
        batch_size=2000,
    )
    Membership.objects.bulk_create(
        (
            Membership(organization=organization, user=u, role=Role.OWNER if n == 0 else Role.MEMBER)
            for n, u in enumerate(users)
        ),
        batch_size=2000,
    )
    workspace = Workspace.objects.create(organization=organization, name="Siège", capacity=50, timezone="Europe/Paris")
    organizer, followers = users[0], users[1:]
    WorkspaceFollow.objects.bulk_create(
        (WorkspaceFollow(user=u, workspace=workspace) for u in followers), batch_size=2000
    )
    emailed = followers[: int(len(followers) * arguments.email_share)]
    NotificationPreference.objects.bulk_create(
        (
            NotificationPreference(
                user=u, type=NotificationType.FOLLOWED_WORKSPACE_SESSION, channel=Channel.EMAIL, enabled=True
            )
            for u in emailed
        ),
        batch_size=2000,
    )
    start = timezone.now() + timedelta(days=2)
    session = Session.objects.create(
        organization=organization, workspace=workspace, organizer=organizer, start=start, end=start + timedelta(hours=8)
    )
    Participant.objects.create(session=session, user=organizer, status=ParticipantStatus.GOING)

    began = time.perf_counter()
    created = fanout.session_created(session_id=session.pk, by_user_id=organizer.pk)
    fan_out_seconds = time.perf_counter() - began
    again = time.perf_counter()
    second = fanout.session_created(session_id=session.pk, by_user_id=organizer.pk)
    rerun_seconds = time.perf_counter() - again

    began = time.perf_counter()
    sent = 0
    while batch := delivery.send_email_batch():
        sent += batch
    email_seconds = time.perf_counter() - began

    print(f"database: {database}, vendor {connection.vendor}")
    print("| step | figure |")
    print("|---|---|")
    print(f"| fan-out: notifications created | {created} (in-app rows: {Notification.objects.count()}) |")
    print(f"| fan-out: outbox rows | {Delivery.objects.count()} e-mails |")
    print(f"| fan-out time | {fan_out_seconds:.2f} s |")
    print(f"| re-run of the same fan-out | {second} created, {rerun_seconds:.2f} s |")
    print(
        f"| e-mails sent to the local SMTP server | {sent} ({Accept.count} received) in {email_seconds:.1f} s "
        f"({sent / email_seconds:.0f}/s) |"
    )


if __name__ == "__main__":
    main()
