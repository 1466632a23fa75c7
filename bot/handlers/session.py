"""What every handler shares: who is writing, and what they are in the middle of.

A person's form and pending action are sessions saved through the office service (SQLite) the
moment they change, so a restart or a crash loses nothing already answered. `load` says whether
a session is new to this process (the bot restarted since it was last saved) and whether it has
expired; a session's payload may name its `prompt` (the message with its live buttons), which
`drop` strips of its buttons so that no finished question stays pressable.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from telegram import Message, Update
from telegram.error import TelegramError

from storage.models import Person

if TYPE_CHECKING:
    from bot.handlers.context import BotContext

log = logging.getLogger(__name__)

PENDING = "action"
"""An action waiting for its choices and note (`steps.PendingAction`)."""
FORM = "form"
"""The /ajukan form being filled in (`submit.Form`)."""
PROMPT = "prompt"
"""Payload key: [chat id, message id] of the message whose inline buttons are live."""


async def person_of(update: Update, context: BotContext) -> Person | None:
    user = update.effective_user
    if user is None:
        return None
    return await context.office.person(user.id)


@dataclass(frozen=True)
class Saved:
    payload: dict[str, Any]
    expired: bool
    """Not answered for longer than SESSION_EXPIRY_HOURS (already removed when loaded)."""
    resumed: bool
    """Saved before this process started: the person has not heard from it since."""


def _user_id(update: Update) -> int:
    user = update.effective_user
    if user is None:
        raise RuntimeError("a session needs a user")
    return user.id


def _live_key(kind: str) -> str:
    return f"live:{kind}"


async def load(update: Update, context: BotContext, kind: str) -> Saved | None:
    """The person's session of `kind`, or None. An expired one is removed (its buttons too)
    and returned once with `expired` set, so the handler can say what to do."""
    office = context.office
    found = await office.session(_user_id(update), kind)
    if found is None:
        return None
    resumed = not context.session.get(_live_key(kind))
    if office.session_expired(found):
        await office.clear_session(found.telegram_user_id, kind)
        await retire(context, found.payload.get(PROMPT))
        context.session.pop(_live_key(kind), None)
        return Saved(found.payload, expired=True, resumed=resumed)
    context.session[_live_key(kind)] = True
    return Saved(found.payload, expired=False, resumed=resumed)


async def save(update: Update, context: BotContext, kind: str, payload: dict[str, Any]) -> None:
    await context.office.save_session(_user_id(update), kind, payload)
    context.session[_live_key(kind)] = True


async def exists(update: Update, context: BotContext, kind: str) -> bool:
    """Whether a session of `kind` is saved (expired or not), leaving it as it is."""
    return await context.office.session(_user_id(update), kind) is not None


def forget(context: BotContext, kind: str) -> None:
    """Treat the saved session as if this process had not seen it: the person's next message
    gets the open question again (e.g. when sending that question failed)."""
    context.session.pop(_live_key(kind), None)


async def clear(update: Update, context: BotContext, kind: str) -> None:
    """The session is finished (its prompt was already edited by the handler)."""
    await context.office.clear_session(_user_id(update), kind)
    context.session.pop(_live_key(kind), None)


async def drop(update: Update, context: BotContext, kind: str, *,
               retire_prompt: bool = True) -> dict[str, Any] | None:
    """Cancel or supersede the session: remove it and (unless the caller edits the prompt
    itself) the buttons of its prompt; returns the payload it had (None when there was none)."""
    office = context.office
    found = await office.session(_user_id(update), kind)
    context.session.pop(_live_key(kind), None)
    if found is None:
        return None
    await office.clear_session(found.telegram_user_id, kind)
    if retire_prompt:
        await retire(context, found.payload.get(PROMPT))
    return found.payload


async def retire(context: BotContext, prompt: object) -> None:
    """Take the inline buttons off a finished prompt, keeping its text. Best effort: a
    message that is gone or already without buttons needs nothing."""
    if not (isinstance(prompt, list) and len(prompt) == 2
            and all(isinstance(x, int) for x in prompt)):
        return
    with contextlib.suppress(TelegramError):
        await context.bot.edit_message_reply_markup(chat_id=prompt[0], message_id=prompt[1],
                                                    reply_markup=None)


async def strip(context: BotContext, message: object) -> None:
    """Take the buttons off a pressed message that no longer applies (when it has any)."""
    if isinstance(message, Message) and message.reply_markup is not None:
        await retire(context, [message.chat.id, message.message_id])
