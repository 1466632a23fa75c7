"""Builds the python-telegram-bot Application from settings: handlers, services, lifecycle."""

from __future__ import annotations

import os

# Opt in to PTB's future behaviour (RetryAfter.retry_after as a timedelta) before it is read.
os.environ.setdefault("PTB_TIMEDELTA", "1")

import gc
import html
import logging
import re
import traceback
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Protocol

from telegram import BotCommand, Update
from telegram.constants import ParseMode
from telegram.ext import (
    ApplicationBuilder,
    ContextTypes,
    Defaults,
    ExtBot,
)

from bot.deadlines import ReminderScheduler
from bot.handlers import register, replies
from bot.handlers.context import BotApp, BotContext
from bot.outbox import CONCURRENCY, Dispatcher
from bot.pacing import Pacer, PacingLimiter
from bot.rechecks import CreationRechecks
from bot.reconfirm_schedule import ReconfirmSchedule
from bot.service import Clock, Office, utc_now
from bot.settings import Settings
from bot.transport import AiohttpRequest
from bot.updates import PerPersonOrder
from bot.watch_schedule import WatchSchedule
from bot.workflow import SOP, Workflow
from storage.store import Store

log = logging.getLogger(__name__)

COMMANDS = [
    BotCommand("ajukan", "Ajukan permohonan subdomain"),
    BotCommand("status", "Status permohonan Bapak/Ibu"),
    BotCommand("tugas", "Tahap yang menunggu tindakan Bapak/Ibu"),
    BotCommand("riwayat", "Riwayat sebuah permohonan"),
    BotCommand("laporan", "Laporan bulanan Mutu Baku (pejabat)"),
    BotCommand("peran", "Pejabat Plt./Plh. (admin)"),
    BotCommand("batal", "Batalkan isian yang sedang berjalan"),
    BotCommand("bantuan", "Petunjuk penggunaan"),
]


def quiet_http_logs() -> None:
    """The HTTP client logs every request URL at INFO, and the URL contains the bot token."""
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)


def hide_what_people_type() -> None:
    """At DEBUG, PTB logs every incoming update whole (the getUpdates result, "Processing
    update …") and aiosqlite every statement with its parameters: a BSrE passphrase or a NIK
    typed in the chat would end up in the log. The updates' contents are cut from those
    records (their ids stay), and aiosqlite's statements are not logged."""
    logging.getLogger("aiosqlite").setLevel(logging.INFO)
    for name in ("telegram.ext.Application", "telegram.ext.ExtBot", "telegram.Bot"):
        bot_log = logging.getLogger(name)
        if not any(isinstance(f, _HideUpdates) for f in bot_log.filters):
            bot_log.addFilter(_HideUpdates())


def redact_token(token: str) -> None:
    """PTB's Bot logs its API URLs at DEBUG ("Set Bot API URL: …/bot<token>/"), and so do
    some call results: blank the token out of its records before any handler sees them."""
    for name in ("telegram.Bot", "telegram.ext.ExtBot"):
        bot_log = logging.getLogger(name)
        if not any(isinstance(f, _RedactToken) and f.token == token for f in bot_log.filters):
            bot_log.addFilter(_RedactToken(token))


