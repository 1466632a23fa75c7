"""Tests for bot.worktime: office hours, durations, holidays and the working-time clock."""

from __future__ import annotations

import time as wallclock
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import holidays as holidays_pkg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.worktime import (
    DEFAULT_OFFICE_HOURS,
    EXTRA_HOLIDAY_NAME,
    Holidays,
    OfficeHours,
    WorkClock,
    WorkDays,
    WorkMinutes,
    country_calendar,
    duration_from_timedelta,
    parse_duration,
    resolve_tz,
)

WITA = ZoneInfo("Asia/Makassar")
CLOCK = WorkClock(tz=WITA)
M15, M20, H1, D1 = WorkMinutes(15), WorkMinutes(20), WorkMinutes(60), WorkDays(1)


def wita(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=WITA)


# --------------------------------------------------------------------------- office hours


def test_default_hours_are_the_civil_service_week() -> None:
    hours = OfficeHours.default()
    assert hours == OfficeHours()
    assert hours.intervals(0) == ((time(7, 30), time(12)), (time(13), time(16)))
    assert all(hours.intervals(d) == hours.intervals(0) for d in (1, 2, 3))
    assert hours.intervals(4) == ((time(7, 30), time(11, 30)), (time(13, 30), time(16, 30)))
    assert hours.intervals(5) == ()
    assert hours.intervals(6) == ()
    assert [hours.minutes_on(d) for d in range(7)] == [450, 450, 450, 450, 420, 0, 0]
    assert hours.to_setting() == DEFAULT_OFFICE_HOURS
    hash(hours)  # frozen and hashable


def test_parse_accepts_variants_and_round_trips() -> None:
    text = "Senin - Kamis 7.30-12.00, 13:00-16:00\nJumat 07:30-11:30,13:30-16:30; sat off"
    assert OfficeHours.parse(text) == OfficeHours.default()
    odd = OfficeHours.parse("mon,wed 08:00-12:00; tue 09:00-10:00 ; sun 13:00-14:00, 10:00-11:00")
    assert odd.intervals(2) == ((time(8), time(12)),)
    assert odd.intervals(6) == ((time(10), time(11)), (time(13), time(14)))  # sorted
    assert odd.intervals(3) == ()
    assert OfficeHours.parse(odd.to_setting()) == odd


def test_hours_from_lists_become_tuples() -> None:
    day = [(time(8), time(12))]
    hours = OfficeHours([day, day, [], [], [], [], []])  # type: ignore[arg-type]
    assert hours.days[0] == ((time(8), time(12)),)
    assert isinstance(hours.days, tuple)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty setting"),
        ("mon-thu", "cannot read 'mon-thu'"),
        ("fr 07:30-11:30", "unknown day 'fr'"),
        ("mon 07:30-12:00; mon 13:00-16:00", "mon is given twice"),
        ("mon-fri 07:30-16:00; fri 08:00-09:00", "fri is given twice"),
        ("fri-mon 07:30-16:00", "day range 'fri-mon' runs backwards"),
        ("mon 07:30-1200", "cannot read interval '07:30-1200'"),
        ("mon 25:00-26:00", "invalid time in '25:00-26:00'"),
        ("mon 07:60-08:00", "invalid time in '07:60-08:00'"),
        ("tue 16:00-07:30", "interval '16:00-07:30' ends before it starts"),
        ("wed 07:30-12:00,11:00-16:00", "wed: intervals overlap at 11:00"),
        ("sat off; sun off", "no working time on any day"),
        ("mon,,tue 08:00-09:00", "empty day name"),
    ],
)
def test_parse_errors_name_the_bad_part(text: str, message: str) -> None:
    with pytest.raises(ValueError, match="office hours") as info:
        OfficeHours.parse(text)
    assert message in str(info.value)


