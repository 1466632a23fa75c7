"""What every response carries and what every request is held to: security headers, the
per-address rate limit, the client's address (behind a trusted proxy) and its form in the
access log."""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.web_settings import Address

HEADERS = {
    # No script at all, styles and images only from the site itself, forms only to itself,
    # never inside a frame (a look-alike site cannot wrap the real page).
    "Content-Security-Policy": ("default-src 'none'; style-src 'self'; img-src 'self'; "
                                "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # The address of a verification page holds the letter's code: never sent onwards.
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}

MAX_CLIENTS = 20_000
"""Addresses remembered by the rate limiter; beyond it, those with a full allowance go."""


@dataclass
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    """A token bucket per client: `per_minute` requests at once, then one every 60/per_minute
    seconds. Memory is bounded by `MAX_CLIENTS`."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.clock = clock
        self._buckets: dict[str, _Bucket] = {}

    def allow(self, client: str) -> bool:
        now = self.clock()
        bucket = self._buckets.get(client)
        if bucket is None:
            if len(self._buckets) >= MAX_CLIENTS:
                self._forget_idle(now)
            bucket = self._buckets[client] = _Bucket(self.capacity, now)
        bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.at) * self.rate)
        bucket.at = now
        if bucket.tokens < 1:
            return False
        bucket.tokens -= 1
        return True

    def retry_after(self, client: str) -> int:
        """Whole seconds until `client` may ask again."""
        bucket = self._buckets.get(client)
        missing = 1 - (bucket.tokens if bucket else 1)
        return max(1, int(missing / self.rate + 0.999))

    def _forget_idle(self, now: float) -> None:
        full = [k for k, b in self._buckets.items()
                if b.tokens + (now - b.at) * self.rate >= self.capacity]
        for key in full or list(self._buckets)[: len(self._buckets) // 2]:
            del self._buckets[key]


def client_address(peer: str, forwarded: str | None,
                   trusted: Sequence[Address]) -> Address | None:
    """The client: the peer, or, when the peer is a trusted proxy, the last address its
    X-Forwarded-For adds (the one the proxy saw; anything before it the client wrote)."""
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return None
    if forwarded and address in trusted:
        last = forwarded.split(",")[-1].strip()
        try:
            return ipaddress.ip_address(last)
        except ValueError:
            return address
    return address


def client_key(address: Address | None) -> str:
    """What the rate limit counts: an IPv4 address, or an IPv6 /64 (one subscriber's
    network, which can hold as many addresses as it likes)."""
    if address is None:
        return "?"
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def log_address(address: Address | None) -> str:
    """The address as the access log keeps it: an IPv4 /24 or an IPv6 /48 (enough to see a
    flood's network, not to name a person)."""
    if address is None:
        return "-"
    prefix = 48 if address.version == 6 else 24
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def log_path(path: str) -> str:
    """The path as the access log keeps it: a verification code is never written (the log
    would be a list of codes, and a code opens its letter's page)."""
    if path.startswith("/verifikasi/") and len(path) > len("/verifikasi/"):
        return "/verifikasi/<kode>"
    return path if len(path) <= 100 else path[:100] + "…"
