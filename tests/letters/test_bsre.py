"""The BSrE v2 client against the stand-in: a real signature comes back, errors are one
sentence, the passphrase never leaves the request body."""

import asyncio
import dataclasses

import pytest

from devtools.letter_samples import sample_letter
from letters.bsre import BsreClient, BsreError
from letters.model import LetterKind, Seal, SignatureBox
from letters.render import render_reply_letter
from letters.signing import appearance_png
from letters.signing import verify_pdf_async as verify_pdf
from tests.support.bsre_standin import PASSWORD, USERNAME, BsreStandIn

NIK = "6308010101750001"


@pytest.fixture
async def bsre():
    standin = await BsreStandIn().start()
    standin.enrol(NIK, "H. AHMAD RIDUAN", "rahasia-ttd", email="kadis@example.go.id")
    yield standin
    await standin.stop()


def _letter(office) -> tuple[bytes, SignatureBox]:
    boxes: list[SignatureBox] = []
    letter = dataclasses.replace(sample_letter(LetterKind.ADVICE), seal=Seal.BSRE)
    return render_reply_letter(letter, office, signature_box=boxes), boxes[0]


async def _sign(client: BsreClient, pdf: bytes, box: SignatureBox, **who) -> bytes:
    return await asyncio.to_thread(
        client.sign_pdf, pdf, box=box, image_png=appearance_png(["TTE"], box),
        reason="Surat balasan", location="Paringin", **who)


async def test_signed_by_nik_or_email_and_verified_by_both_sides(bsre, office):
    client = BsreClient(bsre.url, USERNAME, PASSWORD)
    pdf, box = _letter(office)
    signed = await _sign(client, pdf, box, nik=NIK, passphrase="rahasia-ttd")
    [report] = await verify_pdf(signed, [bsre.ca.pem])
    assert report.valid and report.signer == "H. AHMAD RIDUAN"
    sent = bsre.requests[-1]
    assert sent["nik"] == NIK and "passphrase" not in sent  # the stand-in drops it on record
    [props] = sent["signatureProperties"]
    assert props["tampilan"] == "VISIBLE" and props["page"] == 1
    assert props["originX"] == round(box.x1, 2) and props["height"] == round(box.height, 2)
    by_mail = await _sign(client, pdf, box, email="kadis@example.go.id",
                          passphrase="rahasia-ttd")
    assert (await verify_pdf(by_mail, [bsre.ca.pem]))[0].valid
    verdict = await asyncio.to_thread(client.verify_pdf, signed)
    assert verdict.conclusion == "VALID" and verdict.signers == ("H. AHMAD RIDUAN",)


async def test_errors_are_one_sentence_without_the_passphrase(bsre, office):
    pdf, box = _letter(office)
    client = BsreClient(bsre.url, USERNAME, PASSWORD)
    with pytest.raises(BsreError) as wrong:
        await _sign(client, pdf, box, nik=NIK, passphrase="keliru-123")
    assert wrong.value.message_id.startswith("BSrE menolak frasa sandi")
    assert "keliru-123" not in str(wrong.value)
    with pytest.raises(BsreError, match=r"^BSrE menolak penandatanganan \(Pengguna tidak"):
        await _sign(client, pdf, box, nik="1111", passphrase="x")
    with pytest.raises(BsreError, match="Akun aplikasi di BSrE ditolak"):
        await _sign(BsreClient(bsre.url, USERNAME, "salah"), pdf, box, nik=NIK,
                    passphrase="rahasia-ttd")
    bsre.down_with = (503, "Sertifikat pengguna telah dicabut")
    with pytest.raises(BsreError, match=r"\(Sertifikat pengguna telah dicabut\); surat belum"):
        await _sign(client, pdf, box, nik=NIK, passphrase="rahasia-ttd")
    await bsre.stop()
    with pytest.raises(BsreError, match="tidak dapat dihubungi"):
        await _sign(client, pdf, box, nik=NIK, passphrase="rahasia-ttd")