def test_constructor_validates() -> None:
    with pytest.raises(ValueError, match="7 weekdays"):
        OfficeHours(((),) * 6)
    with pytest.raises(ValueError, match="ends before it starts"):
        OfficeHours((((time(9), time(8)),),) + ((),) * 6)


# --------------------------------------------------------------------------- durations


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15m", WorkMinutes(15)),
        ("1h", WorkMinutes(60)),
        ("20m", WorkMinutes(20)),
        ("1d", WorkDays(1)),
        ("2d", WorkDays(2)),
        (" 1H30M ", WorkMinutes(90)),
        ("1 jam 30 menit", WorkMinutes(90)),
        ("15 menit", WorkMinutes(15)),
        ("2 hours", WorkMinutes(120)),
        ("1 hari", WorkDays(1)),
    ],
)
def test_parse_duration(text: str, expected: object) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty duration"),
        ("15", "cannot read duration '15'"),
        ("m15", "cannot read duration 'm15'"),
        ("15 weeks", "unknown unit 'weeks'"),
        ("1d2h", "mixes working days"),
        ("1h 2h", "given twice"),
        ("0m", "must be positive"),
        ("0d", "must be positive"),
        ("-5m", "cannot read duration '-5m'"),
    ],
)
def test_parse_duration_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=r"duration|unit") as info:
        parse_duration(text)
    assert message in str(info.value)


def test_duration_labels_and_helpers() -> None:
    assert [str(d) for d in (M15, H1, WorkMinutes(90), D1)] == ["15m", "1h", "1h30m", "1d"]
    assert [parse_duration(str(d)) for d in (M15, H1, WorkMinutes(90), D1)] == [
        M15,
        H1,
        WorkMinutes(90),
        D1,
    ]
    assert [d.label_id for d in (M15, H1, WorkMinutes(90), D1)] == [
        "15 menit",
        "1 jam",
        "1 jam 30 menit",
        "1 hari kerja",
    ]
    assert M15.times(3) == WorkMinutes(45)
    assert D1.times(2) == WorkDays(2)
    assert duration_from_timedelta(timedelta(minutes=15)) == M15
    assert duration_from_timedelta(timedelta(days=1), working_days=True) == D1
    with pytest.raises(ValueError, match="whole number of minutes"):
        duration_from_timedelta(timedelta(seconds=30))
    with pytest.raises(ValueError, match="negative"):
        WorkMinutes(-1)
    with pytest.raises(ValueError, match="negative"):
        WorkDays(-1)
    with pytest.raises(ValueError, match="non-negative int"):
        M15.times(-1)


# --------------------------------------------------------------------------- holidays


def test_holidays_include_national_and_collective_leave_days() -> None:
    cal = Holidays()
    assert cal.is_holiday(date(2026, 8, 17))
    assert cal.name(date(2026, 8, 17)) == "Hari Kemerdekaan Republik Indonesia"
    # Cuti bersama comes from the package's "government" category.
    assert cal.name(date(2026, 5, 15)) == "Cuti Bersama Kenaikan Yesus Kristus"
    assert date(2026, 5, 15) not in Holidays(collective_leave=False)
    assert cal.name(date(2026, 8, 18)) is None
    year = cal.for_year(2026)
    assert date(2026, 12, 24) in year
    assert date(2026, 12, 25) in year


def test_the_calendar_loaded_on_its_own_is_the_packages_indonesia() -> None:
    """`country_calendar` loads Indonesia's module without the package's list of all countries;
    the days and names are the ones `holidays.country_holidays` gives."""
    for year in (2019, 2024, 2026, 2031):
        for categories in (("public", "government"), ("public",)):
            own = Holidays(collective_leave=categories == ("public", "government"))
            reference = holidays_pkg.country_holidays("ID", years=year, categories=categories,
                                                      language="id")
            assert own.for_year(year) == {d: str(n) for d, n in sorted(reference.items())}
    assert country_calendar() is holidays_pkg.country_holidays("ID").__class__.__mro__[1]
    with pytest.raises(ValueError, match="no country 'XX'"):
        country_calendar("XX")


