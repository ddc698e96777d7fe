"""Writes: sessions, participants, recurring series and check-ins.

Every change that can consume a seat goes through `_book` under
`capacity.planning_lock` (see that module for the locking): the check of the
hours, of the member's other sessions and of the seats, and the write, happen
while nobody else can book at that workspace. Inputs are checked before the
lock is taken (422), so that bad requests never queue behind good ones.

Callers pass the caller's `Membership` (`by`) and objects they fetched
through the selectors, which already answered 404 for what the caller may not
see; the services check again what the lock makes true (the workspace is
still visible, still open, still has seats).
"""

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import Enum
from hashlib import sha256
from typing import Any, Final
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from coworklib.accounts.models import User
from coworklib.community.models import Group, GroupMembership
from coworklib.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from coworklib.organizations.models import Membership
from coworklib.planning import events
from coworklib.planning.capacity import ensure_seats, planning_lock, sessions_over_capacity
from coworklib.planning.models import (
    SESSION_MAX_DURATION,
    CalendarFeed,
    CheckIn,
    CheckInMethod,
    Participant,
    ParticipantStatus,
    Session,
    SessionSeries,
    Visibility,
)
from coworklib.planning.selectors import EARLY_CHECK_IN
from coworklib.workspaces.models import Closure, Workspace
from coworklib.workspaces.opening_hours import is_open_throughout, open_periods, wall_instant
from coworklib.workspaces.selectors import as_id, schedule_for, visible_workspaces

DESCRIPTION_MAX_LENGTH = 2000
BOOKING_HORIZON = timedelta(days=366)
INVITEES_PER_REQUEST_MAX = 50
RECURRENCE_MAX_OCCURRENCES = 120


class _Unset(Enum):
    UNSET = "unset"


UNSET: Final = _Unset.UNSET


# --- Input ----------------------------------------------------------------------------------------------------


def _field_error(field: str, message: str, kind: str = "invalid") -> InvalidInput:
    return InvalidInput(message, code="invalid", extra={"errors": [{"loc": [field], "msg": message, "type": kind}]})


def _clean_range(start: datetime, end: datetime, now: datetime) -> tuple[datetime, datetime]:
    for name, value in (("start", start), ("end", end)):
        if value.tzinfo is None or value.utcoffset() is None:
            raise _field_error(name, _("Indiquez la date et l'heure avec leur fuseau horaire."), "naive_datetime")
    start, end = (
        start.astimezone(ZoneInfo("UTC")).replace(microsecond=0),
        end.astimezone(ZoneInfo("UTC")).replace(microsecond=0),
    )
    if end <= start:
        raise _field_error("end", _("La fin doit être après le début."), "end_before_start")
    if end - start > SESSION_MAX_DURATION:
        raise _field_error("end", _("Une session dure au plus 7 jours."), "too_long")
    if end <= now:
        raise _field_error("end", _("Ce créneau est déjà passé."), "in_the_past")
    if start > now + BOOKING_HORIZON:
        raise _field_error("start", _("On ne peut pas planifier plus d'un an à l'avance."), "too_far")
    return start, end


def _clean_description(description: str) -> str:
    cleaned = description.strip()
    if len(cleaned) > DESCRIPTION_MAX_LENGTH:
        raise _field_error(
            "description",
            _("La description fait au plus %(max)d caractères.") % {"max": DESCRIPTION_MAX_LENGTH},
            "too_long",
        )
    if any(ord(char) < 32 and char not in "\n\t" for char in cleaned):
        raise _field_error("description", _("La description contient des caractères invalides."))
    return cleaned


def _clean_visibility(visibility: str) -> str:
    if visibility not in Visibility.values:
        raise _field_error("visibility", _("Visibilité inconnue."))
    return visibility


def _clean_group(by: Membership, visibility: str, group: Any, *, check_member: bool = True) -> Group | None:
    """The group a "group" session is shown to; None for any other visibility (a stale group is dropped).

    422 on `group` when it is missing, 404 for a group outside the organization, 422 `not_in_group` when the
    organizer is not one of its members (admins may pick any group of the organization).
    """
    if visibility != Visibility.GROUP:
        return None
    if group is None:
        raise _field_error("group", _("Choisissez le groupe qui verra cette session."), "missing")
    pk = group.pk if isinstance(group, Group) else as_id(group)
    found = Group.objects.filter(pk=pk, organization_id=by.organization_id).first() if pk is not None else None
    if found is None:
        raise NotFound
    in_group = GroupMembership.objects.filter(group=found, user_id=by.user_id)
    if check_member and not by.is_admin and not in_group.exists():
        message = _("Vous ne faites pas partie du groupe %(group)s.") % {"group": found.name}
        raise InvalidInput(
            message,
            code="not_in_group",
            extra={"errors": [{"loc": ["group"], "msg": message, "type": "not_in_group"}]},
        )
    return found


