"""A step sent to someone who blocked the bot (or never opened it) is not lost: the admins and
the group are told who cannot be reached, and the step arrives when that person writes again."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.service import Office
from bot.workflow import Action, Instruction
from devtools.emulator import BotApiEmulator
from tests.support.botrun import GROUP_ID
from tests.support.chat import advance, file_request, office_bot, owed, scene
from tests.support.office import HEAD


async def test_a_blocked_official_is_reported_and_gets_the_step_when_back(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    s = await scene(emu, tmp_path)
    kabid, admin, group, head = s.people.kabid, s.people.admin, s.people.group, s.people.head
    async with office_bot(s) as (_app, office):
        kabid.block()
        r = await file_request(office)
        await head.wait_for("Tahap 1")
        r = await advance(office, r, [(HEAD, Action.DISPOSE,
                                      {"instruction": Instruction.FOLLOW_UP})])
        told = await admin.wait_for("tidak dapat disampaikan")
        assert "Siti Aminah, S.Kom (ID Telegram 102" in told.text
        assert "Kepala Bidang Layanan e-Government" in told.text
        assert "memblokir bot" in told.text
        assert "tidak dapat disampaikan" in (await group.wait_for("tidak dapat disampaikan")).text
        # A second message to the same chat does not tell the admins again.
        await office.hand_over((await office.holders("kabid"))[0])
        await _idle(office)
        assert sum("tidak dapat disampaikan" in m.text for m in admin.inbox) == 1

        kabid.unblock()
        await kabid.send_command("/start")
        card = await kabid.wait_for("Tahap 2", timeout=10)
        assert "Disposisi ke Kasi · Tindak lanjuti" in card.button_texts
        await _idle(office)
        assert not await office.store.has_unreachable(kabid.user_id)
        assert emu.sent_count(chat_id=GROUP_ID) >= 1


async def _idle(office: Office) -> None:
    """Until the outbox owes nothing (messages kept for an unreachable chat are not owed)."""
    for _ in range(200):
        if await owed(office) == 0:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the outbox did not become idle")
