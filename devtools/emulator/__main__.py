"""``python -m devtools.emulator --port 8081 --token 123:ABC``: run the emulator on 127.0.0.1."""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from devtools.emulator.ratelimit import RateLimits
from devtools.emulator.server import BotApiEmulator


async def _serve(args: argparse.Namespace) -> None:
    emu = BotApiEmulator(
        token=args.token,
        host="127.0.0.1",
        port=args.port,
        rate_limits=None if args.no_rate_limits else RateLimits(),
    )
    async with emu:
        for index, name in enumerate(args.users, start=1):
            emu.user(1000 + index, name)
        print(f"Bot API emulator at {emu.base_url} (file URL {emu.base_file_url})", flush=True)
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m devtools.emulator", description=__doc__)
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123456:TEST-token")
    parser.add_argument("--no-rate-limits", action="store_true")
    parser.add_argument(
        "--users", nargs="*", default=[], help="first names of people to create (ids 1001, ...)"
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(parser.parse_args()))


if __name__ == "__main__":
    main()
