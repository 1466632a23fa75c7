"""Monthly Mutu Baku figures and the month's audit trail as CSV.

Definitions (what the report promises; tests check them by hand):

* A request belongs to the month in which it was received (``created_at`` read in the office
  time zone ``tz``). Every figure of a month is about those requests only, including the steps
  they went through after the month ended.
* ``completed``/``declined``/``withdrawn``: the request is in that final state now;
  ``pending``: it is still open now.
* A *visit* of a step runs from the audit event that entered one of the step's states to the
  next event that moved the request to another state. Every visit counts: a request returned
  for revision visits steps again. Step 8 has two states (sign-off and revision of the reply
  letter); both count as visits of step 8. A visit still going on (no leaving event yet) is not
  measured; it shows in ``StepFigures.in_progress``.
* A visit's time is WORKING time (`WorkClock.elapsed`): office hours only, without breaks,
  weekends and holidays.
* Median: the middle value, the mean of the two middle values for an even count
  (as ``statistics.median`` does). P90: nearest rank, the value at rank ``ceil(0.9 * n)`` of the
  ascending values (for fewer than 10 values that is the largest one).
* Within standard: for a standard in minutes, working time <= standard; for a standard in
  working days ("1 hari"), the visit ended no later than `WorkClock.add(entered, WorkDays(n))`.
  Over-by is the working time past that deadline. Steps without a standard time have no share.
* Slowest cases: the visits that exceeded their standard, largest over-by first (then longest
  working time, then request number and step).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from bot.texts import ACTION_LABELS, STATE_LABELS
from bot.workflow import FINAL_STATES, ROLE_TITLES, STEPS, Role, State, Step, step_of
from bot.worktime import Duration, WorkClock, WorkDays, duration_from_timedelta
from bot.zones import zone_label
from storage.models import Request, RequestEvent

if TYPE_CHECKING:  # keeps this module importable by the pure renderers in letters/
    from storage.store import Store

SLOWEST_LIMIT = 10
P90_PERCENT = 90


@dataclass(frozen=True)
class Visit:
    """One stay of a request in one step's state, measured in working time."""

    request_number: str
    step: int
    state: State
    entered: datetime
    left: datetime
    working: timedelta
    over_by: timedelta | None
    """Working time past the standard; None when within it or when the step has none."""


@dataclass(frozen=True)
class StepFigures:
    number: int
    states: tuple[State, ...]
    roles: tuple[Role, ...]
    standard_time: timedelta | None
    working_days: bool
    count: int
    median: timedelta | None
    p90: timedelta | None
    within_standard: int | None
    """Visits within the standard; None for a step without a standard time."""
    in_progress: int
    """Requests of the month that sit in this step now (their visit is not measured yet)."""

    @property
    def share_within(self) -> float | None:
        """Share (0..1) of visits within the standard; None without a standard or visits."""
        if self.within_standard is None or self.count == 0:
            return None
        return self.within_standard / self.count

    @property
    def has_standard(self) -> bool:
        return self.standard_time is not None


@dataclass(frozen=True)
class MonthFigures:
    year: int
    month: int
    tz: tzinfo
    """The office zone the month and all times are read in."""
    received: int
    completed: int
    declined: int
    withdrawn: int
    pending: int
    steps: tuple[StepFigures, ...]
    slowest: tuple[Visit, ...]
    nominal_day: timedelta
    """Working time of a full working day, to draw a "1 hari kerja" standard in a chart."""

    @property
    def is_empty(self) -> bool:
        return self.received == 0


# ------------------------------------------------------------------------ month selection


def month_bounds(year: int, month: int, tz: tzinfo) -> tuple[datetime, datetime]:
    """Start (inclusive) and end (exclusive) of a calendar month in ``tz``."""
    if not 1 <= month <= 12:
        raise ValueError(f"month out of range: {month}")
    start = datetime(year, month, 1, tzinfo=tz)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=tz)
    return start, end


