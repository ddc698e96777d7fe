"""When a workspace is open, in real time: pure functions over plain data.

Nothing here touches the database or Django, so planning (sessions, check-ins)
and the pages reuse exactly the same rules. Build a `Schedule` from the
workspace's weekly intervals and closures (`selectors.schedule_for` does it for
a Workspace) and ask it:

- `is_open_at(schedule, instant)`: open at that instant?
- `open_intervals_on(schedule, day)`: the real, merged intervals of a local date;
- `is_open_on(schedule, day)`: open at some point of that local date?
- `open_periods(schedule, start, end)`: open periods between two instants,
  merged across midnight;
- `is_open_throughout(schedule, start, end)`: open during the whole of [start, end)?
- `next_change(schedule, instant)`: when it next opens or closes.

The rules
---------
Weekly hours are wall-clock intervals ``[opens, closes)`` in the workspace's own
time zone, as minutes since local midnight; ``closes`` may be 1440 ("24:00").
An interval never crosses midnight: "22:00–02:00" is written as 22:00–24:00
plus 00:00–02:00 on the next day, and the two are merged into one period.

A wall time W on local date D becomes the **first real instant at which the
workspace's clock shows D W or later** (`wall_instant`). That one rule makes
the daylight-saving changes deterministic:

- an ordinary wall time is simply its own instant;
- a wall time shown twice (clocks go back: 02:00–03:00 on 25 October 2026 in
  Paris) is its first occurrence, so 01:00–04:00 that day lasts **4 hours**;
- a wall time that does not exist (clocks jump forward: 02:00–03:00 on
  29 March 2026 in Paris) becomes the instant of the jump, so 01:00–04:00 that
  day lasts **2 hours**, 02:30–05:00 opens at 03:00 (summer time), and an
  interval lying entirely inside the gap (02:00–02:45) does not open that day.
  This maps wall times to instants monotonically: an interval never ends
  before it starts and never splits in two.

Closures close whole local dates, both ends included.

Datetimes returned are aware and in UTC. Convert them with
``astimezone(schedule.timezone)`` to show them, but never compare or subtract
two datetimes that share a ZoneInfo across a DST change: Python then compares
their wall times and ignores the offset (a 4-hour interval would measure 3).
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from itertools import pairwise
from zoneinfo import ZoneInfo

MINUTES_PER_DAY = 24 * 60
DAYS_PER_WEEK = 7
# How far `next_change` looks ahead: a long summer closure must not hide the reopening.
DEFAULT_HORIZON_DAYS = 400

_OPENING_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")

Interval = tuple[datetime, datetime]


@dataclass(frozen=True, slots=True)
class WeeklyInterval:
    """Open from `opens` to `closes` (minutes since local midnight) every `weekday` (0 = Monday)."""

    weekday: int
    opens: int
    closes: int


@dataclass(frozen=True, slots=True)
class ClosurePeriod:
    """Closed on every local date from `start` to `end`, both included."""

    start: date
    end: date
    reason: str = ""

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class Schedule:
    """A workspace's hours: its zone, its weekly intervals and its closures.

    `weekly[weekday]` holds sorted ``(opens, closes)`` minute pairs. Use
    `Schedule.build` rather than the constructor.
    """

    timezone: tzinfo
    weekly: tuple[tuple[tuple[int, int], ...], ...]
    closures: tuple[ClosurePeriod, ...] = field(default=())

    @classmethod
    def build(
        cls,
        timezone: str | tzinfo,
        intervals: Iterable[WeeklyInterval],
        closures: Iterable[ClosurePeriod] = (),
    ) -> "Schedule":
        zone = ZoneInfo(timezone) if isinstance(timezone, str) else timezone
        days: list[list[tuple[int, int]]] = [[] for _ in range(DAYS_PER_WEEK)]
        for interval in intervals:
            days[interval.weekday].append((interval.opens, interval.closes))
        return cls(
            timezone=zone,
            weekly=tuple(tuple(sorted(day)) for day in days),
            closures=tuple(sorted(closures, key=lambda closure: (closure.start, closure.end))),
        )


def always_open_intervals() -> list[WeeklyInterval]:
    """00:00–24:00 every day: the hours of a workspace created without any (API.md)."""
    return [WeeklyInterval(weekday=weekday, opens=0, closes=MINUTES_PER_DAY) for weekday in range(DAYS_PER_WEEK)]


# --- "HH:MM" ------------------------------------------------------------------------------------------------


def parse_wall_time(text: str, *, closing: bool = False) -> int:
    """Parse "08:30" to 510 minutes. "24:00" is accepted only as a closing time. Raises ValueError."""
    if closing and text == "24:00":
        return MINUTES_PER_DAY
    match = _OPENING_TIME.fullmatch(text)
    if match is None:
        raise ValueError(text)
    return int(match.group(1)) * 60 + int(match.group(2))


def format_wall_time(minutes: int) -> str:
    """510 → "08:30"; 1440 → "24:00"."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# --- Validation ---------------------------------------------------------------------------------------------


