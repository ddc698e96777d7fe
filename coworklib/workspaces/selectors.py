"""Reads. Every path to a workspace goes through `visible_workspaces` (or its per-user form).

Access rules (DESIGN invariant 3): a workspace with `restricted` set is
visible only to the organization's admins and owners, and to the roles and
members granted by its WorkspaceAccessGrant rows. Everyone else gets NotFound,
exactly as for a workspace of another organization or one that does not
exist. Nothing is cached: a rule changed now applies to the next query.

Archived workspaces are left out unless asked for; admins ask for them to
manage them (`get_workspace_for_member` does by default for admins).

Lists run a constant number of queries whatever their length: call
`workspace_cards` (or `search_workspaces`, which does) on a page rather than
reading relations workspace by workspace.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from typing import Any, Literal
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone

from coworklib.accounts.models import User
from coworklib.community.models import Group, GroupMembership
from coworklib.core.converters import MAX_DATABASE_ID
from coworklib.core.errors import NotFound
from coworklib.organizations.models import Membership, Organization, Role
from coworklib.organizations.selectors import get_membership_for_user, memberships_for_user
from coworklib.workspaces.models import (
    Closure,
    Equipment,
    Favourite,
    OpeningInterval,
    Workspace,
    WorkspaceAccessGrant,
    WorkspacePhoto,
    WorkspaceView,
)
from coworklib.workspaces.opening_hours import (
    ClosurePeriod,
    Interval,
    Schedule,
    WeeklyInterval,
    closure_on,
    is_open_at,
    is_open_on,
    next_change,
    open_intervals_on,
)
from coworklib.workspaces.richtext import sanitize_description

# Ids are 64-bit; anything larger cannot name a row (and would overflow the database driver).
MAX_ID = MAX_DATABASE_ID
SEARCH_MAX_WORDS = 5
UPCOMING_CLOSURES_SHOWN = 10


def as_id(value: Any) -> int | None:
    """An id given by a caller (int or digit string) as an int, or None when it cannot be one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value <= MAX_ID else None
    text = str(value)
    if text.isascii() and text.isdigit() and len(text) <= 19:
        number = int(text)
        return number if 0 < number <= MAX_ID else None
    return None


# --- Visibility ---------------------------------------------------------------------------------------------


def _access_granted(membership: Membership) -> Q:
    """Workspaces a non-admin member may see: unrestricted ones and those granted to their role, to them, or to
    a group they belong to (its members as they are now: leaving the group takes the access away at once)."""
    my_groups = GroupMembership.objects.filter(user_id=membership.user_id).values("group_id")
    grantee = Q(role=membership.role) | Q(user_id=membership.user_id) | Q(group_id__in=my_groups)
    granted = WorkspaceAccessGrant.objects.filter(grantee, workspace=OuterRef("pk"))
    return Q(restricted=False) | Q(Exists(granted))


def visible_workspaces(membership: Membership, *, include_archived: bool = False) -> QuerySet[Workspace]:
    """The workspaces of the member's organization that they may see. Admins and owners see them all."""
    workspaces = Workspace.objects.filter(organization_id=membership.organization_id)
    if not include_archived:
        workspaces = workspaces.filter(archived_at__isnull=True)
    if membership.is_admin:
        return workspaces
    return workspaces.filter(_access_granted(membership))


def member_ids_who_may_see_workspace(workspace: Workspace) -> QuerySet[Membership, int]:
    """User ids of the workspace's organization's members whom its access rule lets see it, as a subquery.

    Everyone when it is not restricted; otherwise admins and owners, the granted roles, the granted members and
    the current members of the granted groups: the same rule as `visible_workspaces`, read in one query (the
    `restricted` flag too, so a stale copy of the workspace does not matter). Archiving is not considered.
    """
    grants = WorkspaceAccessGrant.objects.filter(workspace_id=workspace.pk)
    allowed = (
        Q(Exists(Workspace.objects.filter(pk=workspace.pk, restricted=False)))
        | Q(role__in=[Role.OWNER, Role.ADMIN])
        | Q(role__in=grants.exclude(role="").values("role"))
        | Q(user_id__in=grants.filter(user__isnull=False).values("user_id"))
        | Q(
            user_id__in=GroupMembership.objects.filter(group__workspace_grants__workspace_id=workspace.pk).values(
                "user_id"
            )
        )
    )
    return Membership.objects.filter(allowed, organization_id=workspace.organization_id).values_list(
        "user_id", flat=True
    )


