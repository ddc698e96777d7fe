"""Who is where, for a week: by day and workspace, with who checked in, never what the member may not see.

The clock is stopped on Wednesday 2 December 2026, 10:00 in Paris; the week is Monday 30 November – Sunday 6 December.
"""

from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from conftest import make_member
from coworklib.accounts.models import User
from coworklib.organizations.models import Organization
from coworklib.planning import selectors, services
from coworklib.planning.models import Visibility
from coworklib.planning.selectors import WhereaboutsDay
from coworklib.planning.tests.factories import at, book
from coworklib.workspaces import services as workspace_services
from coworklib.workspaces.models import Workspace
from coworklib.workspaces.tests.factories import make_workspace, membership_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

WEEK = date(2026, 11, 30)
WEDNESDAY, THURSDAY, FRIDAY = date(2026, 12, 2), date(2026, 12, 3), date(2026, 12, 4)
TOKYO = ZoneInfo("Asia/Tokyo")


def grid(days: list[WhereaboutsDay]) -> dict[date, dict[str, list[tuple[str, bool]]]]:
    """The week as plain data: day → workspace name → [(first name, checked in)], leaving out empty days."""
    return {
        day.day: {
            workspace.name: [(entry.user.first_name, entry.checked_in) for entry in people]
            for workspace, people in day.by_workspace
        }
        for day in days
        if day.by_workspace
    }


def seen_by(user: User, organization: Organization, **options: Any) -> dict[date, dict[str, list[tuple[str, bool]]]]:
    return grid(selectors.whereabouts(membership_of(user, organization), WEEK, **options))


@pytest.fixture
def dave(acme: Organization) -> User:
    return make_member(acme, "dave@acme.test", first_name="Dave", last_name="Dupont")


def test_the_week_has_seven_days_from_monday() -> None:
    assert selectors.week_of(WEDNESDAY) == [WEEK + timedelta(days=offset) for offset in range(7)]
    assert selectors.week_of(WEEK) == selectors.week_of(WEEK + timedelta(days=6))


def test_going_people_appear_by_day_and_workspace(
    alice: User, bob: User, carol: User, acme: Organization, paris: Workspace, small_room: Workspace
) -> None:
    session = book(alice, acme, paris, at(THURSDAY, 9), at(THURSDAY, 17))
    services.join_session(by=membership_of(bob, acme), session=session)
    book(carol, acme, small_room, at(THURSDAY, 9), at(THURSDAY, 12))
    book(carol, acme, paris, at(FRIDAY, 9), at(FRIDAY, 12))

    days = selectors.whereabouts(membership_of(bob, acme), WEEK)

    assert [day.day for day in days] == selectors.week_of(WEEK)
    assert grid(days) == {
        THURSDAY: {"Paris HQ": [("Alice", False), ("Bob", False)], "Petite salle": [("Carol", False)]},
        FRIDAY: {"Paris HQ": [("Carol", False)]},
    }
    thursday = next(day for day in days if day.day == THURSDAY)
    assert thursday.people == 3
    [alice_there, _bob_there] = thursday.by_workspace[0][1]
    assert [s.pk for s in alice_there.sessions] == [session.pk]


def test_invited_declined_and_cancelled_are_not_there(
    alice: User, bob: User, carol: User, dave: User, acme: Organization, paris: Workspace
) -> None:
    book(alice, acme, paris, at(THURSDAY, 9), at(THURSDAY, 17), invitee_ids=[bob.pk, carol.pk])
    services.decline_session(
        by=membership_of(carol, acme),
        session=book(dave, acme, paris, at(FRIDAY, 9), at(FRIDAY, 12), invitee_ids=[carol.pk]),
    )
    cancelled = book(carol, acme, paris, at(THURSDAY, 9), at(THURSDAY, 12))
    services.cancel_session(by=membership_of(carol, acme), session=cancelled)

    assert seen_by(bob, acme) == {THURSDAY: {"Paris HQ": [("Alice", False)]}, FRIDAY: {"Paris HQ": [("Dave", False)]}}


def test_checked_in_people_are_flagged_and_listed_first(
    alice: User, bob: User, carol: User, acme: Organization, paris: Workspace
) -> None:
    session = book(alice, acme, paris, at(WEDNESDAY, 9), at(WEDNESDAY, 17))
    services.join_session(by=membership_of(bob, acme), session=session)
    services.check_in(by=membership_of(bob, acme), workspace=paris)
    # Carol walks in without a session: her walk-in seat puts her there too.
    services.check_in(by=membership_of(carol, acme), workspace=paris)

    assert seen_by(alice, acme) == {
        WEDNESDAY: {"Paris HQ": [("Bob", True), ("Carol", True), ("Alice", False)]},
    }


def test_a_check_in_another_day_does_not_flag_today(
    alice: User, bob: User, acme: Organization, paris: Workspace
) -> None:
    services.check_in(by=membership_of(bob, acme), workspace=paris)
    services.check_out(user=bob)
    book(bob, acme, paris, at(THURSDAY, 9), at(THURSDAY, 17))

    assert seen_by(alice, acme)[THURSDAY] == {"Paris HQ": [("Bob", False)]}


