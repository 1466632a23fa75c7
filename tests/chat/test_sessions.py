"""Forms and pending actions survive a restart; finished prompts lose their buttons.

The bot is stopped (or SIGKILLed in its own process) half-way, and a new Application on the
same database file takes over: the person's next message resumes where they were, or, once
the session has expired, they are told what to do."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bench import botproc
from bot.service import Office
from devtools.emulator import BotApiEmulator, SimMessage, SimUser
from tests.support import botrun
from tests.support.botrun import GROUP_ID, TINY_PDF
from tests.support.chat import (
    PERIHAL,
    any_message,
    file_request,
    office_bot,
    owed,
    scene,
)
from tests.support.office import settings_env


async def start_form(requester: SimUser, name: str) -> SimMessage:
    """/ajukan up to question 4/9 (its buttons); returns that question."""
    await requester.send_command("/ajukan")
    await requester.press(await requester.wait_for("Pilih Perangkat Daerah"), "Dinas Kesehatan")
    await requester.wait_for("2/9")
    await requester.send_text(name)
    await requester.wait_for("3/9")
    await requester.send_text("Portal layanan kesehatan masyarakat")
    return await requester.wait_for("4/9")


async def finish_form(requester: SimUser, target: SimMessage) -> str:
    """From question 4/9 to the request number."""
    await requester.press(target, "Alamat IP")
    await requester.wait_for("Tuliskan Alamat IP")
    await requester.send_text("103.28.12.10")
    await requester.wait_for("5/9")
    await requester.tap("Bagikan kontak saya")
    await requester.wait_for("6/9")
    await requester.send_text("400/123/Dinkes/2026")
    await requester.wait_for("7/9")
    await requester.send_text("27-11-2026")
    await requester.wait_for("8/9")
    await requester.send_text(PERIHAL)
    await requester.wait_for("9/9")
    await requester.send_document(TINY_PDF, "surat-permohonan.pdf")
    summary = await requester.wait_for("Ringkasan permohonan", timeout=10)
    await requester.press(summary, "Kirim")
    sent = await requester.wait_for("Permohonan terkirim", timeout=10)
    return sent.text.split("nomor ")[1].rstrip(".")


async def quiet_after(emu: BotApiEmulator, office: Office, user: SimUser) -> list[str]:
    """Once the outbox is idle: the texts the user got, after checking that no API call
    failed (no edit of a message that had nothing to change, no lost reply)."""
    for _ in range(200):
        if not await owed(office):
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("the outbox did not become idle")
    assert [(c.method, c.error) for c in emu.calls
            if c.error and c.method != "getUpdates" and c.status != 429] == []
    return [m.text for m in user.inbox]


def current(user: SimUser, message: SimMessage) -> SimMessage:
    """The message as it is now in the chat (after edits)."""
    return next(m for m in user.inbox if m.message_id == message.message_id)


async def test_a_form_survives_a_restart_and_its_open_question_still_answers(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    s = await scene(emu, tmp_path)
    requester = s.people.requester
    async with office_bot(s):
        target = await start_form(requester, "tahan")
    async with office_bot(s) as (_app, office):
        # The buttons of the question that was open still answer it.
        number = await finish_form(requester, target)
        request = await office.request(number)
        assert (request.subdomain, request.purpose) == ("tahan",
                                                         "Portal layanan kesehatan masyarakat")
        assert await office.session(requester.user_id, "form") is None


async def test_after_a_restart_the_next_message_gets_the_open_question_again(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    s = await scene(emu, tmp_path)
    requester = s.people.requester
    async with office_bot(s):
        target = await start_form(requester, "lanjut")
    async with office_bot(s) as (_app, office):
        await requester.send_text("halo, masih bisa lanjut?")
        again = await requester.wait_for("tersimpan")
        assert "4/9 Subdomain diarahkan ke mana?" in again.text
        # The question asked before the restart no longer carries buttons.
        assert current(requester, target).buttons == []
        answer = await requester.press_data(target, "t:ip")
        assert answer is not None and "sudah tidak berlaku" in answer
        number = await finish_form(requester, again)
        assert (await office.request(number)).purpose == "Portal layanan kesehatan masyarakat"
        texts = await quiet_after(emu, office, requester)
        sent = [str(c.params.get("text", "")) for c in emu.calls
                if c.method == "sendMessage" and c.status == 200
                and str(c.params.get("chat_id")) == str(requester.user_id)]
        assert sum("tersimpan" in t for t in sent) == 1
        assert sum("4/9" in t for t in sent) == 2  # asked, and asked again after the restart
        assert not any("Mohon gunakan perintah" in t or "Maaf" in t for t in texts)


async def test_an_expired_form_is_dropped_with_a_plain_answer(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    s = await scene(emu, tmp_path)
    requester = s.people.requester
    async with office_bot(s) as (_app, office):
        target = await start_form(requester, "basi")
        await any_message(requester)  # the question's handler has finished (saved its prompt)
        s.clock.advance(hours=office.settings.session_expiry_hours + 1)
        await requester.send_text("Portal")
        told = await requester.wait_for("tidak dilanjutkan")
        assert "Ketik /ajukan untuk memulai lagi" in told.text
        assert current(requester, target).buttons == []
        assert await office.session(requester.user_id, "form") is None
        # The next text is outside any flow again.
        await requester.send_text("halo")
        await requester.wait_for("Mohon gunakan perintah yang tersedia")


async def test_a_new_form_and_batal_take_the_buttons_off_the_open_question(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    s = await scene(emu, tmp_path)
    requester = s.people.requester
    async with office_bot(s) as (_app, office):
        first = await start_form(requester, "satu")
        await requester.send_command("/ajukan")
        agencies = await requester.wait_for("Pilih Perangkat Daerah")
        assert current(requester, first).buttons == []
        await requester.send_command("/batal")
        await requester.wait_for("Isian dibatalkan")
        assert current(requester, agencies).buttons == []
        assert "Pilih Perangkat Daerah" in current(requester, agencies).text  # text kept
        answer = await requester.press_data(agencies, "g:1")
        assert answer is not None and "/ajukan" in answer
        assert await office.session(requester.user_id, "form") is None
        await quiet_after(emu, office, requester)


async def test_an_officials_chosen_action_survives_a_restart_and_takes_the_note(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    s = await scene(emu, tmp_path)
    head = s.people.head
    async with office_bot(s) as (_app, office):
        request = await file_request(office)
        card = await head.wait_for("Tahap 1")
        await head.press(card, "Tolak")
        ask = await head.wait_for(lambda m: m.edited and "catatan" in m.content)
    async with office_bot(s) as (_app, office):
        await head.send_text("Bukan kewenangan kami")
        await head.wait_for(lambda m: m.edited and "✅" in m.content, timeout=10)
        after = await office.request(request.id)
        assert after.version == request.version + 1
        assert (await office.timeline(after))[-1].note == "Bukan kewenangan kami"
        assert current(head, ask).buttons == []
        assert await office.session(head.user_id, "action") is None
        texts = await quiet_after(emu, office, head)
        assert sum("✅" in t for t in texts) == 1
        assert not any("Mohon gunakan perintah" in t or "Maaf" in t for t in texts)


async def test_an_expired_action_is_dropped_and_its_buttons_explain(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    s = await scene(emu, tmp_path)
    head = s.people.head
    async with office_bot(s) as (_app, office):
        request = await file_request(office)
        card = await head.wait_for("Tahap 1")
        await head.press(card, "Tolak")
        ask = await head.wait_for(lambda m: m.edited and "catatan" in m.content)
        await any_message(head)  # the prompt's handler has finished (saved its prompt)
        s.clock.advance(hours=office.settings.session_expiry_hours + 1)
        await head.send_text("Bukan kewenangan kami")
        told = await head.wait_for("tidak dilanjutkan")
        assert "tekan tombol tindakan kembali" in told.text
        # The step still waits: the card has its own buttons back, not the note prompt's.
        restored = await head.wait_for(lambda m: m.message_id == card.message_id
                                       and m.buttons == card.buttons)
        assert "catatan" not in restored.content
        assert (await office.request(request.id)).state == request.state
        answer = await head.press_data(ask, "n:cancel")
        assert answer == "Tidak ada tindakan yang menunggu pada pesan ini. Mohon gunakan /tugas."
        assert current(head, ask).buttons == card.buttons


# --- the bot in its own process, killed -------------------------------------------------------

@asynccontextmanager
async def bot_process(settings: dict[str, str]) -> AsyncIterator[asyncio.subprocess.Process]:
    """`python -m bench.botproc` on `settings` (ready once it prints so); killed at the end
    if the test has not killed it."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.botproc", "--rate-limiter", stdout=asyncio.subprocess.PIPE,
        env={**os.environ, botproc.ENV: json.dumps(settings)})
    try:
        assert proc.stdout is not None
        line = await asyncio.wait_for(proc.stdout.readline(), 30)
        assert line.decode().strip() == botproc.READY, line
        yield proc
    finally:
        if proc.returncode is None:
            proc.kill()
        await proc.wait()


