"""From a request's records to the papers the SOP produces: reply letters and the disposition
sheet (the rendering itself is `letters/`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Literal

from bot.settings import Settings
from bot.texts import fqdn
from bot.workflow import Action, Outcome, Transition, Workflow
from letters.body import Part, office_display_name, revised, subject_of, variable_parts
from letters.model import (
    DEFAULT_ACCOUNT_INSTRUCTIONS,
    Addressee,
    DispositionEntry,
    DispositionSheet,
    IncomingRef,
    LetterKind,
    OfficeIdentity,
    Paraf,
    ReplyLetter,
    Signatory,
    Urgency,
)
from letters.numbering import format_letter_number
from letters.offload import disposition_sheet_pdf, reply_letter_pdf
from storage.models import (
    Agency,
    AuditEntry,
    Person,
    PositionHolder,
    Request,
    RequestEvent,
)

LEGACY_PERIHAL = "Permohonan subdomain {fqdn}"
"""Only for a request filed before the form asked for its letter's perihal."""


class PaperworkError(Exception):
    """The letter cannot be made as the data stands; `message_id` says what to fix."""

    def __init__(self, message_id: str) -> None:
        super().__init__(message_id)
        self.message_id = message_id


def office_identity(settings: Settings) -> OfficeIdentity:
    o = settings.office
    return OfficeIdentity(
        government_line=o.government, office_name=o.name, address_line=o.address,
        phone=o.phone, website=o.website, email=o.email, place=o.place,
        postal_code=o.postal_code, unit_code=o.unit_code,
        classification_code=o.classification_code, timezone=settings.timezone,
        zone_label=settings.zone_label(), emblem_path=o.emblem_path,
        number_pattern=o.letter_number_pattern, page=o.page,
    )


def perihal(settings: Settings, request: Request) -> str:
    """The request letter's perihal as the requester typed it (older requests: a stand-in)."""
    return request.letter_subject.strip() or LEGACY_PERIHAL.format(
        fqdn=fqdn(request, settings.parent_domain))


def addressee(settings: Settings, request: Request) -> Addressee:
    """``Yth. <head of the agency>`` / ``di`` / the agency's own place (else the office's)."""
    return Addressee(title=request.agency.addressee,
                     place=request.agency.place or settings.office.place)


def display_name(settings: Settings) -> str:
    """The office as a sentence names it: ``Dinas Komunikasi dan Informatika Kabupaten …``."""
    return office_display_name(office_identity(settings))


def number_for(settings: Settings, year: int, sequence: int, outcome: str = "",
               month: int | None = None) -> str:
    """The register's number for a letter of `outcome` (its classification code)."""
    o = settings.office
    return format_letter_number(o.letter_number_pattern, o.classification_for(outcome),
                                sequence, o.unit_code, year, month=month)


def signatory(settings: Settings, person: Person, acting: str | None) -> Signatory:
    if not (person.nip and person.rank):
        raise PaperworkError(
            f"Data penandatangan belum lengkap: NIP dan pangkat {person.name} belum terdaftar. "
            "Mohon admin melengkapinya (role set … --nip … --rank …).")
    title = f"KEPALA {settings.office.name.upper()}"
    role: Literal["plt", "plh"] | None = (
        "plt" if acting == "plt" else "plh" if acting == "plh" else None)
    return Signatory(position_title=title, name=person.name, rank=person.rank,
                     nip=person.nip, acting=role)


def expected_signer(holders: Sequence[PositionHolder]) -> PositionHolder:
    """Who signs today: the acting Kepala Dinas when one is set, else the holder."""
    if not holders:
        raise PaperworkError("Belum ada Kepala Dinas terdaftar sebagai penandatangan.")
    return next((h for h in holders if h.acting), holders[0])


@dataclass(frozen=True)
class Signing:
    """The signatory's approval of the letter: who, as what, and when."""

    actor_id: int | None
    acting: str | None
    at: datetime


