"""/status, /tugas and /riwayat: read-only views of requests."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot import notify, texts
from bot.handlers.steps import person_of
from bot.workflow import Role, step_of
from storage.models import Person, Request
from storage.store import NotFound

if TYPE_CHECKING:
    from bot.app import BotContext

MAX_LISTED = 20
MAX_TEXT = 4000


async def _may_see(context: BotContext, person: Person, request: Request) -> bool:
    """Officials see every request; a requester sees their own agency's only."""
    actor = await context.office.actor(person, request)
    return actor.is_requester or actor.is_office


async def _one_request(update: Update, context: BotContext, number: str) -> Request | None:
    message = update.effective_message
    person = await person_of(update, context)
    assert message is not None
    try:
        request = await context.office.store.request(number)
    except NotFound:
        request = None
    if request is None or person is None or not await _may_see(context, person, request):
        await message.reply_text(
            f"Permohonan {html.escape(number)} tidak ditemukan atau bukan milik Bapak/Ibu.")
        return None
    return request


async def status(update: Update, context: BotContext) -> None:
    message = update.effective_message
    assert message is not None
    if context.args:
        request = await _one_request(update, context, context.args[0])
        if request is not None:
            await _send_timeline(update, context, request)
        return
    person = await person_of(update, context)
    mine = await context.office.store.requests(requester_id=person.id) if person else []
    if not mine:
        await message.reply_text("Belum ada permohonan dari Bapak/Ibu. Ajukan dengan /ajukan.")
        return
    lines = ["<b>Permohonan Bapak/Ibu</b>"]
    parent = context.office.settings.parent_domain
    for r in mine[-MAX_LISTED:]:
        step = step_of(r.state)
        where = f"tahap {step.number}" if step else "selesai"
        name = html.escape(texts.fqdn(r, parent))
        lines.append(f"{html.escape(r.number)} — <code>{name}</code>: "
                     f"{html.escape(texts.STATE_LABELS[r.state])} ({where})")
    await message.reply_text("\n".join(lines))


async def tasks(update: Update, context: BotContext) -> None:
    message = update.effective_message
    assert message is not None
    person = await person_of(update, context)
    pending = await context.office.pending_for(person) if person else []
    if not pending:
        await message.reply_text("Tidak ada tahap yang menunggu tindakan Bapak/Ibu.")
        return
    await message.reply_text(f"Ada {len(pending)} tahap yang menunggu tindakan Bapak/Ibu:")
    assert person is not None
    for request in pending[:MAX_LISTED]:
        actor = await context.office.actor(person, request)
        for role in sorted(actor.roles, key=lambda r: r is Role.SKPD):
            buttons = notify.buttons_for(request, role)
            if buttons:
                notes = await notify.recent_notes(context.office, request)
                card = notify.step_message(request, role, message.chat_id, notes,
                                           parent=context.office.settings.parent_domain)
                await message.reply_text(card.payload["text"], reply_markup=InlineKeyboardMarkup(
                    [[InlineKeyboardButton(t, callback_data=d) for t, d in row]
                     for row in buttons]))
                break


async def history(update: Update, context: BotContext) -> None:
    message = update.effective_message
    assert message is not None
    if not context.args:
        await message.reply_text("Mohon sebutkan nomor permohonan, contoh: /riwayat SD-2026-0001")
        return
    request = await _one_request(update, context, context.args[0])
    if request is not None:
        await _send_timeline(update, context, request)


async def _send_timeline(update: Update, context: BotContext, request: Request) -> None:
    message = update.effective_message
    person = await person_of(update, context)
    assert message is not None
    events = await context.office.store.timeline(request.id)
    head = [texts.request_summary(request, context.office.settings.parent_domain),
            f"Status: <b>{html.escape(texts.STATE_LABELS[request.state])}</b>", "",
            "<b>Riwayat</b>"]
    lines = [html.escape(line) for line in texts.timeline_lines(
        events, context.office.settings.timezone)]
    # Telegram's limit is 4096 characters: keep the latest events whole.
    while lines and len("\n".join([*head, "…", *lines])) > MAX_TEXT:
        lines.pop(0)
    if len(lines) < len(events):
        lines.insert(0, "…")
    markup = None
    actor = await context.office.actor(person, request) if person else None
    if actor is not None and actor.is_office:
        markup = InlineKeyboardMarkup(
            [[InlineKeyboardButton("Lembar disposisi (PDF)", callback_data=f"sheet:{request.id}")]])
    await message.reply_text("\n".join([*head, *lines]), reply_markup=markup)
