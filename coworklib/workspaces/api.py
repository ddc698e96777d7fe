"""Workspace endpoints under /api/v1: parse, call one selector or service, shape the answer.

Organization-scoped paths take the organization's id or slug (`{org}`);
workspace paths find the caller's membership through the workspace. Anything
outside the caller's organizations, or hidden from them by an access rule, is
a 404; a member calling an admin endpoint on a workspace they can see is a 403.
"""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.http import HttpRequest
from ninja import File, Form, Path, Query, Router, Status
from ninja.files import UploadedFile

from coworklib.accounts.models import User
from coworklib.api.schemas import CONFLICT_ERRORS, READ_ERRORS, WRITE_ERRORS, ErrorOut
from coworklib.core.media import signed_media_path
from coworklib.organizations.models import Membership, Organization
from coworklib.organizations.selectors import ensure_admin_access, get_membership_for_user
from coworklib.workspaces import selectors, services
from coworklib.workspaces.models import Closure, Equipment, OpeningInterval, Workspace, WorkspacePhoto
from coworklib.workspaces.opening_hours import WeeklyInterval, format_wall_time, parse_wall_time
from coworklib.workspaces.schemas import (
    MAX_ID,
    AccessIn,
    AccessOut,
    AddressIn,
    ClosureCreatedOut,
    ClosureIn,
    ClosureListQuery,
    ClosurePageOut,
    EquipmentIn,
    EquipmentOut,
    EquipmentPageOut,
    EquipmentPatch,
    FavouritePageOut,
    FavouriteStateOut,
    ListScopeQuery,
    OpeningHoursIn,
    OpeningHoursSetIn,
    OpeningHoursSetOut,
    PageIn,
    PhotoListOut,
    PhotoOrderIn,
    PhotoUploadForm,
    ViewedPageOut,
    WorkspaceIn,
    WorkspaceListQuery,
    WorkspaceOut,
    WorkspacePageOut,
    WorkspacePatch,
    page,
)

router = Router(tags=["workspaces"])


WorkspaceId = Path(..., ge=1, le=MAX_ID, description="Workspace id")
ChildId = Path(..., ge=1, le=MAX_ID)
PhotoFiles = File(..., min_length=1, max_length=services.PHOTOS_PER_WORKSPACE_MAX, description="JPEG, PNG, WebP or GIF")


# --- Shaping answers ----------------------------------------------------------------------------------------


def _caller(request: HttpRequest) -> User:
    # Set by coworklib.api.auth (bearer token or session cookie) before any endpoint runs.
    user: User = request.auth  # type: ignore[attr-defined]
    return user


def _media_url(request: HttpRequest, name: str) -> str:
    # Signed for the caller: the app fetches photos with no session cookie (core.media).
    return request.build_absolute_uri(signed_media_path(name, viewer_id=_caller(request).pk))


def _equipment_out(item: Equipment) -> dict[str, Any]:
    return {"id": item.pk, "key": item.key, "name": item.label, "icon": item.icon}


def _photo_out(request: HttpRequest, photo: WorkspacePhoto) -> dict[str, Any]:
    return {
        "id": photo.pk,
        "url": _media_url(request, str(photo.image.name)),
        "thumbnail_url": _media_url(request, str(photo.thumbnail.name)),
        "position": photo.position,
        "width": photo.width,
        "height": photo.height,
        "alt_text": photo.alt_text,
    }


def _hours_out(interval: OpeningInterval) -> dict[str, Any]:
    return {
        "weekday": interval.weekday,
        "opens": format_wall_time(interval.opens),
        "closes": format_wall_time(interval.closes),
    }


def _closure_out(closure: Closure) -> dict[str, Any]:
    return {"id": closure.pk, "start_date": closure.start_date, "end_date": closure.end_date, "reason": closure.reason}


def _card_out(request: HttpRequest, card: selectors.WorkspaceCard) -> dict[str, Any]:
    workspace = card.workspace
    cover = card.cover
    return {
        "id": workspace.pk,
        "organization": workspace.organization_id,
        "name": workspace.name,
        "kind": workspace.kind,
        "capacity": workspace.capacity,
        "free_seats": card.free_seats,
        "is_open": card.is_open,
        "timezone": workspace.timezone,
        "city": workspace.city,
        "country": workspace.country,
        "equipment": [_equipment_out(item) for item in workspace.equipment.all()],
        "cover": _photo_out(request, cover) if cover is not None else None,
        "is_favourite": card.is_favourite,
        "archived": workspace.is_archived,
        "restricted": workspace.restricted,
    }


