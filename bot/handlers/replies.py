"""Direct replies: what a handler answers straight back ("Tercatat", refusals, form prompts,
button answers), sent so that a Telegram fault loses nothing and logs no traceback.

A 5xx, a network error or a 429 gets a short retry (`ATTEMPTS` tries, small backoff,
`retry_after` honoured up to `MAX_WAIT`). When it still fails, a message that must arrive is
handed to the office's outbox (`later=`), which delivers it when Telegram answers again; a 403
goes there too, so it is kept for when the person writes again and the admins are told. Without
`later` the failure is raised as `ReplyFailed`: the update counts as not handled (a form stays at
its question) and the error handler tells the person, through the outbox, to try again.
Callback-query answers are never queued (they are only useful now). A 400 is the bot's own bug
and is raised as it is, except "message is not modified", which means the edit is already there.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from telegram import Bot, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from storage.models import OutMessage

if TYPE_CHECKING:
    from bot.service import Office

log = logging.getLogger(__name__)

ATTEMPTS = 3
BACKOFF = (0.2, 0.6)
"""Seconds before the second and the third try."""
MAX_WAIT = 3.0
"""The longest 429 `retry_after` waited for in a handler; a longer one goes to the outbox."""

T = TypeVar("T")
Markup = Any
"""An inline keyboard, a reply keyboard, or its removal (what `reply_markup` takes)."""


class ReplyFailed(Exception):
    """Telegram kept failing a reply that has no outbox to fall back on."""


def expected(error: BaseException | None) -> bool:
    """A Telegram fault that is no bug of ours (logged in one line, without a traceback)."""
    if isinstance(error, BadRequest):
        return False
    return isinstance(error, ReplyFailed | NetworkError | Forbidden | RetryAfter)


class _Failed:
    def __init__(self, error: str) -> None:
        self.error = error


async def _attempt(call: Callable[[], Awaitable[T]]) -> T | _Failed | None:
    """The call's result (None: the edit was already there), or why it finally failed."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return await call()
        except RetryAfter as exc:
            wait = _seconds(exc.retry_after)
            error = f"429 retry after {wait:g}s"
            if wait > MAX_WAIT or attempt == ATTEMPTS:
                return _Failed(error)
            await asyncio.sleep(wait)
        except Forbidden as exc:
            return _Failed(f"403 {exc.message}")
        except BadRequest as exc:
            if "message is not modified" in exc.message.lower():
                return None
            raise
        except NetworkError as exc:  # 5xx answers, timeouts, connections that break
            if attempt == ATTEMPTS:
                return _Failed(f"{type(exc).__name__}: {exc.message}")
            await asyncio.sleep(BACKOFF[attempt - 1])
    raise AssertionError("unreachable")


async def _deliver(call: Callable[[], Awaitable[object]], chat_id: int, what: str,
                   later: Office | None, owed: Callable[[], OutMessage]) -> object:
    """What the call returned, or None once the message was handed to the outbox."""
    outcome = await _attempt(call)
    if not isinstance(outcome, _Failed):
        return outcome
    if later is None:
        log.warning("%s to chat %s failed: %s", what, chat_id, outcome.error)
        raise ReplyFailed(f"{what} to chat {chat_id}: {outcome.error}")
    log.warning("%s to chat %s failed (%s); handed to the outbox", what, chat_id, outcome.error)
    await later.send_later([owed()])
    return None


def buttons(markup: Markup) -> list[list[list[str]]]:
    """An inline keyboard as the outbox keeps it (rows of [text, callback data]); other
    keyboards are not kept (the text says what to type)."""
    if not isinstance(markup, InlineKeyboardMarkup):
        return []
    return [[[b.text, str(b.callback_data)] for b in row if b.callback_data is not None]
            for row in markup.inline_keyboard]


