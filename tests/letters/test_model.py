import dataclasses
import datetime as dt
from typing import Any

import pytest

from bot.paperwork import office_identity
from devtools.letter_samples import sample_letter, sample_signatory
from letters.model import (
    DEFAULT_TEMBUSAN,
    Addressee,
    IncomingRef,
    LetterKind,
    ReplyLetter,
)
from tests.support.office import SLEMAN, office_settings


def test_the_identity_comes_from_the_office_settings():
    office = office_identity(office_settings())
    assert office.government_line == "PEMERINTAH KABUPATEN BALANGAN"
    assert office.office_name == "DINAS KOMUNIKASI DAN INFORMATIKA"
    assert office.website == "www.diskominfo.balangankab.go.id"
    assert office.email == "diskominfo@balangankab.go.id"
    assert office.phone == "(0526) 2028434"
    assert office.kop_address == (
        "Jalan Jend. A. Yani Km. 3,5 Paringin Selatan, Telepon (0526) 2028434, "
        "Laman www.diskominfo.balangankab.go.id, Pos-el diskominfo@balangankab.go.id, "
        "Kode Pos 71618")
    without_postal = office_identity(office_settings(OFFICE_POSTAL_CODE=""))
    assert without_postal.kop_address.endswith("Pos-el diskominfo@balangankab.go.id")
    assert (office.page.paper, office.page.size[0] > 0) == ("A4", True)
    assert office.place == "Paringin"
    assert office.unit_code == "Diskominfo-Blg"
    assert (str(office.timezone), office.zone_label) == ("Asia/Makassar", "WITA")
    other = office_identity(office_settings(**SLEMAN))
    assert (other.government_line, other.place, other.unit_code) == (
        "PEMERINTAH KABUPATEN SLEMAN", "Sleman", "Kominfo-Slm")
    assert (str(other.timezone), other.zone_label) == ("Asia/Jakarta", "WIB")


def test_office_rejects_bad_pattern():
    with pytest.raises(ValueError, match="unknown field"):
        dataclasses.replace(office_identity(office_settings()),
                            number_pattern="{nomor}/{sequence}")


def test_signatory_title_line_and_nip():
    sig = sample_signatory()
    assert sig.title_line == "KEPALA DINAS KOMUNIKASI DAN INFORMATIKA"
    assert dataclasses.replace(sig, acting="plt").title_line.startswith("Plt. KEPALA")
    assert dataclasses.replace(sig, acting="plh").title_line.startswith("Plh. KEPALA")
    # The spaced form civil servants often write is accepted too.
    dataclasses.replace(sig, nip="19750101 200003 1 004")
    with pytest.raises(ValueError, match="18 digits"):
        dataclasses.replace(sig, nip="1975010120000310")
    with pytest.raises(ValueError, match="18 digits"):
        dataclasses.replace(sig, nip="19750101200003100X")
    with pytest.raises(ValueError, match="acting"):
        dataclasses.replace(sig, acting="pjs")  # type: ignore[arg-type]


def _letter(**kw: Any) -> ReplyLetter:
    base: dict[str, Any] = {
        "kind": LetterKind.EXISTS,
        "number": "555/1/Diskominfo-Blg/2026",
        "date": dt.date(2026, 11, 29),
        "addressee": Addressee(title="Camat Paringin"),
        "incoming": IncomingRef(number="1/2026", date=dt.date(2026, 11, 1), subject="Permohonan"),
        "fqdn": "x.balangankab.go.id",
        "signatory": sample_signatory(),
    }
    base.update(kw)
    return ReplyLetter(**base)


def test_reply_letter_defaults():
    letter = _letter()
    assert letter.nature == "Biasa"
    assert letter.attachments == "-"
    assert letter.tembusan is None and letter.subject is None  # from the outcome template
    assert DEFAULT_TEMBUSAN == ("Arsip",)
    assert letter.addressee.place == "Tempat"
    assert letter.fqdn_display == "x.balangankab.go.id"


def test_reply_letter_validation():
    with pytest.raises(ValueError, match="needs a number"):
        _letter(number=None)
    _letter(number=None, draft=True)
    with pytest.raises(ValueError, match="reason"):
        _letter(kind=LetterKind.DECLINED)
    with pytest.raises(ValueError, match="advice"):
        _letter(kind=LetterKind.ADVICE, reason="a finding", advice="   ")
    _letter(kind=LetterKind.ADVICE, advice="Gunakan nama singkat.")
    with pytest.raises(ValueError, match="DNS record"):
        _letter(kind=LetterKind.CREATED)
    with pytest.raises(ValueError, match="ASCII"):
        _letter(fqdn="pañ.balangankab.go.id")


def test_idn_display():
    letter = _letter(fqdn="xn--pa-0ja.balangankab.go.id", fqdn_unicode="pañ.balangankab.go.id")
    assert letter.fqdn_display == "pañ.balangankab.go.id (xn--pa-0ja.balangankab.go.id)"


def test_letters_are_frozen():
    letter = sample_letter(LetterKind.CREATED)
    with pytest.raises(dataclasses.FrozenInstanceError):
        letter.number = "x"  # type: ignore[misc]


def test_page_layout_paper_and_margins():
    from letters.model import MM, PageLayout

    f4 = PageLayout(paper="F4")
    assert (round(f4.size[0] / MM), round(f4.size[1] / MM)) == (215, 330)
    assert (round(PageLayout().size[0] / MM), round(PageLayout().size[1] / MM)) == (210, 297)
    with pytest.raises(ValueError, match="A4 or F4"):
        PageLayout(paper="Letter")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="margin"):
        PageLayout(left=0.1)