class ProblemKind(StrEnum):
    WEEKDAY = "weekday"  # not 0–6
    RANGE = "range"  # a time outside 00:00–24:00, or 24:00 as an opening time
    ORDER = "order"  # opens at or after it closes
    OVERLAP = "overlap"  # overlaps another interval of the same day


@dataclass(frozen=True, slots=True)
class Problem:
    """Why the interval at `index` (in the order given) is refused; `other` is the interval it overlaps."""

    index: int
    kind: ProblemKind
    other: int | None = None


def find_problems(intervals: Sequence[WeeklyInterval]) -> list[Problem]:
    """Every reason to refuse a week of intervals; an empty list means they are valid.

    Intervals of one day that merely touch (08:00–12:00 and 12:00–14:00) are
    allowed and merged; intervals that share any minute are refused.
    """
    problems: list[Problem] = []
    well_formed: list[tuple[int, WeeklyInterval]] = []
    for index, interval in enumerate(intervals):
        if not 0 <= interval.weekday < DAYS_PER_WEEK:
            problems.append(Problem(index, ProblemKind.WEEKDAY))
        elif not (0 <= interval.opens < MINUTES_PER_DAY and 0 <= interval.closes <= MINUTES_PER_DAY):
            problems.append(Problem(index, ProblemKind.RANGE))
        elif interval.opens >= interval.closes:
            problems.append(Problem(index, ProblemKind.ORDER))
        else:
            well_formed.append((index, interval))
    well_formed.sort(key=lambda item: (item[1].weekday, item[1].opens, item[1].closes))
    for (previous_index, previous), (index, interval) in pairwise(well_formed):
        if previous.weekday == interval.weekday and interval.opens < previous.closes:
            problems.append(Problem(index, ProblemKind.OVERLAP, other=previous_index))
    return sorted(problems, key=lambda problem: problem.index)


# --- Wall time to real time ---------------------------------------------------------------------------------


def _to_utc(instant: datetime) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("a naive datetime has no place in opening hours: give it a time zone")
    return instant.astimezone(UTC)


def _wall(instant_utc: datetime, zone: tzinfo) -> datetime:
    return instant_utc.astimezone(zone).replace(tzinfo=None)