def test_admin_days_only_add() -> None:
    cal = Holidays({date(2026, 8, 18), date(2026, 8, 17)})
    assert cal.name(date(2026, 8, 18)) == EXTRA_HOLIDAY_NAME
    assert cal.name(date(2026, 8, 17)) == "Hari Kemerdekaan Republik Indonesia"
    assert list(cal.for_year(2026)).count(date(2026, 8, 18)) == 1
    with pytest.raises(TypeError):
        Holidays({datetime(2026, 8, 18, 10)})


# --------------------------------------------------------------------------- is_working


@pytest.mark.parametrize(
    ("moment", "working"),
    [
        (wita(2026, 8, 10, 7, 29), False),
        (wita(2026, 8, 10, 7, 30), True),
        (wita(2026, 8, 10, 11, 59), True),
        (wita(2026, 8, 10, 12, 0), False),  # lunch break, half-open intervals
        (wita(2026, 8, 10, 13, 0), True),
        (wita(2026, 8, 10, 16, 0), False),
        (wita(2026, 8, 14, 12, 0), False),  # Friday prayers
        (wita(2026, 8, 14, 16, 20), True),  # Friday runs to 16:30
        (wita(2026, 8, 15, 10, 0), False),  # Saturday
        (wita(2026, 8, 17, 10, 0), False),  # Independence Day
    ],
)
def test_is_working(moment: datetime, working: bool) -> None:
    assert CLOCK.is_working(moment) is working


def test_next_working_moment() -> None:
    assert CLOCK.next_working_moment(wita(2026, 8, 10, 10)) == wita(2026, 8, 10, 10)
    assert CLOCK.next_working_moment(wita(2026, 8, 10, 12, 10)) == wita(2026, 8, 10, 13)
    assert CLOCK.next_working_moment(wita(2026, 8, 10, 5)) == wita(2026, 8, 10, 7, 30)
    assert CLOCK.next_working_moment(wita(2026, 8, 14, 17)) == wita(2026, 8, 18, 7, 30)
    assert CLOCK.is_working_day(date(2026, 8, 18))
    assert not CLOCK.is_working_day(date(2026, 8, 16))


# --------------------------------------------------------------------------- add: minutes


@pytest.mark.parametrize(
    ("start", "duration", "due"),
    [
        (wita(2026, 8, 10, 10), M15, wita(2026, 8, 10, 10, 15)),
        (wita(2026, 8, 10, 15, 50), M15, wita(2026, 8, 11, 7, 35)),  # across an evening
        (wita(2026, 8, 10, 11, 50), M20, wita(2026, 8, 10, 13, 10)),  # lunch break
        (wita(2026, 8, 10, 15, 45), M15, wita(2026, 8, 10, 16, 0)),  # ends exactly at closing
        (wita(2026, 8, 10, 12, 30), M15, wita(2026, 8, 10, 13, 15)),  # starts in the break
        (wita(2026, 8, 10, 6, 0), H1, wita(2026, 8, 10, 8, 30)),  # starts before opening
        (wita(2026, 8, 10, 22, 0), H1, wita(2026, 8, 11, 8, 30)),  # starts at night
        (wita(2026, 8, 12, 11, 45), H1, wita(2026, 8, 12, 13, 45)),
        (wita(2026, 8, 7, 11, 20), M20, wita(2026, 8, 7, 13, 40)),  # Friday prayers break
        (wita(2026, 8, 7, 16, 20), H1, wita(2026, 8, 10, 8, 20)),  # across a weekend
        (wita(2026, 8, 8, 9, 0), M15, wita(2026, 8, 10, 7, 45)),  # starts on Saturday
        (wita(2026, 8, 14, 16, 20), H1, wita(2026, 8, 18, 8, 20)),  # weekend + 17 August
    ],
)
def test_add_minutes(start: datetime, duration: WorkMinutes, due: datetime) -> None:
    result = CLOCK.add(start, duration)
    assert result == due
    assert result.tzinfo is CLOCK.tz
    assert result.utcoffset() == timedelta(hours=8)