async def reply(update: Update, text: str, markup: Markup = None, *,
                later: Office | None = None) -> Message | None:
    """Answer the update's message (quoted in groups, as PTB does); the message sent, or None
    when it went to the outbox."""
    message = update.effective_message
    if message is None:
        return None
    sent = await _deliver(lambda: message.reply_text(text, reply_markup=markup),
                          message.chat_id, "reply", later,
                          lambda: OutMessage(message.chat_id, "message",
                                             {"text": text, "buttons": buttons(markup)}))
    return sent if isinstance(sent, Message) else None


async def send(update: Update, text: str, markup: Markup = None, *,
               later: Office | None = None) -> Message | None:
    """A new message to the update's chat; the message sent, or None when it went to the
    outbox."""
    chat = update.effective_chat
    if chat is None:
        return None
    return await send_to(update.get_bot(), chat.id, text, markup, later=later)


async def send_to(bot: Bot, chat_id: int, text: str, markup: Markup = None, *,
                  later: Office | None = None) -> Message | None:
    """A new message to `chat_id` (e.g. the person's private chat while they act in a group);
    the message sent, or None when it went to the outbox."""
    sent = await _deliver(lambda: bot.send_message(chat_id, text, reply_markup=markup), chat_id,
                          "message", later,
                          lambda: OutMessage(chat_id, "message",
                                             {"text": text, "buttons": buttons(markup)}))
    return sent if isinstance(sent, Message) else None


async def answer(update: Update, text: str | None = None, *, alert: bool = False) -> None:
    """Answer a button press. Never raises for a Telegram fault, never queued: the person
    gets the message that follows instead (an answer is useless once the query expired)."""
    query = update.callback_query
    if query is None:
        return
    try:
        outcome = await _attempt(lambda: query.answer(text, show_alert=alert or None))
    except BadRequest as exc:  # "query is too old": the press waited for a restart
        outcome = _Failed(f"400 {exc.message}")
    if isinstance(outcome, _Failed):
        log.warning("answer to a button press by %s failed: %s", query.from_user.id,
                    outcome.error)


async def edit(update: Update, text: str, markup: Markup = None, *,
               later: Office | None = None) -> None:
    """Replace the text of the pressed message (and its buttons: none unless given)."""
    query = update.callback_query
    message = query.message if query is not None else None
    if query is None or message is None:
        return
    await _deliver(lambda: query.edit_message_text(text, reply_markup=markup), message.chat.id,
                   "edit", later,
                   lambda: OutMessage(message.chat.id, "edit", {
                       "message_id": message.message_id, "text": text,
                       "buttons": buttons(markup), "caption": False}))


async def edit_message(bot: Bot, chat_id: int, message_id: int, text: str,
                       markup: Markup = None, *, caption: bool = False,
                       later: Office | None = None) -> None:
    """Replace the text (a document's caption, when `caption`) and buttons of a message the
    bot sent earlier, e.g. a step card that asks for its note."""
    def call() -> Awaitable[object]:
        if caption:
            return bot.edit_message_caption(chat_id, message_id, caption=text,
                                            reply_markup=markup)
        return bot.edit_message_text(text, chat_id, message_id,
                                     reply_markup=markup)
    await _deliver(call, chat_id, "edit", later,
                   lambda: OutMessage(chat_id, "edit", {
                       "message_id": message_id, "text": text, "buttons": buttons(markup),
                       "caption": caption}))


async def drop_buttons(update: Update, *, later: Office | None = None) -> None:
    """Take the buttons off the pressed message (a finished prompt)."""
    query = update.callback_query
    message = query.message if query is not None else None
    if query is None or message is None:
        return
    caption = getattr(message, "text", None) is None
    shown = str(getattr(message, "caption_html" if caption else "text_html", "") or "")
    await _deliver(lambda: query.edit_message_reply_markup(None), message.chat.id,
                   "removing buttons", later,
                   lambda: OutMessage(message.chat.id, "edit", {
                       "message_id": message.message_id, "text": shown, "buttons": [],
                       "caption": caption}))


def _seconds(value: int | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
