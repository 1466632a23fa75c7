"""Time zone labels as Indonesian offices write them, and local times with that label.

Indonesia's three zones have names everybody reads (WIB, WITA, WIT); any other zone is shown
by its UTC offset ("UTC+9", "UTC+5:30"), which needs no table of foreign abbreviations.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, tzinfo
from types import MappingProxyType
from typing import Final

INDONESIAN_ZONES: Final[Mapping[str, str]] = MappingProxyType({
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Ujung_Pandang": "WITA",  # the tz database's old name of Asia/Makassar
    "Asia/Jayapura": "WIT",
})


def zone_label(tz: tzinfo, at: datetime | None = None) -> str:
    """``WIB``, ``WITA`` or ``WIT`` for Indonesia's zones, else the offset at `at` (default now).

    A zone is known by its IANA key (`ZoneInfo.key`), or by the name a fixed-offset stand-in
    carries (`bot.worktime.resolve_tz` names them after the zone)."""
    name = str(getattr(tz, "key", None) or tz.tzname(None))
    if name in INDONESIAN_ZONES:
        return INDONESIAN_ZONES[name]
    moment = at if at is not None and at.tzinfo is not None else datetime.now(UTC)
    return utc_offset_label(moment.astimezone(tz).utcoffset() or timedelta(0))


def utc_offset_label(offset: timedelta) -> str:
    """``UTC+9``, ``UTC+5:30``, ``UTC-3``, ``UTC`` (no leading zeros, minutes only if any)."""
    minutes = int(offset.total_seconds()) // 60
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def local_time(moment: datetime, tz: tzinfo) -> str:
    """``30-11-2026 pukul 06.30 WIB``: `moment` on the office's wall clock, with the zone's
    label, as Indonesian formal writing gives a time (``pukul``, a dot between hour and
    minute)."""
    local = moment.astimezone(tz)
    return f"{local:%d-%m-%Y} pukul {local:%H.%M} {zone_label(tz, moment)}"
