"""The monthly report PDF, read back with pypdf."""

from __future__ import annotations

import io
import os
import re
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

from pypdf import PdfReader

from bot.reports import month_figures
from bot.worktime import WorkClock
from letters.figures import MonthFigures
from letters.report import (
    TITLE,
    ChartData,
    chart_data,
    duration_id,
    number_id,
    percent_id,
    render_month_report,
)
from tests.reports.conftest import Month

TZ = ZoneInfo("Asia/Makassar")
# Fill colours of the series as they appear in the content stream.
MEDIAN = ".266667 .447059 .768627"
P90 = ".929412 .490196 .192157"
STANDARD = ".647059 .647059 .647059"
OFFICE = "DINAS KOMUNIKASI DAN INFORMATIKA KABUPATEN BALANGAN"


def pages(data: bytes) -> list[str]:
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    return [" ".join(p.extract_text().split()) for p in reader.pages]


async def november(month: Month) -> MonthFigures:
    return await month_figures(month.office.store, WorkClock(tz=TZ), 2026, 11, TZ)


def keep_for_viewing(data: bytes) -> None:
    """REPORT_PDF_DUMP=/tmp/r.pdf pytest ... then `pdftoppm -png -r 50 /tmp/r.pdf /tmp/r`."""
    if dump := os.environ.get("REPORT_PDF_DUMP"):
        Path(dump).write_bytes(data)


async def test_report_pdf(month: Month) -> None:
    data = render_month_report(await november(month), OFFICE, zone_label="WITA")
    keep_for_viewing(data)
    text = pages(data)
    assert len(text) >= 2
    first = " ".join(text[:-1])
    assert TITLE in first and "Bulan November 2026" in first and OFFICE in first
    assert "Diterima Selesai Ditolak Ditarik Dalam proses 4 1 1 1 1" in first
    for row in (
        "1. Disposisi Kepala Dinas Kepala Dinas 15 menit 4 15 menit 30 menit 50%",
        "Kepala Seksi Pengembangan Aplikasi Pemerintahan 15 menit 3 5 menit 20 menit 66,7%",
        "Staf Pranata Komputer 1 hari kerja 3 3 jam 8 jam 66,7%",
        "1 jam 2 30 menit 40 menit 100%",
        "20 menit 2 20 menit 25 menit 50%",
        "Staf Pranata Komputer 1 jam 1 30 menit 30 menit 100%",
        "Kepala Dinas / Staf Pranata Komputer 1 hari kerja 4 10 menit 20 menit 100%",
        "Pemohon (Perangkat Daerah) 1 hari kerja 1 30 menit 30 menit 100%",
    ):
        assert row in first, row
    assert "8. Persetujuan surat balasan / Perbaikan konsep surat balasan" in first
    # The slowest cases, most over the standard first.
    assert "Masuk tahap (WITA)" in first
    assert ("1 SD-2026-0002 4. Pengecekan teknis oleh Staf Prakom 03-11-2026 09.10 "
            "8 jam 30 menit") in first
    assert "2 SD-2026-0003 1. Disposisi Kepala Dinas 05-11-2026 09.00 30 menit 15 menit" \
        in first
    assert "7 SD-2026-0004 2. Disposisi Kabid Layanan e-Government 05-11-2026 10.05" in first
    assert "Halaman 1" in first

    chart = text[-1]  # the charts start a page of their own
    assert "Grafik waktu per tahap" in chart and f"Halaman {len(text)}" in chart
    assert "Kasus" not in chart
    assert "(dalam menit)" in chart and "(dalam jam)" in chart
    assert chart.count("Median") == 2 and chart.count("Waktu standar") == 2
    for category in ("1. Disposisi Kadis", "2. Disposisi Kabid", "3. Perintah cek",
                     "4. Cek teknis", "5. Laporan Kasi", "6. Keputusan Kabid", "7. Pembuatan",
                     "8. Tanda tangan", "9. Penyampaian"):
        assert category in chart


