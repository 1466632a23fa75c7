"""The subdomains this bot created: the product's own register, beside DNS itself."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage import rows
from storage.db import Repository
from storage.models import AuditEntry, CreatedSubdomain, RecordChange
from storage.requests import audit, request_by_id


class Subdomains(Repository):
    async def live_subdomains(self) -> dict[str, int | None]:
        """Label → request id of every subdomain the bot created and did not remove."""
        found = await self.db.fetch(
            "SELECT label, request_id FROM subdomains WHERE removed_at IS NULL "
            "AND origin = 'created'")
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
        found = await self.db.fetch(
            """SELECT records FROM record_intents WHERE label = ? AND settled_at IS NULL
               ORDER BY id DESC LIMIT 1""", (label,))
        return tuple(tuple(r) for r in json.loads(found[0]["records"])) if found else None
    async def live_subdomain(self, label: str) -> tuple[bool, int | None]:
        """(whether the bot created `label` and did not remove it, the request id it was
        created for): one index search, whatever the size of the register."""
        found = await self.db.fetch(
            "SELECT request_id FROM subdomains WHERE label = ? AND removed_at IS NULL "
            "AND origin = 'created'",
            (label,))
        return (True, found[0][0]) if found else (False, None)

    async def created_records(self) -> list[tuple[str, tuple[tuple[str, str, str, int], ...]]]:
        """Every live subdomain the bot created with its records, by label (one query)."""
        found = await self.db.fetch(
            "SELECT label, records FROM subdomains WHERE removed_at IS NULL "
            "AND origin = 'created' ORDER BY label")
        return [(r["label"], tuple(tuple(x) for x in json.loads(r["records"]))) for r in found]

    async def subdomain_records(self, label: str) -> tuple[tuple[str, str, str, int], ...] | None:
        found = await self.db.fetch(
            "SELECT records FROM subdomains WHERE label = ? AND removed_at IS NULL "
            "AND origin = 'created'", (label,))
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


async def register_change(conn: aiosqlite.Connection, now: datetime,
                          change: RecordChange) -> None:
    """The register follows a change, a deactivation or a suspension of `change.label`, inside
    the caller's transaction: its records and target, when they changed, its status."""
    stamp = rows.timestamp(now)
    target = f"{change.records[0][1]} {change.records[0][2]}" if change.records else None
    if change.status == "removed":
        await conn.execute(
            "UPDATE subdomains SET removed_at = ?, changed_at = ? "
            "WHERE label = ? AND removed_at IS NULL", (stamp, stamp, change.label))
    else:
        await conn.execute(
            "UPDATE subdomains SET records = ?, target = ?, serial = COALESCE(?, serial), "
            "changed_at = ?, status = ? WHERE label = ? AND removed_at IS NULL",
            (json.dumps(change.records), target, change.serial, stamp, change.status,
             change.label))
    await settle_intents(conn, change.label, now)


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


# --- the register: every name in the zone -------------------------------------------------

STATUSES = ("active", "suspended", "removed")
ORIGINS = ("created", "imported")
Records = tuple[tuple[str, str, str, int], ...]


@dataclass(frozen=True)
class RegisteredName:
    """One name of the register, with its owner agency (None: not known yet)."""

    label: str
    status: str
    origin: str
    records: Records
    target: str | None
    agency_code: str | None
    agency_name: str | None
    purpose: str | None
    admin_contact: str | None
    tech_contact: str | None
    created_at: datetime
    changed_at: datetime | None
    confirmed_at: datetime | None
    request_id: int | None
    last_request: str | None = None
    """The number of the latest request about the name (a creation, change, …)."""
    last_kind: str | None = None
    """That request's kind (pembuatan, perubahan, penonaktifan, penangguhan)."""


@dataclass(frozen=True)
class ZoneName:
    """A name as the zone holds it (what `import_names` registers)."""

    label: str
    records: Records
    target: str | None


@dataclass(frozen=True)
class Imported:
    added: tuple[str, ...]
    changed: tuple[str, ...]
    missing: tuple[str, ...]
    """Live names of the register that the zone no longer holds (left for a person to judge)."""


_REGISTER_SELECT = """SELECT s.*, a.code AS agency_code, a.name AS agency_name,
    (SELECT r.number FROM requests r WHERE r.subdomain = s.label ORDER BY r.id DESC LIMIT 1)
        AS last_request,
    (SELECT r.kind FROM requests r WHERE r.subdomain = s.label ORDER BY r.id DESC LIMIT 1)
        AS last_kind
    FROM subdomains s LEFT JOIN agencies a ON a.id = s.agency_id"""


def registered(row: rows.Row) -> RegisteredName:
    return RegisteredName(
        label=row["label"], status=row["status"], origin=row["origin"],
        records=tuple(tuple(r) for r in json.loads(row["records"])),
        target=row["target"], agency_code=row["agency_code"], agency_name=row["agency_name"],
        purpose=row["purpose"], admin_contact=row["admin_contact"],
        tech_contact=row["tech_contact"], created_at=rows.instant(row["created_at"]),
        changed_at=rows.opt_instant(row["changed_at"]),
        confirmed_at=rows.opt_instant(row["confirmed_at"]), request_id=row["request_id"],
        last_request=row["last_request"], last_kind=row["last_kind"])


