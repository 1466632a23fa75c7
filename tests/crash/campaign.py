"""The crash campaign's machinery: the bot in its own process, killed for real, restarted, and
people who carry each journey through the chat whatever the kill left behind.

`BotProcess` runs `python -m bot run` against the emulator (the production entry point).
`Campaign.until` waits for something while watching that process: when it dies, the death is
checked (SIGKILL, at the point armed), a new process is started (armed for the next journey)
and `Killed` tells the waiting person to look again at where things stand. A person decides
what to do from what they see (their chat) and from the request's state, so the same driver
carries a journey whether a press was lost, committed, or half done.
"""

from __future__ import annotations

import asyncio
import re
import signal
import sqlite3
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TypeVar

from bot.crashpoints import ENV as CRASH_ENV
from bot.texts import CANCEL_LABEL
from bot.workflow import SOP, Instruction, State
from devtools.emulator import BotApiEmulator, SimMessage, SimUser
from tests.crash.plan import WITHDRAW_AT, Family, Journey, Kind
from tests.support.botrun import TINY_PDF, Cast
from tests.support.chat import PERIHAL
from tests.support.office import HEAD, KABID, KASI, STAFF

ROOT = Path(__file__).resolve().parents[2]
T = TypeVar("T")
WAIT = 20.0
"""Seconds any one thing may take before the campaign fails (with what it saw)."""
FINAL = frozenset(SOP.final_states)
ROLE_CHATS = {"kepala_dinas": HEAD, "kabid": KABID, "kasi": KASI, "staf_prakom": STAFF}
NOTE = "Catatan uji ketahanan"


class Killed(Exception):
    """The bot process died (and was restarted) while a person waited for it."""


class BotProcess:
    """`python -m bot run` in its own process; stdout and stderr go to one log file."""

    def __init__(self, env: dict[str, str], cwd: Path, log: Path) -> None:
        self.env, self.cwd, self.log = env, cwd, log
        self.proc: asyncio.subprocess.Process | None = None
        self.starts = 0

    async def start(self, crash_at: str | None) -> None:
        env = {**self.env, CRASH_ENV: crash_at or ""}
        with self.log.open("ab") as out:
            out.write(f"--- start {self.starts + 1}: {CRASH_ENV}={crash_at or ''}\n".encode())
            out.flush()
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", cwd=self.cwd, env=env,
                stdout=out, stderr=out)
        self.starts += 1

    @property
    def dead(self) -> bool:
        return self.proc is None or self.proc.returncode is not None

    async def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()

    async def stop(self) -> int:
        """SIGTERM, as systemd stops the bot; returns the exit code."""
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), 10)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()
        return int(self.proc.returncode or 0)

    def tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


@dataclass
class Kill:
    journey: int
    point: str
    line: str


