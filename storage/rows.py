"""Shared row helpers: how instants are stored, and database rows → the records of `models`.

Every entity module reads through these mappers, so a column is decoded in one place only.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import aiosqlite

from storage.models import (
    Agency,
    IssuedLetter,
    Person,
    PositionHolder,
    Request,
    RequestEvent,
    TrailEvent,
)

Row = aiosqlite.Row


def timestamp(value: datetime) -> str:
    """How every instant is stored: ISO 8601 in UTC (sorts as text)."""
    if value.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def instant(value: str) -> datetime:
    return datetime.fromisoformat(value)


def opt_instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def opt_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


async def next_in_year(conn: aiosqlite.Connection, sql: str, year: int) -> int:
    """1 + the largest number `sql` (one `?` for the year) finds; 1 in a fresh year."""
    async with conn.execute(sql, (year,)) as cur:
        row = await cur.fetchone()
    return int(row[0] or 0) + 1 if row else 1


def person(row: Row, prefix: str = "") -> Person:
    return Person(
        id=row[f"{prefix}id"],
        telegram_user_id=row[f"{prefix}telegram_user_id"],
        name=row[f"{prefix}name"],
        nip=row[f"{prefix}nip"],
        rank=row[f"{prefix}rank"],
        title=row[f"{prefix}title"],
        phone=row[f"{prefix}phone"],
    )


def agency(row: Row) -> Agency:
    return Agency(row["id"], row["code"], row["name"], row["head_title"], row["place"],
                  row["address"])


POSITION_SELECT = """
SELECT pos.position, pos.acting, pos.valid_from, pos.valid_until,
       p.id, p.telegram_user_id, p.name, p.nip, p.rank, p.title, p.phone
FROM positions pos JOIN people p ON p.id = pos.person_id
"""


def holder(row: Row) -> PositionHolder:
    return PositionHolder(
        position=row["position"],
        person=person(row),
        acting=row["acting"],
        valid_from=opt_date(row["valid_from"]),
        valid_until=opt_date(row["valid_until"]),
    )


REQUEST_SELECT = """
SELECT r.id, r.number, r.agency_id, a.code, a.name, a.head_title, a.place, a.address,
       r.requester_id, r.subdomain, r.purpose, r.target_kind, r.target_value, r.contact_name,
       r.contact_phone, r.letter_number, r.letter_date, r.letter_file_ref, r.state, r.version,
       r.outcome, r.assignee_id, r.state_since, r.created_at, ir.agenda_number,
       r.letter_subject, r.kind
FROM requests r
JOIN agencies a ON a.id = r.agency_id
LEFT JOIN incoming_register ir ON ir.request_id = r.id
"""


def request(row: Row) -> Request:
    """By position (the columns of `REQUEST_SELECT`): a `sqlite3.Row` finds a name by
    comparing it with every column name before it, and a month's report reads ~2,600."""
    (id_, number, agency_id, agency_code, agency_name, agency_head_title, agency_place,
     agency_address, requester_id, subdomain, purpose, target_kind, target_value, contact_name,
     contact_phone, letter_number, letter_date, letter_file_ref, state, version, outcome,
     assignee_id, state_since, created_at, agenda_number, letter_subject, kind) = row
    return Request(
        id=id_,
        number=number,
        agency=Agency(agency_id, agency_code, agency_name, agency_head_title, agency_place,
                      agency_address),
        requester_id=requester_id,
        subdomain=subdomain,
        purpose=purpose,
        target_kind=target_kind,
        target_value=target_value,
        contact_name=contact_name,
        contact_phone=contact_phone,
        letter_number=letter_number,
        letter_date=date.fromisoformat(letter_date),
        letter_file_ref=letter_file_ref,
        state=state,
        version=version,
        outcome=outcome,
        assignee_id=assignee_id,
        state_since=instant(state_since),
        created_at=instant(created_at),
        agenda_number=agenda_number,
        letter_subject=letter_subject,
        kind=kind,
    )


EVENT_SELECT = """
SELECT au.id, au.request_id, au.at, au.actor_id, p.name AS actor_name, au.actor_role, au.acting,
       au.action, au.from_state, au.to_state, au.instruction, au.note, au.details
FROM audit au LEFT JOIN people p ON p.id = au.actor_id
"""


def event(row: Row) -> RequestEvent:
    """By position (the columns of `EVENT_SELECT`): a month's report reads ~17,000 of these,
    and a look-up by name scans the column names each time."""
    details = row[12]
    return RequestEvent(
        id=row[0],
        at=instant(row[2]),
        actor_id=row[3],
        actor_name=row[4],
        actor_role=row[5],
        acting=row[6],
        action=row[7],
        from_state=row[8],
        to_state=row[9],
        instruction=row[10],
        note=row[11],
        details=json.loads(details) if details else {},
    )


TRAIL_SELECT = """
SELECT au.request_id, au.at, p.name AS actor_name, au.actor_role, au.acting, au.action,
       au.from_state, au.to_state, au.instruction, au.note
FROM requests r JOIN audit au ON au.request_id = r.id LEFT JOIN people p ON p.id = au.actor_id
"""
"""The audit rows of requests chosen by a condition on `r`: the columns of `TrailEvent`."""

_new_tuple = tuple.__new__


def trail_event(row: tuple[Any, ...]) -> TrailEvent:
    """A plain row of `TRAIL_SELECT` (no `sqlite3.Row`): built as a tuple straight away."""
    return _new_tuple(TrailEvent, (row[0], datetime.fromisoformat(row[1]), *row[2:]))


LETTER_SELECT = """
SELECT o.*, p.name AS signer_name, r.number AS replaced_by_number FROM outgoing_register o
LEFT JOIN people p ON p.id = o.signed_by
LEFT JOIN outgoing_register r ON r.id = o.replaced_by
"""


def issued(row: Row) -> IssuedLetter:
    return IssuedLetter(
        id=row["id"], request_id=row["request_id"], number=row["number"],
        sequence=row["sequence"], year=row["year"], kind=row["kind"],
        addressee=row["addressee"], subject=row["subject"],
        verification_code=row["verification_code"], path=Path(row["pdf_path"]),
        sha256=row["sha256"], signed_at=instant(row["signed_at"]),
        signed_by=row["signer_name"], signed_acting=row["signed_acting"],
        delivered_at=opt_instant(row["delivered_at"]),
        received_at=opt_instant(row["received_at"]),
        seal=row["seal"],
        scan_path=Path(row["scan_path"]) if row["scan_path"] else None,
        scan_sha256=row["scan_sha256"],
        revoked_at=opt_instant(row["revoked_at"]),
        revoked_reason=row["revoked_reason"],
        replaced_by=row["replaced_by_number"],
    )
