"""A second office, end to end: Kabupaten Sleman (slemankab.go.id, Asia/Jakarta, its own hours,
officials, place and unit code) runs the created journey, a decline, the disposition sheet and
the monthly report through the real Application and the Bot API emulator, on a clock where the
office's date is already the next day (23:30 UTC on 30 November is 06:30 WIB on 1 December).

Nothing the office sees (chat texts, cards, button answers, letters, the sheet, the report, the
CLI) may speak of the first office the bot was written for, and every date is the local one."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import fields, replace
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from bot.cli import build_parser
from bot.commands import run_command
from bot.workflow import State
from bot.worktime import WorkMinutes
from devtools.emulator import BotApiEmulator
from tests.support.bind import BindServer, start_bind
from tests.support.botrun import (
    GROUP_ID,
    TINY_PDF,
    Cast,
    office_of,
    running_office_bot,
    seed,
    settings_for,
)
from tests.support.chat import act, done_on, file_request, submit_by_chat
from tests.support.emulator import running_emulator
from tests.support.office import (
    ADMIN,
    BALANGAN,
    BALANGAN_OFFICIALS,
    HEAD,
    KABID,
    KASI,
    REQUESTER,
    SLEMAN,
    SLEMAN_OFFICIALS,
    STAFF,
    Clock,
)

LATE_EVENING_UTC = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
"""06:30 WIB on Tuesday 1 December 2026: another day (and month) than the UTC date."""
LOCAL_DAY = "1 Desember 2026"
UTC_DAY = "30 November 2026"

FORBIDDEN = (
    "balangankab", "Balangan", "BALANGAN", "Paringin", "WITA", "Diskominfo-Blg",
    *(getattr(BALANGAN_OFFICIALS, f.name) for f in fields(BALANGAN_OFFICIALS)),
    "Rahmadi",
)
"""The first office and its test officials: none of it may show in the second office."""


def test_the_two_profiles_differ_in_everything_an_office_sets() -> None:
    assert set(SLEMAN) == set(BALANGAN)
    assert all(SLEMAN[k] != BALANGAN[k] for k in BALANGAN if k != "OFFICE_NAME")
    assert not {getattr(SLEMAN_OFFICIALS, f.name) for f in fields(SLEMAN_OFFICIALS)} & set(
        FORBIDDEN)


@pytest.fixture
def sleman_dns(tmp_path: Path) -> Iterator[BindServer]:
    """The second office's DNS server: a real BIND 9 serving slemankab.go.id."""
    with start_bind(tmp_path / "named", zone=SLEMAN["PARENT_DOMAIN"]) as server:
        yield server


def cast(emu: BotApiEmulator) -> Cast:
    """The second office's people, under their own names in Telegram too."""
    return Cast(
        head=emu.user(HEAD, "Eka"), kabid=emu.user(KABID, "Wahyu"),
        kasi=emu.user(KASI, "Dyah"), staff=emu.user(STAFF, "Yoga"),
        admin=emu.user(ADMIN, "Admin Kominfo"),
        requester=emu.user(REQUESTER, "Lukas", phone="+6281328000000"),
        group=emu.group(GROUP_ID, "Kominfo Sleman Subdomain"),
    )


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split())
                    for page in PdfReader(io.BytesIO(data)).pages)


def everything_shown(emu: BotApiEmulator) -> tuple[list[str], dict[str, str]]:
    """Every text the bot showed (each version of each message, buttons, callback answers)
    and the text of every PDF it sent, by file name."""
    texts = [entry.text for entry in emu.transcript if entry.direction == "bot->user"]
    papers: dict[str, str] = {}
    for item in emu.world.feed:
        message = item.message
        texts += [message.text, message.caption or "", *message.button_texts]
        doc = message.document
        if doc is not None and doc.data != TINY_PDF and doc.filename:  # not the test's upload
            papers.setdefault(doc.filename, pdf_text(doc.data))
    return texts, papers


