#!/usr/bin/env bash
# Set up, then run the bot; with no BOT_TOKEN (environment or .env) it runs the built-in demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
token="${BOT_TOKEN:-}"
if [ -z "$token" ] && [ -f .env ]; then
    token=$(.venv/bin/python -c 'from dotenv import dotenv_values; print(dotenv_values(".env").get("BOT_TOKEN") or "")')
fi
if [ -n "$token" ]; then
    exec .venv/bin/python -m bot run "$@"
fi
exec .venv/bin/python -m bot demo "$@"
