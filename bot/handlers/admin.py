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

from bot.handlers.steps import person_of
from bot.workflow import OFFICIAL_ROLES, POSITIONS, ROLE_TITLES, Role
from storage.models import PositionHolder
from storage.store import StorageError

if TYPE_CHECKING:
    from bot.app import BotContext

USAGE = (
    "<b>Format perintah /peran</b>\n"
    "/peran — daftar jabatan dan pemegangnya\n"
    "/peran plt JABATAN ID_TELEGRAM SAMPAI_YYYY-MM-DD Nama — tetapkan Plt.\n"
    "/peran plh JABATAN ID_TELEGRAM SAMPAI_YYYY-MM-DD Nama — tetapkan Plh.\n"
    "/peran hapus JABATAN ID_TELEGRAM — cabut jabatan\n"
    "JABATAN: " + ", ".join(p.value for p in POSITIONS)
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


def listing(holders: list[PositionHolder], today: date) -> str:
    lines = ["<b>Jabatan dan pemegangnya</b>"]
    for position in POSITIONS:
        mine = [h for h in holders if h.position is position]
        body = "; ".join(_holder_line(h, today) for h in mine) or "belum ada"
        lines.append(f"• {escape(ROLE_TITLES[position])}: {body}")
    return "\n".join(lines)


def _position(raw: str, allowed: tuple[Role, ...]) -> Role:
    try:
        role = Role(raw.strip().lower())
    except ValueError:
        role = None
    if role is None or role not in allowed:
        names = ", ".join(p.value for p in allowed)
        raise Refused(f"Jabatan {escape(raw)} tidak dikenal. Gunakan salah satu: {names}.")
    return role


def _telegram_id(raw: str) -> int:
    if not raw.isdigit() or int(raw) <= 0:
        raise Refused(f"ID Telegram harus berupa angka positif: {escape(raw)}.")
    return int(raw)


async def _set_acting(context: BotContext, kind: str, args: list[str]) -> str:
    if len(args) < 3:
        raise Refused(USAGE)
    office = context.office
    today = office.today()
    position = _position(args[0], OFFICIAL_ROLES)
    telegram_id = _telegram_id(args[1])
    try:
        until = date.fromisoformat(args[2])
    except ValueError:
        raise Refused(f"Tanggal akhir harus berformat YYYY-MM-DD: {escape(args[2])}.") from None
    if until < today:
        raise Refused("Tanggal akhir sudah lewat. Mohon periksa kembali.")
    known = await office.store.person_by_telegram(telegram_id)
    name = " ".join(args[3:]).strip() or (known.name if known else "")
    if not name:
        raise Refused("Mohon tuliskan nama pejabat setelah tanggal akhir.")
    for h in await office.store.position_holders(position):
        if h.person.telegram_user_id == telegram_id and h.acting is None:
            raise Refused(f"{escape(h.person.name)} sudah menjabat "
                          f"{escape(ROLE_TITLES[position])} secara definitif.")
    try:
        holder = await office.store.set_position(
            position, telegram_id, name, now=office.clock(), acting=kind, valid_from=today,
            valid_until=until)
    except StorageError as exc:
        raise Refused(escape(str(exc))) from None
    handed = await office.hand_over(holder)
    return (f"Tercatat: {escape(holder.title_prefix)}{escape(ROLE_TITLES[position])} — "
            f"{escape(holder.person.name)} (ID {telegram_id}), berlaku {_date_id(today)} "
            f"s.d. {_date_id(until)}. Tahap dan pengingat untuk jabatan ini diteruskan "
            f"kepadanya selama masa tersebut; {handed} tahap yang sedang menunggu telah "
            f"dikirimkan kepadanya.")


async def _remove(context: BotContext, args: list[str]) -> str:
    if len(args) != 2:
        raise Refused(USAGE)
    store = context.office.store
    position = _position(args[0], POSITIONS)
    telegram_id = _telegram_id(args[1])
    holders = await store.position_holders(position)
    if position is Role.ADMIN and [h.person.telegram_user_id for h in holders] == [telegram_id]:
        raise Refused("Admin terakhir tidak dapat dihapus.")
    if not await store.remove_position(position, telegram_id):
        raise Refused(f"ID {telegram_id} tidak memegang jabatan "
                      f"{escape(ROLE_TITLES[position])}.")
    return f"Jabatan {escape(ROLE_TITLES[position])} untuk ID {telegram_id} telah dicabut."


async def roles(update: Update, context: BotContext) -> None:
    message = update.effective_message
    assert message is not None
    office = context.office
    person = await person_of(update, context)
    actor = await office.actor(person) if person is not None else None
    if actor is None or Role.ADMIN not in actor.positions:
        await message.reply_text("Perintah ini khusus admin.")
        return
    args = list(context.args or [])
    try:
        if not args:
            reply = listing(await office.store.position_holders(), office.today())
        elif args[0].lower() in ("plt", "plh"):
            reply = await _set_acting(context, args[0].lower(), args[1:])
        elif args[0].lower() == "hapus":
            reply = await _remove(context, args[1:])
        else:
            reply = USAGE
    except Refused as refused:
        reply = str(refused)
    await message.reply_text(reply)
