"""Session pages: my agenda, planning a session, a session and its actions, the .ics files and the calendar feed.

Org-scoped pages go through `organization_view` (404 for outsiders) and fetch
sessions through `selectors.get_session_for_member`, so a session the member
may not see (another organization, a restricted workspace, an invitation-only
session they are not part of) answers 404 exactly like one that does not
exist. Views parse a form, call one service, and render; a service's refusal
is shown over the bound form (nothing typed is lost) or on the session page.
Times are shown on the workspace's clock, saying which clock when it is not
the reader's.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe

from coworklib.accounts.models import User
from coworklib.community.message_views import session_thread_context
from coworklib.community.models import Group
from coworklib.core.errors import Conflict, DomainError, Forbidden, NotFound
from coworklib.core.tenancy import organization_view
from coworklib.organizations import selectors as organization_selectors
from coworklib.organizations.models import Membership
from coworklib.planning import calendars, selectors, services
from coworklib.planning.forms import CalendarFeedForm, EditSessionForm, InviteForm, PlanSessionForm, SessionTimesForm
from coworklib.planning.models import ParticipantStatus, Session
from coworklib.workspaces import selectors as workspace_selectors
from coworklib.workspaces.models import Workspace

FEED_TOKEN_MAX_LENGTH = 128
# A calendar application polls the feed every few minutes: remember its use, but not on every poll.
DEFAULT_START, DEFAULT_END = time(9, 0), time(17, 0)
# Past this hour, a new session is proposed for tomorrow rather than for a day nearly over.
LATE_IN_THE_DAY = time(16, 0)
FACES_SHOWN = 5

# Where a service's `errors[].loc` goes in the session forms.
FIELD_OF_LOCATION = {"start": "start_time", "end": "end_time", "workspace": "workspace", "group": "group"}
# Errors about the day rather than the hours.
ERRORS_ON_DATE = {"in_the_past", "too_far"}


# --- Presentation helpers -------------------------------------------------------------------------------------


def _user(request: HttpRequest) -> User:
    # login_required has run: the user is a real account.
    user = request.user
    if not isinstance(user, User):
        raise TypeError("an authenticated accounts.User is required")
    return user


def zone_note(zone_name: str) -> str:
    """ "heure de New York" when the workspace's clock is not the reader's (UI.md), else nothing."""
    if zone_name == timezone.get_current_timezone_name():
        return ""
    city = zone_name.rsplit("/", 1)[-1].replace("_", " ")
    if city[:1].upper() in "AEIOUYH":
        return _("heure d'%(city)s") % {"city": city}
    return _("heure de %(city)s") % {"city": city}


def day_label(day: date, today: date | None = None) -> str:
    """ "jeudi 3 décembre" in the reader's language, with the year when it is not this one."""
    today = today or timezone.localdate()
    weekday = date_format(day, "l")
    if day.year != today.year:
        return f"{weekday} {date_format(day, 'DATE_FORMAT')}"
    return f"{weekday} {date_format(day, 'MONTH_DAY_FORMAT')}"


@dataclass
class When:
    """A session's time, on its workspace's clock: "jeudi 3 décembre" + "09:00–17:00" (+ "heure de New York")."""

    day: date
    day_text: str
    hours: str
    zone_note: str

    @property
    def text(self) -> str:
        return f"{self.day_text}, {self.hours}"


def when(workspace: Workspace, start: datetime, end: datetime) -> When:
    zone = ZoneInfo(workspace.timezone)
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    day = local_start.date()
    if local_end.date() == day or (local_end.time() == time(0) and local_end.date() == day + timedelta(days=1)):
        end_text = "24:00" if local_end.date() != day else f"{local_end:%H:%M}"
        hours = f"{local_start:%H:%M}–{end_text}"
    else:
        hours = f"{local_start:%H:%M} – {day_label(local_end.date())}, {local_end:%H:%M}"
    return When(day=day, day_text=day_label(day), hours=hours, zone_note=zone_note(workspace.timezone))