def build_application(
    settings: Settings,
    *,
    clock: Clock = utc_now,
    rate_limiter: bool = True,
    outbox_poll: float = 5.0,
    reminder_poll: float = 60.0,
    workflow: Workflow = SOP,
    freeze_heap: bool = False,
) -> BotApp:
    """The bot for `settings`, running the SOP `workflow` (another office's variant of the
    table, or this one). `freeze_heap`: this process is the bot (see `freeze_start_up_heap`)."""
    if settings.bot_token is None:
        raise ValueError("BOT_TOKEN is required to build the application")
    quiet_http_logs()
    hide_what_people_type()
    redact_token(settings.bot_token)  # before build(): the Bot logs its URL when created
    builder = (
        ApplicationBuilder()
        .token(settings.bot_token)
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_file_base_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=settings.timezone))
        .context_types(ContextTypes(context=BotContext))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .request(AiohttpRequest(2 * CONCURRENCY))
        .get_updates_request(AiohttpRequest(1))
        .concurrent_updates(PerPersonOrder())
    )
    # One pacer for the token: direct replies wait for their chat's turn (and retry a 429 a
    # few times); the outbox dispatcher asks it before each message.
    pacer = Pacer(settings.pacing)
    if rate_limiter:
        builder = builder.rate_limiter(PacingLimiter(pacer, max_retries=3))
    app: BotApp = builder.build()
    app.bot_data["pacer"] = pacer
    app.bot_data["settings"] = settings
    app.bot_data["clock"] = clock
    app.bot_data["workflow"] = workflow
    app.bot_data["outbox_poll"] = outbox_poll
    app.bot_data["reminder_poll"] = reminder_poll
    app.bot_data["freeze_heap"] = freeze_heap
    register(app)
    app.add_error_handler(_on_error)
    return app


def outbox_bot(settings: Settings, defaults: Defaults | None) -> ExtBot[None]:
    """The dispatcher's own Bot, without a rate limiter: the dispatcher paces each chat itself
    (with the app's `Pacer`) and a 429 comes straight back to it (it reschedules that one chat)
    instead of pausing every request. Its pool lets a round send to several chats at once."""
    assert settings.bot_token is not None
    return ExtBot(
        settings.bot_token,
        base_url=settings.telegram_api_base_url,
        base_file_url=settings.telegram_file_base_url,
        defaults=defaults,
        request=AiohttpRequest(2 * CONCURRENCY),
    )


class _RedactToken(logging.Filter):
    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        # Formatted now, not when a handler gets to it: PTB logs a call's result dict and
        # then rewrites its file_path into a URL that holds the token.
        record.msg = record.getMessage().replace(self.token, "<token>")
        record.args = None
        return True


class _HideUpdates(logging.Filter):
    """Cut the contents of incoming updates out of PTB's DEBUG records."""

    CUT = ("Processing update ", "Call to Bot API endpoint `getUpdates` finished with "
           "return value ")

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno > logging.DEBUG or not isinstance(record.msg, str):
            return True
        for head in self.CUT:
            if record.msg.startswith(head.split("`")[0]) and record.getMessage().startswith(
                    head):
                ids = re.findall(r"'update_id': (\d+)|update_id=(\d+)", record.getMessage())
                shown = ", ".join(a or b for a, b in ids)
                record.msg = f"{head}(update {shown or '?'}; contents not logged)"
                record.args = None
        return True


