"""`/nik NIK` (or `/nik SUREL`): a signatory gives the NIK or e-mail BSrE knows them by
(SIGNING_PROVIDER=bsre), as their invite's welcome asks. The message is personal data: it is
deleted at once, never logged, and the reply shows only the last digits."""

from __future__ import annotations

import html
import logging
from typing import TYPE_CHECKING

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError

from bot.handlers import replies
from bot.service import Refused

if TYPE_CHECKING:
    from bot.handlers.context import BotContext

log = logging.getLogger(__name__)

USAGE = ("Kirim NIK (16 angka) atau alamat surel yang terdaftar di BSrE dengan perintah "
         "/nik, misalnya: /nik 6308xxxxxxxxxxxx")


async def nik(update: Update, context: BotContext) -> None:
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None or user is None:
        return
    given = " ".join(context.args or [])
    if given:
        try:
            await message.delete()
        except TelegramError:
            log.warning("the /nik message could not be deleted")
    if chat.type != ChatType.PRIVATE:
        if given:
            await replies.send(update, "NIK tidak boleh dikirim di grup; pesan tersebut telah "
                               "dihapus. Mohon kirim melalui chat pribadi dengan bot.",
                               later=context.office)
        return
    if not given:
        await replies.send(update, USAGE, later=context.office)
        return
    try:
        said = await context.office.give_esign_identity(user.id, given)
    except Refused as refused:
        await replies.send(update, html.escape(refused.message_id), later=context.office)
        return
    await replies.send(update, said, later=context.office)
