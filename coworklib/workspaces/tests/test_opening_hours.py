"""The opening-hours module: DST in Paris and New York, far zones, closures, merging, next change."""

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coworklib.workspaces.opening_hours import (
    MINUTES_PER_DAY,
    ClosurePeriod,
    Problem,
    ProblemKind,
    Schedule,
    WeeklyInterval,
    always_open_intervals,
    find_problems,
    format_wall_time,
    is_open_at,
    is_open_on,
    is_open_throughout,
    local_date,
    next_change,
    open_intervals_on,
    open_periods,
    parse_wall_time,
    wall_instant,
)

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")
SPRING_FORWARD = date(2026, 3, 29)  # Paris: 02:00 → 03:00
FALL_BACK = date(2026, 10, 25)  # Paris: 03:00 → 02:00
ALL_WEEK = range(7)


def hm(text: str) -> int:
    return parse_wall_time(text, closing=True)


def every_day(opens: str, closes: str) -> list[WeeklyInterval]:
    return [WeeklyInterval(weekday, hm(opens), hm(closes)) for weekday in ALL_WEEK]


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def hours(interval: tuple[datetime, datetime]) -> float:
    return (interval[1] - interval[0]).total_seconds() / 3600


# --- "HH:MM" ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "minutes"), [("00:00", 0), ("08:30", 510), ("23:59", 1439)])
def test_wall_times_parse_to_minutes_since_midnight(text: str, minutes: int) -> None:
    assert parse_wall_time(text) == minutes


def test_24_00_is_accepted_as_a_closing_time() -> None:
    assert parse_wall_time("24:00", closing=True) == MINUTES_PER_DAY


def test_24_00_is_refused_as_an_opening_time() -> None:
    with pytest.raises(ValueError):
        parse_wall_time("24:00")


@pytest.mark.parametrize("text", ["8:00", "24:01", "25:00", "12:60", "12:00:00", "noon", "", "12h00", "１２:００"])
def test_malformed_wall_times_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_wall_time(text, closing=True)


def test_wall_times_format_back_to_hh_mm() -> None:
    assert [format_wall_time(minutes) for minutes in (0, 510, 1440)] == ["00:00", "08:30", "24:00"]


# --- Validation ---------------------------------------------------------------------------------------------


def test_two_intervals_on_one_day_are_valid() -> None:
    assert (
        find_problems([WeeklyInterval(0, hm("08:00"), hm("12:00")), WeeklyInterval(0, hm("13:00"), hm("19:00"))]) == []
    )


def test_touching_intervals_are_valid() -> None:
    assert (
        find_problems([WeeklyInterval(0, hm("08:00"), hm("12:00")), WeeklyInterval(0, hm("12:00"), hm("14:00"))]) == []
    )


def test_overlapping_intervals_on_one_day_are_refused() -> None:
    problems = find_problems([WeeklyInterval(2, hm("08:00"), hm("12:00")), WeeklyInterval(2, hm("11:00"), hm("14:00"))])

    assert problems == [Problem(1, ProblemKind.OVERLAP, other=0)]


def test_the_same_hours_on_different_days_do_not_overlap() -> None:
    assert (
        find_problems([WeeklyInterval(0, hm("08:00"), hm("12:00")), WeeklyInterval(1, hm("08:00"), hm("12:00"))]) == []
    )


def test_an_interval_that_opens_when_it_closes_is_refused() -> None:
    assert find_problems([WeeklyInterval(0, hm("12:00"), hm("12:00"))]) == [Problem(0, ProblemKind.ORDER)]


def test_weekday_seven_is_refused() -> None:
    assert find_problems([WeeklyInterval(7, 0, 60)]) == [Problem(0, ProblemKind.WEEKDAY)]


def test_an_opening_at_24_00_is_refused() -> None:
    assert find_problems([WeeklyInterval(0, MINUTES_PER_DAY, MINUTES_PER_DAY)]) == [Problem(0, ProblemKind.RANGE)]


# --- Ordinary days ------------------------------------------------------------------------------------------


def test_two_intervals_a_day_give_two_real_intervals() -> None:
    schedule = Schedule.build(
        PARIS, [WeeklyInterval(0, hm("08:00"), hm("12:00")), WeeklyInterval(0, hm("13:00"), hm("19:00"))]
    )

    intervals = open_intervals_on(schedule, date(2026, 12, 7))  # a Monday, winter time (+01:00)

    assert intervals == [(utc(2026, 12, 7, 7), utc(2026, 12, 7, 11)), (utc(2026, 12, 7, 12), utc(2026, 12, 7, 18))]


