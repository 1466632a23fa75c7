"""The messages a transition owes: to the next step's holders, to the requester, to the group.

Pure: the office service gathers a `Scene` (the request as it will read, who holds the step,
the notes, what the step's card shows) and these functions turn it into Telegram-neutral
`OutMessage`s (HTML text plus button rows of (label, data)); the outbox dispatcher sends them.
No database reads and no DNS queries happen here, so composing can run inside the storing
transaction.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path

from bot import texts
from bot.callbacks import ANY_VERSION, ActionButton
from bot.texts import Words
from bot.workflow import Card, Effect, RoleKey, Step, Transition
from storage.models import AuditEntry, IssuedLetter, OutMessage, Request

Composer = Callable[[Request], list[OutMessage]]
Notes = Sequence[tuple[str, str]]
"""(author, note) pairs, oldest first, as step cards show them."""

RECHECK = "chk"
"""Callback prefix of the "check DNS again" button (`chk:<request id>`)."""


@dataclass(frozen=True)
class CardFacts:
    """What a step's card shows beyond the request (the items the table's `Step.card` names),
    as Indonesian sentences gathered by the office service."""

    notice: str | None = None
    """A warning every card of the request carries (e.g. an unregistered requester)."""
    dns_check: str | None = None
    last_dns_check: str | None = None
    record_plan: str | None = None
    provider: str = "manual"
    assignees: tuple[tuple[RoleKey, int, str], ...] = ()
    """(position, person id, name) of the members an `assigns` transition of the step may
    choose: with more than one, the card offers one button per member."""


@dataclass(frozen=True)
class Scene:
    """Everything composing the messages of one transition needs, read beforehand."""

    words: Words
    request: Request | None
    """The request as it reads after the transition (None: not filed yet)."""
    holders: tuple[tuple[int, RoleKey], ...] = ()
    """(chat id, role) of everyone who holds a pending action on it."""
    notes: Notes = ()
    facts: CardFacts = CardFacts()
    requester_chat: int | None = None
    group_chat_id: int | None = None
    passed_over: tuple[tuple[int, RoleKey], ...] = ()
    """(chat id, role) of the office holders of the step the transition left without them
    (the requester withdrew): their step card loses its buttons and they are told."""
    actor_name: str = ""
    document: Path | None = None
    """The KONSEP to act on, where the step's card shows the draft."""


def buttons_for(w: Words, request: Request, role: RoleKey,
                facts: CardFacts = CardFacts()) -> list[list[tuple[str, str]]]:
    """The step's buttons for `role`, one row each: an action with choices (the table's
    instructions, or the members it may assign) gets one button per choice, so that the
    first press already says everything but the note."""
    return [row for t in w.workflow.transitions_for(request.state, role)
            for row in transition_buttons(request, t, facts.assignees)]


def transition_buttons(request: Request, t: Transition,
                       assignees: Sequence[tuple[RoleKey, int, str]] = (),
                       ) -> list[list[tuple[str, str]]]:
    version = ANY_VERSION if t.any_version else request.version

    def button(label: str, choice: str = "") -> list[tuple[str, str]]:
        return [(label, ActionButton(request.id, version, t.action, choice).pack())]

    if t.instructions:
        return [button(texts.choice_label(t.label, i.value), f"i{n}")
                for n, i in enumerate(t.instructions)]
    members = [(pid, name) for position, pid, name in assignees if position == t.assigns]
    if t.assigns is not None and len(members) > 1:
        return [button(texts.choice_label(t.label, name), f"s{pid}") for pid, name in members]
    return [button(t.label)]


def card_details(step: Step, facts: CardFacts) -> str:
    """The lines a step's card adds, in the order the table names them (HTML)."""
    lines = [facts.notice] if facts.notice else []
    for item in step.card:
        if item is Card.DNS_CHECK and facts.dns_check:
            lines.append(texts.dns_check(facts.dns_check))
        elif item is Card.LAST_DNS_CHECK and facts.last_dns_check:
            lines.append(texts.dns_check(facts.last_dns_check))
        elif item is Card.RECORD_PLAN and facts.record_plan:
            lines.append(texts.plan(facts.record_plan))
        elif item is Card.CREATION_HINT:
            made = next((t for t in step.transitions if t.effects), None)
            lines.append(texts.CREATION_HINTS[facts.provider].format(
                button=escape(made.label if made else "")))
    return "\n".join(lines)


def step_message(w: Words, request: Request, role: RoleKey, chat_id: int, notes: Notes = (),
                 facts: CardFacts = CardFacts()) -> OutMessage:
    step = w.workflow.step(request.state)
    if step is None:
        return OutMessage(chat_id, "message", {
            "text": texts.request_summary(w, request), "buttons": []})
    text = texts.step_card(w, request, step, notes)
    details = card_details(step, facts)
    buttons = buttons_for(w, request, role, facts)
    if Card.RECHECK_BUTTON in step.card and role == step.role:
        buttons.append([("Cek ulang DNS", f"{RECHECK}:{request.id}")])
    return OutMessage(chat_id, "message", {
        "text": f"{text}\n{details}" if details else text, "buttons": buttons})


