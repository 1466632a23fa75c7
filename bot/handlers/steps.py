"""Officials (and requesters) acting on a step: at most two taps, all on the step card.

The card's buttons come from the table and already carry the action's choice (one button per
instruction, or per member the action may assign). A press is checked against the database at
once (the presser's positions, the request's version); an action without a note is taken
there and then; otherwise the card itself asks for the note (typed) or offers "Lewati" (or the
table's confirmation, e.g. of signing) and "Batal". Taking the action edits the same card to
its ✅ line: no prompt or confirmation arrives as a message of its own.

What a transition needs beyond its note (`Ask`) is asked on the card too where it can be (a
letter number, a scan); the BSrE passphrase is asked in the person's private chat and the
letter's revisable parts are listed in a message of their own (its buttons are the action's
`prompt`). The pending action is the person's saved session: it survives a restart, expires
after SESSION_EXPIRY_HOURS, and a press or message after its request moved on is answered
with what happened.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.error import TelegramError

from bot import notify, revision, texts
from bot.callbacks import ANY_VERSION, ActionButton, BadPayload
from bot.handlers import common, replies, session
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
    Transition,
    WorkflowError,
)
from storage.models import OutMessage, PositionHolder, Request

if TYPE_CHECKING:
    from bot.handlers.context import BotContext

log = logging.getLogger(__name__)

SKIP, CANCEL, DONE = "n:skip", "n:cancel", "n:done"
EDIT = "r:"
"""Prefix of the button that picks a part of the letter to revise (``r:hal``)."""
SHOWN_CHARS = 600
"""Longest current text shown per part in the revision list (the whole list stays within
one Telegram message)."""
Rows = tuple[tuple[tuple[str, str], ...], ...]
"""Inline keyboard rows as (label, callback data) pairs."""

UNKNOWN_BUTTON = "Tombol ini tidak dikenali lagi. Mohon gunakan /tugas."
NOTHING_WAITING = "Tidak ada tindakan yang menunggu pada pesan ini. Mohon gunakan /tugas."
CHOOSE_FIRST = "Mohon pilih dahulu dari tombol yang tersedia."
EXPIRED = ("Tindakan yang Bapak/Ibu pilih tidak dilanjutkan lebih dari {hours} jam sehingga "
           "dibatalkan; tidak ada yang berubah. Mohon tekan tombol tindakan kembali (lihat "
           "/tugas).")


@dataclass(frozen=True)
class PendingAction:
    """An action pressed on a step card, waiting for its note (or for its choice, where the
    card had no choice buttons, or for what the transition asks). Plain fields only: it is
    saved as the person's session."""

    request_id: int
    version: int
    action: str
    state: str
    """The request's state when the button was pressed."""
    label: str
    """The action as the card confirms it, with its choice ("Disposisi ke Kabid · …")."""
    chat_id: int
    message_id: int
    message_html: str
    """The card as it read before the press (HTML), repeated in every edit."""
    is_caption: bool
    """The pressed message is a document (the reply letter): its caption is what gets edited."""
    buttons: Rows
    """The card's buttons before the press: Batal puts them back."""
    note_rule: str
    """A `Note` value."""
    confirm_label: str
    instruction: str | None = None
    """An `Instruction` value."""
    assignee_id: int | None = None
    choosing: bool = False
    """The card shows the choices (it was pressed without one); no note is taken yet."""
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
    """[chat id, message id] of a prompt sent apart from the card (its buttons are live)."""

    def payload(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> PendingAction:
        return cls(**{**data,
                      "buttons": tuple(tuple((label, cb) for label, cb in row)
                                       for row in data["buttons"]),
                      "asks": Ask(data.get("asks", Ask.NOTHING)),
                      "parts": tuple((k, label, text) for k, label, text in data.get("parts", ())),
                      "revision": tuple((k, text) for k, text in data.get("revision", ()))})

    @property
    def card(self) -> list[int]:
        return [self.chat_id, self.message_id]


@dataclass(frozen=True)
class Over:
    """A pending action that is over: it expired, or its request moved on meanwhile (e.g.
    while the bot was restarting). It is already removed; its card is restored."""

    text: str
    """What to tell the person."""
    pending: PendingAction


# --- the saved session ------------------------------------------------------------------------

async def _load(update: Update, context: BotContext) -> PendingAction | Over | None:
    """The pending action, None, or `Over` (its card then gets its buttons back)."""
    saved = await session.load(update, context, PENDING)
    if saved is None:
        return None
    pending = PendingAction.from_payload(saved.payload)
    if saved.expired:
        await _restore(context, pending)
        return Over(EXPIRED.format(hours=context.office.settings.session_expiry_hours), pending)
    person = await person_of(update, context)
    try:
        if person is None:
            raise WorkflowError("Bapak/Ibu belum terdaftar untuk tugas ini.")
        await context.office.check(person, pending.request_id, pending.action,
                                   pending.version)
    except WorkflowError as refused:
        await session.drop(update, context, PENDING)
        await _restore(context, pending)
        return Over(f"{refused.message_id} Tidak ada yang berubah.", pending)
    return pending


async def _save(update: Update, context: BotContext, pending: PendingAction) -> None:
    await session.save(update, context, PENDING, pending.payload())


async def _drop(update: Update, context: BotContext, pending: PendingAction) -> None:
    """The action is abandoned: the session goes, its prompt loses its buttons, the card gets
    its own back."""
    await session.drop(update, context, PENDING)
    await _restore(context, pending)


# --- the card -----------------------------------------------------------------------------------

def _html_of(message: Message) -> str:
    """The pressed message's text (or a document's caption) as HTML, to repeat in the edit."""
    if message.text is not None:
        return message.text_html
    return message.caption_html or ""


def _rows_of(message: Message) -> Rows:
    markup = message.reply_markup
    if markup is None:
        return ()
    return tuple(tuple((b.text, str(b.callback_data)) for b in row if b.callback_data)
                 for row in markup.inline_keyboard)


def _is_step_card(message: object) -> bool:
    """The message carries action buttons (a step card as it is when nothing waits on it)."""
    markup = getattr(message, "reply_markup", None)
    return markup is not None and any(
        str(b.callback_data).startswith(f"{ActionButton.PREFIX}:")
        for row in markup.inline_keyboard for b in row)


def _markup(rows: Rows | list[list[tuple[str, str]]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data)
                                  for label, data in row] for row in rows])


