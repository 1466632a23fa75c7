"""Double taps, two holders, the wrong person, stale and forged buttons, the chosen staff."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.workflow import Action, Role, State
from devtools.emulator import BotApiEmulator
from tests.support.chat import (
    STEPS_TO_DECISION,
    STEPS_TO_ORDER_CHECK,
    act,
    advance,
    any_message,
    audit_actions,
    done_on,
    file_request,
    office_bot,
    scene,
    take,
)
from tests.support.office import ADMIN, HEAD, KABID, OUTSIDER, STAFF2, open_office, person


def is_outcome(text: str) -> bool:
    return "✅" in text or "Sudah diproses" in text


async def test_double_tap_makes_one_transition(emu: BotApiEmulator, tmp_path: Path) -> None:
    s = await scene(emu, tmp_path)
    requester = s.people.requester
    async with office_bot(s) as (_app, office):
        request = await advance(office, await file_request(office), STEPS_TO_DECISION)
        request = await take(office, KABID, request, Action.REJECT_EXISTS)
        request = await take(office, HEAD, request, Action.SIGN)
        assert request.state == State.DELIVERY
        letter = await requester.wait_for(lambda m: "Diterima" in m.button_texts, timeout=15)
        answers = await asyncio.gather(requester.press(letter, "Diterima"),
                                       requester.press(letter, "Diterima"))
        assert answers[0] is None
        assert answers[1] is not None
        assert answers[1].startswith(
            "Sudah diproses: Surat balasan diterima oleh Ahmad Dinkes pada ")
        assert answers[1].endswith(" WITA.")
        await requester.wait_for(done_on(letter))
        done = await office.store.request(request.id)
        assert done.state == State.COMPLETED
        assert (await audit_actions(office, request)).count("confirm_receipt") == 1
        await asyncio.sleep(0.5)
        assert sum(c.method == "editMessageCaption" for c in s.emu.calls) == 1


async def test_two_holders_press_at_once(emu: BotApiEmulator, tmp_path: Path) -> None:
    s = await scene(emu, tmp_path)
    kabid, admin, kasi = s.people.kabid, s.people.admin, s.people.kasi
    async with office_bot(s) as (_app, office):
        await office.store.set_position(Role.KABID, ADMIN, "Admin Diskominfo", now=s.clock())
        request = await advance(office, await file_request(office), STEPS_TO_ORDER_CHECK[:1])
        for user in (kabid, admin):
            card = await user.wait_for("Tahap 2")
            assert await user.press(card, "Disposisi ke Kasi · Tindak lanjuti") is None
        asks = [await u.wait_for(lambda m: m.edited and "✏️" in m.text)
                for u in (kabid, admin)]
        await asyncio.gather(kabid.press(asks[0], "Lewati"), admin.press(asks[1], "Lewati"))
        outcomes = [(await u.wait_for(lambda m: is_outcome(m.text))).text
                    for u in (kabid, admin)]
        assert sum(o.startswith("Sudah diproses: ") for o in outcomes) == 1
        assert sum("✅ Disposisi ke Kasi · Tindak lanjuti" in o for o in outcomes) == 1

        moved = await office.store.request(request.id)
        assert moved.state == State.ORDER_CHECK and moved.version == request.version + 1
        assert await audit_actions(office, request) == ["submit", "dispose", "dispose"]
        await kasi.wait_for("Tahap 3")
        await asyncio.sleep(0.5)
        assert sum("Tahap 3" in m.text for m in kasi.inbox) == 1


async def test_wrong_person_changes_nothing(emu: BotApiEmulator, tmp_path: Path) -> None:
    s = await scene(emu, tmp_path)
    head, kasi, requester = s.people.head, s.people.kasi, s.people.requester
    outsider = emu.user(OUTSIDER, "Orang Lain")
    async with office_bot(s) as (_app, office):
        request = await file_request(office)
        card = await head.wait_for("Tahap 1")
        _label, data = card.find_button("Disposisi ke Kabid · Tindak lanjuti")
        assert data is not None
        expected = "Tahap ini menjadi kewenangan Kepala Dinas."
        assert await kasi.press_data(await any_message(kasi), data) == expected
        assert await requester.press_data(await any_message(requester), data) == expected
        assert await outsider.press_data(await any_message(outsider), data) == (
            "Bapak/Ibu belum terdaftar untuk tugas ini.")
        same = await office.store.request(request.id)
        assert (same.state, same.version) == (State.DISPOSITION_HEAD, request.version)
        assert await audit_actions(office, request) == ["submit"]
        assert not any("instruksi" in m.text for m in kasi.inbox)


async def test_stale_and_forged_buttons_after_restart(emu: BotApiEmulator,
                                                      tmp_path: Path) -> None:
    s = await scene(emu, tmp_path)
    head = s.people.head
    async with office_bot(s) as (_app, office):
        request = await file_request(office)
        card = await head.wait_for("Tahap 1")
        _label, dispose = card.find_button("Disposisi ke Kabid · Tindak lanjuti")
        assert dispose is not None
        assert await head.press(card, "Disposisi ke Kabid · Tindak lanjuti") is None
        prompt = await head.wait_for(lambda m: m.edited and "Lewati" in m.button_texts)
    # While the bot is down the step is taken elsewhere (e.g. by the admin CLI).
    office = await open_office(s.settings.database_path, s.clock)
    try:
        await take(office, HEAD, request, Action.DISPOSE)
    finally:
        await office.store.close()

    async with office_bot(s) as (_app, office):
        # The card's pending action was saved, but its request has moved on meanwhile.
        assert await head.press(prompt, "Lewati") is None
        told = await head.wait_for("Sudah diproses")
        assert told.text == ("Sudah diproses: Didisposisikan oleh Drs. H. Rahmadi, M.Si pada "
                             "30-11-2026 pukul 09.00 WITA. Tidak ada yang berubah.")
        assert next(m for m in head.inbox if m.message_id == prompt.message_id).buttons == []
        answer = await head.press_data(card, dispose)
        assert answer == ("Sudah diproses: Didisposisikan oleh Drs. H. Rahmadi, M.Si pada "
                          "30-11-2026 pukul 09.00 WITA.")
        assert await head.press_data(card, "a:999:1:dispose") == "Permohonan tidak ditemukan."
        assert await head.press_data(card, "a:1:1:launch") == (
            "Tombol ini tidak dikenali lagi. Mohon gunakan /tugas.")
        assert await head.press_data(card, "garbage") == (
            "Tombol ini sudah tidak berlaku. Mohon gunakan /tugas atau /status.")
        same = await office.store.request(request.id)
        assert (same.state, same.version) == (State.DISPOSITION_KABID, 2)
        assert await audit_actions(office, request) == ["submit", "dispose"]


async def test_kasi_picks_the_staff(emu: BotApiEmulator, tmp_path: Path) -> None:
    s = await scene(emu, tmp_path, two_staff=True)
    kasi, rina = s.people.kasi, s.people.staff
    dedi = emu.user(STAFF2, "Dedi")
    async with office_bot(s) as (_app, office):
        request = await advance(office, await file_request(office), STEPS_TO_ORDER_CHECK)
        card = await kasi.wait_for("Tahap 3")
        await act(kasi, card, "Perintahkan pengecekan", choose_staff="Dedi Prakom")
        assigned = await office.store.request(request.id)
        assert assigned.state == State.TECHNICAL_CHECK
        assert assigned.assignee_id == (await person(office, STAFF2)).id

        step4 = await dedi.wait_for("Tahap 4")
        _label, data = step4.find_button("Kirim laporan teknis")
        assert data is not None
        assert await rina.press_data(await any_message(rina), data) == (
            "Tahap ini ditugaskan kepada staf lain.")
        assert not any("Tahap 4" in m.text for m in rina.inbox)
        assert (await office.store.request(request.id)).version == assigned.version

        await act(dedi, step4, "Kirim laporan teknis", "Nama tersedia")
        checked = await office.store.request(request.id)
        assert checked.state == State.REPORT_TO_KABID
        last = (await office.store.timeline(request.id))[-1]
        assert (last.actor_name, last.note) == ("Dedi Prakom", "Nama tersedia")