def test_add_zero_returns_the_start() -> None:
    assert CLOCK.add(wita(2026, 8, 8, 9), WorkMinutes(0)) == wita(2026, 8, 8, 9)
    assert CLOCK.add(wita(2026, 8, 8, 9), WorkDays(0)) == wita(2026, 8, 8, 9)


def test_collective_leave_days_are_skipped() -> None:
    # Thu 14 May 2026 Ascension Day, Fri 15 May cuti bersama.
    start = wita(2026, 5, 13, 15, 50)
    assert CLOCK.add(start, M15) == wita(2026, 5, 18, 7, 35)
    without = WorkClock(tz=WITA, collective_leave=False)
    assert without.add(start, M15) == wita(2026, 5, 15, 7, 35)
    # Lebaran 2026: Wed 18 Mar cuti, Thu 19 Nyepi, Fri 20 cuti, weekend, Mon 23 + Tue 24 cuti.
    assert CLOCK.add(wita(2026, 3, 17, 15, 30), H1) == wita(2026, 3, 25, 8, 0)


def test_admin_added_days_are_skipped() -> None:
    clock = WorkClock(tz=WITA, holidays_extra=frozenset({date(2026, 8, 11), date(2026, 8, 12)}))
    assert clock.add(wita(2026, 8, 10, 15, 50), M15) == wita(2026, 8, 13, 7, 35)
    assert clock.add(wita(2026, 8, 10, 10), D1) == wita(2026, 8, 13, 10)
    assert not clock.is_working(wita(2026, 8, 11, 10))
    assert clock.holidays.name(date(2026, 8, 11)) == EXTRA_HOLIDAY_NAME
    assert CLOCK.is_working(wita(2026, 8, 11, 10))  # other clocks are unaffected


# --------------------------------------------------------------------------- add: days


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (wita(2026, 8, 11, 10), 1, wita(2026, 8, 12, 10)),  # Tue -> Wed
        (wita(2026, 8, 7, 15), 1, wita(2026, 8, 10, 15)),  # Fri -> Mon across the weekend
        (wita(2026, 8, 7, 16, 15), 1, wita(2026, 8, 10, 16)),  # clamp to Monday's closing
        (wita(2026, 8, 14, 10), 1, wita(2026, 8, 18, 10)),  # weekend + Independence Day
        (wita(2026, 8, 13, 10), 2, wita(2026, 8, 18, 10)),  # Thu + 2d skips Sat, Sun, 17 Aug
        # Starts in Thursday's break, so counts from 13:00; Friday 13:00 is inside the Friday
        # prayers break: the earliest instant with that working position is 11:30.
        (wita(2026, 8, 13, 12, 30), 1, wita(2026, 8, 14, 11, 30)),
        (wita(2026, 8, 13, 11, 45), 1, wita(2026, 8, 14, 11, 30)),  # Fri break: clamp back
        (wita(2026, 8, 10, 17, 0), 1, wita(2026, 8, 12, 7, 30)),  # after hours: from Tue 07:30
        (wita(2026, 8, 15, 9, 0), 1, wita(2026, 8, 19, 7, 30)),  # Sat: counts from Tue 07:30
        (wita(2026, 5, 13, 9, 0), 1, wita(2026, 5, 18, 9, 0)),  # Ascension + cuti bersama
    ],
)
def test_add_days(start: datetime, days: int, due: datetime) -> None:
    assert CLOCK.add(start, WorkDays(days)) == due


