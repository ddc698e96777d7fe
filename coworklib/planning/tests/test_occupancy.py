"""Occupancy: the peak arithmetic, free seats of a day, a workspace's day timeline, and capacity decreases."""

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import make_member
from coworklib.accounts.models import User
from coworklib.core.errors import Conflict
from coworklib.organizations.models import Organization
from coworklib.planning import selectors, services
from coworklib.planning.capacity import Booking, peak_occupancy, sessions_over_capacity
from coworklib.planning.models import Session, Visibility
from coworklib.planning.tests.factories import FROZEN_MONDAY, PARIS, at, book
from coworklib.workspaces import selectors as workspace_selectors
from coworklib.workspaces import services as workspace_services
from coworklib.workspaces.models import Workspace
from coworklib.workspaces.tests.factories import make_workspace, membership_of

UTC = ZoneInfo("UTC")
TOKYO = ZoneInfo("Asia/Tokyo")
BASE = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


def booking(start_minute: int, end_minute: int, going: int = 1, session_id: int = 0) -> Booking:
    return Booking(
        session_id=session_id,
        start=BASE + timedelta(minutes=start_minute),
        end=BASE + timedelta(minutes=end_minute),
        going=going,
    )


def window(start_minute: int, end_minute: int) -> tuple[datetime, datetime]:
    return BASE + timedelta(minutes=start_minute), BASE + timedelta(minutes=end_minute)


def crowd(organization: Organization, count: int, prefix: str) -> list[User]:
    return [make_member(organization, f"{prefix}{number}@acme.test") for number in range(count)]


def session_with(
    organizer: User,
    organization: Organization,
    workspace: Workspace,
    start: datetime,
    end: datetime,
    joiners: list[User],
) -> Session:
    session = book(organizer, organization, workspace, start, end)
    for joiner in joiners:
        services.join_session(by=membership_of(joiner, organization), session=session)
    return session


# --- The arithmetic (no database) -----------------------------------------------------------------------------


def test_the_peak_is_found_in_the_middle_of_the_range() -> None:
    # 10:00–11:00 and 10:30–12:00 (minutes from 08:00): both held from 10:30 to 11:00.
    bookings = [booking(120, 180), booking(150, 240)]

    assert peak_occupancy(bookings, *window(60, 300)) == 2


def test_seats_given_back_at_an_instant_are_free_at_that_instant() -> None:
    bookings = [booking(0, 60, going=2), booking(60, 120, going=2)]

    assert peak_occupancy(bookings, *window(0, 120)) == 2
    assert peak_occupancy(bookings, *window(60, 61)) == 2
    assert peak_occupancy(bookings, *window(120, 180)) == 0


def test_bookings_outside_the_range_do_not_count() -> None:
    bookings = [booking(0, 60, going=5), booking(120, 180, going=5)]

    assert peak_occupancy(bookings, *window(60, 120)) == 0
    assert peak_occupancy(bookings, *window(59, 120)) == 5


def test_the_going_count_of_each_booking_adds_up() -> None:
    bookings = [booking(0, 240, going=3), booking(60, 120, going=4), booking(90, 100, going=1)]

    assert peak_occupancy(bookings, *window(0, 240)) == 8
    assert peak_occupancy(bookings, *window(100, 240)) == 7
    assert peak_occupancy([], *window(0, 240)) == 0


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 48), st.integers(1, 16), st.integers(1, 4)), max_size=12),
    st.integers(0, 60),
    st.integers(1, 20),
)
def test_the_peak_is_the_most_seats_held_at_any_instant(
    spans: list[tuple[int, int, int]], range_start: int, range_length: int
) -> None:
    # Quarter hours as the unit; half-open intervals, checked instant by instant.
    bookings = [booking(start * 15, (start + length) * 15, going) for start, length, going in spans]
    start, end = range_start * 15, (range_start + range_length) * 15
    brute_force = max(
        sum(b.going for b in bookings if b.start <= BASE + timedelta(minutes=minute) < b.end)
        for minute in range(start, end)
    )

    assert peak_occupancy(bookings, *window(start, end)) == brute_force