@dataclass
class SessionRow:
    """A session as the agenda and the organization home show it."""

    session: Session
    when: When
    going: list[User]
    my_status: str | None
    is_running: bool

    @property
    def faces(self) -> list[User]:
        return self.going[:FACES_SHOWN]

    @property
    def more_faces(self) -> int:
        return max(len(self.going) - FACES_SHOWN, 0)


def session_rows(sessions: Sequence[Session], viewer_id: int, now: datetime) -> list[SessionRow]:
    rows = []
    for session in sessions:
        mine = selectors.participant_of(session, viewer_id)
        rows.append(
            SessionRow(
                session=session,
                when=when(session.workspace, session.start, session.end),
                going=[p.user for p in selectors.going_participants(session)],
                my_status=mine.status if mine else None,
                is_running=session.start <= now < session.end,
            )
        )
    return rows


@dataclass
class DayGroup:
    day: date
    label: str
    rows: list[SessionRow] = field(default_factory=list)


def by_day(rows: Sequence[SessionRow]) -> list[DayGroup]:
    """Rows grouped by their local date, in the order given; today and tomorrow are named so."""
    today = timezone.localdate()
    groups: list[DayGroup] = []
    for row in rows:
        if not groups or groups[-1].day != row.when.day:
            if row.when.day == today:
                label = _("Aujourd'hui")
            elif row.when.day == today + timedelta(days=1):
                label = _("Demain")
            else:
                label = row.when.day_text
            groups.append(DayGroup(day=row.when.day, label=label))
        groups[-1].rows.append(row)
    return groups


def _session_or_404(membership: Membership, session_id: int) -> Session:
    try:
        session = selectors.get_session_for_member(membership, session_id)
    except NotFound:
        raise Http404 from None
    # A walk-in is the seat a check-in took, not something one plans, joins or invites to.
    if session.is_walk_in:
        raise Http404
    return session


def _session_url(membership: Membership, session: Session) -> str:
    return reverse("planning:session", args=[membership.organization.slug, session.pk])


def _bookable_workspaces(membership: Membership, *, also: Workspace | None = None) -> list[Workspace]:
    workspaces = list(workspace_selectors.visible_workspaces(membership).order_by("name", "id"))
    if also is not None and all(workspace.pk != also.pk for workspace in workspaces):
        workspaces.insert(0, also)
    return workspaces


def _my_groups(membership: Membership, *, also: Group | None = None) -> list[Group]:
    """The groups a session may be shown to from the forms: the member's own (and the session's current one)."""
    groups = list(
        Group.objects.filter(
            organization_id=membership.organization_id, memberships__user_id=membership.user_id
        ).order_by("name", "pk")
    )
    if also is not None and all(group.pk != also.pk for group in groups):
        groups.insert(0, also)
    return groups


def _colleagues(membership: Membership, *, exclude: Collection[int] = ()) -> list[User]:
    return [
        user
        for user in organization_selectors.search_members(membership.organization)
        if user.pk != membership.user_id and user.pk not in exclude
    ]


def _show_errors(form: SessionTimesForm | InviteForm, exc: DomainError) -> None:
    """Put a service's refusal next to the field it is about, else atop the form."""
    placed = False
    for error in exc.extra.get("errors", []):
        location = error.get("loc") or []
        name = str(location[0]) if location else ""
        name = "date" if error.get("type") in ERRORS_ON_DATE else FIELD_OF_LOCATION.get(name, name)
        form.add_error(name if name in form.fields else None, str(error.get("msg") or exc.detail))
        placed = True
    if placed:
        return
    if isinstance(exc, NotFound):
        form.add_error(
            None,
            _("Cet espace ou une des personnes choisies n'est plus disponible : vérifiez vos choix, puis réessayez."),
        )
    else:
        form.add_error(None, exc.detail)


