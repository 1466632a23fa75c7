"""Signing through the chat on the real Application and the Bot API emulator: the BSrE
passphrase asked in the signatory's private chat and deleted at once; the wet-signed scan
uploaded by the staff and delivered as the letter."""

from __future__ import annotations

import hashlib
from pathlib import Path

from bot.workflow import State
from devtools.emulator import BotApiEmulator
from letters.signing import verify_pdf_async
from tests.chat.test_delivery import settled
from tests.support.botrun import TINY_PDF, cast, seed, settings_for
from tests.support.bsre_standin import PASSWORD, USERNAME, BsreStandIn
from tests.support.chat import Scene, file_request, office_bot
from tests.support.office import HEAD, Clock

REASON = "Subdomain tidak diperuntukkan bagi layanan Perangkat Daerah."
NIK = "6308010101700001"


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
