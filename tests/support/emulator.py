"""Reusable helpers for end-to-end tests against the Bot API emulator.

Typical use::

    async with running_emulator() as emu, running_bot(build_application(emu, handlers)):
        alice = emu.user(1001, "Alice")
        await alice.send_command("/start")
        msg = await alice.wait_for("Selamat datang")

Fixtures ``emulator`` (rate limits as on Telegram) can be imported into a ``conftest.py``.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from telegram.ext import Application, ApplicationBuilder, BaseHandler, BaseRateLimiter

from devtools.emulator import BotApiEmulator, RateLimits

TOKEN = "123456:TEST-token"


def quiet_http_logs() -> None:
    """The HTTP client logs every URL at INFO, and URLs carry the token."""
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def running_emulator(
    *, rate_limits: RateLimits | None = RateLimits(), **kwargs: Any  # noqa: B008
) -> AsyncIterator[BotApiEmulator]:
    """A started emulator on a free port of 127.0.0.1; stopped on exit."""
    quiet_http_logs()
    kwargs.setdefault("token", TOKEN)
    async with BotApiEmulator(host="127.0.0.1", port=0, rate_limits=rate_limits, **kwargs) as emu:
        yield emu


def application_builder(emu: BotApiEmulator) -> ApplicationBuilder[Any, Any, Any, Any, Any, Any]:
    """A builder already pointed at the emulator (add ``.defaults()`` etc. as needed)."""
    return (
        ApplicationBuilder()
        .token(emu.token)
        .base_url(emu.base_url)
        .base_file_url(emu.base_file_url)
    )


def build_application(
    emu: BotApiEmulator,
    handlers: Iterable[BaseHandler[Any, Any, Any]] = (),
    *,
    rate_limiter: BaseRateLimiter[Any] | None = None,
) -> Application[Any, Any, Any, Any, Any, Any]:
    """A plain PTB application talking to ``emu`` with ``handlers`` registered in order."""
    builder = application_builder(emu)
    if rate_limiter is not None:
        builder = builder.rate_limiter(rate_limiter)
    app = builder.build()
    for handler in handlers:
        app.add_handler(handler)
    return app


@asynccontextmanager
async def running_bot(
    app: Application[Any, Any, Any, Any, Any, Any], *, poll_timeout: int = 1
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """initialize → start → poll (no interval, short long-poll); stop and shut down on exit."""
    assert app.updater is not None
    await app.initialize()
    try:
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=poll_timeout)
        yield app
    finally:
        if app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()


@asynccontextmanager
async def running_webhook_bot(
    app: Application[Any, Any, Any, Any, Any, Any],
    *,
    secret_token: str = "rahasia-uji_123",
    url_path: str = "telegram-webhook",
) -> AsyncIterator[str]:
    """Run ``app`` with PTB's webhook server on 127.0.0.1; yields the webhook URL."""
    assert app.updater is not None
    port = free_port()
    url = f"http://127.0.0.1:{port}/{url_path}"
    await app.initialize()
    try:
        await app.start()
        await app.updater.start_webhook(
            listen="127.0.0.1",
            port=port,
            url_path=url_path,
            webhook_url=url,
            secret_token=secret_token,
        )
        yield url
    finally:
        if app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    """A running emulator with Telegram's rate limits."""
    async with running_emulator() as emu:
        yield emu
