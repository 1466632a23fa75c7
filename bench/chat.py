"""The real Application against the Bot API emulator (its flood limits off), the bot in a
process of its own: how long a simulated official waits for the ✅ on a step card, how long
a requester waits for /status, and what the bot process costs in memory and CPU.

Steps driven (no DNS work, so no DNS server is needed and none is configured):
the Kabid's "Disposisi ke Kasi · Pelajari dan laporkan" (button, Lewati on the card) and the
Kasi's "Kembalikan" (button, typed note), alternating step 2 ⇄ step 3 on one request. The bot's
pacing is off (PACE_*=0), as the emulator's flood limits are; `bench.pacing` measures with both
on. No office group is set (see README.md).

    .venv/bin/python -m bench.chat [--cycles 50] [--status 50] [--rate-limiter]
    .venv/bin/python -m bench.chat --crowd 10 [--rate 50]  # 20 officials + 20 requesters
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench import botproc
from bench._common import (
    NO_PACING,
    peak_rss_mib,
    proc_cpu_seconds,
    proc_status_mib,
    summary_ms,
    table,
)
from bot.service import ActionInput
from bot.texts import choice_label
from bot.workflow import Action, Instruction
from devtools.emulator import BotApiEmulator, SimMessage, SimUser
from tests.support.botrun import cast
from tests.support.emulator import running_emulator
from tests.support.office import (
    BALANGAN,
    HEAD,
    Clock,
    open_office,
    person,
    seed_people,
    submit,
)

NOTE = "Mohon dilengkapi lampiran surat permohonan"
WAIT = 10.0


@dataclass
class Samples:
    answer: list[float] = field(default_factory=list)  # first button → callback answer
    commit_press: list[float] = field(default_factory=list)  # Lewati press → ✅ edit
    commit_text: list[float] = field(default_factory=list)  # typed note → ✅ edit
    whole: list[float] = field(default_factory=list)  # first button → ✅ edit
    status_list: list[float] = field(default_factory=list)
    status_one: list[float] = field(default_factory=list)


def card_for(step: int) -> Callable[[SimMessage], bool]:
    return lambda m: not m.edited and f"Tahap {step}" in m.text and bool(m.buttons)


def done_on(card: SimMessage) -> Callable[[SimMessage], bool]:
    return lambda m: m.edited and m.message_id == card.message_id and "✅" in m.text


def prompt_on(card: SimMessage) -> Callable[[SimMessage], bool]:
    """The card edited to ask for the note (the step flow asks on the card itself)."""
    return lambda m: m.edited and m.message_id == card.message_id and "✏️" in m.text


def new_after(after: int, needle: str) -> Callable[[SimMessage], bool]:
    """A new bot message sent after message `after` of the chat (ids count per chat)."""
    return lambda m: m.message_id > after and not m.edited and needle in m.text


async def dispose(kabid: SimUser, card: SimMessage, s: Samples) -> None:
    start = time.perf_counter()
    await kabid.press(card, choice_label("Disposisi ke Kasi", Instruction.STUDY_AND_REPORT.value))
    s.answer.append(time.perf_counter() - start)
    ask = await kabid.wait_for(prompt_on(card), WAIT)
    pressed = time.perf_counter()
    await kabid.press(ask, "Lewati", wait_answer=False)
    await kabid.wait_for(done_on(card), WAIT)
    now = time.perf_counter()
    s.commit_press.append(now - pressed)
    s.whole.append(now - start)


async def send_back(kasi: SimUser, card: SimMessage, s: Samples) -> None:
    start = time.perf_counter()
    await kasi.press(card, "Kembalikan")
    s.answer.append(time.perf_counter() - start)
    await kasi.wait_for(prompt_on(card), WAIT)
    typed = time.perf_counter()
    await kasi.send_text(NOTE)
    await kasi.wait_for(done_on(card), WAIT)
    now = time.perf_counter()
    s.commit_text.append(now - typed)
    s.whole.append(now - start)


async def status_round_trips(requester: SimUser, number: str, n: int, s: Samples) -> None:
    for _ in range(n):
        start = time.perf_counter()
        cmd = await requester.send_command("/status")
        await requester.wait_for(new_after(cmd.message_id, "Permohonan Bapak/Ibu"), WAIT)
        s.status_list.append(time.perf_counter() - start)
        start = time.perf_counter()
        cmd = await requester.send_command(f"/status {number}")
        await requester.wait_for(new_after(cmd.message_id, "Riwayat"), WAIT)
        s.status_one.append(time.perf_counter() - start)


async def prepare(settings: dict[str, str], folder: Path) -> str:
    """Seed the people and file one request at step 2 (straight through the office)."""
    clock = Clock(datetime.now(UTC))  # the bot process runs on the wall clock
    office = await open_office(folder / "bot.sqlite3", clock, **settings)
    try:
        await seed_people(office.store, clock())
        request = await submit(office)
        head = await person(office, HEAD)
        await office.act(head, request.id, ActionInput(
            Action.DISPOSE, request.version, instruction=Instruction.FOLLOW_UP))
        return request.number
    finally:
        await office.store.close()


async def start_bot(settings: dict[str, str], rate_limiter: bool) -> asyncio.subprocess.Process:
    args = ["-m", "bench.botproc", *(["--rate-limiter"] if rate_limiter else [])]
    proc = await asyncio.create_subprocess_exec(
        sys.executable, *args, stdout=asyncio.subprocess.PIPE,
        env={**os.environ, botproc.ENV: json.dumps(settings)})
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), 30)
    if line.decode().strip() != botproc.READY:
        raise SystemExit(f"bot process did not start (said {line!r})")
    return proc


async def stop_bot(proc: asyncio.subprocess.Process) -> int:
    if proc.returncode is None:
        proc.send_signal(signal.SIGTERM)
    return await asyncio.wait_for(proc.wait(), 30)


async def bench(emu: BotApiEmulator, folder: Path, cycles: int, n_status: int,
                rate_limiter: bool) -> list[str]:
    settings = {**BALANGAN, "BOT_TOKEN": emu.token, "TELEGRAM_API_BASE_URL": emu.base_url,
                "DATABASE_PATH": str(folder / "bot.sqlite3"), "DATA_DIR": str(folder / "data"),
                "LOG_LEVEL": "WARNING", **NO_PACING}
    number = await prepare(settings, folder)
    people = cast(emu)
    s = Samples()
    proc = await start_bot(settings, rate_limiter)
    try:
        pid = proc.pid
        rss_ready = proc_status_mib(pid, "VmRSS")
        card = await people.kabid.wait_for(card_for(2), WAIT)
        for _ in range(2):  # warm-up cycle(s), not counted
            await dispose(people.kabid, card, Samples())
            card = await people.kasi.wait_for(card_for(3), WAIT)
            await send_back(people.kasi, card, Samples())
            card = await people.kabid.wait_for(card_for(2), WAIT)
        cpu0, t0 = proc_cpu_seconds(pid), time.perf_counter()
        for _ in range(cycles):
            await dispose(people.kabid, card, s)
            card = await people.kasi.wait_for(card_for(3), WAIT)
            await send_back(people.kasi, card, s)
            card = await people.kabid.wait_for(card_for(2), WAIT)
        cpu_steps, wall_steps = proc_cpu_seconds(pid) - cpu0, time.perf_counter() - t0
        cpu0 = proc_cpu_seconds(pid)
        await status_round_trips(people.requester, number, n_status, s)
        cpu_status = proc_cpu_seconds(pid) - cpu0
        hwm, rss_end = proc_status_mib(pid, "VmHWM"), proc_status_mib(pid, "VmRSS")
    finally:
        code = await stop_bot(proc)
    child_max = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if code != 0:
        raise SystemExit(f"bot process exited with {code}")

    actions = 2 * cycles
    rows = [
        ("step button → callback answer", len(s.answer), *summary_ms(s.answer)),
        ("'Lewati' press → ✅ edit (dispose, commit)", len(s.commit_press),
         *summary_ms(s.commit_press)),
        ("typed note → ✅ edit (return, commit)", len(s.commit_text), *summary_ms(s.commit_text)),
        ("whole action, first button → ✅ edit", len(s.whole), *summary_ms(s.whole)),
        ("/status → list reply", len(s.status_list), *summary_ms(s.status_list)),
        (f"/status {number} → timeline reply", len(s.status_one), *summary_ms(s.status_one)),
    ]
    limiter = "ON (production)" if rate_limiter else "off"
    lines = [table(f"Chat round trips (emulator flood limits off; Application rate limiter "
                   f"{limiter}; bot pacing off)",
                   ["what", "n", "p50 ms", "p95 ms", "max ms"], rows)]
    presses = 2 * cycles + 1 * cycles  # dispose: 2 presses; return: 1 press + 1 text
    inputs = presses + cycles
    lines.append(table("Throughput and cost of the bot process", ["measure", "value"], [
        ("actions (transitions) by chat", actions),
        ("actions per second, one person at a time", f"{actions / wall_steps:.1f}"),
        ("user inputs (presses + texts) per second", f"{inputs / wall_steps:.1f}"),
        ("bot CPU per action (ms)", f"{cpu_steps / actions * 1000:.1f}"),
        ("bot CPU per user input (ms)", f"{cpu_steps / inputs * 1000:.1f}"),
        ("bot CPU per /status (ms)", f"{cpu_status / (2 * n_status) * 1000:.1f}"),
        ("bot RSS when ready (MiB)", f"{rss_ready:.1f}"),
        ("bot RSS at the end (MiB)", f"{rss_end:.1f}"),
        ("bot peak RSS, VmHWM (MiB)", f"{hwm:.1f}"),
        ("bot peak RSS, getrusage(RUSAGE_CHILDREN) (MiB)", f"{child_max:.1f}"),
        ("this process (emulator + simulated people) peak RSS (MiB)", f"{peak_rss_mib():.1f}"),
    ]))
    lines.append(f"median whole action: {statistics.median(s.whole) * 1000:.1f} ms over "
                 f"{len(s.whole)} actions (timeline of {number} grew to {actions + 6} events)")
    return lines


async def run(cycles: int, n_status: int, rate_limiter: bool) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="bench-chat-") as tmp:
        async with running_emulator(rate_limits=None) as emu:
            return await bench(emu, Path(tmp), cycles, n_status, rate_limiter)


async def run_crowd(actions: int, rate_limiter: bool, rate: float) -> list[str]:
    from bench import crowd

    with tempfile.TemporaryDirectory(prefix="bench-crowd-") as tmp:
        async with running_emulator(rate_limits=None) as emu:
            return await crowd.bench(emu, Path(tmp), actions, rate_limiter, start_bot, stop_bot,
                                     dict(BALANGAN), rate)


def crowd_target_rate() -> float:
    from bench.crowd import TARGET_RATE

    return TARGET_RATE


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.chat", description=__doc__)
    parser.add_argument("--cycles", type=int, default=50,
                        help="dispose + return pairs (2 actions each)")
    parser.add_argument("--status", type=int, default=50, help="/status round trips of each kind")
    parser.add_argument("--rate-limiter", action="store_true",
                        help="keep PTB's AIORateLimiter on the Application (as in production)")
    parser.add_argument("--crowd", type=int, metavar="ACTIONS",
                        help="instead: 20 officials and 20 requesters at once, ACTIONS "
                             "actions per official (bench/crowd.py)")
    parser.add_argument("--rate", type=float, default=crowd_target_rate(),
                        metavar="ACTIONS_PER_S",
                        help="with --crowd: the officials act at most this often in all, each "
                             "their share (default: the target's %(default)g; 0: each as fast "
                             "as they can, a closed loop that measures capacity)")
    args = parser.parse_args(argv)
    if args.crowd:
        print("\n\n".join(asyncio.run(run_crowd(args.crowd, args.rate_limiter, args.rate))))
        return 0
    print("\n\n".join(asyncio.run(run(args.cycles, args.status, args.rate_limiter))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
