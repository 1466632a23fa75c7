"""An office on a real SQLite file with its reminder scheduler, on a clock the tests move."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.deadlines import ReminderScheduler
from bot.service import Office
from devtools.emulator import BotApiEmulator
from storage.models import QueuedMessage
from tests.support.emulator import running_emulator
from tests.support.office import Clock, open_office, seed_people

GROUP = -1001234567890
FAR_FUTURE = datetime(2100, 1, 1, tzinfo=UTC)
WITA = timedelta(hours=8)


def wita(text: str) -> datetime:
    """'2026-11-30 09:15' read as WITA, returned in UTC."""
    return (datetime.fromisoformat(text) - WITA).replace(tzinfo=UTC)


def set_to(clock: Clock, text: str) -> datetime:
    clock.now = wita(text)
    return clock.now


@dataclass
class Outbox:
    """Reads what was queued since the last look (nothing sends it in these tests)."""

    office: Office
    seen: int = 0

    async def new(self) -> list[QueuedMessage]:
        pending = await self.office.store.pending_messages(now=FAR_FUTURE, limit=10_000)
        fresh = [m for m in pending if m.id > self.seen]
        if pending:
            self.seen = max(self.seen, max(m.id for m in pending))
        return fresh


@dataclass
class Opened:
    """Opens offices (and their schedulers) on one database file; closes them at the end."""

    path: Path
    clock: Clock
    offices: list[Office]

    async def office(self, **settings: str) -> Office:
        office = await open_office(self.path, self.clock,
                                   **{"GROUP_CHAT_ID": str(GROUP), **settings})
        self.offices.append(office)
        return office

    async def close(self, office: Office) -> None:
        """Stop an office as a crash or restart would (its database connection closes)."""
        self.offices.remove(office)
        await office.store.close()

    async def scheduler(self, **settings: str) -> ReminderScheduler:
        office = await self.office(**settings)
        return ReminderScheduler(office, office.settings.work_clock())


@pytest.fixture
async def opened(db_path: Path, clock: Clock) -> AsyncIterator[Opened]:
    opened = Opened(db_path, clock, [])
    yield opened
    for office in opened.offices:
        await office.store.close()


@pytest.fixture
async def seeded(opened: Opened, clock: Clock) -> Opened:
    office = await opened.office()
    await seed_people(office.store, clock())
    return opened


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with running_emulator() as emulator:
        yield emulator