async def _edit_card(context: BotContext, pending: PendingAction, html_text: str,
                     rows: Rows | list[list[tuple[str, str]]]) -> None:
    """Edit the card in place (text or caption) with these buttons."""
    await replies.edit_message(context.bot, pending.chat_id, pending.message_id, html_text,
                               _markup(rows), caption=pending.is_caption, later=context.office)


async def _ask_on_card(context: BotContext, pending: PendingAction, prompt: str,
                       rows: list[list[tuple[str, str]]] | None = None) -> None:
    """The card asks `prompt` (HTML), with these buttons and Batal."""
    await _edit_card(context, pending, f"{pending.message_html}\n\n{prompt}",
                     [*(rows or []), [(texts.CANCEL_LABEL, CANCEL)]])


async def _restore(context: BotContext, pending: PendingAction) -> None:
    """The card as it was before the press, while its step still waits (its buttons back);
    once the request has moved on, only the prompt's buttons go (the text is left to the edit
    the transition sends: "Ditarik oleh pemohon", another holder's ✅). Best effort: a card that
    can no longer be edited stays as it is, and its buttons explain themselves when pressed."""
    request = await context.office.request(pending.request_id)  # requests are never deleted
    waits = request.state == pending.state and pending.version in (ANY_VERSION, request.version)
    if not waits:
        await session.retire(context, pending.card)
        return
    try:
        await _edit_card(context, pending, pending.message_html, pending.buttons)
    except TelegramError as failed:
        log.info("card %s/%s not restored: %s", pending.chat_id, pending.message_id, failed)


