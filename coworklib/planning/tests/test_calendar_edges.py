"""The calendar's edges, each with the clock frozen on a literal day: the weeks the clocks change in Paris,
a session and a week across New Year, a leap day, and "this week" on a Sunday evening.

The rest of the suite books in one frozen week of December or on a Monday computed from today
(factories.NEXT_MONDAY): these cases are covered here on purpose, not left to the days the tests happen to run.
"""

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from icalendar import Calendar

from conftest import make_member
from coworklib.accounts.models import User
from coworklib.core.errors import Conflict
from coworklib.organizations.models import Organization, Role
from coworklib.planning import selectors, services
from coworklib.planning.models import Session
from coworklib.planning.tests.factories import at, book, join
from coworklib.workspaces.models import Workspace
from coworklib.workspaces.opening_hours import WeeklyInterval
from coworklib.workspaces.tests.factories import call, make_workspace, membership_of

pytestmark = pytest.mark.django_db

UTC = ZoneInfo("UTC")
MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY = range(7)

# Paris changes clocks on the last Sundays of March (02:00 → 03:00) and October (03:00 → 02:00).
SPRING_SUNDAY = date(2027, 3, 28)
AUTUMN_SUNDAY = date(2027, 10, 31)
LEAP_DAY = date(2028, 2, 29)  # a Tuesday


def frozen(day: date, hour: int, minute: int = 0) -> Any:
    """The clock stopped at `day` hour:minute in Paris."""
    return time_machine.travel(at(day, hour, minute), tick=False)


@pytest.fixture
def every_day(alice: User, acme: Organization) -> Workspace:
    """A 3-seat Paris room open every day 08:00–20:00."""
    return make_workspace(
        alice,
        acme,
        "Salle quotidienne",
        capacity=3,
        opening_hours=[WeeklyInterval(day, 8 * 60, 20 * 60) for day in range(7)],
    )


@pytest.fixture
def around_the_clock(alice: User, acme: Organization) -> Workspace:
    """A 3-seat Paris room open around the clock (no hours given)."""
    return make_workspace(alice, acme, "Ouvert 24/7", capacity=3)


def utc_range(session: Session) -> tuple[datetime, datetime]:
    session.refresh_from_db()
    return session.start.astimezone(UTC), session.end.astimezone(UTC)


def week_days(body: dict[str, Any]) -> list[str]:
    return [day["date"] for day in body["days"]]


def days_with(body: dict[str, Any], user: User) -> list[str]:
    """The days of a whereabouts answer on which `user` is somewhere."""
    return [
        day["date"]
        for day in body["days"]
        if any(person["user"]["id"] == user.pk for place in day["workspaces"] for person in place["people"])
    ]


# --- The week the clocks go forward (spring) ------------------------------------------------------------------


def test_opening_hours_stay_wall_clock_hours_in_the_week_the_clocks_go_forward(
    alice: User, acme: Organization, every_day: Workspace
) -> None:
    with frozen(SPRING_SUNDAY - timedelta(days=4), 10):
        saturday = book(
            alice, acme, every_day, at(SPRING_SUNDAY - timedelta(days=1), 8), at(SPRING_SUNDAY - timedelta(days=1), 20)
        )
        sunday = book(
            alice, acme, every_day, at(SPRING_SUNDAY, 8), at(SPRING_SUNDAY + timedelta(days=1), 0) - timedelta(hours=4)
        )
        with pytest.raises(Conflict) as refusal:
            book(alice, acme, every_day, at(SPRING_SUNDAY, 7), at(SPRING_SUNDAY, 9))

    # 08:00–20:00 on both days: 07:00Z then 06:00Z once Paris is on summer time, 12 hours each.
    assert utc_range(saturday) == (datetime(2027, 3, 27, 7, tzinfo=UTC), datetime(2027, 3, 27, 19, tzinfo=UTC))
    assert utc_range(sunday) == (datetime(2027, 3, 28, 6, tzinfo=UTC), datetime(2027, 3, 28, 18, tzinfo=UTC))
    assert refusal.value.code == "workspace_closed"
    assert Session.objects.count() == 2