def step_messages(w: Words, request: Request, role: RoleKey, chat_id: int, notes: Notes = (),
                  facts: CardFacts = CardFacts(), document: Path | None = None,
                  ) -> list[OutMessage]:
    """The letter to act on (the request letter, or the draft reply where the card shows
    it), then the step card with its buttons and the step's technical details."""
    messages = []
    step = w.workflow.step(request.state)
    if document is not None and step is not None and Card.DRAFT in step.card:
        messages.append(OutMessage(chat_id, "document", {
            "path": str(document), "filename": f"{request.number}-konsep-surat-balasan.pdf",
            "caption": f"KONSEP surat balasan {request.number}"}))
    elif request.letter_file_ref:
        messages.append(OutMessage(chat_id, "document", {
            "path": request.letter_file_ref,
            "filename": f"{request.number}-surat-permohonan{Path(request.letter_file_ref).suffix}",
            "caption": f"Surat permohonan {request.number}",
        }))
    card = step_message(w, request, role, chat_id, notes, facts)
    messages.append(OutMessage(chat_id, "card", {**card.payload, "key": step_card_key(
        request, chat_id)}))
    return messages


def step_card_key(request: Request, chat_id: int) -> str:
    """The outbox key of the step card a holder gets for one visit of a step, so that the
    card can be edited later (when the visit ends without them)."""
    return f"step:{request.id}:{request.version}:{chat_id}"


def requester_message(w: Words, request: Request, chat_id: int, text: str) -> OutMessage:
    return OutMessage(chat_id, "message", {
        "text": text, "buttons": buttons_for(w, request, w.workflow.requester)})


def for_new_request(scene: Scene) -> Composer:
    """Composer for a freshly filed request (its number is known only inside the
    transaction); `scene.request` is not used, the holders are those of the first step."""
    w = scene.words

    def compose(request: Request) -> list[OutMessage]:
        messages = [m for chat, role in scene.holders
                    for m in step_messages(w, request, role, chat, facts=scene.facts)]
        if scene.requester_chat is not None:
            messages.append(requester_message(
                w, request, scene.requester_chat, texts.submitted(w, request)))
        if scene.group_chat_id is not None:
            messages.append(group_card(w, request, scene.group_chat_id))
        return messages

    return compose


def for_transition(scene: Scene, before_state: str, entry: AuditEntry) -> list[OutMessage]:
    w, after = scene.words, scene.request
    assert after is not None
    messages = [m for chat, role in scene.holders
                for m in step_messages(w, after, role, chat, scene.notes, scene.facts,
                                       scene.document)]
    step = w.workflow.step(before_state)
    made = step.transition(entry.action) if step else None
    if scene.passed_over and step is not None:
        messages += _passed_over(scene, step, entry)
    if made and made.tell_requester and scene.requester_chat is not None:
        update = requester_message(w, after, scene.requester_chat,
                                   texts.requester_update(w, after, entry))
        if Effect.ISSUE_LETTER in made.effects:  # the letter itself carries the buttons
            update.payload["buttons"] = []
        messages.append(update)
    if scene.group_chat_id is not None:
        messages.append(group_card(w, after, scene.group_chat_id))
        if after.state in w.workflow.final_states:  # besides the card, announce the end
            messages.append(OutMessage(scene.group_chat_id, "message", {
                "text": texts.finished(w, after, entry), "buttons": []}))
    return messages


def _passed_over(scene: Scene, left: Step, entry: AuditEntry) -> list[OutMessage]:
    """The holders of the step the request left without them: their card, edited to say what
    happened (no buttons left), and a message saying the step needs nothing more."""
    w, after = scene.words, scene.request
    assert after is not None
    before = dataclasses.replace(after, version=after.version - 1)
    happened = texts.passed_over(w, after, left, entry, scene.actor_name)
    out = []
    for chat, _role in scene.passed_over:
        out.append(OutMessage(chat, "card", {
            "key": step_card_key(before, chat), "buttons": [],
            "text": f"{texts.step_heading(left)}\n{texts.request_summary(w, after)}\n\n"
                    f"⛔ {happened}"}))
        out.append(OutMessage(chat, "message", {"text": happened, "buttons": []}))
    return out


def for_letter(w: Words, after: Request,
               requester_chat: int | None) -> Callable[[IssuedLetter], list[OutMessage]]:
    """Composer for the signed reply letter (numbered only inside the transaction): the PDF
    to the requester, with the receipt button while the request awaits it."""

    def compose(issued: IssuedLetter) -> list[OutMessage]:
        if requester_chat is None:
            return []
        return [OutMessage(requester_chat, "document", {
            "path": str(issued.delivered_path),
            "filename": f"{after.number}-surat-balasan.pdf",
            "caption": texts.letter_caption(w, after, issued.number),
            "buttons": buttons_for(w, after, w.workflow.requester),
            "letter_id": issued.id,
        })]

    return compose


def for_print(w: Words, after: Request,
              chats: Sequence[int]) -> Callable[[IssuedLetter], list[OutMessage]]:
    """Composer for a letter to be signed by hand: the numbered PDF to the staff who print
    it, get it signed and stamped, and upload the scan (never to the requester)."""

    def compose(issued: IssuedLetter) -> list[OutMessage]:
        caption = (f"{texts.letter_caption(w, after, issued.number)}\nMohon cetak surat ini, "
                   "mintakan tanda tangan basah dan cap dinas, lalu unggah pindaiannya (PDF) "
                   "dengan tombol <b>Unggah pindaian surat</b> pada kartu tugas.")
        return [OutMessage(chat, "document", {
            "path": str(issued.path),
            "filename": f"{after.number}-surat-balasan-untuk-dicetak.pdf",
            "caption": caption, "buttons": []}) for chat in chats]

    return compose


def group_card(w: Words, request: Request, group_chat_id: int) -> OutMessage:
    """The request's one status card in the office group, edited in place by its key."""
    return OutMessage(group_chat_id, "card", {
        "key": f"card:{request.id}",
        "text": texts.group_card(w, request),
        "buttons": [],
    })


def plain(chat_id: int, text: str) -> OutMessage:
    return OutMessage(chat_id, "message", {"text": escape(text), "buttons": []})
