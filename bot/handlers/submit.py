"""/ajukan: the requester's guided form, one question at a time, then Kirim / Ubah / Batal.

The form lives in the person's saved session (`session.FORM`), written before each question is
sent: after a restart the person's next message gets the open question again, and the buttons
of a question that is no longer open only explain that."""

from __future__ import annotations

import asyncio
import dataclasses
import html
import ipaddress
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ChatType
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot import technical
from bot.handlers import replies, session
from bot.handlers.session import FORM, PENDING
from bot.service import FilingRefused
from bot.texts import TARGET_LABELS
from bot.workflow import PEMBUATAN
from domains.check import CheckStatus
from domains.names import InvalidName
from storage.models import NewRequest

if TYPE_CHECKING:
    from bot.handlers.context import BotContext

(AGENCY, SUBDOMAIN, PURPOSE, TARGET, TARGET_VALUE, CONTACT, LETTER_NUMBER, LETTER_DATE,
 LETTER_SUBJECT, LETTER_FILE, CONFIRM, TAKEN, OWNED) = range(13)
"""The form's questions; TAKEN: "the name exists: go on with it, or another name?"; OWNED: which
of the agency's names a change or a deactivation is about (chosen on the name question, which
offers those kinds when the register gives the agency names)."""
TAKEN_NAME = "sd"
"""Callback prefix of the buttons that answer "the name already exists"."""
BUTTONS = r"^(g:\d+|sd:(keep|other)|t:\w+|f:(send|edit|cancel)|k:\w+|o:[a-z0-9.-]+)$"
"""Every button the form puts on its questions."""
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
    step: int = AGENCY
    """The question asked last, which the next answer belongs to."""
    kind: str = "pembuatan"
    """The request kind (a key of the workflow table's kinds)."""
    prompt: list[int] | None = None
    """[chat id, message id] of that question when it carries inline buttons."""

    def payload(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["letter_date"] = self.letter_date.isoformat() if self.letter_date else None
        return data

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> Form:
        known = {f.name for f in dataclasses.fields(cls)}
        day = data.get("letter_date")
        return cls(**{**{k: v for k, v in data.items() if k in known},
                      "letter_date": date.fromisoformat(day) if isinstance(day, str) else None})


def _text(update: Update) -> str:
    message = update.effective_message
    return (message.text or "").strip() if message else ""


# --- the questions ----------------------------------------------------------------------------

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None


async def _question(update: Update, context: BotContext, form: Form) -> tuple[str, Markup]:
    """The text and buttons of the form's current question (asked again after a restart)."""
    step = form.step
    office = context.office
    if step == AGENCY:
        assert update.effective_user is not None
        if office.kind_is_owned(form.kind):
            agencies = await office.owning_agencies(update.effective_user.id)
        else:
            agencies = await office.filing_agencies(update.effective_user.id)
        rows = [[InlineKeyboardButton(a.name, callback_data=f"g:{a.id}")]
                for a in agencies[:30]]
        return "1/9 Pilih Perangkat Daerah pemohon:", InlineKeyboardMarkup(rows)
    if step == OWNED:
        assert form.agency_id is not None
        names = await office.owned_names(form.agency_id)
        rows = [[InlineKeyboardButton(f"{label}.{office.settings.parent_domain}",
                                      callback_data=f"o:{label}")] for label in names[:30]]
        return (f"2/9 Pilih subdomain milik {html.escape(form.agency_name)} yang diajukan "
                f"untuk {html.escape(office.kind_label(form.kind).lower())}"
                + (" (atau tuliskan namanya)" if len(names) > 30 else "") + ":",
                InlineKeyboardMarkup(rows))
    if step == SUBDOMAIN:
        parent = html.escape(context.office.settings.parent_domain)
        text = ("2/9 Tuliskan nama subdomain yang diinginkan (contoh: <code>layanan</code> "
                f"untuk layanan.{parent}).")
        kinds = await _other_kinds(update, context, form)
        if not kinds:
            return text, None
        # What the request asks for: a new name is typed; a change or a deactivation of one
        # of the agency's names is a button (no tap more for the common case).
        return (f"{text}\nAtau, untuk subdomain milik {html.escape(form.agency_name)} yang "
                "sudah ada, pilih jenis permohonan:",
                InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=f"k:{key}")
                                       for key, label in kinds]]))
    if step == TAKEN:
        return (f"Subdomain <code>{html.escape(form.subdomain_display)}</code> sudah ada di "
                "DNS. Bila subdomain tersebut milik Perangkat Daerah Bapak/Ibu, permohonan dapat "
                "dilanjutkan dan akan dijawab sesuai SOP. Bila tidak, mohon pilih nama lain.",
                InlineKeyboardMarkup([
                    [InlineKeyboardButton("Lanjutkan dengan nama ini",
                                          callback_data=f"{TAKEN_NAME}:keep")],
                    [InlineKeyboardButton("Pilih nama lain",
                                          callback_data=f"{TAKEN_NAME}:other")]]))
    if step == PURPOSE:
        if office.kind_is_owned(form.kind):
            return (f"3/9 Tuliskan alasan {html.escape(office.kind_label(form.kind).lower())} "
                    "subdomain ini secara singkat."), None
        return "3/9 Tuliskan keperluan/penggunaan subdomain ini secara singkat.", None
    if step == TARGET:
        rows = [[InlineKeyboardButton(label, callback_data=f"t:{kind}")]
                for kind, label in TARGET_LABELS.items()]
        if office.kind_is_owned(form.kind):
            return "4/9 Subdomain diarahkan ke mana setelah perubahan?", InlineKeyboardMarkup(rows)
        return "4/9 Subdomain diarahkan ke mana?", InlineKeyboardMarkup(rows)
    if step == TARGET_VALUE:
        example = EXAMPLE_IP if form.target_kind == "ip" else "aplikasi.penyedia.co.id"
        return (f"Tuliskan {html.escape(TARGET_LABELS[form.target_kind])} (contoh: "
                f"<code>{example}</code>)."), None
    if step == CONTACT:
        return ("5/9 Bagikan kontak penanggung jawab dengan tombol di bawah, atau tuliskan: "
                "Nama, nomor telepon.",
                ReplyKeyboardMarkup([[KeyboardButton("Bagikan kontak saya", request_contact=True)]],
                                    one_time_keyboard=True, resize_keyboard=True))
    if step == LETTER_NUMBER:
        return "6/9 Tuliskan nomor surat permohonan.", ReplyKeyboardRemove()
    if step == LETTER_DATE:
        return "7/9 Tuliskan tanggal surat (format HH-BB-TTTT, contoh 27-11-2026).", None
    if step == LETTER_SUBJECT:
        return ("8/9 Tuliskan perihal surat permohonan persis seperti tertulis pada surat "
                f"(contoh: Permohonan {html.escape(office.kind_label(form.kind).title())} "
                "Subdomain)."), None
    if step == LETTER_FILE:
        return ("9/9 Kirim pindaian surat permohonan sebagai PDF atau foto (paling besar "
                "20 MB)."), None
    return _summary(form, office.kind_label(form.kind)), InlineKeyboardMarkup([[
        InlineKeyboardButton("Kirim", callback_data="f:send"),
        InlineKeyboardButton("Ubah", callback_data="f:edit"),
        InlineKeyboardButton("Batal", callback_data="f:cancel"),
    ]])


