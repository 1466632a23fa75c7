"""Papers are drawn in a short-lived child process (`letters.offload`): reportlab, its fonts and
PIL never load into the long-running bot, and the child ends when there is nothing to draw."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader

from letters.offload import ChildGone, Drawing

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import asyncio, sys
from pathlib import Path
from tests.support.office import Clock, open_office, seed_people

async def main(folder):
    clock = Clock()
    office = await open_office(folder / "db.sqlite3", clock, DATA_DIR=str(folder / "data"))
    await seed_people(office.store, clock())
    try:
        await office.letter_preview("created", folder / "letter.pdf")
        await office.month_report(2026, 11, folder / "report.pdf")
    finally:
        await office.close()

asyncio.run(main(Path(sys.argv[1])))
print(sorted(m for m in ("reportlab", "PIL", "letters.render", "letters.report")
             if m in sys.modules))
"""


def text_of(path: Path) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(path).pages).split())


def test_the_office_draws_a_letter_and_a_report_without_loading_reportlab(
        tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    letter = text_of(tmp_path / "letter.pdf")
    assert "KONSEP" in letter and "PEMERINTAH KABUPATEN BALANGAN" in letter
    assert "November 2026" in text_of(tmp_path / "report.pdf")


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def _ended(drawing: Drawing, pid: int) -> bool:
    return drawing.pid is None and _gone(pid)


def _wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 30  # an upper bound for a loaded machine, not a measure
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting for: {what}")
        time.sleep(0.02)


def test_the_child_ends_when_idle_and_the_next_paper_starts_another() -> None:
    drawing = Drawing(idle=0.2)
    try:
        first = drawing.call(os.getpid)
        assert first != os.getpid() and drawing.pid == first
        assert drawing.call(os.getpid) == first  # kept while papers keep coming
        _wait_until(lambda: _ended(drawing, first), "the idle child to end")
        second = drawing.call(os.getpid)
        assert second not in (first, os.getpid())
    finally:
        drawing.close()
    assert _ended(drawing, second)


def test_an_error_in_the_child_is_raised_here_and_a_killed_child_is_replaced() -> None:
    drawing = Drawing()
    try:
        with pytest.raises(ValueError, match="invalid literal"):
            drawing.call(int, "sebelas")
        child = drawing.call(os.getpid)
        os.kill(child, signal.SIGKILL)
        _wait_until(lambda: drawing.pid is None, "the killed child to be seen gone")
        assert drawing.call(os.getpid) not in (child, os.getpid())
    finally:
        drawing.close()


def test_a_child_that_cannot_answer_is_reported_once_retried() -> None:
    drawing = Drawing()
    try:
        with pytest.raises(ChildGone):
            drawing.call(os._exit, 3)  # the child ends without an answer, twice
        assert drawing.pid is None
        assert drawing.call(int, "11") == 11  # and the next paper gets a fresh child
    finally:
        drawing.close()
