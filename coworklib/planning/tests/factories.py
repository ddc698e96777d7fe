"""Helpers for the planning tests: aware local times, sessions booked through the real services."""

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from coworklib.accounts.models import User
from coworklib.organizations.models import Organization
from coworklib.planning import services
from coworklib.planning.models import Session
from coworklib.workspaces.models import Workspace
from coworklib.workspaces.tests.factories import membership_of

PARIS = ZoneInfo("Europe/Paris")

# A Monday well ahead of "now" in every test (tests that need "now" travel with time-machine).
NEXT_MONDAY = date(2026, 12, 7)


def at(day: date, hour: int, minute: int = 0, zone: ZoneInfo = PARIS) -> datetime:
    """An aware datetime: `day` at hour:minute on the wall clock of `zone` (Paris by default)."""
    return datetime.combine(day, time(hour, minute), tzinfo=zone)


def book(
    user: User,
    organization: Organization,
    workspace: Workspace,
    start: datetime,
    end: datetime,
    **fields: Any,
) -> Session:
    """A session created by `user` through `services.create_session`."""
    return services.create_session(
        by=membership_of(user, organization), workspace=workspace, start=start, end=end, **fields
    )


def join(user: User, organization: Organization, session: Session) -> Any:
    return services.join_session(by=membership_of(user, organization), session=session)
