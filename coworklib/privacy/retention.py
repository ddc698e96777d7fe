"""Retention (privacy policy, promise 4): accounts unused for INACTIVITY_WARNING_DAYS are warned by
e-mail; at INACTIVITY_ERASURE_DAYS they are anonymised with the same eraser as a deletion. Login
history older than LOGIN_HISTORY_DAYS and expired data exports go too.

A daily task (`retention_task`, planned by the worker command) runs it. Each
step is idempotent: a warning is sent once per spell of inactivity (an
``InactivityNotice`` row), an erased account is skipped. Nobody is anonymised
without having been warned at least the difference of the two periods before
(30 days by default): accounts already past both periods when this first runs,
or whose warning could not be sent, get their warning first and their erasure
that much later.
"""

import logging
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import DateTimeField, F, Max, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from coworklib.accounts.models import ApiToken, LoginEvent, User
from coworklib.privacy.exports import delete_expired_exports
from coworklib.privacy.models import InactivityNotice
from coworklib.privacy.services import erase_user

logger = logging.getLogger(__name__)
RUN_AT = time(3, 0)  # local time of the daily run, when hardly anyone is using the service


def with_last_activity(users: QuerySet[User]) -> Any:  # annotated: django-stubs cannot follow last_activity
    """Annotate ``last_activity``: the latest web login, API token use or, failing both, the sign-up."""
    last_token_use = Subquery(
        ApiToken.objects.filter(user=OuterRef("pk"))
        .values("user")
        .annotate(latest=Max("last_used_at"))
        .values("latest")[:1],
        output_field=DateTimeField(),
    )
    return users.annotate(
        last_activity=Greatest(
            Coalesce(F("last_login"), F("date_joined")),
            Coalesce(last_token_use, F("date_joined")),
            F("date_joined"),
            output_field=DateTimeField(),
        )
    )


def _inactive_since(cutoff: datetime) -> Any:
    return with_last_activity(User.objects.filter(deleted_at__isnull=True)).filter(last_activity__lt=cutoff)


def forget_stale_notices() -> int:
    """Someone warned who came back starts a new spell of inactivity: their next one warns them again."""
    stale = with_last_activity(User.objects.filter(inactivity_notice__isnull=False)).filter(
        last_activity__gt=F("inactivity_notice__sent_at")
    )
    deleted, _ = InactivityNotice.objects.filter(user__in=stale).delete()
    return deleted


def grace_period() -> timedelta:
    """The least time between the warning and the anonymisation."""
    return timedelta(days=settings.INACTIVITY_ERASURE_DAYS - settings.INACTIVITY_WARNING_DAYS)


def _send_warning(user: User, *, erasure_on: datetime) -> None:
    with translation.override(user.language):
        context = {
            "user": user,
            "erasure_on": erasure_on,
            "login_url": settings.SITE_URL + reverse("account_login"),
            "data_url": settings.SITE_URL + reverse("privacy:my_data"),
            "months": round(settings.INACTIVITY_ERASURE_DAYS / 30.44),
        }
        subject = render_to_string("privacy/email/inactivity_warning_subject.txt", context).strip()
        text = render_to_string("privacy/email/inactivity_warning.txt", context)
        html = render_to_string("privacy/email/inactivity_warning.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[user.email])
    message.attach_alternative(html, "text/html")
    message.send()


def warn_inactive_users(*, now: datetime | None = None) -> int:
    """E-mail, once, everyone unused for INACTIVITY_WARNING_DAYS. Returns how many were warned."""
    now = now or timezone.now()
    forget_stale_notices()
    due = _inactive_since(now - timedelta(days=settings.INACTIVITY_WARNING_DAYS)).filter(inactivity_notice__isnull=True)
    warned = 0
    for user in due:
        erasure_on = max(
            user.last_activity + timedelta(days=settings.INACTIVITY_ERASURE_DAYS),  # type: ignore[attr-defined]
            now + grace_period(),
        )
        # The row first: a crash after sending must not send it twice; one lost e-mail is the lesser harm.
        notice, created = InactivityNotice.objects.get_or_create(user=user, defaults={"sent_at": now})
        if not created:
            continue
        try:
            _send_warning(user, erasure_on=erasure_on)
        except Exception:
            logger.exception("inactivity warning to user %s failed", user.pk)
            notice.delete()
            continue
        warned += 1
    return warned


def erase_inactive_users(*, now: datetime | None = None) -> int:
    """Anonymise everyone unused for INACTIVITY_ERASURE_DAYS and warned at least the grace period ago.

    One account that cannot be erased (logged) does not keep the others. Returns how many were erased.
    """
    now = now or timezone.now()
    forget_stale_notices()
    due = _inactive_since(now - timedelta(days=settings.INACTIVITY_ERASURE_DAYS)).filter(
        inactivity_notice__sent_at__lte=now - grace_period()
    )
    erased = 0
    for user in due:
        try:
            erase_user(user=user, hand_over=True, now=now)
        except Exception:
            logger.exception("anonymising inactive user %s failed", user.pk)
            continue
        erased += 1
    return erased


def forget_old_logins(*, now: datetime | None = None) -> int:
    """Login history is kept LOGIN_HISTORY_DAYS, whether the account is in use or not (IP addresses)."""
    now = now or timezone.now()
    deleted, _ = LoginEvent.objects.filter(occurred_at__lt=now - timedelta(days=settings.LOGIN_HISTORY_DAYS)).delete()
    return deleted


def run_retention(*, now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    return {
        "erased": erase_inactive_users(now=now),
        "warned": warn_inactive_users(now=now),
        "old_logins": forget_old_logins(now=now),
        "expired_exports": delete_expired_exports(now=now),
    }


def next_run(after: datetime) -> datetime:
    local = timezone.localtime(after, ZoneInfo(settings.TIME_ZONE))
    candidate = datetime.combine(local.date(), RUN_AT, tzinfo=local.tzinfo)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), RUN_AT, tzinfo=local.tzinfo)
    return candidate


@task
def retention_task() -> dict[str, int]:
    """Daily: the retention run, then the next one planned, whatever happened to this one."""
    try:
        return run_retention()
    finally:
        ensure_retention(after=next_run(timezone.now()))


def ensure_retention(after: datetime | None = None) -> bool:
    """Plan the next retention run unless one is already waiting. True if one was planned."""
    from django_tasks_db.models import DBTaskResult

    path = f"{retention_task.func.__module__}.{retention_task.func.__qualname__}"
    if DBTaskResult.objects.filter(task_path=path, status="READY").exists():
        return False
    retention_task.using(run_after=after or next_run(timezone.now())).enqueue()
    return True
