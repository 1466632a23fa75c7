"""Settings from the environment and `.env` (the environment wins).

Every setting is documented in `.env.example`. The office's identity (`OFFICE_SETTINGS`: names,
address, place, parent domain, time zone) has no default: without it `MissingSettings` names
what is missing. A wrong value raises `SettingsError` whose message names the setting, for a
one-line answer without a traceback.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

from bot.signing_config import SigningConfig, SigningConfigError, signing_config
from bot.watch_settings import WatchSettings, parse_watch
from bot.web_settings import WebSettings, parse_web
from bot.workflow import SOP
from bot.worktime import Duration, OfficeHours, WorkClock, parse_duration
from bot.zones import zone_label
from domains.config import MAX_TIMEOUT, DnsConfig, Server, parse_server
from domains.names import DEFAULT_RESERVED
from letters.model import PageLayout

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
T = TypeVar("T")


OFFICE_SETTINGS: tuple[str, ...] = (
    "OFFICE_GOVERNMENT", "OFFICE_NAME", "OFFICE_ADDRESS", "OFFICE_PHONE", "OFFICE_WEBSITE",
    "OFFICE_EMAIL", "OFFICE_PLACE", "OFFICE_UNIT_CODE", "PARENT_DOMAIN", "TIMEZONE",
)
"""The office's identity: no built-in value, every office sets its own."""


class SettingsError(Exception):
    pass


class MissingSettings(SettingsError):
    """Settings without a default are not set; `names` says which."""

    def __init__(self, names: tuple[str, ...]) -> None:
        super().__init__(f"missing settings: {', '.join(names)} (set them in .env or the "
                         "environment; .env.example shows each one)")
        self.names = names


@dataclass(frozen=True, kw_only=True)
class OfficeSettings:
    """The office identity printed on letters and messages."""

    government: str
    name: str
    address: str
    phone: str
    website: str
    email: str
    place: str
    unit_code: str
    classification_code: str = "555"
    letter_number_pattern: str = "{classification}/{sequence}/{unit}/{year}"
    emblem_path: Path | None = None
    postal_code: str = ""
    page: PageLayout = field(default_factory=PageLayout)
    """Paper (LETTER_PAPER: A4 or F4) and margins (LETTER_MARGINS) of letters and sheets."""
    tembusan: tuple[str, ...] | None = None
    """Copies of every reply letter (LETTER_TEMBUSAN, ';' between); None: each outcome
    template's own Tembusan line."""
    classification_codes: Mapping[str, str] = field(default_factory=dict)
    """Classification code per outcome (LETTER_CLASSIFICATION_CODES), over the one code."""
    classification_set: bool = True
    """False: LETTER_CLASSIFICATION_CODE was not set and the built-in stand-in is used."""
    numbering: str = "register"
    """LETTER_NUMBERING: ``register`` (the bot's register, its first number of a year
    settable) or ``manual`` (a person gives the number from the agenda book or SRIKANDI)."""

    def classification_for(self, outcome: str) -> str:
        """The archive classification code of a letter of `outcome` (the archivist's)."""
        return self.classification_codes.get(outcome, self.classification_code)


@dataclass(frozen=True, kw_only=True)
class Pacing:
    """The message rates the bot keeps to, per Telegram's published limits (PACE_*): about one
    a second to a private chat with short bursts, twenty a minute to a group, thirty a second
    overall. A rate of 0 turns that limit off (benchmarks against an emulator without limits)."""

    private_per_second: float = 1.0
    private_burst: int = 5
    group_per_minute: float = 20.0
    group_burst: int = 20
    overall_per_second: float = 30.0

    @property
    def overall_burst(self) -> int:
        """One second's worth."""
        return max(1, round(self.overall_per_second))