@dataclass
class Campaign:
    emu: BotApiEmulator
    people: Cast
    db: Path
    bot: BotProcess
    journeys: list[Journey]
    armed: int | None = None
    """The journey whose crash point the running process carries."""
    kills: list[Kill] = field(default_factory=list)
    form_kill: int | None = None
    """The journey being killed by the test itself (in the form)."""

    # --- the process --------------------------------------------------------------------------

    async def launch(self, after: int) -> None:
        """Start a process armed for the first journey after `after` that is killed at a
        crash point (a journey killed in the form needs no arming)."""
        following = self.journeys[after + 1] if after + 1 < len(self.journeys) else None
        if following is not None and following.family is not Family.FORM:
            self.armed = following.index
            await self.bot.start(following.spec)
        else:
            self.armed = None
            await self.bot.start(None)

    async def _died(self) -> None:
        assert self.bot.proc is not None
        code = await self.bot.proc.wait()
        tail = self.bot.tail()
        assert code == -signal.SIGKILL, f"the bot exited with {code}, not SIGKILL:\n{tail}"
        if self.form_kill is not None:
            victim, point, line = self.form_kill, "form", "killed by the test in the form"
            self.form_kill = None
        else:
            this_run = self.bot.log.read_text(errors="replace").rsplit("--- start ", 1)[-1]
            lines = [x for x in this_run.splitlines() if x.startswith("crashpoint ")]
            assert self.armed is not None and lines, f"an unexpected death:\n{tail}"
            victim, line = self.armed, lines[-1]
            point = line.split()[1]
            journey = self.journeys[victim]
            assert point == journey.point, (journey, line)
            assert f"request={journey.index + 1} " in line, (journey, line)
        self.journeys[victim].kills.append(point)
        self.kills.append(Kill(victim, point, line))
        await self.launch(victim)

    async def kill_now(self, journey: Journey) -> None:
        """The test's own kill (in the form): SIGKILL, then as any other death."""
        self.form_kill = journey.index
        await self.bot.kill()
        await self._died()

    # --- waiting ------------------------------------------------------------------------------

    async def until(self, probe: Callable[[], T | None], what: str,
                    timeout: float = WAIT) -> T:  # noqa: ASYNC109
        """`probe()`'s first value that is not None; raises `Killed` when the bot dies first."""
        deadline = time.monotonic() + timeout
        while True:
            found = probe()
            if found is not None:
                return found
            if self.bot.dead:
                await self._died()
                raise Killed(what)
            if time.monotonic() > deadline:
                raise AssertionError(f"waited {timeout}s for {what}\n{self.report()}")
            await self.emu.world.changed.wait(0.02)

    async def idle(self) -> None:
        """Until the outbox has sent everything (the people act on what has arrived)."""
        while True:
            try:
                await self.until(lambda: True if self.unsent() == 0 else None,
                                 "the outbox to be idle")
                return
            except Killed:
                continue

    def report(self) -> str:
        calls = [f"{c.method} {c.status} {c.error or ''}" for c in self.emu.calls[-8:]]
        return (f"last calls: {calls}\ntranscript:\n"
                + "\n".join(self.emu.transcript_text().splitlines()[-25:])
                + f"\nbot log:\n{self.bot.tail(25)}")

    # --- the database, read as an auditor would -------------------------------------------------

    def query(self, sql: str, *params: object) -> list[tuple[object, ...]]:
        with sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=5) as conn:
            return list(conn.execute(sql, params))

    def unsent(self) -> int:
        return int(str(self.query("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")[0][0]))

    def request(self, request_id: int) -> tuple[str, int] | None:
        found = self.query("SELECT state, version FROM requests WHERE id = ?", request_id)
        return (str(found[0][0]), int(str(found[0][1]))) if found else None

    def last_request_id(self) -> int:
        return int(str(self.query("SELECT COALESCE(MAX(id), 0) FROM requests")[0][0]))


# --- what people see ------------------------------------------------------------------------------


def seq_now(emu: BotApiEmulator) -> int:
    return emu.world.feed[-1].seq if emu.world.feed else 0


def new_messages(emu: BotApiEmulator, chat: SimUser, after: int) -> list[tuple[int, SimMessage]]:
    """What the bot asked the user since `after`: new messages, and step cards edited to ask
    (their Batal button)."""
    return [(item.seq, item.message) for item in emu.world.feed
            if item.seq > after and item.chat_id == chat.chat_id and (
                item.kind == "new" or (item.kind == "edit"
                                       and CANCEL_LABEL in item.message.button_texts))]


def action_of(data: str | None) -> tuple[int, int, str] | None:
    """(request id, version, action) of an action button's callback data (its choice, if any,
    aside)."""
    parts = (data or "").split(":")
    if len(parts) not in (4, 5) or parts[0] != "a" or not (
            parts[1].isdigit() and parts[2].isdigit()):
        return None
    return int(parts[1]), int(parts[2]), parts[3]


def asking_card(user: SimUser, number: str) -> SimMessage | None:
    """The user's step card of this request as it asks for a note (the action pressed before
    a restart is still waiting: answering the card goes on with it)."""
    return next((m for m in reversed(user.inbox)
                 if number in m.content and "✏️" in m.content
                 and CANCEL_LABEL in m.button_texts), None)


def card_for(user: SimUser, request_id: int, version: int,
             action: str) -> tuple[SimMessage, str] | None:
    """The newest message in the user's chat with a live button for `action` on this request at
    this version (or any version, for buttons valid at any version)."""
    for message in reversed(user.inbox):
        for _text, data in (b for row in message.buttons for b in row):
            found = action_of(data)
            if found and found[0] == request_id and found[1] in (version, 0) \
                    and found[2] == action and data is not None:
                return message, data
    return None


