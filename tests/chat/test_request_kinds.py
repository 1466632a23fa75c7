"""A change (perubahan) and a deactivation (penonaktifan) through the same chain of
dispositions, on a real BIND: the kind's own buttons and letter, the DNS update made only while
the name holds what the register says, the register following the outcome."""

from __future__ import annotations

import argparse
import io
from datetime import date
from pathlib import Path

from pypdf import PdfReader

from bot import register_cli
from bot.reports import month_figures
from bot.service import FilingRefused, Office
from bot.workflow import Action
from devtools.emulator import BotApiEmulator, SimUser
from storage.models import NewRequest, Request
from tests.support.bind import BindServer
from tests.support.botrun import TINY_PDF
from tests.support.chat import (
    STEPS_TO_DECISION,
    Scene,
    act,
    advance,
    file_request,
    office_bot,
    owed,
    scene,
    take,
)
from tests.support.office import HEAD, KABID, REQUESTER, STAFF, person

FQDN = "layanan.balangankab.go.id"


async def file_kind(office: Office, kind: str, subdomain: str = "layanan", *,
                    target: str | None = "203.0.113.20") -> Request:
    """A change or deactivation request filed through the office service."""
    who = await person(office, REQUESTER)
    agency = await office.store.agency_by_code("dinkes")
    return await office.submit(NewRequest(
        agency_id=agency.id, requester_id=who.id, subdomain=subdomain,
        purpose="Pindah server", target_kind="ip" if target else "hosting",
        target_value=target, letter_number="400/200/Dinkes/2026",
        letter_date=date(2026, 12, 1), kind=kind))


async def created_layanan(office: Office) -> None:
    """`layanan` created through the SOP (registered as the health office's, A 203.0.113.10)."""
    r = await advance(office, await file_request(office, "layanan"), STEPS_TO_DECISION)
    r = await take(office, KABID, r, Action.APPROVE)
    r = await take(office, STAFF, r, Action.CONFIRM_CREATED)
    r = await take(office, HEAD, r, Action.SIGN)
    await take(office, REQUESTER, r, Action.CONFIRM_RECEIPT)


def _text(tmp: Path, data: bytes) -> str:
    path = tmp / f"letter-{len(data)}.pdf"
    path.write_bytes(data)
    return " ".join(" ".join(p.extract_text() for p in PdfReader(path).pages).split())


async def test_a_change_goes_through_the_chain_and_moves_the_record(
    emu: BotApiEmulator, tmp_path: Path, office_dns: BindServer
) -> None:
    s = await scene(emu, tmp_path)
    kabid, staff, head, requester = (s.people.kabid, s.people.staff, s.people.head,
                                     s.people.requester)
    async with office_bot(s) as (_app, office):
        await created_layanan(office)
        assert office_dns.values(FQDN) == {"203.0.113.10"}
        r = await file_kind(office, "perubahan")
        assert (r.kind, r.state) == ("perubahan", "perubahan_disposition_head")
        r = await advance(office, r, STEPS_TO_DECISION)
        card = await kabid.wait_for(lambda m: "Tahap 6" in m.text and r.number in m.text)
        assert ("Rencana rekaman DNS\nMengubah layanan.balangankab.go.id: A 203.0.113.10 → "
                "A 203.0.113.20") in card.text
        assert "Setujui perubahan" in card.button_texts
        assert "Subdomain sudah ada" not in card.button_texts
        await act(kabid, card, "Setujui perubahan")
        card = await staff.wait_for(lambda m: "Tahap 7" in m.text and r.number in m.text)
        await act(staff, card, "Ubah rekaman DNS")
        assert office_dns.values(FQDN) == {"203.0.113.20"}
        entry = await office.store.registered_name("layanan")
        assert entry is not None
        assert (entry.target, entry.status) == ("A 203.0.113.20", "active")
        assert entry.changed_at is not None
        card = await head.wait_for(lambda m: "Tahap 8" in m.text and r.number in m.text)
        await act(head, card, "Setujui dan tandatangani")
        letter = await requester.wait_for(lambda m: m.document is not None and r.number in (
            m.caption or ""), timeout=15)
        assert letter.document is not None
        text = _text(tmp_path, letter.document.data)
        assert "Permohonan Perubahan Subdomain" in text
        assert "telah selesai diubah" in text
        assert "203.0.113.20" in text
        done = await office.store.request(r.id)
        assert (done.state, done.outcome) == ("perubahan_delivery", "changed")

        # the register CLI and the month's report name the kind
        out = io.StringIO()
        assert await register_cli.register(office, argparse.Namespace(
            register_command="list", status=None, unowned=False, csv=False), out) == 0
        line = next(x for x in out.getvalue().splitlines() if x.startswith("layanan "))
        assert "A 203.0.113.20" in line and f"[{r.number} perubahan]" in line
        figures = await month_figures(office.store, office.settings.work_clock(), 2026, 11,
                                      office.settings.timezone, workflow=office.workflow)
        assert ("Pembuatan baru", 1) in figures.by_kind and ("Perubahan", 1) in figures.by_kind


