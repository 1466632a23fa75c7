"""Officials (and requesters) acting on a step: button → choices → note → one transition.

A pressed action button is checked against the database at once (the presser's positions, the
request's version); then the handler collects what the table asks for (an instruction, the staff
member, a note), and hands everything to the office service in one call.
"""

from __future__ import annotations

import html
import logging
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.error import TelegramError

from bot import revision
from bot.callbacks import ActionButton, BadPayload
from bot.handlers import replies, session
from bot.handlers.common import outside_flow
from bot.handlers.session import PENDING, person_of
from bot.service import SCAN_MAX_BYTES, ActionInput, SigningRefused
from bot.workflow import (
    NOTE_MAX_CHARS,
    SIGNING_ASKS,
    Ask,
    BadNote,
    Instruction,
    Note,
    WorkflowError,
)
from storage.models import OutMessage

if TYPE_CHECKING:
    from bot.handlers.context import BotContext

log = logging.getLogger(__name__)

SKIP, CANCEL, DONE = "n:skip", "n:cancel", "n:done"
EDIT = "r:"
"""Prefix of the button that picks a part of the letter to revise (``r:hal``)."""
SHOWN_CHARS = 600
"""Longest current text shown per part in the revision list (the whole list stays within
one Telegram message)."""
INSTRUCTIONS = list(Instruction)


@dataclass(frozen=True)
class PendingAction:
    """An action waiting for the presser's choices and note (the person's saved session)."""

    button: ActionButton
    state: str
    """The request's state when the button was pressed."""
    label: str
    chat_id: int
    message_id: int
    message_html: str
    is_caption: bool
    """The pressed message is a document (the reply letter): its caption is what gets edited."""
    note_rule: Note
    needs_instruction: bool
    needs_staff: bool
    assignee_title: str = ""
    """The position whose member the presser chooses (e.g. the staff)."""
    instruction: Instruction | None = None
    assignee_id: int | None = None
    asks: Ask = Ask.NOTHING
    """What the transition needs beyond a note: typed instead of it (a letter number, revised
    texts), or after it (a passphrase, a scan)."""
    noted: bool = False
    """The note stage is over (`note` holds it) and the bot waits for what `asks` names."""
    note: str | None = None
    parts: tuple[tuple[str, str, str], ...] = ()
    """The letter's revisable parts: (key, label, current text)."""
    revision: tuple[tuple[str, str], ...] = ()
    """The parts rewritten so far: (key, new text)."""
    editing: str | None = None
    """The part whose new text the next message is."""
    prompt: list[int] | None = None
    """[chat id, message id] of the last prompt sent for it (its buttons are live)."""

    def payload(self) -> dict[str, Any]:
        return {**asdict(self), "button": self.button.pack()}

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> PendingAction:
        instruction = data.get("instruction")
        return cls(**{**data, "button": ActionButton.unpack(data["button"]),
                      "note_rule": Note(data["note_rule"]),
                      "instruction": Instruction(instruction) if instruction else None,
                      "asks": Ask(data.get("asks", Ask.NOTHING)),
                      "parts": tuple(tuple(p) for p in data.get("parts", ())),
                      "revision": tuple(tuple(r) for r in data.get("revision", ()))})


EXPIRED = ("Tindakan yang Bapak/Ibu pilih tidak dilanjutkan lebih dari {hours} jam sehingga "
           "dibatalkan; tidak ada yang berubah. Mohon tekan tombol tindakan kembali (lihat "
           "/tugas).")


@dataclass(frozen=True)
class Over:
    """A pending action that is over: it expired, or its request moved on meanwhile (e.g.
    while the bot was restarting). It is removed and its prompt has no buttons any more."""

    text: str
    """What to tell the person."""
    prompt: object


async def _load(update: Update, context: BotContext) -> PendingAction | Over | None:
    """The pending action, None, or `Over`."""
    saved = await session.load(update, context, PENDING)
    if saved is None:
        return None
    if saved.expired:
        return Over(EXPIRED.format(hours=context.office.settings.session_expiry_hours),
                    saved.payload.get(session.PROMPT))
    pending = PendingAction.from_payload(saved.payload)
    person = await person_of(update, context)
    try:
        if person is None:
            raise WorkflowError("Bapak/Ibu belum terdaftar untuk tugas ini.")
        await context.office.check(person, pending.button.request_id, pending.button.action,
                                   pending.button.version)
    except WorkflowError as refused:
        await session.drop(update, context, PENDING)
        return Over(f"{refused.message_id} Tidak ada yang berubah.", pending.prompt)
    return pending


