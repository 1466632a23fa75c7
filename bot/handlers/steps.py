"""Officials (and requesters) acting on a step: button → choices → note → one transition.

A pressed action button is checked against the database at once (the presser's positions, the
request's version); then the handler collects what the table asks for (an instruction, the staff
member, a note), and hands everything to the office service in one call.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.callbacks import ActionButton, BadPayload
from bot.handlers import replies
from bot.handlers.common import outside_flow
from bot.handlers.session import FORM, PENDING, person_of
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
    """An action waiting for the presser's choices and note (kept in user_data)."""

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
    context.session[PENDING] = pending
    await replies.answer(update)
    await _ask_next(update, context, pending)


async def _ask_next(update: Update, context: BotContext, pending: PendingAction) -> None:
    chat = update.effective_chat
    assert chat is not None
    cancel = [InlineKeyboardButton("Batal", callback_data=CANCEL)]
    if pending.needs_instruction and pending.instruction is None:
        rows = [[InlineKeyboardButton(i.value, callback_data=f"i:{n}")]
                for n, i in enumerate(INSTRUCTIONS)]
        await replies.send(update, "Pilih instruksi disposisi:",
                           InlineKeyboardMarkup([*rows, cancel]), later=context.office)
        return
    if pending.needs_staff and pending.assignee_id is None:
        members = await context.office.assignable(pending.button.action, pending.state)
        rows = [[InlineKeyboardButton(h.person.name, callback_data=f"s:{h.person.id}")]
                for h in members]
        await replies.send(
            update, f"Pilih {html.escape(pending.assignee_title)} yang ditugaskan:",
            InlineKeyboardMarkup([*rows, cancel]), later=context.office)
        return
    if pending.note_rule is Note.NONE:
        await _commit(update, context, pending, None)
        return
    if pending.note_rule is Note.REQUIRED:
        await replies.send(
            update, f"<b>{html.escape(pending.label)}</b>\nMohon tuliskan catatan atau alasan "
            f"(paling banyak {NOTE_MAX_CHARS} karakter).",
            InlineKeyboardMarkup([cancel]), later=context.office)
        return
    await replies.send(
        update, f"<b>{html.escape(pending.label)}</b>\nTuliskan catatan bila perlu, atau tekan "
        "Lewati.", InlineKeyboardMarkup(
            [[InlineKeyboardButton("Lewati", callback_data=SKIP)], cancel]),
        later=context.office)


async def on_choice(update: Update, context: BotContext) -> None:
    """Instruction / staff choice, Lewati and Batal buttons of a pending action."""
    query = update.callback_query
    assert query is not None and query.data is not None
    pending: PendingAction | None = context.session.get(PENDING)
    if pending is None:
        await replies.answer(update, "Tidak ada tindakan yang sedang menunggu.", alert=True)
        return
    data = query.data
    if data == SKIP and pending.note_rule is Note.REQUIRED:
        await replies.answer(update, "Catatan wajib diisi untuk tindakan ini.", alert=True)
        return
    await replies.answer(update)
    if data == CANCEL:
        context.session.pop(PENDING, None)
        await replies.edit(update, "Tindakan dibatalkan; tidak ada yang berubah.",
                           later=context.office)
        return
    if data == SKIP:
        await replies.drop_buttons(update, later=context.office)
        await _commit(update, context, pending, None)
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
    context.session[PENDING] = pending
    await _ask_next(update, context, pending)


async def on_note_text(update: Update, context: BotContext) -> None:
    """A text message while an action waits for its note."""
    message = update.effective_message
    pending: PendingAction | None = context.session.get(PENDING)
    if message is None or message.text is None:
        return
    if pending is None:
        if FORM not in context.session:  # nothing waits for this text: never leave it silent
            await outside_flow(update, context)
        return
    if (pending.needs_instruction and pending.instruction is None) or (
        pending.needs_staff and pending.assignee_id is None
    ):
        await replies.reply(update, "Mohon pilih dahulu dari tombol yang tersedia.",
                            later=context.office)
        return
    if len(message.text) > NOTE_MAX_CHARS:
        # Telegram clients split a long text into several messages: the rest of it must not
        # become the note, so the action is dropped and has to be started again.
        context.session.pop(PENDING, None)
        await replies.reply(
            update, f"Catatan terlalu panjang ({len(message.text)} karakter); tidak ada yang "
            f"berubah. Mohon tekan tombol tindakan kembali dan kirim catatan paling banyak "
            f"{NOTE_MAX_CHARS} karakter.", later=context.office)
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
            context.session.pop(PENDING, None)
        await replies.send(update, html.escape(refused.message_id), later=context.office)
        return
    context.session.pop(PENDING, None)
    await replies.send(update, f"Tercatat: tindakan “{html.escape(pending.label)}” pada "
                               f"permohonan {html.escape(request.number)}.",
                       later=context.office)
