"""/peran: positions and acting officials (Plt./Plh.), for admins only.

    /peran                                              list positions and holders
    /peran plt|plh JABATAN ID_TELEGRAM SAMPAI_YYYY-MM-DD Nama   set an acting official
    /peran hapus JABATAN ID_TELEGRAM                    take a position away
"""

from __future__ import annotations

from datetime import date
from html import escape
from typing import TYPE_CHECKING

from telegram import Update

from bot import reach
from bot.handlers import replies
from bot.handlers.session import person_of
from bot.service import Appointment, AppointmentRefused
from bot.workflow import Workflow, WorkflowError
from storage.models import PositionHolder

if TYPE_CHECKING:
    from bot.handlers.context import BotContext

def usage(workflow: Workflow) -> str:
    return (
        "<b>Format perintah /peran</b>\n"
        "/peran — daftar jabatan dan pemegangnya\n"
        "/peran plt JABATAN ID_TELEGRAM SAMPAI_YYYY-MM-DD Nama — tetapkan Plt.\n"
        "/peran plh JABATAN ID_TELEGRAM SAMPAI_YYYY-MM-DD Nama — tetapkan Plh.\n"
        "/peran hapus JABATAN ID_TELEGRAM — cabut jabatan\n"
        "JABATAN: " + ", ".join(workflow.office_positions)
    )


class Refused(Exception):
    """A reply (HTML) to the admin instead of a change."""


def _date_id(value: date) -> str:
    return value.strftime("%d-%m-%Y")


def _holder_line(h: PositionHolder, today: date) -> str:
    line = (f"{escape(h.title_prefix)}{escape(h.person.name)} "
            f"(ID {h.person.telegram_user_id})")
    if h.valid_from or h.valid_until:
        start = _date_id(h.valid_from) if h.valid_from else "…"
        end = _date_id(h.valid_until) if h.valid_until else "…"
        line += f", {start} s.d. {end}"
    if not h.valid_on(today):
        line += " — tidak berlaku hari ini"
    return line


def listing(workflow: Workflow, holders: list[PositionHolder], today: date) -> str:
    lines = ["<b>Jabatan dan pemegangnya</b>"]
    for position in workflow.office_positions:
        mine = [h for h in holders if h.position == position]
        body = "; ".join(_holder_line(h, today) for h in mine) or "belum ada"
        lines.append(f"• {escape(workflow.title(position))}: {body}")
    return "\n".join(lines)


def _telegram_id(raw: str) -> int:
    if not raw.isdigit() or int(raw) <= 0:
        raise Refused(f"ID Telegram harus berupa angka positif: {escape(raw)}.")
    return int(raw)


async def _set_acting(context: BotContext, kind: str, args: list[str]) -> str:
    office = context.office
    if len(args) < 3:
        raise Refused(usage(office.workflow))
    position = args[0].strip().lower()
    telegram_id = _telegram_id(args[1])
    try:
        until = date.fromisoformat(args[2])
    except ValueError:
        raise Refused(f"Tanggal akhir harus berformat YYYY-MM-DD: {escape(args[2])}.") from None
    try:
        holder, handed = await office.appoint(Appointment(
            position, telegram_id, " ".join(args[3:]), acting=kind, valid_until=until))
    except AppointmentRefused as refused:
        raise Refused(escape(refused.message_id)) from None
    title = office.workflow.title(position)
    return (f"Tercatat: {escape(holder.title_prefix)}{escape(title)} — "
            f"{escape(holder.person.name)} (ID {telegram_id}), berlaku "
            f"{_date_id(holder.valid_from or office.today())} s.d. {_date_id(until)}. Tahap dan "
            "pengingat untuk jabatan ini diteruskan kepadanya selama masa tersebut; "
            f"{handed} tahap yang sedang menunggu telah dikirimkan kepadanya.\n"
            + reach.chat_line(await office.chat_facts(telegram_id)))


async def _remove(context: BotContext, args: list[str]) -> str:
    office = context.office
    if len(args) != 2:
        raise Refused(usage(office.workflow))
    position = args[0].strip().lower()
    if position not in office.workflow.office_positions:
        raise Refused(f"Jabatan {escape(args[0])} tidak dikenal. Gunakan salah satu: "
                      f"{', '.join(office.workflow.office_positions)}.")
    telegram_id = _telegram_id(args[1])
    await office.dismiss(position, telegram_id)
    return (f"Jabatan {escape(office.workflow.title(position))} untuk ID {telegram_id} "
            "telah dicabut.")


async def roles(update: Update, context: BotContext) -> None:
    message = update.effective_message
    assert message is not None
    office = context.office
    person = await person_of(update, context)
    actor = await office.actor(person) if person is not None else None
    if actor is None or office.workflow.admin not in actor.positions:
        await replies.reply(update, "Perintah ini khusus admin.", later=context.office)
        return
    args = list(context.args or [])
    try:
        if not args:
            reply = listing(office.workflow, await office.holders(), office.today())
        elif args[0].lower() in ("plt", "plh"):
            reply = await _set_acting(context, args[0].lower(), args[1:])
        elif args[0].lower() == "hapus":
            reply = await _remove(context, args[1:])
        else:
            reply = usage(office.workflow)
    except Refused as refused:
        reply = str(refused)
    except WorkflowError as refused:
        reply = escape(refused.message_id)
    await replies.reply(update, reply, later=context.office)