# --- filing by chat -------------------------------------------------------------------------------

_QUESTION = re.compile(r"\b([1-9])/9\b")
REPLY_WITHIN = 3.0
"""After a restart, how long a person waits for an answer to their input sent again."""


@dataclass(frozen=True)
class Input:
    """One thing the requester does in the form."""

    kind: str  # "text", "press", "contact", "document"
    text: str = ""
    message: SimMessage | None = None

    async def do(self, user: SimUser) -> str | None:
        """Do it; a press returns the bot's callback answer (an alert text, or None)."""
        if self.kind == "press":
            assert self.message is not None
            return await user.press(self.message, self.text)
        if self.kind == "contact":
            await user.share_contact()
        elif self.kind == "document":
            await user.send_document(TINY_PDF, "surat-permohonan.pdf")
        else:
            await user.send_text(self.text)
        return None


AJUKAN = Input("text", "/ajukan")


@dataclass
class Form:
    campaign: Campaign
    journey: Journey
    before: int
    """The highest request id before this journey filed."""
    inputs: int = 0
    last: Input = AJUKAN

    @property
    def requester(self) -> SimUser:
        return self.campaign.people.requester

    def filed(self) -> int | None:
        newest = self.campaign.last_request_id()
        return newest if newest > self.before else None

    async def run(self) -> int:
        """The request id, once filed, whatever kills happened on the way."""
        c = self.campaign
        cursor = seq_now(c.emu)
        await self.give(AJUKAN, counted=False)
        while True:
            try:
                while (filed := self.filed()) is None:
                    seq, message = await c.until(partial(self._next, cursor),
                                                 "the form's next question")
                    cursor = seq
                    if message is not None:
                        await self.answer(message)
                return filed
            except Killed:
                cursor = await self.after_restart()

    def _next(self, cursor: int) -> tuple[int, SimMessage | None] | None:
        if self.filed() is not None:
            return seq_now(self.campaign.emu), None
        found = new_messages(self.campaign.emu, self.requester, cursor)
        return found[0] if found else None

    async def answer(self, message: SimMessage) -> None:
        """Answer whatever the bot asks; anything else (an answer outside the form, the form
        forgotten after a restart) means: start the form again."""
        text, j = message.content, self.journey
        if "Ringkasan permohonan" in text:
            await self.give(Input("press", "Kirim", message))
        elif "sudah ada di DNS" in text and message.buttons:
            await self.give(Input("press", "Lanjutkan dengan nama ini", message))
        elif "Tuliskan Alamat IP" in text:
            await self.give(Input("text", "103.28.12.10"))
        elif (question := _QUESTION.search(text)) is not None:
            n = int(question.group(1))
            given = {1: Input("press", "Dinas Kesehatan", message),
                     4: Input("press", "Alamat IP", message),
                     5: Input("contact"), 9: Input("document")}.get(n) or Input("text", {
                         2: j.subdomain, 3: "Portal layanan untuk uji ketahanan",
                         6: f"400/{j.index + 1}/Dinkes/2026", 7: "27-11-2026",
                         8: PERIHAL}[n])
            await self.give(given)
        elif not message.buttons:
            await self.give(AJUKAN, counted=False)

    async def give(self, given: Input, *, counted: bool = True) -> None:
        """One input. For the journey killed in the form, the bot's answer to its planned
        input is held and the process killed: the bot did the work, the reply never came."""
        c, j = self.campaign, self.journey
        self.last = given
        self.inputs += counted
        planned = counted and j.family is Family.FORM and not j.kills and self.inputs == j.nth
        hold = c.emu.hold("*", chat_id=self.requester.chat_id) if planned else None
        if given.kind == "press":  # the answer comes later (or never: the kill)
            assert given.message is not None
            await self.requester.press(given.message, given.text, wait_answer=False)
        else:
            await given.do(self.requester)
        if hold is not None:
            try:
                await c.until(lambda: True if hold.reached.is_set() else None,
                              "the held answer in the form")
            finally:
                c.emu.release(hold)
            await c.kill_now(j)
            raise Killed("in the form")

    async def after_restart(self) -> int:
        """What a person does when the bot went quiet: the last input again. The bot goes on
        with the form (it survived the restart) or says something else or nothing, and then
        the form is started again. Returns where to read the bot's answers from."""
        emu = self.campaign.emu
        cursor = seq_now(emu)
        if self.filed() is not None:
            return cursor
        alert = await self.last.do(self.requester)
        deadline = time.monotonic() + REPLY_WITHIN
        while not alert and not new_messages(emu, self.requester, cursor):
            if time.monotonic() > deadline:
                break
            await emu.world.changed.wait(0.05)
        found = new_messages(emu, self.requester, cursor)
        if alert or not found:
            cursor = seq_now(emu)
            await self.give(AJUKAN, counted=False)
        return cursor


