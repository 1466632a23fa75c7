import dataclasses
import datetime as dt

from devtools.letter_samples import sample_sheet
from letters.model import DispositionEntry, Urgency
from letters.render import render_disposition_sheet

from .conftest import pdf_layout, pdf_pages, pdf_reader, pdf_text


def test_sheet_fields_and_entries(office):
    data = render_disposition_sheet(sample_sheet(), office)
    text = pdf_text(data)
    assert "PEMERINTAH KABUPATEN BALANGAN" in text
    assert "LEMBAR DISPOSISI" in text
    assert "Surat dari : Dinas Kesehatan Kabupaten Balangan" in text
    assert "Diterima tanggal : 23 November 2026" in text
    assert "Nomor surat : 400.7/512/Dinkes/2026" in text
    assert "Nomor agenda : SD-2026-0001" in text
    assert "Tanggal surat : 20 November 2026" in text
    assert "Perihal : Permohonan Pembuatan Subdomain Dinas Kesehatan" in text
    assert "[X] Segera" in text
    assert "[X] Sangat Segera" not in text and "[X] Biasa" not in text
    assert "[ ] Rahasia" in text
    assert "No. Diteruskan kepada Dengan hormat harap Catatan Paraf" in text
    assert text.count("disetujui secara elektronik") == 3
    # the Kasi gave no instruction: none is filled in for him
    assert "Pelajari dan laporkan" not in text
    raw = pdf_reader(data).pages[0].extract_text()
    for expected in (
        "Tindak lanjuti",
        "Koordinasikan",
        "Mohon diproses sesuai SOP.",
        "H. AHMAD RIDUAN, S.Kom., M.M.",
        "RAHMAT HIDAYAT, S.T.",
        "SITI NORHALIZA, S.Kom.",
        "pukul 08.15 WITA",
        "pukul 08.40 WITA",
        "pukul 09.05 WITA",
    ):
        assert expected in text, expected
    assert "Staf Pranata" in raw
    # entries in order
    assert text.index("Tindak lanjuti") < text.index("Koordinasikan") < text.index("Staf Pranata")


def test_sheet_entry_rows_are_laid_out_as_columns(office):
    lines = pdf_layout(render_disposition_sheet(sample_sheet(), office))
    row = next(line for line in lines if "Tindak lanjuti" in line)
    # to whom, instruction, note and signer share one text line, left to right
    assert row.index("Kepala Bidang") < row.index("Tindak lanjuti") < row.index("Mohon diproses")
    assert row.index("Mohon diproses") < row.index("H. AHMAD RIDUAN")


def test_entry_time_converted_to_wita(office):
    entry = DispositionEntry(
        to="Kepala Bidang Layanan e-Government",
        instruction="Untuk diketahui",
        official_name="X",
        official_position="Kepala Dinas",
        at=dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.UTC),
    )
    sheet = dataclasses.replace(sample_sheet(), entries=(entry,), urgency=Urgency.SANGAT_SEGERA)
    text = pdf_text(render_disposition_sheet(sheet, office))
    assert "23 November 2026 pukul 09.00 WITA" in text
    assert "[X] Sangat Segera" in text
    assert "Untuk diketahui" in text


def test_empty_sheet_has_blank_rows_and_is_deterministic(office):
    sheet = dataclasses.replace(sample_sheet(), entries=())
    data = render_disposition_sheet(sheet, office)
    assert data == render_disposition_sheet(sheet, office)
    text = pdf_text(data)
    assert "Diteruskan kepada" in text
    assert "Tindak lanjuti" not in text
    meta = pdf_reader(data).metadata
    assert meta is not None and meta.title == "Lembar Disposisi SD-2026-0001"


def test_markup_in_sheet_is_escaped_and_many_entries_flow(office):
    entries = tuple(
        DispositionEntry(
            to=f"Pejabat <b>{i}</b>",
            instruction="Tindak lanjuti & laporkan",
            note="Catatan panjang " * 20,
            official_name="A & B",
            official_position="Kepala Dinas",
            at=dt.datetime(2026, 11, 23, 8, i % 60),
        )
        for i in range(14)
    )
    sheet = dataclasses.replace(sample_sheet(), entries=entries, subject="<i>x</i> & y")
    pages = pdf_pages(render_disposition_sheet(sheet, office))
    assert len(pages) >= 2
    text = " ".join(pages)
    assert "Pejabat <b>13</b>" in text
    assert "Perihal : <i>x</i> & y" in text
    assert "- 2 -" in pages[1]
    assert "Diteruskan kepada" in pages[1]  # header row repeats on the next page