def _invitees(by: Membership, workspace: Workspace, user_ids: Iterable[Any]) -> list[User]:
    """The members to invite: 404 for anyone outside the organization, 422 for those the workspace excludes."""
    wanted = []
    for value in user_ids:
        pk = as_id(value)
        if pk is None:
            raise NotFound
        if pk != by.user_id and pk not in wanted:
            wanted.append(pk)
    if len(wanted) > INVITEES_PER_REQUEST_MAX:
        raise _field_error(
            "invitees",
            _("Invitez au plus %(max)d personnes à la fois.") % {"max": INVITEES_PER_REQUEST_MAX},
            "too_many",
        )
    memberships = {
        membership.user_id: membership
        for membership in Membership.objects.filter(
            organization_id=by.organization_id, user_id__in=wanted, user__deleted_at__isnull=True
        ).select_related("user", "organization")
    }
    if len(memberships) != len(wanted) or (wanted and workspace.organization_id != by.organization_id):
        raise NotFound
    # Only an access rule can hide a workspace from a member of its organization (an archived one is refused
    # under the lock): one query per invitee only then. Read afresh: the caller's copy may predate the rule.
    restricted = bool(memberships) and Workspace.objects.filter(pk=workspace.pk, restricted=True).exists()
    for membership in memberships.values() if restricted else ():
        if not visible_workspaces(membership).filter(pk=workspace.pk).exists():
            raise _field_error(
                "invitees",
                _("%(name)s n'a pas accès à cet espace de travail.") % {"name": membership.user.display_name},
                "no_access",
            )
    return [memberships[pk].user for pk in wanted]


# --- Checks under the lock ------------------------------------------------------------------------------------


def _still_visible(by: Membership, workspace_id: int, locked: dict[int, Workspace]) -> Workspace:
    workspace = locked.get(workspace_id)
    if (
        workspace is None
        or workspace.organization_id != by.organization_id
        or workspace.is_archived
        or not visible_workspaces(by).filter(pk=workspace_id).exists()
    ):
        raise NotFound
    return workspace


def _closed(workspace: Workspace) -> Conflict:
    return Conflict(
        _("%(workspace)s est fermé sur tout ou partie de ce créneau.") % {"workspace": workspace.name},
        code="workspace_closed",
    )


def _ensure_open(workspace: Workspace, start: datetime, end: datetime) -> None:
    if not is_open_throughout(schedule_for(workspace), start, end):
        raise _closed(workspace)


def _local_range(session_or_workspace: Workspace, start: datetime, end: datetime) -> str:
    zone = ZoneInfo(session_or_workspace.timezone)
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    day = date_format(local_start, "l j F")
    return f"{day}, {local_start:%H:%M}–{local_end:%H:%M}"


def _ensure_not_elsewhere(user: User, start: datetime, end: datetime, *, exclude_session_id: int | None = None) -> None:
    """409 `overlapping_session` when the user is already going to a session overlapping [start, end)."""
    other = (
        Participant.objects.filter(
            user=user,
            status=ParticipantStatus.GOING,
            session__cancelled_at__isnull=True,
            session__start__lt=end,
            session__end__gt=start,
        )
        .exclude(session_id=exclude_session_id or 0)
        .select_related("session__workspace")
        .first()
    )
    if other is not None:
        session = other.session
        raise Conflict(
            _("%(name)s participe déjà à une session à ce moment-là (%(workspace)s, %(when)s).")
            % {
                "name": user.display_name,
                "workspace": session.workspace.name,
                "when": _local_range(session.workspace, session.start, session.end),
            },
            code="overlapping_session",
            extra={"session": session.pk},
        )


def _schedule_no_show_check(session: Session) -> None:
    from coworklib.planning.tasks import schedule_no_show_release

    schedule_no_show_release(session)


# --- Sessions -------------------------------------------------------------------------------------------------


def create_session(
    *,
    by: Membership,
    workspace: Workspace,
    start: datetime,
    end: datetime,
    description: str = "",
    visibility: str = Visibility.ORGANIZATION,
    group: Group | int | None = None,
    invitee_ids: Sequence[Any] = (),
    now: datetime | None = None,
) -> Session:
    """Book a session; the organizer (`by`) is its first going participant and takes one seat.

    409 `workspace_closed`, `overlapping_session`, `capacity_exceeded`, `busy`; 422 for bad input; 404 for a
    workspace or invitee the organizer may not see. Holds `planning_lock` (durable: call it outside any transaction).
    With visibility "group", `group` (a Group or its id) says whose members see it (see `_clean_group`).
    """
    now = now or timezone.now()
    start, end = _clean_range(start, end, now)
    description = _clean_description(description)
    visibility = _clean_visibility(visibility)
    chosen_group = _clean_group(by, visibility, group)
    invitees = _invitees(by, workspace, invitee_ids)
    with planning_lock(workspace_ids=[workspace.pk], user_ids=[by.user_id]) as locked:
        place = _still_visible(by, workspace.pk, locked)
        _ensure_open(place, start, end)
        _ensure_not_elsewhere(by.user, start, end)
        ensure_seats(place, start, end, seats=1)
        session = _create(by, place, start, end, description, visibility, invitees, group=chosen_group)
    return session


