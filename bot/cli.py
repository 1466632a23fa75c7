"""The admin command line: `python -m bot …` (also installed as `subdomain-bot`).

Each command answers bad input with one line on stderr and a non-zero exit code. Only the
parser is loaded up front: a command imports what it needs when it runs, so `--help` and
argument errors answer at once (no reportlab, no python-telegram-bot).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from bot.workflow import Workflow

EXIT_ERROR = 1
"""Settings, database or a refused command (one line on stderr); `check`: the name is taken."""
EXIT_USAGE = 64
"""The command line itself is wrong (argparse: unknown command, missing or malformed option);
`check` keeps 2 for an invalid name and 3 for an undetermined one (see README)."""
MAX_TELEGRAM_ID = 2**52 - 1
"""Telegram ids have at most 52 significant bits."""


def _telegram_id(raw: str) -> int:
    if not (raw.isascii() and raw.isdigit()) or not 0 < int(raw) <= MAX_TELEGRAM_ID:
        raise argparse.ArgumentTypeError(f"not a Telegram user id (a positive number of at "
                                         f"most 16 digits): {_shown(raw)}")
    return int(raw)


def _shown(raw: str, limit: int = 40) -> str:
    """The operator's input in a message: quoted, on one line, and cut short."""
    return repr(raw if len(raw) <= limit else raw[:limit] + "…")
def _sop() -> Workflow:
    from bot.workflow import SOP

    return SOP


def _position(raw: str) -> str:
    sop = _sop()
    if raw not in sop.office_positions:
        names = ", ".join(sop.office_positions)
        raise argparse.ArgumentTypeError(f"unknown position {raw!r}; use one of: {names}")
    return raw


def _nip(raw: str) -> str:
    digits = raw.replace(" ", "")
    if not (digits.isascii() and digits.isdigit() and len(digits) == 18):
        raise argparse.ArgumentTypeError(f"a NIP has 18 digits 0-9: {_shown(raw)}")
    return digits