async def _ask(update: Update, context: BotContext, form: Form, step: int,
               lead: str = "", after: str = "") -> None:
    """Move the form to `step` and ask its question: saved before it is sent, so whatever
    the person answered so far survives a restart right here."""
    form.step, form.prompt = step, None
    await session.save(update, context, FORM, form.payload())
    text, markup = await _question(update, context, form)
    # No outbox to fall back on: when Telegram keeps failing, the form stays at its question
    # (`ReplyFailed`) and the person's next message gets it again.
    sent = await replies.reply(update, "\n".join(x for x in (lead, text, after) if x), markup)
    if isinstance(markup, InlineKeyboardMarkup) and sent is not None:
        form.prompt = [sent.chat_id, sent.message_id]
        await session.save(update, context, FORM, form.payload())


# --- the entry, and the answers ---------------------------------------------------------------

async def begin(update: Update, context: BotContext) -> None:
    """/ajukan: a new form (one that was open is dropped, its buttons taken off)."""
    chat = update.effective_chat
    if chat is None or chat.type != ChatType.PRIVATE:  # the form's answers are private
        await replies.reply(update, "Mohon ajukan permohonan melalui chat pribadi dengan bot ini.")
        return
    await drop(update, context)
    user = update.effective_user
    assert user is not None
    try:
        await context.office.filing_agencies(user.id)
    except FilingRefused as refused:
        await replies.reply(update, html.escape(str(refused)))
        return
    await _ask(update, context, Form(), AGENCY,
               "<b>Permohonan subdomain</b> (ketik /batal untuk membatalkan)")