def _conflict_hint(exc: DomainError) -> str:
    """What to do about a refusal (UI.md: errors say what happened and what to do)."""
    hints = {
        "capacity_exceeded": _("Choisissez un autre créneau ou un autre espace."),
        "workspace_closed": _("Choisissez un créneau dans les horaires d'ouverture indiqués sous la date."),
        "overlapping_session": _("Quittez d'abord l'autre session, ou choisissez un autre créneau."),
        "busy": _("Rien n'a été enregistré : réessayez."),
    }
    return hints.get(exc.code, "")


@dataclass
class DayHint:
    """The chosen workspace on the chosen day: its hours and its free seats (the planning form's helper)."""

    workspace: Workspace
    day: date
    day_text: str
    hours: list[str]
    closed_reason: str
    free_seats: int
    state: str
    percent: int
    zone_note: str


def _day_hint(workspace: Workspace | None, day: date | None) -> DayHint | None:
    if workspace is None or day is None:
        return None
    status = workspace_selectors.day_status(workspace, day)
    free = selectors.free_seats_on([workspace], day)[workspace.pk]
    zone = ZoneInfo(workspace.timezone)
    hours = []
    for start, end in status.intervals:
        local_end = end.astimezone(zone)
        end_text = "24:00" if local_end.date() > day else f"{local_end:%H:%M}"
        hours.append(f"{start.astimezone(zone):%H:%M}–{end_text}")
    is_open = status.state == "open"
    return DayHint(
        workspace=workspace,
        day=day,
        day_text=day_label(day),
        hours=hours,
        closed_reason=status.closure_reason,
        free_seats=free,
        state=workspace_selectors.seat_availability(is_open=is_open, free_seats=free, capacity=workspace.capacity),
        percent=workspace_selectors.occupied_percent(free_seats=free, capacity=workspace.capacity),
        zone_note=zone_note(workspace.timezone),
    )


def _hint_for(form: SessionTimesForm) -> DayHint | None:
    """The hint for what the form shows: what was typed, else its initial values."""
    workspace_value = form["workspace"].value()
    date_value = form["date"].value()
    try:
        day = date_value if isinstance(date_value, date) else date.fromisoformat(str(date_value))
    except ValueError:
        return None
    return _day_hint(form.workspaces.get(workspace_selectors.as_id(workspace_value) or 0), day)


# --- Agenda ---------------------------------------------------------------------------------------------------


@organization_view()
@require_GET
def agenda(request: HttpRequest, membership: Membership) -> HttpResponse:
    now = timezone.now()
    mine = selectors.agenda_of(membership, now=now)
    upcoming = session_rows(mine.upcoming, membership.user_id, now)
    context = {
        "invitations": session_rows(mine.invitations, membership.user_id, now),
        "upcoming_days": by_day(upcoming),
        "past": session_rows(mine.past, membership.user_id, now),
    }
    return render(request, "planning/agenda.html", context)


# --- Plan -----------------------------------------------------------------------------------------------------


def _plan_initial(request: HttpRequest, workspaces: Sequence[Workspace]) -> dict[str, Any]:
    wanted = workspace_selectors.as_id(request.GET.get("workspace", ""))
    chosen = next((workspace for workspace in workspaces if workspace.pk == wanted), None)
    if chosen is None and len(workspaces) == 1:
        chosen = workspaces[0]
    try:
        day = date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        local_now = timezone.localtime()
        day = local_now.date() + timedelta(days=1 if local_now.time() >= LATE_IN_THE_DAY else 0)
    return {
        "workspace": chosen.pk if chosen else None,
        "date": day,
        "start_time": DEFAULT_START,
        "end_time": DEFAULT_END,
        "visibility": "organization",
    }


def _plan_page(
    request: HttpRequest, form: PlanSessionForm, *, status: int = 200, conflict: DomainError | None = None
) -> HttpResponse:
    context = {
        "form": form,
        "hint": _hint_for(form),
        "conflict_hint": _conflict_hint(conflict) if conflict else "",
        "conflict_code": conflict.code if conflict else "",
        "skipped": _skipped_from(conflict) if conflict else [],
    }
    return render(request, "planning/plan.html", context, status=status)


