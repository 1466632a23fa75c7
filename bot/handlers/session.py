"""What every handler shares: who is writing, and the per-person conversation keys."""

from __future__ import annotations

from typing import TYPE_CHECKING

from telegram import Update

from storage.models import Person

if TYPE_CHECKING:
    from bot.handlers.context import BotContext

PENDING = "pending_action"
"""An action waiting for its choices and note (`steps.PendingAction`)."""
FORM = "form"
"""The /ajukan form being filled in (`submit.Form`)."""


async def person_of(update: Update, context: BotContext) -> Person | None:
    user = update.effective_user
    if user is None:
        return None
    return await context.office.person(user.id)
