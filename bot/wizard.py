"""`python -m bot init`: set up a new office in one sitting.

Asks for the office's settings one at a time and checks each as it is given: the syntax with the
bot's own settings parser (`Settings.from_mapping`), then what can be checked live (the DNS
servers answer with authority for the parent zone, the primary accepts the TSIG key, Telegram
accepts the token). A bad value gets one line and the question again. End of input (Ctrl-D)
aborts with nothing written. At the end: `.env` (written atomically, never over an existing one
without `--force`), a systemd unit for the bot and a daily backup service and timer, the two
commands that install them, and the first admin's invite link.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import io
import os
import shlex
import sys
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import dns.asyncquery
import dns.exception
import dns.message
import dns.name
import dns.rdatatype
import dns.tsig
from dotenv import dotenv_values

from bot import invite_links
from bot.paperwork import letter_warnings
from bot.service import Office
from bot.settings import DEFAULT_API_BASE_URL, OFFICE_SETTINGS, Settings, SettingsError
from domains.config import format_server, parse_server
from domains.dnsquery import read_serial
from storage.db import DatabaseError
from storage.invites import InviteSpec
from storage.store import StorageError

ENV_FILE = Path(".env")
BOT_UNIT = "subdomain-bot.service"
BACKUP_UNIT = "subdomain-bot-backup.service"
BACKUP_TIMER = "subdomain-bot-backup.timer"
BACKUP_KEEP_DAYS = 30
ADMIN_NAME = "first admin"  # a question, not a setting


class Invalid(Exception):
    """A refused answer: one line; `restart` names the question to go back to (else the same)."""

    def __init__(self, line: str, restart: str | None = None) -> None:
        super().__init__(line)
        self.restart = restart


class Aborted(Exception):
    pass


Answers = dict[str, str]
Check = Callable[[str, Answers, "Wizard"], Awaitable[None]]


@dataclass(frozen=True)
class Question:
    key: str
    prompt: str
    default: str = ""
    optional: bool = False
    """Enter leaves the setting out (the prompt says what that means)."""
    secret: bool = False
    when: Callable[[Answers], bool] = lambda _answers: True
    check: Check | None = None


@dataclass
class Wizard:
    """The conversation: where questions are read from and lines written to."""

    given: TextIO
    out: TextIO
    base_url: str = DEFAULT_API_BASE_URL
    username: str | None = None
    """The bot's username, from getMe once a token is accepted."""
    answers: Answers = field(default_factory=dict)

    def say(self, line: str = "") -> None:
        self.out.write(line + "\n")
        self.out.flush()

    def read(self, question: Question) -> str:
        default = f" [{question.default}]" if question.default else ""
        prompt = f"{question.prompt}{default}: "
        if question.secret and self.given.isatty():
            try:
                return getpass.getpass(prompt)
            except EOFError:
                raise Aborted from None
        self.out.write(prompt)
        self.out.flush()
        line = self.given.readline()
        if not line:
            raise Aborted
        return line.rstrip("\r\n")


# --- live checks ---------------------------------------------------------------------------


_SCAFFOLD = {**dict.fromkeys(OFFICE_SETTINGS, "-"), "PARENT_DOMAIN": "example.go.id",
             "TIMEZONE": "UTC"}
"""Stand-ins for the office settings not asked yet, so that one answer can be checked by the
bot's own parser before the others are given (never written anywhere)."""


def _settings(answers: Answers) -> Settings:
    return Settings.from_mapping({**_SCAFFOLD, **answers})


async def _authoritative(raw: str, answers: Answers, wizard: Wizard) -> None:
    """Every server answers the parent zone's SOA with authority (the AA flag)."""
    settings = _settings({**answers, "DNS_SERVERS": raw})
    zone = dns.name.from_text(settings.parent_domain)
    loop = asyncio.get_running_loop()
    for server in [parse_server(part) for part in raw.split(",") if part.strip()]:
        if await read_serial(server, zone, loop.time() + settings.dns.timeout) is None:
            raise Invalid(f"{format_server(server)} does not answer with authority for "
                          f"{settings.parent_domain} (SOA query)")