def _local(instant: datetime | None, workspace: Workspace) -> datetime | None:
    # API.md: datetimes carry an offset; the workspace's own is the useful one.
    return instant.astimezone(ZoneInfo(workspace.timezone)) if instant is not None else None


def _detail_out(request: HttpRequest, user: Any, workspace: Workspace) -> dict[str, Any]:
    detail = selectors.workspace_detail(user, workspace)
    today = detail.today
    return {
        "id": workspace.pk,
        "organization": workspace.organization_id,
        "name": workspace.name,
        "description": str(workspace.description_html),
        "kind": workspace.kind,
        "capacity": workspace.capacity,
        "free_seats": detail.free_seats,
        "is_open": detail.is_open,
        "timezone": workspace.timezone,
        "address": {
            "street": workspace.street,
            "postal_code": workspace.postal_code,
            "city": workspace.city,
            "country": workspace.country,
            "coordinates": (
                {"latitude": workspace.latitude, "longitude": workspace.longitude}
                if workspace.latitude is not None and workspace.longitude is not None
                else None
            ),
        },
        "opening_hours": [_hours_out(interval) for interval in detail.opening_hours],
        "closures": [_closure_out(closure) for closure in detail.upcoming_closures],
        "today": {
            "date": today.day,
            "status": today.state,
            "closure_reason": today.closure_reason or None,
            "intervals": [
                {"start": _local(start, workspace), "end": _local(end, workspace)} for start, end in today.intervals
            ],
        },
        "next_change": _local(detail.next_change, workspace),
        "equipment": [_equipment_out(item) for item in detail.equipment],
        "photos": [_photo_out(request, photo) for photo in detail.photos],
        "is_favourite": detail.is_favourite,
        "archived": workspace.is_archived,
        "restricted": workspace.restricted,
        "created_at": workspace.created_at,
        "updated_at": workspace.updated_at,
    }


def _intervals(items: list[OpeningHoursIn]) -> list[WeeklyInterval]:
    # The patterns of OpeningHoursIn have already vouched for the format.
    return [
        WeeklyInterval(
            weekday=item.weekday,
            opens=parse_wall_time(item.opens),
            closes=parse_wall_time(item.closes, closing=True),
        )
        for item in items
    ]


def _admin_workspace(request: HttpRequest, workspace_id: int) -> tuple[Membership, Workspace]:
    """An admin's membership and workspace: 404 if they cannot see it, 403 if they are not an admin."""
    membership, workspace = selectors.get_membership_and_workspace(_caller(request), workspace_id)
    ensure_admin_access(membership)
    return membership, workspace


def _scope(user: Any, org: str | None) -> Organization | None:
    return get_membership_for_user(user, org).organization if org else None


# --- Organization-wide: list, create, equipment catalogue ---------------------------------------------------


@router.get("/organizations/{org}/workspaces", response={200: WorkspacePageOut, **READ_ERRORS})
def list_workspaces(
    request: HttpRequest, org: str, filters: Query[WorkspaceListQuery], pagination: Query[PageIn]
) -> Any:
    """The workspaces the caller may see, by name. `is_open`: open now, or with `date` open at some point that day.

    `free_seats` is for `date`, else today. Archived workspaces are left out
    unless an admin asks with `include_archived=true`.
    """
    membership = get_membership_for_user(_caller(request), org)
    result = selectors.search_workspaces(
        membership,
        selectors.WorkspaceFilters(
            query=filters.q,
            city=filters.city,
            kind=filters.kind or "",
            equipment_ids=tuple(filters.equipment),
            open_now=filters.open_now,
            open_on=filters.open_on,
            day=filters.date,
            min_free_seats=filters.min_free_seats,
            include_archived=filters.include_archived,
        ),
        limit=pagination.limit,
        offset=pagination.offset,
    )
    return page([_card_out(request, card) for card in result.items], result.count)


@router.post("/organizations/{org}/workspaces", response={201: WorkspaceOut, **WRITE_ERRORS})
def create_workspace(request: HttpRequest, org: str, data: WorkspaceIn) -> Any:
    """Create a workspace (owners and admins). Without `opening_hours` it is open every day 00:00–24:00."""
    membership = get_membership_for_user(_caller(request), org)
    address = data.address or AddressIn.model_validate({})
    coordinates = address.coordinates
    workspace = services.create_workspace(
        by=membership,
        name=data.name,
        capacity=data.capacity,
        timezone=data.timezone,
        description=data.description,
        kind=data.kind,
        street=address.street,
        postal_code=address.postal_code,
        city=address.city,
        country=address.country,
        latitude=coordinates.latitude if coordinates else None,
        longitude=coordinates.longitude if coordinates else None,
        equipment_ids=data.equipment,
        opening_hours=_intervals(data.opening_hours) if data.opening_hours is not None else None,
    )
    workspace = selectors.get_workspace_for_member(membership, workspace.pk)
    return Status(201, _detail_out(request, membership.user, workspace))


