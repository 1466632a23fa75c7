#!/usr/bin/env bash
# Set up, then run the whole test suite (real SQLite files, a real BIND 9, the Bot API emulator).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m pytest "$@"
