import dataclasses
import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
import reportlab
from PIL import Image as PILImage

from devtools.letter_samples import sample_letter
from letters.model import Addressee, LetterKind, OfficeIdentity, ReplyLetter
from letters.render import FontSet, render_reply_letter, verification_statement

from .conftest import PASSWORD_VALUE, indent_of, pdf_layout, pdf_pages, pdf_reader, pdf_text

CLOSING = "Demikian disampaikan, atas perhatian dan kerja sama Saudara diucapkan terima kasih."
HAL = {
    LetterKind.CREATED: "Jawaban atas Permohonan Subdomain dinkes.balangankab.go.id",
    LetterKind.EXISTS: "Jawaban atas Permohonan Subdomain dinkes.balangankab.go.id",
    LetterKind.ADVICE: "Saran Teknis atas Permohonan Subdomain dinkes.balangankab.go.id",
    LetterKind.DECLINED: "Jawaban atas Permohonan Subdomain dinkes.balangankab.go.id",
    LetterKind.CHANGED: "Jawaban atas Permohonan Perubahan Subdomain dinkes.balangankab.go.id",
    LetterKind.CHANGE_ADVICE: "Saran Teknis atas Permohonan Perubahan Subdomain "
                              "dinkes.balangankab.go.id",
    LetterKind.CHANGE_DECLINED: "Jawaban atas Permohonan Perubahan Subdomain "
                                "dinkes.balangankab.go.id",
    LetterKind.REMOVED: "Jawaban atas Permohonan Penonaktifan Subdomain "
                        "dinkes.balangankab.go.id",
    LetterKind.REMOVAL_ADVICE: "Saran Teknis atas Permohonan Penonaktifan Subdomain "
                               "dinkes.balangankab.go.id",
    LetterKind.REMOVAL_DECLINED: "Jawaban atas Permohonan Penonaktifan Subdomain "
                                 "dinkes.balangankab.go.id",
    LetterKind.SUSPENDED: "Penangguhan Subdomain dinkes.balangankab.go.id",
}


def _render(letter: ReplyLetter, office: OfficeIdentity, **kw) -> tuple[bytes, str]:
    data = render_reply_letter(letter, office, **kw)
    return data, pdf_text(data)


@pytest.mark.parametrize("kind", list(LetterKind))
def test_every_element_of_a_final_letter(kind, office):
    letter = sample_letter(kind)
    data, text = _render(letter, office)
    # kop surat
    assert "PEMERINTAH KABUPATEN BALANGAN" in text
    assert "DINAS KOMUNIKASI DAN INFORMATIKA" in text
    assert ("Jalan Jend. A. Yani Km. 3,5 Paringin Selatan, Telepon (0526) 2028434, "
            "Laman www.diskominfo.balangankab.go.id, Pos-el diskominfo@balangankab.go.id, "
            "Kode Pos 71618") in text
    assert "Telp" not in text and "Website" not in text and "E-mail" not in text
    # place and date, header block
    assert "Paringin, 29 November 2026" in text
    assert "Nomor : 555/123/Diskominfo-Blg/2026" in text
    assert "Sifat : Biasa" in text
    assert "Lampiran : -" in text
    assert f"Hal : {HAL[kind]}" in text
    # addressee
    assert "Yth. Kepala Dinas Kesehatan Kabupaten Balangan di Paringin" in text
    # opening and closing (a suspension answers no letter of the agency: its own opening)
    assert (
        "Menindaklanjuti surat Saudara Nomor 400.7/512/Dinkes/2026 tanggal 20 November 2026 "
        "perihal Permohonan Pembuatan Subdomain Dinas Kesehatan, dengan hormat kami sampaikan "
        "bahwa"
    ) in text or (kind is LetterKind.SUSPENDED and "Dalam rangka pemutakhiran register "
                  "subdomain pada Dinas Komunikasi dan Informatika" in text
                  and "Menindaklanjuti" not in text)
    assert CLOSING in text
    # signature block and tembusan
    assert "KEPALA DINAS KOMUNIKASI DAN INFORMATIKA," in text
    assert "H. AHMAD RIDUAN, S.Kom., M.M. Pembina Tingkat I NIP. 197501012000031004" in text
    assert "Tembusan: Arsip." in text and "Bupati" not in text  # a routine reply
    # final without a signature (the demo's SIGNING_PROVIDER=none): marked and said so
    assert "KONSEP" not in text
    assert "CONTOH DEMO - tidak ditandatangani, bukan surat resmi" in text
    assert "CONTOH UNTUK DEMO: surat ini disetujui secara elektronik melalui sistem layanan" in text
    assert "kode verifikasi KQ2MXVDR4BTAZ5NW" in text
    assert "tidak ditandatangani, baik basah maupun dengan tanda tangan elektronik" in text
    assert not re.search(r"ditandatangani secara elektronik menggunakan sertifikat", text)
    # never a password value
    assert not PASSWORD_VALUE.search(text)
    assert len(pdf_reader(data).pages) == 1


