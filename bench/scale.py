"""Costs as the office's history grows: databases of 1k, 10k (and, asked for, 100k) requests,
generated through the product's own storage code (`bench.history`, seeded, checked with
`db check`), and per size the p50/p95 of the hot paths, the CLI, start-up and memory.

    .venv/bin/python -m bench.scale [--sizes 1000,10000] [--json] [--seed 16] [--dir DIR]

`--sizes 1000,10000,100000` adds the 100k database (about two minutes to generate). With
`--json`, one JSON object per line and size (keys: see `RESULT_KEYS`).

The bot's memory (`rss_mb`) is that of a bot that has run for weeks (`long_run`): the real
`python -m bot run` has made a monthly report and a disposition sheet, then run the whole daily
watch over the register (a throwaway BIND answers every name; the probes reach loopback only).
`rss_start_mb` is its start-up alone (the reminder scan, the day's watch starting).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

from bench._common import percentile, proc_status_mib, table
from bench.history import NOW, Cast, generate, open_count
from bot.deadlines import ReminderScheduler
from bot.service import ActionInput, Office
from bot.settings import Settings
from bot.technical import names_in_use
from bot.workflow import Action, Instruction, State
from letters.offload import DRAWING
from storage.models import OutMessage
from storage.store import Store
from tests.support.office import BALANGAN

ROOT = Path(__file__).resolve().parents[1]
RESULT_KEYS = ("size", "inbox_p95_ms", "status_p95_ms", "request_list_p95_ms",
               "report_month_s", "transition_p95_ms", "startup_ms", "cli_help_ms",
               "db_mb_per_1k", "rss_mb", "rss_start_mb")
STATUS_LIMIT = 20  # bot.handlers.status.MAX_LISTED
REPORT_MONTH = (2026, 10)


def env_for(path: Path, **extra: str) -> dict[str, str]:
    return {**BALANGAN, "DATABASE_PATH": str(path), "DATA_DIR": str(path.parent / "data"),
            "DNS_SERVERS": "127.0.0.1:9", "LOG_LEVEL": "WARNING",
            "WATCH_ALLOWED_NETWORKS": "127.0.0.0/8", **extra}


async def timed(samples: list[float], call: Callable[[], Awaitable[Any]]) -> Any:
    start = time.perf_counter()
    result = await call()
    samples.append(time.perf_counter() - start)
    return result


def ms(samples: Sequence[float]) -> tuple[float, float]:
    return (round(statistics.median(samples) * 1000, 2),
            round(percentile(samples, 95) * 1000, 2))


class Run:
    """The measurements of one size: rows for the table, values for the JSON line."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.rows: list[tuple[str, str, str, str]] = []
        self.notes: list[str] = []
        self.result: dict[str, Any] = {"size": size}

    def add(self, what: str, samples: Sequence[float], key: str | None = None) -> None:
        p50, p95 = ms(samples)
        self.rows.append((what, str(len(samples)), f"{p50:.2f}", f"{p95:.2f}"))
        if key:
            self.result[key] = p95

    def note(self, what: str, value: str, key: str | None = None, raw: Any = None) -> None:
        self.notes.append(f"{what}: {value}")
        if key:
            self.result[key] = raw


async def build(folder: Path, size: int, seed: int) -> tuple[Path, Cast, float]:
    path = folder / f"office-{size}.sqlite3"
    store = await Store.open(path)
    start = time.perf_counter()
    try:
        cast = await generate(store, size, seed)
    finally:
        await store.close()
    seconds = time.perf_counter() - start
    import sqlite3  # a fresh file, as a copy of the running bot's database would be

    with sqlite3.connect(path) as raw:
        raw.execute("VACUUM")
    return path, cast, seconds


async def measure(path: Path, cast: Cast, run: Run, repeat: int) -> None:
    settings = Settings.from_mapping(env_for(path))
    office = Office(await Store.open(path), settings, lambda: NOW)
    try:
        await reads(office, cast, run, repeat)
        await outbox_round(office, run)
        await transitions(office, cast, run)
        await reminders(office, settings, run, repeat)
    finally:
        await office.close()