async def _tsig(raw: str, answers: Answers, wizard: Wizard) -> None:
    """The primary accepts a query signed with the key (an unknown key or a wrong secret is
    refused by the server itself)."""
    settings = _settings({**answers, "TSIG_SECRET": raw})
    host, port = parse_server(answers["DNS_PRIMARY"])
    query = dns.message.make_query(dns.name.from_text(settings.parent_domain), dns.rdatatype.SOA)
    query.use_tsig(dns.tsig.Key(answers["TSIG_KEY_NAME"], raw, answers["TSIG_ALGORITHM"]))
    try:
        await dns.asyncquery.udp(query, host, port=port, timeout=settings.dns.timeout)
    except dns.tsig.PeerBadKey:
        raise Invalid(f"the primary does not know key {answers['TSIG_KEY_NAME']!r} with "
                      f"{answers['TSIG_ALGORITHM']}; give the key again",
                      restart="TSIG_KEY_NAME") from None
    except (dns.tsig.PeerError, dns.tsig.BadSignature):
        raise Invalid("the primary rejects this secret (bad signature)") from None
    except (dns.exception.DNSException, OSError) as exc:
        raise Invalid(f"no answer from the primary {answers['DNS_PRIMARY']} "
                      f"({type(exc).__name__})") from None


async def _key_name(raw: str, answers: Answers, wizard: Wizard) -> None:
    try:
        dns.name.from_text(raw)
    except dns.exception.DNSException:
        raise Invalid(f"TSIG_KEY_NAME: not a key name: {raw!r}") from None


async def _token(raw: str, answers: Answers, wizard: Wizard) -> None:
    try:
        wizard.username = await invite_links.username_of(raw, wizard.base_url)
    except invite_links.LinkError as failed:
        raise Invalid(str(failed)) from None


async def _name(raw: str, answers: Answers, wizard: Wizard) -> None:
    if len(raw) > 100:
        raise Invalid("a name of at most 100 characters, please")


def _has_primary(answers: Answers) -> bool:
    return "DNS_PRIMARY" in answers


QUESTIONS = (
    Question("OFFICE_GOVERNMENT", "Government, as on the letterhead "
                                  "(e.g. PEMERINTAH KABUPATEN SLEMAN)"),
    Question("OFFICE_NAME", "Office name", default="DINAS KOMUNIKASI DAN INFORMATIKA"),
    Question("OFFICE_ADDRESS", "Street address"),
    Question("OFFICE_PHONE", "Phone number"),
    Question("OFFICE_WEBSITE", "Website (e.g. diskominfo.slemankab.go.id)"),
    Question("OFFICE_EMAIL", "E-mail address"),
    Question("OFFICE_PLACE", "Place where letters are signed (e.g. Sleman)"),
    Question("OFFICE_UNIT_CODE", "Unit code in letter numbers (e.g. Diskominfo-Slm)"),
    Question("PARENT_DOMAIN", "Parent domain (e.g. slemankab.go.id)"),
    Question("TIMEZONE", "Time zone (Asia/Jakarta, Asia/Makassar or Asia/Jayapura)"),
    Question("OFFICE_HOURS", "Office hours",
             default="mon-thu 07:30-12:00,13:00-16:00; fri 07:30-11:30,13:30-16:30"),
    Question("DNS_SERVERS", "Authoritative DNS servers of the parent domain, HOST[:PORT] "
                            "separated by commas", check=_authoritative),
    Question("DNS_PRIMARY", "Primary DNS server that takes signed updates, HOST[:PORT] "
                            "(Enter: staff create records by hand)", optional=True,
             check=_authoritative),
    Question("TSIG_KEY_NAME", "TSIG key name", when=_has_primary, check=_key_name),
    Question("TSIG_ALGORITHM", "TSIG algorithm", default="hmac-sha256", when=_has_primary),
    Question("TSIG_SECRET", "TSIG secret (base64, as tsig-keygen printed it)", secret=True,
             when=_has_primary, check=_tsig),
    Question("GROUP_CHAT_ID", "Office group chat id, a negative number (Enter: no group)",
             optional=True),
    Question("BOT_TOKEN", "Bot token from @BotFather (Enter: set it later)", optional=True,
             secret=True, check=_token),
    Question("BOT_USERNAME", "Bot username, for the invite link (without @)",
             when=lambda answers: "BOT_TOKEN" not in answers),
    Question(ADMIN_NAME, "Name of the first admin (gets the invite link)", check=_name),
)


