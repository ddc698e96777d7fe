"""Writes. Every service is atomic: one that fails changes nothing.

Admin services take the admin's Membership (`by`, from organizations.selectors)
and a workspace obtained through `selectors.get_workspace_for_member(by, id)`
(its changed fields are updated in place too);
they check the role (owners and admins, with two-factor authentication when
the organization requires it) and that the workspace is of `by`'s
organization, and record an audit entry. Services that replace a set of rows
(hours, photos, access grants, equipment) lock the workspace row first
(SELECT … FOR UPDATE on PostgreSQL, the IMMEDIATE write lock on SQLite) so that
two concurrent edits cannot interleave into a mix of both.

Member services (favourites, views) take the user and a workspace obtained
through `get_workspace_for_member`, which is where the access rules apply.

Bad input raises InvalidInput (422) with a translated message and, where a
field is at fault, `errors` naming it; ids of another organization raise NotFound.
"""

import math
import re
import secrets
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from enum import Enum
from typing import Any, Final, Literal

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coworklib.accounts.models import User, validate_printable, validate_timezone
from coworklib.community.models import Group
from coworklib.core.audit import record_audit
from coworklib.core.errors import Conflict, InvalidInput, NotFound
from coworklib.core.images import process_image
from coworklib.core.request_limits import MULTIPART_ENVELOPE_BYTES
from coworklib.organizations.models import Membership, Organization, Role
from coworklib.organizations.selectors import ensure_admin_access
from coworklib.workspaces.models import (
    DEFAULT_EQUIPMENT,
    Closure,
    Equipment,
    EquipmentIcon,
    Favourite,
    OpeningInterval,
    Workspace,
    WorkspaceAccessGrant,
    WorkspaceKind,
    WorkspacePhoto,
    WorkspaceView,
)
from coworklib.workspaces.opening_hours import (
    DAYS_PER_WEEK,
    Problem,
    ProblemKind,
    WeeklyInterval,
    always_open_intervals,
    find_problems,
    format_wall_time,
)
from coworklib.workspaces.richtext import DESCRIPTION_MAX_LENGTH, sanitize_description
from coworklib.workspaces.selectors import AccessRule, access_rule_of, as_id, get_closure

NAME_MAX_LENGTH = 120
CAPACITY_MAX = 100_000
INTERVALS_PER_DAY_MAX = 6
CLOSURE_REASON_MAX_LENGTH = 200
# Dates outside these years are typing mistakes, and far dates would overflow date arithmetic.
FIRST_YEAR, LAST_YEAR = 2000, 2100
PHOTO_MAX_BYTES = 10 * 1024 * 1024
PHOTO_MAX_PIXELS = 50_000_000  # a 48-megapixel phone photo passes; pixel bombs do not
PHOTO_MAX_SIDE = 2048
PHOTO_THUMBNAIL_SIZE = (480, 320)  # the cards' 3:2 picture
PHOTOS_PER_WORKSPACE_MAX = 20
ALT_TEXT_MAX_LENGTH = 200
EQUIPMENT_NAME_MAX_LENGTH = 80
EQUIPMENT_PER_ORGANIZATION_MAX = 100
_COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")


def photo_upload_body_limit() -> int:
    """The largest body one upload request may have: as many photos as a workspace holds, each at its largest.

    Refused before reading (core.request_limits); each photo's own limit is checked once received.
    """
    return PHOTOS_PER_WORKSPACE_MAX * PHOTO_MAX_BYTES + MULTIPART_ENVELOPE_BYTES


class _Unset(Enum):
    UNSET = "unset"


UNSET: Final = _Unset.UNSET
"""For `update_workspace` and `update_equipment`: the field is left as it is."""


# --- Checks -------------------------------------------------------------------------------------------------


def _field_error(field: str, message: str, kind: str = "invalid") -> InvalidInput:
    """A 422 naming the field at fault. The code is "invalid" or "invalid_<what>"; `errors[].type` says why."""
    code = kind if kind.startswith("invalid") else "invalid"
    return InvalidInput(message, code=code, extra={"errors": [{"loc": [field], "msg": message, "type": kind}]})


def _ensure_admin_of(by: Membership, workspace: Workspace | None = None) -> None:
    """Raise Forbidden (or MfaRequired) unless `by` may manage workspaces; NotFound for another organization's."""
    if workspace is not None and workspace.organization_id != by.organization_id:
        raise NotFound
    ensure_admin_access(by)


def _lock(workspace: Workspace) -> Workspace:
    """The workspace row, locked until the end of the transaction (call inside atomic)."""
    return Workspace.objects.select_for_update().get(pk=workspace.pk)