@dataclass(frozen=True, kw_only=True)
class Reconfirm:
    """The owners' re-confirmation that a name is still in use (RECONFIRM_*)."""

    months: int = 12
    """Ask every this many months after the last confirmation (0: never ask)."""
    remind_days: int = 7
    """Days between the question, its two reminders and the Kabid's suspension request."""
    suspend: str = "redirect"
    """What an approved suspension does: `redirect` (point the name at `redirect_to`) or
    `remove` (delete its records)."""
    redirect_to: str | None = None
    """Where a suspended name points: an IP address or a host name (None: the office's
    hosting server, DNS_HOSTING_IPV4)."""


SUSPEND_MODES = ("redirect", "remove")


def _suspend(raw: str) -> str:
    mode = raw.strip().lower()
    if mode not in SUSPEND_MODES:
        raise ValueError(f"one of {', '.join(SUSPEND_MODES)}")
    return mode


def _nonempty(raw: str) -> str | None:
    return raw.strip() or None


@dataclass(frozen=True, kw_only=True)
class Settings:
    bot_token: str | None = field(default=None, repr=False)
    telegram_api_base_url: str = DEFAULT_API_BASE_URL
    database_path: Path = Path("data/subdomain-bot.sqlite3")
    data_dir: Path = Path("data")
    group_chat_id: int | None = None
    parent_domain: str
    timezone: ZoneInfo
    webhook_secret: str | None = field(default=None, repr=False)
    log_level: str = "INFO"
    office: OfficeSettings
    office_hours: OfficeHours = field(default_factory=OfficeHours.default)
    extra_holidays: frozenset[date] = frozenset()
    standard_times: Mapping[str, Duration] = field(default_factory=dict)
    """Standard times that replace the table's, by state name (STANDARD_TIMES)."""
    dns: DnsConfig
    verify_base_url: str | None = None
    """Public address that verifies a letter's code (printed as a QR code); None: code only."""
    bot_username: str | None = None
    """For invite links when no token is set (with a token, getMe says the username)."""
    invite_valid_days: int = 7
    open_submissions: bool = False
    """False: only an agency's registered contacts may file, and only for their agency."""
    max_open_requests: int = 3
    """Open requests one person may have at a time; 0: no limit."""
    outbox_keep_days: int = 30
    """Sent messages are deleted from the outbox after this many days (their content stays in
    the audit trail and the registers); 0: kept forever (OUTBOX_KEEP_DAYS)."""
    watch: WatchSettings = field(default_factory=WatchSettings)
    """The daily watch of the register's names (WATCH_*)."""
    web: WebSettings = field(default_factory=WebSettings)
    """The public pages (WEB_*): letter verification, official names, figures."""
    reconfirm: Reconfirm = field(default_factory=lambda: Reconfirm())
    """Asking owners whether their names are still in use (RECONFIRM_*)."""
    pacing: Pacing = field(default_factory=Pacing)
    """Message rates kept to before sending (PACE_*)."""
    signing: SigningConfig = field(default_factory=SigningConfig)
    """How final letters are signed (SIGNING_PROVIDER: none, pades, bsre, wet)."""
    session_expiry_hours: int = 24
    """A half-filled form or an action waiting for its note is dropped after this many hours
    without an answer (SESSION_EXPIRY_HOURS)."""

    def zone_label(self, at: datetime | None = None) -> str:
        """What the office writes after a time: WIB, WITA, WIT, else the UTC offset."""
        return zone_label(self.timezone, at)

    def work_clock(self) -> WorkClock:
        """The working-time clock (office hours, zone, holidays) that deadlines run on."""
        return WorkClock(self.office_hours, tz=self.timezone, holidays_extra=self.extra_holidays)

    @property
    def telegram_file_base_url(self) -> str:
        base = self.telegram_api_base_url
        return base[: -len("/bot")] + "/file/bot" if base.endswith("/bot") else base + "/file"

    @classmethod
    def load(cls, env: Mapping[str, str] | None = None, env_file: Path | None = None) -> Settings:
        """Read settings from `env` (default: the process environment over `.env`)."""
        return cls.from_mapping(environment(env_file) if env is None else env)

    @classmethod
    def from_mapping(cls, env: Mapping[str, str]) -> Settings:
        def get(name: str) -> str | None:
            return _get(env, name)

        def parse(name: str, conv: Callable[[str], T], default: T) -> T:
            return _parse(env, name, conv, default)

        missing = tuple(name for name in OFFICE_SETTINGS if get(name) is None)
        if missing:
            raise MissingSettings(missing)
        token = get("BOT_TOKEN")
        if token is not None and (":" not in token or not token.split(":", 1)[0].isdigit()):
            raise SettingsError("BOT_TOKEN: does not look like a bot token (expected 123456:ABC…)")
        base_url = parse("TELEGRAM_API_BASE_URL", _base_url, DEFAULT_API_BASE_URL)
        data_dir = parse("DATA_DIR", Path, Path("data"))
        def required(name: str) -> str:
            value = get(name)
            assert value is not None  # checked above
            return value

        office = OfficeSettings(
            government=required("OFFICE_GOVERNMENT"),
            name=required("OFFICE_NAME"),
            address=required("OFFICE_ADDRESS"),
            phone=required("OFFICE_PHONE"),
            website=required("OFFICE_WEBSITE"),
            email=required("OFFICE_EMAIL"),
            place=required("OFFICE_PLACE"),
            unit_code=required("OFFICE_UNIT_CODE"),
            **{
                key: value
                for key, value in {
                    "classification_code": parse("LETTER_CLASSIFICATION_CODE",
                                                 _classification, None),
                    "letter_number_pattern": parse("LETTER_NUMBER_PATTERN", _number_pattern,
                                                   None),
                }.items()
                if value is not None
            },
            emblem_path=parse("OFFICE_EMBLEM_PATH", _emblem, None),
            postal_code=get("OFFICE_POSTAL_CODE") or "",
            page=_page_layout(env),
            tembusan=parse("LETTER_TEMBUSAN", _items, None),
            classification_codes=parse("LETTER_CLASSIFICATION_CODES", _codes_by_outcome, {}),
            classification_set=get("LETTER_CLASSIFICATION_CODE") is not None,
            numbering=parse("LETTER_NUMBERING", _numbering, "register"),
        )
        parent = _parse_required(env, "PARENT_DOMAIN", _domain)
        dns = _dns_config(env, parent)
        signing = _signing(env)
        return cls(
            dns=dns,
            verify_base_url=parse("LETTER_VERIFY_URL", _base_url, None),
            bot_token=token,
            telegram_api_base_url=base_url,
            database_path=parse("DATABASE_PATH", Path, data_dir / "subdomain-bot.sqlite3"),
            data_dir=data_dir,
            group_chat_id=parse("GROUP_CHAT_ID", _chat_id, None),
            parent_domain=parent,
            timezone=_parse_required(env, "TIMEZONE", _zone),
            webhook_secret=get("WEBHOOK_SECRET"),
            log_level=parse("LOG_LEVEL", _log_level, "INFO"),
            office=office,
            office_hours=parse("OFFICE_HOURS", OfficeHours.parse, OfficeHours.default()),
            extra_holidays=parse("EXTRA_HOLIDAYS", _dates, frozenset[date]()),
            standard_times=parse("STANDARD_TIMES", _standard_times, {}),
            bot_username=parse("BOT_USERNAME", _bot_username, None),
            invite_valid_days=parse("INVITE_VALID_DAYS", _positive_int, 7),
            open_submissions=parse("OPEN_SUBMISSIONS", _bool, False),
            max_open_requests=parse("MAX_OPEN_REQUESTS", _count, 3),
            outbox_keep_days=parse("OUTBOX_KEEP_DAYS", _count, 30),
            watch=parse_watch(parse),
            web=parse_web(parse),
            reconfirm=Reconfirm(
                months=parse("RECONFIRM_MONTHS", _count, 12),
                remind_days=parse("RECONFIRM_REMIND_DAYS", _positive_int, 7),
                suspend=parse("RECONFIRM_SUSPEND", _suspend, "redirect"),
                redirect_to=parse("RECONFIRM_REDIRECT_TO", _nonempty, None)),
            pacing=_pacing(env),
            signing=signing,
            session_expiry_hours=parse("SESSION_EXPIRY_HOURS", _session_hours, 24),
        )


