"""Domain-level reads and writes on top of `Database`.

The one rule that matters: a transition is a single transaction that compare-and-sets the
request's version, writes the audit row and queues the messages it causes. Either all of it
happens or none.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import secrets
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import aiosqlite

from bot.workflow import INITIAL_STATE, Outcome, Role, State
from storage.db import Database
from storage.models import (
    Agency,
    AuditEntry,
    CreatedSubdomain,
    IssuedLetter,
    LetterOrder,
    NewRequest,
    OutMessage,
    Person,
    PositionHolder,
    QueuedMessage,
    Request,
    RequestEvent,
)

Row = aiosqlite.Row


class StorageError(Exception):
    """A refused write; the message is for the operator (CLI) in English."""


class NotFound(StorageError):
    pass


class StaleRequest(Exception):
    """The request moved on before this write: someone else handled the step first."""

    def __init__(self, request: Request, last_event: RequestEvent | None) -> None:
        super().__init__(f"request {request.number} is at version {request.version}")
        self.request = request
        self.last_event = last_event


def timestamp(value: datetime) -> str:
    """How every instant is stored: ISO 8601 in UTC (sorts as text)."""
    if value.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _dt(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _opt_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _person(row: Row, prefix: str = "") -> Person:
    return Person(
        id=row[f"{prefix}id"],
        telegram_user_id=row[f"{prefix}telegram_user_id"],
        name=row[f"{prefix}name"],
        nip=row[f"{prefix}nip"],
        rank=row[f"{prefix}rank"],
        title=row[f"{prefix}title"],
        phone=row[f"{prefix}phone"],
    )


_REQUEST_SELECT = """
SELECT r.*, a.code AS agency_code, a.name AS agency_name, a.head_title AS agency_head_title,
       ir.agenda_number AS agenda_number
FROM requests r
JOIN agencies a ON a.id = r.agency_id
LEFT JOIN incoming_register ir ON ir.request_id = r.id
"""

_POSITION_SELECT = """
SELECT pos.position, pos.acting, pos.valid_from, pos.valid_until,
       p.id, p.telegram_user_id, p.name, p.nip, p.rank, p.title, p.phone