def test_add_days_clamps_before_a_late_opening() -> None:
    hours = OfficeHours.parse("mon-thu 07:30-16:00; fri 09:00-11:00")
    clock = WorkClock(hours, tz=WITA)
    assert clock.add(wita(2026, 8, 6, 8), D1) == wita(2026, 8, 7, 9)
    assert clock.add(wita(2026, 8, 6, 10), D1) == wita(2026, 8, 7, 10)
    assert clock.add(wita(2026, 8, 6, 15), D1) == wita(2026, 8, 7, 11)


def test_add_rejects_non_durations() -> None:
    with pytest.raises(TypeError):
        CLOCK.add(wita(2026, 8, 10, 10), timedelta(minutes=5))  # type: ignore[arg-type]


# --------------------------------------------------------------------------- multiples


def test_multiples_for_reminders_and_escalation() -> None:
    start = wita(2026, 8, 10, 11, 30)
    due = [CLOCK.multiples(start, M15, k) for k in (1, 2, 3)]
    # 2x lands exactly where the morning ends: the earliest instant with 30 working minutes.
    assert due == [wita(2026, 8, 10, 11, 45), wita(2026, 8, 10, 12, 0), wita(2026, 8, 10, 13, 15)]
    days = [CLOCK.multiples(wita(2026, 8, 11, 10), D1, k) for k in (1, 2, 3)]
    assert days == [wita(2026, 8, 12, 10), wita(2026, 8, 13, 10), wita(2026, 8, 14, 10)]
    assert CLOCK.multiples(wita(2026, 8, 12, 10), D1, 3) == wita(2026, 8, 18, 10)
    with pytest.raises(ValueError, match="non-negative"):
        CLOCK.multiples(start, M15, -1)


# --------------------------------------------------------------------------- elapsed


def test_elapsed_examples() -> None:
    assert CLOCK.elapsed(wita(2026, 8, 10, 15, 50), wita(2026, 8, 11, 7, 35)) == timedelta(
        minutes=15
    )
    assert CLOCK.elapsed(wita(2026, 8, 14, 16, 20), wita(2026, 8, 18, 8, 20)) == timedelta(hours=1)
    assert CLOCK.elapsed(wita(2026, 8, 10, 0), wita(2026, 8, 15, 0)) == timedelta(
        minutes=4 * 450 + 420
    )
    assert CLOCK.elapsed(wita(2026, 8, 15, 0), wita(2026, 8, 10, 0)) == -timedelta(
        minutes=4 * 450 + 420
    )
    assert CLOCK.elapsed(wita(2026, 8, 15, 8), wita(2026, 8, 17, 12)) == timedelta(0)


def test_elapsed_over_a_year_matches_an_independent_count() -> None:
    official = holidays_pkg.country_holidays("ID", years=2026, categories=("public", "government"))
    expected = 0
    d = date(2026, 1, 1)
    while d.year == 2026:
        if d.weekday() < 5 and d not in official:
            expected += 420 if d.weekday() == 4 else 450
        d += timedelta(days=1)
    begin = wita(2026, 1, 1)
    end = wita(2027, 1, 1)
    started = wallclock.perf_counter()
    total = CLOCK.elapsed(begin, end)
    due = CLOCK.add(begin, WorkMinutes(expected))
    taken = wallclock.perf_counter() - started
    assert total == timedelta(minutes=expected)
    assert due == wita(2026, 12, 31, 16, 0)  # Thu 31 Dec is the last working day of 2026
    assert taken < 1.0  # day-interval steps; minute stepping would take far longer


# --------------------------------------------------------------------------- time zones


def test_any_input_zone_is_converted_to_office_time() -> None:
    in_utc = datetime(2026, 8, 10, 7, 50, tzinfo=UTC)  # 15:50 WITA
    in_jakarta = datetime(2026, 8, 10, 14, 50, tzinfo=ZoneInfo("Asia/Jakarta"))
    in_new_york = datetime(2026, 8, 10, 3, 50, tzinfo=ZoneInfo("America/New_York"))  # EDT
    for start in (in_utc, in_jakarta, in_new_york):
        due = CLOCK.add(start, M15)
        assert due == wita(2026, 8, 11, 7, 35)
        assert due.tzinfo is WITA
        assert due.isoformat() == "2026-08-11T07:35:00+08:00"
    assert CLOCK.is_working(datetime(2026, 8, 10, 2, 0, tzinfo=UTC))  # 10:00 WITA
    assert not CLOCK.is_working(datetime(2026, 8, 10, 10, 0, tzinfo=UTC))  # 18:00 WITA