def test_closed_over_lunch_and_at_the_closing_instant() -> None:
    schedule = Schedule.build(
        PARIS, [WeeklyInterval(0, hm("08:00"), hm("12:00")), WeeklyInterval(0, hm("13:00"), hm("19:00"))]
    )

    assert is_open_at(schedule, datetime(2026, 12, 7, 11, 59, tzinfo=PARIS))
    assert not is_open_at(schedule, datetime(2026, 12, 7, 12, 0, tzinfo=PARIS))
    assert not is_open_at(schedule, datetime(2026, 12, 7, 12, 30, tzinfo=PARIS))
    assert is_open_at(schedule, datetime(2026, 12, 7, 13, 0, tzinfo=PARIS))
    assert not is_open_at(schedule, datetime(2026, 12, 7, 19, 0, tzinfo=PARIS))


def test_a_day_without_intervals_is_closed() -> None:
    schedule = Schedule.build(PARIS, [WeeklyInterval(0, hm("08:00"), hm("19:00"))])

    assert open_intervals_on(schedule, date(2026, 12, 8)) == []
    assert not is_open_on(schedule, date(2026, 12, 8))


def test_touching_intervals_are_merged() -> None:
    schedule = Schedule.build(
        PARIS, [WeeklyInterval(0, hm("08:00"), hm("12:00")), WeeklyInterval(0, hm("12:00"), hm("14:00"))]
    )

    assert open_intervals_on(schedule, date(2026, 12, 7)) == [(utc(2026, 12, 7, 7), utc(2026, 12, 7, 13))]


def test_a_naive_instant_is_refused() -> None:
    schedule = Schedule.build(PARIS, always_open_intervals())

    with pytest.raises(ValueError):
        is_open_at(schedule, datetime(2026, 12, 7, 12, 0))


def test_the_always_open_week_is_open_at_every_hour() -> None:
    schedule = Schedule.build(PARIS, always_open_intervals())

    assert all(is_open_at(schedule, utc(2026, 12, 7) + timedelta(minutes=37 * step)) for step in range(400))


# --- Europe/Paris around daylight-saving changes ------------------------------------------------------------


def test_spring_forward_makes_01_to_04_last_two_hours() -> None:
    schedule = Schedule.build(PARIS, every_day("01:00", "04:00"))

    intervals = open_intervals_on(schedule, SPRING_FORWARD)

    assert intervals == [(utc(2026, 3, 29, 0), utc(2026, 3, 29, 2))]
    assert hours(intervals[0]) == 2


def test_fall_back_makes_01_to_04_last_four_hours() -> None:
    schedule = Schedule.build(PARIS, every_day("01:00", "04:00"))

    intervals = open_intervals_on(schedule, FALL_BACK)

    assert intervals == [(utc(2026, 10, 24, 23), utc(2026, 10, 25, 3))]
    assert hours(intervals[0]) == 4


def test_an_opening_time_inside_the_spring_gap_opens_when_the_clocks_jump() -> None:
    schedule = Schedule.build(PARIS, every_day("02:30", "05:00"))

    (start, end), *_ = open_intervals_on(schedule, SPRING_FORWARD)

    assert start == utc(2026, 3, 29, 1)
    assert start.astimezone(PARIS).strftime("%H:%M %z") == "03:00 +0200"
    assert end.astimezone(PARIS).strftime("%H:%M %z") == "05:00 +0200"


def test_an_interval_entirely_inside_the_spring_gap_does_not_open_that_day() -> None:
    schedule = Schedule.build(PARIS, every_day("02:00", "02:45"))

    assert open_intervals_on(schedule, SPRING_FORWARD) == []
    assert len(open_intervals_on(schedule, SPRING_FORWARD + timedelta(days=1))) == 1


def test_a_closing_time_inside_the_spring_gap_closes_when_the_clocks_jump() -> None:
    schedule = Schedule.build(PARIS, every_day("01:00", "02:30"))

    assert open_intervals_on(schedule, SPRING_FORWARD) == [(utc(2026, 3, 29, 0), utc(2026, 3, 29, 1))]


