"""Office.act on a real SQLite file (WAL, synchronous FULL): transitions per second, latency
per transition, and the compare-and-set when many tasks press the same step at once.

Only steps that do no DNS work are driven: step 1 and 2 dispositions and the returns of
steps 2 and 3 (1 → 2 → 3 → 2 → 1 …). Every transition is the real one: audit row, the
notifications it queues in the outbox, the version compare-and-set, one fsync'd commit.

    .venv/bin/python -m bench.transitions [--dir DIR] [--requests 50] [--rounds 8]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench._common import peak_rss_mib, summary_ms, table
from bot.service import ActionInput, AlreadyHandled, Office
from bot.workflow import Action, Instruction, State
from storage.models import Person, Request
from tests.support.office import HEAD, KABID, KASI, Clock, open_office, person, seed_people, submit

LABELS = ("dispose by Kepala Dinas (1→2)", "dispose by Kabid (2→3)",
          "return by Kasi (3→2)", "return by Kabid (2→1)")
NOTE = "Mohon dilengkapi lampiran surat permohonan"


@dataclass(frozen=True)
class Move:
    who: int
    action: Action
    given: dict[str, object]


CYCLE: Sequence[Move] = (
    Move(HEAD, Action.DISPOSE, {"instruction": Instruction.FOLLOW_UP}),  # 1 → 2
    Move(KABID, Action.DISPOSE, {"instruction": Instruction.STUDY_AND_REPORT}),  # 2 → 3
    Move(KASI, Action.RETURN, {"note": NOTE}),  # 3 → 2
    Move(KABID, Action.RETURN, {"note": NOTE}),  # 2 → 1
)


async def people(office: Office) -> dict[int, Person]:
    return {uid: await person(office, uid) for uid in (HEAD, KABID, KASI)}


async def timed_act(office: Office, cast: dict[int, Person], request: Request, move: Move,
                    clock: Clock) -> tuple[Request, float]:
    clock.advance(minutes=1)
    given = ActionInput(move.action, request.version, **move.given)  # type: ignore[arg-type]
    start = time.perf_counter()
    moved = await office.act(cast[move.who], request.id, given)
    return moved, time.perf_counter() - start


async def drive(office: Office, cast: dict[int, Person], requests: list[Request], rounds: int,
                clock: Clock, workers: int,
                by_move: dict[int, list[float]]) -> tuple[list[float], float]:
    """Drive every request through `rounds` cycles; `workers` requests move concurrently."""
    latencies: list[float] = []
    queue: asyncio.Queue[Request] = asyncio.Queue()
    for r in requests:
        queue.put_nowait(r)

    async def worker() -> None:
        while not queue.empty():
            request = queue.get_nowait()
            for _ in range(rounds):
                for index, move in enumerate(CYCLE):
                    request, took = await timed_act(office, cast, request, move, clock)
                    latencies.append(took)
                    by_move.setdefault(index, []).append(took)
            assert request.state == State.DISPOSITION_HEAD

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(workers)))
    return latencies, time.perf_counter() - start


async def contend(offices: Sequence[Office], tasks: int, clock: Clock) -> float:
    """`tasks` presses of the same step-1 button at the same version, spread over the
    offices' connections; exactly one may win. Returns the time until all resolved."""
    fresh = await submit(offices[0], "rebutan")
    cast = [await person(o, HEAD) for o in offices]
    given = ActionInput(Action.DISPOSE, fresh.version, instruction=Instruction.FOLLOW_UP)
    clock.advance(minutes=1)
    start = time.perf_counter()
    results = await asyncio.gather(
        *(offices[i % len(offices)].act(cast[i % len(offices)], fresh.id, given)
          for i in range(tasks)),
        return_exceptions=True)
    took = time.perf_counter() - start
    won = [r for r in results if isinstance(r, Request)]
    lost = [r for r in results if isinstance(r, AlreadyHandled)]
    if len(won) != 1 or len(lost) != tasks - 1:
        raise SystemExit(f"compare-and-set broken: {len(won)} winners, results {results!r}")
    return took


async def run(folder: Path, n_requests: int, rounds: int, cas_rounds: int) -> list[str]:
    clock = Clock()
    db = folder / "bench.sqlite3"
    office = await open_office(db, clock, DATA_DIR=str(folder / "data"), MAX_OPEN_REQUESTS="0")
    out: list[str] = []
    try:
        journal = await _pragma(office, "journal_mode")
        sync = await _pragma(office, "synchronous")
        out.append(f"database {db} (journal_mode={journal}, synchronous={sync}; 2=FULL)")
        await seed_people(office.store, clock())
        cast = await people(office)
        rows: list[tuple[object, ...]] = []
        by_move: dict[int, list[float]] = {}
        for workers in (1, 8):
            requests = [await submit(office, f"layanan{workers}x{i}") for i in range(n_requests)]
            latencies, total = await drive(office, cast, requests, rounds, clock, workers,
                                           by_move if workers == 1 else {})
            p50, p95, worst = summary_ms(latencies)
            rows.append((workers, len(latencies), f"{total:.2f}",
                         f"{len(latencies) / total:.0f}", p50, p95, worst))
        out.append(table("Office.act, steps without DNS (dispose/dispose/return/return)",
                         ["concurrent", "transitions", "seconds", "per s", "p50 ms", "p95 ms",
                          "max ms"], rows))

        out.append(table("One at a time, by step", ["step", "n", "p50 ms", "p95 ms", "max ms"],
                         [(LABELS[i], len(t), *summary_ms(t)) for i, t in by_move.items()]))

        others = [office, *[await open_office(db, clock, MAX_OPEN_REQUESTS="0") for _ in range(3)]]
        try:
            rows = []
            for tasks in (2, 10, 50):
                for conns in (1, 4):
                    times = [await contend(others[:conns], tasks, clock)
                             for _ in range(cas_rounds)]
                    p50, p95, worst = summary_ms(times)
                    rows.append((tasks, conns, cas_rounds, p50, p95, worst,
                                 f"{statistics.median(times) / tasks * 1000:.2f}"))
        finally:
            for other in others[1:]:
                await other.store.close()
        out.append(table("Compare-and-set: N presses of one step at one version (1 winner, "
                         "N-1 'already handled')",
                         ["N tasks", "connections", "rounds", "p50 ms (all resolved)", "p95 ms",
                          "max ms", "p50 ms per task"], rows))
    finally:
        await office.store.close()
    out.append(f"peak RSS of this process: {peak_rss_mib():.1f} MiB")
    return out


async def _pragma(office: Office, name: str) -> str:
    async with office.store.db.reading() as conn:
        rows = list(await conn.execute_fetchall(f"PRAGMA {name}"))
    return str(rows[0][0])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.transitions", description=__doc__)
    parser.add_argument("--dir", type=Path, default=None,
                        help="where the database goes (default: a fresh temporary directory)")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=2, help="4-transition cycles per request")
    parser.add_argument("--cas-rounds", type=int, default=20)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-transitions-", dir=args.dir) as tmp:
        lines = asyncio.run(run(Path(tmp), args.requests, args.rounds, args.cas_rounds))
    print("\n\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
