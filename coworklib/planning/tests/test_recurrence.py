"""Recurring sessions: weekly on chosen weekdays until a date, at the same wall-clock hours, skipped days listed."""

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from coworklib.accounts.models import User
from coworklib.core.errors import Conflict, InvalidInput
from coworklib.organizations.models import Organization
from coworklib.planning import services
from coworklib.planning.models import Participant, ParticipantStatus, Session, SessionSeries
from coworklib.planning.tests.factories import FROZEN_MONDAY, PARIS, at, book
from coworklib.workspaces import services as workspace_services
from coworklib.workspaces.models import Workspace
from coworklib.workspaces.opening_hours import WeeklyInterval
from coworklib.workspaces.tests.factories import make_workspace, membership_of

pytestmark = pytest.mark.django_db

UTC = ZoneInfo("UTC")
NEW_YORK = ZoneInfo("America/New_York")
MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY = range(7)


def repeat(
    user: User,
    organization: Organization,
    workspace: Workspace,
    start: datetime,
    end: datetime,
    weekdays: Any,
    until: date,
    **fields: Any,
) -> services.SeriesResult:
    return services.create_recurring_sessions(
        by=membership_of(user, organization),
        workspace=workspace,
        start=start,
        end=end,
        weekdays=weekdays,
        until=until,
        **fields,
    )


def utc_ranges(result: services.SeriesResult) -> list[tuple[datetime, datetime]]:
    return [(session.start.astimezone(UTC), session.end.astimezone(UTC)) for session in result.sessions]


def nothing_written() -> bool:
    return not (Session.objects.exists() or Participant.objects.exists() or SessionSeries.objects.exists())


@pytest.mark.usefixtures("frozen_now")
def test_a_series_books_each_chosen_weekday_until_the_end_date(
    alice: User, acme: Organization, paris: Workspace
) -> None:
    result = repeat(
        alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), [MONDAY, WEDNESDAY], date(2026, 12, 16)
    )

    days = [date(2026, 12, 7), date(2026, 12, 9), date(2026, 12, 14), date(2026, 12, 16)]
    assert [(s.start, s.end) for s in result.sessions] == [(at(day, 9), at(day, 12)) for day in days]
    assert result.skipped == []
    series = SessionSeries.objects.get()
    assert (result.series.pk, series.weekdays, series.until, series.organizer_id) == (
        series.pk,
        [MONDAY, WEDNESDAY],
        date(2026, 12, 16),
        alice.pk,
    )
    stored = Session.objects.filter(series=series).order_by("start")
    assert [(s.start, s.end) for s in stored] == [(at(day, 9), at(day, 12)) for day in days]
    assert set(Participant.objects.values_list("user_id", "status")) == {(alice.pk, ParticipantStatus.GOING)}
    assert Participant.objects.count() == 4


@pytest.mark.usefixtures("frozen_now")
def test_the_first_day_is_booked_only_when_its_weekday_is_chosen(
    alice: User, acme: Organization, paris: Workspace
) -> None:
    result = repeat(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), [THURSDAY], date(2026, 12, 17))

    assert [s.start for s in result.sessions] == [at(date(2026, 12, 10), 9), at(date(2026, 12, 17), 9)]


@pytest.mark.usefixtures("frozen_now")
def test_every_occurrence_invites_the_invitees_and_keeps_the_description(
    alice: User, bob: User, acme: Organization, paris: Workspace
) -> None:
    result = repeat(
        alice,
        acme,
        paris,
        at(FROZEN_MONDAY, 9),
        at(FROZEN_MONDAY, 12),
        [MONDAY],
        date(2026, 12, 14),
        description="Point d'équipe",
        invitee_ids=[bob.pk],
    )

    for session in result.sessions:
        assert session.description == "Point d'équipe"
        assert dict(Participant.objects.filter(session=session).values_list("user_id", "status")) == {
            alice.pk: ParticipantStatus.GOING,
            bob.pk: ParticipantStatus.INVITED,
        }


