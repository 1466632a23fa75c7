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
* Open past standard: every request still open (whatever month it came in) whose current step
  has run past its standard time when the report is made, with who holds it and how many
  standard times have run out (1: first reminder, 2: second, 3: escalated), longest over first.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Protocol

from bot.workflow import SOP, Effect, State, Step, Workflow
from bot.worktime import Duration, WorkClock, WorkDays, WorkMinutes
from bot.zones import zone_label
from letters.figures import MonthFigures, OpenCase, StepFigures, Visit
from storage.models import Request, TrailEvent

if TYPE_CHECKING:  # keeps this module importable by the pure renderers in letters/
    from storage.store import Store

SLOWEST_LIMIT = 10
P90_PERCENT = 90


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
    return await store.requests_created(start, end)


class Event(Protocol):
    """What the figures and the audit CSV read of an audit row: a `storage.models.TrailEvent`
    (as `month_trails` reads them) or a whole `RequestEvent`."""

    @property
    def at(self) -> datetime: ...
    @property
    def actor_name(self) -> str | None: ...
    @property
    def actor_role(self) -> str | None: ...
    @property
    def acting(self) -> str | None: ...
    @property
    def action(self) -> str: ...
    @property
    def from_state(self) -> str | None: ...
    @property
    def to_state(self) -> str: ...
    @property
    def instruction(self) -> str | None: ...
    @property
    def note(self) -> str | None: ...


Trails = list[tuple[Request, list[TrailEvent]]]
"""Requests with their whole timelines."""


async def month_trails(store: Store, year: int, month: int, tz: tzinfo) -> Trails:
    """The requests received in the month with their timelines: read once for both the
    report's figures and its audit CSV (one snapshot, two index searches)."""
    return await store.trails_created(*month_bounds(year, month, tz))


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


def _finished(events: Iterable[Event]) -> Iterator[tuple[str, datetime, datetime]]:
    """(state, entered, left) of every finished stay in a state, from an audit trail ordered
    by id; an event that leaves the state unchanged (a note, a reassignment) ends none."""
    current: str | None = None
    since: datetime | None = None
    for event in events:
        to = event.to_state
        if to == current:
            continue
        if current is not None and since is not None:
            yield current, since, event.at
        current, since = to, event.at


def visits(request: Request, events: Sequence[Event], clock: WorkClock,
           workflow: Workflow = SOP) -> list[Visit]:
    """The finished step visits of one request, from its audit trail (ordered by id).

    An event that leaves the state unchanged (a note, a reassignment) does not end a visit.
    A step is measured against the standard time of its number's first row, as the
    reminders count it.
    """
    out: list[Visit] = []
    for state, since, left in _finished(events):
        step = workflow.step(state)
        if step is not None:
            working = clock.elapsed(since, left)
            standard = workflow.standard_time(step.number)
            out.append(Visit(request.number, step.number, state, step.label, since, left,
                             working, _over_by(standard, clock, since, left, working)))
    return out


@dataclasses.dataclass
class _Measured:
    """The visits of one step number as the figures need them: their working times, how
    many were within the standard, and the late ones (see `_late`)."""

    times: list[timedelta] = dataclasses.field(default_factory=list)
    within: int = 0


_Late = tuple[timedelta, timedelta, str, int, datetime, int, str, str, datetime, timedelta]
"""A late visit, sortable as the slowest cases are listed: (-over_by, -working, request
number, step, entered, order found, state, step label, left, working)."""


def _measure(trails: Iterable[tuple[Request, Iterable[Event]]], clock: WorkClock,
             workflow: Workflow) -> tuple[dict[int, _Measured], list[_Late]]:
    """`visits` of every request, per step number, without a `Visit` per visit (a busy month
    has ~15,000): the same working times and over-by, as tuples."""
    by_step: dict[int, _Measured] = {}
    late: list[_Late] = []
    # per state: (step number, its label, the standard in minutes, or in days, its figures)
    known: dict[str, tuple[int, str, timedelta | None, WorkDays | None, _Measured] | None] = {}
    elapsed, add, zero, zone = clock.elapsed, clock.add, timedelta(), clock.tz
    for request, events in trails:
        # `_finished`, inline: ~17,000 events
        current: str | None = None
        entered: datetime | None = None
        for event in events:
            to = event.to_state
            if to == current:
                continue
            state, since, left = current, entered, event.at
            current, entered = to, left
            if state is None or since is None:
                continue
            if state in known:
                found = known[state]
            else:
                step = workflow.step(state)
                if step is None:
                    found = known[state] = None
                else:
                    standard = workflow.standard_time(step.number)
                    measured = by_step.setdefault(step.number, _Measured())
                    minutes = (None if isinstance(standard, WorkDays)
                               else timedelta(minutes=standard.minutes))
                    days = standard if isinstance(standard, WorkDays) else None
                    found = known[state] = (step.number, step.label, minutes, days, measured)
            if found is None:
                continue
            number, label, minutes, days, measured = found
            working = elapsed(since, left)
            measured.times.append(working)
            if days is not None:
                if days.days and since.astimezone(zone).date() == left.astimezone(zone).date():
                    over = zero  # the deadline falls on a later working day (half the visits)
                else:
                    deadline = add(since, days)
                    over = elapsed(deadline, left) if left > deadline else zero
            elif minutes is not None:
                over = working - minutes
            else:
                over = zero
            if over > zero:
                late.append((-over, -working, request.number, number, since, len(late), state,
                             label, left, working))
            else:
                measured.within += 1
    return by_step, late


