"""The DNS part through the chat: the /ajukan pre-check, step 4's check, step 6's plan, step 7's
creation on a real BIND 9 (and its failures), and the 'already exists' outcome."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader

from bot.workflow import Action, State
from devtools.emulator import BotApiEmulator
from tests.support import botrun
from tests.support.bind import BindServer
from tests.support.botrun import TINY_PDF
from tests.support.chat import (
    STEPS_TO_DECISION,
    STEPS_TO_ORDER_CHECK,
    act,
    advance,
    file_request,
    fill_form_to_letter,
    office_bot,
    scene,
    take,
)
from tests.support.office import KABID, KASI


async def test_ajukan_offers_a_taken_name_and_accepts_a_free_one(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    s = await scene(emu, tmp_path)
    requester = s.people.requester
    async with office_bot(s):
        await requester.send_command("/ajukan")
        await requester.press(await requester.wait_for("Pilih Perangkat Daerah"),
                              "Dinas Kesehatan")
        await requester.wait_for("2/9")
        await requester.send_text("dinkes")
        taken = await requester.wait_for("sudah ada di DNS")
        assert "10.0.0.5" not in taken.text  # the record data is the office's, not shown
        assert taken.button_texts == ["Lanjutkan dengan nama ini", "Pilih nama lain"]
        await requester.press(taken, "Pilih nama lain")
        await requester.wait_for("nama subdomain lain")
        await requester.send_text("www")
        reserved = await requester.wait_for("dicadangkan")
        assert "Saran" in reserved.text
        await requester.send_text("Layanan-Baru")
        accepted = await requester.wait_for("3/9")
        assert "layanan-baru.balangankab.go.id" in accepted.text
        assert "(tersedia)" in accepted.text


async def test_a_name_that_exists_goes_on_to_the_sops_answer(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    """The SOP's step 6 answers "already exists" (use the existing account): a request for a
    name in DNS must be able to get there."""
    s = await scene(emu, tmp_path)
    requester, kabid = s.people.requester, s.people.kabid
    async with office_bot(s) as (_app, office):
        await fill_form_to_letter(requester, "dinkes", taken=True)
        # The form's own example IP is the one the requester gave, and it was accepted.
        assert any("contoh: 103.28.12.10" in m.text for m in requester.inbox)
        await requester.send_document(TINY_PDF, "surat.pdf")
        await requester.press(await requester.wait_for("Ringkasan permohonan", timeout=10),
                              "Kirim")
        number = (await requester.wait_for("Permohonan terkirim")).text.split("nomor ")[1]
        r = await advance(office, await office.request(number.rstrip(".")), STEPS_TO_DECISION)
        card = await kabid.wait_for("Tahap 6")
        assert "Subdomain sudah ada" in card.button_texts
        done = await take(office, KABID, r, Action.REJECT_EXISTS)
        assert done.state == State.LETTER_SIGNOFF


async def test_step_4_shows_the_check_and_can_rerun_it(
    emu: BotApiEmulator, tmp_path: Path, office_dns: BindServer
) -> None:
    s = await scene(emu, tmp_path)
    staff = s.people.staff
    async with office_bot(s) as (_app, office):
        r = await advance(office, await file_request(office, "pantau"), STEPS_TO_ORDER_CHECK)
        r = await take(office, KASI, r, Action.ORDER_CHECK)
        card = await staff.wait_for("Tahap 4")
        assert "Hasil pemeriksaan DNS</b>" not in card.text  # HTML was parsed, not shown
        assert "Hasil pemeriksaan DNS\nTersedia" in card.text
        # Meanwhile someone creates the name by hand; the re-run sees it.
        office_dns.update("pantau.balangankab.go.id.", "A", "198.51.100.9")
        await staff.press(card, "Cek ulang DNS")
        again = await staff.wait_for("Hasil pemeriksaan DNS")
        assert "198.51.100.9" in again.text
        await act(staff, card, "Kirim laporan teknis", "Nama sudah dipakai pihak lain")
        last = (await office.store.timeline(r.id))[-1]
        assert last.details["dns_check"]["status"] == "taken"


async def test_step_6_shows_the_plan_and_step_7_creates_it_on_bind(
    emu: BotApiEmulator, tmp_path: Path, office_dns: BindServer
) -> None:
    s = await scene(emu, tmp_path)
    kabid, staff, head = s.people.kabid, s.people.staff, s.people.head
    async with office_bot(s) as (_app, office):
        r = await advance(office, await file_request(office, "baru"), STEPS_TO_DECISION)
        card = await kabid.wait_for("Tahap 6")
        assert "Rencana rekaman DNS\nMembuat baru.balangankab.go.id: A 203.0.113.10" in card.text
        await act(kabid, card, "Setujui pembuatan")
        card = await staff.wait_for("Tahap 7")
        await act(staff, card, "Buat subdomain")
        assert office_dns.values("baru.balangankab.go.id") == {"203.0.113.10"}
        draft = await head.wait_for(lambda m: m.document is not None and "KONSEP" in (
            m.caption or ""), timeout=10)
        assert draft.document is not None
        text = PdfReader(_pdf(tmp_path, draft.document.data)).pages[0].extract_text()
        assert "KONSEP" in text
        assert "baru.balangankab.go.id" in text
        r = await office.store.request(r.id)
        assert r.state == State.LETTER_SIGNOFF


async def test_step_7_collision_is_refused_and_changes_nothing(
    emu: BotApiEmulator, tmp_path: Path, office_dns: BindServer
) -> None:
    s = await scene(emu, tmp_path)
    staff = s.people.staff
    async with office_bot(s) as (_app, office):
        r = await advance(office, await file_request(office, "rebut"), STEPS_TO_DECISION)
        r = await take(office, KABID, r, Action.APPROVE)
        card = await staff.wait_for("Tahap 7")
        office_dns.update("rebut.balangankab.go.id.", "A", "198.51.100.20")
        await staff.press(card, "Buat subdomain")
        ask = await staff.wait_for(lambda m: m.edited and "✏️" in m.text)
        await staff.press(ask, "Lewati")
        refused = await staff.wait_for("dibuat pihak lain")
        assert "Tercatat" not in refused.text
        still = await office.store.request(r.id)
        assert (still.state, still.version) == (State.CREATION, r.version)
        assert office_dns.values("rebut.balangankab.go.id") == {"198.51.100.20"}
        assert await office.store.live_subdomains() == {}


async def test_already_exists_outcome_delivers_the_letter(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    s = await scene(emu, tmp_path)
    kabid, head, requester = s.people.kabid, s.people.head, s.people.requester
    async with office_bot(s) as (_app, office):
        r = await advance(office, await file_request(office, "dinkes"), STEPS_TO_DECISION)
        card = await kabid.wait_for("Tahap 6")
        assert "Sudah dipakai" in card.text
        await act(kabid, card, "Subdomain sudah ada")
        card = await head.wait_for("Tahap 8")
        await act(head, card, "Setujui dan tandatangani")
        letter = await requester.wait_for(lambda m: m.document is not None and
                                          "Surat balasan" in (m.caption or ""), timeout=15)
        assert letter.document is not None
        text = " ".join(PdfReader(_pdf(tmp_path, letter.document.data)).pages[0]
                        .extract_text().split())
        assert "555/1/Diskominfo-Blg/2026" in text
        assert "KONSEP" not in text
        assert "nama pengguna dan kata sandi" in text
        assert await requester.press(letter, "Diterima") in (None, "")
        receipt = await requester.wait_for(lambda m: m.edited and m.document is not None)
        assert receipt.message_id == letter.message_id
        assert "✅ Diterima oleh Ahmad Dinkes" in (receipt.caption or "")
        assert receipt.buttons == []
        done = await office.store.request(r.id)
        assert done.state == State.COMPLETED
        [issued] = await office.store.letters(r.id)
        assert issued.delivered_at is not None
        assert issued.received_at is not None


def _pdf(tmp: Path, data: bytes) -> Path:
    path = tmp / f"received-{len(data)}.pdf"
    path.write_bytes(data)
    return path


async def test_manual_provider_verifies_before_the_step_completes(
    emu: BotApiEmulator, tmp_path: Path, office_dns: BindServer
) -> None:
    botrun.DNS_ENV["DNS_PROVIDER"] = "manual"
    s = await scene(emu, tmp_path)
    staff = s.people.staff
    async with office_bot(s) as (_app, office):
        r = await advance(office, await file_request(office, "manual"), STEPS_TO_DECISION)
        r = await take(office, KABID, r, Action.APPROVE)
        card = await staff.wait_for("Tahap 7")
        assert "Buat rekaman tersebut di panel DNS/hosting" in card.text
        await staff.press(card, "Buat subdomain")
        await staff.press(await staff.wait_for(lambda m: m.edited and "✏️" in m.text),
                          "Lewati")
        await staff.wait_for("Rekaman belum terlihat di DNS")
        assert (await office.store.request(r.id)).state == State.CREATION
        # The staff create it by hand, and press again.
        office_dns.update("manual.balangankab.go.id.", "A", "203.0.113.10")
        await act(staff, card, "Buat subdomain")
        done = await office.store.request(r.id)
        assert done.state == State.LETTER_SIGNOFF
        last = (await office.store.timeline(r.id))[-1]
        assert last.details["provider"] == "manual"
        assert last.details["verified"] is True


async def test_history_offers_officials_the_disposition_sheet(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    s = await scene(emu, tmp_path)
    kabid, requester = s.people.kabid, s.people.requester
    async with office_bot(s) as (_app, office):
        r = await advance(office, await file_request(office, "lembar"), STEPS_TO_ORDER_CHECK)
        await kabid.send_command("/riwayat", r.number)
        history = await kabid.wait_for("Riwayat")
        await kabid.press(history, "Lembar disposisi (PDF)")
        sheet = await kabid.wait_for(lambda m: m.document is not None and
                                     "Lembar disposisi" in (m.caption or ""))
        assert sheet.document is not None
        text = " ".join(PdfReader(_pdf(tmp_path, sheet.document.data)).pages[0]
                        .extract_text().split())
        assert "LEMBAR DISPOSISI" in text
        assert "Tindak lanjuti" in text
        # The requester sees the trail but gets no sheet button.
        await requester.send_command("/riwayat", r.number)
        own = await requester.wait_for("Riwayat")
        assert own.buttons == []