def test_office_zone_changes_the_interpretation() -> None:
    jakarta = WorkClock(tz="Asia/Jakarta")
    start = datetime(2026, 8, 10, 7, 50, tzinfo=UTC)  # 14:50 WIB
    assert jakarta.add(start, M15) == datetime(2026, 8, 10, 15, 5, tzinfo=ZoneInfo("Asia/Jakarta"))
    fixed = WorkClock(tz=timezone(timedelta(hours=8)))
    assert fixed.add(start, M15) == wita(2026, 8, 11, 7, 35)


def test_naive_datetimes_and_unknown_zones_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        CLOCK.add(datetime(2026, 8, 10, 10), M15)
    with pytest.raises(ValueError, match="naive"):
        CLOCK.elapsed(wita(2026, 8, 10, 10), datetime(2026, 8, 10, 11))
    with pytest.raises(ValueError, match="unknown time zone"):
        WorkClock(tz="Mars/Olympus")
    assert resolve_tz("Asia/Makassar").utcoffset(datetime(2026, 1, 1)) == timedelta(hours=8)


def test_dst_zones_count_real_time() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    clock = WorkClock(OfficeHours.parse("sun 01:00-04:00"), tz=berlin)
    # 29 Mar 2026: clocks jump 02:00 -> 03:00, so the 3-hour wall interval holds 2 real hours.
    day_start = datetime(2026, 3, 29, 0, 0, tzinfo=berlin)
    assert clock.elapsed(day_start, day_start + timedelta(days=1)) == timedelta(hours=2)
    assert clock.add(datetime(2026, 3, 29, 1, 0, tzinfo=berlin), WorkMinutes(90)) == datetime(
        2026, 3, 29, 3, 30, tzinfo=berlin
    )


# --------------------------------------------------------------------------- properties

ZONES = [WITA, UTC, ZoneInfo("Asia/Jakarta"), ZoneInfo("America/New_York"), ZoneInfo("Asia/Tokyo")]

starts = st.builds(
    lambda naive, zone: naive.replace(tzinfo=zone),
    st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 6, 30)),
    st.sampled_from(ZONES),
)


@settings(max_examples=300, deadline=None)
@given(start=starts, minutes=st.integers(min_value=0, max_value=60 * 450))
def test_elapsed_inverts_add(start: datetime, minutes: int) -> None:
    due = CLOCK.add(start, WorkMinutes(minutes))
    assert due >= start
    assert CLOCK.elapsed(start, due) == timedelta(minutes=minutes)
    if minutes:
        # Earliest instant: the moment just before the deadline is still working time.
        assert CLOCK.is_working(due - timedelta(microseconds=1))


@settings(max_examples=150, deadline=None)
@given(
    start=starts,
    a=st.integers(min_value=0, max_value=3000),
    b=st.integers(min_value=0, max_value=3000),
)
def test_add_is_additive(start: datetime, a: int, b: int) -> None:
    assert CLOCK.add(CLOCK.add(start, WorkMinutes(a)), WorkMinutes(b)) == CLOCK.add(
        start, WorkMinutes(a + b)
    )


@settings(max_examples=150, deadline=None)
@given(start=starts, gap1=st.integers(0, 20_000), gap2=st.integers(0, 20_000))
def test_elapsed_splits_at_any_point(start: datetime, gap1: int, gap2: int) -> None:
    middle = start + timedelta(minutes=gap1)
    end = middle + timedelta(minutes=gap2)
    whole = CLOCK.elapsed(start, end)
    assert whole == CLOCK.elapsed(start, middle) + CLOCK.elapsed(middle, end)
    assert CLOCK.elapsed(end, start) == -whole
    assert timedelta(0) <= whole <= end - start


