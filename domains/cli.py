"""``check NAME``: validate a name and check it at the authoritative servers.

Exit codes: 0 available, 1 taken, 2 invalid name, 3 undetermined.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import TextIO

from domains.check import CheckResult, CheckStatus, check_name
from domains.config import DnsConfig, parse_server
from domains.names import InvalidName, validate_name

EXIT_AVAILABLE = 0
EXIT_TAKEN = 1
EXIT_INVALID = 2
EXIT_UNDETERMINED = 3
ECHO_LIMIT = 256

_EXIT = {
    CheckStatus.AVAILABLE: EXIT_AVAILABLE,
    CheckStatus.TAKEN: EXIT_TAKEN,
    CheckStatus.UNDETERMINED: EXIT_UNDETERMINED,
}


def run_check_command(argv_name: str, cfg: DnsConfig, as_json: bool, out: TextIO) -> int:
    """Validate and check ``argv_name``; print a short report (or JSON) to ``out``."""
    return asyncio.run(check_command(argv_name, cfg, as_json, out))


async def check_command(
    argv_name: str,
    cfg: DnsConfig,
    as_json: bool,
    out: TextIO,
    register: Iterable[str] = (),
    pending: Mapping[str, str] | None = None,
) -> int:
    """``run_check_command`` for callers with a running loop and a register to compare with."""
    try:
        name = validate_name(argv_name, cfg.parent_domain, cfg.reserved)
    except InvalidName as exc:
        if as_json:
            payload = {
                # what was typed, cut short: a 100k-character input is not echoed back
                "input": argv_name[:ECHO_LIMIT] + ("…" if len(argv_name) > ECHO_LIMIT else ""),
                "status": "invalid",
                "reason": exc.reason_code,
                "message": exc.message_id,
                "suggestion": exc.suggestion,
            }
            print(json.dumps(payload, ensure_ascii=False), file=out)
        else:
            print(f"Nama tidak sah: {exc.message_id}", file=out)
            if exc.suggestion:
                print(f"Saran: {exc.suggestion}", file=out)
        return EXIT_INVALID
    result = await check_name(name, cfg, register, pending)
    if as_json:
        print(result.to_json(), file=out)
    else:
        _print_report(result, out)
    return _EXIT[result.status]


def _print_report(result: CheckResult, out: TextIO) -> None:
    print(f"Nama: {result.name.display()}", file=out)
    print(f"Hasil: {result.summary_id()}", file=out)
    for record in result.records:
        print(f"Rekaman: {record.name} {record.type} {record.value} (TTL {record.ttl})", file=out)
    if result.wildcard:
        print("Catatan: zona memakai rekaman wildcard (*).", file=out)
    if result.similar:
        print(f"Nama mirip yang sudah ada: {', '.join(result.similar)}", file=out)
    servers = ", ".join(result.servers_asked) or "-"
    print(f"Server: {servers} ({result.elapsed_ms} ms)", file=out)
    for error in result.errors:
        print(f"Galat: {error}", file=out)


def main(argv: Sequence[str] | None = None) -> int:
    """Stand-alone use: ``python -m domains.cli NAME --parent ZONE --server 127.0.0.1:53``."""
    parser = argparse.ArgumentParser(prog="python -m domains.cli", description=__doc__)
    parser.add_argument("name")
    parser.add_argument("--server", action="append", default=[], help="HOST[:PORT]")
    parser.add_argument("--parent", required=True, help="the parent zone, e.g. example.go.id")
    parser.add_argument("--timeout", type=float, default=2.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    try:
        servers = tuple(parse_server(s) for s in args.server)
        cfg = DnsConfig(parent_domain=args.parent, servers=servers, timeout=args.timeout)
    except ValueError as exc:
        parser.error(str(exc))
    return run_check_command(args.name, cfg, args.json, sys.stdout)


if __name__ == "__main__":
    raise SystemExit(main())
