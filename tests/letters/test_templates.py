import dataclasses
from pathlib import Path

import pytest

from devtools.letter_samples import sample_letter
from letters.body import (
    DEFAULT_TEMPLATES_DIR,
    TEMPLATE_NAMES,
    CredentialError,
    Paragraph,
    RecordsTable,
    TemplateError,
    build_body,
    check_templates,
    load_template,
    office_display_name,
    title_case_id,
)
from letters.model import LetterKind
from letters.render import render_reply_letter

from .conftest import pdf_text


def test_packaged_templates_are_valid_text_files():
    check_templates()
    for name in TEMPLATE_NAMES:
        path = DEFAULT_TEMPLATES_DIR / f"{name}.txt"
        assert path.read_text(encoding="utf-8").strip()


def test_body_of_created_letter(office):
    letter = sample_letter(LetterKind.CREATED)
    blocks = build_body(letter, office)
    first = blocks[0]
    assert isinstance(first, Paragraph)
    assert first.text.startswith(
        "Menindaklanjuti surat Saudara Nomor 400.7/512/Dinkes/2026 tanggal 20 November 2026 "
        "perihal Permohonan Pembuatan Subdomain Dinas Kesehatan, dengan hormat kami sampaikan "
        "bahwa subdomain dinkes.balangankab.go.id telah selesai dibuat"
    )
    tables = [b for b in blocks if isinstance(b, RecordsTable)]
    assert len(tables) == 1 and tables[0].records == letter.records
    last = blocks[-1]
    assert isinstance(last, Paragraph)
    assert last.text == (
        "Demikian disampaikan, atas perhatian dan kerja sama Saudara diucapkan terima kasih."
    )


def test_paragraph_with_empty_placeholder_is_dropped(office):
    with_advice = sample_letter(LetterKind.DECLINED)
    without = dataclasses.replace(with_advice, advice="")
    texts = [b.text for b in build_body(with_advice, office) if isinstance(b, Paragraph)]
    assert any("kami sarankan" in t for t in texts)
    texts = [b.text for b in build_body(without, office) if isinstance(b, Paragraph)]
    assert not any("kami sarankan" in t for t in texts)


def test_office_name_in_running_text(office):
    assert title_case_id("DINAS KOMUNIKASI DAN INFORMATIKA") == "Dinas Komunikasi dan Informatika"
    assert office_display_name(office) == "Dinas Komunikasi dan Informatika Kabupaten Balangan"


def test_override_directory_replaces_only_given_files(tmp_path: Path, office):
    (tmp_path / "created.txt").write_text(
        "# our own wording\n"
        "bahwa subdomain $subdomain_ascii sudah kami aktifkan\n"
        "per $date_active.\n\n$records_table\n\nAkun: $account_instructions.\n",
        encoding="utf-8",
    )
    letter = sample_letter(LetterKind.CREATED)
    text = pdf_text(render_reply_letter(letter, office, templates_dir=tmp_path))
    assert (
        "bahwa subdomain dinkes.balangankab.go.id sudah kami aktifkan per 28 November 2026."
    ) in text
    assert "our own wording" not in text
    # opening and closing still come from the packaged defaults
    assert "Menindaklanjuti surat Saudara Nomor 400.7/512/Dinkes/2026" in text
    assert "diucapkan terima kasih." in text
    assert "telah selesai dibuat" not in text


def test_unknown_placeholder_is_reported_clearly(tmp_path: Path, office):
    bad = tmp_path / "exists.txt"
    bad.write_text("bahwa subdomain $subdomain ada sejak $tanggal_dibuat.\n", encoding="utf-8")
    with pytest.raises(TemplateError) as info:
        render_reply_letter(sample_letter(LetterKind.EXISTS), office, templates_dir=tmp_path)
    message = str(info.value)
    assert "$tanggal_dibuat" in message
    assert str(bad) in message
    assert "$subdomain" in message  # lists the known placeholders


def test_required_placeholder_missing(tmp_path: Path):
    (tmp_path / "created.txt").write_text("bahwa subdomain $subdomain sudah dibuat.\n")
    with pytest.raises(TemplateError, match=r"must use placeholder\(s\) \$records_table"):
        load_template("created", tmp_path)
    (tmp_path / "created.txt").unlink()
    (tmp_path / "declined.txt").write_text("bahwa permohonan ditolak.\n")
    with pytest.raises(TemplateError, match=r"\$reason"):
        check_templates(tmp_path)