def _signing(env: Mapping[str, str]) -> SigningConfig:
    try:
        return signing_config(env)
    except SigningConfigError as exc:
        raise SettingsError(str(exc)) from None


def environment(env_file: Path | None = None) -> dict[str, str]:
    """The process environment over `.env` (or `env_file`): what `Settings.load` reads."""
    file_values = {
        k: v for k, v in dotenv_values(env_file or Path(".env")).items() if v is not None
    }
    return {**file_values, **os.environ}


def _get(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name)
    return value.strip() if value is not None and value.strip() else None


def _parse(env: Mapping[str, str], name: str, conv: Callable[[str], T], default: T) -> T:
    raw = _get(env, name)
    if raw is None:
        return default
    try:
        return conv(raw)
    except (ValueError, ZoneInfoNotFoundError) as exc:
        raise SettingsError(f"{name}: invalid value {raw!r} ({exc})") from None


def _parse_required(env: Mapping[str, str], name: str, conv: Callable[[str], T]) -> T:
    value = _parse(env, name, conv, None)
    if value is None:
        raise MissingSettings((name,))
    return value


def _dns_config(env: Mapping[str, str], parent: str) -> DnsConfig:
    def get(name: str) -> str | None:
        return _get(env, name)

    def servers(raw: str) -> tuple[Server, ...]:
        return tuple(parse_server(part.strip()) for part in raw.split(",") if part.strip())

    def names(raw: str) -> tuple[str, ...]:
        return tuple(n.strip().lower() for n in raw.split(",") if n.strip())

    values = {
        "parent_domain": parent,
        "servers": _parse(env, "DNS_SERVERS", servers, tuple[Server, ...]()),
        "primary": _parse(env, "DNS_PRIMARY", parse_server, None),
        "timeout": _parse(env, "DNS_TIMEOUT", _dns_timeout, 2.0),
        "provider": get("DNS_PROVIDER") or "manual",
        "tsig_key_name": get("TSIG_KEY_NAME") or "",
        "tsig_algorithm": get("TSIG_ALGORITHM") or "hmac-sha256",
        "tsig_secret": get("TSIG_SECRET") or "",
        "ttl": _parse(env, "DNS_TTL", int, 3600),
        "hosting_ipv4": get("HOSTING_IPV4"),
        "reserved": _parse(env, "RESERVED_NAMES", names, DEFAULT_RESERVED),
    }
    try:
        config = DnsConfig(**values)  # type: ignore[arg-type]
    except ValueError as exc:
        raise SettingsError(f"DNS settings: {exc}") from None
    _check_tsig(env)
    if config.provider == "rfc2136" and not (config.tsig_key_name and config.tsig_secret
                                             and (config.primary or config.servers)):
        raise SettingsError("DNS_PROVIDER: rfc2136 needs TSIG_KEY_NAME, TSIG_SECRET and "
                            "DNS_PRIMARY (or DNS_SERVERS)")
    return config


