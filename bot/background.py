"""A background task that works in rounds: woken early by `wake()`, otherwise after the delay
its last round asked for. The outbox dispatcher and the reminder scheduler are two of these."""

from __future__ import annotations

import asyncio
import contextlib
import logging

log = logging.getLogger(__name__)


class Rounds:
    name = "background"
    fallback_delay = 5.0
    """Seconds to wait after a round that failed."""

    def __init__(self) -> None:
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def round(self) -> float:
        """Do one round's work; returns the seconds until the next round is due."""
        raise NotImplementedError

    def wake(self) -> None:
        """Start the next round now (e.g. after new work was queued)."""
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            # Cleared before the round: a wake-up during the round starts the next one at once.
            self._wake.clear()
            try:
                delay = await self.round()
            except Exception:
                log.exception("%s: round failed", self.name)
                delay = self.fallback_delay
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay)