async def _save(update: Update, context: BotContext, pending: PendingAction) -> None:
    await session.save(update, context, PENDING, pending.payload())


async def _prompt(update: Update, context: BotContext, pending: PendingAction, text: str,
                  markup: InlineKeyboardMarkup, *, chat_id: int | None = None) -> None:
    """Send a question with buttons and save the action with it as its live prompt (sent to
    `chat_id` instead of the update's chat when given)."""
    if chat_id is None:
        sent = await replies.send(update, text, markup, later=context.office)
    else:
        sent = await context.bot.send_message(chat_id, text, reply_markup=markup)
    prompt = [sent.chat_id, sent.message_id] if isinstance(sent, Message) else None
    await _save(update, context, replace(pending, prompt=prompt))


def _html_of(message: object) -> str:
    """The pressed message's text (or a document's caption) as HTML, to repeat in the edit."""
    if getattr(message, "text", None) is not None:
        return str(getattr(message, "text_html", ""))
    return str(getattr(message, "caption_html", "") or "")


async def on_action_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    try:
        button = ActionButton.unpack(query.data)
        if not context.office.workflow.knows_action(button.action):
            raise BadPayload(button.action)
    except BadPayload:
        await replies.answer(update, "Tombol ini tidak dikenali lagi. Mohon gunakan /tugas.",
                             alert=True)
        return
    person = await person_of(update, context)
    if person is None:
        await replies.answer(update, "Bapak/Ibu belum terdaftar untuk tugas ini.", alert=True)
        return
    try:
        request, decision = await context.office.check(person, button.request_id, button.action,
                                                       button.version)
    except WorkflowError as refused:
        await replies.answer(update, refused.message_id, alert=True)
        return
    message = query.message
    assert message is not None
    members = await context.office.assignable(button.action, request.state)
    parts: tuple[tuple[str, str, str], ...] = ()
    if decision.transition.asks == Ask.REVISION:
        try:
            parts = tuple((p.key, p.label, p.text) for p in
                          await context.office.letter_parts(person, button.request_id))
        except WorkflowError as refused:
            await replies.answer(update, refused.message_id, alert=True)
            return
    pending = PendingAction(
        button=button,
        state=request.state,
        label=decision.transition.label,
        chat_id=message.chat.id,
        message_id=message.message_id,
        message_html=_html_of(message),
        is_caption=getattr(message, "text", None) is None,
        note_rule=decision.transition.note,
        needs_instruction=bool(decision.transition.instructions),
        needs_staff=len(members) > 1,
        assignee_title=(context.office.workflow.title(decision.transition.assigns)
                        if decision.transition.assigns else ""),
        asks=decision.transition.asks,
        parts=parts,
    )
    await session.drop(update, context, PENDING)  # an action chosen before is superseded
    await _save(update, context, pending)
    await replies.answer(update)
    await _ask_next(update, context, pending)


async def _ask_next(update: Update, context: BotContext, pending: PendingAction) -> None:
    chat = update.effective_chat
    assert chat is not None
    cancel = [InlineKeyboardButton("Batal", callback_data=CANCEL)]
    if pending.needs_instruction and pending.instruction is None:
        rows = [[InlineKeyboardButton(i.value, callback_data=f"i:{n}")]
                for n, i in enumerate(INSTRUCTIONS)]
        await _prompt(update, context, pending, "Pilih instruksi disposisi:",
                      InlineKeyboardMarkup([*rows, cancel]))
        return
    if pending.needs_staff and pending.assignee_id is None:
        members = await context.office.assignable(pending.button.action, pending.state)
        rows = [[InlineKeyboardButton(h.person.name, callback_data=f"s:{h.person.id}")]
                for h in members]
        await _prompt(update, context, pending,
                      f"Pilih {html.escape(pending.assignee_title)} yang ditugaskan:",
                      InlineKeyboardMarkup([*rows, cancel]))
        return
    if pending.noted:
        await _ask_input(update, context, pending)
        return
    if pending.asks == Ask.REVISION:
        await _show_parts(update, context, pending)
        return
    if pending.asks == Ask.LETTER_NUMBER:
        await _prompt(
            update, context, pending,
            f"<b>{html.escape(pending.label)}</b>\nMohon kirim nomor surat keluar yang diambil "
            "dari buku agenda atau SRIKANDI, persis seperti tertulis (contoh: "
            f"{html.escape(context.office.register_example(context.office.today().year, 145))}"
            ").", InlineKeyboardMarkup([cancel]))
        return
    if pending.note_rule is Note.NONE:
        await _noted(update, context, pending, None)
        return
    if pending.note_rule is Note.REQUIRED:
        await _prompt(
            update, context, pending,
            f"<b>{html.escape(pending.label)}</b>\nMohon tuliskan catatan atau alasan "
            f"(paling banyak {NOTE_MAX_CHARS} karakter).", InlineKeyboardMarkup([cancel]))
        return
    await _prompt(
        update, context, pending,
        f"<b>{html.escape(pending.label)}</b>\nTuliskan catatan bila perlu, atau tekan "
        "Lewati.", InlineKeyboardMarkup(
            [[InlineKeyboardButton("Lewati", callback_data=SKIP)], cancel]))


