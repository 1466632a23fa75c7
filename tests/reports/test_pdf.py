"""The monthly report PDF, read back with pypdf."""

from __future__ import annotations

import io
import os
import re
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

from pypdf import PdfReader

from bot.report_files import report_signers
from bot.reports import month_figures, month_figures_as_of
from bot.worktime import WorkClock
from letters.figures import MonthFigures
from letters.numbers import duration_id, number_id, percent_id
from letters.report import (
    NO_LATE_STEPS,
    TITLE,
    render_month_report,
    share_chart_rows,
)
from tests.reports.conftest import Month, wita

TZ = ZoneInfo("Asia/Makassar")
# Fill colour of the chart's bars as it appears in the content stream.
BAR = ".180392 .458824 .713725"
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
    first = " ".join(text)
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
    # plain words, not percentile jargon
    assert "Separuh selesai dalam" in first and "90% selesai dalam" in first
    assert "P90" not in " ".join(text) and "persentil" not in " ".join(text)
    # The slowest finished steps, most over the standard first.
    assert "Masuk tahap (WITA)" in first
    assert ("1 SD-2026-0002 4. Pengecekan teknis oleh Staf Prakom 03-11-2026 09.10 "
            "8 jam 30 menit") in first
    assert "2 SD-2026-0003 1. Disposisi Kepala Dinas 05-11-2026 09.00 30 menit 15 menit" \
        in first
    assert "7 SD-2026-0004 2. Disposisi Kabid Layanan e-Government 05-11-2026 10.05" in first
    assert "Halaman 1" in first

    chart = " ".join(text)
    assert "5. Ketepatan waktu per tahap" in chart
    assert "Tahap yang selesai dalam waktu standar (%)" in chart
    for category in ("1. Disposisi Kadis", "2. Disposisi Kabid", "3. Perintah cek",
                     "4. Cek teknis", "5. Laporan Kasi", "6. Keputusan Kabid", "7. Pembuatan",
                     "8. Tanda tangan", "9. Penyampaian"):
        assert category in chart


async def test_chart_draws_one_bar_per_named_step(month: Month) -> None:
    figures = await november(month)
    assert share_chart_rows(figures) == [
        (f"{s.number}. {s.short_label}", (s.share_within or 0) * 100) for s in figures.steps]
    assert [round(v) for _, v in share_chart_rows(figures)][:4] == [50, 33, 67, 67]
    data = render_month_report(figures, OFFICE, zone_label="WITA")
    streams = [p.get_contents() for p in PdfReader(io.BytesIO(data)).pages]
    ops = "".join(s.get_data().decode("latin-1") for s in streams if s is not None)
    fills = Counter(re.findall(r"([.\d]+ [.\d]+ [.\d]+) rg\n(?:[^\n]*\n){0,6}?[^\n]* re f\*", ops))
    assert fills[BAR] == 9  # one bar per named step


async def test_open_requests_past_their_standard(month: Month) -> None:
    office = month.office
    now = wita("2026-12-02 10:00")
    figures = await month_figures_as_of(office.store, WorkClock(tz=TZ), 2026, 11, TZ, now,
                                        workflow=office.workflow)
    cases = {c.request_number: c for c in figures.open_overdue}
    assert set(cases) == {"SD-2026-0002", "SD-2026-0005"}
    waiting = cases["SD-2026-0005"]
    assert (waiting.step, waiting.standard_label) == (1, "15 menit")
    assert waiting.holder == "Kepala Dinas: Drs. H. Rahmadi, M.Si"
    assert waiting.times_standard >= 3
    assert cases["SD-2026-0002"].holder == "Pemohon (Perangkat Daerah): Dinas Kesehatan"
    signers = await report_signers(office.store, office.workflow, now, office.settings)
    data = render_month_report(figures, OFFICE, zone_label="WITA", signers=signers,
                               place="Paringin")
    text = " ".join(pages(data))
    assert "Keadaan per 2 Desember 2026" in text
    assert "2. Permohonan terbuka yang melewati waktu standar" in text
    assert "SD-2026-0005 Dinas Kesehatan 1. Disposisi Kepala Dinas" in text
    assert "kali waktu standar" in text
    assert "Paringin, 2 Desember 2026" in text
    assert "Disusun oleh, Kepala Bidang Layanan e-Government" in text
    assert "Mengetahui, Kepala Dinas Komunikasi dan Informatika" in text
    assert "Siti Aminah, S.Kom" in text and "NIP. 197001011990031001" in text


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
    assert "Tidak ada permohonan terbuka yang melewati waktu standar." in text[0]
    assert share_chart_rows(figures) == []


async def test_month_with_only_open_requests(month: Month) -> None:
    december = await month_figures(month.office.store, WorkClock(tz=TZ), 2026, 12, TZ)
    text = pages(render_month_report(december, OFFICE, zone_label="WITA"))
    assert "Bulan Desember 2026" in text[0]
    assert "Diterima Selesai Ditolak Ditarik Dalam proses 1 0 0 0 1" in text[0]
    assert NO_LATE_STEPS in text[0]
    assert "1. Disposisi Kepala Dinas Kepala Dinas 15 menit 0 — — —" in text[0]
    assert "Ketepatan waktu" not in " ".join(text)  # nothing finished: no chart


def test_formatting_helpers() -> None:
    from datetime import timedelta

    assert [duration_id(timedelta(minutes=v)) for v in (0, 0.2, 45, 60, 485, 22.5)] == [
        "0 menit", "< 1 menit", "45 menit", "1 jam", "8 jam 5 menit", "22 menit"]
    assert duration_id(None) == "—"
    assert [number_id(v) for v in (20.0, 22.5, 7.25, 0.0)] == ["20", "22,5", "7,2", "0"]
    assert [percent_id(v) for v in (None, 0.5, 2 / 3, 1.0)] == ["—", "50%", "66,7%", "100%"]


async def test_a_long_open_list_shows_the_worst_and_counts_the_rest(month: Month) -> None:
    import dataclasses

    from letters.report import OPEN_ROWS

    office = month.office
    now = wita("2026-12-02 10:00")
    figures = await month_figures_as_of(office.store, WorkClock(tz=TZ), 2026, 11, TZ, now,
                                        workflow=office.workflow)
    worst = figures.open_overdue[0]
    many = tuple(dataclasses.replace(worst, request_number=f"SD-2026-{9000 + i}")
                 for i in range(OPEN_ROWS + 7))
    text = " ".join(pages(render_month_report(dataclasses.replace(figures, open_overdue=many),
                                              OFFICE, zone_label="WITA")))
    assert f"SD-2026-{9000 + OPEN_ROWS - 1}" in text
    assert f"SD-2026-{9000 + OPEN_ROWS}" not in text
    assert f"Ditampilkan {OPEN_ROWS} permohonan yang paling lama melewati waktu standar dari " \
           f"{OPEN_ROWS + 7} permohonan" in text
