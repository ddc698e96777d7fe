"""Schemas shared by every app's API router: errors, pagination."""

from typing import Any

from ninja import Schema


class ErrorOut(Schema):
    detail: str
    code: str


class ValidationErrorOut(ErrorOut):
    errors: list[dict[str, Any]] = []


# Responses every authenticated endpoint can give, to declare in `response=`
# so the OpenAPI schema (and schemathesis) knows about them.
AUTH_ERRORS: dict[int, Any] = {401: ErrorOut, 422: ValidationErrorOut, 429: ErrorOut}