def _skipped_from(exc: DomainError) -> list[dict[str, str]]:
    skipped = []
    for item in exc.extra.get("skipped", []):
        try:
            day = date.fromisoformat(item["date"])
        except (KeyError, ValueError):
            continue
        skipped.append({"day": day_label(day), "reason": item.get("reason", "")})
    return skipped


@organization_view()
@require_http_methods(["GET", "POST"])
def plan_session(request: HttpRequest, membership: Membership) -> HttpResponse:
    workspaces = _bookable_workspaces(membership)
    if request.method != "POST":
        if request.htmx and request.GET.get("hint"):  # type: ignore[attr-defined]
            # The workspace or the date changed in the form: its hours and free seats that day.
            form = PlanSessionForm(request.GET, workspaces=workspaces, colleagues=[])
            chosen = form.workspaces.get(workspace_selectors.as_id(request.GET.get("workspace", "")) or 0)
            try:
                day: date | None = date.fromisoformat(request.GET.get("date", ""))
            except ValueError:
                day = None
            return render(request, "planning/_session_day_hint.html", {"hint": _day_hint(chosen, day)})
        form = PlanSessionForm(
            initial=_plan_initial(request, workspaces),
            workspaces=workspaces,
            colleagues=_colleagues(membership),
            groups=_my_groups(membership),
        )
        return _plan_page(request, form)

    form = PlanSessionForm(
        request.POST, workspaces=workspaces, colleagues=_colleagues(membership), groups=_my_groups(membership)
    )
    if not form.is_valid():
        return _plan_page(request, form, status=422)
    workspace, start, end = form.booking()
    arguments: dict[str, Any] = {
        "by": membership,
        "workspace": workspace,
        "start": start,
        "end": end,
        "description": form.cleaned_data["description"],
        "visibility": form.cleaned_data["visibility"],
        "group": form.cleaned_data["group"],
        "invitee_ids": form.cleaned_data["invitees"],
    }
    try:
        if form.cleaned_data["repeat"]:
            result = services.create_recurring_sessions(
                **arguments, weekdays=form.cleaned_data["weekdays"], until=form.cleaned_data["until"]
            )
        else:
            session = services.create_session(**arguments)
    except DomainError as exc:
        _show_errors(form, exc)
        return _plan_page(request, form, status=exc.status, conflict=exc if isinstance(exc, Conflict) else None)

    if not form.cleaned_data["repeat"]:
        messages.success(request, _("Votre session est planifiée."))
        return redirect(_session_url(membership, session))
    messages.success(
        request,
        ngettext("%(count)d session est planifiée.", "%(count)d sessions sont planifiées.", len(result.sessions))
        % {"count": len(result.sessions)},
    )
    for skipped in result.skipped:
        # Never silently dropped: each date that could not be booked is named, with its reason.
        messages.warning(
            request,
            _("Pas de session le %(day)s : %(reason)s") % {"day": day_label(skipped.day), "reason": skipped.reason},
        )
    return redirect("planning:agenda", slug=membership.organization.slug)


# --- A session ------------------------------------------------------------------------------------------------