def test_a_repeated_wall_time_opens_at_its_first_occurrence() -> None:
    schedule = Schedule.build(PARIS, every_day("02:30", "04:00"))

    (start, end), *_ = open_intervals_on(schedule, FALL_BACK)

    assert start == utc(2026, 10, 25, 0, 30)  # 02:30 summer time, the first time the clock shows it
    assert hours((start, end)) == 2.5


def test_both_occurrences_of_a_repeated_hour_are_open_when_the_interval_covers_it() -> None:
    schedule = Schedule.build(PARIS, every_day("01:00", "04:00"))

    first = datetime(2026, 10, 25, 2, 30, fold=0, tzinfo=PARIS)
    second = datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=PARIS)

    assert first.astimezone(UTC) == utc(2026, 10, 25, 0, 30)
    assert second.astimezone(UTC) == utc(2026, 10, 25, 1, 30)
    assert is_open_at(schedule, first)
    assert is_open_at(schedule, second)


def test_an_interval_ending_inside_the_repeated_hour_closes_at_its_first_occurrence() -> None:
    schedule = Schedule.build(PARIS, every_day("01:00", "02:30"))

    assert open_intervals_on(schedule, FALL_BACK) == [(utc(2026, 10, 24, 23), utc(2026, 10, 25, 0, 30))]
    assert not is_open_at(schedule, datetime(2026, 10, 25, 2, 15, fold=1, tzinfo=PARIS))


def test_a_whole_day_lasts_23_hours_in_spring_and_25_in_autumn() -> None:
    schedule = Schedule.build(PARIS, always_open_intervals())

    assert hours(open_intervals_on(schedule, SPRING_FORWARD)[0]) == 23
    assert hours(open_intervals_on(schedule, FALL_BACK)[0]) == 25


def test_the_nonexistent_wall_time_maps_to_the_jump_instant() -> None:
    assert wall_instant(PARIS, SPRING_FORWARD, hm("02:00")) == utc(2026, 3, 29, 1)
    assert wall_instant(PARIS, SPRING_FORWARD, hm("02:59")) == utc(2026, 3, 29, 1)
    assert wall_instant(PARIS, SPRING_FORWARD, hm("03:00")) == utc(2026, 3, 29, 1)


def test_wall_instants_never_go_backwards_across_the_spring_gap() -> None:
    instants = [wall_instant(PARIS, SPRING_FORWARD, minute) for minute in range(MINUTES_PER_DAY + 1)]

    assert instants == sorted(instants)


def test_wall_instants_never_go_backwards_across_the_autumn_repeat() -> None:
    instants = [wall_instant(PARIS, FALL_BACK, minute) for minute in range(MINUTES_PER_DAY + 1)]

    assert instants == sorted(instants)


# --- Far zones ----------------------------------------------------------------------------------------------


def test_tokyo_hours_are_nine_hours_ahead_of_utc_all_year() -> None:
    schedule = Schedule.build(TOKYO, every_day("09:00", "18:00"))

    assert open_intervals_on(schedule, date(2026, 7, 1)) == [(utc(2026, 7, 1, 0), utc(2026, 7, 1, 9))]
    assert open_intervals_on(schedule, date(2026, 12, 1)) == [(utc(2026, 12, 1, 0), utc(2026, 12, 1, 9))]


def test_a_tokyo_morning_is_the_previous_evening_in_utc() -> None:
    schedule = Schedule.build(TOKYO, every_day("07:00", "10:00"))

    assert open_intervals_on(schedule, date(2026, 7, 2)) == [(utc(2026, 7, 1, 22), utc(2026, 7, 2, 1))]
    assert is_open_at(schedule, utc(2026, 7, 1, 23))
    assert local_date(schedule, utc(2026, 7, 1, 23)) == date(2026, 7, 2)


def test_new_york_spring_forward_shortens_the_night_interval() -> None:
    schedule = Schedule.build(NEW_YORK, every_day("01:00", "04:00"))

    intervals = open_intervals_on(schedule, date(2026, 3, 8))  # 02:00 → 03:00

    assert intervals == [(utc(2026, 3, 8, 6), utc(2026, 3, 8, 8))]


def test_new_york_fall_back_lengthens_the_night_interval() -> None:
    schedule = Schedule.build(NEW_YORK, every_day("00:30", "03:00"))

    intervals = open_intervals_on(schedule, date(2026, 11, 1))  # 02:00 → 01:00

    assert intervals == [(utc(2026, 11, 1, 4, 30), utc(2026, 11, 1, 8))]
    assert hours(intervals[0]) == 3.5


