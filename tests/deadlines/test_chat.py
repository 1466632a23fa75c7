"""/peran, /laporan and a reminder, end to end through the Bot API emulator (rate limits on)."""

from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader

from bot.deadlines import ReminderScheduler
from bot.workflow import Role
from devtools.emulator import BotApiEmulator
from tests.support.botrun import cast, office_of, running_office_bot, seed, settings_for
from tests.support.chat import STEP_1_BUTTONS
from tests.support.office import Clock, submit

PLT = 401


async def test_admin_sets_an_acting_head_who_then_gets_the_reminder(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    clock = Clock()  # Monday 30 November 2026, 09:00 WITA
    settings = settings_for(emu, tmp_path)
    await seed(settings, clock)
    people = cast(emu)
    plt = emu.user(PLT, "Pejabat")
    async with running_office_bot(settings, clock) as app:
        await people.requester.send_command("/peran")
        assert (await people.requester.wait_for()).text == "Perintah ini khusus admin."

        await people.admin.send_command("/peran", "plt kepala_dinas 401 2026-12-31 Ir. Pejabat Plt")
        done = await people.admin.wait_for()
        assert done.text.startswith(
            "Tercatat: Plt. Kepala Dinas — Ir. Pejabat Plt (ID 401), berlaku 30-11-2026 s.d. "
            "31-12-2026.")
        await people.admin.send_command("/peran")
        listing = await people.admin.wait_for("Jabatan dan pemegangnya")
        assert ("• Kepala Dinas: Drs. H. Rahmadi, M.Si (ID 101); Plt. Ir. Pejabat Plt (ID 401), "
                "30-11-2026 s.d. 31-12-2026") in listing.text

        # The acting head holds step 1, so the reminder 15 working minutes later is his.
        office = office_of(app)
        await submit(office)
        await plt.wait_for("Tahap 1")
        clock.advance(minutes=15)
        scheduler: ReminderScheduler = app.bot_data["reminders"]
        scheduler.wake()
        reminder = await plt.wait_for("Pengingat")
        assert reminder.button_texts == STEP_1_BUTTONS
        assert "SD-2026-0001" in reminder.text and "waktu standar 15 menit" in reminder.text
        assert not [m for m in people.head.inbox if "Pengingat" in m.text]

        await people.admin.send_command("/peran", "hapus kepala_dinas 401")
        assert (await people.admin.wait_for()).text == (
            "Jabatan Kepala Dinas untuk ID 401 telah dicabut.")
        await people.admin.send_command("/peran", "plt bupati 401 2026-12-31 Siapa")
        assert "Jabatan bupati tidak dikenal" in (await people.admin.wait_for()).text
        holders = await office.store.holders_on(Role.KEPALA_DINAS, office.today())
        assert [h.person.telegram_user_id for h in holders] == [101]


async def test_monthly_report_for_officials_only(emu: BotApiEmulator, tmp_path: Path) -> None:
    clock = Clock()
    settings = settings_for(emu, tmp_path)
    await seed(settings, clock)
    people = cast(emu)
    async with running_office_bot(settings, clock) as app:
        await submit(office_of(app))
        await people.requester.send_command("/laporan")
        assert (await people.requester.wait_for("khusus")).text == (
            "Perintah ini khusus pejabat dan staf.")

        await people.kabid.send_command("/laporan", "2026-11")
        report = await people.kabid.wait_for(lambda m: m.document is not None)
        assert report.document is not None
        assert report.caption == "Laporan kinerja layanan subdomain bulan November 2026"
        assert report.document.filename == "laporan-subdomain-2026-11.pdf"
        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(report.document.data)).pages)
        assert "November 2026" in text
        assert (tmp_path / "data" / "reports" / "laporan-subdomain-2026-11.pdf").is_file()

        await people.kabid.send_command("/laporan", "2027-01")
        assert "belum berjalan" in (await people.kabid.wait_for("belum")).text
        await people.kabid.send_command("/laporan", "November")
        assert (await people.kabid.wait_for("Format")).text.startswith("Format: /laporan")
