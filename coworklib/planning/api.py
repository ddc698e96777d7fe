"""Planning endpoints under /api/v1: sessions, check-ins, occupancy, who is where, calendars.

Parse, call one selector or service, shape the answer. Session paths find the
caller's membership through the session, workspace paths through the
workspace: anything outside the caller's organizations, hidden by an access
rule, or an invitation-only session they are not part of, is a 404; a member
who may see a session but not change it gets a 403. Datetimes come back with
the offset of the workspace's time zone.
"""

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja import Body, Path, Query, Router, Status

from coworklib.accounts.models import User
from coworklib.api.schemas import CONFLICT_ERRORS, READ_ERRORS, WRITE_ERRORS
from coworklib.core.errors import Conflict, InvalidInput
from coworklib.organizations.selectors import get_membership_for_user
from coworklib.planning import calendars, selectors, services
from coworklib.planning.checkin_codes import is_valid_checkin_code
from coworklib.planning.models import CheckIn, CheckInMethod, ParticipantStatus, Session
from coworklib.planning.schemas import (
    CalendarFeedStateOut,
    CalendarFeedUrlOut,
    CheckInIn,
    CheckInOut,
    MySessionsQuery,
    PlanningDayQuery,
    PresenceOut,
    SessionAnswerIn,
    SessionCreateIn,
    SessionInviteIn,
    SessionJoinIn,
    SessionOut,
    SessionPageOut,
    SessionPatchIn,
    SessionRecurringIn,
    SessionSeriesOut,
    TimelineOut,
    WhereaboutsOut,
    WhereaboutsQuery,
)
from coworklib.workspaces import selectors as workspace_selectors
from coworklib.workspaces.models import Workspace
from coworklib.workspaces.schemas import MAX_ID, PageIn, page

router = Router(tags=["planning"])


SessionId = Path(..., ge=1, le=MAX_ID, description="Session id")
WorkspaceId = Path(..., ge=1, le=MAX_ID, description="Workspace id")

ICS_RESPONSE = {
    "responses": {
        200: {
            "description": "The session as an iCalendar file",
            "content": {"text/calendar": {"schema": {"type": "string"}}},
        }
    }
}


# --- Shaping answers ----------------------------------------------------------------------------------------


def _caller(request: HttpRequest) -> User:
    # Set by coworklib.api.auth (bearer token or session cookie) before any endpoint runs.
    user: User = request.auth  # type: ignore[attr-defined]
    return user


def _person(user: User) -> dict[str, Any]:
    # display_name is read now, in the request's language ("Deleted user" / "Utilisateur supprimé").
    return {"id": user.pk, "display_name": user.display_name}


def _local(instant: datetime, zone: ZoneInfo) -> datetime:
    # API.md: datetimes carry an offset; the workspace's own is the useful one.
    return instant.astimezone(zone)


def _session_out(session: Session, caller: User) -> dict[str, Any]:
    """A session fetched with its people (selectors), as API.md shapes it."""
    workspace = session.workspace
    zone = ZoneInfo(workspace.timezone)
    # The prefetch is in order of arrival; the organizer goes first (a stable sort keeps the rest in order).
    participants = sorted(session.participants.all(), key=lambda p: p.user_id != session.organizer_id)
    mine = next((p for p in participants if p.user_id == caller.pk), None)
    return {
        "id": session.pk,
        "workspace": workspace.pk,
        "workspace_name": workspace.name,
        "timezone": workspace.timezone,
        "start": _local(session.start, zone),
        "end": _local(session.end, zone),
        "description": session.description,
        "visibility": session.visibility,
        # Fetched with the session (selectors._with_people); a deleted group leaves the session group-less.
        "group": {"id": session.group.pk, "name": session.group.name} if session.group is not None else None,
        "organizer": _person(session.organizer) if session.organizer is not None else None,
        "participants": [{"user": _person(p.user), "status": p.status} for p in participants],
        "going": sum(1 for p in participants if p.status == ParticipantStatus.GOING),
        "my_status": mine.status if mine is not None else None,
        "cancelled": session.is_cancelled,
        "series": session.series_id,
    }


def _check_in_out(record: CheckIn, workspace: Workspace) -> dict[str, Any]:
    zone = ZoneInfo(workspace.timezone)
    return {
        "id": record.pk,
        "workspace": workspace.pk,
        "checked_in_at": _local(record.checked_in_at, zone),
        "checked_out_at": _local(record.checked_out_at, zone) if record.checked_out_at is not None else None,
        "closes_at": _local(record.closes_at, zone),
        "session": record.session_id,
        "method": record.method,
    }


def _fresh(request: HttpRequest, session_id: int) -> Any:
    """The session as it is after a change, with its people, as the caller sees it."""
    membership, session = selectors.get_membership_and_session(_caller(request), session_id)
    return _session_out(session, membership.user)