def _save(locked: Workspace, caller_copy: Workspace, fields: list[str]) -> None:
    """Save changed fields of the locked row, and mirror them on the caller's instance so it is not stale."""
    locked.save(update_fields=[*fields, "updated_at"])
    for field in [*fields, "updated_at"]:
        setattr(caller_copy, field, getattr(locked, field))


def _clean_text(value: str, *, field: str, max_length: int, required: bool = False, one_line: bool = True) -> str:
    cleaned = " ".join(value.split()) if one_line else value.strip()
    if required and not cleaned:
        raise _field_error(field, _("Ce champ est obligatoire."), "required")
    if len(cleaned) > max_length:
        raise _field_error(field, _("%(max)d caractères au maximum.") % {"max": max_length}, "too_long")
    try:
        validate_printable(cleaned)
    except ValidationError as error:
        raise _field_error(field, error.messages[0], "control_characters") from None
    return cleaned


def _clean_name(name: str) -> str:
    return _clean_text(name, field="name", max_length=NAME_MAX_LENGTH, required=True)


def _clean_description(description: str) -> str:
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise _field_error(
            "description", _("%(max)d caractères au maximum.") % {"max": DESCRIPTION_MAX_LENGTH}, "too_long"
        )
    try:
        validate_printable(description.replace("\n", "").replace("\r", "").replace("\t", ""))
    except ValidationError as error:
        raise _field_error("description", error.messages[0], "control_characters") from None
    return sanitize_description(description)


def _clean_capacity(capacity: int) -> int:
    if isinstance(capacity, bool) or not isinstance(capacity, int) or not 1 <= capacity <= CAPACITY_MAX:
        raise _field_error(
            "capacity",
            _("La capacité doit être un nombre de places entre 1 et %(max)d.") % {"max": CAPACITY_MAX},
        )
    return capacity


def _clean_timezone(name: str) -> str:
    try:
        validate_timezone(name)
    except ValidationError:
        raise _field_error(
            "timezone", _("Fuseau horaire inconnu : indiquez un nom comme « Europe/Paris »."), "invalid_timezone"
        ) from None
    return name


def _clean_kind(kind: str) -> str:
    if kind not in WorkspaceKind.values:
        raise _field_error("kind", _("Ce type d'espace n'existe pas."))
    return kind


def _clean_country(country: str) -> str:
    code = country.strip().upper()
    if code and not _COUNTRY_CODE.fullmatch(code):
        raise _field_error("country", _("Indiquez le pays par son code à deux lettres (FR, BE, CH…)."))
    return code


def _clean_coordinates(latitude: float | None, longitude: float | None) -> tuple[float | None, float | None]:
    if (latitude is None) != (longitude is None):
        raise _field_error("latitude", _("Indiquez la latitude et la longitude, ou aucune des deux."))
    if latitude is None or longitude is None:
        return None, None
    if not (math.isfinite(latitude) and -90 <= latitude <= 90):
        raise _field_error("latitude", _("La latitude doit être comprise entre -90 et 90."))
    if not (math.isfinite(longitude) and -180 <= longitude <= 180):
        raise _field_error("longitude", _("La longitude doit être comprise entre -180 et 180."))
    return float(latitude), float(longitude)


def _equipment_of(organization_id: int, equipment_ids: Iterable[Any]) -> list[Equipment]:
    """The organization's equipment with these ids; NotFound if any is not one of them."""
    wanted: set[int] = set()
    for raw in equipment_ids:
        pk = as_id(raw)
        if pk is None:
            raise NotFound
        wanted.add(pk)
    found = list(Equipment.objects.filter(organization_id=organization_id, pk__in=wanted))
    if len(found) != len(wanted):
        raise NotFound
    return found


_PROBLEM_MESSAGES = {
    ProblemKind.WEEKDAY: ("weekday", gettext_lazy("Le jour doit être compris entre 0 (lundi) et 6 (dimanche).")),
    ProblemKind.RANGE: (
        "opens",
        gettext_lazy("Les heures vont de 00:00 à 24:00, et 24:00 ne peut être qu'une heure de fermeture."),
    ),
    ProblemKind.ORDER: ("closes", gettext_lazy("L'heure de fermeture doit être après l'heure d'ouverture.")),
    ProblemKind.OVERLAP: ("opens", gettext_lazy("Cet intervalle chevauche un autre intervalle du même jour.")),
}


def _problem_error(problem: Problem) -> dict[str, Any]:
    field, message = _PROBLEM_MESSAGES[problem.kind]
    return {"loc": ["opening_hours", problem.index, field], "msg": str(message), "type": f"hours_{problem.kind}"}