async def test_a_change_behind_the_register_is_refused_and_the_step_stays_open(
    emu: BotApiEmulator, tmp_path: Path, office_dns: BindServer
) -> None:
    s = await scene(emu, tmp_path)
    staff = s.people.staff
    async with office_bot(s) as (_app, office):
        await created_layanan(office)
        r = await advance(office, await file_kind(office, "perubahan"), STEPS_TO_DECISION)
        r = await take(office, KABID, r, Action.APPROVE)
        card = await staff.wait_for(lambda m: "Tahap 7" in m.text and r.number in m.text)
        office_dns.update(FQDN + ".", "A", "198.51.100.7")  # edited by hand, not registered
        await staff.press(card, "Ubah rekaman DNS")
        await staff.press(await staff.wait_for(lambda m: m.edited and "✏️" in m.text), "Lewati")
        refused = await staff.wait_for("diubah di luar register")
        assert "Tidak ada rekaman yang diubah" in refused.text
        still = await office.store.request(r.id)
        assert (still.state, still.version) == ("perubahan_creation", r.version)
        assert office_dns.values(FQDN) == {"203.0.113.10", "198.51.100.7"}
        entry = await office.store.registered_name("layanan")
        assert entry is not None and entry.target == "A 203.0.113.10"
        assert entry.changed_at is None


async def test_a_deactivation_removes_only_what_the_register_holds(
    emu: BotApiEmulator, tmp_path: Path, office_dns: BindServer
) -> None:
    s = await scene(emu, tmp_path)
    kabid, staff, head, requester = (s.people.kabid, s.people.staff, s.people.head,
                                     s.people.requester)
    async with office_bot(s) as (_app, office):
        await created_layanan(office)
        r = await file_kind(office, "penonaktifan", target=None)
        assert (r.target_kind, r.target_value) == ("ip", "203.0.113.10")  # from the register
        r = await advance(office, r, STEPS_TO_DECISION)
        card = await kabid.wait_for(lambda m: "Tahap 6" in m.text and r.number in m.text)
        assert ("Menghapus layanan.balangankab.go.id: A 203.0.113.10") in card.text
        await act(kabid, card, "Setujui penonaktifan")
        card = await staff.wait_for(lambda m: "Tahap 7" in m.text and r.number in m.text)
        await act(staff, card, "Hapus rekaman DNS")
        assert office_dns.values(FQDN) == set()
        assert await office.store.registered_name("layanan") is None
        [removed] = await office.store.register("removed")
        assert removed.label == "layanan"
        card = await head.wait_for(lambda m: "Tahap 8" in m.text and r.number in m.text)
        await act(head, card, "Setujui dan tandatangani")
        letter = await requester.wait_for(lambda m: m.document is not None and r.number in (
            m.caption or ""), timeout=15)
        assert letter.document is not None
        text = _text(tmp_path, letter.document.data)
        assert "Permohonan Penonaktifan Subdomain" in text
        assert "telah dinonaktifkan" in text


async def test_only_owned_names_may_be_changed(
    emu: BotApiEmulator, tmp_path: Path, office_dns: BindServer
) -> None:
    s = await scene(emu, tmp_path)
    async with office_bot(s) as (_app, office):
        try:
            await file_kind(office, "perubahan", "dinkes")
        except FilingRefused as refused:
            assert "tidak tercatat sebagai milik" in str(refused)
        else:
            raise AssertionError("a name the register does not give the agency was accepted")
        await created_layanan(office)
        first = await file_kind(office, "penonaktifan", target=None)
        try:
            await file_kind(office, "perubahan")
        except FilingRefused as refused:
            assert first.number in str(refused)
        else:
            raise AssertionError("a second request on a busy name was accepted")
        try:
            await file_kind(office, "penangguhan")
        except FilingRefused as refused:
            assert "tidak dikenal" in str(refused)
        else:
            raise AssertionError("the office's own kind was filed by a requester")


async def _ajukan(requester: SimUser, kind: str, reason: str) -> None:
    """/ajukan for a change or a deactivation of `layanan`, up to the letter's file."""
    await requester.send_command("/ajukan")
    await requester.press(await requester.wait_for("1/9"), "Dinas Kesehatan")
    kinds = await requester.wait_for("2/9 Tuliskan nama subdomain")
    assert "pilih jenis permohonan" in kinds.text  # a new name is typed, the others pressed
    assert kinds.button_texts == ["Perubahan", "Penonaktifan"]
    await requester.press(kinds, kind)
    names = await requester.wait_for("2/9 Pilih subdomain milik Dinas Kesehatan")
    assert names.button_texts == [FQDN]
    await requester.press(names, FQDN)
    await requester.wait_for(f"3/9 Tuliskan alasan {kind.lower()}")
    await requester.send_text(reason)


