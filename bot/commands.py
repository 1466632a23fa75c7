"""The admin commands that work on the database (the parser is in `bot.cli`).

Each handler gets the open store, the settings and the output stream, and returns the exit code.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TextIO

from bot import onboarding, reach, texts
from bot.invite_links import LinkError, bot_username, deep_link, write_qr
from bot.service import (
    Appointment,
    AppointmentRefused,
    EntryRefused,
    Office,
    SigningRefused,
    esign_identity,
)
from bot.settings import Settings
from bot.technical import valid_name
from bot.workflow import PEMBUATAN, WorkflowError
from domains.cli import check_command
from domains.names import InvalidName
from letters.signing_types import SignatureReport
from storage.invites import InviteSpec
from storage.models import IssuedLetter
from storage.store import StorageError


class CommandError(StorageError):
    """One line for the operator; exit code 1."""


@dataclass(frozen=True)
class Context:
    office: Office
    out: TextIO

    @property
    def settings(self) -> Settings:
        return self.office.settings

    def say(self, line: str) -> None:
        self.out.write(line + "\n")


Command = Callable[[Context, argparse.Namespace], Awaitable[int]]


async def role(ctx: Context, args: argparse.Namespace) -> int:
    office = ctx.office
    if args.role_command in ("set", "invite"):
        if args.acting and args.until is None:
            raise CommandError("--acting needs --until YYYY-MM-DD (the last day of the assignment)")
        if args.until and not args.acting:
            raise CommandError("--until is only for acting officials (--acting plt|plh)")
    if args.role_command == "invite":
        return await _invite(ctx, args, InviteSpec(
            name=args.name, position=args.position, nip=args.nip, rank=args.rank,
            title=args.title, acting=args.acting, valid_from=args.valid_from,
            valid_until=args.until, nik=_nik(args.nik)))
    if args.role_command == "set":
        try:
            holder, handed = await office.appoint(Appointment(
                args.position, args.telegram_user_id, args.name, nip=args.nip, rank=args.rank,
                title=args.title, acting=args.acting, valid_from=args.valid_from,
                valid_until=args.until, rename=args.rename, nik=args.nik,
                esign_email=args.esign_email))
        except AppointmentRefused as refused:
            raise CommandError(str(refused)) from None
        ctx.say(f"{holder.title_prefix}{args.position}: {holder.person.name} "
                f"(telegram {args.telegram_user_id})")
        if handed or args.acting:
            ctx.say(f"{handed} pending step(s) queued to them")
        for line in reach.cli_lines(await office.chat_facts(args.telegram_user_id),
                                    await reach.probe(ctx.settings, args.telegram_user_id)):
            ctx.say(line)
    elif args.role_command == "list":
        holders = await office.holders()
        if not holders:
            ctx.say("no positions registered yet; use: role set POSITION TELEGRAM_USER_ID")
        for h in holders:
            dates = ""
            if h.valid_from or h.valid_until:
                dates = f"  {h.valid_from or '…'} – {h.valid_until or '…'}"
            ctx.say(f"{h.position:<13} {h.title_prefix}{h.person.name:<30} "
                    f"telegram={h.person.telegram_user_id} nip={h.person.nip or '-'}{dates}")
    else:
        try:
            await office.dismiss(args.position, args.telegram_user_id)
        except WorkflowError:
            raise CommandError(f"{args.telegram_user_id} does not hold {args.position}, or is "
                               "the last admin") from None
        ctx.say(f"removed {args.position} from {args.telegram_user_id}")
    return 0


def _nik(raw: str | None) -> str | None:
    try:
        return esign_identity(raw, None)[0]
    except AppointmentRefused as refused:
        raise CommandError(str(refused)) from None


async def _invite(ctx: Context, args: argparse.Namespace, spec: InviteSpec) -> int:
    """Create a one-time invite; print its link and write it as a QR code PNG."""
    username = await bot_username(ctx.settings)  # before anything is stored
    try:
        code, invite = await ctx.office.create_invite(spec)
    except AppointmentRefused as refused:
        raise CommandError(str(refused)) from None
    link = deep_link(username, code)
    target = spec.position or (spec.agency.code if spec.agency else "")
    qr = write_qr(link, args.qr or ctx.settings.data_dir / "invites" /
                  f"invite-{invite.id}-{target}.png")
    expires = invite.expires_at.astimezone(ctx.settings.timezone)
    ctx.say(f"invite for {onboarding.what(ctx.office.workflow, spec)}: {spec.name} (one use, "
            f"valid until {expires:%Y-%m-%d %H:%M} {ctx.settings.timezone.key})")
    ctx.say("reachable: yes, once used - opening the link starts the person's chat with the "
            "bot; the admins are told in the chat when it is used")
    ctx.say(link)
    ctx.say(f"QR code: {qr}")
    return 0


async def agency(ctx: Context, args: argparse.Namespace) -> int:
    office = ctx.office
    if args.agency_command == "invite":
        return await _invite(ctx, args, InviteSpec(
            name=args.name, agency=await office.agency(args.code)))
    if args.agency_command == "add":
        try:
            added = await office.add_agency(args.code, args.name, args.head_title,
                                            contact=args.contact, contact_name=args.contact_name,
                                            place=args.place, address=args.address)
        except EntryRefused as refused:
            raise CommandError(str(refused)) from None
        ctx.say(f"agency {added.code}: {added.name}"
                + (f" ({added.place})" if added.place else ""))
        return 0
    for found, contacts in await office.agencies_with_contacts():
        listed = ", ".join(f"{p.name} ({p.telegram_user_id})" for p in contacts)
        ctx.say(f"{found.code:<12} {found.name}  contacts: {listed or '-'}")
    return 0


async def request(ctx: Context, args: argparse.Namespace) -> int:
    office = ctx.office
    w = office.words
    if args.request_command == "list":
        found = await office.requests(args.state, agency=args.agency, year=args.year,
                                      limit=args.limit + 1, before=args.before)
        if not found:
            ctx.say("no requests")
        for r in found[:args.limit]:
            ctx.say(f"{r.number}  {r.subdomain:<20} {r.agency.code:<10} {w.state(r.state)}"
                    f"{'' if r.kind == PEMBUATAN else f'  [{r.kind}]'}")
        if len(found) > args.limit:
            ctx.say(f"… older ones: request list --before {found[args.limit - 1].id}")
        return 0
    if args.request_command == "sheet":
        return await _sheet(ctx, args)
    shown = await office.request(args.number)
    ctx.say(f"{shown.number}  {shown.subdomain}  ({shown.agency.name})")
    ctx.say(f"status: {w.state(shown.state)} (version {shown.version})")
    ctx.say(f"kind: {office.workflow.kind(shown.kind).label}")
    ctx.say(f"letter: {shown.letter_number} of {shown.letter_date.isoformat()}, "
            f"agenda no. {shown.agenda_number}")
    ctx.say(f"purpose: {shown.purpose}")
    if shown.outcome:
        ctx.say(f"outcome: {shown.outcome}")
    for issued in await office.letters(shown):
        ctx.say(f"reply letter: {issued.number} (code {issued.verification_code})")
    ctx.say("timeline:")
    for line in texts.timeline_lines(w, await office.timeline(shown)):
        ctx.say(f"  {line}")
    return 0


async def _sheet(ctx: Context, args: argparse.Namespace) -> int:
    office = ctx.office
    ctx.say(str(await office.disposition_sheet(await office.request(args.number), args.output)))
    return 0


async def check(ctx: Context, args: argparse.Namespace) -> int:
    settings = ctx.settings
    if args.server:
        settings = replace(settings, dns=replace(settings.dns, servers=tuple(args.server)))
    register: dict[str, int | None] = {}
    pending: dict[str, str] = {}
    try:
        label = valid_name(settings, args.name).label
    except InvalidName:  # check_command explains why
        pass
    else:
        register, pending = await ctx.office.names_in_use(label)
    return await check_command(args.name, settings.dns, args.json, ctx.out, register, pending)


async def letter(ctx: Context, args: argparse.Namespace) -> int:
    office = ctx.office
    w = office.words
    if args.letter_command == "preview":
        path = await office.letter_preview(args.outcome, args.output)
        ctx.say(str(path))
        return 0
    if args.letter_command == "revoke":
        try:
            revoked = await office.revoke_letter(args.code, args.reason, args.replaced_by)
        except (StorageError, EntryRefused) as refused:
            raise CommandError(str(refused)) from None
        ctx.say(f"letter {revoked.number} revoked" + (
            f", replaced by {revoked.replaced_by}" if revoked.replaced_by else "")
            + f": {revoked.revoked_reason}")
        return 0
    if args.letter_command == "register":
        try:
            await office.set_register_start(args.year, args.first)
        except StorageError as refused:
            raise CommandError(str(refused)) from None
        ctx.say(f"the register of {args.year} starts at {args.first}: its first letter is "
                f"{office.register_example(args.year, args.first)}")
        return 0
    if args.letter_command == "list":
        issued_letters = [i for i in await office.letters()
                          if args.year is None or i.year == args.year]
        if args.csv:
            await _agenda_csv(ctx, issued_letters)
            return 0
        for issued in issued_letters:
            ctx.say(f"{issued.number:<32} {issued.kind:<9} {issued.addressee}  "
                    f"code {issued.verification_code}")
        return 0
    if args.file is not None:
        return await _verify_file(ctx, args.file)
    if not args.code:
        raise CommandError("letter verify needs a verification CODE or --file PDF")
    found = await office.letter_by_code(args.code)
    if found is None:
        raise CommandError(f"no letter with verification code {args.code.strip().upper()}")
    request_ = await office.request(found.request_id)
    issued = found
    ctx.say(f"Nomor: {issued.number}")
    ctx.say(f"Hal: {issued.subject}")
    ctx.say(f"Kepada: {issued.addressee}")
    ctx.say(f"Permohonan: {request_.number} ({request_.agency.name})")
    signer = issued.signed_by or "-"
    if issued.signed_acting:
        signer += f" ({issued.signed_acting.capitalize()}.)"
    ctx.say(f"Ditandatangani: {signer}, {w.time(issued.signed_at)}")
    ctx.say(f"Bentuk tanda tangan: {SEAL_LABELS.get(issued.seal, issued.seal)}")
    ctx.say("Disampaikan: " + (w.time(issued.delivered_at) if issued.delivered_at else "belum"))
    ctx.say("Diterima: " + (w.time(issued.received_at) if issued.received_at else "belum"))
    if issued.revoked_at is not None:
        replaced = f", diganti dengan {issued.replaced_by}" if issued.replaced_by else ""
        ctx.say(f"Status: DICABUT {w.time(issued.revoked_at)}{replaced} "
                f"({issued.revoked_reason})")
    ctx.say(f"SHA-256: {issued.sha256}")
    ctx.say(f"Berkas: {issued.path}")
    if issued.scan_path is not None:
        ctx.say(f"Pindaian yang disampaikan: {issued.scan_path} (SHA-256 {issued.scan_sha256})")
    elif issued.seal == "wet":
        ctx.say("Pindaian yang disampaikan: belum diunggah")
    if issued.seal in ("pades", "bsre"):
        try:
            pdf = await asyncio.to_thread(issued.path.read_bytes)
        except OSError as missing:
            raise CommandError(f"cannot read {issued.path}: {missing.strerror}") from None
        if hashlib.sha256(pdf).hexdigest() != issued.sha256:
            ctx.say("PERINGATAN: berkas tidak sama dengan yang tercatat di register")
            return 1
        code = _say_signatures(ctx, await office.check_signatures(pdf))
        return await _say_bsre(ctx, pdf) if code == 0 else code
    return 0


async def _say_bsre(ctx: Context, pdf: bytes) -> int:
    """BSrE's own verdict (verify/pdf) where the office signs with BSrE."""
    try:
        verdict = await ctx.office.bsre_verdict(pdf)
    except SigningRefused as failed:
        ctx.say(f"BSrE: {failed.message_id}")
        return 1
    if verdict is None:
        return 0
    ctx.say(f"BSrE: {verdict.conclusion} ({verdict.description}); penanda tangan "
            f"{', '.join(verdict.signers) or '-'}")
    return 0 if verdict.conclusion.upper() == "VALID" else 1