# --- Free seats of a day --------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen_now")
def test_free_seats_are_the_capacity_minus_the_days_peak(
    alice: User, bob: User, acme: Organization, paris: Workspace
) -> None:
    people = crowd(acme, 4, "p")
    session_with(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), people[:2])  # 3 seats
    session_with(bob, acme, paris, at(FROZEN_MONDAY, 11), at(FROZEN_MONDAY, 13), people[2:3])  # 2 seats, 5 at 11:00
    session_with(people[3], acme, paris, at(FROZEN_MONDAY, 14), at(FROZEN_MONDAY, 18), [])  # 1 seat

    assert selectors.free_seats_on([paris], FROZEN_MONDAY) == {paris.pk: 15}
    assert selectors.free_seats_on([paris], FROZEN_MONDAY + timedelta(days=1)) == {paris.pk: 20}


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen_now")
def test_invitations_and_cancelled_sessions_hold_no_seat(
    alice: User, bob: User, carol: User, acme: Organization, small_room: Workspace
) -> None:
    book(alice, acme, small_room, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), invitee_ids=[bob.pk, carol.pk])
    cancelled = book(bob, acme, small_room, at(FROZEN_MONDAY, 13), at(FROZEN_MONDAY, 14))
    services.cancel_session(by=membership_of(bob, acme), session=cancelled)

    assert selectors.free_seats_on([small_room], FROZEN_MONDAY) == {small_room.pk: 1}


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen_now")
def test_a_full_workspace_has_no_free_seats(
    alice: User, bob: User, acme: Organization, small_room: Workspace, paris: Workspace
) -> None:
    book(alice, acme, small_room, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 10))
    book(bob, acme, small_room, at(FROZEN_MONDAY, 9, 30), at(FROZEN_MONDAY, 11))

    assert selectors.free_seats_on([small_room, paris], FROZEN_MONDAY) == {small_room.pk: 0, paris.pk: 20}
    assert workspace_selectors.free_seats_by_workspace([small_room, paris], FROZEN_MONDAY) == {
        small_room.pk: 0,
        paris.pk: 20,
    }


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen_now")
def test_a_night_session_counts_on_both_days(alice: User, acme: Organization) -> None:
    always_open = make_workspace(alice, acme, "Ouvert 24/7", capacity=4)
    book(alice, acme, always_open, at(FROZEN_MONDAY, 22), at(FROZEN_MONDAY + timedelta(days=1), 2))

    assert selectors.free_seats_on([always_open], FROZEN_MONDAY) == {always_open.pk: 3}
    assert selectors.free_seats_on([always_open], FROZEN_MONDAY + timedelta(days=1)) == {always_open.pk: 3}
    assert selectors.free_seats_on([always_open], FROZEN_MONDAY + timedelta(days=2)) == {always_open.pk: 4}


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen_now")
def test_free_seats_follow_each_workspaces_local_date(alice: User, acme: Organization, paris: Workspace) -> None:
    tokyo = make_workspace(alice, acme, "Shibuya", capacity=4, timezone="Asia/Tokyo")
    # Monday 07:00 in Tokyo is Sunday 23:00 in Paris.
    book(alice, acme, tokyo, at(FROZEN_MONDAY, 7, zone=TOKYO), at(FROZEN_MONDAY, 9, zone=TOKYO))

    assert selectors.free_seats_on([tokyo, paris], FROZEN_MONDAY) == {tokyo.pk: 3, paris.pk: 20}
    assert selectors.free_seats_on([tokyo], FROZEN_MONDAY - timedelta(days=1)) == {tokyo.pk: 4}


@pytest.mark.django_db
def test_without_a_date_free_seats_are_today_in_each_zone(alice: User, bob: User, acme: Organization) -> None:
    tokyo = make_workspace(alice, acme, "Shibuya", capacity=4, timezone="Asia/Tokyo")
    paris = make_workspace(alice, acme, "Paris 24/7", capacity=4)
    with time_machine.travel(datetime(2026, 12, 2, 10, 0, tzinfo=PARIS), tick=False):
        book(alice, acme, tokyo, at(date(2026, 12, 3), 9, zone=TOKYO), at(date(2026, 12, 3), 12, zone=TOKYO))
        book(bob, acme, paris, at(date(2026, 12, 2), 18), at(date(2026, 12, 2), 20))

    # 18:00 in Paris on 2 December is already 3 December in Tokyo.
    with time_machine.travel(datetime(2026, 12, 2, 18, 0, tzinfo=PARIS), tick=False):
        assert selectors.free_seats_on([tokyo, paris]) == {tokyo.pk: 3, paris.pk: 3}
    with time_machine.travel(datetime(2026, 12, 2, 10, 0, tzinfo=PARIS), tick=False):
        assert selectors.free_seats_on([tokyo, paris]) == {tokyo.pk: 4, paris.pk: 3}