FROM positions pos JOIN people p ON p.id = pos.person_id
"""


def _request(row: Row) -> Request:
    return Request(
        id=row["id"],
        number=row["number"],
        agency=Agency(row["agency_id"], row["agency_code"], row["agency_name"],
                      row["agency_head_title"]),
        requester_id=row["requester_id"],
        subdomain=row["subdomain"],
        purpose=row["purpose"],
        target_kind=row["target_kind"],
        target_value=row["target_value"],
        contact_name=row["contact_name"],
        contact_phone=row["contact_phone"],
        letter_number=row["letter_number"],
        letter_date=date.fromisoformat(row["letter_date"]),
        letter_file_ref=row["letter_file_ref"],
        state=State(row["state"]),
        version=row["version"],
        outcome=Outcome(row["outcome"]) if row["outcome"] else None,
        assignee_id=row["assignee_id"],
        state_since=_dt(row["state_since"]),
        created_at=_dt(row["created_at"]),
        agenda_number=row["agenda_number"],
    )


def _holder(row: Row) -> PositionHolder:
    return PositionHolder(
        position=Role(row["position"]),
        person=_person(row),
        acting=row["acting"],
        valid_from=_opt_date(row["valid_from"]),
        valid_until=_opt_date(row["valid_until"]),
    )


def _event(row: Row) -> RequestEvent:
    return RequestEvent(
        id=row["id"],
        at=_dt(row["at"]),
        actor_id=row["actor_id"],
        actor_name=row["actor_name"],
        actor_role=Role(row["actor_role"]) if row["actor_role"] else None,
        acting=row["acting"],
        action=row["action"],
        from_state=State(row["from_state"]) if row["from_state"] else None,
        to_state=State(row["to_state"]),
        instruction=row["instruction"],
        note=row["note"],
        details=json.loads(row["details"]) if row["details"] else {},
    )


class Store:
    def __init__(self, db: Database) -> None:
        self.db = db

    @classmethod
    async def open(cls, path: str | Path) -> Store:
        return cls(await Database.open(path))

    async def close(self) -> None:
        await self.db.close()

    # --- people and positions -------------------------------------------------------------

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
            return await _upsert_person(conn, telegram_user_id, name, now, nip, rank, title, phone)

    async def person_by_telegram(self, telegram_user_id: int) -> Person | None:
        async with self.db.reading() as conn:
            rows = list(await conn.execute_fetchall(
                "SELECT * FROM people WHERE telegram_user_id = ?", (telegram_user_id,)))
        return _person(rows[0]) if rows else None

    async def person(self, person_id: int) -> Person | None:
        async with self.db.reading() as conn:
            rows = list(await conn.execute_fetchall(
                "SELECT * FROM people WHERE id = ?", (person_id,)))
        return _person(rows[0]) if rows else None

    async def set_position(
        self,
        position: Role,
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
        if position == Role.SKPD:
            raise StorageError("skpd is not an office position; register agencies instead")
        if acting not in (None, "plt", "plh"):
            raise StorageError("acting must be plt or plh")
        if acting and valid_until is None:
            raise StorageError("an acting position needs an end date")
        if valid_from and valid_until and valid_until < valid_from:
            raise StorageError("the end date lies before the start date")
        async with self.db.transaction() as conn:
            person = await _upsert_person(conn, telegram_user_id, name, now, nip, rank, title, None)
            await conn.execute(
                """INSERT INTO positions (position, person_id, acting, valid_from, valid_until)
                   VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT (position, person_id) DO UPDATE SET
                     acting = excluded.acting, valid_from = excluded.valid_from,
                     valid_until = excluded.valid_until""",
                (position.value, person.id, acting,
                 valid_from.isoformat() if valid_from else None,
                 valid_until.isoformat() if valid_until else None),
            )
        return PositionHolder(position, person, acting, valid_from, valid_until)

    async def remove_position(self, position: Role, telegram_user_id: int) -> bool:
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                """DELETE FROM positions WHERE position = ? AND person_id =
                   (SELECT id FROM people WHERE telegram_user_id = ?)""",
                (position.value, telegram_user_id),
            )
            return cur.rowcount > 0

    async def position_holders(self, position: Role | None = None) -> list[PositionHolder]:
        """Every holder, acting ones included, whatever their dates."""
        sql = _POSITION_SELECT
        params: tuple[Any, ...] = ()
        if position is not None:
            sql += " WHERE pos.position = ?"
            params = (position.value,)
        sql += " ORDER BY pos.position, pos.acting IS NOT NULL, p.name"
        async with self.db.reading() as conn:
            rows = await conn.execute_fetchall(sql, params)
        return [_holder(r) for r in rows]

    async def holders_on(self, position: Role, day: date) -> list[PositionHolder]:
        """Who holds `position` on `day`: the acting holders first when there are any."""
        holders = [h for h in await self.position_holders(position) if h.valid_on(day)]
        return sorted(holders, key=lambda h: h.acting is None)

    async def positions_of(self, person_id: int, day: date) -> list[PositionHolder]:
        async with self.db.reading() as conn:
            rows = await conn.execute_fetchall(
                _POSITION_SELECT + " WHERE p.id = ?", (person_id,))
        return [h for h in map(_holder, rows) if h.valid_on(day)]

    # --- agencies ------------------------------------------------------------------------

    async def add_agency(self, code: str, name: str, head_title: str | None = None) -> Agency:
        async with self.db.transaction() as conn:
            try:
                cur = await conn.execute(
                    "INSERT INTO agencies (code, name, head_title) VALUES (?, ?, ?)",
                    (code, name, head_title))
            except aiosqlite.IntegrityError as exc:
                raise StorageError(f"agency {code} already exists") from exc
            return Agency(int(cur.lastrowid or 0), code, name, head_title)

    async def add_agency_contact(
        self, code: str, telegram_user_id: int, name: str, *, now: datetime,
        phone: str | None = None,
    ) -> Person:
        async with self.db.transaction() as conn:
            agency = await _agency_by_code(conn, code)
            person = await _upsert_person(conn, telegram_user_id, name, now, phone=phone)
            await conn.execute(
                "INSERT OR IGNORE INTO agency_contacts (agency_id, person_id) VALUES (?, ?)",
                (agency.id, person.id))
            return person

    async def agencies(self) -> list[Agency]:
        async with self.db.reading() as conn:
            rows = await conn.execute_fetchall("SELECT * FROM agencies ORDER BY name")
        return [Agency(r["id"], r["code"], r["name"], r["head_title"]) for r in rows]

    async def agency_by_code(self, code: str) -> Agency:
        async with self.db.reading() as conn:
            return await _agency_by_code(conn, code)

    async def agency_contacts(self, agency_id: int) -> list[Person]:
        async with self.db.reading() as conn:
            rows = await conn.execute_fetchall(
                """SELECT p.* FROM people p JOIN agency_contacts c ON c.person_id = p.id
                   WHERE c.agency_id = ? ORDER BY p.name""", (agency_id,))
        return [_person(r) for r in rows]

    # --- requests --------------------------------------------------------------------------

    async def create_request(
        self,
        new: NewRequest,
        *,
        now: datetime,
        year: int,
        subject: str,
        compose: Callable[[Request], Iterable[OutMessage]] = lambda _request: (),
    ) -> Request:
        """File a request: its number, its incoming-register entry, the first audit row and
        the notifications it causes (`compose`, a pure function of the filed request), in one
        transaction."""
        async with self.db.transaction() as conn:
            seq = await _next(conn, "SELECT MAX(seq) FROM requests WHERE year = ?", year)
            number = f"SD-{year}-{seq:04d}"
            cur = await conn.execute(
                """INSERT INTO requests (number, year, seq, agency_id, requester_id, subdomain,
                     purpose, target_kind, target_value, contact_name, contact_phone,
                     letter_number, letter_date, letter_file_ref, state, version, state_since,
                     created_at, updated_at)
                   VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,1,?,?,?)""",
                (number, year, seq, new.agency_id, new.requester_id, new.subdomain, new.purpose,
                 new.target_kind, new.target_value, new.contact_name, new.contact_phone,
                 new.letter_number, new.letter_date.isoformat(), new.letter_file_ref,
                 INITIAL_STATE.value, timestamp(now), timestamp(now), timestamp(now)),
            )
            request_id = int(cur.lastrowid or 0)
            agenda = await _next(
                conn, "SELECT MAX(agenda_number) FROM incoming_register WHERE year = ?", year)
            agency = await _agency_by_id(conn, new.agency_id)
            await conn.execute(
                """INSERT INTO incoming_register (year, agenda_number, request_id, received_at,
                     sender, letter_number, letter_date, subject) VALUES (?,?,?,?,?,?,?,?)""",
                (year, agenda, request_id, timestamp(now), agency.name, new.letter_number,
                 new.letter_date.isoformat(), subject),
            )
            await _audit(conn, request_id, now, None, AuditEntry(
                action="submit", to_state=INITIAL_STATE, actor_id=new.requester_id,
                actor_role=Role.SKPD, details={"agenda_number": agenda}))
            filed = await _request_by(conn, "r.id = ?", request_id)
            await queue_messages(conn, request_id, now, compose(filed))
            return filed

    async def request(self, number_or_id: str | int) -> Request:
        async with self.db.reading() as conn:
            if isinstance(number_or_id, int):
                return await _request_by(conn, "r.id = ?", number_or_id)
            return await _request_by(conn, "r.number = ?", number_or_id.strip().upper())

    async def requests(
        self,
        *,
        states: Sequence[State] | None = None,
        requester_id: int | None = None,
        subdomain: str | None = None,
    ) -> list[Request]:
        clauses: list[str] = ["1=1"]
        params: list[object] = []
        if states is not None:
            clauses.append(f"r.state IN ({','.join('?' * len(states))})")
            params += [s.value for s in states]
        if requester_id is not None:
            clauses.append("r.requester_id = ?")
            params.append(requester_id)
        if subdomain is not None:
            clauses.append("r.subdomain = ?")
            params.append(subdomain)
        async with self.db.reading() as conn:
            rows = await conn.execute_fetchall(
                _REQUEST_SELECT + " WHERE " + " AND ".join(clauses) + " ORDER BY r.id", params)
        return [_request(r) for r in rows]

    async def transition(
        self,
        request_id: int,
        expected_version: int,
        entry: AuditEntry,
        *,
        now: datetime,
        messages: Iterable[OutMessage] = (),
        outcome: Outcome | None = None,
        assignee_id: int | None = None,
        clear_assignee: bool = False,
        letter: LetterOrder | None = None,
        letter_messages: Callable[[IssuedLetter], Iterable[OutMessage]] | None = None,
        created: CreatedSubdomain | None = None,
        receipt: bool = False,
    ) -> Request:
        """Compare-and-set the request to `entry.to_state`, with its audit row and messages.

        In the same transaction, optionally: issue `letter` (number, PDF, register row; then
        queue `letter_messages(issued)`), register the `created` subdomain, record the receipt
        of the request's last letter. Raises `StaleRequest` (nothing written) when the version
        moved on meanwhile.
        """
        async with self.db.transaction() as conn:
            current = await _request_by(conn, "r.id = ?", request_id)
            if current.version != expected_version:
                raise StaleRequest(current, await _last_event(conn, request_id))
            await conn.execute(
                """UPDATE requests SET state = ?, version = version + 1, state_since = ?,
                     updated_at = ?, outcome = COALESCE(?, outcome),
                     assignee_id = CASE WHEN ? THEN NULL ELSE COALESCE(?, assignee_id) END
                   WHERE id = ? AND version = ?""",
                (entry.to_state.value, timestamp(now), timestamp(now),
                 outcome.value if outcome else None, clear_assignee, assignee_id,
                 request_id, expected_version),
            )
            await _audit(conn, request_id, now, current.state, entry)
            await queue_messages(conn, request_id, now, messages)
            if letter is not None:
                issued = await _issue_letter(conn, request_id, now, letter)
                await queue_messages(conn, request_id, now,
                             letter_messages(issued) if letter_messages else ())
            if created is not None:
                await conn.execute(
                    """INSERT INTO subdomains (label, request_id, records, serial, created_at)
                       VALUES (?, ?, ?, ?, ?)""",
                    (created.label, request_id, json.dumps(created.records), created.serial,
                     timestamp(now)))
            if receipt:
                await conn.execute(
                    """UPDATE outgoing_register SET received_at = ? WHERE id =
                       (SELECT MAX(id) FROM outgoing_register WHERE request_id = ?)""",
                    (timestamp(now), request_id))
            return await _request_by(conn, "r.id = ?", request_id)

    # --- letters and subdomains ----------------------------------------------------------

    async def letters(self, request_id: int | None = None,
                      code: str | None = None) -> list[IssuedLetter]:
        clauses, params = ["1=1"], []
        if request_id is not None:
            clauses.append("o.request_id = ?")
            params.append(str(request_id))
        if code is not None:
            clauses.append("o.verification_code = ?")
            params.append(code.strip().upper())
        async with self.db.reading() as conn:
            rows = await conn.execute_fetchall(
                """SELECT o.*, p.name AS signer_name FROM outgoing_register o
                   LEFT JOIN people p ON p.id = o.signed_by
                   WHERE """ + " AND ".join(clauses) + " ORDER BY o.id", params)
        return [_issued(r) for r in rows]

    async def live_subdomains(self) -> dict[str, int | None]:
        """Label → request id of every subdomain the bot created and did not remove."""
        async with self.db.reading() as conn:
            rows = await conn.execute_fetchall(
                "SELECT label, request_id FROM subdomains WHERE removed_at IS NULL")
        return {r["label"]: r["request_id"] for r in rows}

    async def subdomain_records(self, label: str) -> tuple[tuple[str, str, str, int], ...] | None:
        async with self.db.reading() as conn:
            rows = list(await conn.execute_fetchall(
                "SELECT records FROM subdomains WHERE label = ? AND removed_at IS NULL", (label,)))
        if not rows:
            return None
        return tuple(tuple(r) for r in json.loads(rows[0]["records"]))

    async def mark_subdomain_removed(self, label: str, *, now: datetime,
                                     removed_by: int | None, request_id: int | None) -> None:
        """Record the removal, and an audit row on the request it was created for."""
        async with self.db.transaction() as conn:
            await conn.execute(
                """UPDATE subdomains SET removed_at = ?, removed_by = ?
                   WHERE label = ? AND removed_at IS NULL""", (timestamp(now), removed_by, label))
            if request_id is not None:
                current = await _request_by(conn, "r.id = ?", request_id)
                await _audit(conn, request_id, now, current.state, AuditEntry(
                    action="remove_record", to_state=current.state, actor_id=removed_by,
                    actor_role=Role.ADMIN, details={"label": label}))

    async def timeline(self, request_id: int) -> list[RequestEvent]:
        async with self.db.reading() as conn:
            rows = await conn.execute_fetchall(
                """SELECT au.*, p.name AS actor_name FROM audit au
                   LEFT JOIN people p ON p.id = au.actor_id
                   WHERE au.request_id = ? ORDER BY au.id""", (request_id,))
        return [_event(r) for r in rows]

    # --- outbox ----------------------------------------------------------------------------

    async def enqueue(
        self, messages: Iterable[OutMessage], *, now: datetime, request_id: int | None = None
    ) -> None:
        async with self.db.transaction() as conn:
            await queue_messages(conn, request_id, now, messages)

    async def pending_messages(self, *, now: datetime, limit: int = 100) -> list[QueuedMessage]:
        async with self.db.reading() as conn:
            rows = await conn.execute_fetchall(
                """SELECT * FROM outbox WHERE sent_at IS NULL
                   AND (not_before IS NULL OR not_before <= ?) ORDER BY id LIMIT ?""",
                (timestamp(now), limit))
        return [
            QueuedMessage(r["id"], r["chat_id"], r["kind"], json.loads(r["payload"]),
                          r["request_id"], r["attempts"],
                          _dt(r["not_before"]) if r["not_before"] else None)
            for r in rows
        ]

    async def mark_sent(
        self,
        message_id: int,
        *,
        now: datetime,
        result: Any = None,
        ref: tuple[str, int, int] | None = None,
    ) -> None:
        """Record a delivery; `ref` = (key, chat id, message id) remembers it for later edits.

        A message that carries a reply letter (`letter_id` in its payload) also records the
        letter's delivery in the outgoing register."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE outbox SET sent_at = ?, result = ? WHERE id = ? AND sent_at IS NULL",
                (timestamp(now), json.dumps(result), message_id))
            await conn.execute(
                """UPDATE outgoing_register SET delivered_at = ?
                   WHERE delivered_at IS NULL AND id =
                     (SELECT json_extract(payload, '$.letter_id') FROM outbox WHERE id = ?)""",
                (timestamp(now), message_id))
            if ref is not None:
                await conn.execute(
                    "INSERT OR REPLACE INTO message_refs (key, chat_id, message_id) "
                    "VALUES (?, ?, ?)", ref)

    async def message_ref(self, key: str) -> tuple[int, int] | None:
        async with self.db.reading() as conn:
            rows = list(await conn.execute_fetchall(
                "SELECT chat_id, message_id FROM message_refs WHERE key = ?", (key,)))
        return (rows[0][0], rows[0][1]) if rows else None

    async def mark_failed(
        self, message_id: int, *, error: str, retry_at: datetime | None
    ) -> None:
        """Record a failed attempt; `retry_at=None` gives up on the message for good."""
        async with self.db.transaction() as conn:
            if retry_at is None:
                await conn.execute(
                    """UPDATE outbox SET attempts = attempts + 1, last_error = ?,
                         sent_at = 'failed' WHERE id = ?""", (error, message_id))
            else:
                await conn.execute(
                    """UPDATE outbox SET attempts = attempts + 1, last_error = ?, not_before = ?
                       WHERE id = ?""", (error, timestamp(retry_at), message_id))


