"""/ajukan: the requester's guided form, one question at a time, then Kirim / Ubah / Batal."""

from __future__ import annotations

import asyncio
import html
import ipaddress
import re
import uuid
import warnings
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot import technical
from bot.handlers import replies
from bot.handlers.common import cancel
from bot.handlers.session import FORM
from bot.service import FilingRefused
from bot.texts import TARGET_LABELS
from domains.check import CheckStatus
from domains.names import InvalidName
from storage.models import NewRequest

if TYPE_CHECKING:
    from bot.handlers.context import BotContext

(AGENCY, SUBDOMAIN, PURPOSE, TARGET, TARGET_VALUE, CONTACT, LETTER_NUMBER, LETTER_DATE,
 LETTER_SUBJECT, LETTER_FILE, CONFIRM) = range(11)
TAKEN_NAME = "sd"
"""Callback prefix of the buttons that answer "the name already exists"."""
EXAMPLE_IP = "103.28.12.10"
"""A public address, as the form asks for (a documentation range would be refused)."""

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_TEXT = 300
_HOSTNAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\.?$")


@dataclass
class Form:
    agency_id: int | None = None
    agency_name: str = ""
    subdomain: str = ""
    subdomain_display: str = ""
    purpose: str = ""
    target_kind: str = ""
    target_value: str | None = None
    contact_name: str = ""
    contact_phone: str = ""
    letter_number: str = ""
    letter_date: date | None = None
    letter_subject: str = ""
    letter_path: str | None = None


def _form(context: BotContext) -> Form:
    form = context.session.get(FORM)
    if not isinstance(form, Form):
        form = Form()
        context.session[FORM] = form
    return form


def _text(update: Update) -> str:
    message = update.effective_message
    return (message.text or "").strip() if message else ""


async def _reply(update: Update, text: str, markup: object = None) -> None:
    # Without an outbox to fall back on: when Telegram keeps failing, the form stays at its
    # question and the error handler asks the person to answer again.
    await replies.reply(update, text, markup)


async def begin(update: Update, context: BotContext) -> int:
    context.session[FORM] = Form()
    user = update.effective_user
    assert user is not None
    try:
        agencies = await context.office.filing_agencies(user.id)
    except FilingRefused as refused:
        await _reply(update, html.escape(str(refused)))
        return ConversationHandler.END
    rows = [[InlineKeyboardButton(a.name, callback_data=f"g:{a.id}")] for a in agencies[:30]]
    await _reply(update, "<b>Permohonan subdomain</b> (ketik /batal untuk membatalkan)\n"
                         "1/9 Pilih Perangkat Daerah pemohon:", InlineKeyboardMarkup(rows))
    return AGENCY


async def agency_chosen(update: Update, context: BotContext) -> int:
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_user is not None
    await replies.answer(update)
    try:
        agency = await context.office.filing_agency(
            update.effective_user.id, agency_id=int(query.data.split(":", 1)[1]))
    except FilingRefused as refused:
        await _reply(update, html.escape(str(refused)))
        return AGENCY
    form = _form(context)
    form.agency_id, form.agency_name = agency.id, agency.name
    await replies.edit(update, f"Perangkat Daerah: <b>{html.escape(agency.name)}</b>",
                       later=context.office)
    parent = context.office.settings.parent_domain
    await _reply(update, f"2/9 Tuliskan nama subdomain yang diinginkan (contoh: "
                         f"<code>layanan</code> untuk layanan.{html.escape(parent)}).")
    return SUBDOMAIN


async def agency_typed(update: Update, context: BotContext) -> int:
    assert update.effective_user is not None
    try:
        agency = await context.office.filing_agency(update.effective_user.id, typed=_text(update))
    except FilingRefused as refused:
        await _reply(update, html.escape(str(refused)))
        return AGENCY
    form = _form(context)
    form.agency_id, form.agency_name = agency.id, agency.name
    await _reply(update, "2/9 Tuliskan nama subdomain yang diinginkan.")
    return SUBDOMAIN


