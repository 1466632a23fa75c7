"""The public pages of a test office, served on a loopback port from a thread of their own
(its own event loop, its own `Office` on the test's SQLite file), so that a browser driven
from the test (Selenium is blocking) can open them while the site answers."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from bot.service import Office
from bot.web.site import Site
from bot.webhook import bind
from tests.support.office import Clock, open_office

T = TypeVar("T")


class LiveSite:
    def __init__(self, db: Path, clock: Clock, **env: str) -> None:
        self.sock = bind("127.0.0.1", 0)
        self.port = int(self.sock.getsockname()[1])
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {"LETTER_VERIFY_URL": f"{self.base}/verifikasi",
                    "WEB_LISTEN": f"127.0.0.1:{self.port}", **env}
        self.db, self.clock = db, clock
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.office: Office | None = None
        self.site: Site | None = None

    def url(self, path: str) -> str:
        return self.base + path

    def start(self, **site: Any) -> LiveSite:
        self._thread.start()

        async def begin() -> None:
            self.office = await open_office(self.db, self.clock, **self.env)
            self.site = Site(self.office, **site)
            self.site.start(self.sock)

        self.call(begin)
        return self

    def call(self, work: Callable[[], Awaitable[T]]) -> T:
        """Run `work()` on the site's loop and wait for it."""
        return asyncio.run_coroutine_threadsafe(_run(work), self.loop).result(timeout=120)

    def with_office(self, work: Callable[[Office], Awaitable[T]]) -> T:
        assert self.office is not None
        office = self.office
        return self.call(lambda: work(office))

    def stop(self) -> None:
        async def end() -> None:
            if self.site is not None:
                await self.site.stop()
            if self.office is not None:
                await self.office.close()

        try:
            self.call(end)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(timeout=10)
            self.loop.close()


async def _run(work: Callable[[], Awaitable[T]]) -> T:
    return await work()
