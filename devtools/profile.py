"""The demo office: its settings are data (`demo-office.env`), not code.

The demo and the letter samples use it when the environment and `.env` describe no office of
their own."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from dotenv import dotenv_values

from bot.settings import OFFICE_SETTINGS, Settings, environment
from letters.body import title_case_id

PROFILE = Path(__file__).with_name("demo-office.env")


def profile_env() -> dict[str, str]:
    """The demo office's settings (environment form)."""
    return {k: v for k, v in dotenv_values(PROFILE).items() if v is not None}


def office_env(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The settings an office's demo runs on: `env` (default: the environment over .env);
    where it sets none of the office's identity, the demo office's values under it. Partly
    set, it stays as it is, and loading it names what is missing."""
    given = dict(environment() if env is None else env)
    if any((given.get(name) or "").strip() for name in OFFICE_SETTINGS):
        return given
    return {**profile_env(), **given}


def demo_office() -> Settings:
    """The demo office's settings alone (no token, no DNS servers)."""
    return Settings.from_mapping(profile_env())


def region(settings: Settings) -> str:
    """'PEMERINTAH KABUPATEN SLEMAN' → 'Kabupaten Sleman' (for the scripted agency's texts)."""
    government = re.sub(r"^\s*PEMERINTAH\s+", "", settings.office.government, flags=re.I)
    return title_case_id(government)
