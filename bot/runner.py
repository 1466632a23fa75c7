"""`run`: the long-running part of the command line.

`run` serves the bot by long polling, or with `--webhook URL` by PTB's own webhook server;
either way python-telegram-bot calls `post_init`/`post_shutdown` and stops cleanly on
SIGINT/SIGTERM. Logs go to stderr at LOG_LEVEL with the bot token blanked out.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import logging
import re
import socket
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO
from urllib.parse import urlsplit

from bot.settings import Settings

if TYPE_CHECKING:
    import tornado.web

    from bot.handlers.context import BotApp

log = logging.getLogger(__name__)

EXIT_USAGE = 64  # as the command line's usage errors (bot.cli.EXIT_USAGE)
EXIT_FAILED = 1
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RunError(Exception):
    """One line for the operator, and the exit code."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Webhook:
    """Where PTB's webhook server listens and what it tells Telegram."""

    listen: str
    port: int
    url_path: str
    webhook_url: str
    secret_token: str


def main(settings: Settings, args: argparse.Namespace, out: TextIO) -> int:
    if settings.bot_token is None:
        out.write("BOT_TOKEN is not set: put it in .env or the environment "
                  "(see .env.example), or try the demo: python -m bot demo\n")
        return EXIT_FAILED  # a missing setting, as every other one
    try:
        webhook = webhook_plan(args.webhook, args.listen, settings.webhook_secret,
                               settings.bot_token) if args.webhook else None
        configure_logging(settings, secrets=(webhook.secret_token,) if webhook else ())
        return serve(settings, webhook)
    except RunError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return exc.code


