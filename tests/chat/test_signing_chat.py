"""Signing through the chat on the real Application and the Bot API emulator: the BSrE
passphrase asked in the signatory's private chat and deleted at once; the wet-signed scan
uploaded by the staff and delivered as the letter."""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta
from pathlib import Path

import pytest

from bot.workflow import Role, State
from devtools.emulator import BotApiEmulator
from letters.signing import verify_pdf_async
from storage.invites import InviteSpec
from tests.chat.test_delivery import settled
from tests.support.botrun import TINY_PDF, cast, seed, settings_for
from tests.support.bsre_standin import PASSWORD, USERNAME, BsreStandIn
from tests.support.chat import Scene, file_request, office_bot
from tests.support.office import HEAD, Clock

REASON = "Subdomain tidak diperuntukkan bagi layanan Perangkat Daerah."
NIK = "6308010101700001"
NUMBER = "555/12/Diskominfo-Blg/2026"
PLT = 7001


async def _scene(emu: BotApiEmulator, tmp: Path, **env: str) -> Scene:
    clock = Clock()
    settings = settings_for(emu, tmp, **env)
    await seed(settings, clock)
    return Scene(emu, settings, clock, cast(emu), tmp)


def _deleted(emu: BotApiEmulator, message_id: int) -> bool:
    return any(e.kind == "delete" and e.text == f"#{message_id}" for e in emu.transcript)


async def test_bsre_passphrase_is_asked_privately_and_deleted(emu: BotApiEmulator,
                                                              tmp_path: Path) -> None:
    bsre = await BsreStandIn().start()
    try:
        bsre.enrol(NIK, "Drs. H. Rahmadi, M.Si", "ttd-rahasia")
        s = await _scene(emu, tmp_path, SIGNING_PROVIDER="bsre", BSRE_URL=bsre.url,
                         BSRE_USERNAME=USERNAME, BSRE_PASSWORD=PASSWORD)
        head, requester = s.people.head, s.people.requester
        async with office_bot(s) as (_app, office):
            await office.set_esign_identity(HEAD, nik=NIK)
            request = await file_request(office)
            card = await head.wait_for("Tahap 1")
            await head.press(card, "Tolak permohonan")
            await head.wait_for(lambda m: m.edited and "catatan" in m.content)
            await head.send_text(REASON)
            ask = await head.wait_for("frasa sandi (passphrase)")
            assert ask.button_texts == ["Batal"] and "segera dihapus" in ask.text

            wrong = await head.send_text("salah-ketik")
            refused = await head.wait_for("BSrE menolak frasa sandi")
            assert refused.button_texts == [] and ask.button_texts == ["Batal"]
            assert _deleted(emu, wrong.message_id)
            assert (await office.store.request(request.id)).state == State.DISPOSITION_HEAD
            assert await office.letters() == []

            right = await head.send_text("ttd-rahasia")
            await head.wait_for(lambda m: m.edited and "✅ Tolak permohonan" in m.content)
            assert _deleted(emu, right.message_id)
            assert (await office.store.request(request.id)).state == State.DECLINED
            letter = await requester.wait_for(lambda m: m.document is not None)
            [issued] = await office.letters()
            assert letter.document is not None
            sent = emu.world.file(letter.document.file_id).data
            assert hashlib.sha256(sent).hexdigest() == issued.sha256
            [report] = await verify_pdf_async(sent, [bsre.ca.pem])
            assert report.valid and report.signer == "Drs. H. Rahmadi, M.Si"
    finally:
        await bsre.stop()


