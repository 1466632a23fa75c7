"""The monthly report as files: the PDF (and the audit CSV) of one month, for chat and CLI."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import os
import re
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from bot.reports import (
    Trails,
    month_audit_csv,
    month_figures_as_of,
    month_trails,
    open_requests,
)
from bot.settings import Settings
from bot.workflow import Workflow
from letters.body import title_case_id
from letters.dates import month_name_id
from letters.figures import ReportSigner
from letters.offload import DRAWING, month_report_pdf
from storage.models import Request
from storage.store import Store

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(text: str) -> tuple[int, int]:
    """'2026-11' → (2026, 11); ValueError otherwise."""
    match = _MONTH.match(text.strip())
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"not a month (YYYY-MM): {text!r}")
    return int(match.group(1)), int(match.group(2))


def month_label(year: int, month: int) -> str:
    """'November 2026'."""
    return f"{month_name_id(month)} {year}"


def office_name(settings: Settings) -> str:
    """'DINAS KOMUNIKASI DAN INFORMATIKA KABUPATEN …' from the letterhead settings."""
    region = settings.office.government.removeprefix("PEMERINTAH").strip()
    return f"{settings.office.name} {region}".strip()


def default_path(settings: Settings, year: int, month: int) -> Path:
    return settings.data_dir / "reports" / f"laporan-subdomain-{year:04d}-{month:02d}.pdf"


def _write_atomically(path: Path, data: bytes) -> None:
    """Readers (the outbox sending the file) never see a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o644)  # a report is no secret; mkstemp would make it 0600
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


async def report_signers(store: Store, workflow: Workflow, now: datetime,
                         settings: Settings) -> tuple[ReportSigner, ...]:
    """``Disusun oleh``: the position directly under the signatory of letters (the Kabid in
    this SOP); ``Mengetahui``: that signatory (the Kepala Dinas), with today's holders."""
    head = workflow.signatory
    if head is None:
        return ()
    below = next((p.key for p in workflow.positions if p.superior == head), None)
    day = now.astimezone(settings.timezone).date()
    signers = []
    for caption, role in (("Disusun oleh", below), ("Mengetahui", head)):
        if role is None:
            continue
        holders = await store.holders_on(role, day)
        holder = next((h for h in holders if h.acting), holders[0] if holders else None)
        title = workflow.title(role)
        if caption == "Mengetahui":
            title = f"Kepala {title_case_id(settings.office.name)}" if title == "Kepala Dinas" \
                else title
        signers.append(ReportSigner(
            caption=caption, title=f"{holder.title_prefix if holder else ''}{title}",
            name=holder.person.name if holder else "",
            nip=(holder.person.nip or "") if holder else ""))
    return tuple(signers)


_pausing = 0
"""How many reports are being made with the cycle collector paused (`_collector_paused`)."""


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while a month's report is made.

    A busy month is ~17,000 audit rows, alive until the CSV is written and all free of
    cycles (reference counting frees them when the report is done): with the collector on,
    they are moved to the oldest generation and a full collection (every object of the
    process, ~50 ms) runs during most reports. Reports made at the same time share the pause;
    a collector someone else turned off stays off."""
    global _pausing
    if not _pausing and not gc.isenabled():
        yield
        return
    _pausing += 1
    gc.disable()
    try:
        yield
    finally:
        _pausing -= 1
        if not _pausing:
            gc.enable()


async def write_month_files(store: Store, settings: Settings, workflow: Workflow, year: int,
                            month: int, path: Path | None = None, *, csv: bool = False,
                            now: datetime | None = None) -> tuple[Path, Path | None]:
    """The month's report PDF and, with `csv`, its audit CSV next to it (same name, .csv):
    the month's requests and timelines are read once for both, and the open requests on the
    other reader connection meanwhile."""
    with _collector_paused():  # on again once the month's rows are freed, not before
        return await _write_month_files(store, settings, workflow, year, month, path, csv=csv,
                                        now=now)


async def _write_month_files(store: Store, settings: Settings, workflow: Workflow, year: int,
                             month: int, path: Path | None, *, csv: bool,
                             now: datetime | None) -> tuple[Path, Path | None]:
    trails, opened = await asyncio.gather(month_trails(store, year, month, settings.timezone),
                                          open_requests(store, workflow))
    pdf = await write_month_report(store, settings, workflow, year, month, path, now=now,
                                   trails=trails, opened=opened)
    if not csv:
        return pdf, None
    return pdf, await write_month_csv(store, settings, workflow, year, month,
                                      pdf.with_suffix(".csv"), trails=trails)


async def write_month_report(store: Store, settings: Settings, workflow: Workflow, year: int,
                             month: int, path: Path | None = None, *,
                             now: datetime | None = None, trails: Trails | None = None,
                             opened: list[Request] | None = None) -> Path:
    """Render the month's report PDF to `path` (default under DATA_DIR/reports/); returns it.
    `now` is the report's moment: its date, and when open requests are measured."""
    moment = now or datetime.now(settings.timezone)
    figures = await month_figures_as_of(store, settings.work_clock(), year, month,
                                        settings.timezone, moment, workflow=workflow,
                                        trails=trails, opened=opened)
    target = path or default_path(settings, year, month)
    render = functools.partial(month_report_pdf, figures, office_name(settings),
                               zone_label=settings.zone_label(),
                               signers=await report_signers(store, workflow, moment, settings),
                               place=settings.office.place)
    data = await asyncio.to_thread(render)
    await asyncio.to_thread(_write_atomically, target, data)
    return target


async def month_report_apart(store: Store, settings: Settings, workflow: Workflow, year: int,
                             month: int, path: Path | None = None, *,
                             now: datetime | None = None) -> Path:
    """`write_month_report` in the drawing process (`letters.offload`), which reads the month
    from the database itself: a busy month's ~17,000 audit rows, its figures and the PDF
    (~17 MiB of objects at their peak, most of it left behind in the heap as fragments) never
    swell the long-running bot. Where papers are drawn in process (a one-shot command), here."""
    if DRAWING.here:
        return await write_month_report(store, settings, workflow, year, month, path, now=now)
    return await asyncio.to_thread(DRAWING.call, _month_report_job, store.db.path, settings,
                                   workflow, year, month, path, now)


def _month_report_job(database: Path, settings: Settings, workflow: Workflow, year: int,
                      month: int, path: Path | None, now: datetime | None) -> Path:
    """In the drawing process: the month's report on a connection of its own."""
    async def make() -> Path:
        store = await Store.open(database)
        try:
            return await write_month_report(store, settings, workflow, year, month, path,
                                            now=now)
        finally:
            await store.close()

    with DRAWING.in_process():
        return asyncio.run(make())


async def write_month_csv(store: Store, settings: Settings, workflow: Workflow, year: int,
                          month: int, path: Path, *, trails: Trails | None = None) -> Path:
    """The month's audit trail as CSV (UTF-8 with BOM, for spreadsheet programs)."""
    text = await month_audit_csv(store, year, month, settings.timezone, workflow, trails)
    await asyncio.to_thread(_write_atomically, path, text.encode("utf-8-sig"))
    return path
