"""The shapes of the workspace API (API.md conventions): what comes in, what goes out.

Formats are checked here (types, "HH:MM", ranges that protect the database);
business rules (overlapping hours, who may do what) are the services'.
"""

import functools
import re
import zoneinfo
from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.schema import DjangoGetter
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    StrictBool,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from coworklib.api.schemas import json_integer
from coworklib.core.pagination import BoundedLimitOffsetPagination
from coworklib.organizations.models import Role
from coworklib.workspaces.models import EquipmentIcon, WorkspaceKind
from coworklib.workspaces.selectors import MAX_ID
from coworklib.workspaces.services import (
    ALT_TEXT_MAX_LENGTH,
    CAPACITY_MAX,
    CLOSURE_REASON_MAX_LENGTH,
    EQUIPMENT_NAME_MAX_LENGTH,
    FIRST_YEAR,
    LAST_YEAR,
    NAME_MAX_LENGTH,
)

# [0-9] rather than \d: pydantic's regex engine counts any Unicode digit as \d.
OPENING_TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
CLOSING_TIME_PATTERN = r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$"
# The years services accept (FIRST_YEAR–LAST_YEAR), written so that the OpenAPI schema says it too.
API_DATE_PATTERN = r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
_API_DATE = re.compile(API_DATE_PATTERN)


def _date_text_only(value: Any) -> Any:
    # Pydantic would also take a timestamp or a datetime at midnight for a date: API.md says YYYY-MM-DD,
    # and far years would overflow date arithmetic.
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _API_DATE.fullmatch(value):
        raise ValueError(
            _("Une date s'écrit AAAA-MM-JJ, entre %(first)d et %(last)d.") % {"first": FIRST_YEAR, "last": LAST_YEAR}
        )
    return value


def _drop_default(json_schema: dict[str, Any]) -> None:
    json_schema.pop("default", None)


def _absent(**constraints: Any) -> Any:
    """An optional PATCH field: it may be left out, but not sent as null (the schema says so too)."""
    return Field(None, json_schema_extra=_drop_default, **constraints)


@functools.cache
def _timezone_names() -> list[str]:
    return sorted(zoneinfo.available_timezones())


def _known_timezone(value: str) -> str:
    if value not in _timezone_names():
        raise ValueError(_("Fuseau horaire inconnu : indiquez un nom comme « Europe/Paris »."))
    return value


def _json_number(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(_("Un nombre est attendu."))
    return value


# Constraints before the validator, so that the OpenAPI schema shows them as minimum/maximum.
Id = Annotated[int, Field(ge=1, le=MAX_ID), BeforeValidator(json_integer)]
Capacity = Annotated[int, Field(ge=1, le=CAPACITY_MAX), BeforeValidator(json_integer)]
QueryId = Annotated[int, Field(ge=1, le=MAX_ID)]
ApiDate = Annotated[
    date,
    BeforeValidator(_date_text_only),
    WithJsonSchema({"type": "string", "format": "date", "pattern": API_DATE_PATTERN}),
]
Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False), BeforeValidator(_json_number)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False), BeforeValidator(_json_number)]
TimeZoneName = Annotated[
    str,
    AfterValidator(_known_timezone),
    WithJsonSchema({"type": "string", "enum": _timezone_names(), "description": "IANA time zone, e.g. Europe/Paris"}),
]
RoleName = Literal["owner", "admin", "member"]
# No control characters (PostgreSQL refuses NUL, and none belongs in a name), and something besides spaces.
NAME_PATTERN = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
LINE_PATTERN = r"^[^\x00-\x1f\x7f-\x9f]*$"
# Descriptions may also hold line breaks and tabs.
TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
COUNTRY_PATTERN = r"^([A-Za-z]{2})?$"


# --- Pagination ---------------------------------------------------------------------------------------------


# The API's one limit/offset shape, bounded at both ends (core.pagination).
PageIn = BoundedLimitOffsetPagination.Input


# --- In -----------------------------------------------------------------------------------------------------


class BodyIn(Schema):
    """A JSON object body. Ninja would otherwise read attributes off a list ("[null]") and find an empty PATCH."""

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, data: Any) -> Any:
        # Ninja hands the body over wrapped in a DjangoGetter.
        raw = data._obj if isinstance(data, DjangoGetter) else data
        if not isinstance(raw, dict | BaseModel):
            raise ValueError(_("Un objet JSON est attendu."))
        return data


