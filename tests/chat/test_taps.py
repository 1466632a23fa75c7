"""The chat's budget: a routine step costs its official at most two taps and two messages.

Counted from the emulator's logs once each step is handled and the outbox is idle
(tests/support/taps.py; the same journeys as `python -m bench.taps`): taps are the presses and
messages the person sends, messages are new bot messages in their chat. Two staff members are
registered, so the Kasi's step includes choosing one.
"""

from __future__ import annotations

from pathlib import Path

from bot.workflow import State
from devtools.emulator import BotApiEmulator
from tests.support.botrun import cast, office_of, running_office_bot, seed, settings_for
from tests.support.office import STAFF2, Clock
from tests.support.taps import CREATED, DECLINED, Cost, Ledger, Move, journey

BUDGET = Cost(taps=2, messages=2)


async def _run(emu: BotApiEmulator, tmp_path: Path, moves: tuple[Move, ...],
               receipt: bool) -> tuple[Ledger, dict[str, Cost], str]:
    settings = settings_for(emu, tmp_path)
    clock = Clock()
    await seed(settings, clock, two_staff=True)
    people = cast(emu)
    dedi = emu.user(STAFF2, "Dedi")
    everyone = [people.head, people.kabid, people.kasi, people.staff, dedi, people.admin]
    async with running_office_bot(settings, clock) as app:
        ledger = Ledger(emu, office_of(app), everyone)
        first, last = await journey(ledger, people, moves, receipt=receipt)
        state = (await office_of(app).store.request("SD-2026-0001")).state
        return ledger, ledger.totals(first, last), state


def _over_budget(ledger: Ledger) -> list[tuple[str, Cost]]:
    return [(r.name, c) for r in ledger.steps[1:]
            if (c := ledger.step_cost(r)).taps > BUDGET.taps or c.messages > BUDGET.messages]


async def test_created_journey_within_budget(emu: BotApiEmulator, tmp_path: Path) -> None:
    ledger, totals, state = await _run(emu, tmp_path, CREATED, receipt=True)
    assert _over_budget(ledger) == []
    # Every official step, exactly: two taps, the letter and the card.
    for record in ledger.steps[1:-1]:
        assert ledger.step_cost(record) == Cost(taps=2, messages=2, edits=2), record.name
    # The requester's receipt: one tap on the letter.
    assert ledger.step_cost(ledger.steps[-1]).taps == 1
    # Nobody who does not act hears anything; nobody gets more than their steps.
    assert totals["Dedi"] == Cost() and totals["Admin"] == Cost()
    for who in ("Rahmadi", "Siti", "Budi"):
        assert totals[who] == Cost(taps=4, messages=4, edits=4), who
    assert state == State.COMPLETED


async def test_declined_journey_within_budget(emu: BotApiEmulator, tmp_path: Path) -> None:
    ledger, totals, state = await _run(emu, tmp_path, DECLINED, receipt=False)
    assert _over_budget(ledger) == []
    assert totals["Rahmadi"] == Cost(taps=2, messages=2, edits=2)
    assert state == State.DECLINED
