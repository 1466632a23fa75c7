"""Counting what a journey costs the people in it: their taps and the bot's messages to them.

Read from the emulator, never from the bot: a *tap* is an input a person makes in their private
chat with the bot (a button press or a message they send: a typed note, a form answer, a file);
a *message* is a new message the bot sends to their chat (sendMessage, sendDocument, sendPhoto);
an *edit* changes a message already there (editMessageText/Caption/ReplyMarkup). Edits are
counted but are not messages: they add nothing to the chat.

`Ledger` marks the emulator's logs at each step's end (the step's handlers done and the outbox
idle), so each step is charged what happened between the previous mark and its own. A step
costs its acting person the messages that brought it (the letter and the card, sent when the
previous step ended) plus what came while they acted (prompts, confirmations); see
`Ledger.step_cost`.

`created_journey` and `declined_journey` drive whole journeys through the chat; they work on
the step flow as it is (the card's own choice buttons, or the older separate prompts), so the
same bench measured the flow before and after it changed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bot.service import Office
from devtools.emulator import BotApiEmulator, SimChat, SimMessage, SimUser
from tests.support.botrun import Cast
from tests.support.chat import owed, submit_by_chat

MESSAGE_METHODS = frozenset({"sendMessage", "sendDocument", "sendPhoto", "sendMediaGroup",
                             "copyMessage", "forwardMessage"})
EDIT_METHODS = frozenset({"editMessageText", "editMessageCaption", "editMessageReplyMarkup"})
TAP_KINDS = frozenset({"press", "message", "document", "photo", "contact"})
PROBE = "taps:probe"
"""Callback data nobody handles: its answer says every earlier update has been handled
(the Application handles updates one at a time). Probes are not counted as taps."""
WAIT = 15.0


@dataclass(frozen=True)
class Cost:
    taps: int = 0
    messages: int = 0
    edits: int = 0

    def __add__(self, other: Cost) -> Cost:
        return Cost(self.taps + other.taps, self.messages + other.messages,
                    self.edits + other.edits)


@dataclass(frozen=True)
class Mark:
    calls: int
    transcript: int


@dataclass(frozen=True)
class StepRecord:
    name: str
    """What was done, e.g. "1. Disposisi ke Kabid"."""
    actor: SimUser
    start: Mark
    """Where the previous step ended (its messages to this actor: this step's letter and card)."""
    end: Mark
    before: Mark
    """Where the step before the previous one ended (the previous step's own window starts)."""


@dataclass
class Ledger:
    emu: BotApiEmulator
    office: Office
    people: Sequence[SimUser]
    steps: list[StepRecord] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)

    def mark(self) -> Mark:
        return Mark(len(self.emu.calls), len(self.emu.world.transcript))

    async def settle(self, anchor: SimUser, on: SimMessage) -> Mark:
        """Wait until every update so far is handled and the outbox owes nothing; mark."""
        answer = await anchor.press_data(on, PROBE, timeout=WAIT)
        assert answer is not None, "the probe press was not answered"
        loop = asyncio.get_running_loop()
        deadline = loop.time() + WAIT
        while await owed(self.office):
            if loop.time() > deadline:
                raise TimeoutError("the outbox did not become idle")
            await asyncio.sleep(0.05)
        mark = self.mark()
        self.marks.append(mark)
        return mark

    def cost(self, user: SimChat, start: Mark, end: Mark) -> Cost:
        """What `user` did and got between two marks."""
        taps = sum(1 for e in self.emu.world.transcript[start.transcript:end.transcript]
                   if e.direction == "user->bot" and e.chat == user.name
                   and e.kind in TAP_KINDS and e.text != f"data={PROBE}")
        messages = edits = 0
        for call in self.emu.calls[start.calls:end.calls]:
            if not call.ok or str(call.params.get("chat_id")) != str(user.chat_id):
                continue
            if call.method in MESSAGE_METHODS:
                messages += 1
            elif call.method in EDIT_METHODS:
                edits += 1
        return Cost(taps, messages, edits)

    def step_cost(self, step: StepRecord) -> Cost:
        """Taps while the step was theirs; messages from the one that brought it onwards."""
        acted = self.cost(step.actor, step.start, step.end)
        brought = self.cost(step.actor, step.before, step.start)
        return Cost(acted.taps, acted.messages + brought.messages, acted.edits + brought.edits)

    def totals(self, first: Mark, last: Mark) -> dict[str, Cost]:
        return {u.name: self.cost(u, first, last) for u in self.people}


def _done_on(card: SimMessage) -> Callable[[SimMessage], bool]:
    return lambda m: m.edited and m.message_id == card.message_id and "✅" in m.content


def _offering(pick: str) -> Callable[[SimMessage], bool]:
    return lambda m: not m.edited and any(pick in b for b in m.button_texts)


