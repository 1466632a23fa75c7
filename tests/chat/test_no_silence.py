"""Nobody is left without an answer in a private chat, and the group is not chatted at."""

from __future__ import annotations

from pathlib import Path

from devtools.emulator import BotApiEmulator
from tests.support.botrun import GROUP_ID
from tests.support.chat import file_request, office_bot, scene


async def test_text_and_unknown_commands_outside_a_flow_get_an_answer(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    s = await scene(emu, tmp_path)
    requester, head = s.people.requester, s.people.head
    async with office_bot(s) as (_app, office):
        await requester.send_text("halo, bagaimana cara mengajukan subdomain?")
        guide = await requester.wait_for("/ajukan")
        assert "/status" in guide.text and "/bantuan" in guide.text
        await requester.send_command("/daftar")
        assert "tidak dikenal" in (await requester.wait_for("tidak dikenal")).text

        # An official with a waiting step is pointed to it.
        await file_request(office)
        await head.wait_for("Tahap 1")
        await head.send_text("selamat pagi")
        pointed = await head.wait_for("menunggu tindakan Bapak/Ibu")
        assert pointed.text == ("Ada 1 tahap yang menunggu tindakan Bapak/Ibu. "
                                "Ketik /tugas untuk melihatnya.")


async def test_the_group_is_answered_only_when_the_bot_is_addressed(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    s = await scene(emu, tmp_path)
    kasi, group = s.people.kasi, s.people.group
    async with office_bot(s):
        before = emu.sent_count(chat_id=GROUP_ID)
        await kasi.send_text("rapat jam 10 ya", chat=group)
        await kasi.send_command("/rapat", chat=group)
        await kasi.send_command(f"/rapat@{emu.bot_username}", chat=group)
        answered = await group.wait_for("tidak dikenal")
        assert answered.text.startswith("Perintah tersebut tidak dikenal")
        # The bot has handled everything sent before this private /bantuan once it answers it.
        await kasi.send_command("/bantuan")
        await kasi.wait_for("Petunjuk")
        assert emu.sent_count(chat_id=GROUP_ID) == before + 1