SEAL_LABELS = {
    "pades": "tanda tangan elektronik (PAdES, sertifikat elektronik)",
    "bsre": "tanda tangan elektronik tersertifikasi BSrE",
    "wet": "tanda tangan basah dan cap dinas (pindaian)",
    "none": "tanpa tanda tangan (contoh demo)",
}


async def _verify_file(ctx: Context, path: Path) -> int:
    """What a PDF file is: its entry in the register, and its signatures."""
    try:
        pdf = await asyncio.to_thread(path.read_bytes)
    except OSError as missing:
        raise CommandError(f"cannot read {path}: {missing.strerror}") from None
    found = await ctx.office.letter_by_file(pdf)
    ctx.say("Tercatat di register: " + (
        f"Nomor {found.number} (kode verifikasi {found.verification_code})" if found
        else "tidak (berkas ini tidak sama dengan surat mana pun yang diterbitkan)"))
    code = _say_signatures(ctx, await ctx.office.check_signatures(pdf))
    return await _say_bsre(ctx, pdf) if code == 0 else code


def _say_signatures(ctx: Context, reports: list[SignatureReport]) -> int:
    """One line per signature; exit 0 only when there is one and every one is valid."""
    if not reports:
        ctx.say("Tanda tangan elektronik: tidak ada")
        return 1
    w = ctx.office.words
    for r in reports:
        state = "UTUH" if r.intact and r.covers_document else "TIDAK UTUH (berkas diubah)"
        trust = {None: "rantai sertifikat tidak diperiksa (SIGNING_TRUST_ROOTS kosong)",
                 True: "sertifikat tepercaya", False: "sertifikat TIDAK tepercaya"}[r.trusted]
        when = w.time(r.signed_at) if r.signed_at else "-"
        stamp = "cap waktu TSA" if r.timestamped else "waktu menurut penanda tangan"
        ctx.say(f"Tanda tangan elektronik: {state}; penanda tangan {r.signer}; {when} "
                f"({stamp}); {trust}")
    return 0 if all(r.valid for r in reports) else 1
