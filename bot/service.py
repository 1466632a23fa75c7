"""The office's application service: who is acting, what the workflow allows, what gets stored.

Handlers and the CLI call this; it asks `workflow` for the decision, has `storage` persist the
transition together with the notifications it causes (composed by `bot.notify`), and returns
plain records. No Telegram types here.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from bot import notify, paperwork, technical, texts
from bot.callbacks import ANY_VERSION
from bot.settings import Settings
from bot.workflow import (
    FINAL_STATES,
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
from storage.models import (
    AuditEntry,
    CreatedSubdomain,
    LetterOrder,
    NewRequest,
    OutMessage,
    Person,
    PositionHolder,
    Request,
)
from storage.store import StaleRequest, Store

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class AlreadyHandled(WorkflowError):
    """Someone else acted first; the message says who and when."""


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
        now = self.clock()
        local = now.astimezone(self.settings.timezone)
        subject = f"Permohonan pembuatan subdomain {new.subdomain}.{self.settings.parent_domain}"
        compose = await notify.for_new_request(self, new.requester_id)
        filed = await self.store.create_request(
            new, now=now, year=local.year, subject=subject, compose=compose
        )
        self.on_queued()
        return filed

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
                                     parent=self.settings.parent_domain,
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
            facts = paperwork.facts(after, events, entry, tz=self.settings.timezone,
                                    now=self.clock())
            letter = paperwork.reply_letter(
                self.settings, after, facts,
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
        facts = paperwork.facts(after, events, entry, after.outcome, tz=self.settings.timezone,
                                now=self.clock())
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
        when = texts.local_time(last.at, self.settings.timezone)
        return AlreadyHandled(f"Sudah diproses oleh {last.actor_name} pada {when}.")


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
