"""/status, /tugas and /riwayat: read-only views of requests."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot import texts
from bot.handlers import replies
from bot.handlers.session import person_of
from bot.workflow import WorkflowError
from storage.models import Request

if TYPE_CHECKING:
    from bot.handlers.context import BotContext

MAX_LISTED = 20
MAX_TEXT = 4000


async def _one_request(update: Update, context: BotContext, number: str) -> Request | None:
    message = update.effective_message
    assert message is not None
    try:
        return await context.office.visible_request(await person_of(update, context), number)
    except WorkflowError as refused:
        await replies.reply(update, html.escape(refused.message_id), later=context.office)
        return None


async def status(update: Update, context: BotContext) -> None:
    message = update.effective_message
    assert message is not None
    if context.args:
        request = await _one_request(update, context, context.args[0])
        if request is not None:
            await _send_timeline(update, context, request)
        return
    office = context.office
    person = await person_of(update, context)
    mine = await office.requests_of(person, limit=MAX_LISTED) if person else []
    if not mine:
        await replies.reply(update, "Belum ada permohonan dari Bapak/Ibu. Ajukan dengan /ajukan.",
                            later=context.office)
        return
    w = office.words
    lines = ["<b>Permohonan Bapak/Ibu</b>"]
    for r in mine:
        step = w.workflow.step(r.state)
        where = f"tahap {step.number}" if step else "selesai"
        lines.append(f"{html.escape(r.number)} — <code>{html.escape(w.fqdn(r))}</code>: "
                     f"{html.escape(w.state(r.state))} ({where})")
    await replies.reply(update, "\n".join(lines), later=context.office)


async def tasks(update: Update, context: BotContext) -> None:
    message = update.effective_message
    assert message is not None
    person = await person_of(update, context)
    count, cards = (await context.office.inbox(person, message.chat_id, MAX_LISTED)
                    if person else (0, []))
    if not cards:
        await replies.reply(update, "Tidak ada tahap yang menunggu tindakan Bapak/Ibu.",
                            later=context.office)
        return
    await replies.reply(update, f"Ada {count} tahap yang menunggu tindakan Bapak/Ibu:",
                        later=context.office)
    for card in cards:
        await replies.reply(update, card.payload["text"], InlineKeyboardMarkup(
            [[InlineKeyboardButton(t, callback_data=d) for t, d in row]
             for row in card.payload["buttons"]]), later=context.office)


async def history(update: Update, context: BotContext) -> None:
    message = update.effective_message
    assert message is not None
    if not context.args:
        await replies.reply(update, "Mohon sebutkan nomor permohonan, contoh: "
                                    "/riwayat SD-2026-0001", later=context.office)
        return
    request = await _one_request(update, context, context.args[0])
    if request is not None:
        await _send_timeline(update, context, request)


async def _send_timeline(update: Update, context: BotContext, request: Request) -> None:
    message = update.effective_message
    person = await person_of(update, context)
    assert message is not None
    office = context.office
    w = office.words
    events = await office.timeline(request)
    head = [texts.request_summary(w, request),
            f"Status: <b>{html.escape(w.state(request.state))}</b>", "",
            "<b>Riwayat</b>"]
    lines = [html.escape(line) for line in texts.timeline_lines(w, events)]
    # Telegram's limit is 4096 characters: keep the latest events whole.
    while lines and len("\n".join([*head, "…", *lines])) > MAX_TEXT:
        lines.pop(0)
    if len(lines) < len(events):
        lines.insert(0, "…")
    markup = None
    actor = await office.actor(person, request) if person else None
    if actor is not None and actor.is_office:
        versions = office.draft_versions(request)
        markup = InlineKeyboardMarkup(
            [[InlineKeyboardButton("Lembar disposisi (PDF)", callback_data=f"sheet:{request.id}")],
             *([InlineKeyboardButton(f"Konsep {n} (PDF)",
                                     callback_data=f"konsep:{request.id}:{version}")
                for n, version in enumerate(versions, start=1)][i:i + 3]
               for i in range(0, len(versions), 3))])
    await replies.reply(update, "\n".join([*head, *lines]), markup, later=context.office)
