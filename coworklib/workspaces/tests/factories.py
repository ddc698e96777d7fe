"""Helpers for the workspace tests: memberships, workspaces, images, JSON calls."""

import io
import json
import struct
import zlib
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import MULTIPART_CONTENT
from PIL import ExifTags, Image

from conftest import bearer
from coworklib.accounts.models import User
from coworklib.organizations.models import Membership, Organization
from coworklib.workspaces import services
from coworklib.workspaces.models import (
    Closure,
    Equipment,
    Favourite,
    OpeningInterval,
    Workspace,
    WorkspaceAccessGrant,
    WorkspacePhoto,
)

PARIS = ZoneInfo("Europe/Paris")


def monday_ahead(today: date) -> date:
    """The first Monday at least 7 days after `today`: far enough ahead that a run spanning midnight still books
    in the future. It may fall in a week the clocks change: tests booking there name wall-clock hours and do not
    assume 24-hour days or one UTC offset (those cases are tested under a frozen clock, test_calendar_edges.py).
    """
    return today + timedelta(days=7 + (7 - today.weekday()) % 7)


# For tests on the real clock: a Monday comfortably ahead of today in Paris, whatever day the tests run.
NEXT_MONDAY = monday_ahead(datetime.now(PARIS).date())


def membership_of(user: User, organization: Organization) -> Membership:
    return Membership.objects.select_related("organization", "user").get(user=user, organization=organization)


def make_workspace(admin: User, organization: Organization, name: str = "Paris HQ", **fields: Any) -> Workspace:
    fields.setdefault("capacity", 12)
    fields.setdefault("timezone", "Europe/Paris")
    return services.create_workspace(by=membership_of(admin, organization), name=name, **fields)


def call(client: Client, method: str, path: str, user: User | None = None, body: Any = None, **extra: Any) -> Any:
    """A JSON call to /api/v1 as `user` (None: anonymous)."""
    headers = bearer(user) if user is not None else {}
    kwargs: dict[str, Any] = {"headers": headers, **extra}
    if body is not None:
        kwargs["data"] = json.dumps(body)
        kwargs["content_type"] = "application/json"
    return getattr(client, method.lower())(f"/api/v1{path}", **kwargs)


def upload(client: Client, path: str, user: User | None, files: list[SimpleUploadedFile], **fields: Any) -> Any:
    headers = bearer(user) if user is not None else {}
    return client.post(f"/api/v1{path}", {"files": files, **fields}, content_type=MULTIPART_CONTENT, headers=headers)


# --- Images -------------------------------------------------------------------------------------------------


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (800, 600), color: str = "teal", **save: Any) -> bytes:
    buffer = io.BytesIO()
    mode = "RGBA" if fmt == "PNG" and save.pop("alpha", False) else "RGB"
    Image.new(mode, size, color).save(buffer, format=fmt, **save)
    return buffer.getvalue()


def jpeg_with_gps() -> bytes:
    """A camera-like JPEG: GPS position, camera make and model, orientation."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Phone 15 Pro"
    exif[ExifTags.Base.Orientation] = 1
    exif[ExifTags.Base.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (48.0, 52.0, 13.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (2.0, 20.0, 55.0),
    }
    return image_bytes("JPEG", exif=exif.tobytes())


def png_announcing(width: int, height: int) -> bytes:
    """A tiny PNG whose header announces `width` × `height` pixels: a decompression bomb's shape."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + chunk(b"IEND", b"")
    )


def photo_file(
    data: bytes | None = None, name: str = "photo.jpg", content_type: str = "image/jpeg"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data if data is not None else image_bytes(), content_type=content_type)


def populate_workspaces(acme: Organization, count: int, equipment: list[Equipment], bob: User, offset: int = 0) -> None:
    """`count` workspaces for query-count tests, in bulk: hours, equipment, a photo, a closure,
    favourites and access grants, so every relation a list page reads has rows."""
    workspaces = Workspace.objects.bulk_create(
        Workspace(
            organization=acme,
            name=f"Space {offset + number:04d}",
            capacity=5 + number % 7,
            city="Paris" if number % 2 else "Lyon",
            timezone="Europe/Paris" if number % 3 else "Asia/Tokyo",
            restricted=number % 5 == 0,
        )
        for number in range(count)
    )
    OpeningInterval.objects.bulk_create(
        OpeningInterval(workspace=workspace, weekday=day, opens=8 * 60, closes=19 * 60)
        for workspace in workspaces
        for day in range(5)
    )
    Workspace.equipment.through.objects.bulk_create(
        Workspace.equipment.through(workspace=workspace, equipment=item)
        for workspace in workspaces
        for item in equipment
    )
    WorkspacePhoto.objects.bulk_create(
        WorkspacePhoto(workspace=workspace, image=f"workspace-photos/{workspace.pk}.jpg", thumbnail="t.jpg")
        for workspace in workspaces
    )
    Closure.objects.bulk_create(
        Closure(workspace=workspace, start_date=date(2026, 12, 24), end_date=date(2026, 12, 26))
        for workspace in workspaces
    )
    WorkspaceAccessGrant.objects.bulk_create(
        WorkspaceAccessGrant(workspace=workspace, user=bob) for workspace in workspaces if workspace.restricted
    )
    Favourite.objects.bulk_create(Favourite(user=bob, workspace=workspace) for workspace in workspaces[::3])