@dataclass(frozen=True)
class LetterFacts:
    """What the request's history says the letter must contain."""

    kind: LetterKind
    reason: str
    advice: str
    records: tuple[tuple[str, str, str, int], ...]
    date_active: date | None
    revision: dict[str, str] = field(default_factory=dict)
    """The variable parts the staff rewrote, every revision so far (the latest text wins)."""
    paraf: tuple[Paraf, ...] = ()
    """The officials whose approval initials the KONSEP (highest position first)."""
    signing: Signing | None = None
    """The signatory's approval, once given."""
    revisions: int = 0
    """How many times the KONSEP was revised."""


def facts(request: Request, events: Sequence[RequestEvent],
          pending: AuditEntry | None = None, outcome: str | None = None, *,
          tz: tzinfo, now: datetime, workflow: Workflow | None = None,
          pending_from: str | None = None, pending_actor: str | None = None) -> LetterFacts:
    """Reason (a decline's note), advice (the Kabid's note with "saran teknis") and created
    records from the timeline (plus the transition being made `now`, which is not stored
    yet). The activation date is the office's local date (`tz`) of the creation transition,
    on the draft and on the final letter alike."""
    trail: list[tuple[str, str | None, dict[str, object], datetime | None]] = [
        (e.action, e.note, e.details, e.at) for e in events]
    if pending is not None:
        trail.append((pending.action, pending.note, pending.details, None))
    handled: list[_Event] = [(e.from_state, e.action, e.actor_id, e.actor_name, e.actor_role,
                              e.acting, e.details, e.at) for e in events]
    if pending is not None:
        handled.append((pending_from, pending.action, pending.actor_id, pending_actor,
                        pending.actor_role, pending.acting, pending.details, now))
    revision, paraf, signing, revisions = _handled(workflow, handled)
    kind = LetterKind(outcome or request.outcome or Outcome.ADVICE)
    reason = advice = ""
    records: tuple[tuple[str, str, str, int], ...] = ()
    active: date | None = None
    for action, note, details, at in trail:
        if action == Action.DECLINE and note:
            reason = note
        elif action == Action.REJECT_ADVICE and note:
            advice = note
        elif action == Action.CONFIRM_CREATED:
            raw = details.get("records")
            if isinstance(raw, list):
                records = tuple((str(r[0]), str(r[1]), str(r[2]), int(r[3])) for r in raw)
            active = (at or now).astimezone(tz).date()
    return LetterFacts(kind, reason, advice, records, active, revision, paraf, signing,
                       revisions)


_Event = tuple[str | None, str, int | None, str | None, str | None, str | None,
               dict[str, object], datetime]


def _handled(workflow: Workflow | None, events: Sequence[_Event],
             ) -> tuple[dict[str, str], tuple[Paraf, ...], Signing | None, int]:
    """From the trail, by the table's marks: the revised parts, the paraf (each position's
    latest approval; the next higher position first) and the signatory's approval."""
    revision: dict[str, str] = {}
    latest: dict[str, Paraf] = {}
    signing: Signing | None = None
    revisions = 0
    if workflow is None:
        return revision, (), None, 0
    for from_state, action, actor_id, actor_name, role, acting, details, at in events:
        changes = details.get("revision")
        if isinstance(changes, dict):
            revision.update({str(k): str(v) for k, v in changes.items()})
            revisions += 1
        step = workflow.step(from_state) if from_state else None
        made = step.transition(action) if step else None
        if made is None:
            continue
        if made.paraf and role:
            latest[role] = Paraf(position=workflow.title(role), name=actor_name or "-", at=at)
        if made.signs:
            signing = Signing(actor_id, acting, at)
    order = list(workflow.office_positions)
    paraf = tuple(sorted(latest.values(), key=lambda p: _rank(workflow, p.position, order)))
    return revision, paraf, signing, revisions


def _rank(workflow: Workflow, title: str, order: list[str]) -> int:
    """A position's place in the table (the Kepala Dinas first, then the Kabid, the Kasi)."""
    return next((i for i, key in enumerate(order) if workflow.title(key) == title), len(order))