def test_free_seats_and_the_timeline_of_the_day_the_clocks_go_forward(
    client: Client, alice: User, bob: User, acme: Organization, around_the_clock: Workspace
) -> None:
    with frozen(SPRING_SUNDAY - timedelta(days=4), 10):
        night = book(alice, acme, around_the_clock, at(SPRING_SUNDAY, 1), at(SPRING_SUNDAY, 4))
        join(bob, acme, night)
        book(bob, acme, around_the_clock, at(SPRING_SUNDAY, 10), at(SPRING_SUNDAY, 11))
        free = selectors.free_seats_on([around_the_clock], SPRING_SUNDAY)
        body = call(client, "GET", f"/workspaces/{around_the_clock.pk}/timeline?date={SPRING_SUNDAY}", bob).json()

    # 01:00–04:00 is two real hours (02:00–03:00 does not exist): both seats are held throughout.
    assert utc_range(night) == (datetime(2027, 3, 28, 0, tzinfo=UTC), datetime(2027, 3, 28, 2, tzinfo=UTC))
    assert free == {around_the_clock.pk: 1}
    assert len(body["slots"]) == 23
    assert [(slot["start"], slot["peak"]) for slot in body["slots"][:4]] == [
        ("2027-03-28T00:00:00+01:00", 0),
        ("2027-03-28T01:00:00+01:00", 2),
        ("2027-03-28T03:00:00+02:00", 2),
        ("2027-03-28T04:00:00+02:00", 0),
    ]
    assert (body["peak"], body["free_seats"]) == (2, 1)


def test_a_weekly_series_keeps_its_wall_clock_hours_across_the_spring_change(
    alice: User, acme: Organization, every_day: Workspace
) -> None:
    thursday = SPRING_SUNDAY - timedelta(days=3)
    with frozen(thursday - timedelta(days=1), 10):
        result = services.create_recurring_sessions(
            by=membership_of(alice, acme),
            workspace=every_day,
            start=at(thursday, 9),
            end=at(thursday, 12),
            weekdays=[THURSDAY, MONDAY],
            until=thursday + timedelta(days=7),
        )

    days = [thursday, SPRING_SUNDAY + timedelta(days=1), thursday + timedelta(days=7)]
    assert [(s.start, s.end) for s in result.sessions] == [(at(day, 9), at(day, 12)) for day in days]
    stored = [utc_range(session) for session in Session.objects.order_by("start")]
    assert [start.hour for start, _end in stored] == [8, 7, 7]  # 09:00 Paris: winter, then summer time
    assert all(end - start == timedelta(hours=3) for start, end in stored)


def test_the_week_of_the_spring_change_lists_its_seven_days_and_where_people_are(
    client: Client, alice: User, bob: User, acme: Organization, around_the_clock: Workspace
) -> None:
    monday = SPRING_SUNDAY - timedelta(days=6)
    with frozen(monday, 7):
        book(bob, acme, around_the_clock, at(SPRING_SUNDAY, 22), at(SPRING_SUNDAY + timedelta(days=1), 1))
        body = call(client, "GET", f"/organizations/acme/whereabouts?week={SPRING_SUNDAY}", alice).json()
        client.force_login(alice)
        page = client.get(f"/o/acme/whereabouts/?week={SPRING_SUNDAY}")

    assert body["week_start"] == "2027-03-22"
    assert week_days(body) == [f"2027-03-{day}" for day in range(22, 29)]
    # Sunday 22:00 → Monday 01:00: on Sunday this week (Monday is next week's).
    assert days_with(body, bob) == ["2027-03-28"]
    assert [column.day for column in page.context["week"]] == [monday + timedelta(days=n) for n in range(7)]
    assert "Semaine du 22 mars au 28 mars 2027" in " ".join(page.content.decode().split())


# --- The week the clocks go back (autumn) ---------------------------------------------------------------------


def test_the_repeated_hour_holds_its_seats_twice_and_the_day_has_25_hours(
    client: Client, alice: User, bob: User, carol: User, acme: Organization, around_the_clock: Workspace
) -> None:
    with frozen(AUTUMN_SUNDAY - timedelta(days=3), 10):
        night = book(alice, acme, around_the_clock, at(AUTUMN_SUNDAY, 1), at(AUTUMN_SUNDAY, 4))
        join(bob, acme, night)
        join(carol, acme, night)
        free = selectors.free_seats_on([around_the_clock], AUTUMN_SUNDAY)
        body = call(client, "GET", f"/workspaces/{around_the_clock.pk}/timeline?date={AUTUMN_SUNDAY}", bob).json()
        dave = make_member(acme, "dave@acme.test")
        with pytest.raises(Conflict) as refusal:
            # 03:00–04:00 is still held by the three of the night session.
            book(dave, acme, around_the_clock, at(AUTUMN_SUNDAY, 3), at(AUTUMN_SUNDAY, 5))

    # 01:00–04:00 is four real hours: 02:00–03:00 happens twice.
    assert utc_range(night) == (datetime(2027, 10, 30, 23, tzinfo=UTC), datetime(2027, 10, 31, 3, tzinfo=UTC))
    assert free == {around_the_clock.pk: 0}
    assert len(body["slots"]) == 25
    assert [(slot["start"], slot["peak"]) for slot in body["slots"][1:5]] == [
        ("2027-10-31T01:00:00+02:00", 3),
        ("2027-10-31T02:00:00+02:00", 3),
        ("2027-10-31T02:00:00+01:00", 3),
        ("2027-10-31T03:00:00+01:00", 3),
    ]
    assert refusal.value.code == "capacity_exceeded"
    assert Session.objects.count() == 1