def _step_figures(workflow: Workflow, number: int, measured: _Measured,
                  current: Mapping[str, int]) -> StepFigures:
    """`current`: how many of the month's requests are in each state now."""
    steps: tuple[Step, ...] = workflow.steps_numbered(number)
    standard = workflow.standard_time(number)
    standard_time = (timedelta(days=standard.days) if isinstance(standard, WorkDays)
                     else timedelta(minutes=standard.minutes))
    times = sorted(measured.times)  # once: `median` and `nearest_rank` then sort in O(n)
    roles = tuple(dict.fromkeys(s.role for s in steps))
    states = tuple(s.state for s in steps)
    return StepFigures(
        number=number,
        states=states,
        state_labels=tuple(dict.fromkeys(s.label for s in steps)),
        short_label=steps[0].short_label,
        role_titles=tuple(workflow.title(r) for r in roles),
        standard_time=standard_time,
        working_days=isinstance(standard, WorkDays),
        standard_label=standard.label_id,
        count=len(times),
        median=median(times) if times else None,
        p90=nearest_rank(times, P90_PERCENT) if times else None,
        within_standard=measured.within,
        in_progress=sum(current.get(s, 0) for s in dict.fromkeys(states)),
    )


def nominal_day(clock: WorkClock) -> timedelta:
    """The longest working day of the week (Mon–Thu by default: 7 h 30 min)."""
    return timedelta(minutes=max(clock.hours.minutes_on(d) for d in range(7)))


def figures_from(
    year: int,
    month: int,
    tz: tzinfo,
    trails: Sequence[tuple[Request, Sequence[Event]]],
    clock: WorkClock,
    *,
    workflow: Workflow = SOP,
    slowest_limit: int = SLOWEST_LIMIT,
) -> MonthFigures:
    """The month's figures from its requests and their audit trails (pure; no I/O)."""
    requests = [r for r, _ in trails]
    by_step, late = _measure(trails, clock, workflow)
    in_state = Counter(r.state for r in requests)
    steps = tuple(_step_figures(workflow, n, by_step.get(n) or _Measured(), in_state)
                  for n in workflow.numbers)
    late.sort()  # unique by the order found: the same order as sorting `Visit`s by that key
    slowest = tuple(Visit(number, step, state, label, entered, left, working, -over)
                    for over, _w, number, step, entered, _i, state, label, left, working
                    in late[:slowest_limit])
    kinds = Counter(r.kind for r in requests)
    return MonthFigures(
        year=year,
        month=month,
        tz=tz,
        received=len(requests),
        completed=in_state[State.COMPLETED],
        declined=in_state[State.DECLINED],
        withdrawn=in_state[State.WITHDRAWN],
        pending=sum(n for state, n in in_state.items() if state not in workflow.final_states),
        by_kind=tuple((k.label, n) for k in workflow.kinds
                      if (n := kinds[k.key]) or not k.filed_by_office),
        steps=steps,
        slowest=slowest,
        nominal_day=nominal_day(clock),
    )


async def month_figures(
    store: Store,
    clock: WorkClock,
    year: int,
    month: int,
    tz: tzinfo,
    *,
    workflow: Workflow = SOP,
    slowest_limit: int = SLOWEST_LIMIT,
    trails: Trails | None = None,
) -> MonthFigures:
    """Mutu Baku figures of the requests received in ``year``-``month`` (office zone ``tz``);
    `trails`: that month's `month_trails` when already read."""
    if trails is None:
        trails = await month_trails(store, year, month, tz)
    return figures_from(year, month, tz, trails, clock, workflow=workflow,
                        slowest_limit=slowest_limit)


# ------------------------------------------------------------------------ time to the reply letter