def _standard_times(raw: str) -> dict[str, Duration]:
    """`letter_signoff=1d,delivery=2d`: standard times by the table's state names."""
    out: dict[str, Duration] = {}
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        state, sep, value = part.partition("=")
        if not sep or not state.strip():
            raise ValueError(f"expected STATE=DURATION, got {part!r}")
        out[state.strip()] = parse_duration(value)
    SOP.with_standard_times(out)  # names a step of the table, or says which exist
    return out


TSIG_ALGORITHMS = ("hmac-md5", "hmac-sha1", "hmac-sha224", "hmac-sha256", "hmac-sha384",
                   "hmac-sha512")
"""What `tsig-keygen -a` offers (dnspython would take any name and fail only at the server)."""


def _check_tsig(env: Mapping[str, str]) -> None:
    algorithm = (_get(env, "TSIG_ALGORITHM") or "hmac-sha256").lower()
    if algorithm not in TSIG_ALGORITHMS:
        raise SettingsError(f"TSIG_ALGORITHM: invalid value {algorithm!r} (use one of "
                            f"{', '.join(TSIG_ALGORITHMS)})")
    secret = _get(env, "TSIG_SECRET")
    if secret is not None:
        try:
            valid = bool(base64.b64decode(secret, validate=True))
        except ValueError:
            valid = False
        if not valid:  # the value itself is a secret: never repeat it
            raise SettingsError("TSIG_SECRET: not base64 (copy the secret as tsig-keygen "
                                "printed it)")


