"""Writes of notifications a member makes: reading them, their settings."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from coworklib.accounts.models import User

from .models import Notification, NotificationSettings, ReminderLead
from .selectors import notifications_of


def mark_read(*, user: User, notification: Notification) -> None:
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())


def mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(pk__in=notifications_of(user, unread=True).values("pk")).update(
        read_at=timezone.now()
    )


@transaction.atomic
def update_settings(
    *,
    user: User,
    digest_enabled: bool | None = None,
    digest_hour: int | None = None,
    reminder_lead: str | None = None,
    news: bool | None = None,
    now: datetime | None = None,
) -> NotificationSettings:
    """Change what is given; `news` True records when the member opted in, False forgets it."""
    row, _created = NotificationSettings.objects.select_for_update().get_or_create(user=user)
    if digest_enabled is not None:
        if digest_enabled and not row.digest_enabled:
            # The first digest covers from now: what came before was already sent one by one.
            row.last_digest_at = now or timezone.now()
        row.digest_enabled = digest_enabled
    if digest_hour is not None:
        if not 0 <= digest_hour <= 23:
            raise ValueError("digest_hour")
        row.digest_hour = digest_hour
    if reminder_lead is not None:
        row.reminder_lead = ReminderLead(reminder_lead)
    if news is not None:
        if news and row.news_opt_in_at is None:
            row.news_opt_in_at = now or timezone.now()
        elif not news:
            row.news_opt_in_at = None
    row.save()
    return row