@pytest.mark.usefixtures("frozen_now")
def test_closed_days_are_skipped_and_listed(alice: User, acme: Organization, paris: Workspace) -> None:
    result = repeat(
        alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), [MONDAY, SATURDAY], date(2026, 12, 14)
    )

    assert [s.start for s in result.sessions] == [at(date(2026, 12, 7), 9), at(date(2026, 12, 14), 9)]
    assert [(s.day, s.code) for s in result.skipped] == [(date(2026, 12, 12), "workspace_closed")]
    assert "Paris HQ" in result.skipped[0].reason
    assert Session.objects.count() == 2


@pytest.mark.usefixtures("frozen_now")
def test_a_closure_is_skipped_and_listed(alice: User, acme: Organization, paris: Workspace) -> None:
    workspace_services.add_closure(
        by=membership_of(alice, acme), workspace=paris, start_date=date(2026, 12, 8), end_date=date(2026, 12, 8)
    )

    result = repeat(
        alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), [MONDAY, TUESDAY], date(2026, 12, 8)
    )

    assert [s.start for s in result.sessions] == [at(FROZEN_MONDAY, 9)]
    assert [(s.day, s.code) for s in result.skipped] == [(date(2026, 12, 8), "workspace_closed")]


@pytest.mark.usefixtures("frozen_now")
def test_full_days_are_skipped_and_listed(
    alice: User, bob: User, carol: User, acme: Organization, small_room: Workspace
) -> None:
    tuesday = date(2026, 12, 8)
    book(bob, acme, small_room, at(tuesday, 10), at(tuesday, 11))
    book(carol, acme, small_room, at(tuesday, 10, 30), at(tuesday, 11, 30))

    result = repeat(
        alice,
        acme,
        small_room,
        at(FROZEN_MONDAY, 9),
        at(FROZEN_MONDAY, 12),
        [MONDAY, TUESDAY, WEDNESDAY],
        date(2026, 12, 9),
    )

    assert [s.start for s in result.sessions] == [at(FROZEN_MONDAY, 9), at(date(2026, 12, 9), 9)]
    [skipped] = result.skipped
    assert (skipped.day, skipped.code) == (tuesday, "capacity_exceeded")
    assert "0 place(s) libre(s) sur 2" in skipped.reason


@pytest.mark.usefixtures("frozen_now")
def test_days_the_organizer_is_elsewhere_are_skipped_and_listed(
    alice: User, acme: Organization, paris: Workspace, small_room: Workspace
) -> None:
    elsewhere = book(alice, acme, small_room, at(date(2026, 12, 9), 11), at(date(2026, 12, 9), 14))

    result = repeat(
        alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), [MONDAY, WEDNESDAY], date(2026, 12, 9)
    )

    assert [s.start for s in result.sessions] == [at(FROZEN_MONDAY, 9)]
    assert [(s.day, s.code) for s in result.skipped] == [(date(2026, 12, 9), "overlapping_session")]
    assert Session.objects.exclude(pk=elsewhere.pk).count() == 1


@pytest.mark.usefixtures("frozen_now")
def test_when_no_day_can_be_booked_nothing_is_written(alice: User, acme: Organization, paris: Workspace) -> None:
    workspace_services.add_closure(
        by=membership_of(alice, acme), workspace=paris, start_date=date(2026, 12, 7), end_date=date(2026, 12, 15)
    )

    with pytest.raises(Conflict) as refusal:
        repeat(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), [MONDAY, SATURDAY], date(2026, 12, 14))

    assert refusal.value.code == "no_occurrence_available"
    assert [(item["date"], item["code"]) for item in refusal.value.extra["skipped"]] == [
        ("2026-12-07", "workspace_closed"),
        ("2026-12-12", "workspace_closed"),
        ("2026-12-14", "workspace_closed"),
    ]
    assert all(item["reason"] for item in refusal.value.extra["skipped"])
    assert nothing_written()