# --- acting on steps by chat ----------------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    user: SimUser
    action: str
    note: str | None = None


def next_move(people: Cast, journey: Journey, state: str, revised: bool) -> Move:
    kind = journey.kind
    if kind is Kind.WITHDRAWN and state == journey.withdraw_at:
        return Move(people.requester, "withdraw")
    moves = {
        State.DISPOSITION_HEAD: (Move(people.head, "decline", "Tidak sesuai ketentuan")
                                 if kind is Kind.DECLINED else Move(people.head, "dispose")),
        State.DISPOSITION_KABID: Move(people.kabid, "dispose"),
        State.ORDER_CHECK: Move(people.kasi, "order_check"),
        State.TECHNICAL_CHECK: Move(people.staff, "submit_check", NOTE),
        State.REPORT_TO_KABID: Move(people.kasi, "submit_report"),
        State.DECISION: {Kind.EXISTS: Move(people.kabid, "reject_exists"),
                         Kind.ADVICE: Move(people.kabid, "reject_advice",
                                           "Gunakan subdomain yang sudah ada")
                         }.get(kind, Move(people.kabid, "approve")),
        State.CREATION: Move(people.staff, "confirm_created"),
        State.LETTER_SIGNOFF: (Move(people.head, "revise", "Mohon perbaiki redaksi")
                               if kind is Kind.REVISED and not revised
                               else Move(people.head, "sign")),
        State.LETTER_REVISION: Move(people.staff, "resubmit"),
        State.DELIVERY: Move(people.requester, "confirm_receipt"),
    }
    return moves[State(state)]


async def take_step(c: Campaign, request_id: int, version: int, move: Move) -> None:
    """Press the move's button on the card and answer what the bot asks, until the request
    moves on (the database says so). Raises `Killed` when the bot dies meanwhile."""
    user = move.user

    def moved() -> bool | None:
        now = c.request(request_id)
        return True if now is not None and now[1] != version else None

    [(number,)] = c.query("SELECT number FROM requests WHERE id = ?", request_id)

    def card() -> tuple[SimMessage | None, str] | None:
        if moved():
            return None, ""  # it moved on already (a kill after the commit)
        found = card_for(user, request_id, version, move.action)
        if found is None and (waiting := asking_card(user, str(number))) is not None:
            return waiting, ""
        return found

    message, data = await c.until(card, f"{user.name}'s card for {move.action}")
    if message is None:
        return
    cursor = seq_now(c.emu)
    if data:
        await user.press_data(message, data, wait_answer=False)
    else:
        await _answer_prompt(user, message, move)
    answered: set[int] = set()

    def prompt() -> tuple[int, SimMessage | None] | None:
        if moved():
            return 0, None
        return next(((s, m) for s, m in new_messages(c.emu, user, cursor)
                     if s not in answered), None)

    while True:
        seq, asked = await c.until(prompt, f"{user.name}'s {move.action} to be recorded")
        if asked is None:
            return
        answered.add(seq)
        await _answer_prompt(user, asked, move)