def _clean_intervals(intervals: Sequence[WeeklyInterval]) -> list[WeeklyInterval]:
    problems = find_problems(intervals)
    per_day = [sum(1 for interval in intervals if interval.weekday == day) for day in range(DAYS_PER_WEEK)]
    if problems:
        errors = [_problem_error(problem) for problem in problems]
        raise InvalidInput(
            _("Horaires d'ouverture invalides : %(reason)s") % {"reason": errors[0]["msg"]},
            code="invalid_opening_hours",
            extra={"errors": errors},
        )
    if max(per_day, default=0) > INTERVALS_PER_DAY_MAX:
        raise _field_error(
            "opening_hours",
            _("%(max)d intervalles par jour au maximum.") % {"max": INTERVALS_PER_DAY_MAX},
            "invalid_opening_hours",
        )
    return sorted(intervals, key=lambda interval: (interval.weekday, interval.opens))


def _check_date(value: date, field: str) -> date:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise _field_error(
            field, _("Choisissez une date entre %(first)d et %(last)d.") % {"first": FIRST_YEAR, "last": LAST_YEAR}
        )
    return value


def _hours_for_audit(intervals: Iterable[WeeklyInterval]) -> list[str]:
    return [
        f"{interval.weekday} {format_wall_time(interval.opens)}-{format_wall_time(interval.closes)}"
        for interval in intervals
    ]


# --- Workspaces ---------------------------------------------------------------------------------------------


@transaction.atomic
def create_workspace(
    *,
    by: Membership,
    name: str,
    capacity: int,
    timezone: str,
    description: str = "",
    kind: str = WorkspaceKind.OFFICE,
    street: str = "",
    postal_code: str = "",
    city: str = "",
    country: str = "FR",
    latitude: float | None = None,
    longitude: float | None = None,
    equipment_ids: Iterable[Any] = (),
    opening_hours: Sequence[WeeklyInterval] | None = None,
) -> Workspace:
    """Create a workspace in `by`'s organization.

    Without `opening_hours` (None) it is open every day 00:00–24:00 (API.md);
    an empty list means closed every day until hours are set. Seeds the
    default equipment catalogue if the organization has none yet.
    """
    _ensure_admin_of(by)
    latitude, longitude = _clean_coordinates(latitude, longitude)
    intervals = _clean_intervals(always_open_intervals() if opening_hours is None else opening_hours)
    workspace = Workspace(
        organization_id=by.organization_id,
        name=_clean_name(name),
        capacity=_clean_capacity(capacity),
        timezone=_clean_timezone(timezone),
        description=_clean_description(description),
        kind=_clean_kind(kind),
        street=_clean_text(street, field="street", max_length=200),
        postal_code=_clean_text(postal_code, field="postal_code", max_length=20),
        city=_clean_text(city, field="city", max_length=100),
        country=_clean_country(country),
        latitude=latitude,
        longitude=longitude,
    )
    ensure_default_equipment(by.organization)
    equipment = _equipment_of(by.organization_id, equipment_ids)
    workspace.save()
    workspace.equipment.set(equipment)
    OpeningInterval.objects.bulk_create(
        OpeningInterval(workspace=workspace, weekday=interval.weekday, opens=interval.opens, closes=interval.closes)
        for interval in intervals
    )
    record_audit(
        organization=by.organization,
        actor=by.user,
        action="workspace.created",
        workspace_id=workspace.pk,
        name=workspace.name,
    )
    return workspace