async def reads(office: Office, cast: Cast, run: Run, repeat: int) -> None:
    store = office.store
    people = {name: await store.person(pid) for name, pid in (
        ("kepala_dinas", cast.head), ("kabid", cast.kabid), ("kasi", cast.kasi),
        ("staf_prakom", cast.staff[0]), ("requester", cast.busiest_requester))}
    inbox: list[float] = []
    counts = {}
    for _ in range(repeat):
        for name in ("kepala_dinas", "kabid", "kasi"):
            who = people[name]
            assert who is not None
            counts[name], _cards = await timed(inbox, partial(office.inbox, who, 1,
                                                               STATUS_LIMIT))
    run.add(f"inbox /tugas: count + first {STATUS_LIMIT} cards (Kepala Dinas, Kabid, Kasi)",
            inbox, "inbox_p95_ms")
    staff = people["staf_prakom"]
    assert staff is not None
    pending: list[float] = []
    for _ in range(repeat):
        found = await timed(pending, lambda: office.pending_for(staff))
    counts["staf_prakom"] = len(found)
    run.add("inbox of a staff member: pending_for (cards ask DNS)", pending)
    run.note("waiting per inbox", ", ".join(f"{k} {v}" for k, v in counts.items()))

    requester = people["requester"]
    assert requester is not None
    status: list[float] = []
    for _ in range(repeat):
        await timed(status, lambda: office.requests_of(requester, limit=STATUS_LIMIT))
    filed = len(await store.requests(requester_id=requester.id))
    run.add(f"/status of the busiest requester ({filed} requests)", status, "status_p95_ms")

    listing: list[float] = []
    filters: list[dict[str, Any]] = [{}, {"state": State.COMPLETED}, {"agency": "pd00"},
                                     {"year": 2025}, {"state": State.DISPOSITION_HEAD}]
    last = None
    for i in range(repeat):
        last = await timed(listing, partial(office.requests, **filters[i % len(filters)],
                                            limit=51))
    assert last
    page = await office.requests(limit=51)
    await timed(listing, lambda: office.requests(limit=51, before=page[-1].id))
    run.add("request list: 50 newest (+ state/agency/year filters, next page)", listing,
            "request_list_p95_ms")

    show: list[float] = []
    numbers = [r.number for r in await office.requests(limit=repeat, year=2024)]

    async def show_one(number: str) -> None:
        shown = await office.request(number)
        await office.letters(shown)
        await office.timeline(shown)
    for number in numbers:
        await timed(show, partial(show_one, number))
    run.add("request show: request, letters, timeline", show)

    names: list[float] = []
    labels = [r.subdomain for r in await office.requests(limit=repeat, year=2023)]
    for label in labels:
        await timed(names, partial(names_in_use, store, office.workflow.open_states, label))
    run.add("name check: register + open requests for one label", names)

    records: list[float] = []
    for _ in range(3):
        listed = await timed(records, office.created_records)
    run.add(f"record list ({len(listed)} subdomains), one query", records)

    report: list[float] = []
    folder = office.settings.data_dir
    with DRAWING.in_process():  # as the CLI's `report` makes them (the bot's: in a child)
        for _ in range(3):
            start = time.perf_counter()
            await office.month_files(*REPORT_MONTH, folder / "report.pdf", csv=True)
            report.append(time.perf_counter() - start)
    received = len(await store.requests_created(*_month_bounds(office)))
    run.add(f"monthly report PDF + CSV, {REPORT_MONTH[0]}-{REPORT_MONTH[1]:02d} "
            f"({received} requests)", report)
    run.result["report_month_s"] = round(statistics.median(report), 3)


def _month_bounds(office: Office) -> tuple[Any, Any]:
    from bot.reports import month_bounds

    return month_bounds(*REPORT_MONTH, office.settings.timezone)


