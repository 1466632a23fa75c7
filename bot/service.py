"""The office's application service: who is acting, what the workflow allows, what gets stored.

Handlers and the CLI call this; it asks `workflow` for the decision, has `storage` persist the
transition together with the notifications it causes (composed by `bot.notify`), and returns
plain records. No Telegram types here.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import logging
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from html import escape
from pathlib import Path
from typing import Any

from bot import (
    crashpoints,
    notify,
    onboarding,
    paperwork,
    revision,
    sealing,
    technical,
)
from bot.callbacks import ANY_VERSION
from bot.notify import CardFacts, Scene
from bot.public import PublicRecords
from bot.reconfirm import Reconfirmer
from bot.register import SubdomainRegister
from bot.sealing import SCAN_MAX_BYTES as SCAN_MAX_BYTES
from bot.settings import Settings
from bot.texts import NOTES_SHOWN, Words
from bot.workflow import (
    RECORD_EFFECTS,
    REMOVE_RECORD,
    SOP,
    Action,
    ActionKey,
    Actor,
    Ask,
    BadNote,
    Card,
    Decision,
    Effect,
    Instruction,
    Outcome,
    RoleKey,
    Workflow,
    WorkflowError,
    for_signing,
    with_manual_numbering,
)
from domains.check import CheckResult, CheckStatus
from domains.dnsquery import Record
from domains.names import InvalidName
from domains.provision import ApplyResult, Plan, ProvisionError
from letters.body import Part
from letters.bsre import BsreClient, BsreVerdict
from letters.model import LetterKind, Seal
from letters.numbering import parse_letter_number
from letters.signing_types import SignatureReport, SigningError
from storage.contacts import ChatFacts
from storage.db import check_file, file_version
from storage.invites import Invite, InviteBook, InviteSpec, InviteUnavailable, Unavailable
from storage.letters import NumberUsed, write_file_atomically
from storage.models import (
    Agency,
    AuditEntry,
    CreatedSubdomain,
    IssuedLetter,
    LetterOrder,
    LetterScan,
    NewRequest,
    OutMessage,
    Person,
    PositionHolder,
    RecordChange,
    Request,
    RequestEvent,
)
from storage.reconfirmations import Filing
from storage.sessions import Session
from storage.store import NotFound, StaleRequest, StorageError, Store

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class AlreadyHandled(WorkflowError):
    """Someone else acted first; the message says who and when."""


class NotVisible(WorkflowError):
    """The request does not exist, or the person may not see it."""


class SigningRefused(WorkflowError):
    """Signing or the signed letter's scan was refused (wrong passphrase, expired or revoked
    certificate, a BSrE error, a scan that is no PDF): nothing numbered, nothing delivered,
    the step still open."""
class Uncertain(WorkflowError):
    """The DNS update's answer did not come in time: the records may or may not be there.
    The office re-checks by itself (`on_uncertain`) and tells the person."""


NO_NIK = ("NIK BSrE Bapak/Ibu belum tercatat. Mohon kirim dahulu di chat pribadi dengan bot: "
          "/nik NIK (16 angka), lalu tekan tombol ini lagi.")
"""Said (as a button's alert, at most 200 characters) to a signatory without a NIK."""


class Refused(WorkflowError):
    """An office rule says no (removals, papers on demand); the message says why."""


class AppointmentRefused(Exception):
    """An appointment the rules do not allow: `str()` for the operator (English), `message_id`
    for the chat (Indonesian)."""

    def __init__(self, message: str, message_id: str) -> None:
        super().__init__(message)
        self.message_id = message_id


class EntryRefused(Exception):
    """A name or code the office does not accept (blank, too long, control characters)."""


MAX_TEXT = 200
"""Longest name, code, rank or title the office stores (letters print them on one line)."""


def checked_text(value: str, what: str, *, required: bool = True) -> str:
    """``value`` stripped; EntryRefused when blank (if required), too long or not printable."""
    text = value.strip()
    if required and not text:
        raise EntryRefused(f"the {what} must not be empty")
    if len(text) > MAX_TEXT:
        raise EntryRefused(f"the {what} is {len(text)} characters long; at most {MAX_TEXT}")
    if not text.isprintable():
        raise EntryRefused(f"the {what} contains control characters (line breaks, tabs)")
    return text


class InviteRefused(Exception):
    """An invite code that binds nothing; the message is the one polite line for the chat."""


class FilingRefused(Exception):
    """Who may file: the message is the polite line for the requester."""


NO_AGENCIES = ("Belum ada Perangkat Daerah yang terdaftar. Mohon hubungi admin untuk "
               "mendaftarkan Perangkat Daerah Bapak/Ibu.")
UNKNOWN_AGENCY = ("Perangkat Daerah tersebut belum terdaftar. Mohon pilih dari tombol di atas, "
                  "atau hubungi admin.")
NOT_A_CONTACT = ("Mohon maaf, permohonan subdomain hanya dapat diajukan oleh kontak Perangkat "
                 "Daerah yang terdaftar. Mohon minta tautan undangan kepada admin.")
NOT_YOUR_AGENCY = ("Mohon maaf, Bapak/Ibu hanya dapat mengajukan permohonan untuk Perangkat "
                   "Daerah tempat Bapak/Ibu terdaftar sebagai kontak.")
TOO_MANY_OPEN = ("Mohon maaf, Bapak/Ibu masih memiliki {count} permohonan yang sedang diproses "
                 "(paling banyak {limit}). Permohonan baru dapat diajukan setelah salah satunya "
                 "selesai.")
UNREGISTERED_NOTICE = "⚠️ <b>Pemohon bukan kontak terdaftar {agency}.</b>"
NOT_OWNED = ("Mohon maaf, subdomain {name} tidak tercatat sebagai milik {agency} di register "
             "kantor, sehingga permohonan {what} tidak dapat diajukan. Mohon hubungi admin bila "
             "data register keliru.")
NONE_OWNED = ("Mohon maaf, belum ada subdomain aktif yang tercatat sebagai milik {agency} di "
              "register kantor. Mohon hubungi admin bila data register keliru.")
OWNER_ONLY = ("Mohon maaf, permohonan {what} hanya dapat diajukan oleh kontak terdaftar "
              "Perangkat Daerah pemilik subdomain.")
BUSY_NAME = ("Subdomain {name} sedang dalam proses permohonan {number}. Mohon tunggu sampai "
             "permohonan tersebut selesai.")
UNKNOWN_KIND = "Jenis permohonan tidak dikenal."


@dataclass(frozen=True)
class Appointment:
    """A person given an office position (`role set`, or an invite being redeemed)."""

    position: RoleKey
    telegram_user_id: int
    name: str
    nip: str | None = None
    rank: str | None = None
    title: str | None = None
    acting: str | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    rename: bool = True
    """False (`role set` without --rename): refuse to change the name a person is registered
    under, so that a mistyped id never renames someone in another position."""
    nik: str | None = None
    """The signatory's NIK at BSrE (16 digits), kept with them (SIGNING_PROVIDER=bsre)."""
    esign_email: str | None = None
    """Or the e-mail registered at BSrE."""


@dataclass(frozen=True)
class ActionInput:
    action: ActionKey
    version: int
    note: str | None = None
    instruction: Instruction | None = None
    assignee_id: int | None = None
    details: dict[str, Any] | None = None
    secret: str | None = dataclasses.field(default=None, repr=False)
    """The signatory's passphrase where the transition asks for one (never stored)."""
    document: bytes | None = dataclasses.field(default=None, repr=False)
    """The file the transition asks for (the wet-signed letter's scan)."""


EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")
"""An e-mail address as far as it can be checked without sending to it."""


def esign_identity(nik: str | None, email: str | None) -> tuple[str | None, str | None]:
    """A NIK (16 digits) and a BSrE e-mail as given, checked; either may be None."""
    nik = (nik or "").replace(" ", "") or None
    email = (email or "").strip() or None
    if nik is not None and not (len(nik) == 16 and nik.isdigit()):
        raise AppointmentRefused(f"NIK must have 16 digits, got {nik!r}",
                                 "NIK harus terdiri atas 16 angka.")
    if email is not None and (not EMAIL.fullmatch(email) or len(email) > 254):
        raise AppointmentRefused(f"not an e-mail address: {email!r}",
                                 "Alamat surel BSrE tidak sah.")
    return nik, email


@dataclass(frozen=True)
class Recheck:
    """A step-7 action whose DNS update timed out: who took it, on what, with which input
    (and the messages that belonged to it), to be completed once the records are seen."""

    person: Person
    request_id: int
    given: ActionInput
    extra: tuple[OutMessage, ...] = ()


def on_duty(holders: Sequence[PositionHolder]) -> list[PositionHolder]:
    """Who answers for a position today: the acting official (Plt./Plh.) while one is set."""
    return [h for h in holders if h.acting] or list(holders)


class Office:
    def __init__(self, store: Store, settings: Settings, clock: Clock = utc_now,
                 workflow: Workflow = SOP) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        if settings.office.numbering == "manual" and not workflow.knows_action(
                Action.ASSIGN_NUMBER):
            workflow = with_manual_numbering(workflow)
        self.workflow = for_signing(workflow, settings.signing.provider).with_standard_times(
            settings.standard_times)
        """The SOP table this office runs, with the office's standard times."""
        self.words = Words(self.workflow, settings.parent_domain, settings.timezone)
        self.invites = InviteBook(store.db)
        self.on_queued: Callable[[], None] = lambda: None
        """Called after messages were queued (the dispatcher's wake-up)."""
        self._wrote: set[int] = set()
        """People whose private message was noted in this run (`heard_from`)."""
        self.register = SubdomainRegister(store, settings, self.workflow, self.clock,
                                          lambda: self.on_queued())
        """The register of every name in the zone, and its daily watch (`bot.register`)."""
        self.reconfirm = Reconfirmer(store, settings, self.workflow, self.clock,
                                     lambda: self.on_queued(), self.filing)
        """The owners' re-confirmation that their names are still in use (`bot.reconfirm`)."""
        self.on_uncertain: Callable[[Recheck], None] = lambda recheck: None
        """Called when a DNS update's result is uncertain (the background re-check)."""
        self.public = PublicRecords(store, settings, self.workflow, lambda: self.clock(),
                                    self.check_signatures)
        """What the public pages show: letters by code, official names, figures."""

    @classmethod
    async def open(cls, settings: Settings, clock: Clock = utc_now,
                   workflow: Workflow = SOP) -> Office:
        """The office over the configured database (close it when done)."""
        return cls(await Store.open(settings.database_path), settings, clock, workflow)

    async def close(self) -> None:
        await self.store.close()

    def today(self) -> date:
        return self.clock().astimezone(self.settings.timezone).date()

    @property
    def name(self) -> str:
        """The office as a sentence names it (``Dinas Komunikasi dan Informatika Kabupaten …``)."""
        return paperwork.display_name(self.settings)

    # --- DNS ---------------------------------------------------------------------------------

    async def check_name(self, label: str, request: Request | None = None) -> CheckResult:
        """The name at the zone's authoritative servers, against this office's own register
        and open requests (raises InvalidName for a name that cannot be asked for)."""
        return await technical.check(self.store, self.settings, label, request,
                                     open_states=self.workflow.open_states)

    async def names_in_use(self, label: str) -> tuple[dict[str, int | None], dict[str, str]]:
        """For the one `label`: (created label → request id, open request's label → its
        number), each empty when the name is not in use."""
        return await technical.names_in_use(self.store, self.workflow.open_states, label)

    async def created_records(self) -> list[tuple[str, tuple[tuple[str, str, str, int], ...]]]:
        """Each live subdomain this office created, with the records it holds (by label)."""
        return await self.store.created_records()

    async def remove_record(self, label: str) -> Plan:
        """Remove a subdomain this office created, or whose creation it began (only while it
        still holds exactly the office's values); returns what was removed."""
        label = label.strip().lower()
        records = (await self.store.subdomain_records(label)
                   or await self.store.intended_records(label))
        if not records:
            raise Refused(f"{label} is not a subdomain this bot created")
        planned = Plan(records[0][0], tuple(Record(n, t, v, ttl) for n, t, v, ttl in records))
        try:
            await technical.remove(self.settings, planned)
        except ProvisionError as failed:
            raise Refused(f"not removed: {failed.message_id}") from None
        live = await self.store.live_subdomains()
        await self.store.mark_subdomain_removed(label, now=self.clock(), removed_by=None,
                                                request_id=live.get(label),
                                                role=self.workflow.admin, action=REMOVE_RECORD)
        return planned

    # --- agencies, letters, the database -----------------------------------------------------

    async def add_agency(self, code: str, name: str, head_title: str | None = None, *,
                         contact: int | None = None, contact_name: str = "",
                         place: str | None = None, address: str | None = None) -> Agency:
        code, name = checked_text(code, "agency code").lower(), checked_text(name, "agency name")
        if head_title is not None:
            head_title = checked_text(head_title, "head title")
        added = await self.store.add_agency(code, name, head_title,
                                            place=(place or "").strip() or None,
                                            address=(address or "").strip() or None)
        if contact:
            await self.store.add_agency_contact(added.code, contact, contact_name,
                                                now=self.clock())
        return added

    async def agency(self, code: str) -> Agency:
        return await self.store.agency_by_code(code.strip().lower())

    async def agencies_with_contacts(self) -> list[tuple[Agency, list[Person]]]:
        return [(a, await self.store.agency_contacts(a.id)) for a in await self.store.agencies()]

    async def letters(self, request: Request | None = None) -> list[IssuedLetter]:
        return await self.store.letters(request.id if request else None)

    async def letter_preview(self, outcome: str, path: Path | None = None) -> Path:
        """A KONSEP of an `outcome` letter on the office's own settings (kop, paper,
        templates), signed by the registered signatory where there is one: for checking the
        papers before going live. Written to `path` (default DATA_DIR/letters/preview-…)."""
        kind = LetterKind(outcome)
        role = self.workflow.signatory
        holders = await self.store.holders_on(role, self.today()) if role else []
        agencies = await self.store.agencies()
        letter = paperwork.preview_letter(
            self.settings, kind, day=self.today(),
            signer=paperwork.expected_signer(holders) if holders else None,
            agency=agencies[0] if agencies else None)
        pdf = await asyncio.to_thread(paperwork.render_letter, self.settings, letter)
        target = path or self.settings.data_dir / "letters" / f"preview-{kind.value}.pdf"
        target.parent.mkdir(parents=True, exist_ok=True)
        await asyncio.to_thread(target.write_bytes, pdf)
        return target

    async def check_signatures(self, pdf: bytes) -> list[SignatureReport]:
        """The signatures in `pdf`: intact or not, who signed, when; trusted when the
        office names its trust roots (SIGNING_TRUST_ROOTS)."""
        from letters.signing import verify_pdf_async  # pyHanko: loaded when first asked

        roots = [p.read_bytes() for p in self.settings.signing.trust_roots]
        return await verify_pdf_async(pdf, roots)

    async def bsre_verdict(self, pdf: bytes) -> BsreVerdict | None:
        """BSrE's own verdict on `pdf` (verify/pdf) where the office signs with BSrE."""
        config = self.settings.signing
        if not (config.provider is Seal.BSRE and config.bsre_url and config.bsre_username
                and config.bsre_password):
            return None
        client = BsreClient(config.bsre_url, config.bsre_username, config.bsre_password,
                            config.bsre_timeout)
        try:
            return await asyncio.to_thread(client.verify_pdf, pdf)
        except SigningError as failed:
            raise SigningRefused(failed.message_id) from None

    async def letter_by_file(self, pdf: bytes) -> IssuedLetter | None:
        """The registered letter this file is (its issued PDF or its delivered scan)."""
        return await self.store.letter_by_sha256(hashlib.sha256(pdf).hexdigest())
    async def set_register_start(self, year: int, first: int) -> None:
        """Let the bot's register of `year` continue the office's agenda book at `first`
        (refused once a letter of that year is registered, or under manual numbering)."""
        if self.settings.office.numbering != "register":
            raise StorageError("LETTER_NUMBERING is manual: numbers come from the agenda book "
                               "or SRIKANDI, the bot's register has no first number to set")
        await self.store.set_register_start(year, first, now=self.clock())

    def register_example(self, year: int, sequence: int) -> str:
        """How the register's `sequence` of `year` reads (created letter's code)."""
        return paperwork.number_for(self.settings, year, sequence, "created", 1)

    async def letter_by_code(self, code: str) -> IssuedLetter | None:
        found = await self.store.letters(code=code)
        return found[0] if found else None

    async def revoke_letter(self, code: str, reason: str,
                            replaced_by: str | None = None) -> IssuedLetter:
        """Withdraw the letter with verification `code` (its public page says so, with the
        reason and the number of the letter issued in its place)."""
        reason = checked_text(reason, "reason")
        await self.store.revoke_letter(code, reason, now=self.clock(), replaced_by=replaced_by)
        revoked = await self.letter_by_code(code)
        assert revoked is not None
        return revoked

    async def backup(self, path: str | Path) -> None:
        await self.store.db.backup(path)

    async def database_check(self) -> tuple[list[str], int]:
        """(problems found, schema version)."""
        return await self.store.db.integrity_check(), await self.store.db.schema_version()

    @staticmethod
    async def check_database_file(settings: Settings) -> tuple[list[str], int | None]:
        """(problems, schema version) of the configured database file, read only and without
        opening the office: also for a file too damaged to open."""
        path = settings.database_path
        problems = await asyncio.to_thread(check_file, path)
        return problems, file_version(path)

    async def actor(self, person: Person, request: Request | None = None) -> Actor:
        holders = await self.store.positions_of(person.id, self.today())
        is_requester = request is not None and (
            request.requester_id == person.id
            or any(c.id == person.id for c in await self.store.agency_contacts(request.agency.id))
        )
        return Actor(person.id, frozenset(h.position for h in holders), is_requester,
                     self.workflow.requester)

    async def submit(self, new: NewRequest) -> Request:
        """File `new`, or raise `FilingRefused` (who may file, how many open requests)."""
        agency = next((a for a in await self.store.agencies() if a.id == new.agency_id), None)
        if agency is None:
            raise FilingRefused(UNKNOWN_AGENCY)
        registered = await self._may_file(new.requester_id, agency)
        await self._within_limit(new.requester_id)
        new = await self._of_kind(new, agency, registered)
        notice = None if registered else UNREGISTERED_NOTICE.format(agency=escape(agency.name))
        filing = await self.filing(new, notice)
        filed = await self.store.create_request(
            new, now=self.clock(), year=filing.year, subject=filing.subject,
            initial_state=filing.initial_state, requester_role=filing.requester_role,
            compose=filing.compose)
        self.on_queued()
        return filed

    async def filing(self, new: NewRequest, notice: str | None = None,
                     tell_requester: bool = True) -> Filing:
        """How `new` is filed now: its year, subject, first state and the messages it causes
        (to the holders of its kind's first step, the requester, the group)."""
        local = self.clock().astimezone(self.settings.timezone)
        kind = self.workflow.kind(new.kind)
        subject = (new.letter_subject.strip() or
                   f"Permohonan {kind.subject} {new.subdomain}.{self.settings.parent_domain}")
        first = self.workflow.initial_for(new.kind)
        holders = await self.holder_chats(first, None, self.today())
        requester = await self.store.person(new.requester_id)
        facts = CardFacts(notice=notice, assignees=await self.card_assignees(first))
        step = self.workflow.step(first)
        if step is not None and step.card:  # a kind that starts further on (a suspension)
            agency = next(a for a in await self.store.agencies() if a.id == new.agency_id)
            facts = dataclasses.replace(await self.card_facts(_unfiled(new, agency, first,
                                                                      self.clock())),
                                        notice=notice)
        compose = notify.for_new_request(Scene(
            self.words, None, holders=holders,
            requester_chat=(requester.telegram_user_id if requester and tell_requester
                            else None),
            group_chat_id=self.settings.group_chat_id, facts=facts))
        return Filing(new, local.year, subject, first, self.workflow.requester, compose)

    async def _of_kind(self, new: NewRequest, agency: Agency, registered: bool) -> NewRequest:
        """`new` checked against its kind: a change or a deactivation concerns a name the
        register says the agency owns, filed by a registered contact, with no other request
        on it open; a deactivation takes the name's present target from the register."""
        try:
            kind = self.workflow.kind(new.kind)
        except KeyError:
            raise FilingRefused(UNKNOWN_KIND) from None
        if kind.filed_by_office:
            raise FilingRefused(UNKNOWN_KIND)
        if not kind.owned:
            return new
        if not registered:
            raise FilingRefused(OWNER_ONLY.format(what=kind.subject))
        owned = {n.label: n for n in await self.store.owned_names(agency.id)}
        entry = owned.get(new.subdomain)
        if entry is None:
            raise FilingRefused(NOT_OWNED.format(
                name=escape(f"{new.subdomain}.{self.settings.parent_domain}"),
                agency=escape(agency.name), what=kind.subject))
        busy = await self.store.requests(states=list(self.workflow.open_states),
                                         subdomain=new.subdomain)
        if busy:
            raise FilingRefused(BUSY_NAME.format(
                name=escape(f"{new.subdomain}.{self.settings.parent_domain}"),
                number=busy[0].number))
        if kind.new_target:
            return new
        kind_of, value = technical.target_of_records(entry.records)
        return dataclasses.replace(new, target_kind=kind_of, target_value=value)

    async def owned_names(self, agency_id: int) -> list[str]:
        """The live names the register says the agency owns (what a change or a deactivation
        may be asked for), by label."""
        return [n.label for n in await self.store.owned_names(agency_id)]

    async def filing_kinds(self, telegram_user_id: int) -> list[tuple[str, str]]:
        """(key, label) of the request kinds this person may ask for now (/ajukan's first
        question): a change or a deactivation only when an agency they are a registered
        contact of owns a live name in the register."""
        person = await self.store.person_by_telegram(telegram_user_id)
        owns = False
        if person is not None:
            for agency_id in await self.store.contact_agency_ids(person.id):
                if await self.store.owned_names(agency_id):
                    owns = True
                    break
        return [(k.key, k.label) for k in self.workflow.filing_kinds if owns or not k.owned]

    async def owning_agencies(self, telegram_user_id: int) -> list[Agency]:
        """The agencies this person is a registered contact of that own a live name (those a
        change or a deactivation may be filed for)."""
        person = await self.store.person_by_telegram(telegram_user_id)
        if person is None:
            return []
        ids = await self.store.contact_agency_ids(person.id)
        return [a for a in await self.store.agencies()
                if a.id in ids and await self.store.owned_names(a.id)]

    def kind_label(self, key: str) -> str:
        """How a request kind reads ("Perubahan")."""
        return self.workflow.kind(key).label

    def kind_asks_target(self, key: str) -> bool:
        return self.workflow.kind(key).new_target

    def kind_is_owned(self, key: str) -> bool:
        """The kind concerns a name the agency owns (chosen from the register, not typed)."""
        return self.workflow.kind(key).owned

    # --- who may file ----------------------------------------------------------------------

    async def filing_agencies(self, telegram_user_id: int) -> list[Agency]:
        """The agencies this person may file for now (their own first), or `FilingRefused`."""
        agencies = await self.store.agencies()
        if not agencies:
            raise FilingRefused(NO_AGENCIES)
        person = await self.store.person_by_telegram(telegram_user_id)
        own = [a for a in agencies if person is not None and await self._is_contact(person.id, a)]
        if not self.settings.open_submissions and not own:
            raise FilingRefused(NOT_A_CONTACT)
        if person is not None:
            await self._within_limit(person.id)
        if not self.settings.open_submissions:
            return own
        return own + [a for a in agencies if a not in own]

    async def filing_agency(self, telegram_user_id: int, *, agency_id: int | None = None,
                            typed: str | None = None) -> Agency:
        """The agency chosen (by id) or typed (code or name), if this person may file for it."""
        wanted = (typed or "").strip().lower()
        agency = next((a for a in await self.store.agencies()
                       if a.id == agency_id or wanted in (a.code.lower(), a.name.lower())), None)
        if agency is None:
            raise FilingRefused(UNKNOWN_AGENCY)
        person = await self.store.person_by_telegram(telegram_user_id)
        await self._may_file(person.id if person else None, agency)
        return agency

    async def _is_contact(self, person_id: int, agency: Agency) -> bool:
        return any(c.id == person_id for c in await self.store.agency_contacts(agency.id))

    async def _may_file(self, person_id: int | None, agency: Agency) -> bool:
        """Whether the person is a registered contact of `agency`; raises when that is needed
        (OPEN_SUBMISSIONS off) and they are not."""
        if person_id is not None and await self._is_contact(person_id, agency):
            return True
        if self.settings.open_submissions:
            return False
        mine = person_id is not None and any(
            [await self._is_contact(person_id, a) for a in await self.store.agencies()])
        raise FilingRefused(NOT_YOUR_AGENCY if mine else NOT_A_CONTACT)

    async def _within_limit(self, person_id: int) -> None:
        limit = self.settings.max_open_requests
        if not limit:
            return
        count = len(await self.store.requests(states=list(self.workflow.open_states),
                                              requester_id=person_id))
        if count >= limit:
            raise FilingRefused(TOO_MANY_OPEN.format(count=count, limit=limit))

    # --- people and positions ----------------------------------------------------------------

    async def person(self, telegram_user_id: int) -> Person | None:
        return await self.store.person_by_telegram(telegram_user_id)

    async def requester(self, telegram_user_id: int, name: str, phone: str | None) -> Person:
        """The person filing from this Telegram account (recorded on first filing)."""
        return await self.store.person_by_telegram(telegram_user_id) or (
            await self.store.upsert_person(telegram_user_id, name, now=self.clock(), phone=phone))

    async def holders(self, position: RoleKey | None = None) -> list[PositionHolder]:
        """Every holder of `position` (default: of every position), whatever their dates."""
        return await self.store.position_holders(position)

    async def appoint(self, given: Appointment,
                      announce: Sequence[OutMessage] = ()) -> tuple[PositionHolder, int]:
        """Give a person a position (acting officials with their dates), queue `announce`, and
        hand a newly appointed or acting holder the steps waiting for the position. Returns
        the holder and how many steps were handed over. The one rule for appointing, from
        the chat (/peran), the CLI (role set) and invites."""
        wf = self.workflow
        title = wf.title(given.position)
        if given.position not in wf.office_positions:
            raise AppointmentRefused(
                f"{given.position} is not an office position (use one of "
                f"{', '.join(wf.office_positions)})",
                f"Jabatan {given.position} tidak dikenal. Gunakan salah satu: "
                f"{', '.join(wf.office_positions)}.")
        self._check_term(given.position, given.acting, given.valid_until)
        try:
            name = checked_text(given.name, "name", required=False)
            for label, text in (("rank", given.rank), ("title", given.title)):
                if text is not None:
                    checked_text(text, label, required=False)
        except EntryRefused as wrong:
            raise AppointmentRefused(str(wrong), "Nama, pangkat atau jabatan tidak sah (kosong, "
                                     f"lebih dari {MAX_TEXT} karakter, atau memuat baris baru)."
                                     ) from None
        before = [h for h in await self.store.position_holders(given.position)
                  if h.person.telegram_user_id == given.telegram_user_id]
        if not name and before:
            name = before[0].person.name
        if not name:
            raise AppointmentRefused("a name is needed", "Mohon tuliskan nama pejabat.")
        known = await self.store.person_by_telegram(given.telegram_user_id)
        if not given.rename and known is not None and known.name != name:
            raise AppointmentRefused(
                f"telegram {given.telegram_user_id} is registered as {known.name!r}; to change "
                f"the name to {name!r} add --rename",
                f"Pengguna ini terdaftar dengan nama {known.name}.")
        if given.acting and any(h.acting is None for h in before):
            raise AppointmentRefused(
                f"{before[0].person.name} already holds {given.position} (not acting)",
                f"{before[0].person.name} sudah menjabat {title} secara definitif.")
        valid_from = given.valid_from or (self.today() if given.acting else None)
        nik, email = esign_identity(given.nik, given.esign_email)
        try:
            holder = await self.store.set_position(
                given.position, given.telegram_user_id, name, now=self.clock(),
                nip=given.nip, rank=given.rank, title=given.title, acting=given.acting,
                valid_from=valid_from, valid_until=given.valid_until)
        except StorageError as refused:
            raise AppointmentRefused(str(refused), "Jabatan tidak dapat ditetapkan.") from None
        if nik or email:
            await self.store.set_esign_identity(holder.person.id, nik=nik, email=email,
                                                now=self.clock())
        if announce:
            await self.store.enqueue(announce, now=self.clock())
            self.on_queued()
        handed = await self.hand_over(holder) if given.acting or not before else 0
        return holder, handed

    async def set_esign_identity(self, telegram_user_id: int, *, nik: str | None = None,
                                 email: str | None = None) -> None:
        """Keep a signatory's NIK (or BSrE e-mail) for SIGNING_PROVIDER=bsre."""
        known = await self.store.person_by_telegram(telegram_user_id)
        if known is None:
            raise AppointmentRefused(f"telegram {telegram_user_id} is not registered",
                                     "Pengguna ini belum terdaftar.")
        nik, email = esign_identity(nik, email)
        if nik or email:
            await self.store.set_esign_identity(known.id, nik=nik, email=email,
                                                now=self.clock())

    async def give_esign_identity(self, telegram_user_id: int, text: str) -> str:
        """A signatory's own NIK (16 digits) or BSrE e-mail, sent in chat (`/nik …`, asked
        when their invite is accepted): checked and kept. Returns the confirmation, which
        shows only its last digits (a NIK is personal data: never in a message or a log)."""
        if self.settings.signing.provider != Seal.BSRE:
            raise Refused("NIK hanya diperlukan bila surat ditandatangani secara elektronik "
                          "melalui BSrE; kantor ini tidak memakainya.")
        known = await self.store.person_by_telegram(telegram_user_id)
        held = {h.position for h in await self.store.positions_of(known.id, self.today())
                } if known else set()
        if known is None or not held & self.workflow.signers:
            raise Refused("NIK untuk TTE BSrE hanya dicatat bagi pejabat penandatangan surat.")
        given = text.strip()
        email = given if "@" in given else None
        try:
            nik, email = esign_identity(None if email else given, email)
        except AppointmentRefused as wrong:
            raise Refused(f"{wrong.message_id} Contoh: /nik 6308xxxxxxxxxxxx, atau /nik "
                          "alamat surel yang terdaftar di BSrE.") from None
        await self.store.set_esign_identity(known.id, nik=nik, email=email, now=self.clock())
        what = (f"NIK berakhiran {nik[-4:]}" if nik else
                f"surel {escape((email or '@')[0])}…@{escape((email or '@').split('@')[-1])}")
        return (f"Terima kasih, {what} tercatat untuk tanda tangan elektronik BSrE. Pesan "
                "Bapak/Ibu telah dihapus dari chat.")

    def _check_term(self, position: RoleKey, acting: str | None,
                    valid_until: date | None) -> None:
        """The rules of an acting official's term (also checked when an invite is made)."""
        if acting is None:
            if valid_until is not None and valid_until < self.today():
                raise AppointmentRefused("the end date has passed",
                                         "Masa jabatan tersebut sudah berakhir.")
            return
        if position not in self.workflow.officials:
            raise AppointmentRefused(
                f"{position} cannot be held by an acting official",
                f"{self.workflow.title(position)} tidak dapat dijabat sementara (Plt./Plh.).")
        if valid_until is None:
            raise AppointmentRefused("an acting official needs an end date",
                                     "Pejabat Plt./Plh. memerlukan tanggal akhir.")
        if valid_until < self.today():
            raise AppointmentRefused("the end date has passed",
                                     "Tanggal akhir sudah lewat. Mohon periksa kembali.")

    async def create_invite(self, spec: InviteSpec) -> tuple[str, Invite]:
        """A one-time invite: the code (to put in the link; never stored) and its record."""
        try:  # the name is checked now, not when the invite is redeemed
            checked_text(spec.name, "name")
        except EntryRefused as wrong:
            raise AppointmentRefused(str(wrong), "Nama tidak sah.") from None
        if spec.position is not None:
            if spec.position not in self.workflow.office_positions:
                raise AppointmentRefused(f"{spec.position} is not an office position",
                                         "Jabatan tidak dikenal.")
            self._check_term(spec.position, spec.acting, spec.valid_until)
            if spec.acting and spec.valid_from is None:
                spec = dataclasses.replace(spec, valid_from=self.today())
        code = onboarding.new_code()
        now = self.clock()
        invite = await self.invites.add(
            onboarding.code_hash(code), spec, now=now,
            expires_at=now + timedelta(days=self.settings.invite_valid_days))
        return code, invite

    async def redeem_invite(self, telegram_user_id: int, code: str) -> Invite:
        """Bind whoever opened the link to the invite's position or agency, and tell them and
        the admins; or raise `InviteRefused` (unknown, expired, used) and bind nothing."""
        if not onboarding.looks_like_code(code):
            raise InviteRefused(onboarding.REFUSED[Unavailable.UNKNOWN])
        try:
            invite = await self.invites.claim(onboarding.code_hash(code),
                                              telegram_user_id=telegram_user_id, now=self.clock())
        except InviteUnavailable as no:
            if no.invite is not None and no.invite.used_by == telegram_user_id:
                raise InviteRefused(onboarding.ALREADY_MINE) from None
            raise InviteRefused(onboarding.REFUSED[no.reason]) from None
        spec = invite.spec
        admins = {h.person.telegram_user_id
                  for h in await self.store.holders_on(self.workflow.admin, self.today())}
        asks_nik = (self.settings.signing.provider == Seal.BSRE and not spec.nik
                    and spec.position in self.workflow.signers)
        announce = [onboarding.welcome(self.workflow, spec, telegram_user_id,
                                       ask_nik=asks_nik), *(
            onboarding.tell_admin(self.workflow, spec, telegram_user_id, chat)
            for chat in sorted(c for c in admins if c is not None and c != telegram_user_id))]
        try:
            if spec.agency is not None:
                await self.store.add_agency_contact(spec.agency.code, telegram_user_id,
                                                    spec.name, now=self.clock())
                await self.store.enqueue(announce, now=self.clock())
                self.on_queued()
            else:
                await self.appoint(Appointment(
                    str(spec.position), telegram_user_id, spec.name, nip=spec.nip,
                    rank=spec.rank, title=spec.title, acting=spec.acting,
                    valid_from=spec.valid_from, valid_until=spec.valid_until, nik=spec.nik),
                    announce)
        except (AppointmentRefused, StorageError) as refused:
            await self.invites.release(invite.id)
            reason = getattr(refused, "message_id", "Undangan tidak dapat digunakan.")
            raise InviteRefused(f"Mohon maaf, undangan ini tidak dapat digunakan: {reason} "
                                "Mohon hubungi admin.") from None
        return invite

    async def dismiss(self, position: RoleKey, telegram_user_id: int) -> None:
        """Take `position` away from a person; the last admin stays."""
        wf = self.workflow
        holders = await self.store.position_holders(position)
        if position == wf.admin and [h.person.telegram_user_id for h in holders] == [
                telegram_user_id]:
            raise Refused("Admin terakhir tidak dapat dihapus.")
        if not await self.store.remove_position(position, telegram_user_id):
            raise Refused(f"ID {telegram_user_id} tidak memegang jabatan {wf.title(position)}.")

    # --- people who cannot be reached --------------------------------------------------------

    async def unreachable_notices(self, chat_id: int, error: str) -> list[OutMessage]:
        """What the admins and the office group are told when the bot cannot write to
        `chat_id` (blocked, or never opened): who it is, and what to ask of them."""
        person = await self.store.person_by_telegram(chat_id)
        who = f"{person.name} (ID Telegram {chat_id})" if person else f"ID Telegram {chat_id}"
        positions = [self.workflow.title(h.position)
                     for h in await self.store.positions_of(person.id, self.today())
                     ] if person else []
        if positions:
            who += f", {', '.join(positions)}"
        why = ("memblokir bot atau belum pernah memulai chat dengan bot"
               if error.startswith("403") else "chat tidak ditemukan")
        text = (f"⚠️ Pesan bot tidak dapat disampaikan kepada {escape(who)}: {why}. Mohon minta "
                "yang bersangkutan membuka chat dengan bot dan menekan Mulai (Start); pesan "
                "yang tertunda akan dikirim ulang saat itu.")
        chats = {h.person.telegram_user_id
                 for h in await self.store.holders_on(self.workflow.admin, self.today())}
        if self.settings.group_chat_id is not None:
            chats.add(self.settings.group_chat_id)
        return [OutMessage(chat, "message", {"text": text, "buttons": []})
                for chat in sorted(c for c in chats if c is not None and c != chat_id)]

    async def heard_from(self, telegram_user_id: int,
                         private_message_id: int | None = None) -> int:
        """The person wrote to the bot: what they could not receive is owed again.
        `private_message_id`: they wrote in their private chat, so the bot can reach them
        (remembered once per run, for `chat_facts`)."""
        if private_message_id is not None and telegram_user_id not in self._wrote:
            await self.store.note_private_message(telegram_user_id, private_message_id)
            self._wrote.add(telegram_user_id)
        if not await self.store.has_unreachable(telegram_user_id):
            return 0
        count = await self.store.resend_unreachable(telegram_user_id)
        if count:
            self.on_queued()
        return count

    async def chat_facts(self, telegram_user_id: int) -> ChatFacts:
        """Whether the bot can reach the person's private chat, as far as it knows."""
        return await self.store.chat_facts(telegram_user_id)
    # --- what a person is in the middle of in the chat ------------------------------------

    async def session(self, telegram_user_id: int, kind: str) -> Session | None:
        """The person's saved session of `kind` (the form, a pending action), or None."""
        return await self.store.session(telegram_user_id, kind)

    def session_expired(self, session: Session) -> bool:
        """No answer for longer than SESSION_EXPIRY_HOURS."""
        idle = self.clock() - session.updated_at
        return idle > timedelta(hours=self.settings.session_expiry_hours)

    async def save_session(self, telegram_user_id: int, kind: str,
                           payload: dict[str, Any]) -> int:
        """Write the session at once (a restart right after loses nothing); its version."""
        return await self.store.save_session(telegram_user_id, kind, payload, now=self.clock())

    async def clear_session(self, telegram_user_id: int, kind: str) -> bool:
        return await self.store.clear_session(telegram_user_id, kind)

    # --- reading requests --------------------------------------------------------------------

    async def request(self, number_or_id: str | int) -> Request:
        return await self.store.request(number_or_id)

    async def requests(self, state: str | None = None, *, agency: str | None = None,
                       year: int | None = None, limit: int | None = None,
                       before: int | None = None) -> list[Request]:
        """Requests, newest first, filtered by state, agency code and year; `limit` and
        `before` (the id of the last one shown) page through them."""
        agency_id = (await self.agency(agency)).id if agency else None
        return await self.store.requests(states=[state] if state else None,
                                         agency_id=agency_id, year=year, newest_first=True,
                                         limit=limit, before_id=before)

    async def open_requests_for(self, label: str) -> list[Request]:
        """Open requests that ask for the name `label`."""
        return await self.store.requests(states=list(self.workflow.open_states), subdomain=label)

    async def requests_of(self, person: Person, limit: int | None = None) -> list[Request]:
        """The requests `person` filed (the last `limit` of them), oldest first."""
        if limit is None:
            return await self.store.requests(requester_id=person.id)
        latest = await self.store.requests(requester_id=person.id, newest_first=True,
                                           limit=limit)
        return latest[::-1]

    async def timeline(self, request: Request) -> list[RequestEvent]:
        return await self.store.timeline(request.id)

    async def visible_request(self, person: Person | None, number: str) -> Request:
        """The request, for someone who may see it: officials see every request, a
        requester their own agency's only."""
        try:
            request = await self.store.request(number)
        except NotFound:
            request = None
        if request is not None and person is not None:
            actor = await self.actor(person, request)
            if actor.is_requester or actor.is_office:
                return request
        raise NotVisible(f"Permohonan {number} tidak ditemukan atau bukan milik Bapak/Ibu.")

    async def _office_request(self, person: Person | None, request_id: int,
                              refusal: str) -> Request:
        request = await self._request_by_id(request_id)
        actor = await self.actor(person, request) if person else None
        if actor is None or not actor.is_office:
            raise Refused(refusal)
        return request

    # --- papers and checks on demand ----------------------------------------------------------

    async def send_document(self, chat_id: int, path: Path, caption: str,
                            request: Request | None = None) -> None:
        """Queue a file for a chat (through the outbox, like everything the bot owes)."""
        await self.store.enqueue([OutMessage(chat_id, "document", {
            "path": _absolute(path), "filename": path.name,
            "caption": escape(caption)})],
            now=self.clock(), request_id=request.id if request else None)
        self.on_queued()

    async def send_later(self, messages: Sequence[OutMessage]) -> None:
        """Queue what a front end could not deliver now (a direct reply that met Telegram
        faults): the outbox sends it when Telegram answers again."""
        await self.store.enqueue(messages, now=self.clock())
        self.on_queued()

    def draft_versions(self, request: Request) -> list[int]:
        """The kept KONSEP versions of `request` (the request's version when each was made),
        oldest first: every revision stays on file."""
        return sorted(v for v in (paperwork.draft_version(p, request) for p in
                                  paperwork.drafts_of(self.settings, request)) if v is not None)

    async def send_draft(self, person: Person | None, request_id: int, version: int,
                         chat_id: int) -> None:
        request = await self._office_request(
            person, request_id, "Konsep surat hanya untuk pejabat dan staf.")
        path = paperwork.draft_path(self.settings, request, version)
        if not path.is_file():
            raise Refused("Konsep surat tersebut tidak ditemukan.")
        number = self.draft_versions(request).index(version) + 1
        await self.send_document(chat_id, path, f"KONSEP ke-{number} surat balasan "
                                 f"{request.number}", request)

    async def send_disposition_sheet(self, person: Person | None, request_id: int,
                                     chat_id: int) -> None:
        request = await self._office_request(
            person, request_id, "Lembar disposisi hanya untuk pejabat dan staf.")
        path = await self.disposition_sheet(request)
        await self.send_document(chat_id, path, f"Lembar disposisi {request.number}", request)

    async def send_month_report(self, person: Person | None, chat_id: int, year: int,
                                month: int) -> None:
        actor = await self.actor(person) if person is not None else None
        if actor is None or not actor.is_office:
            raise Refused("Perintah ini khusus pejabat dan staf.")
        today = self.today()
        if (year, month) > (today.year, today.month):
            raise Refused("Bulan tersebut belum berjalan; laporan belum dapat dibuat.")
        from bot.report_files import month_label

        path = await self.month_report(year, month)
        await self.send_document(chat_id, path, "Laporan kinerja layanan subdomain bulan "
                                 f"{month_label(year, month)}")

    async def recheck_dns(self, person: Person | None, request_id: int) -> tuple[Request, str]:
        """Check the name in DNS again, for the holder of a step whose card shows the check;
        returns the request and the result in a sentence."""
        request = await self._request_by_id(request_id)
        step = self.workflow.step(request.state)
        if step is None or Card.RECHECK_BUTTON not in step.card:
            raise Refused("Pengecekan teknis untuk permohonan ini sudah selesai.")
        actor = await self.actor(person, request) if person else None
        if actor is None or not (step.role in actor.roles and self.workflow.may_act(
                request.state, actor, request.assignee_id)):
            raise Refused("Tahap ini bukan tugas Bapak/Ibu.")
        try:
            result = await self.check_name(request.subdomain, request)
        except InvalidName as invalid:
            return request, invalid.message_id
        return request, result.summary_id()

    # --- what messages need, read before composing ------------------------------------------

    async def recheck_creation(self, recheck: Recheck, last: bool) -> str | None:
        """Look again at a step-7 update whose result was uncertain: when the name holds
        records, the action is taken again (our own records are verified and accepted, and
        the state moves with its notifications and a word to the person, in one commit).
        Returns "done", "moved" (someone else moved the request meanwhile), "told" (the
        person was told what to do), or None (nothing to see yet: look again later)."""
        request = await self.store.request(recheck.request_id)
        if request.version != recheck.given.version:
            return "moved"
        chat = recheck.person.telegram_user_id
        if chat is None:  # a person without Telegram cannot have pressed the button
            return "moved"
        try:
            result = await self.check_name(request.subdomain, request)
        except InvalidName as invalid:
            return await self._tell(chat, request, invalid.message_id)
        if result.records:
            step = self.workflow.step(request.state)
            transition = step.transition(recheck.given.action) if step else None
            label = transition.label if transition else recheck.given.action
            word = OutMessage(chat, "message", {"text": (
                f"Pemeriksaan ulang DNS: rekaman {escape(request.subdomain)} sudah sesuai "
                f"rencana. Tercatat: tindakan “{escape(label)}” pada permohonan "
                f"{escape(request.number)}."), "buttons": []})
            try:
                await self.act(recheck.person, request.id, recheck.given,
                               extra=[*recheck.extra, word])
            except Uncertain:
                pass
            except AlreadyHandled:
                return "moved"
            except WorkflowError as refused:
                return await self._tell(chat, request, refused.message_id)
            else:
                return "done"
        if not last:
            return None
        what = ("server DNS belum menjawab"
                if result.records or result.status is CheckStatus.UNDETERMINED
                else "rekaman yang direncanakan belum ada di DNS")
        return await self._tell(chat, request, (
            f"Pemeriksaan ulang DNS untuk {escape(request.subdomain)}: {what}; tahap ini "
            "belum selesai dan tidak ada yang berubah. Mohon tekan tombol tindakan kembali "
            "(lihat /tugas)."))

    async def _tell(self, chat: int, request: Request, text: str) -> str:
        await self.store.enqueue([OutMessage(chat, "message", {"text": text, "buttons": []})],
                                 now=self.clock(), request_id=request.id)
        self.on_queued()
        return "told"

    async def recent_notes(self, request: Request, entry: AuditEntry | None = None,
                           events: Sequence[RequestEvent] | None = None
                           ) -> list[tuple[str, str]]:
        """The notes written on `request` so far (from `events`, its timeline when already
        read), plus `entry`'s (the transition being stored), as step cards repeat them."""
        if events is None:
            events = await self.store.timeline(request.id)
        notes = [(e.actor_name or "Sistem", e.note) for e in events if e.note]
        if entry is not None and entry.note:
            author = await self.store.person(entry.actor_id) if entry.actor_id else None
            notes.append((author.name if author else "Sistem", entry.note))
        return notes[-NOTES_SHOWN:]

    async def step_holders(self, state: str, assignee_id: int | None, day: date,
                           handled_by: Mapping[str, int] | None = None
                           ) -> list[tuple[PositionHolder, RoleKey]]:
        """Everyone in the office who holds a pending action on a request in `state` on
        `day`: the official on duty for each role; at an assigned position's step the
        assigned member; at a position with several members on duty, the one who handled the
        request before in it (`handled_by`: position → person, `Office.handled_by`), as a file
        goes back to the desk that knows it, else every member. Any member may still act
        (`/tugas` lists it for all); this decides who is told. The requester is reached by
        their own messages."""
        out: list[tuple[PositionHolder, RoleKey]] = []
        wf = self.workflow
        for role in wf.roles_to_notify(state):
            if role == wf.requester:
                continue
            holders = await self.store.holders_on(role, day)
            if wf.is_assigned(role):
                chosen = [h for h in holders if h.person.id == assignee_id] or holders
            else:
                duty = on_duty(holders)
                before = (handled_by or {}).get(role)
                chosen = [h for h in duty if h.person.id == before] or duty
            out += [(h, role) for h in chosen if h.person.telegram_user_id]
        return out

    async def holder_chats(self, state: str, assignee_id: int | None, day: date,
                           handled_by: Mapping[str, int] | None = None
                           ) -> tuple[tuple[int, RoleKey], ...]:
        """(chat id, role) of `step_holders`."""
        return tuple((h.person.telegram_user_id, role)
                     for h, role in await self.step_holders(state, assignee_id, day,
                                                            handled_by)
                     if h.person.telegram_user_id is not None)

    async def handled_by(self, request: Request, entry: AuditEntry | None = None,
                         events: Sequence[RequestEvent] | None = None) -> dict[str, int]:
        """Who last acted in each position on `request` (from `events`, its timeline when
        already read), `entry` (being stored) included."""
        if events is None:
            events = await self.store.timeline(request.id) if request.id else []
        found = {e.actor_role: e.actor_id for e in events
                 if e.actor_role is not None and e.actor_id is not None}
        if entry is not None and entry.actor_id is not None and entry.actor_role is not None:
            found[entry.actor_role] = entry.actor_id
        return found

    async def card_facts(self, request: Request,
                         events: Sequence[RequestEvent] | None = None) -> CardFacts:
        """What the card of the request's step shows (the items its table row names);
        `events`: its timeline when already read."""
        step = self.workflow.step(request.state)
        items = step.card if step else ()
        facts: dict[str, str | None] = {}
        if Card.DNS_CHECK in items:
            result = await self.check_name(request.subdomain, request)
            facts["dns_check"] = result.summary_id()
        if Card.LAST_DNS_CHECK in items:
            if events is None:
                events = await self.store.timeline(request.id)
            checks = [e for e in events if e.details.get("dns_summary")]
            facts["last_dns_check"] = (str(checks[-1].details["dns_summary"]) if checks
                                       else None)
        if Card.RECORD_PLAN in items:
            try:
                facts["record_plan"] = (await self._work(
                    request, self._record_effect(request), refuse=False)).describe_id()
            except ProvisionError as failed:
                facts["record_plan"] = failed.message_id
        return CardFacts(**facts, provider=self.settings.dns.provider,
                         assignees=await self.card_assignees(request.state))

    async def card_assignees(self, state: str) -> tuple[tuple[str, int, str], ...]:
        """(position, person id, name) of everyone a transition of the step may assign: the
        card offers them as buttons (`CardFacts.assignees`)."""
        step = self.workflow.step(state)
        positions = sorted({t.assigns for t in step.transitions if t.assigns} if step else ())
        found: list[tuple[str, int, str]] = []
        for position in positions:
            found += [(position, h.person.id, h.person.name)
                      for h in await self.store.holders_on(position, self.today())]
        return tuple(found)

    async def scene(self, request: Request, entry: AuditEntry | None = None,
                    document: Path | None = None) -> Scene:
        """Everything the messages about `request` (as it reads now or after `entry`) need."""
        requester = await self.store.person(request.requester_id)
        events = await self.store.timeline(request.id) if request.id else []
        return Scene(
            self.words, request,
            holders=await self.holder_chats(request.state, request.assignee_id, self.today(),
                                            await self.handled_by(request, entry, events)),
            notes=await self.recent_notes(request, entry, events),
            facts=await self.card_facts(request),
            requester_chat=requester.telegram_user_id if requester else None,
            group_chat_id=self.settings.group_chat_id,
            document=document,
        )

    async def task_cards(self, person: Person, chat_id: int) -> list[OutMessage]:
        """The step cards of every open request on which `person` holds work now."""
        return (await self.inbox(person, chat_id))[1]

    async def inbox(self, person: Person, chat_id: int,
                    shown: int | None = None) -> tuple[int, list[OutMessage]]:
        """How many open requests wait for `person`, and the step cards of the first `shown`
        of them (oldest first; all when None), their timelines read in one go."""
        cards = []
        waiting = await self._pending_with_actors(person)
        pending = waiting if shown is None else waiting[:shown]
        trails = await self.store.timelines(r.id for r, _ in pending)
        for request, actor in pending:
            role = next((r for r in sorted(actor.roles, key=lambda r: r == actor.requester_role)
                         if notify.buttons_for(self.words, request, r)), None)
            if role is not None:
                events = trails[request.id]
                cards.append(notify.step_message(
                    self.words, request, role, chat_id,
                    await self.recent_notes(request, events=events),
                    await self.card_facts(request, events)))
        return len(waiting), cards

    async def check(self, person: Person, request_id: int, action: ActionKey,
                    version: int) -> tuple[Request, Decision]:
        """Would `action` be allowed now (note aside)? Raises like `act` would; and where it
        asks a BSrE passphrase of someone whose NIK is not known yet, says so before the
        passphrase is asked."""
        request = await self._request_by_id(request_id)
        decision = await self._decide(person, request, action, "-", version)
        if decision.transition.asks == Ask.PASSPHRASE:
            identity = await self.store.esign_identity(person.id)
            if identity is None or not (identity.nik or identity.email):
                raise SigningRefused(NO_NIK)
        return request, decision

    async def _request_by_id(self, request_id: int) -> Request:
        try:
            return await self.store.request(request_id)
        except NotFound:
            raise NotVisible("Permohonan tidak ditemukan.") from None

    async def hand_over(self, holder: PositionHolder) -> int:
        """Send a newly appointed (acting) official the steps now waiting for their position;
        returns how many. Staff steps stay with the staff member they were assigned to."""
        chat = holder.person.telegram_user_id
        if chat is None or self.workflow.is_assigned(holder.position):
            return 0
        count = 0
        for request in await self.store.requests(states=list(self.workflow.open_states)):
            if not self.workflow.has_task(request.state, holder.position):
                continue
            await self.store.enqueue(
                notify.step_messages(self.words, request, holder.position, chat,
                                     await self.recent_notes(request),
                                     await self.card_facts(request)),
                now=self.clock(), request_id=request.id)
            count += 1
        if count:
            self.on_queued()
        return count

    async def disposition_sheet(self, request: Request, path: Path | None = None) -> Path:
        """The lembar disposisi of `request` as a PDF file (default under DATA_DIR/sheets)."""
        events = await self.store.timeline(request.id)
        received = request.created_at.astimezone(self.settings.timezone).date()
        sheet = paperwork.disposition_sheet(self.workflow, request, events, received,
                                            settings=self.settings)
        pdf = await asyncio.to_thread(paperwork.render_sheet, self.settings, sheet)
        path = path or self.settings.data_dir / "sheets" / f"{request.number}-disposisi.pdf"
        path.parent.mkdir(parents=True, exist_ok=True)
        await asyncio.to_thread(path.write_bytes, pdf)
        return path

    async def month_report(self, year: int, month: int, path: Path | None = None) -> Path:
        """The month's Mutu Baku report as a PDF file (default under DATA_DIR/reports)."""
        from bot import report_files

        return await report_files.month_report_apart(self.store, self.settings, self.workflow,
                                                     year, month, path, now=self.clock())

    async def month_csv(self, year: int, month: int, path: Path) -> Path:
        """The month's audit trail as a CSV file."""
        from bot import report_files  # lazily: the report modules load for a report

        return await report_files.write_month_csv(self.store, self.settings, self.workflow,
                                                  year, month, path)

    async def month_files(self, year: int, month: int, path: Path | None = None, *,
                          csv: bool = False) -> tuple[Path, Path | None]:
        """`month_report` and, with `csv`, `month_csv` next to it, the month read once."""
        from bot import report_files  # lazily: the report modules load for a report

        return await report_files.write_month_files(self.store, self.settings, self.workflow,
                                                    year, month, path, csv=csv,
                                                    now=self.clock())

    async def pending_for(self, person: Person) -> list[Request]:
        """Open requests on which `person` holds an action now."""
        return [request for request, _ in await self._pending_with_actors(person)]

    async def _pending_with_actors(self, person: Person) -> list[tuple[Request, Actor]]:
        """`pending_for` with the person as actor on each: their positions and agencies read
        once, and only the states in which one of their roles has a task."""
        wf = self.workflow
        positions = frozenset(h.position for h in
                              await self.store.positions_of(person.id, self.today()))
        contact_of = await self.store.contact_agency_ids(person.id)
        roles = positions | {wf.requester}
        states = [s for s in wf.open_states if any(wf.has_task(s, r) for r in roles)]
        actors = {own: Actor(person.id, positions, own, wf.requester) for own in (False, True)}
        allowed: dict[tuple[str, bool, int | None], bool] = {}  # the same few cases, ~1,000 rows
        found = []
        for request in await self.store.requests(states=states) if states else []:
            own = request.requester_id == person.id or request.agency.id in contact_of
            case = (request.state, own, request.assignee_id)
            if case not in allowed:
                allowed[case] = wf.may_act(request.state, actors[own], request.assignee_id)
            if allowed[case]:
                found.append((request, actors[own]))
        return found

    async def act(self, person: Person, request_id: int, given: ActionInput,
                  extra: Sequence[OutMessage] = ()) -> Request:
        """Take `given.action` on the request for `person`, or raise a `WorkflowError`.

        `extra` are messages that belong to the same transition (e.g. the edit of the message
        whose button was pressed). Technical work the step stands for (the DNS check, the
        record creation, the letter) happens here, before the state moves; when it fails the
        action is refused and nothing changes."""
        request = await self.store.request(request_id)
        decision = await self._decide(person, request, given.action, given.note, given.version)
        assignee_id = await self._assignee(decision, given)
        action = decision.transition.action
        effects = decision.effects
        record_effect = next((e for e in RECORD_EFFECTS if e in effects), None)
        planned = (await self._work(request, record_effect) if record_effect is not None
                   else None)
        details = await self._typed(decision, request, dict(given.details or {}))
        details |= await self._technical(effects, request)
        if planned is not None:
            details |= {"records": [list(r) for r in planned.records],
                        "provider": self.settings.dns.provider}
            if planned.old is not None:
                details |= {"work": planned.to_dict()}
        acting = await self._acting(person, decision.role)
        entry = AuditEntry(
            action=action,
            to_state=decision.to,
            actor_id=person.id,
            actor_role=decision.role,
            acting=acting,
            instruction=given.instruction.value if given.instruction else None,
            note=decision.note,
            details=details,
        )
        after = _preview(request, decision, assignee_id, self.clock())
        draft = None
        if Effect.DRAFT_LETTER in effects and decision.entered is not None:
            draft = await self._draft(after, entry, decision.entered.role, person,
                                      request.state)
        scene = await self.scene(after, entry, draft)
        if decision.role == self.workflow.requester:  # the office's holders were passed over
            scene = dataclasses.replace(scene, actor_name=person.name, passed_over=(
                await self.holder_chats(request.state, request.assignee_id, self.today(),
                                        await self.handled_by(request))))
        order = letter_messages = scan = None
        if Effect.ISSUE_LETTER in effects or Effect.PRINT_LETTER in effects:
            order = await self._letter_order(person, acting, after, entry, decision,
                                             request.state, given.secret)
            letter_messages = _crash_test_hook(
                notify.for_letter(self.words, after, scene.requester_chat)
                if Effect.ISSUE_LETTER in effects else
                notify.for_print(self.words, after, [c for c, _ in scene.holders]), request.id)
        if Effect.DELIVER_SCAN in effects:
            scan = await self._scan(person, request, given.document)
            letter_messages = _crash_test_hook(
                notify.for_letter(self.words, after, scene.requester_chat), request.id)
        messages = [*extra, *notify.for_transition(scene, request.state, entry)]
        created = changed = None
        if planned is not None:  # last: everything that could fail is ready before the update
            try:
                applied = await self._apply_work(request, planned)
            except Uncertain:
                self.on_uncertain(Recheck(person, request.id, given, tuple(extra)))
                raise
            entry = dataclasses.replace(entry, details={
                **details, "serial": applied.serial, "verified": applied.verified})
            if planned.old is None:
                created = CreatedSubdomain(request.subdomain, planned.records, applied.serial)
            else:
                changed = RecordChange(request.subdomain,
                                       _rows(planned.new) if planned.new else (),
                                       applied.serial, planned.status)
        crashpoints.hit("act_decided", request.id)
        try:
            moved = await self.store.transition(
                request.id, request.version, entry, now=self.clock(), messages=messages,
                outcome=decision.transition.outcome, assignee_id=assignee_id,
                letter=order,
                letter_messages=letter_messages,
                created=created, changed=changed, receipt=Effect.RECORD_RECEIPT in effects,
                scan=scan,
            )
        except StaleRequest as stale:
            raise await self._already_handled(stale.request) from None
        except SigningError as refused:  # signing is part of rendering the numbered letter
            raise SigningRefused(refused.message_id) from None
        except NumberUsed as used:  # typed by two people at once: the register decides
            raise BadNote(_number_used(used.number)) from None
        finally:
            if scan is not None and not await self._scan_kept(request, scan):
                scan.path.unlink(missing_ok=True)
        crashpoints.hit("act_committed", request.id)
        self.on_queued()
        return moved

    async def _decide(self, person: Person, request: Request, action: ActionKey,
                      note: str | None, version: int) -> Decision:
        """The workflow's decision for a button made at `version`. A button for an older
        version is stale ("already handled by … at …"), unless its transition says otherwise."""
        stale = version not in (ANY_VERSION, request.version)
        actor = await self.actor(person, request)
        try:
            decision = self.workflow.decide(request.state, action, actor, note,
                                            assignee_id=request.assignee_id)
        except WorkflowError:
            if stale:
                raise await self._already_handled(request) from None
            raise
        if stale or (version == ANY_VERSION and not decision.transition.any_version):
            raise await self._already_handled(request)
        return decision

    async def _technical(self, effects: frozenset[Effect], request: Request) -> dict[str, Any]:
        """Run the DNS work a transition stands for; its result goes into the audit row."""
        try:
            if Effect.DNS_CHECK in effects:
                result = await self.check_name(request.subdomain, request)
                return {"dns_check": result.to_dict(), "dns_summary": result.summary_id()}
            if Effect.RECORD_PLAN in effects:
                return {"plan": (await self._work(request, self._record_effect(request),
                                                  refuse=False)).to_dict()}
        except ProvisionError as failed:
            log.warning("DNS work for %s failed: %s", request.number, failed)
            raise WorkflowError(failed.message_id) from None
        return {}

    def _record_effect(self, request: Request) -> Effect:
        """The DNS work of the request's kind at its creation step (create, change, …)."""
        return self.workflow.kind(request.kind).record

    async def _work(self, request: Request, effect: Effect, *,
                    refuse: bool = True) -> technical.Work:
        """The exact change approval means: the new records and, for a change, a deletion or
        a suspension, the records the register holds, which the update requires (a bad
        target, a name not in the register refuses the action)."""
        held = None
        if effect != Effect.CREATE_RECORD:
            entry = await self.store.registered_name(request.subdomain)
            held = entry.records if entry is not None else None
        try:
            return technical.work(self.settings, effect, request, held)
        except ProvisionError as failed:
            if refuse:
                raise WorkflowError(failed.message_id) from None
            raise

    async def _apply_work(self, request: Request, planned: technical.Work) -> ApplyResult:
        """Make the planned change, the intent written first: an update that takes effect
        but whose answer is lost (a timeout, a crash) leaves the name holding exactly the new
        records (or none), which the next press verifies and accepts, and `record remove` may
        remove."""
        if planned.new is not None:
            await self.store.intend_records(request.id, request.subdomain,
                                            _rows(planned.new), now=self.clock())
        crashpoints.hit("step7_intended", request.id)
        try:
            applied = await technical.apply(self.settings, planned)
        except ProvisionError as failed:
            log.warning("creating the records of %s failed: %s", request.number, failed)
            if failed.code == "timeout":
                raise Uncertain(f"{failed.message_id} Bot juga akan memeriksa ulang dengan "
                                "sendirinya dan mengabari Bapak/Ibu.") from None
            raise WorkflowError(failed.message_id) from None
        crashpoints.hit("step7_updated", request.id)
        return applied

    async def _facts(self, after: Request, entry: AuditEntry | None, actor: Person | None,
                     from_state: str | None) -> paperwork.LetterFacts:
        """What the request's trail (and the transition `entry` being made by `actor` from
        `from_state`) puts in its letter: the one source of the KONSEP and the final letter."""
        events = await self.store.timeline(after.id)
        return paperwork.facts(after, events, entry, after.outcome, tz=self.settings.timezone,
                               now=self.clock(), workflow=self.workflow,
                               pending_from=from_state,
                               pending_actor=actor.name if actor else None)

    async def _signer(self, letter_facts: paperwork.LetterFacts,
                      signer_role: RoleKey) -> tuple[Person, str | None, date]:
        """Who signs and the letter's date: the signatory who approved it and the day they
        did (office time zone); before that, who is expected to sign, and today."""
        signing = letter_facts.signing
        if signing is not None and signing.actor_id is not None:
            person = await self.store.person(signing.actor_id)
            if person is not None:
                return (person, signing.acting,
                        signing.at.astimezone(self.settings.timezone).date())
        holder = paperwork.expected_signer(await self.store.holders_on(signer_role,
                                                                      self.today()))
        return holder.person, holder.acting, self.today()

    async def _draft(self, after: Request, entry: AuditEntry, signer_role: RoleKey,
                     actor: Person, from_state: str) -> Path:
        """The KONSEP of the reply letter for the step it enters: the very letter that will
        go out, without number, day, signature and footer."""
        letter_facts = await self._facts(after, entry, actor, from_state)
        try:
            signer, acting, day = await self._signer(letter_facts, signer_role)
            letter = paperwork.reply_letter(
                self.settings, after, letter_facts,
                paperwork.signatory(self.settings, signer, acting),
                day=day, number=None, code=None)
            pdf = await asyncio.to_thread(paperwork.render_letter, self.settings, letter)
        except paperwork.PaperworkError as failed:
            raise WorkflowError(failed.message_id) from None
        return await asyncio.to_thread(paperwork.write_draft, self.settings, after, pdf)

    async def letter_parts(self, person: Person | None, request_id: int) -> list[Part]:
        """The parts of the request's reply letter a revision may change, with their current
        texts, for whoever holds the revision step now."""
        request = await self._request_by_id(request_id)
        step = self.workflow.step(request.state)
        actor = await self.actor(person, request) if person else None
        if step is None or actor is None or not any(
                t.asks == Ask.REVISION for t in self.workflow.transitions_for(
                    request.state, step.role)) or not self.workflow.may_act(
                request.state, actor, request.assignee_id):
            raise Refused("Konsep surat ini tidak sedang menunggu perbaikan dari Bapak/Ibu.")
        return list(await self._parts(request))

    async def _parts(self, request: Request) -> tuple[Part, ...]:
        letter_facts = await self._facts(request, None, None, None)
        role = self.workflow.signatory or self.workflow.admin
        try:
            signer, acting, day = await self._signer(letter_facts, role)
            letter = paperwork.reply_letter(
                self.settings, request, letter_facts,
                paperwork.signatory(self.settings, signer, acting),
                day=day, number=None, code=None)
        except paperwork.PaperworkError as failed:
            raise WorkflowError(failed.message_id) from None
        return paperwork.letter_parts(self.settings, letter)

    async def _typed(self, decision: Decision, request: Request,
                     details: dict[str, Any]) -> dict[str, Any]:
        """Check what the transition asks the actor to type (a revision, a letter number);
        a bad value refuses the action with one sentence and the step stays open."""
        asks = decision.transition.asks
        if asks == Ask.REVISION:
            raw = details.get("revision") or {}
            if not isinstance(raw, dict):
                raise BadNote("Perubahan konsep tidak dapat dibaca. Mohon ulangi.")
            keys = {part.key for part in await self._parts(request)}
            details["revision"] = {key: revision.clean(key, str(text), keys)
                                   for key, text in raw.items()}
        elif asks == Ask.LETTER_NUMBER:
            details["letter_number"] = str(details.get("letter_number") or "").strip()
            if Effect.ISSUE_LETTER not in decision.effects:  # the signatory signs it later
                await self._manual_number(details["letter_number"], self.today(),
                                          request.outcome or Outcome.ADVICE)
        return details

    async def _typed_number(self, request_id: int, entry: AuditEntry,
                            decision: Decision) -> str | None:
        """The hand-given number of the letter being issued: typed with this transition, or
        (BSrE under manual numbering: the signatory signs after the secretariat numbered it)
        the latest one typed on the request; None where the register numbers."""
        if decision.transition.asks == Ask.LETTER_NUMBER:
            return str(entry.details.get("letter_number") or "")
        if self.settings.office.numbering != "manual":
            return None
        typed = [str(e.details["letter_number"]) for e in await self.store.timeline(request_id)
                 if e.details.get("letter_number")]
        if not typed:
            raise WorkflowError("Nomor surat dari buku agenda belum diisi; surat belum "
                                "ditandatangani. Mohon kembalikan ke penomoran.")
        return typed[-1]

    async def _manual_number(self, typed: str, day: date, outcome: str) -> tuple[int, str]:
        """The number a person took from the agenda book or SRIKANDI, checked: the office's
        pattern, the letter's year, and never a number the register already holds."""
        pattern = self.settings.office.letter_number_pattern
        example = paperwork.number_for(self.settings, day.year, 145, outcome, day.month)
        if not typed or len(typed) > 100:
            raise BadNote(f"Mohon tuliskan nomor surat dari buku agenda atau SRIKANDI, "
                          f"contoh: {example}.")
        try:
            parsed = parse_letter_number(typed, pattern)
        except ValueError:
            raise BadNote(f"Nomor {typed} tidak sesuai pola nomor surat kantor (contoh: "
                          f"{example}); tidak ada yang dicatat, mohon kirim nomor yang benar."
                          ) from None
        if parsed.year is not None and parsed.year != day.year:
            raise BadNote(f"Tahun pada nomor {typed} ({parsed.year}) tidak sama dengan tahun "
                          f"surat ({day.year}); mohon kirim nomor yang benar.")
        if await self.store.letter_number_used(typed, day.year, parsed.sequence):
            raise BadNote(_number_used(typed))
        return parsed.sequence, typed

    async def _letter_order(self, actor: Person, acting: str | None, after: Request,
                            entry: AuditEntry, decision: Decision, from_state: str,
                            secret: str | None = None) -> LetterOrder:
        """The final letter: the KONSEP's data, signed by the signatory who approved it (the
        person acting now when this transition signs; or printed for their wet signature),
        dated the day they approved it, and numbered in the transaction (the register's next,
        or the number typed by hand). Signing is checked first: a refusal (`SigningRefused`)
        leaves nothing numbered."""
        letter_facts = await self._facts(after, entry, actor, from_state)
        kind = letter_facts.kind.value
        try:
            if letter_facts.signing is None:  # a table with no signing mark: the actor signs
                signer, signer_acting, day = actor, acting, self.today()
            else:
                signer, signer_acting, day = await self._signer(letter_facts, decision.role)
            signatory = paperwork.signatory(self.settings, signer, signer_acting)
            checked = paperwork.reply_letter(self.settings, after, letter_facts, signatory,
                                             day=day, number="0", code="CHECK")
            subject = paperwork.letter_subject(self.settings, checked)
        except (paperwork.PaperworkError, ValueError) as failed:
            message = getattr(failed, "message_id", f"Surat tidak dapat dibuat: {failed}")
            raise WorkflowError(message) from None
        try:
            plan = await asyncio.to_thread(
                sealing.prepare, self.settings, signer, now=self.clock(),
                identity=await self.store.esign_identity(signer.id), passphrase=secret)
        except SigningError as refused:
            raise SigningRefused(refused.message_id) from None
        fixed = None
        typed = await self._typed_number(after.id, entry, decision)
        if typed is not None:
            try:
                fixed = await self._manual_number(typed, day, kind)
            except BadNote as wrong:
                if decision.transition.asks == Ask.LETTER_NUMBER:
                    raise
                # typed earlier by the secretariat (used since, or the year has turned): the
                # signatory cannot fix it, but can send it back
                raise WorkflowError(f"{wrong.message_id} Surat belum ditandatangani; mohon "
                                    "kembalikan ke penomoran.") from None

        def render(number: str, code: str) -> bytes:
            return sealing.seal_pdf(self.settings, plan, paperwork.reply_letter(
                self.settings, after, letter_facts, signatory, day=day, number=number,
                code=code), when=self.clock())

        return LetterOrder(
            year=day.year, kind=kind, addressee=after.agency.addressee,
            subject=subject,
            signer_id=signer.id, signer_acting=signer_acting,
            number_for=lambda seq: paperwork.number_for(self.settings, day.year, seq, kind,
                                                        day.month),
            render=render, directory=self.settings.data_dir / "letters", fixed=fixed,
            seal=plan.seal.value,
        )

    async def _scan(self, person: Person, request: Request, data: bytes | None) -> LetterScan:
        """The wet-signed letter's scan, checked and written beside the printed letter (the
        transaction makes it the delivered letter)."""
        try:
            checked = sealing.checked_scan(data or b"")
        except SigningError as refused:
            raise SigningRefused(refused.message_id) from None
        printed = (await self.store.letters(request.id))[-1]
        path = printed.path.with_name(f"{printed.path.stem}-pindaian-v{request.version}.pdf")
        await asyncio.to_thread(write_file_atomically, path, checked)
        return LetterScan(path, hashlib.sha256(checked).hexdigest(), person.id)

    async def _scan_kept(self, request: Request, scan: LetterScan) -> bool:
        """Did the transaction commit the scan? (Otherwise its file goes.)"""
        return any(letter.scan_path == scan.path for letter in await self.letters(request))

    async def assignable(self, action: ActionKey, state: str) -> list[PositionHolder]:
        """The members to choose from when `action` assigns the next steps to one person
        (empty when it assigns nobody)."""
        step = self.workflow.step(state)
        transition = step.transition(action) if step else None
        if transition is None or transition.assigns is None:
            return []
        return await self.store.holders_on(transition.assigns, self.today())

    async def _assignee(self, decision: Decision, given: ActionInput) -> int | None:
        """The member the actor chose (the only one, when there is one); the one rule for
        assigning, used by the chat and by every other caller."""
        position = decision.transition.assigns
        if position is None:
            return None
        title = self.workflow.title(position)
        members = await self.store.holders_on(position, self.today())
        if not members:
            raise WorkflowError(f"Belum ada {title} yang terdaftar. "
                                "Mohon hubungi admin untuk mendaftarkannya.")
        if given.assignee_id is None:
            if len(members) > 1:
                raise WorkflowError(f"Mohon pilih {title} yang akan menindaklanjuti.")
            return members[0].person.id
        if all(h.person.id != given.assignee_id for h in members):
            raise WorkflowError(f"Yang dipilih tidak terdaftar sebagai {title}.")
        return given.assignee_id

    async def _acting(self, person: Person, role: RoleKey) -> str | None:
        for holder in await self.store.positions_of(person.id, self.today()):
            if holder.position == role:
                return holder.acting
        return None

    async def _already_handled(self, request: Request) -> AlreadyHandled:
        events = await self.store.timeline(request.id)
        last = events[-1] if events else None
        if last is None or last.actor_name is None:
            return AlreadyHandled("Permohonan ini sudah diproses. Mohon lihat status terbaru.")
        done = self.workflow.action_label(last.action, last.from_state)
        return AlreadyHandled(f"Sudah diproses: {done} oleh {last.actor_name} pada "
                              f"{self.words.time(last.at)}.")


def _crash_test_hook(compose: Callable[[IssuedLetter], list[OutMessage]],
                     request_id: int) -> Callable[[IssuedLetter], list[OutMessage]]:
    """`compose` runs inside the transaction that registers the letter, after its PDF is
    written: the crash campaign's `letter_registered` point (inert unless a test names it)."""

    def composed(issued: IssuedLetter) -> list[OutMessage]:
        crashpoints.hit("letter_registered", request_id)
        return compose(issued)

    return composed


def _number_used(number: str) -> str:
    return (f"Nomor {number} sudah digunakan pada register surat keluar; tidak ada yang "
            "dicatat. Mohon ambil nomor berikutnya dari buku agenda atau SRIKANDI.")


def _unfiled(new: NewRequest, agency: Agency, state: str, now: datetime) -> Request:
    """`new` as the request it becomes, before it has a number (what its first card shows)."""
    return Request(
        id=0, number="", agency=agency, requester_id=new.requester_id, subdomain=new.subdomain,
        purpose=new.purpose, target_kind=new.target_kind, target_value=new.target_value,
        contact_name=new.contact_name, contact_phone=new.contact_phone,
        letter_number=new.letter_number, letter_date=new.letter_date,
        letter_file_ref=new.letter_file_ref, state=state, version=1, outcome=None,
        assignee_id=None, state_since=now, created_at=now, letter_subject=new.letter_subject,
        kind=new.kind)


def _rows(planned: Plan) -> tuple[tuple[str, str, str, int], ...]:
    """A plan's records as the register stores them."""
    return tuple((r.name, r.type, r.value, r.ttl) for r in planned.records)


def _absolute(path: Path) -> str:
    """The outbox sends files later, maybe from another working directory."""
    return os.path.abspath(path)


def _preview(request: Request, decision: Decision, assignee_id: int | None,
             now: datetime) -> Request:
    """The request as it will read after the transition (for composing notifications)."""
    return dataclasses.replace(
        request,
        state=decision.to,
        version=request.version + 1,
        state_since=now,
        outcome=decision.transition.outcome or request.outcome,
        assignee_id=assignee_id if assignee_id is not None else request.assignee_id,
    )