@transaction.atomic
def update_workspace(
    *,
    by: Membership,
    workspace: Workspace,
    name: str | _Unset = UNSET,
    capacity: int | _Unset = UNSET,
    timezone: str | _Unset = UNSET,
    description: str | _Unset = UNSET,
    kind: str | _Unset = UNSET,
    street: str | _Unset = UNSET,
    postal_code: str | _Unset = UNSET,
    city: str | _Unset = UNSET,
    country: str | _Unset = UNSET,
    latitude: float | _Unset | None = UNSET,
    longitude: float | _Unset | None = UNSET,
    equipment_ids: Iterable[Any] | _Unset = UNSET,
) -> Workspace:
    """Change the given fields (UNSET leaves one as it is). Coordinates change together."""
    _ensure_admin_of(by, workspace)
    locked = _lock(workspace)
    wanted: dict[str, Any] = {}
    if name is not UNSET:
        wanted["name"] = _clean_name(name)
    if capacity is not UNSET:
        wanted["capacity"] = _clean_capacity(capacity)
    if timezone is not UNSET:
        wanted["timezone"] = _clean_timezone(timezone)
    if description is not UNSET:
        wanted["description"] = _clean_description(description)
    if kind is not UNSET:
        wanted["kind"] = _clean_kind(kind)
    if street is not UNSET:
        wanted["street"] = _clean_text(street, field="street", max_length=200)
    if postal_code is not UNSET:
        wanted["postal_code"] = _clean_text(postal_code, field="postal_code", max_length=20)
    if city is not UNSET:
        wanted["city"] = _clean_text(city, field="city", max_length=100)
    if country is not UNSET:
        wanted["country"] = _clean_country(country)
    if latitude is not UNSET or longitude is not UNSET:
        wanted["latitude"], wanted["longitude"] = _clean_coordinates(
            locked.latitude if latitude is UNSET else latitude,
            locked.longitude if longitude is UNSET else longitude,
        )
    equipment = None if equipment_ids is UNSET else _equipment_of(by.organization_id, equipment_ids)
    changes = {field: value for field, value in wanted.items() if getattr(locked, field) != value}
    if changes.get("capacity", locked.capacity) < locked.capacity:
        # Never leave invariant 1 broken: the row lock keeps bookings out while this is checked.
        from coworklib.planning.services import ensure_capacity_fits

        ensure_capacity_fits(locked, changes["capacity"])
    previous_name = locked.name
    for field, value in changes.items():
        setattr(locked, field, value)
    if changes:
        _save(locked, workspace, list(changes))
    if equipment is not None:
        locked.equipment.set(equipment)
        changes["equipment"] = sorted(item.pk for item in equipment)
    if changes:
        record_audit(
            organization=by.organization,
            actor=by.user,
            action="workspace.updated",
            workspace_id=locked.pk,
            name=locked.name,
            fields=sorted(changes),
            **({"previous_name": previous_name} if "name" in changes else {}),
        )
    return locked


@transaction.atomic
def archive_workspace(*, by: Membership, workspace: Workspace) -> Workspace:
    """Hide it from members everywhere (favourites, views, lists); admins still find it. Idempotent."""
    _ensure_admin_of(by, workspace)
    locked = _lock(workspace)
    if locked.archived_at is None:
        locked.archived_at = timezone.now()
        _save(locked, workspace, ["archived_at"])
        record_audit(
            organization=by.organization,
            actor=by.user,
            action="workspace.archived",
            workspace_id=locked.pk,
            name=locked.name,
        )
    return locked


@transaction.atomic
def unarchive_workspace(*, by: Membership, workspace: Workspace) -> Workspace:
    """Make an archived workspace available again. Idempotent."""
    _ensure_admin_of(by, workspace)
    locked = _lock(workspace)
    if locked.archived_at is not None:
        locked.archived_at = None
        _save(locked, workspace, ["archived_at"])
        record_audit(
            organization=by.organization,
            actor=by.user,
            action="workspace.unarchived",
            workspace_id=locked.pk,
            name=locked.name,
        )
    return locked


# --- Hours and closures -------------------------------------------------------------------------------------


@transaction.atomic
def set_opening_hours(
    *, by: Membership, workspace: Workspace, intervals: Sequence[WeeklyInterval]
) -> list[OpeningInterval]:
    """Replace the weekly hours.

    Intervals of one day must not overlap (touching is fine); an empty list closes every day.
    """
    _ensure_admin_of(by, workspace)
    cleaned = _clean_intervals(intervals)
    locked = _lock(workspace)
    OpeningInterval.objects.filter(workspace=locked).delete()
    created = OpeningInterval.objects.bulk_create(
        OpeningInterval(workspace=locked, weekday=interval.weekday, opens=interval.opens, closes=interval.closes)
        for interval in cleaned
    )
    record_audit(
        organization=by.organization,
        actor=by.user,
        action="workspace.hours_set",
        workspace_id=locked.pk,
        name=locked.name,
        hours=_hours_for_audit(cleaned),
    )
    return created


@transaction.atomic
def add_closure(*, by: Membership, workspace: Workspace, start_date: date, end_date: date, reason: str = "") -> Closure:
    """Close the workspace from `start_date` to `end_date`, both included (local dates).

    The sessions booked at the workspace on those dates, and not over yet, are
    cancelled (planning announces each cancellation); their ids are on the
    returned closure's `cancelled_session_ids`.
    """
    _ensure_admin_of(by, workspace)
    _check_date(start_date, "start_date")
    _check_date(end_date, "end_date")
    if end_date < start_date:
        raise _field_error("end_date", _("La fermeture doit finir le jour de son début ou après."))
    closure = Closure.objects.create(
        workspace=_lock(workspace),
        start_date=start_date,
        end_date=end_date,
        reason=_clean_text(reason, field="reason", max_length=CLOSURE_REASON_MAX_LENGTH),
        created_by=by.user,
    )
    # Imported here: planning builds on workspaces, not the other way round.
    from coworklib.planning.services import cancel_sessions_closed_by

    closure.cancelled_session_ids = tuple(cancel_sessions_closed_by(by=by, closure=closure))
    record_audit(
        organization=by.organization,
        actor=by.user,
        action="workspace.closure_added",
        workspace_id=workspace.pk,
        name=workspace.name,
        closure_id=closure.pk,
        start_date=start_date.isoformat(),
        end_date=end_date.isoformat(),
        cancelled_sessions=list(closure.cancelled_session_ids),
    )
    return closure


