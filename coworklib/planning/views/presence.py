"""Presence pages: a workspace's day, check-in and check-out, the QR code shown on site, and who is where.

Every page is org-scoped through `organization_view` (404 for outsiders) and
fetches workspaces through `get_workspace_for_member`, so an access rule hides
a workspace here exactly as everywhere else. Times are read on the
workspace's clock, and the pages say which zone when it is not the reader's.
Occupancy shows counts only: whose seats they are is told through the
sessions the reader may see.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from coworklib.accounts.models import User
from coworklib.core.errors import DomainError, NotFound
from coworklib.core.tenancy import organization_view
from coworklib.organizations.models import Membership
from coworklib.planning import checkin_codes, selectors, services
from coworklib.planning.models import CheckIn, CheckInMethod, Session
from coworklib.workspaces.models import Workspace
from coworklib.workspaces.opening_hours import wall_instant
from coworklib.workspaces.selectors import (
    get_workspace_for_member,
    occupied_percent,
    seat_availability,
    visible_workspaces,
)
from coworklib.workspaces.views import _zone_note as zone_note

# Dates a page may be asked about; anything else falls back to today rather than an error page.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)
# The console's QR screen reloads a little after midnight, when the code changes, and at least this often.
QR_RELOAD_MARGIN = timedelta(seconds=30)
QR_RELOAD_AT_MOST = timedelta(hours=1)


# --- Helpers ------------------------------------------------------------------------------------------------


def _workspace_or_404(membership: Membership, workspace_id: int) -> Workspace:
    try:
        return get_workspace_for_member(membership, workspace_id)
    except NotFound:
        raise Http404 from None


def parse_day(raw: str | None, default: date) -> date:
    """A ?date=YYYY-MM-DD parameter, or `default` for anything else (a bad date is not worth an error page)."""
    if not raw or len(raw) != len("2026-12-07"):
        return default
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        return default
    return day if FIRST_DAY <= day <= LAST_DAY else default


def _next_url(request: HttpRequest, fallback: str) -> str:
    """The local page to go back to (?next= or the form's `next`), else `fallback`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


def _clock(instant: datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).strftime("%H:%M")


def _span(start: datetime, end: datetime, zone: ZoneInfo) -> str:
    """ "09:00–17:00" on the workspace's clock; an end at the next midnight reads 24:00."""
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    end_text = local_end.strftime("%H:%M")
    if local_end.date() > local_start.date() and end_text == "00:00":
        end_text = "24:00"
    elif end_text == local_start.strftime("%H:%M"):
        # The repeated hour of a DST change: 02:00 (summer time) to 02:00 (winter time) is one hour.
        end_text = (local_start.replace(tzinfo=None) + (end - start)).strftime("%H:%M")
    return f"{local_start:%H:%M}–{end_text}"


def _long_date(day: date) -> str:
    return date_format(day, "l j F Y")


def _plan_url(membership: Membership, workspace: Workspace | None, day: date) -> str:
    query = {"workspace": workspace.pk, "date": day.isoformat()} if workspace else {"date": day.isoformat()}
    return reverse("planning:plan", args=[membership.organization.slug]) + "?" + urlencode(query)


# --- A workspace's day --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HourBar:
    """One hour of the timeline as drawn: a column filled to the share of seats taken at its peak."""

    hour: str
    span: str
    peak: int
    free: int
    capacity: int
    percent: int
    state: str
    is_now: bool
    show_hour: bool

    @property
    def fill_y(self) -> int:
        return 100 - self.percent

    @property
    def description(self) -> str:
        if self.state == "closed":
            return _("%(span)s : fermé") % {"span": self.span}
        return ngettext(
            "%(span)s : %(free)d place libre sur %(capacity)d",
            "%(span)s : %(free)d places libres sur %(capacity)d",
            self.free,
        ) % {"span": self.span, "free": self.free, "capacity": self.capacity}


def _hour_bars(timeline: selectors.DayTimeline, zone: ZoneInfo, now: datetime) -> list[HourBar]:
    """The hours worth drawing: from the first open (or booked) hour to the last, closed ones in between greyed."""
    shown = [index for index, slot in enumerate(timeline.slots) if slot.open or slot.peak]
    if not shown:
        return []
    slots = timeline.slots[shown[0] : shown[-1] + 1]
    # Every hour labelled while they fit on a phone, else every second or third.
    step = 1 if len(slots) <= 12 else 2 if len(slots) <= 16 else 3
    bars = []
    for index, slot in enumerate(slots):
        percent = slot.percent
        if slot.peak and percent < 4:
            percent = 4  # a single taken seat of a large workspace stays visible
        bars.append(
            HourBar(
                hour=slot.start.astimezone(zone).strftime("%H"),
                span=_span(slot.start, slot.end, zone),
                peak=slot.peak,
                free=slot.free,
                capacity=slot.capacity,
                percent=percent,
                state=seat_availability(is_open=slot.open, free_seats=slot.free, capacity=slot.capacity),
                is_now=slot.start <= now < slot.end,
                show_hour=index % step == 0,
            )
        )
    return bars


@dataclass(frozen=True)
class SessionRow:
    """A session of the day as listed: its hours, its going people, and whether the reader is one of them."""

    session: Session
    span: str
    people: list[User]
    is_mine: bool


@dataclass
class DayOverview:
    """What a workspace's day looks like for one member: occupancy, presence, the sessions they may see."""

    workspace: Workspace
    day: date
    date_label: str
    is_today: bool
    is_open_now: bool
    timeline: selectors.DayTimeline
    bars: list[HourBar]
    state: str
    percent: int
    sessions: list[SessionRow]
    presence: selectors.Presence | None
    my_check_in: CheckIn | None
    zone_note: str
    plan_url: str
    previous_day: date
    next_day: date

    @property
    def is_open(self) -> bool:
        return bool(self.timeline.open_intervals)

    @property
    def open_hours(self) -> list[str]:
        zone = ZoneInfo(self.workspace.timezone)
        return [_span(start, end, zone) for start, end in self.timeline.open_intervals]


def day_overview(membership: Membership, workspace: Workspace, day: date, *, now: datetime) -> DayOverview:
    """The day of a workspace as the day page and the workspace's page show it: a bounded number of queries."""
    zone = ZoneInfo(workspace.timezone)
    is_today = day == now.astimezone(zone).date()
    timeline = selectors.day_timeline(workspace, day)
    rows = []
    for session in selectors.sessions_at(membership, workspace, day):
        people = [participant.user for participant in selectors.going_participants(session)]
        is_mine = any(person.pk == membership.user_id for person in people)
        rows.append(SessionRow(session, _span(session.start, session.end, zone), people, is_mine))
    is_open = bool(timeline.open_intervals)
    return DayOverview(
        workspace=workspace,
        day=day,
        date_label=_long_date(day),
        is_today=is_today,
        is_open_now=is_today and any(start <= now < end for start, end in timeline.open_intervals),
        timeline=timeline,
        bars=_hour_bars(timeline, zone, now),
        state=seat_availability(is_open=is_open, free_seats=timeline.free_seats, capacity=workspace.capacity),
        percent=occupied_percent(free_seats=timeline.free_seats, capacity=workspace.capacity),
        sessions=rows,
        presence=selectors.presence_at(workspace, now=now) if is_today else None,
        my_check_in=selectors.current_check_in(membership.user, workspace, now=now) if is_today else None,
        zone_note=zone_note(workspace),
        plan_url=_plan_url(membership, workspace, day),
        previous_day=day - timedelta(days=1),
        next_day=day + timedelta(days=1),
    )


@organization_view()
def workspace_day(request: HttpRequest, membership: Membership, workspace_id: int) -> HttpResponse:
    workspace = _workspace_or_404(membership, workspace_id)
    now = timezone.now()
    today = now.astimezone(ZoneInfo(workspace.timezone)).date()
    day = parse_day(request.GET.get("date"), today)
    overview = day_overview(membership, workspace, day, now=now)
    return render(
        request,
        "planning/workspace_day.html",
        {"workspace": workspace, "overview": overview, "today": today},
    )


# --- Check-in and check-out ---------------------------------------------------------------------------------


def _check_in_refusal(exc: DomainError, workspace: Workspace) -> str:
    """The service's refusal, told for someone standing at the door."""
    if exc.code == "workspace_closed":
        return _(
            "%(name)s est fermé en ce moment : le check-in n'est possible que pendant les horaires d'ouverture."
        ) % {"name": workspace.name}
    if exc.code == "capacity_exceeded":
        return _(
            "%(name)s est complet en ce moment : il ne reste aucune place pour un check-in sans session prévue."
        ) % {"name": workspace.name}
    return exc.detail


@organization_view()
@require_POST
def check_in(request: HttpRequest, membership: Membership, workspace_id: int) -> HttpResponse:
    workspace = _workspace_or_404(membership, workspace_id)
    back = _next_url(request, reverse("workspaces:detail", args=[membership.organization.slug, workspace.pk]))
    try:
        _record, created = services.check_in(by=membership, workspace=workspace, method=CheckInMethod.APP)
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, _check_in_refusal(exc, workspace))
        return redirect(back)
    if created:
        messages.success(request, _("Check-in enregistré à %(name)s.") % {"name": workspace.name})
    else:
        messages.info(request, _("Vous avez déjà fait votre check-in à %(name)s.") % {"name": workspace.name})
    return redirect(back)


