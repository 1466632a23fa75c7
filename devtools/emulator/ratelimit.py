"""Telegram's flood limits as token buckets: per private chat, per group, and global."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RateLimits:
    """Sustained rates and burst sizes; the defaults follow Telegram's published guidance
    (about 1 message/s in a private chat, 20 messages/min in a group, 30 messages/s overall).
    Pass ``None`` instead of a ``RateLimits`` to the emulator to turn limiting off."""

    private_per_second: float = 1.0
    private_burst: int = 5
    group_per_minute: float = 20.0
    group_burst: int = 20
    global_per_second: float = 30.0
    global_burst: int = 30


@dataclass
class _Bucket:
    rate: float  # tokens per second
    capacity: float
    tokens: float
    stamp: float

    def refill(self, now: float) -> None:
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now

    def wait_time(self) -> float:
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate


@dataclass
class FloodControl:
    limits: RateLimits
    clock: Callable[[], float] = time.monotonic
    _chats: dict[int, _Bucket] = field(default_factory=dict)
    _global: _Bucket | None = None

    def _bucket(self, rate: float, burst: int) -> _Bucket:
        return _Bucket(rate, float(burst), float(burst), self.clock())

    def take(self, chat_id: int, is_group: bool) -> int | None:
        """Spend one message for ``chat_id``; ``None`` if allowed, else seconds to wait."""
        now = self.clock()
        if self._global is None:
            self._global = self._bucket(self.limits.global_per_second, self.limits.global_burst)
        chat = self._chats.get(chat_id)
        if chat is None:
            if is_group:
                chat = self._bucket(self.limits.group_per_minute / 60, self.limits.group_burst)
            else:
                chat = self._bucket(self.limits.private_per_second, self.limits.private_burst)
            self._chats[chat_id] = chat
        buckets = (self._global, chat)
        for bucket in buckets:
            bucket.refill(now)
        wait = max(bucket.wait_time() for bucket in buckets)
        if wait > 0:
            return max(1, math.ceil(wait))
        for bucket in buckets:
            bucket.tokens -= 1
        return None