@transaction.atomic
def delete_closure(*, by: Membership, workspace: Workspace, closure_id: Any) -> None:
    _ensure_admin_of(by, workspace)
    closure = get_closure(workspace, closure_id)
    closure.delete()
    record_audit(
        organization=by.organization,
        actor=by.user,
        action="workspace.closure_deleted",
        workspace_id=workspace.pk,
        name=workspace.name,
        start_date=closure.start_date.isoformat(),
        end_date=closure.end_date.isoformat(),
    )


# --- Photos -------------------------------------------------------------------------------------------------


def _processed(upload: UploadedFile, index: int) -> Any:
    try:
        return process_image(
            upload,
            size=upload.size,
            max_bytes=PHOTO_MAX_BYTES,
            max_pixels=PHOTO_MAX_PIXELS,
            max_side=PHOTO_MAX_SIDE,
            thumbnail_size=PHOTO_THUMBNAIL_SIZE,
        )
    except ValidationError as error:
        code = error.code or "invalid"
        message = error.messages[0]
        raise InvalidInput(
            message, code=f"photo_{code}", extra={"errors": [{"loc": ["files", index], "msg": message, "type": code}]}
        ) from None


def add_photos(
    *, by: Membership, workspace: Workspace, uploads: Sequence[UploadedFile], alt_text: str = ""
) -> list[WorkspacePhoto]:
    """Add photos after the existing ones: all of them, or none if any is refused.

    Each is re-encoded without its metadata, with a thumbnail (core.images);
    files that are not JPEG/PNG/WebP/GIF images, weigh more than 10 MiB or
    announce too many pixels are refused (InvalidInput), as is going beyond
    PHOTOS_PER_WORKSPACE_MAX (Conflict).
    """
    _ensure_admin_of(by, workspace)
    if not uploads:
        raise _field_error("files", _("Choisissez au moins une photo."), "required")
    alt_text = _clean_text(alt_text, field="alt_text", max_length=ALT_TEXT_MAX_LENGTH)
    # Decoding happens before the transaction: a slow image must not hold the lock.
    processed = [_processed(upload, index) for index, upload in enumerate(uploads)]
    stored: list[str] = []
    try:
        return _store_photos(by=by, workspace=workspace, processed=processed, alt_text=alt_text, stored=stored)
    except BaseException:
        # The rows are rolled back; the files written meanwhile must go too.
        for name in stored:
            default_storage.delete(name)
        raise


@transaction.atomic
def _store_photos(
    *, by: Membership, workspace: Workspace, processed: list[Any], alt_text: str, stored: list[str]
) -> list[WorkspacePhoto]:
    locked = _lock(workspace)
    existing = WorkspacePhoto.objects.filter(workspace=locked).aggregate(count=Count("id"), last=Max("position"))
    if existing["count"] + len(processed) > PHOTOS_PER_WORKSPACE_MAX:
        raise Conflict(
            _("%(max)d photos par espace au maximum : supprimez-en avant d'en ajouter.")
            % {"max": PHOTOS_PER_WORKSPACE_MAX},
            code="too_many_photos",
        )
    next_position = 0 if existing["last"] is None else existing["last"] + 1
    photos = []
    for offset, item in enumerate(processed):
        photo = WorkspacePhoto(
            workspace=locked,
            position=next_position + offset,
            alt_text=alt_text,
            uploaded_by=by.user,
            width=item.width,
            height=item.height,
        )
        photo.image.save(item.image.name, item.image, save=False)
        stored.append(str(photo.image.name))
        photo.thumbnail.save(item.thumbnail.name, item.thumbnail, save=False)
        stored.append(str(photo.thumbnail.name))
        photo.save()
        photos.append(photo)
    record_audit(
        organization=by.organization,
        actor=by.user,
        action="workspace.photos_added",
        workspace_id=locked.pk,
        name=locked.name,
        photo_ids=[photo.pk for photo in photos],
    )
    return photos


