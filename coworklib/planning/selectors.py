"""Reads: which sessions a member may see, agendas, occupancy, presence and who is where.

A session is visible to a member of its organization who may see its
workspace (access rules, workspaces.selectors) and, for an invitation-only
session, who organises it or is one of its participants; for a group session,
also the group's current members. Everything else is
NotFound, exactly like another organization's session. Occupancy counts
(free seats, timelines, presence) include every session, visible or not, but
never say whose seats they are.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from coworklib.accounts.models import User
from coworklib.community.models import Group, GroupMembership, MemberFollow
from coworklib.core.errors import InvalidInput, NotFound
from coworklib.organizations.models import Membership
from coworklib.organizations.selectors import get_membership_for_user
from coworklib.planning.capacity import Booking, occupancy_steps, peak_occupancy
from coworklib.planning.models import (
    SESSION_MAX_DURATION,
    CalendarFeed,
    CheckIn,
    Participant,
    ParticipantStatus,
    Session,
    Visibility,
)
from coworklib.workspaces.models import Workspace
from coworklib.workspaces.opening_hours import is_open_throughout, open_intervals_on, wall_instant
from coworklib.workspaces.selectors import as_id, schedule_for, visible_workspaces

# A member may check in this long before their session starts and still use its seat.
EARLY_CHECK_IN = timedelta(minutes=60)


# --- Visibility ---------------------------------------------------------------------------------------------


def _seen_by(user_id: int) -> Q:
    involved = Participant.objects.filter(session=OuterRef("pk"), user_id=user_id)
    # A group session: the group's current members, read at each query (leaving the group hides it at once).
    in_group = GroupMembership.objects.filter(group_id=OuterRef("group_id"), user_id=user_id)
    return (
        Q(visibility=Visibility.ORGANIZATION)
        | Q(organizer_id=user_id)
        | Q(Exists(involved))
        | (Q(visibility=Visibility.GROUP) & Q(Exists(in_group)))
    )


def visible_sessions(membership: Membership) -> QuerySet[Session]:
    """Sessions of the member's organization they may see, cancelled ones included."""
    return Session.objects.filter(
        organization_id=membership.organization_id,
        workspace__in=visible_workspaces(membership, include_archived=True),
    ).filter(_seen_by(membership.user_id))


def _with_people(sessions: QuerySet[Session]) -> QuerySet[Session]:
    return sessions.select_related("workspace", "organizer", "group").prefetch_related(
        Prefetch("participants", queryset=Participant.objects.select_related("user").order_by("created_at", "id"))
    )


def get_session_for_member(membership: Membership, session_id: Any) -> Session:
    pk = as_id(session_id)
    if pk is None:
        raise NotFound
    session = _with_people(visible_sessions(membership)).filter(pk=pk).first()
    if session is None:
        raise NotFound
    return session


def get_membership_and_session(user: User, session_id: Any) -> tuple[Membership, Session]:
    """For endpoints that know only the session: the caller's membership of its organization, and the session."""
    pk = as_id(session_id)
    if pk is None:
        raise NotFound
    organization_id = Session.objects.filter(pk=pk).values_list("organization_id", flat=True).first()
    if organization_id is None:
        raise NotFound
    membership = get_membership_for_user(user, organization_id)
    return membership, get_session_for_member(membership, pk)


def participant_of(session: Session, user_id: int) -> Participant | None:
    """The user's participation, from the prefetched participants."""
    return next((p for p in session.participants.all() if p.user_id == user_id), None)


def going_participants(session: Session) -> list[Participant]:
    return [p for p in session.participants.all() if p.status == ParticipantStatus.GOING]


# --- Agenda -------------------------------------------------------------------------------------------------


@dataclass
class Agenda:
    upcoming: list[Session]
    past: list[Session]
    invitations: list[Session]