def _create(
    by: Membership,
    workspace: Workspace,
    start: datetime,
    end: datetime,
    description: str,
    visibility: str,
    invitees: Sequence[User],
    *,
    series: SessionSeries | None = None,
    is_walk_in: bool = False,
    group: Group | None = None,
) -> Session:
    session = Session.objects.create(
        organization_id=by.organization_id,
        workspace=workspace,
        organizer=by.user,
        series=series,
        start=start,
        end=end,
        description=description,
        visibility=visibility,
        group=group,
        is_walk_in=is_walk_in,
    )
    Participant.objects.create(session=session, user=by.user, status=ParticipantStatus.GOING)
    Participant.objects.bulk_create(
        [
            Participant(session=session, user=user, status=ParticipantStatus.INVITED, invited_by=by.user)
            for user in invitees
        ]
    )
    if not is_walk_in:
        events.announce(events.session_created, session_id=session.pk, by_user_id=by.user_id)
        if invitees:
            events.announce(
                events.participants_invited,
                session_id=session.pk,
                by_user_id=by.user_id,
                user_ids=[user.pk for user in invitees],
            )
        _schedule_no_show_check(session)
    return session


@dataclass
class SkippedOccurrence:
    day: date
    code: str
    reason: str


@dataclass
class SeriesResult:
    series: SessionSeries
    sessions: list[Session]
    skipped: list[SkippedOccurrence]


def _occurrence_days(first_day: date, weekdays: Sequence[int], until: date) -> list[date]:
    days = []
    day = first_day
    while day <= until:
        if day.weekday() in weekdays:
            days.append(day)
        day += timedelta(days=1)
    return days


def create_recurring_sessions(
    *,
    by: Membership,
    workspace: Workspace,
    start: datetime,
    end: datetime,
    weekdays: Sequence[int],
    until: date,
    description: str = "",
    visibility: str = Visibility.ORGANIZATION,
    group: Group | int | None = None,
    invitee_ids: Sequence[Any] = (),
    now: datetime | None = None,
) -> SeriesResult:
    """Book the same wall-clock hours as [start, end) on each chosen weekday from start's date until `until`.

    Each occurrence goes through the same checks as `create_session`; one that
    cannot be booked (closed, full, the organizer elsewhere) is skipped and
    reported, never silently dropped. When none can be booked nothing is
    written and the answer is 409 `no_occurrence_available` listing them.
    Holds `planning_lock` once for the whole series.
    """
    now = now or timezone.now()
    start, end = _clean_range(start, end, now)
    description = _clean_description(description)
    visibility = _clean_visibility(visibility)
    chosen_group = _clean_group(by, visibility, group)
    given = list(weekdays) if isinstance(weekdays, list | tuple | set | frozenset) else []
    valid = [day for day in given if isinstance(day, int) and not isinstance(day, bool) and 0 <= day <= 6]
    days_set = sorted(set(valid))
    if not days_set or len(valid) != len(given):
        raise _field_error("weekdays", _("Choisissez au moins un jour de la semaine (0 = lundi … 6 = dimanche)."))
    zone = ZoneInfo(workspace.timezone)
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    if local_end.date() != local_start.date() and not (
        local_end.time() == time(0) and local_end.date() == local_start.date() + timedelta(days=1)
    ):
        raise _field_error("end", _("Une session répétée commence et finit le même jour."), "multi_day")
    if until < local_start.date():
        raise _field_error("until", _("La date de fin de la répétition doit suivre la première session."))
    if until > (now + BOOKING_HORIZON).date():
        raise _field_error("until", _("On ne peut pas planifier plus d'un an à l'avance."), "too_far")
    days = _occurrence_days(local_start.date(), days_set, until)
    if len(days) > RECURRENCE_MAX_OCCURRENCES:
        raise _field_error(
            "until",
            _("Une répétition compte au plus %(max)d sessions.") % {"max": RECURRENCE_MAX_OCCURRENCES},
            "too_many",
        )
    if not days:
        raise _field_error("weekdays", _("Aucun des jours choisis ne tombe dans cette période."))
    invitees = _invitees(by, workspace, invitee_ids)
    # Wall-clock minutes of both ends, not start + duration: a first day with a DST change lasts an hour more
    # or less than the others, and every occurrence must show the hours that were asked for.
    start_minute = local_start.hour * 60 + local_start.minute
    end_minute = (local_end.date() - local_start.date()).days * 24 * 60 + local_end.hour * 60 + local_end.minute
    with planning_lock(workspace_ids=[workspace.pk], user_ids=[by.user_id]) as locked:
        place = _still_visible(by, workspace.pk, locked)
        series = SessionSeries.objects.create(
            organization_id=by.organization_id, workspace=place, organizer=by.user, weekdays=days_set, until=until
        )
        sessions: list[Session] = []
        skipped: list[SkippedOccurrence] = []
        for day in days:
            occurrence_start = wall_instant(zone, day, start_minute)
            occurrence_end = wall_instant(zone, day, end_minute)
            try:
                if occurrence_end <= now:
                    raise Conflict(_("Ce créneau est déjà passé."), code="in_the_past")
                _ensure_open(place, occurrence_start, occurrence_end)
                _ensure_not_elsewhere(by.user, occurrence_start, occurrence_end)
                ensure_seats(place, occurrence_start, occurrence_end, seats=1)
            except Conflict as refusal:
                skipped.append(SkippedOccurrence(day=day, code=refusal.code, reason=refusal.detail))
                continue
            sessions.append(
                _create(
                    by,
                    place,
                    occurrence_start,
                    occurrence_end,
                    description,
                    visibility,
                    invitees,
                    series=series,
                    group=chosen_group,
                )
            )
        if not sessions:
            raise Conflict(
                _("Aucune de ces sessions ne peut être réservée."),
                code="no_occurrence_available",
                extra={"skipped": [{"date": s.day.isoformat(), "code": s.code, "reason": s.reason} for s in skipped]},
            )
    return SeriesResult(series=series, sessions=sessions, skipped=skipped)


