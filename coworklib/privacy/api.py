"""``GET /me/export`` (API.md): access to one's own data. ``DELETE /me`` is on the accounts router,
which owns the ``/me`` path (ninja serves one path from one router)."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from pydantic import ConfigDict

from coworklib.accounts.models import User
from coworklib.api.schemas import ErrorOut
from coworklib.privacy import services

router = Router(tags=["privacy"])


class ExportOut(Schema):
    """Every personal field the apps keep, by app; see the keys of the response for what each holds."""

    model_config = ConfigDict(extra="allow")

    format: str
    version: int
    exported_at: str


@router.get(
    "/me/export",
    response={200: ExportOut, 401: ErrorOut},
    summary="All of the signed-in user's personal data (GDPR access and portability)",
)
def export_me(request: HttpRequest) -> Any:
    """The same data as the ZIP of the web settings, without the photo files (their names are listed)."""
    user: User = request.auth  # type: ignore[attr-defined]
    return HttpResponse(services.export_as_json(services.export_user_data(user=user)), content_type="application/json")
