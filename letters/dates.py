"""Indonesian date formatting without any dependence on the system locale."""

from __future__ import annotations

import datetime as dt

MONTHS_ID: tuple[str, ...] = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)

# Indexed like ``date.weekday()``: Monday is 0.
DAYS_ID: tuple[str, ...] = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")


def month_name_id(month: int) -> str:
    """Indonesian month name for 1..12."""
    if not 1 <= month <= 12:
        raise ValueError(f"month out of range: {month}")
    return MONTHS_ID[month - 1]


def day_name_id(day: dt.date) -> str:
    """Indonesian weekday name ("Minggu" for a Sunday)."""
    return DAYS_ID[day.weekday()]


def format_date_id(day: dt.date) -> str:
    """``29 November 2026``; no leading zero, no locale."""
    return f"{day.day} {month_name_id(day.month)} {day.year}"


def format_date_long_id(day: dt.date) -> str:
    """``Minggu, 29 November 2026``."""
    return f"{day_name_id(day)}, {format_date_id(day)}"


def to_local(moment: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    """``moment`` on the office's wall clock; a naive one is taken to be local already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=tz)
    return moment.astimezone(tz)


def format_time_id(moment: dt.datetime, tz: dt.tzinfo, zone: str) -> str:
    """``14.30 WIB`` (Indonesian writes a full stop between hours and minutes). ``zone`` is
    the label the office writes after a time (WIB, WITA, WIT, UTC+9)."""
    local = to_local(moment, tz)
    return f"{local.hour:02d}.{local.minute:02d} {zone}"


def format_datetime_id(
    moment: dt.datetime, tz: dt.tzinfo, zone: str, *, with_day: bool = False
) -> str:
    """``29 November 2026 pukul 14.30 WIB`` (``Minggu, ...`` with ``with_day``)."""
    local = to_local(moment, tz)
    day = local.date()
    date_text = format_date_long_id(day) if with_day else format_date_id(day)
    return f"{date_text} pukul {format_time_id(local, tz, zone)}"
