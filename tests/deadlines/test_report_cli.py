"""`python -m bot report` as a real subprocess on a database file."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

from pypdf import PdfReader

from bot.workflow import Action, Instruction
from tests.support.office import BALANGAN, HEAD, Clock, act, open_office, seed_people, submit

ROOT = Path(__file__).resolve().parents[2]


def cli(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **BALANGAN, "DATABASE_PATH": str(tmp / "office.sqlite3"),
           "DATA_DIR": str(tmp / "data")}
    env.pop("BOT_TOKEN", None)
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60, check=False)


def pdf_text(path: Path) -> str:
    return " ".join(" ".join(p.extract_text().split())
                    for p in PdfReader(io.BytesIO(path.read_bytes())).pages)


async def test_report_cli_writes_the_pdf_and_the_csv(tmp_path: Path) -> None:
    clock = Clock()
    office = await open_office(tmp_path / "office.sqlite3", clock)
    await seed_people(office.store, clock())
    request = await submit(office)
    clock.advance(minutes=10)
    await act(office, HEAD, request, Action.DISPOSE, 'Segera, "cek" DNS',
              instruction=Instruction.FOLLOW_UP)
    await office.store.close()

    target = tmp_path / "out" / "november.pdf"
    done = cli(tmp_path, "report", "--month", "2026-11", "--output", str(target), "--csv")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [str(target), str(target.with_suffix(".csv"))]
    text = pdf_text(target)
    assert "LAPORAN KINERJA LAYANAN SUBDOMAIN" in text and "Bulan November 2026" in text
    rows = list(csv.reader(io.StringIO(target.with_suffix(".csv").read_text("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["SD-2026-0001", "SD-2026-0001"]
    assert rows[2][9] == 'Segera, "cek" DNS'
    assert rows[2][-1] == "Pembuatan baru"  # the request kind

    default = cli(tmp_path, "report", "--month", "2026-10")
    assert default.returncode == 0, default.stderr
    written = tmp_path / "data" / "reports" / "laporan-subdomain-2026-10.pdf"
    assert default.stdout.strip() == str(written)
    assert "Bulan Oktober 2026" in pdf_text(written)

    wrong = cli(tmp_path, "report", "--month", "11-2026")
    assert wrong.returncode == 64  # a usage error
    assert "not a month (YYYY-MM): '11-2026'" in wrong.stderr
