"""The public site's settings (WEB_*): where it listens, how often an address may ask, how
large an upload may be, and which reverse proxies to believe about the client's address.

Kept apart from `bot.settings` like the watch's; `Settings` holds one `WebSettings` as
`settings.web`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from bot.setting_values import between

T = TypeVar("T")

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class Parse(Protocol):
    def __call__(self, name: str, conv: Callable[[str], T], default: T, /) -> T: ...


@dataclass(frozen=True, kw_only=True)
class WebSettings:
    listen: tuple[str, int] | None = None
    """WEB_LISTEN=HOST:PORT; None: no public site."""
    per_minute: int = 60
    """Requests a minute one client address (an IPv6 /64) may make (WEB_RATE_PER_MINUTE)."""
    upload_limit: int = 10 * 1024 * 1024
    """Largest PDF accepted for checking, in bytes (WEB_UPLOAD_LIMIT_MB)."""
    trusted_proxies: tuple[Address, ...] = ()
    """Peers whose X-Forwarded-For names the client (WEB_TRUSTED_PROXIES, e.g. 127.0.0.1 for a
    reverse proxy on the same machine); anyone else's header is ignored."""


def parse_web(parse: Parse) -> WebSettings:
    """The WEB_* settings through `parse(name, converter, default)`."""
    d = WebSettings()
    return WebSettings(
        listen=parse("WEB_LISTEN", parse_listen, d.listen),
        per_minute=parse("WEB_RATE_PER_MINUTE", between(1, 100_000), d.per_minute),
        upload_limit=parse("WEB_UPLOAD_LIMIT_MB", between(1, 100), d.upload_limit // 2**20)
        * 2**20,
        trusted_proxies=parse("WEB_TRUSTED_PROXIES", _addresses, d.trusted_proxies),
    )


def parse_listen(raw: str) -> tuple[str, int] | None:
    """`HOST:PORT` or `[IPv6]:PORT`; empty or `off`: no site."""
    text = raw.strip()
    if text.lower() in ("", "off", "no", "none"):
        return None
    host, sep, port = text.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError("expected HOST:PORT, e.g. 127.0.0.1:8080")
    return host, int(port)


def _addresses(raw: str) -> tuple[Address, ...]:
    return tuple(ipaddress.ip_address(a.strip()) for a in raw.split(",") if a.strip())