@organization_view()
@require_POST
def check_out(request: HttpRequest, membership: Membership) -> HttpResponse:
    record = services.check_out(user=membership.user)
    if record is None:
        messages.info(request, _("Vous n'aviez pas de check-in en cours."))
        fallback = reverse("workspaces:list", args=[membership.organization.slug])
    else:
        messages.success(request, _("Check-out enregistré à %(name)s. À bientôt !") % {"name": record.workspace.name})
        fallback = reverse("workspaces:detail", args=[membership.organization.slug, record.workspace_id])
    return redirect(_next_url(request, fallback))


# --- The QR code: its landing page, and the screen that shows it on site ------------------------------------


@organization_view()
def qr_check_in(request: HttpRequest, membership: Membership, workspace_id: int, code: str) -> HttpResponse:
    """GET shows the button (and changes nothing); POST checks in, if the code is today's."""
    workspace = _workspace_or_404(membership, workspace_id)
    context: dict[str, object] = {"workspace": workspace}
    if not checkin_codes.is_valid_checkin_code(workspace, code):
        # An old photo of the code, or a made-up one: nothing happens, and the page says what to do.
        return render(request, "planning/qr_check_in.html", {**context, "expired": True}, status=410)
    if request.method == "POST":
        try:
            _record, _created = services.check_in(by=membership, workspace=workspace, method=CheckInMethod.QR_CODE)
        except NotFound:
            raise Http404 from None
        except DomainError as exc:
            return render(
                request,
                "planning/qr_check_in.html",
                {**context, "error": _check_in_refusal(exc, workspace)},
                status=exc.status,
            )
        # Back to a GET, so that reloading the confirmation does not post again.
        return redirect(request.path)
    my_check_in = selectors.current_check_in(membership.user, workspace)
    context.update(
        my_check_in=my_check_in,
        presence=selectors.presence_at(workspace) if my_check_in else None,
        checked_in_at=_clock(my_check_in.checked_in_at, ZoneInfo(workspace.timezone)) if my_check_in else "",
        zone_note=zone_note(workspace),
    )
    return render(request, "planning/qr_check_in.html", context)


