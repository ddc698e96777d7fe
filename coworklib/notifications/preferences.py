"""Which channels each notification type goes to, per member: defaults, and the member's own choices.

Only the choices that differ from `DEFAULTS` are stored (NotificationPreference), so a
default changed here reaches everyone who never touched that switch.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import transaction

from coworklib.accounts.models import User

from .models import Channel, NotificationPreference, NotificationSettings, NotificationType

ALL_CHANNELS = (Channel.IN_APP, Channel.EMAIL, Channel.PUSH)
_EVERYWHERE = frozenset(ALL_CHANNELS)
_QUIET = frozenset({Channel.IN_APP, Channel.PUSH})

# What concerns me directly reaches me everywhere; news of what others plan stays in the app
# (and on the phone, once a browser is subscribed) so that following many does not fill a mailbox.
DEFAULTS: Mapping[str, frozenset[str]] = {
    NotificationType.SESSION_INVITATION: _EVERYWHERE,
    NotificationType.SESSION_CHANGED: _EVERYWHERE,
    NotificationType.SESSION_CANCELLED: _EVERYWHERE,
    NotificationType.SESSION_REMINDER: _EVERYWHERE,
    NotificationType.SEAT_RELEASED: _EVERYWHERE,
    NotificationType.GROUP_ADDED: _EVERYWHERE,
    NotificationType.JOIN_REQUEST: _EVERYWHERE,
    NotificationType.NEW_MESSAGE: _QUIET,
    NotificationType.GROUP_SESSION: _QUIET,
    NotificationType.FOLLOWED_MEMBER_SESSION: frozenset({Channel.IN_APP}),
    NotificationType.FOLLOWED_WORKSPACE_SESSION: frozenset({Channel.IN_APP}),
}


def enabled_channels(user_ids: Iterable[int], notification_type: str) -> dict[int, set[str]]:
    """For each user, the channels `notification_type` goes to (possibly none). One query."""
    ids = list(user_ids)
    channels = {user_id: set(DEFAULTS[notification_type]) for user_id in ids}
    overrides = NotificationPreference.objects.filter(user_id__in=ids, type=notification_type).values_list(
        "user_id", "channel", "enabled"
    )
    for user_id, channel, enabled in overrides:
        if enabled:
            channels[user_id].add(channel)
        else:
            channels[user_id].discard(channel)
    return channels


def hidden_in_app_types(user: User) -> list[str]:
    """The types the member turned off in the app: their notifications stay out of the list and the badge."""
    chosen = dict(
        NotificationPreference.objects.filter(user=user, channel=Channel.IN_APP).values_list("type", "enabled")
    )
    return [
        kind
        for kind, default in DEFAULTS.items()
        if not chosen.get(kind, Channel.IN_APP in default)  # type: ignore[call-overload]
    ]


@dataclass(frozen=True)
class PreferenceRow:
    type: str
    label: str
    channels: dict[str, bool]


def preference_grid(user: User) -> list[PreferenceRow]:
    """Every type with, for each channel, whether it is on for the member."""
    chosen = {
        (kind, channel): enabled
        for kind, channel, enabled in NotificationPreference.objects.filter(user=user).values_list(
            "type", "channel", "enabled"
        )
    }
    return [
        PreferenceRow(
            type=kind.value,
            label=str(kind.label),
            channels={
                channel.value: chosen.get((kind.value, channel.value), channel in DEFAULTS[kind])
                for channel in ALL_CHANNELS
            },
        )
        for kind in NotificationType
    ]


@transaction.atomic
def set_preferences(*, user: User, choices: Mapping[tuple[str, str], bool]) -> None:
    """Record the member's choices (type, channel) → on/off; those equal to the default are forgotten."""
    for (kind, channel), enabled in choices.items():
        if kind not in DEFAULTS or channel not in _EVERYWHERE:
            raise ValueError(f"unknown notification switch {kind}/{channel}")
        if enabled == (channel in DEFAULTS[kind]):
            NotificationPreference.objects.filter(user=user, type=kind, channel=channel).delete()
        else:
            NotificationPreference.objects.update_or_create(
                user=user, type=kind, channel=channel, defaults={"enabled": enabled}
            )


def settings_of(user: User) -> NotificationSettings:
    """The member's digest, reminder and news settings (defaults until they change one)."""
    found = NotificationSettings.objects.filter(user=user).first()
    return found if found is not None else NotificationSettings(user=user)