# --- helpers that run inside an open transaction ----------------------------------------------


async def _next(conn: aiosqlite.Connection, sql: str, year: int) -> int:
    async with conn.execute(sql, (year,)) as cur:
        row = await cur.fetchone()
    return int(row[0] or 0) + 1 if row else 1


async def _upsert_person(
    conn: aiosqlite.Connection,
    telegram_user_id: int,
    name: str,
    now: datetime,
    nip: str | None = None,
    rank: str | None = None,
    title: str | None = None,
    phone: str | None = None,
) -> Person:
    await conn.execute(
        """INSERT INTO people (telegram_user_id, name, nip, rank, title, phone, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (telegram_user_id) DO UPDATE SET
             name = excluded.name,
             nip = COALESCE(excluded.nip, nip), rank = COALESCE(excluded.rank, rank),
             title = COALESCE(excluded.title, title), phone = COALESCE(excluded.phone, phone)""",
        (telegram_user_id, name, nip, rank, title, phone, timestamp(now)),
    )
    rows = await conn.execute_fetchall(
        "SELECT * FROM people WHERE telegram_user_id = ?", (telegram_user_id,))
    return _person(next(iter(rows)))


async def _agency_by_code(conn: aiosqlite.Connection, code: str) -> Agency:
    rows = list(await conn.execute_fetchall("SELECT * FROM agencies WHERE code = ?", (code,)))
    if not rows:
        raise NotFound(f"no agency with code {code}")
    r = rows[0]
    return Agency(r["id"], r["code"], r["name"], r["head_title"])


