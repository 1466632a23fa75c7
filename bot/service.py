"""The office's application service: who is acting, what the workflow allows, what gets stored.

Handlers and the CLI call this; it asks `workflow` for the decision, has `storage` persist the
transition together with the notifications it causes (composed by `bot.notify`), and returns
plain records. No Telegram types here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from bot import notify
from bot.settings import Settings
from bot.workflow import (
    FINAL_STATES,
    Action,
    Actor,
    Decision,
    Instruction,
    NotYourStep,
    Role,
    State,
    WorkflowError,
    decide,
    transitions_for,
)
from storage.models import AuditEntry, NewRequest, OutMessage, Person, Request
from storage.store import StaleRequest, Store

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
        if request.version != version:
            raise await self._already_handled(request)
        actor = await self.actor(person, request)
        decision = decide(request.state, action, actor, "-", assignee_id=request.assignee_id)
        return request, decision

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
        whose button was pressed)."""
        request = await self.store.request(request_id)
        if request.version != given.version:
            raise await self._already_handled(request)
        actor = await self.actor(person, request)
        try:
            decision = decide(request.state, given.action, actor, given.note,
                              assignee_id=request.assignee_id)
        except NotYourStep:
            if request.version != given.version:
                raise await self._already_handled(request) from None
            raise
        assignee_id = await self._assignee(decision, given)
        entry = AuditEntry(
            action=given.action.value,
            to_state=decision.to,
            actor_id=person.id,
            actor_role=decision.role,
            acting=await self._acting(person, decision.role),
            instruction=given.instruction.value if given.instruction else None,
            note=decision.note,
            details=given.details or {},
        )
        after = _preview(request, decision, assignee_id)
        messages = [*extra, *await notify.for_transition(self, request, after, entry)]
        try:
            moved = await self.store.transition(
                request.id, request.version, entry, now=self.clock(), messages=messages,
                outcome=decision.transition.outcome, assignee_id=assignee_id,
            )
        except StaleRequest as stale:
            raise await self._already_handled(stale.request) from None
        self.on_queued()
        return moved

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
    return bool(transitions_for(request.state, role))