async def subdomain(update: Update, context: BotContext) -> int:
    office = context.office
    try:
        name = technical.valid_name(office.settings, _text(update))
    except InvalidName as invalid:
        hint = (f"\nSaran: <code>{html.escape(invalid.suggestion)}</code>"
                if invalid.suggestion else "")
        await _reply(update, f"{html.escape(invalid.message_id)}{hint}\nMohon tulis ulang.")
        return SUBDOMAIN
    open_requests = await office.open_requests_for(name.label)
    if open_requests:
        await _reply(update, f"Subdomain {html.escape(name.display())} sedang diajukan dalam "
                             f"permohonan {html.escape(open_requests[0].number)}. "
                             "Mohon pilih nama lain.")
        return SUBDOMAIN
    result = await office.check_name(name.label)
    form = _form(context)
    form.subdomain, form.subdomain_display = name.label, name.display()
    if result.status is CheckStatus.TAKEN:
        # The SOP answers a request for a name that exists ("sudah ada"): the request may go
        # on, so that step 6 can give that answer, or the requester picks another name.
        similar = (f"\nNama serupa yang sudah ada: {html.escape(', '.join(result.similar))}"
                   if result.similar else "")
        await _reply(update, f"Subdomain <code>{html.escape(name.display())}</code> sudah ada "
                             f"di DNS.{similar}\nBila subdomain tersebut milik Perangkat Daerah "
                             "Bapak/Ibu, permohonan dapat dilanjutkan dan akan dijawab sesuai "
                             "SOP. Bila tidak, mohon pilih nama lain.",
                     InlineKeyboardMarkup([
                         [InlineKeyboardButton("Lanjutkan dengan nama ini",
                                               callback_data=f"{TAKEN_NAME}:keep")],
                         [InlineKeyboardButton("Pilih nama lain",
                                               callback_data=f"{TAKEN_NAME}:other")]]))
        return SUBDOMAIN
    availability = ("tersedia" if result.status is CheckStatus.AVAILABLE else
                    "ketersediaannya belum dapat dipastikan; staf akan memeriksanya")
    return await _ask_purpose(update, f"Subdomain: <code>{html.escape(name.display())}</code> "
                                      f"({availability}).")


