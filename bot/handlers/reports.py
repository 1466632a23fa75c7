"""/laporan [YYYY-MM]: the monthly Mutu Baku report PDF, for the office's officials."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from telegram import Update

from bot.handlers.steps import person_of
from bot.report_files import month_label, parse_month, write_month_report
from storage.models import OutMessage

if TYPE_CHECKING:
    from bot.app import BotContext

USAGE = ("Format: /laporan untuk bulan berjalan, atau /laporan TAHUN-BULAN, "
         "misalnya /laporan 2026-11.")


async def month_report(update: Update, context: BotContext) -> None:
    message = update.effective_message
    assert message is not None
    office = context.office
    person = await person_of(update, context)
    actor = await office.actor(person) if person is not None else None
    if actor is None or not actor.is_office:
        await message.reply_text("Perintah ini khusus pejabat dan staf Diskominfo.")
        return
    today = office.today()
    if len(context.args or []) > 1:
        await message.reply_text(USAGE)
        return
    try:
        year, month = parse_month(context.args[0]) if context.args else (today.year, today.month)
    except ValueError:
        await message.reply_text(USAGE)
        return
    if (year, month) > (today.year, today.month):
        await message.reply_text("Bulan tersebut belum berjalan; laporan belum dapat dibuat.")
        return
    path = await write_month_report(office.store, office.settings, year, month)
    label = month_label(year, month)
    await office.store.enqueue([OutMessage(message.chat_id, "document", {
        "path": str(path.resolve()),
        "filename": path.name,
        "caption": html.escape(f"Laporan kinerja layanan subdomain bulan {label}"),
    })], now=office.clock())
    office.on_queued()
