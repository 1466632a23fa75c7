"""A hand-timed month of requests on a real SQLite file (November 2026, WITA).

Office hours (default): Mon–Thu 07:30–12:00 and 13:00–16:00. Working minutes per visit are
written next to each action; `test_figures.py` asserts the figures computed from them by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from bot.service import Office
from bot.workflow import Action, Instruction
from storage.models import Request
from tests.support.office import HEAD, KABID, KASI, REQUESTER, STAFF, Clock, act, submit

WITA_OFFSET = timedelta(hours=8)

RETURN_NOTE = 'Nama "layanan" sudah dipakai, mohon cek ulang;\nlihat <b>DNS</b> & catatan'
FORMULA_NOTE = "=1+2 tidak jadi"


def wita(text: str) -> datetime:
    """'2026-11-02 08:10' read as WITA, returned in UTC."""
    return (datetime.fromisoformat(text) - WITA_OFFSET).replace(tzinfo=UTC)


@pytest.fixture
def clock() -> Clock:
    # Monday 2 November 2026, 08:00 WITA: a working day inside office hours.
    return Clock(datetime(2026, 11, 2, 0, 0, tzinfo=UTC))


@dataclass(frozen=True)
class Month:
    office: Office
    a: Request  # completed, approved path; step 5 spans the lunch break
    b: Request  # returned at step 4 (evening and lunch spans), letter revised, in delivery
    c: Request  # declined at step 1
    d: Request  # withdrawn at step 2
    e: Request  # received 1 December 00:30 WITA (still 30 November in UTC)


@pytest.fixture
async def month(office: Office, clock: Clock) -> Month:
    def to(text: str) -> None:
        target = wita(text)
        assert target >= clock.now, text
        clock.advance(seconds=(target - clock.now).total_seconds())

    # A: SD-2026-0001, Monday 2 November.
    to("2026-11-02 08:00")
    a = await submit(office, "alpha")
    to("2026-11-02 08:10")  # step 1: 10 min
    a = await act(office, HEAD, a, Action.DISPOSE, instruction=Instruction.FOLLOW_UP)
    to("2026-11-02 08:30")  # step 2: 20 min (5 over)
    a = await act(office, KABID, a, Action.DISPOSE, instruction=Instruction.STUDY_AND_REPORT)
    to("2026-11-02 08:35")  # step 3: 5 min
    a = await act(office, KASI, a, Action.ORDER_CHECK)
    to("2026-11-02 11:35")  # step 4: 180 min
    a = await act(office, STAFF, a, Action.SUBMIT_CHECK, "Nama tersedia")
    to("2026-11-02 13:15")  # step 5: 25 + 15 = 40 min across lunch
    a = await act(office, KASI, a, Action.SUBMIT_REPORT, "Layak dibuat")
    to("2026-11-02 13:30")  # step 6: 15 min
    a = await act(office, KABID, a, Action.APPROVE)
    to("2026-11-02 14:00")  # step 7: 30 min
    a = await act(office, STAFF, a, Action.CONFIRM_CREATED)
    to("2026-11-02 14:10")  # step 8 (sign-off): 10 min
    a = await act(office, HEAD, a, Action.SIGN)
    to("2026-11-02 14:40")  # step 9: 30 min
    a = await act(office, REQUESTER, a, Action.CONFIRM_RECEIPT)

    # B: SD-2026-0002, Monday evening to Wednesday.
    to("2026-11-02 15:50")
    b = await submit(office, "beta")
    to("2026-11-03 07:40")  # step 1: 10 + 10 = 20 min across the night (5 over)
    b = await act(office, HEAD, b, Action.DISPOSE, instruction=Instruction.FOLLOW_UP)
    to("2026-11-03 07:45")  # step 2: 5 min
    b = await act(office, KABID, b, Action.DISPOSE, instruction=Instruction.FOLLOW_UP)
    to("2026-11-03 07:50")  # step 3: 5 min
    b = await act(office, KASI, b, Action.ORDER_CHECK)
    to("2026-11-03 08:50")  # step 4: 60 min, returned
    b = await act(office, STAFF, b, Action.RETURN, RETURN_NOTE)
    to("2026-11-03 09:10")  # step 3 again: 20 min (5 over)
    b = await act(office, KASI, b, Action.ORDER_CHECK)
    # step 4 again: Tue 170 + 180, Wed 130 = 480 min; deadline Wed 09:10, so 30 min over.
    to("2026-11-04 09:40")
    b = await act(office, STAFF, b, Action.SUBMIT_CHECK, "Sudah dicek ulang")
    to("2026-11-04 10:00")  # step 5: 20 min
    b = await act(office, KASI, b, Action.SUBMIT_REPORT)
    to("2026-11-04 10:25")  # step 6: 25 min (5 over)
    b = await act(office, KABID, b, Action.REJECT_EXISTS)
    to("2026-11-04 10:35")  # step 8 sign-off: 10 min
    b = await act(office, HEAD, b, Action.REVISE, "Perbaiki alamat")
    to("2026-11-04 10:55")  # step 8 revision: 20 min
    b = await act(office, STAFF, b, Action.RESUBMIT)
    to("2026-11-04 11:00")  # step 8 sign-off again: 5 min; now in step 9 (not measured)
    b = await act(office, HEAD, b, Action.SIGN)

    # C: SD-2026-0003, declined on Thursday.
    to("2026-11-05 09:00")
    c = await submit(office, "gamma")
    to("2026-11-05 09:30")  # step 1: 30 min (15 over)
    c = await act(office, HEAD, c, Action.DECLINE, "Bukan kewenangan")

    # D: SD-2026-0004, withdrawn on Thursday.
    to("2026-11-05 10:00")
    d = await submit(office, "delta")
    to("2026-11-05 10:05")  # step 1: 5 min
    d = await act(office, HEAD, d, Action.DISPOSE, instruction=Instruction.FOLLOW_UP)
    to("2026-11-05 10:25")  # step 2: 20 min (5 over)
    d = await act(office, REQUESTER, d, Action.WITHDRAW, FORMULA_NOTE)

    # E: SD-2026-0005, after midnight WITA on 1 December: a December request.
    to("2026-12-01 00:30")
    e = await submit(office, "epsilon")
    return Month(office, a, b, c, d, e)