def test_opening_hours_and_a_series_across_the_autumn_change(
    alice: User, acme: Organization, every_day: Workspace
) -> None:
    saturday = AUTUMN_SUNDAY - timedelta(days=1)
    with frozen(saturday - timedelta(days=2), 10):
        result = services.create_recurring_sessions(
            by=membership_of(alice, acme),
            workspace=every_day,
            start=at(saturday, 8),
            end=at(saturday, 20),
            weekdays=[SATURDAY, SUNDAY, MONDAY],
            until=AUTUMN_SUNDAY + timedelta(days=1),
        )

    assert result.skipped == []
    assert [utc_range(session) for session in result.sessions] == [
        (datetime(2027, 10, 30, 6, tzinfo=UTC), datetime(2027, 10, 30, 18, tzinfo=UTC)),
        (datetime(2027, 10, 31, 7, tzinfo=UTC), datetime(2027, 10, 31, 19, tzinfo=UTC)),
        (datetime(2027, 11, 1, 7, tzinfo=UTC), datetime(2027, 11, 1, 19, tzinfo=UTC)),
    ]


def test_the_day_page_of_the_autumn_change_shows_the_repeated_hour(
    client: Client, alice: User, bob: User, acme: Organization, around_the_clock: Workspace
) -> None:
    with frozen(AUTUMN_SUNDAY - timedelta(days=1), 12):
        book(alice, acme, around_the_clock, at(AUTUMN_SUNDAY, 1), at(AUTUMN_SUNDAY, 4), description="Nuit")
        client.force_login(bob)
        response = client.get(f"/o/acme/workspaces/{around_the_clock.pk}/day/?date={AUTUMN_SUNDAY}")

    bars = response.context["overview"].bars
    assert len(bars) == 25
    assert [(bar.span, bar.peak) for bar in bars if bar.hour == "02"] == [("02:00–03:00", 1), ("02:00–03:00", 1)]
    assert "Nuit" in response.content.decode()


def test_a_night_across_the_autumn_change_shows_on_both_days_of_its_week(
    client: Client, alice: User, bob: User, acme: Organization, around_the_clock: Workspace
) -> None:
    saturday = AUTUMN_SUNDAY - timedelta(days=1)
    with frozen(saturday - timedelta(days=5), 9):
        night = book(bob, acme, around_the_clock, at(saturday, 23), at(AUTUMN_SUNDAY, 4))
        body = call(client, "GET", f"/organizations/acme/whereabouts?week={saturday}", alice).json()

    # Saturday 23:00 (+02:00) → Sunday 04:00 (+01:00): six real hours.
    assert utc_range(night) == (datetime(2027, 10, 30, 21, tzinfo=UTC), datetime(2027, 10, 31, 3, tzinfo=UTC))
    assert body["week_start"] == "2027-10-25"
    assert week_days(body) == [f"2027-10-{day}" for day in range(25, 32)]
    assert days_with(body, bob) == ["2027-10-30", "2027-10-31"]


# --- New Year -------------------------------------------------------------------------------------------------


def test_a_session_across_new_year_shows_on_both_days_of_a_week_spanning_two_years(
    client: Client, alice: User, bob: User, acme: Organization, around_the_clock: Workspace
) -> None:
    with frozen(date(2026, 12, 28), 10):
        party = book(bob, acme, around_the_clock, at(date(2026, 12, 31), 20), at(date(2027, 1, 1), 2))
        body = call(client, "GET", "/organizations/acme/whereabouts", bob).json()
        free = selectors.free_seats_on([around_the_clock], date(2027, 1, 1))
        client.force_login(alice)
        page = client.get("/o/acme/whereabouts/?week=2027-01-01")

    assert utc_range(party) == (datetime(2026, 12, 31, 19, tzinfo=UTC), datetime(2027, 1, 1, 1, tzinfo=UTC))
    assert body["week_start"] == "2026-12-28"
    assert week_days(body) == [
        "2026-12-28",
        "2026-12-29",
        "2026-12-30",
        "2026-12-31",
        *[f"2027-01-0{d}" for d in range(1, 4)],
    ]
    assert days_with(body, bob) == ["2026-12-31", "2027-01-01"]
    assert free == {around_the_clock.pk: 2}
    assert page.context["week_start"] == date(2026, 12, 28)
    assert "Semaine du 28 décembre au 3 janvier 2027" in " ".join(page.content.decode().split())


