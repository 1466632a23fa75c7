"""The admin command line: `python -m bot …` (also installed as `subdomain-bot`).

Each command answers bad input with one line on stderr and a non-zero exit code.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TextIO

from bot import texts
from bot.service import utc_now
from bot.settings import Settings, SettingsError
from bot.workflow import POSITIONS, Role, State, to_markdown_table, to_mermaid
from storage.db import DatabaseError
from storage.store import NotFound, StorageError, Store

EXIT_USAGE = 2


class CliError(Exception):
    """One line for the operator; exit code 1 (or `code`)."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def _telegram_id(raw: str) -> int:
    if not raw.isdigit() or int(raw) <= 0:
        raise argparse.ArgumentTypeError(f"not a Telegram user id (a positive number): {raw!r}")
    return int(raw)


def _position(raw: str) -> Role:
    try:
        role = Role(raw)
    except ValueError:
        role = None
    if role not in POSITIONS:
        names = ", ".join(p.value for p in POSITIONS)
        raise argparse.ArgumentTypeError(f"unknown position {raw!r}; use one of: {names}")
    assert role is not None
    return role


def _nip(raw: str) -> str:
    digits = raw.replace(" ", "")
    if not (digits.isdigit() and len(digits) == 18):
        raise argparse.ArgumentTypeError(f"a NIP has 18 digits: {raw!r}")
    return digits


def _date(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {raw!r}") from None


def _state(raw: str) -> State:
    try:
        return State(raw)
    except ValueError:
        names = ", ".join(s.value for s in State)
        raise argparse.ArgumentTypeError(f"unknown state {raw!r}; use one of: {names}") from None


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m bot", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = sub.add_parser("run", help="run the bot (long polling, or a webhook)")
    run.add_argument("--webhook", metavar="URL", help="serve a webhook at this public URL")
    run.add_argument("--listen", default="127.0.0.1:8443", help="webhook listen address")
    sub.add_parser("demo", help="run the built-in demo against the local Bot API emulator")

    role = sub.add_parser("role", help="office positions and who holds them")
    role_sub = role.add_subparsers(dest="role_command", required=True, parser_class=_Parser)
    role_set = role_sub.add_parser("set", help="give a person a position")
    role_set.add_argument("position", type=_position)
    role_set.add_argument("telegram_user_id", type=_telegram_id)
    role_set.add_argument("--name", required=True)
    role_set.add_argument("--nip", type=_nip)
    role_set.add_argument("--rank", help="pangkat/golongan, e.g. 'Pembina Tingkat I'")
    role_set.add_argument("--title", help="job title as printed under the name")
    role_set.add_argument("--acting", choices=["plt", "plh"], help="acting official")
    role_set.add_argument("--from", dest="valid_from", type=_date, help="first day (acting)")
    role_set.add_argument("--until", type=_date, help="last day (required with --acting)")
    role_sub.add_parser("list", help="list positions and holders")
    role_remove = role_sub.add_parser("remove", help="take a position away")
    role_remove.add_argument("position", type=_position)
    role_remove.add_argument("telegram_user_id", type=_telegram_id)

    agency = sub.add_parser("agency", help="regional agencies (SKPD)")
    agency_sub = agency.add_subparsers(dest="agency_command", required=True, parser_class=_Parser)
    agency_add = agency_sub.add_parser("add", help="register an agency")
    agency_add.add_argument("code")
    agency_add.add_argument("name")
    agency_add.add_argument("--head-title", help="addressee of letters (default 'Kepala <name>')")
    agency_add.add_argument("--contact", type=_telegram_id, help="contact's Telegram user id")
    agency_add.add_argument("--contact-name", default="Kontak SKPD")
    agency_sub.add_parser("list", help="list agencies and their contacts")

    request = sub.add_parser("request", help="subdomain requests")
    req_sub = request.add_subparsers(dest="request_command", required=True, parser_class=_Parser)
    req_list = req_sub.add_parser("list", help="list requests")
    req_list.add_argument("--state", type=_state)
    req_show = req_sub.add_parser("show", help="a request with its whole timeline")
    req_show.add_argument("number")

    backup = sub.add_parser("backup", help="consistent online copy of the database")
    backup.add_argument("path")
    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True, parser_class=_Parser)
    db_sub.add_parser("check", help="integrity and foreign-key check")

    flow = sub.add_parser("workflow", help="print the SOP table")
    flow.add_argument("--mermaid", action="store_true", help="as a Mermaid state diagram")

    report = sub.add_parser("report", help="the monthly Mutu Baku report (PDF, audit CSV)")
    report.add_argument("--month", required=True, type=_month, help="the month, YYYY-MM")
    report.add_argument("--output", type=Path, help="PDF path (default DATA_DIR/reports/…)")
    report.add_argument("--csv", action="store_true",
                        help="also write the month's audit trail as CSV beside the PDF")
    return parser


