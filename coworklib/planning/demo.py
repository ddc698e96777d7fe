"""Demo sessions (API.md's demo data): colleagues planning the coming two weeks at the demo workspaces.

Booked through the services, so the demo obeys the capacity, the hours and
the closures like everything else: an occurrence that does not fit is simply
not part of the demo. Deterministic (seeded by the organization's slug) and
idempotent (an organization that has sessions is left alone).
"""

import random
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from coworklib.core.errors import DomainError
from coworklib.organizations.models import Membership, Organization, Role
from coworklib.planning import services
from coworklib.planning.models import Session
from coworklib.workspaces.models import Workspace
from coworklib.workspaces.opening_hours import wall_instant

DEMO_DAYS = 14
# (start, end) in minutes of the local day, the usual shapes of a day at the office.
DAY_SHAPES = [(9 * 60, 17 * 60), (9 * 60 + 30, 18 * 60), (8 * 60 + 30, 12 * 60 + 30), (14 * 60, 18 * 60)]
DESCRIPTIONS = [
    "",
    "Journée au bureau, venez !",
    "Atelier de planification du trimestre",
    "Revue de sprint puis déjeuner d'équipe",
    "Je serai là toute la journée, rejoignez-moi pour le café de 10 h.",
]


def seed_demo_sessions(organization: Organization, *, today: date | None = None) -> int:
    """Plan a realistic two weeks at the organization's workspaces; returns how many sessions were created."""
    if Session.objects.filter(organization=organization).exists():
        return 0
    members = list(
        Membership.objects.filter(organization=organization, user__deleted_at__isnull=True)
        .select_related("user", "organization")
        .order_by("role", "user__email")
    )
    workspaces = list(Workspace.objects.filter(organization=organization, archived_at__isnull=True).order_by("pk"))
    if len(members) < 2 or not workspaces:
        return 0
    chooser = random.Random(organization.slug)  # noqa: S311  (demo data: reproducible, not secret)
    today = today or timezone.localdate()
    created = 0
    owner = next((m for m in members if m.role == Role.OWNER), members[0])
    # Today too (what is already over today is refused and left out): the demo opens on a lively day.
    for offset in range(DEMO_DAYS + 1):
        day = today + timedelta(days=offset)
        for workspace in workspaces:
            organizers = chooser.sample(members, k=min(len(members), max(1, workspace.capacity // 12)))
            if workspace == workspaces[0] and owner not in organizers and offset % 3 == 1:
                organizers.append(owner)
            for organizer in organizers:
                created += _plan_one(chooser, organizer, workspace, day, members)
    return created


def _plan_one(
    chooser: random.Random, organizer: Membership, workspace: Workspace, day: date, members: list[Membership]
) -> int:
    zone = ZoneInfo(workspace.timezone)
    opens, closes = chooser.choice(DAY_SHAPES)
    colleagues = [m for m in members if m.user_id != organizer.user_id]
    invitees = chooser.sample(colleagues, k=min(len(colleagues), chooser.randint(0, 4)))
    try:
        session = services.create_session(
            by=organizer,
            workspace=workspace,
            start=wall_instant(zone, day, opens),
            end=wall_instant(zone, day, closes),
            description=chooser.choice(DESCRIPTIONS),
            invitee_ids=[m.user_id for m in invitees],
        )
    except DomainError:
        # Closed that day, full, or the organizer is already elsewhere: not part of the demo.
        return 0
    # Most invitees accept; the rest keep an invitation to answer, which the demo shows too.
    for invitee in invitees:
        if chooser.random() < 0.7:
            try:
                services.join_session(by=invitee, session=session)
            except DomainError:
                continue
    return 1
