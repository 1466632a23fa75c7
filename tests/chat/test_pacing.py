"""Normal flows meet no 429: the bot keeps to Telegram's rates (the emulator's flood limits are
on in every chat test) instead of learning them from 429 answers."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.service import Office
from bot.workflow import Action, Instruction, State
from devtools.emulator import BotApiEmulator
from tests.support.botrun import GROUP_ID
from tests.support.chat import (
    act,
    done_on,
    file_request,
    office_bot,
    owed,
    scene,
    submit_by_chat,
    take,
)
from tests.support.office import HEAD


async def settled(office: Office, seconds: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while await owed(office):
        assert loop.time() < deadline, f"{await owed(office)} messages still owed"
        await asyncio.sleep(0.05)


def too_many(emu: BotApiEmulator) -> list[str]:
    return [f"{c.method} {c.params.get('chat_id')}" for c in emu.calls if c.status == 429]


async def test_a_whole_journey_and_a_decline_meet_no_429(emu: BotApiEmulator,
                                                         tmp_path: Path) -> None:
    s = await scene(emu, tmp_path)
    p = s.people
    async with office_bot(s) as (_app, office):
        number = await submit_by_chat(p.requester)
        route = [
            (p.head, "Tahap 1", "Disposisi ke Kabid", "Segera", "Tindak lanjuti"),
            (p.kabid, "Tahap 2", "Disposisi ke Kasi", None, "Pelajari dan laporkan"),
            (p.kasi, "Tahap 3", "Perintahkan pengecekan", None, None),
            (p.staff, "Tahap 4", "Kirim laporan teknis", "Nama tersedia", None),
            (p.kasi, "Tahap 5", "Kirim laporan ke Kabid", None, None),
            (p.kabid, "Tahap 6", "Setujui pembuatan", None, None),
            (p.staff, "Tahap 7", "Buat subdomain", None, None),
            (p.head, "Tahap 8", "Setujui dan tandatangani", None, None),
        ]
        for user, step, label, note, choose in route:
            card = await user.wait_for(step, timeout=15)
            await act(user, card, label, note, choose=choose)
        receipt = await p.requester.wait_for(lambda m: "Diterima" in m.button_texts, timeout=15)
        await p.requester.press(receipt, "Diterima")
        await p.requester.wait_for(done_on(receipt), timeout=10)

        declined = await file_request(office, "aplikasi")
        card = await p.head.wait_for(lambda m: "Tahap 1" in m.text and declined.number in m.text,
                                     timeout=15)
        await act(p.head, card, "Tolak permohonan", "Tidak sesuai tugas pokok dan fungsi")
        letter = await p.requester.wait_for(
            lambda m: m.document is not None and declined.number in (m.caption or m.text),
            timeout=15)
        assert letter.document is not None

        await settled(office)
        assert (await office.store.request(number)).state == State.COMPLETED
        assert (await office.store.request(declined.id)).state == State.DECLINED
    assert too_many(emu) == []
    assert not [c for c in emu.calls if c.error and c.method != "getUpdates"]


async def test_a_burst_is_paced_per_chat_and_meets_no_429(emu: BotApiEmulator,
                                                          tmp_path: Path) -> None:
    """Ten requests disposed at once: the Kabid's ten cards come at Telegram's pace for one
    chat, the group's and the requesters' messages meanwhile."""
    s = await scene(emu, tmp_path)
    async with office_bot(s) as (_app, office):
        filed = []
        for n in range(10):
            await office.store.add_agency(f"op{n}", f"Dinas Uji {n}")
            await office.store.add_agency_contact(f"op{n}", 401 + n, f"Pemohon {n}",
                                                  now=s.clock())
            emu.user(401 + n, f"Pemohon {n}")
            filed.append(await file_request(office, f"layanan{n}", requester=401 + n,
                                            agency=f"op{n}"))
        for request in filed:
            await take(office, HEAD, request, Action.DISPOSE, instruction=Instruction.FOLLOW_UP)
        await settled(office)
    assert too_many(emu) == []
    kabid = [c.at for c in emu.calls if c.ok and c.method in ("sendMessage", "sendDocument")
             and c.params.get("chat_id") == str(s.people.kabid.chat_id)]
    assert len(kabid) == 10
    # a burst of five, then about one a second: the last five took about five seconds
    assert kabid[-1] - kabid[4] >= 4.5
    assert kabid[4] - kabid[0] < 1.0
    assert len([m for m in s.people.kabid.inbox if "Tahap 2" in m.text]) == 10
    group = [c for c in emu.calls if c.ok and c.params.get("chat_id") == str(GROUP_ID)]
    assert len([c for c in group if c.method == "sendMessage"]) == 10