def test_the_same_instant_is_open_in_tokyo_and_closed_in_new_york() -> None:
    instant = utc(2026, 12, 3, 2)  # 11:00 in Tokyo, 21:00 the day before in New York
    tokyo = Schedule.build(TOKYO, every_day("09:00", "18:00"))
    new_york = Schedule.build(NEW_YORK, every_day("09:00", "18:00"))

    assert is_open_at(tokyo, instant)
    assert not is_open_at(new_york, instant)


# --- Closures -----------------------------------------------------------------------------------------------


def test_a_closure_closes_every_day_of_its_range_both_ends_included() -> None:
    closure = ClosurePeriod(date(2026, 8, 3), date(2026, 8, 21), "Fermeture estivale")
    schedule = Schedule.build(PARIS, every_day("08:00", "19:00"), [closure])

    assert is_open_on(schedule, date(2026, 8, 2))
    assert not is_open_on(schedule, date(2026, 8, 3))
    assert not is_open_at(schedule, datetime(2026, 8, 10, 12, tzinfo=PARIS))
    assert not is_open_on(schedule, date(2026, 8, 21))
    assert is_open_on(schedule, date(2026, 8, 22))


def test_the_next_change_looks_through_a_long_closure() -> None:
    closure = ClosurePeriod(date(2026, 7, 20), date(2026, 8, 23), "Fermeture estivale")
    schedule = Schedule.build(PARIS, every_day("08:00", "19:00"), [closure])

    assert next_change(schedule, datetime(2026, 7, 19, 20, tzinfo=PARIS)) == datetime(2026, 8, 24, 8, tzinfo=PARIS)


# --- Across midnight, periods and next change ---------------------------------------------------------------


def test_24_00_and_the_next_days_00_00_form_one_period() -> None:
    schedule = Schedule.build(
        PARIS, [WeeklyInterval(4, hm("20:00"), hm("24:00")), WeeklyInterval(5, hm("00:00"), hm("02:00"))]
    )
    friday_evening = datetime(2026, 12, 4, 20, tzinfo=PARIS)
    saturday_night = datetime(2026, 12, 5, 2, tzinfo=PARIS)

    assert open_periods(schedule, friday_evening - timedelta(hours=1), saturday_night + timedelta(hours=1)) == [
        (friday_evening.astimezone(UTC), saturday_night.astimezone(UTC))
    ]
    assert is_open_throughout(schedule, friday_evening, saturday_night)
    assert next_change(schedule, datetime(2026, 12, 4, 23, tzinfo=PARIS)) == saturday_night


def test_a_session_over_the_lunch_break_is_not_open_throughout() -> None:
    schedule = Schedule.build(
        PARIS, [WeeklyInterval(0, hm("08:00"), hm("12:00")), WeeklyInterval(0, hm("13:00"), hm("19:00"))]
    )

    assert is_open_throughout(schedule, datetime(2026, 12, 7, 9, tzinfo=PARIS), datetime(2026, 12, 7, 11, tzinfo=PARIS))
    assert not is_open_throughout(
        schedule, datetime(2026, 12, 7, 9, tzinfo=PARIS), datetime(2026, 12, 7, 14, tzinfo=PARIS)
    )


def test_an_empty_range_is_never_open_throughout() -> None:
    schedule = Schedule.build(PARIS, always_open_intervals())
    instant = datetime(2026, 12, 7, 9, tzinfo=PARIS)

    assert not is_open_throughout(schedule, instant, instant)


def test_the_next_change_after_friday_evening_is_monday_morning() -> None:
    weekdays = [WeeklyInterval(weekday, hm("08:00"), hm("19:00")) for weekday in range(5)]
    schedule = Schedule.build(PARIS, weekdays)

    assert next_change(schedule, datetime(2026, 12, 4, 19, tzinfo=PARIS)) == datetime(2026, 12, 7, 8, tzinfo=PARIS)
    assert next_change(schedule, datetime(2026, 12, 7, 8, tzinfo=PARIS)) == datetime(2026, 12, 7, 19, tzinfo=PARIS)


def test_a_workspace_open_around_the_clock_never_changes() -> None:
    assert next_change(Schedule.build(PARIS, always_open_intervals()), utc(2026, 12, 7)) is None