def agenda_of(
    membership: Membership, *, now: datetime | None = None, past_limit: int = 20, upcoming_limit: int = 100
) -> Agenda:
    """The member's sessions in their organization: coming (going), past (went), and invitations to answer.

    Walk-in seats are check-ins, not plans: they are left out.
    """
    now = now or timezone.now()
    mine = _with_people(visible_sessions(membership).filter(cancelled_at__isnull=True, is_walk_in=False))

    def with_status(status: str) -> QuerySet[Session]:
        # One filter() call, so that user and status apply to the same participant row.
        return mine.filter(participants__user_id=membership.user_id, participants__status=status)

    going = with_status(ParticipantStatus.GOING)
    upcoming = list(going.filter(end__gt=now).order_by("start", "id")[:upcoming_limit])
    past = list(going.filter(end__lte=now).order_by("-start", "-id")[:past_limit])
    invitations = list(
        with_status(ParticipantStatus.INVITED).filter(end__gt=now).order_by("start", "id")[:upcoming_limit]
    )
    return Agenda(upcoming=upcoming, past=past, invitations=invitations)


def agenda_sessions(
    user: User, scope: str, *, organization_id: int | None = None, now: datetime | None = None
) -> QuerySet[Session]:
    """One part of `agenda_of` ("upcoming", "past" or "invitations") as a queryset to paginate, in the order shown.

    Across every organization of the user unless `organization_id` narrows it;
    walk-in seats are check-ins, not plans, and are left out.
    """
    from coworklib.workspaces.selectors import visible_workspaces_for_user

    now = now or timezone.now()
    status = ParticipantStatus.INVITED if scope == "invitations" else ParticipantStatus.GOING
    sessions = Session.objects.filter(
        workspace__in=visible_workspaces_for_user(user, include_archived=True),
        cancelled_at__isnull=True,
        is_walk_in=False,
        participants__user_id=user.pk,
        participants__status=status,
    )
    if organization_id is not None:
        sessions = sessions.filter(organization_id=organization_id)
    if scope == "past":
        sessions = sessions.filter(end__lte=now).order_by("-start", "-id")
    else:
        sessions = sessions.filter(end__gt=now).order_by("start", "id")
    return _with_people(sessions)


def sessions_of_series(membership: Membership, series_id: int) -> list[Session]:
    """The bookable sessions of a recurring series the member may see, with their people: three queries."""
    return list(
        _with_people(visible_sessions(membership).filter(series_id=series_id, cancelled_at__isnull=True)).order_by(
            "start", "id"
        )
    )


def calendar_feed_of(user: User) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user).first()


def sessions_of_user(user: User, start: datetime, end: datetime) -> QuerySet[Session]:
    """The user's going sessions overlapping [start, end), in every organization, for their calendar feed.

    Access rules still apply: a session at a workspace the user may no longer see is left out.
    """
    from coworklib.workspaces.selectors import visible_workspaces_for_user

    return (
        Session.objects.filter(
            participants__user_id=user.pk,
            participants__status=ParticipantStatus.GOING,
            is_walk_in=False,
            start__lt=end,
            end__gt=start,
            workspace__in=visible_workspaces_for_user(user, include_archived=True),
        )
        .select_related("workspace", "organizer", "organization", "group")
        .prefetch_related(Prefetch("participants", queryset=Participant.objects.select_related("user")))
        .order_by("start", "id")
    )


# --- Occupancy ----------------------------------------------------------------------------------------------


def _day_bounds(zone: ZoneInfo, day: date) -> tuple[datetime, datetime]:
    return wall_instant(zone, day, 0), wall_instant(zone, day + timedelta(days=1), 0)


def bookings_on_days(workspaces: Sequence[Workspace], first_day: date, last_day: date) -> dict[int, list[Booking]]:
    """Bookings of each workspace overlapping its local dates first_day…last_day, by workspace id: one query."""
    if not workspaces:
        return {}
    # One window covering every zone's days (±14 h), then each workspace keeps what touches its own days.
    window_start = datetime.combine(first_day, datetime.min.time(), tzinfo=UTC) - timedelta(hours=15)
    window_end = datetime.combine(last_day + timedelta(days=1), datetime.min.time(), tzinfo=UTC) + timedelta(hours=15)
    rows = (
        Session.objects.filter(
            workspace_id__in=[workspace.pk for workspace in workspaces],
            cancelled_at__isnull=True,
            start__lt=window_end,
            end__gt=window_start,
            start__gte=window_start - SESSION_MAX_DURATION,  # bounds the index scan (see capacity.bookings_between)
        )
        .annotate(going=Count("participants", filter=Q(participants__status=ParticipantStatus.GOING)))
        .filter(going__gt=0)
        .values_list("workspace_id", "pk", "start", "end", "going")
    )
    by_workspace: dict[int, list[Booking]] = defaultdict(list)
    for workspace_id, pk, start, end, going in rows:
        by_workspace[workspace_id].append(Booking(session_id=pk, start=start, end=end, going=going))
    return by_workspace