def _zone_name(workspace: Workspace) -> str:
    """ "heure de Paris", always (the screen is read by people of any zone; `zone_note` is for the reader's)."""
    city = workspace.timezone.rsplit("/", 1)[-1].replace("_", " ")
    if city[:1].upper() in "AEIOUYH":
        return _("heure d'%(city)s") % {"city": city}
    return _("heure de %(city)s") % {"city": city}


def _seconds_until_reload(workspace: Workspace, now: datetime) -> int:
    zone = ZoneInfo(workspace.timezone)
    midnight = wall_instant(zone, now.astimezone(zone).date() + timedelta(days=1), 0)
    return int(min(midnight - now + QR_RELOAD_MARGIN, QR_RELOAD_AT_MOST).total_seconds())


@organization_view(admin=True)
def console_qr(request: HttpRequest, membership: Membership, workspace_id: int) -> HttpResponse:
    """Today's code, full screen and printable, for a screen at the entrance; it reloads itself after midnight."""
    workspace = _workspace_or_404(membership, workspace_id)
    now = timezone.now()
    return render(
        request,
        "planning/console_qr.html",
        {
            "workspace": workspace,
            "organization": membership.organization,
            "qr": checkin_codes.qr_svg(checkin_codes.checkin_url(workspace, now)),
            "today": _long_date(now.astimezone(ZoneInfo(workspace.timezone)).date()),
            "reload_seconds": _seconds_until_reload(workspace, now),
            "zone_name": _zone_name(workspace),
        },
    )