async def _other_kinds(update: Update, context: BotContext, form: Form) -> list[tuple[str, str]]:
    """The kinds besides a new name the person may ask for the form's agency: a change or a
    deactivation, when the register gives the agency a name and they are its contact."""
    office, user = context.office, update.effective_user
    if user is None or form.agency_id not in {a.id for a in await office.owning_agencies(
            user.id)}:
        return []
    return [(key, label) for key, label in await office.filing_kinds(user.id)
            if office.kind_is_owned(key)]


async def kind_chosen(update: Update, context: BotContext, form: Form) -> None:
    """A change or a deactivation chosen on the name question: which of the agency's names."""
    query = update.callback_query
    assert query is not None and query.data is not None
    key = query.data.split(":", 1)[1]
    offered = dict(await _other_kinds(update, context, form))
    if key not in offered:
        await replies.answer(update, "Pilihan tidak dikenal.", alert=True)
        return
    await replies.answer(update)
    form.kind = key
    await replies.edit(update, f"Jenis permohonan: <b>{html.escape(offered[key])}</b>",
                       later=context.office)
    await _ask(update, context, form, OWNED)


async def drop(update: Update, context: BotContext, *, retire_prompt: bool = True) -> None:
    """Drop the open form, with the letter it received (it belongs to no request)."""
    payload = await session.drop(update, context, FORM, retire_prompt=retire_prompt)
    if payload is not None:
        await _discard_letter(payload)


async def _discard_letter(payload: dict[str, Any]) -> None:
    letter = payload.get("letter_path")
    if isinstance(letter, str):
        await asyncio.to_thread(Path(letter).unlink, missing_ok=True)


async def agency_chosen(update: Update, context: BotContext, form: Form) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_user is not None
    await replies.answer(update)
    try:
        agency = await context.office.filing_agency(
            update.effective_user.id, agency_id=int(query.data.split(":", 1)[1]))
    except FilingRefused as refused:
        await replies.reply(update, html.escape(str(refused)))
        return
    form.agency_id, form.agency_name = agency.id, agency.name
    await replies.edit(update, f"Perangkat Daerah: <b>{html.escape(agency.name)}</b>",
                       later=context.office)
    await _ask(update, context, form, SUBDOMAIN)


async def agency_typed(update: Update, context: BotContext, form: Form) -> None:
    assert update.effective_user is not None
    try:
        agency = await context.office.filing_agency(update.effective_user.id, typed=_text(update))
    except FilingRefused as refused:
        await replies.reply(update, html.escape(str(refused)))
        return
    form.agency_id, form.agency_name = agency.id, agency.name
    await session.retire(context, form.prompt)
    await _ask(update, context, form, SUBDOMAIN,
               f"Perangkat Daerah: <b>{html.escape(agency.name)}</b>")


async def owned_chosen(update: Update, context: BotContext, form: Form) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    await replies.answer(update)
    if not await _owned(update, context, form, query.data.split(":", 1)[1]):
        return
    await replies.edit(update, f"Subdomain: <code>{html.escape(form.subdomain_display)}</code>",
                       later=context.office)
    await _ask(update, context, form, PURPOSE)