def reply_letter(
    settings: Settings,
    request: Request,
    letter_facts: LetterFacts,
    signer: Signatory,
    *,
    day: date,
    number: str | None,
    code: str | None,
) -> ReplyLetter:
    """The one letter of `letter_facts`: the KONSEP (`number` None) and the final letter are
    this same value, apart from the number, the date, the signature and the footer."""
    name = fqdn(request, settings.parent_domain)
    url = (f"{settings.verify_base_url}/{code}" if settings.verify_base_url and code
           else None)
    hosted = request.target_kind == "hosting"
    letter = ReplyLetter(
        kind=letter_facts.kind,
        number=number,
        date=day,
        addressee=addressee(settings, request),
        tembusan=settings.office.tembusan,
        incoming=IncomingRef(number=request.letter_number, date=request.letter_date,
                             subject=perihal(settings, request)),
        fqdn=name,
        signatory=signer,
        records=letter_facts.records,
        date_active=letter_facts.date_active,
        reason=letter_facts.reason or ("Nama subdomain tidak dapat dibuat sesuai permohonan."
                                       if letter_facts.kind.declines else ""),
        advice=letter_facts.advice,
        account_instructions=DEFAULT_ACCOUNT_INSTRUCTIONS if hosted else "",
        draft=number is None,
        verification_code=code,
        verification_url=url,
        paraf=letter_facts.paraf,
    )
    if letter_facts.revision:
        try:
            letter = revised(letter, letter_facts.revision)
        except KeyError as unknown:
            raise PaperworkError(f"Bagian surat {unknown} tidak dikenal.") from None
    return letter


def letter_parts(settings: Settings, letter: ReplyLetter) -> tuple[Part, ...]:
    """The parts of `letter` a revision may change, with their current texts."""
    return variable_parts(letter, office_identity(settings))


def letter_subject(settings: Settings, letter: ReplyLetter) -> str:
    """The Hal the letter will carry (for the outgoing register)."""
    return subject_of(letter, office_identity(settings))


def render_letter(settings: Settings, letter: ReplyLetter) -> bytes:
    try:  # drawn in a child process: reportlab never loads into the bot
        return reply_letter_pdf(letter, office_identity(settings))
    except ValueError as exc:  # e.g. a reason that looks like it carries a password
        raise PaperworkError(f"Surat tidak dapat dibuat: {exc}") from None


def draft_path(settings: Settings, request: Request, version: int) -> Path:
    """Where the KONSEP made at `version` of the request is kept (every one is)."""
    return settings.data_dir / "letters" / "drafts" / f"{request.number}-v{version}-konsep.pdf"


def drafts_of(settings: Settings, request: Request) -> list[Path]:
    folder = settings.data_dir / "letters" / "drafts"
    return list(folder.glob(f"{request.number}-v*-konsep.pdf")) if folder.is_dir() else []


def draft_version(path: Path, request: Request) -> int | None:
    raw = path.name.removeprefix(f"{request.number}-v").removesuffix("-konsep.pdf")
    return int(raw) if raw.isdigit() else None


def write_draft(settings: Settings, request: Request, pdf: bytes) -> Path:
    path = draft_path(settings, request, request.version)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pdf)
    return path


def dispositions(workflow: Workflow, events: Sequence[RequestEvent],
                 ) -> list[tuple[RequestEvent, Transition]]:
    """The events that passed the letter down to someone (a transition that carries
    disposition instructions or assigns the next steps), with their transition."""
    found = []
    for e in events:
        step = workflow.step(e.from_state) if e.from_state else None
        made = step.transition(e.action) if step else None
        if made is not None and (made.instructions or made.assigns):
            found.append((e, made))
    return found


