"""The webhook server of `run --webhook`: bound before Telegram is told about it.

PTB's own `run_webhook` calls setWebhook first and binds the port afterwards, so a second
instance started by mistake re-registers the webhook (with another secret) and only then finds
the port taken: the running bot answers every update with 403 from then on. Here the socket is
bound first, the application started, and setWebhook is called last. The handler takes only a
POST with the right secret (403 otherwise), at most `MAX_BODY` bytes (413), and JSON that is an
update (400 otherwise, one log line, no traceback); an update's body is never logged.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import signal
import socket
from collections.abc import Awaitable, Callable
from typing import Any

import tornado.httpserver
import tornado.web
from telegram import Update
from telegram.error import NetworkError, RetryAfter, TimedOut
from telegram.ext import Application, ExtBot

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1 << 20
"""Telegram's updates are a few kilobytes; anything near a megabyte is not one."""
REGISTER_ATTEMPTS = 4

AnyApp = Application[Any, Any, Any, Any, Any, Any]


def bind(host: str, port: int) -> socket.socket:
    """A listening, non-blocking TCP socket; OSError (e.g. the port is taken) before anything
    else happens."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock


class _UpdateHandler(tornado.web.RequestHandler):
    SUPPORTED_METHODS = ("POST",)

    def initialize(self, app: AnyApp, secret: str) -> None:
        self.app = app
        self.secret = secret

    async def post(self) -> None:
        given = self.request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            log.warning("webhook: request from %s without the right secret token refused",
                        self.request.remote_ip)
            self.set_status(403)
            return
        try:
            data = json.loads(self.request.body)
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
            update = Update.de_json(data, self.app.bot)
        except Exception as exc:  # any malformed body: 400, one line, never the body itself
            log.warning("webhook: malformed update refused (%s, %d bytes)", type(exc).__name__,
                        len(self.request.body))
            self.set_status(400)
            return
        log.debug("webhook: update %d received", update.update_id)
        if isinstance(self.app.bot, ExtBot):
            self.app.bot.insert_callback_data(update)
        await self.app.update_queue.put(update)

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        log.warning("webhook: request failed: %s", type(value).__name__ if value else typ)


def _quiet(handler: tornado.web.RequestHandler) -> None:
    """No access log: each line would show the secret path."""


async def serve(app: AnyApp, sock: socket.socket, *, url: str, path: str, secret: str,
                post_init: Callable[[AnyApp], Awaitable[None]] | None = None,
                post_shutdown: Callable[[AnyApp], Awaitable[None]] | None = None,
                beside: Callable[[AnyApp, tornado.web.Application], None] | None = None) -> None:
    """Serve updates on the bound `sock` until SIGINT/SIGTERM; setWebhook only once the server
    accepts connections. `beside(app, web)`, after `post_init`, may add other routes to the
    server (the public pages on the same port)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    web = tornado.web.Application(
        [(rf"/{path.strip('/')}/?", _UpdateHandler, {"app": app, "secret": secret})],
        log_function=_quiet)
    server = tornado.httpserver.HTTPServer(web, max_body_size=MAX_BODY)
    await app.initialize()
    try:
        if post_init is not None:
            await post_init(app)
        if beside is not None:
            beside(app, web)
        await app.start()
        server.add_sockets([sock])
        await _register(app, url, secret)
        await stop.wait()
    finally:
        server.stop()
        await server.close_all_connections()
        if app.running:
            await app.stop()
        if post_shutdown is not None:
            await post_shutdown(app)
        await app.shutdown()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


async def _register(app: AnyApp, url: str, secret: str) -> None:
    for attempt in range(1, REGISTER_ATTEMPTS + 1):
        try:
            await app.bot.set_webhook(url=url, secret_token=secret)
            return
        except RetryAfter as wait:
            delay = wait.retry_after
            seconds = delay if isinstance(delay, (int, float)) else delay.total_seconds()
            if attempt == REGISTER_ATTEMPTS:
                raise
            await asyncio.sleep(seconds)
        except (NetworkError, TimedOut):
            if attempt == REGISTER_ATTEMPTS:
                raise
            await asyncio.sleep(attempt)