def _ensure_organizer(by: Membership, session: Session) -> None:
    if session.organizer_id != by.user_id:
        raise Forbidden(_("Seul l'organisateur peut modifier cette session."))


def _ensure_not_over(session: Session, now: datetime) -> None:
    if session.is_cancelled:
        raise Conflict(_("Cette session a été annulée."), code="session_cancelled")
    if session.end <= now:
        raise Conflict(_("Cette session est terminée."), code="session_over")


def _reload_locked(session: Session) -> Session:
    """The session as it is now that the lock is held (another request may have changed it meanwhile)."""
    return Session.objects.select_related("workspace", "organizer").get(pk=session.pk)


def _ensure_participants_may_see(by: Membership, workspace: Workspace, session: Session) -> None:
    """422 when a participant (going or invited) may not see `workspace`: a move there would leave them a seat or
    an invitation they cannot see (DESIGN invariant 3), as inviting them there would."""
    if not Workspace.objects.filter(pk=workspace.pk, restricted=True).exists():
        return
    involved = Participant.objects.filter(session=session).exclude(status=ParticipantStatus.DECLINED).values("user_id")
    for membership in (
        Membership.objects.filter(organization_id=by.organization_id, user_id__in=involved)
        .exclude(user_id=by.user_id)
        .select_related("user", "organization")
    ):
        if not visible_workspaces(membership).filter(pk=workspace.pk).exists():
            raise _field_error(
                "workspace",
                _("%(name)s n'a pas accès à cet espace de travail.") % {"name": membership.user.display_name},
                "no_access",
            )


def update_session(
    *,
    by: Membership,
    session: Session,
    start: datetime | _Unset = UNSET,
    end: datetime | _Unset = UNSET,
    workspace: Workspace | _Unset = UNSET,
    description: str | _Unset = UNSET,
    visibility: str | _Unset = UNSET,
    group: Group | int | _Unset | None = UNSET,
    now: datetime | None = None,
) -> Session:
    """Move, extend, shorten or describe a session, or change who sees it (organizer only).

    The new range and workspace go through the same checks as a new booking,
    for all its going participants at once. A going participant who is
    elsewhere at the new time is put back to "invited" (they confirm again);
    the organizer being elsewhere refuses the move. Visibility "group" needs a
    `group` (kept from the session when not sent); any other visibility clears it. Holds `planning_lock`.
    """
    now = now or timezone.now()
    if session.is_walk_in:
        # A walk-in is the seat a check-in took: it ends with the check-out, it is not planned.
        raise NotFound
    _ensure_organizer(by, session)
    _ensure_not_over(session, now)
    new_start = session.start if start is UNSET else start
    new_end = session.end if end is UNSET else end
    timing_changed = start is not UNSET or end is not UNSET or workspace is not UNSET
    if timing_changed:
        new_start, new_end = _clean_range(new_start, new_end, now)
    new_description = None if description is UNSET else _clean_description(description)
    new_visibility = None if visibility is UNSET else _clean_visibility(visibility)
    audience_changed = visibility is not UNSET or group is not UNSET
    new_group: Group | None = None
    if audience_changed:
        effective = new_visibility or session.visibility
        if group is UNSET:
            # Keeping the session's own group: the organizer may since have left it, which does not stop a move.
            new_group = _clean_group(by, effective, session.group_id, check_member=False)
        else:
            new_group = _clean_group(by, effective, group)
    target_id = session.workspace_id if workspace is UNSET else workspace.pk
    if workspace is not UNSET and target_id != session.workspace_id:
        _ensure_participants_may_see(by, workspace, session)
    going_ids = list(
        Participant.objects.filter(session=session, status=ParticipantStatus.GOING).values_list("user_id", flat=True)
    )
    with planning_lock(workspace_ids={session.workspace_id, target_id}, user_ids=going_ids) as locked:
        current = _reload_locked(session)
        _ensure_not_over(current, now)
        changes: list[str] = []
        reconfirm: list[int] = []
        if timing_changed and (new_start, new_end, target_id) != (current.start, current.end, current.workspace_id):
            place = _still_visible(by, target_id, locked)
            _ensure_open(place, new_start, new_end)
            going = list(
                Participant.objects.filter(session=current, status=ParticipantStatus.GOING).select_related("user")
            )
            joined_meanwhile = sorted({participant.user_id for participant in going} - set(going_ids))
            if joined_meanwhile:
                # They joined between the read of `going_ids` and the lock: unlocked, they could join another
                # session at the new time elsewhere, unseen by the check below (test_concurrency). Locked after
                # the workspaces, against the usual order: a rare deadlock ends as a 409 `busy`, never a 500.
                list(
                    User.objects.select_for_update(no_key=True)
                    .filter(pk__in=joined_meanwhile)
                    .values_list("pk", flat=True)
                )
            for participant in going:
                try:
                    _ensure_not_elsewhere(participant.user, new_start, new_end, exclude_session_id=current.pk)
                except Conflict:
                    if participant.user_id == by.user_id:
                        raise
                    reconfirm.append(participant.user_id)
            seats = len(going) - len(reconfirm)
            # Growing or moving: the seats must fit beside everyone else's (this session's own are excluded).
            ensure_seats(place, new_start, new_end, seats=seats, exclude_session_id=current.pk)
            if reconfirm:
                Participant.objects.filter(session=current, user_id__in=reconfirm).update(
                    status=ParticipantStatus.INVITED, updated_at=now
                )
            for name, value in (("start", new_start), ("end", new_end)):
                if getattr(current, name) != value:
                    changes.append(name)
                    setattr(current, name, value)
            if current.workspace_id != target_id:
                changes.append("workspace")
                current.workspace = place
        if new_description is not None and new_description != current.description:
            current.description = new_description
            changes.append("description")
        written: list[str] = []
        if audience_changed:
            new_group_id = new_group.pk if new_group is not None else None
            if (new_visibility or current.visibility) != current.visibility or new_group_id != current.group_id:
                # One announced change, "visibility", whether the audience changed by visibility or by group.
                current.visibility = new_visibility or current.visibility
                current.group = new_group
                changes.append("visibility")
                written.append("group")
        if changes:
            # Only the changed fields: a cancellation or hand-over committed meanwhile must not be written back.
            current.save(update_fields=[*changes, *written, "updated_at"])
            events.announce(
                events.session_changed,
                session_id=current.pk,
                by_user_id=by.user_id,
                changes=changes,
                reconfirm_user_ids=reconfirm,
            )
            if "start" in changes:
                _schedule_no_show_check(current)
    return current


