"""Demo workspaces (API.md's demo data): Paris head office, Lyon office, a meeting room, a partner coworking space."""

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from coworklib.organizations.models import Membership, Organization, Role
from coworklib.workspaces import services
from coworklib.workspaces.models import Closure, Equipment, Workspace, WorkspaceKind
from coworklib.workspaces.opening_hours import WeeklyInterval, parse_wall_time

MONDAY_TO_FRIDAY = range(5)


def _hours(days: range | list[int], *intervals: tuple[str, str]) -> list[WeeklyInterval]:
    return [
        WeeklyInterval(weekday=day, opens=parse_wall_time(opens), closes=parse_wall_time(closes, closing=True))
        for day in days
        for opens, closes in intervals
    ]


DEMO_WORKSPACES: list[dict[str, Any]] = [
    {
        "name": "Siège Paris",
        "kind": WorkspaceKind.OFFICE,
        "capacity": 60,
        "description": (
            "Notre siège, au cœur du 10e arrondissement, à deux pas de la gare de l'Est.\n\n"
            "- Open space lumineux sur deux niveaux\n- Terrasse au 6e étage\n- Douches et local vélos"
        ),
        "street": "12 rue du Faubourg Poissonnière",
        "postal_code": "75010",
        "city": "Paris",
        "latitude": 48.8729,
        "longitude": 2.3485,
        "hours": _hours(MONDAY_TO_FRIDAY, ("08:00", "19:00")),
        "equipment": [
            "wifi",
            "screens",
            "standing-desks",
            "phone-booths",
            "kitchen",
            "coffee",
            "bike-storage",
            "step-free-access",
        ],
    },
    {
        "name": "Bureau de Lyon",
        "kind": WorkspaceKind.OFFICE,
        "capacity": 24,
        "description": "Un plateau calme en Presqu'île, fermé à l'heure du déjeuner.",
        "street": "25 rue de la République",
        "postal_code": "69002",
        "city": "Lyon",
        "latitude": 45.7640,
        "longitude": 4.8357,
        "hours": _hours(MONDAY_TO_FRIDAY, ("08:30", "12:30"), ("13:30", "18:30")),
        "equipment": ["wifi", "screens", "videoconference", "coffee"],
    },
    {
        "name": "Salle Gutenberg",
        "kind": WorkspaceKind.MEETING_ROOM,
        "capacity": 10,
        "description": "Salle de réunion du siège, 3e étage : écran 75 pouces et visioconférence.",
        "street": "12 rue du Faubourg Poissonnière",
        "postal_code": "75010",
        "city": "Paris",
        "latitude": 48.8729,
        "longitude": 2.3485,
        "hours": _hours(MONDAY_TO_FRIDAY, ("08:00", "19:00")),
        "equipment": ["wifi", "screens", "videoconference", "whiteboard", "step-free-access"],
    },
    {
        "name": "Atelier Partagé Nantes",
        "kind": WorkspaceKind.COWORKING,
        "capacity": 15,
        "description": "Espace de coworking partenaire sur l'île de Nantes, ouvert aussi le samedi.",
        "street": "8 quai François Mitterrand",
        "postal_code": "44200",
        "city": "Nantes",
        "latitude": 47.2086,
        "longitude": -1.5560,
        "hours": _hours(MONDAY_TO_FRIDAY, ("09:00", "20:00")) + _hours([5], ("10:00", "18:00")),
        "equipment": ["wifi", "phone-booths", "kitchen", "coffee", "printer"],
    },
]


def _next_year_end_closure(today: date) -> tuple[date, date]:
    year = today.year if today <= date(today.year, 12, 24) else today.year + 1
    return date(year, 12, 24), date(year + 1, 1, 1)


@transaction.atomic
def seed_demo_workspaces(organization: Organization) -> list[Workspace]:
    """Create the demo workspaces of `organization` that do not exist yet (by name). Idempotent.

    Goes through the services, as its first owner or admin, so the demo data
    obeys the same rules as everything else.
    """
    admin = (
        Membership.objects.filter(organization=organization, role__in=[Role.OWNER, Role.ADMIN])
        .select_related("user", "organization")
        .order_by("joined_at", "id")
        .first()
    )
    if admin is None:
        raise ValueError(f"{organization.slug} has no owner or admin to create its demo workspaces")
    existing = {workspace.name: workspace for workspace in Workspace.objects.filter(organization=organization)}
    services.ensure_default_equipment(organization)
    equipment_ids = dict(Equipment.objects.filter(organization=organization).values_list("key", "pk"))
    workspaces = []
    for spec in DEMO_WORKSPACES:
        workspace = existing.get(spec["name"])
        if workspace is None:
            workspace = services.create_workspace(
                by=admin,
                name=spec["name"],
                kind=spec["kind"],
                capacity=spec["capacity"],
                timezone="Europe/Paris",
                description=spec["description"],
                street=spec["street"],
                postal_code=spec["postal_code"],
                city=spec["city"],
                country="FR",
                latitude=spec["latitude"],
                longitude=spec["longitude"],
                equipment_ids=[equipment_ids[key] for key in spec["equipment"] if key in equipment_ids],
                opening_hours=spec["hours"],
            )
        workspaces.append(workspace)
    head_office = workspaces[0]
    if not Closure.objects.filter(workspace=head_office).exists():
        start, end = _next_year_end_closure(timezone.localdate())
        services.add_closure(
            by=admin, workspace=head_office, start_date=start, end_date=end, reason="Fermeture de fin d'année"
        )
    return workspaces