async def test_wet_scan_is_uploaded_in_chat_and_delivered(emu: BotApiEmulator,
                                                          tmp_path: Path) -> None:
    s = await _scene(emu, tmp_path, SIGNING_PROVIDER="wet")
    head, staff, requester = s.people.head, s.people.staff, s.people.requester
    async with office_bot(s) as (_app, office):
        request = await file_request(office)
        card = await head.wait_for("Tahap 1")
        await head.press(card, "Tolak permohonan")
        await head.wait_for(lambda m: m.edited and "catatan" in m.content)
        await head.send_text(REASON)
        await head.wait_for(lambda m: m.edited and "✅ Tolak permohonan" in m.content)

        printed = await staff.wait_for(lambda m: m.document is not None)
        assert "Mohon cetak surat ini" in printed.content
        task = await staff.wait_for(lambda m: "Unggah pindaian surat" in m.button_texts)
        await staff.press(task, "Unggah pindaian surat")
        await staff.wait_for("Mohon kirim pindaian surat")

        await staff.send_document(b"", "kosong.pdf")
        await staff.wait_for("Berkas pindaian kosong")
        await staff.send_document(TINY_PDF[:20], "rusak.pdf")
        await staff.wait_for("bukan PDF yang utuh")
        await staff.send_photo(b"\xff\xd8\xff\xe0 foto pindaian")
        await staff.wait_for("harus berupa berkas PDF")
        assert (await office.store.request(request.id)).state == "wet_signature_declined"
        assert not [m for m in requester.inbox if m.document is not None]

        assert printed.document is not None
        scan = emu.world.file(printed.document.file_id).data + b"\n% pindaian\n"
        await staff.send_document(scan, "pindaian.pdf")
        await staff.wait_for(lambda m: m.edited and "✅ Unggah pindaian surat" in m.content)
        delivered = await requester.wait_for(lambda m: m.document is not None)
        assert delivered.document is not None
        assert emu.world.file(delivered.document.file_id).data == scan
        [issued] = await office.letters()
        assert issued.scan_sha256 == hashlib.sha256(scan).hexdigest()
        assert (await office.store.request(request.id)).state == State.DECLINED
        # once the outbox is idle: the printed (unsigned) PDF never reached the requester
        await settled(office)
        assert [m.message_id for m in requester.inbox if m.document is not None] == [
            delivered.message_id]


async def test_bsre_under_manual_numbering_asks_the_signatory_after_the_number(
        emu: BotApiEmulator, tmp_path: Path) -> None:
    """The signatory declines (no passphrase yet: the letter has no number); the admin types
    the number from the agenda book; then the signatory gets their own step and gives the
    passphrase in their private chat, where it is deleted at once; the letter goes out."""
    bsre = await BsreStandIn().start()
    try:
        bsre.enrol(NIK, "Drs. H. Rahmadi, M.Si", "ttd-rahasia")
        s = await _scene(emu, tmp_path, SIGNING_PROVIDER="bsre", BSRE_URL=bsre.url,
                         BSRE_USERNAME=USERNAME, BSRE_PASSWORD=PASSWORD,
                         LETTER_NUMBERING="manual")
        head, admin, requester = s.people.head, s.people.admin, s.people.requester
        async with office_bot(s) as (_app, office):
            await office.set_esign_identity(HEAD, nik=NIK)
            request = await file_request(office)
            card = await head.wait_for("Tahap 1")
            await head.press(card, "Tolak permohonan")
            await head.wait_for(lambda m: m.edited and "catatan" in m.content)
            await head.send_text(REASON)
            await head.wait_for(lambda m: m.edited and "✅ Tolak permohonan" in m.content)
            assert not [m for m in head.inbox if "frasa sandi" in m.text]

            task = await admin.wait_for(lambda m: request.number in m.text
                                        and "Isi nomor surat" in m.button_texts)
            await admin.press(task, "Isi nomor surat")
            await admin.wait_for("Mohon kirim nomor surat keluar")
            await admin.send_text("555/99")
            await admin.wait_for("tidak sesuai pola")
            await admin.send_text(NUMBER)
            await admin.wait_for(lambda m: m.edited and "✅ Isi nomor surat" in m.content)
            assert not [m for m in admin.inbox if "frasa sandi" in m.text]
            assert (await office.store.request(request.id)).state == "signature_declined"
            assert await office.letters() == [] and bsre.requests == []

            sign = await head.wait_for(lambda m: "Tandatangani (TTE)" in m.button_texts)
            await head.press(sign, "Tandatangani (TTE)")
            ask = await head.wait_for("frasa sandi (passphrase)")
            assert ask.button_texts == ["Batal"]
            wrong = await head.send_text("salah-ketik")
            await head.wait_for("BSrE menolak frasa sandi")
            assert _deleted(emu, wrong.message_id)
            assert (await office.store.request(request.id)).state == "signature_declined"
            assert await office.letters() == []

            right = await head.send_text("ttd-rahasia")
            await head.wait_for(lambda m: m.edited and "✅ Tandatangani (TTE)" in m.content)
            assert _deleted(emu, right.message_id)
            letter = await requester.wait_for(lambda m: m.document is not None)
            assert letter.document is not None and NUMBER in letter.content
            [issued] = await office.letters()
            assert (issued.number, issued.seal) == (NUMBER, "bsre")
            sent = emu.world.file(letter.document.file_id).data
            assert hashlib.sha256(sent).hexdigest() == issued.sha256
            [report] = await verify_pdf_async(sent, [bsre.ca.pem])
            assert report.valid and report.signer == "Drs. H. Rahmadi, M.Si"
            assert (await office.store.request(request.id)).state == State.DECLINED
    finally:
        await bsre.stop()


