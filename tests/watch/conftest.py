"""A zone whose names point at real loopback web servers (tests/support/websites.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.service import Office
from tests.support.bind import ZONE, BindServer, start_bind
from tests.support.office import Clock, open_office, seed_people
from tests.support.websites import CertAuthority, Websites, websites_running

SITES = ("situs", "judi", "lambat", "raksasa", "putar", "kedaluwarsa", "salahnama")
EXTRA = "".join(f"{label:<12} IN A 127.0.0.1\n" for label in SITES) + """\
alias        IN CNAME situs
publik       IN A 203.0.113.10
"""
GROUP = -1001234


@pytest.fixture
def watched_bind(tmp_path: Path) -> Iterator[BindServer]:
    with start_bind(tmp_path / "named", extra=EXTRA) as server:
        yield server


@pytest.fixture
def websites(tmp_path: Path) -> Iterator[tuple[Websites, CertAuthority]]:
    with websites_running(tmp_path / "ca", ZONE) as running:
        yield running


def watch_env(bind: BindServer, sites: Websites, ca: CertAuthority, **more: str) -> dict[str, str]:
    return {**bind.env(), "WATCH_HTTP_PORT": str(sites.http_port),
            "WATCH_HTTPS_PORT": str(sites.https_port), "WATCH_CA_FILE": str(ca.ca_file),
            "WATCH_TIMEOUT": "1", "GROUP_CHAT_ID": str(GROUP), **more}


@pytest.fixture
async def watch_office(tmp_path: Path, clock: Clock, watched_bind: BindServer,
                       websites: tuple[Websites, CertAuthority]) -> AsyncIterator[Office]:
    sites, ca = websites
    office = await open_office(tmp_path / "office.sqlite3", clock,
                               **watch_env(watched_bind, sites, ca))
    await seed_people(office.store, clock())
    clock.now = datetime.now(UTC)  # certificates are judged on the real clock (OpenSSL's)
    yield office
    await office.store.close()
