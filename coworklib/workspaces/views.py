"""Web pages of workspaces: the members' list, detail, favourites and recently viewed, and the console's pages.

Every page is org-scoped through `organization_view` (404 for outsiders, 403
for plain members on console pages). Workspaces are fetched through
`selectors.get_workspace_for_member`, so an access rule hides one here exactly
as in the API. Views parse a form, call one service or selector, and render; a
service's refusal is shown next to the field it names, over the bound form, so
nothing typed is lost.
"""

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from coworklib.core.errors import DomainError, NotFound
from coworklib.core.tenancy import organization_view
from coworklib.organizations import selectors as organization_selectors
from coworklib.organizations.models import Membership
from coworklib.workspaces import selectors, services
from coworklib.workspaces.forms import (
    AccessForm,
    ClosureForm,
    EquipmentForm,
    FavouriteForm,
    OpeningHoursForm,
    PhotoAltForm,
    PhotoMoveForm,
    PhotoUploadForm,
    WorkspaceForm,
    WorkspaceSearchForm,
)
from coworklib.workspaces.models import Workspace, WorkspaceView
from coworklib.workspaces.opening_hours import DAYS_PER_WEEK, format_wall_time

LIST_PAGE_SIZE = 24
FAVOURITES_PAGE_SIZE = 24
CONSOLE_PAGE_SIZE = 50


# --- Helpers ------------------------------------------------------------------------------------------------


def _workspace_or_404(membership: Membership, workspace_id: int) -> Workspace:
    try:
        return selectors.get_workspace_for_member(membership, workspace_id)
    except NotFound:
        raise Http404 from None


def _show_errors(
    form: forms.Form, exc: DomainError, *, fields: Mapping[str, str] | None = None, default: str | None = None
) -> None:
    """Put a service's refusal next to the field its `errors[].loc` names, else on `default` or atop the form."""
    fields = fields or {}
    placed = False
    for error in exc.extra.get("errors", []):
        location = error.get("loc") or []
        name = fields.get(str(location[0]), str(location[0])) if location else None
        form.add_error(name if name in form.fields else None, str(error.get("msg") or exc.detail))
        placed = True
    if not placed:
        form.add_error(default if default in form.fields else None, exc.detail)


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "")
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < len(raw) < 7 and int(raw) > 0 else 1