@router.get("/organizations/{org}/equipment", response={200: EquipmentPageOut, **READ_ERRORS})
def list_equipment(request: HttpRequest, org: str, pagination: Query[PageIn]) -> Any:
    """The organization's equipment catalogue (the default one until an admin edits it)."""
    membership = get_membership_for_user(_caller(request), org)
    services.ensure_default_equipment(membership.organization)
    catalogue = selectors.equipment_catalogue(membership.organization_id)
    items = list(catalogue[pagination.offset : pagination.offset + pagination.limit])
    return page([_equipment_out(item) for item in items], catalogue.count())


@router.post("/organizations/{org}/equipment", response={201: EquipmentOut, **CONFLICT_ERRORS})
def create_equipment(request: HttpRequest, org: str, data: EquipmentIn) -> Any:
    membership = get_membership_for_user(_caller(request), org)
    equipment = services.create_equipment(by=membership, name=data.name, icon=data.icon)
    return Status(201, _equipment_out(equipment))


@router.patch("/organizations/{org}/equipment/{id}", response={200: EquipmentOut, **CONFLICT_ERRORS})
def update_equipment(request: HttpRequest, org: str, data: EquipmentPatch, id: int = ChildId) -> Any:
    membership = get_membership_for_user(_caller(request), org)
    ensure_admin_access(membership)
    equipment = selectors.get_equipment_for_member(membership, id)
    sent = data.model_fields_set
    equipment = services.update_equipment(
        by=membership,
        equipment=equipment,
        name=data.name if "name" in sent else services.UNSET,
        icon=data.icon if "icon" in sent else services.UNSET,
    )
    return _equipment_out(equipment)


@router.delete("/organizations/{org}/equipment/{id}", response={204: None, **WRITE_ERRORS})
def delete_equipment(request: HttpRequest, org: str, id: int = ChildId) -> Any:
    """Remove an item from the catalogue and from every workspace that had it."""
    membership = get_membership_for_user(_caller(request), org)
    ensure_admin_access(membership)
    services.delete_equipment(by=membership, equipment=selectors.get_equipment_for_member(membership, id))
    return Status(204, None)


# --- One workspace ------------------------------------------------------------------------------------------


@router.get("/workspaces/{id}", response={200: WorkspaceOut, **READ_ERRORS})
def get_workspace(request: HttpRequest, id: int = WorkspaceId) -> Any:
    """A workspace's detail; viewing it adds it to the caller's recently viewed workspaces."""
    membership, workspace = selectors.get_membership_and_workspace(_caller(request), id)
    services.record_view(user=membership.user, workspace=workspace)
    return _detail_out(request, membership.user, workspace)


@router.patch("/workspaces/{id}", response={200: WorkspaceOut, **CONFLICT_ERRORS})
def update_workspace(request: HttpRequest, data: WorkspacePatch, id: int = WorkspaceId) -> Any:
    """Change the fields sent (owners and admins). `equipment` replaces the list; address fields change one by one.

    409 `sessions_over_capacity` when a lower `capacity` is below the participants of coming sessions."""
    membership, workspace = _admin_workspace(request, id)
    sent = data.model_fields_set
    changes: dict[str, Any] = {
        field: getattr(data, field)
        for field in ("name", "capacity", "timezone", "description", "kind")
        if field in sent
    }
    if "equipment" in sent:
        changes["equipment_ids"] = data.equipment
    if "address" in sent:
        address = data.address
        changes.update(
            {
                field: getattr(address, field)
                for field in ("street", "postal_code", "city", "country")
                if field in address.model_fields_set
            }
        )
        if "coordinates" in address.model_fields_set:
            coordinates = address.coordinates
            changes["latitude"] = coordinates.latitude if coordinates else None
            changes["longitude"] = coordinates.longitude if coordinates else None
    services.update_workspace(by=membership, workspace=workspace, **changes)
    workspace = selectors.get_workspace_for_member(membership, workspace.pk)
    return _detail_out(request, membership.user, workspace)


@router.post("/workspaces/{id}/archive", response={200: WorkspaceOut, **WRITE_ERRORS})
def archive_workspace(request: HttpRequest, id: int = WorkspaceId) -> Any:
    """Hide the workspace from members everywhere; admins still see it (idempotent)."""
    membership, workspace = _admin_workspace(request, id)
    workspace = services.archive_workspace(by=membership, workspace=workspace)
    return _detail_out(request, membership.user, workspace)