class OpeningHoursIn(BodyIn):
    weekday: Annotated[int, Field(ge=0, le=6), BeforeValidator(json_integer)] = Field(
        ..., description="0 = Monday … 6 = Sunday"
    )
    opens: str = Field(..., pattern=OPENING_TIME_PATTERN, examples=["08:00"])
    closes: str = Field(..., pattern=CLOSING_TIME_PATTERN, examples=["19:00", "24:00"])


class CoordinatesIn(BodyIn):
    latitude: Latitude
    longitude: Longitude


class AddressIn(BodyIn):
    street: str = Field("", max_length=200, pattern=LINE_PATTERN)
    postal_code: str = Field("", max_length=20, pattern=LINE_PATTERN)
    city: str = Field("", max_length=100, pattern=LINE_PATTERN)
    country: str = Field("FR", pattern=COUNTRY_PATTERN, description="ISO 3166-1 alpha-2 code")
    coordinates: CoordinatesIn | None = None


class WorkspaceIn(BodyIn):
    name: str = Field(..., max_length=NAME_MAX_LENGTH, pattern=NAME_PATTERN)
    capacity: Capacity
    timezone: TimeZoneName = Field(..., examples=["Europe/Paris"])
    description: str = Field(
        "", max_length=10_000, pattern=TEXT_PATTERN, description="HTML (p, ul, ol, li, a, em, strong) or plain text"
    )
    kind: WorkspaceKind = WorkspaceKind.OFFICE
    address: AddressIn | None = None
    equipment: list[Id] = Field(default_factory=list, max_length=100)
    opening_hours: list[OpeningHoursIn] | None = Field(
        None, max_length=7 * 6, description="Without it the workspace is open every day 00:00–24:00."
    )


class AddressPatch(BodyIn):
    """Only the fields sent change; `coordinates: null` removes them."""

    street: str = _absent(max_length=200, pattern=LINE_PATTERN)
    postal_code: str = _absent(max_length=20, pattern=LINE_PATTERN)
    city: str = _absent(max_length=100, pattern=LINE_PATTERN)
    country: str = _absent(pattern=COUNTRY_PATTERN)
    coordinates: CoordinatesIn | None = None


class WorkspacePatch(BodyIn):
    """Only the fields sent change."""

    name: str = _absent(max_length=NAME_MAX_LENGTH, pattern=NAME_PATTERN)
    capacity: Capacity = _absent()
    timezone: TimeZoneName = _absent()
    description: str = _absent(max_length=10_000, pattern=TEXT_PATTERN)
    kind: WorkspaceKind = _absent()
    address: AddressPatch = _absent()
    equipment: list[Id] = _absent(max_length=100)


class OpeningHoursSetIn(BodyIn):
    opening_hours: list[OpeningHoursIn] = Field(..., max_length=7 * 6)


class ClosureIn(BodyIn):
    start_date: ApiDate
    end_date: ApiDate
    reason: str = Field("", max_length=CLOSURE_REASON_MAX_LENGTH, pattern=LINE_PATTERN, examples=["Fermeture estivale"])


class PhotoOrderIn(BodyIn):
    photo_ids: list[Id] = Field(
        ..., max_length=100, json_schema_extra={"uniqueItems": True}, description="Every photo of the workspace, once"
    )

    @field_validator("photo_ids")
    @classmethod
    def _each_once(cls, photo_ids: list[int]) -> list[int]:
        if len(set(photo_ids)) != len(photo_ids):
            raise ValueError(_("Chaque photo ne peut apparaître qu'une fois."))
        return photo_ids


class AccessIn(BodyIn):
    restricted: StrictBool
    allowed_roles: list[RoleName] = Field(default_factory=list, max_length=len(Role.values))
    allowed_members: list[Id] = Field(default_factory=list, max_length=1000, description="user ids")
    allowed_groups: list[Id] = Field(
        default_factory=list, max_length=1000, description="ids of the organization's groups: their current members"
    )


class EquipmentIn(BodyIn):
    name: str = Field(..., max_length=EQUIPMENT_NAME_MAX_LENGTH, pattern=NAME_PATTERN)
    icon: EquipmentIcon = EquipmentIcon.OTHER


class EquipmentPatch(BodyIn):
    name: str = _absent(max_length=EQUIPMENT_NAME_MAX_LENGTH, pattern=NAME_PATTERN)
    icon: EquipmentIcon = _absent()


