"""Who may file with /ajukan: registered contacts for their own agency (by default), anyone
with OPEN_SUBMISSIONS (the Kepala Dinas is told), and never more than MAX_OPEN_REQUESTS open."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.service import FilingRefused
from bot.workflow import Action, State
from devtools.emulator import BotApiEmulator, SimUser
from storage.models import NewRequest
from tests.support.botrun import TINY_PDF, settings_for
from tests.support.chat import (
    file_request,
    fill_form_to_letter,
    office_bot,
    scene,
    submit_by_chat,
    take,
)
from tests.support.office import HEAD, OUTSIDER, REQUESTER, person

NOT_REGISTERED = "Pemohon bukan kontak terdaftar Dinas Kesehatan"


async def last_reply(user: SimUser, text: str) -> str:
    sent = await user.send_text(text)
    reply = await user.wait_for(lambda m: m.message_id > sent.message_id and not m.edited)
    return reply.text


async def test_only_registered_contacts_file_and_only_for_their_agency(
        emu: BotApiEmulator, tmp_path: Path) -> None:
    s = await scene(emu, tmp_path)
    requester = s.people.requester
    outsider = emu.user(OUTSIDER, "Orang Luar", phone="+6281311111111")
    async with office_bot(s) as (_app, office):
        disdik = await office.store.add_agency("disdik", "Dinas Pendidikan")

        refusal = await last_reply(outsider, "/ajukan")
        assert "hanya dapat diajukan oleh kontak Perangkat Daerah yang terdaftar" in refusal
        await outsider.send_text("Dinas Kesehatan")  # no form is running: nothing is asked
        await outsider.send_command("/bantuan")
        await outsider.wait_for("Petunjuk")
        assert not [m for m in outsider.inbox if "2/9" in m.text]

        await requester.send_command("/ajukan")
        form = await requester.wait_for("Pilih Perangkat Daerah")
        assert form.button_texts == ["Dinas Kesehatan"]
        typed = await last_reply(requester, "Dinas Pendidikan")
        assert "hanya dapat mengajukan permohonan untuk Perangkat Daerah tempat" in typed
        await requester.press_data(form, f"g:{disdik.id}")  # a forged button
        await requester.wait_for("hanya dapat mengajukan permohonan untuk Perangkat Daerah")
        await requester.press(form, "Dinas Kesehatan")
        await requester.wait_for("2/9")

        # The office service holds the rule, whatever the front end.
        contact = await person(office, REQUESTER)
        new = NewRequest(
            agency_id=disdik.id, requester_id=contact.id, subdomain="sekolah",
            purpose="Portal sekolah", target_kind="ip", target_value="203.0.113.10",
            letter_number="1/2026", letter_date=date(2026, 11, 27))
        with pytest.raises(FilingRefused, match="tempat Bapak/Ibu terdaftar sebagai kontak"):
            await office.submit(new)
        assert await office.store.requests() == []


async def test_open_submissions_flag_the_heads_card(emu: BotApiEmulator,
                                                    tmp_path: Path) -> None:
    s = await scene(emu, tmp_path)
    s.settings = settings_for(emu, tmp_path, OPEN_SUBMISSIONS="true")
    outsider = emu.user(OUTSIDER, "Orang Luar", phone="+6281311111111")
    head = s.people.head
    async with office_bot(s) as (_app, office):
        number = await submit_by_chat(outsider)
        card = await head.wait_for(lambda m: "Tahap 1" in m.text and number in m.text)
        assert NOT_REGISTERED in card.text

        registered = await file_request(office, "portal")
        card = await head.wait_for(lambda m: "Tahap 1" in m.text and registered.number in m.text)
        assert "bukan kontak terdaftar" not in card.text
        filed = await office.store.request(number)
        outsider_person = await person(office, OUTSIDER)
        assert filed.requester_id == outsider_person.id


async def test_at_most_max_open_requests_per_person(emu: BotApiEmulator, tmp_path: Path) -> None:
    s = await scene(emu, tmp_path)
    s.settings = settings_for(emu, tmp_path, MAX_OPEN_REQUESTS="2")
    requester, head = s.people.requester, s.people.head
    async with office_bot(s) as (_app, office):
        first = await file_request(office, "satu")
        await fill_form_to_letter(requester, "tiga")  # the form is started with one open
        await file_request(office, "dua")             # meanwhile the second is filed
        await requester.send_document(TINY_PDF, "surat-permohonan.pdf")
        summary = await requester.wait_for("Ringkasan permohonan", timeout=10)
        await requester.press(summary, "Kirim")
        refused = await requester.wait_for(lambda m: m.edited and "masih memiliki" in m.text)
        assert "2 permohonan yang sedang diproses (paling banyak 2)" in refused.text
        assert len(await office.store.requests()) == 2
        assert list((s.settings.data_dir / "incoming").iterdir()) == [], "letter not kept"

        refusal = await last_reply(requester, "/ajukan")
        assert "masih memiliki 2 permohonan" in refusal and "\n" not in refusal

        declined = await take(office, HEAD, first, Action.DECLINE, "Bukan kewenangan")
        assert declined.state == State.DECLINED
        await head.wait_for("Tahap 1")
        await requester.send_command("/ajukan")
        await requester.wait_for("Pilih Perangkat Daerah")