def test_created_lists_records_date_active_and_account_route(office):
    _, text = _render(sample_letter(LetterKind.CREATED), office)
    assert "telah selesai dibuat dan aktif sejak tanggal 28 November 2026" in text
    assert "No. Nama Tipe Nilai Masa simpan (detik)" in text
    assert "TTL" not in text
    assert "1. dinkes.balangankab.go.id A 103.147.10.21 3600" in text
    assert "2. www.dinkes.balangankab.go.id CNAME dinkes.balangankab.go.id. 3600" in text
    assert "disampaikan secara langsung dan terpisah" in text
    assert "Bidang Layanan e-Government" in text


def test_exists_says_use_existing_credentials_without_printing_them(office):
    _, text = _render(sample_letter(LetterKind.EXISTS), office)
    assert "telah tersedia sebelumnya, sehingga tidak perlu dibuat kembali" in text
    assert "menggunakan nama pengguna dan kata sandi yang telah dimiliki" in text
    assert "nama pengguna dan kata sandi tidak dicantumkan dalam surat ini" in text
    assert "user" not in text and "password" not in text
    assert not PASSWORD_VALUE.search(text)


def test_advice_and_declined_carry_reason_and_advice(office):
    advice = sample_letter(LetterKind.ADVICE)
    _, text = _render(advice, office)
    assert "terdapat hal teknis yang perlu diperhatikan." in text
    assert "kami sampaikan saran teknis sebagai berikut. Nama subdomain yang diajukan" in text
    assert "Mohon gunakan singkatan nomenklatur Perangkat Daerah, yaitu dinkes" in text
    assert "Setelah saran tersebut ditindaklanjuti" in text
    declined = sample_letter(LetterKind.DECLINED)
    _, text = _render(declined, office)
    assert "belum dapat kami penuhi dengan alasan sebagai berikut." in text
    assert "bukan merupakan layanan Perangkat Daerah" in text
    assert "kami sarankan agar kegiatan tersebut dimuat sebagai halaman" in text
    assert ": " not in text.split("Yth.")[1].split("Tembusan")[0]  # no colon in the body


def test_draft_has_konsep_mark_placeholder_number_and_no_qr(office):
    final = sample_letter(LetterKind.CREATED)
    draft = sample_letter(LetterKind.CREATED, draft=True)
    draft_bytes, draft_text = _render(draft, office)
    final_bytes, _ = _render(final, office)
    assert "KONSEP" in draft_text
    assert "Nomor : …/…/Diskominfo-Blg/2026" in draft_text
    assert "555/123" not in draft_text
    assert "kode verifikasi" not in draft_text  # no footer: nothing is approved yet
    # The paraf box of the officials who handled it, beside the signature block.
    assert "PARAF KOORDINASI" in draft_text and "Siti Aminah, S.Kom" in draft_text
    assert "PARAF KOORDINASI" not in _render(final, office)[1]
    # The QR code is drawn as many small filled rectangles (closed subpaths of one path):
    # only the final has them.
    assert _rect_count(final_bytes) > 200
    assert _rect_count(draft_bytes) < 50


def test_draft_of_a_number_is_never_printed_even_if_given(office):
    letter = dataclasses.replace(sample_letter(LetterKind.EXISTS), draft=True)
    assert letter.number  # the sample carries one, but a draft must not show it
    _, text = _render(letter, office)
    assert "Nomor : …/…/Diskominfo-Blg/2026" in text
    assert "KONSEP" in text


def _rect_count(data: bytes) -> int:
    stream = pdf_reader(data).pages[0].get_contents()
    assert stream is not None
    contents = stream.get_data()
    return len(re.findall(rb"\s(?:re|h)\b", contents))


@pytest.mark.parametrize(("acting", "prefix"), [("plt", "Plt."), ("plh", "Plh.")])
def test_acting_signatory(office, acting, prefix):
    base = sample_letter(LetterKind.CREATED)
    letter = dataclasses.replace(
        base, signatory=dataclasses.replace(base.signatory, acting=acting)
    )
    _, text = _render(letter, office)
    assert f"{prefix} KEPALA DINAS KOMUNIKASI DAN INFORMATIKA," in text


