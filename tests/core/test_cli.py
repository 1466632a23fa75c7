"""The admin CLI, run as a real subprocess against a database file."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.workflow import Action, Instruction
from tests.support.bind import BindServer
from tests.support.office import (
    BALANGAN,
    HEAD,
    KABID,
    KASI,
    REQUESTER,
    STAFF,
    Clock,
    act,
    drive_to_decision,
    open_office,
    submit,
)

ROOT = Path(__file__).resolve().parents[2]


def cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **BALANGAN, "DATABASE_PATH": str(db)}
    env.pop("BOT_TOKEN", None)
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60, check=False)


def test_register_the_four_officials_and_list_them(db_path: Path) -> None:
    officials = [("kepala_dinas", HEAD, "Drs. H. Rahmadi, M.Si"), ("kabid", KABID, "Siti Aminah"),
                 ("kasi", KASI, "Budi Santoso"), ("staf_prakom", STAFF, "Rina Prakom")]
    for position, tid, name in officials:
        done = cli(db_path, "role", "set", position, str(tid), "--name", name,
                   "--nip", "197001011990031001", "--rank", "Pembina")
        assert done.returncode == 0, done.stderr
    until = (date.today() + timedelta(days=30)).isoformat()  # an end date already past is refused
    acting = cli(db_path, "role", "set", "kabid", "999", "--name", "Pejabat Plh",
                 "--acting", "plh", "--until", until)
    assert acting.returncode == 0, acting.stderr
    listing = cli(db_path, "role", "list")
    assert listing.returncode == 0
    for position, tid, name in officials:
        assert any(position in line and name in line and f"telegram={tid}" in line
                   for line in listing.stdout.splitlines())
    assert "Plh. Pejabat Plh" in listing.stdout
    removed = cli(db_path, "role", "remove", "kabid", "999")
    assert removed.returncode == 0
    assert "Pejabat Plh" not in cli(db_path, "role", "list").stdout


@pytest.mark.parametrize(("args", "message"), [
    (("role", "set", "bupati", "1", "--name", "X"), "unknown position 'bupati'"),
    (("role", "set", "kabid", "abc", "--name", "X"), "not a Telegram user id"),
    (("role", "set", "kabid", "1", "--name", "X", "--nip", "123"), "a NIP has 18 digits"),
    (("role", "set", "kabid", "1", "--name", "X", "--acting", "plt"), "--acting needs --until"),
    (("role", "set", "kabid", "1", "--name", "X", "--acting", "plt", "--until", "31-12-2026"),
     "not a date"),
    (("role", "remove", "kabid", "5"), "does not hold kabid"),
    (("request", "show", "SD-2026-9999"), "no request SD-2026-9999"),
    (("request", "list", "--state", "nonsense"), "unknown state"),
])
def test_bad_input_gets_one_clear_line_and_a_nonzero_exit(
    db_path: Path, args: tuple[str, ...], message: str
) -> None:
    done = cli(db_path, *args)
    assert done.returncode != 0
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr


def test_a_wrong_setting_is_named_in_one_line(db_path: Path) -> None:
    env = {**os.environ, **BALANGAN, "DATABASE_PATH": str(db_path), "TIMEZONE": "Mars/Olympus"}
    done = subprocess.run([sys.executable, "-m", "bot", "role", "list"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1
    assert done.stderr.startswith("error: TIMEZONE: invalid value 'Mars/Olympus'")


def test_every_command_has_help(db_path: Path) -> None:
    for args in (["--help"], ["role", "set", "--help"], ["agency", "add", "--help"],
                 ["request", "show", "--help"], ["backup", "--help"], ["db", "check", "--help"]):
        done = cli(db_path, *args)
        assert done.returncode == 0
        assert "usage:" in done.stdout


def test_agencies_backup_and_check(db_path: Path, tmp_path: Path) -> None:
    assert cli(db_path, "agency", "add", "dinkes", "Dinas Kesehatan",
               "--contact", "201", "--contact-name", "Ahmad").returncode == 0
    again = cli(db_path, "agency", "add", "dinkes", "Dinas Kesehatan")
    assert again.returncode == 1
    assert "already exists" in again.stderr
    listing = cli(db_path, "agency", "list").stdout
    assert "dinkes" in listing
    assert "Ahmad (201)" in listing
    copy = tmp_path / "backup.sqlite3"
    assert cli(db_path, "backup", str(copy)).returncode == 0
    assert "dinkes" in cli(copy, "agency", "list").stdout
    check = cli(copy, "db", "check")
    assert check.returncode == 0
    assert "ok:" in check.stdout


def test_request_show_prints_the_full_timeline(db_path: Path, bind_rw: BindServer) -> None:
    async def drive() -> str:
        clock = Clock()
        office = await open_office(db_path, clock, **bind_rw.env())
        from tests.support.office import seed_people

        await seed_people(office.store, clock())
        r = await drive_to_decision(office, await submit(office))
        clock.advance(minutes=20)
        r = await act(office, KABID, r, Action.APPROVE)
        r = await act(office, STAFF, r, Action.CONFIRM_CREATED)
        r = await act(office, HEAD, r, Action.SIGN)
        r = await act(office, REQUESTER, r, Action.CONFIRM_RECEIPT)
        await office.store.close()
        return r.number

    number = asyncio.run(drive())
    done = cli(db_path, "request", "show", number)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith(f"{number}  layanan  (Dinas Kesehatan)")
    assert "status: Selesai" in out
    timeline = out.split("timeline:\n", 1)[1].splitlines()
    assert len(timeline) == 10
    expected = ["Permohonan diajukan — Ahmad Dinkes", "Didisposisikan — Drs. H. Rahmadi",
                "Didisposisikan — Siti Aminah", "Diperintahkan pengecekan — Budi Santoso",
                "Laporan teknis dikirim — Rina Prakom", "Laporan dikirim ke Kabid — Budi Santoso",
                "Disetujui untuk dibuat — Siti Aminah", "Subdomain dibuat — Rina Prakom",
                "Surat balasan ditandatangani — Drs. H. Rahmadi",
                "Surat balasan diterima — Ahmad Dinkes"]
    for line, fragment in zip(timeline, expected, strict=True):
        assert fragment in line
    assert f"Instruksi: {Instruction.FOLLOW_UP.value}" in timeline[1]
    assert "pukul 09.00 WITA" in timeline[0]  # 01:00 UTC shown in the office's time zone
    listed = cli(db_path, "request", "list", "--state", "completed").stdout
    assert number in listed
