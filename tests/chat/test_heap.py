"""A bot process hands its start-up heap to the garbage collector's permanent generation
(`bot.app.freeze_start_up_heap`); a bot started inside a test process does not."""

from __future__ import annotations

import gc
from pathlib import Path

from bot.app import build_application, polling
from devtools.emulator import BotApiEmulator
from tests.support.botrun import office_of
from tests.support.chat import act, file_request, office_bot, scene


async def test_the_bot_process_freezes_its_start_up_heap_and_still_serves(
        emu: BotApiEmulator, tmp_path: Path) -> None:
    s = await scene(emu, tmp_path)
    before = gc.get_freeze_count()
    async with office_bot(s):
        assert gc.get_freeze_count() == before
    app = build_application(s.settings, clock=s.clock, outbox_poll=0.2, freeze_heap=True)
    try:
        async with polling(app):
            assert gc.get_freeze_count() > before + 10_000  # modules, the Application, …
            await file_request(office_of(app))
            card = await s.people.head.wait_for("Tahap 1")
            await act(s.people.head, card, "Disposisi ke Kabid · Tindak lanjuti")
            await s.people.kabid.wait_for("Tahap 2")
    finally:
        gc.unfreeze()
