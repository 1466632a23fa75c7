"""Visit extraction and the working-day standard, on hand-made audit trails (no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.reports import figures_from, visits
from bot.workflow import Role, State
from bot.worktime import WorkClock
from storage.models import Agency, Request, RequestEvent
from tests.reports.conftest import wita

TZ = ZoneInfo("Asia/Makassar")
CLOCK = WorkClock(tz=TZ)


def request(number: str, state: State, created: datetime) -> Request:
    return Request(
        id=1, number=number, agency=Agency(1, "dinkes", "Dinas Kesehatan"), requester_id=1,
        subdomain="x", purpose="p", target_kind="ip", target_value=None, contact_name=None,
        contact_phone=None, letter_number="1", letter_date=date(2026, 11, 1),
        letter_file_ref=None, state=state, version=1, outcome=None, assignee_id=None,
        state_since=created, created_at=created)


def event(i: int, at: str, to: State, frm: State | None, action: str = "x") -> RequestEvent:
    return RequestEvent(id=i, at=wita(at), actor_id=None, actor_name=None,
                        actor_role=Role.KASI, acting=None, action=action, from_state=frm,
                        to_state=to, instruction=None, note=None, details={})


def test_event_that_keeps_the_state_does_not_end_a_visit() -> None:
    r = request("SD-2026-0009", State.DISPOSITION_KABID, wita("2026-11-02 08:00"))
    trail = [
        event(1, "2026-11-02 08:00", State.DISPOSITION_HEAD, None, "submit"),
        event(2, "2026-11-02 08:05", State.DISPOSITION_HEAD, State.DISPOSITION_HEAD, "note"),
        event(3, "2026-11-02 08:20", State.DISPOSITION_KABID, State.DISPOSITION_HEAD),
    ]
    [only] = visits(r, trail, CLOCK)
    assert (only.step, only.working, only.over_by) == (1, timedelta(minutes=20),
                                                        timedelta(minutes=5))


def test_working_day_standard_counts_to_the_same_time_next_working_day() -> None:
    # Friday 15:00 -> Monday 15:00: 90 min on Friday + 390 on Monday = 8 h of working time,
    # more than a Monday's 7 h 30 min, yet within "1 hari kerja" (deadline Monday 15:00).
    r = request("SD-2026-0010", State.REPORT_TO_KABID, wita("2026-11-06 14:00"))
    trail = [
        event(1, "2026-11-06 14:00", State.DISPOSITION_HEAD, None, "submit"),
        event(2, "2026-11-06 14:05", State.DISPOSITION_KABID, State.DISPOSITION_HEAD),
        event(3, "2026-11-06 14:10", State.ORDER_CHECK, State.DISPOSITION_KABID),
        event(4, "2026-11-06 15:00", State.TECHNICAL_CHECK, State.ORDER_CHECK),
        event(5, "2026-11-09 15:00", State.REPORT_TO_KABID, State.TECHNICAL_CHECK),
    ]
    figures = figures_from(2026, 11, TZ, [(r, trail)], CLOCK)
    step4 = next(s for s in figures.steps if s.number == 4)
    assert (step4.count, step4.median, step4.within_standard) == (1, timedelta(hours=8), 1)
    assert figures.slowest[0].step == 3  # 50 min against 15: the only late visit
    assert [v.step for v in figures.slowest] == [3]
    one_minute_late = [*trail[:4], event(5, "2026-11-09 15:01", State.REPORT_TO_KABID,
                                         State.TECHNICAL_CHECK)]
    late = figures_from(2026, 11, TZ, [(r, one_minute_late)], CLOCK)
    assert [(v.step, v.over_by) for v in late.slowest] == [
        (3, timedelta(minutes=35)), (4, timedelta(minutes=1))]


def test_visit_outside_office_hours_counts_no_working_time() -> None:
    # Saturday to Sunday: zero working minutes, within the standard.
    r = request("SD-2026-0011", State.DISPOSITION_KABID, datetime(2026, 11, 7, 2, tzinfo=UTC))
    trail = [
        event(1, "2026-11-07 10:00", State.DISPOSITION_HEAD, None, "submit"),
        event(2, "2026-11-08 10:00", State.DISPOSITION_KABID, State.DISPOSITION_HEAD),
    ]
    [v] = visits(r, trail, CLOCK)
    assert (v.working, v.over_by) == (timedelta(), None)
