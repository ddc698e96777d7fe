"""What notifications keeps about a person (privacy registry): their notifications, preferences,
push subscriptions and outbox rows.

Notifications they caused for others stay, shown as coming from the deleted
user; the outbox subjects rendered with their name lose it.
"""

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext

from coworklib.accounts.models import User
from coworklib.notifications.models import (
    Delivery,
    News,
    Notification,
    NotificationPreference,
    NotificationSettings,
    PushSubscription,
)
from coworklib.privacy.registry import register, rows, scrub


def export(user: User) -> dict[str, Any]:
    return {
        "notifications": rows(
            Notification.objects.filter(recipient=user).order_by("created_at"),
            "type",
            "organization__name",
            "target_type",
            "target_id",
            "data",
            "created_at",
            "read_at",
        ),
        "preferences": rows(NotificationPreference.objects.filter(user=user), "type", "channel", "enabled"),
        "settings": rows(
            NotificationSettings.objects.filter(user=user),
            "digest_enabled",
            "digest_hour",
            "reminder_lead",
            "news_opt_in_at",
            "last_digest_at",
        ),
        "push_subscriptions": rows(
            PushSubscription.objects.filter(user=user).order_by("created_at"),
            "endpoint",
            "user_agent",
            "created_at",
            "last_used_at",
        ),
        "emails_and_pushes": rows(
            Delivery.objects.filter(recipient=user).order_by("created_at"),
            "channel",
            "kind",
            "status",
            "subject",
            "created_at",
            "sent_at",
        ),
    }


def erase(user: User) -> None:
    Delivery.objects.filter(recipient=user).delete()
    Notification.objects.filter(recipient=user).delete()
    NotificationPreference.objects.filter(user=user).delete()
    NotificationSettings.objects.filter(user=user).delete()
    PushSubscription.objects.filter(user=user).delete()
    needles = [f"{user.first_name} {user.last_name}".strip(), user.first_name, user.last_name, user.email]
    deleted_user = gettext("Utilisateur supprimé")
    for delivery in Delivery.objects.filter(Q(notification__actor=user)).exclude(subject=""):
        cleaned = scrub(delivery.subject, needles, deleted_user)
        if cleaned != delivery.subject:
            Delivery.objects.filter(pk=delivery.pk).update(subject=cleaned[:250])


register(
    "notifications",
    fields={
        Notification: (
            {"recipient", "actor", "created_at", "read_at"},
            {"id", "organization", "type", "target_type", "target_id", "data", "dedupe_key"},
        ),
        NotificationPreference: ({"user"}, {"id", "type", "channel", "enabled"}),
        NotificationSettings: (
            {"user", "news_opt_in_at", "last_digest_at", "updated_at"},
            {"id", "digest_enabled", "digest_hour", "reminder_lead"},
        ),
        PushSubscription: ({"user", "endpoint", "p256dh", "auth", "user_agent", "created_at", "last_used_at"}, {"id"}),
        News: (set(), {"id", "subject_fr", "subject_en", "body_fr", "body_en", "created_at", "sent_at"}),
        Delivery: (
            {"recipient", "subject", "payload", "last_error", "created_at", "sent_at"},
            {
                "id",
                "channel",
                "kind",
                "notification",
                "push_subscription",
                "news",
                "dedupe_key",
                "status",
                "attempts",
                "next_attempt_at",
                "claimed_until",
            },
        ),
    },
    exporter=export,
    eraser=erase,
    order=60,
)
