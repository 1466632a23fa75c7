"""The memory of a bot that has run for weeks: `python -m bot run` against the emulator makes the
monthly report and a disposition sheet (asked in the chat by the Kepala Dinas), then runs the
whole daily watch over the register, and its peak RSS (VmHWM) over all of it is read.

A throwaway BIND answers every name of the register: one name in `PROBED_EVERY` at 127.0.0.1,
where loopback web servers answer (HTTP and HTTPS, a CA made for the run), the rest at
192.0.2.1 (TEST-NET-1), outside WATCH_ALLOWED_NETWORKS=127.0.0.0/8: never contacted. The bot
reaches nothing but loopback.

    .venv/bin/python -m bench.longrun --db COPY-OF-A-DATABASE.sqlite3

(`bench.scale` runs it on each size it generates: `rss_mb`.) The database is written to (the
watch's findings and runs, the messages): pass a copy.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bench._common import NO_PACING, proc_status_mib
from tests.support.office import BALANGAN

ZONE = BALANGAN["PARENT_DOMAIN"]
PROBED_EVERY = 50
"""One name in this many points at loopback and is probed over HTTP and HTTPS."""
OUTSIDE = "192.0.2.1"
"""TEST-NET-1 (RFC 5737): where the other names point; outside the allowed networks."""
REPORT_MONTH = "2026-10"
WATCH_TIMEOUT = 600.0


@dataclass
class LongRun:
    names: int
    probed: int
    rss_after_papers_mb: float
    """VmRSS once the report and the sheet are sent (what the bot keeps resident)."""
    hwm_after_papers_mb: float
    watch_s: float
    rss_mb: float
    """VmHWM at the end: the peak of the bot's whole life (start, papers, the watch)."""
    rss_end_mb: float


def _people_and_labels(path: Path) -> tuple[int, int, list[str]]:
    """The Kepala Dinas's chat, one request's id, the register's active labels."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        head = db.execute(
            """SELECT p.telegram_user_id FROM people p JOIN positions h ON h.person_id = p.id
               WHERE h.position = 'kepala_dinas' AND p.telegram_user_id IS NOT NULL
               ORDER BY h.acting IS NOT NULL LIMIT 1""").fetchone()
        request = db.execute("SELECT id FROM requests ORDER BY id LIMIT 1").fetchone()
        labels = [r[0] for r in db.execute(
            "SELECT label FROM subdomains WHERE status = 'active' ORDER BY label")]
    if head is None or request is None:
        raise SystemExit(f"{path}: no Kepala Dinas with a chat, or no request")
    return int(head[0]), int(request[0]), labels


def zone_records(labels: list[str]) -> str:
    probed = [label for i, label in enumerate(labels) if i % PROBED_EVERY == 0]
    lines = [f"* IN A {OUTSIDE}", *(f"{label} IN A 127.0.0.1" for label in probed)]
    return "\n".join(lines) + "\n"


def _forget_todays_watch(path: Path) -> None:
    """A start-up measured before may have finished a day's run (DNS refused at once on a small
    register): the day's watch is due again."""
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM watch_runs WHERE kind = 'daily'")


def _watch_done(path: Path) -> bool:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as db:
        row = db.execute("SELECT 1 FROM watch_runs WHERE kind = 'daily' AND finished_at IS "
                         "NOT NULL").fetchone()
    return row is not None


def _watch_time(timezone: Any, lead: float = 40.0) -> datetime:
    """The first whole minute, office time, at least `lead` seconds from now: the bot starts and
    makes its papers first, then the day's watch falls due."""
    local = datetime.now(timezone) + timedelta(seconds=lead)
    return (local + timedelta(minutes=1)).replace(second=0, microsecond=0)