async def test_chart_page_draws_the_bars(month: Month) -> None:
    data = render_month_report(await november(month), OFFICE, zone_label="WITA")
    page = PdfReader(io.BytesIO(data)).pages[-1]
    content = page.get_contents()
    assert content is not None
    ops = content.get_data().decode("latin-1")
    # A bar is a filled rectangle in its series' colour; legend swatches are stroked too (B).
    fills = Counter(re.findall(r"([.\d]+ [.\d]+ [.\d]+) rg\n(?:[^\n]*\n){0,6}?[^\n]* re f\*", ops))
    swatches = Counter(re.findall(r"([.\d]+ [.\d]+ [.\d]+) rg\n(?:[^\n]*\n){0,6}?[^\n]* re B", ops))
    # Median, P90 and standard bars for all 9 steps (8 and 9: the office's working day).
    assert fills == {MEDIAN: 9, P90: 9, STANDARD: 9}
    assert swatches == {MEDIAN: 2, P90: 2, STANDARD: 2}  # two charts, one legend each


async def test_chart_data_splits_minutes_and_hours(month: Month) -> None:
    minutes, hours = chart_data(await november(month))
    assert minutes == ChartData(
        "menit",
        ("1. Disposisi Kadis", "2. Disposisi Kabid", "3. Perintah cek", "5. Laporan Kasi",
         "6. Keputusan Kabid", "7. Pembuatan"),
        median=(15, 20, 5, 30, 20, 30),
        p90=(30, 20, 20, 40, 25, 30),
        standard=(15, 15, 15, 60, 20, 60),
    )
    assert hours == ChartData("jam", ("4. Cek teknis", "8. Tanda tangan", "9. Penyampaian"),
                              median=(3, 1 / 6, 0.5), p90=(8, 1 / 3, 0.5),
                              standard=(7.5, 7.5, 7.5))


async def test_deterministic_bytes(month: Month) -> None:
    figures = await november(month)
    assert render_month_report(figures, OFFICE, zone_label="WITA") == render_month_report(
        figures, OFFICE, zone_label="WITA")


async def test_empty_month(month: Month) -> None:
    figures = await month_figures(month.office.store, WorkClock(tz=TZ), 2026, 10, TZ)
    data = render_month_report(figures, OFFICE, "Oktober 2026", zone_label="WITA")
    text = pages(data)
    assert len(text) == 1
    assert TITLE in text[0] and "Bulan Oktober 2026" in text[0]
    assert "Tidak ada permohonan yang diterima pada bulan Oktober 2026." in text[0]
    assert "0 0 0 0 0" in text[0]
    assert chart_data(figures) != []  # standards alone would still chart; the PDF skips it


async def test_month_with_only_open_requests(month: Month) -> None:
    december = await month_figures(month.office.store, WorkClock(tz=TZ), 2026, 12, TZ)
    text = pages(render_month_report(december, OFFICE, zone_label="WITA"))
    assert "Bulan Desember 2026" in text[0]
    assert "Diterima Selesai Ditolak Ditarik Dalam proses 1 0 0 0 1" in text[0]
    assert "Tidak ada tahap yang melebihi waktu standar." in text[0]
    assert "1. Disposisi Kepala Dinas Kepala Dinas 15 menit 0 — — —" in text[0]
    assert "4. Cek teknis" in text[-1]  # standards drawn even without measured visits


def test_formatting_helpers() -> None:
    from datetime import timedelta

    assert [duration_id(timedelta(minutes=v)) for v in (0, 0.2, 45, 60, 485, 22.5)] == [
        "0 menit", "< 1 menit", "45 menit", "1 jam", "8 jam 5 menit", "22 menit"]
    assert duration_id(None) == "—"
    assert [number_id(v) for v in (20.0, 22.5, 7.25, 0.0)] == ["20", "22,5", "7,2", "0"]
    assert [percent_id(v) for v in (None, 0.5, 2 / 3, 1.0)] == ["—", "50%", "66,7%", "100%"]
