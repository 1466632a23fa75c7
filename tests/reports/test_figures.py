"""Figures of the hand-timed month (see conftest.py for the minute-by-minute fixture)."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.reports import (
    median,
    month_bounds,
    month_figures,
    month_requests,
    nearest_rank,
)
from bot.workflow import State
from bot.worktime import WorkClock
from letters.figures import MonthFigures, StepFigures
from tests.reports.conftest import Month

TZ = ZoneInfo("Asia/Makassar")
CLOCK = WorkClock(tz=TZ)


def m(minutes: float) -> timedelta:
    return timedelta(minutes=minutes)


def step(figures: MonthFigures, number: int) -> StepFigures:
    return next(s for s in figures.steps if s.number == number)


async def test_month_counts(month: Month) -> None:
    figures = await month_figures(month.office.store, CLOCK, 2026, 11, TZ)
    assert (figures.year, figures.month) == (2026, 11)
    assert (figures.received, figures.completed, figures.declined, figures.withdrawn,
            figures.pending) == (4, 1, 1, 1, 1)
    assert not figures.is_empty
    assert [s.number for s in figures.steps] == list(range(1, 10))
    assert figures.nominal_day == m(450)


# number: (count, median, p90, within standard or None, in progress)
EXPECTED = {
    1: (4, m(15), m(30), 2, 0),      # 5 10 20 30
    2: (3, m(20), m(20), 1, 0),      # 5 20 20
    3: (3, m(5), m(20), 2, 0),       # 5 5 20
    4: (3, m(180), m(480), 2, 0),    # 60 180 480 (1 working day: only the 480 is late)
    5: (2, m(30), m(40), 2, 0),      # 20 40
    6: (2, m(20), m(25), 1, 0),      # 15 25
    7: (1, m(30), m(30), 1, 0),      # 30
    8: (4, m(10), m(20), 4, 0),      # 5 10 10 20, sign-off and revision visits together
    9: (1, m(30), m(30), 1, 1),      # 30; B waits in delivery
}


@pytest.mark.parametrize("number", sorted(EXPECTED))
async def test_step_figures(month: Month, number: int) -> None:
    s = step(await month_figures(month.office.store, CLOCK, 2026, 11, TZ), number)
    assert (s.count, s.median, s.p90, s.within_standard, s.in_progress) == EXPECTED[number]


async def test_shares_standards_and_roles(month: Month) -> None:
    figures = await month_figures(month.office.store, CLOCK, 2026, 11, TZ)
    shares = {s.number: s.share_within for s in figures.steps}
    assert shares == {1: 0.5, 2: pytest.approx(1 / 3), 3: pytest.approx(2 / 3),
                      4: pytest.approx(2 / 3), 5: 1.0, 6: 0.5, 7: 1.0, 8: 1.0, 9: 1.0}
    assert step(figures, 4).standard_time == timedelta(days=1) and step(figures, 4).working_days
    assert step(figures, 1).standard_time == m(15) and not step(figures, 1).working_days
    # Steps 8 and 9 have no time in the SOP: the table gives them the office's working day.
    assert step(figures, 8).standard_time == timedelta(days=1) and step(figures, 8).working_days
    assert step(figures, 8).role_titles == ("Kepala Dinas", "Staf Pranata Komputer")
    assert step(figures, 8).state_labels == ("Persetujuan surat balasan",
                                             "Perbaikan konsep surat balasan")
    # the request kinds' variants of a step count with it (a change waiting for signature too)
    assert step(figures, 8).states[:2] == (State.LETTER_SIGNOFF, State.LETTER_REVISION)
    assert "perubahan_letter_signoff" in step(figures, 8).states


async def test_slowest_cases_ranked_by_over_by(month: Month) -> None:
    figures = await month_figures(month.office.store, CLOCK, 2026, 11, TZ)
    assert [(v.request_number, v.step, v.working, v.over_by) for v in figures.slowest] == [
        ("SD-2026-0002", 4, m(480), m(30)),
        ("SD-2026-0003", 1, m(30), m(15)),
        ("SD-2026-0002", 6, m(25), m(5)),
        ("SD-2026-0001", 2, m(20), m(5)),
        ("SD-2026-0002", 1, m(20), m(5)),
        ("SD-2026-0002", 3, m(20), m(5)),
        ("SD-2026-0004", 2, m(20), m(5)),
    ]
    top = await month_figures(month.office.store, CLOCK, 2026, 11, TZ, slowest_limit=2)
    assert [v.request_number for v in top.slowest] == ["SD-2026-0002", "SD-2026-0003"]
    late_step4 = figures.slowest[0]
    assert late_step4.state == State.TECHNICAL_CHECK
    assert late_step4.entered.astimezone(TZ).strftime("%a %H:%M") == "Tue 09:10"
    assert late_step4.left.astimezone(TZ).strftime("%a %H:%M") == "Wed 09:40"


async def test_month_follows_office_time_zone(month: Month) -> None:
    # E was filed at 2026-11-30 16:30 UTC, which is already December in WITA.
    assert month.e.created_at.month == 11
    november = await month_requests(month.office.store, 2026, 11, TZ)
    assert [r.number for r in november] == [
        "SD-2026-0001", "SD-2026-0002", "SD-2026-0003", "SD-2026-0004"]
    december = await month_figures(month.office.store, CLOCK, 2026, 12, TZ)
    assert (december.received, december.pending) == (1, 1)
    assert step(december, 1).in_progress == 1
    assert all(s.count == 0 and s.median is None and s.p90 is None for s in december.steps)
    assert step(december, 1).share_within is None and december.slowest == ()
    in_utc = await month_requests(month.office.store, 2026, 11, ZoneInfo("UTC"))
    assert len(in_utc) == 5


async def test_empty_month(month: Month) -> None:
    figures = await month_figures(month.office.store, CLOCK, 2026, 10, TZ)
    assert figures.is_empty and figures.received == figures.pending == 0
    assert all(s.count == 0 and s.within_standard in (0, None) for s in figures.steps)


def test_percentile_and_median_definitions() -> None:
    values = [m(v) for v in (7, 1, 3, 10, 2, 9, 4, 8, 6, 5)]
    assert nearest_rank(values, 90) == m(9)
    assert nearest_rank([m(v) for v in range(1, 10)], 90) == m(9)  # n < 10: the largest
    assert nearest_rank([m(v) for v in range(1, 21)], 90) == m(18)
    assert nearest_rank([m(4)], 90) == m(4)
    assert nearest_rank(values, 100) == m(10) and nearest_rank(values, 10) == m(1)
    assert median(values) == m(5.5) and median(values[:3]) == m(3)
    with pytest.raises(ValueError, match="no values"):
        nearest_rank([], 90)
    with pytest.raises(ValueError, match="percent"):
        nearest_rank(values, 0)


def test_month_bounds() -> None:
    start, end = month_bounds(2026, 12, TZ)
    assert (start.isoformat(), end.isoformat()) == (
        "2026-12-01T00:00:00+08:00", "2027-01-01T00:00:00+08:00")
    with pytest.raises(ValueError, match="month"):
        month_bounds(2026, 13, TZ)
