"""Buttons beside the steps: re-run the DNS check; the disposition sheet and the KONSEP
versions (/riwayat)."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from telegram import Update

from bot import texts
from bot.handlers import replies
from bot.handlers.session import person_of
from bot.workflow import WorkflowError

if TYPE_CHECKING:
    from bot.handlers.context import BotContext


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
    query = update.callback_query
    assert query is not None
    assert query.data is not None
    chat = update.effective_chat
    assert chat is not None
    try:
        await context.office.send_disposition_sheet(
            await person_of(update, context), _request_id(query.data) or 0, chat.id)
    except WorkflowError as refused:
        await replies.answer(update, refused.message_id, alert=True)
        return
    await replies.answer(update, "Lembar disposisi sedang disiapkan.")
    await query.answer("Lembar disposisi sedang disiapkan.")


async def konsep(update: Update, context: BotContext) -> None:
    """One kept version of a request's KONSEP (from /riwayat), for officials."""
    query = update.callback_query
    assert query is not None
    assert query.data is not None
    chat = update.effective_chat
    assert chat is not None
    _, request_id, version = [*query.data.split(":"), "", ""][:3]
    try:
        await context.office.send_draft(await person_of(update, context),
                                        int(request_id or 0), int(version or 0), chat.id)
    except WorkflowError as refused:
        await query.answer(refused.message_id, show_alert=True)
        return
    await query.answer("Konsep surat sedang dikirim.")
