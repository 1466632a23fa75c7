"""Reminders and the report count steps 8 and 9 against the same configured standard."""

from __future__ import annotations

from datetime import timedelta

from bot.deadlines import standard_duration, step_standards
from bot.reports import figures_from, table_standards
from bot.workflow import State
from bot.worktime import WorkDays, WorkMinutes
from tests.support.office import office_settings


def test_steps_8_and_9_take_their_standard_from_the_settings() -> None:
    settings = office_settings(STANDARD_TIME_STEP8="2h", STANDARD_TIME_STEP9="2d")
    standards = step_standards(settings)
    assert table_standards()[8] is None
    assert standards[8] == WorkMinutes(120)
    assert standards[9] == WorkDays(2)
    assert standards[1] == WorkMinutes(15)
    assert standards[4] == WorkDays(1)
    assert standard_duration(State.LETTER_REVISION, settings) == WorkMinutes(120)
    assert standard_duration(State.COMPLETED, settings) is None

    figures = figures_from(2026, 11, settings.timezone, [], settings.work_clock(),
                           standards=standards)
    step8, step9 = figures.steps[7], figures.steps[8]
    assert (step8.standard_time, step8.working_days) == (timedelta(hours=2), False)
    assert (step9.standard_time, step9.working_days) == (timedelta(days=2), True)
    plain = figures_from(2026, 11, settings.timezone, [], settings.work_clock())
    assert plain.steps[7].standard_time is None
