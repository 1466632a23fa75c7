"""`python -m bench.transport [--calls 1500] [--at-once 8]`: what one Bot API call costs the
bot's process with python-telegram-bot's default transport (`HTTPXRequest`) and with the bot's
own (`bot.transport.AiohttpRequest`): the same `Bot.send_message` calls, `--at-once` in flight,
against the emulator (flood limits off) in a child process, so this process's CPU time is the
bot side's alone. The two transports alternate, twice each.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import time
from collections.abc import Sequence

from telegram import Bot
from telegram.request import BaseRequest, HTTPXRequest

from bot.transport import AiohttpRequest

TOKEN = "123456:BENCH-transport"
USER = 1001


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _calls(base_url: str, request: BaseRequest, calls: int,
                 at_once: int) -> tuple[float, float]:
    """(calls per second, ms of this process's CPU per call)."""
    async with Bot(TOKEN, base_url=base_url, request=request) as bot:
        await bot.send_message(USER, "warm")
        gate = asyncio.Semaphore(at_once)

        async def one(i: int) -> None:
            async with gate:
                await bot.send_message(USER, f"<b>Tahap {i}</b> pesan", parse_mode="HTML")

        cpu, start = _cpu(), time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(calls)))
        wall = time.perf_counter() - start
        return calls / wall, (_cpu() - cpu) / calls * 1000


async def run(calls: int, at_once: int) -> list[str]:
    emulator = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "devtools.emulator", "--port", "0", "--token", TOKEN,
        "--no-rate-limits", "--users", "Budi", stdout=asyncio.subprocess.PIPE)
    try:
        assert emulator.stdout is not None
        line = (await emulator.stdout.readline()).decode()  # "Bot API emulator at URL …"
        base_url = line.split(" at ", 1)[1].split()[0]
        lines = [f"{calls} sendMessage calls, {at_once} at once, emulator in another process",
                 f"{'transport':<15} {'calls/s':>8} {'CPU ms/call':>12}"]
        for _ in range(2):
            for name, request in (("HTTPXRequest", HTTPXRequest(connection_pool_size=at_once)),
                                  ("AiohttpRequest", AiohttpRequest(at_once))):
                rate, cpu = await _calls(base_url, request, calls, at_once)
                lines.append(f"{name:<15} {rate:>8.0f} {cpu:>12.2f}")
        return lines
    finally:
        emulator.terminate()
        await emulator.wait()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.transport", description=__doc__)
    parser.add_argument("--calls", type=int, default=1500)
    parser.add_argument("--at-once", type=int, default=8)
    args = parser.parse_args(argv)
    print("\n".join(asyncio.run(run(args.calls, args.at_once))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
