"""Signing: the signers' identities at BSrE, and the scans of wet-signed letters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage import rows
from storage.db import Repository
from storage.models import IssuedLetter


@dataclass(frozen=True)
class EsignIdentity:
    """Who a person is at BSrE: the NIK, or the e-mail registered there (NIK first)."""

    nik: str | None
    email: str | None


class Signatures(Repository):
    async def set_esign_identity(self, person_id: int, *, nik: str | None, email: str | None,
                                 now: datetime) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                """INSERT INTO esign_identities (person_id, nik, email, updated_at)
                   VALUES (?,?,?,?) ON CONFLICT (person_id) DO UPDATE SET
                     nik = COALESCE(excluded.nik, nik), email = COALESCE(excluded.email, email),
                     updated_at = excluded.updated_at""",
                (person_id, nik, email, rows.timestamp(now)))

    async def esign_identity(self, person_id: int) -> EsignIdentity | None:
        found = await self.db.fetch(
            "SELECT nik, email FROM esign_identities WHERE person_id = ?", (person_id,))
        return EsignIdentity(found[0]["nik"], found[0]["email"]) if found else None

    async def letter_by_sha256(self, sha256: str) -> IssuedLetter | None:
        """The registered letter whose issued PDF or delivered scan has this SHA-256."""
        found = await self.db.fetch(
            rows.LETTER_SELECT + " WHERE o.sha256 = ? OR o.scan_sha256 = ? LIMIT 1",
            (sha256, sha256))
        return rows.issued(found[0]) if found else None
