"""/laporan [YYYY-MM]: the monthly Mutu Baku report PDF, for the office's officials."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from telegram import Update

from bot.handlers import replies
from bot.handlers.session import person_of
from bot.workflow import WorkflowError

if TYPE_CHECKING:
    from bot.handlers.context import BotContext

USAGE = ("Format: /laporan untuk bulan berjalan, atau /laporan TAHUN-BULAN, "
         "misalnya /laporan 2026-11.")


async def month_report(update: Update, context: BotContext) -> None:
    from bot.report_files import parse_month  # lazily: the report module pulls in reportlab

    message = update.effective_message
    assert message is not None
    office = context.office
    today = office.today()
    if len(context.args or []) > 1:
        await replies.reply(update, USAGE, later=context.office)
        return
    try:
        year, month = parse_month(context.args[0]) if context.args else (today.year, today.month)
    except ValueError:
        await replies.reply(update, USAGE, later=context.office)
        return
    try:
        await office.send_month_report(await person_of(update, context), message.chat_id,
                                       year, month)
    except WorkflowError as refused:
        await replies.reply(update, html.escape(refused.message_id), later=context.office)
