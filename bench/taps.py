"""Taps and messages per journey: what the chat costs each person, step by step.

The real Application (in this process) against the Bot API emulator and a throwaway BIND 9
(steps 4 and 7 do real DNS work), on a fresh SQLite file with two staff members (so the Kasi
chooses one at step 3). Two journeys: one created (the form, steps 1–8 by the officials, the
requester's receipt at step 9) and one declined at step 1 with a typed reason. Counting is
explained in tests/support/taps.py: taps are presses and messages a person sends; messages are
new bot messages in their chat (edits are counted apart, they add nothing to the chat).

    .venv/bin/python -m bench.taps
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bench._common import table
from devtools.localbind import BindServer, start_bind
from tests.support.botrun import cast, office_of, running_office_bot, seed, settings_for
from tests.support.emulator import running_emulator
from tests.support.office import BALANGAN, STAFF2, Clock
from tests.support.taps import CREATED, DECLINED, Cost, Ledger, Move, journey

ROW = ["step", "who", "taps", "messages", "edits"]


def step_rows(ledger: Ledger) -> list[tuple[str, str, int, int, int]]:
    rows = []
    for record in ledger.steps:
        c = ledger.step_cost(record)
        rows.append((record.name, record.actor.name, c.taps, c.messages, c.edits))
    return rows


def person_rows(totals: dict[str, Cost]) -> list[tuple[str, int, int, int]]:
    return [(name, c.taps, c.messages, c.edits) for name, c in totals.items()
            if c.taps or c.messages or c.edits]


async def one_journey(bind: BindServer, folder: Path, title: str, moves: Sequence[Move],
                      receipt: bool, subdomain: str) -> list[str]:
    """One journey on its own database, emulator and bot."""
    async with running_emulator(rate_limits=None) as emu:
        settings = settings_for(emu, folder, **bind.env())
        clock = Clock()
        await seed(settings, clock, two_staff=True)
        people = cast(emu)
        everyone = [people.head, people.kabid, people.kasi, people.staff,
                    emu.user(STAFF2, "Dedi"), people.requester, people.admin]
        async with running_office_bot(settings, clock) as app:
            ledger = Ledger(emu, office_of(app), everyone)
            first, last = await journey(ledger, people, moves, receipt=receipt,
                                        subdomain=subdomain)
    totals = ledger.totals(first, last)
    officials = sum((c for n, c in totals.items() if n != people.requester.name), Cost())
    rows = person_rows(totals)
    rows.append(("all officials", officials.taps, officials.messages, officials.edits))
    group = ledger.cost(people.group, first, last)
    rows.append(("office group", group.taps, group.messages, group.edits))
    return [table(f"Journey {title}: per step, the acting person", ROW, step_rows(ledger)),
            table(f"Journey {title}: per person, whole journey",
                  ["who", "taps", "messages", "edits"], rows)]


async def run() -> list[str]:
    out = []
    with tempfile.TemporaryDirectory(prefix="bench-taps-") as tmp:
        folder = Path(tmp)
        with start_bind(folder / "named", BALANGAN["PARENT_DOMAIN"]) as bind:
            for n, (title, moves, receipt, name) in enumerate((
                    ("created", CREATED, True, "layanan"),
                    ("declined at step 1", DECLINED, False, "arsip"))):
                (folder / str(n)).mkdir()
                out += await one_journey(bind, folder / str(n), title, moves, receipt, name)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    argparse.ArgumentParser(prog="python -m bench.taps", description=__doc__).parse_args(argv)
    print("\n\n".join(asyncio.run(run())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