async def ask_all(wizard: Wizard) -> Answers:
    """Every question in turn until each has an accepted answer; raises Aborted on EOF."""
    answers = wizard.answers
    index = 0
    while index < len(QUESTIONS):
        question = QUESTIONS[index]
        if not question.when(answers):
            index += 1
            continue
        raw = wizard.read(question).strip() or question.default
        try:
            if not raw:
                if question.optional:
                    index += 1
                    continue
                raise Invalid(f"{question.key}: a value is needed")
            if question.key != ADMIN_NAME:
                _settings({**answers, question.key: raw})  # the bot's own parser
            if question.check is not None:
                await question.check(raw, answers, wizard)
        except (Invalid, SettingsError) as refused:
            wizard.say(f"error: {refused}")
            restart = getattr(refused, "restart", None)
            if restart is not None:
                index = next(i for i, q in enumerate(QUESTIONS) if q.key == restart)
                for later in QUESTIONS[index:]:
                    answers.pop(later.key, None)
            continue
        answers[question.key] = raw
        index += 1
    return answers


# --- what gets written ------------------------------------------------------------------------


def env_text(answers: Answers, base_url: str) -> str:
    lines = ["# Written by `python -m bot init`; .env.example documents every setting.",
             "# Keep this file private: it holds the bot token and the TSIG secret."]
    values = {k: v for k, v in answers.items() if k != ADMIN_NAME}
    if "DNS_PRIMARY" in values:
        values["DNS_PROVIDER"] = "rfc2136"
    if base_url != DEFAULT_API_BASE_URL:
        values["TELEGRAM_API_BASE_URL"] = base_url
    for key, value in values.items():
        quoted = value.replace("\\", "\\\\").replace('"', '\\"')
        lines.append(f'{key}="{quoted}"')
    return "\n".join(lines) + "\n"


def units(workdir: Path, python: str, office: str) -> dict[str, str]:
    command = shlex.join([python, "-m", "bot"])
    user = getpass.getuser()
    backups = workdir / "backups"
    copy = f"{backups}/subdomain-bot-$$(date +%%Y%%m%%d-%%H%%M%%S).sqlite3"
    prune = f"-name 'subdomain-bot-*.sqlite3' -mtime +{BACKUP_KEEP_DAYS} -delete"
    return {
        BOT_UNIT: f"""[Unit]
Description=Subdomain bot of {office} (Telegram)
Wants=network-online.target
After=network-online.target

[Service]
Type=simple
User={user}
WorkingDirectory={workdir}
ExecStart={command} run
Restart=on-failure
RestartSec=10
NoNewPrivileges=true
PrivateTmp=true

[Install]
WantedBy=multi-user.target
""",
        BACKUP_UNIT: f"""[Unit]
Description=Daily backup of the subdomain bot's database

[Service]
Type=oneshot
User={user}
WorkingDirectory={workdir}
ExecStart=/bin/sh -c 'exec {command} backup "{copy}"'
ExecStartPost=/usr/bin/find {backups} {prune}
""",
        BACKUP_TIMER: """[Unit]
Description=Daily backup of the subdomain bot's database

[Timer]
OnCalendar=*-*-* 02:30:00
RandomizedDelaySec=15min
Persistent=true

[Install]
WantedBy=timers.target
""",
    }


