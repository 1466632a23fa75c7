"""Invite links opened in the chat: `/start CODE` binds a position or an agency contact once,
tells the person and the admins; unknown, expired and used codes bind nothing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.service import Office
from bot.workflow import Role, State
from devtools.emulator import BotApiEmulator, SimMessage, SimUser
from storage.invites import InviteSpec
from tests.support.botrun import GROUP_ID
from tests.support.chat import STEPS_TO_ORDER_CHECK, advance, file_request, office_bot, scene
from tests.support.office import HEAD, KABID

NEW_KABID, NEW_HEAD, CONTACT, LATE = 501, 502, 601, 602


async def holds(office: Office, telegram_user_id: int, role: Role) -> bool:
    person = await office.store.person_by_telegram(telegram_user_id)
    if person is None:
        return False
    return any(h.position == role for h in await office.store.positions_of(person.id,
                                                                           office.today()))


async def refused_line(user: SimUser, code: str, expected: str) -> SimMessage:
    sent = await user.send_command("/start", code)
    reply = await user.wait_for(lambda m: m.message_id > sent.message_id and not m.edited)
    assert expected in reply.text, reply.text
    assert "\n" not in reply.text, "one line"
    return reply


async def test_a_role_invite_binds_the_position_and_hands_over_the_waiting_step(
        emu: BotApiEmulator, tmp_path: Path) -> None:
    s = await scene(emu, tmp_path)
    newcomer = emu.user(NEW_KABID, "Yusuf")
    async with office_bot(s) as (_app, office):
        await office.store.remove_position(Role.KABID, KABID)  # the Kabid has left
        waiting = await advance(office, await file_request(office), STEPS_TO_ORDER_CHECK[:1])
        assert waiting.state == State.DISPOSITION_KABID
        code, invite = await office.create_invite(InviteSpec(
            name="Ir. Yusuf Hidayat, M.T", position="kabid", nip="198001012005011002"))
        assert invite.expires_at - invite.created_at == timedelta(days=7)
        assert len(code) == 32 and all(c.isalnum() or c in "-_" for c in code)
        stored = [i.id for i in await office.invites.all()]
        assert stored == [invite.id]

        await newcomer.send_command("/start", code)
        welcome = await newcomer.wait_for("Selamat datang")
        assert "Ir. Yusuf Hidayat, M.T" in welcome.text
        assert "Kepala Bidang Layanan e-Government" in welcome.text
        card = await newcomer.wait_for("Tahap 2")  # the step that waited for the position
        assert waiting.number in card.text
        assert "Disposisi ke Kasi · Tindak lanjuti" in card.button_texts
        told = await s.people.admin.wait_for("Tautan undangan telah digunakan")
        assert f"ID Telegram {NEW_KABID}" in told.text and "Ir. Yusuf Hidayat" in told.text

        assert await holds(office, NEW_KABID, Role.KABID)
        person = await office.store.person_by_telegram(NEW_KABID)
        assert person is not None and person.nip == "198001012005011002"
        [used] = await office.invites.all()
        assert used.used_by == NEW_KABID and used.used_at == s.clock()
        # The database never holds the code itself.
        assert code.encode() not in s.settings.database_path.read_bytes()

        # Opened again: by the same person, and by someone else.
        await refused_line(newcomer, code, "sudah Bapak/Ibu gunakan")
        await refused_line(emu.user(LATE, "Lain"), code, "sudah pernah digunakan")
        assert not await holds(office, LATE, Role.KABID)


async def test_an_acting_invite_and_its_guard(emu: BotApiEmulator, tmp_path: Path) -> None:
    s = await scene(emu, tmp_path)
    head, acting = s.people.head, emu.user(NEW_HEAD, "Plt")
    async with office_bot(s) as (_app, office):
        until = office.today() + timedelta(days=14)
        code, _invite = await office.create_invite(InviteSpec(
            name="Dra. Hj. Nurul Aini", position="kepala_dinas", acting="plt",
            valid_until=until))
        # The definitive Kepala Dinas cannot be made their own Plt.: refused, and the invite
        # stays usable for the person it was meant for.
        await refused_line(head, code, "secara definitif")
        assert [h.acting for h in await office.store.position_holders(Role.KEPALA_DINAS)] == [
            None]

        await acting.send_command("/start", code)
        welcome = await acting.wait_for("Selamat datang")
        assert f"Plt. Kepala Dinas s.d. {until:%d-%m-%Y}" in welcome.text
        [holder] = [h for h in await office.store.position_holders(Role.KEPALA_DINAS)
                    if h.acting]
        assert (holder.person.telegram_user_id, holder.valid_from, holder.valid_until) == (
            NEW_HEAD, office.today(), until)
        await s.people.admin.wait_for(lambda m: "Plt. Kepala Dinas" in m.text
                                      and "telah digunakan" in m.text)
        assert not [m for m in head.inbox if "Selamat datang" in m.text]
        assert HEAD not in [i.used_by for i in await office.invites.all()]


async def test_an_agency_invite_makes_a_contact_who_can_file(emu: BotApiEmulator,
                                                           tmp_path: Path) -> None:
    s = await scene(emu, tmp_path)
    contact = emu.user(CONTACT, "Wati", phone="+6281300000000")
    async with office_bot(s) as (_app, office):
        disdik = await office.store.add_agency("disdik", "Dinas Pendidikan")
        code, _invite = await office.create_invite(InviteSpec(name="Wati Disdik", agency=disdik))
        await contact.send_command("/start", code)
        welcome = await contact.wait_for("Selamat datang")
        assert "kontak Dinas Pendidikan" in welcome.text and "/ajukan" in welcome.text
        await s.people.admin.wait_for(lambda m: "kontak Dinas Pendidikan" in m.text)
        assert [p.telegram_user_id for p in await office.store.agency_contacts(disdik.id)] == [
            CONTACT]

        await contact.send_command("/ajukan")
        form = await contact.wait_for("Pilih Perangkat Daerah")
        assert form.button_texts == ["Dinas Pendidikan"], "only the agency they belong to"


async def test_unknown_expired_and_misplaced_codes_bind_nothing(emu: BotApiEmulator,
                                                                tmp_path: Path) -> None:
    s = await scene(emu, tmp_path)
    stranger = emu.user(LATE, "Asing")
    async with office_bot(s) as (_app, office):
        await refused_line(stranger, "tidak-ada-kode-seperti-ini", "tidak dikenal")
        await refused_line(stranger, "<b>&", "tidak dikenal")

        code, _invite = await office.create_invite(InviteSpec(name="Terlambat", position="kasi"))
        s.clock.advance(days=7, seconds=1)
        await refused_line(stranger, code, "sudah kedaluwarsa")

        fresh, _ = await office.create_invite(InviteSpec(name="Di Grup", position="kasi"))
        sent = await stranger.send_command("/start", fresh, chat=s.people.group)
        reply = await s.people.group.wait_for(
            lambda m: m.message_id > sent.message_id and "chat pribadi" in m.text)
        assert reply.chat_id == GROUP_ID

        assert await office.store.person_by_telegram(LATE) is None
        assert all(i.used_at is None for i in await office.invites.all())
        assert not [m for m in s.people.admin.inbox if "telah digunakan" in m.text]

        await stranger.send_command("/start")
        await stranger.wait_for("Selamat datang di layanan subdomain")
