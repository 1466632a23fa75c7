"""A real python-telegram-bot Application, polling the emulator."""

from __future__ import annotations

import html
import time

from telegram import (
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ParseMode
from telegram.ext import CommandHandler, ContextTypes, MessageHandler, filters

from devtools.emulator import BotApiEmulator
from tests.support.emulator import build_application, running_bot


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None and update.effective_message.text
    text = update.effective_message.text
    await update.effective_message.reply_text(
        f"<b>Anda</b>: {html.escape(text)}", parse_mode=ParseMode.HTML
    )


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None and update.effective_user is not None
    keyboard = ReplyKeyboardMarkup(
        [[KeyboardButton("Bagikan nomor", request_contact=True)]], resize_keyboard=True
    )
    await update.effective_message.reply_text(
        f"Selamat datang, Bapak/Ibu {update.effective_user.first_name}. Args={context.args}",
        reply_markup=keyboard,
    )


async def contact(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None and message.contact is not None and update.effective_user
    own = message.contact.user_id == update.effective_user.id
    await message.reply_text(
        f"Nomor {message.contact.phone_number} tercatat (milik sendiri: {own}).",
        reply_markup=ReplyKeyboardRemove(),
    )


def _app(emu: BotApiEmulator):
    return build_application(
        emu,
        [
            CommandHandler("start", start),
            MessageHandler(filters.CONTACT, contact),
            MessageHandler(filters.TEXT & ~filters.COMMAND, echo),
        ],
    )


async def test_echo_and_command_and_contact(emulator: BotApiEmulator) -> None:
    alice = emulator.user(1001, "Alice", username="alice", phone="+6281234")
    async with running_bot(_app(emulator)):
        started = time.monotonic()
        await alice.send_text("halo <dunia> & semua")
        reply = await alice.wait_for(lambda m: "halo" in m.text)
        assert reply.text == "Anda: halo <dunia> & semua"
        assert reply.entities == [{"offset": 0, "length": 4, "type": "bold"}]
        assert time.monotonic() - started < 2

        await alice.send_command("/start", args="abc 123")
        welcome = await alice.wait_for("Selamat datang")
        assert "Bapak/Ibu Alice" in welcome.text
        assert "['abc', '123']" in welcome.text
        assert welcome.keyboard == [["Bagikan nomor"]]
        assert alice.reply_keyboard == [[{"text": "Bagikan nomor", "request_contact": True}]]

        await alice.tap("Bagikan nomor")
        noted = await alice.wait_for("tercatat")
        assert noted.text == "Nomor +6281234 tercatat (milik sendiri: True)."
        keyboard_now: object = alice.reply_keyboard  # (mypy narrowed the property above)
        assert noted.remove_keyboard and keyboard_now is None

    assert [m.message_id for m in alice.inbox] == sorted(m.message_id for m in alice.inbox)
    assert emulator.sent_count("sendMessage", chat_id=1001) == 3
    transcript = emulator.transcript_text()
    assert "Alice → Bot: halo <dunia> & semua" in transcript
    assert "Bot → Alice: Anda: halo <dunia> & semua" in transcript
    assert "Alice membagikan kontak +6281234" in transcript


async def test_group_messages(emulator: BotApiEmulator) -> None:
    alice = emulator.user(1001, "Alice")
    group = emulator.group(-100123, "Diskominfo")
    async with running_bot(_app(emulator)):
        await alice.send_text("rapat jam 9", chat=group)
        reply = await group.wait_for()
        assert reply.text == "Anda: rapat jam 9"
        assert reply.reply_to_message_id is not None
        assert reply.raw["chat"] == {"id": -100123, "type": "supergroup", "title": "Diskominfo"}
    assert alice.inbox == []
