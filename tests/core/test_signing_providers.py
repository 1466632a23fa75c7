"""Each signing provider through the office service, on a real SQLite file: the letter the
register keeps is signed (pades, bsre: checked with pyHanko against the test CA), printed and
then replaced by its scan (wet); bad input is one sentence, nothing numbered, nothing delivered,
the step still open."""

from __future__ import annotations

import hashlib
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfWriter

from bot.service import ActionInput, Office, SigningRefused
from bot.workflow import Action, State
from letters.signing import verify_pdf_async
from storage.models import Request
from tests.support.botrun import TINY_PDF
from tests.support.bsre_standin import PASSWORD, USERNAME, BsreStandIn
from tests.support.office import (
    HEAD,
    REQUESTER,
    STAFF,
    Clock,
    open_office,
    person,
    seed_people,
    submit,
)
from tests.support.pki import NOW, CertAuthority

HEAD_NIP = "197001011990031001"
REASON = "Subdomain tidak diperuntukkan bagi layanan Perangkat Daerah."
FUTURE = datetime(9999, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def ca() -> CertAuthority:
    return CertAuthority()


async def _office(tmp: Path, **env: str) -> Office:
    clock = Clock(NOW)
    office = await open_office(tmp / "bot.sqlite3", clock, DATA_DIR=str(tmp / "data"), **env)
    await seed_people(office.store, clock())
    return office


async def _decline(office: Office, request: Request, **given: object) -> Request:
    head = await person(office, HEAD)
    current = await office.store.request(request.id)
    return await office.act(head, current.id, ActionInput(
        Action.DECLINE, current.version, note=REASON, **given))  # type: ignore[arg-type]


def _no_pages() -> bytes:
    out = io.BytesIO()
    PdfWriter().write(out)
    return out.getvalue()


def _letter_files(office: Office) -> list[Path]:
    folder = office.settings.data_dir / "letters"
    return sorted(p for p in folder.rglob("*") if p.is_file() and "drafts" not in p.parts) \
        if folder.exists() else []


async def _nothing_happened(office: Office, request: Request, queued: int) -> None:
    assert (await office.store.request(request.id)).state == State.DISPOSITION_HEAD
    assert await office.letters() == []
    assert _letter_files(office) == []
    assert len(await office.store.pending_messages(now=FUTURE, limit=1000)) == queued


@pytest.fixture
async def pades(tmp_path: Path, ca: CertAuthority) -> AsyncIterator[tuple[Office, Path]]:
    keys = tmp_path / "keys"
    keys.mkdir()
    (keys / "kadis.p12").write_bytes(ca.pkcs12(ca.issue("Ir. H. RAHMADI"), "sandi-p12"))
    secret = keys / "passphrase"
    secret.write_text("sandi-p12\n")
    (keys / "ca.crl").write_bytes(ca.crl())  # the CA's revocation list: nobody revoked yet
    office = await _office(tmp_path, SIGNING_PROVIDER="pades",
                           SIGNING_PKCS12_PATH=str(keys / "kadis.p12"),
                           SIGNING_PKCS12_PASSPHRASE_FILE=str(secret),
                           SIGNING_CRL_PATHS=str(keys / "ca.crl"),
                           SIGNING_TRUST_ROOTS=str(_pem(tmp_path, ca)))
    yield office, secret
    await office.close()


def _pem(tmp: Path, ca: CertAuthority) -> Path:
    path = tmp / "root.pem"
    path.write_bytes(ca.pem)
    return path


async def test_pades_signs_the_registered_letter(pades, ca, caplog) -> None:
    office, _ = pades
    request = await submit(office)
    done = await _decline(office, request)
    assert done.state == State.DECLINED
    [letter] = await office.letters()
    assert letter.seal == "pades" and letter.sequence == 1
    pdf = letter.path.read_bytes()
    [report] = await verify_pdf_async(pdf, [ca.pem])
    assert report.valid and report.signer == "Ir. H. RAHMADI"
    assert "sandi-p12" not in caplog.text


async def test_pades_refusals_leave_nothing_numbered_and_the_step_open(pades, ca,
                                                                       caplog) -> None:
    office, secret = pades
    request = await submit(office)
    queued = len(await office.store.pending_messages(now=FUTURE, limit=1000))
    secret.write_text("keliru\n")
    with pytest.raises(SigningRefused) as wrong:
        await _decline(office, request)
    assert wrong.value.message_id.startswith("Frasa sandi sertifikat elektronik tidak cocok")
    await _nothing_happened(office, request, queued)
    # an expired certificate
    expired = ca.issue("Ir. H. RAHMADI", days_left=-1, days_old=400)
    office.settings.signing.pkcs12_path.write_bytes(
        ca.pkcs12(expired, "sandi-p12"))
    secret.write_text("sandi-p12\n")
    with pytest.raises(SigningRefused, match="sudah kedaluwarsa"):
        await _decline(office, request)
    await _nothing_happened(office, request, queued)
    # a revoked certificate (the CA's CRL lists it)
    revoked = ca.issue("Ir. H. RAHMADI")
    office.settings.signing.pkcs12_path.write_bytes(ca.pkcs12(revoked, "sandi-p12"))
    (office.settings.signing.pkcs12_path.parent / "ca.crl").write_bytes(ca.crl(revoked))
    with pytest.raises(SigningRefused, match="telah dicabut"):
        await _decline(office, request)
    await _nothing_happened(office, request, queued)
    # a good certificate again: the first number of the year is still 1
    office.settings.signing.pkcs12_path.write_bytes(
        ca.pkcs12(ca.issue("Ir. H. RAHMADI"), "sandi-p12"))
    await _decline(office, request)
    assert [x.sequence for x in await office.letters()] == [1]
    assert "keliru" not in caplog.text and "sandi-p12" not in caplog.text


async def test_pades_one_certificate_per_signatory_by_nip(tmp_path, ca) -> None:
    keys = tmp_path / "keys"
    keys.mkdir()
    (keys / f"{HEAD_NIP}.p12").write_bytes(ca.pkcs12(ca.issue("KADIS SENDIRI"), "milik-kadis"))
    (keys / f"{HEAD_NIP}.passphrase").write_text("milik-kadis")
    office = await _office(tmp_path, SIGNING_PROVIDER="pades", SIGNING_PKCS12_DIR=str(keys))
    try:
        await _decline(office, await submit(office))
        [letter] = await office.letters()
        [report] = await verify_pdf_async(letter.path.read_bytes(), [ca.pem])
        assert report.valid and report.signer == "KADIS SENDIRI"
    finally:
        await office.close()


@pytest.fixture
async def bsre(tmp_path: Path) -> AsyncIterator[tuple[Office, BsreStandIn]]:
    standin = await BsreStandIn().start()
    standin.enrol("6308010101700001", "Ir. H. RAHMADI", "ttd-rahasia")
    office = await _office(tmp_path, SIGNING_PROVIDER="bsre", BSRE_URL=standin.url,
                           BSRE_USERNAME=USERNAME, BSRE_PASSWORD=PASSWORD)
    yield office, standin
    await office.close()
    await standin.stop()


async def test_bsre_signs_with_the_nik_kept_for_the_signatory(bsre, caplog) -> None:
    office, standin = bsre
    request = await submit(office)
    queued = len(await office.store.pending_messages(now=FUTURE, limit=1000))
    with pytest.raises(SigningRefused, match=r"NIK atau surel BSrE .* belum terdaftar"):
        await _decline(office, request, secret="ttd-rahasia")
    await _nothing_happened(office, request, queued)
    head = await person(office, HEAD)
    # said when the button is pressed, before the passphrase is asked (an alert: short)
    with pytest.raises(SigningRefused, match="/nik") as early:
        await office.check(head, request.id, Action.DECLINE, request.version)
    assert len(early.value.message_id) <= 200
    await office.set_esign_identity(HEAD, nik="6308010101700001")
    await office.check(head, request.id, Action.DECLINE, request.version)
    with pytest.raises(SigningRefused, match="BSrE menolak frasa sandi"):
        await _decline(office, request, secret="salah-ketik")
    await _nothing_happened(office, request, queued)
    standin.down_with = (500, "Layanan sedang gangguan")
    with pytest.raises(SigningRefused, match=r"BSrE menolak penandatanganan \(Layanan sedang"):
        await _decline(office, request, secret="ttd-rahasia")
    await _nothing_happened(office, request, queued)
    standin.down_with = None
    await _decline(office, request, secret="ttd-rahasia")
    [letter] = await office.letters()
    assert letter.seal == "bsre" and letter.sequence == 1 and letter.signed_by == head.name
    [report] = await verify_pdf_async(letter.path.read_bytes(), [standin.ca.pem])
    assert report.valid and report.signer == "Ir. H. RAHMADI"
    assert standin.requests[-1]["nik"] == "6308010101700001"
    verdict = await office.bsre_verdict(letter.path.read_bytes())
    assert verdict is not None and verdict.conclusion == "VALID"
    assert verdict.signers == ("Ir. H. RAHMADI",)
    assert "ttd-rahasia" not in caplog.text and "salah-ketik" not in caplog.text
    audit = await office.store.timeline(request.id)
    assert "ttd-rahasia" not in repr(audit)


async def test_wet_prints_for_the_staff_and_delivers_only_the_scan(tmp_path) -> None:
    office = await _office(tmp_path, SIGNING_PROVIDER="wet")
    try:
        request = await submit(office)
        printed = await _decline(office, request)
        assert printed.state == "wet_signature_declined"
        [letter] = await office.letters()
        assert letter.seal == "wet" and letter.scan_path is None
        text = letter.path.read_bytes()
        assert text.startswith(b"%PDF-")
        queued = await office.store.pending_messages(now=FUTURE, limit=1000)
        documents = [m for m in queued if m.kind == "document"]
        assert [m.chat_id for m in documents] == [STAFF]  # to print; the requester gets none
        assert documents[0].payload["path"] == str(letter.path)
        staff = await person(office, STAFF)
        for bad, said in ((b"", "Berkas pindaian kosong"),
                          (b"GIF89a...", "bukan PDF yang utuh"),
                          (TINY_PDF, "bukan PDF yang dapat dibaca"),
                          (_no_pages(), "tidak memuat halaman apa pun")):
            with pytest.raises(SigningRefused, match=said):
                await office.act(staff, request.id, ActionInput(
                    Action.UPLOAD_SCAN, printed.version, document=bad))
            assert (await office.store.request(request.id)).state == printed.state
            assert (await office.letters())[0].scan_path is None
            assert len(await office.store.pending_messages(now=FUTURE, limit=1000)) == len(
                queued)
        scan = letter.path.read_bytes()  # stands in for the scanner's PDF
        done = await office.act(staff, request.id, ActionInput(
            Action.UPLOAD_SCAN, printed.version, document=scan + b"\n% dipindai\n"))
        assert done.state == State.DECLINED
        [letter] = await office.letters()
        assert letter.scan_path is not None and letter.scan_path.is_file()
        assert letter.scan_sha256 == hashlib.sha256(letter.scan_path.read_bytes()).hexdigest()
        assert letter.scan_sha256 != letter.sha256
        sent = [m for m in await office.store.pending_messages(now=FUTURE, limit=1000)
                if m.kind == "document" and m.chat_id == REQUESTER]
        assert [m.payload["path"] for m in sent] == [str(letter.scan_path)]
    finally:
        await office.close()


async def test_an_invite_carries_the_nik_to_the_signatory(tmp_path) -> None:
    from storage.invites import InviteSpec

    office = await _office(tmp_path)
    try:
        code, _ = await office.create_invite(InviteSpec(
            name="Plt. Kadis", position="kepala_dinas", nip="198001012005011001",
            rank="Pembina", acting="plt", valid_until=NOW.date().replace(year=2027),
            nik="6308010101800002"))
        await office.redeem_invite(7001, code)
        invited = await person(office, 7001)
        identity = await office.store.esign_identity(invited.id)
        assert identity is not None and identity.nik == "6308010101800002"
    finally:
        await office.close()


async def test_the_welcome_asks_a_bsre_signatory_for_the_nik_only_when_needed(
        bsre, tmp_path) -> None:
    from bot.service import Refused
    from storage.invites import InviteSpec

    office, _standin = bsre
    until = NOW.date().replace(year=2027)

    async def welcome_of(telegram_user_id: int, **spec: object) -> str:
        code, _ = await office.create_invite(InviteSpec(name=f"Pejabat {telegram_user_id}",
                                                        **spec))  # type: ignore[arg-type]
        await office.redeem_invite(telegram_user_id, code)
        queued = await office.store.pending_messages(now=FUTURE, limit=1000)
        return next(str(m.payload["text"]) for m in reversed(queued)
                    if m.chat_id == telegram_user_id and "Selamat datang" in m.payload["text"])

    assert "/nik" in await welcome_of(7001, position="kepala_dinas", acting="plt",
                                      valid_until=until)
    assert "/nik" not in await welcome_of(7002, position="kepala_dinas", acting="plh",
                                          valid_until=until, nik="6308010101800002")
    assert "/nik" not in await welcome_of(7003, position="kasi")  # signs nothing
    with pytest.raises(Refused, match="hanya dicatat bagi pejabat penandatangan"):
        await office.give_esign_identity(7003, "6308010101700009")
    for wrong in ("630801010170000", "6308 0101 0170 00xx", "nama@", "a b@c"):
        with pytest.raises(Refused, match="Contoh: /nik"):
            await office.give_esign_identity(7001, wrong)
    said = await office.give_esign_identity(7001, "6308 0101 0180 0003")
    assert "berakhiran 0003" in said and "6308" not in said
    said = await office.give_esign_identity(7001, "nurul.aini@example.go.id")
    assert "n…@example.go.id" in said
    identity = await office.store.esign_identity((await person(office, 7001)).id)
    assert identity is not None
    assert (identity.nik, identity.email) == ("6308010101800003", "nurul.aini@example.go.id")


async def test_nik_is_not_asked_without_bsre(tmp_path) -> None:
    from bot.service import Refused

    office = await _office(tmp_path)
    try:
        with pytest.raises(Refused, match="BSrE"):
            await office.give_esign_identity(HEAD, "6308010101700001")
    finally:
        await office.close()
