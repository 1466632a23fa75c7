"""Reminders and the report count steps 8 and 9 against the same configured standard."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.reports import figures_from
from bot.settings import SettingsError
from bot.workflow import SOP
from bot.worktime import WorkDays, WorkMinutes
from tests.support.office import office_settings


def test_standard_times_come_from_the_table_and_settings_override_them_by_state() -> None:
    settings = office_settings(STANDARD_TIMES="letter_signoff=2h, delivery=2d")
    table = SOP.with_standard_times(settings.standard_times)
    assert SOP.standard_time(8) == WorkDays(1)
    assert table.standard_time(8) == WorkMinutes(120)
    assert table.standard_time(9) == WorkDays(2)
    assert table.standard_time(1) == WorkMinutes(15)
    assert table.standard_time(4) == WorkDays(1)

    figures = figures_from(2026, 11, settings.timezone, [], settings.work_clock(), workflow=table)
    step8, step9 = figures.steps[7], figures.steps[8]
    assert (step8.standard_time, step8.working_days) == (timedelta(hours=2), False)
    assert (step9.standard_time, step9.working_days) == (timedelta(days=2), True)
    assert step8.standard_label == "2 jam"
    plain = figures_from(2026, 11, settings.timezone, [], settings.work_clock(), workflow=SOP)
    assert plain.steps[7].standard_time == timedelta(days=1)


def test_a_standard_time_for_an_unknown_state_is_refused_at_start() -> None:
    with pytest.raises(SettingsError, match=r"STANDARD_TIMES.*no step for state.*signoff"):
        office_settings(STANDARD_TIMES="signoff=2h")
    with pytest.raises(SettingsError, match="STANDARD_TIMES"):
        office_settings(STANDARD_TIMES="letter_signoff")