def _base_url(raw: str) -> str:
    if not raw.startswith(("http://", "https://")):
        raise ValueError("must start with http:// or https://")
    if raw.endswith("/"):
        raise ValueError("must not end with '/' (the token is appended directly)")
    return raw


def _chat_id(raw: str) -> int:
    value = int(raw)
    if value == 0:
        raise ValueError("a chat id is never 0")
    return value


def _domain(raw: str) -> str:
    name = raw.lower().rstrip(".")
    labels = name.split(".")
    if len(labels) < 2 or not all(
        label and len(label) <= 63 and label.replace("-", "").isalnum() and label.isascii()
        for label in labels
    ):
        raise ValueError("expected a domain name such as example.go.id")
    return name


def _bot_username(raw: str) -> str:
    name = raw.removeprefix("@")
    if not (5 <= len(name) <= 32 and name.replace("_", "").isalnum() and name.isascii()):
        raise ValueError("expected a bot username such as subdomain_bot")
    return name


def _pacing(env: Mapping[str, str]) -> Pacing:
    d = Pacing()
    return Pacing(
        private_per_second=_parse(env, "PACE_PRIVATE_PER_SECOND", _rate, d.private_per_second),
        private_burst=_parse(env, "PACE_PRIVATE_BURST", _positive_int, d.private_burst),
        group_per_minute=_parse(env, "PACE_GROUP_PER_MINUTE", _rate, d.group_per_minute),
        group_burst=_parse(env, "PACE_GROUP_BURST", _positive_int, d.group_burst),
        overall_per_second=_parse(env, "PACE_OVERALL_PER_SECOND", _rate,
                                  d.overall_per_second),
    )


def _rate(raw: str) -> float:
    value = float(raw)
    if not 0 <= value < 1e6:
        raise ValueError("expected a rate from 0 (no limit) upwards")
    return value


def _positive_int(raw: str) -> int:
    value = int(raw)
    if value < 1:
        raise ValueError("must be at least 1")
    return value


def _session_hours(raw: str) -> int:
    value = _positive_int(raw)
    if value > 24 * 366:
        raise ValueError("must be at most 8784 (a year)")
    return value


def _count(raw: str) -> int:
    value = int(raw)
    if value < 0:
        raise ValueError("must not be negative")
    return value


def _bool(raw: str) -> bool:
    value = raw.lower()
    if value not in ("true", "false", "yes", "no", "1", "0"):
        raise ValueError("use true or false")
    return value in ("true", "yes", "1")
def _zone(raw: str) -> ZoneInfo:
    """An IANA zone name such as Asia/Jakarta (not an abbreviation like WIB)."""
    try:
        return ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("expected an IANA time zone such as Asia/Jakarta, Asia/Makassar or "
                         "Asia/Jayapura") from None


def _items(raw: str) -> tuple[str, ...]:
    """'Bupati … (sebagai laporan); Arsip' → its items (';' separates, commas may be inside)."""
    items = tuple(part.strip() for part in raw.split(";") if part.strip())
    if not items:
        raise ValueError("name at least one recipient")
    return items


def _log_level(raw: str) -> str:
    level = raw.upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ValueError("use DEBUG, INFO, WARNING or ERROR")
    return level


