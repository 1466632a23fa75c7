"""Whole journeys through the real Application over HTTP to the Bot API emulator."""

from __future__ import annotations

from pathlib import Path

from bot.workflow import State
from devtools.emulator import BotApiEmulator
from tests.support.botrun import (
    TINY_PDF,
    cast,
    office_of,
    running_office_bot,
    seed,
    settings_for,
)
from tests.support.chat import act, done_on, submit_by_chat
from tests.support.office import Clock


async def test_created_journey_end_to_end(emu: BotApiEmulator, tmp_path: Path) -> None:
    clock = Clock()
    settings = settings_for(emu, tmp_path)
    await seed(settings, clock)
    people = cast(emu)
    async with running_office_bot(settings, clock) as app:
        number = await submit_by_chat(people.requester)
        assert number == "SD-2026-0001"
        letter = await people.head.wait_for(lambda m: m.document is not None)
        assert letter.document is not None and letter.document.data == TINY_PDF
        card = await people.head.wait_for("Tahap 1")
        assert card.button_texts == [
            "Disposisi ke Kabid · Tindak lanjuti", "Disposisi ke Kabid · Pelajari dan laporkan",
            "Disposisi ke Kabid · Koordinasikan", "Disposisi ke Kabid · Untuk diketahui",
            "Tolak permohonan"]
        done = await act(people.head, card, "Disposisi ke Kabid", "Segera",
                         choose="Tindak lanjuti")
        assert done.message_id == card.message_id and done.buttons == []
        assert "✅ Disposisi ke Kabid · Tindak lanjuti oleh Drs. H. Rahmadi, M.Si" in done.text
        assert "Catatan: Segera" in done.text

        card = await people.kabid.wait_for("Tahap 2")
        await act(people.kabid, card, "Disposisi ke Kasi", choose="Pelajari dan laporkan")
        card = await people.kasi.wait_for("Tahap 3")
        await act(people.kasi, card, "Perintahkan pengecekan")
        card = await people.staff.wait_for("Tahap 4")
        await act(people.staff, card, "Kirim laporan teknis", "Nama tersedia")
        card = await people.kasi.wait_for("Tahap 5")
        await act(people.kasi, card, "Kirim laporan ke Kabid")
        card = await people.kabid.wait_for("Tahap 6")
        assert "Setujui pembuatan" in card.button_texts
        await act(people.kabid, card, "Setujui pembuatan")
        card = await people.staff.wait_for("Tahap 7")
        await act(people.staff, card, "Buat subdomain")
        card = await people.head.wait_for("Tahap 8")
        await act(people.head, card, "Setujui dan tandatangani")
        receipt = await people.requester.wait_for(lambda m: "Diterima" in m.button_texts)
        assert await people.requester.press(receipt, "Diterima") in (None, "")
        await people.requester.wait_for(done_on(receipt))

        office = office_of(app)
        request = await office.store.request(number)
        assert request.state == State.COMPLETED
        events = await office.store.timeline(request.id)
        assert len(events) == 10
        assert events[1].instruction == "Tindak lanjuti"
        assert events[1].note == "Segera"

        await people.group.wait_for(lambda m: "Status: Selesai" in m.text, timeout=15)
        finished = await people.group.wait_for(lambda m: not m.edited and "selesai." in m.text,
                                               timeout=15)
        assert number in finished.text
        cards = [m for m in people.group.inbox if number in m.text and "Status:" in m.text]
        assert len(cards) == 1, [(m.message_id, m.text[:80]) for m in people.group.inbox]
        assert "Selesai" in cards[0].text