async def month_requests(store: Store, year: int, month: int, tz: tzinfo) -> list[Request]:
    """The requests received in the month, oldest first."""
    start, end = month_bounds(year, month, tz)
    return [r for r in await store.requests() if start <= r.created_at < end]


async def _with_timelines(
    store: Store, requests: Iterable[Request]
) -> list[tuple[Request, list[RequestEvent]]]:
    return [(r, await store.timeline(r.id)) for r in requests]


# ------------------------------------------------------------------------ statistics


def nearest_rank(values: Sequence[timedelta], percent: int) -> timedelta:
    """The nearest-rank percentile: the value at rank ceil(percent/100 * n), ascending."""
    if not values:
        raise ValueError("no values")
    if not 0 < percent <= 100:
        raise ValueError(f"percent out of range: {percent}")
    ordered = sorted(values)
    rank = -(-percent * len(ordered) // 100)
    return ordered[rank - 1]


def median(values: Sequence[timedelta]) -> timedelta:
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[mid]
    return (ordered[mid - 1] + ordered[mid]) / 2


Standards = Mapping[int, Duration | None]
"""Standard time per SOP step number (see `bot.deadlines.step_standards`)."""


def table_standards() -> dict[int, Duration | None]:
    """The standard times as the SOP table states them (steps 8 and 9 have none)."""
    return {s.number: (duration_from_timedelta(s.standard_time, working_days=s.working_days)
                       if s.standard_time is not None else None) for s in STEPS}


def _over_by(standard: Duration | None, clock: WorkClock, entered: datetime, left: datetime,
             working: timedelta) -> timedelta | None:
    if standard is None:
        return None
    if isinstance(standard, WorkDays):
        deadline = clock.add(entered, standard)
        over = clock.elapsed(deadline, left) if left > deadline else timedelta()
    else:
        over = working - timedelta(minutes=standard.minutes)
    return over if over > timedelta() else None


def visits(request: Request, events: Sequence[RequestEvent], clock: WorkClock,
           standards: Standards | None = None) -> list[Visit]:
    """The finished step visits of one request, from its audit trail (ordered by id).

    An event that leaves the state unchanged (a note, a reassignment) does not end a visit.
    """
    standards = table_standards() if standards is None else standards
    out: list[Visit] = []
    current: State | None = None
    since: datetime | None = None
    for event in events:
        if event.to_state is current:
            continue
        if current is not None and since is not None:
            step = step_of(current)
            if step is not None:
                working = clock.elapsed(since, event.at)
                out.append(Visit(request.number, step.number, current, since, event.at, working,
                                 _over_by(standards.get(step.number), clock, since, event.at,
                                          working)))
        current, since = event.to_state, event.at
    return out


def _step_groups() -> list[tuple[int, tuple[Step, ...]]]:
    numbers = sorted({s.number for s in STEPS})
    return [(n, tuple(s for s in STEPS if s.number == n)) for n in numbers]


def _step_figures(number: int, steps: tuple[Step, ...], standard: Duration | None,
                  measured: Sequence[Visit], current: Sequence[Request]) -> StepFigures:
    standard_time = None if standard is None else (
        timedelta(days=standard.days) if isinstance(standard, WorkDays)
        else timedelta(minutes=standard.minutes))
    times = [v.working for v in measured]
    roles = tuple(dict.fromkeys(s.role for s in steps))
    states = tuple(s.state for s in steps)
    return StepFigures(
        number=number,
        states=states,
        roles=roles,
        standard_time=standard_time,
        working_days=isinstance(standard, WorkDays),
        count=len(measured),
        median=median(times) if times else None,
        p90=nearest_rank(times, P90_PERCENT) if times else None,
        within_standard=(None if standard is None
                         else sum(v.over_by is None for v in measured)),
        in_progress=sum(r.state in states for r in current),
    )


def nominal_day(clock: WorkClock) -> timedelta:
    """The longest working day of the week (Mon–Thu by default: 7 h 30 min)."""
    return timedelta(minutes=max(clock.hours.minutes_on(d) for d in range(7)))


def figures_from(
    year: int,
    month: int,
    tz: tzinfo,
    trails: Sequence[tuple[Request, Sequence[RequestEvent]]],
    clock: WorkClock,
    *,
    slowest_limit: int = SLOWEST_LIMIT,
    standards: Standards | None = None,
) -> MonthFigures:
    """The month's figures from its requests and their audit trails (pure; no I/O)."""
    standards = table_standards() if standards is None else standards
    requests = [r for r, _ in trails]
    all_visits = [v for r, events in trails for v in visits(r, events, clock, standards)]
    steps = tuple(
        _step_figures(n, group, standards.get(n), [v for v in all_visits if v.step == n],
                      requests)
        for n, group in _step_groups()
    )
    late = sorted(
        (v for v in all_visits if v.over_by is not None),
        key=lambda v: (-(v.over_by or timedelta()), -v.working, v.request_number, v.step,
                       v.entered),
    )
    return MonthFigures(
        year=year,
        month=month,
        tz=tz,
        received=len(requests),
        completed=sum(r.state is State.COMPLETED for r in requests),
        declined=sum(r.state is State.DECLINED for r in requests),
        withdrawn=sum(r.state is State.WITHDRAWN for r in requests),
        pending=sum(r.state not in FINAL_STATES for r in requests),
        steps=steps,
        slowest=tuple(late[:slowest_limit]),
        nominal_day=nominal_day(clock),
    )


async def month_figures(
    store: Store,
    clock: WorkClock,
    year: int,
    month: int,
    tz: tzinfo,
    *,
    slowest_limit: int = SLOWEST_LIMIT,
    standards: Standards | None = None,
) -> MonthFigures:
    """Mutu Baku figures of the requests received in ``year``-``month`` (office zone ``tz``)."""
    trails = await _with_timelines(store, await month_requests(store, year, month, tz))
    return figures_from(year, month, tz, trails, clock, slowest_limit=slowest_limit,
                        standards=standards)


# ------------------------------------------------------------------------ audit CSV

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str | None) -> str:
    """Text for a spreadsheet cell: a leading formula character gets a ``'`` in front, so a
    note such as ``=HYPERLINK(...)`` stays text when the file is opened in a spreadsheet."""
    if not value:
        return ""
    return "'" + value if value.startswith(_FORMULA_START) else value


