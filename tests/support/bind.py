"""pytest fixtures around the throwaway BIND 9 of :mod:`devtools.localbind`.

``bind`` (one named per module, for tests that only read), ``bind_rw`` (a fresh named per test,
for tests that change the zone), ``silent_port`` and ``closed_port``. The zones are described in
:mod:`devtools.localbind`; the office's zone is the test office's parent domain (``ZONE``). A
missing BIND fails the test (never skips it).
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from devtools import localbind
from devtools.localbind import (
    BROKEN_ZONE,
    INITIAL_SERIAL,
    KEY_NAME,
    MISSING,
    OTHER_KEY_NAME,
    WILD_TEXT,
    WILD_ZONE,
    BindServer,
    BindUnavailable,
    free_port,
    zone_text,
)
from tests.support.office import BALANGAN

ZONE = BALANGAN["PARENT_DOMAIN"]
ZONE_TEXT = zone_text(ZONE)

__all__ = [
    "BROKEN_ZONE",
    "INITIAL_SERIAL",
    "KEY_NAME",
    "MISSING",
    "OTHER_KEY_NAME",
    "WILD_TEXT",
    "WILD_ZONE",
    "ZONE",
    "ZONE_TEXT",
    "BindServer",
    "bind",
    "bind_rw",
    "closed_port",
    "find_named",
    "free_port",
    "silent_port",
    "start_bind",
]


def find_named() -> str:
    """Path of ``named``; fails the test when BIND is not installed."""
    try:
        return localbind.find_named()
    except BindUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)


@contextlib.contextmanager
def start_bind(directory: Path, zone: str = ZONE, extra: str = "") -> Iterator[BindServer]:
    """:func:`devtools.localbind.start_bind`, failing the test when named cannot start."""
    with contextlib.ExitStack() as stack:
        try:
            server = stack.enter_context(localbind.start_bind(directory, zone, extra))
        except BindUnavailable as exc:
            pytest.fail(str(exc), pytrace=False)
        yield server


@pytest.fixture(scope="module")
def bind(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BindServer]:
    """One named per test module, for tests that only read."""
    with start_bind(tmp_path_factory.mktemp("named")) as server:
        yield server


@pytest.fixture
def bind_rw(tmp_path: Path) -> Iterator[BindServer]:
    """A fresh named per test, for tests that change the zone."""
    with start_bind(tmp_path / "named") as server:
        yield server


@pytest.fixture
def silent_port() -> Iterator[tuple[str, int]]:
    """A loopback UDP+TCP port that accepts but never answers (a dead server)."""
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    port = int(udp.getsockname()[1])
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        tcp.bind(("127.0.0.1", port))
        tcp.listen(8)
    except OSError:
        pass
    try:
        yield "127.0.0.1", port
    finally:
        udp.close()
        tcp.close()


@pytest.fixture
def closed_port() -> tuple[str, int]:
    """A loopback port where nothing listens (UDP gets ICMP port unreachable)."""
    return "127.0.0.1", free_port()
