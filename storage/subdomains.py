"""The subdomains this bot created: the product's own register, beside DNS itself."""

from __future__ import annotations

import json
from datetime import datetime

import aiosqlite

from storage import rows
from storage.db import Repository
from storage.models import AuditEntry, CreatedSubdomain
from storage.requests import audit, request_by_id


class Subdomains(Repository):
    async def live_subdomains(self) -> dict[str, int | None]:
        """Label → request id of every subdomain the bot created and did not remove."""
        async with self.db.reading() as conn:
            found = await conn.execute_fetchall(
                "SELECT label, request_id FROM subdomains WHERE removed_at IS NULL")
        return {r["label"]: r["request_id"] for r in found}

    async def intend_records(self, request_id: int, label: str,
                             records: tuple[tuple[str, str, str, int], ...], *,
                             now: datetime) -> None:
        """Note the records about to be created for `request_id`, before the DNS update (a
        lost answer or a crash then leaves a trace the office can act on)."""
        async with self.db.transaction() as conn:
            await conn.execute(
                """INSERT INTO record_intents (request_id, label, records, created_at)
                   VALUES (?, ?, ?, ?)""",
                (request_id, label, json.dumps(records), rows.timestamp(now)))

    async def intended_records(self, label: str) -> tuple[tuple[str, str, str, int], ...] | None:
        """The latest records intended for `label` and not settled yet (registered or
        removed)."""
        async with self.db.reading() as conn:
            found = list(await conn.execute_fetchall(
                """SELECT records FROM record_intents WHERE label = ? AND settled_at IS NULL
                   ORDER BY id DESC LIMIT 1""", (label,)))
        return tuple(tuple(r) for r in json.loads(found[0]["records"])) if found else None
    async def live_subdomain(self, label: str) -> tuple[bool, int | None]:
        """(whether the bot created `label` and did not remove it, the request id it was
        created for): one index search, whatever the size of the register."""
        async with self.db.reading() as conn:
            found = list(await conn.execute_fetchall(
                "SELECT request_id FROM subdomains WHERE label = ? AND removed_at IS NULL",
                (label,)))
        return (True, found[0][0]) if found else (False, None)

    async def created_records(self) -> list[tuple[str, tuple[tuple[str, str, str, int], ...]]]:
        """Every live subdomain the bot created with its records, by label (one query)."""
        async with self.db.reading() as conn:
            found = await conn.execute_fetchall(
                "SELECT label, records FROM subdomains WHERE removed_at IS NULL ORDER BY label")
        return [(r["label"], tuple(tuple(x) for x in json.loads(r["records"]))) for r in found]

    async def subdomain_records(self, label: str) -> tuple[tuple[str, str, str, int], ...] | None:
        async with self.db.reading() as conn:
            found = list(await conn.execute_fetchall(
                "SELECT records FROM subdomains WHERE label = ? AND removed_at IS NULL", (label,)))
        if not found:
            return None
        return tuple(tuple(r) for r in json.loads(found[0]["records"]))

    async def mark_subdomain_removed(self, label: str, *, now: datetime,
                                     removed_by: int | None, request_id: int | None,
                                     role: str | None = None,
                                     action: str) -> None:
        """Record the removal, and an audit row on the request it was created for."""
        async with self.db.transaction() as conn:
            await conn.execute(
                """UPDATE subdomains SET removed_at = ?, removed_by = ?
                   WHERE label = ? AND removed_at IS NULL""",
                (rows.timestamp(now), removed_by, label))
            await settle_intents(conn, label, now)
            if request_id is not None:
                current = await request_by_id(conn, request_id)
                await audit(conn, request_id, now, current.state, AuditEntry(
                    action=action, to_state=current.state, actor_id=removed_by,
                    actor_role=role, details={"label": label}))


async def register_created(
    conn: aiosqlite.Connection, request_id: int, now: datetime, created: CreatedSubdomain
) -> None:
    """Register a record set created for `request_id`, inside the caller's transaction."""
    await conn.execute(INSERT_SUBDOMAIN, subdomain_row(request_id, now, created))
    await settle_intents(conn, created.label, now)


async def settle_intents(conn: aiosqlite.Connection, label: str, now: datetime) -> None:
    """The intended records of `label` are now registered or removed."""
    await conn.execute(
        "UPDATE record_intents SET settled_at = ? WHERE label = ? AND settled_at IS NULL",
        (rows.timestamp(now), label))


INSERT_SUBDOMAIN = """INSERT INTO subdomains (label, request_id, records, serial, created_at)
   VALUES (?, ?, ?, ?, ?)"""


def subdomain_row(request_id: int, now: datetime,
                  created: CreatedSubdomain) -> tuple[object, ...]:
    return (created.label, request_id, json.dumps(created.records), created.serial,
            rows.timestamp(now))