def _caller_today(user: User) -> date:
    # The API has no active time zone (bearer calls skip the web middleware): the profile's says what "today" is.
    try:
        zone = ZoneInfo(user.timezone)
    except (KeyError, ValueError):
        zone = ZoneInfo(settings.TIME_ZONE)
    return timezone.now().astimezone(zone).date()


# --- Sessions -----------------------------------------------------------------------------------------------


@router.post("/sessions", response={201: SessionOut, **CONFLICT_ERRORS})
def create_session(request: HttpRequest, data: SessionCreateIn) -> Any:
    """Book a session; the caller organises it and is its first going participant.

    409 `capacity_exceeded` (with `free_seats` and `capacity`), `workspace_closed`,
    `overlapping_session` (the caller is going elsewhere then), `busy`; 422 when
    `end` ≤ `start`, for a naive datetime, a slot already over or more than a year ahead;
    404 for a workspace or invitee the caller may not see. `invitees` get an invitation (no seat until they accept).
    """
    membership, workspace = workspace_selectors.get_membership_and_workspace(_caller(request), data.workspace)
    session = services.create_session(
        by=membership,
        workspace=workspace,
        start=data.start,
        end=data.end,
        description=data.description,
        visibility=data.visibility,
        group=data.group,
        invitee_ids=data.invitees,
    )
    return Status(201, _fresh(request, session.pk))


@router.post("/sessions/recurring", response={201: SessionSeriesOut, **CONFLICT_ERRORS})
def create_recurring_sessions(request: HttpRequest, data: SessionRecurringIn) -> Any:
    """Book `start`–`end` (wall-clock hours) on each of `weekdays` from `start`'s date until `until`.

    Occurrences that cannot be booked (closed, full, the caller elsewhere) are
    listed in `skipped` with their reason; when none can be, the answer is 409
    `no_occurrence_available` with `skipped`, and nothing is written.
    """
    membership, workspace = workspace_selectors.get_membership_and_workspace(_caller(request), data.workspace)
    result = services.create_recurring_sessions(
        by=membership,
        workspace=workspace,
        start=data.start,
        end=data.end,
        weekdays=data.weekdays,
        until=data.until,
        description=data.description,
        visibility=data.visibility,
        group=data.group,
        invitee_ids=data.invitees,
    )
    sessions = selectors.sessions_of_series(membership, result.series.pk)
    return Status(
        201,
        {
            "series": result.series.pk,
            "sessions": [_session_out(session, membership.user) for session in sessions],
            "skipped": [{"date": s.day, "code": s.code, "reason": s.reason} for s in result.skipped],
        },
    )


@router.get("/sessions/{id}", response={200: SessionOut, **READ_ERRORS})
def get_session(request: HttpRequest, id: int = SessionId) -> Any:
    membership, session = selectors.get_membership_and_session(_caller(request), id)
    return _session_out(session, membership.user)


@router.patch("/sessions/{id}", response={200: SessionOut, **CONFLICT_ERRORS})
def update_session(request: HttpRequest, data: SessionPatchIn, id: int = SessionId) -> Any:
    """Move, extend, shorten or describe a session (its organizer only; 403 for other members).

    A new range or workspace goes through the same checks as a booking, for all
    its going participants; one who is elsewhere at the new time goes back to "invited".
    """
    membership, session = selectors.get_membership_and_session(_caller(request), id)
    sent = data.model_fields_set
    session = services.update_session(
        by=membership,
        session=session,
        start=data.start if "start" in sent else services.UNSET,
        end=data.end if "end" in sent else services.UNSET,
        workspace=(
            workspace_selectors.get_workspace_for_member(membership, data.workspace)
            if "workspace" in sent
            else services.UNSET
        ),
        description=data.description if "description" in sent else services.UNSET,
        visibility=data.visibility if "visibility" in sent else services.UNSET,
        group=data.group if "group" in sent else services.UNSET,
    )
    return _fresh(request, session.pk)


@router.delete("/sessions/{id}", response={204: None, **WRITE_ERRORS})
def cancel_session(request: HttpRequest, id: int = SessionId) -> Any:
    """Cancel (its organizer, or an admin of the organization): the seats are freed. Idempotent."""
    membership, session = selectors.get_membership_and_session(_caller(request), id)
    services.cancel_session(by=membership, session=session)
    return Status(204, None)