AGENDA_COLUMNS = ("nomor", "tanggal", "hal", "kepada", "jenis", "permohonan",
                  "ditandatangani_oleh", "kode_verifikasi", "sha256")


async def _agenda_csv(ctx: Context, issued_letters: list[IssuedLetter]) -> None:
    """The letters the bot issued, one row each, for the office's agenda book."""
    office = ctx.office
    numbers: dict[int, str] = {}
    out = csv.writer(ctx.out, lineterminator="\n")
    out.writerow(AGENDA_COLUMNS)
    for issued in issued_letters:
        if issued.request_id not in numbers:
            numbers[issued.request_id] = (await office.request(issued.request_id)).number
        signer = issued.signed_by or ""
        if issued.signed_acting:
            signer = f"{issued.signed_acting.capitalize()}. {signer}"
        out.writerow([issued.number,
                      issued.signed_at.astimezone(ctx.settings.timezone).date().isoformat(),
                      issued.subject, issued.addressee, issued.kind,
                      numbers[issued.request_id], signer, issued.verification_code,
                      issued.sha256])


async def record(ctx: Context, args: argparse.Namespace) -> int:
    office = ctx.office
    if args.record_command == "list":
        for label, held in await office.created_records():
            ctx.say(f"{label:<20} " + "; ".join(f"{t} {v}" for _n, t, v, _ttl in held))
        return 0
    try:
        planned = await office.remove_record(args.label)
    except WorkflowError as refused:
        raise CommandError(refused.message_id) from None
    ctx.say(f"removed {planned.fqdn}: " + "; ".join(planned.lines()))
    return 0