def free_seats_on(workspaces: Sequence[Workspace], day: date | None = None) -> dict[int, int]:
    """Capacity minus the peak of going participants on the local date (today in each zone when None)."""
    if not workspaces:
        return {}
    now = timezone.now()
    days = {workspace.pk: day or now.astimezone(ZoneInfo(workspace.timezone)).date() for workspace in workspaces}
    bookings = bookings_on_days(workspaces, min(days.values()), max(days.values()))
    free: dict[int, int] = {}
    for workspace in workspaces:
        start, end = _day_bounds(ZoneInfo(workspace.timezone), days[workspace.pk])
        peak = peak_occupancy(bookings.get(workspace.pk, []), start, end)
        free[workspace.pk] = max(workspace.capacity - peak, 0)
    return free


def free_seats_during(session: Session, now: datetime | None = None) -> int:
    """Seats still free at the busiest instant of what is left of the session (0 once it is over)."""
    from coworklib.planning.capacity import bookings_between

    start = max(session.start, now or timezone.now())
    if start >= session.end:
        return 0
    held = peak_occupancy(bookings_between(session.workspace_id, start, session.end), start, session.end)
    return max(session.workspace.capacity - held, 0)


@dataclass
class TimelineSlot:
    """One hour of a workspace's day: its start (UTC), the peak of seats held, and whether it is open at all."""

    start: datetime
    end: datetime
    peak: int
    open: bool
    capacity: int

    @property
    def free(self) -> int:
        return max(self.capacity - self.peak, 0)

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.peak / self.capacity)) if self.capacity else 0


@dataclass
class DayTimeline:
    workspace: Workspace
    day: date
    slots: list[TimelineSlot]
    peak: int
    open_intervals: list[tuple[datetime, datetime]]

    @property
    def free_seats(self) -> int:
        return max(self.workspace.capacity - self.peak, 0)


def day_timeline(workspace: Workspace, day: date) -> DayTimeline:
    """Occupancy hour by hour on the local date, against capacity: three queries (hours, closures, sessions).

    Hours are wall-clock hours of the workspace's zone, so a DST day has 23 or 25 of them.
    """
    zone = ZoneInfo(workspace.timezone)
    day_start, day_end = _day_bounds(zone, day)
    bookings = bookings_on_days([workspace], day, day).get(workspace.pk, [])
    intervals = open_intervals_on(schedule_for(workspace), day)
    slots: list[TimelineSlot] = []
    slot_start = day_start
    while slot_start < day_end:
        slot_end = min(_next_wall_hour(slot_start, zone), day_end)
        slots.append(
            TimelineSlot(
                start=slot_start,
                end=slot_end,
                peak=peak_occupancy(bookings, slot_start, slot_end),
                open=any(start < slot_end and end > slot_start for start, end in intervals),
                capacity=workspace.capacity,
            )
        )
        slot_start = slot_end
    return DayTimeline(
        workspace=workspace,
        day=day,
        slots=slots,
        peak=peak_occupancy(bookings, day_start, day_end),
        open_intervals=intervals,
    )


def _next_wall_hour(instant: datetime, zone: ZoneInfo) -> datetime:
    # Real time: an hour later, then back to the top of the wall hour (half-hour zones exist).
    later = (instant + timedelta(hours=1)).astimezone(zone)
    top = later.replace(minute=0, second=0, microsecond=0).astimezone(UTC)
    return top if top > instant else (instant + timedelta(hours=1))


def occupancy_profile(workspace: Workspace, start: datetime, end: datetime) -> list[tuple[datetime, int]]:
    """The step function of seats held at the workspace between start and end (for charts and tests)."""
    from coworklib.planning.capacity import bookings_between

    return occupancy_steps(bookings_between(workspace.pk, start, end))


def sessions_outside_hours(workspace: Workspace, *, now: datetime | None = None) -> list[int]:
    """Ids of the coming sessions at the workspace that its current hours and closures no longer cover.

    For the console after a change of hours or time zone: the sessions stay
    booked (cancelling a year of Fridays over an hour trimmed would be harsh),
    and the admin is told which ones to look at. One query for the sessions,
    two for the hours; the rest is arithmetic.
    """
    now = now or timezone.now()
    schedule = schedule_for(workspace)
    coming = Session.objects.filter(
        workspace=workspace, cancelled_at__isnull=True, is_walk_in=False, end__gt=now
    ).values_list("pk", "start", "end")
    return [pk for pk, start, end in coming if not is_open_throughout(schedule, start, end)]