def _month(raw: str) -> tuple[int, int]:
    from bot.report_files import parse_month  # lazily: it pulls in reportlab

    try:
        return parse_month(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a month (YYYY-MM): {raw!r}") from None


Handler = Callable[[Store, argparse.Namespace, TextIO], Awaitable[None]]


async def _role(store: Store, args: argparse.Namespace, out: TextIO) -> None:
    if args.role_command == "set":
        if args.acting and args.until is None:
            raise CliError("--acting needs --until YYYY-MM-DD (the last day of the assignment)")
        if args.until and not args.acting:
            raise CliError("--until is only for acting officials (--acting plt|plh)")
        holder = await store.set_position(
            args.position, args.telegram_user_id, args.name, now=utc_now(), nip=args.nip,
            rank=args.rank, title=args.title, acting=args.acting,
            valid_from=args.valid_from or (date.today() if args.acting else None),
            valid_until=args.until,
        )
        out.write(f"{holder.title_prefix}{args.position.value}: {holder.person.name} "
                  f"(telegram {args.telegram_user_id})\n")
    elif args.role_command == "list":
        holders = await store.position_holders()
        if not holders:
            out.write("no positions registered yet; use: role set POSITION TELEGRAM_USER_ID\n")
        for h in holders:
            dates = ""
            if h.valid_from or h.valid_until:
                dates = f"  {h.valid_from or '…'} – {h.valid_until or '…'}"
            out.write(f"{h.position.value:<13} {h.title_prefix}{h.person.name:<30} "
                      f"telegram={h.person.telegram_user_id} nip={h.person.nip or '-'}{dates}\n")
    elif not await store.remove_position(args.position, args.telegram_user_id):
        raise CliError(f"{args.telegram_user_id} does not hold {args.position.value}")
    else:
        out.write(f"removed {args.position.value} from {args.telegram_user_id}\n")


async def _agency(store: Store, args: argparse.Namespace, out: TextIO) -> None:
    if args.agency_command == "add":
        agency = await store.add_agency(args.code.strip().lower(), args.name.strip(),
                                        args.head_title)
        if args.contact:
            await store.add_agency_contact(agency.code, args.contact, args.contact_name,
                                           now=utc_now())
        out.write(f"agency {agency.code}: {agency.name}\n")
        return
    for agency in await store.agencies():
        contacts = ", ".join(f"{p.name} ({p.telegram_user_id})"
                             for p in await store.agency_contacts(agency.id))
        out.write(f"{agency.code:<12} {agency.name}  contacts: {contacts or '-'}\n")


async def _request(store: Store, args: argparse.Namespace, out: TextIO) -> None:
    if args.request_command == "list":
        found = await store.requests(states=[args.state] if args.state else None)
        if not found:
            out.write("no requests\n")
        for r in found:
            out.write(f"{r.number}  {r.subdomain:<20} {r.agency.code:<10} "
                      f"{texts.STATE_LABELS[r.state]}\n")
        return
    request = await store.request(args.number)
    out.write(f"{request.number}  {request.subdomain}  ({request.agency.name})\n")
    out.write(f"status: {texts.STATE_LABELS[request.state]} (version {request.version})\n")
    out.write(f"letter: {request.letter_number} of {request.letter_date.isoformat()}, "
              f"agenda no. {request.agenda_number}\n")
    out.write(f"purpose: {request.purpose}\n")
    if request.outcome:
        out.write(f"outcome: {request.outcome.value}\n")
    out.write("timeline:\n")
    for line in texts.timeline_lines(await store.timeline(request.id)):
        out.write(f"  {line}\n")


async def _backup(store: Store, args: argparse.Namespace, out: TextIO) -> None:
    await store.db.backup(args.path)
    out.write(f"backup written to {args.path}\n")


async def _db(store: Store, args: argparse.Namespace, out: TextIO) -> None:
    problems = await store.db.integrity_check()
    for problem in problems:
        out.write(f"problem: {problem}\n")
    if problems:
        raise CliError(f"database check found {len(problems)} problem(s)")
    out.write(f"ok: {store.db.path} (schema version {await store.db.schema_version()})\n")


STORE_COMMANDS: dict[str, Handler] = {
    "role": _role, "agency": _agency, "request": _request, "backup": _backup, "db": _db,
}


async def _report(store: Store, args: argparse.Namespace, out: TextIO) -> None:
    from bot.report_files import write_month_csv, write_month_report

    settings = Settings.load()
    year, month = args.month
    pdf = await write_month_report(store, settings, year, month, args.output)
    out.write(f"{pdf}\n")
    if args.csv:
        csv_path = await write_month_csv(store, settings, year, month, pdf.with_suffix(".csv"))
        out.write(f"{csv_path}\n")


STORE_COMMANDS["report"] = _report


async def _with_store(settings: Settings, handler: Handler, args: argparse.Namespace,
                      out: TextIO) -> None:
    store = await Store.open(settings.database_path)
    try:
        await handler(store, args, out)
    finally:
        await store.close()


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.load()
        if args.command == "workflow":
            out.write((to_mermaid() if args.mermaid else to_markdown_table()) + "\n")
            return 0
        if args.command in STORE_COMMANDS:
            asyncio.run(_with_store(settings, STORE_COMMANDS[args.command], args, out))
            return 0
        from bot import runner

        return runner.main(settings, args, out)
    except (SettingsError, DatabaseError, StorageError, NotFound, CliError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return exc.code if isinstance(exc, CliError) else 1