def _search_page(
    membership: Membership, filters: selectors.WorkspaceFilters, number: int, size: int
) -> tuple[selectors.WorkspacePage, Page]:
    """One page of `search_workspaces`, and a Paginator page for the links (a number past the end shows the last)."""
    result = selectors.search_workspaces(membership, filters, limit=size, offset=(number - 1) * size)
    last = max(1, -(-result.count // size))
    if number > last:
        number = last
        result = selectors.search_workspaces(membership, filters, limit=size, offset=(number - 1) * size)
    # A range stands in for the rows: the Paginator only does the arithmetic of the links.
    return result, Paginator(range(result.count), size).page(number)


def _zone_note(workspace: Workspace) -> str:
    """ "heure de New York" when the workspace's clock is not the reader's (UI.md), else nothing."""
    if workspace.timezone == timezone.get_current_timezone_name():
        return ""
    city = workspace.timezone.rsplit("/", 1)[-1].replace("_", " ")
    if city[:1].upper() in "AEIOUYH":
        return _("heure d'%(city)s") % {"city": city}
    return _("heure de %(city)s") % {"city": city}


def _clock(instant: datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).strftime("%H:%M")


def _today_hours(status: selectors.DayStatus, zone: ZoneInfo) -> list[str]:
    """The real intervals of the day on the workspace's clock; an interval up to midnight ends at 24:00."""
    texts = []
    for start, end in status.intervals:
        local_end = end.astimezone(zone)
        end_text = "24:00" if local_end.date() > status.day else local_end.strftime("%H:%M")
        texts.append(f"{_clock(start, zone)}–{end_text}")
    return texts


def _next_change_text(detail: selectors.WorkspaceDetail, zone: ZoneInfo, now: datetime) -> str:
    """ "Ferme à 19:00", "Ouvre demain à 08:00", "Ouvre lundi à 08:00", "Ouvre le 2 janvier à 08:00"."""
    if detail.next_change is None:
        return _("Ouvert 24 h/24") if detail.is_open else ""
    local = detail.next_change.astimezone(zone)
    day, clock = local.date(), local.strftime("%H:%M")
    if detail.is_open and clock == "00:00":
        # Closing at midnight reads as the evening's 24:00, not as the next morning.
        day, clock = date.fromordinal(day.toordinal() - 1), "24:00"
    days_ahead = (day - now.astimezone(zone).date()).days
    values = {"time": clock, "weekday": date_format(day, "l"), "date": date_format(day, "j F")}
    if detail.is_open:
        if days_ahead <= 0:
            return _("Ferme à %(time)s") % values
        if days_ahead == 1:
            return _("Ferme demain à %(time)s") % values
        if days_ahead < DAYS_PER_WEEK:
            return _("Ferme %(weekday)s à %(time)s") % values
        return _("Ferme le %(date)s à %(time)s") % values
    if days_ahead <= 0:
        return _("Ouvre à %(time)s") % values
    if days_ahead == 1:
        return _("Ouvre demain à %(time)s") % values
    if days_ahead < DAYS_PER_WEEK:
        return _("Ouvre %(weekday)s à %(time)s") % values
    return _("Ouvre le %(date)s à %(time)s") % values


def _week(detail: selectors.WorkspaceDetail) -> list[dict[str, Any]]:
    """The weekly hours, one row per weekday from Monday, today's marked."""
    by_day: dict[int, list[str]] = {weekday: [] for weekday in range(DAYS_PER_WEEK)}
    for interval in detail.opening_hours:
        by_day[interval.weekday].append(f"{format_wall_time(interval.opens)}–{format_wall_time(interval.closes)}")
    today = detail.today.day.weekday()
    return [
        {"name": WEEKDAYS[weekday], "intervals": by_day[weekday], "is_today": weekday == today}
        for weekday in range(DAYS_PER_WEEK)
    ]


def _map_links(workspace: Workspace) -> dict[str, str] | None:
    """Links that open the address in the reader's maps app (geo:) or on OpenStreetMap: plain links, no map tiles."""
    place = ", ".join(
        part
        for part in (workspace.street, f"{workspace.postal_code} {workspace.city}".strip(), workspace.country)
        if part
    )
    if workspace.latitude is not None and workspace.longitude is not None:
        latitude, longitude = f"{workspace.latitude:.6f}", f"{workspace.longitude:.6f}"
        return {
            "geo": f"geo:{latitude},{longitude}?q={latitude},{longitude}({quote(workspace.name)})",
            "osm": f"https://www.openstreetmap.org/?mlat={latitude}&mlon={longitude}#map=18/{latitude}/{longitude}",
        }
    if workspace.street or workspace.city:
        return {
            "geo": f"geo:0,0?q={quote(place)}",
            "osm": "https://www.openstreetmap.org/search?" + urlencode({"query": place}),
        }
    return None


# --- Members: list, detail, favourites, recently viewed -----------------------------------------------------


@organization_view()
def workspace_list(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = WorkspaceSearchForm(
        request.GET,
        cities=selectors.cities_of(membership),
        catalogue=selectors.equipment_catalogue(membership.organization_id),
    )
    filters = form.filters()
    result, page = _search_page(membership, filters, _page_number(request), LIST_PAGE_SIZE)
    searching = bool(filters.query) or form.active_filter_count() > 0
    context = {
        "form": form,
        "filters": filters,
        "cards": result.items,
        "count": result.count,
        "page": page,
        "searching": searching,
        "filter_count": form.active_filter_count(),
        # Only an empty result needs to know whether the organization has any workspace at all.
        "has_workspaces": bool(result.count) or (searching and selectors.visible_workspaces(membership).exists()),
    }
    return render(request, "workspaces/list.html", context)


@organization_view()
def workspace_detail(request: HttpRequest, membership: Membership, workspace_id: int) -> HttpResponse:
    workspace = _workspace_or_404(membership, workspace_id)
    services.record_view(user=membership.user, workspace=workspace)
    now = timezone.now()
    detail = selectors.workspace_detail(membership.user, workspace, now=now)
    zone = ZoneInfo(workspace.timezone)
    # Imported here: planning and community build on workspaces, not the other way round.
    from coworklib.community.selectors import is_following_workspace
    from coworklib.planning import selectors as planning_selectors
    from coworklib.planning.views.presence import day_overview, parse_day

    # The day shown under the timeline (?date=, else today); presence and check-in are always about now.
    overview = day_overview(membership, workspace, parse_day(request.GET.get("date"), detail.today.day), now=now)
    context = {
        "workspace": workspace,
        "detail": detail,
        "week": _week(detail),
        "today_hours": _today_hours(detail.today, zone),
        "next_change": _next_change_text(detail, zone, now),
        "zone_note": _zone_note(workspace),
        "maps": _map_links(workspace),
        "overview": overview,
        "presence": overview.presence or planning_selectors.presence_at(workspace, now=now),
        "my_check_in": (
            overview.my_check_in
            if overview.is_today
            else planning_selectors.current_check_in(membership.user, workspace, now=now)
        ),
        "is_following": is_following_workspace(membership.user_id, workspace.pk),
    }
    return render(request, "workspaces/detail.html", context)


@organization_view()
@require_POST
def set_favourite(request: HttpRequest, membership: Membership, workspace_id: int) -> HttpResponse:
    """Star or unstar (`action`), with htmx (the new button comes back) or without (back to the page)."""
    workspace = _workspace_or_404(membership, workspace_id)
    form = FavouriteForm(request.POST)
    if not form.is_valid():
        return HttpResponse(status=400)
    is_favourite = form.cleaned_data["action"] == "add"
    if is_favourite:
        services.add_favourite(user=membership.user, workspace=workspace)
    else:
        services.remove_favourite(user=membership.user, workspace=workspace)
    if request.htmx:  # type: ignore[attr-defined]
        return render(
            request,
            "workspaces/_star.html",
            {
                "workspace": workspace,
                "is_favourite": is_favourite,
                "variant": form.cleaned_data["variant"] or "card",
                "next_url": form.cleaned_data["next"],
            },
        )
    if is_favourite:
        messages.success(request, _("« %(name)s » est dans vos favoris.") % {"name": workspace.name})
    else:
        messages.success(request, _("« %(name)s » n'est plus dans vos favoris.") % {"name": workspace.name})
    next_url = form.cleaned_data["next"]
    if next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        return redirect(next_url)
    return redirect("workspaces:detail", slug=membership.organization.slug, workspace_id=workspace.pk)


@organization_view()
def favourites(request: HttpRequest, membership: Membership) -> HttpResponse:
    rows = selectors.favourites_of(membership.user, organization=membership.organization)
    page = Paginator(rows, FAVOURITES_PAGE_SIZE).get_page(request.GET.get("page"))
    cards = selectors.workspace_cards(membership.user, [row.workspace for row in page.object_list])
    return render(
        request,
        "workspaces/favourites.html",
        {"cards": cards, "page": page},
    )


@organization_view()
def recently_viewed(request: HttpRequest, membership: Membership) -> HttpResponse:
    rows = list(
        selectors.recently_viewed_by(membership.user, organization=membership.organization)[: WorkspaceView.VIEWS_KEPT]
    )
    cards = selectors.workspace_cards(membership.user, [row.workspace for row in rows])
    return render(
        request,
        "workspaces/recent.html",
        {"items": list(zip(rows, cards, strict=True))},
    )


# --- Console ------------------------------------------------------------------------------------------------


def _console(
    request: HttpRequest,
    membership: Membership,
    template: str,
    context: dict[str, Any],
    *,
    workspace: Workspace | None = None,
    tab: str = "",
    status: int = 200,
) -> HttpResponse:
    """A console page: the organizations' console layout, on its "Espaces" tab."""
    context = {
        "organization": membership.organization,
        "section": "workspaces",
        "pending_join_requests_count": organization_selectors.count_pending_join_requests(membership.organization),
        "workspace": workspace,
        "tab": tab,
        **context,
    }
    return render(request, template, context, status=status)


def _to_edit(membership: Membership, workspace: Workspace, page: str = "console_edit") -> HttpResponse:
    return redirect(f"workspaces:{page}", slug=membership.organization.slug, workspace_id=workspace.pk)


@organization_view(admin=True)
def console_list(request: HttpRequest, membership: Membership) -> HttpResponse:
    query = request.GET.get("q", "")[:100]
    result, page = _search_page(
        membership,
        selectors.WorkspaceFilters(query=query, include_archived=True),
        _page_number(request),
        CONSOLE_PAGE_SIZE,
    )
    return _console(
        request,
        membership,
        "workspaces/console/list.html",
        {"cards": result.items, "count": result.count, "page": page, "query": query},
    )


@organization_view(admin=True)
def console_create(request: HttpRequest, membership: Membership) -> HttpResponse:
    # A first workspace's form offers the default equipment catalogue, as creating it would.
    services.ensure_default_equipment(membership.organization)
    form = WorkspaceForm(
        request.POST if request.method == "POST" else None,
        catalogue=selectors.equipment_catalogue(membership.organization_id),
        initial={"timezone": membership.user.timezone, "country": "FR"},
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                workspace = services.create_workspace(by=membership, **form.service_arguments())
            except NotFound:
                raise Http404 from None
            except DomainError as exc:
                _show_errors(form, exc)
                status = exc.status
            else:
                messages.success(
                    request,
                    _(
                        "« %(name)s » est créé, ouvert tous les jours 24 h/24 : ajoutez des photos, "
                        "puis réglez ses horaires."
                    )
                    % {"name": workspace.name},
                )
                return _to_edit(membership, workspace, "console_photos")
    return _console(request, membership, "workspaces/console/form.html", {"form": form}, status=status)


@organization_view(admin=True)
def console_edit(request: HttpRequest, membership: Membership, workspace_id: int) -> HttpResponse:
    workspace = _workspace_or_404(membership, workspace_id)
    form = WorkspaceForm(
        request.POST if request.method == "POST" else None,
        catalogue=selectors.equipment_catalogue(membership.organization_id),
        initial=WorkspaceForm.initial_for(
            workspace,
            description=selectors.editable_description(workspace),
            equipment_ids=[item.pk for item in workspace.equipment.all()],
        ),
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.update_workspace(by=membership, workspace=workspace, **form.service_arguments())
            except NotFound:
                raise Http404 from None
            except DomainError as exc:
                _show_errors(form, exc)
                status = exc.status
            else:
                messages.success(
                    request, _("Les informations de « %(name)s » sont enregistrées.") % {"name": workspace.name}
                )
                return _to_edit(membership, workspace)
    return _console(
        request,
        membership,
        "workspaces/console/form.html",
        {"form": form},
        workspace=workspace,
        tab="edit",
        status=status,
    )


@organization_view(admin=True)
@require_POST
def console_archive(request: HttpRequest, membership: Membership, workspace_id: int, archived: bool) -> HttpResponse:
    workspace = _workspace_or_404(membership, workspace_id)
    if archived:
        services.archive_workspace(by=membership, workspace=workspace)
        messages.success(
            request, _("« %(name)s » est archivé : les membres ne le voient plus.") % {"name": workspace.name}
        )
    else:
        services.unarchive_workspace(by=membership, workspace=workspace)
        messages.success(request, _("« %(name)s » est de nouveau visible des membres.") % {"name": workspace.name})
    return _to_edit(membership, workspace)


# --- Console: photos ------------------------------------------------------------------------------------------


def _photos_page(
    request: HttpRequest,
    membership: Membership,
    workspace: Workspace,
    *,
    upload_form: PhotoUploadForm | None = None,
    alt_form: tuple[int, PhotoAltForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    photos = list(selectors.photos_of(workspace))
    rows = [
        (
            photo,
            alt_form[1]
            if alt_form is not None and alt_form[0] == photo.pk
            else PhotoAltForm(initial={"alt_text": photo.alt_text}, prefix=f"photo{photo.pk}"),
        )
        for photo in photos
    ]
    return _console(
        request,
        membership,
        "workspaces/console/photos.html",
        {
            "upload_form": upload_form or PhotoUploadForm(),
            "rows": rows,
            "photos_left": services.PHOTOS_PER_WORKSPACE_MAX - len(photos),
            "photos_max": services.PHOTOS_PER_WORKSPACE_MAX,
        },
        workspace=workspace,
        tab="photos",
        status=status,
    )


@organization_view(admin=True)
def console_photos(request: HttpRequest, membership: Membership, workspace_id: int) -> HttpResponse:
    """The photos; POST uploads one or several (all of them, or none if one is refused)."""
    workspace = _workspace_or_404(membership, workspace_id)
    if request.method != "POST":
        return _photos_page(request, membership, workspace)
    form = PhotoUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _photos_page(request, membership, workspace, upload_form=form, status=422)
    uploads = form.cleaned_data["photos"]
    try:
        photos = services.add_photos(
            by=membership, workspace=workspace, uploads=uploads, alt_text=form.cleaned_data["alt_text"]
        )
    except DomainError as exc:
        for error in exc.extra.get("errors", []):
            location = error.get("loc") or []
            if len(location) == 2 and location[0] == "files" and isinstance(location[1], int):
                # Say which file: several may have been chosen at once.
                error["msg"] = _("%(file)s : %(error)s") % {"file": uploads[location[1]].name, "error": error["msg"]}
        _show_errors(form, exc, fields={"files": "photos"}, default="photos")
        return _photos_page(request, membership, workspace, upload_form=form, status=exc.status)
    messages.success(
        request,
        ngettext("%(count)d photo ajoutée.", "%(count)d photos ajoutées.", len(photos)) % {"count": len(photos)},
    )
    return _to_edit(membership, workspace, "console_photos")


@organization_view(admin=True)
@require_POST
def console_photo_alt(request: HttpRequest, membership: Membership, workspace_id: int, photo_id: int) -> HttpResponse:
    workspace = _workspace_or_404(membership, workspace_id)
    form = PhotoAltForm(request.POST, prefix=f"photo{photo_id}")
    if form.is_valid():
        try:
            services.update_photo(
                by=membership, workspace=workspace, photo_id=photo_id, alt_text=form.cleaned_data["alt_text"]
            )
        except NotFound:
            raise Http404 from None
        except DomainError as exc:
            _show_errors(form, exc, default="alt_text")
        else:
            messages.success(request, _("Le texte alternatif est enregistré."))
            return redirect(reverse("workspaces:console_photos", args=[membership.organization.slug, workspace.pk]))
    return _photos_page(request, membership, workspace, alt_form=(photo_id, form), status=422)


@organization_view(admin=True)
@require_POST
def console_photo_move(request: HttpRequest, membership: Membership, workspace_id: int, photo_id: int) -> HttpResponse:
    workspace = _workspace_or_404(membership, workspace_id)
    form = PhotoMoveForm(request.POST)
    if not form.is_valid():
        return HttpResponse(status=400)
    try:
        services.move_photo(by=membership, workspace=workspace, photo_id=photo_id, offset=form.offset)
    except NotFound:
        raise Http404 from None
    # Back to the same photo, so that a series of moves needs no scrolling.
    url = reverse("workspaces:console_photos", args=[membership.organization.slug, workspace.pk])
    return redirect(f"{url}#photo-{photo_id}")


@organization_view(admin=True)
@require_POST
def console_photo_delete(
    request: HttpRequest, membership: Membership, workspace_id: int, photo_id: int
) -> HttpResponse:
    workspace = _workspace_or_404(membership, workspace_id)
    try:
        services.delete_photo(by=membership, workspace=workspace, photo_id=photo_id)
    except NotFound:
        raise Http404 from None
    messages.success(request, _("La photo est supprimée."))
    return _to_edit(membership, workspace, "console_photos")


# --- Console: hours and closures ----------------------------------------------------------------------------


def _show_hours_errors(form: OpeningHoursForm, exc: DomainError) -> None:
    """The service names intervals by their index in what it was given: put each error on that row's field."""
    errors = exc.extra.get("errors") or [{"loc": [], "msg": exc.detail}]
    for error in errors:
        location = error.get("loc") or []
        field = None
        if len(location) == 3 and isinstance(location[1], int) and 0 <= location[1] < len(form.interval_fields):
            field = form.interval_fields[location[1]].get(str(location[2]))
        form.add_error(field, str(error.get("msg") or exc.detail))


@organization_view(admin=True)
def console_hours(request: HttpRequest, membership: Membership, workspace_id: int) -> HttpResponse:
    """The weekly grid. POST `action`: "save", "add-<weekday>" (one more row) or "copy-monday" (nothing saved)."""
    workspace = _workspace_or_404(membership, workspace_id)
    status = 200
    if request.method != "POST":
        form = OpeningHoursForm(rows=OpeningHoursForm.rows_from_intervals(selectors.weekly_hours(workspace)))
    else:
        rows = OpeningHoursForm.rows_from_data(request.POST)
        action = request.POST.get("action", "save")
        if action == "copy-monday":
            form = OpeningHoursForm(rows=OpeningHoursForm.with_monday_copied(rows))
            messages.info(
                request, _("Les horaires du lundi sont recopiés du mardi au vendredi : vérifiez, puis enregistrez.")
            )
        elif action.startswith("add-") and action[4:].isdigit():
            form = OpeningHoursForm(rows=OpeningHoursForm.with_row_added(rows, int(action[4:])))
        else:
            form = OpeningHoursForm(request.POST, rows=rows)
            status = 422
            if form.is_valid():
                try:
                    services.set_opening_hours(by=membership, workspace=workspace, intervals=form.intervals)
                except DomainError as exc:
                    _show_hours_errors(form, exc)
                    status = exc.status
                else:
                    messages.success(
                        request, _("Les horaires de « %(name)s » sont enregistrés.") % {"name": workspace.name}
                    )
                    _warn_about_sessions_outside_hours(request, workspace)
                    return _to_edit(membership, workspace, "console_hours")
    return _console(
        request,
        membership,
        "workspaces/console/hours.html",
        {"form": form, "zone_note": _zone_note(workspace)},
        workspace=workspace,
        tab="hours",
        status=status,
    )


def _warn_about_sessions_outside_hours(request: HttpRequest, workspace: Workspace) -> None:
    # Imported here: planning builds on workspaces, not the other way round.
    from coworklib.planning.selectors import sessions_outside_hours

    count = len(sessions_outside_hours(workspace))
    if count:
        messages.warning(
            request,
            ngettext(
                "%(count)d session déjà prévue tombe en dehors de ces horaires : elle reste réservée, "
                "prévenez son organisateur ou annulez-la.",
                "%(count)d sessions déjà prévues tombent en dehors de ces horaires : elles restent réservées, "
                "prévenez leurs organisateurs ou annulez-les.",
                count,
            )
            % {"count": count},
        )


@organization_view(admin=True)
def console_closures(request: HttpRequest, membership: Membership, workspace_id: int) -> HttpResponse:
    """The closures; POST adds one."""
    workspace = _workspace_or_404(membership, workspace_id)
    form = ClosureForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                closure = services.add_closure(
                    by=membership,
                    workspace=workspace,
                    start_date=form.cleaned_data["start_date"],
                    end_date=form.cleaned_data["end_date"],
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as exc:
                _show_errors(form, exc)
                status = exc.status
            else:
                messages.success(
                    request, _("La fermeture est enregistrée : les membres la voient sur la page de l'espace.")
                )
                if closure.cancelled_session_ids:
                    count = len(closure.cancelled_session_ids)
                    messages.warning(
                        request,
                        ngettext(
                            "%(count)d session prévue ces jours-là a été annulée.",
                            "%(count)d sessions prévues ces jours-là ont été annulées.",
                            count,
                        )
                        % {"count": count},
                    )
                return _to_edit(membership, workspace, "console_closures")
    today = selectors.local_today(workspace)
    closures = list(selectors.closures_of(workspace))
    return _console(
        request,
        membership,
        "workspaces/console/closures.html",
        {
            "form": form,
            "upcoming": [closure for closure in closures if closure.end_date >= today],
            "past": [closure for closure in closures if closure.end_date < today][::-1],
        },
        workspace=workspace,
        tab="closures",
        status=status,
    )


@organization_view(admin=True)
@require_POST
def console_closure_delete(
    request: HttpRequest, membership: Membership, workspace_id: int, closure_id: int
) -> HttpResponse:
    workspace = _workspace_or_404(membership, workspace_id)
    try:
        services.delete_closure(by=membership, workspace=workspace, closure_id=closure_id)
    except NotFound:
        raise Http404 from None
    messages.success(request, _("La fermeture est supprimée."))
    return _to_edit(membership, workspace, "console_closures")


# --- Console: access ----------------------------------------------------------------------------------------


@organization_view(admin=True)
def console_access(request: HttpRequest, membership: Membership, workspace_id: int) -> HttpResponse:
    workspace = _workspace_or_404(membership, workspace_id)
    rule = selectors.access_rule_of(workspace)
    # Admins and owners always have access: only the others are a choice.
    members = [
        member for member in organization_selectors.search_memberships(membership.organization) if not member.is_admin
    ]
    form = AccessForm(
        request.POST if request.method == "POST" else None,
        members=members,
        groups=list(selectors.groups_of_organization(membership.organization_id)),
        initial={
            "restricted": rule.restricted,
            "allowed_roles": rule.allowed_roles,
            "allowed_members": [user.pk for user in rule.allowed_members],
            "allowed_groups": [group.pk for group in rule.allowed_groups],
        },
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.set_access_rule(
                    by=membership,
                    workspace=workspace,
                    restricted=form.cleaned_data["restricted"],
                    allowed_roles=form.cleaned_data["allowed_roles"],
                    allowed_member_ids=form.cleaned_data["allowed_members"],
                    allowed_group_ids=form.cleaned_data["allowed_groups"],
                )
            except NotFound:
                raise Http404 from None
            except DomainError as exc:
                _show_errors(form, exc)
                status = exc.status
            else:
                messages.success(request, _("L'accès à « %(name)s » est enregistré.") % {"name": workspace.name})
                return _to_edit(membership, workspace, "console_access")
    return _console(
        request,
        membership,
        "workspaces/console/access.html",
        {"form": form},
        workspace=workspace,
        tab="access",
        status=status,
    )


# --- Console: equipment catalogue ---------------------------------------------------------------------------


def _equipment_page(
    request: HttpRequest,
    membership: Membership,
    *,
    add_form: EquipmentForm | None = None,
    edited: tuple[int, EquipmentForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    services.ensure_default_equipment(membership.organization)
    items = [
        (
            item,
            edited[1]
            if edited is not None and edited[0] == item.pk
            else EquipmentForm(initial={"name": item.label, "icon": item.icon}, prefix=f"item{item.pk}"),
        )
        for item in selectors.equipment_catalogue_with_usage(membership.organization_id)
    ]
    return _console(
        request,
        membership,
        "workspaces/console/equipment.html",
        {
            "add_form": add_form or EquipmentForm(prefix="new"),
            "items": items,
            "edited_id": edited[0] if edited else None,
        },
        status=status,
    )


@organization_view(admin=True)
def console_equipment(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The catalogue; POST adds an item."""
    if request.method != "POST":
        return _equipment_page(request, membership)
    form = EquipmentForm(request.POST, prefix="new")
    if form.is_valid():
        try:
            equipment = services.create_equipment(
                by=membership, name=form.cleaned_data["name"], icon=form.cleaned_data["icon"]
            )
        except DomainError as exc:
            _show_errors(form, exc, default="name")
            return _equipment_page(request, membership, add_form=form, status=exc.status)
        messages.success(request, _("« %(name)s » est ajouté au catalogue.") % {"name": equipment.label})
        return redirect("workspaces:console_equipment", slug=membership.organization.slug)
    return _equipment_page(request, membership, add_form=form, status=422)


@organization_view(admin=True)
@require_POST
def console_equipment_update(request: HttpRequest, membership: Membership, equipment_id: int) -> HttpResponse:
    try:
        equipment = selectors.get_equipment_for_member(membership, equipment_id)
    except NotFound:
        raise Http404 from None
    form = EquipmentForm(
        request.POST, prefix=f"item{equipment.pk}", initial={"name": equipment.label, "icon": equipment.icon}
    )
    if form.is_valid():
        try:
            # An unchanged name stays unset: a default item keeps its name in each reader's language.
            services.update_equipment(
                by=membership,
                equipment=equipment,
                name=form.cleaned_data["name"] if "name" in form.changed_data else services.UNSET,
                icon=form.cleaned_data["icon"],
            )
        except DomainError as exc:
            _show_errors(form, exc, default="name")
            return _equipment_page(request, membership, edited=(equipment.pk, form), status=exc.status)
        messages.success(request, _("« %(name)s » est enregistré.") % {"name": equipment.label})
        return redirect(
            reverse("workspaces:console_equipment", args=[membership.organization.slug]) + f"#equipment-{equipment.pk}"
        )
    return _equipment_page(request, membership, edited=(equipment.pk, form), status=422)


@organization_view(admin=True)
@require_POST
def console_equipment_delete(request: HttpRequest, membership: Membership, equipment_id: int) -> HttpResponse:
    try:
        equipment = selectors.get_equipment_for_member(membership, equipment_id)
    except NotFound:
        raise Http404 from None
    name = equipment.label
    services.delete_equipment(by=membership, equipment=equipment)
    messages.success(request, _("« %(name)s » est retiré du catalogue et des espaces qui l'avaient.") % {"name": name})
    return redirect("workspaces:console_equipment", slug=membership.organization.slug)
