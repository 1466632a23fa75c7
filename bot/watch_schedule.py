"""The daily watch in the bot's background loop: once a day at WATCH_TIME (office time, every
day of the week: defacements happen at weekends too), then the weekly summary when due."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from bot.background import Rounds
from bot.register import SubdomainRegister

MAX_SLEEP = 3600.0
"""Look again at least hourly (the clock may jump; a day's run missed while down is caught up)."""


class WatchSchedule(Rounds):
    name = "watch"
    fallback_delay = 300.0

    def __init__(self, register: SubdomainRegister, at: time, *,
                 max_sleep: float = MAX_SLEEP) -> None:
        super().__init__()
        self.register = register
        self.at = at
        self.max_sleep = max_sleep

    async def round(self) -> float:
        local = self.register.clock().astimezone(self.register.settings.timezone)
        due = datetime.combine(local.date(), self.at, local.tzinfo)
        if local >= due:
            if await self.register.watch_due():
                await self.register.watch(keep_reports=False)
            await self.register.weekly_summary()
            due += timedelta(days=1)
        return max(1.0, min(self.max_sleep, (due - local).total_seconds()))
