"""/start, /bantuan, /batal, and what to say to anything else."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from telegram import ReplyKeyboardRemove, Update
from telegram.ext import ConversationHandler

from bot.handlers.steps import PENDING
from bot.paperwork import display_name

if TYPE_CHECKING:
    from bot.app import BotContext

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
    if update.effective_message:
        office = html.escape(display_name(context.office.settings))
        await update.effective_message.reply_text(WELCOME.format(office=office))


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
