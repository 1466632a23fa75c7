"""Outgoing-letter numbers such as ``555/123/Diskominfo-Kab/2026``.

Pure formatting and parsing; allocating the sequence belongs to the database.
A pattern is a ``str.format`` string over these fields:

- ``classification``: archive classification code (``555``, ``188.45``)
- ``sequence``: number in the outgoing register (``{sequence:03d}`` pads)
- ``unit``: unit code (``Diskominfo-Kab``)
- ``year``: four-digit year
- ``month``: month number, ``month_roman``: month in Roman numerals (``XI``)
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass

DEFAULT_PATTERN = "{classification}/{sequence}/{unit}/{year}"
PLACEHOLDER = "…"

FIELDS: frozenset[str] = frozenset(
    {"classification", "sequence", "unit", "year", "month", "month_roman"}
)

_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")

_FIELD_REGEX: dict[str, str] = {
    "classification": r"[0-9A-Za-z.\-]+?",
    "sequence": r"[0-9]+",
    "unit": r".+?",
    "year": r"[0-9]{4}",
    "month": r"[0-9]{1,2}",
    "month_roman": r"X{0,1}(?:IX|IV|V?I{0,3})",
}


@dataclass(frozen=True)
class LetterNumber:
    """The parts read back from a letter number."""

    classification: str
    sequence: int
    unit: str
    year: int | None
    month: int | None = None


def _fields(pattern: str) -> list[tuple[str, str | None, str | None]]:
    """(literal text, field name, format spec) triples; raises ValueError on a bad pattern."""
    try:
        parsed = list(string.Formatter().parse(pattern))
    except ValueError as exc:
        raise ValueError(f"invalid letter-number pattern {pattern!r}: {exc}") from exc
    out: list[tuple[str, str | None, str | None]] = []
    for literal, name, spec, conversion in parsed:
        if name is not None:
            if name == "" or name.isdigit():
                raise ValueError(
                    f"letter-number pattern {pattern!r} has a positional field; "
                    f"use named fields: {', '.join(sorted(FIELDS))}"
                )
            if name not in FIELDS:
                raise ValueError(
                    f"unknown field {{{name}}} in letter-number pattern {pattern!r}; "
                    f"known fields: {', '.join(sorted(FIELDS))}"
                )
            if conversion:
                raise ValueError(f"conversion !{conversion} not allowed in pattern {pattern!r}")
            if spec and name != "sequence":
                raise ValueError(f"format spec only allowed on {{sequence}} in {pattern!r}")
        out.append((literal, name, spec))
    return out


def validate_pattern(pattern: str) -> None:
    """Raise ValueError unless ``pattern`` is a usable letter-number pattern."""
    names = [name for _, name, _ in _fields(pattern) if name is not None]
    if "sequence" not in names:
        raise ValueError(f"letter-number pattern {pattern!r} must contain {{sequence}}")
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        repeated = ", ".join(sorted(duplicates))
        raise ValueError(f"field(s) repeated in pattern {pattern!r}: {repeated}")
    try:
        for _, name, spec in _fields(pattern):
            if name == "sequence":
                format(1, spec or "")
    except ValueError as exc:
        raise ValueError(f"bad format spec for {{sequence}} in {pattern!r}: {exc}") from exc


def format_letter_number(
    pattern: str,
    classification: str,
    sequence: int,
    unit_code: str,
    year: int,
    *,
    month: int | None = None,
) -> str:
    """Fill ``pattern``: ``format_letter_number(DEFAULT_PATTERN, "555", 123, "Diskominfo-Kab",
    2026)`` gives ``555/123/Diskominfo-Kab/2026``."""
    validate_pattern(pattern)
    if sequence < 1:
        raise ValueError(f"sequence must be positive, got {sequence}")
    if not 1000 <= year <= 9999:
        raise ValueError(f"year must have four digits, got {year}")
    names = {name for _, name, _ in _fields(pattern) if name is not None}
    if names & {"month", "month_roman"} and month is None:
        raise ValueError(f"pattern {pattern!r} needs a month")
    if month is not None and not 1 <= month <= 12:
        raise ValueError(f"month out of range: {month}")
    return pattern.format(
        classification=classification,
        sequence=sequence,
        unit=unit_code,
        year=year,
        month=month if month is not None else "",
        month_roman=_ROMAN[month - 1] if month is not None else "",
    )


def placeholder_letter_number(
    pattern: str, unit_code: str, year: int, *, month: int | None = None
) -> str:
    """Number shown on a draft: ``…/…/Diskominfo-Kab/2026`` (classification and sequence open)."""
    parts: list[str] = []
    for literal, name, _ in _fields(pattern):
        parts.append(literal)
        if name is None:
            continue
        if name == "unit":
            parts.append(unit_code)
        elif name == "year":
            parts.append(str(year))
        elif name == "month" and month is not None:
            parts.append(str(month))
        elif name == "month_roman" and month is not None:
            parts.append(_ROMAN[month - 1])
        else:
            parts.append(PLACEHOLDER)
    return "".join(parts)


def parse_letter_number(number: str, pattern: str = DEFAULT_PATTERN) -> LetterNumber:
    """Read a number written with ``pattern`` back into its parts; ValueError if it does not fit."""
    validate_pattern(pattern)
    regex = ["^"]
    for literal, name, _ in _fields(pattern):
        regex.append(re.escape(literal))
        if name is not None:
            regex.append(f"(?P<{name}>{_FIELD_REGEX[name]})")
    regex.append("$")
    match = re.match("".join(regex), number.strip())
    if match is None:
        raise ValueError(f"letter number {number!r} does not match pattern {pattern!r}")
    groups = match.groupdict()
    month: int | None = None
    if groups.get("month"):
        month = int(groups["month"])
    elif groups.get("month_roman"):
        roman = groups["month_roman"]
        if roman not in _ROMAN:
            raise ValueError(f"bad Roman month {roman!r} in {number!r}")
        month = _ROMAN.index(roman) + 1
    if month is not None and not 1 <= month <= 12:
        raise ValueError(f"month out of range in {number!r}")
    return LetterNumber(
        classification=groups.get("classification") or "",
        sequence=int(groups["sequence"]),
        unit=groups.get("unit") or "",
        year=int(groups["year"]) if groups.get("year") else None,
        month=month,
    )
