"""The admin commands that work on the database (the parser is in `bot.cli`).

Each handler gets the open store, the settings and the output stream, and returns the exit code.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import TextIO

from bot import technical, texts
from bot.service import Office, utc_now
from bot.settings import Settings
from domains.cli import check_command
from domains.dnsquery import Record
from domains.provision import Plan, ProvisionError
from storage.store import StorageError, Store


class CommandError(StorageError):
    """One line for the operator; exit code 1."""


@dataclass(frozen=True)
class Context:
    store: Store
    settings: Settings
    out: TextIO

    def say(self, line: str) -> None:
        self.out.write(line + "\n")


Command = Callable[[Context, argparse.Namespace], Awaitable[int]]


async def role(ctx: Context, args: argparse.Namespace) -> int:
    store = ctx.store
    if args.role_command == "set":
        if args.acting and args.until is None:
            raise CommandError("--acting needs --until YYYY-MM-DD (the last day of the assignment)")
        if args.until and not args.acting:
            raise CommandError("--until is only for acting officials (--acting plt|plh)")
        today = Office(store, ctx.settings).today()  # the office's date, not the host's
        holder = await store.set_position(
            args.position, args.telegram_user_id, args.name, now=utc_now(), nip=args.nip,
            rank=args.rank, title=args.title, acting=args.acting,
            valid_from=args.valid_from or (today if args.acting else None),
            valid_until=args.until,
        )
        ctx.say(f"{holder.title_prefix}{args.position.value}: {holder.person.name} "
                f"(telegram {args.telegram_user_id})")
        if args.acting:
            handed = await Office(store, ctx.settings).hand_over(holder)
            ctx.say(f"{handed} pending step(s) queued to them")
    elif args.role_command == "list":
        holders = await store.position_holders()
        if not holders:
            ctx.say("no positions registered yet; use: role set POSITION TELEGRAM_USER_ID")
        for h in holders:
            dates = ""
            if h.valid_from or h.valid_until:
                dates = f"  {h.valid_from or '…'} – {h.valid_until or '…'}"
            ctx.say(f"{h.position.value:<13} {h.title_prefix}{h.person.name:<30} "
                    f"telegram={h.person.telegram_user_id} nip={h.person.nip or '-'}{dates}")
    elif not await store.remove_position(args.position, args.telegram_user_id):
        raise CommandError(f"{args.telegram_user_id} does not hold {args.position.value}")
    else:
        ctx.say(f"removed {args.position.value} from {args.telegram_user_id}")
    return 0


async def agency(ctx: Context, args: argparse.Namespace) -> int:
    store = ctx.store
    if args.agency_command == "add":
        added = await store.add_agency(args.code.strip().lower(), args.name.strip(),
                                       args.head_title)
        if args.contact:
            await store.add_agency_contact(added.code, args.contact, args.contact_name,
                                           now=utc_now())
        ctx.say(f"agency {added.code}: {added.name}")
        return 0
    for found in await store.agencies():
        contacts = ", ".join(f"{p.name} ({p.telegram_user_id})"
                             for p in await store.agency_contacts(found.id))
        ctx.say(f"{found.code:<12} {found.name}  contacts: {contacts or '-'}")
    return 0


async def request(ctx: Context, args: argparse.Namespace) -> int:
    store = ctx.store
    if args.request_command == "list":
        found = await store.requests(states=[args.state] if args.state else None)
        if not found:
            ctx.say("no requests")
        for r in found:
            ctx.say(f"{r.number}  {r.subdomain:<20} {r.agency.code:<10} "
                    f"{texts.STATE_LABELS[r.state]}")
        return 0
    if args.request_command == "sheet":
        return await _sheet(ctx, args)
    shown = await store.request(args.number)
    ctx.say(f"{shown.number}  {shown.subdomain}  ({shown.agency.name})")
    ctx.say(f"status: {texts.STATE_LABELS[shown.state]} (version {shown.version})")
    ctx.say(f"letter: {shown.letter_number} of {shown.letter_date.isoformat()}, "
            f"agenda no. {shown.agenda_number}")
    ctx.say(f"purpose: {shown.purpose}")
    if shown.outcome:
        ctx.say(f"outcome: {shown.outcome.value}")
    for issued in await store.letters(shown.id):
        ctx.say(f"reply letter: {issued.number} (code {issued.verification_code})")
    ctx.say("timeline:")
    for line in texts.timeline_lines(await store.timeline(shown.id), ctx.settings.timezone):
        ctx.say(f"  {line}")
    return 0


async def _sheet(ctx: Context, args: argparse.Namespace) -> int:
    office = Office(ctx.store, ctx.settings)
    ctx.say(str(await office.disposition_sheet(await ctx.store.request(args.number),
                                               args.output)))
    return 0


async def check(ctx: Context, args: argparse.Namespace) -> int:
    settings = ctx.settings
    if args.server:
        settings = replace(settings, dns=replace(settings.dns, servers=tuple(args.server)))
    register = await ctx.store.live_subdomains()
    pending = {r.subdomain: r.number for r in await ctx.store.requests(
        states=technical.OPEN_STATES)}
    return await check_command(args.name, settings.dns, args.json, ctx.out, register, pending)


async def letter(ctx: Context, args: argparse.Namespace) -> int:
    if args.letter_command == "list":
        for issued in await ctx.store.letters():
            ctx.say(f"{issued.number:<32} {issued.kind:<9} {issued.addressee}  "
                    f"code {issued.verification_code}")
        return 0
    found = await ctx.store.letters(code=args.code)
    if not found:
        raise CommandError(f"no letter with verification code {args.code.strip().upper()}")
    issued = found[0]
    request_ = await ctx.store.request(issued.request_id)
    tz = ctx.settings.timezone
    ctx.say(f"Nomor: {issued.number}")
    ctx.say(f"Hal: {issued.subject}")
    ctx.say(f"Kepada: {issued.addressee}")
    ctx.say(f"Permohonan: {request_.number} ({request_.agency.name})")
    signer = issued.signed_by or "-"
    if issued.signed_acting:
        signer += f" ({issued.signed_acting.capitalize()}.)"
    ctx.say(f"Ditandatangani: {signer}, {texts.local_time(issued.signed_at, tz)}")
    ctx.say("Disampaikan: " + (texts.local_time(issued.delivered_at, tz)
                               if issued.delivered_at else "belum"))
    ctx.say("Diterima: " + (texts.local_time(issued.received_at, tz)
                            if issued.received_at else "belum"))
    ctx.say(f"SHA-256: {issued.sha256}")
    ctx.say(f"Berkas: {issued.path}")
    return 0


async def record(ctx: Context, args: argparse.Namespace) -> int:
    live = await ctx.store.live_subdomains()
    if args.record_command == "list":
        for label in sorted(live):
            held = await ctx.store.subdomain_records(label) or ()
            ctx.say(f"{label:<20} " + "; ".join(f"{t} {v}" for _n, t, v, _ttl in held))
        return 0
    label = args.label.strip().lower()
    records = await ctx.store.subdomain_records(label)
    if not records:
        raise CommandError(f"{label} is not a subdomain this bot created")
    planned = Plan(records[0][0], tuple(Record(n, t, v, ttl) for n, t, v, ttl in records))
    try:
        await technical.remove(ctx.settings, planned)
    except ProvisionError as failed:
        raise CommandError(f"not removed: {failed.message_id}") from None
    await ctx.store.mark_subdomain_removed(label, now=utc_now(), removed_by=None,
                                           request_id=live.get(label))
    ctx.say(f"removed {planned.fqdn}: " + "; ".join(planned.lines()))
    return 0


async def backup(ctx: Context, args: argparse.Namespace) -> int:
    await ctx.store.db.backup(args.path)
    ctx.say(f"backup written to {args.path}")
    return 0


async def db(ctx: Context, args: argparse.Namespace) -> int:
    problems = await ctx.store.db.integrity_check()
    for problem in problems:
        ctx.say(f"problem: {problem}")
    if problems:
        raise CommandError(f"database check found {len(problems)} problem(s)")
    ctx.say(f"ok: {ctx.store.db.path} (schema version {await ctx.store.db.schema_version()})")
    return 0


async def report(ctx: Context, args: argparse.Namespace) -> int:
    from bot.report_files import write_month_csv, write_month_report

    year, month = args.month
    pdf = await write_month_report(ctx.store, ctx.settings, year, month, args.output)
    ctx.say(str(pdf))
    if args.csv:
        csv_path = await write_month_csv(ctx.store, ctx.settings, year, month,
                                         pdf.with_suffix(".csv"))
        ctx.say(str(csv_path))
    return 0


COMMANDS: dict[str, Command] = {
    "role": role, "agency": agency, "request": request, "check": check, "letter": letter,
    "record": record, "backup": backup, "db": db, "report": report,
}


async def run_command(settings: Settings, args: argparse.Namespace, out: TextIO) -> int:
    store = await Store.open(settings.database_path)
    try:
        return await COMMANDS[args.command](Context(store, settings, out), args)
    finally:
        await store.close()
