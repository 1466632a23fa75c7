from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from devtools.emulator import BotApiEmulator
from tests.support import botrun
from tests.support.bind import BindServer, bind_rw
from tests.support.emulator import running_emulator

__all__ = ["bind_rw"]


@pytest.fixture(autouse=True)
def office_dns(bind_rw: BindServer) -> Iterator[BindServer]:
    """Every chat test's office has a real BIND 9 as its DNS (checks and record creation)."""
    botrun.DNS_ENV.clear()
    botrun.DNS_ENV.update(bind_rw.env())
    yield bind_rw
    botrun.DNS_ENV.clear()


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with running_emulator() as emulator:
        yield emulator