@pytest.mark.usefixtures("frozen_now")
def test_a_refused_series_announces_nothing(
    alice: User, acme: Organization, paris: Workspace, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Conflict):
        repeat(alice, acme, paris, at(date(2026, 12, 5), 9), at(date(2026, 12, 5), 12), [SATURDAY], date(2026, 12, 12))

    assert callbacks == []
    assert nothing_written()


@pytest.mark.usefixtures("frozen_now")
@pytest.mark.parametrize(
    "weekdays",
    [[], [7], [-1], ["1"], [1.0], [True], [MONDAY, 9], None, "0,1"],
    ids=["none", "seven", "negative", "string", "float", "bool", "one-bad", "null", "text"],
)
def test_invalid_weekdays_are_refused(alice: User, acme: Organization, paris: Workspace, weekdays: Any) -> None:
    with pytest.raises(InvalidInput) as refusal:
        repeat(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), weekdays, date(2026, 12, 14))

    assert refusal.value.extra["errors"][0]["loc"] == ["weekdays"]
    assert nothing_written()


@pytest.mark.usefixtures("frozen_now")
def test_repeated_weekdays_count_once(alice: User, acme: Organization, paris: Workspace) -> None:
    result = repeat(
        alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), [MONDAY, MONDAY], date(2026, 12, 14)
    )

    assert len(result.sessions) == 2
    assert result.series.weekdays == [MONDAY]


@pytest.mark.usefixtures("frozen_now")
@pytest.mark.parametrize(
    ("until", "kind"),
    [(date(2026, 12, 6), "invalid"), (date(2027, 12, 10), "too_far")],
    ids=["before-the-first-day", "more-than-a-year-ahead"],
)
def test_an_invalid_end_date_is_refused(
    alice: User, acme: Organization, paris: Workspace, until: date, kind: str
) -> None:
    with pytest.raises(InvalidInput) as refusal:
        repeat(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), [MONDAY], until)

    [error] = refusal.value.extra["errors"]
    assert (error["loc"], error["type"]) == (["until"], kind)
    assert nothing_written()


@pytest.mark.usefixtures("frozen_now")
def test_more_than_120_occurrences_are_refused(alice: User, acme: Organization, small_room: Workspace) -> None:
    with pytest.raises(InvalidInput) as refusal:
        repeat(
            alice,
            acme,
            small_room,
            at(FROZEN_MONDAY, 9),
            at(FROZEN_MONDAY, 12),
            list(range(7)),
            FROZEN_MONDAY + timedelta(days=120),
        )

    [error] = refusal.value.extra["errors"]
    assert (error["loc"], error["type"]) == (["until"], "too_many")
    assert nothing_written()


@pytest.mark.usefixtures("frozen_now")
def test_a_series_of_multi_day_sessions_is_refused(alice: User, acme: Organization, small_room: Workspace) -> None:
    with pytest.raises(InvalidInput) as refusal:
        repeat(
            alice,
            acme,
            small_room,
            at(FROZEN_MONDAY, 9),
            at(FROZEN_MONDAY + timedelta(days=1), 12),
            [MONDAY],
            date(2026, 12, 21),
        )

    assert refusal.value.extra["errors"][0]["type"] == "multi_day"
    assert nothing_written()


@pytest.mark.usefixtures("frozen_now")
def test_a_series_may_end_at_midnight(alice: User, acme: Organization) -> None:
    always_open = make_workspace(alice, acme, "Ouvert 24/7", capacity=3)

    result = repeat(
        alice,
        acme,
        always_open,
        at(FROZEN_MONDAY, 20),
        at(FROZEN_MONDAY + timedelta(days=1), 0),
        [MONDAY],
        date(2026, 12, 14),
    )

    assert [(s.start, s.end) for s in result.sessions] == [
        (at(FROZEN_MONDAY, 20), at(date(2026, 12, 8), 0)),
        (at(date(2026, 12, 14), 20), at(date(2026, 12, 15), 0)),
    ]