@router.post("/workspaces/{id}/unarchive", response={200: WorkspaceOut, **WRITE_ERRORS})
def unarchive_workspace(request: HttpRequest, id: int = WorkspaceId) -> Any:
    membership, workspace = _admin_workspace(request, id)
    workspace = services.unarchive_workspace(by=membership, workspace=workspace)
    return _detail_out(request, membership.user, workspace)


@router.put("/workspaces/{id}/opening-hours", response={200: OpeningHoursSetOut, **WRITE_ERRORS})
def set_opening_hours(request: HttpRequest, data: OpeningHoursSetIn, id: int = WorkspaceId) -> Any:
    """Replace the weekly hours. Overlapping intervals of one day are refused; an empty list closes every day.

    Sessions already booked stay booked: `sessions_outside_hours` lists the coming ones the new hours no longer
    cover, for the admin to deal with.
    """
    # Imported here: planning builds on workspaces, not the other way round.
    from coworklib.planning.selectors import sessions_outside_hours

    membership, workspace = _admin_workspace(request, id)
    intervals = services.set_opening_hours(by=membership, workspace=workspace, intervals=_intervals(data.opening_hours))
    return {
        "opening_hours": [_hours_out(interval) for interval in intervals],
        "sessions_outside_hours": sessions_outside_hours(workspace),
    }


@router.get("/workspaces/{id}/closures", response={200: ClosurePageOut, **READ_ERRORS})
def list_closures(
    request: HttpRequest, options: Query[ClosureListQuery], pagination: Query[PageIn], id: int = WorkspaceId
) -> Any:
    _membership, workspace = selectors.get_membership_and_workspace(_caller(request), id)
    closures = selectors.closures_of(
        workspace, ending_from=selectors.local_today(workspace) if options.upcoming else None
    )
    items = list(closures[pagination.offset : pagination.offset + pagination.limit])
    return page([_closure_out(closure) for closure in items], closures.count())


@router.post("/workspaces/{id}/closures", response={201: ClosureCreatedOut, **WRITE_ERRORS})
def add_closure(request: HttpRequest, data: ClosureIn, id: int = WorkspaceId) -> Any:
    """Close the workspace on every date from `start_date` to `end_date`, both included.

    The sessions booked there on those dates (and not over yet) are cancelled: `cancelled_sessions` lists them.
    """
    membership, workspace = _admin_workspace(request, id)
    closure = services.add_closure(
        by=membership, workspace=workspace, start_date=data.start_date, end_date=data.end_date, reason=data.reason
    )
    return Status(201, {**_closure_out(closure), "cancelled_sessions": list(closure.cancelled_session_ids)})


@router.delete("/workspaces/{id}/closures/{closure_id}", response={204: None, **WRITE_ERRORS})
def delete_closure(request: HttpRequest, id: int = WorkspaceId, closure_id: int = ChildId) -> Any:
    membership, workspace = _admin_workspace(request, id)
    services.delete_closure(by=membership, workspace=workspace, closure_id=closure_id)
    return Status(204, None)


# url_name: its body limit is registered under it (WorkspacesConfig.ready).
@router.post("/workspaces/{id}/photos", response={201: PhotoListOut, **CONFLICT_ERRORS}, url_name="workspace_photos")
def add_photos(
    request: HttpRequest,
    form: Form[PhotoUploadForm],
    files: list[UploadedFile] = PhotoFiles,
    id: int = WorkspaceId,
) -> Any:
    """Upload photos (multipart, field `files`, several allowed): JPEG, PNG, WebP or GIF, 10 MiB each at most.

    They are re-encoded without their metadata (EXIF, GPS) and added after the
    existing ones. Anything else (an SVG, an HTML page, a pixel bomb) is a 422
    and nothing is added.
    """
    membership, workspace = _admin_workspace(request, id)
    photos = services.add_photos(by=membership, workspace=workspace, uploads=files, alt_text=form.alt_text)
    return Status(201, {"items": [_photo_out(request, photo) for photo in photos]})


# Registered before /photos/{photo_id}, which would otherwise take "order" for an id.
@router.put("/workspaces/{id}/photos/order", response={200: PhotoListOut, **CONFLICT_ERRORS})
def reorder_photos(request: HttpRequest, data: PhotoOrderIn, id: int = WorkspaceId) -> Any:
    """Put the photos in this order; the list must name each of the workspace's photos once."""
    membership, workspace = _admin_workspace(request, id)
    photos = services.reorder_photos(by=membership, workspace=workspace, photo_ids=data.photo_ids)
    return {"items": [_photo_out(request, photo) for photo in photos]}