def cancel_session(*, by: Membership, session: Session, now: datetime | None = None) -> Session:
    """Cancel (organizer, or an admin of the organization). Seats are freed; participants keep their history."""
    now = now or timezone.now()
    if session.is_walk_in:
        raise NotFound
    if session.organizer_id != by.user_id and not by.is_admin:
        raise Forbidden(_("Seul l'organisateur ou un administrateur peut annuler cette session."))
    if session.cancelled_at is None and session.end <= now:
        # What happened stays in the history (agendas, who was where, occupancy).
        raise Conflict(_("Cette session est terminée."), code="session_over")
    with transaction.atomic():
        updated = Session.objects.filter(pk=session.pk, cancelled_at__isnull=True).update(
            cancelled_at=now, updated_at=now
        )
        if updated:
            session.cancelled_at = now
            events.announce(events.session_cancelled, session_id=session.pk, by_user_id=by.user_id)
    return session


def join_session(*, by: Membership, session: Session, now: datetime | None = None) -> Participant:
    """Take a seat in a visible session, or accept an invitation to it.

    409 `already_participant` when already going, `capacity_exceeded`,
    `overlapping_session`, `session_cancelled`, `session_over`. Holds `planning_lock`.
    """
    now = now or timezone.now()
    _ensure_not_over(session, now)
    if session.is_walk_in:
        raise NotFound
    with planning_lock(workspace_ids=[session.workspace_id], user_ids=[by.user_id]) as locked:
        current = _reload_locked(session)
        _ensure_not_over(current, now)
        place = _still_visible(by, current.workspace_id, locked)
        participant = Participant.objects.filter(session=current, user=by.user).first()
        if participant is not None and participant.status == ParticipantStatus.GOING:
            raise Conflict(_("Vous participez déjà à cette session."), code="already_participant")
        # What is over is over: a session they left this morning does not keep them from joining this one.
        _ensure_not_elsewhere(by.user, max(current.start, now), current.end)
        # The seat is needed from now on only: what is over is over.
        ensure_seats(place, max(current.start, now), current.end, seats=1)
        if participant is None:
            participant = Participant.objects.create(session=current, user=by.user, status=ParticipantStatus.GOING)
        else:
            participant.status = ParticipantStatus.GOING
            participant.save(update_fields=["status", "updated_at"])
        events.announce(events.participant_joined, session_id=current.pk, user_id=by.user_id)
        _schedule_no_show_check(current)
    return participant


