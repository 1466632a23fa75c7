"""Rendering the papers: final reply letters of every kind, a draft (KONSEP), the lembar
disposisi; and the whole decline transition, which numbers, renders and stores its final
letter inside one database transaction.

    .venv/bin/python -m bench.letters [--repeat 30]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from bench._common import peak_rss_mib, summary_ms, table
from bot import paperwork
from bot.service import ActionInput
from bot.workflow import Action, Instruction, State
from devtools.letter_samples import sample_letter, sample_sheet
from devtools.profile import demo_office
from letters.model import DispositionSheet, LetterKind, ReplyLetter
from letters.render import render_disposition_sheet, render_reply_letter
from tests.support.office import HEAD, KABID, Clock, open_office, person, seed_people, submit

Row = tuple[str, str, str, str, str, str]


def measure(name: str, render: Callable[[], bytes], repeat: int) -> Row:
    """First (cold) call separately, then `repeat` warm calls."""
    start = time.perf_counter()
    pdf = render()
    cold = time.perf_counter() - start
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        pdf = render()
        times.append(time.perf_counter() - start)
    if not pdf.startswith(b"%PDF-"):
        raise SystemExit(f"{name}: not a PDF")
    p50, p95, _worst = summary_ms(times)
    return (name, f"{cold * 1000:.1f}", p50, p95, f"{len(pdf) / 1024:.1f}", str(repeat))


def long_sheet(entries: int) -> DispositionSheet:
    """The sample sheet with `entries` dispositions (a request sent back and forth)."""
    base = sample_sheet()
    rows = [base.entries[i % len(base.entries)] for i in range(entries)]
    return dataclasses.replace(base, entries=tuple(rows))


def render_rows(repeat: int) -> list[Row]:
    office = paperwork.office_identity(demo_office())
    rows = []
    for kind in LetterKind:
        letter = sample_letter(kind)

        def final(letter: ReplyLetter = letter) -> bytes:
            return render_reply_letter(letter, office)

        rows.append(measure(f"final letter: {kind.value} (number + QR)", final, repeat))
    draft = sample_letter(LetterKind.CREATED, draft=True)
    rows.append(measure("draft (KONSEP) letter: created",
                        lambda: render_reply_letter(draft, office), repeat))
    sheet = sample_sheet()
    rows.append(measure("disposition sheet, 3 entries",
                        lambda: render_disposition_sheet(sheet, office), repeat))
    sheet12 = long_sheet(12)
    rows.append(measure("disposition sheet, 12 entries",
                        lambda: render_disposition_sheet(sheet12, office), repeat))
    return rows


async def office_rows(folder: Path, repeat: int) -> tuple[list[Row], list[str]]:
    """Through the bot's own path: Office.act(DECLINE) issues the numbered letter in its
    transaction; the sheet is made from the stored timeline like /riwayat's button does."""
    clock = Clock()
    office = await open_office(folder / "bench.sqlite3", clock, DATA_DIR=str(folder / "data"),
                               MAX_OPEN_REQUESTS="0")
    try:
        await seed_people(office.store, clock())
        head, kabid = await person(office, HEAD), await person(office, KABID)
        decline_times, sheet_times, sizes = [], [], []
        sheet_pdf = b""
        for i in range(repeat + 1):
            request = await submit(office, f"tolak{i}")
            clock.advance(minutes=1)
            request = await office.act(head, request.id, ActionInput(
                Action.DISPOSE, request.version, instruction=Instruction.FOLLOW_UP))
            request = await office.act(kabid, request.id, ActionInput(
                Action.RETURN, request.version, note="Lampiran belum lengkap"))
            start = time.perf_counter()
            request = await office.act(head, request.id, ActionInput(
                Action.DECLINE, request.version,
                note="Subdomain tidak sesuai tugas pokok dan fungsi Dinas"))
            took = time.perf_counter() - start
            if request.state != State.DECLINED:
                raise SystemExit(f"decline did not land: {request.state}")
            [issued] = await office.store.letters(request.id)
            sizes.append(issued.path.stat().st_size)
            start = time.perf_counter()
            events = await office.store.timeline(request.id)
            sheet = paperwork.disposition_sheet(office.workflow, request, events,
                                                dt.date(2026, 11, 30))
            sheet_pdf = paperwork.render_sheet(office.settings, sheet)
            sheet_took = time.perf_counter() - start
            if i:  # the first is the cold one
                decline_times.append(took)
                sheet_times.append(sheet_took)
        d50, d95, _ = summary_ms(decline_times)
        s50, s95, _ = summary_ms(sheet_times)
        rows: list[Row] = [
            ("Office.act(DECLINE): number, render, store, commit", "-", d50, d95,
             f"{sizes[-1] / 1024:.1f}", str(repeat)),
            ("timeline → disposition sheet PDF (bot path)", "-", s50, s95,
             f"{len(sheet_pdf) / 1024:.1f}", str(repeat)),
        ]
        letters = await office.store.letters()
        numbers = sorted(letter.sequence for letter in letters)
        notes = [f"{len(letters)} declined letters issued, numbers {numbers[0]}..{numbers[-1]} "
                 f"gapless: {numbers == list(range(numbers[0], numbers[-1] + 1))}"]
        return rows, notes
    finally:
        await office.store.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.letters", description=__doc__)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args(argv)
    rows = render_rows(args.repeat)
    with tempfile.TemporaryDirectory(prefix="bench-letters-") as tmp:
        more, notes = asyncio.run(office_rows(Path(tmp), args.repeat))
    header = ["what", "cold ms", "p50 ms", "p95 ms", "PDF KiB", "runs"]
    print(table("PDF rendering (reportlab, built-in Helvetica, no emblem image)", header,
                [*rows, *more]))
    print()
    print("\n".join(notes))
    print(f"peak RSS of this process: {peak_rss_mib():.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
