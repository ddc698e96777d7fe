from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from coworklib.accounts.models import User
from coworklib.organizations.models import Organization
from coworklib.planning.tests.factories import FROZEN_TODAY, PARIS, at
from coworklib.workspaces.models import Workspace
from coworklib.workspaces.opening_hours import WeeklyInterval

# Re-exported for the planning tests.
from coworklib.workspaces.tests.conftest import globex_office, paris  # noqa: F401
from coworklib.workspaces.tests.factories import make_workspace


@pytest.fixture
def small_room(alice: User, acme: Organization) -> Workspace:
    """A 2-seat room open every day 08:00–20:00 in Paris: easy to fill."""
    return make_workspace(
        alice,
        acme,
        "Petite salle",
        capacity=2,
        opening_hours=[WeeklyInterval(day, 8 * 60, 20 * 60) for day in range(7)],
    )


@pytest.fixture
def frozen_now() -> Iterator[Any]:
    """The clock stopped on Wednesday 2 December 2026, 10:00 in Paris (FROZEN_TODAY, before FROZEN_MONDAY)."""
    with time_machine.travel(at(FROZEN_TODAY, 10, 0, PARIS), tick=False) as traveller:
        yield traveller