def _date(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {_shown(raw)}") from None


def _positive(raw: str) -> int:
    if not raw.isdigit() or int(raw) <= 0:
        raise argparse.ArgumentTypeError(f"not a positive number: {raw!r}")
    return int(raw)


def _state(raw: str) -> str:
    sop = _sop()
    if raw not in set(sop.all_states()):
        names = ", ".join(sop.all_states())
        raise argparse.ArgumentTypeError(f"unknown state {raw!r}; use one of: {names}")
    return raw


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: error: {_one_line(message)}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m bot", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    init = sub.add_parser("init", help="set up a new office: asks for its settings, writes "
                                       ".env, systemd units and the first admin's invite")
    init.add_argument("--force", action="store_true", help="overwrite an existing .env")
    init.add_argument("--deploy-dir", type=Path, default=Path("deploy"),
                      help="where to write the systemd units (default ./deploy)")
    run = sub.add_parser("run", help="run the bot (long polling, or a webhook)")
    run.add_argument("--webhook", metavar="URL", help="serve a webhook at this public URL")
    run.add_argument("--listen", default="127.0.0.1:8443", help="webhook listen address")
    demo = sub.add_parser("demo", help="run the built-in demo against the local Bot API emulator")
    demo.add_argument("--out", type=Path, default=Path("demo-out"),
                      help="output directory, emptied first (default ./demo-out)")

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
    role_set.add_argument("--rename", action="store_true",
                          help="the person is registered under another name: change it")
    role_set.add_argument("--nik", help="the signatory's NIK at BSrE (SIGNING_PROVIDER=bsre)")
    role_set.add_argument("--esign-email", help="or the e-mail registered at BSrE")
    role_invite = role_sub.add_parser(
        "invite", help="a one-time link that gives whoever opens it a position")
    role_invite.add_argument("position", type=_position)
    role_invite.add_argument("--name", required=True)
    role_invite.add_argument("--nip", type=_nip)
    role_invite.add_argument("--rank", help="pangkat/golongan, e.g. 'Pembina Tingkat I'")
    role_invite.add_argument("--title", help="job title as printed under the name")
    role_invite.add_argument("--acting", choices=["plt", "plh"], help="acting official")
    role_invite.add_argument("--from", dest="valid_from", type=_date, help="first day (acting)")
    role_invite.add_argument("--until", type=_date, help="last day (required with --acting)")
    role_invite.add_argument("--qr", type=Path, help="QR code PNG path "
                                                     "(default DATA_DIR/invites/…)")
    role_invite.add_argument("--nik", help="the signatory's NIK at BSrE, kept with them when "
                                           "the invite is accepted")
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
    agency_add.add_argument("--place", help="where the agency is, for 'Yth. … di <place>' "
                            "(default: the office's place)")
    agency_add.add_argument("--address", help="the agency's street address")
    agency_add.add_argument("--contact", type=_telegram_id, help="contact's Telegram user id")
    agency_add.add_argument("--contact-name", default="Kontak SKPD")
    agency_invite = agency_sub.add_parser(
        "invite", help="a one-time link that makes whoever opens it a contact of the agency")
    agency_invite.add_argument("code")
    agency_invite.add_argument("--name", required=True, help="the contact's name")
    agency_invite.add_argument("--qr", type=Path, help="QR code PNG path "
                                                       "(default DATA_DIR/invites/…)")
    agency_sub.add_parser("list", help="list agencies and their contacts")

    request = sub.add_parser("request", help="subdomain requests")
    req_sub = request.add_subparsers(dest="request_command", required=True, parser_class=_Parser)
    req_list = req_sub.add_parser("list", help="list requests")
    req_list.add_argument("--state", type=_state)
    req_list.add_argument("--agency", metavar="CODE", help="one agency's requests")
    req_list.add_argument("--year", type=int, help="requests received in this year")
    req_list.add_argument("--limit", type=_positive, default=50,
                          help="how many to show, newest first (default 50)")
    req_list.add_argument("--before", type=_positive, metavar="ID",
                          help="the next page: requests older than this id")
    req_show = req_sub.add_parser("show", help="a request with its whole timeline")
    req_show.add_argument("number")

    backup = sub.add_parser("backup", help="consistent online copy of the database")
    backup.add_argument("path")
    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True, parser_class=_Parser)
    db_sub.add_parser("check", help="integrity and foreign-key check")

    flow = sub.add_parser("workflow", help="print the SOP table")
    flow.add_argument("--mermaid", action="store_true", help="as a Mermaid state diagram")

    req_sheet = req_sub.add_parser("sheet", help="the lembar disposisi of a request as PDF")
    req_sheet.add_argument("number")
    req_sheet.add_argument("--output", type=Path, help="PDF path (default DATA_DIR/sheets/…)")

    check = sub.add_parser("check", help="check a subdomain name in DNS (exit 0 available, "
                                         "1 taken, 2 invalid, 3 undetermined, 64 usage)")
    check.add_argument("name")
    check.add_argument("--server", action="append", default=[], type=_server,
                       metavar="HOST[:PORT]", help="authoritative server to ask (repeatable)")
    check.add_argument("--json", action="store_true", help="print the structured result")

    letter = sub.add_parser("letter", help="reply letters in the outgoing register")
    letter_sub = letter.add_subparsers(dest="letter_command", required=True, parser_class=_Parser)
    verify = letter_sub.add_parser(
        "verify", help="what was issued under a verification code, or what a PDF file is: its "
                       "signatures (intact, who signed, when) and its entry in the register")
    verify.add_argument("code", nargs="?")
    verify.add_argument("--file", type=Path, help="a PDF to check (e.g. one the addressee sent "
                                                  "back)")
    revoke = letter_sub.add_parser(
        "revoke", help="withdraw an issued letter: its verification page says it is revoked "
                       "(or replaced), with the reason")
    revoke.add_argument("code", help="the letter's verification code")
    revoke.add_argument("--reason", required=True, help="why, as the public page shows it")
    revoke.add_argument("--replaced-by", metavar="NUMBER",
                        help="the number of the letter issued in its place")
    listing = letter_sub.add_parser("list", help="the outgoing-letter register")
    listing.add_argument("--csv", action="store_true",
                         help="as CSV for the agenda book (number, date, Hal, addressee, …)")
    listing.add_argument("--year", type=_year, help="only the letters of this year")
    register = letter_sub.add_parser(
        "register", help="the bot's outgoing register (LETTER_NUMBERING=register)")
    register_sub = register.add_subparsers(dest="register_command", required=True,
                                           parser_class=_Parser)
    start = register_sub.add_parser(
        "start", help="the first number of a year (the agenda book's next number), before "
                      "the year's first letter")
    start.add_argument("year", type=_year)
    start.add_argument("first", type=_first_number)
    preview = letter_sub.add_parser(
        "preview", help="a sample KONSEP on the office's own settings (kop, paper, templates)")
    preview.add_argument("--outcome", required=True,
                         choices=("created", "exists", "advice", "declined"))
    preview.add_argument("--output", type=Path,
                         help="PDF path (default DATA_DIR/letters/preview-OUTCOME.pdf)")

    record = sub.add_parser("record", help="DNS records the bot created")
    record_sub = record.add_subparsers(dest="record_command", required=True, parser_class=_Parser)
    record_sub.add_parser("list", help="subdomains the bot created")
    remove = record_sub.add_parser(
        "remove", help="delete a record the bot created, only if it still holds the bot's value")
    remove.add_argument("label")

    register = sub.add_parser("register", help="the register of every name in the zone")
    reg_sub = register.add_subparsers(dest="register_command", required=True,
                                      parser_class=_Parser)
    reg_import = reg_sub.add_parser(
        "import", help="register the zone's names (AXFR from the primary with the TSIG key)")
    reg_import.add_argument("--zone-file", type=Path, metavar="FILE",
                            help="read this zone file instead of transferring the zone")
    reg_assign = reg_sub.add_parser("assign", help="give a name its owner agency")
    reg_assign.add_argument("name")
    reg_assign.add_argument("agency", metavar="AGENCY", help="the agency's code")
    reg_assign.add_argument("--purpose")
    reg_assign.add_argument("--admin", help="administrative contact (name, phone)")
    reg_assign.add_argument("--tech", help="technical contact (name, phone)")
    reg_list = reg_sub.add_parser("list", help="the register (live names unless --status)")
    reg_list.add_argument("--status", choices=("active", "suspended", "removed"))
    reg_list.add_argument("--unowned", action="store_true", help="only names without an owner")
    reg_list.add_argument("--csv", action="store_true", help="as CSV (all columns)")

    watch = sub.add_parser("watch", help="the daily watch of the register's active names")
    watch_sub = watch.add_subparsers(dest="watch_command", required=True, parser_class=_Parser)
    watch_run = watch_sub.add_parser(
        "run", help="run the watch now and print a table (exit 1 when something is wrong)")
    watch_run.add_argument("--name", help="only this name")

    report = sub.add_parser("report", help="the monthly Mutu Baku report (PDF, audit CSV)")
    report.add_argument("--month", required=True, type=_month, help="the month, YYYY-MM")
    report.add_argument("--output", type=Path, help="PDF path (default DATA_DIR/reports/…)")
    report.add_argument("--csv", action="store_true",
                        help="also write the month's audit trail as CSV beside the PDF")
    return parser


