"""`python -m bot demo` in a subprocess: the real Application, the emulator and BIND 9, three
requests, the letters written out, and the Mutu Baku reminder and escalation within seconds; run
for an office of its own (Sleman, WIB), and for the demo office when no office is set."""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import time
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from bot.settings import OFFICE_SETTINGS, Settings
from devtools.demo import MARKER, DemoClock, DemoFailed, Script, cast, demo_start, main
from devtools.profile import demo_office, office_env
from tests.support.emulator import running_emulator
from tests.support.office import DEFAULT_WATCH, SLEMAN, office_settings

WITA = ZoneInfo("Asia/Makassar")

LIMIT = 120.0


def pdf_text(path: Path) -> str:
    """The PDF's text with its line breaks and spacing flattened."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())


def test_demo_runs_both_journeys_and_the_reminders(tmp_path: Path) -> None:
    """The demo of an office that set its own settings (a second office, Sleman, WIB)."""
    out_dir = tmp_path / "demo-out"
    out_dir.mkdir()
    (out_dir / MARKER).write_text("")
    (out_dir / "stale.txt").write_text("from an earlier run")
    env = {k: v for k, v in os.environ.items() if k != "BOT_TOKEN" and k not in OFFICE_SETTINGS}
    env.update(SLEMAN)
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "bot", "demo", "--out", str(out_dir)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=LIMIT + 30)
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stderr[-3000:] + done.stdout[-3000:]
    assert elapsed < LIMIT, f"the demo took {elapsed:.0f} s"
    assert "Traceback" not in done.stderr, done.stderr

    assert not (out_dir / "stale.txt").exists(), "the old output is removed first"
    transcript = (out_dir / "transcript.txt").read_text(encoding="utf-8")
    assert transcript.strip() in done.stdout, "the transcript is printed too"
    for number in ("SD-2026-0001", "SD-2026-0002", "SD-2026-0003"):
        assert number in transcript
    assert "Selesai" in transcript
    assert "(zone slemankab.go.id)" in done.stdout and "=== Transkrip (waktu kantor, WIB)" \
        in done.stdout
    assert " WIB" in transcript and "layanan.slemankab.go.id" in transcript
    for other in ("WITA", "balangankab", "Balangan", "Paringin"):
        assert other not in done.stdout, other
    assert "menekan [Diterima]" in transcript
    assert "Pengingat:" in transcript and "Pengingat kedua:" in transcript
    escalations = [line for line in transcript.splitlines() if "Eskalasi" in line]
    assert escalations and "Admin Diskominfo" in escalations[0]
    assert "SD-2026-0003" in escalations[0]
    assert "dieskalasikan kepada Admin" in transcript

    created = pdf_text(out_dir / "SD-2026-0001-surat-balasan.pdf")
    assert "telah selesai dibuat" in created
    assert "layanan.slemankab.go.id A 103.28.12.10" in created, created
    assert "Sleman," in created and "Kominfo-Slm" in created and "Kode Pos 55511" in created
    exists = pdf_text(out_dir / "SD-2026-0002-surat-balasan.pdf")
    assert "telah tersedia sebelumnya" in exists
    assert "menggunakan nama pengguna dan kata sandi yang telah dimiliki" in exists, exists
    for name in ("SD-2026-0001-konsep-surat-balasan.pdf", "SD-2026-0002-konsep-surat-balasan.pdf",
                 "SD-2026-0001-surat-permohonan.pdf"):
        assert pdf_text(out_dir / name)
    assert "KONSEP" in transcript

    sheet = pdf_text(out_dir / "SD-2026-0001-lembar-disposisi.pdf")
    assert "LEMBAR DISPOSISI" in sheet
    assert "Tindak lanjuti" in sheet and "Segera diproses, layanan prioritas" in sheet
    assert "Drs. H. Rahmadi, M.Si" in sheet

    [report_path] = out_dir.glob("laporan-mutu-baku-*.pdf")
    report = pdf_text(report_path)
    assert "LAPORAN KINERJA LAYANAN SUBDOMAIN" in report
    assert "Diterima Selesai Ditolak Ditarik Dalam proses 3 2 0 0 1" in report
    assert "15 menit" in report  # each step's standard time beside the actual times
    assert "1 hari kerja" in report


def test_demo_clock_switches_rate_without_a_jump() -> None:
    wall = [1000.0]
    start = datetime(2026, 11, 23, 8, 0, tzinfo=WITA)
    clock = DemoClock(start, wall=lambda: wall[0])
    wall[0] += 30
    assert clock() == start + timedelta(seconds=30)
    clock.set_rate(600)
    assert clock() == start + timedelta(seconds=30)
    wall[0] += 1.5
    assert clock() == start + timedelta(seconds=30 + 900)
    # Earlier wall instants (transcript entries) map through the rate they were made at.
    assert clock.at(1010.0) == start + timedelta(seconds=10)
    assert clock.at(999.0) == start - timedelta(seconds=1)


def test_demo_starts_on_a_working_monday_morning() -> None:
    settings = office_settings()
    assert demo_start(date(2026, 11, 29), settings) == datetime(2026, 11, 23, 8, tzinfo=WITA)
    assert demo_start(date(2026, 11, 23), settings) == datetime(2026, 11, 23, 8, tzinfo=WITA)
    holiday = office_settings(EXTRA_HOLIDAYS="2026-11-23")
    assert demo_start(date(2026, 11, 25), holiday) == datetime(2026, 11, 16, 8, tzinfo=WITA)
    sleman = office_settings(**SLEMAN)
    assert demo_start(date(2026, 11, 29), sleman) == datetime(
        2026, 11, 23, 8, tzinfo=ZoneInfo("Asia/Jakarta"))


def test_the_demo_runs_for_the_configured_office_else_for_the_demo_office() -> None:
    assert Settings.from_mapping(office_env({"LOG_LEVEL": "DEBUG"})) \
        == office_settings(LOG_LEVEL="DEBUG", **DEFAULT_WATCH) \
        == replace(demo_office(), log_level="DEBUG")
    own = Settings.from_mapping(office_env({**SLEMAN, "OFFICE_HOURS": "mon-fri 08:00-15:00"}))
    assert (own.parent_domain, own.office.place, own.zone_label()) == (
        "slemankab.go.id", "Sleman", "WIB")
    assert own.office_hours != demo_office().office_hours
    assert office_env({"OFFICE_PLACE": "Sleman"}) == {"OFFICE_PLACE": "Sleman"}


def test_a_half_set_office_is_named_and_nothing_is_touched(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_dir = tmp_path / "demo-out"
    out_dir.mkdir()
    (out_dir / MARKER).write_text("")
    (out_dir / "transcript.txt").write_text("an earlier run")
    env = {"PARENT_DOMAIN": "slemankab.go.id", "TIMEZONE": "Asia/Jakarta"}
    assert main(argparse.Namespace(out=out_dir), io.StringIO(), env) == 1
    err = capsys.readouterr().err
    assert err.startswith("demo: missing settings: OFFICE_GOVERNMENT, ") and err.count("\n") == 1
    assert (out_dir / "transcript.txt").read_text() == "an earlier run"


async def test_a_step_that_does_not_happen_fails_with_what_was_awaited() -> None:
    async with running_emulator() as emu:
        people = cast(emu)
        script = Script(people, io.StringIO(), letter_day=date(2026, 11, 20),
                        settings=office_settings())
        with pytest.raises(DemoFailed, match=r"step 1 of SD-2026-0009 reaching Rahmadi"):
            await script.expect(people.head, lambda m: False,
                                "step 1 of SD-2026-0009 reaching Rahmadi", timeout=0.2)


def test_a_foreign_directory_is_never_emptied(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "laporan.docx").write_text("not the demo's")
    assert main(argparse.Namespace(out=mine), io.StringIO()) == 1
    err = capsys.readouterr().err
    assert "not empty" in err and "--out" in err
    assert (mine / "laporan.docx").read_text() == "not the demo's"
