"""`python -m bot register …` and `python -m bot watch run` (the parser is in `bot.cli`)."""

from __future__ import annotations

import argparse
import csv
from typing import TextIO

from bot.register import RegisterRefused
from bot.service import Office
from storage.errors import StorageError
from storage.subdomains import RegisteredName

CSV_COLUMNS = ("name", "status", "origin", "agency", "agency_name", "target", "purpose",
               "admin_contact", "tech_contact", "created", "changed", "confirmed",
               "last_request", "last_request_kind")


class RegisterCommandError(StorageError):
    """One line for the operator; exit code 1."""


async def register(office: Office, args: argparse.Namespace, out: TextIO) -> int:
    try:
        if args.register_command == "import":
            return await _import(office, args, out)
        if args.register_command == "assign":
            entry = await office.register.assign(
                args.name, args.agency, purpose=args.purpose, admin_contact=args.admin,
                tech_contact=args.tech)
            out.write(f"{entry.label}: {entry.agency_code} ({entry.agency_name})\n")
            return 0
        names = await office.register.names(args.status, unowned=args.unowned)
    except RegisterRefused as refused:
        raise RegisterCommandError(str(refused)) from None
    if args.csv:
        _csv(office, names, out)
    elif not names:
        out.write("the register is empty (register import reads the zone)\n"
                  if args.status is None and not args.unowned else "no names\n")
    for entry in [] if args.csv else names:
        last = f"  [{entry.last_request} {entry.last_kind}]" if entry.last_request else ""
        out.write(f"{entry.label:<24} {entry.status:<9} {entry.origin:<8} "
                  f"{entry.agency_code or '(no owner)':<12} {entry.target or '-'}{last}\n")
    return 0


async def _import(office: Office, args: argparse.Namespace, out: TextIO) -> int:
    outcome = await office.register.import_zone(args.zone_file)
    done = outcome.imported
    out.write(f"imported {len(done.added)} name(s), {len(done.changed)} changed\n")
    for label in done.changed:
        out.write(f"changed in the zone: {label}\n")
    for label in done.missing:
        out.write(f"in the register but not in the zone: {label}\n")
    if outcome.unowned:
        out.write(f"{len(outcome.unowned)} name(s) without an owner (register assign NAME "
                  "AGENCY):\n")
        for label in outcome.unowned:
            out.write(f"  {label}\n")
    return 0


def _csv(office: Office, names: list[RegisteredName], out: TextIO) -> None:
    def day(value: object) -> str:
        return office.words.time(value) if value is not None else ""  # type: ignore[arg-type]

    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for e in names:
        writer.writerow([e.label, e.status, e.origin, e.agency_code or "", e.agency_name or "",
                         e.target or "", e.purpose or "", e.admin_contact or "",
                         e.tech_contact or "", day(e.created_at), day(e.changed_at),
                         day(e.confirmed_at), e.last_request or "", e.last_kind or ""])


async def watch(office: Office, args: argparse.Namespace, out: TextIO) -> int:
    try:
        outcome = await office.register.watch(args.name)
    except RegisterRefused as refused:
        raise RegisterCommandError(str(refused)) from None
    if not outcome.checked:
        out.write("no active names in the register (register import reads the zone)\n")
        return 0
    out.write(f"{'NAME':<24} {'DNS':<22} {'ADDRESS':<15} {'HTTP':<18} {'HTTPS':<18} "
              f"{'CERT':<6} RESULT\n")
    for r in sorted(outcome.reports, key=lambda r: r.label):
        cert = "-" if r.cert_days is None else f"{r.cert_days}d"
        result = ", ".join(p.kind for p in r.problems) or "ok"
        out.write(f"{r.label:<24} {_cut(r.dns, 22):<22} {r.address or '-':<15} "
                  f"{_cut(r.http, 18):<18} {_cut(r.https, 18):<18} {cert:<6} {result}\n")
        for p in r.problems:
            out.write(f"    {p.kind}: {_cut(p.evidence, 160)}\n")
        for note in r.notes:
            out.write(f"    note: {note}\n")
    bad = sum(1 for r in outcome.reports if r.problems)
    out.write(f"{outcome.checked} name(s) checked, {bad} with problems "
              f"({outcome.new} new finding(s), {outcome.cleared} cleared)\n")
    return 1 if bad else 0


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
