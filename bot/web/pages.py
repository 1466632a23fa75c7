"""Rendering the pages: the Jinja2 environment and the Indonesian formats the templates use
(the monthly report's own formats for times and shares)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Any

import jinja2

from letters.dates import format_date_id, format_datetime_id, month_name_id
from letters.numbers import duration_id, percent_id

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


def environment(tz: tzinfo, zone: Callable[[datetime], str]) -> jinja2.Environment:
    """Templates with the filters they use; times in the office zone `tz`, labelled by
    `zone` (WIB, WITA, …)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,  # every value is text from the register: escaped, always
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["tanggal"] = _date
    env.filters["waktu"] = lambda moment: format_datetime_id(moment, tz, zone(moment))
    env.filters["durasi"] = duration_id
    env.filters["persen"] = percent_id
    env.globals["bulan"] = lambda year, month: f"{month_name_id(month)} {year}"
    return env


def _date(day: date | None) -> str:
    return format_date_id(day) if day else "—"


def render(env: jinja2.Environment, template: str, **values: Any) -> str:
    return env.get_template(template).render(**values)
