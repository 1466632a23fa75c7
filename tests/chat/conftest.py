from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.emulator import BotApiEmulator
from tests.support.emulator import running_emulator


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with running_emulator() as emulator:
        yield emulator
