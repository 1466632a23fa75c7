"""Office working time: the clock that Mutu Baku standard times are counted on.

The SOP's standard times ("15 menit", "1 jam", "1 hari") count only while the office is open, in
the office's time zone (the TIMEZONE setting, e.g. Asia/Jakarta), skipping weekends, Indonesian
national holidays, collective leave days ("cuti bersama") and days the admin adds.

Conventions (all instants are timezone-aware; naive datetimes raise ValueError):

* Working intervals are half-open: ``[07:30, 12:00)`` — 12:00 itself is not working time.
* ``WorkMinutes(n)``: the deadline is the *earliest* instant at which n working minutes have
  passed since the start. A start outside office hours therefore counts from the next working
  moment, and a deadline that lands exactly where an interval ends stays there (Mon 15:45 + 15m
  is Mon 16:00, not Tue 07:30).
* ``WorkDays(n)``: the start is first moved to the next working moment; the deadline is the same
  wall-clock time on the n-th following working day (Tue 10:00 + 1d = Wed 10:00, Fri 15:00 + 1d
  = Mon 15:00). Where that day's hours differ, the time is clamped to that day's working
  position: after closing time it becomes closing time, before opening time it becomes opening
  time, inside a break it becomes the start of the break (the earliest instant with the same
  working position).
* All arithmetic is done in UTC, so zones with DST are counted in real elapsed time.
"""

from __future__ import annotations

import bisect
import functools
import importlib.util
import itertools
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from pathlib import Path
from types import MappingProxyType
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_pkg
from holidays.registry import COUNTRIES

from bot.durations import Duration as Duration
from bot.durations import WorkDays as WorkDays
from bot.durations import WorkMinutes as WorkMinutes
from bot.durations import duration_from_timedelta as duration_from_timedelta
from bot.durations import parse_duration as parse_duration

# Indonesian zones have no DST; fixed offsets stand in if the system has no tz database.
_FIXED_FALLBACK: Final[Mapping[str, timedelta]] = {
    "Asia/Jakarta": timedelta(hours=7),
    "Asia/Pontianak": timedelta(hours=7),
    "Asia/Makassar": timedelta(hours=8),
    "Asia/Jayapura": timedelta(hours=9),
}

# After this many consecutive days without working time the clock gives up (misconfiguration).
_MAX_IDLE_DAYS: Final = 3 * 366

Interval = tuple[time, time]


def resolve_tz(tz: tzinfo | str) -> tzinfo:
    """Return a tzinfo for a zone name (or pass a tzinfo through); ValueError if unknown."""
    if isinstance(tz, tzinfo):
        return tz
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        offset = _FIXED_FALLBACK.get(tz)
        if offset is None:
            raise ValueError(f"unknown time zone {tz!r}") from exc
        return timezone(offset, tz)


# --------------------------------------------------------------------------- durations

# The standard-time value types live in `bot.durations` (pure, used by the workflow table) and
# are re-exported here.


# --------------------------------------------------------------------------- office hours

_DAY_NAMES: Final[Mapping[str, int]] = {
    **{n: i for i, n in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))},
    **{
        n: i
        for i, n in enumerate(
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        )
    },
    **{
        n: i for i, n in enumerate(("senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu"))
    },
    "jum'at": 4,
}
_SHORT: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_OFF_WORDS: Final = frozenset({"off", "libur", "-"})
_GROUP = re.compile(r"^(?P<days>[a-z'][a-z', -]*?)\s+(?P<spec>(?:\d|off\b|libur\b|-\s*$).*)$")
_INTERVAL = re.compile(r"^(\d{1,2})[:.](\d{2})\s*-\s*(\d{1,2})[:.](\d{2})$")


def _normalize_day(intervals: Iterable[Sequence[time]], weekday: int) -> tuple[Interval, ...]:
    out: list[Interval] = []
    for iv in intervals:
        if len(iv) != 2 or not all(isinstance(t, time) for t in iv):
            raise ValueError(f"{_SHORT[weekday]}: an interval must be a (start, end) pair of times")
        start, end = iv[0], iv[1]
        if start.tzinfo is not None or end.tzinfo is not None:
            raise ValueError(f"{_SHORT[weekday]}: interval times must be naive wall-clock times")
        if start >= end:
            raise ValueError(
                f"{_SHORT[weekday]}: interval {start:%H:%M}-{end:%H:%M} ends before it starts"
            )
        out.append((start, end))
    out.sort()
    for (_, prev_end), (start, _) in itertools.pairwise(out):
        if start < prev_end:
            raise ValueError(f"{_SHORT[weekday]}: intervals overlap at {start:%H:%M}")
    return tuple(out)


