"""The bot process of `bench.chat`: the real Application, built like `python -m bot run`
builds it, polling the emulator until SIGTERM. Settings come as JSON in BENCH_BOT_SETTINGS
(never from .env), so that the benchmark measures this process alone.

    BENCH_BOT_SETTINGS='{"BOT_TOKEN": ...}' .venv/bin/python -m bench.botproc [--rate-limiter]

With BENCH_BOT_PROFILE=FILE (passed on by `bench.chat`), the process runs under cProfile and
writes its stats to FILE when it stops.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
from collections.abc import Sequence

from bot.app import build_application, polling
from bot.settings import Settings

ENV = "BENCH_BOT_SETTINGS"
PROFILE = "BENCH_BOT_PROFILE"
"""When set, the bot runs under cProfile and writes its stats to this path at exit."""
READY = "ready"


async def serve(settings: Settings, rate_limiter: bool) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with polling(build_application(settings, rate_limiter=rate_limiter,
                                         freeze_heap=True)):
        print(READY, flush=True)
        await stop.wait()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.botproc", description=__doc__)
    parser.add_argument("--rate-limiter", action="store_true",
                        help="keep PTB's AIORateLimiter on the Application (as in production)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="botproc %(levelname)s %(name)s: %(message)s")
    settings = Settings.from_mapping(json.loads(os.environ[ENV]))
    profile_to = os.environ.get(PROFILE)
    if not profile_to:
        asyncio.run(serve(settings, args.rate_limiter))
        return 0
    import cProfile

    with cProfile.Profile() as profile:
        asyncio.run(serve(settings, args.rate_limiter))
    profile.dump_stats(profile_to)
    return 0


if __name__ == "__main__":
    sys.exit(main())