async def test_a_second_office_end_to_end(sleman_dns: BindServer, tmp_path: Path) -> None:
    clock = Clock(LATE_EVENING_UTC)
    async with running_emulator() as emu:
        settings = settings_for(emu, tmp_path, **{**SLEMAN, **sleman_dns.env()})
        assert (settings.parent_domain, settings.zone_label()) == ("slemankab.go.id", "WIB")
        await seed(settings, clock, names=SLEMAN_OFFICIALS)
        people = cast(emu)
        async with running_office_bot(settings, clock) as app:
            office = office_of(app)
            assert office.today().isoformat() == "2026-12-01"

            await people.requester.send_command("/start")
            welcome = await people.requester.wait_for("Selamat datang")
            assert "Dinas Komunikasi dan Informatika Kabupaten Sleman" in welcome.text

            # 1. The created journey, every step by chat.
            created = await submit_by_chat(people.requester, "layanan")
            assert created == "SD-2026-0001"
            card = await people.head.wait_for("Tahap 1")
            stale = card.buttons[0][0][1]
            assert "<code>layanan.slemankab.go.id</code>" in (card.source or "")
            done = await act(people.head, card, "Disposisi ke Kabid", "Mohon segera",
                             choose="Tindak lanjuti")
            assert f"oleh {SLEMAN_OFFICIALS.head} pada 01-12-2026 pukul 06.30 WIB" in done.text
            # The card answers a second press with who acted and when, on the office clock.
            assert stale is not None
            again = await people.head.press_data(done, stale)
            assert again == (f"Sudah diproses: Didisposisikan oleh {SLEMAN_OFFICIALS.head} "
                             "pada 01-12-2026 pukul 06.30 WIB.")

            await act(people.kabid, await people.kabid.wait_for("Tahap 2"), "Disposisi ke Kasi",
                      choose="Pelajari dan laporkan")
            await act(people.kasi, await people.kasi.wait_for("Tahap 3"),
                      "Perintahkan pengecekan")
            check = await people.staff.wait_for("Tahap 4")
            assert "layanan.slemankab.go.id" in check.text and "Tersedia" in check.text
            await act(people.staff, check, "Kirim laporan teknis", "Nama tersedia")
            await act(people.kasi, await people.kasi.wait_for("Tahap 5"),
                      "Kirim laporan ke Kabid")
            await act(people.kabid, await people.kabid.wait_for("Tahap 6"), "Setujui pembuatan")
            await act(people.staff, await people.staff.wait_for("Tahap 7"), "Buat subdomain")
            assert sleman_dns.values("layanan.slemankab.go.id") == {"103.28.12.10"}
            draft = await people.head.wait_for(lambda m: m.document is not None
                                               and "KONSEP" in (m.caption or ""))
            await act(people.head, await people.head.wait_for("Tahap 8"),
                      "Setujui dan tandatangani")
            letter = await people.requester.wait_for(lambda m: "Diterima" in m.button_texts)
            assert await people.requester.press(letter, "Diterima") in (None, "")
            await people.requester.wait_for(done_on(letter))
            assert (await office.store.request(created)).state == State.COMPLETED

            # 2. A decline at step 1 (filed as the form files it): the letter goes out at once.
            declined = (await file_request(office, "hibah")).number
            card = await people.head.wait_for(lambda m: "Tahap 1" in m.text
                                              and declined in m.text and not m.edited)
            await people.head.press(card, "Tolak permohonan")
            await people.head.wait_for(lambda m: m.edited and "✏️" in m.text)
            await people.head.send_text("Bukan layanan perangkat daerah")
            await people.head.wait_for(done_on(card))
            refusal = await people.requester.wait_for(
                lambda m: m.document is not None and declined in (m.caption or ""))
            assert (await office.store.request(declined)).state == State.DECLINED

            # 3. The disposition sheet of the first request, asked for by an official.
            await people.kabid.send_command(f"/riwayat {created}")
            history = await people.kabid.wait_for("Riwayat")
            assert "01-12-2026 pukul 06.30 WIB" in history.text
            await people.kabid.press(history, "Lembar disposisi")
            sheet = await people.kabid.wait_for(
                lambda m: m.document is not None and "Lembar disposisi" in (m.caption or ""))

            # 4. The month's report: the office's month is December, not UTC's November.
            await people.head.send_command("/laporan")
            report = await people.head.wait_for(
                lambda m: m.document is not None and "Laporan kinerja" in (m.caption or ""))
            assert "Desember 2026" in (report.caption or "")

            await people.group.wait_for(lambda m: created in m.text and "Selesai" in m.text,
                                        timeout=15)

        texts, papers = everything_shown(emu)

    assert draft.document is not None and letter.document is not None
    assert refusal.document is not None and sheet.document is not None
    assert report.document is not None
    konsep = pdf_text(draft.document.data)
    final = pdf_text(letter.document.data)
    decline = pdf_text(refusal.document.data)
    for paper in (konsep, final, decline):
        assert UTC_DAY not in paper
        assert f"Sleman, {LOCAL_DAY}" in paper or paper is konsep, paper
    # The KONSEP leaves the day open (the letter is dated when signed); its paraf box keeps
    # the office's date and zone.
    assert "Sleman, … 2026" in konsep and f"{LOCAL_DAY} pukul 06.30 WIB" in konsep
    for paper in (konsep, final, decline):
        assert "PEMERINTAH KABUPATEN SLEMAN" in paper and "Kode Pos 55511" in paper
    assert "KONSEP" in konsep and "…/…/Kominfo-Slm/2026" in konsep
    assert f"aktif sejak tanggal {LOCAL_DAY}" in konsep
    assert "555/1/Kominfo-Slm/2026" in final and f"aktif sejak tanggal {LOCAL_DAY}" in final
    assert "layanan.slemankab.go.id A 103.28.12.10" in final
    assert "555/2/Kominfo-Slm/2026" in decline and "hibah.slemankab.go.id" in decline
    disposition = pdf_text(sheet.document.data)
    assert "LEMBAR DISPOSISI" in disposition and SLEMAN_OFFICIALS.head in disposition
    assert f"{LOCAL_DAY} pukul 06.30 WIB" in disposition
    month = pdf_text(report.document.data)
    assert "KABUPATEN SLEMAN" in month and "Bulan Desember 2026" in month
    assert "Diterima Selesai Ditolak Ditarik Dalam proses 2 1 1 0 0" in month

    shown = "\n".join(texts)
    assert "slemankab.go.id" in shown and " WIB" in shown
    assert set(papers) >= {f"{created}-surat-balasan.pdf", f"{declined}-surat-balasan.pdf",
                           f"{created}-konsep-surat-balasan.pdf",
                           f"{created}-disposisi.pdf", "laporan-subdomain-2026-12.pdf"}
    for word in FORBIDDEN:
        assert word not in shown, word
        for name, paper in papers.items():
            assert word not in paper, (word, name)

    # Working time runs on the office's own hours: it opens at 07:00 WIB.
    assert settings.work_clock().add(LATE_EVENING_UTC, WorkMinutes(15)) == datetime(
        2026, 12, 1, 7, 15, tzinfo=ZoneInfo("Asia/Jakarta"))

    # The admin command line reads the same office clock.
    out = io.StringIO()
    args = build_parser().parse_args(["request", "show", created])
    assert await run_command(settings, args, out) == 0
    listing = out.getvalue()
    assert "01-12-2026 pukul 06.30 WIB" in listing
    assert all(word not in listing for word in FORBIDDEN), listing
    monthly = build_parser().parse_args(["report", "--month", "2026-12"])
    out = io.StringIO()
    assert await run_command(replace(settings, data_dir=tmp_path / "cli"), monthly, out) == 0
    assert "Bulan Desember 2026" in pdf_file_text(Path(out.getvalue().strip()))


def pdf_file_text(path: Path) -> str:
    return pdf_text(path.read_bytes())