@dataclass(frozen=True)
class OfficeHours:
    """Working intervals per weekday (index Mon=0 .. Sun=6), as naive wall-clock times.

    Lists are accepted and stored as tuples, so instances are hashable.
    """

    days: tuple[tuple[Interval, ...], ...] = field(
        default_factory=lambda: OfficeHours.default().days
    )

    def __post_init__(self) -> None:
        if len(self.days) != 7:
            raise ValueError(f"office hours need 7 weekdays (Mon..Sun), got {len(self.days)}")
        days = tuple(_normalize_day(iv, i) for i, iv in enumerate(self.days))
        if not any(days):
            raise ValueError("no working time on any day of the week")
        object.__setattr__(self, "days", days)

    @staticmethod
    def default() -> OfficeHours:
        """Regional civil service, 5-day week (the office's wall clock).

        Mon–Thu 07:30–16:00 with a 12:00–13:00 break; Fri 07:30–16:30 with an 11:30–13:30 break
        for Friday prayers; Saturday and Sunday off.
        """
        return OfficeHours.parse(DEFAULT_OFFICE_HOURS)

    @staticmethod
    def parse(text: str) -> OfficeHours:
        """Parse e.g. ``"mon-thu 07:30-12:00,13:00-16:00; fri 07:30-11:30,13:30-16:30"``.

        Groups are separated by ';' or newlines; each names days (``mon``, ``mon-thu``,
        ``mon,wed``; English or Indonesian names) then comma-separated ``HH:MM-HH:MM``
        intervals (``07.30`` also accepted) or ``off``. Days not named are off.
        Raises ValueError naming the bad part.
        """
        week: list[list[Interval] | None] = [None] * 7
        groups = [g.strip() for g in re.split(r"[;\n]", text.lower())]
        for group in groups:
            if not group:
                continue
            m = _GROUP.match(group)
            if m is None:
                raise ValueError(
                    f"office hours: cannot read {group!r}: expected days then intervals,"
                    " e.g. 'mon-thu 07:30-12:00,13:00-16:00'"
                )
            weekdays = _parse_days(m.group("days"), group)
            intervals = _parse_intervals(m.group("spec"), group)
            for wd in weekdays:
                if week[wd] is not None:
                    raise ValueError(f"office hours: {_SHORT[wd]} is given twice (in {group!r})")
                week[wd] = intervals
        if all(w is None for w in week):
            raise ValueError("office hours: empty setting")
        try:
            return OfficeHours(tuple(tuple(w or ()) for w in week))
        except ValueError as exc:
            raise ValueError(f"office hours: {exc}") from exc

    def intervals(self, weekday: int) -> tuple[Interval, ...]:
        return self.days[weekday]

    def minutes_on(self, weekday: int) -> int:
        """Working minutes on a normal (non-holiday) day with this weekday."""
        return sum(
            (datetime.combine(date.min, e) - datetime.combine(date.min, s)) // timedelta(minutes=1)
            for s, e in self.days[weekday]
        )

    def to_setting(self) -> str:
        """Canonical setting string; ``OfficeHours.parse(h.to_setting()) == h``."""
        groups: list[str] = []
        i = 0
        while i < 7:
            j = i
            while j + 1 < 7 and self.days[j + 1] == self.days[i]:
                j += 1
            if self.days[i]:
                names = _SHORT[i] if i == j else f"{_SHORT[i]}-{_SHORT[j]}"
                spec = ",".join(f"{s:%H:%M}-{e:%H:%M}" for s, e in self.days[i])
                groups.append(f"{names} {spec}")
            i = j + 1
        return "; ".join(groups)


DEFAULT_OFFICE_HOURS: Final = "mon-thu 07:30-12:00,13:00-16:00; fri 07:30-11:30,13:30-16:30"


def _day_index(word: str, group: str) -> int:
    wd = _DAY_NAMES.get(word.strip())
    if wd is None:
        raise ValueError(f"office hours: unknown day {word.strip()!r} in {group!r}")
    return wd