async def _letter_and_send(requester: SimUser) -> str:
    await requester.tap("Bagikan kontak saya")
    await requester.wait_for("6/9")
    await requester.send_text("400/200/Dinkes/2026")
    await requester.wait_for("7/9")
    await requester.send_text("27-11-2026")
    await requester.wait_for("8/9", timeout=10)
    await requester.send_text("Permohonan Perubahan Subdomain")
    await requester.wait_for("9/9", timeout=10)
    await requester.send_document(TINY_PDF, "surat.pdf")
    summary = await requester.wait_for("Ringkasan permohonan", timeout=10)
    assert "Jenis permohonan: " in summary.text
    await requester.press(summary, "Kirim")
    sent = await requester.wait_for("Permohonan terkirim", timeout=10)
    return sent.text.split("nomor ")[1].rstrip(".")


async def _idle(s: Scene, office: Office) -> None:
    for _ in range(100):
        if not await owed(office):
            return
        await s.emu.world.changed.wait(0.1)
    raise AssertionError("the outbox did not empty")


async def test_a_change_asked_in_the_chat_is_made_and_its_trail_says_so(
    emu: BotApiEmulator, tmp_path: Path, office_dns: BindServer
) -> None:
    s = await scene(emu, tmp_path)
    requester, head = s.people.requester, s.people.head
    async with office_bot(s) as (_app, office):
        await created_layanan(office)
        await _ajukan(requester, "Perubahan", "Pindah ke server baru")
        target = await requester.wait_for("4/9 Subdomain diarahkan ke mana setelah perubahan")
        await requester.press(target, "Alamat IP")
        await requester.wait_for("Tuliskan Alamat IP")
        await requester.send_text("103.28.12.20")
        await requester.wait_for("5/9")
        await _idle(s, office)
        mark = len(emu.calls)
        number = await _letter_and_send(requester)
        r = await office.store.request(number)
        assert (r.kind, r.target_kind, r.target_value) == ("perubahan", "ip", "103.28.12.20")
        card = await head.wait_for(lambda m: number in m.text)
        assert "Jenis permohonan: Perubahan" in card.text
        await _idle(s, office)
        # the filing sent the head's card, the group's card and the requester's receipt only
        sent = {(c.method, c.params.get("chat_id")) for c in emu.calls[mark:]
                if c.ok and c.method.startswith("send") and c.method != "sendChatAction"}
        assert {chat for _, chat in sent} <= {str(head.chat_id), str(s.people.group.chat_id),
                                              str(requester.chat_id)}
        assert (("sendMessage", str(head.chat_id)) in sent)

        r = await advance(office, r, STEPS_TO_DECISION)
        r = await take(office, KABID, r, Action.APPROVE)
        await take(office, STAFF, r, Action.CONFIRM_CREATED)
        assert office_dns.values(FQDN) == {"103.28.12.20"}
        await requester.send_command("/riwayat", number)
        trail = await requester.wait_for("Riwayat")
        assert "Jenis permohonan: Perubahan" in trail.text
        assert "Disetujui untuk diubah" in trail.text and "Rekaman DNS diubah" in trail.text


async def test_a_deactivation_asked_in_the_chat_skips_the_target_and_removes_the_name(
    emu: BotApiEmulator, tmp_path: Path, office_dns: BindServer
) -> None:
    s = await scene(emu, tmp_path)
    requester = s.people.requester
    async with office_bot(s) as (_app, office):
        await created_layanan(office)
        await _ajukan(requester, "Penonaktifan", "Layanan sudah tidak digunakan")
        await requester.wait_for("5/9")  # no target is asked for a removal
        number = await _letter_and_send(requester)
        r = await office.store.request(number)
        assert (r.kind, r.target_kind, r.target_value) == ("penonaktifan", "ip", "203.0.113.10")
        r = await advance(office, r, STEPS_TO_DECISION)
        r = await take(office, KABID, r, Action.APPROVE)
        await take(office, STAFF, r, Action.CONFIRM_CREATED)
        assert office_dns.values(FQDN) == set()
        assert await office.store.registered_name("layanan") is None
        await requester.send_command("/riwayat", number)
        trail = await requester.wait_for("Riwayat")
        assert "Rekaman DNS dihapus" in trail.text
        # the name is no longer the agency's: /ajukan offers no change any more
        await requester.send_command("/ajukan")
        await requester.press(await requester.wait_for("1/9"), "Dinas Kesehatan")
        name = await requester.wait_for("2/9 Tuliskan nama subdomain")
        assert name.buttons == [] and "jenis permohonan" not in name.text