@router.delete("/workspaces/{id}/photos/{photo_id}", response={204: None, **WRITE_ERRORS})
def delete_photo(request: HttpRequest, id: int = WorkspaceId, photo_id: int = ChildId) -> Any:
    membership, workspace = _admin_workspace(request, id)
    services.delete_photo(by=membership, workspace=workspace, photo_id=photo_id)
    return Status(204, None)


@router.get("/workspaces/{id}/access", response={200: AccessOut, **READ_ERRORS, 403: ErrorOut})
def get_access(request: HttpRequest, id: int = WorkspaceId) -> Any:
    """Who may see and use the workspace besides admins and owners (admins only)."""
    _membership, workspace = _admin_workspace(request, id)
    return _access_out(selectors.access_rule_of(workspace))


@router.put("/workspaces/{id}/access", response={200: AccessOut, **WRITE_ERRORS})
def set_access(request: HttpRequest, data: AccessIn, id: int = WorkspaceId) -> Any:
    """Replace the access rule. With `restricted`, only admins, owners, `allowed_roles`, `allowed_members` and the
    members of `allowed_groups` see it (404 for a member or group outside the organization)."""
    membership, workspace = _admin_workspace(request, id)
    rule = services.set_access_rule(
        by=membership,
        workspace=workspace,
        restricted=data.restricted,
        allowed_roles=data.allowed_roles,
        allowed_member_ids=data.allowed_members,
        allowed_group_ids=data.allowed_groups,
    )
    return _access_out(rule)


def _access_out(rule: selectors.AccessRule) -> dict[str, Any]:
    return {
        "restricted": rule.restricted,
        "allowed_roles": rule.allowed_roles,
        "allowed_members": [{"id": user.pk, "display_name": user.display_name} for user in rule.allowed_members],
        "allowed_groups": [{"id": group.pk, "name": group.name} for group in rule.allowed_groups],
    }


# --- Favourites and recently viewed -------------------------------------------------------------------------


@router.post("/workspaces/{id}/favourite", response={200: FavouriteStateOut, 201: FavouriteStateOut, **WRITE_ERRORS})
def add_favourite(request: HttpRequest, id: int = WorkspaceId) -> Any:
    """Star the workspace: 201, or 200 if it already was."""
    membership, workspace = selectors.get_membership_and_workspace(_caller(request), id)
    created = services.add_favourite(user=membership.user, workspace=workspace)
    return Status(201 if created else 200, {"workspace": workspace.pk, "is_favourite": True})


@router.delete("/workspaces/{id}/favourite", response={204: None, **WRITE_ERRORS})
def remove_favourite(request: HttpRequest, id: int = WorkspaceId) -> Any:
    membership, workspace = selectors.get_membership_and_workspace(_caller(request), id)
    services.remove_favourite(user=membership.user, workspace=workspace)
    return Status(204, None)


@router.get("/me/favourites", response={200: FavouritePageOut, **READ_ERRORS})
def my_favourites(request: HttpRequest, scope: Query[ListScopeQuery], pagination: Query[PageIn]) -> Any:
    """The caller's starred workspaces, newest first, among those they may still see."""
    favourites = selectors.favourites_of(_caller(request), organization=_scope(_caller(request), scope.org))
    rows = list(favourites[pagination.offset : pagination.offset + pagination.limit])
    cards = selectors.workspace_cards(_caller(request), [row.workspace for row in rows])
    items = [
        {"workspace": _card_out(request, card), "created_at": row.created_at}
        for row, card in zip(rows, cards, strict=True)
    ]
    return page(items, favourites.count())


@router.get("/me/recently-viewed", response={200: ViewedPageOut, **READ_ERRORS})
def my_recently_viewed(request: HttpRequest, scope: Query[ListScopeQuery], pagination: Query[PageIn]) -> Any:
    """The workspaces the caller opened last (20 at most), newest first, among those they may still see."""
    views = selectors.recently_viewed_by(_caller(request), organization=_scope(_caller(request), scope.org))
    rows = list(views[pagination.offset : pagination.offset + pagination.limit])
    cards = selectors.workspace_cards(_caller(request), [row.workspace for row in rows])
    items = [
        {"workspace": _card_out(request, card), "viewed_at": row.viewed_at}
        for row, card in zip(rows, cards, strict=True)
    ]
    return page(items, views.count())