@pytest.mark.usefixtures("frozen_now")
def test_when_no_chosen_weekday_falls_in_the_period_it_is_invalid(
    alice: User, acme: Organization, paris: Workspace
) -> None:
    with pytest.raises(InvalidInput) as refusal:
        repeat(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), [FRIDAY], date(2026, 12, 8))

    assert refusal.value.extra["errors"][0]["loc"] == ["weekdays"]
    assert nothing_written()


@pytest.mark.usefixtures("frozen_now")
def test_an_invitee_without_access_refuses_the_whole_series(
    alice: User, bob: User, acme: Organization, paris: Workspace
) -> None:
    workspace_services.set_access_rule(by=membership_of(alice, acme), workspace=paris, restricted=True)

    with pytest.raises(InvalidInput):
        repeat(
            alice,
            acme,
            paris,
            at(FROZEN_MONDAY, 9),
            at(FROZEN_MONDAY, 12),
            [MONDAY],
            date(2026, 12, 14),
            invitee_ids=[bob.pk],
        )

    assert nothing_written()


@pytest.mark.usefixtures("frozen_now")
def test_each_occurrence_is_announced_once_after_commit(
    alice: User, acme: Organization, paris: Workspace, django_capture_on_commit_callbacks: Any
) -> None:
    from coworklib.planning import events

    created: list[int] = []

    def on_created(sender: Any, session_id: int, **arguments: Any) -> None:
        created.append(session_id)

    events.session_created.connect(on_created, weak=False)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            result = repeat(
                alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), [MONDAY, SATURDAY], date(2026, 12, 14)
            )
            assert created == []
    finally:
        events.session_created.disconnect(on_created)

    assert created == [session.pk for session in result.sessions]


# --- Daylight saving: the wall-clock hours stay --------------------------------------------------------------


@time_machine.travel(datetime(2026, 3, 20, 12, 0, tzinfo=PARIS), tick=False)
def test_a_series_keeps_its_wall_clock_hours_when_paris_moves_to_summer_time(
    alice: User, acme: Organization, paris: Workspace
) -> None:
    first_monday = date(2026, 3, 23)

    result = repeat(alice, acme, paris, at(first_monday, 9), at(first_monday, 17), [MONDAY], date(2026, 4, 6))

    assert utc_ranges(result) == [
        (datetime(2026, 3, 23, 8, 0, tzinfo=UTC), datetime(2026, 3, 23, 16, 0, tzinfo=UTC)),
        (datetime(2026, 3, 30, 7, 0, tzinfo=UTC), datetime(2026, 3, 30, 15, 0, tzinfo=UTC)),
        (datetime(2026, 4, 6, 7, 0, tzinfo=UTC), datetime(2026, 4, 6, 15, 0, tzinfo=UTC)),
    ]
    assert {(s.start.astimezone(PARIS).hour, s.end.astimezone(PARIS).hour) for s in result.sessions} == {(9, 17)}


@time_machine.travel(datetime(2026, 10, 20, 12, 0, tzinfo=PARIS), tick=False)
def test_a_series_starting_on_the_night_the_clocks_go_back_keeps_its_wall_clock_hours(
    alice: User, acme: Organization
) -> None:
    always_open = make_workspace(alice, acme, "Ouvert 24/7", capacity=3)
    night = date(2026, 10, 25)

    result = repeat(alice, acme, always_open, at(night, 1), at(night, 4), [SUNDAY], date(2026, 11, 8))

    # 01:00–04:00 lasts four hours on 25 October (02:00–03:00 is shown twice), three hours afterwards.
    assert utc_ranges(result) == [
        (datetime(2026, 10, 24, 23, 0, tzinfo=UTC), datetime(2026, 10, 25, 3, 0, tzinfo=UTC)),
        (datetime(2026, 11, 1, 0, 0, tzinfo=UTC), datetime(2026, 11, 1, 3, 0, tzinfo=UTC)),
        (datetime(2026, 11, 8, 0, 0, tzinfo=UTC), datetime(2026, 11, 8, 3, 0, tzinfo=UTC)),
    ]
    assert {(s.start.astimezone(PARIS).hour, s.end.astimezone(PARIS).hour) for s in result.sessions} == {(1, 4)}


