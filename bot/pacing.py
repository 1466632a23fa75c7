"""Keeping to Telegram's rates before sending, instead of learning them from 429 answers.

Telegram asks a bot to send at most about one message a second to a private chat (short
bursts are tolerated), twenty a minute to a group, and about thirty a second overall; beyond
that it answers 429 with a `retry_after` of whole seconds, so a message that would have waited
0.2 s for its turn waits a second or more. One `Pacer` per bot process counts every message both
senders make (the handlers' direct replies through `PacingLimiter`, and the outbox dispatcher,
which asks `Pacer.take` before each send and holds back only that chat when it must wait).

Each limit is a token bucket: `burst` messages at once, refilled at the sustained rate. Only
messages count (send*, copy*, forward*): Telegram's published limits are about messages, and
edits and callback answers go out at once. A 429 that still comes (another process on the same
token, a restart with Telegram's counters still full) holds the chat for its `retry_after`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.settings import Pacing

log = logging.getLogger(__name__)

Monotonic = Callable[[], float]
_COUNTED_PREFIXES = ("send", "copy", "forward")
_NOT_MESSAGES = frozenset({"sendchataction", "sendinvoice"})
_FORGET_AFTER = 4096
"""Chats remembered before idle (full) buckets are forgotten."""
SLACK = 0.1
"""Seconds of margin: Telegram counts a message when it arrives, a little after it was counted
here, and an upload arrives later than a short text sent after it; a bucket that is almost
empty waits this much longer rather than meet a 429 (whose retry_after is a whole second)."""


def is_message(endpoint: str) -> bool:
    """Whether a Bot API method sends a message that Telegram's rate limits count."""
    name = endpoint.lower()
    return name.startswith(_COUNTED_PREFIXES) and name not in _NOT_MESSAGES


def is_group(chat_id: int) -> bool:
    """Groups, supergroups and channels have negative ids; private chats positive ones."""
    return chat_id < 0


class _Bucket:
    __slots__ = ("capacity", "need", "rate", "stamp", "tokens")

    def __init__(self, rate: float, capacity: int, now: float) -> None:
        self.rate = rate
        self.capacity = float(capacity)
        self.tokens = float(capacity)
        self.stamp = now
        self.need = min(self.capacity, 1 + SLACK * rate)
        """Tokens there must be to send one (one, and the margin)."""

    def wait(self, now: float) -> float:
        """Seconds until a message may go (0: now)."""
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        return 0.0 if self.tokens >= self.need else (self.need - self.tokens) / self.rate

    def full(self, now: float) -> bool:
        return self.tokens + (now - self.stamp) * self.rate >= self.capacity


class Pacer:
    """The rate limits of one bot token, shared by everything in the process that sends."""

    def __init__(self, pacing: Pacing, clock: Monotonic = time.monotonic) -> None:
        self.pacing = pacing
        self.clock = clock
        now = clock()
        self._overall = (_Bucket(pacing.overall_per_second, pacing.overall_burst, now)
                         if pacing.overall_per_second > 0 else None)
        self._chats: dict[int, _Bucket | None] = {}
        self._held: dict[int, float] = {}

    def take(self, chat_id: int | None) -> float:
        """Spend one message to `chat_id` now and return 0.0; or, when a limit says wait,
        spend nothing and return the seconds until it may be sent."""
        now = self.clock()
        buckets = [b for b in (self._overall, self._chat(chat_id, now)) if b is not None]
        wait = max((b.wait(now) for b in buckets), default=0.0)
        if chat_id is not None and chat_id in self._held:
            until = self._held[chat_id]
            if until > now:
                wait = max(wait, until - now)
            else:
                del self._held[chat_id]
        if wait > 0:
            return wait
        for bucket in buckets:
            bucket.tokens -= 1
        return 0.0

    async def acquire(self, chat_id: int | None) -> None:
        """Wait for the turn of one message to `chat_id`, then spend it."""
        # A computed turn, not an event to wait for: sleep exactly until then.
        while (wait := self.take(chat_id)) > 0:  # noqa: ASYNC110
            await asyncio.sleep(wait)

    def hold(self, chat_id: int | None, seconds: float) -> None:
        """Telegram said 429: send nothing more to the chat (or at all, for None) for now."""
        if chat_id is None:
            if self._overall is not None:
                self._overall.tokens = min(self._overall.tokens,
                                           1 - seconds * self._overall.rate)
            return
        self._held[chat_id] = max(self._held.get(chat_id, 0.0), self.clock() + seconds)

    def _chat(self, chat_id: int | None, now: float) -> _Bucket | None:
        if chat_id is None:
            return None
        if chat_id not in self._chats:
            if len(self._chats) >= _FORGET_AFTER:
                self._forget_idle(now)
            p = self.pacing
            rate, burst = ((p.group_per_minute / 60, p.group_burst) if is_group(chat_id)
                           else (p.private_per_second, p.private_burst))
            self._chats[chat_id] = _Bucket(rate, burst, now) if rate > 0 else None
        return self._chats[chat_id]

    def _forget_idle(self, now: float) -> None:
        """A full bucket is the same as a new one: drop those to keep memory bounded."""
        for chat_id in [c for c, b in self._chats.items() if b is None or b.full(now)]:
            del self._chats[chat_id]


class PacingLimiter(BaseRateLimiter[None]):
    """The Application's rate limiter: a direct reply waits for its chat's turn (a short wait,
    as replies follow a person's own input), and a 429 is retried up to `max_retries` times
    after its `retry_after`, holding only that chat."""

    def __init__(self, pacer: Pacer, max_retries: int = 3) -> None:
        self.pacer = pacer
        self.max_retries = max_retries

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        chat_id = _chat_id(data.get("chat_id"))
        counted = is_message(endpoint)
        retries = self.max_retries
        for attempt in range(retries + 1):
            if counted:
                await self.pacer.acquire(chat_id)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                seconds = _seconds(exc.retry_after)
                self.pacer.hold(chat_id, seconds)
                if attempt == retries:
                    raise
                log.info("%s to chat %s: 429, retrying in %.1f s", endpoint, chat_id, seconds)
                await asyncio.sleep(seconds)
        raise AssertionError("unreachable")  # pragma: no cover


def _chat_id(value: object) -> int | None:
    with contextlib.suppress(TypeError, ValueError):
        return int(value)  # type: ignore[call-overload, no-any-return]
    return None


def _seconds(value: object) -> float:
    total = getattr(value, "total_seconds", None)
    return float(total()) if callable(total) else float(value)  # type: ignore[arg-type]