def visible_workspaces_for_user(user: User, *, include_archived: bool = False) -> QuerySet[Workspace]:
    """What `visible_workspaces` allows, over every organization the user belongs to (one extra query)."""
    condition = Q()
    for membership in memberships_for_user(user):
        allowed = Q(organization_id=membership.organization_id)
        if not membership.is_admin:
            allowed &= _access_granted(membership)
        condition |= allowed
    if not condition:
        return Workspace.objects.none()
    workspaces = Workspace.objects.filter(condition)
    if not include_archived:
        workspaces = workspaces.filter(archived_at__isnull=True)
    return workspaces


def get_workspace_for_member(
    membership_or_user: Membership | User, workspace_id: Any, *, include_archived: bool | None = None
) -> Workspace:
    """The workspace if the caller may see it, else NotFound (other organization, access rule, absent).

    `include_archived` defaults to True for admins (who manage archived
    workspaces) and False for members.
    """
    if isinstance(membership_or_user, Membership):
        return _get_visible(membership_or_user, workspace_id, include_archived)
    return get_membership_and_workspace(membership_or_user, workspace_id, include_archived=include_archived)[1]


def get_membership_and_workspace(
    user: Any, workspace_id: Any, *, include_archived: bool | None = None
) -> tuple[Membership, Workspace]:
    """For endpoints that know only the workspace: the caller's membership of its organization, and the workspace.

    NotFound when the caller may not see it, whatever the reason.
    """
    pk = as_id(workspace_id)
    if pk is None:
        raise NotFound
    organization_id = Workspace.objects.filter(pk=pk).values_list("organization_id", flat=True).first()
    if organization_id is None:
        raise NotFound
    membership = get_membership_for_user(user, organization_id)
    return membership, _get_visible(membership, pk, include_archived)


def _get_visible(membership: Membership, workspace_id: Any, include_archived: bool | None) -> Workspace:
    pk = as_id(workspace_id)
    if pk is None:
        raise NotFound
    archived_too = membership.is_admin if include_archived is None else include_archived
    workspace = (
        visible_workspaces(membership, include_archived=archived_too)
        .select_related("organization")
        .filter(pk=pk)
        .first()
    )
    if workspace is None:
        raise NotFound
    return workspace


# --- Hours --------------------------------------------------------------------------------------------------


def _closures_from(day: date) -> Prefetch:
    return Prefetch("closures", queryset=Closure.objects.filter(end_date__gte=day).order_by("start_date", "id"))


def schedule_for(workspace: Workspace) -> Schedule:
    """The workspace's hours as plain data for opening_hours. Uses prefetched intervals and closures when present."""
    return Schedule.build(
        ZoneInfo(workspace.timezone),
        [
            WeeklyInterval(weekday=interval.weekday, opens=interval.opens, closes=interval.closes)
            for interval in workspace.opening_intervals.all()
        ],
        [
            ClosurePeriod(start=closure.start_date, end=closure.end_date, reason=closure.reason)
            for closure in workspace.closures.all()
        ],
    )


def weekly_hours(workspace: Workspace) -> list[OpeningInterval]:
    """The weekly intervals, Monday first, in opening order."""
    return sorted(workspace.opening_intervals.all(), key=lambda interval: (interval.weekday, interval.opens))