async def _prompt(update: Update, context: BotContext, pending: PendingAction, text: str,
                  markup: InlineKeyboardMarkup, *, chat_id: int | None = None) -> None:
    """Send a question with buttons apart from the card (to `chat_id` instead of the update's
    chat when given) and save the action with it as its live prompt."""
    await session.retire(context, pending.prompt)
    if chat_id is None:
        sent = await replies.send(update, text, markup, later=context.office)
    else:
        sent = await replies.send_to(context.bot, chat_id, text, markup, later=context.office)
    prompt = [sent.chat_id, sent.message_id] if isinstance(sent, Message) else None
    await _save(update, context, replace(pending, prompt=prompt))


async def cancel(update: Update, context: BotContext) -> None:
    """/batal: an action waiting for its note is dropped and its card gets its buttons back;
    the open form too (`common.cancel`)."""
    if update.effective_user is not None:
        dropped = await session.drop(update, context, PENDING)
        if dropped is not None:
            await _restore(context, PendingAction.from_payload(dropped))
    await common.cancel(update, context)


# --- the press ----------------------------------------------------------------------------------

async def on_action_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    office = context.office
    try:
        button = ActionButton.unpack(query.data)
        if not office.workflow.knows_action(button.action):
            raise BadPayload(button.action)
    except BadPayload:
        await replies.answer(update, UNKNOWN_BUTTON, alert=True)
        return
    person = await person_of(update, context)
    if person is None:
        await replies.answer(update, "Bapak/Ibu belum terdaftar untuk tugas ini.", alert=True)
        return
    try:
        request, decision = await office.check(person, button.request_id, button.action,
                                               button.version)
    except WorkflowError as refused:
        await replies.answer(update, refused.message_id, alert=True)
        return
    message = query.message
    assert isinstance(message, Message)
    t = decision.transition
    members = await office.assignable(button.action, request.state)
    instruction: Instruction | None = None
    assignee_id: int | None = None
    label = t.label
    if button.choice.startswith("i"):
        n = int(button.choice[1:])
        if n >= len(t.instructions):
            await replies.answer(update, UNKNOWN_BUTTON, alert=True)
            return
        instruction = t.instructions[n]
        label = texts.choice_label(t.label, instruction.value)
    elif button.choice.startswith("s"):
        chosen = next((h for h in members if h.person.id == int(button.choice[1:])), None)
        if chosen is None:
            title = office.workflow.title(t.assigns) if t.assigns else ""
            await replies.answer(update, f"Yang dipilih tidak terdaftar sebagai {title}. "
                                 "Mohon gunakan /tugas.", alert=True)
            return
        assignee_id = chosen.person.id
        label = texts.choice_label(t.label, chosen.person.name)
    parts: tuple[tuple[str, str, str], ...] = ()
    if t.asks == Ask.REVISION:
        try:
            parts = tuple((p.key, p.label, p.text) for p in
                          await office.letter_parts(person, button.request_id))
        except WorkflowError as refused:
            await replies.answer(update, refused.message_id, alert=True)
            return
    choosing = bool(t.instructions and instruction is None) or (
        len(members) > 1 and assignee_id is None)
    pending = PendingAction(
        request_id=button.request_id, version=button.version, action=button.action,
        state=request.state, label=label, chat_id=message.chat.id,
        message_id=message.message_id, message_html=_html_of(message),
        is_caption=message.text is None, buttons=_rows_of(message), note_rule=str(t.note),
        confirm_label=t.confirm_label or texts.SKIP_LABEL,
        instruction=instruction.value if instruction else None, assignee_id=assignee_id,
        choosing=choosing, asks=t.asks, parts=parts)
    pending = await _supersede(update, context, pending)
    await replies.answer(update)
    await _save(update, context, pending)
    if choosing:
        await _ask_choice(context, pending, request, t, members)
    elif pending.asks == Ask.LETTER_NUMBER:
        example = office.register_example(office.today().year, 145)
        await _ask_on_card(context, pending, texts.letter_number_prompt(label, example))
    elif pending.asks == Ask.REVISION:
        await _ask_on_card(context, pending, texts.revision_prompt(label))
        await _show_parts(update, context, pending)
    elif t.note is Note.NONE:
        await _noted(update, context, pending, None)
    else:
        rows = [] if t.note is Note.REQUIRED else [[(pending.confirm_label, SKIP)]]
        await _ask_on_card(context, pending, texts.note_prompt(
            label, t.note is Note.REQUIRED, pending.confirm_label, NOTE_MAX_CHARS), rows)


