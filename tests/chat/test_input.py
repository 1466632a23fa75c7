"""What people type and send: HTML and overlong notes, wrong files, the read-only commands,
and the bot token kept out of the logs."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.workflow import State
from devtools.emulator import BotApiEmulator
from tests.support.botrun import TINY_PDF
from tests.support.chat import (
    STEP_1_BUTTONS,
    act,
    audit_actions,
    file_request,
    fill_form_to_letter,
    office_bot,
    scene,
    submit_by_chat,
)
from tests.support.office import OUTSIDER

RAW = "<b>x</b> & <script>"


def _files(folder: Path) -> dict[Path, bytes]:
    return {path: path.read_bytes() for path in folder.iterdir()}


async def test_html_note_escaped_and_long_note_refused(emu: BotApiEmulator,
                                                       tmp_path: Path) -> None:
    s = await scene(emu, tmp_path)
    head, kabid, requester = s.people.head, s.people.kabid, s.people.requester
    async with office_bot(s) as (_app, office):
        request = await file_request(office)
        card = await head.wait_for("Tahap 1")
        await act(head, card, "Disposisi ke Kabid", RAW, choose="Tindak lanjuti")
        assert (await office.store.timeline(request.id))[-1].note == RAW
        step2 = await kabid.wait_for("Tahap 2")
        assert f"Drs. H. Rahmadi, M.Si: {RAW}" in step2.text, "shown as typed, not as markup"
        trail = await office.store.timeline(request.id)
        await requester.send_command("/riwayat", request.number)
        assert f"Catatan: {RAW}" in (await requester.wait_for("Riwayat")).text
        assert len(trail) == 2

        assert await kabid.press(step2, "Kembalikan") is None
        await kabid.wait_for(lambda m: m.edited and "✏️" in m.text)
        await kabid.send_text("a" * 5000)
        refused = await kabid.wait_for("terlalu panjang")
        assert "5000 karakter" in refused.text and "1000" in refused.text
        same = await office.store.request(request.id)
        assert (same.state, same.version) == (State.DISPOSITION_KABID, 2)
        assert await audit_actions(office, request) == ["submit", "dispose"]

        # The rest of a split long message is not taken as the note.
        await kabid.send_text("b" * 904)
        await kabid.send_text("/tugas")
        await kabid.wait_for("menunggu tindakan")
        assert await audit_actions(office, request) == ["submit", "dispose"]

        assert await kabid.press(step2, "Kembalikan") is None
        await kabid.wait_for(lambda m: m.edited and "✏️" in m.text)
        await kabid.send_text("Mohon lengkapi lampiran")
        await kabid.wait_for(lambda m: m.edited and "✅ Kembalikan" in m.text)
        back = await office.store.request(request.id)
        assert back.state == State.DISPOSITION_HEAD
        assert (await office.store.timeline(request.id))[-1].note == "Mohon lengkapi lampiran"


async def test_wrong_letter_files_are_refused(emu: BotApiEmulator, tmp_path: Path) -> None:
    s = await scene(emu, tmp_path)
    requester = s.people.requester
    async with office_bot(s) as (_app, office):
        await fill_form_to_letter(requester)
        docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        await requester.send_document(b"PK\x03\x04 not a letter", "surat.docx", docx)
        await requester.wait_for("Berkas harus berupa PDF atau foto")
        await requester.send_document(b"surat permohonan", "surat.txt", "text/plain")
        await requester.wait_for("Berkas harus berupa PDF atau foto")
        await requester.send_document(b"PK\x03\x04 renamed", "surat.pdf")
        await requester.wait_for("bukan PDF yang sah", timeout=10)
        # A real 21 MB upload (the emulator stores it; the bot refuses before downloading).
        await requester.send_document(TINY_PDF + bytes(21 * 1024 * 1024), "besar.pdf")
        await requester.wait_for("lebih besar dari 20 MB", timeout=10)
        await requester.send_text("nanti saja")
        await requester.wait_for("Mohon kirim surat permohonan sebagai PDF atau foto",
                                 timeout=10)
        assert await office.store.requests() == []

        await requester.send_document(TINY_PDF, "surat-permohonan.pdf")
        summary = await requester.wait_for("Ringkasan permohonan", timeout=10)
        await requester.press(summary, "Kirim")
        await requester.wait_for("Permohonan terkirim", timeout=10)
        [filed] = await office.store.requests()
        assert filed.letter_file_ref is not None
        kept = _files(s.settings.data_dir / "incoming")
        assert kept == {Path(filed.letter_file_ref): TINY_PDF}, "refused files are not kept"


async def test_tasks_and_history(emu: BotApiEmulator, tmp_path: Path) -> None:
    s = await scene(emu, tmp_path)
    head, kabid, kasi, requester = (s.people.head, s.people.kabid, s.people.kasi,
                                    s.people.requester)
    outsider = emu.user(OUTSIDER, "Orang Disdik")
    stranger = emu.user(999, "Tidak Dikenal")
    async with office_bot(s) as (_app, office):
        await office.store.add_agency("disdik", "Dinas Pendidikan")
        await office.store.add_agency_contact("disdik", OUTSIDER, "Orang Disdik", now=s.clock())
        request = await file_request(office)
        await head.wait_for("Tahap 1")

        await head.send_command("/tugas")
        await head.wait_for("Ada 1 tahap yang menunggu tindakan")
        listed = await head.wait_for("Tahap 1")
        assert listed.button_texts == STEP_1_BUTTONS
        await act(head, listed, "Disposisi ke Kabid", "Segera", choose="Tindak lanjuti")
        assert (await office.store.request(request.id)).state == State.DISPOSITION_KABID
        await head.send_command("/tugas")
        await head.wait_for("Tidak ada tahap yang menunggu")
        await kasi.send_command("/tugas")
        await kasi.wait_for("Tidak ada tahap yang menunggu")

        for user in (kabid, requester):
            await user.send_command("/riwayat", request.number)
            trail = await user.wait_for("Riwayat")
            assert "Permohonan diajukan" in trail.text
            assert "Didisposisikan — Drs. H. Rahmadi, M.Si (Kepala Dinas)" in trail.text
            assert "Instruksi: Tindak lanjuti | Catatan: Segera" in trail.text
        for user in (outsider, stranger):
            await user.send_command("/riwayat", request.number)
            await user.wait_for(f"Permohonan {request.number} tidak ditemukan atau bukan milik")
        await kabid.send_command("/riwayat", "SD-2026-0999")
        await kabid.wait_for("tidak ditemukan atau bukan milik")


async def test_token_never_logged(emu: BotApiEmulator, tmp_path: Path,
                                  caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    logging.getLogger().setLevel(logging.DEBUG)  # as `--log-level DEBUG` would configure it
    s = await scene(emu, tmp_path)
    head = s.people.head
    async with office_bot(s) as (_app, office):
        for name in ("httpx", "httpcore"):
            assert logging.getLogger(name).getEffectiveLevel() >= logging.WARNING
        number = await submit_by_chat(s.people.requester)  # includes the letter download
        card = await head.wait_for("Tahap 1", timeout=10)
        await act(head, card, "Disposisi ke Kabid", choose="Tindak lanjuti")
        assert (await office.store.request(number)).state == State.DISPOSITION_KABID
        emu.inject("sendMessage", 500, count=1)  # an error path: the outbox logs and retries
        await file_request(office, "portal")
        await head.wait_for(lambda m: "Tahap 1" in m.text and "portal" in m.text, timeout=10)
    assert any(r.levelno == logging.DEBUG and r.name.startswith("telegram")
               for r in caplog.records), "DEBUG records were captured"
    assert any("Internal Server Error" in r.getMessage() for r in caplog.records)
    assert not [r for r in caplog.records if r.name.startswith(("httpx", "httpcore"))]
    secret = emu.token.split(":", 1)[1]
    leaked = [r for r in caplog.records if secret in r.getMessage() or secret in str(r.args)]
    assert not leaked, [r.getMessage()[:300] for r in leaked[:2]]
    assert secret not in caplog.text