def _detail_page(
    request: HttpRequest,
    membership: Membership,
    session: Session,
    *,
    invite_form: InviteForm | None = None,
    action_error: DomainError | None = None,
    status: int = 200,
) -> HttpResponse:
    now = timezone.now()
    participants = list(session.participants.all())
    mine = selectors.participant_of(session, membership.user_id)
    is_organizer = session.organizer_id == membership.user_id
    is_over = session.end <= now
    is_active = not session.is_cancelled and not is_over
    is_going = mine is not None and mine.status == ParticipantStatus.GOING
    may_invite = is_active and (is_organizer or is_going)
    if may_invite and invite_form is None:
        already = {p.user_id for p in participants if p.status != ParticipantStatus.DECLINED}
        invite_form = InviteForm(colleagues=_colleagues(membership, exclude=already))
    going = [p for p in participants if p.status == ParticipantStatus.GOING]
    successor = next((p.user for p in going if p.user_id != membership.user_id), None)
    free_seats = selectors.free_seats_during(session, now) if is_active else None
    capacity = session.workspace.capacity
    context = {
        "session": session,
        "when": when(session.workspace, session.start, session.end),
        "mine": mine,
        "my_status": mine.status if mine else None,
        "is_organizer": is_organizer,
        "is_over": is_over,
        "is_running": session.start <= now < session.end and not session.is_cancelled,
        "is_active": is_active,
        "may_edit": is_active and is_organizer,
        "may_cancel": is_active and (is_organizer or membership.is_admin),
        "may_invite": may_invite,
        "invite_form": invite_form if may_invite else None,
        "going": going,
        "invited": [p for p in participants if p.status == ParticipantStatus.INVITED],
        "declined": [p for p in participants if p.status == ParticipantStatus.DECLINED],
        "successor": successor,
        "free_seats": free_seats,
        "seats_state": workspace_selectors.seat_availability(
            is_open=True, free_seats=free_seats or 0, capacity=capacity
        ),
        "seats_percent": workspace_selectors.occupied_percent(free_seats=free_seats or 0, capacity=capacity),
        "workspace_day": when(session.workspace, session.start, session.end).day.isoformat(),
        "action_error": action_error,
        "action_hint": _conflict_hint(action_error) if action_error else "",
        "thread": session_thread_context(membership, session),
    }
    return render(request, "planning/session_detail.html", context, status=status)


@organization_view()
@require_GET
def session_detail(request: HttpRequest, membership: Membership, session_id: int) -> HttpResponse:
    return _detail_page(request, membership, _session_or_404(membership, session_id))


def _edit_page(
    request: HttpRequest, membership: Membership, session: Session, form: EditSessionForm, *, status: int = 200
) -> HttpResponse:
    going = [p for p in session.participants.all() if p.status == ParticipantStatus.GOING]
    context = {
        "session": session,
        "form": form,
        "when": when(session.workspace, session.start, session.end),
        "hint": _hint_for(form),
        "others_going": [p.user for p in going if p.user_id != membership.user_id],
        # A session over several days keeps its end date in view.
        "show_end_date": bool(form["end_date"].value()) or bool(form.errors.get("end_date")),
    }
    return render(request, "planning/session_edit.html", context, status=status)


@organization_view()
@require_http_methods(["GET", "POST"])
def edit_session(request: HttpRequest, membership: Membership, session_id: int) -> HttpResponse:
    session = _session_or_404(membership, session_id)
    if session.organizer_id != membership.user_id:
        raise PermissionDenied(_("Seul l'organisateur peut modifier cette session."))
    if session.is_cancelled or session.end <= timezone.now():
        messages.info(request, _("Cette session est terminée ou annulée : elle ne peut plus être modifiée."))
        return redirect(_session_url(membership, session))
    workspaces = _bookable_workspaces(membership, also=session.workspace)
    initial = EditSessionForm.initial_for(
        workspace=session.workspace,
        start=session.start,
        end=session.end,
        description=session.description,
        visibility=session.visibility,
        group_id=session.group_id,
    )
    groups = _my_groups(membership, also=session.group)
    if request.method != "POST":
        return _edit_page(
            request, membership, session, EditSessionForm(initial=initial, workspaces=workspaces, groups=groups)
        )

    form = EditSessionForm(request.POST, initial=initial, workspaces=workspaces, groups=groups)
    if not form.is_valid():
        return _edit_page(request, membership, session, form, status=422)
    workspace, start, end = form.booking()
    moved = (start, end, workspace.pk) != (session.start, session.end, session.workspace_id)
    going_before = {p.user_id for p in session.participants.all() if p.status == ParticipantStatus.GOING}
    new_visibility, new_group = form.cleaned_data["visibility"], form.cleaned_data["group"]
    audience_changed = new_visibility != session.visibility or (
        new_visibility == "group" and new_group != session.group_id
    )
    try:
        services.update_session(
            by=membership,
            session=session,
            start=start if moved else services.UNSET,
            end=end if moved else services.UNSET,
            workspace=workspace if workspace.pk != session.workspace_id else services.UNSET,
            description=form.cleaned_data["description"],
            visibility=form.cleaned_data["visibility"],
            # Sent only when it changed: keeping the session's group is allowed even to one who has left it.
            group=form.cleaned_data["group"] if audience_changed else services.UNSET,
        )
    except Forbidden as exc:
        raise PermissionDenied(exc.detail) from None
    except DomainError as exc:
        _show_errors(form, exc)
        return _edit_page(request, membership, session, form, status=exc.status)

    updated = _session_or_404(membership, session.pk)
    reconfirm = [
        p.user.display_name
        for p in updated.participants.all()
        if p.user_id in going_before and p.status == ParticipantStatus.INVITED
    ]
    messages.success(request, _("La session est modifiée."))
    if reconfirm:
        messages.warning(
            request,
            ngettext(
                "%(names)s participe déjà à une autre session à ce nouveau créneau : cette personne doit confirmer "
                "à nouveau.",
                "%(names)s participent déjà à une autre session à ce nouveau créneau : ces personnes doivent "
                "confirmer à nouveau.",
                len(reconfirm),
            )
            % {"names": ", ".join(reconfirm)},
        )
    return redirect(_session_url(membership, session))


