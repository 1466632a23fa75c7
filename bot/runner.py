"""`run` and `demo`: the long-running parts of the command line."""

from __future__ import annotations

import argparse
from typing import TextIO

from bot.settings import Settings


def main(settings: Settings, args: argparse.Namespace, out: TextIO) -> int:
    if args.command == "run" and settings.bot_token is None:
        out.write("BOT_TOKEN is not set: put it in .env or the environment "
                  "(see .env.example), or try the demo: python -m bot demo\n")
        return 2
    from bot.workflow import to_markdown_table

    out.write("The chat front end is not built yet; the SOP this bot runs:\n\n")
    out.write(to_markdown_table() + "\n")
    return 0 if args.command == "demo" else 2
