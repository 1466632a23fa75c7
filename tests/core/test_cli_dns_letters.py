"""`check`, `letter verify`, `request sheet` and `record remove`, run as real subprocesses."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from pypdf import PdfReader

from bot.service import Office
from bot.workflow import Action
from tests.support.bind import BindServer
from tests.support.office import (
    BALANGAN,
    HEAD,
    KABID,
    REQUESTER,
    STAFF,
    Clock,
    act,
    drive_to_decision,
    open_office,
    seed_people,
    submit,
)

ROOT = Path(__file__).resolve().parents[2]


def cli(db: Path, bind: BindServer, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, **BALANGAN, **bind.env(), "DATABASE_PATH": str(db),
               "DATA_DIR": str(db.parent / "data"), **env}
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, env=environ,
                          capture_output=True, text=True, timeout=60, check=False)


def test_check_exit_codes_against_bind(db_path: Path, bind_rw: BindServer,
                                       silent_port: tuple[str, int]) -> None:
    server = f"127.0.0.1:{bind_rw.port}"
    taken = cli(db_path, bind_rw, "check", "dinkes", "--server", server)
    assert taken.returncode == 1, taken.stdout + taken.stderr
    assert "dinkes.balangankab.go.id" in taken.stdout
    assert "A 10.0.0.5" in taken.stdout
    free = cli(db_path, bind_rw, "check", "layanan-baru", "--server", server, "--json")
    assert free.returncode == 0
    assert json.loads(free.stdout)["status"] == "available"
    invalid = cli(db_path, bind_rw, "check", "-bad-")
    assert invalid.returncode == 2
    assert "Saran: bad" in invalid.stdout
    started = time.monotonic()
    dead = cli(db_path, bind_rw, "check", "layanan-baru", "--server",
               f"{silent_port[0]}:{silent_port[1]}")
    assert dead.returncode == 3
    assert "Tidak dapat dipastikan" in dead.stdout
    assert time.monotonic() - started < 8


def _complete_requests(db_path: Path, bind: BindServer, *labels: str) -> list[tuple[str, str]]:
    async def drive() -> list[tuple[str, str]]:
        office = await open_office(db_path, Clock(), **bind.env(),
                                   DATA_DIR=str(db_path.parent / "data"))
        await seed_people(office.store, office.clock())
        done = [await _complete(office, label) for label in labels]
        await office.store.close()
        return done

    return asyncio.run(drive())


async def _complete(office: Office, label: str) -> tuple[str, str]:
    r = await drive_to_decision(office, await submit(office, label))
    r = await act(office, KABID, r, Action.APPROVE)
    r = await act(office, STAFF, r, Action.CONFIRM_CREATED)
    r = await act(office, HEAD, r, Action.SIGN)
    r = await act(office, REQUESTER, r, Action.CONFIRM_RECEIPT)
    [issued] = await office.store.letters(r.id)
    return r.number, issued.verification_code


def test_letter_verify_sheet_and_record_removal(db_path: Path, bind_rw: BindServer,
                                                tmp_path: Path) -> None:
    (number, code), _ = _complete_requests(db_path, bind_rw, "arsip", "portal2")
    # The record the bot created is now in DNS, and `check` says it is taken.
    assert bind_rw.values("arsip.balangankab.go.id") == {"203.0.113.10"}
    assert cli(db_path, bind_rw, "check", "arsip").returncode == 1

    verified = cli(db_path, bind_rw, "letter", "verify", code.lower())
    assert verified.returncode == 0, verified.stderr
    assert "Nomor: 555/1/Diskominfo-Blg/2026" in verified.stdout
    assert f"Permohonan: {number} (Dinas Kesehatan)" in verified.stdout
    assert "Ditandatangani: Drs. H. Rahmadi, M.Si" in verified.stdout
    assert "Diterima: 30-11-2026" in verified.stdout
    unknown = cli(db_path, bind_rw, "letter", "verify", "NOPE")
    assert unknown.returncode == 1
    assert "no letter with verification code NOPE" in unknown.stderr

    sheet_path = tmp_path / "sheet.pdf"
    sheet = cli(db_path, bind_rw, "request", "sheet", number, "--output", str(sheet_path))
    assert sheet.returncode == 0, sheet.stderr
    text = " ".join("".join(p.extract_text() for p in PdfReader(sheet_path).pages).split())
    assert "400/123/Dinkes/2026" in text
    assert "Tindak lanjuti" in text
    assert "Pelajari dan laporkan" in text

    # Someone changed the record by hand: the bot refuses to delete what it did not set.
    bind_rw.update("arsip.balangankab.go.id.", "A", "198.51.100.7")
    refused = cli(db_path, bind_rw, "record", "remove", "arsip")
    assert refused.returncode == 1
    assert "not removed" in refused.stderr
    assert "198.51.100.7" in bind_rw.values("arsip.balangankab.go.id")
    assert "arsip" in cli(db_path, bind_rw, "record", "list").stdout

    # A record still as the bot set it is removed, and the removal is audited.
    removed = cli(db_path, bind_rw, "record", "remove", "portal2")
    assert removed.returncode == 0, removed.stderr
    assert bind_rw.values("portal2.balangankab.go.id") == set()
    listing = cli(db_path, bind_rw, "record", "list").stdout
    assert "portal2" not in listing
    shown = cli(db_path, bind_rw, "request", "show", "SD-2026-0002").stdout
    assert "Rekaman DNS dihapus — Sistem (Admin)" in shown