def test_a_workspace_without_hours_never_changes() -> None:
    assert next_change(Schedule.build(PARIS, []), utc(2026, 12, 7)) is None


def test_the_next_change_across_the_spring_gap_is_the_jump() -> None:
    schedule = Schedule.build(PARIS, every_day("02:30", "05:00"))

    assert next_change(schedule, datetime(2026, 3, 29, 1, 30, tzinfo=PARIS)) == utc(2026, 3, 29, 1)


# --- Properties ---------------------------------------------------------------------------------------------

DST_AND_FAR_ZONES = ["Europe/Paris", "America/New_York", "Asia/Tokyo", "Australia/Lord_Howe", "Pacific/Chatham"]


@st.composite
def weeks(draw: st.DrawFn) -> list[WeeklyInterval]:
    """Valid weekly hours: per day, an increasing sequence of cut points paired into intervals."""
    intervals = []
    for weekday in ALL_WEEK:
        cuts = sorted(draw(st.sets(st.integers(0, MINUTES_PER_DAY // 15), max_size=6)))
        cuts = [cut * 15 for cut in cuts]
        intervals += [
            WeeklyInterval(weekday, opens, closes) for opens, closes in zip(cuts[::2], cuts[1::2], strict=False)
        ]
    return intervals


instants_2026 = st.datetimes(min_value=datetime(2026, 1, 2), max_value=datetime(2026, 12, 30)).map(
    lambda naive: naive.replace(tzinfo=UTC)
)


@settings(max_examples=300, deadline=None)
@given(week=weeks(), zone_name=st.sampled_from(DST_AND_FAR_ZONES), instant=instants_2026)
def test_open_at_an_instant_iff_inside_an_interval_of_its_local_date(
    week: list[WeeklyInterval], zone_name: str, instant: datetime
) -> None:
    schedule = Schedule.build(zone_name, week)

    inside = any(start <= instant < end for start, end in open_intervals_on(schedule, local_date(schedule, instant)))

    assert is_open_at(schedule, instant) == inside


@settings(max_examples=200, deadline=None)
@given(week=weeks(), zone_name=st.sampled_from(DST_AND_FAR_ZONES), instant=instants_2026)
def test_nothing_changes_before_the_next_change_and_something_does_at_it(
    week: list[WeeklyInterval], zone_name: str, instant: datetime
) -> None:
    schedule = Schedule.build(zone_name, week)
    state = is_open_at(schedule, instant)

    change = next_change(schedule, instant)

    if change is None:
        assert all(is_open_at(schedule, instant + timedelta(hours=step)) == state for step in range(0, 24 * 8, 5))
    else:
        assert change > instant
        assert is_open_at(schedule, change) != state
        assert is_open_at(schedule, change - timedelta(microseconds=1)) == state


@settings(max_examples=200, deadline=None)
@given(week=weeks(), zone_name=st.sampled_from(DST_AND_FAR_ZONES), day=st.dates(date(2026, 1, 2), date(2026, 12, 30)))
def test_a_days_intervals_are_sorted_disjoint_and_within_the_day(
    week: list[WeeklyInterval], zone_name: str, day: date
) -> None:
    schedule = Schedule.build(zone_name, week)
    zone = schedule.timezone

    intervals = open_intervals_on(schedule, day)

    day_start, day_end = wall_instant(zone, day, 0), wall_instant(zone, day, MINUTES_PER_DAY)
    assert all(day_start <= start < end <= day_end for start, end in intervals)
    assert all(previous[1] < following[0] for previous, following in pairwise(intervals))


@settings(max_examples=200, deadline=None)
@given(week=weeks(), zone_name=st.sampled_from(DST_AND_FAR_ZONES), day=st.dates(date(2026, 1, 2), date(2026, 12, 30)))
def test_open_time_of_a_day_differs_from_its_wall_hours_by_at_most_the_dst_shift(
    week: list[WeeklyInterval], zone_name: str, day: date
) -> None:
    schedule = Schedule.build(zone_name, week)
    wall_minutes = sum(interval.closes - interval.opens for interval in week if interval.weekday == day.weekday())

    real_minutes = sum((end - start).total_seconds() / 60 for start, end in open_intervals_on(schedule, day))

    assert abs(real_minutes - wall_minutes) <= 60
