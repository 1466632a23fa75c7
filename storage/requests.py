"""Requests, their incoming-register entry and their audit trail (who moved them, when, how).

The transition that moves a request (and may issue a letter or register a subdomain with it)
is in `storage.transitions`, since it spans those entities."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, cast

import aiosqlite

from storage import rows
from storage.agencies import agency_by_id
from storage.db import Repository
from storage.errors import NotFound
from storage.models import (
    AuditEntry,
    NewRequest,
    OutMessage,
    Request,
    RequestEvent,
    TrailEvent,
)
from storage.outbox import queue_messages


class Requests(Repository):
    async def create_request(
        self,
        new: NewRequest,
        *,
        now: datetime,
        year: int,
        subject: str,
        initial_state: str,
        requester_role: str,
        compose: Callable[[Request], Iterable[OutMessage]] = lambda _request: (),
    ) -> Request:
        """File a request: its number, its incoming-register entry, the first audit row and
        the notifications it causes (`compose`, a pure function of the filed request), in one
        transaction."""
        async with self.db.transaction() as conn:
            return await file_request(conn, new, now=now, year=year, subject=subject,
                                      initial_state=initial_state,
                                      requester_role=requester_role, compose=compose)

    async def request(self, number_or_id: str | int) -> Request:
        where, value = (("r.id = ?", number_or_id) if isinstance(number_or_id, int)
                        else ("r.number = ?", number_or_id.strip().upper()))
        return _first_request(
            await self.db.fetch(rows.REQUEST_SELECT + " WHERE " + where, (value,)), value)

    async def requests(
        self,
        *,
        states: Sequence[str] | None = None,
        requester_id: int | None = None,
        subdomain: str | None = None,
        agency_id: int | None = None,
        year: int | None = None,
        newest_first: bool = False,
        limit: int | None = None,
        before_id: int | None = None,
    ) -> list[Request]:
        """Requests matching every filter given, by id (`newest_first`: descending); `limit`
        and `before_id` page through them (the next page: `before_id=` the last id shown)."""
        clauses: list[str] = ["1=1"]
        params: list[object] = []
        if states is not None:
            clauses.append(f"r.state IN ({','.join('?' * len(states))})")
            params += list(states)
        for column, value in (("r.requester_id", requester_id), ("r.subdomain", subdomain),
                              ("r.agency_id", agency_id), ("r.year", year)):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        if before_id is not None:
            clauses.append("r.id < ?")
            params.append(before_id)
        sql = (rows.REQUEST_SELECT + " WHERE " + " AND ".join(clauses)
               + (" ORDER BY r.id DESC" if newest_first else " ORDER BY r.id"))
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        found = await self.db.fetch(sql, params)
        return [rows.request(r) for r in found]

    async def requests_created(self, start: datetime, end: datetime) -> list[Request]:
        """The requests received in [start, end), oldest first."""
        found = await self.db.fetch(
            rows.REQUEST_SELECT + " WHERE r.created_at >= ? AND r.created_at < ? "
            "ORDER BY r.created_at, r.id", (rows.timestamp(start), rows.timestamp(end)))
        return [rows.request(r) for r in found]

    async def trails_created(self, start: datetime, end: datetime
                             ) -> list[tuple[Request, list[TrailEvent]]]:
        """The requests received in [start, end), oldest first, each with its whole audit
        trail in order (also events after `end`): one snapshot, two index searches, and the
        events as plain tuples without details (a busy month's report reads ~17,000)."""
        created = " WHERE r.created_at >= ? AND r.created_at < ? ORDER BY r.created_at, r.id"
        bounds = (rows.timestamp(start), rows.timestamp(end))
        async with self.db.reading() as conn:
            found = await conn.execute_fetchall(rows.REQUEST_SELECT + created, bounds)
            cursor = await conn.cursor()
            try:
                cursor.row_factory = None  # plain tuples: no `sqlite3.Row` per event
                await cursor.execute(rows.TRAIL_SELECT + created + ", au.id", bounds)
                events = cast(list[tuple[Any, ...]], await cursor.fetchall())
            finally:
                await cursor.close()
        requests = [rows.request(r) for r in found]
        trails: dict[int, list[TrailEvent]] = {r.id: [] for r in requests}
        event = rows.trail_event
        for e in events:
            trails[e[0]].append(event(e))
        return [(r, trails[r.id]) for r in requests]

    async def timeline(self, request_id: int) -> list[RequestEvent]:
        found = await self.db.fetch(
            rows.EVENT_SELECT + " WHERE au.request_id = ? ORDER BY au.id", (request_id,))
        return [rows.event(r) for r in found]

    async def timelines(self, request_ids: Iterable[int]) -> dict[int, list[RequestEvent]]:
        """The audit trails of many requests in a few queries (request id → its events, in
        order; an id without events maps to an empty list)."""
        ids = list(dict.fromkeys(request_ids))
        out: dict[int, list[RequestEvent]] = {i: [] for i in ids}
        async with self.db.reading() as conn:
            for start in range(0, len(ids), CHUNK):
                chunk = ids[start:start + CHUNK]
                found = await conn.execute_fetchall(
                    rows.EVENT_SELECT + f" WHERE au.request_id IN ({','.join('?' * len(chunk))})"
                    " ORDER BY au.request_id, au.id", chunk)
                for r in found:
                    out[r[1]].append(rows.event(r))  # r[1]: request_id
        return out

    async def notes(self, request_ids: Iterable[int]) -> dict[int, list[tuple[str, str]]]:
        """(author, note) of every note written on each request, oldest first."""
        ids = list(dict.fromkeys(request_ids))
        out: dict[int, list[tuple[str, str]]] = {i: [] for i in ids}
        async with self.db.reading() as conn:
            for start in range(0, len(ids), CHUNK):
                chunk = ids[start:start + CHUNK]
                found = await conn.execute_fetchall(
                    "SELECT au.request_id, p.name, au.note FROM audit au "
                    "LEFT JOIN people p ON p.id = au.actor_id "
                    f"WHERE au.request_id IN ({','.join('?' * len(chunk))}) "
                    "AND au.note IS NOT NULL AND au.note != '' ORDER BY au.request_id, au.id",
                    chunk)
                for r in found:
                    out[r[0]].append((r[1] or "Sistem", r[2]))
        return out


CHUNK = 500
"""Ids per `IN (…)` list: well below SQLite's limit on host parameters."""


# --- inside the caller's transaction ---------------------------------------------------------


async def file_request(
    conn: aiosqlite.Connection,
    new: NewRequest,
    *,
    now: datetime,
    year: int,
    subject: str,
    initial_state: str,
    requester_role: str,
    compose: Callable[[Request], Iterable[OutMessage]] = lambda _request: (),
) -> Request:
    """`Requests.create_request` inside the caller's transaction (a request the office opens
    together with another change, e.g. a re-confirmation's answer)."""
    stamp = rows.timestamp(now)
    seq = await rows.next_in_year(
        conn, "SELECT MAX(seq) FROM requests WHERE year = ?", year)
    number = request_number(year, seq)
    cur = await conn.execute(INSERT_REQUEST, request_row(
        new, number=number, year=year, seq=seq, state=initial_state, created=stamp))
    request_id = int(cur.lastrowid or 0)
    agenda = await rows.next_in_year(
        conn, "SELECT MAX(agenda_number) FROM incoming_register WHERE year = ?", year)
    agency = await agency_by_id(conn, new.agency_id)
    await conn.execute(INSERT_REGISTER, (year, agenda, request_id, stamp, agency.name,
                                         new.letter_number, new.letter_date.isoformat(),
                                         subject))
    await audit(conn, request_id, now, None, AuditEntry(
        action="submit", to_state=initial_state, actor_id=new.requester_id,
        actor_role=requester_role, details={"agenda_number": agenda}))
    filed = await request_by_id(conn, request_id)
    await queue_messages(conn, request_id, now, compose(filed))
    return filed


async def request_by_id(conn: aiosqlite.Connection, request_id: int) -> Request:
    return await _request_by(conn, "r.id = ?", request_id)


async def _request_by(conn: aiosqlite.Connection, where: str, value: object) -> Request:
    return _first_request(list(await conn.execute_fetchall(
        rows.REQUEST_SELECT + " WHERE " + where, (value,))), value)


def _first_request(found: Sequence[sqlite3.Row], value: object) -> Request:
    if not found:
        raise NotFound(f"no request {value}")
    return rows.request(found[0])


async def last_event(conn: aiosqlite.Connection, request_id: int) -> RequestEvent | None:
    found = list(await conn.execute_fetchall(
        rows.EVENT_SELECT + " WHERE au.request_id = ? ORDER BY au.id DESC LIMIT 1",
        (request_id,)))
    return rows.event(found[0]) if found else None


async def audit(
    conn: aiosqlite.Connection,
    request_id: int,
    now: datetime,
    from_state: str | None,
    entry: AuditEntry,
) -> None:
    """Write the audit row of one transition (or of an event that keeps the state)."""
    await conn.execute(INSERT_AUDIT, audit_row(request_id, now, from_state, entry))


# --- the rows, shared with bulk writers (`storage.history`) ----------------------------------

INSERT_REQUEST = """INSERT INTO requests (number, year, seq, agency_id, requester_id, subdomain,
     purpose, target_kind, target_value, contact_name, contact_phone, letter_number, letter_date,
     letter_file_ref, state, version, state_since, created_at, updated_at, letter_subject, kind)
   VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,1,?,?,?,?,?)"""

INSERT_REGISTER = """INSERT INTO incoming_register (year, agenda_number, request_id, received_at,
     sender, letter_number, letter_date, subject) VALUES (?,?,?,?,?,?,?,?)"""

INSERT_AUDIT = """INSERT INTO audit (request_id, at, actor_id, actor_role, acting, action,
     from_state, to_state, instruction, note, details) VALUES (?,?,?,?,?,?,?,?,?,?,?)"""


def request_number(year: int, seq: int) -> str:
    return f"SD-{year}-{seq:04d}"


def request_row(new: NewRequest, *, number: str, year: int, seq: int, state: str,
                created: str) -> tuple[object, ...]:
    """The values of `INSERT_REQUEST` for a request filed at `created` (a stored timestamp)."""
    return (number, year, seq, new.agency_id, new.requester_id, new.subdomain, new.purpose,
            new.target_kind, new.target_value, new.contact_name, new.contact_phone,
            new.letter_number, new.letter_date.isoformat(), new.letter_file_ref,
            state, created, created, created, new.letter_subject, new.kind)


def audit_row(request_id: int, now: datetime, from_state: str | None,
              entry: AuditEntry) -> tuple[object, ...]:
    """The values of `INSERT_AUDIT`."""
    return (request_id, rows.timestamp(now), entry.actor_id, entry.actor_role, entry.acting,
            entry.action, from_state, entry.to_state, entry.instruction, entry.note,
            json.dumps(entry.details, ensure_ascii=False) if entry.details else None)