async def outbox_round(office: Office, run: Run) -> None:
    """The storage side of a dispatcher round: read 200 owed messages, mark each sent."""
    store = office.store
    await store.enqueue([OutMessage(1000 + i % 20, "message", {"text": "x" * 400, "buttons": []})
                         for i in range(200)], now=NOW)
    rounds: list[float] = []
    marks: list[float] = []

    async def one_round() -> None:
        for message in await store.pending_messages(now=NOW, limit=200):
            await timed(marks, partial(store.mark_sent, message.id, now=NOW, result={}))
    await timed(rounds, one_round)
    run.add("outbox round: read 200 owed messages", [rounds[0] - sum(marks)])
    run.add("outbox: mark one message sent (commit)", marks)
    prune: list[float] = []
    await timed(prune, lambda: store.prune_sent(before=NOW - timedelta(days=30)))
    run.add("outbox: prune sent messages older than 30 days", prune)


async def transitions(office: Office, cast: Cast, run: Run) -> None:
    moves: list[float] = []
    for state, pid, instruction in ((State.DISPOSITION_HEAD, cast.head, Instruction.FOLLOW_UP),
                                    (State.DISPOSITION_KABID, cast.kabid,
                                     Instruction.STUDY_AND_REPORT)):
        who = await office.store.person(pid)
        assert who is not None
        for request in (await office.store.requests(states=[state]))[:50]:
            await timed(moves, partial(office.act, who, request.id, ActionInput(
                Action.DISPOSE, request.version, instruction=instruction)))
    run.add("one transition: Office.act (dispose at steps 1 and 2)", moves,
            "transition_p95_ms")


async def reminders(office: Office, settings: Settings, run: Run, repeat: int) -> None:
    scheduler = ReminderScheduler(office, settings.work_clock())
    later = NOW + timedelta(days=60)  # every open request overdue
    rounds: list[float] = []
    fired = 0
    while True:
        count = await timed(rounds, lambda: scheduler.scan(later, scheduler.per_round))
        fired += count
        if not count:
            rounds.pop()
            break
    run.add(f"reminder catch-up: {fired} due, {scheduler.per_round} per round", rounds)
    run.note("reminder catch-up: rounds, total", f"{len(rounds)} rounds, "
             f"{sum(rounds):.2f} s")
    steady: list[float] = []
    for _ in range(repeat):
        await timed(steady, lambda: _round(scheduler, later))
    run.add(f"reminder round, nothing due ({open_count(run.size)} open requests)", steady)


async def _round(scheduler: ReminderScheduler, now: Any) -> None:
    await scheduler.scan(now, scheduler.per_round)
    await scheduler.next_due(now)


# --- processes: the CLI and the bot ------------------------------------------------------------


def cli(path: Path, *args: str) -> tuple[float, subprocess.CompletedProcess[str]]:
    env = {**os.environ, **env_for(path)}
    env.pop("BOT_TOKEN", None)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "bot", *args], cwd=path.parent, env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    return time.perf_counter() - start, done


def processes(path: Path, run: Run) -> None:
    helps = [cli(path, "--help")[0] for _ in range(5)]
    run.add("CLI: python -m bot --help (wall)", helps, None)
    run.result["cli_help_ms"] = round(statistics.median(helps) * 1000, 1)
    seconds, done = cli(path, "db", "check")
    if done.returncode != 0 or not done.stdout.startswith("ok"):
        raise SystemExit(f"db check failed: {done.stdout}{done.stderr}")
    run.note("CLI: db check (wall)", f"{seconds * 1000:.0f} ms: {done.stdout.strip()[:40]}")
    lists = [cli(path, "request", "list")[0] for _ in range(3)]
    run.add("CLI: request list (wall)", lists)
    seconds, done = cli(path, "report", "--month", "2026-10", "--csv")
    if done.returncode != 0:
        raise SystemExit(f"report failed: {done.stderr}")
    run.note("CLI: report --month 2026-10 --csv (wall)", f"{seconds * 1000:.0f} ms")


async def startup(path: Path, run: Run, times: int = 3) -> None:
    """`python -m bot run` against the emulator: spawn → first getUpdates, and its memory."""
    from devtools.emulator import BotApiEmulator
    from tests.support.emulator import running_emulator

    samples: list[float] = []
    rss = 0.0
    async with running_emulator(rate_limits=None) as emu:
        for i in range(times):
            samples.append(await _start_once(emu, path, i))
            rss = max(rss, _LAST_RSS[0])
    assert isinstance(emu, BotApiEmulator)
    run.add("start-up: spawn → first getUpdates", samples)
    run.result["startup_ms"] = round(statistics.median(samples) * 1000, 1)
    run.note("bot RSS after start-up and its reminder scan (VmHWM)", f"{rss:.1f} MiB",
             "rss_start_mb", round(rss, 1))


