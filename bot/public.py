"""What the public pages show, as use cases (reached as `office.public`).

A letter by its verification code (what the QR code on the letter opens), a PDF checked
against the register, the official subdomains, and the month's public Mutu Baku figures.
Read-only, and nothing personal beyond what the letter itself prints (its addressee and
signatory): no requester, contact, note or holder of a step. The figures are the monthly
report's (`bot.reports`), without its list of open cases (which names officials).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path

from bot import paperwork
from bot.reports import figures_from, median, month_trails, reply_times
from bot.settings import Settings
from bot.workflow import Card, Workflow
from letters.signing_types import SignatureReport
from storage.models import IssuedLetter
from storage.store import Store

CODE_PATTERN = re.compile(r"^[A-Za-z0-9]{10,32}$")
"""What a verification code can look like (16 base32 characters; 10 hex digits before);
anything else is not looked up at all."""

OUTCOMES = {
    "created": "Subdomain dibuat",
    "exists": "Subdomain sudah ada",
    "advice": "Saran teknis",
    "declined": "Permohonan ditolak",
}
SEALS = {
    "pades": "Tanda tangan elektronik (sertifikat elektronik, PAdES)",
    "bsre": "Tanda tangan elektronik tersertifikasi BSrE",
    "wet": "Tanda tangan basah dan cap dinas",
    "none": "Tanpa tanda tangan (contoh demo, bukan surat resmi)",
}
ACTING = {"plt": "Plt. ", "plh": "Plh. "}


class Standing(StrEnum):
    VALID = "berlaku"
    REPLACED = "diganti"
    REVOKED = "dicabut"


@dataclass(frozen=True)
class PublicLetter:
    """A letter as its verification page shows it."""

    code: str
    number: str
    day: date
    subject: str
    addressee: str
    signatory: str
    outcome: str
    seal: str
    seal_label: str
    standing: Standing
    revoked_on: date | None
    reason: str | None
    replaced_by: str | None
    sha256: str
    scan_sha256: str | None

    @property
    def electronically_signed(self) -> bool:
        return self.seal in ("pades", "bsre")


@dataclass(frozen=True)
class UploadVerdict:
    """A PDF checked against one letter of the register."""

    sha256: str
    genuine: bool
    """The file is the letter's issued PDF, or the delivered scan of a wet-signed one."""
    signatures: tuple[SignatureReport, ...]


@dataclass(frozen=True)
class OfficialName:
    name: str
    agency: str | None
    since: date


@dataclass(frozen=True)
class PublicMonth:
    year: int
    month: int
    received: int
    completed: int
    declined: int
    withdrawn: int
    pending: int
    visits: int
    """Finished step visits measured against a standard time."""
    share_within: float | None
    replies: int
    reply_median: timedelta | None
    """Working time from receipt to the reply letter, median."""

    @property
    def finished(self) -> int:
        """Answered: the reply letter received, or the request declined with a letter."""
        return self.completed + self.declined


@dataclass(frozen=True)
class Kop:
    """The office's letterhead as the pages show it (the same settings as the letters')."""

    government: str
    office: str
    address: str
    emblem: Path | None
    display: str
    """As a sentence names it: ``Dinas Komunikasi dan Informatika Kabupaten …``."""


SignatureCheck = Callable[[bytes], Awaitable[list[SignatureReport]]]