def _write_atomic(path: Path, text: str, *, mode: int = 0o644, replace: bool = True) -> None:
    """Write `text` to `path` through a temporary file in the same folder; with
    `replace=False` an existing file is left alone and FileExistsError raised."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, mode)
        if replace:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)  # fails when the file appeared meanwhile
    finally:
        Path(tmp).unlink(missing_ok=True)


async def _admin_invite(name: str, username: str) -> tuple[str, Path, Settings]:
    """The first admin's invite, in the database the new .env configures."""
    settings = Settings.load(env_file=ENV_FILE)
    office = await Office.open(settings)
    try:
        code, invite = await office.create_invite(
            InviteSpec(name=name, position=office.workflow.admin))
    finally:
        await office.close()
    link = invite_links.deep_link(username, code)
    qr = invite_links.write_qr(link, settings.data_dir / "invites" /
                               f"invite-{invite.id}-admin.png")
    return link, qr, settings


async def _run(args: argparse.Namespace, given: TextIO, out: TextIO) -> int:
    base_url = os.environ.get("TELEGRAM_API_BASE_URL", "").strip() or DEFAULT_API_BASE_URL
    wizard = Wizard(given, out, base_url=base_url)
    wizard.say("Setting up a new office. Enter keeps the value in [brackets]; Ctrl-D aborts "
               "with nothing written.")
    answers = await ask_all(wizard)
    username = wizard.username or answers["BOT_USERNAME"]
    text = env_text(answers, base_url)
    parsed = {k: v for k, v in dotenv_values(stream=io.StringIO(text)).items() if v is not None}
    Settings.from_mapping(parsed)  # what the bot will read back
    deploy = args.deploy_dir.resolve()
    written = units(Path.cwd(), sys.executable, answers["OFFICE_GOVERNMENT"])
    _write_atomic(ENV_FILE, text, mode=0o600, replace=args.force)  # first: it may refuse
    for name, unit in written.items():
        _write_atomic(deploy / name, unit)
    wizard.say(f"\nWrote {ENV_FILE} and the systemd units in {deploy}/.")
    wizard.say("Install them (as root):")
    wizard.say("  cp " + " ".join(shlex.quote(str(deploy / n)) for n in written)
               + " /etc/systemd/system/")
    wizard.say(f"  systemctl enable --now {BOT_UNIT} {BACKUP_TIMER}")
    if "BOT_TOKEN" not in answers:
        wizard.say("BOT_TOKEN is still empty: put it in .env before starting the bot.")
    for warning in letter_warnings(Settings.from_mapping(parsed)):
        wizard.say(f"warning: {warning}")
    link, qr, settings = await _admin_invite(answers[ADMIN_NAME], username)
    wizard.say(f"\nThe first admin, {answers[ADMIN_NAME]}, opens this link in Telegram "
               f"(one use, within {settings.invite_valid_days} days):")
    wizard.say(link)
    wizard.say(f"QR code: {qr}")
    return 0


def run_wizard(args: argparse.Namespace, given: TextIO, out: TextIO) -> int:
    if ENV_FILE.exists() and not args.force:
        sys.stderr.write(f"error: {ENV_FILE} already exists; use --force to replace it\n")
        return 1
    try:
        return asyncio.run(_run(args, given, out))
    except (Aborted, KeyboardInterrupt):
        sys.stderr.write("\naborted: nothing written\n")
        return 1
    except FileExistsError:
        sys.stderr.write(f"error: {ENV_FILE} appeared meanwhile; nothing written "
                         "(use --force to replace it)\n")
        return 1
    except (SettingsError, DatabaseError, StorageError, invite_links.LinkError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