def add_photo(*, by: Membership, workspace: Workspace, upload: UploadedFile, alt_text: str = "") -> WorkspacePhoto:
    """One photo: see add_photos."""
    return add_photos(by=by, workspace=workspace, uploads=[upload], alt_text=alt_text)[0]


@transaction.atomic
def reorder_photos(*, by: Membership, workspace: Workspace, photo_ids: Sequence[Any]) -> list[WorkspacePhoto]:
    """Put the photos in the order given, which must name each of the workspace's photos once.

    An id that is not one of its photos is NotFound; a repeated one is InvalidInput; leaving one
    out is a Conflict (the photos changed since the caller listed them).
    """
    _ensure_admin_of(by, workspace)
    locked = _lock(workspace)
    photos = {photo.pk: photo for photo in WorkspacePhoto.objects.filter(workspace=locked)}
    wanted = [as_id(raw) for raw in photo_ids]
    if any(pk is None or pk not in photos for pk in wanted):
        raise NotFound
    if len(wanted) != len(set(wanted)):
        raise _field_error("photo_ids", _("Chaque photo ne peut apparaître qu'une fois."))
    if set(wanted) != set(photos):
        raise Conflict(
            _("Les photos de l'espace ont changé : rechargez-les puis donnez l'ordre de chacune."),
            code="photos_changed",
        )
    ordered = []
    for position, pk in enumerate(wanted):
        assert pk is not None  # noqa: S101 - checked above; narrows the type
        photo = photos[pk]
        photo.position = position
        ordered.append(photo)
    WorkspacePhoto.objects.bulk_update(ordered, ["position"])
    record_audit(
        organization=by.organization,
        actor=by.user,
        action="workspace.photos_reordered",
        workspace_id=locked.pk,
        name=locked.name,
        photo_ids=[photo.pk for photo in ordered],
    )
    return ordered


@transaction.atomic
def move_photo(*, by: Membership, workspace: Workspace, photo_id: Any, offset: int) -> list[WorkspacePhoto]:
    """Move a photo `offset` places (-1: one place earlier); beyond either end it stops there.

    The pages' up/down buttons: unlike `reorder_photos`, the caller need not
    know the other photos, so two admins moving photos at once do not conflict.
    Returns the photos in their new order.
    """
    _ensure_admin_of(by, workspace)
    locked = _lock(workspace)
    photos = list(WorkspacePhoto.objects.filter(workspace=locked).order_by("position", "id"))
    pk = as_id(photo_id)
    index = next((index for index, photo in enumerate(photos) if photo.pk == pk), None)
    if index is None:
        raise NotFound
    moved = photos.pop(index)
    photos.insert(min(max(index + offset, 0), len(photos)), moved)
    for position, photo in enumerate(photos):
        photo.position = position
    WorkspacePhoto.objects.bulk_update(photos, ["position"])
    record_audit(
        organization=by.organization,
        actor=by.user,
        action="workspace.photos_reordered",
        workspace_id=locked.pk,
        name=locked.name,
        photo_ids=[photo.pk for photo in photos],
    )
    return photos


@transaction.atomic
def update_photo(*, by: Membership, workspace: Workspace, photo_id: Any, alt_text: str) -> WorkspacePhoto:
    """Change a photo's alternative text (empty: pages describe it by the workspace's name)."""
    _ensure_admin_of(by, workspace)
    alt_text = _clean_text(alt_text, field="alt_text", max_length=ALT_TEXT_MAX_LENGTH)
    pk = as_id(photo_id)
    photo = WorkspacePhoto.objects.filter(workspace=workspace, pk=pk).first() if pk is not None else None
    if photo is None:
        raise NotFound
    if photo.alt_text != alt_text:
        photo.alt_text = alt_text
        photo.save(update_fields=["alt_text"])
        record_audit(
            organization=by.organization,
            actor=by.user,
            action="workspace.photo_updated",
            workspace_id=workspace.pk,
            name=workspace.name,
            photo_id=photo.pk,
        )
    return photo


@transaction.atomic
def delete_photo(*, by: Membership, workspace: Workspace, photo_id: Any) -> None:
    """Delete a photo; its files are removed once the deletion is committed (signals.delete_photo_files)."""
    _ensure_admin_of(by, workspace)
    locked = _lock(workspace)
    pk = as_id(photo_id)
    photo = WorkspacePhoto.objects.filter(workspace=locked, pk=pk).first() if pk is not None else None
    if photo is None:
        raise NotFound
    photo.delete()  # its files go once this commits (signals.delete_photo_files)
    remaining = list(WorkspacePhoto.objects.filter(workspace=locked).order_by("position", "id"))
    for position, other in enumerate(remaining):
        other.position = position
    WorkspacePhoto.objects.bulk_update(remaining, ["position"])
    record_audit(
        organization=by.organization,
        actor=by.user,
        action="workspace.photo_deleted",
        workspace_id=locked.pk,
        name=locked.name,
        photo_id=pk,
    )


