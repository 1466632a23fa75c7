"""/start, /bantuan, /batal, and what to say to anything else."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from telegram import ReplyKeyboardRemove, Update
from telegram.constants import ChatType

from bot import onboarding
from bot.handlers import replies, session, submit
from bot.handlers.session import PENDING, person_of
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
        await replies.reply(update, WELCOME.format(office=html.escape(context.office.name)),
                            later=context.office)
        return
    if chat.type != ChatType.PRIVATE:
        await replies.reply(update, onboarding.PRIVATE_ONLY, later=context.office)
        return
    try:
        await context.office.redeem_invite(user.id, context.args[0])
    except InviteRefused as refused:
        await replies.reply(update, html.escape(str(refused)), later=context.office)


async def help_command(update: Update, context: BotContext) -> None:
    await replies.reply(update, HELP, later=context.office)


async def cancel(update: Update, context: BotContext) -> None:
    """/batal: the open form and the action waiting for a note are dropped, their buttons
    taken off."""
    if update.effective_user is not None:
        await session.drop(update, context, PENDING)
        await submit.drop(update, context)
    await replies.reply(update, "Isian dibatalkan; tidak ada yang berubah.",
                        ReplyKeyboardRemove(), later=context.office)


async def heard_from(update: Update, context: BotContext) -> None:
    """Any update from a person: what they could not receive before is sent again. A message
    in their private chat (theirs, or a press on the bot's) also shows the bot can reach them."""
    user, chat, message = update.effective_user, update.effective_chat, update.effective_message
    if user is None:
        return
    private = chat is not None and chat.type == ChatType.PRIVATE
    await context.office.heard_from(
        user.id, message.message_id if private and message is not None else None)


async def unknown_button(update: Update, context: BotContext) -> None:
    await replies.answer(update, "Tombol ini sudah tidak berlaku. Mohon gunakan /tugas atau "
                         "/status.", alert=True)


async def outside_flow(update: Update, context: BotContext) -> None:
    """A message no form or pending action is waiting for: in a private chat, say what the
    person can do (their waiting steps first); in a group, stay quiet."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None or chat.type != ChatType.PRIVATE:
        return
    person = await person_of(update, context)
    waiting = len(await context.office.pending_for(person)) if person else 0
    if waiting:
        await replies.reply(update, f"Ada {waiting} tahap yang menunggu tindakan Bapak/Ibu. "
                                    "Ketik /tugas untuk melihatnya.", later=context.office)
        return
    await replies.reply(update, "Mohon gunakan perintah yang tersedia: /ajukan untuk "
                                "mengajukan subdomain, /status untuk memantau permohonan, "
                                "/bantuan untuk petunjuk.", later=context.office)


async def unknown_command(update: Update, context: BotContext) -> None:
    """A command the bot does not know: answered in a private chat, and in a group only when
    it is addressed to this bot (/perintah@namabot)."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None or message.text is None:
        return
    addressed = f"@{context.bot.username}".lower() in message.text.split()[0].lower()
    if chat.type == ChatType.PRIVATE or addressed:
        await replies.reply(update, "Perintah tersebut tidak dikenal. Ketik /bantuan untuk "
                                    "petunjuk.", later=context.office)
