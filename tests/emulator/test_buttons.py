"""Inline buttons: press → callback query → the bot edits the message and answers."""

from __future__ import annotations

import asyncio

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes

from devtools.emulator import BotApiEmulator
from tests.support.emulator import build_application, running_bot

KEYBOARD = InlineKeyboardMarkup(
    [
        [InlineKeyboardButton("Setujui", callback_data="ok:1")],
        [InlineKeyboardButton("Tolak", callback_data="no:1")],
    ]
)


async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text("Nomor SD-2026-0001: setujui?", reply_markup=KEYBOARD)


async def decide(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    if query.data == "ok:1":
        await query.edit_message_text("Nomor SD-2026-0001: <b>disetujui</b>.", parse_mode="HTML")
        await query.answer("Disetujui")
    elif query.data == "slow":
        await asyncio.sleep(0.3)
        try:
            await query.answer("terlambat")
        except BadRequest as exc:
            context.bot_data["late_error"] = exc.message
    else:
        await query.answer("Tombol ini sudah tidak berlaku.", show_alert=True)


def _app(emu: BotApiEmulator):
    return build_application(emu, [CommandHandler("ajukan", ask), CallbackQueryHandler(decide)])


async def test_press_edits_message_and_returns_answer(emulator: BotApiEmulator) -> None:
    alice = emulator.user(1001, "Alice")
    async with running_bot(_app(emulator)):
        await alice.send_command("ajukan")
        msg = await alice.wait_for("Nomor")
        assert msg.buttons == [[("Setujui", "ok:1")], [("Tolak", "no:1")]]
        assert not msg.edited

        answer = await alice.press(msg, "Setujui")
        assert answer == "Disetujui"
        edited = await alice.wait_for(lambda m: m.edited)
        assert edited.message_id == msg.message_id
        assert edited.text == "Nomor SD-2026-0001: disetujui."
        assert edited.buttons == []  # editMessageText without reply_markup drops the keyboard
        assert [m.text for m in alice.inbox] == [edited.text]

        # The button is gone from the current version: press refuses, press_data still works.
        with pytest.raises(LookupError):
            await alice.press(msg, "Tolak")
        stale = await alice.press_data(msg, "no:1")
        assert stale == "Tombol ini sudah tidak berlaku."
    assert "Alice menekan [Setujui]" in emulator.transcript_text()
    assert "Bot ✎ Alice: Nomor SD-2026-0001: disetujui." in emulator.transcript_text()


async def test_press_by_unique_substring_and_ambiguous(emulator: BotApiEmulator) -> None:
    alice = emulator.user(1001, "Alice")
    async with running_bot(_app(emulator)):
        await alice.send_command("/ajukan")
        msg = await alice.wait_for()
        with pytest.raises(LookupError, match="no button"):
            await alice.press(msg, "Batal")
        assert await alice.press(msg, "Setu") == "Disetujui"


async def test_not_modified_unknown_message_and_old_query(emulator: BotApiEmulator) -> None:
    emulator.callback_max_age = 0.1
    alice = emulator.user(1001, "Alice")
    app = _app(emulator)
    async with running_bot(app):
        bot = app.bot
        sent = await bot.send_message(1001, "Sama", reply_markup=KEYBOARD)
        with pytest.raises(BadRequest, match="Message is not modified"):
            await bot.edit_message_text(
                "Sama", chat_id=1001, message_id=sent.message_id, reply_markup=KEYBOARD
            )
        with pytest.raises(BadRequest, match="Message to edit not found"):
            await bot.edit_message_text("Lain", chat_id=1001, message_id=999)
        with pytest.raises(BadRequest, match="Query is too old"):
            await bot.answer_callback_query("12345")
        # Only the markup changes: allowed, and a second identical change is refused.
        await bot.edit_message_reply_markup(1001, sent.message_id, reply_markup=None)
        with pytest.raises(BadRequest, match="not modified"):
            await bot.edit_message_reply_markup(1001, sent.message_id, reply_markup=None)

        msg = await alice.wait_for("Sama")
        assert await alice.press_data(msg, "slow", wait_answer=False) is None
        for _ in range(50):
            if "late_error" in app.bot_data:
                break
            await asyncio.sleep(0.05)
        assert "Query is too old" in app.bot_data["late_error"]

        await bot.delete_message(1001, sent.message_id)
        assert alice.inbox == []
        with pytest.raises(BadRequest, match="Message to delete not found"):
            await bot.delete_message(1001, sent.message_id)