def sessions_at(membership: Membership, workspace: Workspace, day: date) -> list[Session]:
    """The sessions the member may see at the workspace on the local date, with their people."""
    start, end = _day_bounds(ZoneInfo(workspace.timezone), day)
    return list(
        _with_people(
            visible_sessions(membership).filter(
                workspace=workspace, cancelled_at__isnull=True, start__lt=end, end__gt=start, is_walk_in=False
            )
        ).order_by("start", "id")
    )


# --- Presence -----------------------------------------------------------------------------------------------


def present_check_ins(workspace_ids: Sequence[int], now: datetime) -> QuerySet[CheckIn]:
    """Check-ins of people on site at `now` (not checked out, before closing)."""
    return CheckIn.objects.filter(workspace_id__in=workspace_ids, checked_in_at__lte=now, closes_at__gt=now).filter(
        Q(checked_out_at__isnull=True) | Q(checked_out_at__gt=now)
    )


@dataclass
class Presence:
    present_now: int
    visits_today: int


def presence_at(workspace: Workspace, *, now: datetime | None = None) -> Presence:
    """ "N présents maintenant", "N passages aujourd'hui" (distinct people, local date): two queries."""
    now = now or timezone.now()
    day_start, day_end = _day_bounds(ZoneInfo(workspace.timezone), now.astimezone(ZoneInfo(workspace.timezone)).date())
    present = present_check_ins([workspace.pk], now).values("user_id").distinct().count()
    visits = (
        CheckIn.objects.filter(workspace=workspace, checked_in_at__gte=day_start, checked_in_at__lt=day_end)
        .values("user_id")
        .distinct()
        .count()
    )
    return Presence(present_now=present, visits_today=visits)


def current_check_in(user: User, workspace: Workspace | None = None, *, now: datetime | None = None) -> CheckIn | None:
    """The user's check-in still running at `now` (at that workspace if given)."""
    now = now or timezone.now()
    check_ins = CheckIn.objects.filter(
        user=user, checked_in_at__lte=now, closes_at__gt=now, checked_out_at__isnull=True
    )
    if workspace is not None:
        check_ins = check_ins.filter(workspace=workspace)
    return check_ins.select_related("workspace").order_by("-checked_in_at").first()


# --- Who is where -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WhereaboutsScope:
    """Whose whereabouts to show: "organization", "me", "following" or "group:<id>"."""

    key: str
    label: str


def whereabouts_scopes(membership: Membership) -> list[WhereaboutsScope]:
    """The scopes a member is offered: everyone, themselves, the people they follow, and each of their groups."""
    groups = Group.objects.filter(
        organization_id=membership.organization_id, memberships__user_id=membership.user_id
    ).order_by("name", "pk")
    return [
        WhereaboutsScope("organization", _("Toute l'organisation")),
        WhereaboutsScope("me", _("Moi")),
        WhereaboutsScope("following", _("Personnes que je suis")),
        *(WhereaboutsScope(f"group:{group.pk}", group.name) for group in groups),
    ]


def whereabouts_scope_user_ids(membership: Membership, scope: str) -> list[int] | None:
    """The people a scope covers, for `whereabouts` (None: everyone in the organization); one query at most.

    422 on `scope` for an unknown one, 404 for a group outside the organization.
    """
    if scope == "organization":
        return None
    if scope == "me":
        return [membership.user_id]
    if scope == "following":
        followed = MemberFollow.objects.filter(
            organization_id=membership.organization_id, follower_id=membership.user_id
        ).values_list("followed_id", flat=True)
        return [membership.user_id, *followed]
    prefix, _colon, raw_id = scope.partition(":")
    if prefix == "group" and raw_id:
        group_id = as_id(raw_id)
        if group_id is None:
            raise NotFound
        if not Group.objects.filter(pk=group_id, organization_id=membership.organization_id).exists():
            raise NotFound
        return list(GroupMembership.objects.filter(group_id=group_id).values_list("user_id", flat=True))
    message = _("Choisissez organization, me, following ou group:<id>.")
    raise InvalidInput(
        message, code="invalid", extra={"errors": [{"loc": ["query", "scope"], "msg": message, "type": "invalid"}]}
    )


