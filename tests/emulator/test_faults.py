"""Injected faults and flood limits surface in PTB as they would from Telegram."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from telegram import Update
from telegram.error import Forbidden, NetworkError, RetryAfter
from telegram.ext import AIORateLimiter, ContextTypes, MessageHandler, filters

from devtools.emulator import BotApiEmulator, RateLimits
from tests.support.emulator import build_application, running_bot


async def test_injected_429_is_retry_after(emulator: BotApiEmulator) -> None:
    emulator.user(1001, "Alice")
    emulator.inject("sendMessage", status=429, count=1, retry_after=7)
    async with build_application(emulator) as app:
        with pytest.raises(RetryAfter) as caught:
            await app.bot.send_message(1001, "halo")
        assert caught.value.retry_after == timedelta(seconds=7)
        await app.bot.send_message(1001, "halo lagi")
    assert emulator.sent_count() == 1
    assert "sendMessage → 429 Too Many Requests: retry after 7" in emulator.transcript_text()


async def test_ptb_rate_limiter_retries_after_429(emulator: BotApiEmulator) -> None:
    alice = emulator.user(1001, "Alice")
    emulator.inject("sendMessage", status=429, retry_after=1)
    app = build_application(emulator, rate_limiter=AIORateLimiter(max_retries=2))
    async with app:
        started = time.monotonic()
        await app.bot.send_message(1001, "akhirnya terkirim")
        assert time.monotonic() - started >= 1.0
    assert [m.text for m in alice.inbox] == ["akhirnya terkirim"]
    assert [c.status for c in emulator.calls if c.method == "sendMessage"] == [429, 200]


async def test_server_errors_and_slow_calls(emulator: BotApiEmulator) -> None:
    emulator.user(1001, "Alice")
    async with build_application(emulator) as app:
        emulator.inject("sendMessage", status=500, count=2)
        emulator.inject("*", status=502)
        for _ in range(3):
            with pytest.raises(NetworkError):
                await app.bot.send_message(1001, "gagal")
        emulator.slow("sendMessage", 0.3)
        started = time.monotonic()
        await app.bot.send_message(1001, "lambat")
        assert time.monotonic() - started >= 0.3
        emulator.slow("sendMessage", 0)
        emulator.inject("getMe", status=403, description="Forbidden: dicoba")
        emulator.clear_faults()
        await app.bot.get_me()
    assert [c.status for c in emulator.calls if c.method == "sendMessage"] == [500, 500, 502, 200]


async def test_flood_limits_per_private_chat_group_and_off(emulator: BotApiEmulator) -> None:
    emulator.user(1001, "Alice")
    emulator.user(1002, "Budi")
    emulator.group(-100123, "Diskominfo")
    emulator.rate_limits = RateLimits(private_burst=2, group_burst=3)
    async with build_application(emulator) as app:
        bot = app.bot
        await bot.send_message(1001, "1")
        await bot.send_message(1001, "2")
        with pytest.raises(RetryAfter):
            await bot.send_message(1001, "3")
        await bot.send_message(1002, "lain orang, lain batas")
        for number in range(3):
            await bot.send_message(-100123, str(number))
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(-100123, "terlalu banyak")
        retry = caught.value.retry_after
        assert isinstance(retry, timedelta)
        assert retry >= timedelta(seconds=2)  # 20/min: 3 s per message

        emulator.rate_limits = None
        for number in range(10):
            await bot.send_message(1001, f"bebas {number}")


async def test_polling_survives_a_failed_get_updates(emulator: BotApiEmulator) -> None:
    alice = emulator.user(1001, "Alice")

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("ok")

    app = build_application(emulator, [MessageHandler(filters.TEXT, echo)])
    async with running_bot(app):
        emulator.inject("getUpdates", status=502)
        await alice.send_text("halo")
        assert (await alice.wait_for(timeout=5)).text == "ok"
    assert any(c.method == "getUpdates" and c.status == 502 for c in emulator.calls)


async def test_faults_for_one_chat_and_dropped_connections(emulator: BotApiEmulator) -> None:
    alice, budi = emulator.user(1001, "Alice"), emulator.user(1002, "Budi")
    async with build_application(emulator) as app:
        emulator.inject("sendMessage", status=503, chat_id=1002)
        emulator.inject("sendMessage", chat_id=1001, drop=True)
        with pytest.raises(NetworkError):
            await app.bot.send_message(1001, "hilang di jalan")
        await app.bot.send_message(1001, "sampai")  # the dropped call had no effect
        with pytest.raises(NetworkError):
            await app.bot.send_message(1002, "gagal")
        await app.bot.send_message(1002, "sampai juga")
    assert [m.text for m in alice.inbox] == ["sampai"]
    assert [m.text for m in budi.inbox] == ["sampai juga"]
    assert [c.status for c in emulator.calls if c.method == "sendMessage"] == [0, 200, 503, 200]


async def test_a_user_who_never_opened_the_bot_cannot_be_written_to(
        emulator: BotApiEmulator) -> None:
    dewi = emulator.user(1003, "Dewi", started=False)
    async with build_application(emulator) as app:
        with pytest.raises(Forbidden, match="can't initiate conversation"):
            await app.bot.send_message(1003, "halo")
        with pytest.raises(Forbidden):
            await app.bot.send_chat_action(1003, "typing")
        await dewi.send_command("/start")
        await app.bot.send_message(1003, "halo")
    assert [m.text for m in dewi.inbox] == ["halo"]