# --- Access rules -------------------------------------------------------------------------------------------


@transaction.atomic
def set_access_rule(
    *,
    by: Membership,
    workspace: Workspace,
    restricted: bool,
    allowed_roles: Iterable[str] = (),
    allowed_member_ids: Iterable[Any] = (),
    allowed_group_ids: Iterable[Any] = (),
) -> AccessRule:
    """Replace the workspace's access rule. Takes effect at once: nothing caches visibility.

    With `restricted`, only admins and owners, members with one of
    `allowed_roles`, the members named in `allowed_member_ids` and the current
    members of the groups in `allowed_group_ids` see and use it. Named users
    must be members of the organization, and groups its groups (NotFound otherwise).
    The grants are kept when `restricted` is off, so restricting again restores them.
    """
    _ensure_admin_of(by, workspace)
    roles = sorted(set(allowed_roles))
    for role in roles:
        if role not in Role.values:
            raise _field_error("allowed_roles", _("Ce rôle n'existe pas."), "invalid_role")
    wanted_ids: set[int] = set()
    for raw in allowed_member_ids:
        pk = as_id(raw)
        if pk is None:
            raise NotFound
        wanted_ids.add(pk)
    members = set(
        Membership.objects.filter(organization_id=by.organization_id, user_id__in=wanted_ids).values_list(
            "user_id", flat=True
        )
    )
    if members != wanted_ids:
        raise NotFound
    group_ids: set[int] = set()
    for raw in allowed_group_ids:
        pk = as_id(raw)
        if pk is None:
            raise NotFound
        group_ids.add(pk)
    known_groups = Group.objects.filter(organization_id=by.organization_id, pk__in=group_ids)
    if group_ids and known_groups.count() != len(group_ids):
        raise NotFound
    locked = _lock(workspace)
    WorkspaceAccessGrant.objects.filter(workspace=locked).delete()
    WorkspaceAccessGrant.objects.bulk_create(
        [WorkspaceAccessGrant(workspace=locked, role=role) for role in roles]
        + [WorkspaceAccessGrant(workspace=locked, user_id=user_id) for user_id in sorted(wanted_ids)]
        + [WorkspaceAccessGrant(workspace=locked, group_id=group_id) for group_id in sorted(group_ids)]
    )
    if locked.restricted != restricted:
        locked.restricted = restricted
        _save(locked, workspace, ["restricted"])
    record_audit(
        organization=by.organization,
        actor=by.user,
        action="workspace.access_set",
        workspace_id=locked.pk,
        name=locked.name,
        restricted=restricted,
        roles=roles,
        user_ids=sorted(wanted_ids),
        group_ids=sorted(group_ids),
    )
    return access_rule_of(locked)


# --- Favourites and views -----------------------------------------------------------------------------------


def add_favourite(*, user: User, workspace: Workspace) -> bool:
    """Star a workspace obtained through get_workspace_for_member. True if it was not starred yet."""
    # get_or_create retries the read when a concurrent request inserted the same pair first.
    _favourite, created = Favourite.objects.get_or_create(user=user, workspace=workspace)
    return created


@transaction.atomic
def remove_favourite(*, user: User, workspace: Workspace) -> bool:
    """Unstar a workspace. True if it was starred."""
    deleted, _details = Favourite.objects.filter(user=user, workspace=workspace).delete()
    return deleted > 0


@transaction.atomic
def record_view(*, user: User, workspace: Workspace, now: datetime | None = None) -> None:
    """Remember that `user` opened `workspace`: one row per pair (its time updated), the last VIEWS_KEPT kept."""
    # One upsert, safe against a concurrent view of the same workspace by the same user.
    WorkspaceView.objects.bulk_create(
        [WorkspaceView(user=user, workspace=workspace, viewed_at=now or timezone.now())],
        update_conflicts=True,
        unique_fields=["user", "workspace"],
        update_fields=["viewed_at"],
    )
    newest = WorkspaceView.objects.filter(user=user).order_by("-viewed_at", "-id").values("pk")
    WorkspaceView.objects.filter(user=user).exclude(pk__in=newest[: WorkspaceView.VIEWS_KEPT]).delete()


# --- Equipment catalogue ------------------------------------------------------------------------------------