def test_on_behalf_line(office):
    base = sample_letter(LetterKind.CREATED)
    sig = dataclasses.replace(
        base.signatory, on_behalf="BUPATI BALANGAN", position_title="SEKRETARIS DAERAH"
    )
    _, text = _render(dataclasses.replace(base, signatory=sig), office)
    assert "a.n. BUPATI BALANGAN SEKRETARIS DAERAH," in text


def test_old_style_addressee_and_custom_tembusan(office):
    letter = dataclasses.replace(
        sample_letter(LetterKind.EXISTS),
        addressee=Addressee(title="Camat Paringin", place="Tempat"),
        tembusan=("Bupati Balangan (sebagai laporan);", "Sekretaris Daerah", "Arsip."),
        attachments="1 (satu) berkas",
        nature="Penting",
    )
    _, text = _render(letter, office)
    assert "Yth. Camat Paringin di - Tempat" in text
    assert (
        "Tembusan: 1. Bupati Balangan (sebagai laporan); 2. Sekretaris Daerah; 3. Arsip." in text
    )
    assert "Lampiran : 1 (satu) berkas" in text
    assert "Sifat : Penting" in text


def test_no_tembusan(office):
    letter = dataclasses.replace(sample_letter(LetterKind.EXISTS), tembusan=())
    _, text = _render(letter, office)
    assert "Tembusan" not in text


def test_layout_right_aligned_date_and_signature(office):
    data = render_reply_letter(sample_letter(LetterKind.EXISTS), office)
    lines = pdf_layout(data)
    nomor = indent_of(lines, "Nomor")
    assert indent_of(lines, "Paringin, 29 November 2026") > nomor + 40
    assert indent_of(lines, "NIP. 197501012000031004") > nomor + 30
    assert indent_of(lines, "Tembusan:") == nomor
    # kop lines are centred: roughly the same margin on both sides
    for line in lines:
        if "PEMERINTAH KABUPATEN BALANGAN" in line:
            left = len(line) - len(line.lstrip())
            assert left > nomor + 10
            break
    else:
        raise AssertionError("kop line not found")


def test_same_input_same_bytes_and_fixed_metadata(office):
    letter = sample_letter(LetterKind.CREATED)
    first = render_reply_letter(letter, office)
    second = render_reply_letter(sample_letter(LetterKind.CREATED), office)
    assert first == second
    other = render_reply_letter(dataclasses.replace(letter, number="555/124/Diskominfo-Blg/2026"),
                                office)
    assert other != first
    meta = pdf_reader(first).metadata
    assert meta is not None
    assert meta.title == "Jawaban atas Permohonan Subdomain dinkes.balangankab.go.id"
    assert meta.author == "Dinas Komunikasi dan Informatika Kabupaten Balangan"
    assert "555/123/Diskominfo-Blg/2026" in (meta.subject or "")
    assert meta.creation_date is not None
    assert meta.creation_date.date() == dt.date(2026, 11, 29)
    assert meta.creation_date.utcoffset() == dt.timedelta(hours=8)
    # the date follows the letter, not the clock
    later = render_reply_letter(dataclasses.replace(letter, date=dt.date(2027, 1, 2)), office)
    later_meta = pdf_reader(later).metadata
    assert later_meta is not None and later_meta.creation_date is not None
    assert later_meta.creation_date.date() == dt.date(2027, 1, 2)


def test_markup_like_and_very_long_text_is_safe_and_flows(office):
    chunk = (
        "Nama <b>tidak</b> sesuai & melanggar <font size=40>pedoman</font> penamaan; "
        "gunakan singkatan resmi <para>nomenklatur</para> perangkat daerah. "
    )
    reason = (chunk * 40)[:3000]
    assert len(reason) == 3000
    letter = dataclasses.replace(
        sample_letter(LetterKind.DECLINED),
        reason=reason,
        subject="Pembuatan Subdomain <script>alert(1)</script> & lainnya",
        advice="a<br/>b",
    )
    data = render_reply_letter(letter, office)
    pages = pdf_pages(data)
    assert len(pages) >= 2
    text = " ".join(pages)
    assert "Nama <b>tidak</b> sesuai & melanggar <font size=40>pedoman</font>" in text
    assert "Hal : Pembuatan Subdomain <script>alert(1)</script> & lainnya" in text
    assert "kami sarankan agar a<br/>b" in text
    # continuation page: page number, then the signature and tembusan close the letter
    assert pages[-1].startswith("- 2 -") or "- 2 -" in pages[1]
    assert "NIP. 197501012000031004" in pages[-1]
    assert "Tembusan:" in pages[-1]
    assert "kode verifikasi KQ2MXVDR4BTAZ5NW" in pages[0] and "kode verifikasi" in pages[-1]