def local_today(workspace: Workspace, now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(ZoneInfo(workspace.timezone)).date()


# --- Free seats ---------------------------------------------------------------------------------------------


def free_seats_by_workspace(workspaces: Sequence[Workspace], day: date | None = None) -> dict[int, int]:
    """Free seats of each workspace on `day` (None: today in each workspace's own zone), by workspace id.

    API.md: capacity minus the peak of going participants that day. The one
    place every list and page asks; planning computes it from the sessions,
    with one query for all the workspaces.
    """
    # Imported here: planning builds on workspaces, not the other way round.
    from coworklib.planning.selectors import free_seats_on

    return free_seats_on(workspaces, day)


Availability = Literal["free", "almost_full", "full", "closed"]


def seat_availability(*, is_open: bool, free_seats: int, capacity: int) -> Availability:
    """The state the pages colour a workspace's seats with (UI.md: free / almost full / full / closed).

    Closed wins: nobody can come, whatever the seats. "Almost full" is a fifth
    of the seats or less, or the last seat of a workspace that has several.
    """
    if not is_open:
        return "closed"
    if free_seats <= 0:
        return "full"
    if free_seats <= capacity // 5 or (free_seats == 1 and capacity > 1):
        return "almost_full"
    return "free"


def occupied_percent(*, free_seats: int, capacity: int) -> int:
    """The share of taken seats, 0–100, for the occupancy bar."""
    if capacity <= 0:
        return 100
    taken = min(max(capacity - free_seats, 0), capacity)
    return round(100 * taken / capacity)


# --- Cards (lists) and detail -------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkspaceCard:
    """A workspace as lists show it.

    `is_open`: open now when no date was asked for, else open at some point of that date.
    """

    workspace: Workspace
    is_open: bool
    free_seats: int
    is_favourite: bool

    @property
    def cover(self) -> WorkspacePhoto | None:
        photos = list(self.workspace.photos.all())
        return photos[0] if photos else None

    @property
    def availability(self) -> Availability:
        return seat_availability(is_open=self.is_open, free_seats=self.free_seats, capacity=self.workspace.capacity)

    @property
    def occupied_percent(self) -> int:
        return occupied_percent(free_seats=self.free_seats, capacity=self.workspace.capacity)


@dataclass(frozen=True)
class WorkspacePage:
    items: list[WorkspaceCard]
    count: int


def _oldest_relevant_day(day: date | None, now: datetime) -> date:
    # A closure matters if it covers the asked date, or today somewhere on Earth.
    return (day or now.astimezone(UTC).date()) - timedelta(days=2)


def workspace_cards(
    user: User, workspaces: Sequence[Workspace], *, day: date | None = None, now: datetime | None = None
) -> list[WorkspaceCard]:
    """Cards for a page of workspaces, in the order given, in a constant number of queries."""
    now = now or timezone.now()
    workspaces = list(workspaces)
    if not workspaces:
        return []
    prefetch_related_objects(
        workspaces,
        Prefetch("equipment", queryset=Equipment.objects.order_by("position", "id")),
        Prefetch("photos", queryset=WorkspacePhoto.objects.order_by("position", "id")),
        "opening_intervals",
        _closures_from(_oldest_relevant_day(day, now)),
    )
    seats = free_seats_by_workspace(workspaces, day)
    favourites = set(
        Favourite.objects.filter(user=user, workspace__in=[workspace.pk for workspace in workspaces]).values_list(
            "workspace_id", flat=True
        )
    )
    cards = []
    for workspace in workspaces:
        schedule = schedule_for(workspace)
        cards.append(
            WorkspaceCard(
                workspace=workspace,
                is_open=is_open_on(schedule, day) if day else is_open_at(schedule, now),
                free_seats=seats[workspace.pk],
                is_favourite=workspace.pk in favourites,
            )
        )
    return cards


@dataclass(frozen=True)
class WorkspaceFilters:
    """What members can search on. `equipment_ids`: every one must be present.

    `day` is the date free seats and `is_open` are about (None: today / now).
    `min_free_seats` applies to that day. `include_archived` only works for admins.
    """

    query: str = ""
    city: str = ""
    kind: str = ""
    equipment_ids: tuple[int, ...] = ()
    open_now: bool = False
    open_on: date | None = None
    day: date | None = None
    min_free_seats: int | None = None
    include_archived: bool = False


def _filter_in_database(workspaces: QuerySet[Workspace], filters: WorkspaceFilters) -> QuerySet[Workspace]:
    for word in filters.query.replace("\x00", "").split()[:SEARCH_MAX_WORDS]:
        workspaces = workspaces.filter(name__icontains=word)
    city = filters.city.replace("\x00", "").strip()
    if city:
        workspaces = workspaces.filter(city__iexact=city)
    if filters.kind:
        workspaces = workspaces.filter(kind=filters.kind)
    for equipment_id in dict.fromkeys(filters.equipment_ids):
        # One join per item, each pinned to one id: a workspace passes only with all of them.
        workspaces = workspaces.filter(equipment__id=equipment_id)
    return workspaces


def search_workspaces(
    membership: Membership,
    filters: WorkspaceFilters | None = None,
    *,
    limit: int = 20,
    offset: int = 0,
    now: datetime | None = None,
) -> WorkspacePage:
    """A page of the workspaces the member may see, matching `filters`, by name.

    Filters on hours and free seats are computed in Python (opening_hours,
    free_seats_by_workspace) over the workspaces the database filters let
    through, with their hours fetched in two queries: the count stays exact and
    the number of queries constant.
    """
    filters = filters or WorkspaceFilters()
    now = now or timezone.now()
    workspaces = _filter_in_database(
        visible_workspaces(membership, include_archived=filters.include_archived and membership.is_admin), filters
    ).order_by("name", "id")
    if not (filters.open_now or filters.open_on or filters.min_free_seats is not None):
        count = workspaces.count()
        page = list(workspaces[offset : offset + limit]) if count > offset else []
        return WorkspacePage(items=workspace_cards(membership.user, page, day=filters.day, now=now), count=count)

    oldest_day = min(day for day in (filters.open_on, filters.day, now.astimezone(UTC).date()) if day is not None)
    candidates = list(workspaces.prefetch_related("opening_intervals", _closures_from(oldest_day - timedelta(days=2))))
    seats = free_seats_by_workspace(candidates, filters.day) if filters.min_free_seats is not None else {}
    kept = []
    for workspace in candidates:
        schedule = schedule_for(workspace)
        if filters.open_now and not is_open_at(schedule, now):
            continue
        if filters.open_on and not is_open_on(schedule, filters.open_on):
            continue
        if filters.min_free_seats is not None and seats[workspace.pk] < filters.min_free_seats:
            continue
        kept.append(workspace)
    # The page keeps the hours fetched above (closures from an earlier day are a
    # harmless superset): the cards fetch only equipment, photos and favourites.
    page = kept[offset : offset + limit]
    return WorkspacePage(items=workspace_cards(membership.user, page, day=filters.day, now=now), count=len(kept))


def cities_of(membership: Membership) -> list[str]:
    """The cities of the workspaces the member may see, for the list's city filter (which ignores case)."""
    cities: dict[str, str] = {}
    for city in visible_workspaces(membership).exclude(city="").values_list("city", flat=True).distinct():
        cities.setdefault(city.casefold(), city)
    return sorted(cities.values(), key=str.casefold)


@dataclass(frozen=True)
class DayStatus:
    """A local date at a workspace: "open" (open at some point), "closed" (no hours) or "closure" (a closure)."""

    day: date
    state: Literal["open", "closed", "closure"]
    closure_reason: str
    intervals: list[Interval]


def day_status(workspace: Workspace, day: date) -> DayStatus:
    schedule = schedule_for(workspace)
    closure = closure_on(schedule, day)
    if closure is not None:
        return DayStatus(day=day, state="closure", closure_reason=closure.reason, intervals=[])
    intervals = open_intervals_on(schedule, day)
    return DayStatus(day=day, state="open" if intervals else "closed", closure_reason="", intervals=intervals)


@dataclass(frozen=True)
class WorkspaceDetail:
    """Everything the detail page and GET /workspaces/{id} show. Datetimes are UTC."""

    workspace: Workspace
    is_open: bool
    free_seats: int
    is_favourite: bool
    today: DayStatus
    next_change: datetime | None
    upcoming_closures: list[Closure] = field(default_factory=list)
    opening_hours: list[OpeningInterval] = field(default_factory=list)
    equipment: list[Equipment] = field(default_factory=list)
    photos: list[WorkspacePhoto] = field(default_factory=list)

    @property
    def availability(self) -> Availability:
        return seat_availability(is_open=self.is_open, free_seats=self.free_seats, capacity=self.workspace.capacity)

    @property
    def occupied_percent(self) -> int:
        return occupied_percent(free_seats=self.free_seats, capacity=self.workspace.capacity)


def workspace_detail(user: User, workspace: Workspace, *, now: datetime | None = None) -> WorkspaceDetail:
    """The detail of a workspace already obtained through `get_workspace_for_member`."""
    now = now or timezone.now()
    today = local_today(workspace, now)
    card = workspace_cards(user, [workspace], now=now)[0]
    schedule = schedule_for(workspace)
    return WorkspaceDetail(
        workspace=workspace,
        is_open=card.is_open,
        free_seats=card.free_seats,
        is_favourite=card.is_favourite,
        today=day_status(workspace, today),
        next_change=next_change(schedule, now),
        upcoming_closures=[closure for closure in workspace.closures.all() if closure.end_date >= today][
            :UPCOMING_CLOSURES_SHOWN
        ],
        opening_hours=weekly_hours(workspace),
        equipment=list(workspace.equipment.all()),
        photos=list(workspace.photos.all()),
    )


# --- Favourites and recently viewed -------------------------------------------------------------------------


def favourites_of(user: User, *, organization: Organization | None = None) -> QuerySet[Favourite]:
    """The user's favourites, newest first, of workspaces they may still see (an access rule hides the others)."""
    visible = visible_workspaces_for_user(user)
    if organization is not None:
        visible = visible.filter(organization=organization)
    return (
        Favourite.objects.filter(user=user, workspace__in=visible.values("pk"))
        .select_related("workspace")
        .order_by("-created_at", "-id")
    )


def recently_viewed_by(user: User, *, organization: Organization | None = None) -> QuerySet[WorkspaceView]:
    """The workspaces the user opened last, newest first, among those they may still see."""
    visible = visible_workspaces_for_user(user)
    if organization is not None:
        visible = visible.filter(organization=organization)
    return (
        WorkspaceView.objects.filter(user=user, workspace__in=visible.values("pk"))
        .select_related("workspace")
        .order_by("-viewed_at", "-id")
    )


# --- Equipment, closures, photos, access --------------------------------------------------------------------


def equipment_catalogue(organization: Organization | int) -> QuerySet[Equipment]:
    return Equipment.objects.filter(organization=organization).order_by("position", "id")


def equipment_catalogue_with_usage(organization: Organization | int) -> QuerySet[Equipment]:
    """The catalogue, each item with `workspace_count`: how many workspaces (archived ones too) list it."""
    return equipment_catalogue(organization).annotate(workspace_count=Count("workspaces"))


def get_equipment_for_member(membership: Membership, equipment_id: Any) -> Equipment:
    pk = as_id(equipment_id)
    equipment = (
        Equipment.objects.filter(organization_id=membership.organization_id, pk=pk).first() if pk is not None else None
    )
    if equipment is None:
        raise NotFound
    return equipment


def closures_of(workspace: Workspace, *, ending_from: date | None = None) -> QuerySet[Closure]:
    """The workspace's closures by start date; with `ending_from`, only those not over by then."""
    closures = Closure.objects.filter(workspace=workspace).order_by("start_date", "id")
    if ending_from is not None:
        closures = closures.filter(end_date__gte=ending_from)
    return closures


def get_closure(workspace: Workspace, closure_id: Any) -> Closure:
    pk = as_id(closure_id)
    closure = Closure.objects.filter(workspace=workspace, pk=pk).first() if pk is not None else None
    if closure is None:
        raise NotFound
    return closure


def photos_of(workspace: Workspace) -> QuerySet[WorkspacePhoto]:
    """The workspace's photos in the order members see them."""
    return WorkspacePhoto.objects.filter(workspace=workspace).order_by("position", "id")


@dataclass(frozen=True)
class AccessRule:
    """A workspace's access rule as admins edit it. Admins and owners always have access."""

    restricted: bool
    allowed_roles: list[str]
    allowed_members: list[User]
    allowed_groups: list[Group] = field(default_factory=list)


def access_rule_of(workspace: Workspace) -> AccessRule:
    grants = list(
        WorkspaceAccessGrant.objects.filter(workspace=workspace).select_related("user", "group").order_by("id")
    )
    return AccessRule(
        restricted=workspace.restricted,
        allowed_roles=sorted(grant.role for grant in grants if grant.role),
        allowed_members=sorted(
            (grant.user for grant in grants if grant.user is not None), key=lambda user: (user.display_name, user.pk)
        ),
        allowed_groups=sorted(
            (grant.group for grant in grants if grant.group is not None), key=lambda group: (group.name, group.pk)
        ),
    )


def groups_of_organization(organization_id: int) -> QuerySet[Group]:
    """The groups an access rule may name: those of the workspace's organization, by name."""
    return Group.objects.filter(organization_id=organization_id).order_by("name", "pk")


# --- Editing a description ----------------------------------------------------------------------------------


class _PlainTextWriter(HTMLParser):
    """Writes sanitised description HTML back in the plain-text convention of richtext (paragraphs, "- " lists)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.lines: list[str] = []
        self.line: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.lines.append("".join(self.line))
            self.line = []
        elif tag == "li":
            self.line = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "li":
            self.lines.append("- " + "".join(self.line))
            self.line = []
        elif tag in {"p", "ul"}:
            if tag == "p":
                self.lines.append("".join(self.line))
            self.blocks.append("\n".join(self.lines))
            self.lines, self.line = [], []

    def handle_data(self, data: str) -> None:
        self.line.append(data)

    def close(self) -> None:
        super().close()
        # Text outside any paragraph (a row written before sanitising wrapped it) is one more paragraph.
        self.lines.append("".join(self.line))
        if any(line.strip() for line in self.lines):
            self.blocks.append("\n".join(self.lines))


def editable_description(workspace: Workspace) -> str:
    """The description as an admin edits it in a text box.

    The plain text it was typed as (paragraphs, "- " lists) when that text
    gives back exactly the same HTML once saved again; otherwise the HTML
    itself (links, emphasis), which is saved unchanged too.
    """
    stored = str(workspace.description_html)
    if not stored:
        return ""
    writer = _PlainTextWriter()
    writer.feed(stored)
    writer.close()
    text = "\n\n".join(writer.blocks)
    return text if sanitize_description(text) == stored else stored


def may_view_workspace_photo(viewer: User, name: str) -> bool:
    """A workspace photo is seen by whoever may see the workspace (organization and access rule)."""
    photo = WorkspacePhoto.objects.filter(Q(image=name) | Q(thumbnail=name)).only("workspace_id").first()
    if photo is None:
        return False
    try:
        get_workspace_for_member(viewer, photo.workspace_id)
    except NotFound:
        return False
    return True
