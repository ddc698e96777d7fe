"""Background work of notifications, run by the worker (`manage.py worker`, i.e. db_worker + upkeep).

Tasks take ids, reload, and are safe to run twice: notifications and
deliveries carry unique keys, and the outbox records what left.
`upkeep_task` reschedules itself every minute: it sends what is due again
(retries after backoff), expires abandoned claims, and writes the daily digests.
"""

from collections.abc import Callable
from datetime import datetime, time, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from coworklib.planning.models import Participant, ParticipantStatus, Session

from . import delivery, fanout
from .models import Delivery, DeliveryKind, Notification, NotificationSettings, ReminderLead

UPKEEP_EVERY = timedelta(minutes=1)
# No task of ours runs this long (a sender run stops after SENDER_BATCHES batches): one still RUNNING after
# that lost its worker (killed, machine gone), and django-tasks-db never looks at it again.
STALLED_AFTER = timedelta(minutes=15)
# A sender run stops after this many batches and hands over to the next run, so one task never runs for long.
SENDER_BATCHES = 10

EVENTS: dict[str, Callable[..., int]] = {
    "session_created": fanout.session_created,
    "participants_invited": fanout.participants_invited,
    "session_changed": fanout.session_changed,
    "session_cancelled": fanout.session_cancelled,
    "seat_released": fanout.seat_released,
    "group_members_added": fanout.group_members_added,
    "message_posted": fanout.message_posted,
    "join_request_created": fanout.join_request_created,
}


@task
def fan_out_task(event: str, arguments: dict[str, Any]) -> int:
    """Create the notifications of one domain event (fanout.py). Returns how many were created."""
    return EVENTS[event](**arguments)


def fan_out(event: str, **arguments: Any) -> None:
    """Enqueue the fan-out of `event` once the current transaction commits (at once outside one)."""
    transaction.on_commit(partial(fan_out_task.enqueue, event, arguments))


@task
def send_emails_task() -> int:
    sent = 0
    for _batch in range(SENDER_BATCHES):
        count = delivery.send_email_batch()
        sent += count
        if count == 0:
            break
    return sent


@task
def send_pushes_task() -> int:
    sent = 0
    for _batch in range(SENDER_BATCHES):
        count = delivery.send_push_batch()
        sent += count
        if count == 0:
            break
    return sent


def enqueue_senders() -> None:
    send_emails_task.enqueue()
    send_pushes_task.enqueue()


# --- Reminders ----------------------------------------------------------------------------------------------


def reminder_time(session: Session, lead: str) -> datetime | None:
    """When a going participant with setting `lead` is reminded of `session` (None: never)."""
    zone = ZoneInfo(session.workspace.timezone)
    local_start = session.start.astimezone(zone)
    if lead == ReminderLead.EVENING_BEFORE:
        return datetime.combine(local_start.date() - timedelta(days=1), time(18, 0), tzinfo=zone)
    if lead == ReminderLead.MORNING_OF:
        morning = datetime.combine(local_start.date(), time(8, 0), tzinfo=zone)
        return morning if morning < session.start else None
    if lead == ReminderLead.HOUR_BEFORE:
        return session.start - timedelta(hours=1)
    return None


@task
def reminder_task(session_id: int, user_id: int, start: str, lead: str) -> int:
    session = Session.objects.filter(pk=session_id).only("start").first()
    # Moved since: the move planned a reminder at the new time; this one is stale.
    if session is None or session.start.isoformat() != start:
        return 0
    return fanout.session_reminder(session_id=session_id, user_id=user_id, lead=lead)


def schedule_reminders(session_id: int, user_ids: list[int] | None = None) -> int:
    """Plan a reminder for the session's going participants (or those of `user_ids`), at the time each chose.

    Times already past are skipped: someone who plans tonight for tomorrow morning knows. Returns how many.
    """
    session = Session.objects.select_related("workspace").filter(pk=session_id).first()
    now = timezone.now()
    if session is None or session.cancelled_at is not None or session.is_walk_in or session.start <= now:
        return 0
    going = Participant.objects.filter(session=session, status=ParticipantStatus.GOING)
    if user_ids is not None:
        going = going.filter(user_id__in=user_ids)
    people = list(going.values_list("user_id", flat=True))
    leads = dict(NotificationSettings.objects.filter(user_id__in=people).values_list("user_id", "reminder_lead"))
    planned = 0
    for user_id in people:
        lead = leads.get(user_id, ReminderLead.EVENING_BEFORE)
        when = reminder_time(session, lead)
        if when is None or when <= now:
            continue
        reminder_task.using(run_after=when).enqueue(session.pk, user_id, session.start.isoformat(), lead)
        planned += 1
    return planned


