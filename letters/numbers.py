"""Numbers as the office's papers and pages write them (Indonesian decimal comma, working time
in hours and minutes). Plain text, no reportlab: the public pages use them too."""

from __future__ import annotations

from datetime import timedelta

NO_DATA = "—"


def number_id(value: float, decimals: int = 1) -> str:
    """``22.5`` -> ``22,5``; ``20.0`` -> ``20`` (Indonesian decimal comma)."""
    text = f"{value:.{decimals}f}".rstrip("0").rstrip(".") if decimals else f"{value:.0f}"
    return text.replace(".", ",")


def duration_id(value: timedelta | None) -> str:
    """Working time for a table: ``45 menit``, ``3 jam``, ``8 jam 5 menit``; ``—`` for None."""
    if value is None:
        return NO_DATA
    minutes = round(value.total_seconds() / 60)
    if minutes == 0 and value > timedelta():
        return "< 1 menit"
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} menit"
    return f"{hours} jam" + (f" {rest} menit" if rest else "")


def percent_id(share: float | None) -> str:
    return NO_DATA if share is None else number_id(share * 100) + "%"
