"""The messages a transition owes: to the next step's holders, to the requester, to the group.

Messages are Telegram-neutral `OutMessage`s (HTML text plus button rows of (label, data));
the outbox dispatcher turns them into Bot API calls. Recipients are looked up first (async),
the composition itself is pure so that it can run inside the storing transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from bot import texts
from bot.callbacks import ActionButton
from bot.workflow import (
    Role,
    roles_to_notify,
    step_of,
    transitions_for,
)
from storage.models import AuditEntry, OutMessage, Request

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


async def _step_recipients(office: Office, request: Request) -> list[tuple[int, Role]]:
    """(chat id, role) of everyone who holds a pending action on `request`."""
    out: list[tuple[int, Role]] = []
    for role in roles_to_notify(request.state):
        if role is Role.SKPD:
            continue  # the requester's own message carries their buttons
        holders = await office.store.holders_on(role, office.today())
        if role is Role.STAF_PRAKOM and request.assignee_id is not None:
            holders = [h for h in holders if h.person.id == request.assignee_id] or holders
        acting = [h for h in holders if h.acting]
        # The acting official (Plt./Plh.) receives the step while one is set.
        chosen = acting if acting and role is not Role.STAF_PRAKOM else holders
        out += [(h.person.telegram_user_id, role) for h in chosen if h.person.telegram_user_id]
    return out


def buttons_for(request: Request, role: Role) -> list[list[tuple[str, str]]]:
    return [
        [(t.label, ActionButton(request.id, request.version, t.action).pack())]
        for t in transitions_for(request.state, role)
    ]


def step_message(request: Request, role: Role, chat_id: int, notes: Notes = ()) -> OutMessage:
    step = step_of(request.state)
    text = texts.step_card(request, step, notes) if step else texts.request_summary(request)
    return OutMessage(chat_id, "message", {"text": text, "buttons": buttons_for(request, role)})


def step_messages(request: Request, role: Role, chat_id: int,
                  notes: Notes = ()) -> list[OutMessage]:
    """The request letter (when there is one), then the step card with its buttons."""
    messages = []
    if request.letter_file_ref:
        messages.append(OutMessage(chat_id, "document", {
            "path": request.letter_file_ref,
            "filename": f"{request.number}-surat-permohonan{Path(request.letter_file_ref).suffix}",
            "caption": f"Surat permohonan {request.number}",
        }))
    messages.append(step_message(request, role, chat_id, notes))
    return messages


def requester_message(request: Request, chat_id: int, text: str) -> OutMessage:
    return OutMessage(chat_id, "message", {
        "text": text, "buttons": buttons_for(request, Role.SKPD)})


async def for_new_request(office: Office, requester_id: int) -> Composer:
    """Composer for a freshly filed request (its number is known only inside the transaction)."""
    requester = await office.store.person(requester_id)
    requester_chat = requester.telegram_user_id if requester else None
    heads = await office.store.holders_on(Role.KEPALA_DINAS, office.today())
    acting = [h for h in heads if h.acting] or heads
    chats = [h.person.telegram_user_id for h in acting if h.person.telegram_user_id]
    group = office.settings.group_chat_id

    def compose(request: Request) -> list[OutMessage]:
        messages = [m for chat in chats for m in step_messages(request, Role.KEPALA_DINAS, chat)]
        if requester_chat is not None:
            messages.append(requester_message(
                request, requester_chat, texts.submitted(request)))
        if group is not None:
            messages.append(group_card(request, group))
        return messages

    return compose


async def for_transition(
    office: Office, before: Request, after: Request, entry: AuditEntry
) -> list[OutMessage]:
    notes = await recent_notes(office, before, entry)
    messages = [m for chat, role in await _step_recipients(office, after)
                for m in step_messages(after, role, chat, notes)]
    requester = await office.store.person(before.requester_id)
    if requester and requester.telegram_user_id:
        messages.append(requester_message(
            after, requester.telegram_user_id, texts.requester_update(after, entry)))
    if office.settings.group_chat_id is not None:
        messages.append(group_card(after, office.settings.group_chat_id))
    return messages


def group_card(request: Request, group_chat_id: int) -> OutMessage:
    """The request's one status card in the office group, edited in place by its key."""
    return OutMessage(group_chat_id, "card", {
        "key": f"card:{request.id}",
        "text": texts.group_card(request),
        "buttons": [],
    })


def plain(chat_id: int, text: str) -> OutMessage:
    return OutMessage(chat_id, "message", {"text": escape(text), "buttons": []})
