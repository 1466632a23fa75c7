"""The reply letter by chat: "Perbaiki" rewrites the letter's parts and the new KONSEP goes
back to the signatory (every version in /riwayat); under manual numbering the admin types the
agenda book's number, and a wrong or used one is refused with the step still open."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

from pypdf import PdfReader

from bot.service import Office
from bot.workflow import Action, numbering_state
from devtools.emulator import BotApiEmulator, SimMessage, SimUser
from tests.support.botrun import cast, settings_for
from tests.support.chat import (
    STEPS_TO_DECISION,
    Scene,
    advance,
    file_request,
    office_bot,
    owed,
    take,
)
from tests.support.office import HEAD, KABID, Clock, open_office, seed_people

NEW_HAL = "Jawaban atas Permohonan Subdomain Layanan Kesehatan Terpadu"


async def _scene(emu: BotApiEmulator, tmp: Path, **settings: str) -> Scene:
    clock = Clock()
    configured = settings_for(emu, tmp, **settings)
    office = await open_office(configured.database_path, clock)
    await seed_people(office.store, clock())
    await office.store.close()
    return Scene(emu, configured, clock, cast(emu), tmp)


def pdf_text(message: SimMessage) -> str:
    assert message.document is not None
    reader = PdfReader(io.BytesIO(message.document.data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


async def konsep(user: SimUser) -> SimMessage:
    return await user.wait_for(lambda m: m.document is not None and "KONSEP" in m.content,
                               timeout=10)


async def settled(office: Office) -> None:
    for _ in range(150):
        if not await owed(office):
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the outbox did not settle")


async def test_perbaiki_rewrites_hal_and_the_new_konsep_goes_back(emu: BotApiEmulator,
                                                                  tmp_path: Path) -> None:
    s = await _scene(emu, tmp_path)
    p = s.people
    async with office_bot(s) as (_app, office):
        request = await advance(office, await file_request(office), STEPS_TO_DECISION)
        request = await take(office, KABID, request, Action.REJECT_EXISTS)
        first = await konsep(p.head)
        assert "Jawaban atas Permohonan Subdomain layanan.balangankab.go.id" in pdf_text(first)
        card = await p.head.wait_for(lambda m: "Perbaiki" in m.button_texts)
        await p.head.press(card, "Perbaiki")
        await p.head.wait_for(lambda m: m.edited and "catatan" in m.content)
        await p.head.send_text("Hal agar menyebut layanan kesehatan terpadu")
        await p.head.wait_for(lambda m: m.edited and "✅ Perbaiki" in m.content)

        revise = await p.staff.wait_for(lambda m: "Ajukan kembali konsep" in m.button_texts,
                                        timeout=10)
        await p.staff.press(revise, "Ajukan kembali konsep")
        parts = await p.staff.wait_for(lambda m: "Ubah Hal" in m.button_texts)
        # Every variable part, each with its current text.
        assert parts.button_texts == ["Ubah Hal", "Ubah Paragraf 1", "Ubah Paragraf 2",
                                      "Ubah Tembusan", "Ajukan konsep", "Batal"]
        assert "Jawaban atas Permohonan Subdomain layanan.balangankab.go.id" in parts.text
        assert "telah tersedia sebelumnya" in parts.text and "Arsip" in parts.text

        await p.staff.press(parts, "Ubah Hal")
        await p.staff.wait_for("Kirim teks pengganti untuk Hal")
        # Bad texts: one sentence each, nothing taken, the edit still open.
        for bad, said in (("<b>Jawaban</b>", "tanpa tag HTML"), ("x" * 400, "terlalu panjang"),
                          ("   ", "kosong")):
            await p.staff.send_text(bad)
            refused = await p.staff.wait_for(said)
            assert refused.text.count(".") <= 2
        await p.staff.send_text(NEW_HAL)
        listed = await p.staff.wait_for(lambda m: "(diubah)" in m.text and not m.edited)
        assert NEW_HAL in listed.text
        await p.staff.press(listed, "Ajukan konsep")
        await p.staff.wait_for(lambda m: m.edited and "✅" in m.content, timeout=10)

        second = await konsep(p.head)
        text = pdf_text(second)
        assert f"Hal : {NEW_HAL}" in text
        assert "Nomor : …/…/Diskominfo-Blg/2026" in text and "PARAF KOORDINASI" in text
        card = await p.head.wait_for(lambda m: "Setujui dan tandatangani" in m.button_texts)

        await p.head.send_command(f"/riwayat {request.number}")
        trail = await p.head.wait_for("Riwayat")
        assert "Konsep surat dikembalikan untuk diperbaiki" in trail.text
        assert f"Konsep baru, diubah: Hal: “{NEW_HAL}”" in trail.text

        # Both versions are kept, and /riwayat hands out each.
        drafts = sorted((s.settings.data_dir / "letters" / "drafts").glob("*-konsep.pdf"))
        assert len(drafts) == 2
        assert trail.button_texts[1:] == ["Konsep 1 (PDF)", "Konsep 2 (PDF)"]
        await p.head.press(trail, "Konsep 1 (PDF)")
        old = await p.head.wait_for(lambda m: m.document is not None
                                    and "KONSEP ke-1" in m.content, timeout=10)
        assert "Jawaban atas Permohonan Subdomain layanan.balangankab.go.id" in pdf_text(old)
        await settled(office)
        stored = await office.store.request(request.id)
        assert stored.state == "letter_signoff"
        assert await office.store.letters(request.id) == []


async def test_manual_number_refuses_a_used_one_in_chat(emu: BotApiEmulator,
                                                        tmp_path: Path) -> None:
    s = await _scene(emu, tmp_path, LETTER_NUMBERING="manual")
    p = s.people
    async with office_bot(s) as (_app, office):
        done = []
        for label in ("arsip", "portal"):
            r = await advance(office, await file_request(office, label), STEPS_TO_DECISION)
            r = await take(office, KABID, r, Action.REJECT_EXISTS)
            done.append(await take(office, HEAD, r, Action.SIGN))
        assert {r.state for r in done} == {numbering_state("delivery")}
        await take(office, 106, done[0], Action.ASSIGN_NUMBER,
                   details={"letter_number": "555/145/Diskominfo-Blg/2026"})

        card = await p.admin.wait_for(lambda m: done[1].number in m.text
                                      and "Isi nomor surat" in m.button_texts, timeout=10)
        await p.admin.press(card, "Isi nomor surat")
        await p.admin.wait_for("Mohon kirim nomor surat keluar")
        for typed, said in (("145/2026", "tidak sesuai pola"),
                            ("555/145/Diskominfo-Blg/2026", "sudah digunakan")):
            await p.admin.send_text(typed)
            refused = await p.admin.wait_for(said)
            assert "✅" not in refused.text
        assert (await office.store.request(done[1].id)).state == numbering_state("delivery")
        assert await office.store.letters(done[1].id) == []

        await p.admin.send_text("555/146/Diskominfo-Blg/2026")
        await p.admin.wait_for(lambda m: m.edited and "✅" in m.content, timeout=10)
        letter = await p.requester.wait_for(
            lambda m: m.document is not None and "555/146/Diskominfo-Blg/2026" in m.content,
            timeout=10)
        assert "555/146/Diskominfo-Blg/2026" in pdf_text(letter)
        [issued] = await office.store.letters(done[1].id)
        assert issued.number == "555/146/Diskominfo-Blg/2026"
        assert issued.signed_by == "Drs. H. Rahmadi, M.Si"
