"""The admin is told whether a person can be reached by the bot: `role set` (what the bot knows,
and Telegram asked now where a token is configured), /peran, and a redeemed invite."""

from __future__ import annotations

import asyncio
import io
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from bot.cli import build_parser
from bot.commands import run_command
from bot.service import Office
from bot.settings import Settings
from bot.workflow import Action, Instruction
from devtools.emulator import BotApiEmulator
from storage.invites import InviteSpec
from tests.support.chat import advance, file_request, office_bot, owed, scene
from tests.support.office import HEAD, KABID

WROTE, NEVER = 701, 703


async def role_set(settings: Settings, *args: str) -> list[str]:
    out = io.StringIO()
    parsed = build_parser().parse_args(["role", "set", *args])
    assert await run_command(settings, parsed, out) == 0
    return out.getvalue().splitlines()


async def idle(office: Office) -> None:
    for _ in range(300):
        if await owed(office) == 0:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the outbox did not become idle")


async def test_role_set_says_who_the_bot_can_reach(emu: BotApiEmulator, tmp_path: Path) -> None:
    s = await scene(emu, tmp_path)
    wrote = emu.user(WROTE, "Dewi")
    emu.user(NEVER, "Eko", started=False)
    kabid = s.people.kabid
    async with office_bot(s) as (_app, office):
        await wrote.send_command("/bantuan")
        await wrote.wait_for("Petunjuk")
        kabid.block()
        await advance(office, await file_request(office),
                      [(HEAD, Action.DISPOSE, {"instruction": Instruction.FOLLOW_UP})])
        await s.people.admin.wait_for("tidak dapat disampaikan")
        await idle(office)
        known = await office.person(KABID)
        assert known is not None

        said = await role_set(s.settings, "kasi", str(WROTE), "--name", "Dewi Lestari")
        assert "reachable: yes - they have written to the bot" in said
        assert "telegram now (sendChatAction): reachable" in said

        said = await role_set(s.settings, "kabid", str(KABID), "--name", known.name)
        assert any(line.startswith("reachable: NO - 1 message(s) kept, Telegram answered 403 "
                                   "Forbidden: bot was blocked by the user") for line in said)
        assert any(line.startswith("telegram now (sendChatAction): NOT reachable (403")
                   for line in said)

        said = await role_set(s.settings, "staf_prakom", str(NEVER), "--name", "Eko")
        assert any(line.startswith("reachable: not known - they have never written to the bot")
                   for line in said)
        assert ("telegram now (sendChatAction): NOT reachable (403 Forbidden: bot can't "
                "initiate conversation with a user)") in said
        assert "  the bot cannot write to them yet; ask them to open the bot in Telegram and " \
               "press Start" in said

        # Without a token nothing asks Telegram: only what the bot knows is said.
        calls = len(emu.calls)
        said = await role_set(replace(s.settings, bot_token=None), "staf_prakom", str(NEVER),
                              "--name", "Eko")
        assert [line for line in said if line.startswith(("reachable", "telegram"))] == [
            "reachable: not known - they have never written to the bot; ask them to open the "
            "bot in Telegram and press Start"]
        assert not any(c.method == "sendChatAction" for c in emu.calls[calls:])

        # Once Eko writes, the bot knows.
        await emu.user(NEVER, "Eko").send_command("/start")
        await emu.user(NEVER, "Eko").wait_for("Selamat datang")
        said = await role_set(replace(s.settings, bot_token=None), "staf_prakom", str(NEVER),
                              "--name", "Eko")
        assert "reachable: yes - they have written to the bot" in said


async def test_peran_and_a_used_invite_tell_the_admin(emu: BotApiEmulator,
                                                      tmp_path: Path) -> None:
    s = await scene(emu, tmp_path)
    admin = s.people.admin
    emu.user(NEVER, "Eko", started=False)
    newcomer = emu.user(WROTE, "Dewi")
    async with office_bot(s) as (_app, office):
        until = (office.today() + timedelta(days=30)).isoformat()
        await admin.send_command("/peran", f"plh kabid {NEVER} {until} Eko Prasetyo")
        told = await admin.wait_for("Tercatat: Plh.")
        assert "Yang bersangkutan belum pernah menghubungi bot." in told.text

        code, _ = await office.create_invite(InviteSpec(name="Dewi Lestari", position="kasi"))
        await newcomer.send_command("/start", code)
        used = await admin.wait_for("Tautan undangan telah digunakan")
        assert "telah membuka chat dengan bot, sehingga dapat dihubungi oleh bot" in used.text