# --- Who is where -------------------------------------------------------------------------------------------


Scope = selectors.WhereaboutsScope


def _scopes(membership: Membership) -> list[Scope]:
    """Everyone, me, the people I follow, then one per group I belong to (shared with the API)."""
    return selectors.whereabouts_scopes(membership)


def _scope_user_ids(membership: Membership, scope: str) -> Sequence[int] | None:
    """The people a scope covers, for `selectors.whereabouts` (None: everyone in the organization)."""
    return selectors.whereabouts_scope_user_ids(membership, scope)


@dataclass(frozen=True)
class PersonAt:
    """Someone at a workspace on a day: their going session there (the first one that is not a walk-in)."""

    user: User
    checked_in: bool
    session: Session | None
    span: str


@dataclass(frozen=True)
class DayColumn:
    day: date
    is_today: bool
    places: list[tuple[Workspace, list[PersonAt]]]

    @property
    def people(self) -> int:
        return sum(len(people) for _workspace, people in self.places)


def _people_at(whereabouts: list[selectors.Whereabout], workspace: Workspace) -> list[PersonAt]:
    zone = ZoneInfo(workspace.timezone)
    people = []
    for whereabout in whereabouts:
        planned = next((session for session in whereabout.sessions if not session.is_walk_in), None)
        shown = planned or whereabout.sessions[0]
        people.append(
            PersonAt(
                user=whereabout.user,
                checked_in=whereabout.checked_in,
                session=planned,
                span=_span(shown.start, shown.end, zone),
            )
        )
    return people


@organization_view()
def whereabouts(request: HttpRequest, membership: Membership) -> HttpResponse:
    today = timezone.localdate()
    week_start = selectors.week_of(parse_day(request.GET.get("week"), today))[0]
    week_end = week_start + timedelta(days=6)
    scopes = _scopes(membership)
    scope = request.GET.get("scope", "")
    if scope not in {option.key for option in scopes}:
        scope = "organization"
    workspaces = list(visible_workspaces(membership).only("pk", "name").order_by("name", "pk"))
    chosen = next((w for w in workspaces if str(w.pk) == request.GET.get("workspace", "")), None)
    week = [
        DayColumn(
            day=whereabouts_day.day,
            is_today=whereabouts_day.day == today,
            places=[
                (workspace, _people_at(people, workspace))
                for workspace, people in whereabouts_day.by_workspace
                if chosen is None or workspace.pk == chosen.pk
            ],
        )
        for whereabouts_day in selectors.whereabouts(
            membership, week_start, user_ids=_scope_user_ids(membership, scope)
        )
    ]
    # The desktop grid: a row per workspace somebody goes to this week, a cell per day.
    rows: dict[int, tuple[Workspace, list[tuple[DayColumn, list[PersonAt]]]]] = {}
    for index, column in enumerate(week):
        for workspace, people in column.places:
            cells = rows.setdefault(workspace.pk, (workspace, [(day, []) for day in week]))[1]
            cells[index] = (column, people)

    def link(**changes: object) -> str:
        query: dict[str, object] = {"week": week_start.isoformat(), "scope": scope}
        if chosen is not None:
            query["workspace"] = chosen.pk
        query.update(changes)
        return "?" + urlencode(query)

    context = {
        "week": week,
        "rows": sorted(rows.values(), key=lambda row: (row[0].name, row[0].pk)),
        "week_start": week_start,
        "week_end": week_end,
        "today": today,
        "is_this_week": week_start <= today <= week_end,
        "scopes": [(option, link(scope=option.key), option.key == scope) for option in scopes],
        "scope": scope,
        "workspaces": workspaces,
        "chosen": chosen,
        "previous_week": link(week=(week_start - timedelta(days=7)).isoformat()),
        "next_week": link(week=(week_start + timedelta(days=7)).isoformat()),
        "this_week": link(week=today.isoformat()),
        "is_empty": not any(column.people for column in week),
        "plan_url": _plan_url(membership, chosen, max(today, week_start)),
    }
    return render(request, "planning/whereabouts.html", context)