def _parse_days(text: str, group: str) -> list[int]:
    out: list[int] = []
    for item in text.split(","):
        if not item.strip():
            raise ValueError(f"office hours: empty day name in {group!r}")
        if "-" in item:
            first, _, last = item.partition("-")
            a, b = _day_index(first, group), _day_index(last, group)
            if b < a:
                raise ValueError(
                    f"office hours: day range {item.strip()!r} runs backwards in {group!r}"
                )
            out.extend(range(a, b + 1))
        else:
            out.append(_day_index(item, group))
    if len(set(out)) != len(out):
        raise ValueError(f"office hours: a day is repeated in {text.strip()!r}")
    return out


def _parse_time(hh: str, mm: str, part: str, group: str) -> time:
    h, m = int(hh), int(mm)
    if h > 23 or m > 59:
        raise ValueError(f"office hours: invalid time in {part!r} (in {group!r})")
    return time(h, m)


def _parse_intervals(text: str, group: str) -> list[Interval]:
    if text.strip() in _OFF_WORDS:
        return []
    out: list[Interval] = []
    for part in (p.strip() for p in text.split(",")):
        m = _INTERVAL.match(part)
        if m is None:
            raise ValueError(
                f"office hours: cannot read interval {part!r} in {group!r}: expected HH:MM-HH:MM"
            )
        start = _parse_time(m.group(1), m.group(2), part, group)
        end = _parse_time(m.group(3), m.group(4), part, group)
        if start >= end:
            raise ValueError(f"office hours: interval {part!r} ends before it starts in {group!r}")
        out.append((start, end))
    return out


# --------------------------------------------------------------------------- holidays

EXTRA_HOLIDAY_NAME: Final = "Hari libur yang ditetapkan admin"
COUNTRY: Final = "ID"


@functools.cache
def country_calendar(code: str = COUNTRY) -> type[holidays_pkg.HolidayBase]:
    """The holiday class of one country, loaded from its own module.

    `holidays.country_holidays` imports the package `holidays.countries`, whose __init__
    imports all ~250 countries (~8 MiB resident) to name them; the country's own module needs
    only the package's base classes. It is loaded under its usual name, so a later import of
    `holidays.countries` reuses it."""
    module_name = next((m for m, names in COUNTRIES.items() if code in names[1:]), None)
    if module_name is None:
        raise ValueError(f"the holidays package has no country {code!r}")
    name = f"holidays.countries.{module_name}"
    module = sys.modules.get(name)
    if module is None:
        path = Path(holidays_pkg.__file__ or "").parent / "countries" / f"{module_name}.py"
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None or not path.is_file():
            # another layout of the package: take the documented way, whatever it loads
            return type(holidays_pkg.country_holidays(code))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[name]
            raise
    found: type[holidays_pkg.HolidayBase] = getattr(module, COUNTRIES[module_name][0])
    return found


@functools.cache
def _national(year: int, collective_leave: bool) -> Mapping[date, str]:
    """Indonesian holidays of one year (Indonesian names), cached per year."""
    categories = ("public", "government") if collective_leave else ("public",)
    found = country_calendar()(years=year, categories=categories, language="id")
    return MappingProxyType({d: str(n) for d, n in found.items()})


class Holidays:
    """National holidays and cuti bersama (the package's 'government' category) plus admin days.

    Nothing is ever removed: admin days only add.
    """

    def __init__(self, extra: Iterable[date] = frozenset(), *, collective_leave: bool = True):
        self.extra: frozenset[date] = frozenset(extra)
        for d in self.extra:
            if not isinstance(d, date) or isinstance(d, datetime):
                raise TypeError(f"extra holidays must be dates, got {d!r}")
        self.collective_leave = collective_leave

    def name(self, d: date) -> str | None:
        """Indonesian name of the holiday on ``d``, or None on an ordinary day."""
        found = _national(d.year, self.collective_leave).get(d)
        if found is not None:
            return found
        return EXTRA_HOLIDAY_NAME if d in self.extra else None

    def is_holiday(self, d: date) -> bool:
        return d in self.extra or d in _national(d.year, self.collective_leave)

    def __contains__(self, d: object) -> bool:
        return isinstance(d, date) and self.is_holiday(d)

    def for_year(self, year: int) -> dict[date, str]:
        """All holidays of a year, admin days included, sorted by date."""
        merged = dict(_national(year, self.collective_leave))
        for d in self.extra:
            if d.year == year:
                merged.setdefault(d, EXTRA_HOLIDAY_NAME)
        return dict(sorted(merged.items()))


# --------------------------------------------------------------------------- the clock

_UtcIntervals = tuple[tuple[datetime, datetime], ...]


