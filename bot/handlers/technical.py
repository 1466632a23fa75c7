"""Buttons beside the steps: re-run the DNS check; the disposition sheet and the KONSEP
versions (/riwayat)."""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from telegram import Update

from bot import texts
from bot.handlers import replies
from bot.handlers.session import person_of
from bot.workflow import WorkflowError

if TYPE_CHECKING:
    from bot.handlers.context import BotContext
    from bot.service import Office
    from storage.models import Person


def _request_id(data: str) -> int | None:
    _, _, raw = data.partition(":")
    return int(raw) if raw.isdigit() else None


async def recheck(update: Update, context: BotContext) -> None:
    """The holder of the check step asks DNS again before writing the report."""
    query = update.callback_query
    assert query is not None
    assert query.data is not None
    office = context.office
    try:
        request, summary = await office.recheck_dns(await person_of(update, context),
                                                    _request_id(query.data) or 0)
    except WorkflowError as refused:
        await replies.answer(update, refused.message_id, alert=True)
        return
    await replies.answer(update, "DNS sudah diperiksa.")
    chat = update.effective_chat
    assert chat is not None
    await replies.send(update, f"{html.escape(request.number)}: {texts.dns_check(summary)}",
                       later=context.office)


async def disposition_sheet(update: Update, context: BotContext) -> None:
    """The lembar disposisi of a request as PDF, for officials."""
    async def send(office: Office, person: Person | None, fields: list[str], chat_id: int) -> None:
        await office.send_disposition_sheet(person, _number(fields, 1), chat_id)

    await _paper(update, context, send, "Lembar disposisi sedang disiapkan.")


async def konsep(update: Update, context: BotContext) -> None:
    """One kept version of a request's KONSEP (from /riwayat), for officials."""
    async def send(office: Office, person: Person | None, fields: list[str], chat_id: int) -> None:
        await office.send_draft(person, _number(fields, 1), _number(fields, 2), chat_id)

    await _paper(update, context, send, "Konsep surat sedang dikirim.")


def _number(fields: list[str], index: int) -> int:
    """The callback data's field at `index` as a number (0 when missing or not one)."""
    raw = fields[index] if index < len(fields) else ""
    return int(raw) if raw.isdigit() else 0


async def _paper(update: Update, context: BotContext,
                 send: Callable[[Office, Person | None, list[str], int], Awaitable[None]],
                 done: str) -> None:
    """A button that sends one of a request's papers to the presser's chat."""
    query, chat = update.callback_query, update.effective_chat
    assert query is not None and query.data is not None and chat is not None
    try:
        await send(context.office, await person_of(update, context), query.data.split(":"),
                   chat.id)
    except WorkflowError as refused:
        await replies.answer(update, refused.message_id, alert=True)
        return
    await replies.answer(update, done)
