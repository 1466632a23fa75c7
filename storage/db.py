"""The SQLite database: one writer connection and a few reader connections, with numbered
migrations.

Every write happens inside `transaction()` on the one writer connection, an explicit
`BEGIN IMMEDIATE` so that a second process on the same file waits (busy_timeout) instead of
failing half-way. Reads (`reading()`) run on reader connections of their own (WAL: a reader
sees the last commit and never waits for a writer), so a read never waits behind a write that
is in progress, nor sees one half-done.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any, cast

import aiosqlite

BUSY_TIMEOUT_MS = 10_000
READERS = 2
"""Reader connections (each its own thread): reads run side by side, and beside the writer."""
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class DatabaseError(Exception):
    """A problem with the database file that the operator must fix; the message says how."""


def migrations() -> list[tuple[int, str, str]]:
    """(version, file name, SQL) of every bundled migration, in order."""
    found = []
    for entry in resources.files("storage.migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    for expected, (version, name, _) in enumerate(found, start=1):
        if version != expected:
            raise DatabaseError(f"migration numbering has a gap at {name}")
    return found


LATEST_VERSION = len(migrations())


class Database:
    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self._conn = conn
        self._lock = asyncio.Lock()
        self._readers: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
        self._all_readers: list[aiosqlite.Connection] = []
        self.path = path

    @classmethod
    async def open(cls, path: str | Path) -> Database:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(path, isolation_level=None)
        conn.row_factory = sqlite3.Row
        db = cls(conn, path)
        try:
            await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            await conn.execute("PRAGMA journal_mode = WAL")
            await conn.execute("PRAGMA synchronous = FULL")
            await conn.execute("PRAGMA foreign_keys = ON")
            await db._migrate()
            for _ in range(READERS):
                await db._open_reader()
        except BaseException:
            for reader in db._all_readers:
                await reader.close()
            await conn.close()
            raise
        return db

    async def _open_reader(self) -> None:
        reader = await aiosqlite.connect(self.path, isolation_level=None)
        self._all_readers.append(reader)
        reader.row_factory = sqlite3.Row
        await reader.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        await reader.execute("PRAGMA foreign_keys = ON")
        await reader.execute("PRAGMA query_only = ON")
        self._readers.put_nowait(reader)

    async def close(self) -> None:
        async with self._lock:
            for _ in self._all_readers:  # wait until every read has given its connection back
                await (await self._readers.get()).close()
            await self._conn.close()

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """BEGIN IMMEDIATE … COMMIT; rolled back when the block raises."""
        async with self._lock:
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                await self._conn.execute("ROLLBACK")
                raise
            await self._conn.execute("COMMIT")

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[aiosqlite.Connection]:
        """A consistent read (one snapshot) on a reader connection: it sees the last commit
        and never waits for the writer."""
        reader = await self._readers.get()
        try:
            await reader.execute("BEGIN")
            try:
                yield reader
            finally:
                await reader.execute("COMMIT")
        finally:
            self._readers.put_nowait(reader)

    async def trace(self, callback: Callable[[str], object] | None) -> None:
        """Hand every statement run on any connection (parameters filled in) to `callback`;
        None stops. For diagnosis, and the test that reads the plans of the hot queries."""
        for conn in (self._conn, *self._all_readers):  # sqlite3 takes None to stop
            await conn.set_trace_callback(cast(Callable[..., Any], callback))

    async def schema_version(self) -> int:
        async with self.reading() as conn:
            return await _user_version(conn)

    async def _migrate(self) -> None:
        async with self.transaction() as conn:
            current = await _user_version(conn)
        if current > LATEST_VERSION:
            raise DatabaseError(
                f"database {self.path} has schema version {current}, newer than this program "
                f"understands ({LATEST_VERSION}); upgrade the program or restore a backup"
            )
        for version, _name, sql in migrations()[current:]:
            async with self.transaction() as conn:
                for statement in _split_sql(sql):
                    await conn.execute(statement)
                await conn.execute(f"PRAGMA user_version = {version}")

    async def backup(self, target: str | Path) -> None:
        """An online, consistent copy (SQLite backup API), safe while the bot runs."""
        target = Path(target)
        if target.exists():
            raise DatabaseError(f"backup target {target} already exists; choose a new file")
        target.parent.mkdir(parents=True, exist_ok=True)
        async with self._lock:
            dest = await aiosqlite.connect(target)
            try:
                await self._conn.backup(dest)
            finally:
                await dest.close()

    async def integrity_check(self) -> list[str]:
        """Problems found by SQLite's integrity and foreign-key checks; empty when healthy."""
        async with self.reading() as conn:
            rows = await conn.execute_fetchall("PRAGMA integrity_check")
            problems = [str(r[0]) for r in rows if r[0] != "ok"]
            fk_rows = await conn.execute_fetchall("PRAGMA foreign_key_check")
            problems += [f"foreign key: table {r[0]} row {r[1]} -> {r[2]}" for r in fk_rows]
        return problems


class Repository:
    """Base of the per-entity classes (`storage.people`, `storage.requests`, …): they read and
    write through one shared `Database`, which stays the only owner of the connection."""

    def __init__(self, db: Database) -> None:
        self.db = db


async def _user_version(conn: aiosqlite.Connection) -> int:
    async with conn.execute("PRAGMA user_version") as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


def _split_sql(sql: str) -> list[str]:
    """Split a migration into statements (sqlite3.complete_statement knows about strings)."""
    statements, buffer = [], ""
    for line in sql.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip() and not all(
        ln.strip().startswith("--") or not ln.strip() for ln in buffer.splitlines()
    ):
        raise DatabaseError("migration ends with an incomplete statement")
    return statements