async def _supersede(update: Update, context: BotContext,
                     pending: PendingAction) -> PendingAction:
    """An action chosen before is given up: its prompt loses its buttons and its card gets
    them back, unless it is this same card (pressed on its own prompt: the card as it was
    before stays the original)."""
    previous = await session.drop(update, context, PENDING)
    if previous is None:
        return pending
    before = PendingAction.from_payload(previous)
    if before.card == pending.card:
        return replace(pending, message_html=before.message_html, buttons=before.buttons)
    await _restore(context, before)
    return pending


async def _ask_choice(context: BotContext, pending: PendingAction, request: Request,
                      t: Transition, members: Sequence[PositionHolder]) -> None:
    """A card pressed without its choice (a reminder's, or one sent before the cards carried
    choices): the card shows the choices itself."""
    rows = notify.transition_buttons(
        request, t, [(t.assigns or "", h.person.id, h.person.name) for h in members])
    await _edit_card(context, pending,
                     f"{pending.message_html}\n\n{texts.choose_prompt(t.label)}",
                     [*rows, [(texts.CANCEL_LABEL, CANCEL)]])


# --- the answers: buttons, a typed note, a file ------------------------------------------------

async def on_choice(update: Update, context: BotContext) -> None:
    """The card's Lewati (or confirmation) and Batal, and the revision list's buttons, while an
    action waits."""
    query = update.callback_query
    assert query is not None and query.data is not None
    message = query.message
    pending = await _load(update, context)
    if isinstance(pending, Over):  # said in the chat, as a refused commit is
        await replies.answer(update)
        await replies.send(update, html.escape(pending.text), later=context.office)
        return
    pressed = [message.chat.id, message.message_id] if message is not None else None
    if pending is None or pressed not in (pending.card, pending.prompt):
        # A prompt nothing waits on any more: it loses its buttons, and /tugas sends the
        # step's card again.
        await replies.answer(update, NOTHING_WAITING, alert=True)
        if not _is_step_card(message):  # a step card keeps its own buttons
            await session.strip(context, message)
        return
    data = query.data
    if data == CANCEL:
        await _drop(update, context, pending)
        await replies.answer(update, "Dibatalkan; tidak ada yang berubah.")
        return
    if pending.asks == Ask.REVISION and data == DONE:
        await replies.answer(update)
        await replies.drop_buttons(update, later=context.office)
        await _commit(update, context, pending, None)
        return
    if pending.asks == Ask.REVISION and data.startswith(EDIT):
        await replies.answer(update)
        await _ask_part(update, context, pending, data[len(EDIT):])
        return
    if data != SKIP or pending.noted or pending.asks in (Ask.LETTER_NUMBER, Ask.REVISION):
        await replies.answer(update, UNKNOWN_BUTTON, alert=True)
        return
    if pending.choosing:
        await replies.answer(update, CHOOSE_FIRST, alert=True)
        return
    if pending.note_rule == Note.REQUIRED:
        await replies.answer(update, "Catatan wajib diisi untuk tindakan ini.", alert=True)
        return
    await replies.answer(update)
    await _noted(update, context, pending, None)


