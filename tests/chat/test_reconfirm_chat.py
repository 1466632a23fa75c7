"""The re-confirmation through the Bot API emulator: the question and its buttons, the owner's
answers, and the suspension the Kabid approves (on a real BIND, with the letter to the agency).
"Nothing else happened" is read from the emulator's call log once the outbox is idle."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pypdf import PdfReader

from bot.service import Office
from devtools.emulator import BotApiEmulator
from tests.support import botrun
from tests.support.bind import BindServer
from tests.support.chat import Scene, act, office_bot, owed, scene
from tests.support.office import open_office

LABEL = "arsip"
FQDN = f"{LABEL}.balangankab.go.id"


async def owned_a_year_ago(s: Scene, office_dns: BindServer) -> None:
    """`arsip` in the zone and in the register as the health office's, confirmed a year and
    a day ago."""
    office_dns.update(FQDN + ".", "A", "203.0.113.50")
    s.clock.now -= timedelta(days=366)
    office = await open_office(s.settings.database_path, s.clock, **botrun.DNS_ENV)
    await office.register.import_zone()
    await office.register.assign(LABEL, "dinkes")
    await office.store.close()
    s.clock.now += timedelta(days=366)


async def idle(s: Scene, office: Office) -> None:
    for _ in range(100):
        if not await owed(office):
            return
        await s.emu.world.changed.wait(0.1)
    raise AssertionError("the outbox did not empty")


def sent_since(s: Scene, mark: int) -> list[str]:
    return [f"{c.method} {c.params.get('chat_id', '')}".strip() for c in s.emu.calls[mark:]
            if c.ok and c.method != "getUpdates"]


async def test_masih_digunakan_confirms_and_nothing_else_happens(
        emu: BotApiEmulator, tmp_path: Path, office_dns: BindServer) -> None:
    s = await scene(emu, tmp_path)
    await owned_a_year_ago(s, office_dns)
    requester = s.people.requester
    async with office_bot(s) as (_app, office):
        asked = await requester.wait_for("Konfirmasi penggunaan subdomain")
        assert FQDN in asked.text and "Dinas Kesehatan" in asked.text
        assert asked.button_texts == ["Masih digunakan", "Tidak digunakan lagi"]
        await idle(s, office)
        mark = len(emu.calls)
        await requester.press(asked, "Masih digunakan")
        done = await requester.wait_for(lambda m: m.edited and "masih digunakan" in m.text)
        assert done.buttons == []
        await idle(s, office)
        assert sorted(sent_since(s, mark)) == ["answerCallbackQuery",
                                               f"editMessageText {requester.chat_id}"]
        entry = await office.store.registered_name(LABEL)
        assert entry is not None and entry.confirmed_at == s.clock()
        assert await office.store.requests(subdomain=LABEL) == []


async def test_tidak_digunakan_lagi_opens_a_deactivation_in_the_chain(
        emu: BotApiEmulator, tmp_path: Path, office_dns: BindServer) -> None:
    s = await scene(emu, tmp_path)
    await owned_a_year_ago(s, office_dns)
    requester, head = s.people.requester, s.people.head
    async with office_bot(s) as (_app, office):
        asked = await requester.wait_for("Konfirmasi penggunaan subdomain")
        await idle(s, office)
        mark = len(emu.calls)
        await requester.press(asked, "Tidak digunakan lagi")
        done = await requester.wait_for(lambda m: m.edited and "penonaktifan" in m.text)
        [request] = await office.store.requests(subdomain=LABEL)
        assert request.number in done.text
        card = await head.wait_for(lambda m: request.number in m.text)
        assert "Tahap 1" in card.text and "Jenis permohonan: Penonaktifan" in card.text
        assert "Disposisi ke Kabid · Tindak lanjuti" in card.button_texts
        await idle(s, office)
        sent = sent_since(s, mark)
        assert sorted(c for c in sent if c.startswith("send")) == sorted(
            [f"sendMessage {head.chat_id}", f"sendMessage {s.people.group.chat_id}"])
        assert sorted(c for c in sent if not c.startswith("send")) == [
            "answerCallbackQuery", f"editMessageText {requester.chat_id}"]


async def test_unanswered_the_kabid_approves_the_suspension_and_the_agency_gets_a_letter(
        emu: BotApiEmulator, tmp_path: Path, office_dns: BindServer) -> None:
    s = await scene(emu, tmp_path)
    await owned_a_year_ago(s, office_dns)
    office = await open_office(s.settings.database_path, s.clock, **botrun.DNS_ENV)
    for _ in range(3):  # asked, reminded twice: nobody answers
        await office.reconfirm.round()
        s.clock.advance(days=7)
    await office.store.close()
    kabid, staff, head, requester = (s.people.kabid, s.people.staff, s.people.head,
                                     s.people.requester)
    async with office_bot(s) as (_app, office):
        card = await kabid.wait_for("Persetujuan penangguhan oleh Kabid")
        [request] = await office.store.requests(subdomain=LABEL)
        assert request.kind == "penangguhan"
        assert f"Mengubah {FQDN}: A 203.0.113.50 → A 10.20.30.40" in card.text
        await act(kabid, card, "Setujui penangguhan")
        card = await staff.wait_for("Penangguhan subdomain oleh Staf Prakom")
        await act(staff, card, "Tangguhkan subdomain")
        assert office_dns.values(FQDN) == {"10.20.30.40"}  # pointed away (redirect)
        entry = await office.store.registered_name(LABEL)
        assert entry is not None and entry.status == "suspended"
        card = await head.wait_for(lambda m: "Tahap 8" in m.text and request.number in m.text)
        await act(head, card, "Setujui dan tandatangani")
        letter = await requester.wait_for(lambda m: m.document is not None and
                                          request.number in (m.caption or ""), timeout=15)
        assert letter.document is not None
        path = tmp_path / "suspended.pdf"
        path.write_bytes(letter.document.data)
        text = " ".join(" ".join(p.extract_text() for p in PdfReader(path).pages).split())
        assert "Penangguhan Subdomain" in text
        assert "pemutakhiran register subdomain" in text  # no letter of theirs is answered
        assert "Menindaklanjuti surat Saudara" not in text
