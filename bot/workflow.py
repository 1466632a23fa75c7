"""The subdomain SOP (188.45/16/Diskominfo-Blg/2018) as one typed table.

Read `STEPS` next to the SOP: each row is one activity ("Kegiatan") with its acting position
("Pelaksana"), its Mutu Baku (input, standard time, output) and the actions that move the request
on. Everything else (routing, buttons, reminders, reports) is derived from this table.

Pure code: no I/O, no Telegram, no SQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

NOTE_MAX_CHARS = 1000
"""Longest note an official may attach; longer ones are refused, never truncated silently."""


class Role(StrEnum):
    KEPALA_DINAS = "kepala_dinas"
    KABID = "kabid"
    KASI = "kasi"
    STAF_PRAKOM = "staf_prakom"
    ADMIN = "admin"
    SKPD = "skpd"  # the requesting agency's contact; never a stored position


OFFICIAL_ROLES: tuple[Role, ...] = (Role.KEPALA_DINAS, Role.KABID, Role.KASI, Role.STAF_PRAKOM)
POSITIONS: tuple[Role, ...] = (*OFFICIAL_ROLES, Role.ADMIN)
"""Roles that are held as positions in the office (SKPD is derived from the request)."""

ROLE_TITLES: dict[Role, str] = {
    Role.KEPALA_DINAS: "Kepala Dinas",
    Role.KABID: "Kepala Bidang Layanan e-Government",
    Role.KASI: "Kepala Seksi Pengembangan Aplikasi Pemerintahan",
    Role.STAF_PRAKOM: "Staf Pranata Komputer",
    Role.ADMIN: "Admin",
    Role.SKPD: "Pemohon (SKPD)",
}

SUPERIOR: dict[Role, Role] = {
    Role.STAF_PRAKOM: Role.KASI,
    Role.KASI: Role.KABID,
    Role.KABID: Role.KEPALA_DINAS,
}
"""Who an overdue step escalates to."""


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


FINAL_STATES: frozenset[State] = frozenset({State.COMPLETED, State.DECLINED, State.WITHDRAWN})
INITIAL_STATE = State.DISPOSITION_HEAD


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
    RETURN = "return"
    WITHDRAW = "withdraw"


class Outcome(StrEnum):
    """What the reply letter says; set by the transition that decides it."""

    CREATED = "created"
    EXISTS = "exists"
    ADVICE = "advice"
    DECLINED = "declined"


class Effect(StrEnum):
    """Work a transition stands for beyond moving the request (done by the office service
    before the state moves; when it fails, nothing moves)."""

    DNS_CHECK = "dns_check"  # ask the authoritative servers; the result goes into the audit
    RECORD_PLAN = "record_plan"  # fix the exact records that approval means
    CREATE_RECORD = "create_record"  # create (or verify) the records on the DNS server
    DRAFT_LETTER = "draft_letter"  # the KONSEP of the reply letter, for the signatory
    ISSUE_LETTER = "issue_letter"  # number, render and register the signed letter; deliver it
    RECORD_RECEIPT = "record_receipt"  # the requester has the letter


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
class Transition:
    action: Action
    to: State
    label: str  # the button text, Indonesian
    role: Role | None = None  # None: the step's own role
    note: Note = Note.OPTIONAL
    outcome: Outcome | None = None
    instructions: tuple[Instruction, ...] = ()
    """Choices offered with the action (step 1's disposition instructions)."""
    tell_requester: bool = False
    """The requester hears of this transition (internal hand-overs only move the group card)."""
    any_version: bool = False
    """The button stays valid while the request moves on (the requester's withdrawal)."""
    is_task: bool = True
    """Counts as work waiting for the role (/tugas, reminders); an option like withdrawal not."""
    effects: tuple[Effect, ...] = ()


@dataclass(frozen=True)
class Step:
    state: State
    number: int
    role: Role
    activity: str  # the SOP's "Kegiatan", Indonesian
    input: str  # Mutu Baku "Kelengkapan"
    standard_time: timedelta | None  # Mutu Baku "Waktu"; None where the SOP sets none
    output: str  # Mutu Baku "Output"
    transitions: tuple[Transition, ...]
    working_days: bool = False
    """True when the standard time is counted in working days ("1 hari")."""
    on_enter: tuple[Effect, ...] = ()
    """Work done by every transition that enters this step."""

    def transition(self, action: Action) -> Transition | None:
        return next((t for t in self.transitions if t.action is action), None)

    def acting_role(self, transition: Transition) -> Role:
        return transition.role or self.role


def _back(to: State) -> Transition:
    return Transition(Action.RETURN, to, "Kembalikan", note=Note.REQUIRED)


_WITHDRAW = Transition(
    Action.WITHDRAW, State.WITHDRAWN, "Tarik permohonan", role=Role.SKPD, note=Note.OPTIONAL,
    tell_requester=True, any_version=True, is_task=False,
)
_MIN = timedelta(minutes=1)

STEPS: tuple[Step, ...] = (
    Step(
        State.DISPOSITION_HEAD, 1, Role.KEPALA_DINAS,
        "Mendisposisikan surat permohonan pembuatan sub domain dari SKPD",
        "Surat permohonan sub domain", 15 * _MIN, "Disposisi",
        (
            Transition(Action.DISPOSE, State.DISPOSITION_KABID, "Disposisi ke Kabid",
                       instructions=tuple(Instruction)),
            Transition(Action.DECLINE, State.DECLINED, "Tolak permohonan",
                       note=Note.REQUIRED, outcome=Outcome.DECLINED, tell_requester=True,
                       effects=(Effect.ISSUE_LETTER,)),
            _WITHDRAW,
        ),
    ),
    Step(
        State.DISPOSITION_KABID, 2, Role.KABID,
        "Menindaklanjuti surat permohonan pembuatan sub domain, mendisposisi ke Kasi",
        "Disposisi", 15 * _MIN, "Disposisi",
        (
            Transition(Action.DISPOSE, State.ORDER_CHECK, "Disposisi ke Kasi",
                       instructions=tuple(Instruction)),
            _back(State.DISPOSITION_HEAD),
            _WITHDRAW,
        ),
    ),
    Step(
        State.ORDER_CHECK, 3, Role.KASI,
        "Memerintahkan staf prakom untuk mengecek sub domain",
        "Disposisi", 15 * _MIN, "Disposisi",
        (
            Transition(Action.ORDER_CHECK, State.TECHNICAL_CHECK, "Perintahkan pengecekan"),
            _back(State.DISPOSITION_KABID),
            _WITHDRAW,
        ),
    ),
    Step(
        State.TECHNICAL_CHECK, 4, Role.STAF_PRAKOM,
        "Memberikan laporan ke Kasi tentang teknis pembuatan sub domain",
        "Disposisi", timedelta(days=1), "Bahan laporan",
        (
            Transition(Action.SUBMIT_CHECK, State.REPORT_TO_KABID, "Kirim laporan teknis",
                       effects=(Effect.DNS_CHECK,)),
            _back(State.ORDER_CHECK),
            _WITHDRAW,
        ),
        working_days=True,
    ),
    Step(
        State.REPORT_TO_KABID, 5, Role.KASI,
        "Membuat laporan kepada Kabid",
        "Disposisi", 60 * _MIN, "Konsep laporan, disposisi",
        (
            Transition(Action.SUBMIT_REPORT, State.DECISION, "Kirim laporan ke Kabid"),
            _back(State.TECHNICAL_CHECK),
            _WITHDRAW,
        ),
    ),
    Step(
        State.DECISION, 6, Role.KABID,
        "Memeriksa laporan; jika setuju memerintahkan staf prakom membuat sub domain, jika tidak "
        "membuat surat balasan bahwa domain sudah tersedia dengan user dan password yang ada",
        "Agenda kerja", 20 * _MIN, "Laporan",
        (
            Transition(Action.APPROVE, State.CREATION, "Setujui pembuatan", tell_requester=True,
                       effects=(Effect.RECORD_PLAN,)),
            Transition(Action.REJECT_EXISTS, State.LETTER_SIGNOFF, "Tidak: domain sudah ada",
                       outcome=Outcome.EXISTS, tell_requester=True),
            Transition(Action.REJECT_ADVICE, State.LETTER_SIGNOFF, "Tidak: saran teknis",
                       note=Note.REQUIRED, outcome=Outcome.ADVICE, tell_requester=True),
            _back(State.REPORT_TO_KABID),
        ),
    ),
    Step(
        State.CREATION, 7, Role.STAF_PRAKOM,
        "Staf prakom membuat sub domain",
        "Server", 60 * _MIN, "Proses",
        (
            Transition(Action.CONFIRM_CREATED, State.LETTER_SIGNOFF, "Buat subdomain",
                       outcome=Outcome.CREATED, tell_requester=True,
                       effects=(Effect.CREATE_RECORD,)),
            _back(State.DECISION),
        ),
    ),
    Step(
        State.LETTER_SIGNOFF, 8, Role.KEPALA_DINAS,
        "Menyetujui dan menandatangani surat balasan bahwa sub domain sudah ada atau saran "
        "teknis lainnya",
        "Agenda kerja", None, "Surat keluar",
        (
            Transition(Action.SIGN, State.DELIVERY, "Setujui & tandatangani",
                       effects=(Effect.ISSUE_LETTER,)),
            Transition(Action.REVISE, State.LETTER_REVISION, "Perbaiki", note=Note.REQUIRED),
        ),
        on_enter=(Effect.DRAFT_LETTER,),
    ),
    Step(
        State.LETTER_REVISION, 8, Role.STAF_PRAKOM,
        "Memperbaiki konsep surat balasan sesuai catatan penandatangan",
        "Agenda kerja", None, "Konsep surat keluar",
        (
            Transition(Action.RESUBMIT, State.LETTER_SIGNOFF, "Ajukan kembali konsep"),
        ),
    ),
    Step(
        State.DELIVERY, 9, Role.SKPD,
        "Surat balasan disampaikan ke SKPD pemohon",
        "Agenda kerja", None, "Surat keluar, laporan",
        (
            Transition(Action.CONFIRM_RECEIPT, State.COMPLETED, "Diterima", note=Note.NONE,
                       tell_requester=True, effects=(Effect.RECORD_RECEIPT,)),
            Transition(Action.CONFIRM_RECEIPT, State.COMPLETED, "Tandai sudah diterima",
                       role=Role.STAF_PRAKOM, note=Note.OPTIONAL, tell_requester=True,
                       effects=(Effect.RECORD_RECEIPT,)),
        ),
    ),
)

STEP_BY_STATE: dict[State, Step] = {step.state: step for step in STEPS}


# --- questions the rest of the product asks ------------------------------------------------


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
    positions: frozenset[Role]
    is_requester: bool = False
    """True when this person is the contact of the request's agency (their SKPD role)."""

    @property
    def is_office(self) -> bool:
        """Holds a position in the office today (officials, staff, admins)."""
        return bool(self.positions & set(POSITIONS))

    @property
    def roles(self) -> frozenset[Role]:
        return self.positions | ({Role.SKPD} if self.is_requester else set())


@dataclass(frozen=True)
class Decision:
    step: Step
    transition: Transition
    role: Role  # the role the actor used
    note: str | None

    @property
    def to(self) -> State:
        return self.transition.to

    @property
    def effects(self) -> frozenset[Effect]:
        """The transition's own work and that of the step it enters."""
        entered = STEP_BY_STATE.get(self.transition.to)
        return frozenset(self.transition.effects) | frozenset(
            entered.on_enter if entered else ())


def step_of(state: State) -> Step | None:
    return STEP_BY_STATE.get(state)


def transitions_for(state: State, role: Role) -> tuple[Transition, ...]:
    """The actions a holder of `role` can take on a request in `state` (the buttons to show)."""
    step = STEP_BY_STATE.get(state)
    if step is None:
        return ()
    return tuple(t for t in step.transitions if step.acting_role(t) is role)


def roles_to_notify(state: State) -> tuple[Role, ...]:
    """The roles that hold a pending action in `state`, the step's own role first."""
    step = STEP_BY_STATE.get(state)
    if step is None:
        return ()
    roles = [step.role]
    roles += [r for t in step.transitions if (r := step.acting_role(t)) not in roles]
    return tuple(roles)


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


def decide(
    state: State,
    action: Action,
    actor: Actor,
    note: str | None = None,
    *,
    assignee_id: int | None = None,
) -> Decision:
    """May `actor` take `action` on a request in `state` now? Returns the decision or raises.

    `assignee_id` is the Prakom staff member the Kasi picked at step 3; staff steps then
    belong to that person only.
    """
    step = STEP_BY_STATE.get(state)
    if step is None:
        raise RequestClosed("Permohonan ini sudah selesai; tidak ada tindakan lagi.")
    candidates = [t for t in step.transitions if t.action is action]
    if not candidates:
        raise ActionNotAllowed("Tindakan ini tidak tersedia pada tahap sekarang.")
    for transition in candidates:
        role = step.acting_role(transition)
        if role not in actor.roles:
            continue
        if role is Role.STAF_PRAKOM and assignee_id not in (None, actor.person_id):
            raise NotYourStep("Tahap ini ditugaskan kepada staf lain. Bukan tugas Anda.")
        return Decision(step, transition, role, clean_note(note, transition.note))
    raise NotYourStep("Bukan tugas Anda: tahap ini menjadi kewenangan "
                      f"{ROLE_TITLES[step.role]}.")


# --- self-description -----------------------------------------------------------------------


def all_states() -> Iterator[State]:
    return iter(State)


def reachable_states(start: State = INITIAL_STATE) -> set[State]:
    seen = {start}
    frontier = [start]
    while frontier:
        step = STEP_BY_STATE.get(frontier.pop())
        for t in step.transitions if step else ():
            if t.to not in seen:
                seen.add(t.to)
                frontier.append(t.to)
    return seen


def duration_label(standard: timedelta | None, working_days: bool = False) -> str:
    """A standard time as the SOP writes it: "15 menit", "1 jam", "1 hari kerja"; "—" for none."""
    if standard is None:
        return "—"
    minutes = int(standard.total_seconds() // 60)
    if working_days:
        return f"{minutes // (24 * 60)} hari kerja"
    return f"{minutes // 60} jam" if minutes % 60 == 0 else f"{minutes} menit"


def _fmt_time(step: Step) -> str:
    return duration_label(step.standard_time, step.working_days)


def standard_time_label(step: Step) -> str:
    return _fmt_time(step)


def to_mermaid(steps: Iterable[Step] = STEPS) -> str:
    lines = ["stateDiagram-v2", f"    [*] --> {INITIAL_STATE.value}"]
    for step in steps:
        lines.append(
            f"    {step.state.value} : {step.number}. {ROLE_TITLES[step.role]} ({_fmt_time(step)})"
        )
        for t in step.transitions:
            lines.append(f"    {step.state.value} --> {t.to.value} : {t.label}")
    lines += [f"    {s.value} --> [*]" for s in sorted(FINAL_STATES)]
    return "\n".join(lines)


def to_markdown_table(steps: Iterable[Step] = STEPS) -> str:
    rows = ["| # | Pelaksana | Kegiatan | Waktu | Output | Tindakan → tahap berikut |",
            "|---|---|---|---|---|---|"]
    for s in steps:
        nexts = "; ".join(f"{t.label} → {t.to.value}" for t in s.transitions)
        rows.append(f"| {s.number} | {ROLE_TITLES[s.role]} | {s.activity} | {_fmt_time(s)} | "
                    f"{s.output} | {nexts} |")
    return "\n".join(rows)