async def backup(ctx: Context, args: argparse.Namespace) -> int:
    await ctx.office.backup(args.path)
    ctx.say(f"backup written to {args.path}")
    return 0


async def db_check(settings: Settings, out: TextIO) -> int:
    """Read only, without opening the office: a file too damaged to open is still listed."""
    problems, version = await Office.check_database_file(settings)
    for problem in problems:
        out.write(f"problem: {problem}\n")
    if problems:
        raise CommandError(f"database check found {len(problems)} problem(s)")
    out.write(f"ok: {settings.database_path} (schema version {version})\n")
    return 0


async def report(ctx: Context, args: argparse.Namespace) -> int:
    year, month = args.month
    pdf, csv = await ctx.office.month_files(year, month, args.output, csv=args.csv)
    ctx.say(str(pdf))
    if csv is not None:
        ctx.say(str(csv))
    return 0


async def register(ctx: Context, args: argparse.Namespace) -> int:
    from bot import register_cli  # lazily: the watch's probes load only when asked for

    return await register_cli.register(ctx.office, args, ctx.out)


async def watch(ctx: Context, args: argparse.Namespace) -> int:
    from bot import register_cli

    return await register_cli.watch(ctx.office, args, ctx.out)


COMMANDS: dict[str, Command] = {
    "role": role, "agency": agency, "request": request, "check": check, "letter": letter,
    "record": record, "backup": backup, "report": report, "register": register, "watch": watch,
}


async def run_command(settings: Settings, args: argparse.Namespace, out: TextIO) -> int:
    if args.command == "db":
        return await db_check(settings, out)
    office = await Office.open(settings)
    try:
        return await COMMANDS[args.command](Context(office, out), args)
    except LinkError as failed:
        raise CommandError(str(failed)) from None
    finally:
        await office.close()
