"""People and the office positions they hold (acting ones with their dates)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import aiosqlite

from storage import rows
from storage.db import Repository
from storage.errors import StorageError
from storage.models import Person, PositionHolder


class People(Repository):
    async def upsert_person(
        self,
        telegram_user_id: int,
        name: str,
        *,
        now: datetime,
        nip: str | None = None,
        rank: str | None = None,
        title: str | None = None,
        phone: str | None = None,
    ) -> Person:
        async with self.db.transaction() as conn:
            return await upsert_person(conn, telegram_user_id, name, now, nip, rank, title, phone)

    async def person_by_telegram(self, telegram_user_id: int) -> Person | None:
        found = await self.db.fetch(
            "SELECT * FROM people WHERE telegram_user_id = ?", (telegram_user_id,))
        return rows.person(found[0]) if found else None

    async def person(self, person_id: int) -> Person | None:
        found = await self.db.fetch(
            "SELECT * FROM people WHERE id = ?", (person_id,))
        return rows.person(found[0]) if found else None

    async def set_position(
        self,
        position: str,
        telegram_user_id: int,
        name: str,
        *,
        now: datetime,
        nip: str | None = None,
        rank: str | None = None,
        title: str | None = None,
        acting: str | None = None,
        valid_from: date | None = None,
        valid_until: date | None = None,
    ) -> PositionHolder:
        if acting not in (None, "plt", "plh"):
            raise StorageError("acting must be plt or plh")
        if acting and valid_until is None:
            raise StorageError("an acting position needs an end date")
        if valid_from and valid_until and valid_until < valid_from:
            raise StorageError("the end date lies before the start date")
        async with self.db.transaction() as conn:
            person = await upsert_person(conn, telegram_user_id, name, now, nip, rank, title, None)
            await conn.execute(
                """INSERT INTO positions (position, person_id, acting, valid_from, valid_until)
                   VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT (position, person_id) DO UPDATE SET
                     acting = excluded.acting, valid_from = excluded.valid_from,
                     valid_until = excluded.valid_until""",
                (position, person.id, acting,
                 valid_from.isoformat() if valid_from else None,
                 valid_until.isoformat() if valid_until else None),
            )
        return PositionHolder(position, person, acting, valid_from, valid_until)

    async def remove_position(self, position: str, telegram_user_id: int) -> bool:
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                """DELETE FROM positions WHERE position = ? AND person_id =
                   (SELECT id FROM people WHERE telegram_user_id = ?)""",
                (position, telegram_user_id),
            )
            return cur.rowcount > 0

    async def position_holders(self, position: str | None = None) -> list[PositionHolder]:
        """Every holder, acting ones included, whatever their dates."""
        sql = rows.POSITION_SELECT
        params: tuple[Any, ...] = ()
        if position is not None:
            sql += " WHERE pos.position = ?"
            params = (position,)
        sql += " ORDER BY pos.position, pos.acting IS NOT NULL, p.name"
        found = await self.db.fetch(sql, params)
        return [rows.holder(r) for r in found]

    async def holders_on(self, position: str, day: date) -> list[PositionHolder]:
        """Who holds `position` on `day`: the acting holders first when there are any."""
        holders = [h for h in await self.position_holders(position) if h.valid_on(day)]
        return sorted(holders, key=lambda h: h.acting is None)

    async def positions_of(self, person_id: int, day: date) -> list[PositionHolder]:
        found = await self.db.fetch(
            rows.POSITION_SELECT + " WHERE p.id = ?", (person_id,))
        return [h for h in map(rows.holder, found) if h.valid_on(day)]


async def upsert_person(
    conn: aiosqlite.Connection,
    telegram_user_id: int,
    name: str,
    now: datetime,
    nip: str | None = None,
    rank: str | None = None,
    title: str | None = None,
    phone: str | None = None,
) -> Person:
    """Insert or update by Telegram id, inside the caller's transaction; `None` keeps a value."""
    await conn.execute(
        """INSERT INTO people (telegram_user_id, name, nip, rank, title, phone, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (telegram_user_id) DO UPDATE SET
             name = excluded.name,
             nip = COALESCE(excluded.nip, nip), rank = COALESCE(excluded.rank, rank),
             title = COALESCE(excluded.title, title), phone = COALESCE(excluded.phone, phone)""",
        (telegram_user_id, name, nip, rank, title, phone, rows.timestamp(now)),
    )
    found = await conn.execute_fetchall(
        "SELECT * FROM people WHERE telegram_user_id = ?", (telegram_user_id,))
    return rows.person(next(iter(found)))