@router.get("/sessions/{id}/ics", response=READ_ERRORS, openapi_extra=ICS_RESPONSE)
def session_ics(request: HttpRequest, id: int = SessionId) -> Any:
    """The session as an `.ics` file (text/calendar), in the request's language."""
    _membership, session = selectors.get_membership_and_session(_caller(request), id)
    response = HttpResponse(
        calendars.session_ics(session, language=translation.get_language()),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="session-{session.pk}.ics"'
    return response


# --- Participants -------------------------------------------------------------------------------------------


@router.post("/sessions/{id}/participants", response={201: SessionOut, **CONFLICT_ERRORS})
def join_session(request: HttpRequest, id: int = SessionId, data: SessionJoinIn | None = Body(None)) -> Any:  # noqa: B008
    """Join the session yourself (body `{}`), or accept an invitation to it.

    409 `capacity_exceeded`, `already_participant`, `overlapping_session`, `session_cancelled`, `session_over`.
    """
    membership, session = selectors.get_membership_and_session(_caller(request), id)
    services.join_session(by=membership, session=session)
    return Status(201, _fresh(request, session.pk))


@router.delete("/sessions/{id}/participants/me", response={204: None, **WRITE_ERRORS})
def leave_session(request: HttpRequest, id: int = SessionId) -> Any:
    """Give your seat back (idempotent). An organizer who leaves hands the session over, or cancels it if alone."""
    membership, session = selectors.get_membership_and_session(_caller(request), id)
    services.leave_session(by=membership, session=session)
    return Status(204, None)


@router.patch("/sessions/{id}/participants/me", response={200: SessionOut, **CONFLICT_ERRORS})
def answer_session(request: HttpRequest, data: SessionAnswerIn, id: int = SessionId) -> Any:
    """Answer an invitation: `going` takes a seat (the same 409s as joining), `declined` gives it back.

    409 `not_participant` when declining a session one was never part of.
    """
    membership, session = selectors.get_membership_and_session(_caller(request), id)
    if data.status == ParticipantStatus.GOING:
        services.join_session(by=membership, session=session)
    else:
        services.decline_session(by=membership, session=session)
    return _fresh(request, session.pk)


@router.post("/sessions/{id}/invitations", response={201: SessionOut, **CONFLICT_ERRORS})
def invite_to_session(request: HttpRequest, data: SessionInviteIn, id: int = SessionId) -> Any:
    """Invite colleagues (the organizer, or anyone going): they are "invited" until they answer.

    404 for an id outside the organization, 403 when the caller is neither organizer
    nor going, 409 `already_participant` when everyone named already is.
    """
    membership, session = selectors.get_membership_and_session(_caller(request), id)
    services.invite_to_session(by=membership, session=session, user_ids=data.invitees)
    return Status(201, _fresh(request, session.pk))


@router.get("/me/sessions", response={200: SessionPageOut, **READ_ERRORS})
def my_sessions(request: HttpRequest, filters: Query[MySessionsQuery], pagination: Query[PageIn]) -> Any:
    """The caller's agenda across their organizations (or one, with `organization`).

    `upcoming` and `invitations` come soonest first, `past` newest first. Cancelled sessions are left out.
    """
    user = _caller(request)
    organization_id = (
        get_membership_for_user(user, filters.organization).organization_id if filters.organization else None
    )
    sessions = selectors.agenda_sessions(user, filters.scope, organization_id=organization_id)
    items = list(sessions[pagination.offset : pagination.offset + pagination.limit])
    return page([_session_out(session, user) for session in items], sessions.count())


# --- A workspace's day --------------------------------------------------------------------------------------


def _day(workspace: Workspace, query: PlanningDayQuery) -> date:
    return query.date or workspace_selectors.local_today(workspace)


@router.get("/workspaces/{id}/sessions", response={200: SessionPageOut, **READ_ERRORS})
def workspace_sessions(
    request: HttpRequest, query: Query[PlanningDayQuery], pagination: Query[PageIn], id: int = WorkspaceId
) -> Any:
    """The sessions the caller may see at the workspace on `date` (its local date), by start."""
    membership, workspace = workspace_selectors.get_membership_and_workspace(_caller(request), id)
    sessions = selectors.sessions_at(membership, workspace, _day(workspace, query))
    items = sessions[pagination.offset : pagination.offset + pagination.limit]
    return page([_session_out(session, membership.user) for session in items], len(sessions))


@router.get("/workspaces/{id}/timeline", response={200: TimelineOut, **READ_ERRORS})
def workspace_timeline(request: HttpRequest, query: Query[PlanningDayQuery], id: int = WorkspaceId) -> Any:
    """Seats held hour by hour on `date` against capacity; no names (every session counts, visible or not)."""
    _membership, workspace = workspace_selectors.get_membership_and_workspace(_caller(request), id)
    timeline = selectors.day_timeline(workspace, _day(workspace, query))
    zone = ZoneInfo(workspace.timezone)
    return {
        "workspace": workspace.pk,
        "date": timeline.day,
        "timezone": workspace.timezone,
        "capacity": workspace.capacity,
        "peak": timeline.peak,
        "free_seats": timeline.free_seats,
        "slots": [
            {
                "start": _local(slot.start, zone),
                "end": _local(slot.end, zone),
                "peak": slot.peak,
                "free_seats": slot.free,
                "open": slot.open,
            }
            for slot in timeline.slots
        ],
    }


@router.get("/workspaces/{id}/presence", response={200: PresenceOut, **READ_ERRORS})
def workspace_presence(request: HttpRequest, id: int = WorkspaceId) -> Any:
    """ "N présents maintenant", "N passages aujourd'hui": counts only."""
    _membership, workspace = workspace_selectors.get_membership_and_workspace(_caller(request), id)
    presence = selectors.presence_at(workspace)
    return {"present_now": presence.present_now, "visits_today": presence.visits_today}


@router.get("/organizations/{org}/whereabouts", response={200: WhereaboutsOut, **READ_ERRORS})
def whereabouts(request: HttpRequest, org: str, query: Query[WhereaboutsQuery]) -> Any:
    """Who is where, Monday to Sunday of the week holding `week`: the going people of the sessions the caller
    may see, by day and workspace, and whether they checked in there that day.

    `scope` narrows it: `me`, `following` (the people the caller follows, and the caller), `group:<id>`
    (its members; 404 for a group outside the organization); 422 for any other value.
    """
    user = _caller(request)
    membership = get_membership_for_user(user, org)
    week_start = selectors.week_of(query.week or _caller_today(user))[0]
    user_ids = selectors.whereabouts_scope_user_ids(membership, query.scope)
    days = selectors.whereabouts(membership, week_start, user_ids=user_ids)
    return {
        "week_start": week_start,
        "days": [
            {
                "date": day.day,
                "workspaces": [
                    {
                        "workspace": {"id": workspace.pk, "name": workspace.name},
                        "people": [{"user": _person(entry.user), "checked_in": entry.checked_in} for entry in people],
                    }
                    for workspace, people in day.by_workspace
                ],
            }
            for day in days
        ],
    }


# --- Check-ins ----------------------------------------------------------------------------------------------


@router.post("/checkins", response={200: CheckInOut, 201: CheckInOut, **CONFLICT_ERRORS})
def check_in(request: HttpRequest, data: CheckInIn) -> Any:
    """Check in at a workspace: 201, or 200 when already checked in there (nothing changes).

    With `code` (scanned from the QR code on site) it must be today's code, else
    422 `invalid_checkin_code`. Only while it is open (409 `workspace_closed`);
    without a session there, a walk-in seat is taken (409 `capacity_exceeded` when full).
    """
    membership, workspace = workspace_selectors.get_membership_and_workspace(_caller(request), data.workspace)
    method = CheckInMethod.APP
    if data.code is not None:
        if not is_valid_checkin_code(workspace, data.code):
            message = _("Ce code n'est pas celui du jour : scannez le QR code affiché sur place.")
            raise InvalidInput(
                message,
                code="invalid_checkin_code",
                extra={"errors": [{"loc": ["code"], "msg": message, "type": "invalid_checkin_code"}]},
            )
        method = CheckInMethod.QR_CODE
    record, created = services.check_in(by=membership, workspace=workspace, method=method)
    return Status(201 if created else 200, _check_in_out(record, workspace))


@router.post("/checkins/checkout", response={200: CheckInOut, **CONFLICT_ERRORS})
def check_out(request: HttpRequest) -> Any:
    """End the caller's running check-in, wherever it is; 409 `not_checked_in` when there is none."""
    record = services.check_out(user=_caller(request))
    if record is None:
        raise Conflict(_("Vous n'êtes enregistré dans aucun espace en ce moment."), code="not_checked_in")
    return _check_in_out(record, record.workspace)


# --- Calendar feed ------------------------------------------------------------------------------------------


@router.get("/me/calendar-feed", response={200: CalendarFeedStateOut, **READ_ERRORS})
def calendar_feed_state(request: HttpRequest) -> Any:
    """Whether the caller has a secret calendar feed address (the address itself is only shown when created)."""
    feed = selectors.calendar_feed_of(_caller(request))
    return {"active": feed is not None, "created_at": feed.created_at if feed is not None else None}


@router.post("/me/calendar-feed", response={201: CalendarFeedUrlOut, **WRITE_ERRORS})
def reset_calendar_feed(request: HttpRequest) -> Any:
    """A new secret iCal address of the caller's sessions; the previous one stops working."""
    token = services.reset_calendar_feed(user=_caller(request))
    return Status(201, {"url": settings.SITE_URL + reverse("planning:feed", args=[token])})


@router.delete("/me/calendar-feed", response={204: None, **WRITE_ERRORS})
def revoke_calendar_feed(request: HttpRequest) -> Any:
    """Turn the feed off: its address stops working. Idempotent."""
    services.revoke_calendar_feed(user=_caller(request))
    return Status(204, None)
