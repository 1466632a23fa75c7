"""Whole journeys through the real Application over HTTP to the Bot API emulator."""

from __future__ import annotations

from pathlib import Path

from bot.emulator import BotApiEmulator, SimMessage, SimUser
from bot.workflow import State
from tests.support.botrun import (
    TINY_PDF,
    cast,
    office_of,
    running_office_bot,
    seed,
    settings_for,
)
from tests.support.office import Clock


async def submit_by_chat(requester: SimUser, subdomain: str = "layanan") -> str:
    await requester.send_command("/ajukan")
    agency = await requester.wait_for("Pilih Perangkat Daerah")
    await requester.press(agency, "Dinas Kesehatan")
    await requester.wait_for("2/8")
    await requester.send_text(subdomain)
    await requester.wait_for("3/8")
    await requester.send_text("Portal layanan kesehatan masyarakat")
    target = await requester.wait_for("4/8")
    await requester.press(target, "Alamat IP")
    await requester.wait_for("Tuliskan Alamat IP")
    await requester.send_text("103.28.12.10")
    await requester.wait_for("5/8")
    await requester.tap("Bagikan kontak saya")
    await requester.wait_for("6/8")
    await requester.send_text("400/123/Dinkes/2026")
    await requester.wait_for("7/8")
    await requester.send_text("27-11-2026")
    await requester.wait_for("8/8")
    await requester.send_document(TINY_PDF, "surat-permohonan.pdf")
    summary = await requester.wait_for("Ringkasan permohonan")
    await requester.press(summary, "Kirim")
    sent = await requester.wait_for("Permohonan terkirim")
    return sent.text.split("nomor ")[1].rstrip(".")


async def act(user: SimUser, card: SimMessage, label: str, note: str | None = None,
              choose: str | None = None) -> None:
    """Press `label` on a step card, pick `choose` if asked, then give the note or skip."""
    assert await user.press(card, label) in (None, "")
    if choose is not None:
        prompt = await user.wait_for(lambda m: not m.edited and choose in m.button_texts)
        await user.press(prompt, choose)
    ask = await user.wait_for(lambda m: "catatan" in m.text and not m.edited)
    if note is None:
        await user.press(ask, "Lewati")
    else:
        await user.send_text(note)
    await user.wait_for("Tercatat")


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
        assert card.button_texts == ["Disposisi ke Kabid", "Tolak permohonan"]
        await act(people.head, card, "Disposisi ke Kabid", "Segera", choose="Tindak lanjuti")
        done = await people.head.wait_for(lambda m: m.edited and "✅" in m.text)
        assert done.message_id == card.message_id and done.buttons == []
        assert "oleh Drs. H. Rahmadi, M.Si" in done.text

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
        await act(people.head, card, "Setujui & tandatangani")
        receipt = await people.requester.wait_for(lambda m: "Diterima" in m.button_texts)
        assert await people.requester.press(receipt, "Diterima") in (None, "")
        await people.requester.wait_for("Tercatat")

        office = office_of(app)
        request = await office.store.request(number)
        assert request.state is State.COMPLETED
        events = await office.store.timeline(request.id)
        assert len(events) == 10
        assert events[1].instruction == "Tindak lanjuti"
        assert events[1].note == "Segera"

        cards = [m for m in people.group.inbox if number in m.text]
        assert len(cards) == 1, "one status card per request, edited in place"
        assert "Selesai" in cards[0].text
