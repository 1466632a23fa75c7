"""/start, /bantuan, /batal, and what to say to anything else."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from telegram import ReplyKeyboardRemove, Update
from telegram.constants import ChatType
from telegram.ext import ConversationHandler

from bot import onboarding
from bot.handlers.steps import PENDING
from bot.service import InviteRefused

if TYPE_CHECKING:
    from bot.handlers.context import BotContext

WELCOME = (
    "Selamat datang di layanan subdomain <b>{office}</b>.\n"
    "Perangkat Daerah dapat mengajukan subdomain dengan /ajukan dan memantau prosesnya "
    "dengan /status. Pejabat dan staf menerima tahap yang menjadi tugasnya di sini."
)
"""`{office}`: the office's name from its settings (HTML-escaped when filled in)."""

HELP = (
    "<b>Petunjuk</b>\n"
    "/ajukan — ajukan permohonan subdomain (siapkan surat permohonan dalam PDF atau foto)\n"
    "/status — daftar permohonan Bapak/Ibu; /status NOMOR untuk satu permohonan\n"
    "/tugas — tahap yang menunggu tindakan Bapak/Ibu\n"
    "/riwayat NOMOR — riwayat lengkap sebuah permohonan\n"
    "/batal — batalkan isian yang sedang berjalan"
)


async def start(update: Update, context: BotContext) -> None:
    """/start, and `/start CODE` from an invite link (t.me/<bot>?start=CODE): on success the
    office queues the welcome (and tells the admins); a refused code gets its one line."""
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    if message is None:
        return
    if not context.args or user is None or chat is None:
        await message.reply_text(WELCOME.format(office=html.escape(context.office.name)))
        return
    if chat.type != ChatType.PRIVATE:
        await message.reply_text(onboarding.PRIVATE_ONLY)
        return
    try:
        await context.office.redeem_invite(user.id, context.args[0])
    except InviteRefused as refused:
        await message.reply_text(html.escape(str(refused)))


async def help_command(update: Update, context: BotContext) -> None:
    if update.effective_message:
        await update.effective_message.reply_text(HELP)


async def cancel(update: Update, context: BotContext) -> int:
    context.session.pop(PENDING, None)
    context.session.pop("form", None)
    if update.effective_message:
        await update.effective_message.reply_text(
            "Isian dibatalkan; tidak ada yang berubah.", reply_markup=ReplyKeyboardRemove())
    return ConversationHandler.END


async def unknown_button(update: Update, context: BotContext) -> None:
    if update.callback_query:
        await update.callback_query.answer(
            "Tombol ini sudah tidak berlaku. Mohon gunakan /tugas atau /status.", show_alert=True)


async def fallback_text(update: Update, context: BotContext) -> None:
    if update.effective_message:
        await update.effective_message.reply_text(
            "Mohon gunakan perintah yang tersedia. Ketik /bantuan untuk petunjuk.")
