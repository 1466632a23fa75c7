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
Paper = Literal["A4", "F4"]

MM = 72 / 25.4
PAPER_SIZES: dict[str, tuple[float, float]] = {
    "A4": (210 * MM, 297 * MM),
    "F4": (215 * MM, 330 * MM),
}
"""Width and height in points; F4 (folio, 215 x 330 mm) is what many regencies print on."""


@dataclass(frozen=True, kw_only=True)
class PageLayout:
    """Paper and margins (centimetres) of letters and sheets."""

    paper: Paper = "A4"
    top: float = 1.5
    right: float = 2.0
    bottom: float = 2.5
    left: float = 2.5

    def __post_init__(self) -> None:
        if self.paper not in PAPER_SIZES:
            raise ValueError(f"paper must be A4 or F4, got {self.paper!r}")
        for name in ("top", "right", "bottom", "left"):
            value = getattr(self, name)
            if not 0.5 <= value <= 6.0:
                raise ValueError(f"{name} margin must be 0.5-6 cm, got {value}")

    @property
    def size(self) -> tuple[float, float]:
        return PAPER_SIZES[self.paper]

DEFAULT_TEMBUSAN: tuple[str, ...] = ("Arsip",)
"""Copies of a letter when the office names none (its own archive)."""
DEFAULT_ACCOUNT_INSTRUCTIONS = (
    "akun pengelola subdomain disampaikan secara langsung dan terpisah dari surat ini "
    "oleh Bidang Layanan e-Government kepada pengelola yang Saudara tunjuk"
)


@dataclass(frozen=True, kw_only=True)
class OfficeIdentity:
    """Who sends the letter: the kop surat (street, postal code, telephone, laman and pos-el
    written out), the number's unit and classification codes, the office's time zone with the
    label written after a time (``WIB``, ``WITA``, ``UTC+9``), and the page layout."""

    government_line: str
    office_name: str
    address_line: str
    """The street address only, e.g. ``Jalan Merdeka Nomor 1``."""
    phone: str
    website: str
    email: str
    place: str
    unit_code: str
    classification_code: str
    timezone: dt.tzinfo
    zone_label: str
    emblem_path: Path | None = None
    postal_code: str = ""
    number_pattern: str = DEFAULT_PATTERN
    system_name: str = "sistem layanan subdomain"
    page: PageLayout = field(default_factory=PageLayout)

    def __post_init__(self) -> None:
        validate_pattern(self.number_pattern)

    @property
    def kop_address(self) -> str:
        """``Jalan …, Telepon …, Laman …, Pos-el …, Kode Pos …`` (the terms of the rules, not
        "Telp/Fax", "Website", "E-mail"); parts left empty are left out."""
        parts = [
            self.address_line.strip(),
            f"Telepon {self.phone.strip()}" if self.phone.strip() else "",
            f"Laman {self.website.strip()}" if self.website.strip() else "",
            f"Pos-el {self.email.strip()}" if self.email.strip() else "",
            f"Kode Pos {self.postal_code.strip()}" if self.postal_code.strip() else "",
        ]
        return ", ".join(p for p in parts if p)


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


class Seal(StrEnum):
    """What a final letter carries as its signature (the office's SIGNING_PROVIDER)."""

    NONE = "none"
    """Demo only: the register's QR code and verification code, no signature."""
    PADES = "pades"
    """A PAdES electronic signature from the signatory's certificate (PKCS#12)."""
    BSRE = "bsre"
    """A certified electronic signature made by BSrE (BSSN)."""
    WET = "wet"
    """Printed, signed by hand and stamped; the scan is the letter delivered."""


@dataclass(frozen=True)
class SignatureBox:
    """Where the signature goes: a page (0-based) and a rectangle in PDF points (origin at the
    bottom left), found while the letter is rendered."""

    page: int
    x1: float
    y1: float
    x2: float
    y2: float

    @property
    def width(self) -> float:
        return self.x2 - self.x1

    @property
    def height(self) -> float:
        return self.y2 - self.y1


class LetterKind(StrEnum):
    """The outcome a reply letter tells (each has its own template, ``<value>.txt``)."""

    CREATED = "created"
    EXISTS = "exists"
    ADVICE = "advice"
    DECLINED = "declined"
    CHANGED = "changed"  # a change request (perubahan): the name points at its new target
    CHANGE_ADVICE = "change_advice"
    CHANGE_DECLINED = "change_declined"
    REMOVED = "removed"  # a deactivation request (penonaktifan): the records are removed
    REMOVAL_ADVICE = "removal_advice"
    REMOVAL_DECLINED = "removal_declined"
    SUSPENDED = "suspended"  # no answer to the re-confirmation: suspended with the Kabid's leave

    @property
    def declines(self) -> bool:
        """The letter states a reason for declining (required)."""
        return self in (LetterKind.DECLINED, LetterKind.CHANGE_DECLINED,
                        LetterKind.REMOVAL_DECLINED)

    @property
    def advises(self) -> bool:
        """The letter gives technical advice (required)."""
        return self in (LetterKind.ADVICE, LetterKind.CHANGE_ADVICE, LetterKind.REMOVAL_ADVICE)

    @property
    def lists_records(self) -> bool:
        """The letter shows the name's new DNS records (at least one)."""
        return self in (LetterKind.CREATED, LetterKind.CHANGED)


@dataclass(frozen=True, kw_only=True)
class Paraf:
    """An official's initials on a KONSEP: who handled it, in which position, and when they
    approved it electronically."""

    position: str
    name: str
    at: dt.datetime


@dataclass(frozen=True, kw_only=True)
class ReplyLetter:
    """A reply to a subdomain request. ``number`` is None for a draft (``draft=True``)."""

    kind: LetterKind
    number: str | None
    date: dt.date
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
    """How the agency gets its account where the office hosts the site; empty: the record
    points at the agency's own server and the letter says nothing about an account."""
    subject: str | None = None
    """The Hal; None: the outcome template's ``Hal:`` line."""
    tembusan: tuple[str, ...] | None = None
    """Copies; None: the outcome template's ``Tembusan:`` line."""
    paragraphs: tuple[tuple[str, str], ...] = ()
    """Revised outcome paragraphs: (part key such as ``p2``, its new plain text)."""
    paraf: tuple[Paraf, ...] = ()
    """The officials who handled the letter, shown in the KONSEP's paraf box."""
    draft: bool = False
    verification_code: str | None = None
    verification_url: str | None = None
    seal: Seal = Seal.NONE
    """What the final letter carries; the signature block and the footer say so."""

    def __post_init__(self) -> None:
        if not self.draft and not self.number:
            raise ValueError("a final letter needs a number; set draft=True for a konsep")
        if self.kind.declines and not self.reason.strip():
            raise ValueError("a declined letter needs a reason")
        if self.kind.advises and not self.advice.strip():
            raise ValueError("an advice letter needs the advice itself")
        if self.kind.lists_records and not self.records:
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
    RAHASIA = "Rahasia"
    BIASA = "Biasa"


@dataclass(frozen=True, kw_only=True)
class DispositionEntry:
    """One disposition: to whom, what to do (only what the official chose; empty: none), a
    note, and the paraf: who approved it electronically and when."""

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
