"""The owner's answer to a re-confirmation ("Masih digunakan" / "Tidak digunakan lagi")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from telegram import Update

from bot.handlers import replies
from bot.handlers.session import person_of
from bot.reconfirm import NOT_OWNER, AnswerButton, BadAnswer

if TYPE_CHECKING:
    from bot.handlers.context import BotContext


async def on_answer(update: Update, context: BotContext) -> None:
    query = update.callback_query
    if query is None or query.data is None:
        return
    try:
        pressed = AnswerButton.unpack(query.data)
    except BadAnswer:
        await replies.answer(update, "Tombol tidak dikenal.")
        return
    person = await person_of(update, context)
    if person is None:
        await replies.answer(update, NOT_OWNER, alert=True)
        return
    said = await context.office.reconfirm.answer(person, pressed.reconfirmation_id,
                                                 pressed.in_use)
    await replies.answer(update)
    await replies.edit(update, said, later=context.office)
