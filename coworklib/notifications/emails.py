"""E-mails and push messages of the outbox, rendered when they are sent, in the recipient's language.

Each is built from the live objects (texts.describe), so nothing personal is
copied into the outbox. What may no longer be sent answers None and the
delivery is cancelled: the recipient left the organization, turned the type
off on that channel, or the object is gone.
Every notification e-mail carries a one-click unsubscribe link for its type
(RFC 8058 headers too), which works without logging in.
"""

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from coworklib.accounts.models import User
from coworklib.organizations.models import Membership

from . import preferences, texts
from .models import Channel, Delivery, DeliveryKind, Notification, NotificationType
from .push import PushPayload

UNSUBSCRIBE_SALT = "coworklib.notifications.unsubscribe"
# What the unsubscribe link of a digest or a news e-mail turns off (besides the notification types).
DIGEST = "digest"
NEWS = "news"


def unsubscribe_token(user_id: int, what: str) -> str:
    """A signed, non-expiring token naming the person and what to turn off. It grants nothing else."""
    return signing.dumps([user_id, what], salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    try:
        user_id, what = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(user_id, int) or what not in {*NotificationType.values, DIGEST, NEWS}:
        return None
    return user_id, what


def unsubscribe_url(user_id: int, what: str) -> str:
    return settings.SITE_URL + reverse("notifications:unsubscribe", args=[unsubscribe_token(user_id, what)])


def _language(user: User) -> str:
    return user.language or settings.LANGUAGE_CODE


def _still_for(notification: Notification, user: User, channel: str) -> bool:
    if user.deleted_at is not None or not user.is_active:
        return False
    if not Membership.objects.filter(organization_id=notification.organization_id, user=user).exists():
        return False
    return channel in preferences.enabled_channels([user.pk], notification.type)[user.pk]


def _message(user: User, subject: str, template: str, context: dict, unsubscribe: str) -> EmailMultiAlternatives:
    context = {**context, "user": user, "unsubscribe_url": unsubscribe, "settings_url": _settings_url()}
    text = render_to_string(f"notifications/email/{template}.txt", context)
    html = render_to_string(f"notifications/email/{template}.html", context)
    message = EmailMultiAlternatives(
        subject,
        text,
        to=[user.email],
        headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    message.attach_alternative(html, "text/html")
    return message


def _settings_url() -> str:
    return settings.SITE_URL + reverse("notifications:settings")


def build_email(delivery: Delivery) -> EmailMultiAlternatives | None:
    user = delivery.recipient
    if user is None:
        return None
    with translation.override(_language(user)):
        if delivery.kind == DeliveryKind.DIGEST:
            return _digest(delivery, user)
        if delivery.kind == DeliveryKind.NEWS:
            return _news(delivery, user)
        notification = delivery.notification
        if notification is None or not _still_for(notification, user, Channel.EMAIL):
            return None
        [described] = texts.describe([notification])
        subject = described.title
        if described.session is not None:
            subject = f"{described.title} · {described.session.workspace.name}"
        message = _message(
            user,
            subject,
            "notification",
            {"described": described},
            unsubscribe_url(user.pk, notification.type),
        )
        if notification.type == NotificationType.SESSION_INVITATION and described.session is not None:
            from coworklib.planning.calendars import session_ics

            ics = session_ics(described.session, language=_language(user))
            message.attach("session.ics", ics, "text/calendar; method=PUBLISH; charset=utf-8")
        return message


def _digest(delivery: Delivery, user: User) -> EmailMultiAlternatives | None:
    ids = [int(pk) for pk in delivery.payload.get("notifications", [])]
    memberships = Membership.objects.filter(user=user).values("organization_id")
    notifications = list(
        Notification.objects.filter(pk__in=ids, recipient=user, organization_id__in=memberships).order_by(
            "-created_at", "-id"
        )
    )
    if not notifications:
        return None
    described = texts.describe(notifications)
    subject = translation.ngettext(
        "Votre résumé Coworklib : %(count)d nouvelle notification",
        "Votre résumé Coworklib : %(count)d nouvelles notifications",
        len(described),
    ) % {"count": len(described)}
    return _message(user, subject, "digest", {"items": described}, unsubscribe_url(user.pk, DIGEST))


def _news(delivery: Delivery, user: User) -> EmailMultiAlternatives | None:
    from .news import may_receive_news

    news = delivery.news
    if news is None or not may_receive_news(user):
        return None
    english = translation.get_language() == "en"
    subject = news.subject_en if english else news.subject_fr
    body = news.body_en if english else news.body_fr
    return _message(user, subject, "news", {"subject": subject, "body": body}, unsubscribe_url(user.pk, NEWS))


def push_payload(delivery: Delivery) -> PushPayload | None:
    user = delivery.recipient
    notification = delivery.notification
    if user is None or notification is None:
        return None
    with translation.override(_language(user)):
        if not _still_for(notification, user, Channel.PUSH):
            return None
        [described] = texts.describe([notification])
        return {"title": described.title, "body": described.text, "url": described.url, "tag": notification.type}
