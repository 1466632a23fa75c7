"""The watch's settings (WATCH_*): when it runs, where it may connect, how much it reads.

Kept apart from `bot.settings` so that the watch's dozen knobs stay in one place; `Settings`
holds one `WatchSettings` as `settings.watch`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Protocol, TypeVar

from bot.setting_values import between
from watch.config import ALL_NETWORKS, DEFAULT_SIGNS, Network, WatchConfig, parse_networks

T = TypeVar("T")


class Parse(Protocol):
    def __call__(self, name: str, conv: Callable[[str], T], default: T, /) -> T: ...


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, kw_only=True)
class WatchSettings:
    time: time | None = time(6, 0)
    """When the daily watch runs, office time (WATCH_TIME, HH:MM; `off`: never on its own)."""
    summary_weekday: int = 0
    """The weekly summary to the Kepala Dinas goes out on this day (WATCH_SUMMARY_DAY, mon…)."""
    http_port: int = 80
    https_port: int = 443
    timeout: float = 5.0
    concurrency: int = 16
    body_limit: int = 256 * 1024
    signs: tuple[str, ...] = DEFAULT_SIGNS
    allowed_networks: tuple[Network, ...] = ALL_NETWORKS
    ca_file: Path | None = None
    cert_warn_days: int = 14

    def config(self, zone: str, servers: tuple[tuple[str, int], ...],
               dns_timeout: float) -> WatchConfig:
        return WatchConfig(
            zone=zone, servers=servers, dns_timeout=dns_timeout, http_port=self.http_port,
            https_port=self.https_port, timeout=self.timeout, concurrency=self.concurrency,
            body_limit=self.body_limit, signs=self.signs,
            allowed_networks=self.allowed_networks, ca_file=self.ca_file,
            cert_warn_days=self.cert_warn_days)


def parse_watch(parse: Parse) -> WatchSettings:
    """The WATCH_* settings through `parse(name, converter, default)` (the caller turns a
    ValueError into a SettingsError naming the setting)."""
    d, p = WatchSettings(), parse
    return WatchSettings(
        time=p("WATCH_TIME", _time, d.time),
        summary_weekday=p("WATCH_SUMMARY_DAY", _weekday, d.summary_weekday),
        http_port=p("WATCH_HTTP_PORT", _port, d.http_port),
        https_port=p("WATCH_HTTPS_PORT", _port, d.https_port),
        timeout=p("WATCH_TIMEOUT", _seconds, d.timeout),
        concurrency=p("WATCH_CONCURRENCY", between(1, 256), d.concurrency),
        body_limit=p("WATCH_BODY_LIMIT_KB", _kib, d.body_limit),
        signs=p("WATCH_SIGNS", _signs, d.signs),
        allowed_networks=p("WATCH_ALLOWED_NETWORKS", parse_networks,
                           d.allowed_networks),
        ca_file=p("WATCH_CA_FILE", _file, d.ca_file),
        cert_warn_days=p("WATCH_CERT_WARN_DAYS", between(0, 365), d.cert_warn_days),
    )


def _time(raw: str) -> time | None:
    if raw.lower() in ("off", "no", "none"):
        return None
    return time.fromisoformat(raw)


def _weekday(raw: str) -> int:
    key = raw.strip().lower()[:3]
    if key not in WEEKDAYS:
        raise ValueError(f"a weekday ({', '.join(WEEKDAYS)})")
    return WEEKDAYS.index(key)


def _port(raw: str) -> int:
    return between(1, 65535)(raw)


def _seconds(raw: str) -> float:
    value = float(raw)
    if not 0 < value <= 120:
        raise ValueError("seconds, more than 0 and at most 120")
    return value


def _kib(raw: str) -> int:
    return between(1, 64 * 1024)(raw) * 1024


def _signs(raw: str) -> tuple[str, ...]:
    signs = tuple(s.strip().lower() for s in raw.split(",") if s.strip())
    if not signs:
        raise ValueError("at least one word or phrase, comma-separated")
    return signs


def _file(raw: str) -> Path:
    path = Path(raw)
    if not path.is_file():
        raise ValueError("no such file")
    return path