def ensure_default_equipment(organization: Organization) -> None:
    """Give the organization the default catalogue (Wi-Fi, screens, parking…) the first time it needs one.

    Does nothing once the organization has any equipment or any workspace, so
    an admin who removes default items does not see them come back. Safe to
    call concurrently (existing keys are skipped).
    """
    if (
        Equipment.objects.filter(organization=organization).exists()
        or Workspace.objects.filter(organization=organization).exists()
    ):
        return
    Equipment.objects.bulk_create(
        [
            Equipment(organization=organization, key=key, name="", icon=icon, position=position)
            for position, (key, _name, icon) in enumerate(DEFAULT_EQUIPMENT)
        ],
        ignore_conflicts=True,
    )


def _clean_icon(icon: str) -> str:
    if icon not in EquipmentIcon.values:
        raise _field_error("icon", _("Cette icône n'existe pas."), "invalid_icon")
    return icon


def _duplicate_equipment() -> Conflict:
    return Conflict(_("Un équipement porte déjà ce nom dans votre catalogue."), code="duplicate_equipment")


@transaction.atomic
def create_equipment(*, by: Membership, name: str, icon: str = EquipmentIcon.OTHER) -> Equipment:
    """Add an item to `by`'s organization's catalogue, at the end. Its key is derived from the name."""
    _ensure_admin_of(by)
    name = _clean_text(name, field="name", max_length=EQUIPMENT_NAME_MAX_LENGTH, required=True)
    icon = _clean_icon(icon)
    # A readable key when the name has letters or digits, a random one otherwise ("☕").
    key = slugify(name, allow_unicode=True)[:50].strip("-") or f"item-{secrets.token_hex(4)}"
    catalogue = list(Equipment.objects.filter(organization_id=by.organization_id))
    if len(catalogue) >= EQUIPMENT_PER_ORGANIZATION_MAX:
        raise Conflict(
            _("%(max)d équipements au maximum dans le catalogue.") % {"max": EQUIPMENT_PER_ORGANIZATION_MAX},
            code="too_many_equipment",
        )
    # The same key, or the same name as an item shows it (defaults are named in the reader's language).
    if any(item.key == key or item.label.casefold() == name.casefold() for item in catalogue):
        raise _duplicate_equipment()
    last_position = max((item.position for item in catalogue), default=None)
    try:
        with transaction.atomic():
            equipment = Equipment.objects.create(
                organization_id=by.organization_id,
                key=key,
                name=name,
                icon=icon,
                position=0 if last_position is None else last_position + 1,
            )
    except IntegrityError:
        raise _duplicate_equipment() from None
    record_audit(
        organization=by.organization,
        actor=by.user,
        action="equipment.created",
        equipment_id=equipment.pk,
        key=key,
        name=name,
    )
    return equipment


@transaction.atomic
def update_equipment(
    *, by: Membership, equipment: Equipment, name: str | _Unset = UNSET, icon: str | _Unset = UNSET
) -> Equipment:
    """Rename an item or change its icon. Its key stays: it is what apps and filters rely on."""
    _ensure_admin_of(by)
    if equipment.organization_id != by.organization_id:
        raise NotFound
    changes: list[Literal["name", "icon"]] = []
    if name is not UNSET:
        cleaned = _clean_text(name, field="name", max_length=EQUIPMENT_NAME_MAX_LENGTH, required=True)
        others = Equipment.objects.filter(organization_id=by.organization_id).exclude(pk=equipment.pk)
        if any(other.label.casefold() == cleaned.casefold() for other in others):
            raise _duplicate_equipment()
        if cleaned != equipment.name:
            equipment.name = cleaned
            changes.append("name")
    if icon is not UNSET:
        cleaned_icon = _clean_icon(icon)
        if cleaned_icon != equipment.icon:
            equipment.icon = cleaned_icon
            changes.append("icon")
    if changes:
        equipment.save(update_fields=changes)
        record_audit(
            organization=by.organization,
            actor=by.user,
            action="equipment.updated",
            equipment_id=equipment.pk,
            key=equipment.key,
            # Empty for a default item never renamed: the log names it in the reader's language from its key.
            name=equipment.name,
            fields=list(changes),
        )
    return equipment


@transaction.atomic
def delete_equipment(*, by: Membership, equipment: Equipment) -> None:
    """Remove an item from the catalogue and from every workspace that had it."""
    _ensure_admin_of(by)
    if equipment.organization_id != by.organization_id:
        raise NotFound
    record_audit(
        organization=by.organization,
        actor=by.user,
        action="equipment.deleted",
        equipment_id=equipment.pk,
        key=equipment.key,
        name=equipment.name,
    )
    equipment.delete()
