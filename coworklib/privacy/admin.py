from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.text import Truncator
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from coworklib.privacy.models import ConsentRecord, ContactRequest, DataExport


class HandledFilter(admin.SimpleListFilter):
    title = _("traitement")
    parameter_name = "handled"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("no", _("À traiter")), ("yes", _("Traitées"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "no":
            return queryset.filter(handled_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(handled_at__isnull=False)
        return queryset


@admin.register(ContactRequest)
class ContactRequestAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Requests come from the contact form only; staff read them, answer by e-mail and mark them handled."""

    list_display = ("created_at", "topic", "name", "email", "user", "excerpt", "is_handled")
    list_filter = (HandledFilter, "topic")
    search_fields = ("name", "email", "message", "user__email")
    list_select_related = ("user",)
    date_hierarchy = "created_at"
    # What the person wrote is kept as they wrote it; only the handling date is the staff's.
    readonly_fields = ("user", "name", "email", "topic", "message", "created_at")
    fields = ("topic", "name", "email", "user", "created_at", "message", "handled_at")
    actions = ["mark_handled", "mark_unhandled"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description=_("message"))
    def excerpt(self, obj: ContactRequest) -> str:
        return Truncator(obj.message).chars(80)

    @admin.display(description=_("traitée"), boolean=True, ordering="handled_at")
    def is_handled(self, obj: ContactRequest) -> bool:
        return obj.handled_at is not None

    @admin.action(description=_("Marquer comme traitées"), permissions=["change"])
    def mark_handled(self, request: HttpRequest, queryset: QuerySet[ContactRequest]) -> None:
        # Already handled ones keep the date they were handled on.
        count = queryset.filter(handled_at__isnull=True).update(handled_at=now())
        self.message_user(
            request,
            ngettext("%(count)d demande marquée comme traitée.", "%(count)d demandes marquées comme traitées.", count)
            % {"count": count},
        )

    @admin.action(description=_("Marquer comme à traiter"), permissions=["change"])
    def mark_unhandled(self, request: HttpRequest, queryset: QuerySet[ContactRequest]) -> None:
        count = queryset.filter(handled_at__isnull=False).update(handled_at=None)
        self.message_user(
            request,
            ngettext("%(count)d demande remise à traiter.", "%(count)d demandes remises à traiter.", count)
            % {"count": count},
        )


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Seen by staff, never written by them: the rows are records, and erasing them is the eraser's job."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ReadOnlyAdmin):
    """The proof of each cookie choice (CNIL): it must stay exactly as it was recorded."""

    list_display = ("created_at", "user", "visitor_id", "version", "categories")
    list_filter = ("version",)
    search_fields = ("user__email", "visitor_id")
    list_select_related = ("user",)
    date_hierarchy = "created_at"
    readonly_fields = ("user", "visitor_id", "version", "categories", "created_at")


@admin.register(DataExport)
class DataExportAdmin(ReadOnlyAdmin):
    """Whether exports get built and downloaded. The ZIP itself is the person's alone: no link to it here."""

    list_display = ("created_at", "user", "status", "ready_at", "expires_at", "downloaded_at")
    list_filter = ("status",)
    search_fields = ("user__email",)
    list_select_related = ("user",)
    date_hierarchy = "created_at"
    fields = ("user", "status", "created_at", "ready_at", "expires_at", "downloaded_at")
    readonly_fields = fields
