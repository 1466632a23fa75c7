"""Plain, frozen inputs for rendering letters; the app builds these from its own data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Literal

from letters.numbering import DEFAULT_PATTERN, validate_pattern

# (name, type, value, ttl), e.g. ("dinkes.example.go.id.", "A", "203.0.113.10", 3600)
RecordRow = tuple[str, str, str, int]

Acting = Literal["plt", "plh"]

DEFAULT_TEMBUSAN: tuple[str, ...] = ("Arsip",)
"""Copies of a letter when the office names none (its own archive)."""
DEFAULT_ACCOUNT_INSTRUCTIONS = (
    "akun pengelola subdomain disampaikan secara langsung dan terpisah dari surat ini "
    "oleh Bidang Layanan e-Government kepada pengelola yang Saudara tunjuk"
)


@dataclass(frozen=True, kw_only=True)
class OfficeIdentity:
    """Who sends the letter: the kop surat, the number's unit and classification codes, and
    the office's time zone with the label written after a time (``WIB``, ``WITA``, ``UTC+9``)."""

    government_line: str
    office_name: str
    address_line: str
    phone_fax: str
    website: str
    email: str
    place: str
    unit_code: str
    classification_code: str
    timezone: dt.tzinfo
    zone_label: str
    emblem_path: Path | None = None
    number_pattern: str = DEFAULT_PATTERN
    system_name: str = "sistem layanan subdomain"

    def __post_init__(self) -> None:
        validate_pattern(self.number_pattern)


@dataclass(frozen=True, kw_only=True)
class Signatory:
    """The official who signs. ``acting`` puts "Plt."/"Plh." before the title;
    ``on_behalf`` adds an "a.n." line above it."""

    position_title: str
    name: str
    rank: str
    nip: str
    acting: Acting | None = None
    on_behalf: str | None = None

    def __post_init__(self) -> None:
        digits = self.nip.replace(" ", "")
        if len(digits) != 18 or not digits.isdigit():
            raise ValueError(f"NIP must have 18 digits, got {self.nip!r}")
        if self.acting not in (None, "plt", "plh"):
            raise ValueError(f"acting must be None, 'plt' or 'plh', got {self.acting!r}")

    @property
    def title_line(self) -> str:
        """``Plt. KEPALA DINAS ...`` (no trailing comma)."""
        prefix = {None: "", "plt": "Plt. ", "plh": "Plh. "}[self.acting]
        return f"{prefix}{self.position_title}"


@dataclass(frozen=True, kw_only=True)
class Addressee:
    """``Yth. <title>`` / ``di`` / ``<place>``."""

    title: str
    place: str = "Tempat"


@dataclass(frozen=True, kw_only=True)
class IncomingRef:
    """The agency's request letter that this letter answers."""

    number: str
    date: dt.date
    subject: str


class LetterKind(StrEnum):
    CREATED = "created"
    EXISTS = "exists"
    ADVICE = "advice"
    DECLINED = "declined"


@dataclass(frozen=True, kw_only=True)
class ReplyLetter:
    """A reply to a subdomain request. ``number`` is None for a draft (``draft=True``)."""

    kind: LetterKind
    number: str | None
    date: dt.date
    subject: str
    addressee: Addressee
    incoming: IncomingRef
    fqdn: str
    signatory: Signatory
    fqdn_unicode: str | None = None
    nature: str = "Biasa"
    attachments: str = "-"
    records: tuple[RecordRow, ...] = ()
    date_active: dt.date | None = None
    reason: str = ""
    advice: str = ""
    account_instructions: str = DEFAULT_ACCOUNT_INSTRUCTIONS
    tembusan: tuple[str, ...] = DEFAULT_TEMBUSAN
    draft: bool = False
    verification_code: str | None = None
    verification_url: str | None = None

    def __post_init__(self) -> None:
        if not self.draft and not self.number:
            raise ValueError("a final letter needs a number; set draft=True for a konsep")
        if self.kind in (LetterKind.ADVICE, LetterKind.DECLINED) and not self.reason.strip():
            raise ValueError(f"a {self.kind} letter needs a reason")
        if self.kind is LetterKind.CREATED and not self.records:
            raise ValueError("a created letter needs at least one DNS record")
        if not self.fqdn.isascii():
            raise ValueError(f"fqdn must be the ASCII (A-label) form, got {self.fqdn!r}")

    @property
    def fqdn_display(self) -> str:
        """``dinkes.example.go.id`` or, for an IDN, ``unicode (xn--...)``."""
        if self.fqdn_unicode and self.fqdn_unicode != self.fqdn:
            return f"{self.fqdn_unicode} ({self.fqdn})"
        return self.fqdn


class Urgency(StrEnum):
    SANGAT_SEGERA = "Sangat Segera"
    SEGERA = "Segera"
    BIASA = "Biasa"


@dataclass(frozen=True, kw_only=True)
class DispositionEntry:
    """One disposition: to whom, what to do, a note, by whom and when."""

    to: str
    instruction: str
    official_name: str
    official_position: str
    at: dt.datetime
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class DispositionSheet:
    """A lembar disposisi for an incoming letter."""

    from_agency: str
    letter_number: str
    letter_date: dt.date
    received_date: dt.date
    agenda_number: str
    urgency: Urgency
    subject: str
    entries: tuple[DispositionEntry, ...] = field(default_factory=tuple)