def _dates(raw: str) -> frozenset[date]:
    """Comma-separated ISO dates, e.g. '2026-12-24,2026-12-31'."""
    out: set[date] = set()
    for part in (p.strip() for p in raw.split(",")):
        if part:
            try:
                out.add(date.fromisoformat(part))
            except ValueError:
                raise ValueError(f"not a date (YYYY-MM-DD): {part!r}") from None
    return frozenset(out)


def _number_pattern(raw: str) -> str:
    """Checked now, not at the first letter: {sequence} and only known fields."""
    from letters.numbering import validate_pattern  # lazily: the letters package is heavy

    validate_pattern(raw)
    return raw


OUTCOMES = ("created", "exists", "advice", "declined", "changed", "change_advice",
            "change_declined", "removed", "removal_advice", "removal_declined", "suspended")
NUMBERING = ("register", "manual")


def _classification(raw: str) -> str:
    code = raw.strip()
    if not code or not all(part.isalnum() for part in code.split(".")):
        raise ValueError("a classification code is digits (or letters) between dots, e.g. "
                         "000.5.10")
    return code


def _codes_by_outcome(raw: str) -> dict[str, str]:
    """`created=000.5.10.2,declined=000.5.10.3`: the archivist's code per outcome."""
    out: dict[str, str] = {}
    for part in (p.strip() for p in raw.split(",") if p.strip()):
        outcome, sep, code = part.partition("=")
        outcome = outcome.strip().lower()
        if not sep or outcome not in OUTCOMES:
            raise ValueError(f"expected OUTCOME=CODE with OUTCOME one of {', '.join(OUTCOMES)}")
        out[outcome] = _classification(code)
    return out


def _numbering(raw: str) -> str:
    value = raw.strip().lower()
    if value not in NUMBERING:
        raise ValueError(f"use {' or '.join(NUMBERING)}")
    return value


def _dns_timeout(raw: str) -> float:
    value = float(raw)
    if not 0 < value <= MAX_TIMEOUT:  # also refuses inf and nan
        raise ValueError(f"seconds, more than 0 and at most {MAX_TIMEOUT:g}")
    return value


_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")


def _page_layout(env: Mapping[str, str]) -> PageLayout:
    paper = (_get(env, "LETTER_PAPER") or "A4").upper()
    if paper not in ("A4", "F4"):
        raise SettingsError(f"LETTER_PAPER: invalid value {paper!r} (use A4 or F4)")
    margins = _parse(env, "LETTER_MARGINS", _margins, None)
    try:
        if margins is None:
            return PageLayout(paper=paper)  # type: ignore[arg-type]
        top, right, bottom, left = margins
        return PageLayout(paper=paper, top=top, right=right,  # type: ignore[arg-type]
                          bottom=bottom, left=left)
    except ValueError as exc:
        raise SettingsError(f"LETTER_MARGINS: {exc}") from None


def _margins(raw: str) -> tuple[float, float, float, float]:
    """'2,2.5,2.5,3': top, right, bottom, left in centimetres (a decimal comma is not used
    here, so '2,5' reads as two values)."""
    parts = [float(p) for p in raw.replace(" ", "").split(",") if p]
    if len(parts) != 4:
        raise ValueError("expected four values in cm: top,right,bottom,left (e.g. 2,2.5,2.5,3)")
    return parts[0], parts[1], parts[2], parts[3]


def _emblem(raw: str) -> Path:
    """A PNG or JPEG file that can be read now (letters print it in the letterhead)."""
    path = Path(raw)
    try:
        with path.open("rb") as f:
            head = f.read(8)
    except OSError as exc:
        raise ValueError(f"cannot read the file: {exc.strerror or type(exc).__name__}") from None
    if not head.startswith(_IMAGE_MAGIC):
        raise ValueError("not a PNG or JPEG image")
    from PIL import Image, UnidentifiedImageError  # only when an emblem is set

    try:
        with Image.open(path) as image:
            image.verify()
    except (OSError, UnidentifiedImageError, SyntaxError) as exc:
        raise ValueError(f"a damaged image ({type(exc).__name__})") from None
    return path
