from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from coworklib.core.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: an audit log that staff could edit would prove nothing."""

    list_display = ["created_at", "organization", "action", "actor", "target_user"]
    list_filter = ["action"]
    search_fields = ["action", "organization__name", "organization__slug", "actor__email", "target_user__email"]
    list_select_related = ["organization", "actor", "target_user"]
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in AuditEntry._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