def test_line_breaks_and_paragraphs_in_user_text(office):
    letter = dataclasses.replace(
        sample_letter(LetterKind.ADVICE),
        reason="1. Nama terlalu panjang.\n2. Tidak ada surat kuasa.\n\nParagraf kedua alasan.",
    )
    data = render_reply_letter(letter, office)
    raw = pdf_reader(data).pages[0].extract_text()
    assert "1. Nama terlalu panjang.\n2. Tidak ada surat kuasa." in raw
    assert "Paragraf kedua alasan." in raw


def test_emblem_image_in_kop(office, tmp_path: Path):
    emblem = tmp_path / "logo.png"
    PILImage.new("RGB", (80, 96), (20, 120, 40)).save(emblem)
    with_logo = dataclasses.replace(office, emblem_path=emblem)
    data = render_reply_letter(sample_letter(LetterKind.EXISTS), with_logo)
    page = pdf_reader(data).pages[0]
    assert len(page.images) == 1
    assert "PEMERINTAH KABUPATEN BALANGAN" in pdf_text(data)
    assert data == render_reply_letter(sample_letter(LetterKind.EXISTS), with_logo)
    missing = dataclasses.replace(office, emblem_path=tmp_path / "nope.png")
    with pytest.raises(FileNotFoundError, match=r"nope\.png"):
        render_reply_letter(sample_letter(LetterKind.EXISTS), missing)


def test_ttf_font_set_and_idn(office):
    fonts_dir = Path(reportlab.__file__).parent / "fonts"
    fonts = FontSet.from_ttf(
        "Vera",
        fonts_dir / "Vera.ttf",
        bold=fonts_dir / "VeraBd.ttf",
        italic=fonts_dir / "VeraIt.ttf",
        bold_italic=fonts_dir / "VeraBI.ttf",
    )
    letter = dataclasses.replace(
        sample_letter(LetterKind.EXISTS),
        fqdn="xn--pa-0ja.balangankab.go.id",
        fqdn_unicode="pañ.balangankab.go.id",
    )
    data = render_reply_letter(letter, office, fonts=fonts)
    text = pdf_text(data)
    assert "pañ.balangankab.go.id (xn--pa-0ja.balangankab.go.id)" in text
    assert "NIP. 197501012000031004" in text
    assert data == render_reply_letter(letter, office, fonts=fonts)
    resources: Any = pdf_reader(data).pages[0]["/Resources"]
    font_dict = resources["/Font"].get_object()
    base_fonts = {str(ref.get_object()["/BaseFont"]) for ref in font_dict.values()}
    assert any(name.endswith("+BitstreamVeraSans-Roman") for name in base_fonts), base_fonts
    assert any(name.endswith("+BitstreamVeraSans-Bold") for name in base_fonts), base_fonts


def test_custom_number_pattern_draft_placeholder(office):
    custom = dataclasses.replace(
        office,
        number_pattern="{classification}/{sequence}/{unit}/{month_roman}/{year}",
        classification_code="188.45",
    )
    _, text = _render(sample_letter(LetterKind.EXISTS, draft=True), custom)
    assert "Nomor : …/…/Diskominfo-Blg/XI/2026" in text


def test_verification_statement_without_url(office):
    letter = dataclasses.replace(sample_letter(LetterKind.EXISTS), verification_url=None)
    statement = verification_statement(letter, office)
    assert "kode verifikasi KQ2MXVDR4BTAZ5NW" in statement
    assert "kode QR atau" not in statement
    _, text = _render(letter, office)
    assert "kode verifikasi KQ2MXVDR4BTAZ5NW" in text


def _fonts(data: bytes) -> dict[str, bool]:
    """Base font name → embedded (has a font file) for every font the pages use."""
    found: dict[str, bool] = {}
    for page in pdf_reader(data).pages:
        resources: Any = page["/Resources"]
        for ref in resources["/Font"].get_object().values():
            font = ref.get_object()
            descriptor = font.get("/FontDescriptor")
            embedded = descriptor is not None and any(
                key in descriptor.get_object() for key in ("/FontFile", "/FontFile2", "/FontFile3"))
            found[str(font["/BaseFont"])] = embedded
    return found