async def _agency_by_id(conn: aiosqlite.Connection, agency_id: int) -> Agency:
    rows = list(await conn.execute_fetchall("SELECT * FROM agencies WHERE id = ?", (agency_id,)))
    if not rows:
        raise NotFound(f"no agency with id {agency_id}")
    r = rows[0]
    return Agency(r["id"], r["code"], r["name"], r["head_title"])


async def _request_by(conn: aiosqlite.Connection, where: str, value: object) -> Request:
    rows = list(await conn.execute_fetchall(_REQUEST_SELECT + " WHERE " + where, (value,)))
    if not rows:
        raise NotFound(f"no request {value}")
    return _request(rows[0])


async def _last_event(conn: aiosqlite.Connection, request_id: int) -> RequestEvent | None:
    rows = list(await conn.execute_fetchall(
        """SELECT au.*, p.name AS actor_name FROM audit au LEFT JOIN people p ON p.id = au.actor_id
           WHERE au.request_id = ? ORDER BY au.id DESC LIMIT 1""", (request_id,)))
    return _event(rows[0]) if rows else None


async def _audit(
    conn: aiosqlite.Connection,
    request_id: int,
    now: datetime,
    from_state: State | None,
    entry: AuditEntry,
) -> None:
    await conn.execute(
        """INSERT INTO audit (request_id, at, actor_id, actor_role, acting, action, from_state,
             to_state, instruction, note, details) VALUES (?,?,?,?,?,?,?,?,?,?,?)""",
        (request_id, timestamp(now), entry.actor_id,
         entry.actor_role.value if entry.actor_role else None, entry.acting, entry.action,
         from_state.value if from_state else None, entry.to_state.value, entry.instruction,
         entry.note, json.dumps(entry.details, ensure_ascii=False) if entry.details else None),
    )