async def _answer_prompt(user: SimUser, asked: SimMessage, move: Move) -> None:
    labels = asked.button_texts
    instruction = next((i.value for i in Instruction if i.value in labels), None)
    staff = [text for text, data in (b for row in asked.buttons for b in row)
             if (data or "").startswith("s:")]
    if instruction is not None:
        await user.press(asked, instruction, wait_answer=False)
    elif staff:
        await user.press(asked, staff[0], wait_answer=False)
    elif "Ajukan konsep" in labels:  # the revision prompt: resubmit the parts as they are
        await user.press(asked, "Ajukan konsep", wait_answer=False)
    elif CANCEL_LABEL in labels and "✏️" in asked.content:  # the card asks for the note
        asks = asked.content.split("✏️")[-1].lower()
        go_on = [label for label in labels if label != CANCEL_LABEL]
        if move.note is None and go_on:
            await user.press(asked, go_on[0], wait_answer=False)
        elif "catatan" in asks:
            await user.send_text(move.note or NOTE)


async def run_journey(c: Campaign, journey: Journey) -> None:
    await c.idle()
    form = Form(c, journey, c.last_request_id())
    journey.request_id = await form.run()
    assert journey.request_id == journey.index + 1, (journey, "filed once, in order")
    revised = False
    while True:
        await c.idle()
        now = c.request(journey.request_id)
        assert now is not None
        state, version = now
        if state in FINAL:
            break
        move = next_move(c.people, journey, state, revised)
        try:
            await take_step(c, journey.request_id, version, move)
        except Killed:
            continue
        revised = revised or move.action == "revise"
    await c.idle()


# --- what must hold afterwards --------------------------------------------------------------------

INTENDED: dict[Kind, tuple[str, str | None]] = {
    Kind.CREATED: (State.COMPLETED, "created"), Kind.REVISED: (State.COMPLETED, "created"),
    Kind.EXISTS: (State.COMPLETED, "exists"), Kind.ADVICE: (State.COMPLETED, "advice"),
    Kind.DECLINED: (State.DECLINED, "declined"), Kind.WITHDRAWN: (State.WITHDRAWN, None),
}


def intended_trail(journey: Journey) -> list[str]:
    """The audit actions the journey's request must show, each once, in order."""
    to_decision = ["submit", "dispose", "dispose", "order_check", "submit_check",
                   "submit_report"]
    letter = ["sign", "confirm_receipt"]
    match journey.kind:
        case Kind.CREATED:
            return [*to_decision, "approve", "confirm_created", *letter]
        case Kind.REVISED:
            return [*to_decision, "approve", "confirm_created", "revise", "resubmit", *letter]
        case Kind.EXISTS:
            return [*to_decision, "reject_exists", *letter]
        case Kind.ADVICE:
            return [*to_decision, "reject_advice", *letter]
        case Kind.DECLINED:
            return ["submit", "decline"]
        case Kind.WITHDRAWN:
            assert journey.withdraw_at is not None
            return [*to_decision[:WITHDRAW_AT.index(journey.withdraw_at) + 1], "withdraw"]


def card_deliveries(emu: BotApiEmulator) -> dict[tuple[int, int, int], int]:
    """(chat, request id, version) → how many times a step card with that request's action
    buttons at that version was sent to an office holder (successful sends only)."""
    seen: dict[tuple[int, int, int], int] = {}
    office = set(ROLE_CHATS.values())
    for call in emu.calls:
        if not call.ok or call.method.lower() not in ("sendmessage", "senddocument"):
            continue
        result = call.result if isinstance(call.result, dict) else {}
        chat = int(result.get("chat", {}).get("id", 0))
        if chat not in office:
            continue
        markup = result.get("reply_markup") or {}
        keys = {found[:2] for row in markup.get("inline_keyboard", []) for b in row
                if (found := action_of(b.get("callback_data"))) and found[1] != 0}
        for request_id, version in keys:
            seen[chat, request_id, version] = seen.get((chat, request_id, version), 0) + 1
    return seen


def expected_cards(c: Campaign) -> set[tuple[int, int, int]]:
    """Every visit of a step by an office holder: (their chat, request, version)."""
    expected = set()
    for (request_id,) in c.query("SELECT id FROM requests"):
        states = [str(s) for (s,) in c.query(
            "SELECT to_state FROM audit WHERE request_id = ? ORDER BY id", request_id)]
        for version, state in enumerate(states, start=1):
            for role in SOP.roles_to_notify(state):
                if role in ROLE_CHATS:
                    expected.add((ROLE_CHATS[role], int(str(request_id)), version))
    return expected
