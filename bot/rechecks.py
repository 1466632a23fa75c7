"""The background re-check of step-7 DNS updates whose result was uncertain (a timeout).

A few bounded looks, backing off from the DNS timeout (2×, 4×, 8×, 16× it): as soon as the name
holds records, the office takes the action again, which verifies our own records and commits
the step with its notifications; after the last look the person is told plainly what to do.
Kept in memory: after a restart the intent (record_intents) and the step's button remain, and
the next press completes the step the same way.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from bot.background import Rounds
from bot.service import Office, Recheck

log = logging.getLogger(__name__)

BACKOFF = (2.0, 4.0, 8.0, 16.0)
"""Delays before each look, in multiples of DNS_TIMEOUT."""


@dataclass
class _Job:
    recheck: Recheck
    looks: int
    due: float


class CreationRechecks(Rounds):
    name = "creation-rechecks"

    def __init__(self, office: Office, backoff: tuple[float, ...] = BACKOFF) -> None:
        super().__init__()
        self.office = office
        self.delays = tuple(office.settings.dns.timeout * factor for factor in backoff)
        self._jobs: dict[int, _Job] = {}

    def add(self, recheck: Recheck) -> None:
        """Re-check this action (a newer one for the same request replaces it)."""
        self._jobs[recheck.request_id] = _Job(recheck, 0, self._now() + self.delays[0])
        self.wake()

    @property
    def waiting(self) -> int:
        return len(self._jobs)

    @staticmethod
    def _now() -> float:
        return time.monotonic()

    async def round(self) -> float:
        now = self._now()
        for request_id, job in list(self._jobs.items()):
            if job.due > now:
                continue
            last = job.looks + 1 >= len(self.delays)
            try:
                outcome = await self.office.recheck_creation(job.recheck, last)
            except Exception:
                log.exception("re-check of request %s failed", request_id)
                outcome = None
            if self._jobs.get(request_id) is not job:  # replaced meanwhile
                continue
            if outcome is not None or last:
                del self._jobs[request_id]
                log.info("re-check of request %s: %s", request_id, outcome or "given up")
                continue
            job.looks += 1
            job.due = self._now() + self.delays[job.looks]
        if not self._jobs:
            return 3600.0
        return max(0.0, min(j.due for j in self._jobs.values()) - self._now())