async def long_run(path: Path, folder: Path, env: dict[str, str], emu: Any) -> LongRun:
    """`env`: the bot's settings (office, database) without the watch's and the DNS's."""
    from zoneinfo import ZoneInfo

    from devtools.localbind import start_bind
    from tests.support.websites import serve_websites

    head, request_id, labels = _people_and_labels(path)
    _forget_todays_watch(path)
    due = _watch_time(ZoneInfo(env["TIMEZONE"]))
    with start_bind(folder / "named-longrun", ZONE, zone_records(labels)) as bind:
        async with serve_websites(folder / "ca-longrun", ZONE) as (sites, ca):
            env = {**os.environ, **env, **NO_PACING, "BOT_TOKEN": emu.token,
                   "TELEGRAM_API_BASE_URL": emu.base_url,
                   "DNS_SERVERS": f"{bind.host}:{bind.port}",
                   "WATCH_TIME": f"{due:%H:%M}",
                   "WATCH_ALLOWED_NETWORKS": "127.0.0.0/8",
                   "WATCH_HTTP_PORT": str(sites.http_port),
                   "WATCH_HTTPS_PORT": str(sites.https_port),
                   "WATCH_CA_FILE": str(ca.ca_file), "WATCH_TIMEOUT": "2"}
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", cwd=path.parent, env=env,
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
            try:
                await _papers(emu, head, request_id, Path(env["DATA_DIR"]))
                rss = proc_status_mib(proc.pid, "VmRSS")
                hwm = proc_status_mib(proc.pid, "VmHWM")
                if datetime.now(due.tzinfo) >= due:
                    raise SystemExit(f"the papers took until after the watch began ({due})")
                while not _watch_done(path):
                    if proc.returncode is not None:
                        raise SystemExit("the bot stopped during the watch")
                    if datetime.now(due.tzinfo) - due > timedelta(seconds=WATCH_TIMEOUT):
                        raise SystemExit("the day's watch did not finish")
                    await asyncio.sleep(0.5)
                watch_s = (datetime.now(due.tzinfo) - due).total_seconds()
                await asyncio.sleep(2.0)  # the weekly summary and the outbox after the run
                return LongRun(
                    names=len(labels), probed=len(sites.contacted),
                    rss_after_papers_mb=round(rss, 1), hwm_after_papers_mb=round(hwm, 1),
                    watch_s=round(watch_s, 1),
                    rss_mb=round(proc_status_mib(proc.pid, "VmHWM"), 1),
                    rss_end_mb=round(proc_status_mib(proc.pid, "VmRSS"), 1))
            finally:
                proc.terminate()
                await proc.wait()


async def _papers(emu: Any, head: int, request_id: int, data: Path) -> None:
    """The Kepala Dinas asks for the month's report, then for a request's disposition sheet
    (a button's callback): both are drawn by the bot. Waited for until their files are
    written (their delivery may queue behind the reminders owed to the same chat)."""
    report = data / "reports" / f"laporan-subdomain-{REPORT_MONTH}.pdf"
    sheets = data / "sheets"
    _remove(report, *sheets.glob("*-disposisi.pdf"))
    user = emu.user(head, "Kepala Dinas")
    deadline = time.monotonic() + 60
    while not any(c.method == "getUpdates" for c in emu.calls):
        if time.monotonic() > deadline:
            raise SystemExit("the bot did not poll within 60 s")
        await asyncio.sleep(0.05)
    asked = await user.send_text(f"/laporan {REPORT_MONTH}")
    await _file(report)
    await user.press_data(asked, f"sheet:{request_id}", timeout=60)
    await _file(sheets, "*-disposisi.pdf")


def _remove(*paths: Path) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _written(path: Path, pattern: str | None) -> bool:
    return any(path.glob(pattern)) if pattern else path.exists()


async def _file(path: Path, pattern: str | None = None, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not _written(path, pattern):
        if time.monotonic() > deadline:
            raise SystemExit(f"no {path / (pattern or '')} within {seconds:.0f} s")
        await asyncio.sleep(0.05)


async def _main(db: Path) -> LongRun:
    from tests.support.emulator import running_emulator

    env = {**BALANGAN, "DATABASE_PATH": str(db), "DATA_DIR": str(db.parent / "data"),
           "LOG_LEVEL": "WARNING"}
    with tempfile.TemporaryDirectory(prefix="bench-longrun-") as tmp:
        async with running_emulator(rate_limits=None) as emu:
            return await long_run(db, Path(tmp), env, emu)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.longrun", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, required=True,
                        help="a copy of a database (bench.scale --dir keeps them)")
    args = parser.parse_args(argv)
    print(json.dumps(asdict(asyncio.run(_main(args.db.resolve())))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
