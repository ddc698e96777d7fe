"""The shapes of the planning API (API.md conventions): sessions, check-ins, occupancy, who is where, calendars.

Formats are checked here (aware datetimes, ids, lengths); business rules (the
range makes sense, the seats are free, who may do what) are the services'.
Every class name starts with what it is about: ninja keeps one schema per
name for the whole API, so a second `PersonOut` elsewhere would replace this one.
"""

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator, AwareDatetime, BeforeValidator, WithJsonSchema

from coworklib.api.schemas import json_integer
from coworklib.planning.services import DESCRIPTION_MAX_LENGTH, INVITEES_PER_REQUEST_MAX
from coworklib.workspaces.schemas import TEXT_PATTERN, BodyIn, Id

# --- Field types --------------------------------------------------------------------------------------------


# Dates between 2000 and 2100, and only days that exist: the schema then never promises a 2026-02-30 (or a
# year 0 or 9999, which overflow once shifted to UTC) that the server would refuse.
_COMMON_YEAR = r"(20[0-9]{2}|2100)"
_LEAP_YEAR = r"20(0[048]|[2468][048]|[13579][26])"
_DAY = (
    rf"{_COMMON_YEAR}-(0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])"
    rf"|{_COMMON_YEAR}-(0[469]|11)-(0[1-9]|[12][0-9]|30)"
    rf"|{_COMMON_YEAR}-02-(0[1-9]|1[0-9]|2[0-8])"
    rf"|{_LEAP_YEAR}-02-29"
)
PLANNING_DATE_PATTERN = rf"^({_DAY})$"
# RFC 3339 with a mandatory offset (a naive datetime is a 422, API.md).
PLANNING_DATETIME_PATTERN = (
    rf"^({_DAY})T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{{1,6}})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"
)
_PLANNING_DATE = re.compile(PLANNING_DATE_PATTERN)
_PLANNING_DATETIME = re.compile(PLANNING_DATETIME_PATTERN)


def _datetime_text_only(value: Any) -> Any:
    # Pydantic would also take a number (a Unix timestamp) or a naive datetime.
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _PLANNING_DATETIME.fullmatch(value):
        raise ValueError(
            _("Indiquez la date et l'heure en ISO 8601 avec leur décalage, comme 2026-12-07T09:00:00+01:00.")
        )
    return value


def _in_utc(value: datetime) -> datetime:
    # PostgreSQL refuses some offsets Python accepts (-19:23): compare and store in UTC only.
    return value.astimezone(UTC)


def _date_text_only(value: Any) -> Any:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _PLANNING_DATE.fullmatch(value):
        raise ValueError(_("Une date s'écrit AAAA-MM-JJ, entre 2000 et 2100."))
    return value


def _unix_line_breaks(value: str) -> str:
    return value.replace("\r\n", "\n").replace("\r", "\n")


ApiDateTime = Annotated[
    AwareDatetime,
    BeforeValidator(_datetime_text_only),
    AfterValidator(_in_utc),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "pattern": PLANNING_DATETIME_PATTERN,
            "description": "ISO 8601 with an offset, e.g. 2026-12-07T09:00:00+01:00",
        }
    ),
]
PlanningDate = Annotated[
    date,
    BeforeValidator(_date_text_only),
    WithJsonSchema({"type": "string", "format": "date", "pattern": PLANNING_DATE_PATTERN}),
]
Description = Annotated[
    str,
    Field(max_length=DESCRIPTION_MAX_LENGTH, pattern=TEXT_PATTERN),
    AfterValidator(_unix_line_breaks),
]
VisibilityName = Literal["organization", "group", "invited"]
ParticipantStatusName = Literal["invited", "going", "declined"]


# Constraints before the validator, so that the OpenAPI schema shows them as minimum/maximum.
Weekday = Annotated[int, Field(ge=0, le=6), BeforeValidator(json_integer)]


def _drop_default(json_schema: dict[str, Any]) -> None:
    json_schema.pop("default", None)


def _absent(**constraints: Any) -> Any:
    """An optional PATCH field: it may be left out, but not sent as null (the schema says so too)."""
    return Field(None, json_schema_extra=_drop_default, **constraints)


# --- In -----------------------------------------------------------------------------------------------------


class SessionCreateIn(BodyIn):
    workspace: Id
    start: ApiDateTime
    end: ApiDateTime = Field(..., description="After `start`; a session lasts 7 days at most.")
    description: Description = ""
    visibility: VisibilityName = "organization"
    group: Id | None = Field(
        None, description='With visibility "group" (required then): the group whose members see the session'
    )
    invitees: list[Id] = Field(
        default_factory=list, max_length=INVITEES_PER_REQUEST_MAX, description="User ids of colleagues to invite"
    )


class SessionRecurringIn(SessionCreateIn):
    """The same wall-clock hours as `start`–`end` on each of `weekdays`, from `start`'s date until `until`."""

    weekdays: list[Weekday] = Field(..., min_length=1, max_length=7, description="0 = Monday … 6 = Sunday")
    until: PlanningDate = Field(..., description="The last date (YYYY-MM-DD, in the workspace's time zone)")