class PublicRecords:
    def __init__(self, store: Store, settings: Settings, workflow: Workflow,
                 clock: Callable[[], datetime], check_signatures: SignatureCheck) -> None:
        self.store = store
        self.settings = settings
        self.workflow = workflow
        self.clock = clock
        self._check_signatures = check_signatures

    def today(self) -> date:
        return self.clock().astimezone(self.settings.timezone).date()

    def kop(self) -> Kop:
        identity = paperwork.office_identity(self.settings)
        return Kop(identity.government_line, identity.office_name, identity.kop_address,
                   identity.emblem_path, paperwork.display_name(self.settings))

    # --- letters -----------------------------------------------------------------------------

    async def letter(self, code: str) -> PublicLetter | None:
        """The letter with this verification code; None for an unknown or malformed code
        (the same answer: a malformed code is never distinguishable from an unknown one)."""
        found = await self._issued(code)
        if found is None:
            return None
        later = [o for o in await self.store.letters(found.request_id) if o.id > found.id]
        return self._public(found, later)

    async def check_file(self, code: str, pdf: bytes) -> UploadVerdict | None:
        """Is `pdf` the letter with this code, and what do its signatures say?"""
        found = await self._issued(code)
        if found is None:
            return None
        digest = hashlib.sha256(pdf).hexdigest()
        genuine = digest in (found.sha256, found.scan_sha256)
        signatures = await self._check_signatures(pdf)
        return UploadVerdict(digest, genuine, tuple(signatures))

    async def _issued(self, code: str) -> IssuedLetter | None:
        if not CODE_PATTERN.match(code):
            return None
        found = await self.store.letters(code=code)
        return found[0] if found else None

    def _public(self, issued: IssuedLetter, later: Sequence[IssuedLetter]) -> PublicLetter:
        tz = self.settings.timezone
        if issued.revoked_at is not None and issued.replaced_by is None:
            standing = Standing.REVOKED
        elif issued.replaced_by is not None or later:
            standing = Standing.REPLACED
        else:
            standing = Standing.VALID
        replaced_by = issued.replaced_by or (later[-1].number if later else None)
        return PublicLetter(
            code=issued.verification_code, number=issued.number,
            day=issued.signed_at.astimezone(tz).date(), subject=issued.subject,
            addressee=issued.addressee, signatory=self._signatory(issued),
            outcome=OUTCOMES.get(issued.kind, issued.kind), seal=issued.seal,
            seal_label=SEALS.get(issued.seal, issued.seal), standing=standing,
            revoked_on=issued.revoked_at.astimezone(tz).date() if issued.revoked_at else None,
            reason=issued.revoked_reason, replaced_by=replaced_by, sha256=issued.sha256,
            scan_sha256=issued.scan_sha256)

    def _signatory(self, issued: IssuedLetter) -> str:
        role = next((s.role for s in self.workflow.steps if Card.DRAFT in s.card), None)
        title = self.workflow.title(role) if role else ""
        name = issued.signed_by or "-"
        acting = ACTING.get(issued.signed_acting or "", "")
        return f"{name} ({acting}{title})" if title else name

    # --- the register --------------------------------------------------------------------------

    async def official_names(self) -> list[OfficialName]:
        """Every active name of the register with its owner agency; no contacts."""
        tz, parent = self.settings.timezone, self.settings.parent_domain
        return [OfficialName(f"{n.label}.{parent}", n.agency_name,
                             n.created_at.astimezone(tz).date())
                for n in await self.store.register("active")]

    # --- Mutu Baku -----------------------------------------------------------------------------

    async def month(self, year: int, month: int) -> PublicMonth:
        """The month's public figures, on the monthly report's definitions (`bot.reports`):
        the requests received in the month, their step visits in working time."""
        tz, clock = self.settings.timezone, self.settings.work_clock()
        trails = await month_trails(self.store, year, month, tz)
        figures = figures_from(year, month, tz, trails, clock, workflow=self.workflow)
        measured = [s for s in figures.steps if s.within_standard is not None]
        visits = sum(s.count for s in measured)
        within = sum(s.within_standard or 0 for s in measured)
        replies = reply_times(trails, clock, self.workflow)
        return PublicMonth(
            year=year, month=month, received=figures.received, completed=figures.completed,
            declined=figures.declined, withdrawn=figures.withdrawn, pending=figures.pending,
            visits=visits, share_within=within / visits if visits else None,
            replies=len(replies), reply_median=median(replies) if replies else None)

    async def recent_months(self) -> tuple[PublicMonth, PublicMonth]:
        """This month and the one before, in the office's zone."""
        today = self.today()
        last = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
        return (await self.month(today.year, today.month), await self.month(*last))