async def post_init(app: BotApp) -> None:
    settings: Settings = app.bot_data["settings"]
    store = await Store.open(settings.database_path)
    office = Office(store, settings, app.bot_data["clock"], app.bot_data["workflow"])
    sender = outbox_bot(settings, app.bot.defaults)
    await sender.initialize()
    app.bot_data["outbox_bot"] = sender
    # Retries are scheduled on the wall clock, whatever clock the workflow is given.
    keep = timedelta(days=settings.outbox_keep_days) if settings.outbox_keep_days else None
    dispatcher = Dispatcher(sender, store, utc_now, idle_poll=app.bot_data["outbox_poll"],
                            keep=keep, notices_for_unreachable=office.unreachable_notices,
                            pacer=app.bot_data["pacer"])
    office.on_queued = dispatcher.wake
    app.bot_data["office"] = office
    app.bot_data["dispatcher"] = dispatcher
    # What is started here, post_shutdown stops in reverse order.
    running: list[_Stoppable] = app.bot_data.setdefault("running", [])
    await app.bot.set_my_commands(COMMANDS)
    dispatcher.start()  # resumes whatever is still owed from before a restart or outage
    running.append(dispatcher)
    # The scheduler sleeps until the next deadline, counted on the office clock, at most
    # `reminder_poll` seconds (a demo whose clock runs fast looks more often).
    reminders = ReminderScheduler(office, settings.work_clock(),
                                  max_sleep=app.bot_data["reminder_poll"],
                                  min_sleep=min(1.0, app.bot_data["reminder_poll"] / 4))
    app.bot_data["reminders"] = reminders
    reminders.start()  # catches up on reminders that fell due while the bot was down
    running.append(reminders)
    web_socket = app.bot_data.get("web_socket")
    if web_socket is not None:  # the public pages on their own port (WEB_LISTEN)
        from bot.web.site import Site

        site = Site(office)
        site.start(web_socket)
        running.append(site)
    if settings.watch.time is not None:  # the daily watch of the register's names
        watch = WatchSchedule(office.register, settings.watch.time,
                              max_sleep=app.bot_data["reminder_poll"])
        watch.start()
        running.append(watch)
    if settings.reconfirm.months:  # the owners' re-confirmation that names are in use
        reconfirm = ReconfirmSchedule(office.reconfirm, max_sleep=app.bot_data["reminder_poll"])
        reconfirm.start()
        running.append(reconfirm)
    rechecks = CreationRechecks(office)
    office.on_uncertain = rechecks.add
    rechecks.start()
    running.append(rechecks)
    if app.bot_data["freeze_heap"]:
        freeze_start_up_heap()


def freeze_start_up_heap() -> None:
    """Hand what start-up made (modules, the Application, the office) to the garbage
    collector's permanent generation: a full collection no longer walks it, a pause of ~60 ms
    that otherwise stalls every chat every few seconds under load (bench/README.md). Only in
    a process that is one bot for its life: a test process starting many would keep their
    leftovers."""
    gc.freeze()


@asynccontextmanager
async def polling(app: BotApp) -> AsyncIterator[BotApp]:
    """Run `app` by long polling for the length of a block, on the caller's event loop (what
    `run_polling` does, which owns the loop): initialize, post_init, start, poll; then the
    reverse, whatever happens inside."""
    assert app.updater is not None
    await app.initialize()
    try:
        await post_init(app)
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)
        yield app
    finally:
        if app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await post_shutdown(app)
        await app.shutdown()


class _Stoppable(Protocol):
    async def stop(self) -> None: ...


async def post_shutdown(app: BotApp) -> None:
    running: list[_Stoppable] = app.bot_data.get("running", [])
    while running:
        await running.pop().stop()
    sender: ExtBot[None] | None = app.bot_data.get("outbox_bot")
    if sender is not None:
        await sender.shutdown()
    office: Office | None = app.bot_data.get("office")
    if office is not None:
        await office.store.close()


APOLOGY = "Maaf, terjadi kesalahan pada sistem. Mohon coba kembali beberapa saat lagi."


async def _on_error(update: object, context: BotContext) -> None:
    """Log what went wrong and tell the person; never raises (PTB would log the handler's own
    failure with a traceback and nothing would reach the person)."""
    try:
        await _report_error(update, context)
    except Exception as failed:  # the last resort: one line, and the update is done with
        log.error("the error handler failed too: %s: %s", type(failed).__name__, failed)


async def _report_error(update: object, context: BotContext) -> None:
    error = context.error
    if replies.expected(error):  # Telegram faults: no bug of ours, no traceback
        log.warning("Telegram fault while handling an update: %s: %s",
                    type(error).__name__, error)
    else:
        tb = "".join(traceback.format_exception(error)) if error else "no exception"
        log.error("unhandled error while handling an update:\n%s", tb)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    office: Office | None = context.bot_data.get("office")
    try:  # through the outbox when Telegram keeps failing: the person is never left silent
        await replies.send(update, html.escape(APOLOGY), later=office)
    except Exception as failed:  # e.g. a 400 again: the log above has the cause
        log.warning("could not tell chat %s about the error: %s: %s",
                    update.effective_chat.id, type(failed).__name__, failed)
