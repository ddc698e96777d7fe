"""The QR code shown on site: a check-in address whose token changes every day.

The token is an HMAC (SHA-256, keyed by SECRET_KEY) of the workspace and its
local date: 256 bits, nothing stored, and a photo of yesterday's code does
not check anyone in today. It changes at midnight in the workspace's zone,
so the screen that shows it reloads itself (see the console's QR page).
"""

import base64
import hmac
from datetime import date, datetime
from zoneinfo import ZoneInfo

import segno
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.safestring import SafeString, mark_safe

from coworklib.workspaces.models import Workspace


def checkin_code(workspace: Workspace, day: date) -> str:
    digest = salted_hmac("coworklib.planning.checkin", f"{workspace.pk}:{day.isoformat()}", algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def todays_checkin_code(workspace: Workspace, now: datetime | None = None) -> str:
    today = (now or timezone.now()).astimezone(ZoneInfo(workspace.timezone)).date()
    return checkin_code(workspace, today)


def is_valid_checkin_code(workspace: Workspace, code: str, now: datetime | None = None) -> bool:
    return hmac.compare_digest(todays_checkin_code(workspace, now).encode(), str(code).encode())


def checkin_url(workspace: Workspace, now: datetime | None = None) -> str:
    path = reverse(
        "planning:qr_checkin", args=[workspace.organization.slug, workspace.pk, todays_checkin_code(workspace, now)]
    )
    return settings.SITE_URL + path


def qr_svg(url: str) -> SafeString:
    """The QR code of `url` as inline SVG (no image request, no third party)."""
    # A viewBox instead of a fixed size, so that the page can make it as big as the screen at the entrance.
    svg = segno.make(url, error="m").svg_inline(scale=8, border=2, dark="#1f1b16", light="#ffffff", omitsize=True)
    return mark_safe(svg)  # noqa: S308  (segno's own markup, with our URL encoded as modules, not text)