async def test_a_form_survives_sigkill_of_the_bot_process(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    s = await scene(emu, tmp_path)
    requester = s.people.requester
    settings = {**settings_env(), **botrun.DNS_ENV, "BOT_TOKEN": emu.token,
                "TELEGRAM_API_BASE_URL": emu.base_url,
                "DATABASE_PATH": str(tmp_path / "bot.sqlite3"),
                "DATA_DIR": str(tmp_path / "data"), "GROUP_CHAT_ID": str(GROUP_ID),
                "LOG_LEVEL": "WARNING"}
    async with bot_process(settings) as proc:
        target = await start_form(requester, "bertahan")
        proc.kill()
        await proc.wait()
    async with bot_process(settings):
        await requester.send_text("lanjut")
        again = await requester.wait_for("tersimpan", timeout=10)
        # The kill may come before the question's message id was saved: then its buttons
        # stay until pressed, and a press only explains (the question was asked again).
        if current(requester, target).buttons:
            answer = await requester.press(target, "Alamat IP")
            assert answer is not None and "sudah tidak berlaku" in answer
            await requester.wait_for(lambda m: m.message_id == target.message_id and m.edited)
        assert current(requester, target).buttons == []
        number = await finish_form(requester, again)
    async with office_bot(s) as (_app, office):
        request = await office.request(number)
        assert (request.subdomain, request.purpose, request.letter_subject) == (
            "bertahan", "Portal layanan kesehatan masyarakat", PERIHAL)


async def test_the_form_is_not_started_in_the_group(emu: BotApiEmulator, tmp_path: Path) -> None:
    s = await scene(emu, tmp_path)
    requester, group = s.people.requester, s.people.group
    async with office_bot(s) as (_app, office):
        await requester.send_command("/ajukan", chat=group)
        told = await group.wait_for("chat pribadi")
        assert told.buttons == []
        assert await office.session(requester.user_id, "form") is None


async def test_a_question_lost_to_a_telegram_fault_is_asked_again(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    s = await scene(emu, tmp_path)
    requester = s.people.requester
    async with office_bot(s) as (_app, office):
        await requester.send_command("/ajukan")
        await requester.press(await requester.wait_for("Pilih Perangkat Daerah"),
                              "Dinas Kesehatan")
        await requester.wait_for("2/9")
        await requester.send_text("gangguan")
        await requester.wait_for("3/9")
        emu.inject("sendMessage", status=500)  # question 4/9 is lost on its way
        await requester.send_text("Portal layanan kesehatan masyarakat")
        seen = await requester.wait_for(lambda m: "4/9" in m.text or "Maaf" in m.text)
        if "Maaf" in seen.text:  # the answer was kept; the next message gets 4/9 again
            await requester.send_text("halo?")
            seen = await requester.wait_for("tersimpan")
        assert "4/9" in seen.text
        number = await finish_form(requester, seen)
        assert (await office.request(number)).purpose == "Portal layanan kesehatan masyarakat"
