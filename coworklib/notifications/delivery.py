"""The outbox's sender: claims due deliveries, sends them, records that they left. Never sends one twice.

A delivery is claimed (`sending`) in one transaction before the mail server
or push service is called, and marked `sent` right after. A worker that dies
between the two leaves a `sending` row behind; once its claim expires it is
marked `failed` with the reason, not sent again: the message may have left, and
a duplicate is worse than a miss that staff can see (admin, "Envois") and
resend. Errors that say nothing left (SMTP refusal, connection failure, a push
service's 5xx) put the row back to `pending` with an exponential backoff, up
to `MAX_ATTEMPTS`.
"""

import logging
import smtplib
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from django.core.mail import mailers
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from coworklib.accounts.models import User

from .models import Channel, Delivery, DeliveryKind, DeliveryStatus, NotificationSettings

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
FIRST_RETRY = timedelta(minutes=1)
# Longer than any batch takes: a claim still running is never taken for an abandoned one.
CLAIM_TIMEOUT = timedelta(minutes=15)
BATCH_SIZE = 200


def direct_email_wanted(user_ids: Iterable[int]) -> set[int]:
    """Of these users, those who get notification e-mails one by one: active accounts without the daily digest."""
    ids = set(user_ids)
    if not ids:
        return set()
    digest = NotificationSettings.objects.filter(user_id__in=ids, digest_enabled=True).values("user_id")
    return set(
        User.objects.filter(pk__in=ids, is_active=True, deleted_at__isnull=True)
        .exclude(email="")
        .exclude(pk__in=digest)
        .values_list("pk", flat=True)
    )


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4, 8, 16… minutes after the attempts made so far."""
    return FIRST_RETRY * (2 ** max(attempts - 1, 0))


def expire_abandoned_claims(now: datetime | None = None) -> int:
    """Rows left `sending` by a worker that died: failed, with why (they may have left; never sent twice)."""
    now = now or timezone.now()
    return Delivery.objects.filter(status=DeliveryStatus.SENDING, claimed_until__lt=now).update(
        status=DeliveryStatus.FAILED,
        last_error="Interrompu pendant l'envoi : peut-être parti, donc pas renvoyé automatiquement.",
        claimed_until=None,
    )


def claim_due(channel: str, *, now: datetime | None = None, limit: int = BATCH_SIZE) -> list[Delivery]:
    """Take up to `limit` due deliveries of `channel` for this worker: they are `sending` once this returns.

    PostgreSQL: rows another worker is claiming are skipped (SKIP LOCKED). SQLite: the write transaction
    (IMMEDIATE) makes claims one after the other.
    """
    now = now or timezone.now()
    due = Delivery.objects.filter(channel=channel, status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.order_by("next_attempt_at", "id").values_list("pk", flat=True)[:limit])
        Delivery.objects.filter(pk__in=ids).update(status=DeliveryStatus.SENDING, claimed_until=now + CLAIM_TIMEOUT)
    return list(
        Delivery.objects.filter(pk__in=ids)
        .select_related("recipient", "notification", "push_subscription", "news")
        .order_by("id")
    )


def mark_sent(delivery: Delivery, subject: str = "") -> None:
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENT, sent_at=timezone.now(), claimed_until=None, subject=subject[:250], last_error=""
    )


def mark_cancelled(delivery: Delivery, reason: str) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.CANCELLED, claimed_until=None, last_error=reason[:1000]
    )


def mark_failed_attempt(delivery: Delivery, error: str, *, permanent: bool = False) -> None:
    """Back to `pending` later, or `failed` after the last attempt (at once for a permanent refusal)."""
    attempts = delivery.attempts + 1
    final = permanent or attempts >= MAX_ATTEMPTS
    Delivery.objects.filter(pk=delivery.pk).update(
        attempts=attempts,
        status=DeliveryStatus.FAILED if final else DeliveryStatus.PENDING,
        next_attempt_at=timezone.now() + retry_delay(attempts),
        claimed_until=None,
        last_error=error[:1000],
    )


def _permanent(exc: Exception) -> bool:
    """An SMTP 5xx answer (unknown mailbox, refused content): trying again would get the same answer."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _message in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500


def send_email_batch(*, now: datetime | None = None, limit: int = BATCH_SIZE) -> int:
    """Send due e-mails over one connection to the mail server. Returns how many left."""
    from .emails import build_email

    expire_abandoned_claims(now)
    claimed = claim_due(Channel.EMAIL, now=now, limit=limit)
    if not claimed:
        return 0
    sent = 0
    try:
        smtp = mailers.default
        smtp.open()
    except (OSError, smtplib.SMTPException) as exc:
        for delivery in claimed:
            mark_failed_attempt(delivery, f"connexion au serveur d'envoi : {exc}")
        return 0
    try:
        for delivery in claimed:
            message = build_email(delivery)
            if message is None:
                mark_cancelled(delivery, "Plus rien à envoyer (destinataire ou objet disparu, ou désabonné).")
                continue
            try:
                smtp.send_messages([message])
            except (OSError, smtplib.SMTPException) as exc:
                mark_failed_attempt(delivery, str(exc) or exc.__class__.__name__, permanent=_permanent(exc))
            else:
                mark_sent(delivery, str(message.subject))
                sent += 1
    finally:
        smtp.close()
    return sent


def send_push_batch(*, now: datetime | None = None, limit: int = BATCH_SIZE) -> int:
    """Send due web pushes. A subscription the push service says is gone, or whose endpoint is refused (not a
    public address), is removed; its other pending pushes are then cancelled."""
    from . import push
    from .emails import push_payload

    expire_abandoned_claims(now)
    sent = 0
    # Subscriptions deleted during this batch: their other deliveries here still hold them in memory.
    dropped: set[int] = set()
    for delivery in claim_due(Channel.PUSH, now=now, limit=limit):
        subscription = delivery.push_subscription
        payload = push_payload(delivery)
        if subscription is None or subscription.pk in dropped or payload is None:
            mark_cancelled(delivery, "Plus rien à envoyer (abonnement ou objet disparu).")
            continue
        result = push.send_push(subscription, payload)
        if result.outcome == push.PushOutcome.SENT:
            mark_sent(delivery, payload.get("title", ""))
            sent += 1
        elif result.outcome == push.PushOutcome.GONE:
            mark_cancelled(delivery, "Abonnement expiré selon le service push : supprimé.")
            dropped.add(subscription.pk)
            subscription.delete()
        elif result.outcome == push.PushOutcome.REFUSED:
            # Nothing was sent, and nothing ever will be: retrying would only ask the resolver again.
            log.warning("Push subscription %s deleted, its endpoint is refused: %s", subscription.pk, result.error)
            mark_cancelled(delivery, f"Adresse du service push refusée ({result.error}) : abonnement supprimé.")
            dropped.add(subscription.pk)
            subscription.delete()
        else:
            mark_failed_attempt(delivery, result.error or "erreur du service push")
    return sent


def pending_count(kinds: Sequence[str] = (DeliveryKind.NOTIFICATION, DeliveryKind.DIGEST, DeliveryKind.NEWS)) -> int:
    return Delivery.objects.filter(Q(status=DeliveryStatus.PENDING) & Q(kind__in=list(kinds))).count()
