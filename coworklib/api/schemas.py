"""Schemas shared by every app's API router: errors, pagination, integer input."""

from typing import Any

from django.utils.translation import gettext as _
from ninja import Schema


class ErrorOut(Schema):
    detail: str
    code: str


class ValidationErrorOut(ErrorOut):
    errors: list[dict[str, Any]] = []


# Responses every authenticated endpoint can give, to declare in `response=`
# so the OpenAPI schema (and schemathesis) knows about them.
AUTH_ERRORS: dict[int, Any] = {401: ErrorOut, 422: ValidationErrorOut, 429: ErrorOut}
# Reads of objects that may be hidden (404); writes that a role or a missing CSRF token refuses (403),
# that may be too large (413) or invalid (422); writes that may conflict with the current state (409).
READ_ERRORS: dict[int, Any] = {**AUTH_ERRORS, 404: ErrorOut}
WRITE_ERRORS: dict[int, Any] = {**READ_ERRORS, 403: ErrorOut, 413: ErrorOut, 422: ValidationErrorOut}
CONFLICT_ERRORS: dict[int, Any] = {**WRITE_ERRORS, 409: ErrorOut}


def json_integer(value: Any) -> Any:
    """A `BeforeValidator` for integer fields: as JSON Schema says, 3 and 3.0 are integers, true and "3" are not.

    Pydantic would take all four; the OpenAPI schema promises JSON Schema's meaning.
    """
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(_("Un nombre entier est attendu."))
    return value
