"""The monthly report's figures, its "open past standard" list and its audit CSV stay exactly
what they were before the report was made fast (#16): every month of a generated two-year
history (`bench.history`, seeded) is compared with digests taken from the straightforward code
(commit a1b4d1e: `WorkClock` walking day by day, `Workflow` searched row by row, `strftime`
per event).

If the generator in `bench/history.py` changes on purpose, regenerate the golden file with the
code of that commit: `PYTHONPATH=$PWD .venv/bin/python -m tests.reports.test_report_golden`.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sys
import tempfile
from pathlib import Path

from bench.history import NOW, generate
from bot.reports import audit_csv, figures_from, month_trails, open_overdue
from bot.service import Office
from storage.store import Store
from tests.support.office import office_settings

GOLDEN = Path(__file__).with_name("golden_month_report.json")
SIZE = 2000
SEED = 16
MONTHS = [(year, month) for year in (2025, 2026) for month in range(1, 13)]


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


async def snapshot(folder: Path) -> dict[str, object]:
    """Per month: requests, events, and the digests of the figures and the CSV; and the digest
    of the open requests past standard at the history's `NOW`."""
    path = folder / "office.sqlite3"
    store = await Store.open(path)
    await generate(store, SIZE, seed=SEED)
    settings = office_settings(DATABASE_PATH=str(path), DATA_DIR=str(folder),
                               DNS_SERVERS="127.0.0.1:9")
    office = Office(store, settings, lambda: NOW)
    try:
        clock, tz, wf = settings.work_clock(), settings.timezone, office.workflow
        out: dict[str, object] = {}
        for year, month in MONTHS:
            trails = await month_trails(store, year, month, tz)
            figures = figures_from(year, month, tz, trails, clock, workflow=wf)
            out[f"{year}-{month:02d}"] = {
                "requests": len(trails),
                "events": sum(len(events) for _, events in trails),
                "figures": _digest(repr(figures)),
                "csv": _digest(audit_csv(trails, tz, workflow=wf)),
            }
        cases = await open_overdue(store, clock, NOW, wf)
        out["open_overdue"] = {"cases": len(cases), "digest": _digest(repr(cases))}
        return out
    finally:
        await office.close()


async def test_month_reports_unchanged(tmp_path: Path) -> None:
    golden = json.loads(GOLDEN.read_text())
    now = await snapshot(tmp_path)
    assert sum(m["requests"] for k, m in now.items() if k != "open_overdue") > 500  # type: ignore[index]
    differing = [key for key in golden if golden[key] != now.get(key)]
    assert not differing, f"differs from the golden file: {differing}"
    assert now.keys() == golden.keys()


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        GOLDEN.write_text(json.dumps(asyncio.run(snapshot(Path(tmp))), indent=1) + "\n")
    print(f"wrote {GOLDEN}", file=sys.stderr)