_LAST_RSS = [0.0]


async def worst_case(path: Path, run: Run) -> None:
    """The bot as it runs for weeks (`bench.longrun`): papers drawn, then the whole day's watch."""
    from bench.longrun import long_run
    from tests.support.emulator import running_emulator

    async with running_emulator(rate_limits=None) as emu:
        done = await long_run(path, path.parent, env_for(path), emu)
    run.note("bot RSS after the month's report and a disposition sheet (VmRSS, VmHWM)",
             f"{done.rss_after_papers_mb:.1f} MiB, {done.hwm_after_papers_mb:.1f} MiB")
    run.note(f"the day's watch then, {done.names} names ({done.probed} probed on loopback)",
             f"{done.watch_s:.0f} s")
    run.note("bot RSS: peak of its whole life (VmHWM), at the end (VmRSS)",
             f"{done.rss_mb:.1f} MiB, {done.rss_end_mb:.1f} MiB", "rss_mb", done.rss_mb)


async def _start_once(emu: Any, path: Path, i: int) -> float:
    user = emu.user(900 + i, f"Tamu {i}")
    await user.send_text("halo")  # an update waiting: the first getUpdates returns at once
    seen = len(emu.calls)
    # WATCH_TIME 00:00: the day's watch is due at every hour the bench runs (with the default
    # 06:00 office time it ran or not by the hour, and RSS with it)
    env = {**os.environ, **env_for(path, BOT_TOKEN=emu.token, WATCH_TIME="00:00",
                                   TELEGRAM_API_BASE_URL=emu.base_url)}
    wall = time.time()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=path.parent, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        first = None
        while first is None and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
            first = next((c for c in emu.calls[seen:]
                          if c.method == "getUpdates" and c.result), None)
        if first is None:
            raise SystemExit("the bot did not poll within 30 s")
        await asyncio.sleep(2.0)  # its reminder scan and the answer to the waiting update
        _LAST_RSS[0] = proc_status_mib(proc.pid, "VmHWM")
        return float(first.at - wall)
    finally:
        proc.terminate()
        await proc.wait()


# --- main --------------------------------------------------------------------------------------


async def bench_size(folder: Path, size: int, seed: int, repeat: int) -> Run:
    run = Run(size)
    path, cast, seconds = await build(folder, size, seed)
    megabytes = path.stat().st_size / 1e6
    run.note("generated (seconds), database after VACUUM (MB)",
             f"{seconds:.1f} s, {megabytes:.1f} MB")
    run.result["generate_s"] = round(seconds, 1)
    run.result["db_mb_per_1k"] = round(megabytes / (size / 1000), 2)
    run.note("database per 1k requests (MB)", f"{run.result['db_mb_per_1k']:.2f}")
    processes(path, run)
    await measure(path, cast, run, repeat)
    await startup(path, run)
    await worst_case(path, run)
    return run


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000",
                        help="comma-separated request counts (default 1000,10000)")
    parser.add_argument("--json", action="store_true", help="one JSON object per size")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=40, help="samples per read (default 40)")
    parser.add_argument("--dir", type=Path, help="keep the databases here (default: a "
                                                 "temporary directory, removed)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    folder = args.dir or Path(tempfile.mkdtemp(prefix="bench-scale-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        for size in sizes:
            run = asyncio.run(bench_size(folder, size, args.seed, args.repeat))
            if args.json:
                print(json.dumps(run.result), flush=True)
            else:
                print(table(f"{size} requests (seed {args.seed})",
                            ["what", "n", "p50 ms", "p95 ms"], run.rows), flush=True)
                print("\n".join(run.notes), flush=True)
                print(f"json: {json.dumps(run.result)}\n", flush=True)
    finally:
        if args.dir is None:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
