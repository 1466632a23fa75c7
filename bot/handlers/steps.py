"""Officials (and requesters) acting on a step: at most two taps, all on the step card.

The card's buttons come from the table and already carry the action's choice (one button per
instruction, or per member the action may assign). A press is checked against the database at
once (the presser's positions, the request's version); an action without a note is taken
there and then; otherwise the card itself asks for the note (typed) or offers "Lewati" (or the
table's confirmation, e.g. of signing) and "Batal". Taking the action edits the same card to
its ✅ line: no prompt or confirmation arrives as a message of its own.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from bot import notify, texts
from bot.callbacks import ANY_VERSION, ActionButton, BadPayload
from bot.handlers.common import outside_flow
from bot.handlers.session import FORM, PENDING, person_of
from bot.service import ActionInput
from bot.workflow import (
    NOTE_MAX_CHARS,
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

SKIP, CANCEL = "n:skip", "n:cancel"
Rows = tuple[tuple[tuple[str, str], ...], ...]
"""Inline keyboard rows as (label, callback data) pairs."""

UNKNOWN_BUTTON = "Tombol ini tidak dikenali lagi. Mohon gunakan /tugas."
NOTHING_WAITING = "Tidak ada tindakan yang menunggu pada pesan ini. Mohon gunakan /tugas."
CHOOSE_FIRST = "Mohon pilih dahulu dari tombol yang tersedia."


@dataclass(frozen=True)
class PendingAction:
    """An action pressed on a step card, waiting for its note (or for its choice, where the
    card had no choice buttons). Plain fields only, so that it can be stored anywhere."""

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


async def _edit_card(context: BotContext, pending: PendingAction, html_text: str,
                     rows: Rows | list[list[tuple[str, str]]]) -> None:
    """Edit the card in place (text or caption) with these buttons."""
    markup = InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data)
                                    for label, data in row] for row in rows])
    try:
        if pending.is_caption:
            await context.bot.edit_message_caption(pending.chat_id, pending.message_id,
                                                   caption=html_text, reply_markup=markup)
        else:
            await context.bot.edit_message_text(html_text, pending.chat_id, pending.message_id,
                                                reply_markup=markup)
    except BadRequest as failed:
        if "not modified" not in str(failed).lower():
            raise


async def _restore(context: BotContext, pending: PendingAction) -> None:
    """The card as it was before the press, while its step still waits (its buttons back);
    once the request has moved on, only the prompt's buttons go (the text is left to the edit
    the transition sends: "Ditarik oleh pemohon", another holder's ✅). Best effort: a card that
    can no longer be edited stays as it is, and its buttons explain themselves when pressed."""
    request = await context.office.request(pending.request_id)  # requests are never deleted
    waits = request.state == pending.state and pending.version in (ANY_VERSION, request.version)
    try:
        if waits:
            await _edit_card(context, pending, pending.message_html, pending.buttons)
        else:
            await context.bot.edit_message_reply_markup(pending.chat_id, pending.message_id,
                                                        reply_markup=None)
    except BadRequest as failed:
        log.info("card %s/%s not restored: %s", pending.chat_id, pending.message_id, failed)


async def on_action_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    office = context.office
    try:
        button = ActionButton.unpack(query.data)
        if not office.workflow.knows_action(button.action):
            raise BadPayload(button.action)
    except BadPayload:
        await query.answer(UNKNOWN_BUTTON, show_alert=True)
        return
    person = await person_of(update, context)
    if person is None:
        await query.answer("Bapak/Ibu belum terdaftar untuk tugas ini.", show_alert=True)
        return
    try:
        request, decision = await office.check(person, button.request_id, button.action,
                                               button.version)
    except WorkflowError as refused:
        await query.answer(refused.message_id, show_alert=True)
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
            await query.answer(UNKNOWN_BUTTON, show_alert=True)
            return
        instruction = t.instructions[n]
        label = texts.choice_label(t.label, instruction.value)
    elif button.choice.startswith("s"):
        chosen = next((h for h in members if h.person.id == int(button.choice[1:])), None)
        if chosen is None:
            title = office.workflow.title(t.assigns) if t.assigns else ""
            await query.answer(f"Yang dipilih tidak terdaftar sebagai {title}. "
                               "Mohon gunakan /tugas.", show_alert=True)
            return
        assignee_id = chosen.person.id
        label = texts.choice_label(t.label, chosen.person.name)
    choosing = bool(t.instructions and instruction is None) or (
        len(members) > 1 and assignee_id is None)
    pending = PendingAction(
        request_id=button.request_id, version=button.version, action=button.action,
        state=request.state, label=label, chat_id=message.chat.id,
        message_id=message.message_id, message_html=_html_of(message),
        is_caption=message.text is None, buttons=_rows_of(message), note_rule=str(t.note),
        confirm_label=t.confirm_label or texts.SKIP_LABEL,
        instruction=instruction.value if instruction else None, assignee_id=assignee_id,
        choosing=choosing)
    previous: PendingAction | None = context.session.get(PENDING)
    if previous is not None:
        if (previous.chat_id, previous.message_id) == (pending.chat_id, pending.message_id):
            # Pressed on the card's own prompt: the card as it was before stays the original.
            pending = replace(pending, message_html=previous.message_html,
                              buttons=previous.buttons)
        else:
            await _restore(context, previous)
    await query.answer()
    if choosing:
        context.session[PENDING] = pending
        await _ask_choice(context, pending, request, t, members)
        return
    if t.note is Note.NONE:
        context.session.pop(PENDING, None)
        await _commit(update, context, pending, None)
        return
    context.session[PENDING] = pending
    rows = [] if t.note is Note.REQUIRED else [[(pending.confirm_label, SKIP)]]
    prompt = texts.note_prompt(label, t.note is Note.REQUIRED, pending.confirm_label,
                               NOTE_MAX_CHARS)
    await _edit_card(context, pending, f"{pending.message_html}\n\n{prompt}",
                     [*rows, [(texts.CANCEL_LABEL, CANCEL)]])


async def _ask_choice(context: BotContext, pending: PendingAction, request: Request,
                      t: Transition, members: Sequence[PositionHolder]) -> None:
    """A card pressed without its choice (a reminder's, or one sent before the cards carried
    choices): the card shows the choices itself."""
    rows = notify.transition_buttons(
        request, t, [(t.assigns or "", h.person.id, h.person.name) for h in members])
    await _edit_card(context, pending,
                     f"{pending.message_html}\n\n{texts.choose_prompt(t.label)}",
                     [*rows, [(texts.CANCEL_LABEL, CANCEL)]])


async def on_choice(update: Update, context: BotContext) -> None:
    """The card's Lewati (or confirmation) and Batal while an action waits for its note."""
    query = update.callback_query
    assert query is not None and query.data is not None
    pending: PendingAction | None = context.session.get(PENDING)
    message = query.message
    if pending is None or message is None or (message.chat.id, message.message_id) != (
            pending.chat_id, pending.message_id):
        # A prompt nothing waits on any more (e.g. from before a restart): it loses its
        # buttons, and /tugas sends the step's card again.
        await query.answer(NOTHING_WAITING, show_alert=True)
        if isinstance(message, Message):
            try:
                await query.edit_message_reply_markup(None)
            except BadRequest as failed:
                log.info("stale prompt kept its buttons: %s", failed)
        return
    if query.data == CANCEL:
        context.session.pop(PENDING, None)
        await query.answer("Dibatalkan; tidak ada yang berubah.")
        await _restore(context, pending)
        return
    if query.data != SKIP:
        await query.answer(UNKNOWN_BUTTON, show_alert=True)
        return
    if pending.choosing:
        await query.answer(CHOOSE_FIRST, show_alert=True)
        return
    if pending.note_rule == Note.REQUIRED:
        await query.answer("Catatan wajib diisi untuk tindakan ini.", show_alert=True)
        return
    await query.answer()
    await _commit(update, context, pending, None)


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
    if pending.choosing:
        await message.reply_text(CHOOSE_FIRST)
        return
    if len(message.text) > NOTE_MAX_CHARS:
        # Telegram clients split a long text into several messages: the rest of it must not
        # become the note, so the action is dropped (the card gets its buttons back).
        context.session.pop(PENDING, None)
        await _restore(context, pending)
        await message.reply_text(
            f"Catatan terlalu panjang ({len(message.text)} karakter); tidak ada yang berubah. "
            f"Mohon tekan tombol tindakan kembali dan kirim catatan paling banyak "
            f"{NOTE_MAX_CHARS} karakter.")
        return
    await _commit(update, context, pending, message.text)


async def _commit(update: Update, context: BotContext, pending: PendingAction,
                  note: str | None) -> None:
    """Take the action; the card's ✅ edit goes out with the transition (the outbox)."""
    chat = update.effective_chat
    assert chat is not None
    person = await person_of(update, context)
    if person is None:
        return
    office = context.office
    shown = (note or "").strip() or None
    line = texts.done_line(pending.label, person.name, office.words.time(office.clock()), shown)
    done = f"{pending.message_html}\n\n{line}"
    edit = OutMessage(pending.chat_id, "edit", {
        "message_id": pending.message_id, "text": done, "buttons": [],
        "caption": pending.is_caption})
    try:
        await office.act(person, pending.request_id, ActionInput(
            pending.action, pending.version, note=note,
            instruction=Instruction(pending.instruction) if pending.instruction else None,
            assignee_id=pending.assignee_id), extra=[edit])
    except WorkflowError as refused:
        if not isinstance(refused, BadNote):  # a better note may still follow
            context.session.pop(PENDING, None)
            await _restore(context, pending)
        await chat.send_message(html.escape(refused.message_id))
        return
    context.session.pop(PENDING, None)