async def queue_messages(
    conn: aiosqlite.Connection,
    request_id: int | None,
    now: datetime,
    messages: Iterable[OutMessage],
) -> None:
    await conn.executemany(
        """INSERT INTO outbox (chat_id, kind, payload, request_id, created_at, not_before)
           VALUES (?, ?, ?, ?, ?, ?)""",
        [(m.chat_id, m.kind, m.payload_json(), request_id, timestamp(now),
          timestamp(m.not_before) if m.not_before else None) for m in messages],
    )


def _issued(row: Row) -> IssuedLetter:
    return IssuedLetter(
        id=row["id"], request_id=row["request_id"], number=row["number"],
        sequence=row["sequence"], year=row["year"], kind=row["kind"],
        addressee=row["addressee"], subject=row["subject"],
        verification_code=row["verification_code"], path=Path(row["pdf_path"]),
        sha256=row["sha256"], signed_at=_dt(row["signed_at"]),
        signed_by=row["signer_name"], signed_acting=row["signed_acting"],
        delivered_at=_dt(row["delivered_at"]) if row["delivered_at"] else None,
        received_at=_dt(row["received_at"]) if row["received_at"] else None,
    )


async def _issue_letter(
    conn: aiosqlite.Connection, request_id: int, now: datetime, order: LetterOrder
) -> IssuedLetter:
    """Allocate the next number of the year, render, store the PDF and register it."""
    sequence = await _next(
        conn, "SELECT MAX(sequence) FROM outgoing_register WHERE year = ?", order.year)
    number = order.number_for(sequence)
    code = secrets.token_hex(5).upper()
    pdf = await asyncio.to_thread(order.render, number, code)
    order.directory.mkdir(parents=True, exist_ok=True)
    path = order.directory / f"{order.year}-{sequence:04d}-{code}.pdf"
    await asyncio.to_thread(path.write_bytes, pdf)
    digest = hashlib.sha256(pdf).hexdigest()
    cur = await conn.execute(
        """INSERT INTO outgoing_register (year, sequence, number, request_id, kind, addressee,
             subject, signed_by, signed_acting, signed_at, verification_code, pdf_path, sha256)
           VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)""",
        (order.year, sequence, number, request_id, order.kind, order.addressee, order.subject,
         order.signer_id, order.signer_acting, timestamp(now), code, str(path), digest))
    return IssuedLetter(
        id=int(cur.lastrowid or 0), request_id=request_id, number=number, sequence=sequence,
        year=order.year, kind=order.kind, addressee=order.addressee, subject=order.subject,
        verification_code=code, path=path, sha256=digest, signed_at=now,
        signed_acting=order.signer_acting)