@pytest.mark.parametrize("kind", list(LetterKind))
def test_liberation_sans_is_embedded_and_nothing_else_is_used(kind, office):
    fonts = _fonts(render_reply_letter(sample_letter(kind), office))
    assert fonts and all(fonts.values()), fonts
    assert all("LiberationSans" in name for name in fonts), fonts
    assert not any("Helvetica" in name for name in fonts)


def test_body_text_is_12_pt(office):
    data = render_reply_letter(sample_letter(LetterKind.EXISTS), office)
    contents = pdf_reader(data).pages[0].get_contents()
    assert contents is not None
    sizes = re.findall(rb"/F\d+\+0 ([\d.]+) Tf", contents.get_data())
    assert sizes.count(b"12") > 10


def test_paper_a4_or_f4_and_margins(office):
    from letters.model import MM, PageLayout

    a4 = pdf_reader(render_reply_letter(sample_letter(LetterKind.EXISTS), office)).pages[0]
    assert (round(float(a4.mediabox.width) / MM), round(float(a4.mediabox.height) / MM)) == (
        210, 297)
    f4_office = dataclasses.replace(office, page=PageLayout(paper="F4", left=3.0))
    f4 = pdf_reader(render_reply_letter(sample_letter(LetterKind.EXISTS), f4_office)).pages[0]
    assert (round(float(f4.mediabox.width) / MM), round(float(f4.mediabox.height) / MM)) == (
        215, 330)

    def left_of_nomor(data: bytes) -> float:
        found: list[float] = []

        def visit(text: str, cm: Any, tm: Any, *_: Any) -> None:
            if text.startswith("Nomor"):
                found.append(cm[4] + tm[4])

        pdf_reader(data).pages[0].extract_text(visitor_text=visit)
        return found[0]

    wide = left_of_nomor(render_reply_letter(sample_letter(LetterKind.EXISTS), f4_office))
    narrow = left_of_nomor(render_reply_letter(sample_letter(LetterKind.EXISTS), office))
    assert round((wide - narrow) / MM) == 5  # left margin 3 cm instead of 2.5 cm


def test_addressee_in_its_own_place(office):
    letter = dataclasses.replace(
        sample_letter(LetterKind.CREATED),
        addressee=Addressee(title="Camat Awayan", place="Awayan"))
    _, text = _render(letter, office)
    assert "Yth. Camat Awayan di Awayan" in text
    assert "di - " not in text


def test_a_missing_font_is_named_with_its_package(tmp_path: Path):
    from letters.fonts import FontMissing, font_dir

    with pytest.raises(FontMissing, match="fonts-liberation2"):
        font_dir((tmp_path,))
    assert (font_dir() / "LiberationSans-Regular.ttf").is_file()


def test_the_emblem_warning(tmp_path: Path):
    from bot.paperwork import letter_warnings
    from tests.support.office import office_settings

    assert "OFFICE_EMBLEM_PATH is not set" in letter_warnings(office_settings())[0]
    emblem = tmp_path / "lambang.png"
    PILImage.new("RGB", (80, 96), (20, 120, 40)).save(emblem)
    assert letter_warnings(office_settings(OFFICE_EMBLEM_PATH=str(emblem),
                                           LETTER_CLASSIFICATION_CODE="000.5.10")) == []


def test_the_classification_warning_names_the_archivist_and_permendagri_83_2022():
    from bot.paperwork import letter_warnings
    from tests.support.office import office_settings

    unset = " ".join(letter_warnings(office_settings()))
    assert "LETTER_CLASSIFICATION_CODE is not set" in unset
    assert "archivist" in unset and "Permendagri 83/2022" in unset
    old = " ".join(letter_warnings(office_settings(LETTER_CLASSIFICATION_CODE="555")))
    assert "not dotted" in old
    per_outcome = office_settings(LETTER_CLASSIFICATION_CODE="000.5.10",
                                  LETTER_CLASSIFICATION_CODES="declined=000.5.10.3")
    assert per_outcome.office.classification_for("declined") == "000.5.10.3"
    assert per_outcome.office.classification_for("created") == "000.5.10"
    assert not any("CLASSIFICATION" in w for w in letter_warnings(per_outcome))
    # Under manual numbering the number (classification included) comes from the agenda.
    manual = office_settings(LETTER_NUMBERING="manual")
    assert not any("CLASSIFICATION" in w for w in letter_warnings(manual))
