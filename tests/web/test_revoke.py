"""`letter revoke CODE --reason …` as a real subprocess: it marks the letter once, names the
letter that replaces it, refuses what it cannot do in one line, and `letter verify` says so."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path

from storage.models import IssuedLetter
from tests.support.office import Clock, open_office, seed_people, settings_env
from tests.support.pki import NOW
from tests.web.conftest import declined

ROOT = Path(__file__).resolve().parents[2]


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT,
                          env={**os.environ, **settings_env(**env)}, capture_output=True,
                          text=True, timeout=60, check=False)


def two_letters(tmp: Path, env: dict[str, str]) -> tuple[IssuedLetter, IssuedLetter]:
    async def issue() -> tuple[IssuedLetter, IssuedLetter]:
        clock = Clock(NOW)
        office = await open_office(tmp / "bot.sqlite3", clock, **env)
        try:
            await seed_people(office.store, clock())
            return (await declined(office, clock, "pertama", 5),
                    await declined(office, clock, "kedua", 5))
        finally:
            await office.close()

    return asyncio.run(issue())


def test_revoke_once_with_its_replacement_and_refusals_in_one_line(tmp_path: Path) -> None:
    env = {"DATABASE_PATH": str(tmp_path / "bot.sqlite3"), "DATA_DIR": str(tmp_path / "data")}
    first, second = two_letters(tmp_path, env)
    assert len(first.verification_code) == 16 and first.verification_code.isalnum()

    for args, error in [
            (("ZZZZZZZZZZZZZZZZ", "--reason", "x"),
             "error: no letter with verification code ZZZZZZZZZZZZZZZZ\n"),
            ((first.verification_code, "--reason", "x", "--replaced-by", "999/1/X/2026"),
             "error: no letter numbered 999/1/X/2026 in the register\n"),
            ((first.verification_code, "--reason", "  "), "error: the reason must not be empty\n"),
            ((first.verification_code, "--reason", "x", "--replaced-by", first.number),
             "error: a letter cannot replace itself\n")]:
        done = cli(env, "letter", "revoke", *args)
        assert (done.returncode, done.stdout, done.stderr) == (1, "", error)

    done = cli(env, "letter", "revoke", first.verification_code.lower(), "--reason",
               "Salah alamat", "--replaced-by", second.number)
    assert done.returncode == 0, done.stderr
    assert done.stdout == (f"letter {first.number} revoked, replaced by {second.number}: "
                           "Salah alamat\n")
    again = cli(env, "letter", "revoke", first.verification_code, "--reason", "lagi")
    assert (again.returncode, again.stderr) == (1, f"error: letter {first.number} is already "
                                                   "revoked\n")
    shown = cli(env, "letter", "verify", first.verification_code)
    # the command line runs on the wall clock
    assert re.search(r"^Status: DICABUT \d\d-\d\d-\d{4} pukul \d\d\.\d\d WITA, diganti dengan "
                     + re.escape(f"{second.number} (Salah alamat)") + "$", shown.stdout, re.M)
    assert "Status:" not in cli(env, "letter", "verify", second.verification_code).stdout