def wall_instant(zone: tzinfo, day: date, minute: int) -> datetime:
    """The first instant (UTC) at which the clock of `zone` shows `day` at `minute` or later.

    `minute` may be 1440, the next day's midnight. See the module docstring for
    what this means around daylight-saving changes.
    """
    naive = datetime.combine(day, time()) + timedelta(minutes=minute)
    # fold=0 picks the first occurrence of a repeated wall time. For a wall time
    # inside a gap it uses the offset from before the jump, which lands after it.
    after = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if _wall(after, zone) == naive:
        return after
    # `naive` is skipped: the answer is the jump itself, between the instant read
    # with the offset from after the jump (the clock still shows less) and `after`.
    before = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    if before >= after or _wall(before, zone) >= naive:
        # No consistent gap around it (never seen in the tz database); keep the
        # offset-before reading rather than guess.
        return after
    # Transitions happen on whole seconds: bisect to the second.
    while after - before > timedelta(seconds=1):
        middle = before + timedelta(seconds=(after - before).total_seconds() // 2)
        if _wall(middle, zone) >= naive:
            after = middle
        else:
            before = middle
    return after


# --- Questions ----------------------------------------------------------------------------------------------


def closure_on(schedule: Schedule, day: date) -> ClosurePeriod | None:
    """The closure that closes the local date `day`, if any (the earliest one when several do)."""
    for closure in schedule.closures:
        if closure.covers(day):
            return closure
    return None


def _merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, with overlapping or touching intervals joined and empty ones dropped."""
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def open_intervals_on(schedule: Schedule, day: date) -> list[Interval]:
    """The real intervals (UTC, merged) during which the workspace is open on the local date `day`.

    They lie between the first instants of `day` and of the next day. An
    interval ending at 24:00 is not joined here with the next day's 00:00 one:
    use `open_periods` for periods across midnight.
    """
    if closure_on(schedule, day) is not None:
        return []
    zone = schedule.timezone
    return _merge(
        (wall_instant(zone, day, opens), wall_instant(zone, day, closes))
        for opens, closes in schedule.weekly[day.weekday()]
    )


def is_open_on(schedule: Schedule, day: date) -> bool:
    """Open at some point of the local date `day`."""
    return bool(open_intervals_on(schedule, day))


def local_date(schedule: Schedule, instant: datetime) -> date:
    """The date shown by the workspace's clock at `instant`."""
    return _to_utc(instant).astimezone(schedule.timezone).date()


def is_open_at(schedule: Schedule, instant: datetime) -> bool:
    """Open at `instant` (an aware datetime in any zone). Intervals are half-open: closed at the closing instant."""
    moment = _to_utc(instant)
    day = moment.astimezone(schedule.timezone).date()
    # The neighbouring dates matter only in zones whose clocks change at
    # midnight, where a day's first instant can come after instants that still
    # show the previous date.
    for candidate in (day, day - timedelta(days=1), day + timedelta(days=1)):
        for start, end in open_intervals_on(schedule, candidate):
            if start <= moment < end:
                return True
    return False


def _periods_over_days(schedule: Schedule, first_day: date, last_day: date) -> list[Interval]:
    """Open periods of the local dates first_day…last_day, merged across midnight."""
    intervals: list[Interval] = []
    day = first_day
    while day <= last_day:
        intervals.extend(open_intervals_on(schedule, day))
        day += timedelta(days=1)
    return _merge(intervals)


def open_periods(schedule: Schedule, start: datetime, end: datetime) -> list[Interval]:
    """The open periods within [start, end) (UTC, merged across midnight, clipped to the bounds)."""
    start_utc, end_utc = _to_utc(start), _to_utc(end)
    if end_utc <= start_utc:
        return []
    first_day = start_utc.astimezone(schedule.timezone).date() - timedelta(days=1)
    last_day = end_utc.astimezone(schedule.timezone).date() + timedelta(days=1)
    clipped = (
        (max(period_start, start_utc), min(period_end, end_utc))
        for period_start, period_end in _periods_over_days(schedule, first_day, last_day)
    )
    return [(period_start, period_end) for period_start, period_end in clipped if period_start < period_end]


def is_open_throughout(schedule: Schedule, start: datetime, end: datetime) -> bool:
    """Open during the whole of [start, end): what a session needs. An empty range is never "open throughout"."""
    start_utc, end_utc = _to_utc(start), _to_utc(end)
    if end_utc <= start_utc:
        return False
    periods = open_periods(schedule, start_utc, end_utc)
    return len(periods) == 1 and periods[0] == (start_utc, end_utc)


def next_change(schedule: Schedule, instant: datetime, *, horizon_days: int = DEFAULT_HORIZON_DAYS) -> datetime | None:
    """The first instant after `instant` at which the workspace opens or closes (UTC).

    None when nothing changes within `horizon_days` (open around the clock, or
    closed for good).
    """
    moment = _to_utc(instant)
    first_day = moment.astimezone(schedule.timezone).date() - timedelta(days=1)
    # Most answers lie within the week: look there first, then up to the horizon.
    for span in (8, horizon_days):
        last_day = first_day + timedelta(days=span + 1)
        periods = _periods_over_days(schedule, first_day, last_day)
        horizon_end = wall_instant(schedule.timezone, last_day, MINUTES_PER_DAY)
        for period_start, period_end in periods:
            if period_start > moment:
                return period_start
            if period_start <= moment < period_end:
                # A period running to the end of the window may go on beyond it.
                if period_end < horizon_end:
                    return period_end
                break
    return None
