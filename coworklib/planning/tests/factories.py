"""Helpers for the planning tests: aware local times, sessions booked through the real services."""

import time as clock
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from coworklib.accounts.models import User
from coworklib.organizations.models import Organization
from coworklib.planning import services
from coworklib.planning.models import Session
from coworklib.workspaces.models import Workspace
from coworklib.workspaces.tests.factories import NEXT_MONDAY as NEXT_MONDAY
from coworklib.workspaces.tests.factories import PARIS as PARIS
from coworklib.workspaces.tests.factories import membership_of


def at(day: date, hour: int, minute: int = 0, zone: ZoneInfo = PARIS) -> datetime:
    """An aware datetime: `day` at hour:minute on the wall clock of `zone` (Paris by default)."""
    return datetime.combine(day, time(hour, minute), tzinfo=zone)


# The frozen week most planning tests live in: `frozen_now` (conftest) stops the clock on Wednesday
# 2 December 2026, 10:00 in Paris, and they book on the Monday after. Use these only under a frozen clock:
# on the real clock they are in the past (issue 14: ./test went red on 7 December 2026). Tests on the real
# clock book on NEXT_MONDAY (workspaces' factories), a Monday computed from today.
FROZEN_TODAY = date(2026, 12, 2)
FROZEN_MONDAY = date(2026, 12, 7)


def now_with_time_left_today(needed: timedelta) -> datetime:
    """Now in Paris, after sleeping past midnight when less than `needed` of today is left.

    For browser tests, which stay on the real clock (the browser keeps it: under a frozen or moved server
    clock its cookies would expire) and need a session running now that ends on the same day: a run in the
    last minutes of a day waits for the next one rather than failing.
    """
    now = datetime.now(PARIS)
    midnight = at(now.date() + timedelta(days=1), 0)
    if midnight - now < needed:
        clock.sleep((midnight - now).total_seconds() + 1)
        now = datetime.now(PARIS)
    return now


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
