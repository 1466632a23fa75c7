"""`WorkClock.elapsed` and `WorkClock.add(WorkDays)` look days up in a calendar of prefix sums
(#16: the monthly report asks them ~30,000 times). They must give exactly what walking the days
one by one gives: compared here with that walk (the code before the change) on random instants,
in a zone without DST and in one with it, with admin holidays, in any order of asking (the
calendar grows forwards and backwards)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.worktime import WorkClock, WorkDays, WorkMinutes

_DAY = timedelta(days=1)


def walked_elapsed(clock: WorkClock, start: datetime, end: datetime) -> timedelta:
    """The day-by-day walk `elapsed` did before."""
    u0, u1 = start.astimezone(UTC), end.astimezone(UTC)
    if u1 < u0:
        return -walked_elapsed(clock, end, start)
    total = timedelta()
    last = u1.astimezone(clock.tz).date()
    d = u0.astimezone(clock.tz).date()
    while d <= last:
        for a, b in clock._utc_day(d):
            lo, hi = max(a, u0), min(b, u1)
            if hi > lo:
                total += hi - lo
        d += _DAY
    return total


def walked_add_minutes(clock: WorkClock, start: datetime, minutes: int) -> datetime:
    """The day-by-day walk `add(WorkMinutes(minutes))` did before."""
    u = start.astimezone(UTC)
    remaining = timedelta(minutes=minutes)
    d = u.astimezone(clock.tz).date()
    while True:
        for a, b in clock._utc_day(d):
            if b <= u:
                continue
            begin = max(a, u)
            if b - begin >= remaining:
                return (begin + remaining).astimezone(clock.tz)
            remaining -= b - begin
        d += _DAY


def walked_next_working_moment(clock: WorkClock, dt: datetime) -> datetime:
    """The day-by-day walk `next_working_moment` did before."""
    u = dt.astimezone(UTC)
    d = u.astimezone(clock.tz).date()
    while True:
        for a, b in clock._utc_day(d):
            if u < b:
                return max(a, u).astimezone(clock.tz)
        d += _DAY


def walked_add_days(clock: WorkClock, start: datetime, days: int) -> datetime:
    """The day-by-day walk `add(WorkDays(days))` did before."""
    begin = walked_next_working_moment(clock, start)
    wall = begin.replace(tzinfo=None).time()
    left = days
    d = begin.date() + _DAY
    while True:
        if clock._utc_day(d):
            left -= 1
            if left == 0:
                return clock._position_on(d, wall)
        d += _DAY


@pytest.mark.parametrize("zone", ["Asia/Makassar", "Europe/Berlin"])
def test_calendar_matches_the_day_by_day_walk(zone: str) -> None:
    rng = random.Random(16)
    clock = WorkClock(tz=zone, holidays_extra={date(2025, 3, 4), date(2026, 10, 26)})
    origin = datetime(2024, 12, 20, tzinfo=UTC)
    for _ in range(3000):
        a = origin + timedelta(minutes=rng.randrange(0, 2 * 365 * 24 * 60))
        # mostly short spans (a step's visit), sometimes months, sometimes backwards
        span = timedelta(minutes=rng.choice([rng.randrange(0, 600), rng.randrange(0, 90_000)]))
        b = a + span if rng.random() < 0.9 else a - span
        assert clock.elapsed(a, b) == walked_elapsed(clock, a, b), (a, b)
        assert clock.next_working_moment(a) == walked_next_working_moment(clock, a), a
        minutes = rng.choice([1, 15, 60, 90, 450, rng.randrange(1, 20_000)])
        assert (clock.add(a, WorkMinutes(minutes))
                == walked_add_minutes(clock, a, minutes)), (a, minutes)
        days = rng.choice([1, 1, 2, 5, rng.randrange(1, 120)])
        assert clock.add(a, WorkDays(days)) == walked_add_days(clock, a, days), (a, days)
    # exact boundaries: interval starts and ends, midnight, the same instant
    monday = datetime(2026, 11, 2, 7, 30)
    for wall in (monday, monday.replace(hour=12), monday.replace(hour=0),
                 monday.replace(hour=16), monday + 4 * _DAY):
        local = wall.replace(tzinfo=clock.tz)
        for other in (local, local + timedelta(hours=1), local + 3 * _DAY):
            assert clock.elapsed(local, other) == walked_elapsed(clock, local, other)
        assert clock.add(local, WorkMinutes(0)) == local
        for minutes in (1, 15, 30, 240, 270, 450, 510):  # ends of intervals and days
            assert (clock.add(local, WorkMinutes(minutes))
                    == walked_add_minutes(clock, local, minutes)), (local, minutes)
        assert clock.add(local, WorkDays(1)) == walked_add_days(clock, local, 1)


def test_a_clock_without_working_days_gives_up_instead_of_looping() -> None:
    start = date(2026, 1, 1)
    every_day = {start + timedelta(days=i) for i in range(4 * 366)}
    clock = WorkClock(tz="Asia/Makassar", holidays_extra=every_day)
    moment = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
    with pytest.raises(RuntimeError, match="no working time within"):
        clock.add(moment, WorkDays(1))
    with pytest.raises(RuntimeError, match="no working time within"):
        clock.add(moment, WorkMinutes(15))
    with pytest.raises(RuntimeError, match="no working time within"):
        clock.next_working_moment(moment)
    assert clock.elapsed(moment, moment + timedelta(days=30)) == timedelta()