@time_machine.travel(datetime(2026, 3, 20, 12, 0, tzinfo=PARIS), tick=False)
def test_a_series_starting_on_the_night_the_clocks_go_forward_keeps_its_wall_clock_hours(
    alice: User, acme: Organization
) -> None:
    always_open = make_workspace(alice, acme, "Ouvert 24/7", capacity=3)
    night = date(2026, 3, 29)

    result = repeat(alice, acme, always_open, at(night, 1), at(night, 4), [SUNDAY], date(2026, 4, 5))

    assert utc_ranges(result) == [
        (datetime(2026, 3, 29, 0, 0, tzinfo=UTC), datetime(2026, 3, 29, 2, 0, tzinfo=UTC)),
        (datetime(2026, 4, 4, 23, 0, tzinfo=UTC), datetime(2026, 4, 5, 2, 0, tzinfo=UTC)),
    ]


@time_machine.travel(datetime(2026, 10, 20, 12, 0, tzinfo=NEW_YORK), tick=False)
def test_a_new_york_series_keeps_its_wall_clock_hours_when_new_york_leaves_summer_time(
    alice: User, acme: Organization
) -> None:
    new_york = make_workspace(
        alice,
        acme,
        "Manhattan",
        capacity=5,
        timezone="America/New_York",
        opening_hours=[WeeklyInterval(day, 9 * 60, 17 * 60) for day in range(5)],
    )
    first_monday = date(2026, 10, 26)

    result = repeat(
        alice,
        acme,
        new_york,
        at(first_monday, 9, zone=NEW_YORK),
        at(first_monday, 17, zone=NEW_YORK),
        [MONDAY],
        date(2026, 11, 2),
    )

    # New York changes on 1 November, a week after Paris: its own clock decides.
    assert utc_ranges(result) == [
        (datetime(2026, 10, 26, 13, 0, tzinfo=UTC), datetime(2026, 10, 26, 21, 0, tzinfo=UTC)),
        (datetime(2026, 11, 2, 14, 0, tzinfo=UTC), datetime(2026, 11, 2, 22, 0, tzinfo=UTC)),
    ]
    assert result.skipped == []


@pytest.mark.usefixtures("frozen_now")
def test_the_series_days_are_the_workspaces_local_dates(alice: User, acme: Organization) -> None:
    """08:00 on a Monday in Tokyo is still Sunday in UTC: the occurrences follow Tokyo's calendar."""
    tokyo = ZoneInfo("Asia/Tokyo")
    office = make_workspace(
        alice,
        acme,
        "Shibuya",
        capacity=5,
        timezone="Asia/Tokyo",
        opening_hours=[WeeklyInterval(day, 8 * 60, 18 * 60) for day in range(5)],
    )

    result = repeat(
        alice,
        acme,
        office,
        at(FROZEN_MONDAY, 8, zone=tokyo),
        at(FROZEN_MONDAY, 12, zone=tokyo),
        [MONDAY],
        date(2026, 12, 14),
    )

    assert [s.start.astimezone(tokyo) for s in result.sessions] == [
        at(date(2026, 12, 7), 8, zone=tokyo),
        at(date(2026, 12, 14), 8, zone=tokyo),
    ]
    assert [s.start.astimezone(UTC).date() for s in result.sessions] == [date(2026, 12, 6), date(2026, 12, 13)]
    assert result.skipped == []