async def on_choice(update: Update, context: BotContext) -> None:
    """Instruction / staff choice, Lewati and Batal buttons of a pending action."""
    query = update.callback_query
    assert query is not None and query.data is not None
    pending = await _load(update, context)
    message = query.message
    pressed = [message.chat.id, message.message_id] if message else None
    if isinstance(pending, Over):  # said in the chat, as a refused commit is
        await replies.answer(update)
        if pressed != pending.prompt:
            await session.strip(context, message)
        await replies.send(update, html.escape(pending.text), later=context.office)
        return
    if pending is None or (pending.prompt is not None and pending.prompt != pressed):
        await replies.answer(update, "Pilihan ini sudah tidak berlaku; tidak ada tindakan yang "
                             "menunggunya.", alert=True)
        await session.strip(context, message)
        return
    data = query.data
    if data == SKIP and pending.note_rule is Note.REQUIRED:
        await replies.answer(update, "Catatan wajib diisi untuk tindakan ini.", alert=True)
        return
    await replies.answer(update)
    if data == CANCEL:
        await session.clear(update, context, PENDING)
        await replies.edit(update, "Tindakan dibatalkan; tidak ada yang berubah.",
                           later=context.office)
        return
    if data == SKIP:
        await replies.drop_buttons(update, later=context.office)
        await _noted(update, context, pending, None)
        return
    if data == DONE and pending.asks == Ask.REVISION:
        await replies.drop_buttons(update, later=context.office)
        await _commit(update, context, pending, None)
        return
    if data.startswith(EDIT) and pending.asks == Ask.REVISION:
        await _ask_part(update, context, pending, data[len(EDIT):])
        return
    kind, _, value = data.partition(":")
    if kind == "i" and value.isdigit() and int(value) < len(INSTRUCTIONS):
        chosen = INSTRUCTIONS[int(value)]
        pending = replace(pending, instruction=chosen)
        await replies.edit(update, f"Instruksi: {html.escape(chosen.value)}",
                           later=context.office)
    elif kind == "s" and value.isdigit():
        pending = replace(pending, assignee_id=int(value))
        await replies.drop_buttons(update, later=context.office)
    else:
        return
    await _save(update, context, pending)
    await _ask_next(update, context, pending)