def decline_session(*, by: Membership, session: Session, now: datetime | None = None) -> Participant:
    """Answer "no" to an invitation, or step out of a session one was going to (same as `leave_session`)."""
    participant = Participant.objects.filter(session=session, user=by.user).first()
    if participant is None:
        raise Conflict(_("Vous n'êtes pas invité à cette session."), code="not_participant")
    if participant.status == ParticipantStatus.GOING:
        leave_session(by=by, session=session, now=now)
        participant.refresh_from_db()
        return participant
    participant.status = ParticipantStatus.DECLINED
    participant.save(update_fields=["status", "updated_at"])
    return participant


def leave_session(*, by: Membership, session: Session, now: datetime | None = None) -> None:
    """Give one's seat back. Idempotent. An organizer who leaves hands the session to the longest-standing
    going participant, or cancels it when nobody else is going.
    """
    now = now or timezone.now()
    with transaction.atomic():
        current = Session.objects.select_for_update().get(pk=session.pk)
        participant = Participant.objects.filter(session=current, user=by.user).first()
        if participant is None or participant.status == ParticipantStatus.DECLINED:
            return
        if current.end <= now:
            raise Conflict(_("Cette session est terminée."), code="session_over")
        was_going = participant.status == ParticipantStatus.GOING
        participant.status = ParticipantStatus.DECLINED
        participant.save(update_fields=["status", "updated_at"])
        if was_going:
            events.announce(events.participant_left, session_id=current.pk, user_id=by.user_id)
        if current.organizer_id == by.user_id and not current.is_cancelled:
            successor_id = _hand_over_or_cancel(current, by_user_id=by.user_id, now=now)
            if successor_id is None:
                session.cancelled_at = now
            else:
                session.organizer_id = successor_id


def _hand_over_or_cancel(session: Session, *, by_user_id: int, now: datetime) -> int | None:
    """The organizer is gone: the longest-standing going participant organises it (their id), or it is cancelled."""
    successor = (
        Participant.objects.filter(session=session, status=ParticipantStatus.GOING).order_by("created_at", "id").first()
    )
    if successor is None:
        Session.objects.filter(pk=session.pk).update(cancelled_at=now, updated_at=now)
        events.announce(events.session_cancelled, session_id=session.pk, by_user_id=by_user_id)
        return None
    Session.objects.filter(pk=session.pk).update(organizer_id=successor.user_id, updated_at=now)
    events.announce(
        events.session_changed,
        session_id=session.pk,
        by_user_id=by_user_id,
        changes=["organizer"],
        reconfirm_user_ids=[],
    )
    return successor.user_id


def invite_to_session(
    *, by: Membership, session: Session, user_ids: Sequence[Any], now: datetime | None = None
) -> list[Participant]:
    """Invite colleagues (the organizer, or anyone going to it). Invitations take no seat until accepted.

    409 `already_participant` when every one named is already invited or going.
    """
    now = now or timezone.now()
    _ensure_not_over(session, now)
    if session.is_walk_in:
        raise NotFound
    inviter = Participant.objects.filter(session=session, user=by.user, status=ParticipantStatus.GOING).exists()
    if session.organizer_id != by.user_id and not inviter:
        raise Forbidden(_("Seules les personnes qui participent à la session peuvent y inviter."))
    if not user_ids:
        raise _field_error("invitees", _("Choisissez au moins une personne à inviter."), "required")
    users = _invitees(by, session.workspace, user_ids)
    with transaction.atomic():
        existing = {
            p.user_id: p for p in Participant.objects.select_for_update().filter(session=session, user__in=users)
        }
        invited: list[Participant] = []
        for user in users:
            participant = existing.get(user.pk)
            if participant is None:
                invited.append(
                    Participant.objects.create(
                        session=session, user=user, status=ParticipantStatus.INVITED, invited_by=by.user
                    )
                )
            elif participant.status == ParticipantStatus.DECLINED:
                participant.status = ParticipantStatus.INVITED
                participant.invited_by = by.user
                participant.save(update_fields=["status", "invited_by", "updated_at"])
                invited.append(participant)
        if not invited:
            raise Conflict(_("Ces personnes sont déjà invitées ou participent déjà."), code="already_participant")
        events.announce(
            events.participants_invited,
            session_id=session.pk,
            by_user_id=by.user_id,
            user_ids=[participant.user_id for participant in invited],
        )
    return invited


# --- Capacity changes -----------------------------------------------------------------------------------------


def ensure_capacity_fits(workspace: Workspace, capacity: int, *, now: datetime | None = None) -> None:
    """Refuse (409 `sessions_over_capacity`, listing them) a capacity the coming sessions already exceed.

    Called by workspaces.services.update_workspace while it holds the workspace row locked.
    """
    now = now or timezone.now()
    conflicting = sessions_over_capacity(workspace.pk, capacity, now)
    if conflicting:
        raise Conflict(
            _(
                "Des sessions à venir comptent plus de participants que cette capacité : "
                "annulez-les ou déplacez-les d'abord (%(count)d session(s))."
            )
            % {"count": len(conflicting)},
            code="sessions_over_capacity",
            extra={"sessions": conflicting},
        )


