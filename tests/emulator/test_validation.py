"""Telegram's rules, enforced: bad HTML, limits, keyboards, tokens, unknown methods."""

from __future__ import annotations

import httpx
import pytest
from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, EndPointNotFound, Forbidden, InvalidToken
from telegram.ext import ApplicationBuilder

from devtools.emulator import BotApiEmulator
from tests.support.emulator import build_application


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("<br>baris", 'Unsupported start tag "br" at byte offset 0'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("<b>tebal", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ('<span class="merah">x</span>', 'Tag "span" must have class "tg-spoiler"'),
        ("<a href=x", "Unclosed start tag"),
    ],
)
async def test_bad_html_is_bad_request(emulator: BotApiEmulator, text: str, error: str) -> None:
    emulator.user(1001, "Alice")
    async with build_application(emulator) as app:
        with pytest.raises(BadRequest, match="Can't parse entities") as caught:
            await app.bot.send_message(1001, text, parse_mode="HTML")
        assert error.lower() in caught.value.message.lower()
    assert emulator.sent_count() == 0


async def test_text_limits_count_visible_text(emulator: BotApiEmulator) -> None:
    alice = emulator.user(1001, "Alice")
    async with build_application(emulator) as app:
        bot = app.bot
        # 4096 visible characters pass even though the HTML source is longer.
        body = "<b>" + "&amp;" * 4096 + "</b>"
        sent = await bot.send_message(1001, body, parse_mode="HTML")
        assert sent.text == "&" * 4096
        with pytest.raises(BadRequest, match="Message is too long"):
            await bot.send_message(1001, "x" * 4097)
        with pytest.raises(BadRequest, match="Message text is empty"):
            await bot.send_message(1001, "  <b> </b>\n", parse_mode="HTML")
        with pytest.raises(BadRequest, match="Message caption is too long"):
            await bot.send_document(1001, b"isi", filename="a.txt", caption="c" * 1025)
        sent = await bot.send_message(
            1001, "<i>miring</i> &lt;tag&gt; &#x27;kutip&#39; <a href='https://x.id'>tautan</a>",
            parse_mode="HTML",
        )
        assert sent.text == "miring <tag> 'kutip' tautan"
        assert [e.type for e in sent.entities] == ["italic", "text_link"]
        assert sent.entities[1].url == "https://x.id"
    assert alice.inbox[-1].source is not None and alice.inbox[-1].source.startswith("<i>miring")


@pytest.mark.parametrize(
    ("button", "error"),
    [
        (InlineKeyboardButton("Ok", callback_data="x" * 65), "Button_data_invalid"),
        (InlineKeyboardButton("", callback_data="x"), "Button_text_invalid"),
        (InlineKeyboardButton("Ok"), "Text buttons are unallowed"),
    ],
)
async def test_inline_keyboard_rules(
    emulator: BotApiEmulator, button: InlineKeyboardButton, error: str
) -> None:
    emulator.user(1001, "Alice")
    async with build_application(emulator) as app:
        with pytest.raises(BadRequest, match=error):
            await app.bot.send_message(1001, "Pilih", reply_markup=InlineKeyboardMarkup([[button]]))
        # 64 bytes of callback_data (multi-byte characters count as bytes) pass.
        ok = InlineKeyboardButton("Ok", callback_data="é" * 32)
        await app.bot.send_message(1001, "Pilih", reply_markup=InlineKeyboardMarkup([[ok]]))


async def test_chats_commands_and_blocking(emulator: BotApiEmulator) -> None:
    alice = emulator.user(1001, "Alice", username="alice")
    async with build_application(emulator) as app:
        bot = app.bot
        assert bot.username == emulator.bot_username
        with pytest.raises(BadRequest, match="Chat not found"):
            await bot.send_message(424242, "halo")
        await bot.send_message("@alice", "lewat username")
        with pytest.raises(BadRequest, match="Message to be replied not found"):
            await bot.send_message(1001, "balas", reply_to_message_id=999)
        alice.block()
        with pytest.raises(Forbidden, match="blocked"):
            await bot.send_message(1001, "halo")
        alice.unblock()

        commands = [BotCommand("start", "Mulai"), BotCommand("ajukan", "Ajukan subdomain")]
        assert await bot.set_my_commands(commands)
        assert await bot.get_my_commands() == tuple(commands)
        with pytest.raises(BadRequest, match="Bot_command_invalid"):
            await bot.set_my_commands([BotCommand("Mulai-Sekarang", "x")])


async def test_unknown_method_and_tokens(emulator: BotApiEmulator) -> None:
    emulator.user(1001, "Alice")
    async with build_application(emulator) as app:
        with pytest.raises(InvalidToken, match="method not found"):
            await app.bot.send_dice(1001)
        with pytest.raises(EndPointNotFound):
            await app.bot.do_api_request("makeCoffee", api_kwargs={"sugar": 2})
    assert emulator.unknown_methods == ["sendDice", "makeCoffee"]

    wrong = ApplicationBuilder().token("123456:WRONG").base_url(emulator.base_url).build()
    with pytest.raises(InvalidToken):
        await wrong.initialize()
    slash = (
        ApplicationBuilder().token(emulator.token).base_url(emulator.base_url + "/").build()
    )
    with pytest.raises(InvalidToken):
        await slash.initialize()

    async with httpx.AsyncClient() as client:
        answer = await client.post(f"{emulator.base_url}123456:WRONG/getMe")
        assert answer.status_code == 401
        assert answer.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
        answer = await client.post(f"{emulator.base_url}{emulator.token}/getMe", json={})
        assert answer.json()["result"]["is_bot"] is True
