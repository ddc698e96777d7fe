import pytest

from coworklib.accounts.models import User
from coworklib.organizations.models import Organization
from coworklib.workspaces import services
from coworklib.workspaces.models import Equipment, Workspace, WorkspaceKind
from coworklib.workspaces.opening_hours import WeeklyInterval
from coworklib.workspaces.tests.factories import make_workspace


@pytest.fixture
def paris(alice: User, acme: Organization) -> Workspace:
    """Acme's Paris office, open Monday to Friday 08:00–19:00."""
    return make_workspace(
        alice,
        acme,
        "Paris HQ",
        capacity=20,
        city="Paris",
        opening_hours=[WeeklyInterval(weekday, 8 * 60, 19 * 60) for weekday in range(5)],
    )


@pytest.fixture
def globex_office(olivia: User, globex: Organization) -> Workspace:
    return make_workspace(olivia, globex, "Globex Tower", capacity=50, city="Springfield", timezone="America/New_York")


@pytest.fixture
def catalogue(alice: User, acme: Organization) -> dict[str, Equipment]:
    services.ensure_default_equipment(acme)
    return {item.key: item for item in Equipment.objects.filter(organization=acme)}


@pytest.fixture
def offices(alice: User, acme: Organization, catalogue: dict[str, Equipment]) -> dict[str, Workspace]:
    weekdays = [WeeklyInterval(day, 8 * 60, 19 * 60) for day in range(5)]
    nights = [WeeklyInterval(day, 20 * 60, 24 * 60) for day in range(7)]
    return {
        "paris": make_workspace(
            alice,
            acme,
            "Paris HQ",
            capacity=20,
            city="Paris",
            opening_hours=weekdays,
            equipment_ids=[catalogue["wifi"].pk, catalogue["parking"].pk],
        ),
        "lyon": make_workspace(
            alice,
            acme,
            "Lyon office",
            capacity=6,
            city="Lyon",
            opening_hours=weekdays,
            equipment_ids=[catalogue["wifi"].pk],
        ),
        "gutenberg": make_workspace(
            alice,
            acme,
            "Salle Gutenberg",
            capacity=10,
            city="Paris",
            kind=WorkspaceKind.MEETING_ROOM,
            opening_hours=nights,
        ),
    }