def cancel_sessions_closed_by(*, by: Membership, closure: Closure, now: datetime | None = None) -> list[int]:
    """Cancel the sessions not over yet that a new closure falls on; their ids, each announced as cancelled.

    Called by workspaces.services.add_closure inside its transaction, which holds the workspace row locked.
    Walk-in seats are left to their check-out: they record who was on site, not a plan.
    """
    now = now or timezone.now()
    zone = ZoneInfo(closure.workspace.timezone)
    closed_from = wall_instant(zone, closure.start_date, 0)
    closed_until = wall_instant(zone, closure.end_date + timedelta(days=1), 0)
    affected = list(
        Session.objects.filter(
            workspace_id=closure.workspace_id,
            cancelled_at__isnull=True,
            is_walk_in=False,
            end__gt=max(now, closed_from),
            start__lt=closed_until,
            start__gte=closed_from - SESSION_MAX_DURATION,
        )
        .order_by("start", "id")
        .values_list("pk", flat=True)
    )
    Session.objects.filter(pk__in=affected).update(cancelled_at=now, updated_at=now)
    for pk in affected:
        events.announce(events.session_cancelled, session_id=pk, by_user_id=by.user_id)
    return affected


# --- Check-ins ------------------------------------------------------------------------------------------------


def _current_period_end(workspace: Workspace, now: datetime) -> datetime:
    """The end of the open period around `now`; 409 `workspace_closed` when it is closed at `now`."""
    for period_start, period_end in open_periods(schedule_for(workspace), now, now + timedelta(days=8)):
        if period_start <= now < period_end:
            if period_end - now > timedelta(hours=24):
                # Open around the clock: the local day's end stands in for a closing time, or a forgotten
                # check-in (and its walk-in seat) would last as long as the period, days on end.
                zone = ZoneInfo(workspace.timezone)
                return wall_instant(zone, now.astimezone(zone).date() + timedelta(days=1), 0)
            return period_end
    raise _closed(workspace)


def check_in(
    *, by: Membership, workspace: Workspace, method: str = CheckInMethod.APP, now: datetime | None = None
) -> tuple[CheckIn, bool]:
    """Record the member's arrival; (check-in, created). Only while the workspace is open (409 `workspace_closed`).

    A member going to a session here (starting within the hour, or running)
    uses its seat. Anyone else takes a walk-in seat until closing time or
    their next session, through the same capacity check as a booking (409
    `capacity_exceeded` when the workspace is full). Checking in again where
    one already is changes nothing. Holds `planning_lock`.
    """
    now = (now or timezone.now()).replace(microsecond=0)
    with planning_lock(workspace_ids=[workspace.pk], user_ids=[by.user_id]) as locked:
        place = _still_visible(by, workspace.pk, locked)
        closes_at = _current_period_end(place, now)
        running = CheckIn.objects.filter(
            user=by.user, checked_out_at__isnull=True, checked_in_at__lte=now, closes_at__gt=now
        ).first()
        if running is not None and running.workspace_id == place.pk:
            return running, False
        if running is not None:
            _check_out(running, now)
        booked = (
            Session.objects.filter(
                workspace=place,
                cancelled_at__isnull=True,
                start__lte=now + EARLY_CHECK_IN,
                end__gt=now,
                participants__user=by.user,
                participants__status=ParticipantStatus.GOING,
            )
            .order_by("start")
            .first()
        )
        if booked is None:
            booked = _walk_in(by, place, now, closes_at)
        record = CheckIn.objects.create(
            organization_id=by.organization_id,
            workspace=place,
            user=by.user,
            session=booked,
            method=method,
            checked_in_at=now,
            closes_at=closes_at,
        )
    return record, True


def _walk_in(by: Membership, workspace: Workspace, now: datetime, closes_at: datetime) -> Session:
    next_session_start = (
        Participant.objects.filter(
            user=by.user,
            status=ParticipantStatus.GOING,
            session__cancelled_at__isnull=True,
            session__end__gt=now,
        )
        .order_by("session__start")
        .values_list("session__start", flat=True)
        .first()
    )
    if next_session_start is not None and next_session_start <= now:
        _ensure_not_elsewhere(by.user, now, now + timedelta(minutes=1))
    end = closes_at if next_session_start is None else min(closes_at, next_session_start)
    ensure_seats(workspace, now, end, seats=1)
    return _create(by, workspace, now, end, "", Visibility.ORGANIZATION, [], is_walk_in=True)


def _check_out(record: CheckIn, now: datetime) -> None:
    record.checked_out_at = now
    record.save(update_fields=["checked_out_at"])
    session = record.session
    if session is not None and session.is_walk_in and session.end > now:
        # The walk-in seat is given back with the check-out.
        if now > session.start:
            Session.objects.filter(pk=session.pk).update(end=now, updated_at=now)
        else:
            Session.objects.filter(pk=session.pk).update(cancelled_at=now, updated_at=now)


def check_out(*, user: User, now: datetime | None = None) -> CheckIn | None:
    """End the user's running check-in, wherever it is; None when they were not checked in. Idempotent."""
    now = (now or timezone.now()).replace(microsecond=0)
    with transaction.atomic():
        record = (
            # of=("self",): the session is a nullable relation (an outer join), which PostgreSQL refuses to lock.
            CheckIn.objects.select_for_update(of=("self",))
            .select_related("session")
            .filter(user=user, checked_out_at__isnull=True, checked_in_at__lte=now, closes_at__gt=now)
            .first()
        )
        if record is None:
            return None
        _check_out(record, now)
    return record


