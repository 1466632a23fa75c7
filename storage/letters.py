"""The outgoing-letter register (agenda surat keluar) and the PDFs of the issued letters.

A letter's number is gapless and unique per year, so it becomes final only in the transaction
that registers it; the PDF, though, is never rendered while the write lock is held. `LetterIssuer`
reads the year's next number, renders the letter with it and writes the file atomically, all
before the transaction; inside it, `register_letter` checks that the number is still the next
one. When another writer (another process on the same file) took it meanwhile, the transaction
rolls back, the file is removed and the letter is rendered again with the new number. Whenever
the transaction does not commit, for whatever reason, the file is removed; when the process
died before it could, the file is removed once its number is registered to another file.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import os
import secrets
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import aiosqlite

from storage import rows
from storage.db import Database, Repository
from storage.errors import NotFound, StorageError
from storage.models import IssuedLetter, LetterOrder, LetterScan

LETTER_ATTEMPTS = 5
_MAX_SEQUENCE = """SELECT MAX(s) FROM (
    SELECT MAX(sequence) AS s FROM outgoing_register WHERE year = ?1
    UNION ALL SELECT first_sequence - 1 FROM register_starts WHERE year = ?1)"""
"""The last sequence used in a year: the register's, or the one before the year's first."""

T = TypeVar("T")

CODE_BYTES = 10


def new_verification_code() -> str:
    """A letter's verification code: 80 random bits as 16 characters A-Z and 2-7 (RFC 4648
    base32). Its page is public, so the code must not be guessable: at a thousand guesses a
    second, finding any one of a million letters takes about 40 years on average. (Letters
    issued before this rule carry 10 hex digits, 40 bits; they are still found.)"""
    return base64.b32encode(secrets.token_bytes(CODE_BYTES)).decode()


class Letters(Repository):
    async def letters(self, request_id: int | None = None,
                      code: str | None = None) -> list[IssuedLetter]:
        clauses, params = ["1=1"], []
        if request_id is not None:
            clauses.append("o.request_id = ?")
            params.append(str(request_id))
        if code is not None:
            clauses.append("o.verification_code = ?")
            params.append(code.strip().upper())
        found = await self.db.fetch(
            rows.LETTER_SELECT + " WHERE " + " AND ".join(clauses) + " ORDER BY o.id",
            params)
        return [rows.issued(r) for r in found]

    async def letter_number_used(self, number: str, year: int, sequence: int) -> bool:
        """Is `number` (or its year and sequence) already in the outgoing register?"""
        found = await self.db.fetch(
            "SELECT 1 FROM outgoing_register WHERE number = ? OR (year = ? AND sequence = ?)",
            (number.strip(), year, sequence))
        return bool(list(found))

    async def register_start(self, year: int) -> int | None:
        """The first sequence number set for `year` (None: the register starts at 1)."""
        found = await self.db.fetch(
            "SELECT first_sequence FROM register_starts WHERE year = ?", (year,))
        return int(found[0][0]) if found else None

    async def set_register_start(self, year: int, first: int, *, now: datetime) -> None:
        """Let the register of `year` start at `first` (the agenda book's next number); refused
        once the bot has issued a letter in that year."""
        if first < 1:
            raise StorageError(f"the first number must be at least 1, got {first}")
        async with self.db.transaction() as conn:
            issued = list(await conn.execute_fetchall(
                "SELECT number FROM outgoing_register WHERE year = ? ORDER BY sequence DESC "
                "LIMIT 1", (year,)))
            if issued:
                raise RegisterStarted(
                    f"letters of {year} are already registered (last {issued[0][0]}); the first "
                    "number of a year can only be set before its first letter")
            await conn.execute(
                """INSERT INTO register_starts (year, first_sequence, set_at) VALUES (?, ?, ?)
                   ON CONFLICT (year) DO UPDATE SET first_sequence = excluded.first_sequence,
                     set_at = excluded.set_at""",
                (year, first, rows.timestamp(now)))

    async def revoke_letter(self, code: str, reason: str, *, now: datetime,
                            replaced_by: str | None = None) -> None:
        """Mark the letter with verification `code` revoked (once), with the reason and, when
        given, the number of the letter issued in its place."""
        async with self.db.transaction() as conn:
            found = list(await conn.execute_fetchall(
                "SELECT id, number, revoked_at FROM outgoing_register "
                "WHERE verification_code = ?", (code.strip().upper(),)))
            if not found:
                raise NotFound(f"no letter with verification code {code.strip().upper()}")
            letter_id, number, revoked = found[0]
            if revoked is not None:
                raise StorageError(f"letter {number} is already revoked")
            replacement = None
            if replaced_by is not None:
                other = list(await conn.execute_fetchall(
                    "SELECT id FROM outgoing_register WHERE number = ?", (replaced_by.strip(),)))
                if not other:
                    raise NotFound(f"no letter numbered {replaced_by.strip()} in the register")
                replacement = int(other[0][0])
                if replacement == letter_id:
                    raise StorageError("a letter cannot replace itself")
            await conn.execute(
                "UPDATE outgoing_register SET revoked_at = ?, revoked_reason = ?, replaced_by = ? "
                "WHERE id = ?", (rows.timestamp(now), reason, replacement, letter_id))


@dataclass(frozen=True)
class PreparedLetter:
    """A letter rendered and written under the number it expects to get."""

    order: LetterOrder
    sequence: int
    number: str
    code: str
    path: Path
    sha256: str


class NumberUsed(StorageError):
    """A number given by hand (from the agenda book or SRIKANDI) is already registered."""

    def __init__(self, number: str) -> None:
        super().__init__(f"letter number {number} is already in the outgoing register")
        self.number = number


class RegisterStarted(StorageError):
    """The first number of a year can only be set before the year's first letter."""


class _NumberTaken(Exception):
    """Another letter was registered under the prepared number; the transaction rolls back."""


class LetterIssuer:
    """Issues letters with a transaction the caller runs (`commit`), one at a time in this
    process: without that, N concurrent sign-offs would all render the same number and need
    up to N attempts. Writers in other processes are caught by the number check instead."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._lock = asyncio.Lock()

    async def issue(self, order: LetterOrder,
                    commit: Callable[[PreparedLetter], Awaitable[T]]) -> T:
        """Render `order`, then `commit(prepared)`, which must call `register_letter`."""
        code = new_verification_code()
        async with self._lock:
            for _attempt in range(LETTER_ATTEMPTS):
                prepared = await self._prepare(order, code)
                try:
                    issued = await commit(prepared)
                except BaseException as failed:
                    await self._discard(prepared)
                    if not isinstance(failed, _NumberTaken):
                        raise
                else:
                    with contextlib.suppress(OSError):  # the letter is issued regardless
                        await asyncio.to_thread(_remove_leftovers, prepared)
                    return issued
        raise StorageError(
            f"letter number of {order.year} was taken by another writer {LETTER_ATTEMPTS} "
            "times in a row; nothing was issued, try again")

    async def _prepare(self, order: LetterOrder, code: str) -> PreparedLetter:
        if order.fixed is not None:
            sequence, number = order.fixed
        else:
            async with self.db.reading() as conn:
                sequence = await rows.next_in_year(conn, _MAX_SEQUENCE, order.year)
            number = order.number_for(sequence)
        pdf = await asyncio.to_thread(order.render, number, code)
        path = order.directory / f"{order.year}-{sequence:04d}-{code}.pdf"
        await asyncio.to_thread(write_file_atomically, path, pdf)
        return PreparedLetter(order, sequence, number, code, path,
                              hashlib.sha256(pdf).hexdigest())

    async def _discard(self, prepared: PreparedLetter) -> None:
        """Remove the file of a letter whose transaction did not commit. A failure *while*
        committing (say, cancelled as COMMIT ran) does not tell whether it did, so the register
        decides; when even that cannot be read, the file stays (an orphan, never a hole)."""
        try:
            registered = await self.db.fetch(
                "SELECT 1 FROM outgoing_register WHERE pdf_path = ?",
                (str(prepared.path),))
        except Exception:
            return
        if not registered:
            prepared.path.unlink(missing_ok=True)


def _remove_leftovers(prepared: PreparedLetter) -> None:
    """Remove the files an earlier attempt at this number left when its process died before
    the transaction committed (or while writing). The number now belongs to `prepared.path`:
    no other file under it can ever be registered, so none of them is a letter."""
    stem = f"{prepared.order.year}-{prepared.sequence:04d}-"
    folder = prepared.path.parent
    for path in [*folder.glob(f"{stem}*.pdf"), *folder.glob(f".{stem}*.tmp")]:
        if path != prepared.path:
            path.unlink(missing_ok=True)


def write_file_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file in the same folder: readers see the
    whole file or none."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


# --- inside the caller's transaction ---------------------------------------------------------


async def register_letter(
    conn: aiosqlite.Connection, request_id: int, now: datetime, prepared: PreparedLetter
) -> IssuedLetter:
    """Register a prepared letter under its number, which must still be the year's next."""
    order = prepared.order
    if order.fixed is not None:  # given by hand: never twice, and no gapless rule
        used = list(await conn.execute_fetchall(
            "SELECT 1 FROM outgoing_register WHERE number = ? OR (year = ? AND sequence = ?)",
            (prepared.number, order.year, prepared.sequence)))
        if used:
            raise NumberUsed(prepared.number)
    elif await rows.next_in_year(conn, _MAX_SEQUENCE, order.year) != prepared.sequence:
        raise _NumberTaken(prepared.number)
    cur = await conn.execute(
        """INSERT INTO outgoing_register (year, sequence, number, request_id, kind, addressee,
             subject, signed_by, signed_acting, signed_at, verification_code, pdf_path, sha256,
             seal)
           VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
        (order.year, prepared.sequence, prepared.number, request_id, order.kind,
         order.addressee, order.subject, order.signer_id, order.signer_acting,
         rows.timestamp(now), prepared.code, str(prepared.path), prepared.sha256, order.seal))
    return IssuedLetter(
        id=int(cur.lastrowid or 0), request_id=request_id, number=prepared.number,
        sequence=prepared.sequence, year=order.year, kind=order.kind,
        addressee=order.addressee, subject=order.subject, verification_code=prepared.code,
        path=prepared.path, sha256=prepared.sha256, signed_at=now,
        signed_acting=order.signer_acting, seal=order.seal)


async def record_scan(conn: aiosqlite.Connection, request_id: int, now: datetime,
                      scan: LetterScan) -> IssuedLetter:
    """The scan becomes the delivered letter of the request's last issued letter."""
    await conn.execute(
        """UPDATE outgoing_register SET scan_path = ?, scan_sha256 = ?, scanned_at = ?,
             scanned_by = ? WHERE id = (SELECT MAX(id) FROM outgoing_register
                                        WHERE request_id = ?)""",
        (str(scan.path), scan.sha256, rows.timestamp(now), scan.by, request_id))
    found = list(await conn.execute_fetchall(
        rows.LETTER_SELECT + " WHERE o.request_id = ? ORDER BY o.id DESC LIMIT 1",
        (request_id,)))
    if not found:
        raise StorageError(f"request {request_id} has no issued letter to attach a scan to")
    return rows.issued(found[0])


async def record_receipt(conn: aiosqlite.Connection, request_id: int, now: datetime) -> None:
    """The requester confirmed receipt of the request's last letter."""
    await conn.execute(
        """UPDATE outgoing_register SET received_at = ? WHERE id =
           (SELECT MAX(id) FROM outgoing_register WHERE request_id = ?)""",
        (rows.timestamp(now), request_id))