class WorkspaceListQuery(Schema):
    date: ApiDate | None = Field(
        None, description="Free seats and `is_open` for that date (YYYY-MM-DD) instead of now."
    )
    q: str = Field("", max_length=200, description="Words of the name")
    city: str = Field("", max_length=100)
    kind: WorkspaceKind | None = None
    equipment: list[QueryId] = Field(default_factory=list, max_length=20, description="Equipment ids, all required")
    open_now: bool = False
    open_on: ApiDate | None = Field(None, description="Open at some point of that date")
    min_free_seats: int | None = Field(None, ge=0, le=CAPACITY_MAX, description="On `date`, else today")
    include_archived: bool = Field(False, description="Admins only; ignored for members")


class ListScopeQuery(Schema):
    org: str | None = Field(None, max_length=50, description="Only this organization (id or slug)")


class ClosureListQuery(Schema):
    upcoming: bool = Field(False, description="Only closures not over yet (in the workspace's time zone)")


class PhotoUploadForm(Schema):
    alt_text: str = Field(
        "", max_length=ALT_TEXT_MAX_LENGTH, pattern=LINE_PATTERN, description="Describes the photos for screen readers"
    )


# --- Out ----------------------------------------------------------------------------------------------------


class EquipmentOut(Schema):
    id: int
    key: str
    name: str
    icon: str


class PhotoOut(Schema):
    id: int
    url: str
    thumbnail_url: str
    position: int
    width: int
    height: int
    alt_text: str


class OpeningHoursOut(Schema):
    weekday: int
    opens: str
    closes: str


class ClosureOut(Schema):
    id: int
    start_date: date
    end_date: date
    reason: str


class ClosureCreatedOut(ClosureOut):
    cancelled_sessions: list[int] = Field(description="Ids of the sessions the closure cancelled")


class CoordinatesOut(Schema):
    latitude: float
    longitude: float


class AddressOut(Schema):
    street: str
    postal_code: str
    city: str
    country: str
    coordinates: CoordinatesOut | None


class IntervalOut(Schema):
    start: datetime
    end: datetime


class TodayOut(Schema):
    date: date
    status: Literal["open", "closed", "closure"]
    closure_reason: str | None
    intervals: list[IntervalOut] = Field(description="In the workspace's time zone, with its offset")


class WorkspaceCardOut(Schema):
    id: int
    organization: int
    name: str
    kind: str
    capacity: int
    free_seats: int
    is_open: bool = Field(description="Open now; with `date`, open at some point of that date")
    timezone: str
    city: str
    country: str
    equipment: list[EquipmentOut]
    cover: PhotoOut | None
    is_favourite: bool
    archived: bool
    restricted: bool


class WorkspaceOut(Schema):
    id: int
    organization: int
    name: str
    description: str = Field(description="Sanitised HTML")
    kind: str
    capacity: int
    free_seats: int = Field(description="Today, in the workspace's time zone")
    is_open: bool = Field(description="Open now")
    timezone: str
    address: AddressOut
    opening_hours: list[OpeningHoursOut]
    closures: list[ClosureOut] = Field(description="Upcoming closures")
    today: TodayOut
    next_change: datetime | None = Field(description="When it next opens or closes")
    equipment: list[EquipmentOut]
    photos: list[PhotoOut]
    is_favourite: bool
    archived: bool
    restricted: bool
    created_at: datetime
    updated_at: datetime


class WorkspacePageOut(Schema):
    items: list[WorkspaceCardOut]
    count: int


class FavouriteOut(Schema):
    workspace: WorkspaceCardOut
    created_at: datetime


class FavouritePageOut(Schema):
    items: list[FavouriteOut]
    count: int


class ViewedOut(Schema):
    workspace: WorkspaceCardOut
    viewed_at: datetime


class ViewedPageOut(Schema):
    items: list[ViewedOut]
    count: int


class FavouriteStateOut(Schema):
    workspace: int
    is_favourite: bool


class OpeningHoursSetOut(Schema):
    opening_hours: list[OpeningHoursOut]
    sessions_outside_hours: list[int] = Field(description="Ids of coming sessions the new hours no longer cover")


class ClosurePageOut(Schema):
    items: list[ClosureOut]
    count: int


class PhotoListOut(Schema):
    items: list[PhotoOut]


class EquipmentPageOut(Schema):
    items: list[EquipmentOut]
    count: int


class MemberRefOut(Schema):
    id: int
    display_name: str


class AccessGroupOut(Schema):
    id: int
    name: str


class AccessOut(Schema):
    restricted: bool
    allowed_roles: list[str]
    allowed_members: list[MemberRefOut]
    allowed_groups: list[AccessGroupOut]


def page(items: list[Any], count: int) -> dict[str, Any]:
    return {"items": items, "count": count}