async def owned_typed(update: Update, context: BotContext, form: Form) -> None:
    label = _text(update).lower().removesuffix("." + context.office.settings.parent_domain)
    if await _owned(update, context, form, label):
        await session.retire(context, form.prompt)
        await _ask(update, context, form, PURPOSE,
                   f"Subdomain: <code>{html.escape(form.subdomain_display)}</code>")


async def _owned(update: Update, context: BotContext, form: Form, label: str) -> bool:
    """Take `label` when the register gives it to the form's agency (else say so)."""
    office = context.office
    assert form.agency_id is not None
    if label not in await office.owned_names(form.agency_id):
        await replies.reply(update, f"Subdomain tersebut tidak tercatat sebagai milik "
                                    f"{html.escape(form.agency_name)}. Mohon pilih dari daftar.")
        return False
    open_requests = await office.open_requests_for(label)
    if open_requests:
        await replies.reply(update, f"Subdomain tersebut sedang dalam proses permohonan "
                                    f"{html.escape(open_requests[0].number)}. Mohon tunggu sampai "
                                    "selesai, atau pilih subdomain lain.")
        return False
    form.subdomain, form.subdomain_display = label, f"{label}.{office.settings.parent_domain}"
    return True


async def subdomain(update: Update, context: BotContext, form: Form) -> None:
    office = context.office
    if form.prompt:  # a name typed instead of pressing a button (another name; a new one)
        await session.retire(context, form.prompt)
        form.prompt = None
    try:
        name = technical.valid_name(office.settings, _text(update))
    except InvalidName as invalid:
        hint = (f"\nSaran: <code>{html.escape(invalid.suggestion)}</code>"
                if invalid.suggestion else "")
        await replies.reply(update, f"{html.escape(invalid.message_id)}{hint}\nMohon tulis ulang.")
        return
    open_requests = await office.open_requests_for(name.label)
    if open_requests:
        await replies.reply(
            update, f"Subdomain {html.escape(name.display())} sedang diajukan dalam "
            f"permohonan {html.escape(open_requests[0].number)}. "
            "Mohon pilih nama lain.")
        return
    result = await office.check_name(name.label)
    form.subdomain, form.subdomain_display = name.label, name.display()
    if result.status is CheckStatus.TAKEN:
        # The SOP answers a request for a name that exists ("sudah ada"): the request may go
        # on, so that step 6 can give that answer, or the requester picks another name.
        similar = (f"Nama serupa yang sudah ada: {html.escape(', '.join(result.similar))}"
                   if result.similar else "")
        await _ask(update, context, form, TAKEN, after=similar)
        return
    availability = ("tersedia" if result.status is CheckStatus.AVAILABLE else
                    "ketersediaannya belum dapat dipastikan; staf akan memeriksanya")
    await _ask(update, context, form, PURPOSE,
               f"Subdomain: <code>{html.escape(name.display())}</code> ({availability}).")