async def on_note_text(update: Update, context: BotContext) -> None:
    """A text message while an action waits for its note."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    pending = await _load(update, context)
    if pending is None:  # nothing waits for this text: never leave it silent
        await outside_flow(update, context)
        return
    if isinstance(pending, Over):
        await replies.reply(update, html.escape(pending.text), later=context.office)
        return
    if pending.noted and pending.asks is Ask.PASSPHRASE:
        await _passphrase(update, context, pending)
        return
    if pending.noted and pending.asks is Ask.SCAN:
        await replies.reply(update, "Mohon kirim pindaian surat sebagai berkas PDF, atau "
                            "tekan Batal.", later=context.office)
        return
    if (pending.needs_instruction and pending.instruction is None) or (
        pending.needs_staff and pending.assignee_id is None
    ):
        await replies.reply(update, "Mohon pilih dahulu dari tombol yang tersedia.",
                            later=context.office)
        return
    if pending.asks == Ask.REVISION:
        await _take_part(update, context, pending, message.text)
        return
    if pending.asks == Ask.LETTER_NUMBER:
        await _commit(update, context, pending, None, {"letter_number": message.text})
        return
    if len(message.text) > NOTE_MAX_CHARS:
        # Telegram clients split a long text into several messages: the rest of it must not
        # become the note, so the action is dropped and has to be started again.
        await session.drop(update, context, PENDING)
        await replies.reply(
            update, f"Catatan terlalu panjang ({len(message.text)} karakter); tidak ada yang "
            f"berubah. Mohon tekan tombol tindakan kembali dan kirim catatan paling banyak "
            f"{NOTE_MAX_CHARS} karakter.", later=context.office)
        return
    await _noted(update, context, pending, message.text)


async def _noted(update: Update, context: BotContext, pending: PendingAction,
                 note: str | None) -> None:
    """The note is given: commit, or first ask what the transition still needs."""
    if pending.asks not in SIGNING_ASKS:
        await _commit(update, context, pending, note)
        return
    pending = replace(pending, noted=True, note=note)
    await _save(update, context, pending)
    await _ask_input(update, context, pending)


async def _ask_input(update: Update, context: BotContext, pending: PendingAction) -> None:
    """Ask for the passphrase (always in the person's private chat) or the scan."""
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    cancel = InlineKeyboardMarkup([[InlineKeyboardButton("Batal", callback_data=CANCEL)]])
    if pending.asks is Ask.PASSPHRASE:
        if chat.type != ChatType.PRIVATE:
            await replies.send(update, "Frasa sandi TTE diminta melalui chat pribadi dengan bot.",
                               later=context.office)
        await _prompt(
            update, context, pending,
            f"<b>{html.escape(pending.label)}</b>\nMohon kirim frasa sandi (passphrase) "
            "tanda tangan elektronik BSrE Bapak/Ibu. Pesan tersebut segera dihapus dan tidak "
            "disimpan.", cancel, chat_id=user.id)
        return
    await _prompt(
        update, context, pending,
        f"<b>{html.escape(pending.label)}</b>\nMohon kirim pindaian surat yang telah "
        "ditandatangani basah dan dicap, sebagai berkas PDF (paling besar 20 MB).", cancel)


async def _passphrase(update: Update, context: BotContext, pending: PendingAction) -> None:
    """The passphrase message: deleted at once, never stored, never logged; only accepted in
    the private chat (in a group it is deleted and the action dropped)."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None and message.text is not None
    secret = message.text.strip()
    try:
        await message.delete()
    except TelegramError:
        log.warning("the passphrase message could not be deleted")
    if chat.type != ChatType.PRIVATE:
        await session.drop(update, context, PENDING)
        await chat.send_message("Frasa sandi tidak boleh dikirim di grup; pesan tersebut telah "
                                "dihapus dan tindakan dibatalkan. Mohon ulangi dari kartu tugas "
                                "dan kirim frasa sandi melalui chat pribadi dengan bot.")
        return
    await _commit(update, context, pending, pending.note, secret=secret)


async def on_document(update: Update, context: BotContext) -> None:
    """A file or photo while an action waits for the scan of the wet-signed letter."""
    message = update.effective_message
    if message is None:
        return
    pending = await _load(update, context)
    if isinstance(pending, Over):
        await replies.reply(update, html.escape(pending.text), later=context.office)
        return
    if pending is None or not (pending.noted and pending.asks is Ask.SCAN):
        await outside_flow(update, context)
        return
    if message.document is None:  # a photo: the letter goes out as the scanned PDF
        await replies.reply(update, "Pindaian surat harus berupa berkas PDF; surat belum "
                            "dikirim. Mohon kirim pindaian sebagai berkas PDF, atau tekan Batal.",
                            later=context.office)
        return
    document = message.document
    if (document.file_size or 0) > SCAN_MAX_BYTES:
        await replies.reply(update, "Berkas lebih besar dari 20 MB; surat belum dikirim. Mohon "
                            "kirim berkas yang lebih kecil.", later=context.office)
        return
    data = bytes(await (await context.bot.get_file(document.file_id)).download_as_bytearray())
    await _commit(update, context, pending, pending.note, document=data)


def _current(pending: PendingAction) -> list[tuple[str, str, str, bool]]:
    """(key, label, text, rewritten) of every revisable part, with the new texts so far."""
    new = dict(pending.revision)
    return [(key, label, new.get(key, text), key in new) for key, label, text in pending.parts]


def _shown(text: str) -> str:
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS - 1] + "…"


async def _show_parts(update: Update, context: BotContext, pending: PendingAction) -> None:
    """The letter's variable parts with their current texts, a button to rewrite each."""
    lines = [f"<b>{html.escape(pending.label)}</b>",
             "Bagian konsep surat yang dapat diubah, dengan teksnya sekarang:"]
    for _key, label, text, rewritten in _current(pending):
        mark = " (diubah)" if rewritten else ""
        lines.append(f"\n<b>{html.escape(label)}</b>{mark}\n{html.escape(_shown(text))}")
    lines.append("\nTekan bagian yang akan diubah lalu kirim teks penggantinya. Tekan "
                 "“Ajukan konsep” bila selesai; konsep baru dikirim kepada penandatangan.")
    rows = [[InlineKeyboardButton(f"Ubah {label}", callback_data=f"{EDIT}{key}")]
            for key, label, _text in pending.parts]
    rows.append([InlineKeyboardButton("Ajukan konsep", callback_data=DONE)])
    rows.append([InlineKeyboardButton("Batal", callback_data=CANCEL)])
    await _prompt(update, context, pending, "\n".join(lines), InlineKeyboardMarkup(rows))


async def _ask_part(update: Update, context: BotContext, pending: PendingAction,
                    key: str) -> None:
    found = next(((label, text) for k, label, text, _ in _current(pending) if k == key), None)
    if found is None:
        await replies.send(update, "Bagian surat tersebut tidak dapat diubah. Mohon pilih dari "
                           "daftar.", later=context.office)
        return
    label, text = found
    await _save(update, context, replace(pending, editing=key))
    hint = " Pisahkan penerima dengan titik koma (;)." if key == "tembusan" else ""
    await replies.send(
        update, f"Kirim teks pengganti untuk <b>{html.escape(label)}</b> (teks biasa, paling "
        f"banyak {revision.limit(key)} karakter).{hint} Teks sekarang:\n"
        f"{html.escape(_shown(text))}",
        later=context.office)


async def _take_part(update: Update, context: BotContext, pending: PendingAction,
                     text: str) -> None:
    """A new text for the part being edited: checked now (the service checks it again)."""
    if pending.editing is None:
        await replies.reply(update, "Mohon pilih dahulu bagian yang akan diubah dari tombol "
                            "yang tersedia.", later=context.office)
        return
    try:
        tidy = revision.clean(pending.editing, text, {k for k, _, _ in pending.parts})
    except BadNote as refused:
        await replies.reply(update, html.escape(refused.message_id), later=context.office)
        return
    await session.retire(context, pending.prompt)  # the list is shown again, as it is now
    new = {**dict(pending.revision), pending.editing: tidy}
    pending = replace(pending, revision=tuple(new.items()), editing=None)
    await _show_parts(update, context, pending)


async def _commit(update: Update, context: BotContext, pending: PendingAction,
                  note: str | None, typed: dict[str, str] | None = None, *,
                  secret: str | None = None, document: bytes | None = None) -> None:
    chat = update.effective_chat
    assert chat is not None
    person = await person_of(update, context)
    if person is None:
        return
    office = context.office
    done = (f"{pending.message_html}\n\n✅ <b>{html.escape(pending.label)}</b> oleh "
            f"{html.escape(person.name)} pada {office.words.time(office.clock())}")
    edit = OutMessage(pending.chat_id, "edit", {
        "message_id": pending.message_id, "text": done, "buttons": [],
        "caption": pending.is_caption})
    try:
        details: dict[str, object] = dict(typed or {})
        if pending.asks == Ask.REVISION:
            details["revision"] = dict(pending.revision)
        request = await office.act(person, pending.button.request_id, ActionInput(
            pending.button.action, pending.button.version, note=note,
            instruction=pending.instruction, assignee_id=pending.assignee_id,
            details=details or None, secret=secret, document=document), extra=[edit])
    except WorkflowError as refused:
        # another passphrase or scan may follow (a server-side certificate: nothing to resend)
        again = isinstance(refused, SigningRefused) and pending.asks in SIGNING_ASKS
        if again:
            await session.retire(context, pending.prompt)
            await _prompt(update, context, pending, html.escape(refused.message_id),
                          InlineKeyboardMarkup([[InlineKeyboardButton("Batal",
                                                                      callback_data=CANCEL)]]))
            return
        if not isinstance(refused, BadNote):  # a better note may still follow
            await session.drop(update, context, PENDING)
        await replies.send(update, html.escape(refused.message_id), later=context.office)
        return
    await session.clear(update, context, PENDING)
    if note is not None or typed or secret is not None or document is not None:
        await session.retire(context, pending.prompt)  # typed: its Lewati / Batal are done
    await replies.send(update, f"Tercatat: tindakan “{html.escape(pending.label)}” pada "
                               f"permohonan {html.escape(request.number)}.",
                       later=context.office)
