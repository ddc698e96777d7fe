"""Limit/offset pagination for the API, with both ends bounded.

Ninja's LimitOffsetPagination leaves `offset` unbounded: an offset past 2**63
reaches the database and fails there (SQLite: "datatype mismatch", a 500).
No list of ours comes near a billion items, so larger offsets are a 422.
"""

from django.conf import settings
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

MAX_OFFSET = 1_000_000_000


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(settings.NINJA_PAGINATION_PER_PAGE, ge=1, le=settings.NINJA_PAGINATION_MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)