async def taken_name_choice(update: Update, context: BotContext, form: Form) -> None:
    """The requester's answer to "the name exists": go on with it, or give another."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await replies.answer(update)
    keep = query.data.endswith(":keep") and bool(form.subdomain)
    question = query.message.text_html if isinstance(query.message, Message) else ""
    await replies.edit(update, f"{question}\n\n<b>Dipilih:</b> " + (
        "lanjutkan dengan nama ini" if keep else "pilih nama lain"), later=context.office)
    if keep:
        shown = html.escape(form.subdomain_display)
        await _ask(update, context, form, PURPOSE,
                   f"Subdomain: <code>{shown}</code> (sudah ada di DNS; diajukan sesuai SOP).")
        return
    form.subdomain = form.subdomain_display = ""
    await _ask(update, context, form, SUBDOMAIN, "Mohon tuliskan nama subdomain lain.")


async def purpose(update: Update, context: BotContext, form: Form) -> None:
    text = _text(update)
    if not text or len(text) > MAX_TEXT:
        await replies.reply(update, f"Mohon tuliskan keperluan dalam 1–{MAX_TEXT} karakter.")
        return
    form.purpose = text
    if not context.office.kind_asks_target(form.kind):  # a deactivation: the register's
        form.target_kind, form.target_value = "hosting", None  # target is filled in on filing
        await _ask(update, context, form, CONTACT)
        return
    await _ask(update, context, form, TARGET)


async def target_chosen(update: Update, context: BotContext, form: Form) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    kind = query.data.split(":", 1)[1]
    if kind not in TARGET_LABELS:
        await replies.answer(update, "Pilihan tidak dikenal.", alert=True)
        return
    await replies.answer(update)
    form.target_kind = kind
    await replies.edit(update, f"Tujuan: {html.escape(TARGET_LABELS[kind])}", later=context.office)
    if kind == "hosting":
        form.target_value = None
        await _ask(update, context, form, CONTACT)
        return
    await _ask(update, context, form, TARGET_VALUE)


async def target_value(update: Update, context: BotContext, form: Form) -> None:
    text = _text(update).lower()
    if form.target_kind == "ip":
        try:
            address = ipaddress.ip_address(text)
        except ValueError:
            await replies.reply(update, f"Alamat IP tidak valid. Contoh: <code>{EXAMPLE_IP}</code>")
            return
        if not address.is_global:
            await replies.reply(update, "Alamat IP harus alamat publik, bukan alamat lokal/privat.")
            return
        form.target_value = str(address)
    elif _HOSTNAME.match(text):
        form.target_value = text.rstrip(".")
    else:
        await replies.reply(update, "Nama host tujuan tidak valid. Contoh: "
                                    "<code>aplikasi.penyedia.co.id</code>")
        return
    await _ask(update, context, form, CONTACT)


async def contact(update: Update, context: BotContext, form: Form) -> None:
    message = update.effective_message
    assert message is not None
    if message.contact is not None:
        form.contact_name = " ".join(
            x for x in (message.contact.first_name, message.contact.last_name) if x)
        form.contact_phone = message.contact.phone_number
    else:
        name, _, phone = _text(update).rpartition(",")
        digits = re.sub(r"[\s.-]", "", phone)
        if not name.strip() or not re.fullmatch(r"\+?\d{8,15}", digits):
            await replies.reply(update, "Mohon tuliskan dengan format: Nama, nomor telepon "
                                        "(contoh: Ahmad, 081234567890).")
            return
        form.contact_name, form.contact_phone = name.strip()[:MAX_TEXT], digits
    await _ask(update, context, form, LETTER_NUMBER,
               f"Kontak: {html.escape(form.contact_name)} ({html.escape(form.contact_phone)})")


async def letter_number(update: Update, context: BotContext, form: Form) -> None:
    text = _text(update)
    if not text or len(text) > 100:
        await replies.reply(update, "Mohon tuliskan nomor surat (paling banyak 100 karakter).")
        return
    form.letter_number = text
    await _ask(update, context, form, LETTER_DATE)


async def letter_date(update: Update, context: BotContext, form: Form) -> None:
    try:
        day = datetime.strptime(_text(update).replace("/", "-"), "%d-%m-%Y").date()
    except ValueError:
        await replies.reply(update, "Tanggal tidak dikenali. Gunakan format HH-BB-TTTT, "
                                    "contoh 27-11-2026.")
        return
    if day > context.office.today():
        await replies.reply(
            update, "Tanggal surat tidak boleh di masa depan. Mohon periksa kembali.")
        return
    form.letter_date = day
    await _ask(update, context, form, LETTER_SUBJECT)


async def letter_subject(update: Update, context: BotContext, form: Form) -> None:
    text = " ".join(_text(update).split())
    if not text or len(text) > MAX_TEXT:
        await replies.reply(update, f"Mohon tuliskan perihal surat (paling banyak {MAX_TEXT} "
                                    "karakter).")
        return
    form.letter_subject = text
    await _ask(update, context, form, LETTER_FILE)


async def letter_file(update: Update, context: BotContext, form: Form) -> None:
    message = update.effective_message
    assert message is not None
    document, photo = message.document, message.photo
    if document is not None:
        is_pdf = (document.mime_type == "application/pdf"
                  or (document.file_name or "").lower().endswith(".pdf"))
        if not is_pdf:
            await replies.reply(update, "Berkas harus berupa PDF atau foto. Mohon kirim ulang.")
            return
        file_id, size, suffix = document.file_id, document.file_size or 0, ".pdf"
    elif photo:
        largest = photo[-1]
        file_id, size, suffix = largest.file_id, largest.file_size or 0, ".jpg"
    else:
        await replies.reply(update, "Mohon kirim surat permohonan sebagai PDF atau foto.")
        return
    if size > MAX_FILE_BYTES:
        await replies.reply(
            update, "Berkas lebih besar dari 20 MB. Mohon kirim berkas yang lebih kecil.")
        return
    telegram_file = await context.bot.get_file(file_id)
    folder = context.office.settings.data_dir / "incoming"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}{suffix}"
    await telegram_file.download_to_drive(path)
    if suffix == ".pdf" and not await asyncio.to_thread(_looks_like_pdf, path):
        path.unlink()
        await replies.reply(update, "Berkas tersebut bukan PDF yang sah. Mohon kirim ulang.")
        return
    if form.letter_path:  # a letter sent again replaces the one before
        await asyncio.to_thread(Path(form.letter_path).unlink, missing_ok=True)
    form.letter_path = str(path)
    await _ask(update, context, form, CONFIRM)


def _looks_like_pdf(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(5) == b"%PDF-"


def _summary(form: Form, kind_label: str = "") -> str:
    target = TARGET_LABELS.get(form.target_kind, form.target_kind) + (
        f" {form.target_value}" if form.target_value else "")
    day = form.letter_date.strftime("%d-%m-%Y") if form.letter_date else "-"
    return "\n".join([
        "<b>Ringkasan permohonan</b>",
        *([f"Jenis permohonan: <b>{html.escape(kind_label)}</b>"]
          if form.kind != PEMBUATAN else []),
        f"Perangkat Daerah: {html.escape(form.agency_name)}",
        f"Subdomain: <code>{html.escape(form.subdomain_display)}</code>",
        f"Keperluan: {html.escape(form.purpose)}",
        *([f"Tujuan: {html.escape(target)}"] if form.target_kind else []),
        f"Kontak: {html.escape(form.contact_name)} ({html.escape(form.contact_phone)})",
        f"Surat: {html.escape(form.letter_number)} tanggal {day}",
        f"Perihal surat: {html.escape(form.letter_subject)}",
        "Lampiran: surat permohonan",
    ])


async def confirm(update: Update, context: BotContext, form: Form) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    await replies.answer(update)
    choice = query.data.split(":", 1)[1]
    shown = _summary(form, context.office.kind_label(form.kind))
    if choice == "cancel":
        await drop(update, context, retire_prompt=False)
        await replies.edit(update, f"{shown}\n\n<b>Dibatalkan</b>; tidak ada yang "
                                      "dikirim.", later=context.office)
        return
    if choice == "edit":
        await drop(update, context, retire_prompt=False)
        await replies.edit(update, f"{shown}\n\n<b>Diubah</b>: isian diulang dari "
                                      "awal.", later=context.office)
        await begin(update, context)
        return
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
            letter_file_ref=form.letter_path, kind=form.kind))
    except FilingRefused as refused:
        await drop(update, context, retire_prompt=False)
        await replies.edit(update, f"{shown}\n\n{html.escape(str(refused))}",
                           later=context.office)
        return
    await session.clear(update, context, FORM)
    await replies.edit(update, f"{shown}\n\nPermohonan terkirim dengan nomor "
                                  f"<b>{html.escape(request.number)}</b>.", later=context.office)


# --- routing: every message and button of the form goes through the saved session ---------

Answer = Callable[[Update, "BotContext", Form], Awaitable[None]]

TYPED: dict[int, Answer] = {
    AGENCY: agency_typed, SUBDOMAIN: subdomain, TAKEN: subdomain, PURPOSE: purpose,
    TARGET_VALUE: target_value, CONTACT: contact, OWNED: owned_typed, LETTER_NUMBER: letter_number,
    LETTER_DATE: letter_date, LETTER_SUBJECT: letter_subject, LETTER_FILE: letter_file,
}
"""What a message answers, by the question it follows (the others take a button)."""
PRESSED: dict[str, tuple[int, Answer]] = {
    "g": (AGENCY, agency_chosen), TAKEN_NAME: (TAKEN, taken_name_choice),
    "t": (TARGET, target_chosen), "f": (CONFIRM, confirm), "k": (SUBDOMAIN, kind_chosen),
    "o": (OWNED, owned_chosen),
}
"""A button's prefix → the question it belongs to, and what it answers."""