class Register(Repository):
    async def register(self, status: str | None = None, *,
                       unowned: bool = False) -> list[RegisteredName]:
        """The register by label: live names (and removed ones when `status` asks for them)."""
        where, args = [], []
        if status is None:
            where.append("s.removed_at IS NULL")
        else:
            where.append("s.status = ?")
            args.append(status)
        if unowned:
            where.append("s.agency_id IS NULL")
        found = await self.db.fetch(
            f"{_REGISTER_SELECT} WHERE {' AND '.join(where)} ORDER BY s.label, s.id", args)
        return [registered(r) for r in found]

    async def owned_names(self, agency_id: int) -> list[RegisteredName]:
        """The live names the register says `agency_id` owns, by label."""
        found = await self.db.fetch(
            f"{_REGISTER_SELECT} WHERE s.agency_id = ? AND s.removed_at IS NULL "
            "ORDER BY s.label", (agency_id,))
        return [registered(r) for r in found]

    async def iter_register_labels(self, status: str, *,
                                   page: int = 1000) -> AsyncIterator[str]:
        """The labels of the names in `status`, in `register`'s order, read `page` at a time:
        all the watch needs of a register that may hold tens of thousands of names. Each page
        is its own read (nothing is held between pages while the watch probes for hours), so
        a name added or retired meanwhile is seen or not by where the reading has got to."""
        after: tuple[str, int] = ("", -1)  # ids are positive: the first page starts at ""
        while True:
            found = await self.db.fetch(
                """SELECT label, id FROM subdomains WHERE status = ? AND (label, id) > (?, ?)
                   ORDER BY label, id LIMIT ?""", (status, *after, page))
            for row in found:
                yield row[0]
            if len(found) < page:
                return
            after = (found[-1][0], found[-1][1])

    async def owners_of(self, labels: Iterable[str]) -> dict[str, str | None]:
        """The owning agency's name (None: no owner) of each live name among `labels`."""
        wanted = list(dict.fromkeys(labels))
        owners: dict[str, str | None] = {}
        async with self.db.reading() as conn:
            for i in range(0, len(wanted), 500):
                chunk = wanted[i:i + 500]
                marks = ",".join("?" * len(chunk))
                for row in await conn.execute_fetchall(
                        f"""SELECT s.label, a.name FROM subdomains s
                            LEFT JOIN agencies a ON a.id = s.agency_id
                            WHERE s.removed_at IS NULL AND s.label IN ({marks})""", chunk):
                    owners[row[0]] = row[1]
        return owners

    async def register_count(self, status: str) -> int:
        """How many names are in `status`."""
        found = await self.db.fetch(
            "SELECT count(*) FROM subdomains WHERE status = ?", (status,))
        return int(next(iter(found))[0])

    async def registered_name(self, label: str) -> RegisteredName | None:
        """The live entry of `label`, or None."""
        found = await self.db.fetch(
            f"{_REGISTER_SELECT} WHERE s.label = ? AND s.removed_at IS NULL", (label,))
        return registered(found[0]) if found else None

    async def import_names(self, names: list[ZoneName], *, now: datetime) -> Imported:
        """Register the zone's names that the register does not hold (origin 'imported', no
        owner); note new records of imported names (`changed_at`). One transaction."""
        stamp = rows.timestamp(now)
        added, changed = [], []
        async with self.db.transaction() as conn:
            live = {r["label"]: r for r in await conn.execute_fetchall(
                "SELECT id, label, origin, records FROM subdomains WHERE removed_at IS NULL")}
            for name in names:
                held = live.pop(name.label, None)
                records = json.dumps(name.records)
                if held is None:
                    await conn.execute(
                        """INSERT INTO subdomains (label, records, created_at, origin, status,
                               target) VALUES (?, ?, ?, 'imported', 'active', ?)""",
                        (name.label, records, stamp, name.target))
                    added.append(name.label)
                elif held["origin"] == "imported" and _same(held["records"]) != _same(records):
                    await conn.execute(
                        "UPDATE subdomains SET records = ?, target = ?, changed_at = ? "
                        "WHERE id = ?", (records, name.target, stamp, held["id"]))
                    changed.append(name.label)
        return Imported(tuple(added), tuple(changed), tuple(sorted(live)))

    async def assign_owner(self, label: str, agency_id: int, *, now: datetime,
                           purpose: str | None = None, admin_contact: str | None = None,
                           tech_contact: str | None = None) -> bool:
        """Give a live name its owner agency (and what else is known); False: no such name."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                """UPDATE subdomains SET agency_id = ?, purpose = COALESCE(?, purpose),
                       admin_contact = COALESCE(?, admin_contact),
                       tech_contact = COALESCE(?, tech_contact),
                       confirmed_at = COALESCE(confirmed_at, ?)
                   WHERE label = ? AND removed_at IS NULL""",
                (agency_id, purpose, admin_contact, tech_contact, rows.timestamp(now), label))
            return bool(cur.rowcount)


def _same(records_json: str) -> list[list[object]]:
    """Records compared without their order or TTL."""
    return sorted([r[0], r[1], r[2]] for r in json.loads(records_json))