def test_the_ics_and_the_feed_carry_a_session_across_new_year(
    client: Client, bob: User, acme: Organization, around_the_clock: Workspace
) -> None:
    with frozen(date(2026, 12, 28), 10):
        party = book(bob, acme, around_the_clock, at(date(2026, 12, 31), 20), at(date(2027, 1, 1), 2))
        one = call(client, "GET", f"/sessions/{party.pk}/ics", bob)
        token = services.reset_calendar_feed(user=bob)
    # The feed is read once the year has turned, while the session is still running.
    with frozen(date(2027, 1, 1), 1):
        feed = client.get(f"/calendar/{token}.ics")
        agenda = selectors.agenda_of(membership_of(bob, acme))

    [event] = Calendar.from_ical(one.content).walk("VEVENT")
    assert (event.decoded("DTSTART"), event.decoded("DTEND")) == (at(date(2026, 12, 31), 20), at(date(2027, 1, 1), 2))
    assert feed.status_code == 200
    [fed] = Calendar.from_ical(feed.content).walk("VEVENT")
    assert (fed.decoded("DTSTART"), fed.decoded("DTEND")) == (party.start, party.end)
    assert [session.pk for session in agenda.upcoming] == [party.pk]


def test_a_weekly_series_runs_on_into_the_new_year(alice: User, acme: Organization, every_day: Workspace) -> None:
    with frozen(date(2026, 12, 21), 10):
        result = services.create_recurring_sessions(
            by=membership_of(alice, acme),
            workspace=every_day,
            start=at(date(2026, 12, 24), 9),
            end=at(date(2026, 12, 24), 12),
            weekdays=[THURSDAY],
            until=date(2027, 1, 7),
        )

    days = [date(2026, 12, 24), date(2026, 12, 31), date(2027, 1, 7)]
    assert [(s.start, s.end) for s in result.sessions] == [(at(day, 9), at(day, 12)) for day in days]
    assert Session.objects.filter(series=result.series).count() == 3


# --- A leap day -----------------------------------------------------------------------------------------------


def test_a_weekly_series_books_the_leap_day(alice: User, acme: Organization, every_day: Workspace) -> None:
    with frozen(LEAP_DAY - timedelta(days=8), 10):
        result = services.create_recurring_sessions(
            by=membership_of(alice, acme),
            workspace=every_day,
            start=at(LEAP_DAY - timedelta(days=7), 9),
            end=at(LEAP_DAY - timedelta(days=7), 12),
            weekdays=[TUESDAY],
            until=date(2028, 3, 7),
        )

    days = [date(2028, 2, 22), LEAP_DAY, date(2028, 3, 7)]
    assert [(s.start, s.end) for s in result.sessions] == [(at(day, 9), at(day, 12)) for day in days]
    assert result.skipped == []


def test_a_series_may_end_on_a_leap_day_and_not_on_29_february_of_another_year(
    client: Client, bob: User, every_day: Workspace
) -> None:
    body = {
        "workspace": every_day.pk,
        "start": at(LEAP_DAY - timedelta(days=7), 9).isoformat(),
        "end": at(LEAP_DAY - timedelta(days=7), 12).isoformat(),
        "weekdays": [TUESDAY],
    }
    with frozen(LEAP_DAY - timedelta(days=8), 10):
        leap = call(client, "POST", "/sessions/recurring", bob, {**body, "until": "2028-02-29"})
        not_leap = call(client, "POST", "/sessions/recurring", bob, {**body, "until": "2027-02-29"})

    assert leap.status_code == 201, leap.content
    assert [s["start"] for s in leap.json()["sessions"]] == ["2028-02-22T09:00:00+01:00", "2028-02-29T09:00:00+01:00"]
    assert not_leap.status_code == 422
    assert Session.objects.count() == 2