EXPIRED = ("Isian permohonan Bapak/Ibu tidak dilanjutkan lebih dari {hours} jam sehingga "
           "dihapus; tidak ada yang dikirim. Ketik /ajukan untuk memulai lagi.")
RESUMED = "Isian permohonan Bapak/Ibu tersimpan; kita lanjutkan."


async def on_message(update: Update, context: BotContext) -> None:
    """A message in a private chat: when a form is open (and no action waits for a note),
    it answers the form's question, and nothing after this handler sees it."""
    chat, message = update.effective_chat, update.effective_message
    if chat is None or message is None or chat.type != ChatType.PRIVATE:
        return
    saved = await session.load(update, context, FORM)
    if saved is None or await session.exists(update, context, PENDING):
        return  # no form, or an action waits for its note (`steps.on_note_text`)
    if saved.expired:
        await _discard_letter(saved.payload)
        await replies.reply(
            update, EXPIRED.format(hours=context.office.settings.session_expiry_hours))
        raise ApplicationHandlerStop
    form = Form.from_payload(saved.payload)
    if saved.resumed:  # the bot restarted: ask the open question again before taking answers
        await session.retire(context, form.prompt)
        try:
            await _ask(update, context, form, form.step, RESUMED)
        except Exception as failed:
            session.forget(context, FORM)
            await context.application.process_error(update, failed)
        raise ApplicationHandlerStop
    answer = TYPED.get(form.step)
    try:
        if answer is None:
            await replies.reply(update, "Mohon pilih salah satu tombol pada pertanyaan di atas.")
        elif form.step not in (CONTACT, LETTER_FILE) and not message.text:
            await replies.reply(update, "Mohon jawab dengan teks.")
        else:
            await answer(update, context, form)
    except Exception as failed:  # e.g. the next question was lost to a Telegram fault
        session.forget(context, FORM)  # the next message gets the open question again
        await context.application.process_error(update, failed)
    raise ApplicationHandlerStop


