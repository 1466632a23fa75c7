"""The KONSEP the signatory approves is the letter that goes out: both PDFs, read back with
pypdf, say the same once the number, the date, the signature, the footer and the KONSEP's own
marks (the "KONSEP" stamp and the paraf box) are blanked. The KONSEP carries the paraf of the
Kasi and the Kabid who handled the request."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from bot.service import Office
from bot.workflow import Action
from letters.render import PARAF_TITLE
from tests.support.bind import BindServer
from tests.support.office import (
    BALANGAN_OFFICIALS,
    HEAD,
    KABID,
    STAFF,
    Clock,
    act,
    drive_to_decision,
    open_office,
    seed_people,
    submit,
)
from tests.support.pki import CertAuthority


@pytest.fixture(params=["none", "pades"])
async def office(request: pytest.FixtureRequest, tmp_path: Path, clock: Clock,
                 bind_rw: BindServer) -> AsyncIterator[Office]:
    """The office with no signing and with PAdES: the signature's mark and footer never
    change what the KONSEP said."""
    env = {"SIGNING_PROVIDER": request.param}
    if request.param == "pades":
        ca = CertAuthority()
        keys = tmp_path / "keys"
        keys.mkdir()
        (keys / "kadis.p12").write_bytes(ca.pkcs12(ca.issue("Ir. H. RAHMADI"), "sandi-p12"))
        (keys / "passphrase").write_text("sandi-p12\n")
        env |= {"SIGNING_PKCS12_PATH": str(keys / "kadis.p12"),
                "SIGNING_PKCS12_PASSPHRASE_FILE": str(keys / "passphrase")}
    office = await open_office(tmp_path / "office.sqlite3", clock, **bind_rw.env(),
                               DATA_DIR=str(tmp_path / "data"), **env)
    await seed_people(office.store, clock())
    yield office
    await office.store.close()

CM = 72 / 2.54
MARGIN_BAND = 2.4 * CM
"""Text this close to the top or bottom edge is the page's furniture: the KONSEP note, the
page number, the footer."""


def body_lines(path: Path) -> list[str]:
    """The text of the letter's body area, line by line (pypdf), without the KONSEP stamp."""
    lines: list[str] = []
    for page in PdfReader(path).pages:
        height = float(page.mediabox.height)
        kept: list[str] = []

        def visit(text: str, cm: Any, tm: Any, _font: Any, _size: Any,
                  kept: list[str] = kept, height: float = height) -> None:
            y = tm[5] * cm[3] + cm[5]
            if text.strip() and MARGIN_BAND < y < height - MARGIN_BAND / 1.7:
                kept.append(text)

        page.extract_text(visitor_text=visit)
        lines += [" ".join(t.split()) for t in "".join(kept).splitlines()]
    return [line for line in lines if line and line != "KONSEP"]


SIGNATURE_TITLE = "KEPALA DINAS KOMUNIKASI DAN INFORMATIKA,"


def blanked(lines: list[str], number: str, dated: str) -> list[str]:
    """The lines with the number and the date blanked, and without the KONSEP's paraf box
    (drawn just before the signature block, beside it)."""
    out = []
    in_box = False
    for line in lines:
        in_box = (in_box or line.startswith(PARAF_TITLE)) and not line.startswith(
            SIGNATURE_TITLE)
        if not in_box:
            out.append(line.replace(number, "<NOMOR>").replace(dated, "<TANGGAL>"))
    return out


async def test_konsep_and_final_differ_only_in_number_date_signature_and_footer(
        office: Office, clock: Clock) -> None:
    r = await drive_to_decision(office, await submit(office, "arsip"))
    r = await act(office, KABID, r, Action.APPROVE)
    r = await act(office, STAFF, r, Action.CONFIRM_CREATED)  # 30 November: the KONSEP
    drafts = sorted((office.settings.data_dir / "letters" / "drafts").glob("*-konsep.pdf"))
    konsep = drafts[-1]
    clock.advance(days=2)  # the Kepala Dinas signs on 2 December
    r = await act(office, HEAD, r, Action.SIGN)
    [issued] = await office.store.letters(r.id)

    draft_lines, final_lines = body_lines(konsep), body_lines(issued.path)
    assert issued.seal == office.settings.signing.provider
    # The paraf box is the KONSEP's alone: the final letter's signature slot (PAdES mark)
    # has the signature block's left column to itself.
    assert any(line.startswith(PARAF_TITLE) for line in draft_lines)
    assert not any(line.startswith(PARAF_TITLE) for line in final_lines)
    assert "Paringin, 2 Desember 2026" in final_lines  # the sign-off day, office zone
    assert "Paringin, … 2026" in draft_lines  # the KONSEP leaves the day open
    assert any("aktif sejak tanggal 30 November 2026" in line
               for line in (" ".join(draft_lines), " ".join(final_lines)))
    placeholder = "…/…/Diskominfo-Blg/2026"
    assert blanked(draft_lines, placeholder, "Paringin, … 2026") == blanked(
        final_lines, issued.number, "Paringin, 2 Desember 2026")
    assert " ".join(final_lines).count("aktif sejak tanggal 30 November 2026") == 1
    assert " ".join(draft_lines).count("aktif sejak tanggal 30 November 2026") == 1


async def test_the_konsep_carries_the_paraf_of_the_kasi_and_the_kabid(
        office: Office, clock: Clock) -> None:
    r = await drive_to_decision(office, await submit(office, "arsip"))
    clock.advance(minutes=20)
    r = await act(office, KABID, r, Action.REJECT_EXISTS)
    [konsep] = (office.settings.data_dir / "letters" / "drafts").glob("*-konsep.pdf")
    text = " ".join(body_lines(konsep))
    box = text[text.index(PARAF_TITLE):text.index(SIGNATURE_TITLE)]
    names = BALANGAN_OFFICIALS
    # The Kabid first (the next position below the signatory), then the Kasi; each with the
    # time of their electronic approval in the office's zone.
    assert box.index(names.kabid) < box.index(names.kasi)
    assert "Kepala Bidang Layanan e-Government" in box
    assert "Kepala Seksi Pengembangan Aplikasi Pemerintahan" in box
    assert "disetujui secara elektronik 30 November 2026 pukul 09.20 WITA" in box  # the Kabid
    assert "disetujui secara elektronik 30 November 2026 pukul 09.00 WITA" in box  # the Kasi
    assert names.staff not in box and names.head not in box
    r = await act(office, HEAD, r, Action.SIGN)
    [issued] = await office.store.letters(r.id)
    assert PARAF_TITLE not in " ".join(body_lines(issued.path))
