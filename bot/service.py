"""The office's application service: who is acting, what the workflow allows, what gets stored.

Handlers and the CLI call this; it asks `workflow` for the decision, has `storage` persist the
transition together with the notifications it causes (composed by `bot.notify`), and returns
plain records. No Telegram types here.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from html import escape
from pathlib import Path
from typing import Any

from bot import notify, onboarding, paperwork, technical
from bot.callbacks import ANY_VERSION
from bot.settings import Settings
from bot.workflow import (
    FINAL_STATES,
    POSITIONS,
    ROLE_TITLES,
    Action,
    Actor,
    Decision,
    Effect,
    Instruction,
    Role,
    State,
    WorkflowError,
    decide,
    transitions_for,
)
from domains.provision import ProvisionError
from storage.invites import Invite, InviteBook, InviteSpec, InviteUnavailable, Unavailable
from storage.models import (
    Agency,
    AuditEntry,
    CreatedSubdomain,
    LetterOrder,
    NewRequest,
    OutMessage,
    Person,
    PositionHolder,
    Request,
)
from storage.store import StaleRequest, StorageError, Store

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class AlreadyHandled(WorkflowError):
    """Someone else acted first; the message says who and when."""


class AppointmentRefused(Exception):
    """An appointment the rules do not allow: `str()` for the operator (English), `message_id`
    for the chat (Indonesian)."""

    def __init__(self, message: str, message_id: str) -> None:
        super().__init__(message)
        self.message_id = message_id


class InviteRefused(Exception):
    """An invite code that binds nothing; the message is the one polite line for the chat."""


class FilingRefused(Exception):
    """Who may file: the message is the polite line for the requester."""


NO_AGENCIES = ("Belum ada Perangkat Daerah yang terdaftar. Mohon hubungi admin Diskominfo untuk "
               "mendaftarkan Perangkat Daerah Bapak/Ibu.")
UNKNOWN_AGENCY = ("Perangkat Daerah tersebut belum terdaftar. Mohon pilih dari tombol di atas, "
                  "atau hubungi admin Diskominfo.")
NOT_A_CONTACT = ("Mohon maaf, permohonan subdomain hanya dapat diajukan oleh kontak Perangkat "
                 "Daerah yang terdaftar. Mohon minta tautan undangan kepada admin Diskominfo.")
NOT_YOUR_AGENCY = ("Mohon maaf, Bapak/Ibu hanya dapat mengajukan permohonan untuk Perangkat "
                   "Daerah tempat Bapak/Ibu terdaftar sebagai kontak.")
TOO_MANY_OPEN = ("Mohon maaf, Bapak/Ibu masih memiliki {count} permohonan yang sedang diproses "
                 "(paling banyak {limit}). Permohonan baru dapat diajukan setelah salah satunya "
                 "selesai.")
UNREGISTERED_NOTICE = "⚠️ <b>Pemohon bukan kontak terdaftar {agency}.</b>"


@dataclass(frozen=True)
class Appointment:
    """A person given an office position (`role set`, or an invite being redeemed)."""

    position: Role
    telegram_user_id: int
    name: str
    nip: str | None = None
    rank: str | None = None
    title: str | None = None
    acting: str | None = None
    valid_from: date | None = None
    valid_until: date | None = None


@dataclass(frozen=True)
class ActionInput:
    action: Action
    version: int
    note: str | None = None
    instruction: Instruction | None = None
    assignee_id: int | None = None
    details: dict[str, Any] | None = None


class Office:
    def __init__(self, store: Store, settings: Settings, clock: Clock = utc_now) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self.on_queued: Callable[[], None] = lambda: None
        """Called after messages were queued (the dispatcher's wake-up)."""
        self.invites = InviteBook(store.db)

    def today(self) -> date:
        return self.clock().astimezone(self.settings.timezone).date()

    async def actor(self, person: Person, request: Request | None = None) -> Actor:
        holders = await self.store.positions_of(person.id, self.today())
        is_requester = request is not None and (
            request.requester_id == person.id
            or any(c.id == person.id for c in await self.store.agency_contacts(request.agency.id))
        )
        return Actor(person.id, frozenset(h.position for h in holders), is_requester)

    async def submit(self, new: NewRequest) -> Request:
        """File `new`, or raise `FilingRefused` (who may file, how many open requests)."""
        agency = next((a for a in await self.store.agencies() if a.id == new.agency_id), None)
        if agency is None:
            raise FilingRefused(UNKNOWN_AGENCY)
        registered = await self._may_file(new.requester_id, agency)
        await self._within_limit(new.requester_id)
        now = self.clock()
        local = now.astimezone(self.settings.timezone)
        subject = f"Permohonan pembuatan subdomain {new.subdomain}.{self.settings.parent_domain}"
        notice = "" if registered else UNREGISTERED_NOTICE.format(agency=escape(agency.name))
        compose = await notify.for_new_request(self, new.requester_id, notice)
        filed = await self.store.create_request(
            new, now=now, year=local.year, subject=subject, compose=compose
        )
        self.on_queued()
        return filed

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
        open_states = [s for s in State if s not in FINAL_STATES]
        count = len(await self.store.requests(states=open_states, requester_id=person_id))
        if count >= limit:
            raise FilingRefused(TOO_MANY_OPEN.format(count=count, limit=limit))

    # --- positions and invites -------------------------------------------------------------

    async def appoint(self, given: Appointment,
                      announce: Sequence[OutMessage] = ()) -> tuple[PositionHolder, int]:
        """Give a person a position (acting officials with their dates), queue `announce`, and
        hand a newly appointed or acting holder the steps waiting for the position. Returns
        the holder and how many steps were handed over."""
        title = ROLE_TITLES.get(given.position, given.position.value)
        if given.position not in POSITIONS:
            raise AppointmentRefused(f"{given.position.value} is not an office position",
                                     f"{title} bukan jabatan di kantor ini.")
        if given.acting and given.valid_until is None:
            raise AppointmentRefused("an acting official needs an end date",
                                     "Pejabat Plt./Plh. memerlukan tanggal akhir.")
        if given.valid_until is not None and given.valid_until < self.today():
            raise AppointmentRefused("the end date has passed",
                                     "Masa jabatan tersebut sudah berakhir.")
        before = [h for h in await self.store.position_holders(given.position)
                  if h.person.telegram_user_id == given.telegram_user_id]
        if given.acting and any(h.acting is None for h in before):
            raise AppointmentRefused(
                f"{before[0].person.name} already holds {given.position.value} (not acting)",
                f"{before[0].person.name} sudah menjabat {title} secara definitif.")
        valid_from = given.valid_from or (self.today() if given.acting else None)
        try:
            holder = await self.store.set_position(
                given.position, given.telegram_user_id, given.name, now=self.clock(),
                nip=given.nip, rank=given.rank, title=given.title, acting=given.acting,
                valid_from=valid_from, valid_until=given.valid_until)
        except StorageError as refused:
            raise AppointmentRefused(str(refused), "Jabatan tidak dapat ditetapkan.") from None
        if announce:
            await self.store.enqueue(announce, now=self.clock())
            self.on_queued()
        handed = await self.hand_over(holder) if given.acting or not before else 0
        return holder, handed

    async def create_invite(self, spec: InviteSpec) -> tuple[str, Invite]:
        """A one-time invite: the code (to put in the link; never stored) and its record."""
        if spec.position is not None:
            role = Role(spec.position)
            if role not in POSITIONS:
                raise AppointmentRefused(f"{role.value} is not an office position",
                                         "Jabatan tidak dikenal.")
            if spec.acting and spec.valid_until is None:
                raise AppointmentRefused("an acting official needs an end date",
                                         "Pejabat Plt./Plh. memerlukan tanggal akhir.")
            if spec.valid_until is not None and spec.valid_until < self.today():
                raise AppointmentRefused("the end date has passed",
                                         "Masa jabatan tersebut sudah berakhir.")
            if spec.acting and spec.valid_from is None:
                spec = replace(spec, valid_from=self.today())
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
                  for h in await self.store.holders_on(Role.ADMIN, self.today())}
        announce = [onboarding.welcome(spec, telegram_user_id), *(
            onboarding.tell_admin(spec, telegram_user_id, chat)
            for chat in sorted(c for c in admins if c is not None and c != telegram_user_id))]
        try:
            if spec.agency is not None:
                await self.store.add_agency_contact(spec.agency.code, telegram_user_id,
                                                    spec.name, now=self.clock())
                await self.store.enqueue(announce, now=self.clock())
                self.on_queued()
            else:
                await self.appoint(Appointment(
                    Role(str(spec.position)), telegram_user_id, spec.name, nip=spec.nip,
                    rank=spec.rank, title=spec.title, acting=spec.acting,
                    valid_from=spec.valid_from, valid_until=spec.valid_until), announce)
        except (AppointmentRefused, StorageError) as refused:
            await self.invites.release(invite.id)
            reason = getattr(refused, "message_id", "Undangan tidak dapat digunakan.")
            raise InviteRefused(f"Mohon maaf, undangan ini tidak dapat digunakan: {reason} "
                                "Mohon hubungi admin.") from None
        return invite

    async def check(self, person: Person, request_id: int, action: Action,
                    version: int) -> tuple[Request, Decision]:
        """Would `action` be allowed now (note aside)? Raises like `act` would."""
        request = await self.store.request(request_id)
        return request, await self._decide(person, request, action, "-", version)

    async def hand_over(self, holder: PositionHolder) -> int:
        """Send a newly appointed (acting) official the steps now waiting for their position;
        returns how many. Staff steps stay with the staff member they were assigned to."""
        chat = holder.person.telegram_user_id
        if chat is None or holder.position is Role.STAF_PRAKOM:
            return 0
        open_states = [s for s in State if s not in FINAL_STATES]
        count = 0
        for request in await self.store.requests(states=open_states):
            if not any(t.is_task for t in transitions_for(request.state, holder.position)):
                continue
            notes = await notify.recent_notes(self, request)
            await self.store.enqueue(
                notify.step_messages(request, holder.position, chat, notes,
                                     details=await notify.step_details(self, request)),
                now=self.clock(), request_id=request.id)
            count += 1
        if count:
            self.on_queued()
        return count

    async def disposition_sheet(self, request: Request, path: Path | None = None) -> Path:
        """The lembar disposisi of `request` as a PDF file (default under DATA_DIR/sheets)."""
        events = await self.store.timeline(request.id)
        received = request.created_at.astimezone(self.settings.timezone).date()
        pdf = paperwork.render_sheet(
            self.settings, paperwork.disposition_sheet(request, events, received))
        path = path or self.settings.data_dir / "sheets" / f"{request.number}-disposisi.pdf"
        path.parent.mkdir(parents=True, exist_ok=True)
        await asyncio.to_thread(path.write_bytes, pdf)
        return path

    async def pending_for(self, person: Person) -> list[Request]:
        """Open requests on which `person` holds an action now."""
        open_states = [s for s in State if s not in FINAL_STATES]
        found = []
        for request in await self.store.requests(states=open_states):
            actor = await self.actor(person, request)
            if any(_may_act(request, actor, role) for role in actor.roles):
                found.append(request)
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
        details = {**(given.details or {}), **await self._technical(effects, request)}
        acting = await self._acting(person, decision.role)
        entry = AuditEntry(
            action=action.value,
            to_state=decision.to,
            actor_id=person.id,
            actor_role=decision.role,
            acting=acting,
            instruction=given.instruction.value if given.instruction else None,
            note=decision.note,
            details=details,
        )
        after = _preview(request, decision, assignee_id)
        draft = await self._draft(after, entry) if Effect.DRAFT_LETTER in effects else None
        order = letter_messages = None
        if Effect.ISSUE_LETTER in effects:
            order = await self._letter_order(person, acting, after, entry)
            letter_messages = await notify.for_letter(self, after)
        messages = [*extra, *await notify.for_transition(self, request, after, entry, draft)]
        created = None
        if Effect.CREATE_RECORD in effects:
            created = CreatedSubdomain(request.subdomain, tuple(
                (str(r[0]), str(r[1]), str(r[2]), int(r[3])) for r in details["records"]),
                details.get("serial"))
        try:
            moved = await self.store.transition(
                request.id, request.version, entry, now=self.clock(), messages=messages,
                outcome=decision.transition.outcome, assignee_id=assignee_id,
                letter=order,
                letter_messages=letter_messages,
                created=created, receipt=Effect.RECORD_RECEIPT in effects,
            )
        except StaleRequest as stale:
            raise await self._already_handled(stale.request) from None
        self.on_queued()
        return moved

    async def _decide(self, person: Person, request: Request, action: Action,
                      note: str | None, version: int) -> Decision:
        """The workflow's decision for a button made at `version`. A button for an older
        version is stale ("already handled by … at …"), unless its transition says otherwise."""
        stale = version not in (ANY_VERSION, request.version)
        actor = await self.actor(person, request)
        try:
            decision = decide(request.state, action, actor, note,
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
                result = await technical.check(self.store, self.settings, request.subdomain,
                                               request)
                return {"dns_check": result.to_dict(), "dns_summary": result.summary_id()}
            if Effect.RECORD_PLAN in effects:
                return {"plan": technical.plan(self.settings, request).to_dict()}
            if Effect.CREATE_RECORD in effects:
                applied = await technical.create(self.settings, request)
                return {"records": [[r.name, r.type, r.value, r.ttl] for r in applied.records],
                        "serial": applied.serial, "verified": applied.verified,
                        "provider": self.settings.dns.provider}
        except ProvisionError as failed:
            log.warning("DNS work for %s failed: %s", request.number, failed)
            raise WorkflowError(failed.message_id) from None
        return {}

    async def _signer(self) -> PositionHolder:
        return paperwork.expected_signer(
            await self.store.holders_on(Role.KEPALA_DINAS, self.today()))

    async def _draft(self, after: Request, entry: AuditEntry) -> Path:
        """The KONSEP of the reply letter the signatory is asked to approve."""
        events = await self.store.timeline(after.id)
        holder = await self._signer()
        try:
            letter = paperwork.reply_letter(
                self.settings, after, paperwork.facts(after, events, entry),
                paperwork.signatory(self.settings, holder.person, holder.acting),
                day=self.today(), number=None, code=None)
            pdf = paperwork.render_letter(self.settings, letter)
        except paperwork.PaperworkError as failed:
            raise WorkflowError(failed.message_id) from None
        return await asyncio.to_thread(paperwork.write_draft, self.settings, after, pdf)

    async def _letter_order(self, signer: Person, acting: str | None, after: Request,
                            entry: AuditEntry) -> LetterOrder:
        """The final letter, signed by the person acting now; numbered in the transaction."""
        events = await self.store.timeline(after.id)
        facts = paperwork.facts(after, events, entry, after.outcome)
        day = self.today()
        try:
            signatory = paperwork.signatory(self.settings, signer, acting)
            paperwork.reply_letter(self.settings, after, facts, signatory, day=day,
                                   number="0", code="CHECK")  # fail here, not mid-commit
        except (paperwork.PaperworkError, ValueError) as failed:
            message = getattr(failed, "message_id", f"Surat tidak dapat dibuat: {failed}")
            raise WorkflowError(message) from None

        def render(number: str, code: str) -> bytes:
            return paperwork.render_letter(self.settings, paperwork.reply_letter(
                self.settings, after, facts, signatory, day=day, number=number, code=code))

        return LetterOrder(
            year=day.year, kind=facts.kind.value, addressee=after.agency.addressee,
            subject=paperwork.SUBJECT.format(fqdn=f"{after.subdomain}.{self.settings.parent_domain}"),
            signer_id=signer.id, signer_acting=acting,
            number_for=lambda seq: paperwork.number_for(self.settings, day.year, seq),
            render=render, directory=self.settings.data_dir / "letters",
        )

    async def _assignee(self, decision: Decision, given: ActionInput) -> int | None:
        if decision.transition.action is not Action.ORDER_CHECK:
            return None
        staff = await self.store.holders_on(Role.STAF_PRAKOM, self.today())
        if not staff:
            raise WorkflowError(
                "Belum ada Staf Prakom yang terdaftar. Mohon hubungi admin untuk mendaftarkannya.")
        if given.assignee_id is None:
            if len(staff) > 1:
                raise WorkflowError("Mohon pilih Staf Prakom yang akan melakukan pengecekan.")
            return staff[0].person.id
        if all(h.person.id != given.assignee_id for h in staff):
            raise WorkflowError("Staf yang dipilih tidak terdaftar sebagai Staf Prakom.")
        return given.assignee_id

    async def _acting(self, person: Person, role: Role) -> str | None:
        for holder in await self.store.positions_of(person.id, self.today()):
            if holder.position is role:
                return holder.acting
        return None

    async def _already_handled(self, request: Request) -> AlreadyHandled:
        events = await self.store.timeline(request.id)
        last = events[-1] if events else None
        if last is None or last.actor_name is None:
            return AlreadyHandled("Permohonan ini sudah diproses. Mohon lihat status terbaru.")
        when = last.at.astimezone(self.settings.timezone).strftime("%d-%m-%Y %H:%M")
        return AlreadyHandled(f"Sudah diproses oleh {last.actor_name} pada {when} WITA.")


def _preview(request: Request, decision: Decision, assignee_id: int | None) -> Request:
    """The request as it will read after the transition (for composing notifications)."""
    from dataclasses import replace

    return replace(
        request,
        state=decision.to,
        version=request.version + 1,
        outcome=decision.transition.outcome or request.outcome,
        assignee_id=assignee_id if assignee_id is not None else request.assignee_id,
    )


def _may_act(request: Request, actor: Actor, role: Role) -> bool:
    if role is Role.STAF_PRAKOM and request.assignee_id not in (None, actor.person_id):
        return False
    return any(t.is_task for t in transitions_for(request.state, role))