def test_the_day_views_of_a_leap_day(
    client: Client, alice: User, bob: User, acme: Organization, every_day: Workspace
) -> None:
    with frozen(LEAP_DAY - timedelta(days=1), 10):
        session = book(alice, acme, every_day, at(LEAP_DAY, 9), at(LEAP_DAY, 12), description="Bissextile")
        join(bob, acme, session)
        listed = call(client, "GET", f"/workspaces/{every_day.pk}/sessions?date=2028-02-29", bob).json()
        timeline = call(client, "GET", f"/workspaces/{every_day.pk}/timeline?date=2028-02-29", bob).json()
        client.force_login(bob)
        page = client.get(f"/o/acme/workspaces/{every_day.pk}/day/?date=2028-02-29")

    assert [item["id"] for item in listed["items"]] == [session.pk]
    assert (len(timeline["slots"]), timeline["peak"], timeline["free_seats"]) == (24, 2, 1)
    html = " ".join(page.content.decode().split())
    assert "Mardi 29 février 2028" in html
    assert "?date=2028-02-28" in html and "?date=2028-03-01" in html
    assert "Bissextile" in html


# --- A Sunday evening -----------------------------------------------------------------------------------------


@pytest.fixture
def tokyo_member(acme: Organization) -> User:
    """A member of Acme whose own clock is Tokyo's (8 hours ahead of Paris in winter)."""
    return make_member(
        acme, "kenji@acme.test", Role.MEMBER, first_name="Kenji", last_name="Kato", timezone="Asia/Tokyo"
    )


def test_this_week_on_a_sunday_evening_is_the_readers_own_week(
    client: Client, bob: User, tokyo_member: User, acme: Organization
) -> None:
    # Sunday 3 January 2027, 23:30 in Paris: 22:30 UTC, still Sunday; 07:30 on Monday in Tokyo.
    with frozen(date(2027, 1, 3), 23, 30):
        paris_week = call(client, "GET", "/organizations/acme/whereabouts", bob).json()
        tokyo_week = call(client, "GET", "/organizations/acme/whereabouts", tokyo_member).json()
        client.force_login(bob)
        page = client.get("/o/acme/whereabouts/")

    assert paris_week["week_start"] == "2026-12-28"
    assert tokyo_week["week_start"] == "2027-01-04"
    assert page.context["week_start"] == date(2026, 12, 28)
    assert page.context["is_this_week"]
    assert [column.is_today for column in page.context["week"]] == [False] * 6 + [True]
    assert "week=2027-01-04" in page.context["next_week"]
    assert "week=2026-12-21" in page.context["previous_week"]


def test_just_after_midnight_on_monday_this_week_is_already_the_new_one(
    client: Client, bob: User, acme: Organization
) -> None:
    # Monday 4 January 2027, 00:30 in Paris is still Sunday 23:30 in UTC: the week must not follow UTC.
    with frozen(date(2027, 1, 4), 0, 30):
        body = call(client, "GET", "/organizations/acme/whereabouts", bob).json()
        client.force_login(bob)
        page = client.get("/o/acme/whereabouts/")

    assert body["week_start"] == "2027-01-04"
    assert page.context["week_start"] == date(2027, 1, 4)
    assert [column.is_today for column in page.context["week"]] == [True] + [False] * 6


def test_on_a_sunday_evening_mondays_session_is_tomorrows(
    client: Client, alice: User, bob: User, acme: Organization, every_day: Workspace
) -> None:
    with frozen(date(2027, 1, 3), 23, 30):
        monday = book(bob, acme, every_day, at(date(2027, 1, 4), 9), at(date(2027, 1, 4), 12))
        tuesday = book(bob, acme, every_day, at(date(2027, 1, 5), 9), at(date(2027, 1, 5), 12))
        client.force_login(bob)
        page = client.get("/o/acme/sessions/")

    days = page.context["upcoming_days"]
    assert [(group.day, group.label) for group in days] == [
        (date(2027, 1, 4), "Demain"),
        (date(2027, 1, 5), "mardi 5 janvier"),
    ]
    assert [[row.session.pk for row in group.rows] for group in days] == [[monday.pk], [tuesday.pk]]


def test_a_workspace_day_turns_at_its_own_midnight_not_utcs(
    client: Client, alice: User, bob: User, acme: Organization, around_the_clock: Workspace
) -> None:
    with frozen(date(2027, 1, 3), 23, 0):
        late = book(alice, acme, around_the_clock, at(date(2027, 1, 3), 23, 15), at(date(2027, 1, 4), 0, 45))
    # 00:30 on Monday in Paris (23:30 UTC on Sunday): today is Monday at this workspace.
    with frozen(date(2027, 1, 4), 0, 30):
        client.force_login(bob)
        response = client.get(f"/o/acme/workspaces/{around_the_clock.pk}/day/")
        free_today = selectors.free_seats_on([around_the_clock])

    overview = response.context["overview"]
    assert overview.day == date(2027, 1, 4)
    assert [row.session.pk for row in overview.sessions] == [late.pk]
    assert free_today == {around_the_clock.pk: 2}
