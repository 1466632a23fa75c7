"""The typed context every handler gets: the long-lived services kept in `bot_data`."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.outbox import Dispatcher
from bot.service import Office


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """Typed access to the long-lived services kept in `bot_data`."""

    @property
    def office(self) -> Office:
        office: Office = self.bot_data["office"]
        return office

    @property
    def session(self) -> dict[Any, Any]:
        """The user's conversation data (every update handled here has a user)."""
        if self.user_data is None:
            raise RuntimeError("no user data for this update")
        return self.user_data

    @property
    def dispatcher(self) -> Dispatcher:
        dispatcher: Dispatcher = self.bot_data["dispatcher"]
        return dispatcher


BotApp = Application[ExtBot[None], BotContext, dict[Any, Any], dict[Any, Any], dict[Any, Any],
                     Any]
