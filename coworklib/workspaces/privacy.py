"""What workspaces keeps about a person (privacy registry): favourites, views, access granted to them.

Workspaces themselves (descriptions, photos, hours, equipment) belong to the
organization; who uploaded a photo or set a closure stays, shown as the deleted user.
"""

from typing import Any

from coworklib.accounts.models import User
from coworklib.privacy.registry import register, rows
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


def export(user: User) -> dict[str, Any]:
    return {
        "favourites": rows(
            Favourite.objects.filter(user=user).order_by("created_at"),
            "workspace__organization__name",
            "workspace__name",
            "created_at",
        ),
        "viewed": rows(
            WorkspaceView.objects.filter(user=user).order_by("viewed_at"),
            "workspace__organization__name",
            "workspace__name",
            "viewed_at",
        ),
        "access_granted": rows(
            WorkspaceAccessGrant.objects.filter(user=user).order_by("created_at"),
            "workspace__organization__name",
            "workspace__name",
            "created_at",
        ),
        "photos_uploaded": rows(
            WorkspacePhoto.objects.filter(uploaded_by=user).order_by("created_at"), "workspace__name", "created_at"
        ),
    }


def erase(user: User) -> None:
    Favourite.objects.filter(user=user).delete()
    WorkspaceView.objects.filter(user=user).delete()
    WorkspaceAccessGrant.objects.filter(user=user).delete()


register(
    "workspaces",
    fields={
        Equipment: (set(), {"id", "organization", "key", "name", "icon", "position"}),
        Workspace: (
            set(),
            {
                "id",
                "organization",
                "name",
                "description",
                "kind",
                "street",
                "postal_code",
                "city",
                "country",
                "latitude",
                "longitude",
                "timezone",
                "capacity",
                "equipment",
                "restricted",
                "archived_at",
                "created_at",
                "updated_at",
            },
        ),
        OpeningInterval: (set(), {"id", "workspace", "weekday", "opens", "closes"}),
        Closure: (set(), {"id", "workspace", "start_date", "end_date", "reason", "created_by", "created_at"}),
        WorkspacePhoto: (
            {"uploaded_by"},
            {"id", "workspace", "image", "thumbnail", "width", "height", "alt_text", "position", "created_at"},
        ),
        WorkspaceAccessGrant: ({"user"}, {"id", "workspace", "role", "group", "created_at"}),
        Favourite: ({"user", "created_at"}, {"id", "workspace"}),
        WorkspaceView: ({"user", "viewed_at"}, {"id", "workspace"}),
    },
    exporter=export,
    eraser=erase,
    order=30,
)
