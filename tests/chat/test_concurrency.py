"""Different people's updates at once, each person's in order (`bot.updates.PerPersonOrder`):
a person whose update waits on Telegram holds up nobody else, and what they send meanwhile is
handled after it, in order."""

from __future__ import annotations

from pathlib import Path

from bot.workflow import State
from devtools.emulator import BotApiEmulator
from tests.support.chat import done_on, file_request, office_bot, scene

NOTE = "Segera diproses"


async def test_a_stuck_update_holds_up_nobody_else_and_the_same_persons_next_waits(
        emu: BotApiEmulator, tmp_path: Path) -> None:
    s = await scene(emu, tmp_path)
    head, requester = s.people.head, s.people.requester
    async with office_bot(s) as (_app, office):
        request = await file_request(office)
        card = await head.wait_for("Tahap 1")
        held = emu.hold("editMessageText", chat_id=head.chat_id)
        await head.press(card, "Disposisi ke Kabid · Tindak lanjuti", wait_answer=False)
        await held.reached.wait()  # the press is being handled: its card edit hangs
        head_seen = head.last.message_id if head.last else 0
        await head.send_text(NOTE)  # the head's next updates, queued behind the press
        await head.send_command("/tugas")
        seen = requester.last.message_id if requester.last else 0
        await requester.send_command("/status")
        await requester.wait_for(  # answered meanwhile
            lambda m: m.message_id > seen and "Permohonan Bapak/Ibu\n" in m.text, timeout=5)
        assert [m.text for m in head.inbox if m.message_id > head_seen] == []
        still = await office.store.request(request.id)
        assert still.state == State.DISPOSITION_HEAD and still.version == request.version
        emu.release(held)  # the edit fails (502), is retried, and the press completes
        await head.wait_for(done_on(card), timeout=15)
        moved = await office.store.request(request.id)
        assert moved.state == State.DISPOSITION_KABID
        assert (await office.store.timeline(request.id))[-1].note == NOTE
        await head.wait_for(lambda m: m.message_id > head_seen and not m.edited)  # /tugas
