"""The month's files as `report --csv` and the chat make them: the CSV next to the PDF is the
month's audit CSV, and the cycle collector, paused while reports are made, is as it was."""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path

from bot.reports import month_audit_csv
from tests.reports.conftest import Month


async def test_month_files_write_the_audit_csv_beside_the_pdf(month: Month,
                                                              tmp_path: Path) -> None:
    office = month.office
    pdf, csv = await office.month_files(2026, 11, tmp_path / "november.pdf", csv=True)
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert csv == tmp_path / "november.csv"
    expected = await month_audit_csv(office.store, 2026, 11, office.settings.timezone,
                                     office.workflow)
    assert csv.read_bytes() == expected.encode("utf-8-sig")


async def test_the_collector_is_on_again_after_reports_made_at_once(month: Month,
                                                                    tmp_path: Path) -> None:
    assert gc.isenabled()
    made = await asyncio.gather(*(month.office.month_files(2026, 11, tmp_path / f"{i}.pdf",
                                                           csv=True) for i in range(3)))
    assert len({pdf.read_bytes() for pdf, _csv in made}) == 1
    assert gc.isenabled()


async def test_a_collector_turned_off_elsewhere_stays_off(month: Month,
                                                          tmp_path: Path) -> None:
    gc.disable()
    try:
        await month.office.month_files(2026, 11, tmp_path / "r.pdf")
        assert not gc.isenabled()
    finally:
        gc.enable()