def _server(raw: str) -> tuple[str, int]:
    from domains.config import parse_server

    try:
        return parse_server(raw)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _year(raw: str) -> int:
    if not (raw.isdigit() and len(raw) == 4):
        raise argparse.ArgumentTypeError(f"not a year (YYYY): {raw!r}")
    return int(raw)


def _first_number(raw: str) -> int:
    if not raw.isdigit() or not 1 <= int(raw) <= 999_999:
        raise argparse.ArgumentTypeError(f"not a number from 1 to 999999: {raw!r}")
    return int(raw)


def _month(raw: str) -> tuple[int, int]:
    from bot.report_files import parse_month  # lazily: it pulls in reportlab

    try:
        return parse_month(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a month (YYYY-MM): {raw!r}") from None


def _protect_check_name(argv: list[str]) -> list[str]:
    """`check -bad-` must reach the name validator (exit 2 with a reason), not argparse's
    option parsing: move a dash-led name behind `--`."""
    if not argv or argv[0] != "check" or "--" in argv:
        return argv
    options, names, expect_value = [], [], False
    for token in argv[1:]:
        if expect_value:
            options.append(token)
            expect_value = False
        elif token in ("--server",):
            options.append(token)
            expect_value = True
        elif token in ("--json", "-h", "--help") or token.startswith("--server="):
            options.append(token)
        else:
            names.append(token)
    return ["check", *options, "--", *names]


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    args = build_parser().parse_args(_protect_check_name(list(
        sys.argv[1:] if argv is None else argv)))
    if args.command == "init":  # before .env is read: it writes that file
        from bot.wizard import run_wizard

        return run_wizard(args, sys.stdin, out)
    from bot.settings import Settings, SettingsError
    from storage.db import DatabaseError
    from storage.store import StorageError

    try:
        if args.command == "demo":  # a development tool, loaded only when asked for
            from devtools.demo import main as demo_main

            return demo_main(args, out)  # with the office's settings, else a demo office
        settings = Settings.load()
        if args.command == "workflow":
            table = _sop().with_standard_times(settings.standard_times)
            out.write((table.to_mermaid() if args.mermaid else table.to_markdown_table()) + "\n")
            return 0
        if args.command == "run":
            from bot import runner

            return runner.main(settings, args, out)
        from bot.commands import run_command
        from letters.offload import DRAWING

        with DRAWING.in_process():  # a one-shot command: no drawing process to start
            return asyncio.run(run_command(settings, args, out))
    except (SettingsError, DatabaseError, StorageError) as exc:
        sys.stderr.write(f"error: {_one_line(str(exc))}\n")
        return EXIT_ERROR


def _one_line(text: str, limit: int = 500) -> str:
    """An error for the operator: one line, never a screenful of echoed input."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[:limit] + "…"
