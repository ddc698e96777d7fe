"""Django admin, for Coworklib staff. Organization admins use the app and the API, which go through the services."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from coworklib.workspaces.models import (
    Closure,
    Equipment,
    Favourite,
    OpeningInterval,
    Workspace,
    WorkspaceAccessGrant,
    WorkspacePhoto,
    WorkspaceView,
)
from coworklib.workspaces.richtext import sanitize_description


class OpeningIntervalInline(admin.TabularInline):
    model = OpeningInterval
    extra = 0


class ClosureInline(admin.TabularInline):
    model = Closure
    extra = 0
    fields = ["start_date", "end_date", "reason"]


class WorkspacePhotoInline(admin.TabularInline):
    # Uploads go through services.add_photos (re-encoding, EXIF removal): never straight from here.
    model = WorkspacePhoto
    extra = 0
    fields = ["image", "thumbnail", "position", "alt_text"]
    readonly_fields = ["image", "thumbnail"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class WorkspaceAccessGrantInline(admin.TabularInline):
    model = WorkspaceAccessGrant
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "kind", "city", "capacity", "restricted", "archived_at"]
    list_filter = ["kind", "restricted", ("archived_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "city", "organization__name", "organization__slug"]
    list_select_related = ["organization"]
    raw_id_fields = ["organization"]
    filter_horizontal = ["equipment"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [OpeningIntervalInline, ClosureInline, WorkspacePhotoInline, WorkspaceAccessGrantInline]

    def save_model(self, request: HttpRequest, obj: Workspace, form: Any, change: bool) -> None:
        # The same sanitising as the services: staff can paste HTML too.
        obj.description = sanitize_description(obj.description)
        super().save_model(request, obj, form, change)


@admin.register(Equipment)
class EquipmentAdmin(admin.ModelAdmin):
    list_display = ["label", "key", "icon", "organization", "position"]
    list_filter = ["icon"]
    search_fields = ["key", "name", "organization__name", "organization__slug"]
    list_select_related = ["organization"]
    raw_id_fields = ["organization"]


@admin.register(Favourite)
class FavouriteAdmin(admin.ModelAdmin):
    list_display = ["user", "workspace", "created_at"]
    list_select_related = ["user", "workspace"]
    raw_id_fields = ["user", "workspace"]


@admin.register(WorkspaceView)
class WorkspaceViewAdmin(admin.ModelAdmin):
    list_display = ["user", "workspace", "viewed_at"]
    list_select_related = ["user", "workspace"]
    raw_id_fields = ["user", "workspace"]
