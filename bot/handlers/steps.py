"""Officials (and requesters) acting on a step: button → choices → note → one transition.

A pressed action button is checked against the database at once (the presser's positions, the
request's version); then the handler collects what the table asks for (an instruction, the staff
member, a note), and hands everything to the office service in one call.
"""

from __future__ import annotations

import html
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.callbacks import ActionButton, BadPayload
from bot.handlers import session
from bot.handlers.common import outside_flow
from bot.handlers.session import PENDING, person_of
from bot.service import ActionInput
from bot.workflow import (
    NOTE_MAX_CHARS,
    BadNote,
    Instruction,
    Note,
    WorkflowError,
)
from storage.models import OutMessage

if TYPE_CHECKING:
    from bot.handlers.context import BotContext

SKIP, CANCEL = "n:skip", "n:cancel"
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
    prompt: list[int] | None = None
    """[chat id, message id] of the last prompt sent for it (its buttons are live)."""

    def payload(self) -> dict[str, Any]:
        return {**asdict(self), "button": self.button.pack()}

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> PendingAction:
        instruction = data.get("instruction")
        return cls(**{**data, "button": ActionButton.unpack(data["button"]),
                      "note_rule": Note(data["note_rule"]),
                      "instruction": Instruction(instruction) if instruction else None})


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
        await query.answer("Tombol ini tidak dikenali lagi. Mohon gunakan /tugas.", show_alert=True)
        return
    person = await person_of(update, context)
    if person is None:
        await query.answer("Bapak/Ibu belum terdaftar untuk tugas ini.", show_alert=True)
        return
    try:
        request, decision = await context.office.check(person, button.request_id, button.action,
                                                       button.version)
    except WorkflowError as refused:
        await query.answer(refused.message_id, show_alert=True)
        return
    message = query.message
    assert message is not None
    members = await context.office.assignable(button.action, request.state)
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
    )
    await session.drop(update, context, PENDING)  # an action chosen before is superseded
    await _save(update, context, pending)
    await query.answer()
    await _ask_next(update, context, pending)


async def _ask_next(update: Update, context: BotContext, pending: PendingAction) -> None:
    chat = update.effective_chat
    assert chat is not None
    cancel = [InlineKeyboardButton("Batal", callback_data=CANCEL)]
    if pending.needs_instruction and pending.instruction is None:
        rows = [[InlineKeyboardButton(i.value, callback_data=f"i:{n}")]
                for n, i in enumerate(INSTRUCTIONS)]
        sent = await chat.send_message("Pilih instruksi disposisi:",
                                       reply_markup=InlineKeyboardMarkup([*rows, cancel]))
        await _save(update, context, replace(pending, prompt=[sent.chat_id, sent.message_id]))
        return
    if pending.needs_staff and pending.assignee_id is None:
        members = await context.office.assignable(pending.button.action, pending.state)
        rows = [[InlineKeyboardButton(h.person.name, callback_data=f"s:{h.person.id}")]
                for h in members]
        sent = await chat.send_message(
            f"Pilih {html.escape(pending.assignee_title)} yang ditugaskan:",
            reply_markup=InlineKeyboardMarkup([*rows, cancel]))
        await _save(update, context, replace(pending, prompt=[sent.chat_id, sent.message_id]))
        return
    if pending.note_rule is Note.NONE:
        await _commit(update, context, pending, None)
        return
    if pending.note_rule is Note.REQUIRED:
        sent = await chat.send_message(
            f"<b>{html.escape(pending.label)}</b>\nMohon tuliskan catatan atau alasan "
            f"(paling banyak {NOTE_MAX_CHARS} karakter).",
            reply_markup=InlineKeyboardMarkup([cancel]))
    else:
        sent = await chat.send_message(
            f"<b>{html.escape(pending.label)}</b>\nTuliskan catatan bila perlu, atau tekan "
            "Lewati.",
            reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton("Lewati", callback_data=SKIP)], cancel]))
    await _save(update, context, replace(pending, prompt=[sent.chat_id, sent.message_id]))


async def on_choice(update: Update, context: BotContext) -> None:
    """Instruction / staff choice, Lewati and Batal buttons of a pending action."""
    query = update.callback_query
    assert query is not None and query.data is not None
    pending = await _load(update, context)
    message = query.message
    pressed = [message.chat.id, message.message_id] if message else None
    if isinstance(pending, Over):  # said in the chat, as a refused commit is
        await query.answer()
        if pressed != pending.prompt:
            await session.strip(context, message)
        if update.effective_chat is not None:
            await update.effective_chat.send_message(html.escape(pending.text))
        return
    if pending is None or (pending.prompt is not None and pending.prompt != pressed):
        await query.answer("Pilihan ini sudah tidak berlaku; tidak ada tindakan yang "
                           "menunggunya.", show_alert=True)
        await session.strip(context, message)
        return
    data = query.data
    if data == SKIP and pending.note_rule is Note.REQUIRED:
        await query.answer("Catatan wajib diisi untuk tindakan ini.", show_alert=True)
        return
    await query.answer()
    if data == CANCEL:
        await session.clear(update, context, PENDING)
        await query.edit_message_text("Tindakan dibatalkan; tidak ada yang berubah.")
        return
    if data == SKIP:
        await query.edit_message_reply_markup(None)
        await _commit(update, context, pending, None)
        return
    kind, _, value = data.partition(":")
    if kind == "i" and value.isdigit() and int(value) < len(INSTRUCTIONS):
        chosen = INSTRUCTIONS[int(value)]
        pending = replace(pending, instruction=chosen)
        await query.edit_message_text(f"Instruksi: {html.escape(chosen.value)}")
    elif kind == "s" and value.isdigit():
        pending = replace(pending, assignee_id=int(value))
        await query.edit_message_reply_markup(None)
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
        await message.reply_text(html.escape(pending.text))
        return
    if (pending.needs_instruction and pending.instruction is None) or (
        pending.needs_staff and pending.assignee_id is None
    ):
        await message.reply_text("Mohon pilih dahulu dari tombol yang tersedia.")
        return
    if len(message.text) > NOTE_MAX_CHARS:
        # Telegram clients split a long text into several messages: the rest of it must not
        # become the note, so the action is dropped and has to be started again.
        await session.drop(update, context, PENDING)
        await message.reply_text(
            f"Catatan terlalu panjang ({len(message.text)} karakter); tidak ada yang berubah. "
            f"Mohon tekan tombol tindakan kembali dan kirim catatan paling banyak "
            f"{NOTE_MAX_CHARS} karakter.")
        return
    await _commit(update, context, pending, message.text)


async def _commit(update: Update, context: BotContext, pending: PendingAction,
                  note: str | None) -> None:
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
        request = await office.act(person, pending.button.request_id, ActionInput(
            pending.button.action, pending.button.version, note=note,
            instruction=pending.instruction, assignee_id=pending.assignee_id), extra=[edit])
    except WorkflowError as refused:
        if not isinstance(refused, BadNote):  # a better note may still follow
            await session.drop(update, context, PENDING)
        await chat.send_message(html.escape(refused.message_id))
        return
    await session.clear(update, context, PENDING)
    if note is not None:  # typed: the prompt's Lewati / Batal are finished too
        await session.retire(context, pending.prompt)
    await chat.send_message(
        f"Tercatat: tindakan “{html.escape(pending.label)}” pada permohonan "
        f"{html.escape(request.number)}.")
