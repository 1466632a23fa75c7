"""Buttons beside the steps: re-run the DNS check (step 4), the disposition sheet (/riwayat)."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from telegram import Update

from bot import technical, texts
from bot.handlers.steps import person_of
from bot.workflow import Role, State
from domains.names import InvalidName
from storage.models import OutMessage
from storage.store import NotFound

if TYPE_CHECKING:
    from bot.app import BotContext


def _request_id(data: str) -> int | None:
    _, _, raw = data.partition(":")
    return int(raw) if raw.isdigit() else None


async def recheck(update: Update, context: BotContext) -> None:
    """Step 4: the assigned Prakom staff asks DNS again before writing the report."""
    query = update.callback_query
    assert query is not None
    assert query.data is not None
    person = await person_of(update, context)
    request_id = _request_id(query.data)
    office = context.office
    try:
        request = await office.store.request(request_id or 0)
    except NotFound:
        await query.answer("Permohonan tidak ditemukan.", show_alert=True)
        return
    actor = await office.actor(person, request) if person else None
    if actor is None or Role.STAF_PRAKOM not in actor.positions or request.assignee_id not in (
            None, actor.person_id):
        await query.answer("Bukan tugas Anda.", show_alert=True)
        return
    if request.state is not State.TECHNICAL_CHECK:
        await query.answer("Pengecekan teknis untuk permohonan ini sudah selesai.",
                           show_alert=True)
        return
    await query.answer("Memeriksa DNS…")
    try:
        result = await technical.check(office.store, office.settings, request.subdomain, request)
    except InvalidName as invalid:
        summary = invalid.message_id
    else:
        summary = result.summary_id()
    chat = update.effective_chat
    assert chat is not None
    await chat.send_message(f"{html.escape(request.number)}: {texts.dns_check(summary)}")


async def disposition_sheet(update: Update, context: BotContext) -> None:
    """The lembar disposisi of a request as PDF, for officials."""
    query = update.callback_query
    assert query is not None
    assert query.data is not None
    person = await person_of(update, context)
    office = context.office
    try:
        request = await office.store.request(_request_id(query.data) or 0)
    except NotFound:
        await query.answer("Permohonan tidak ditemukan.", show_alert=True)
        return
    actor = await office.actor(person, request) if person else None
    if actor is None or not actor.is_office:
        await query.answer("Lembar disposisi hanya untuk pejabat dan staf Diskominfo.",
                           show_alert=True)
        return
    await query.answer("Lembar disposisi sedang disiapkan.")
    path = await office.disposition_sheet(request)
    chat = update.effective_chat
    assert chat is not None
    await office.store.enqueue([OutMessage(chat.id, "document", {
        "path": str(path), "filename": path.name,
        "caption": f"Lembar disposisi {html.escape(request.number)}"})],
        now=office.clock(), request_id=request.id)
    office.on_queued()
