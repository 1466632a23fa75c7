"""Our real Application, running against the Bot API emulator, on a real SQLite file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.app import build_application, polling
from bot.handlers.context import BotApp
from bot.service import Office
from bot.settings import Settings
from bot.workflow import SOP, Workflow
from devtools.emulator import BotApiEmulator, SimGroup, SimUser
from tests.support.office import (
    ADMIN,
    HEAD,
    KABID,
    KASI,
    REQUESTER,
    STAFF,
    Clock,
    open_office,
    seed_people,
    settings_env,
)

GROUP_ID = -1001234567890
TINY_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]"
            b"/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


@dataclass
class Cast:
    """The simulated people, one per seeded position."""

    head: SimUser
    kabid: SimUser
    kasi: SimUser
    staff: SimUser
    admin: SimUser
    requester: SimUser
    group: SimGroup


def cast(emu: BotApiEmulator) -> Cast:
    return Cast(
        head=emu.user(HEAD, "Rahmadi"), kabid=emu.user(KABID, "Siti"),
        kasi=emu.user(KASI, "Budi"), staff=emu.user(STAFF, "Rina"),
        admin=emu.user(ADMIN, "Admin"),
        requester=emu.user(REQUESTER, "Ahmad", phone="+6281200000000"),
        group=emu.group(GROUP_ID, "Diskominfo Subdomain"),
    )


DNS_ENV: dict[str, str] = {}
"""The DNS settings of the BIND 9 started for the running test (tests/chat/conftest.py)."""


def settings_for(emu: BotApiEmulator, tmp: Path, **extra: str) -> Settings:
    """The default test office (`extra` over it, e.g. a whole other profile) on the emulator,
    the test's BIND 9 and files under `tmp`."""
    return Settings.from_mapping({
        **settings_env(),
        **DNS_ENV,
        "BOT_TOKEN": emu.token,
        "TELEGRAM_API_BASE_URL": emu.base_url,
        "DATABASE_PATH": str(tmp / "bot.sqlite3"),
        "DATA_DIR": str(tmp / "data"),
        "GROUP_CHAT_ID": str(GROUP_ID),
        **extra,
    })


async def seed(settings: Settings, clock: Clock, **kw: Any) -> None:
    office = await open_office(settings.database_path, clock)
    await seed_people(office.store, clock(), **kw)
    await office.store.close()


@asynccontextmanager
async def running_office_bot(
    settings: Settings, clock: Clock, *, outbox_poll: float = 0.2, workflow: Workflow = SOP,
) -> AsyncIterator[BotApp]:
    """Like `python -m bot run`, for the length of a block."""
    async with polling(build_application(settings, clock=clock, outbox_poll=outbox_poll,
                                         workflow=workflow)) as app:
        yield app


def office_of(app: BotApp) -> Office:
    office: Office = app.bot_data["office"]
    return office
