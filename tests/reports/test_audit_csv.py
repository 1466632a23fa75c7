"""The month's audit trail as CSV, read back with csv.reader."""

from __future__ import annotations

import csv
import io
from zoneinfo import ZoneInfo

from bot.reports import audit_header, month_audit_csv
from tests.reports.conftest import FORMULA_NOTE, RETURN_NOTE, Month

TZ = ZoneInfo("Asia/Makassar")


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


async def test_csv_round_trips_notes_and_times(month: Month) -> None:
    text = await month_audit_csv(month.office.store, 2026, 11, TZ)
    table = rows(text)
    assert table[0] == audit_header("WITA")
    assert table[0][1] == "Waktu (WITA)"
    body = table[1:]
    # A: 10 events, B: 12, C: 2, D: 3; E (December) is not in November's file.
    assert len(body) == 10 + 12 + 2 + 3
    assert {r[0] for r in body} == {"SD-2026-0001", "SD-2026-0002", "SD-2026-0003",
                                     "SD-2026-0004"}
    assert all(len(r) == 11 for r in table)
    assert {r[10] for r in body} == {"Pembuatan baru"}  # the request kind, last

    first = body[0]
    assert first == ["SD-2026-0001", "2026-11-02 08:00:00", "Ahmad Dinkes",
                     "Pemohon (Perangkat Daerah)", "", "Permohonan diajukan", "",
                     "Disposisi Kepala Dinas", "", "", "Pembuatan baru"]
    assert body[1][1:8] == ["2026-11-02 08:10:00", "Drs. H. Rahmadi, M.Si", "Kepala Dinas", "",
                            "Didisposisikan", "Disposisi Kepala Dinas",
                            "Disposisi Kabid Layanan e-Government"]
    assert body[1][8] == "Tindak lanjuti"

    returned = next(r for r in body if r[5] == "Dikembalikan ke tahap sebelumnya")
    assert returned[0] == "SD-2026-0002" and returned[1] == "2026-11-03 08:50:00"
    assert returned[2:4] == ["Rina Prakom", "Staf Pranata Komputer"]
    assert returned[9] == RETURN_NOTE  # commas, quotes, a newline and HTML survive intact
    assert '"Nama ""layanan"" sudah dipakai, mohon cek ulang;\r\n' not in text
    assert '"Nama ""layanan"" sudah dipakai, mohon cek ulang;\nlihat <b>DNS</b>' in text

    withdrawn = next(r for r in body if r[0] == "SD-2026-0004" and r[7] == "Ditarik oleh pemohon")
    assert withdrawn[9] == "'" + FORMULA_NOTE  # kept as text in a spreadsheet


async def test_csv_of_empty_month_is_header_only(month: Month) -> None:
    text = await month_audit_csv(month.office.store, 2026, 10, TZ)
    assert rows(text) == [audit_header("WITA")]
    assert text.endswith("\r\n")


async def test_csv_times_follow_the_given_zone(month: Month) -> None:
    # In WIB (UTC+7) request E was filed on 30 November, 23:30: a November request there.
    text = await month_audit_csv(month.office.store, 2026, 11, ZoneInfo("Asia/Jakarta"))
    table = rows(text)
    assert table[0][1] == "Waktu (WIB)"
    assert table[1][:2] == ["SD-2026-0001", "2026-11-02 07:00:00"]
    assert table[-1][:2] == ["SD-2026-0005", "2026-11-30 23:30:00"]
    assert rows(await month_audit_csv(month.office.store, 2026, 12, ZoneInfo("Asia/Jakarta"))) \
        == [audit_header("WIB")]
