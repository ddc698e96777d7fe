"""News and offers from Coworklib or its partners: only to those who opted in, never to those who restricted
the processing of their data, each with a one-click unsubscribe link (emails.py)."""

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from coworklib.accounts.models import User

from .models import Channel, Delivery, DeliveryKind, News, NotificationSettings


def news_audience() -> QuerySet[User]:
    """Active accounts that opted in and did not restrict the processing of their data."""
    opted_in = NotificationSettings.objects.filter(news_opt_in_at__isnull=False).values("user_id")
    return User.objects.filter(
        pk__in=opted_in, is_active=True, deleted_at__isnull=True, processing_restricted_at__isnull=True
    ).exclude(email="")


def may_receive_news(user: User) -> bool:
    """Checked again when each e-mail leaves: an opt-out or a restriction since the sending began wins."""
    return news_audience().filter(pk=user.pk).exists()


def send_news(news: News) -> int:
    """Queue the news for everyone in the audience, once each (re-sending adds only newcomers). Returns how many."""
    now = timezone.now()
    with transaction.atomic():
        rows = [
            Delivery(
                channel=Channel.EMAIL,
                kind=DeliveryKind.NEWS,
                recipient_id=user_id,
                news=news,
                dedupe_key=f"news:{news.pk}:{user_id}",
                next_attempt_at=now,
            )
            for user_id in news_audience().values_list("pk", flat=True)
        ]
        before = Delivery.objects.filter(news=news).count()
        Delivery.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
        queued = Delivery.objects.filter(news=news).count() - before
        News.objects.filter(pk=news.pk, sent_at__isnull=True).update(sent_at=now)
        from .tasks import enqueue_senders

        transaction.on_commit(enqueue_senders)
    return queued
