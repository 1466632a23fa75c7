"""Bulk import of an office's past requests (the register kept before the bot, or a generated
history for `bench.scale`): many requests with their audit trails, delivered messages and
created subdomains in one transaction, through the same row writers as the live paths
(`storage.requests`, `storage.outbox`, `storage.subdomains`), with `executemany`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import aiosqlite

from storage import rows
from storage.db import Repository
from storage.models import AuditEntry, CreatedSubdomain, NewRequest, OutMessage
from storage.outbox import INSERT_OUTBOX, outbox_row
from storage.requests import (
    INSERT_AUDIT,
    INSERT_REGISTER,
    INSERT_REQUEST,
    audit_row,
    request_number,
    request_row,
)
from storage.subdomains import INSERT_SUBDOMAIN, subdomain_row

DELIVERY = timedelta(seconds=1)
"""How long after its event a past message counts as delivered."""


@dataclass(frozen=True)
class PastEvent:
    """One audit row of a past request and the messages it caused (all delivered)."""

    at: datetime
    from_state: str | None
    entry: AuditEntry
    messages: Sequence[OutMessage] = ()


@dataclass(frozen=True)
class PastRequest:
    new: NewRequest
    year: int
    subject: str
    events: Sequence[PastEvent]  # the first one files the request
    outcome: str | None = None
    assignee_id: int | None = None
    created: CreatedSubdomain | None = None  # registered at the last event


class History(Repository):
    async def import_requests(self, past: Sequence[PastRequest]) -> list[int]:
        """Store `past` (numbered on from each year's last number); returns their ids."""
        if not past:
            return []
        async with self.db.transaction() as conn:
            base = await _scalar(conn, "SELECT COALESCE(MAX(id), 0) FROM requests", ())
            seqs: dict[int, int] = {}
            agendas: dict[int, int] = {}
            senders = {int(r[0]): str(r[1]) for r in await conn.execute_fetchall(
                "SELECT id, name FROM agencies")}
            request_rows, register_rows, audit_rows, outbox_rows, created_rows = [], [], [], [], []
            for offset, item in enumerate(past, start=1):
                request_id = base + offset
                year = item.year
                if year not in seqs:
                    seqs[year] = await _scalar(
                        conn, "SELECT COALESCE(MAX(seq), 0) FROM requests WHERE year = ?", (year,))
                    agendas[year] = await _scalar(
                        conn, "SELECT COALESCE(MAX(agenda_number), 0) FROM incoming_register "
                              "WHERE year = ?", (year,))
                seqs[year] += 1
                agendas[year] += 1
                first, last = item.events[0], item.events[-1]
                filed = rows.timestamp(first.at)
                request_rows.append(request_row(
                    item.new, number=request_number(year, seqs[year]), year=year,
                    seq=seqs[year], state=first.entry.to_state, created=filed))
                register_rows.append((year, agendas[year], request_id, filed,
                                      senders[item.new.agency_id], item.new.letter_number,
                                      item.new.letter_date.isoformat(), item.subject))
                for event in item.events:
                    audit_rows.append(audit_row(request_id, event.at, event.from_state,
                                                event.entry))
                    outbox_rows += [outbox_row(m, request_id=request_id, created=event.at,
                                               sent=event.at + DELIVERY)
                                    for m in event.messages]
                if item.created is not None:
                    created_rows.append(subdomain_row(request_id, last.at, item.created))
            await conn.executemany(INSERT_REQUEST, request_rows)
            if await _scalar(conn, "SELECT MAX(id) FROM requests", ()) != base + len(past):
                raise RuntimeError("request ids were not assigned in order")
            await conn.executemany(INSERT_REGISTER, register_rows)
            await conn.executemany(INSERT_AUDIT, audit_rows)
            await conn.executemany(INSERT_OUTBOX, outbox_rows)
            await conn.executemany(INSERT_SUBDOMAIN, created_rows)
            await conn.executemany(
                """UPDATE requests SET state = ?, version = ?, state_since = ?, updated_at = ?,
                     outcome = ?, assignee_id = ? WHERE id = ?""",
                [(item.events[-1].entry.to_state, len(item.events), _since(item),
                  rows.timestamp(item.events[-1].at), item.outcome, item.assignee_id,
                  base + offset) for offset, item in enumerate(past, start=1)])
        return list(range(base + 1, base + len(past) + 1))


def _since(item: PastRequest) -> str:
    """When the request entered the state it is in (the last event that changed it)."""
    state = item.events[-1].entry.to_state
    since = item.events[-1].at
    for event in reversed(item.events):
        if event.entry.to_state != state:
            break
        since = event.at
    return rows.timestamp(since)


async def _scalar(conn: aiosqlite.Connection, sql: str, params: tuple[object, ...]) -> int:
    async with conn.execute(sql, params) as cur:
        row = await cur.fetchone()
    return int(row[0] or 0) if row else 0
