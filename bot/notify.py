"""The messages a transition owes: to the next step's holders, to the requester, to the group.

Messages are Telegram-neutral `OutMessage`s (HTML text plus button rows of (label, data));
the outbox dispatcher turns them into Bot API calls. Recipients are looked up first (async),
the composition itself is pure so that it can run inside the storing transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, tzinfo
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from bot import technical, texts
from bot.callbacks import ANY_VERSION, ActionButton
from bot.workflow import (
    FINAL_STATES,
    Action,
    Role,
    State,
    roles_to_notify,
    step_of,
    transitions_for,
)
from domains.provision import ProvisionError
from storage.models import AuditEntry, IssuedLetter, OutMessage, PositionHolder, Request

if TYPE_CHECKING:
    from bot.service import Office

Composer = Callable[[Request], list[OutMessage]]
Notes = Sequence[tuple[str, str]]
"""(author, note) pairs, oldest first, as step cards show them."""


async def recent_notes(office: Office, request: Request,
                       entry: AuditEntry | None = None) -> list[tuple[str, str]]:
    """The notes written on `request` so far, plus `entry`'s (the transition being stored)."""
    notes = [(e.actor_name or "Sistem", e.note)
             for e in await office.store.timeline(request.id) if e.note]
    if entry is not None and entry.note:
        author = await office.store.person(entry.actor_id) if entry.actor_id else None
        notes.append((author.name if author else "Sistem", entry.note))
    return notes[-texts.NOTES_SHOWN:]


def on_duty(holders: Sequence[PositionHolder]) -> list[PositionHolder]:
    """Who answers for a position today: the acting official (Plt./Plh.) while one is set."""
    return [h for h in holders if h.acting] or list(holders)


async def step_holders(office: Office, request: Request,
                       day: date | None = None) -> list[tuple[PositionHolder, Role]]:
    """Everyone in the office who holds a pending action on `request` (on `day`, default
    today): the official on duty for each role; at staff steps the assigned staff member,
    else every staff member. The requester is reached by their own messages."""
    out: list[tuple[PositionHolder, Role]] = []
    for role in roles_to_notify(request.state):
        if role is Role.SKPD:
            continue
        holders = await office.store.holders_on(role, day or office.today())
        if role is Role.STAF_PRAKOM:
            assigned = [h for h in holders if h.person.id == request.assignee_id]
            chosen = assigned or holders
        else:
            chosen = on_duty(holders)
        out += [(h, role) for h in chosen if h.person.telegram_user_id]
    return out


async def _step_recipients(office: Office, request: Request) -> list[tuple[int, Role]]:
    """(chat id, role) of everyone who holds a pending action on `request`."""
    return [(h.person.telegram_user_id, role) for h, role in await step_holders(office, request)
            if h.person.telegram_user_id]


def buttons_for(request: Request, role: Role) -> list[list[tuple[str, str]]]:
    return [
        [(t.label, ActionButton(request.id, ANY_VERSION if t.any_version else request.version,
                                t.action).pack())]
        for t in transitions_for(request.state, role)
    ]


RECHECK = "chk"


def step_message(request: Request, role: Role, chat_id: int, notes: Notes = (),
                 details: str = "", *, parent: str) -> OutMessage:
    step = step_of(request.state)
    text = (texts.step_card(request, step, notes, parent=parent) if step
            else texts.request_summary(request, parent))
    buttons = buttons_for(request, role)
    if request.state is State.TECHNICAL_CHECK and role is Role.STAF_PRAKOM:
        buttons.append([("Cek ulang DNS", f"{RECHECK}:{request.id}")])
    return OutMessage(chat_id, "message", {
        "text": f"{text}\n{details}" if details else text, "buttons": buttons})


def step_messages(request: Request, role: Role, chat_id: int, notes: Notes = (), *,
                  parent: str, document: Path | None = None,
                  details: str = "") -> list[OutMessage]:
    """The letter to act on (the request letter, or the draft reply at sign-off), then the
    step card with its buttons and the step's technical details."""
    messages = []
    if document is not None:
        messages.append(OutMessage(chat_id, "document", {
            "path": str(document), "filename": f"{request.number}-konsep-surat-balasan.pdf",
            "caption": f"KONSEP surat balasan {request.number}"}))
    elif request.letter_file_ref:
        messages.append(OutMessage(chat_id, "document", {
            "path": request.letter_file_ref,
            "filename": f"{request.number}-surat-permohonan{Path(request.letter_file_ref).suffix}",
            "caption": f"Surat permohonan {request.number}",
        }))
    messages.append(step_message(request, role, chat_id, notes, details, parent=parent))
    return messages