async def on_button(update: Update, context: BotContext) -> None:
    """A button of the form: taken only from the question that is open now."""
    query = update.callback_query
    assert query is not None and query.data is not None
    saved = await session.load(update, context, FORM)
    if saved is not None and saved.expired:
        await _discard_letter(saved.payload)
    form = Form.from_payload(saved.payload) if saved and not saved.expired else None
    step, answer = PRESSED[query.data.split(":", 1)[0]]
    message = query.message
    current = (form is not None and form.step == step and message is not None
               and form.prompt in (None, [message.chat.id, message.message_id]))
    if form is None or not current:
        await replies.answer(update, "Pertanyaan ini sudah tidak berlaku. " + (
            "Mohon jawab pertanyaan terakhir." if form else
            "Ketik /ajukan untuk mengajukan permohonan."), alert=True)
        await session.strip(context, message)
        return
    await answer(update, context, form)


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    """The form's handlers: /ajukan, its buttons, and (in a group of its own, before every
    other message handler) the messages that answer it."""
    return [CommandHandler("ajukan", begin), CallbackQueryHandler(on_button, pattern=BUTTONS)]


def message_handler() -> MessageHandler[BotContext, None]:
    return MessageHandler(filters.ChatType.PRIVATE & ~filters.COMMAND & (
        filters.TEXT | filters.CONTACT | filters.Document.ALL | filters.PHOTO), on_message)