class WorkClock:
    """Counts office working time. Inputs: aware datetimes in any zone; outputs: office zone."""

    _CACHE_MAX: Final = 4096
    _PLACES_MAX: Final = 65536

    def __init__(
        self,
        hours: OfficeHours | None = None,
        *,
        tz: tzinfo | str,
        holidays_extra: Iterable[date] = frozenset(),
        collective_leave: bool = True,
    ) -> None:
        self.hours = hours if hours is not None else OfficeHours.default()
        self.tz = resolve_tz(tz)
        self.holidays = Holidays(holidays_extra, collective_leave=collective_leave)
        self._cache: dict[date, _UtcIntervals] = {}
        # A calendar of the days asked about so far (ordinals `_first` .. `_first +
        # len(_before) - 2`): `_before[i]` is the working time of the days before day i, and
        # `_working` the ordinals of its days with working time. `elapsed` and `add(WorkDays)`
        # look days up in it instead of walking them (the monthly report asks ~30,000 times).
        self._first = 0
        self._before: list[timedelta] = []
        self._working: list[int] = []
        self._places: dict[datetime, tuple[int, timedelta]] = {}

    # -- days

    def is_working_day(self, d: date) -> bool:
        """True when ``d`` has office hours and is not a holiday."""
        return bool(self.hours.days[d.weekday()]) and not self.holidays.is_holiday(d)

    def intervals_on(self, d: date) -> list[tuple[datetime, datetime]]:
        """Working intervals of a local date, as aware datetimes in the office zone."""
        return [(a.astimezone(self.tz), b.astimezone(self.tz)) for a, b in self._utc_day(d)]

    def _utc_day(self, d: date) -> _UtcIntervals:
        cached = self._cache.get(d)
        if cached is not None:
            return cached
        result: _UtcIntervals = ()
        if self.is_working_day(d):
            for s, e in self.hours.days[d.weekday()]:
                a = datetime.combine(d, s, tzinfo=self.tz).astimezone(UTC)
                b = datetime.combine(d, e, tzinfo=self.tz).astimezone(UTC)
                # A DST gap can make wall-clock intervals overlap in real time: clip them.
                if result:
                    a = max(a, result[-1][1])
                if a < b:
                    result += ((a, b),)
        if len(self._cache) >= self._CACHE_MAX:
            self._cache.clear()
        self._cache[d] = result
        return result

    def _local_date(self, utc_dt: datetime) -> date:
        return utc_dt.astimezone(self.tz).date()

    # -- instants

    def is_working(self, dt: datetime) -> bool:
        u = _to_utc(dt)
        return any(a <= u < b for a, b in self._utc_day(self._local_date(u)))

    def next_working_moment(self, dt: datetime) -> datetime:
        """``dt`` itself if it is working time, else the start of the next working interval."""
        u = _to_utc(dt)
        d = self._local_date(u)
        for a, b in self._utc_day(d):
            if u < b:
                return max(a, u).astimezone(self.tz)
        later = self._working_day_after(d.toordinal(), 1)
        return self._utc_day(date.fromordinal(later))[0][0].astimezone(self.tz)

    def _working_day_after(self, day: int, n: int) -> int:
        """The ordinal of the n-th day with working time after the day ``day`` (n >= 1)."""
        self._cover(day, day + n)
        index = bisect.bisect_right(self._working, day) + n - 1
        while index >= len(self._working):
            known = self._first + len(self._before) - 2  # the last day in the calendar
            if known - max(day, self._working[-1] if self._working else day) > _MAX_IDLE_DAYS:
                raise RuntimeError(f"no working time within {_MAX_IDLE_DAYS} days of "
                                   f"{date.fromordinal(day)}")
            self._cover(day, known + 1)
        return self._working[index]

    def add(self, start: datetime, duration: Duration) -> datetime:
        """The deadline: ``start`` plus a standard time counted in working time."""
        if isinstance(duration, WorkDays):
            return self._add_days(start, duration.days)
        if isinstance(duration, WorkMinutes):
            return self._add_minutes(start, timedelta(minutes=duration.minutes))
        raise TypeError(f"not a Duration: {duration!r}")

    def _add_minutes(self, start: datetime, amount: timedelta) -> datetime:
        """The earliest instant by which ``amount`` of working time has passed since ``start``
        (the calendar's running total reaches the total at ``start`` plus ``amount``)."""
        u = _to_utc(start)
        if not amount:
            return u.astimezone(self.tz)
        day, part = self._place(u)
        self._cover(day, day + 1)
        target = self._before[day - self._first] + part + amount
        while self._before[-1] < target:  # the calendar's last day ends too early
            known = self._first + len(self._before) - 2
            last_working = self._working[-1] if self._working else day
            if known - max(day, last_working) > _MAX_IDLE_DAYS:
                raise RuntimeError(f"no working time within {_MAX_IDLE_DAYS} days of "
                                   f"{date.fromordinal(day)}")
            self._cover(day, known + 31)
        # the first day whose running total at its end reaches the target
        index = max(bisect.bisect_left(self._before, target) - 1, day - self._first)
        total = self._before[index]
        for a, b in self._utc_day(date.fromordinal(self._first + index)):
            if total + (b - a) >= target:
                return (a + (target - total)).astimezone(self.tz)
            total += b - a
        raise AssertionError("unreachable")  # pragma: no cover

    def _add_days(self, start: datetime, days: int) -> datetime:
        if days == 0:
            return _to_utc(start).astimezone(self.tz)
        begin = self.next_working_moment(start)
        wall = begin.replace(tzinfo=None).time()
        day = self._working_day_after(begin.date().toordinal(), days)
        return self._position_on(date.fromordinal(day), wall)

    def _position_on(self, d: date, wall: time) -> datetime:
        """The earliest instant on working day ``d`` whose working position matches ``wall``."""
        intervals = self.hours.days[d.weekday()]
        chosen = intervals[0][0]
        for s, e in intervals:
            if wall < s:
                break
            chosen = wall if wall < e else e
        return datetime.combine(d, chosen, tzinfo=self.tz).astimezone(UTC).astimezone(self.tz)

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Working time between two instants; negative when ``end`` is before ``start``."""
        u0, u1 = _to_utc(start), _to_utc(end)
        if u1 < u0:
            return -self.elapsed(end, start)
        # Working time from the calendar's first day up to u1, minus the same up to u0 (each
        # local day's intervals lie within that day, so the days before it count whole).
        places = self._places  # most instants are placed already: no call for those
        (d0, part0), (d1, part1) = places.get(u0) or self._place(u0), \
            places.get(u1) or self._place(u1)
        if d0 == d1:
            return part1 - part0
        self._cover(d0, d1)
        return self._before[d1 - self._first] + part1 - self._before[d0 - self._first] - part0

    def _place(self, u: datetime) -> tuple[int, timedelta]:
        """(the local day's ordinal, working time of that day before ``u``) of a UTC instant;
        remembered, as every event's instant ends one visit and starts the next."""
        found = self._places.get(u)
        if found is None:
            if len(self._places) >= self._PLACES_MAX:
                self._places.clear()
            d = u.astimezone(self.tz).date()
            found = self._places[u] = (d.toordinal(), self._upto(d, u))
        return found

    def _upto(self, d: date, u: datetime) -> timedelta:
        """Working time of local day ``d`` before the UTC instant ``u``."""
        total = timedelta()
        for a, b in self._utc_day(d):
            if u <= a:
                break
            total += min(b, u) - a
        return total

    def _cover(self, first: int, last: int) -> None:
        """Extend the calendar to hold the days with ordinals ``first`` .. ``last``."""
        if not self._before or first < self._first:
            start = first - 366 if self._before else first  # going back: a year at a time
            end = max(last, self._first + len(self._before) - 2) if self._before else last
            self._first, self._before, self._working = start, [timedelta()], []
            self._extend(end)
        elif last > self._first + len(self._before) - 2:
            self._extend(last + 31)

    def _extend(self, last: int) -> None:
        day = self._first + len(self._before) - 1
        total = self._before[-1]
        while day <= last:
            intervals = self._utc_day(date.fromordinal(day))
            if intervals:
                self._working.append(day)
                for a, b in intervals:
                    total += b - a
            self._before.append(total)
            day += 1

    def multiples(self, start: datetime, duration: Duration, k: int) -> datetime:
        """The instant at k × the standard time (reminder k=1, second reminder k=2, ...)."""
        return self.add(start, duration.times(k))


def _to_utc(dt: datetime) -> datetime:
    if type(dt) is datetime and dt.tzinfo is UTC:  # as stored instants are read
        return dt
    if not isinstance(dt, datetime):
        raise TypeError(f"expected a datetime, got {dt!r}")
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"naive datetime {dt.isoformat()} has no time zone")
    return dt.astimezone(UTC)
