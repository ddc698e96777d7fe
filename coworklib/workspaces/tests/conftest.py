import pytest

from coworklib.accounts.models import User
from coworklib.organizations.models import Organization
from coworklib.workspaces.models import Workspace
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