@pytest.mark.django_db
def test_free_seats_of_no_workspace_is_empty() -> None:
    assert selectors.free_seats_on([], FROZEN_MONDAY) == {}


# --- The day timeline -----------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen_now")
def test_the_timeline_shows_each_hours_peak_against_capacity(
    alice: User, bob: User, acme: Organization, paris: Workspace
) -> None:
    people = crowd(acme, 3, "t")
    session_with(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), people[:1])  # 2 seats
    session_with(bob, acme, paris, at(FROZEN_MONDAY, 10, 30), at(FROZEN_MONDAY, 11), people[1:3])  # 3 seats

    timeline = selectors.day_timeline(paris, FROZEN_MONDAY)

    assert len(timeline.slots) == 24
    by_hour = {slot.start.astimezone(PARIS).hour: slot for slot in timeline.slots}
    assert [by_hour[hour].peak for hour in range(8, 13)] == [0, 2, 5, 2, 0]
    assert (by_hour[10].capacity, by_hour[10].free, by_hour[10].percent) == (20, 15, 25)
    assert [hour for hour, slot in by_hour.items() if slot.open] == list(range(8, 19))
    assert (timeline.peak, timeline.free_seats) == (5, 15)
    assert timeline.open_intervals == [(at(FROZEN_MONDAY, 8), at(FROZEN_MONDAY, 19))]
    assert all(slot.end - slot.start == timedelta(hours=1) for slot in timeline.slots)


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen_now")
def test_a_closed_day_has_no_open_hour(paris: Workspace) -> None:
    timeline = selectors.day_timeline(paris, date(2026, 12, 5))

    assert not any(slot.open for slot in timeline.slots)
    assert timeline.open_intervals == []
    assert timeline.free_seats == 20


@pytest.mark.django_db
@pytest.mark.parametrize(("day", "hours"), [(date(2026, 3, 29), 23), (date(2026, 10, 25), 25)])
def test_a_day_the_clocks_change_has_its_real_number_of_hours(paris: Workspace, day: date, hours: int) -> None:
    timeline = selectors.day_timeline(paris, day)

    assert len(timeline.slots) == hours
    assert timeline.slots[0].start == datetime.combine(day, datetime.min.time(), tzinfo=PARIS)
    assert timeline.slots[-1].end == datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=PARIS)
    assert all(later.start == earlier.end for earlier, later in zip(timeline.slots, timeline.slots[1:], strict=False))


def test_a_percent_never_exceeds_a_hundred() -> None:
    slot = selectors.TimelineSlot(start=BASE, end=BASE + timedelta(hours=1), peak=3, open=True, capacity=2)

    assert (slot.percent, slot.free) == (100, 0)


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen_now")
def test_the_sessions_of_a_day_are_those_the_member_may_see(
    alice: User, bob: User, carol: User, acme: Organization, paris: Workspace
) -> None:
    shown = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))
    book(carol, acme, paris, at(FROZEN_MONDAY, 13), at(FROZEN_MONDAY, 14), visibility=Visibility.INVITED)
    cancelled = book(alice, acme, paris, at(FROZEN_MONDAY, 15), at(FROZEN_MONDAY, 16))
    services.cancel_session(by=membership_of(alice, acme), session=cancelled)
    book(alice, acme, paris, at(FROZEN_MONDAY + timedelta(days=1), 9), at(FROZEN_MONDAY + timedelta(days=1), 12))

    sessions = selectors.sessions_at(membership_of(bob, acme), paris, FROZEN_MONDAY)

    assert [session.pk for session in sessions] == [shown.pk]


# --- Capacity decreases ---------------------------------------------------------------------------------------


def decrease(admin: User, organization: Organization, workspace: Workspace, capacity: int) -> Workspace:
    return workspace_services.update_workspace(
        by=membership_of(admin, organization), workspace=workspace, capacity=capacity
    )