REFERENCE_HOLIDAYS = holidays_pkg.country_holidays(
    "ID", years=range(2025, 2028), categories=("public", "government")
)


def _reference_minutes(start: datetime, end: datetime) -> int:
    """Minute-by-minute count straight from the SOP hours and the holidays package."""
    official = REFERENCE_HOLIDAYS
    hours = {
        0: [(time(7, 30), time(12)), (time(13), time(16))],
        4: [(time(7, 30), time(11, 30)), (time(13, 30), time(16, 30))],
    }
    count = 0
    moment = start
    while moment < end:
        local = moment.astimezone(WITA)
        wd = local.weekday()
        if wd < 5 and local.date() not in official:
            t = local.time()
            count += any(s <= t < e for s, e in hours[4 if wd == 4 else 0])
        moment += timedelta(minutes=1)
    return count


@settings(max_examples=40, deadline=None)
@given(start=starts, span=st.integers(0, 3 * 24 * 60))
def test_elapsed_matches_minute_counting(start: datetime, span: int) -> None:
    start = start.replace(second=0, microsecond=0)
    end = start + timedelta(minutes=span)
    assert CLOCK.elapsed(start, end) == timedelta(minutes=_reference_minutes(start, end))


@settings(max_examples=150, deadline=None)
@given(start=starts, days=st.integers(1, 30))
def test_add_days_lands_on_the_nth_working_day(start: datetime, days: int) -> None:
    due = CLOCK.add(start, WorkDays(days))
    begin = CLOCK.next_working_moment(start)
    assert due.tzinfo is WITA
    assert CLOCK.is_working_day(due.date())
    between = [
        begin.date() + timedelta(days=i) for i in range(1, (due.date() - begin.date()).days + 1)
    ]
    assert sum(CLOCK.is_working_day(d) for d in between) == days
    # Same wall time, or clamped into that day's hours.
    first_open = CLOCK.intervals_on(due.date())[0][0]
    last_close = CLOCK.intervals_on(due.date())[-1][1]
    assert first_open <= due <= last_close
    if CLOCK.is_working(datetime.combine(due.date(), begin.time(), tzinfo=WITA)):
        assert due.time() == begin.time()


@st.composite
def office_hours(draw: st.DrawFn) -> OfficeHours:
    week: list[list[tuple[time, time]]] = []
    for _ in range(7):
        cuts = sorted(set(draw(st.lists(st.integers(0, 24 * 60 - 1), max_size=6))))
        pairs = list(zip(cuts[::2], cuts[1::2], strict=False))
        week.append([(time(*divmod(a, 60)), time(*divmod(b, 60))) for a, b in pairs])
    if not any(week):
        week[draw(st.integers(0, 6))] = [(time(9), time(10))]
    return OfficeHours(tuple(tuple(day) for day in week))


@settings(max_examples=150, deadline=None)
@given(
    hours=office_hours(),
    zone=st.sampled_from(["Asia/Makassar", "America/New_York", "Europe/Berlin"]),
    start=starts,
    share=st.floats(min_value=0, max_value=20),
)
def test_elapsed_inverts_add_for_any_hours_and_zone(
    hours: OfficeHours, zone: str, start: datetime, share: float
) -> None:
    minutes = int(share * sum(hours.minutes_on(d) for d in range(7)))  # up to 20 weeks
    clock = WorkClock(hours, tz=zone)
    due = clock.add(start, WorkMinutes(minutes))
    assert clock.elapsed(start, due) == timedelta(minutes=minutes)
    assert OfficeHours.parse(hours.to_setting()) == hours
    days = clock.add(start, WorkDays(2))
    assert clock.is_working_day(days.date())