def disposition_sheet(workflow: Workflow, request: Request, events: Sequence[RequestEvent],
                      tz_received: date, *, settings: Settings | None = None
                      ) -> DispositionSheet:
    """The lembar disposisi: the incoming letter (its perihal as written) and every
    disposition made on it, each with only the instruction the official chose."""
    entries = []
    for e, made in dispositions(workflow, events):
        to_role = workflow.next_role(made)
        entries.append(DispositionEntry(
            to=workflow.title(to_role) if to_role else "-",
            instruction=e.instruction or "",
            official_name=e.actor_name or "-",
            official_position=workflow.title(e.actor_role) if e.actor_role else "-",
            at=e.at,
            note=e.note or "",
        ))
    return DispositionSheet(
        from_agency=request.agency.name,
        letter_number=request.letter_number,
        letter_date=request.letter_date,
        received_date=tz_received,
        agenda_number=str(request.agenda_number or request.number),
        urgency=Urgency.BIASA,
        subject=(perihal(settings, request) if settings is not None
                 else request.letter_subject.strip() or LEGACY_PERIHAL.format(
                     fqdn=request.subdomain)),
        entries=tuple(entries),
    )


def render_sheet(settings: Settings, sheet: DispositionSheet) -> bytes:
    return disposition_sheet_pdf(sheet, office_identity(settings))


PREVIEW_NIP = "000000000000000000"
PREVIEW_DATE = date(2026, 1, 5)
"""The request letter's date on a preview."""


def letter_warnings(settings: Settings) -> list[str]:
    """What an office should fix before its letters go out (logged at start, said by init)."""
    o = settings.office
    found = []
    if o.emblem_path is None:
        found.append("OFFICE_EMBLEM_PATH is not set: reply letters and disposition sheets go "
                     "out without the regional emblem (lambang daerah) in the kop; set it to a "
                     "PNG and check with: python -m bot letter preview --outcome created")
    codes = {o.classification_code, *o.classification_codes.values()}
    if o.numbering == "register" and (not o.classification_set
                                      or any("." not in c for c in codes)):
        state = "not set" if not o.classification_set else "not dotted"
        found.append(
            f"LETTER_CLASSIFICATION_CODE is {state}"
            f" (letters are numbered {o.classification_code}/…): the office's archivist sets the "
            "classification code of reply letters from Permendagri 83/2022 (dotted codes such as "
            "000.5.10; 555 is the superseded code of Permendagri 78/2012), per outcome with "
            "LETTER_CLASSIFICATION_CODES=created=…,declined=…")
    return found


def preview_letter(settings: Settings, kind: LetterKind, *, day: date,
                   signer: PositionHolder | None = None, agency: Agency | None = None
                   ) -> ReplyLetter:
    """A KONSEP of `kind` with the office's own settings, for checking the kop, the layout
    and the templates before going live: the registered Kepala Dinas and the first agency
    where there are some, stand-ins otherwise."""
    name = f"{agency.code if agency else 'contoh'}.{settings.parent_domain}"
    if signer is not None and signer.person.nip and signer.person.rank:
        signatory_ = signatory(settings, signer.person, signer.acting)
    else:
        signatory_ = Signatory(position_title=f"KEPALA {settings.office.name.upper()}",
                               name="(NAMA KEPALA DINAS)", rank="(Pangkat)", nip=PREVIEW_NIP)
    title = agency.addressee if agency else "Kepala Perangkat Daerah"
    place = (agency.place if agency else None) or settings.office.place
    extra: dict[str, object] = {}
    if kind.lists_records:
        extra = {"records": ((name, "A", "192.0.2.10", settings.dns.ttl),), "date_active": day}
    elif kind.advises:
        extra = {"advice": "Nama subdomain agar menggunakan singkatan nomenklatur Perangkat "
                           "Daerah sesuai pedoman penamaan subdomain."}
    elif kind.declines:
        extra = {"reason": "Subdomain yang diajukan tidak diperuntukkan bagi layanan Perangkat "
                           "Daerah."}
    return ReplyLetter(
        kind=kind, number=None, date=day, draft=True,
        addressee=Addressee(title=title, place=place),
        incoming=IncomingRef(number="000/001/Contoh/2026", date=PREVIEW_DATE,
                             subject="Permohonan Pembuatan Subdomain"),
        fqdn=name, signatory=signatory_, tembusan=settings.office.tembusan,
        **extra,  # type: ignore[arg-type]
    )