# --- Actions --------------------------------------------------------------------------------------------------


def _after_action(request: HttpRequest, membership: Membership, session: Session) -> HttpResponse:
    """Back where the action was taken: the agenda's invitations, else the session."""
    if request.POST.get("return_to") == "agenda":
        return redirect("planning:agenda", slug=membership.organization.slug)
    return redirect(_session_url(membership, session))


def _refused(request: HttpRequest, membership: Membership, session: Session, exc: DomainError) -> HttpResponse:
    if isinstance(exc, NotFound):
        raise Http404
    if isinstance(exc, Forbidden):
        raise PermissionDenied(exc.detail)
    # The session as it is now: the refusal may come from a change someone else just made.
    return _detail_page(
        request, membership, _session_or_404(membership, session.pk), action_error=exc, status=exc.status
    )


@organization_view()
@require_POST
def join(request: HttpRequest, membership: Membership, session_id: int) -> HttpResponse:
    session = _session_or_404(membership, session_id)
    was_invited = (mine := selectors.participant_of(session, membership.user_id)) is not None and (
        mine.status == ParticipantStatus.INVITED
    )
    try:
        services.join_session(by=membership, session=session)
    except DomainError as exc:
        return _refused(request, membership, session, exc)
    if was_invited:
        messages.success(request, _("Invitation acceptée : votre place est réservée."))
    else:
        messages.success(request, _("C'est noté, vous venez : votre place est réservée."))
    return _after_action(request, membership, session)


@organization_view()
@require_POST
def leave(request: HttpRequest, membership: Membership, session_id: int) -> HttpResponse:
    session = _session_or_404(membership, session_id)
    was_organizer = session.organizer_id == membership.user_id
    try:
        services.leave_session(by=membership, session=session)
    except DomainError as exc:
        return _refused(request, membership, session, exc)
    messages.success(request, _("Vous ne participez plus à cette session : votre place est libérée."))
    if was_organizer and session.is_cancelled:
        messages.info(request, _("Personne d'autre n'y participait : la session est annulée."))
    elif was_organizer and session.organizer_id != membership.user_id:
        # The participants were read before leaving: the new organizer is among them.
        successor = selectors.participant_of(session, session.organizer_id or 0)
        if successor is not None:
            messages.info(request, _("%(name)s organise désormais la session.") % {"name": successor.user.display_name})
    return _after_action(request, membership, session)


@organization_view()
@require_POST
def decline(request: HttpRequest, membership: Membership, session_id: int) -> HttpResponse:
    session = _session_or_404(membership, session_id)
    try:
        services.decline_session(by=membership, session=session)
    except DomainError as exc:
        return _refused(request, membership, session, exc)
    messages.success(request, _("Invitation déclinée."))
    return _after_action(request, membership, session)


