from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.service import Office
from tests.support.bind import BindServer, bind_rw, silent_port
from tests.support.office import Clock, open_office, seed_people

__all__ = ["bind_rw", "silent_port"]

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
async def office(db_path: Path, clock: Clock, bind_rw: BindServer) -> AsyncIterator[Office]:
    """A seeded office on a real SQLite file, its DNS a real BIND 9 of its own."""
    office = await open_office(db_path, clock, **bind_rw.env())
    await seed_people(office.store, clock())
    yield office
    await office.store.close()