@dataclass
class Whereabout:
    """One person at one workspace on one day: going to a session there, and whether they checked in."""

    user: User
    checked_in: bool
    sessions: list[Session] = field(default_factory=list)


@dataclass
class WhereaboutsDay:
    day: date
    by_workspace: list[tuple[Workspace, list[Whereabout]]]

    @property
    def people(self) -> int:
        return sum(len(people) for _workspace, people in self.by_workspace)


def week_of(day: date) -> list[date]:
    monday = day - timedelta(days=day.weekday())
    return [monday + timedelta(days=offset) for offset in range(7)]


def whereabouts(
    membership: Membership, week_start: date, *, user_ids: Sequence[int] | None = None
) -> list[WhereaboutsDay]:
    """Who is where on each day of the week starting `week_start`: visible sessions' going people and check-ins.

    `user_ids` narrows it to some people (a group, the people I follow); None
    means the whole organization. Four queries whatever the week holds
    (sessions, who goes, their people, check-ins): each session and each person
    is built once, not once per participant, which is what the time goes to
    in a large organization (bench/README.md).
    Days are the workspaces' local dates.
    """
    days = [week_start + timedelta(days=offset) for offset in range(7)]
    window_start = datetime.combine(days[0], datetime.min.time(), tzinfo=UTC) - timedelta(hours=15)
    window_end = datetime.combine(days[-1] + timedelta(days=1), datetime.min.time(), tzinfo=UTC) + timedelta(hours=15)
    week_sessions = visible_sessions(membership).filter(
        cancelled_at__isnull=True,
        start__lt=window_end,
        end__gt=window_start,
        start__gte=window_start - SESSION_MAX_DURATION,
    )
    going = Participant.objects.filter(status=ParticipantStatus.GOING, session__in=week_sessions)
    if user_ids is not None:
        going = going.filter(user_id__in=user_ids)
        week_sessions = week_sessions.filter(pk__in=going.values("session_id"))
    sessions = {session.pk: session for session in week_sessions.select_related("workspace")}
    pairs = list(going.values_list("user_id", "session_id"))
    people_by_id = {user.pk: user for user in User.objects.filter(pk__in={user_id for user_id, _session in pairs})}
    check_ins = CheckIn.objects.filter(
        organization_id=membership.organization_id,
        workspace__in=visible_workspaces(membership, include_archived=True),
        checked_in_at__gte=window_start,
        checked_in_at__lt=window_end,
        user__isnull=False,
    ).values_list("user_id", "workspace_id", "checked_in_at", "workspace__timezone")
    if user_ids is not None:
        check_ins = check_ins.filter(user_id__in=user_ids)
    checked_in_days = {
        (user_id, workspace_id, at.astimezone(ZoneInfo(zone)).date()) for user_id, workspace_id, at, zone in check_ins
    }
    session_days: dict[int, list[date]] = {}
    for session in sessions.values():
        zone = ZoneInfo(session.workspace.timezone)
        first = session.start.astimezone(zone).date()
        last = (session.end - timedelta(microseconds=1)).astimezone(zone).date()
        session_days[session.pk] = [day for day in days if first <= day <= last]
    grid: dict[date, dict[int, dict[int, Whereabout]]] = {day: {} for day in days}
    workspaces: dict[int, Workspace] = {}
    for user_id, session_id in pairs:
        if session_id not in sessions or user_id not in people_by_id:
            continue
        session = sessions[session_id]
        workspaces[session.workspace_id] = session.workspace
        for day in session_days[session_id]:
            people = grid[day].setdefault(session.workspace_id, {})
            entry = people.get(user_id)
            if entry is None:
                entry = people[user_id] = Whereabout(
                    user=people_by_id[user_id],
                    checked_in=(user_id, session.workspace_id, day) in checked_in_days,
                )
            entry.sessions.append(session)
    result: list[WhereaboutsDay] = []
    for day in days:
        rows = [
            (workspaces[workspace_id], sorted(people.values(), key=lambda w: (not w.checked_in, w.user.display_name)))
            for workspace_id, people in grid[day].items()
        ]
        rows.sort(key=lambda row: row[0].name)
        result.append(WhereaboutsDay(day=day, by_workspace=rows))
    return result