def issues_letter(workflow: Workflow, event: Event) -> bool:
    """Did this audit event number and register the request's letter (its action, or the step
    it entered, issues or prints it)?"""
    step = workflow.step(event.from_state) if event.from_state else None
    transition = step.transition(event.action) if step else None
    if transition is None:
        return False
    entered = workflow.step(transition.to)
    effects = {*transition.effects, *(entered.on_enter if entered else ())}
    return bool(effects & {Effect.ISSUE_LETTER, Effect.PRINT_LETTER})


def reply_times(trails: Sequence[tuple[Request, Sequence[Event]]], clock: WorkClock,
                workflow: Workflow = SOP) -> list[timedelta]:
    """Per request that has its reply letter: the WORKING time from its receipt to the event
    that issued the letter (the first one, when it was issued again)."""
    out = []
    for request, events in trails:
        issued = next((e for e in events if issues_letter(workflow, e)), None)
        if issued is not None:
            out.append(clock.elapsed(request.created_at, issued.at))
    return out


# ------------------------------------------------------------------------ open past standard

MAX_MULTIPLE = 99


def open_cases(requests: Iterable[Request], holders: Mapping[int, str], clock: WorkClock,
               now: datetime, workflow: Workflow = SOP) -> tuple[OpenCase, ...]:
    """The open requests past their current step's standard time at `now` (pure).
    `holders` names who holds each request (by request id)."""
    found: list[OpenCase] = []
    for r in requests:
        step = workflow.step(r.state)
        if step is None:
            continue
        standard = workflow.standard_time(step.number)
        deadline = clock.add(r.state_since, standard)
        if now <= deadline:
            continue
        working = clock.elapsed(r.state_since, now)
        found.append(OpenCase(
            request_number=r.number, agency=r.agency.name, step=step.number,
            state_label=step.label, holder=holders.get(r.id, workflow.title(step.role)),
            since=r.state_since, working=working,
            standard_label=standard.label_id, over_by=clock.elapsed(deadline, now),
            times_standard=_times_past(clock, r.state_since, standard, now, working)))
    found.sort(key=lambda c: (-c.over_by, c.request_number))
    return tuple(found)


def _times_past(clock: WorkClock, since: datetime, standard: Duration, now: datetime,
                working: timedelta) -> int:
    """The largest multiple k (1..MAX_MULTIPLE) of `standard` with since + k × standard
    before `now`, given that k = 1 is (`working`: the working time from `since` to `now`)."""
    if isinstance(standard, WorkMinutes) and standard.minutes:
        # k × standard ends before `now` when it is less than the working time since then
        # (and, when equal, only if the clock reached it before `now`, out of office hours)
        step = timedelta(minutes=standard.minutes)
        below = -(-working // step) - 1  # the largest k with k × step < working
        if below < MAX_MULTIPLE and (below + 1) * step == working \
                and clock.add(since, standard.times(below + 1)) < now:
            below += 1
        return max(1, min(below, MAX_MULTIPLE))
    # The test is monotone in the multiple: halving finds it in ~7 clock steps, not ~99.
    times, above = 1, MAX_MULTIPLE + 1
    while above - times > 1:
        middle = (times + above) // 2
        if clock.add(since, standard.times(middle)) < now:
            times = middle
        else:
            above = middle
    return times


async def open_requests(store: Store, workflow: Workflow = SOP) -> list[Request]:
    """Every open request (what `open_overdue` measures)."""
    return await store.requests(states=workflow.open_states)


async def open_overdue(store: Store, clock: WorkClock, now: datetime,
                       workflow: Workflow = SOP, *,
                       requests: Sequence[Request] | None = None) -> tuple[OpenCase, ...]:
    """`open_cases` of every open request (`requests`, when already read by
    `open_requests`), with the names of whoever holds each."""
    day = now.astimezone(clock.tz).date()
    if requests is None:
        requests = await open_requests(store, workflow)
    names: dict[int, str] = {}
    holding: dict[str, list[str]] = {}  # role → names of today's holders, read once each
    assignees: dict[int, str | None] = {}
    for r in requests:
        step = workflow.step(r.state)
        if step is None:
            continue
        title = workflow.title(step.role)
        if step.role == workflow.requester:
            names[r.id] = f"{title}: {r.agency.name}"
            continue
        people: list[str] = []
        if workflow.is_assigned(step.role) and r.assignee_id is not None:
            if r.assignee_id not in assignees:
                assigned = await store.person(r.assignee_id)
                assignees[r.assignee_id] = assigned.name if assigned else None
            name = assignees[r.assignee_id]
            people = [name] if name else []
        else:
            if step.role not in holding:
                holding[step.role] = [f"{h.title_prefix}{h.person.name}"
                                      for h in await store.holders_on(step.role, day)]
            people = holding[step.role]
        names[r.id] = f"{title}: {', '.join(people)}" if people else title
    return open_cases(requests, names, clock, now, workflow)


async def month_figures_as_of(store: Store, clock: WorkClock, year: int, month: int,
                              tz: tzinfo, now: datetime, *, workflow: Workflow = SOP,
                              trails: Trails | None = None,
                              opened: Sequence[Request] | None = None) -> MonthFigures:
    """`month_figures` plus the requests open past standard at `now` (the report's day);
    `opened`: the open requests, when already read (`open_requests`)."""
    figures = await month_figures(store, clock, year, month, tz, workflow=workflow,
                                  trails=trails)
    overdue = await open_overdue(store, clock, now, workflow, requests=opened)
    return dataclasses.replace(figures, as_of=now, open_overdue=overdue)


# ------------------------------------------------------------------------ audit CSV

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str | None) -> str:
    """Text for a spreadsheet cell: a leading formula character gets a ``'`` in front, so a
    note such as ``=HYPERLINK(...)`` stays text when the file is opened in a spreadsheet."""
    if not value:
        return ""
    return "'" + value if value.startswith(_FORMULA_START) else value


