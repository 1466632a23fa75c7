"""A test hook: kill this process with SIGKILL at a named point. Inert in normal use.

The crash campaign (tests/crash/) proves that the bot recovers from a kill at the worst
moments: between a DNS update and its commit, inside the transaction that issues a letter,
between Telegram accepting a message and the outbox marking it sent. Those moments are
marked in the product by one call each, `hit(POINT, request_id)`. Nothing happens unless the
environment variable `SUBDOMAIN_BOT_CRASH_AT` names a point when the process starts:

    SUBDOMAIN_BOT_CRASH_AT=step7_updated:1       # the first hit of step7_updated
    SUBDOMAIN_BOT_CRASH_AT=outbox_sent@7:3       # the third hit of outbox_sent for request 7

At that hit the process writes one line to stderr and kills itself with SIGKILL: no `finally`,
no atexit, no flush of anything, as a power cut or the OOM killer would leave it. Never set the
variable in production.
"""

from __future__ import annotations

import os
import signal
import sys
from dataclasses import dataclass

ENV = "SUBDOMAIN_BOT_CRASH_AT"

POINTS = frozenset({
    "act_decided",        # a press was checked and its technical work done; nothing stored yet
    "act_committed",      # the transition is committed; its messages are not sent yet
    "step7_intended",     # the records the bot intends are written; the DNS update not sent
    "step7_updated",      # the DNS update took effect; the transition is not committed
    "letter_registered",  # the letter's PDF is written and registered; the commit not done
    "outbox_sending",     # an outbox message is about to be sent to Telegram
    "outbox_sent",        # Telegram accepted it; it is not yet marked sent
    "watch_settled",      # a batch of the day's watch is committed; the run is not done
})


@dataclass(frozen=True)
class Target:
    point: str
    request_id: int | None
    """Count only the hits for this request (None: every hit of the point)."""
    nth: int


def parse(spec: str) -> Target:
    """`POINT[@REQUEST_ID]:N`; raises ValueError on anything else (a typo must not silently
    make a crash test pass)."""
    where, sep, count = spec.strip().rpartition(":")
    point, at, request = where.partition("@")
    if not sep or point not in POINTS or not count.isdigit() or int(count) < 1 or (
            at and not request.isdigit()):
        raise ValueError(f"{ENV}: expected POINT[@REQUEST_ID]:N with POINT one of "
                         f"{', '.join(sorted(POINTS))}; got {spec!r}")
    return Target(point, int(request) if at else None, int(count))


_spec = os.environ.get(ENV, "").strip()
_target = parse(_spec) if _spec else None
_hits = 0


def hit(point: str, request_id: int | None = None) -> None:
    """Mark a named point; kills the process at the configured hit (see the module doc)."""
    global _hits
    if point not in POINTS:
        raise ValueError(f"unknown crash point {point!r}")
    target = _target
    if target is None or point != target.point:
        return
    if target.request_id is not None and request_id != target.request_id:
        return
    _hits += 1
    if _hits == target.nth:
        sys.stderr.write(f"crashpoint {point} request={request_id} hit={_hits}: SIGKILL\n")
        sys.stderr.flush()
        os.kill(os.getpid(), signal.SIGKILL)