@task
def schedule_reminders_task(session_id: int, user_ids: list[int] | None = None) -> int:
    return schedule_reminders(session_id, user_ids)


# --- Digest -------------------------------------------------------------------------------------------------


def write_digests(now: datetime | None = None) -> int:
    """For each member with the digest on whose hour has come today (their time zone): one e-mail of what they
    were notified of since the last one, for the types they receive by e-mail. Returns how many were written."""
    now = now or timezone.now()
    written = 0
    due = NotificationSettings.objects.filter(digest_enabled=True).select_related("user")
    for settings_row in due.iterator():
        user = settings_row.user
        if user.deleted_at is not None or not user.is_active:
            continue
        local = now.astimezone(ZoneInfo(user.timezone or "Europe/Paris"))
        slot = datetime.combine(local.date(), time(settings_row.digest_hour), tzinfo=local.tzinfo)
        if local < slot or (settings_row.last_digest_at and settings_row.last_digest_at >= slot):
            continue
        since = settings_row.last_digest_at or slot - timedelta(days=1)
        written += _write_digest(settings_row, since=since, until=now, day=local.date().isoformat())
    return written


def _write_digest(settings_row: NotificationSettings, *, since: datetime, until: datetime, day: str) -> int:
    from . import preferences
    from .models import Channel, NotificationType

    user = settings_row.user
    by_email = [
        kind
        for kind in NotificationType.values
        if Channel.EMAIL in preferences.enabled_channels([user.pk], kind)[user.pk]
    ]
    ids = list(
        Notification.objects.filter(
            recipient=user, created_at__gt=since, created_at__lte=until, type__in=by_email
        ).values_list("pk", flat=True)
    )
    with transaction.atomic():
        NotificationSettings.objects.filter(pk=settings_row.pk).update(last_digest_at=until)
        if not ids:
            return 0
        _row, created = Delivery.objects.get_or_create(
            dedupe_key=f"digest:{user.pk}:{day}",
            defaults={
                "channel": Channel.EMAIL,
                "kind": DeliveryKind.DIGEST,
                "recipient": user,
                "payload": {"notifications": ids},
                "next_attempt_at": until,
            },
        )
    return int(created)


# --- Upkeep -------------------------------------------------------------------------------------------------


@task
def upkeep_task() -> dict[str, int]:
    """Every minute: digests due, abandoned claims, and a sender run for what is due (retries included)."""
    done = {
        "recovered": recover_stalled_tasks(),
        "digests": write_digests(),
        "expired": delivery.expire_abandoned_claims(),
        "emails": send_emails_task.call(),
        "pushes": send_pushes_task.call(),
    }
    ensure_upkeep(after=timezone.now() + UPKEEP_EVERY)
    return done


def recover_stalled_tasks(now: datetime | None = None) -> int:
    """Put back in the queue the tasks a dead worker left RUNNING. Returns how many.

    Safe because every task here and in planning is safe to run twice: fan-outs and reminders create
    nothing twice (dedupe keys), senders only take what the outbox has due, the no-show release checks
    the time and the statuses again.
    """
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    return DBTaskResult.objects.filter(status="RUNNING", started_at__lt=now - STALLED_AFTER).update(
        status="READY", started_at=None, run_after=now
    )


def ensure_upkeep(after: datetime | None = None) -> bool:
    """Plan the next upkeep unless one is already waiting. True if one was planned."""
    from django_tasks_db.models import DBTaskResult

    path = f"{upkeep_task.func.__module__}.{upkeep_task.func.__qualname__}"
    if DBTaskResult.objects.filter(task_path=path, status="READY").exists():
        return False
    upkeep_task.using(run_after=after or timezone.now()).enqueue()
    return True
