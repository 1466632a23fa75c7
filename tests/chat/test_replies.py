"""Direct replies survive Telegram faults: a short retry, then the outbox; no traceback in the
log for an expected fault; and the error handler never raises, even when its own reply fails."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from telegram import Bot

from bot.service import Office
from devtools.emulator import BotApiEmulator, SimMessage, SimUser
from storage.models import OutMessage
from storage.store import Store
from tests.support.chat import file_request, office_bot, owed, scene
from tests.support.office import HEAD, REQUESTER


async def idle(office: Office) -> None:
    """Until the outbox owes nothing."""
    for _ in range(300):
        if await owed(office) == 0:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the outbox did not become idle")


def tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.exc_info or "Traceback" in r.getMessage()]


def calls(emu: BotApiEmulator, method: str, chat_id: int) -> list[int]:
    """The statuses of every `method` call to `chat_id`, in order (0: connection dropped)."""
    return [c.status for c in emu.calls
            if c.method == method and c.params.get("chat_id") == str(chat_id)]


DISPOSE = "Disposisi ke Kabid · Tindak lanjuti"


async def press_up_to_the_note(head: SimUser) -> SimMessage:
    """Tahap 1: "Disposisi ke Kabid · Tindak lanjuti"; the card then asks for the note."""
    await head.press(await head.wait_for("Tahap 1"), DISPOSE)
    return await head.wait_for(lambda m: m.edited and "Lewati" in m.button_texts, timeout=10)


def done(m: SimMessage) -> bool:
    return m.edited and "✅" in m.content


def note_prompts(emu: BotApiEmulator, chat_id: int) -> int:
    """The card edits that asked for the note and reached Telegram."""
    return sum(1 for c in emu.calls if c.method == "editMessageText" and c.status == 200
               and c.params.get("chat_id") == str(chat_id)
               and "Kirim catatan" in str(c.params.get("text")))


@pytest.mark.parametrize(("fault", "count", "queued"), [
    ({"status": 500}, 1, False),       # the second try goes through
    ({"status": 502}, 3, True),        # three tries fail: the outbox delivers it
    ({"drop": True}, 2, False),        # the network drops twice
    ({"status": 403}, 1, True),        # a 403 goes to the outbox, which tries again
])
async def test_the_cards_note_prompt_reaches_the_official_exactly_once(
    emu: BotApiEmulator, tmp_path: Path, caplog: pytest.LogCaptureFixture,
    fault: dict[str, object], count: int, queued: bool,
) -> None:
    caplog.set_level(logging.INFO)
    s = await scene(emu, tmp_path)
    head = s.people.head
    async with office_bot(s) as (_app, office):
        request = await file_request(office)
        card = await head.wait_for("Tahap 1")
        before = len(calls(emu, "editMessageText", HEAD))
        emu.inject("editMessageText", count=count, chat_id=HEAD,
                   **fault)  # type: ignore[arg-type]
        await head.press(card, DISPOSE)
        prompt = await head.wait_for(lambda m: m.edited and "Lewati" in m.button_texts,
                                     timeout=10)
        tries = calls(emu, "editMessageText", HEAD)[before:]
        await head.press(prompt, "Lewati")
        confirmed = await head.wait_for(done, timeout=10)
        assert request.number in confirmed.content
        await s.people.kabid.wait_for("Tahap 2")
        await idle(office)
    assert note_prompts(emu, HEAD) == 1
    assert tries.count(200) >= 1 and len([t for t in tries if t != 200]) == count
    handed = [r for r in caplog.records if "handed to the outbox" in r.getMessage()]
    assert len(handed) == (1 if queued else 0)
    assert tracebacks(caplog) == []


async def test_the_error_handler_survives_its_own_reply_failing(
    emu: BotApiEmulator, tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    """A 400 (the bot's own bug) on a reply, and again on the apology: logged, and the bot goes
    on answering."""
    caplog.set_level(logging.INFO)
    s = await scene(emu, tmp_path)
    requester = s.people.requester
    async with office_bot(s) as (_app, office):
        emu.inject("sendMessage", 400, count=2, chat_id=REQUESTER,
                   description="Bad Request: can't parse entities: injected")
        await requester.send_command("/bantuan")
        for _ in range(100):
            if len(calls(emu, "sendMessage", REQUESTER)) >= 2:
                break
            await asyncio.sleep(0.05)
        await requester.send_command("/bantuan")
        await requester.wait_for("Petunjuk")
        await idle(office)
    assert calls(emu, "sendMessage", REQUESTER) == [400, 400, 200]
    said = [r.getMessage() for r in caplog.records]
    assert sum("unhandled error while handling an update" in m for m in said) == 1
    assert any("could not tell chat" in m for m in said)
    assert not any("uncaught error was raised while handling the error" in m for m in said)
    assert not any("the error handler failed too" in m for m in said)


async def test_a_form_question_lost_to_faults_is_asked_again_without_a_traceback(
    emu: BotApiEmulator, tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    """Telegram fails the next question of the form, and the apology too: the apology comes
    through the outbox, the form stays at its question, and answering again goes on."""
    caplog.set_level(logging.INFO)
    s = await scene(emu, tmp_path)
    requester = s.people.requester
    async with office_bot(s) as (_app, office):
        await requester.send_command("/ajukan")
        await requester.press(await requester.wait_for("Pilih Perangkat Daerah"),
                              "Dinas Kesehatan")
        await requester.wait_for("2/9")
        emu.inject("sendMessage", 500, count=6, chat_id=REQUESTER)
        await requester.send_text("layanan")
        sorry = await requester.wait_for("Maaf, terjadi kesalahan", timeout=10)
        assert "3/9" not in sorry.text
        await requester.send_text("layanan")
        await requester.wait_for("3/9")
        await idle(office)
    assert sum("Maaf" in m.text for m in requester.inbox) == 1
    assert sum("3/9" in m.text for m in requester.inbox) == 1
    said = [r.getMessage() for r in caplog.records]
    assert any("Telegram fault while handling an update: ReplyFailed" in m for m in said)
    assert tracebacks(caplog) == []


async def test_a_reply_to_someone_who_blocked_the_bot_waits_for_them(
    emu: BotApiEmulator, tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    """She blocks the bot right after pressing: the card's ✅ is kept (the admins are told),
    and arrives once when she writes again."""
    caplog.set_level(logging.INFO)
    s = await scene(emu, tmp_path)
    head = s.people.head
    async with office_bot(s) as (_app, office):
        await file_request(office)
        prompt = await press_up_to_the_note(head)
        head.block()
        await head.press(prompt, "Lewati")
        await s.people.admin.wait_for("tidak dapat disampaikan")
        await idle(office)
        assert not any(done(m) for m in head.inbox)
        head.unblock()
        await head.send_command("/bantuan")
        await head.wait_for(done, timeout=10)
        await idle(office)
    assert sum(done(m) for m in head.inbox) == 1
    assert tracebacks(caplog) == []


async def test_an_edit_already_made_before_a_restart_counts_as_delivered(
    emu: BotApiEmulator, tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    """The bot edited a message and died before recording it: after the restart the outbox
    sends the edit again, Telegram answers "message is not modified", and that is delivery."""
    caplog.set_level(logging.INFO)
    s = await scene(emu, tmp_path)
    requester = s.people.requester
    async with office_bot(s) as (_app, office):
        await office.send_later([OutMessage(REQUESTER, "message", {"text": "Halo",
                                                                   "buttons": []})])
        first = await requester.wait_for("Halo")
        await idle(office)
    # While the bot is down: the edit is owed in the outbox, and (as the run that died had
    # sent it) already made on Telegram's side.
    store = await Store.open(s.settings.database_path)
    await store.enqueue([OutMessage(REQUESTER, "edit", {
        "message_id": first.message_id, "text": "Halo lagi", "buttons": [], "caption": False})],
        now=s.clock())
    await store.close()
    async with Bot(emu.token, base_url=emu.base_url) as bot:
        await bot.edit_message_text("Halo lagi", chat_id=REQUESTER, message_id=first.message_id)
    async with office_bot(s) as (_app, office):
        await idle(office)
        async with office.store.db.reading() as conn:
            [row] = list(await conn.execute_fetchall(
                "SELECT sent_at, result, attempts FROM outbox WHERE kind = 'edit'"))
    assert calls(emu, "editMessageText", REQUESTER) == [200, 400]
    assert [m.text for m in requester.inbox] == ["Halo lagi"]
    assert row["sent_at"] is not None and row["result"] == '"unchanged"'
    assert row["attempts"] == 0
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


async def test_a_press_whose_query_expired_still_goes_on(
    emu: BotApiEmulator, tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    """A press that waited (a restart, a slow moment) past Telegram's answer window: the
    answer fails with "query is too old", and the step goes on all the same."""
    caplog.set_level(logging.INFO)
    s = await scene(emu, tmp_path)
    head = s.people.head
    async with office_bot(s) as (_app, office):
        await file_request(office)
        card = await head.wait_for("Tahap 1")
        emu.callback_max_age = 0.0
        await head.press(card, DISPOSE, wait_answer=False)
        await head.press(await head.wait_for(lambda m: m.edited and "Lewati" in m.button_texts),
                         "Lewati", wait_answer=False)
        await head.wait_for(done, timeout=10)
        await s.people.kabid.wait_for("Tahap 2")
        await idle(office)
    answers = [c.status for c in emu.calls if c.method == "answerCallbackQuery"]
    assert answers == [400, 400]
    assert sum("answer to a button press" in r.getMessage() for r in caplog.records) == 2
    assert tracebacks(caplog) == []
