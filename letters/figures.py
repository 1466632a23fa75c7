"""The monthly Mutu Baku figures as plain data (computed by `bot.reports`, drawn by
`letters.report`): every label is already text, so the renderer needs nothing from the bot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo


@dataclass(frozen=True)
class Visit:
    """One stay of a request in one step's state, measured in working time."""

    request_number: str
    step: int
    state: str
    state_label: str
    entered: datetime
    left: datetime
    working: timedelta
    over_by: timedelta | None
    """Working time past the standard; None when within it or when the step has none."""


@dataclass(frozen=True)
class StepFigures:
    number: int
    states: tuple[str, ...]
    state_labels: tuple[str, ...]
    short_label: str
    """For charts, e.g. ``Cek teknis``."""
    role_titles: tuple[str, ...]
    standard_time: timedelta | None
    working_days: bool
    standard_label: str
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
class OpenCase:
    """A request still open in a step past that step's standard time (on the report's day)."""

    request_number: str
    agency: str
    step: int
    state_label: str
    holder: str
    """Who holds it: the position and the names of its holders (or the assigned member)."""
    since: datetime
    working: timedelta
    """Working time spent in the step so far."""
    standard_label: str
    over_by: timedelta
    """Working time past the standard."""
    times_standard: int
    """How many standard times have run out (2: reminded twice; 3: escalated)."""


@dataclass(frozen=True)
class ReportSigner:
    """One column of the report's signature block."""

    caption: str
    """``Disusun oleh`` or ``Mengetahui``."""
    title: str
    name: str = ""
    """Empty: a line to write the name by hand."""
    nip: str = ""


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
    """Working time of a full working day (kept for callers; charts now show shares)."""
    open_overdue: tuple[OpenCase, ...] = ()
    """Every request open past its step's standard time on `as_of`, whatever its month."""
    as_of: datetime | None = None
    """When the report was made (its date is printed; open cases are measured then)."""
    by_kind: tuple[tuple[str, int], ...] = ()
    """Requests received by kind: (the kind's label, how many), in the table's order."""

    @property
    def is_empty(self) -> bool:
        return self.received == 0