# --- No-shows -------------------------------------------------------------------------------------------------


def release_no_shows(*, session_id: int, now: datetime | None = None) -> list[int]:
    """Give back the seats of going participants who have not checked in `no_show_release_minutes` after the start.

    Safe to run twice, or early (it does nothing before the deadline): the
    task is enqueued again whenever a session starts later. Returns the users released.
    """
    now = now or timezone.now()
    with transaction.atomic():
        session = (
            Session.objects.select_for_update(of=("self",))
            .select_related("organization")
            .filter(pk=session_id, cancelled_at__isnull=True, is_walk_in=False)
            .first()
        )
        minutes = session.organization.no_show_release_minutes if session else None
        if session is None or not minutes or now < session.start + timedelta(minutes=minutes) or now >= session.end:
            return []
        deadline = session.start + timedelta(minutes=minutes)
        # Arrived: on site at some instant since the early check-in window opened, including someone
        # who walked in earlier still and stayed.
        window_start = session.start - EARLY_CHECK_IN
        arrived = (
            CheckIn.objects.filter(
                workspace_id=session.workspace_id, checked_in_at__lte=now, closes_at__gt=window_start
            )
            .filter(Q(checked_out_at__isnull=True) | Q(checked_out_at__gt=window_start))
            .values("user_id")
        )
        no_shows = list(
            # Someone who said yes after the deadline is on their way, not a no-show (the status change
            # is the participant's last update).
            Participant.objects.filter(session=session, status=ParticipantStatus.GOING, updated_at__lte=deadline)
            .exclude(user_id__in=arrived)
            .values_list("user_id", flat=True)
        )
        if no_shows:
            Participant.objects.filter(session=session, user_id__in=no_shows).update(
                status=ParticipantStatus.INVITED, updated_at=now
            )
            for user_id in no_shows:
                events.announce(events.seat_released, session_id=session.pk, user_id=user_id)
    return no_shows


# --- Calendar feed --------------------------------------------------------------------------------------------


def feed_token_hash(raw_token: str) -> str:
    return sha256(raw_token.encode()).hexdigest()


def reset_calendar_feed(*, user: User) -> str:
    """A new secret feed token for the user (the old address stops working); returns the raw token, shown once."""
    raw_token = secrets.token_urlsafe(32)
    # created_at dates the current address: a reset makes a new one (and forgets when the old one was last used).
    CalendarFeed.objects.update_or_create(
        user=user,
        defaults={"token_hash": feed_token_hash(raw_token), "created_at": timezone.now(), "last_used_at": None},
    )
    return raw_token


FEED_USE_RECORDED_EVERY = timedelta(hours=1)


def open_calendar_feed(*, token: str, now: datetime | None = None) -> User:
    """The owner of the feed whose secret token this is (NotFound otherwise, or for a closed account).

    Records when the feed was last read, at most once an hour: calendar
    applications poll it often, and the settings page only says "used recently".
    """
    now = now or timezone.now()
    feed = CalendarFeed.objects.select_related("user").filter(token_hash=feed_token_hash(token)).first()
    if feed is None or feed.user.deleted_at is not None or not feed.user.is_active:
        raise NotFound
    if feed.last_used_at is None or now - feed.last_used_at >= FEED_USE_RECORDED_EVERY:
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
    return feed.user


def revoke_calendar_feed(*, user: User) -> None:
    CalendarFeed.objects.filter(user=user).delete()


def forget_member_plans(*, organization_id: int, user_id: int, now: datetime | None = None) -> None:
    """A member who left the organization: give back their coming seats and hand over or cancel what they organised."""
    now = now or timezone.now()
    # A running check-in ends now; its walk-in seat is given back the way a check-out gives it back, so that
    # the time they were there stays true (and a walk-in is never announced as a cancelled session).
    for record in CheckIn.objects.select_related("session").filter(
        organization_id=organization_id, user_id=user_id, checked_out_at__isnull=True, closes_at__gt=now
    ):
        _check_out(record, now)
    coming = Q(
        session__organization_id=organization_id,
        session__end__gt=now,
        session__cancelled_at__isnull=True,
        session__is_walk_in=False,
    )
    participations = Participant.objects.filter(coming, user_id=user_id).exclude(status=ParticipantStatus.DECLINED)
    left_session_ids = list(participations.filter(status=ParticipantStatus.GOING).values_list("session_id", flat=True))
    participations.update(status=ParticipantStatus.DECLINED, updated_at=now)
    for session_id in left_session_ids:
        events.announce(events.participant_left, session_id=session_id, user_id=user_id)
    for session in Session.objects.filter(
        organization_id=organization_id, organizer_id=user_id, end__gt=now, cancelled_at__isnull=True, is_walk_in=False
    ):
        _hand_over_or_cancel(session, by_user_id=user_id, now=now)