@organization_view()
@require_POST
def invite(request: HttpRequest, membership: Membership, session_id: int) -> HttpResponse:
    session = _session_or_404(membership, session_id)
    already = {p.user_id for p in session.participants.all() if p.status != ParticipantStatus.DECLINED}
    form = InviteForm(request.POST, colleagues=_colleagues(membership, exclude=already))
    if not form.is_valid():
        return _detail_page(request, membership, session, invite_form=form, status=422)
    try:
        invited = services.invite_to_session(by=membership, session=session, user_ids=form.cleaned_data["invitees"])
    except (NotFound, Forbidden) as exc:
        return _refused(request, membership, session, exc)
    except DomainError as exc:
        _show_errors(form, exc)
        return _detail_page(request, membership, session, invite_form=form, status=exc.status)
    messages.success(
        request,
        ngettext("%(count)d personne est invitée.", "%(count)d personnes sont invitées.", len(invited))
        % {"count": len(invited)},
    )
    return redirect(_session_url(membership, session))


@organization_view()
@require_POST
def cancel(request: HttpRequest, membership: Membership, session_id: int) -> HttpResponse:
    session = _session_or_404(membership, session_id)
    try:
        services.cancel_session(by=membership, session=session)
    except DomainError as exc:
        return _refused(request, membership, session, exc)
    messages.success(request, _("La session est annulée : les places sont libérées."))
    return redirect(_session_url(membership, session))


@organization_view()
@require_GET
def session_ics(request: HttpRequest, membership: Membership, session_id: int) -> HttpResponse:
    session = _session_or_404(membership, session_id)
    response = HttpResponse(
        calendars.session_ics(session, language=get_language()), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="session-{session.pk}.ics"'
    return response


# --- Calendar feed --------------------------------------------------------------------------------------------


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def calendar_settings(request: HttpRequest) -> HttpResponse:
    """The personal feed: create or renew its secret address (shown once: only a hash is kept), or switch it off."""
    user = _user(request)
    feed_url = ""
    if request.method == "POST":
        form = CalendarFeedForm(request.POST)
        if not form.is_valid():
            return HttpResponse(status=400)
        if form.cleaned_data["action"] == "revoke":
            services.revoke_calendar_feed(user=user)
            messages.success(request, _("Votre adresse d'agenda est désactivée : elle ne montre plus rien."))
            return redirect("planning:calendar_settings")
        raw_token = services.reset_calendar_feed(user=user)
        # Shown in this response only: it is not stored anywhere, not even in the session.
        feed_url = request.build_absolute_uri(reverse("planning:feed", args=[raw_token]))
    context = {
        "feed": selectors.calendar_feed_of(user),
        "feed_url": feed_url,
        "webcal_url": "webcal://" + feed_url.split("://", 1)[1] if feed_url else "",
        "settings_section": "calendar",
    }
    return render(request, "planning/calendar_settings.html", context)


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The secret address a calendar application polls, without any session: 404 for an unknown token."""
    if not token or len(token) > FEED_TOKEN_MAX_LENGTH:
        raise Http404
    try:
        user = services.open_calendar_feed(token=token)
    except NotFound:
        raise Http404 from None
    response = HttpResponse(calendars.feed_ics(user), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response


# --- The organization home's block ------------------------------------------------------------------------------

HOME_SESSIONS_SHOWN = 3


def home_sessions(membership: Membership) -> dict[str, Any]:
    """ "Vos prochaines sessions" on the organization home: the next few, and how many invitations wait."""
    now = timezone.now()
    mine = selectors.agenda_of(membership, now=now, past_limit=0, upcoming_limit=HOME_SESSIONS_SHOWN)
    # Counted apart: the agenda's list of invitations stops at the few the home shows.
    pending = selectors.agenda_sessions(
        membership.user, "invitations", organization_id=membership.organization_id, now=now
    ).count()
    return {"next_sessions": session_rows(mine.upcoming, membership.user_id, now), "pending_invitations": pending}