def test_an_invitation_only_session_is_hidden_from_those_not_in_it(
    alice: User, bob: User, carol: User, dave: User, acme: Organization, paris: Workspace
) -> None:
    secret = book(
        carol, acme, paris, at(THURSDAY, 9), at(THURSDAY, 12), visibility=Visibility.INVITED, invitee_ids=[dave.pk]
    )
    services.join_session(by=membership_of(dave, acme), session=secret)

    assert seen_by(bob, acme) == {}
    assert seen_by(alice, acme) == {}  # an admin who is not invited either
    assert seen_by(dave, acme) == {THURSDAY: {"Paris HQ": [("Carol", False), ("Dave", False)]}}


def test_a_restricted_workspace_is_hidden_from_those_it_excludes(
    alice: User, bob: User, carol: User, acme: Organization, paris: Workspace, small_room: Workspace
) -> None:
    book(carol, acme, small_room, at(THURSDAY, 9), at(THURSDAY, 12))
    book(alice, acme, paris, at(THURSDAY, 9), at(THURSDAY, 12))
    workspace_services.set_access_rule(by=membership_of(alice, acme), workspace=small_room, restricted=True)

    assert seen_by(bob, acme) == {THURSDAY: {"Paris HQ": [("Alice", False)]}}
    assert seen_by(carol, acme) == {THURSDAY: {"Paris HQ": [("Alice", False)], "Petite salle": [("Carol", False)]}}


def test_a_check_in_at_a_restricted_workspace_flags_nobody_for_those_it_excludes(
    alice: User, bob: User, carol: User, acme: Organization, small_room: Workspace
) -> None:
    services.check_in(by=membership_of(carol, acme), workspace=small_room)
    workspace_services.set_access_rule(by=membership_of(alice, acme), workspace=small_room, restricted=True)

    assert seen_by(bob, acme) == {}


def test_another_organization_is_never_shown(
    alice: User, olivia: User, acme: Organization, globex: Organization, paris: Workspace, globex_office: Workspace
) -> None:
    book(
        olivia,
        globex,
        globex_office,
        at(THURSDAY, 9, zone=ZoneInfo("America/New_York")),
        at(THURSDAY, 12, zone=ZoneInfo("America/New_York")),
    )
    services.check_in(by=membership_of(olivia, globex), workspace=globex_office)
    book(alice, acme, paris, at(THURSDAY, 9), at(THURSDAY, 12))

    assert seen_by(alice, acme) == {THURSDAY: {"Paris HQ": [("Alice", False)]}}
    assert seen_by(olivia, globex) == {
        WEDNESDAY: {"Globex Tower": [("Olivia", True)]},
        THURSDAY: {"Globex Tower": [("Olivia", False)]},
    }


def test_a_multi_day_session_appears_on_each_of_its_days(alice: User, bob: User, acme: Organization) -> None:
    always_open = make_workspace(alice, acme, "Ouvert 24/7", capacity=4)
    book(alice, acme, always_open, at(THURSDAY, 9), at(date(2026, 12, 6), 12))
    # Ending at midnight: that day only.
    book(bob, acme, always_open, at(THURSDAY, 20), at(FRIDAY, 0))

    assert seen_by(bob, acme) == {
        THURSDAY: {"Ouvert 24/7": [("Alice", False), ("Bob", False)]},
        FRIDAY: {"Ouvert 24/7": [("Alice", False)]},
        date(2026, 12, 5): {"Ouvert 24/7": [("Alice", False)]},
        date(2026, 12, 6): {"Ouvert 24/7": [("Alice", False)]},
    }


def test_a_session_running_into_the_next_week_shows_its_days_in_both(alice: User, acme: Organization) -> None:
    always_open = make_workspace(alice, acme, "Ouvert 24/7", capacity=4)
    book(alice, acme, always_open, at(date(2026, 12, 6), 9), at(date(2026, 12, 7), 12))

    assert list(seen_by(alice, acme)) == [date(2026, 12, 6)]
    next_week = grid(selectors.whereabouts(membership_of(alice, acme), date(2026, 12, 7)))
    assert list(next_week) == [date(2026, 12, 7)]


def test_days_are_the_workspaces_local_dates(alice: User, acme: Organization) -> None:
    tokyo = make_workspace(alice, acme, "Shibuya", capacity=4, timezone="Asia/Tokyo")
    # Friday 08:00 in Tokyo is still Thursday in UTC.
    book(alice, acme, tokyo, at(FRIDAY, 8, zone=TOKYO), at(FRIDAY, 12, zone=TOKYO))

    assert seen_by(alice, acme) == {FRIDAY: {"Shibuya": [("Alice", False)]}}


def test_it_can_be_narrowed_to_some_people(
    alice: User, bob: User, carol: User, acme: Organization, paris: Workspace
) -> None:
    session = book(alice, acme, paris, at(THURSDAY, 9), at(THURSDAY, 17))
    services.join_session(by=membership_of(bob, acme), session=session)
    book(carol, acme, paris, at(FRIDAY, 9), at(FRIDAY, 12))
    with time_machine.travel(at(WEDNESDAY, 10), tick=False):
        services.check_in(by=membership_of(carol, acme), workspace=paris)

    assert seen_by(alice, acme, user_ids=[bob.pk]) == {THURSDAY: {"Paris HQ": [("Bob", False)]}}
    assert seen_by(alice, acme, user_ids=[]) == {}


def test_an_empty_week_has_its_seven_empty_days(bob: User, acme: Organization) -> None:
    days = selectors.whereabouts(membership_of(bob, acme), WEEK)

    assert [(day.day, day.by_workspace, day.people) for day in days] == [
        (WEEK + timedelta(days=offset), [], 0) for offset in range(7)
    ]
