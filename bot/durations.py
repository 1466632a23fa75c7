"""Standard times as the SOP writes them: working minutes ("15 menit", "1 jam") or working
days ("1 hari"). Pure value types (no clock, no zone): the workflow table holds them, the
working-time clock (`bot.worktime`) counts them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Final

_DAY: Final = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class WorkMinutes:
    """A standard time counted in working minutes ("15 menit", "1 jam")."""

    minutes: int

    def __post_init__(self) -> None:
        if isinstance(self.minutes, bool) or not isinstance(self.minutes, int):
            raise TypeError("WorkMinutes.minutes must be an int")
        if self.minutes < 0:
            raise ValueError(f"working minutes must not be negative: {self.minutes}")

    def times(self, k: int) -> WorkMinutes:
        return WorkMinutes(self.minutes * _check_factor(k))

    @property
    def label_id(self) -> str:
        """Indonesian label for messages: '15 menit', '1 jam', '1 jam 30 menit'."""
        h, m = divmod(self.minutes, 60)
        parts = ([f"{h} jam"] if h else []) + ([f"{m} menit"] if m or not h else [])
        return " ".join(parts)

    def __str__(self) -> str:
        h, m = divmod(self.minutes, 60)
        return (f"{h}h" if h else "") + (f"{m}m" if m or not h else "")


@dataclass(frozen=True, slots=True)
class WorkDays:
    """A standard time counted in working days ("1 hari")."""

    days: int

    def __post_init__(self) -> None:
        if isinstance(self.days, bool) or not isinstance(self.days, int):
            raise TypeError("WorkDays.days must be an int")
        if self.days < 0:
            raise ValueError(f"working days must not be negative: {self.days}")

    def times(self, k: int) -> WorkDays:
        return WorkDays(self.days * _check_factor(k))

    @property
    def label_id(self) -> str:
        """Indonesian label for messages: '1 hari kerja'."""
        return f"{self.days} hari kerja"

    def __str__(self) -> str:
        return f"{self.days}d"


Duration = WorkMinutes | WorkDays


def _check_factor(k: int) -> int:
    if isinstance(k, bool) or not isinstance(k, int) or k < 0:
        raise ValueError(f"multiple must be a non-negative int, got {k!r}")
    return k


_UNITS: Final[Mapping[str, str]] = {
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes", "menit"), "m"),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours", "jam"), "h"),
    **dict.fromkeys(("d", "day", "days", "hari"), "d"),
}
_DURATION_PART = re.compile(r"\s*(\d+)\s*([a-z]+)\s*")


def parse_duration(text: str) -> Duration:
    """Parse a setting such as '15m', '1h', '1h30m', '20 menit', '1d', '2 hari'.

    Days cannot be mixed with hours/minutes. Raises ValueError naming the bad part.
    """
    s = text.strip().lower()
    if not s:
        raise ValueError("empty duration: expected e.g. 15m, 1h, 1h30m, 1d")
    pos = 0
    seen: dict[str, int] = {}
    while pos < len(s):
        m = _DURATION_PART.match(s, pos)
        if m is None:
            raise ValueError(
                f"cannot read duration {text!r} at {s[pos:]!r}: expected e.g. 15m, 1h, 1h30m, 1d"
            )
        amount, unit_word = int(m.group(1)), m.group(2)
        unit = _UNITS.get(unit_word)
        if unit is None:
            raise ValueError(
                f"unknown unit {unit_word!r} in duration {text!r}: use m (minutes), h (hours)"
                " or d (working days)"
            )
        if unit in seen:
            raise ValueError(f"unit {unit_word!r} given twice in duration {text!r}")
        seen[unit] = amount
        pos = m.end()
    if "d" in seen and len(seen) > 1:
        raise ValueError(f"duration {text!r} mixes working days with hours/minutes")
    if "d" in seen:
        if seen["d"] == 0:
            raise ValueError(f"duration {text!r} must be positive")
        return WorkDays(seen["d"])
    minutes = seen.get("h", 0) * 60 + seen.get("m", 0)
    if minutes == 0:
        raise ValueError(f"duration {text!r} must be positive")
    return WorkMinutes(minutes)


def duration_from_timedelta(td: timedelta, *, working_days: bool = False) -> Duration:
    """Bridge from a plain timedelta: whole days if ``working_days``, else whole minutes."""
    if working_days:
        days, rest = divmod(td, _DAY)
        if rest:
            raise ValueError(f"{td} is not a whole number of days")
        return WorkDays(days)
    minutes, rest = divmod(td, timedelta(minutes=1))
    if rest:
        raise ValueError(f"{td} is not a whole number of minutes")
    return WorkMinutes(minutes)