def webhook_plan(url: str, listen: str, secret: str | None, token: str) -> Webhook:
    """The webhook settings for `--webhook URL --listen HOST:PORT`.

    The URL's path is where updates are served; a URL without a path gets one derived from
    the bot token (not guessable, and the same on every start). Without WEBHOOK_SECRET the
    secret token is derived from the bot token too: stable, so that a restart, or a second
    instance started by mistake, never leaves Telegram with a secret the running bot lacks."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RunError(f"--webhook: not an http(s) URL: {url!r}")
    if parts.query or parts.fragment:
        raise RunError("--webhook: the URL must not have a query or fragment")
    path = parts.path.strip("/")
    if not path:
        path = derived(token, "path")[:24]
        url = url.rstrip("/") + "/" + path
    if secret is not None and not _SECRET_RE.match(secret):
        raise RunError("WEBHOOK_SECRET: use 1-256 characters A-Z, a-z, 0-9, _ and -")
    host, port = parse_listen(listen)
    return Webhook(host, port, path, url, secret or derived(token, "secret"))


def derived(token: str, purpose: str) -> str:
    """A stable value derived from the bot token (HMAC-SHA256, URL-safe, 43 characters)."""
    digest = hmac.new(token.encode(), f"subdomain-bot webhook {purpose}".encode(),
                      hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def parse_listen(raw: str) -> tuple[str, int]:
    """`HOST:PORT`, `[IPv6]:PORT` or just `PORT` (on 127.0.0.1)."""
    host, sep, port = raw.rpartition(":")
    if not sep:
        host, port = "127.0.0.1", raw
    host = host.strip("[]") or "127.0.0.1"
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise RunError(f"--listen: expected HOST:PORT, got {raw!r}")
    return host, int(port)


MAX_LOG_MESSAGE = 1000
"""Longest message logged: PTB logs whole API results (update bodies) at DEBUG."""


class _Scrubbing(logging.Formatter):
    """Blanks the token and the webhook secret out of every formatted line, tracebacks
    included (httpx errors and PTB's own messages may carry request URLs, which hold the
    token, and setWebhook's parameters, which hold the secret), and cuts long messages."""

    def __init__(self, hidden: dict[str, str]) -> None:
        super().__init__(LOG_FORMAT)
        self.hidden = hidden

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 (logging's name)
        message = record.message
        if len(message) > MAX_LOG_MESSAGE:
            record.message = (f"{message[:MAX_LOG_MESSAGE]}… "
                              f"({len(message) - MAX_LOG_MESSAGE} more characters)")
        try:
            return super().formatMessage(record)
        finally:
            record.message = message

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret, label in self.hidden.items():
            text = text.replace(secret, label)
        return text


def configure_logging(settings: Settings, stream: TextIO | None = None,
                      secrets: tuple[str, ...] = ()) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)
    hidden = {secret: "<webhook secret>" for secret in secrets if secret}
    if settings.bot_token:
        hidden[settings.bot_token] = "<token>"
    handler.setFormatter(_Scrubbing(hidden))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(settings.log_level)


def serve(settings: Settings, webhook: Webhook | None) -> int:
    """Run until SIGINT/SIGTERM; 0 after a clean stop, 1 when the Bot API refuses us."""
    from telegram.error import InvalidToken, NetworkError, TelegramError

    from bot.app import build_application, quiet_http_logs
    from bot.paperwork import letter_warnings
    from bot.sealing import signing_warnings
    from letters.fonts import FontMissing, font_dir

    quiet_http_logs()
    try:
        font_dir()  # the files are there; reportlab reads them when a letter is rendered
    except FontMissing as exc:
        raise RunError(str(exc), EXIT_FAILED) from None
    for warning in [*letter_warnings(settings), *signing_warnings(settings),
                    *web_warnings(settings)]:
        log.warning("%s", warning)
    app = build_application(settings, freeze_heap=True)
    shared = webhook is not None and settings.web.listen == (webhook.listen, webhook.port)
    if settings.web.listen is not None and not shared:
        app.bot_data["web_socket"] = bind_web(*settings.web.listen)
    try:
        if webhook is None:
            log.info("starting: long polling %s", settings.telegram_api_base_url)
            app.run_polling(bootstrap_retries=3)
        else:
            run_webhook(app, webhook)
    except InvalidToken:
        # PTB's message quotes the token: never print it.
        raise RunError("the Bot API refused BOT_TOKEN (check the token from @BotFather)",
                       EXIT_FAILED) from None
    except NetworkError as exc:
        raise RunError(f"cannot reach the Bot API at {settings.telegram_api_base_url}: "
                       f"{_scrub(str(exc), settings)}", EXIT_FAILED) from None
    except TelegramError as exc:
        raise RunError(f"the Bot API refused to start the bot: {_scrub(str(exc), settings)}",
                       EXIT_FAILED) from None
    except OSError as exc:  # e.g. the webhook port is taken
        raise RunError(f"cannot start: {exc}", EXIT_FAILED) from None
    log.info("stopped")
    return 0


def run_webhook(app: BotApp, webhook: Webhook) -> None:
    """Bind first (a port in use stops here, before Telegram hears anything), then start
    the bot and register the webhook; see `bot.webhook`."""
    from bot import webhook as server
    from bot.app import post_init, post_shutdown

    try:
        sock = server.bind(webhook.listen, webhook.port)
    except OSError as exc:
        raise RunError(f"cannot listen on {webhook.listen}:{webhook.port}: "
                       f"{exc.strerror or exc}", EXIT_FAILED) from None
    log.info("starting: webhook %s, listening on %s:%d", webhook.webhook_url, webhook.listen,
             webhook.port)
    shared = app.bot_data["settings"].web.listen == (webhook.listen, webhook.port)
    asyncio.run(server.serve(app, sock, url=webhook.webhook_url, path=webhook.url_path,
                             secret=webhook.secret_token, post_init=post_init,
                             post_shutdown=post_shutdown, beside=_pages if shared else None))


def _pages(app: BotApp, web: tornado.web.Application) -> None:
    """WEB_LISTEN is the webhook's address: the public pages on the webhook's server."""
    from bot.web.site import Site

    site = Site(app.bot_data["office"])
    site.mount(web)


def bind_web(host: str, port: int) -> socket.socket:
    """The public pages' socket, bound before anything starts (a port in use stops here)."""
    from bot.webhook import bind

    try:
        return bind(host, port)
    except OSError as exc:
        raise RunError(f"WEB_LISTEN: cannot listen on {host}:{port}: {exc.strerror or exc}",
                       EXIT_FAILED) from None


def web_warnings(settings: Settings) -> list[str]:
    """The site serves /verifikasi/CODE: the letters' QR codes should point there."""
    if settings.web.listen is None:
        return []
    base = settings.verify_base_url
    if base is None:
        return ["WEB_LISTEN is set but LETTER_VERIFY_URL is not: letters carry no address to "
                "verify them (set it to the site's public address + /verifikasi)"]
    if not base.rstrip("/").endswith("/verifikasi"):
        return [f"LETTER_VERIFY_URL ({base}) does not end in /verifikasi: the letters' QR codes "
                "will not open the public site's verification page"]
    return []


def _scrub(text: str, settings: Settings) -> str:
    return text.replace(settings.bot_token, "<token>") if settings.bot_token else text
