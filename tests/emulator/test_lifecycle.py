"""Start/stop speed, long polling semantics, and webhook mode."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest
from telegram import Update
from telegram.error import Conflict
from telegram.ext import ContextTypes, MessageHandler, filters

from devtools.emulator import BotApiEmulator
from tests.support.emulator import (
    build_application,
    running_bot,
    running_emulator,
    running_webhook_bot,
)


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None and update.effective_message.text
    await update.effective_message.reply_text("gema: " + update.effective_message.text)


async def _call(client: httpx.AsyncClient, emu: BotApiEmulator, method: str, **data: Any) -> Any:
    answer = await client.post(f"{emu.base_url}{emu.token}/{method}", json=data)
    return answer.json()


async def test_polling_bot_starts_and_stops_fast() -> None:
    started = time.monotonic()
    async with running_emulator() as emu:
        alice = emu.user(1001, "Alice")
        app = build_application(emu, [MessageHandler(filters.TEXT, echo)])
        async with running_bot(app, poll_timeout=10):  # PTB's default long poll
            await alice.send_text("halo")
            await alice.wait_for("gema: halo")
            await asyncio.sleep(0.2)  # let a long poll be pending at stop time
    assert time.monotonic() - started < 2.5
    methods = [c.method for c in emu.calls]
    assert methods[:2] == ["getMe", "deleteWebhook"]
    # On stop PTB sends one last getUpdates with timeout=0, which ends the pending long poll.
    polls = [(c.params.get("timeout"), c.status) for c in emu.calls if c.method == "getUpdates"]
    assert ("0", 200) in polls
    assert polls[-1] == ("10", 409)


async def test_stop_wakes_pending_long_poll() -> None:
    async with running_emulator() as emu, httpx.AsyncClient(timeout=40) as client:
        poll = asyncio.create_task(_call(client, emu, "getUpdates", timeout=30))
        await asyncio.sleep(0.1)
        started = time.monotonic()
        await emu.stop()
        assert (await poll) == {"ok": True, "result": []}
        assert time.monotonic() - started < 1.5


async def test_offsets_allowed_updates_and_competing_pollers(emulator: BotApiEmulator) -> None:
    alice = emulator.user(1001, "Alice", username="alice")
    async with httpx.AsyncClient(timeout=10) as client:
        await alice.send_text("satu")
        await alice.send_command("/start")
        first = (await _call(client, emulator, "getUpdates"))["result"]
        assert [u["message"]["text"] for u in first] == ["satu", "/start"]
        message = first[1]["message"]
        assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
        assert message["from"] == {
            "id": 1001, "is_bot": False, "first_name": "Alice", "language_code": "id",
            "username": "alice",
        }
        assert message["chat"]["type"] == "private" and isinstance(message["date"], int)
        assert first[1]["update_id"] == first[0]["update_id"] + 1

        again = await _call(client, emulator, "getUpdates", offset=first[1]["update_id"])
        assert [u["update_id"] for u in again["result"]] == [first[1]["update_id"]]
        after = await _call(client, emulator, "getUpdates", offset=first[1]["update_id"] + 1)
        assert after["result"] == []

        # Messages are dropped when only callback queries are allowed.
        await alice.send_text("diabaikan")
        skipped = await _call(client, emulator, "getUpdates", allowed_updates=["callback_query"])
        assert skipped["result"] == []

        # A newer getUpdates terminates the pending one with 409 Conflict.
        older = asyncio.create_task(_call(client, emulator, "getUpdates", timeout=5))
        await asyncio.sleep(0.1)
        await _call(client, emulator, "getUpdates", timeout=0)
        answer = await asyncio.wait_for(older, 2)
        assert answer["error_code"] == 409 and "terminated by other getUpdates" in answer[
            "description"
        ]


async def test_webhook_mode(emulator: BotApiEmulator) -> None:
    alice = emulator.user(1001, "Alice")
    app = build_application(emulator, [MessageHandler(filters.TEXT, echo)])
    async with running_webhook_bot(app, secret_token="rahasia_1") as url:
        assert emulator.webhook_url == url and emulator.webhook_secret == "rahasia_1"
        await alice.send_text("lewat webhook")
        assert (await alice.wait_for("gema")).text == "gema: lewat webhook"
        assert emulator.webhook_deliveries[-1].status == 200
        with pytest.raises(Conflict, match="webhook is active"):
            await app.bot.get_updates()

        # A wrong secret is refused by PTB's webhook server; the emulator retries.
        emulator.webhook_secret = "salah"
        await alice.send_text("kedua")
        for _ in range(100):
            if any(d.status == 403 for d in emulator.webhook_deliveries):
                break
            await asyncio.sleep(0.02)
        emulator.webhook_secret = "rahasia_1"
        assert (await alice.wait_for("kedua")).text == "gema: kedua"
        statuses = [d.status for d in emulator.webhook_deliveries]
        assert 403 in statuses and statuses[-1] == 200