async def on_note_text(update: Update, context: BotContext) -> None:
    """A text message while an action waits for its note (or what it asks instead)."""
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
    if pending.choosing:
        await replies.reply(update, CHOOSE_FIRST, later=context.office)
        return
    if pending.asks == Ask.REVISION:
        await _take_part(update, context, pending, message.text)
        return
    if pending.asks == Ask.LETTER_NUMBER:
        await _commit(update, context, pending, None, {"letter_number": message.text})
        return
    if len(message.text) > NOTE_MAX_CHARS:
        # Telegram clients split a long text into several messages: the rest of it must not
        # become the note, so the action is dropped (the card gets its buttons back).
        await _drop(update, context, pending)
        await replies.reply(
            update, f"Catatan terlalu panjang ({len(message.text)} karakter); tidak ada yang "
            f"berubah. Mohon tekan tombol tindakan kembali dan kirim catatan paling banyak "
            f"{NOTE_MAX_CHARS} karakter.", later=context.office)
        return
    await _noted(update, context, pending, message.text)


async def _noted(update: Update, context: BotContext, pending: PendingAction,
                 note: str | None) -> None:
    """The note is given: commit, or first ask what signing still needs."""
    if pending.asks not in SIGNING_ASKS:
        await _commit(update, context, pending, note)
        return
    pending = replace(pending, noted=True, note=note)
    await _save(update, context, pending)
    user = update.effective_user
    assert user is not None
    if pending.asks is Ask.SCAN:
        await _ask_on_card(context, pending, texts.scan_prompt(pending.label))
    elif pending.chat_id == user.id:  # the card is in the signatory's private chat
        await _ask_on_card(context, pending, texts.passphrase_prompt(pending.label))
    else:
        await _prompt(update, context, pending, texts.passphrase_prompt(pending.label),
                      _markup([[(texts.CANCEL_LABEL, CANCEL)]]), chat_id=user.id)


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
        await _drop(update, context, pending)
        await replies.send(update, "Frasa sandi tidak boleh dikirim di grup; pesan tersebut "
                           "telah dihapus dan tindakan dibatalkan. Mohon ulangi dari kartu "
                           "tugas dan kirim frasa sandi melalui chat pribadi dengan bot.",
                           later=context.office)
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


# --- "Perbaiki": the letter's parts, rewritten one by one ---------------------------------------

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
    rows = [[(f"Ubah {label}", f"{EDIT}{key}")] for key, label, _text in pending.parts]
    rows.append([("Ajukan konsep", DONE)])
    rows.append([(texts.CANCEL_LABEL, CANCEL)])
    await _prompt(update, context, pending, "\n".join(lines), _markup(rows))


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
        f"{html.escape(_shown(text))}", later=context.office)


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
    new = {**dict(pending.revision), pending.editing: tidy}
    await _show_parts(update, context,
                      replace(pending, revision=tuple(new.items()), editing=None))


# --- the transition ------------------------------------------------------------------------------

async def _commit(update: Update, context: BotContext, pending: PendingAction,
                  note: str | None, typed: dict[str, str] | None = None, *,
                  secret: str | None = None, document: bytes | None = None) -> None:
    """Take the action; the card's ✅ edit goes out with the transition (the outbox)."""
    person = await person_of(update, context)
    if person is None:
        return
    office = context.office
    shown = (note or "").strip() or None
    line = texts.done_line(pending.label, person.name, office.words.time(office.clock()), shown)
    edit = OutMessage(pending.chat_id, "edit", {
        "message_id": pending.message_id, "text": f"{pending.message_html}\n\n{line}",
        "buttons": [], "caption": pending.is_caption})
    details: dict[str, object] = dict(typed or {})
    if pending.asks == Ask.REVISION:
        details["revision"] = dict(pending.revision)
    try:
        await office.act(person, pending.request_id, ActionInput(
            pending.action, pending.version, note=note,
            instruction=Instruction(pending.instruction) if pending.instruction else None,
            assignee_id=pending.assignee_id, details=details or None, secret=secret,
            document=document), extra=[edit])
    except WorkflowError as refused:
        # Another passphrase or scan, or a better note or number, may still follow: the
        # card (or the prompt) keeps asking.
        keep = isinstance(refused, BadNote) or (
            isinstance(refused, SigningRefused) and pending.asks in SIGNING_ASKS)
        if not keep:
            await _drop(update, context, pending)
        await replies.send(update, html.escape(refused.message_id), later=context.office)
        return
    await session.clear(update, context, PENDING)
    await session.retire(context, pending.prompt)
