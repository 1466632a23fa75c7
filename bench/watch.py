"""The daily watch over a zone of 1,000 names against loopback web servers: time and memory.

A throwaway BIND serves the zone (`devtools.localbind`); the names point at 127.0.0.1 where one
HTTP and one HTTPS server (a child process, `tests/support/websites.py`, certificates from a CA
made here) answer by name: mostly valid sites, and some of every kind of trouble (gambling
pages, pages that never end, 50 MB pages, redirect loops, wrong-name and expired certificates,
dangling CNAMEs, names pointing off this machine). Measured: `register import` by AXFR, the
first watch run (every finding new, messages queued), a second run (nothing new), peak RSS.

    .venv/bin/python -m bench.watch [--names 1000] [--concurrency 16] [--timeout 2]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import multiprocessing
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench._common import peak_rss_mib, table
from bot.service import Office
from devtools.localbind import start_bind
from tests.support.office import BALANGAN, Clock, open_office, seed_people
from tests.support.websites import serve_websites

ZONE = BALANGAN["PARENT_DOMAIN"]
TROUBLE = {  # per 1,000 names; the rest are valid sites
    "judi": 30, "lambat": 10, "raksasa": 10, "putar": 10, "salahnama": 10, "kedaluwarsa": 10,
    "putus": 10, "publik": 10,
}


def zone_extra(names: int) -> str:
    lines, counts = [], dict.fromkeys(TROUBLE, 0)
    for kind, per_thousand in TROUBLE.items():
        counts[kind] = max(1, names * per_thousand // 1000)
    for kind, count in counts.items():
        for i in range(count):
            if kind == "putus":
                lines.append(f"putus-{i:04d} IN CNAME hilang-{i:04d}")
            elif kind == "publik":
                lines.append(f"publik-{i:04d} IN A 203.0.113.{i % 250 + 1}")
            else:
                lines.append(f"{kind}-{i:04d} IN A 127.0.0.1")
    for i in range(names - len(lines) - 9):  # 9 names are in the test zone already
        lines.append(f"situs-{i:04d} IN A 127.0.0.1")
    return "\n".join(lines) + "\n"


def _serve(directory: str, ready: multiprocessing.Queue[tuple[int, int, str]]) -> None:
    # Writes to a client that has gone (the watch stops reading a 50 MB page) are expected.
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)

    async def main() -> None:
        async with serve_websites(Path(directory), ZONE) as (sites, ca):
            ready.put((sites.http_port, sites.https_port, str(ca.ca_file)))
            await asyncio.Event().wait()

    asyncio.run(main())


async def measure(office: Office) -> list[tuple[str, str, str]]:
    rows = []
    started = time.perf_counter()
    imported = await office.register.import_zone()
    rows.append(("register import (AXFR)", f"{time.perf_counter() - started:.2f} s",
                 f"{len(imported.imported.added)} names"))
    for run in ("first", "second"):
        started = time.perf_counter()
        outcome = await office.register.watch()
        took = time.perf_counter() - started
        kinds = Counter(p.kind for r in outcome.reports for p in r.problems)
        rows.append((f"watch run ({run})", f"{took:.2f} s",
                     f"{len(outcome.reports)} names, {outcome.new} new, "
                     f"{sum(kinds.values())} findings"))
    pending = await office.store.pending_messages(now=office.clock(), limit=100_000)
    rows.append(("messages queued", str(len(pending)), "to the staff and the group"))
    rows.append(("peak RSS (watch process)", f"{peak_rss_mib():.1f} MiB", ""))
    return rows


async def bench(args: argparse.Namespace, directory: Path) -> None:
    ready: multiprocessing.Queue[tuple[int, int, str]] = multiprocessing.Queue()
    server = multiprocessing.Process(target=_serve, args=(str(directory / "ca"), ready),
                                     daemon=True)
    server.start()
    try:
        http_port, https_port, ca_file = ready.get(timeout=30)
        with start_bind(directory / "named", ZONE, zone_extra(args.names)) as bind:
            clock = Clock()
            clock.now = clock.now.fromtimestamp(time.time(), clock.now.tzinfo)
            office = await open_office(
                directory / "bench.sqlite3", clock, **bind.env(), GROUP_CHAT_ID="-100123",
                WATCH_HTTP_PORT=str(http_port), WATCH_HTTPS_PORT=str(https_port),
                WATCH_CA_FILE=ca_file, WATCH_TIMEOUT=str(args.timeout),
                WATCH_CONCURRENCY=str(args.concurrency))
            await seed_people(office.store, clock())
            try:
                rows = await measure(office)
            finally:
                await office.store.close()
    finally:
        server.terminate()
        server.join(10)
    print(table(f"the watch over {args.names} names (concurrency {args.concurrency}, "
                f"timeout {args.timeout:g} s, body limit 256 KiB)",
                ("what", "time / count", "detail"), rows))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.watch", description=__doc__)
    parser.add_argument("--names", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--timeout", type=float, default=2.0)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-watch-") as tmp:
        asyncio.run(bench(args, Path(tmp)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