class SessionPatchIn(BodyIn):
    """Only the fields sent change."""

    workspace: Id = _absent()
    start: ApiDateTime = _absent()
    end: ApiDateTime = _absent()
    description: Description = _absent()
    visibility: VisibilityName = _absent()
    group: Id | None = Field(
        None, description='With visibility "group": the group whose members see it; kept when left out'
    )


class SessionJoinIn(BodyIn):
    """Nothing to say: joining is always oneself."""


class SessionAnswerIn(BodyIn):
    status: Literal["going", "declined"]


class SessionInviteIn(BodyIn):
    invitees: list[Id] = Field(..., min_length=1, max_length=INVITEES_PER_REQUEST_MAX, description="User ids")


class CheckInIn(BodyIn):
    workspace: Id
    code: str | None = Field(
        None, max_length=200, description="The code of the QR code shown on site (today's), when scanned"
    )


class MySessionsQuery(Schema):
    scope: Literal["upcoming", "past", "invitations"] = Field(
        "upcoming",
        description="upcoming: going, not over; past: went, newest first; invitations: still to answer",
    )
    organization: str | None = Field(
        None, max_length=50, description="Only this organization (id or slug); all of the caller's otherwise"
    )


class PlanningDayQuery(Schema):
    date: PlanningDate | None = Field(None, description="YYYY-MM-DD in the workspace's time zone; today by default")


class WhereaboutsQuery(Schema):
    week: PlanningDate | None = Field(
        None,
        description="Any day of the week (YYYY-MM-DD); by default this week, in the time zone of the caller's profile",
    )
    scope: str = Field(
        "organization",
        max_length=40,
        # The only values selectors.whereabouts_scope_user_ids takes; any other is a 422.
        pattern=r"^(organization|me|following|group:[1-9][0-9]{0,18})$",
        description="organization (everyone), me, following (the people I follow, and me), or group:<id>",
    )


# --- Out ----------------------------------------------------------------------------------------------------


class SessionPersonOut(Schema):
    id: int
    display_name: str


class SessionParticipantOut(Schema):
    user: SessionPersonOut
    status: ParticipantStatusName


class SessionGroupOut(Schema):
    id: int
    name: str


class SessionOut(Schema):
    id: int
    workspace: int
    workspace_name: str
    timezone: str = Field(description="The workspace's; `start` and `end` carry its offset")
    start: datetime
    end: datetime
    description: str
    visibility: VisibilityName
    group: SessionGroupOut | None = Field(description='With visibility "group": whose members see it')
    organizer: SessionPersonOut | None = Field(description="null once nobody organises it (a deleted account)")
    participants: list[SessionParticipantOut] = Field(description="The organizer first, then by arrival")
    going: int = Field(description="Seats the session holds")
    my_status: ParticipantStatusName | None = Field(description="The caller's, if they take part")
    cancelled: bool
    series: int | None = Field(description="The recurring series it belongs to")


class SessionPageOut(Schema):
    items: list[SessionOut]
    count: int


class SessionSkippedOut(Schema):
    date: date
    code: str
    reason: str


class SessionSeriesOut(Schema):
    series: int
    sessions: list[SessionOut]
    skipped: list[SessionSkippedOut] = Field(description="Occurrences that could not be booked, and why")


class CheckInOut(Schema):
    id: int
    workspace: int
    checked_in_at: datetime
    checked_out_at: datetime | None
    closes_at: datetime = Field(description="When the check-in ends by itself (closing time)")
    session: int | None = Field(description="The session whose seat it uses")
    method: Literal["app", "qr"]


class TimelineSlotOut(Schema):
    start: datetime
    end: datetime
    peak: int
    free_seats: int
    open: bool


class TimelineOut(Schema):
    workspace: int
    date: date
    timezone: str
    capacity: int
    peak: int = Field(description="The most seats held at once that day")
    free_seats: int
    slots: list[TimelineSlotOut] = Field(description="One per wall-clock hour (23 or 25 on DST days)")


class PresenceOut(Schema):
    present_now: int
    visits_today: int = Field(description="Distinct people who checked in today (local date)")


class WhereaboutsWorkspaceOut(Schema):
    id: int
    name: str


class WhereaboutsPersonOut(Schema):
    user: SessionPersonOut
    checked_in: bool


class WhereaboutsPlaceOut(Schema):
    workspace: WhereaboutsWorkspaceOut
    people: list[WhereaboutsPersonOut]


class WhereaboutsDayOut(Schema):
    date: date
    workspaces: list[WhereaboutsPlaceOut]


class WhereaboutsOut(Schema):
    week_start: date
    days: list[WhereaboutsDayOut]


class CalendarFeedStateOut(Schema):
    active: bool
    created_at: datetime | None


class CalendarFeedUrlOut(Schema):
    url: str = Field(description="The secret address to subscribe to; shown once")
