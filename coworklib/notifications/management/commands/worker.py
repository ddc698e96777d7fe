"""The task worker `./run` starts: django-tasks-db's db_worker, after planning the notifications' upkeep
and the daily retention run (privacy.retention).

django-tasks-db neither retries failed tasks nor recovers those a dead worker
left RUNNING: `upkeep_task` (every minute) puts stalled tasks back in the
queue (they are all safe to run twice) and sends again whatever the outbox has
due, so a lost run only delays what it was doing.
"""

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from coworklib.notifications.tasks import ensure_upkeep
from coworklib.privacy.retention import ensure_retention


class Command(BaseCommand):
    help = "Run the background worker (db_worker) with the notifications' upkeep and the retention run planned."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls when idle.")
        parser.add_argument("--batch", action="store_true", help="Run what is due, then exit (tests, cron).")

    def handle(self, *args: Any, **options: Any) -> None:
        ensure_upkeep()
        ensure_retention()
        arguments = ["--interval", str(options["interval"]), "--no-startup-delay"]
        if options["batch"]:
            arguments.append("--batch")
        call_command("db_worker", *arguments)
