"""Django admin, for Coworklib staff: read-only views of planning.

Seats may only change through planning.services, under the capacity lock
(docs/decisions/0002-capacity-lock.md): the admin can look, and cancel
nothing behind the services' back.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from coworklib.planning.models import CalendarFeed, CheckIn, Participant, Session, SessionSeries


class ReadOnly:
    """Staff may look at these rows, never add, change or delete them by hand."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnly, admin.ModelAdmin):
    pass


class ParticipantInline(ReadOnly, admin.TabularInline):
    model = Participant
    extra = 0
    fields = readonly_fields = ("user", "status", "invited_by", "created_at", "updated_at")
    fk_name = "session"


@admin.register(Session)
class SessionAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "workspace",
        "organization",
        "start",
        "end",
        "organizer",
        "visibility",
        "is_walk_in",
        "cancelled_at",
    ]
    list_filter = ["is_walk_in", "visibility", "organization"]
    list_select_related = ["workspace", "organization", "organizer"]
    date_hierarchy = "start"
    inlines = [ParticipantInline]


@admin.register(SessionSeries)
class SessionSeriesAdmin(ReadOnlyAdmin):
    list_display = ["id", "workspace", "organizer", "weekdays", "until", "created_at"]
    list_select_related = ["workspace", "organizer"]


@admin.register(CheckIn)
class CheckInAdmin(ReadOnlyAdmin):
    list_display = ["id", "workspace", "user", "method", "checked_in_at", "checked_out_at", "closes_at"]
    list_filter = ["method", "organization"]
    list_select_related = ["workspace", "user"]
    date_hierarchy = "checked_in_at"


@admin.register(CalendarFeed)
class CalendarFeedAdmin(ReadOnlyAdmin):
    # The token itself is never stored (only its hash), and the hash is not shown.
    list_display = ["user", "created_at", "last_used_at"]
    fields = ["user", "created_at", "last_used_at"]
    list_select_related = ["user"]