@pytest.fixture
def busy_paris(alice: User, bob: User, acme: Organization, paris: Workspace, frozen_now: Any) -> dict[str, Session]:
    """Paris HQ (20 seats) with 3 going 09–12 and 2 going 10–11 on Monday, 2 going on Tuesday, 1 on Wednesday."""
    people = crowd(acme, 6, "c")
    return {
        "monday_morning": session_with(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), people[:2]),
        "monday_meeting": session_with(bob, acme, paris, at(FROZEN_MONDAY, 10), at(FROZEN_MONDAY, 11), people[2:3]),
        "tuesday": session_with(
            people[3], acme, paris, at(date(2026, 12, 8), 9), at(date(2026, 12, 8), 17), people[4:5]
        ),
        "wednesday": session_with(people[5], acme, paris, at(date(2026, 12, 9), 9), at(date(2026, 12, 9), 17), []),
    }


@pytest.mark.django_db
def test_a_capacity_below_the_coming_peak_is_refused_with_the_conflicting_sessions(
    alice: User, acme: Organization, paris: Workspace, busy_paris: dict[str, Session]
) -> None:
    with pytest.raises(Conflict) as refusal:
        decrease(alice, acme, paris, 4)

    assert refusal.value.code == "sessions_over_capacity"
    assert refusal.value.extra == {
        "sessions": sorted([busy_paris["monday_morning"].pk, busy_paris["monday_meeting"].pk])
    }
    paris.refresh_from_db()
    assert paris.capacity == 20


@pytest.mark.django_db
def test_a_lower_capacity_lists_every_session_over_it(
    alice: User, acme: Organization, paris: Workspace, busy_paris: dict[str, Session]
) -> None:
    with pytest.raises(Conflict) as refusal:
        decrease(alice, acme, paris, 1)

    assert refusal.value.extra["sessions"] == sorted(
        busy_paris[name].pk for name in ("monday_morning", "monday_meeting", "tuesday")
    )


@pytest.mark.django_db
def test_a_capacity_that_still_fits_is_accepted(
    alice: User, acme: Organization, paris: Workspace, busy_paris: dict[str, Session]
) -> None:
    updated = decrease(alice, acme, paris, 5)

    paris.refresh_from_db()
    assert updated.capacity == paris.capacity == 5
    assert selectors.free_seats_on([paris], FROZEN_MONDAY) == {paris.pk: 0}


@pytest.mark.django_db
def test_past_sessions_do_not_block_a_decrease(
    alice: User, acme: Organization, paris: Workspace, busy_paris: dict[str, Session]
) -> None:
    with time_machine.travel(at(date(2026, 12, 8), 18), tick=False):
        decrease(alice, acme, paris, 1)

    paris.refresh_from_db()
    assert paris.capacity == 1


@pytest.mark.django_db
def test_a_running_session_still_blocks_a_decrease(
    alice: User, acme: Organization, paris: Workspace, busy_paris: dict[str, Session]
) -> None:
    with time_machine.travel(at(FROZEN_MONDAY, 11, 30), tick=False), pytest.raises(Conflict) as refusal:
        decrease(alice, acme, paris, 2)

    assert refusal.value.extra["sessions"] == [busy_paris["monday_morning"].pk]


@pytest.mark.django_db
def test_cancelled_sessions_do_not_block_a_decrease(
    alice: User, acme: Organization, paris: Workspace, busy_paris: dict[str, Session]
) -> None:
    for name in ("monday_morning", "monday_meeting", "tuesday"):
        services.cancel_session(by=membership_of(alice, acme), session=busy_paris[name])

    decrease(alice, acme, paris, 1)

    paris.refresh_from_db()
    assert paris.capacity == 1


@pytest.mark.django_db
def test_an_increase_is_accepted_whatever_is_booked(
    alice: User, acme: Organization, paris: Workspace, busy_paris: dict[str, Session]
) -> None:
    decrease(alice, acme, paris, 30)

    paris.refresh_from_db()
    assert paris.capacity == 30


@pytest.mark.django_db
def test_sessions_over_capacity_looks_only_at_the_given_workspace(
    alice: User, bob: User, acme: Organization, paris: Workspace, small_room: Workspace, frozen_now: Any
) -> None:
    session_with(alice, acme, small_room, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), [bob])

    assert sessions_over_capacity(paris.pk, 1, at(date(2026, 12, 2), 10)) == []
    assert len(sessions_over_capacity(small_room.pk, 1, at(date(2026, 12, 2), 10))) == 1