def test_stray_dollar_and_inline_table_marker(tmp_path: Path):
    (tmp_path / "advice.txt").write_text("Biaya $ 100 untuk $reason\n")
    with pytest.raises(TemplateError, match=r"line 1.*\$\$"):
        load_template("advice", tmp_path)
    (tmp_path / "created.txt").write_text("bahwa $subdomain: $records_table\n")
    with pytest.raises(TemplateError, match="stand alone"):
        load_template("created", tmp_path)
    with pytest.raises(TemplateError, match="unknown template"):
        load_template("nonsense", tmp_path)


def test_dollar_escape_and_utf8(tmp_path: Path, office):
    (tmp_path / "closing.txt").write_text("Biaya layanan: Rp0 (bukan $$5). Terima kasih — salam.\n")
    text = pdf_text(
        render_reply_letter(sample_letter(LetterKind.EXISTS), office, templates_dir=tmp_path)
    )
    assert "Biaya layanan: Rp0 (bukan $5). Terima kasih — salam." in text


def test_template_cannot_smuggle_a_password(tmp_path: Path, office):
    (tmp_path / "exists.txt").write_text("bahwa $subdomain ada. Password: rahasia123\n")
    with pytest.raises(CredentialError, match="credential"):
        render_reply_letter(sample_letter(LetterKind.EXISTS), office, templates_dir=tmp_path)


@pytest.mark.parametrize(
    "reason", ["akun lama: admin, password: Rahasia#1", "Kata sandi = qwerty", "PWD:abc"]
)
def test_user_text_cannot_carry_a_password(office, reason):
    letter = dataclasses.replace(sample_letter(LetterKind.DECLINED), reason=reason)
    with pytest.raises(CredentialError):
        render_reply_letter(letter, office)


def test_account_paragraph_only_where_the_office_hosts_the_site(office):
    hosted = sample_letter(LetterKind.CREATED)
    own_server = dataclasses.replace(hosted, account_instructions="")
    hosted_text = " ".join(b.text for b in build_body(hosted, office) if isinstance(b, Paragraph))
    own_text = " ".join(b.text for b in build_body(own_server, office)
                        if isinstance(b, Paragraph))
    assert "akun pengelola subdomain disampaikan" in hosted_text
    assert "nama pengguna dan kata sandi" in hosted_text
    assert "akun" not in own_text and "kata sandi" not in own_text


def test_hal_and_tembusan_come_from_the_outcome_template(tmp_path: Path, office):
    from letters.body import subject_of, tembusan_of

    letter = sample_letter(LetterKind.DECLINED)
    assert subject_of(letter, office) == (
        "Jawaban atas Permohonan Subdomain dinkes.balangankab.go.id")
    assert tembusan_of(letter, office) == ("Arsip",)
    (tmp_path / "declined.txt").write_text(
        "Hal: Penolakan Permohonan $subdomain\n"
        "Tembusan: Bupati Balangan (sebagai laporan); Inspektorat; Arsip\n\n"
        "bahwa permohonan $subdomain ditolak karena $reason\n")
    assert subject_of(letter, office, tmp_path) == "Penolakan Permohonan dinkes.balangankab.go.id"
    assert tembusan_of(letter, office, tmp_path) == (
        "Bupati Balangan (sebagai laporan)", "Inspektorat", "Arsip")
    # the setting (the letter's own tembusan) wins over the template
    own = dataclasses.replace(letter, tembusan=("Sekretaris Daerah",))
    assert tembusan_of(own, office, tmp_path) == ("Sekretaris Daerah",)
    (tmp_path / "declined.txt").write_text("Hal: $nope\n\nbahwa $reason\n")
    with pytest.raises(TemplateError, match=r"\$nope"):
        load_template("declined", tmp_path)


def test_packaged_outcome_templates_must_name_their_hal():
    from letters.body import OUTCOMES

    for name in OUTCOMES:
        assert load_template(name).headers["Hal"]