def audit_header(tz_label: str) -> list[str]:
    return ["Nomor permohonan", f"Waktu ({tz_label})", "Pelaku", "Jabatan", "Plt/Plh",
            "Tindakan", "Dari tahap", "Ke tahap", "Instruksi", "Catatan"]


def _state(state: State | None) -> str:
    return STATE_LABELS[state] if state is not None else ""


def audit_csv(
    trails: Iterable[tuple[Request, Sequence[RequestEvent]]],
    tz: tzinfo,
    *,
    tz_label: str | None = None,
) -> str:
    """The audit trail as CSV text (header row, then one row per event, CRLF line ends).

    Quoting by the csv module, so notes with commas, quotes, newlines or HTML survive; cells
    that start like a spreadsheet formula are prefixed with ``'``. Write it with encoding
    ``utf-8-sig`` if spreadsheet programs must detect UTF-8.
    """
    label = tz_label or zone_label(tz)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(audit_header(label))
    for request, events in trails:
        for e in events:
            writer.writerow([
                request.number,
                e.at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S"),
                _cell(e.actor_name) or "Sistem",
                ROLE_TITLES[e.actor_role] if e.actor_role else "",
                {"plt": "Plt.", "plh": "Plh."}.get(e.acting or "", ""),
                ACTION_LABELS.get(e.action, e.action),
                _state(e.from_state),
                _state(e.to_state),
                _cell(e.instruction),
                _cell(e.note),
            ])
    return out.getvalue()


async def month_audit_csv(store: Store, year: int, month: int, tz: tzinfo) -> str:
    """The audit trail of the requests received in the month (every event, also later ones)."""
    trails = await _with_timelines(store, await month_requests(store, year, month, tz))
    return audit_csv(trails, tz)