async def step_details(office: Office, request: Request) -> str:
    """What the step's holder needs to see beyond the request itself (HTML)."""
    if request.state is State.TECHNICAL_CHECK:
        result = await technical.check(office.store, office.settings, request.subdomain, request)
        return texts.dns_check(result.summary_id())
    if request.state is State.CREATION:
        try:
            planned = texts.plan(technical.plan(office.settings, request).describe_id())
        except ProvisionError as failed:
            planned = texts.plan(failed.message_id)
        return f"{planned}\n{texts.CREATION_HINTS[office.settings.dns.provider]}"
    if request.state is State.DECISION:
        lines = []
        checks = [e for e in await office.store.timeline(request.id)
                  if e.details.get("dns_summary")]
        if checks:
            lines.append(texts.dns_check(str(checks[-1].details["dns_summary"])))
        try:
            lines.append(texts.plan(technical.plan(office.settings, request).describe_id()))
        except ProvisionError as failed:
            lines.append(texts.plan(failed.message_id))
        return "\n".join(lines)
    return ""


def requester_message(request: Request, chat_id: int, text: str) -> OutMessage:
    return OutMessage(chat_id, "message", {
        "text": text, "buttons": buttons_for(request, Role.SKPD)})


async def for_new_request(office: Office, requester_id: int) -> Composer:
    """Composer for a freshly filed request (its number is known only inside the transaction)."""
    requester = await office.store.person(requester_id)
    requester_chat = requester.telegram_user_id if requester else None
    heads = on_duty(await office.store.holders_on(Role.KEPALA_DINAS, office.today()))
    chats = [h.person.telegram_user_id for h in heads if h.person.telegram_user_id]
    group = office.settings.group_chat_id
    parent, tz = office.settings.parent_domain, office.settings.timezone

    def compose(request: Request) -> list[OutMessage]:
        messages = [m for chat in chats
                    for m in step_messages(request, Role.KEPALA_DINAS, chat, parent=parent)]
        if requester_chat is not None:
            messages.append(requester_message(
                request, requester_chat, texts.submitted(request, parent)))
        if group is not None:
            messages.append(group_card(request, group, parent=parent, tz=tz))
        return messages

    return compose


async def for_transition(
    office: Office, before: Request, after: Request, entry: AuditEntry,
    draft: Path | None = None,
) -> list[OutMessage]:
    notes = await recent_notes(office, before, entry)
    details = await step_details(office, after)
    parent, tz = office.settings.parent_domain, office.settings.timezone
    messages = [m for chat, role in await _step_recipients(office, after)
                for m in step_messages(after, role, chat, notes, parent=parent, document=draft,
                                       details=details)]
    step = step_of(before.state)
    made = step.transition(Action(entry.action)) if step else None
    requester = await office.store.person(before.requester_id)
    if made and made.tell_requester and requester and requester.telegram_user_id:
        update = requester_message(
            after, requester.telegram_user_id, texts.requester_update(after, entry, parent))
        if after.state is State.DELIVERY:  # the letter itself carries the receipt button
            update.payload["buttons"] = []
        messages.append(update)
    group = office.settings.group_chat_id
    if group is not None:
        messages.append(group_card(after, group, parent=parent, tz=tz))
        if after.state in FINAL_STATES:  # besides the card, a finished request is announced
            messages.append(OutMessage(group, "message", {
                "text": texts.finished(after, entry, parent), "buttons": []}))
    return messages


async def for_letter(office: Office, after: Request) -> Callable[[IssuedLetter], list[OutMessage]]:
    """Composer for the signed reply letter (numbered only inside the transaction): the PDF
    to the requester, with the receipt button while the request awaits it."""
    requester = await office.store.person(after.requester_id)
    chat = requester.telegram_user_id if requester else None
    parent = office.settings.parent_domain

    def compose(issued: IssuedLetter) -> list[OutMessage]:
        if chat is None:
            return []
        return [OutMessage(chat, "document", {
            "path": str(issued.path),
            "filename": f"{after.number}-surat-balasan.pdf",
            "caption": texts.letter_caption(after, issued.number, parent),
            "buttons": buttons_for(after, Role.SKPD),
            "letter_id": issued.id,
        })]

    return compose


def group_card(request: Request, group_chat_id: int, *, parent: str, tz: tzinfo) -> OutMessage:
    """The request's one status card in the office group, edited in place by its key."""
    return OutMessage(group_chat_id, "card", {
        "key": f"card:{request.id}",
        "text": texts.group_card(request, parent, tz),
        "buttons": [],
    })


def plain(chat_id: int, text: str) -> OutMessage:
    return OutMessage(chat_id, "message", {"text": escape(text), "buttons": []})
