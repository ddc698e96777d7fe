"""What planning keeps about a person (privacy registry): sessions organised, participations, check-ins.

Past sessions, participations and check-ins stay after erasure (they are the
organization's counts), attributed to the deleted user; the free text they
wrote (a session's description) goes. Coming sessions were already handed over
or cancelled, with notice, when the erasure made them leave their organizations.
"""

from typing import Any

from django.utils import timezone

from coworklib.accounts.models import User
from coworklib.planning.models import CalendarFeed, CheckIn, Participant, Session, SessionSeries
from coworklib.privacy.registry import register, rows


def export(user: User) -> dict[str, Any]:
    return {
        "sessions_organised": rows(
            Session.objects.filter(organizer=user).order_by("start"),
            "id",
            "organization__name",
            "workspace__name",
            "start",
            "end",
            "description",
            "visibility",
            "is_walk_in",
            "cancelled_at",
            "created_at",
        ),
        "participations": rows(
            Participant.objects.filter(user=user).order_by("session__start"),
            "session_id",
            "session__workspace__name",
            "session__start",
            "session__end",
            "status",
            "created_at",
        ),
        "check_ins": rows(
            CheckIn.objects.filter(user=user).order_by("checked_in_at"),
            "workspace__name",
            "session_id",
            "method",
            "checked_in_at",
            "checked_out_at",
        ),
        "recurring_series": rows(
            SessionSeries.objects.filter(organizer=user).order_by("created_at"), "workspace__name", "weekdays", "until"
        ),
        "calendar_feed": rows(CalendarFeed.objects.filter(user=user), "created_at", "last_used_at"),
    }


def erase(user: User) -> None:
    Session.objects.filter(organizer=user).exclude(description="").update(description="", updated_at=timezone.now())
    CalendarFeed.objects.filter(user=user).delete()


register(
    "planning",
    fields={
        SessionSeries: ({"organizer"}, {"id", "organization", "workspace", "weekdays", "until", "created_at"}),
        Session: (
            {"organizer", "description"},
            {
                "id",
                "organization",
                "workspace",
                "series",
                "start",
                "end",
                "visibility",
                "group",
                "is_walk_in",
                "cancelled_at",
                "created_at",
                "updated_at",
            },
        ),
        Participant: ({"user", "invited_by", "created_at", "updated_at"}, {"id", "session", "status"}),
        CheckIn: (
            {"user", "checked_in_at", "checked_out_at"},
            {"id", "organization", "workspace", "session", "method", "closes_at"},
        ),
        CalendarFeed: ({"user", "token_hash", "created_at", "last_used_at"}, {"id"}),
    },
    exporter=export,
    eraser=erase,
    # Before organizations' eraser: leaving them hands coming sessions to someone else, and the
    # description they wrote must go from those too.
    order=5,
)
