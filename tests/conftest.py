from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.service import Office
from tests.support.office import Clock, open_office, seed_people

# As bot.app does: RetryAfter.retry_after is a timedelta (PTB's announced future behaviour).
os.environ.setdefault("PTB_TIMEDELTA", "1")

# The HTTP client logs request URLs, and the bot token is part of them.
logging.getLogger("httpx").setLevel(logging.WARNING)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "office.sqlite3"


@pytest.fixture
async def office(db_path: Path, clock: Clock) -> AsyncIterator[Office]:
    office = await open_office(db_path, clock)
    await seed_people(office.store, clock())
    yield office
    await office.store.close()
