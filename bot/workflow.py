"""The subdomain SOP (188.45/16/Diskominfo-Blg/2018) as one typed table.

Read `SOP` next to the SOP: each `Step` row is one activity ("Kegiatan") with its acting
position ("Pelaksana"), its labels, its Mutu Baku (input, standard time, output), what its card
shows and the actions that move the request on. `Position` rows name who acts. Everything else
(routing, buttons, permissions, reminders, escalation, reports, the disposition sheet, the
diagram) asks the `Workflow` it is given. Another office's variant of the SOP is another
`Workflow` value: an edit of this table (plus settings), not of the code that reads it.

States, positions and actions are plain strings in the data; `State`, `Role` and `Action` only
name the ones this SOP uses.

Pure code: no I/O, no Telegram, no SQL.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum

from bot.durations import Duration, WorkDays, WorkMinutes

NOTE_MAX_CHARS = 1000
"""Longest note an official may attach; longer ones are refused, never truncated silently."""

StateKey = str
RoleKey = str
ActionKey = str


class Role(StrEnum):
    """The positions of this SOP (more can be added as `Position` rows)."""

    KEPALA_DINAS = "kepala_dinas"
    KABID = "kabid"
    KASI = "kasi"
    STAF_PRAKOM = "staf_prakom"
    SEKRETARIAT = "sekretariat"  # numbers signed letters by hand (with_manual_numbering)
    ADMIN = "admin"
    SKPD = "skpd"  # the requesting agency's contact; never a stored position


class State(StrEnum):
    DISPOSITION_HEAD = "disposition_head"  # step 1
    DISPOSITION_KABID = "disposition_kabid"  # step 2
    ORDER_CHECK = "order_check"  # step 3
    TECHNICAL_CHECK = "technical_check"  # step 4
    REPORT_TO_KABID = "report_to_kabid"  # step 5
    DECISION = "decision"  # step 6
    CREATION = "creation"  # step 7
    LETTER_SIGNOFF = "letter_signoff"  # step 8: the signatory approves the draft
    LETTER_REVISION = "letter_revision"  # step 8: the staff revise the draft
    DELIVERY = "delivery"  # step 9
    COMPLETED = "completed"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class Action(StrEnum):
    DISPOSE = "dispose"
    DECLINE = "decline"
    ORDER_CHECK = "order_check"
    SUBMIT_CHECK = "submit_check"
    SUBMIT_REPORT = "submit_report"
    APPROVE = "approve"
    REJECT_EXISTS = "reject_exists"
    REJECT_ADVICE = "reject_advice"
    CONFIRM_CREATED = "confirm_created"
    SIGN = "sign"
    REVISE = "revise"
    RESUBMIT = "resubmit"
    CONFIRM_RECEIPT = "confirm_receipt"
    ASSIGN_NUMBER = "assign_number"
    RETURN = "return"
    WITHDRAW = "withdraw"
    UPLOAD_SCAN = "upload_scan"  # the wet-signed letter's scan (SIGNING_PROVIDER=wet)
    ESIGN = "esign"  # BSrE: the signatory signs a letter numbered by someone else


SUBMIT = "submit"
"""The audit action of a filed request (it enters the table's initial state)."""
REMOVE_RECORD = "remove_record"
"""The audit action of a record removed by an admin (the request's state stays)."""


class Outcome(StrEnum):
    """What the reply letter says; set by the transition that decides it."""

    CREATED = "created"
    EXISTS = "exists"
    ADVICE = "advice"
    DECLINED = "declined"
    CHANGED = "changed"
    CHANGE_ADVICE = "change_advice"
    CHANGE_DECLINED = "change_declined"
    REMOVED = "removed"
    REMOVAL_ADVICE = "removal_advice"
    REMOVAL_DECLINED = "removal_declined"
    SUSPENDED = "suspended"


class Effect(StrEnum):
    """Work a transition stands for beyond moving the request (done by the office service
    before the state moves; when it fails, nothing moves)."""

    DNS_CHECK = "dns_check"  # ask the authoritative servers; the result goes into the audit
    RECORD_PLAN = "record_plan"  # fix the exact records that approval means
    CREATE_RECORD = "create_record"  # create (or verify) the records on the DNS server
    CHANGE_RECORD = "change_record"  # replace the register's records by the new target's,
    # only while the name holds what the register says (RFC 2136 prerequisites)
    DELETE_RECORD = "delete_record"  # delete the records the register says are ours, only
    # while the name still holds exactly them
    SUSPEND_RECORD = "suspend_record"  # point the name away or delete it (RECONFIRM_SUSPEND)
    DRAFT_LETTER = "draft_letter"  # the KONSEP of the reply letter, for the step's holder
    ISSUE_LETTER = "issue_letter"  # number, render and register the signed letter; deliver it
    RECORD_RECEIPT = "record_receipt"  # the requester has the letter
    PRINT_LETTER = "print_letter"  # number, render and register the letter to sign by hand;
    # the staff get the PDF to print (never the requester)
    DELIVER_SCAN = "deliver_scan"  # the uploaded scan becomes the delivered letter


RECORD_EFFECTS: tuple[Effect, ...] = (Effect.CREATE_RECORD, Effect.CHANGE_RECORD,
                                      Effect.DELETE_RECORD, Effect.SUSPEND_RECORD)
"""The DNS work of a request kind's creation step (one of them per kind)."""


class Ask(StrEnum):
    """What a transition needs from the person beyond a note (asked after the note)."""

    NOTHING = "nothing"
    PASSPHRASE = "passphrase"
    """The signatory's certificate passphrase (BSrE), asked in their private chat; the message
    is deleted at once and the passphrase is never stored."""
    SCAN = "scan"
    """The scan (PDF) of the printed letter, signed by hand and stamped."""
    LETTER_NUMBER = "letter_number"
    """The number from the agenda book or SRIKANDI (asked instead of a note)."""
    REVISION = "revision"
    """New texts for the letter's variable parts (asked instead of a note)."""


SIGNING_ASKS = (Ask.PASSPHRASE, Ask.SCAN)
"""What is asked after the note, to sign or to deliver the signed letter."""


class Card(StrEnum):
    """What a step's card shows beyond the request itself (the office service gathers the
    facts, the composer only prints them)."""

    DNS_CHECK = "dns_check"  # a fresh check of the name at the authoritative servers
    LAST_DNS_CHECK = "last_dns_check"  # the result the staff reported at the check step
    RECORD_PLAN = "record_plan"  # the exact records approval means
    CREATION_HINT = "creation_hint"  # what the create button does with this DNS provider
    RECHECK_BUTTON = "recheck_button"  # "Cek ulang DNS" for the step's holder
    DRAFT = "draft"  # the KONSEP of the reply letter instead of the request letter


class Note(StrEnum):
    NONE = "none"
    OPTIONAL = "optional"
    REQUIRED = "required"


class Instruction(StrEnum):
    """Standard disposition instructions of a lembar disposisi."""

    FOLLOW_UP = "Tindak lanjuti"
    STUDY_AND_REPORT = "Pelajari dan laporkan"
    COORDINATE = "Koordinasikan"
    FOR_INFORMATION = "Untuk diketahui"


@dataclass(frozen=True)
class Position:
    key: RoleKey
    title: str  # Indonesian, as the SOP writes it
    superior: RoleKey | None = None
    """Who an overdue step of this position escalates to (None: the admins)."""
    assigned: bool = False
    """Its steps belong to the one member chosen by an `assigns` transition (the staff)."""
    requester: bool = False
    """The requesting agency's contact: derived from the request, never a stored position."""
    admin: bool = False
    """Appoints acting officials and receives escalations nobody else can take."""


@dataclass(frozen=True)
class Transition:
    action: ActionKey
    to: StateKey
    label: str  # the button text, Indonesian
    role: RoleKey | None = None  # None: the step's own role
    note: Note = Note.OPTIONAL
    outcome: Outcome | None = None
    instructions: tuple[Instruction, ...] = ()
    """Choices offered with the action (the disposition instructions)."""
    assigns: RoleKey | None = None
    """The actor chooses the member of this (assigned) position who does the next steps."""
    tell_requester: bool = False
    """The requester hears of this transition (internal hand-overs only move the group card)."""
    any_version: bool = False
    """The button stays valid while the request moves on (the requester's withdrawal)."""
    is_task: bool = True
    """Counts as work waiting for the role (/tugas, reminders); an option like withdrawal not."""
    effects: tuple[Effect, ...] = ()
    done_label: str = ""
    """What happened, for the trail and the requester ("Didisposisikan"); default: the label."""
    asks: Ask = Ask.NOTHING
    """What the actor gives beyond a note: typed input kept in the audit row's details
    (a letter number, a revision), or what signing needs (a passphrase, a scan)."""
    signs: bool = False
    """The actor approves the letter as its signatory: the letter's date is this day."""
    paraf: bool = False
    """The actor's electronic approval is their paraf on the KONSEP (Kasi, Kabid)."""
    confirm_label: str = ""
    """The card's button that takes the action without a note once pressed (the confirmation,
    e.g. of signing); default "Lewati"."""

    @property
    def done(self) -> str:
        return self.done_label or self.label


@dataclass(frozen=True)
class Step:
    state: StateKey
    number: int
    role: RoleKey
    label: str  # what the request is in, e.g. "Disposisi Kepala Dinas"
    short_label: str  # for lists and charts, e.g. "Disposisi Kadis"
    activity: str  # the SOP's "Kegiatan", Indonesian
    input: str  # Mutu Baku "Kelengkapan"
    standard_time: Duration  # Mutu Baku "Waktu" (the office's own where the SOP sets none)
    output: str  # Mutu Baku "Output"
    transitions: tuple[Transition, ...]
    card: tuple[Card, ...] = ()
    on_enter: tuple[Effect, ...] = ()
    """Work done by every transition that enters this step."""
    sop_time: bool = True
    """False where the SOP sets no standard time and the table's is the office's choice."""
    base: StateKey = ""
    """The step of the table this one is a request kind's variant of ("": itself)."""

    def transition(self, action: ActionKey) -> Transition | None:
        return next((t for t in self.transitions if t.action == action), None)

    def acting_role(self, transition: Transition) -> RoleKey:
        return transition.role or self.role


@dataclass(frozen=True)
class Ending:
    """A final state and how it reads."""

    state: StateKey
    label: str
    tells_note: bool = False
    """The closing note (the reason) is repeated when the request is announced as ended."""


# --- refusals -------------------------------------------------------------------------------


class WorkflowError(Exception):
    """A refused action; `message_id` is the Indonesian sentence to show the user."""

    def __init__(self, message_id: str) -> None:
        super().__init__(message_id)
        self.message_id = message_id


class RequestClosed(WorkflowError):
    pass


class NotYourStep(WorkflowError):
    pass


class ActionNotAllowed(WorkflowError):
    pass


class BadNote(WorkflowError):
    pass


@dataclass(frozen=True)
class Actor:
    """Who wants to act: the positions they hold today (acting ones included)."""

    person_id: int
    positions: frozenset[RoleKey]
    is_requester: bool = False
    """True when this person is the contact of the request's agency (their requester role)."""
    requester_role: RoleKey = Role.SKPD

    @property
    def is_office(self) -> bool:
        """Holds a position in the office today (officials, staff, admins)."""
        return bool(self.positions - {self.requester_role})

    @property
    def roles(self) -> frozenset[RoleKey]:
        return self.positions | ({self.requester_role} if self.is_requester else set())


@dataclass(frozen=True)
class Decision:
    step: Step
    transition: Transition
    role: RoleKey  # the role the actor used
    note: str | None
    entered: Step | None  # the step the request moves into (None: a final state)

    @property
    def to(self) -> StateKey:
        return self.transition.to

    @property
    def effects(self) -> frozenset[Effect]:
        """The transition's own work and that of the step it enters."""
        return frozenset(self.transition.effects) | frozenset(
            self.entered.on_enter if self.entered else ())


def clean_note(raw: str | None, rule: Note) -> str | None:
    note = (raw or "").strip() or None
    if rule is Note.REQUIRED and note is None:
        raise BadNote("Tindakan ini memerlukan catatan. Mohon tuliskan alasannya.")
    if rule is Note.NONE:
        return None
    if note is not None and len(note) > NOTE_MAX_CHARS:
        raise BadNote(
            f"Catatan terlalu panjang ({len(note)} karakter). "
            f"Mohon ringkas menjadi paling banyak {NOTE_MAX_CHARS} karakter."
        )
    return note



# --- request kinds: variants of the table ------------------------------------------------------


@dataclass(frozen=True)
class StepText:
    """A request kind's own words for one step (None: the table's)."""

    label: str | None = None
    short_label: str | None = None
    activity: str | None = None
    input: str | None = None
    output: str | None = None


@dataclass(frozen=True)
class TransitionEdit:
    """A request kind's edit of one transition: its words, where it leads, or its removal."""

    label: str | None = None
    done_label: str | None = None
    to: StateKey | None = None
    drop: bool = False
    no_outcome: bool = False
    """The transition decides no letter in this kind (it only closes the request)."""


@dataclass(frozen=True)
class RequestKind:
    """What a request asks for (pembuatan, perubahan, penonaktifan, …) as a variant of the
    table: the same chain of dispositions under its own state names (`prefix`), with its own
    words, its own DNS work at the creation step (`record`) and its own letters (`outcomes`
    map the table's outcomes to this kind's letter templates)."""

    key: str
    label: str
    """As the requester picks it and lists show it ("Perubahan")."""
    subject: str
    """What the request asks, in a sentence ("perubahan subdomain")."""
    record: Effect = Effect.CREATE_RECORD
    prefix: str = ""
    """Its states are the table's with this prefix ("": the table's own)."""
    steps: Mapping[StateKey, StepText] = dataclasses.field(default_factory=dict)
    transitions: Mapping[tuple[StateKey, ActionKey], TransitionEdit] = dataclasses.field(
        default_factory=dict)
    extra: Mapping[StateKey, tuple[Transition, ...]] = dataclasses.field(default_factory=dict)
    """Transitions this kind adds to a step (their `to` names the table's state)."""
    outcomes: Mapping[Outcome, Outcome] = dataclasses.field(default_factory=dict)
    drops: frozenset[StateKey] = frozenset()
    """Steps of the table this kind skips (transitions into them are dropped as well)."""
    initial: StateKey | None = None
    """Where it starts (None: where the table starts)."""
    owned: bool = False
    """It concerns a name the register says the requester's agency owns."""
    new_target: bool = True
    """The requester gives a target (a new one, for a change)."""
    filed_by_office: bool = False
    """The office opens it (the re-confirmation), never offered in /ajukan."""

    def state(self, base: StateKey, known: frozenset[StateKey]) -> StateKey:
        """This kind's name of the table's `base` state (endings are shared)."""
        return f"{self.prefix}{base}" if base in known and base not in self.drops else base


def _variant(steps: tuple[Step, ...], kind: RequestKind,
             initial: StateKey) -> tuple[Step, ...]:
    """The table's `steps` as `kind` runs them (those it can reach from where it starts)."""
    known = frozenset(s.state for s in steps)
    out: list[Step] = []
    for step in steps:
        if step.state in kind.drops:
            continue
        text = kind.steps.get(step.state, StepText())
        moved: list[Transition] = []
        for t in (*step.transitions, *kind.extra.get(step.state, ())):
            edit = kind.transitions.get((step.state, t.action), TransitionEdit())
            to = edit.to or t.to
            if edit.drop or to in kind.drops:
                continue
            outcome = None if edit.no_outcome else (
                kind.outcomes.get(t.outcome, t.outcome) if t.outcome else None)
            moved.append(dataclasses.replace(
                t, to=kind.state(to, known), label=edit.label or t.label,
                done_label=edit.done_label or t.done_label, outcome=outcome,
                effects=tuple(kind.record if e == Effect.CREATE_RECORD else e
                              for e in t.effects)))
        out.append(dataclasses.replace(
            step, state=kind.state(step.state, known), base=step.base or step.state,
            label=text.label or step.label, short_label=text.short_label or step.short_label,
            activity=text.activity or step.activity, input=text.input or step.input,
            output=text.output or step.output, transitions=tuple(moved)))
    by_state = {s.state: s for s in out}
    first = kind.state(kind.initial or initial, known)
    seen, frontier = {first}, [first]
    while frontier:
        found = by_state.get(frontier.pop())
        for t in found.transitions if found else ():
            if t.to not in seen:
                seen.add(t.to)
                frontier.append(t.to)
    return tuple(s for s in out if s.state in seen)


PEMBUATAN = "pembuatan"
"""The table's own kind: a new subdomain."""
NEW_KIND = RequestKind(PEMBUATAN, "Pembuatan baru", "pembuatan subdomain")


# --- the table as a value -------------------------------------------------------------------


@dataclass(frozen=True)
class Workflow:
    """One SOP: its positions, steps and endings, and every question asked of them."""

    positions: tuple[Position, ...]
    steps: tuple[Step, ...]
    endings: tuple[Ending, ...]
    initial: StateKey
    event_labels: Mapping[ActionKey, str] = dataclasses.field(default_factory=lambda: {
        SUBMIT: "Permohonan diajukan", REMOVE_RECORD: "Rekaman DNS dihapus"})
    """How the audit events that are no transition of the table read."""
    kinds: tuple[RequestKind, ...] = (NEW_KIND,)
    """What a request may ask for; the first is the table's own (no prefix). The others
    run as variants of `steps` (see `RequestKind`), which `every_step` holds."""

    def __post_init__(self) -> None:
        if not self.kinds or self.kinds[0].prefix:
            raise ValueError("the first request kind must be the table's own (no prefix)")
        every = self.steps + tuple(
            s for kind in self.kinds[1:] for s in _variant(self.steps, kind, self.initial))
        object.__setattr__(self, "every_step", every)
        keys = {p.key for p in self.positions}
        states = [s.state for s in every] + [e.state for e in self.endings]
        if len(set(states)) != len(states):
            raise ValueError("a state appears twice in the table")
        if self.initial not in states:
            raise ValueError(f"initial state {self.initial!r} has no row")
        for kind in self.kinds:
            if self.initial_for(kind.key) not in states:
                raise ValueError(f"kind {kind.key!r} starts in a state without a row")
        for step in every:
            for t in step.transitions:
                if t.to not in states:
                    raise ValueError(f"{step.state}: {t.action} leads to unknown {t.to!r}")
                for role in (step.acting_role(t), t.assigns):
                    if role is not None and role not in keys:
                        raise ValueError(f"{step.state}: unknown position {role!r}")
        if sum(p.requester for p in self.positions) != 1:
            raise ValueError("exactly one position must be the requester")

    # positions

    def position(self, key: RoleKey) -> Position:
        found = next((p for p in self.positions if p.key == key), None)
        if found is None:
            raise KeyError(key)
        return found

    def title(self, key: RoleKey) -> str:
        return self._titles.get(key, key)

    # Lookups by key, built once per table (the monthly report asks them per audit event).

    @functools.cached_property
    def _titles(self) -> Mapping[RoleKey, str]:
        found: dict[RoleKey, str] = {}
        for p in self.positions:
            found.setdefault(p.key, p.title)
        return found

    @functools.cached_property
    def _by_state(self) -> Mapping[StateKey, Step]:
        return {s.state: s for s in self.every_step}  # states are unique (checked above)

    @functools.cached_property
    def _labels(self) -> Mapping[StateKey, str]:
        return {**{e.state: e.label for e in self.endings}, **{s.state: s.label
                                                               for s in self.every_step}}

    @functools.cached_property
    def _done(self) -> Mapping[ActionKey, str]:
        found: dict[ActionKey, str] = {}
        for s in self.every_step:  # the base table first: its words win
            for t in s.transitions:
                found.setdefault(t.action, t.done)
        return {**found, **self.event_labels}

    @functools.cached_property
    def _numbered(self) -> Mapping[int, tuple[Step, ...]]:
        found: dict[int, list[Step]] = {}
        for s in self.every_step:
            found.setdefault(s.number, []).append(s)
        return {n: tuple(rows) for n, rows in found.items()}

    @property
    def requester(self) -> RoleKey:
        return next(p.key for p in self.positions if p.requester)

    @property
    def admin(self) -> RoleKey:
        return next(p.key for p in self.positions if p.admin)

    @property
    def signatory(self) -> RoleKey | None:
        """The position that signs the office's letters: who acts on the first transition
        that `signs` (None where nothing signs). Asked instead of "the step with the KONSEP",
        which under manual numbering may be the secretariat's."""
        return next((s.acting_role(t) for s in self.steps for t in s.transitions if t.signs),
                    None)

    @property
    def signers(self) -> frozenset[RoleKey]:
        """Every position that signs letters (its transitions `signs`, or ask a passphrase)."""
        return frozenset(s.acting_role(t) for s in self.steps for t in s.transitions
                         if t.signs or t.asks == Ask.PASSPHRASE)

    @property
    def office_positions(self) -> tuple[RoleKey, ...]:
        """Positions held in the office (stored), the requester's excluded."""
        return tuple(p.key for p in self.positions if not p.requester)

    @property
    def officials(self) -> tuple[RoleKey, ...]:
        """Positions that act on steps (not the requester, not the admin)."""
        return tuple(p.key for p in self.positions if not (p.requester or p.admin))

    def superior(self, key: RoleKey) -> RoleKey | None:
        return self.position(key).superior

    def is_assigned(self, key: RoleKey) -> bool:
        found = next((p for p in self.positions if p.key == key), None)
        return bool(found and found.assigned)

    # states

    every_step: tuple[Step, ...] = dataclasses.field(init=False, repr=False, compare=False)
    """The table's steps and every request kind's variants of them."""

    def step(self, state: StateKey) -> Step | None:
        return self._by_state.get(state)

    def ending(self, state: StateKey) -> Ending | None:
        return next((e for e in self.endings if e.state == state), None)

    @property
    def open_states(self) -> tuple[StateKey, ...]:
        return tuple(s.state for s in self.every_step)

    @property
    def final_states(self) -> frozenset[StateKey]:
        return frozenset(e.state for e in self.endings)

    def label(self, state: StateKey) -> str:
        return self._labels.get(state, state)

    def short_label(self, state: StateKey) -> str:
        step = self.step(state)
        return step.short_label if step else self.label(state)

    def knows_action(self, action: ActionKey) -> bool:
        return any(t.action == action for s in self.every_step for t in s.transitions)

    def action_label(self, action: ActionKey, from_state: StateKey | None = None, *,
                     kind: str | None = None) -> str:
        """What an audited action did ("Didisposisikan"), for trails and messages; taken from
        the step it was done at (`from_state`), else from the request `kind`'s steps, since a
        kind's variant words it its own way ("Rekaman DNS diubah")."""
        if action in self.event_labels:
            return self.event_labels[action]
        step = self.step(from_state) if from_state else None
        made = step.transition(action) if step else None
        if made is None and kind is not None and kind in {k.key for k in self.kinds}:
            prefix = self.kind(kind).prefix
            made = next((t for s in self.every_step if prefix and s.state.startswith(prefix)
                         for t in s.transitions if t.action == action), None)
        if made is not None:
            return made.done
        return self._done.get(action, action)

    @property
    def numbers(self) -> tuple[int, ...]:
        return tuple(sorted({s.number for s in self.every_step}))

    def steps_numbered(self, number: int) -> tuple[Step, ...]:
        return self._numbered.get(number, ())

    def standard_time(self, number: int) -> Duration:
        """The standard time of step `number` (the first row with that number)."""
        return self.steps_numbered(number)[0].standard_time

    def with_standard_times(self, overrides: Mapping[StateKey, Duration]) -> Workflow:
        """The table with standard times replaced by state name (the STANDARD_TIMES setting)."""
        unknown = set(overrides) - {s.state for s in self.steps}
        if unknown:
            raise ValueError(f"no step for state(s) {', '.join(sorted(unknown))}; known: "
                             f"{', '.join(s.state for s in self.steps)}")
        if not overrides:
            return self
        return dataclasses.replace(self, steps=tuple(
            dataclasses.replace(s, standard_time=overrides[s.state], sop_time=False)
            if s.state in overrides else s for s in self.steps))

    # request kinds

    def kind(self, key: str | None) -> RequestKind:
        """The request kind `key` (None: the table's own)."""
        if key is None:
            return self.kinds[0]
        found = next((k for k in self.kinds if k.key == key), None)
        if found is None:
            raise KeyError(key)
        return found

    def initial_for(self, key: str | None) -> StateKey:
        """Where a request of kind `key` starts."""
        kind = self.kind(key)
        known = frozenset(s.state for s in self.steps)
        return kind.state(kind.initial or self.initial, known)

    @property
    def filing_kinds(self) -> tuple[RequestKind, ...]:
        """The kinds a requester may ask for, in the order /ajukan offers them."""
        return tuple(k for k in self.kinds if not k.filed_by_office)

    def kind_of_state(self, state: StateKey) -> RequestKind:
        """The kind whose variant of the table `state` belongs to (shared states and the
        table's own: the first kind)."""
        return next((k for k in self.kinds[1:] if k.prefix and state.startswith(k.prefix)),
                    self.kinds[0])

    # who may do what

    def transitions_for(self, state: StateKey, role: RoleKey) -> tuple[Transition, ...]:
        """The actions a holder of `role` can take on a request in `state` (the buttons)."""
        step = self.step(state)
        if step is None:
            return ()
        return tuple(t for t in step.transitions if step.acting_role(t) == role)

    def roles_to_notify(self, state: StateKey) -> tuple[RoleKey, ...]:
        """The roles that hold a pending action in `state`, the step's own role first."""
        step = self.step(state)
        if step is None:
            return ()
        roles = [step.role]
        roles += [r for t in step.transitions if (r := step.acting_role(t)) not in roles]
        return tuple(roles)

    def holder_role(self, step: Step) -> RoleKey:
        """The office role answerable for a step (where the requester acts: the next one)."""
        return next(r for r in self.roles_to_notify(step.state) if r != self.requester)

    def has_task(self, state: StateKey, role: RoleKey) -> bool:
        return any(t.is_task for t in self.transitions_for(state, role))

    def may_act(self, state: StateKey, actor: Actor, assignee_id: int | None) -> bool:
        """Does `actor` hold work (not only options) on a request in `state` now?"""
        return any(self.has_task(state, role) and self._owns(role, actor, assignee_id)
                   for role in actor.roles)

    def _owns(self, role: RoleKey, actor: Actor, assignee_id: int | None) -> bool:
        """An assigned position's step belongs to the assigned member only."""
        return not self.is_assigned(role) or assignee_id in (None, actor.person_id)

    def next_role(self, transition: Transition) -> RoleKey | None:
        """Who receives the request after `transition` (the step it enters)."""
        entered = self.step(transition.to)
        return entered.role if entered else None

    def decide(self, state: StateKey, action: ActionKey, actor: Actor,
               note: str | None = None, *, assignee_id: int | None = None) -> Decision:
        """May `actor` take `action` on a request in `state` now? The decision, or raises.

        `assignee_id` is the member chosen by an `assigns` transition; the assigned
        position's steps then belong to that person only."""
        step = self.step(state)
        if step is None:
            raise RequestClosed("Permohonan ini sudah selesai; tidak ada tindakan lagi.")
        candidates = [t for t in step.transitions if t.action == action]
        if not candidates:
            raise ActionNotAllowed("Tindakan ini tidak tersedia pada tahap sekarang.")
        for transition in candidates:
            role = step.acting_role(transition)
            if role not in actor.roles:
                continue
            if not self._owns(role, actor, assignee_id):
                raise NotYourStep("Tahap ini ditugaskan kepada staf lain.")
            return Decision(step, transition, role, clean_note(note, transition.note),
                            self.step(transition.to))
        raise NotYourStep("Tahap ini menjadi kewenangan "
                          f"{self.title(step.role)}.")

    # self-description

    def reachable_states(self, start: StateKey | None = None) -> set[StateKey]:
        """The states a request can reach from `start` (None: from where each kind starts)."""
        firsts = ([self.initial_for(k.key) for k in self.kinds] if start is None else [start])
        seen = set(firsts)
        frontier = list(firsts)
        while frontier:
            step = self.step(frontier.pop())
            for t in step.transitions if step else ():
                if t.to not in seen:
                    seen.add(t.to)
                    frontier.append(t.to)
        return seen

    def all_states(self) -> Iterator[StateKey]:
        yield from self.open_states
        yield from (e.state for e in self.endings)

    def to_mermaid(self) -> str:
        lines = ["stateDiagram-v2", f"    [*] --> {self.initial}"]
        for step in self.steps:
            lines.append(f"    {step.state} : {step.number}. {self.title(step.role)} "
                         f"({time_label(step)})")
            lines += [f"    {step.state} --> {t.to} : {t.label}" for t in step.transitions]
        lines += [f"    {e.state} --> [*]" for e in self.endings]
        return "\n".join(lines)

    def to_markdown_table(self) -> str:
        rows = ["| # | Pelaksana | Kegiatan | Waktu | Output | Tindakan → tahap berikut |",
                "|---|---|---|---|---|---|"]
        for s in self.steps:
            nexts = "; ".join(f"{t.label} → {t.to}" for t in s.transitions)
            rows.append(f"| {s.number} | {self.title(s.role)} | {s.activity} | "
                        f"{time_label(s)} | {s.output} | {nexts} |")
        return "\n".join(rows)


def time_label(step: Step) -> str:
    """A step's standard time as the SOP writes it ("15 menit", "1 hari kerja")."""
    return step.standard_time.label_id


# --- the SOP of this office -----------------------------------------------------------------

POSITIONS: tuple[Position, ...] = (
    Position(Role.KEPALA_DINAS, "Kepala Dinas"),
    Position(Role.KABID, "Kepala Bidang Layanan e-Government", superior=Role.KEPALA_DINAS),
    Position(Role.KASI, "Kepala Seksi Pengembangan Aplikasi Pemerintahan",
             superior=Role.KABID),
    Position(Role.STAF_PRAKOM, "Staf Pranata Komputer", superior=Role.KASI, assigned=True),
    Position(Role.ADMIN, "Admin", admin=True),
    Position(Role.SKPD, "Pemohon (Perangkat Daerah)", requester=True),
)


def _back(to: State) -> Transition:
    return Transition(Action.RETURN, to, "Kembalikan", note=Note.REQUIRED,
                      done_label="Dikembalikan ke tahap sebelumnya")


_WITHDRAW = Transition(
    Action.WITHDRAW, State.WITHDRAWN, "Tarik permohonan", role=Role.SKPD, note=Note.OPTIONAL,
    tell_requester=True, any_version=True, is_task=False, done_label="Permohonan ditarik",
)
_OFFICE_DAY = WorkDays(1)
"""Steps 8 and 9 have no standard time in the SOP; the office's is one working day
(settings may change it: STANDARD_TIMES=letter_signoff=2d,…)."""

STEPS: tuple[Step, ...] = (
    Step(
        State.DISPOSITION_HEAD, 1, Role.KEPALA_DINAS,
        "Disposisi Kepala Dinas", "Disposisi Kadis",
        "Mendisposisikan surat permohonan pembuatan subdomain dari Perangkat Daerah",
        "Surat permohonan sub domain", WorkMinutes(15), "Disposisi",
        (
            Transition(Action.DISPOSE, State.DISPOSITION_KABID, "Disposisi ke Kabid",
                       instructions=tuple(Instruction), done_label="Didisposisikan"),
            Transition(Action.DECLINE, State.DECLINED, "Tolak permohonan",
                       note=Note.REQUIRED, outcome=Outcome.DECLINED, tell_requester=True,
                       effects=(Effect.ISSUE_LETTER,), signs=True, done_label="Ditolak"),
            _WITHDRAW,
        ),
    ),
    Step(
        State.DISPOSITION_KABID, 2, Role.KABID,
        "Disposisi Kabid Layanan e-Government", "Disposisi Kabid",
        "Menindaklanjuti surat permohonan pembuatan sub domain, mendisposisi ke Kasi",
        "Disposisi", WorkMinutes(15), "Disposisi",
        (
            Transition(Action.DISPOSE, State.ORDER_CHECK, "Disposisi ke Kasi",
                       instructions=tuple(Instruction), done_label="Didisposisikan"),
            _back(State.DISPOSITION_HEAD),
            _WITHDRAW,
        ),
    ),
    Step(
        State.ORDER_CHECK, 3, Role.KASI,
        "Perintah pengecekan oleh Kasi", "Perintah cek",
        "Memerintahkan staf prakom untuk mengecek sub domain",
        "Disposisi", WorkMinutes(15), "Disposisi",
        (
            Transition(Action.ORDER_CHECK, State.TECHNICAL_CHECK, "Perintahkan pengecekan",
                       assigns=Role.STAF_PRAKOM, done_label="Diperintahkan pengecekan"),
            _back(State.DISPOSITION_KABID),
            _WITHDRAW,
        ),
    ),
    Step(
        State.TECHNICAL_CHECK, 4, Role.STAF_PRAKOM,
        "Pengecekan teknis oleh Staf Prakom", "Cek teknis",
        "Memberikan laporan ke Kasi tentang teknis pembuatan sub domain",
        "Disposisi", WorkDays(1), "Bahan laporan",
        (
            Transition(Action.SUBMIT_CHECK, State.REPORT_TO_KABID, "Kirim laporan teknis",
                       effects=(Effect.DNS_CHECK,), done_label="Laporan teknis dikirim"),
            _back(State.ORDER_CHECK),
            _WITHDRAW,
        ),
        card=(Card.DNS_CHECK, Card.RECHECK_BUTTON),
    ),
    Step(
        State.REPORT_TO_KABID, 5, Role.KASI,
        "Laporan Kasi kepada Kabid", "Laporan Kasi",
        "Membuat laporan kepada Kabid",
        "Disposisi", WorkMinutes(60), "Konsep laporan, disposisi",
        (
            Transition(Action.SUBMIT_REPORT, State.DECISION, "Kirim laporan ke Kabid",
                       paraf=True, done_label="Laporan dikirim ke Kabid"),
            _back(State.TECHNICAL_CHECK),
            _WITHDRAW,
        ),
        card=(Card.LAST_DNS_CHECK,),
    ),
    Step(
        State.DECISION, 6, Role.KABID,
        "Pemeriksaan dan keputusan Kabid", "Keputusan Kabid",
        "Memeriksa laporan; jika setuju memerintahkan staf prakom membuat subdomain, jika tidak "
        "membuat surat balasan bahwa subdomain sudah tersedia dengan nama pengguna dan kata sandi "
        "yang ada",
        "Agenda kerja", WorkMinutes(20), "Laporan",
        (
            Transition(Action.APPROVE, State.CREATION, "Setujui pembuatan", tell_requester=True,
                       effects=(Effect.RECORD_PLAN,), paraf=True,
                       done_label="Disetujui untuk dibuat"),
            Transition(Action.REJECT_EXISTS, State.LETTER_SIGNOFF, "Subdomain sudah ada",
                       outcome=Outcome.EXISTS, tell_requester=True, paraf=True,
                       done_label="Subdomain telah tersedia sebelumnya"),
            # The note is the advice itself: the advice letter cannot go out without it.
            Transition(Action.REJECT_ADVICE, State.LETTER_SIGNOFF, "Beri saran teknis",
                       note=Note.REQUIRED, outcome=Outcome.ADVICE, tell_requester=True,
                       paraf=True, done_label="Diberi saran teknis"),
            _back(State.REPORT_TO_KABID),
        ),
        card=(Card.LAST_DNS_CHECK, Card.RECORD_PLAN),
    ),
    Step(
        State.CREATION, 7, Role.STAF_PRAKOM,
        "Pembuatan subdomain oleh Staf Prakom", "Pembuatan",
        "Staf prakom membuat sub domain",
        "Server", WorkMinutes(60), "Proses",
        (
            Transition(Action.CONFIRM_CREATED, State.LETTER_SIGNOFF, "Buat subdomain",
                       outcome=Outcome.CREATED, tell_requester=True,
                       effects=(Effect.CREATE_RECORD,), done_label="Subdomain dibuat"),
            _back(State.DECISION),
        ),
        card=(Card.RECORD_PLAN, Card.CREATION_HINT),
    ),
    Step(
        State.LETTER_SIGNOFF, 8, Role.KEPALA_DINAS,
        "Persetujuan surat balasan", "Tanda tangan",
        "Menyetujui dan menandatangani surat balasan bahwa sub domain sudah ada atau saran "
        "teknis lainnya",
        "Agenda kerja", _OFFICE_DAY, "Surat keluar",
        (
            Transition(Action.SIGN, State.DELIVERY, "Setujui dan tandatangani",
                       effects=(Effect.ISSUE_LETTER,), signs=True,
                       confirm_label="Ya, tandatangani",
                       done_label="Surat balasan ditandatangani"),
            Transition(Action.REVISE, State.LETTER_REVISION, "Perbaiki", note=Note.REQUIRED,
                       done_label="Konsep surat dikembalikan untuk diperbaiki"),
        ),
        card=(Card.DRAFT,),
        on_enter=(Effect.DRAFT_LETTER,),
        sop_time=False,
    ),
    Step(
        State.LETTER_REVISION, 8, Role.STAF_PRAKOM,
        "Perbaikan konsep surat balasan", "Perbaikan konsep",
        "Memperbaiki konsep surat balasan sesuai catatan penandatangan",
        "Agenda kerja", _OFFICE_DAY, "Konsep surat keluar",
        (
            Transition(Action.RESUBMIT, State.LETTER_SIGNOFF, "Ajukan kembali konsep",
                       asks=Ask.REVISION, done_label="Konsep surat diajukan kembali"),
        ),
        sop_time=False,
    ),
    Step(
        State.DELIVERY, 9, Role.SKPD,
        "Penyampaian surat balasan", "Penyampaian",
        "Surat balasan disampaikan kepada Perangkat Daerah pemohon",
        "Agenda kerja", _OFFICE_DAY, "Surat keluar, laporan",
        (
            Transition(Action.CONFIRM_RECEIPT, State.COMPLETED, "Diterima", note=Note.NONE,
                       tell_requester=True, effects=(Effect.RECORD_RECEIPT,),
                       done_label="Surat balasan diterima"),
            Transition(Action.CONFIRM_RECEIPT, State.COMPLETED, "Tandai sudah diterima",
                       role=Role.STAF_PRAKOM, note=Note.OPTIONAL, tell_requester=True,
                       effects=(Effect.RECORD_RECEIPT,), done_label="Surat balasan diterima"),
        ),
        sop_time=False,
    ),
)

ENDINGS: tuple[Ending, ...] = (
    Ending(State.COMPLETED, "Selesai"),
    Ending(State.DECLINED, "Ditolak", tells_note=True),
    Ending(State.WITHDRAWN, "Ditarik oleh pemohon", tells_note=True),
)

# The other request kinds Permenkominfo 5/2015 names, and the office's own suspension after an
# unanswered re-confirmation: the same chain of dispositions, their own words and letters.
CHANGE_KIND = RequestKind(
    "perubahan", "Perubahan", "perubahan subdomain", record=Effect.CHANGE_RECORD,
    prefix="perubahan_", owned=True,
    outcomes={Outcome.CREATED: Outcome.CHANGED, Outcome.ADVICE: Outcome.CHANGE_ADVICE,
              Outcome.DECLINED: Outcome.CHANGE_DECLINED},
    steps={
        State.DISPOSITION_HEAD: StepText(
            activity="Mendisposisikan surat permohonan perubahan subdomain dari Perangkat "
                     "Daerah", input="Surat permohonan perubahan subdomain"),
        State.DISPOSITION_KABID: StepText(
            activity="Menindaklanjuti surat permohonan perubahan subdomain, mendisposisi ke "
                     "Kasi"),
        State.ORDER_CHECK: StepText(
            activity="Memerintahkan staf prakom untuk mengecek subdomain dan alamat tujuan "
                     "barunya"),
        State.TECHNICAL_CHECK: StepText(
            activity="Memberikan laporan ke Kasi tentang teknis perubahan subdomain"),
        State.DECISION: StepText(
            activity="Memeriksa laporan; jika setuju memerintahkan staf prakom mengubah data "
                     "DNS subdomain, jika tidak memberi saran teknis"),
        State.CREATION: StepText(
            label="Perubahan subdomain oleh Staf Prakom", short_label="Perubahan",
            activity="Staf prakom mengubah data DNS subdomain"),
    },
    transitions={
        (State.DECISION, Action.APPROVE): TransitionEdit(
            label="Setujui perubahan", done_label="Disetujui untuk diubah"),
        (State.DECISION, Action.REJECT_EXISTS): TransitionEdit(drop=True),
        (State.CREATION, Action.CONFIRM_CREATED): TransitionEdit(
            label="Ubah rekaman DNS", done_label="Rekaman DNS diubah"),
    },
)
REMOVAL_KIND = RequestKind(
    "penonaktifan", "Penonaktifan", "penonaktifan subdomain", record=Effect.DELETE_RECORD,
    prefix="penonaktifan_", owned=True, new_target=False,
    outcomes={Outcome.CREATED: Outcome.REMOVED, Outcome.ADVICE: Outcome.REMOVAL_ADVICE,
              Outcome.DECLINED: Outcome.REMOVAL_DECLINED},
    steps={
        State.DISPOSITION_HEAD: StepText(
            activity="Mendisposisikan surat permohonan penonaktifan subdomain dari Perangkat "
                     "Daerah", input="Surat permohonan penonaktifan subdomain"),
        State.DISPOSITION_KABID: StepText(
            activity="Menindaklanjuti surat permohonan penonaktifan subdomain, mendisposisi "
                     "ke Kasi"),
        State.ORDER_CHECK: StepText(
            activity="Memerintahkan staf prakom untuk mengecek subdomain yang akan "
                     "dinonaktifkan"),
        State.TECHNICAL_CHECK: StepText(
            activity="Memberikan laporan ke Kasi tentang teknis penonaktifan subdomain"),
        State.DECISION: StepText(
            activity="Memeriksa laporan; jika setuju memerintahkan staf prakom menghapus "
                     "rekaman DNS subdomain, jika tidak memberi saran teknis"),
        State.CREATION: StepText(
            label="Penonaktifan subdomain oleh Staf Prakom", short_label="Penonaktifan",
            activity="Staf prakom menghapus rekaman DNS subdomain"),
    },
    transitions={
        (State.DECISION, Action.APPROVE): TransitionEdit(
            label="Setujui penonaktifan", done_label="Disetujui untuk dinonaktifkan"),
        (State.DECISION, Action.REJECT_EXISTS): TransitionEdit(drop=True),
        (State.CREATION, Action.CONFIRM_CREATED): TransitionEdit(
            label="Hapus rekaman DNS", done_label="Rekaman DNS dihapus"),
    },
)
SUSPENSION_KIND = RequestKind(
    "penangguhan", "Penangguhan", "penangguhan subdomain", record=Effect.SUSPEND_RECORD,
    prefix="penangguhan_", new_target=False, filed_by_office=True,
    initial=State.DECISION,
    drops=frozenset({State.DISPOSITION_HEAD, State.DISPOSITION_KABID, State.ORDER_CHECK,
                     State.TECHNICAL_CHECK, State.REPORT_TO_KABID}),
    outcomes={Outcome.CREATED: Outcome.SUSPENDED},
    steps={
        State.DECISION: StepText(
            label="Persetujuan penangguhan oleh Kabid", short_label="Persetujuan penangguhan",
            activity="Konfirmasi penggunaan subdomain tidak dijawab setelah dua pengingat; "
                     "menyetujui penangguhan atau mempertahankan subdomain",
            input="Register subdomain"),
        State.CREATION: StepText(
            label="Penangguhan subdomain oleh Staf Prakom", short_label="Penangguhan",
            activity="Staf prakom menangguhkan subdomain (dialihkan atau dihapus)"),
    },
    transitions={
        (State.DECISION, Action.APPROVE): TransitionEdit(
            label="Setujui penangguhan", done_label="Penangguhan disetujui"),
        (State.DECISION, Action.REJECT_EXISTS): TransitionEdit(drop=True),
        (State.DECISION, Action.REJECT_ADVICE): TransitionEdit(
            label="Tetap aktifkan", done_label="Subdomain tetap aktif", to=State.COMPLETED,
            no_outcome=True),
        (State.CREATION, Action.CONFIRM_CREATED): TransitionEdit(
            label="Tangguhkan subdomain", done_label="Subdomain ditangguhkan"),
    },
)
KINDS: tuple[RequestKind, ...] = (NEW_KIND, CHANGE_KIND, REMOVAL_KIND, SUSPENSION_KIND)

SOP = Workflow(POSITIONS, STEPS, ENDINGS, State.DISPOSITION_HEAD, kinds=KINDS)
"""The SOP as the office runs it (before settings override standard times)."""


# --- the signing provider's variant of a table -----------------------------------------------

WET_STATE_PREFIX = "wet_signature_"
"""A wet signature's step is named after the state the signed letter leads to."""


def for_signing(workflow: Workflow, provider: str) -> Workflow:
    """The table as the office's signing provider runs it.

    - ``bsre``: every transition that issues a letter asks the signatory's passphrase; where
      the transition is not the signatory's own (a number typed by the secretariat under
      manual numbering), it leads instead to a new step where the signatory gives the
      passphrase, and that step issues the letter (see `_bsre_signature_steps`).
    - ``wet``: every transition that issues a letter prints it instead (numbered and
      registered, the PDF to the staff) and leads to a new step where the staff upload the
      scan of the signed and stamped letter; that upload delivers it and goes on to where the
      signing used to lead.
    - ``pades``, ``none``: the table as it is.
    """
    if provider == "bsre":
        workflow = _bsre_signature_steps(workflow)
        return dataclasses.replace(workflow, steps=tuple(
            dataclasses.replace(s, transitions=tuple(
                dataclasses.replace(t, asks=Ask.PASSPHRASE)
                if Effect.ISSUE_LETTER in t.effects and t.asks is Ask.NOTHING else t
                for t in s.transitions))
            for s in workflow.steps))
    if provider != "wet":
        return workflow
    staff = next((p.key for p in workflow.positions if p.assigned), None)
    steps: list[Step] = []
    added: dict[StateKey, Step] = {}
    fresh: list[Step] = []
    for step in workflow.steps:
        transitions = []
        for t in step.transitions:
            if Effect.ISSUE_LETTER not in t.effects:
                transitions.append(t)
                continue
            state = f"{WET_STATE_PREFIX}{t.to}"
            transitions.append(dataclasses.replace(
                t, to=state, tell_requester=False,
                effects=tuple(Effect.PRINT_LETTER if e == Effect.ISSUE_LETTER else e
                              for e in t.effects),
                done_label=f"{t.done} (dicetak untuk ditandatangani basah)"))
            if state in added:
                continue
            added[state] = Step(
                state, step.number, staff or step.role,
                "Tanda tangan basah dan cap surat balasan", "TTD basah",
                "Mencetak surat balasan, memintakan tanda tangan basah dan cap dinas, lalu "
                "mengunggah pindaiannya",
                "Surat keluar tercetak", _OFFICE_DAY, "Pindaian surat keluar",
                (Transition(Action.UPLOAD_SCAN, t.to, "Unggah pindaian surat", note=Note.NONE,
                            asks=Ask.SCAN, tell_requester=t.tell_requester,
                            effects=(Effect.DELIVER_SCAN,),
                            done_label="Pindaian surat bertanda tangan basah diunggah"),),
                sop_time=False)
            fresh.append(added[state])
        steps.append(dataclasses.replace(step, transitions=tuple(transitions)))
        steps += fresh
        fresh = []
    return dataclasses.replace(workflow, steps=tuple(steps))


SIGNATURE_STATE_PREFIX = "signature_"
"""A BSrE signature step after a step that is not the signatory's (``signature_delivery``)."""


def _bsre_signature_steps(workflow: Workflow) -> Workflow:
    """BSrE signs with the signatory's own passphrase: a transition that issues a letter but
    is not made by the signatory (it does not `signs`; e.g. the secretariat typing the number)
    keeps what it asks (the number is checked and kept) and leads to a step of the signatory
    who approved the letter (the position whose signing transition entered that step). There
    they give the passphrase in their private chat, which issues and delivers the letter; or
    they return it (a wrong number)."""
    steps: list[Step] = []
    added: set[StateKey] = set()
    for step in workflow.steps:
        signers = {s.acting_role(t) for s in workflow.steps for t in s.transitions
                   if t.to == step.state and t.signs}
        transitions = []
        fresh: list[Step] = []
        for t in step.transitions:
            if Effect.ISSUE_LETTER not in t.effects or t.signs:
                transitions.append(t)
                continue
            if len(signers) != 1:
                raise ValueError(f"{step.state}: {t.action} issues a letter, but no single "
                                 "signing position leads into this step")
            state = f"{SIGNATURE_STATE_PREFIX}{t.to}"
            transitions.append(dataclasses.replace(
                t, to=state, tell_requester=False,
                effects=tuple(e for e in t.effects if e != Effect.ISSUE_LETTER)))
            if state in added:
                continue
            added.add(state)
            fresh.append(Step(
                state, step.number, next(iter(signers)),
                "Tanda tangan elektronik surat balasan", "TTE",
                "Menandatangani surat balasan secara elektronik (BSrE) setelah diberi nomor",
                "Surat keluar bernomor", _OFFICE_DAY, "Surat keluar bertanda tangan elektronik",
                (Transition(Action.ESIGN, t.to, "Tandatangani (TTE)", note=Note.NONE,
                            asks=Ask.PASSPHRASE, signs=True, tell_requester=t.tell_requester,
                            effects=(Effect.ISSUE_LETTER,),
                            done_label="Surat balasan ditandatangani secara elektronik"),
                 Transition(Action.RETURN, step.state,
                            f"Kembalikan ke {step.short_label.lower()}",
                            note=Note.REQUIRED, done_label="Dikembalikan ke tahap sebelumnya")),
                card=(Card.DRAFT,), on_enter=(Effect.DRAFT_LETTER,), sop_time=False))
        steps.append(dataclasses.replace(step, transitions=tuple(transitions)))
        steps += fresh
    return dataclasses.replace(workflow, steps=tuple(steps))


# --- manual numbering's variant of a table ----------------------------------------------------

def numbering_state(to: StateKey) -> StateKey:
    """The numbering step before `to` under manual numbering (``numbering_delivery``)."""
    return f"numbering_{to}"


NUMBERING_ROLES: tuple[RoleKey, ...] = (Role.SEKRETARIAT, Role.ADMIN)
"""Who types a hand-given letter number: the secretariat, or an admin."""
SEKRETARIAT = Position(Role.SEKRETARIAT, "Sekretariat (Subbagian Umum)")
"""The position that keeps the agenda book (added to the table by manual numbering)."""


def with_manual_numbering(workflow: Workflow,
                          roles: tuple[RoleKey, ...] = NUMBERING_ROLES) -> Workflow:
    """The table for LETTER_NUMBERING=manual: every transition that issues a letter leads
    instead to a numbering step, where a holder of `roles` types the number the agenda book
    or SRIKANDI gave; that step's transition issues the letter (the signatory's approval,
    and its date, stay with the transition that signed)."""
    steps: list[Step] = []
    added: dict[StateKey, Step] = {}
    for step in workflow.steps:
        moved = []
        for t in step.transitions:
            if Effect.ISSUE_LETTER not in t.effects:
                moved.append(t)
                continue
            state = numbering_state(t.to)
            if state not in added:
                issue = tuple(
                    Transition(Action.ASSIGN_NUMBER, t.to, "Isi nomor surat", role=role,
                               note=Note.NONE, asks=Ask.LETTER_NUMBER,
                               effects=(Effect.ISSUE_LETTER,),
                               done_label="Surat keluar diberi nomor dari agenda")
                    for role in roles)
                added[state] = Step(
                    state, step.number, roles[0], "Penomoran surat keluar", "Penomoran",
                    "Memberi nomor surat keluar dari buku agenda atau SRIKANDI",
                    "Surat yang disetujui", WorkDays(1), "Nomor surat keluar",
                    issue, card=(Card.DRAFT,), on_enter=(Effect.DRAFT_LETTER,),
                    sop_time=False)
            moved.append(dataclasses.replace(
                t, to=state, effects=tuple(e for e in t.effects if e != Effect.ISSUE_LETTER)))
        steps.append(dataclasses.replace(step, transitions=tuple(moved)))
        steps += [s for s in added.values() if s not in steps]
    known = {p.key for p in workflow.positions}
    positions = workflow.positions + tuple(
        p for p in (SEKRETARIAT,) if p.key in roles and p.key not in known)
    return dataclasses.replace(workflow, positions=positions, steps=tuple(steps))