async def test_an_invited_signatory_gives_the_nik_in_chat(emu: BotApiEmulator, tmp_path: Path,
                                                          caplog: pytest.LogCaptureFixture,
                                                          ) -> None:
    """Under BSrE the invite's welcome asks the new signatory for the NIK (`/nik`); a wrong
    one gets one sentence; each message carrying it is deleted at once, never logged, and
    the NIK kept is the one their letters are then signed with."""
    caplog.set_level(logging.DEBUG)
    bsre = await BsreStandIn().start()
    try:
        bsre.enrol(NIK, "Dra. Hj. Nurul Aini", "ttd-plt")
        s = await _scene(emu, tmp_path, SIGNING_PROVIDER="bsre", BSRE_URL=bsre.url,
                         BSRE_USERNAME=USERNAME, BSRE_PASSWORD=PASSWORD)
        plt, staff = emu.user(PLT, "Plt"), s.people.staff
        async with office_bot(s) as (_app, office):
            code, _ = await office.create_invite(InviteSpec(
                name="Dra. Hj. Nurul Aini", position=Role.KEPALA_DINAS, acting="plt",
                nip="197205152000032002", rank="Pembina Tingkat I",
                valid_until=office.today() + timedelta(days=14)))
            await plt.send_command("/start", code)
            welcome = await plt.wait_for("Selamat datang")
            assert "/nik" in welcome.text and "16 angka" in welcome.text

            for wrong, said in (("1234", "16 angka"), ("bukan surel@", "surel BSrE tidak sah")):
                sent = await plt.send_command("/nik", wrong)
                await plt.wait_for(said)
                assert _deleted(emu, sent.message_id)
            sent = await plt.send_command("/nik", NIK)
            done = await plt.wait_for("tercatat untuk tanda tangan elektronik BSrE")
            assert "berakhiran 0001" in done.text and NIK not in done.text
            assert _deleted(emu, sent.message_id)
            person = await office.store.person_by_telegram(PLT)
            assert person is not None
            identity = await office.store.esign_identity(person.id)
            assert identity is not None and identity.nik == NIK

            # someone who signs nothing cannot set one
            sent = await staff.send_command("/nik", "6308010101700002")
            await staff.wait_for("hanya dicatat bagi pejabat penandatangan")
            assert _deleted(emu, sent.message_id)

            # the Plt. declines and signs with that NIK
            request = await file_request(office)
            card = await plt.wait_for(lambda m: "Tolak permohonan" in m.button_texts)
            await plt.press(card, "Tolak permohonan")
            await plt.wait_for(lambda m: m.edited and "catatan" in m.content)
            await plt.send_text(REASON)
            await plt.wait_for("frasa sandi (passphrase)")
            await plt.send_text("ttd-plt")
            await plt.wait_for(lambda m: m.edited and "✅ Tolak permohonan" in m.content)
            assert (await office.store.request(request.id)).state == State.DECLINED
            assert bsre.requests[-1]["nik"] == NIK
            await settled(office)
        # even at DEBUG: PTB's records of the incoming updates keep only their ids
        assert "contents not logged" in caplog.text
        assert NIK not in caplog.text and "ttd-plt" not in caplog.text
    finally:
        await bsre.stop()
