"""The outbox reads a pass of owed messages once (#16): a card and its later update queued in
the same pass still make one message, edited in place; each chat's messages keep their order;
every chat gets its messages although the pass runs several chats at once."""

from __future__ import annotations

import asyncio
from pathlib import Path

from devtools.emulator import BotApiEmulator
from storage.models import OutMessage
from tests.support.chat import office_bot, owed, scene


async def test_one_pass_edits_a_card_queued_twice_and_keeps_each_chats_order(
        emu: BotApiEmulator, tmp_path: Path) -> None:
    s = await scene(emu, tmp_path)
    people = [s.people.head, s.people.kabid, s.people.kasi, s.people.requester]
    queued: list[OutMessage] = []
    for user in people:
        queued += [
            OutMessage(user.chat_id, "card", {"key": f"k:{user.chat_id}", "text": "kartu 1",
                                              "buttons": []}),
            OutMessage(user.chat_id, "message", {"text": "pesan 2", "buttons": []}),
            OutMessage(user.chat_id, "card", {"key": f"k:{user.chat_id}", "text": "kartu 3",
                                              "buttons": []}),
            OutMessage(user.chat_id, "message", {"text": "pesan 4", "buttons": []}),
        ]
    async with office_bot(s) as (_app, office):
        await office.store.enqueue(queued, now=s.clock())  # all in the dispatcher's next pass
        office.on_queued()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 15
        while await owed(office):
            assert loop.time() < deadline
            await asyncio.sleep(0.05)
    for user in people:
        assert emu.sent_count("sendMessage", chat_id=user.chat_id) == 3, user.name
        assert emu.sent_count("editMessageText", chat_id=user.chat_id) == 1, user.name
        texts = [m.text for m in user.inbox if m.text in ("kartu 1", "kartu 3", "pesan 2",
                                                           "pesan 4")]
        assert texts == ["kartu 3", "pesan 2", "pesan 4"], user.name  # the card edited in place
        card = next(m for m in user.inbox if m.text == "kartu 3")
        assert card.edited
        order = [c.params.get("text") for c in emu.calls if c.ok
                 and c.params.get("chat_id") == str(user.chat_id)
                 and c.method in ("sendMessage", "editMessageText")
                 and c.params.get("text") in ("kartu 1", "kartu 3", "pesan 2", "pesan 4")]
        assert order == ["kartu 1", "pesan 2", "kartu 3", "pesan 4"], user.name
