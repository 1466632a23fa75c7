"""The bot's HTTP transport (`bot.transport.AiohttpRequest`) under python-telegram-bot's `Bot`,
against the emulator: answers, Bot API errors, uploads, timeouts and a server that is not there
all come back as PTB's own results and exceptions, and no error carries the token."""

from __future__ import annotations

import asyncio
import base64
import socket

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, NetworkError, TimedOut

from bot.transport import AiohttpRequest
from tests.support.emulator import running_emulator

USER = 1001


def _bot(base_url: str, token: str, **timeouts: float) -> Bot:
    return Bot(token, base_url=base_url, request=AiohttpRequest(4, **timeouts),
               get_updates_request=AiohttpRequest(1))


async def test_messages_markup_uploads_and_api_errors() -> None:
    async with running_emulator() as emu:
        user = emu.user(USER, "Budi")
        async with _bot(emu.base_url, emu.token) as bot:
            markup = InlineKeyboardMarkup([[InlineKeyboardButton("Ya", callback_data="y")]])
            sent = await bot.send_message(USER, "<b>Halo</b> &amp; selamat", parse_mode="HTML",
                                          reply_markup=markup)
            shown = await user.wait_for("Halo")
            assert (shown.text, shown.buttons) == ("Halo & selamat", [[("Ya", "y")]])
            assert sent.message_id == shown.message_id
            document = await bot.send_document(USER, b"%PDF-1.4 surat", filename="surat.pdf",
                                               caption="Surat balasan", reply_markup=markup)
            received = await user.wait_for(lambda m: m.document is not None)
            assert received.document is not None and received.document.data == b"%PDF-1.4 surat"
            assert document.document is not None
            assert (received.caption, document.document.file_name) == ("Surat balasan",
                                                                       "surat.pdf")
            with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
                await bot.edit_message_text("x", chat_id=USER, message_id=9999)


async def test_a_slow_answer_times_out_and_a_missing_server_is_a_network_error() -> None:
    async with running_emulator() as emu:
        emu.user(USER, "Budi")
        emu.slow("sendMessage", 1.0)
        async with _bot(emu.base_url, emu.token, read_timeout=0.2) as bot:
            with pytest.raises(TimedOut):
                await bot.send_message(USER, "lambat")
            with pytest.raises(TimedOut):  # a call's own timeout wins over the default
                await bot.send_message(USER, "lambat", read_timeout=0.1)
        token = emu.token
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    bot = _bot(f"http://127.0.0.1:{port}/bot", token)
    with pytest.raises(NetworkError, match="Cannot connect") as failed:
        async with bot:  # initialize() asks getMe
            pass
    assert token.split(":")[1] not in str(failed.value)


async def test_the_proxy_named_in_the_environment_carries_the_calls(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """HTTP_PROXY (with credentials) is honoured as httpx honoured it; NO_PROXY exempts a
    host. The "proxy" here is a loopback server that records what it was asked and answers
    like the Bot API."""
    asked: list[tuple[str, str]] = []

    async def proxy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        fields = dict(line.split(": ", 1) for line in head[1:] if ": " in line)
        await reader.readexactly(int(fields.get("Content-Length", "0")))
        asked.append((head[0], fields.get("Proxy-Authorization", "")))
        body = b'{"ok": true, "result": true}'
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                     b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(proxy, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    for name in ("HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", f"http://kantor:rahasia@127.0.0.1:{port}")
    base = "http://127.0.0.2:9/bot"  # nothing listens there: only the proxy can answer
    try:
        transport = AiohttpRequest(1)
        await transport.initialize()
        try:
            status, _ = await transport.do_request(f"{base}123:abc/deleteWebhook", "POST")
            assert status == 200
            assert asked == [(f"POST {base}123:abc/deleteWebhook HTTP/1.1",
                              "Basic " + base64.b64encode(b"kantor:rahasia").decode())]
            monkeypatch.setenv("NO_PROXY", "127.0.0.3")
            with pytest.raises(NetworkError):  # exempt: straight to a port nobody serves
                await transport.do_request("http://127.0.0.3:9/bot1:x/getMe", "POST",
                                           connect_timeout=0.5)
            assert len(asked) == 1
        finally:
            await transport.shutdown()
    finally:
        server.close()
        await server.wait_closed()