def _prompt_after(card: SimMessage) -> Callable[[SimMessage], bool]:
    """The note prompt: an edit of the card, or a new message, offering Batal."""
    return lambda m: "Batal" in m.button_texts and (
        m.message_id == card.message_id or (not m.edited and m.message_id > card.message_id))


async def perform(user: SimUser, card: SimMessage, label: str, *, note: str | None = None,
                  choose: Sequence[str] = (), asks_note: bool = True) -> None:
    """Take the action `label` on `card` as a person would, whichever way the bot asks:
    `choose` (an instruction, a staff member) on the card's own buttons or on prompts
    after the press; then the note typed, or the prompt's button that goes on without one
    (Lewati, or the confirmation); then wait until the card shows ✅."""
    combined = [b for b in card.button_texts
                if b.startswith(label) and all(c in b for c in choose)] if choose else []
    if combined:
        await user.press(card, combined[0], timeout=WAIT)
    else:
        await user.press(card, label, timeout=WAIT)
        for pick in choose:
            prompt = await user.wait_for(_offering(pick), WAIT)
            await user.press(prompt, pick, timeout=WAIT)
    if asks_note:
        prompt = await user.wait_for(_prompt_after(card), WAIT)
        if note is not None:
            await user.send_text(note)
        else:
            go_on = [b for b in prompt.button_texts if b != "Batal"]
            assert go_on, f"the prompt offers no way on without a note: {prompt!r}"
            await user.press(prompt, go_on[0], timeout=WAIT)
    await user.wait_for(_done_on(card), WAIT)


def card_of(step: int, number: str) -> Callable[[SimMessage], bool]:
    return lambda m: (not m.edited and f"Tahap {step}:" in m.text and number in m.text
                      and bool(m.buttons))


@dataclass(frozen=True)
class Move:
    name: str
    who: Callable[[Cast], SimUser]
    step: int
    label: str
    note: str | None = None
    choose: tuple[str, ...] = ()


CREATED: tuple[Move, ...] = (
    Move("1. Disposisi Kepala Dinas", lambda p: p.head, 1, "Disposisi ke Kabid",
         choose=("Tindak lanjuti",)),
    Move("2. Disposisi Kabid", lambda p: p.kabid, 2, "Disposisi ke Kasi",
         note="Mohon segera dicek", choose=("Pelajari dan laporkan",)),
    Move("3. Perintah pengecekan (2 staf)", lambda p: p.kasi, 3, "Perintahkan pengecekan",
         choose=("Rina",)),
    Move("4. Pengecekan teknis", lambda p: p.staff, 4, "Kirim laporan teknis",
         note="Nama tersedia"),
    Move("5. Laporan Kasi", lambda p: p.kasi, 5, "Kirim laporan ke Kabid"),
    Move("6. Keputusan Kabid", lambda p: p.kabid, 6, "Setujui pembuatan"),
    Move("7. Pembuatan subdomain", lambda p: p.staff, 7, "Buat subdomain"),
    Move("8. Tanda tangan surat", lambda p: p.head, 8, "Setujui dan tandatangani"),
)

DECLINED: tuple[Move, ...] = (
    Move("1. Tolak permohonan", lambda p: p.head, 1, "Tolak permohonan",
         note="Subdomain sejenis sudah tersedia"),
)


async def journey(ledger: Ledger, people: Cast, moves: Sequence[Move], *, receipt: bool,
                  subdomain: str = "layanan") -> tuple[Mark, Mark]:
    """The requester files by chat, the officials take `moves`, and (with `receipt`) the
    requester confirms the letter. Returns the marks around the whole journey."""
    first = ledger.mark()
    number = await submit_by_chat(people.requester, subdomain)
    sent = people.requester.last
    assert sent is not None
    previous = await ledger.settle(people.requester, sent)
    before = first
    ledger.steps.append(StepRecord("0. Formulir /ajukan", people.requester, first, previous,
                                   first))
    for move in moves:
        actor = move.who(people)
        card = await actor.wait_for(card_of(move.step, number), WAIT)
        await perform(actor, card, move.label, note=move.note, choose=move.choose)
        end = await ledger.settle(actor, card)
        ledger.steps.append(StepRecord(move.name, actor, previous, end, before))
        before, previous = previous, end
    if receipt:
        requester = people.requester
        letter = await requester.wait_for(
            lambda m: m.document is not None and "Diterima" in m.button_texts, WAIT)
        await perform(requester, letter, "Diterima", asks_note=False)
        end = await ledger.settle(requester, letter)
        ledger.steps.append(StepRecord("9. Surat diterima (pemohon)", requester, previous, end,
                                       before))
        previous = end
    return first, previous
