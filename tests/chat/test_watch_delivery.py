"""The daily watch inside the running bot: at WATCH_TIME it runs by itself, its new findings
reach the Prakom staff and the group through the outbox, the weekly summary the Kepala Dinas;
a restart the same day repeats nothing."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from devtools.emulator import BotApiEmulator
from tests.support import botrun
from tests.support.bind import ZONE
from tests.support.botrun import settings_for
from tests.support.chat import office_bot, owed, scene
from tests.support.office import open_office


async def test_the_bot_runs_the_watch_at_its_time_and_tells_each_finding_once(
        emu: BotApiEmulator, tmp_path: Path) -> None:
    s = await scene(emu, tmp_path)
    # 09:00 WITA on a Monday; only 127.0.0.2 may be probed, and nothing of the zone is there.
    s = replace(s, settings=settings_for(emu, tmp_path, WATCH_TIME="06:00",
                                         WATCH_ALLOWED_NETWORKS="127.0.0.2/32"))
    office = await open_office(s.settings.database_path, s.clock, **botrun.DNS_ENV)
    await office.register.import_zone()
    await office.store.close()

    staff, group, head = s.people.staff, s.people.group, s.people.head
    async with office_bot(s) as (_app, office):
        found = await staff.wait_for(f"Pemantauan subdomain: putus.{ZONE}")
        assert "CNAME menggantung" in found.text and "NXDOMAIN" in found.text
        assert (await group.wait_for("Pemantauan subdomain")).text == found.text
        summary = await head.wait_for("Ringkasan pemantauan subdomain")
        assert "Temuan yang masih terbuka: 1" in summary.text
        for _ in range(50):  # the outbox delivers the last of them
            if not await owed(office):
                break
            await emu.world.changed.wait(0.1)
    for chat in (staff, group, head):
        assert len(chat.inbox) == 1, [m.text for m in chat.inbox]

    async with office_bot(s) as (_app, office):  # restarted the same day
        assert await office.store.watch_done("daily", office.today().isoformat())
        await head.send_command("/bantuan")
        await head.wait_for("Petunjuk")
        assert await owed(office) == 0
    for chat in (staff, group):
        assert len(chat.inbox) == 1