_LabelKey = tuple[str | None, str | None, str, str | None, str]
"""An event's actor role, acting, action, from and to state: what its label cells show."""


def audit_header(tz_label: str) -> list[str]:
    return ["Nomor permohonan", f"Waktu ({tz_label})", "Pelaku", "Jabatan", "Plt/Plh",
            "Tindakan", "Dari tahap", "Ke tahap", "Instruksi", "Catatan", "Jenis permohonan"]


def _kind_label(workflow: Workflow, key: str) -> str:
    try:
        return workflow.kind(key).label
    except KeyError:  # a kind the table no longer has
        return key


def audit_csv(
    trails: Iterable[tuple[Request, Sequence[Event]]],
    tz: tzinfo,
    *,
    workflow: Workflow = SOP,
    tz_label: str | None = None,
) -> str:
    """The audit trail as CSV text (header row, then one row per event, CRLF line ends).

    Quoting by the csv module, so notes with commas, quotes, newlines or HTML survive; cells
    that start like a spreadsheet formula are prefixed with ``'``. Write it with encoding
    ``utf-8-sig`` if spreadsheet programs must detect UTF-8.
    """
    label = tz_label or zone_label(tz)
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def written(row: Sequence[str]) -> str:
        """One row as the csv module writes it (CRLF at the end)."""
        writer.writerow(row)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    def field(value: str | None) -> str:
        """One cell as the csv module writes it within a row: quoted where needed, a leading
        formula character neutralised (`_cell`)."""
        value = _cell(value)
        return written((value,))[:-2] if value else ""  # a lone "" would be written quoted

    # Per event only what differs: each cell is quoted once per distinct value (names of
    # officials, labels and instructions repeat across ~17,000 events), the role, acting,
    # action and state columns once per combination of the five.
    acting = {"plt": "Plt.", "plh": "Plh."}
    labels: dict[_LabelKey, str] = {}

    def labelled(key: _LabelKey) -> str:
        role, acts, act, frm, to = key
        found = labels[key] = ",".join(field(x) for x in (
            workflow.title(role) if role else "", acting.get(acts or "", ""),
            workflow.action_label(act, frm), workflow.label(frm) if frm else "",
            workflow.label(to)))
        return found

    names: dict[str | None, str] = {None: "Sistem", "": "Sistem"}
    texts: dict[str | None, str] = {None: ""}  # instructions and notes
    lines = [written(audit_header(label))]
    add = lines.append
    for request, events in trails:
        number, kind = field(request.number), field(_kind_label(workflow, request.kind))
        for e in events:
            key = (e.actor_role, e.acting, e.action, e.from_state, e.to_state)
            name, instruction, note = e.actor_name, e.instruction, e.note
            if name not in names:
                names[name] = field(name) or "Sistem"
            if instruction not in texts:
                texts[instruction] = field(instruction)
            if note not in texts:
                texts[note] = field(note)
            # isoformat: what strftime("%Y-%m-%d %H:%M:%S") gives, in half the time
            add(f"{number},{e.at.astimezone(tz).isoformat(' ', 'seconds')[:19]},{names[name]},"
                f"{labels.get(key) or labelled(key)},{texts[instruction]},{texts[note]},"
                f"{kind}\r\n")
    return "".join(lines)


async def month_audit_csv(store: Store, year: int, month: int, tz: tzinfo,
                          workflow: Workflow = SOP, trails: Trails | None = None) -> str:
    """The audit trail of the requests received in the month (every event, also later ones);
    `trails`: that month's `month_trails` when already read."""
    if trails is None:
        trails = await month_trails(store, year, month, tz)
    return audit_csv(trails, tz, workflow=workflow)
