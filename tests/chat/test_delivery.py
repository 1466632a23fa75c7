"""What the outbox owes arrives exactly once: across a restart, through 429 and 500 answers,
and within the group's 20 messages per minute."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

from bot.service import Office
from bot.workflow import Action, Instruction, Role
from devtools.emulator import BotApiEmulator, SimUser
from tests.support.botrun import GROUP_ID, TINY_PDF
from tests.support.chat import file_request, office_bot, owed, scene, take
from tests.support.office import HEAD


async def settled(office: Office, seconds: float = 15.0) -> None:
    """Wait until the outbox holds nothing more."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while await owed(office):
        assert loop.time() < deadline, f"{await owed(office)} messages still owed"
        await asyncio.sleep(0.1)


def failed_calls(emu: BotApiEmulator, method: str, status: int) -> int:
    return sum(1 for c in emu.calls if c.method == method and c.status == status)


async def test_restart_delivers_what_was_owed_once(emu: BotApiEmulator, tmp_path: Path) -> None:
    s = await scene(emu, tmp_path)
    p = s.people
    emu.inject("sendMessage", 500, count=10_000)
    async with office_bot(s) as (_app, office):
        request = await file_request(office)
        await take(office, HEAD, request, Action.DISPOSE, instruction=Instruction.FOLLOW_UP)
        await asyncio.sleep(1.2)  # the dispatcher tries, fails, and schedules retries
        assert failed_calls(emu, "sendMessage", 500) >= 3
        # head card, requester receipt, group card; kabid card, group card (internal hand-overs
        # are not reported to the requester)
        assert await owed(office) == 5
    assert emu.sent_count("sendMessage") == 0

    emu.clear_faults()
    async with office_bot(s) as (_app, office):
        await settled(office)
        await p.kabid.wait_for("Tahap 2")
        await asyncio.sleep(0.5)  # anything sent twice would show by now
    for user, count in ((p.head, 1), (p.kabid, 1), (p.requester, 1)):
        assert emu.sent_count("sendMessage", chat_id=user.chat_id) == count, user.name
        assert len(user.inbox) == count
    assert emu.sent_count("sendMessage", chat_id=GROUP_ID) == 1
    assert emu.sent_count("editMessageText", chat_id=GROUP_ID) == 1
    [card] = p.group.inbox
    assert "Disposisi Kabid" in card.text and card.edited


async def test_429_and_500_delay_but_lose_nothing(emu: BotApiEmulator, tmp_path: Path) -> None:
    s = await scene(emu, tmp_path)
    p = s.people
    letter = tmp_path / "surat.pdf"
    letter.write_bytes(TINY_PDF)
    emu.inject("sendMessage", 429, count=2, retry_after=1)
    emu.inject("sendDocument", 500, count=2)
    emu.inject("editMessageText", 500, count=2)
    async with office_bot(s) as (_app, office):
        request = await file_request(office, letter=letter)
        await take(office, HEAD, request, Action.DISPOSE, instruction=Instruction.FOLLOW_UP)
        await settled(office)
        await asyncio.sleep(0.3)
    assert failed_calls(emu, "sendMessage", 429) == 2
    assert failed_calls(emu, "sendDocument", 500) == 2
    assert failed_calls(emu, "editMessageText", 500) == 2
    for official in (p.head, p.kabid):
        assert emu.sent_count("sendDocument", chat_id=official.chat_id) == 1
        assert emu.sent_count("sendMessage", chat_id=official.chat_id) == 1
        first, second = official.inbox
        assert first.document is not None and first.document.data == TINY_PDF
        assert "Tahap" in second.text, "the letter comes before its step card"
    assert emu.sent_count("sendMessage", chat_id=p.requester.chat_id) == 1
    assert emu.sent_count("sendMessage", chat_id=GROUP_ID) == 1
    assert emu.sent_count("editMessageText", chat_id=GROUP_ID) == 1
    assert "Disposisi Kabid" in p.group.inbox[0].text


async def test_group_card_is_edited_in_place_within_limits(emu: BotApiEmulator,
                                                           tmp_path: Path) -> None:
    s = await scene(emu, tmp_path)
    s.settings = replace(s.settings, max_open_requests=0)  # 21 open requests, 4 requesters
    requesters: list[SimUser] = []
    async with office_bot(s) as (_app, office):
        for n in range(4):
            await office.store.add_agency(f"op{n}", f"Dinas Uji {n}")
            await office.store.add_agency_contact(f"op{n}", 401 + n, f"Pemohon {n}",
                                                  now=s.clock())
            requesters.append(emu.user(401 + n, f"Pemohon {n}"))
        # The head's cards are not what this test is about: no head while filing.
        await office.store.remove_position(Role.KEPALA_DINAS, HEAD)
        filed = [await file_request(office, f"layanan{n}", requester=401 + n % 4,
                                    agency=f"op{n % 4}") for n in range(21)]
        await office.store.set_position(Role.KEPALA_DINAS, HEAD, "Drs. H. Rahmadi, M.Si",
                                        now=s.clock())
        await take(office, HEAD, filed[0], Action.DISPOSE, instruction=Instruction.FOLLOW_UP)
        await settled(office, 30)

    group = s.people.group
    assert emu.sent_count("sendMessage", chat_id=GROUP_ID) == 21
    assert emu.sent_count("editMessageText", chat_id=GROUP_ID) == 1
    for request in filed:
        cards = [m for m in group.inbox if request.number in m.text]
        assert len(cards) == 1, request.number
    first = next(m for m in group.inbox if filed[0].number in m.text)
    assert first.edited and "Disposisi Kabid" in first.text
    sends = [c.at for c in emu.calls
             if c.ok and c.method == "sendMessage" and c.params.get("chat_id") == str(GROUP_ID)]
    assert sends[-1] - sends[0] >= 2.0, "the 21st group message waited for the per-minute limit"