async def taken_name_choice(update: Update, context: BotContext) -> int:
    """The requester's answer to "the name exists": go on with it, or give another."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await replies.answer(update)
    await replies.drop_buttons(update, later=context.office)
    form = _form(context)
    if query.data.endswith(":keep") and form.subdomain:
        shown = html.escape(form.subdomain_display)
        return await _ask_purpose(update, f"Subdomain: <code>{shown}</code> (sudah ada di DNS; "
                                          "diajukan sesuai SOP).")
    form.subdomain = form.subdomain_display = ""
    await _reply(update, "Mohon tuliskan nama subdomain lain.")
    return SUBDOMAIN


async def _ask_purpose(update: Update, chosen: str) -> int:
    await _reply(update, f"{chosen}\n3/9 Tuliskan keperluan/penggunaan subdomain ini secara "
                         "singkat.")
    return PURPOSE


async def purpose(update: Update, context: BotContext) -> int:
    text = _text(update)
    if not text or len(text) > MAX_TEXT:
        await _reply(update, f"Mohon tuliskan keperluan dalam 1–{MAX_TEXT} karakter.")
        return PURPOSE
    _form(context).purpose = text
    rows = [[InlineKeyboardButton(label, callback_data=f"t:{kind}")]
            for kind, label in TARGET_LABELS.items()]
    await _reply(update, "4/9 Subdomain diarahkan ke mana?", InlineKeyboardMarkup(rows))
    return TARGET


async def target_chosen(update: Update, context: BotContext) -> int:
    query = update.callback_query
    assert query is not None and query.data is not None
    await replies.answer(update)
    kind = query.data.split(":", 1)[1]
    if kind not in TARGET_LABELS:
        return TARGET
    form = _form(context)
    form.target_kind = kind
    await replies.edit(update, f"Tujuan: {html.escape(TARGET_LABELS[kind])}",
                       later=context.office)
    if kind == "hosting":
        form.target_value = None
        return await _ask_contact(update)
    example = EXAMPLE_IP if kind == "ip" else "aplikasi.penyedia.co.id"
    await _reply(update, f"Tuliskan {html.escape(TARGET_LABELS[kind])} (contoh: "
                         f"<code>{example}</code>).")
    return TARGET_VALUE


async def target_value(update: Update, context: BotContext) -> int:
    form = _form(context)
    text = _text(update).lower()
    if form.target_kind == "ip":
        try:
            address = ipaddress.ip_address(text)
        except ValueError:
            await _reply(update, f"Alamat IP tidak valid. Contoh: <code>{EXAMPLE_IP}</code>")
            return TARGET_VALUE
        if not address.is_global:
            await _reply(update, "Alamat IP harus alamat publik, bukan alamat lokal/privat.")
            return TARGET_VALUE
        form.target_value = str(address)
    elif _HOSTNAME.match(text):
        form.target_value = text.rstrip(".")
    else:
        await _reply(update, "Nama host tujuan tidak valid. Contoh: "
                             "<code>aplikasi.penyedia.co.id</code>")
        return TARGET_VALUE
    return await _ask_contact(update)


async def _ask_contact(update: Update) -> int:
    keyboard = ReplyKeyboardMarkup(
        [[KeyboardButton("Bagikan kontak saya", request_contact=True)]],
        one_time_keyboard=True, resize_keyboard=True)
    await _reply(update, "5/9 Bagikan kontak penanggung jawab dengan tombol di bawah, atau "
                         "tuliskan: Nama, nomor telepon.", keyboard)
    return CONTACT


async def contact(update: Update, context: BotContext) -> int:
    message = update.effective_message
    assert message is not None
    form = _form(context)
    if message.contact is not None:
        form.contact_name = " ".join(
            x for x in (message.contact.first_name, message.contact.last_name) if x)
        form.contact_phone = message.contact.phone_number
    else:
        name, _, phone = _text(update).rpartition(",")
        digits = re.sub(r"[\s.-]", "", phone)
        if not name.strip() or not re.fullmatch(r"\+?\d{8,15}", digits):
            await _reply(update, "Mohon tuliskan dengan format: Nama, nomor telepon "
                                 "(contoh: Ahmad, 081234567890).")
            return CONTACT
        form.contact_name, form.contact_phone = name.strip()[:MAX_TEXT], digits
    await _reply(update, f"Kontak: {html.escape(form.contact_name)} "
                         f"({html.escape(form.contact_phone)})\n"
                         "6/9 Tuliskan nomor surat permohonan.", ReplyKeyboardRemove())
    return LETTER_NUMBER


async def letter_number(update: Update, context: BotContext) -> int:
    text = _text(update)
    if not text or len(text) > 100:
        await _reply(update, "Mohon tuliskan nomor surat (paling banyak 100 karakter).")
        return LETTER_NUMBER
    _form(context).letter_number = text
    await _reply(update, "7/9 Tuliskan tanggal surat (format HH-BB-TTTT, contoh 27-11-2026).")
    return LETTER_DATE


async def letter_date(update: Update, context: BotContext) -> int:
    try:
        day = datetime.strptime(_text(update).replace("/", "-"), "%d-%m-%Y").date()
    except ValueError:
        await _reply(update, "Tanggal tidak dikenali. Gunakan format HH-BB-TTTT, "
                             "contoh 27-11-2026.")
        return LETTER_DATE
    if day > context.office.today():
        await _reply(update, "Tanggal surat tidak boleh di masa depan. Mohon periksa kembali.")
        return LETTER_DATE
    _form(context).letter_date = day
    await _reply(update, "8/9 Tuliskan perihal surat permohonan persis seperti tertulis pada "
                         "surat (contoh: Permohonan Pembuatan Subdomain).")
    return LETTER_SUBJECT


async def letter_subject(update: Update, context: BotContext) -> int:
    text = " ".join(_text(update).split())
    if not text or len(text) > MAX_TEXT:
        await _reply(update, f"Mohon tuliskan perihal surat (paling banyak {MAX_TEXT} "
                             "karakter).")
        return LETTER_SUBJECT
    _form(context).letter_subject = text
    await _reply(update, "9/9 Kirim pindaian surat permohonan sebagai PDF atau foto "
                         "(paling besar 20 MB).")
    return LETTER_FILE


async def letter_file(update: Update, context: BotContext) -> int:
    message = update.effective_message
    assert message is not None
    document, photo = message.document, message.photo
    if document is not None:
        is_pdf = (document.mime_type == "application/pdf"
                  or (document.file_name or "").lower().endswith(".pdf"))
        if not is_pdf:
            await _reply(update, "Berkas harus berupa PDF atau foto. Mohon kirim ulang.")
            return LETTER_FILE
        file_id, size, suffix = document.file_id, document.file_size or 0, ".pdf"
    elif photo:
        largest = photo[-1]
        file_id, size, suffix = largest.file_id, largest.file_size or 0, ".jpg"
    else:
        await _reply(update, "Mohon kirim surat permohonan sebagai PDF atau foto.")
        return LETTER_FILE
    if size > MAX_FILE_BYTES:
        await _reply(update, "Berkas lebih besar dari 20 MB. Mohon kirim berkas yang lebih kecil.")
        return LETTER_FILE
    telegram_file = await context.bot.get_file(file_id)
    folder = context.office.settings.data_dir / "incoming"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}{suffix}"
    await telegram_file.download_to_drive(path)
    if suffix == ".pdf" and not await asyncio.to_thread(_looks_like_pdf, path):
        path.unlink()
        await _reply(update, "Berkas tersebut bukan PDF yang sah. Mohon kirim ulang.")
        return LETTER_FILE
    form = _form(context)
    form.letter_path = str(path)
    return await _summary(update, form)


def _looks_like_pdf(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(5) == b"%PDF-"


async def _summary(update: Update, form: Form) -> int:
    target = TARGET_LABELS[form.target_kind] + (f" {form.target_value}"
                                                if form.target_value else "")
    assert form.letter_date is not None
    text = "\n".join([
        "<b>Ringkasan permohonan</b>",
        f"Perangkat Daerah: {html.escape(form.agency_name)}",
        f"Subdomain: <code>{html.escape(form.subdomain_display)}</code>",
        f"Keperluan: {html.escape(form.purpose)}",
        f"Tujuan: {html.escape(target)}",
        f"Kontak: {html.escape(form.contact_name)} ({html.escape(form.contact_phone)})",
        f"Surat: {html.escape(form.letter_number)} tanggal "
        f"{form.letter_date.strftime('%d-%m-%Y')}",
        f"Perihal surat: {html.escape(form.letter_subject)}",
        "Lampiran: surat permohonan",
    ])
    buttons = InlineKeyboardMarkup([[
        InlineKeyboardButton("Kirim", callback_data="f:send"),
        InlineKeyboardButton("Ubah", callback_data="f:edit"),
        InlineKeyboardButton("Batal", callback_data="f:cancel"),
    ]])
    await _reply(update, text, buttons)
    return CONFIRM


async def confirm(update: Update, context: BotContext) -> int:
    query = update.callback_query
    assert query is not None and query.data is not None
    await replies.answer(update)
    choice = query.data.split(":", 1)[1]
    form = _form(context)
    if choice == "cancel":
        context.session.pop(FORM, None)
        await replies.edit(update, "Permohonan dibatalkan; tidak ada yang dikirim.",
                           later=context.office)
        return ConversationHandler.END
    if choice == "edit":
        await replies.drop_buttons(update, later=context.office)
        return await begin(update, context)
    await replies.drop_buttons(update, later=context.office)
    user = update.effective_user
    assert user is not None and form.agency_id is not None and form.letter_date is not None
    office = context.office
    person = await office.requester(user.id, user.full_name, form.contact_phone)
    try:
        request = await office.submit(NewRequest(
            agency_id=form.agency_id, requester_id=person.id, subdomain=form.subdomain,
            purpose=form.purpose, target_kind=form.target_kind, target_value=form.target_value,
            letter_number=form.letter_number, letter_date=form.letter_date,
            letter_subject=form.letter_subject, contact_name=form.contact_name,
            contact_phone=form.contact_phone,
            letter_file_ref=form.letter_path))
    except FilingRefused as refused:
        context.session.pop(FORM, None)
        if form.letter_path:  # the received letter belongs to no request
            await asyncio.to_thread(Path(form.letter_path).unlink, missing_ok=True)
        await replies.edit(update, html.escape(str(refused)), later=context.office)
        return ConversationHandler.END
    context.session.pop(FORM, None)
    await replies.edit(update, f"Permohonan terkirim dengan nomor "
                               f"<b>{html.escape(request.number)}</b>.", later=context.office)
    return ConversationHandler.END


def conversation() -> ConversationHandler[BotContext]:
    text = filters.TEXT & ~filters.COMMAND
    with warnings.catch_warnings():
        # PTB warns that button presses are tracked per chat and user, not per message:
        # that is what this form wants (one form per person at a time).
        warnings.simplefilter("ignore", PTBUserWarning)
        return _conversation(text)


def _conversation(text: filters.BaseFilter) -> ConversationHandler[BotContext]:
    return ConversationHandler(
        entry_points=[CommandHandler("ajukan", begin)],
        states={
            AGENCY: [CallbackQueryHandler(agency_chosen, pattern=r"^g:\d+$"),
                     MessageHandler(text, agency_typed)],
            SUBDOMAIN: [MessageHandler(text, subdomain),
                        CallbackQueryHandler(taken_name_choice,
                                             pattern=rf"^{TAKEN_NAME}:(keep|other)$")],
            PURPOSE: [MessageHandler(text, purpose)],
            TARGET: [CallbackQueryHandler(target_chosen, pattern=r"^t:")],
            TARGET_VALUE: [MessageHandler(text, target_value)],
            CONTACT: [MessageHandler(filters.CONTACT | text, contact)],
            LETTER_NUMBER: [MessageHandler(text, letter_number)],
            LETTER_DATE: [MessageHandler(text, letter_date)],
            LETTER_SUBJECT: [MessageHandler(text, letter_subject)],
            LETTER_FILE: [MessageHandler(~filters.COMMAND, letter_file)],
            CONFIRM: [CallbackQueryHandler(confirm, pattern=r"^f:(send|edit|cancel)$")],
        },
        fallbacks=[CommandHandler("batal", cancel)],
        allow_reentry=True,
    )
