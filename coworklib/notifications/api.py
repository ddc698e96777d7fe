"""Notification endpoints under /api/v1: the caller's notifications and settings (this module), web push (push_api).

Notifications are the caller's own, across their organizations; those of an
organization they left, or of a type they turned off in the app, are not listed.
"""

from datetime import datetime
from typing import Annotated, Any, Literal

from django.db import transaction
from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import BeforeValidator, StrictBool

from coworklib.accounts.models import User
from coworklib.api.schemas import READ_ERRORS, WRITE_ERRORS, json_integer
from coworklib.notifications import preferences, selectors, services, texts
from coworklib.notifications.models import Channel, NotificationType, ReminderLead
from coworklib.notifications.push_api import router as push_router
from coworklib.workspaces.schemas import MAX_ID, BodyIn, PageIn, page

router = Router(tags=["notifications"])

NotificationId = Path(..., ge=1, le=MAX_ID, description="Notification id")

NotificationTypeName = Literal[tuple(NotificationType.values)]  # type: ignore[valid-type]
ChannelName = Literal[tuple(Channel.values)]  # type: ignore[valid-type]


def _caller(request: HttpRequest) -> User:
    # Set by coworklib.api.auth (bearer token or session cookie) before any endpoint runs.
    user: User = request.auth  # type: ignore[attr-defined]
    return user


class TargetOut(Schema):
    type: str
    id: int


class NotificationOut(Schema):
    id: int
    type: str
    created_at: datetime
    read: bool
    text: str = Field(description="One sentence, in the request's language, written from the objects as they are now")
    title: str
    url: str = Field(description="The web page it opens (a path)")
    target: TargetOut


class NotificationPageOut(Schema):
    items: list[NotificationOut]
    count: int
    unread: int = Field(description="How many of the caller's notifications are unread, whatever the page")


class NotificationQuery(Schema):
    unread: bool = Field(False, description="Only the unread ones")


class PreferenceOut(Schema):
    type: str
    label: str
    channels: dict[str, bool]


class SettingsOut(Schema):
    preferences: list[PreferenceOut]
    digest_enabled: bool
    digest_hour: int
    reminder_lead: str
    news: bool = Field(description="News and offers by e-mail (off unless the member opted in)")


class PreferenceIn(BodyIn):
    type: NotificationTypeName  # type: ignore[valid-type]
    channel: ChannelName  # type: ignore[valid-type]
    enabled: StrictBool


class SettingsIn(BodyIn):
    preferences: list[PreferenceIn] = Field(default_factory=list, max_length=100)
    digest_enabled: StrictBool | None = None
    digest_hour: Annotated[int, Field(ge=0, le=23), BeforeValidator(json_integer)] | None = None
    reminder_lead: Literal[tuple(ReminderLead.values)] | None = None  # type: ignore[valid-type]
    news: StrictBool | None = None


def _out(described: texts.Described) -> dict[str, Any]:
    notification = described.notification
    return {
        "id": notification.pk,
        "type": notification.type,
        "created_at": notification.created_at,
        "read": notification.is_read,
        "text": described.text,
        "title": described.title,
        "url": described.url,
        "target": {"type": notification.target_type, "id": notification.target_id},
    }


@router.get("/me/notifications", response={200: NotificationPageOut, **READ_ERRORS})
def my_notifications(request: HttpRequest, query: Query[NotificationQuery], pagination: Query[PageIn]) -> Any:
    """The caller's notifications, newest first (`?unread=true`: only those not read yet)."""
    user = _caller(request)
    found = selectors.notifications_of(user, unread=query.unread)
    rows = list(found[pagination.offset : pagination.offset + pagination.limit])
    items = [_out(item) for item in texts.describe(rows)]
    return {**page(items, found.count()), "unread": selectors.unread_count(user)}


@router.post("/me/notifications/{id}/read", response={204: None, **WRITE_ERRORS})
def read_notification(request: HttpRequest, id: int = NotificationId) -> Any:
    user = _caller(request)
    services.mark_read(user=user, notification=selectors.get_notification_for_user(user, id))
    return Status(204, None)


@router.post("/me/notifications/read-all", response={204: None, **WRITE_ERRORS})
def read_all(request: HttpRequest) -> Any:
    services.mark_all_read(user=_caller(request))
    return Status(204, None)


def _settings_out(user: User) -> dict[str, Any]:
    row = preferences.settings_of(user)
    return {
        "preferences": [
            {"type": item.type, "label": item.label, "channels": item.channels}
            for item in preferences.preference_grid(user)
        ],
        "digest_enabled": row.digest_enabled,
        "digest_hour": row.digest_hour,
        "reminder_lead": row.reminder_lead,
        "news": row.news_opt_in_at is not None,
    }


@router.get("/me/notification-settings", response={200: SettingsOut, **READ_ERRORS})
def my_settings(request: HttpRequest) -> Any:
    """Each type × channel switch (with the defaults applied), the digest, the reminders, news."""
    return _settings_out(_caller(request))


@router.patch("/me/notification-settings", response={200: SettingsOut, **WRITE_ERRORS})
def update_my_settings(request: HttpRequest, data: SettingsIn) -> Any:
    """Change the switches given (others keep their value) and any of the other settings."""
    user = _caller(request)
    with transaction.atomic():
        _apply(user, data)
    return _settings_out(user)


def _apply(user: User, data: SettingsIn) -> None:
    preferences.set_preferences(
        user=user, choices={(item.type, item.channel): item.enabled for item in data.preferences}
    )
    services.update_settings(
        user=user,
        digest_enabled=data.digest_enabled,
        digest_hour=data.digest_hour,
        reminder_lead=data.reminder_lead,
        news=data.news,
    )


router.add_router("", push_router)
