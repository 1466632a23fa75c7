"""Plain frozen records that storage hands out (never database rows)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, NamedTuple


@dataclass(frozen=True)
class Person:
    id: int
    telegram_user_id: int | None
    name: str
    nip: str | None = None
    rank: str | None = None
    title: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class PositionHolder:
    position: str
    """A position key of the office's workflow table."""
    person: Person
    acting: str | None  # "plt" | "plh" | None
    valid_from: date | None
    valid_until: date | None

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )

    @property
    def title_prefix(self) -> str:
        return {"plt": "Plt. ", "plh": "Plh. "}.get(self.acting or "", "")


@dataclass(frozen=True)
class Agency:
    id: int
    code: str
    name: str
    head_title: str | None = None
    place: str | None = None
    """Where the agency is, for "Yth. … di <place>" (None: the office's own place)."""
    address: str | None = None

    @property
    def addressee(self) -> str:
        return self.head_title or f"Kepala {self.name}"


@dataclass(frozen=True)
class NewRequest:
    """What a requester submits."""

    agency_id: int
    requester_id: int
    subdomain: str
    purpose: str
    target_kind: str  # "ip" | "cname" | "hosting"
    target_value: str | None
    letter_number: str
    letter_date: date
    contact_name: str | None = None
    contact_phone: str | None = None
    letter_file_ref: str | None = None
    letter_subject: str = ""
    """The request letter's perihal, exactly as written on it."""
    kind: str = "pembuatan"
    """What it asks for: a request kind of the workflow table (pembuatan, perubahan, …)."""


@dataclass(frozen=True)
class Request:
    id: int
    number: str
    agency: Agency
    requester_id: int
    subdomain: str
    purpose: str
    target_kind: str
    target_value: str | None
    contact_name: str | None
    contact_phone: str | None
    letter_number: str
    letter_date: date
    letter_file_ref: str | None
    state: str
    version: int
    outcome: str | None
    assignee_id: int | None
    state_since: datetime
    created_at: datetime
    agenda_number: int | None = None
    letter_subject: str = ""
    """The request letter's perihal, exactly as written on it."""
    kind: str = "pembuatan"
    """What it asks for: a request kind of the workflow table (pembuatan, perubahan, …)."""


@dataclass(frozen=True)
class AuditEntry:
    """One transition as it is written; `RequestEvent` is how it reads back."""

    action: str
    to_state: str
    actor_id: int | None
    actor_role: str | None
    acting: str | None = None
    instruction: str | None = None
    note: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RequestEvent:
    id: int
    at: datetime
    actor_id: int | None
    actor_name: str | None
    actor_role: str | None
    acting: str | None
    action: str
    from_state: str | None
    to_state: str
    instruction: str | None
    note: str | None
    details: dict[str, Any]


class TrailEvent(NamedTuple):
    """One audit row as the monthly report reads it: the fields of `RequestEvent` that the
    figures and the audit CSV use (no details). A tuple, as a busy month has ~17,000."""

    request_id: int
    at: datetime
    actor_name: str | None
    actor_role: str | None
    acting: str | None
    action: str
    from_state: str | None
    to_state: str
    instruction: str | None
    note: str | None


@dataclass(frozen=True)
class OutMessage:
    """A message owed to a chat. `kind` says what the dispatcher does with `payload`."""

    chat_id: int
    kind: str
    payload: dict[str, Any]
    not_before: datetime | None = None

    def payload_json(self) -> str:
        return json.dumps(self.payload, ensure_ascii=False, sort_keys=True)


@dataclass(frozen=True)
class QueuedMessage:
    id: int
    chat_id: int
    kind: str
    payload: dict[str, Any]
    request_id: int | None
    attempts: int
    not_before: datetime | None


@dataclass(frozen=True)
class LetterOrder:
    """A reply letter to number, render and register with a transition.

    `number_for(sequence)` formats a number, `render(number, verification_code)` makes the
    PDF. The store renders before the transaction, with the year's next number, and the
    transaction checks that number is still free (gapless per year); see `storage.letters`.
    `render` may therefore run more than once, and never while the write lock is held.
    """

    year: int
    kind: str
    addressee: str
    subject: str
    signer_id: int | None
    signer_acting: str | None
    number_for: Callable[[int], str]
    render: Callable[[str, str], bytes]
    directory: Path
    seal: str = "none"
    """What the letter carries (letters.model.Seal): none, pades, bsre, wet."""
    fixed: tuple[int, str] | None = None
    """(sequence, number) given by a person from the agenda book or SRIKANDI (manual
    numbering); None: the register's next number."""


@dataclass(frozen=True)
class IssuedLetter:
    id: int
    request_id: int
    number: str
    sequence: int
    year: int
    kind: str
    addressee: str
    subject: str
    verification_code: str
    path: Path
    sha256: str
    signed_at: datetime
    signed_by: str | None = None
    signed_acting: str | None = None
    delivered_at: datetime | None = None
    received_at: datetime | None = None
    seal: str = "none"
    scan_path: Path | None = None
    """A wet-signed letter's scan: what was delivered as the letter."""
    scan_sha256: str | None = None
    revoked_at: datetime | None = None
    """When the office withdrew the letter (`letter revoke`); None: it stands."""
    revoked_reason: str | None = None
    replaced_by: str | None = None
    """The number of the letter issued in its place, when there is one."""

    @property
    def delivered_path(self) -> Path:
        """The file that goes to the requester: the scan of a wet-signed letter."""
        return self.scan_path or self.path


@dataclass(frozen=True)
class LetterScan:
    """The scan of a printed, wet-signed and stamped letter, written before the transaction
    that makes it the delivered letter of the request's last issued letter."""

    path: Path
    sha256: str
    by: int


@dataclass(frozen=True)
class RecordChange:
    """What a change, a deactivation or a suspension did to a registered name: its records now
    (empty: removed) and the register status that follows."""

    label: str
    records: tuple[tuple[str, str, str, int], ...]
    serial: int | None
    status: str  # active (changed), suspended (pointed away), removed


@dataclass(frozen=True)
class CreatedSubdomain:
    """A record set the bot created in DNS, for the product's own register."""

    label: str
    records: tuple[tuple[str, str, str, int], ...]
    serial: int | None
