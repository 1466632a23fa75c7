"""PAdES signatures on real letters: signed with a test CA's certificate, checked with pyHanko."""

import asyncio
import dataclasses
from datetime import timedelta

import pytest

from devtools.letter_samples import sample_letter
from letters.model import LetterKind, Seal, SignatureBox
from letters.render import render_reply_letter
from letters.signing import (
    SigningError,
    appearance_png,
    load_pkcs12,
    sign_pades,
    verify_pdf,
    verify_pdf_async,
)
from tests.support.pki import NOW, CertAuthority
from tests.support.tsa import LocalTsa

from .conftest import pdf_text

PASS = "frasa-sandi-uji"


@pytest.fixture(scope="module")
def ca() -> CertAuthority:
    return CertAuthority()


def _final(office, seal=Seal.PADES) -> tuple[bytes, SignatureBox]:
    letter = dataclasses.replace(sample_letter(LetterKind.CREATED), seal=seal)
    boxes: list[SignatureBox] = []
    pdf = render_reply_letter(letter, office, signature_box=boxes)
    assert len(boxes) == 1
    return pdf, boxes[0]


def test_a_signed_letter_is_intact_names_its_signer_and_lies_in_the_signature_block(ca, office):
    issued = ca.issue("H. AHMAD RIDUAN")
    cert = load_pkcs12(ca.pkcs12(issued, PASS), PASS, now=NOW)
    pdf, box = _final(office)
    # the box is the empty space between the title line and the name, on the first page
    assert box.page == 0 and box.width > 200 and 60 < box.height < 80
    mark = appearance_png(["Ditandatangani secara elektronik oleh", "H. AHMAD RIDUAN"], box,
                          qr="https://verifikasi.example/ABC")
    signed = sign_pades(pdf, cert, box, appearance=mark, reason="Surat balasan",
                        location="Paringin")
    assert signed.startswith(pdf)  # an incremental update: the rendered letter is untouched
    [report] = verify_pdf(signed, [ca.pem])
    assert report.intact and report.covers_document and report.trusted and report.valid
    assert report.signer == "H. AHMAD RIDUAN"
    assert report.signed_at is not None and not report.timestamped
    # the footer says what the letter carries
    text = pdf_text(signed)
    assert "ditandatangani secara elektronik dengan sertifikat elektronik atas nama" in text
    assert "CONTOH DEMO" not in text


def test_a_changed_byte_breaks_the_signature_and_another_root_is_not_trusted(ca, office):
    issued = ca.issue("H. AHMAD RIDUAN")
    cert = load_pkcs12(ca.pkcs12(issued, PASS), PASS, now=NOW)
    pdf, box = _final(office)
    signed = sign_pades(pdf, cert, box, appearance=appearance_png(["x"], box), reason="r",
                        location="l")
    at = signed.index(b"/Author")  # inside the signed range
    tampered = signed[:at] + b"/Buthor" + signed[at + 7:]
    [report] = verify_pdf(tampered, [ca.pem])
    assert not report.intact and not report.valid
    [other] = verify_pdf(signed, [CertAuthority().pem])
    assert other.intact and other.trusted is False and not other.valid
    assert verify_pdf(pdf) == []  # unsigned
    assert verify_pdf(b"not a pdf") == []


def test_wrong_passphrase_expired_and_revoked_are_refused_in_one_sentence(ca):
    issued = ca.issue("PEJABAT")
    data = ca.pkcs12(issued, PASS)
    with pytest.raises(SigningError) as wrong:
        load_pkcs12(data, "salah", now=NOW)
    assert wrong.value.message_id.startswith("Frasa sandi sertifikat elektronik tidak cocok")
    assert "salah" not in str(wrong.value) and PASS not in str(wrong.value)
    old = ca.issue("PEJABAT LAMA", days_left=-2, days_old=400)
    with pytest.raises(SigningError, match="sudah kedaluwarsa sejak"):
        load_pkcs12(ca.pkcs12(old, PASS), PASS, now=NOW)
    with pytest.raises(SigningError, match="belum berlaku"):
        load_pkcs12(data, PASS, now=NOW - timedelta(days=60))
    with pytest.raises(SigningError, match="telah dicabut"):
        load_pkcs12(data, PASS, now=NOW, crls=[ca.crl(issued)])
    # a CRL that does not list it: accepted
    assert load_pkcs12(data, PASS, now=NOW, crls=[ca.crl()]).holder == "PEJABAT"


async def test_a_timestamp_from_the_tsa_is_embedded_and_a_dead_tsa_refuses(ca, office):
    tsa = await LocalTsa(ca).start()
    try:
        cert = load_pkcs12(ca.pkcs12(ca.issue("H. AHMAD RIDUAN"), PASS), PASS, now=NOW)
        pdf, box = _final(office)
        signed = await asyncio.to_thread(
            sign_pades, pdf, cert, box, appearance=appearance_png(["x"], box), reason="r",
            location="l", tsa_url=tsa.url)
        assert tsa.calls >= 1  # pyHanko also asks once to size the signature
        [report] = await verify_pdf_async(signed, [ca.pem])
        assert report.valid and report.timestamped
    finally:
        await tsa.stop()
    with pytest.raises(SigningError, match="Layanan cap waktu"):
        await asyncio.to_thread(
            sign_pades, pdf, cert, box, appearance=appearance_png(["x"], box), reason="r",
            location="l", tsa_url=tsa.url)
