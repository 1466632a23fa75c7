"""One-time invite links: stored by the SHA-256 of their code, claimed at most once.

Claiming is a compare-and-set in one transaction (unused and not expired → used by this person),
so two people opening the same link at once cannot both get in. The binding itself (position or
agency contact) is written by the people/agency storage afterwards; `release` hands an invite
back when that binding is refused.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime

import aiosqlite

from storage.db import Database
from storage.models import Agency
from storage.store import timestamp


class Unavailable(enum.Enum):
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"


class InviteUnavailable(Exception):
    """The code cannot be redeemed; `reason` says why, `invite` is the row when there is one."""

    def __init__(self, reason: Unavailable, invite: Invite | None = None) -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.invite = invite


@dataclass(frozen=True)
class InviteSpec:
    """What an invite binds its redeemer to: a position (`position`) or an agency's contacts."""

    name: str
    position: str | None = None
    agency: Agency | None = None
    nip: str | None = None
    rank: str | None = None
    title: str | None = None
    acting: str | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    nik: str | None = None
    """The signatory's NIK at BSrE (SIGNING_PROVIDER=bsre), kept with them on redeeming."""

    def __post_init__(self) -> None:
        if (self.position is None) == (self.agency is None):
            raise ValueError("an invite is for a position or for an agency, not both")


@dataclass(frozen=True)
class Invite:
    id: int
    spec: InviteSpec
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    used_by: int | None = None
    """Telegram user id of whoever redeemed it."""


_SELECT = """SELECT i.*, a.code AS agency_code, a.name AS agency_name,
                    a.head_title AS agency_head_title, a.place AS agency_place,
                    a.address AS agency_address
             FROM invites i LEFT JOIN agencies a ON a.id = i.agency_id"""


def _opt_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _invite(row: aiosqlite.Row) -> Invite:
    agency = (Agency(row["agency_id"], row["agency_code"], row["agency_name"],
                     row["agency_head_title"], row["agency_place"], row["agency_address"])
              if row["agency_id"] is not None else None)
    return Invite(
        id=row["id"],
        spec=InviteSpec(name=row["name"], position=row["position"], agency=agency,
                        nip=row["nip"], rank=row["rank"], title=row["title"],
                        acting=row["acting"], valid_from=_opt_date(row["valid_from"]),
                        valid_until=_opt_date(row["valid_until"]), nik=row["nik"]),
        created_at=datetime.fromisoformat(row["created_at"]),
        expires_at=datetime.fromisoformat(row["expires_at"]),
        used_at=datetime.fromisoformat(row["used_at"]) if row["used_at"] else None,
        used_by=row["used_by"],
    )


class InviteBook:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(self, code_sha256: str, spec: InviteSpec, *, now: datetime,
                  expires_at: datetime) -> Invite:
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                """INSERT INTO invites (code_sha256, position, agency_id, name, nip, rank, title,
                     acting, valid_from, valid_until, created_at, expires_at, nik)
                   VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)""",
                (code_sha256, spec.position, spec.agency.id if spec.agency else None, spec.name,
                 spec.nip, spec.rank, spec.title, spec.acting,
                 spec.valid_from.isoformat() if spec.valid_from else None,
                 spec.valid_until.isoformat() if spec.valid_until else None,
                 timestamp(now), timestamp(expires_at), spec.nik))
            return await _by(conn, "i.id = ?", int(cur.lastrowid or 0))

    async def claim(self, code_sha256: str, *, telegram_user_id: int, now: datetime) -> Invite:
        """Mark the invite used by `telegram_user_id`, or raise `InviteUnavailable`."""
        async with self.db.transaction() as conn:
            try:
                found = await _by(conn, "i.code_sha256 = ?", code_sha256)
            except LookupError:
                raise InviteUnavailable(Unavailable.UNKNOWN) from None
            if found.used_at is not None:
                raise InviteUnavailable(Unavailable.USED, found)
            if found.expires_at <= now:
                raise InviteUnavailable(Unavailable.EXPIRED, found)
            await conn.execute(
                "UPDATE invites SET used_at = ?, used_by = ? WHERE id = ? AND used_at IS NULL",
                (timestamp(now), telegram_user_id, found.id))
            return await _by(conn, "i.id = ?", found.id)

    async def release(self, invite_id: int) -> None:
        """Make a claimed invite usable again (its binding was refused)."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE invites SET used_at = NULL, used_by = NULL WHERE id = ?", (invite_id,))

    async def all(self) -> list[Invite]:
        rows = await self.db.fetch(_SELECT + " ORDER BY i.id")
        return [_invite(r) for r in rows]


async def _by(conn: aiosqlite.Connection, where: str, value: object) -> Invite:
    rows = list(await conn.execute_fetchall(_SELECT + " WHERE " + where, (value,)))
    if not rows:
        raise LookupError(f"no invite where {where}")
    return _invite(rows[0])
