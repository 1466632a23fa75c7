"""Converters for setting values shared by the settings modules (each raises ValueError with
what was expected, which the settings loader turns into one line for the operator)."""

from __future__ import annotations

from collections.abc import Callable


def between(low: int, high: int) -> Callable[[str], int]:
    """An integer from `low` to `high` inclusive."""
    def conv(raw: str) -> int:
        value = int(raw)
        if not low <= value <= high:
            raise ValueError(f"between {low} and {high}")
        return value
    return conv
