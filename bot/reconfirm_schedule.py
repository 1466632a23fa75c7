"""The re-confirmation in the bot's background loop: a round (questions due, reminders,
suspension requests) at least hourly on the office clock; a round missed while the bot was
down is caught up at start."""

from __future__ import annotations

from bot.background import Rounds
from bot.reconfirm import Reconfirmer

MAX_SLEEP = 3600.0


class ReconfirmSchedule(Rounds):
    name = "reconfirm"
    fallback_delay = 300.0

    def __init__(self, reconfirmer: Reconfirmer, *, max_sleep: float = MAX_SLEEP) -> None:
        super().__init__()
        self.reconfirmer = reconfirmer
        self.max_sleep = max_sleep

    async def round(self) -> float:
        await self.reconfirmer.round()
        return self.max_sleep
