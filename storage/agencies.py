"""Regional agencies (Perangkat Daerah) and the people who may submit for them."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from storage import rows
from storage.db import Repository
from storage.errors import NotFound, StorageError
from storage.models import Agency, Person
from storage.people import upsert_person


class Agencies(Repository):
    async def add_agency(self, code: str, name: str, head_title: str | None = None, *,
                         place: str | None = None, address: str | None = None) -> Agency:
        async with self.db.transaction() as conn:
            try:
                cur = await conn.execute(
                    "INSERT INTO agencies (code, name, head_title, place, address) "
                    "VALUES (?, ?, ?, ?, ?)", (code, name, head_title, place, address))
            except aiosqlite.IntegrityError as exc:
                raise StorageError(f"agency {code} already exists") from exc
            return Agency(int(cur.lastrowid or 0), code, name, head_title, place, address)

    async def add_agency_contact(
        self, code: str, telegram_user_id: int, name: str, *, now: datetime,
        phone: str | None = None,
    ) -> Person:
        async with self.db.transaction() as conn:
            agency = await agency_by_code(conn, code)
            person = await upsert_person(conn, telegram_user_id, name, now, phone=phone)
            await conn.execute(
                "INSERT OR IGNORE INTO agency_contacts (agency_id, person_id) VALUES (?, ?)",
                (agency.id, person.id))
            return person

    async def agencies(self) -> list[Agency]:
        found = await self.db.fetch("SELECT * FROM agencies ORDER BY name")
        return [rows.agency(r) for r in found]

    async def agency_by_code(self, code: str) -> Agency:
        async with self.db.reading() as conn:
            return await agency_by_code(conn, code)

    async def agency_contacts(self, agency_id: int) -> list[Person]:
        found = await self.db.fetch(
            """SELECT p.* FROM people p JOIN agency_contacts c ON c.person_id = p.id
               WHERE c.agency_id = ? ORDER BY p.name""", (agency_id,))
        return [rows.person(r) for r in found]

    async def contact_agency_ids(self, person_id: int) -> frozenset[int]:
        """The agencies `person_id` is a contact of."""
        found = await self.db.fetch(
            "SELECT agency_id FROM agency_contacts WHERE person_id = ?", (person_id,))
        return frozenset(int(r[0]) for r in found)


async def agency_by_code(conn: aiosqlite.Connection, code: str) -> Agency:
    found = list(await conn.execute_fetchall("SELECT * FROM agencies WHERE code = ?", (code,)))
    if not found:
        raise NotFound(f"no agency with code {code}")
    return rows.agency(found[0])


async def agency_by_id(conn: aiosqlite.Connection, agency_id: int) -> Agency:
    found = list(await conn.execute_fetchall(
        "SELECT * FROM agencies WHERE id = ?", (agency_id,)))
    if not found:
        raise NotFound(f"no agency with id {agency_id}")
    return rows.agency(found[0])
