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
from collections.abc import AsyncIterator, Callable, Sequence
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
        """Open (and migrate) the database; a file that cannot be used is one DatabaseError."""
        path = Path(path)
        _prepare_directory(path, "the database")
        # Tried with plain sqlite3 first: when aiosqlite's connect fails, its worker thread
        # outlives the call and may finish after the event loop has closed.
        try:
            await asyncio.to_thread(_try_open, path)
            conn = await aiosqlite.connect(path, isolation_level=None)
        except (sqlite3.Error, OSError) as exc:
            raise DatabaseError(f"cannot open the database {path}: {_reason(exc)}") from None
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
        except (sqlite3.Error, OSError) as exc:
            for reader in db._all_readers:
                await reader.close()
            await conn.close()
            raise DatabaseError(
                f"cannot use the database {path}: {_reason(exc)} (python -m bot db check "
                "lists what is wrong; restore a backup if the file is damaged)") from None
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

    async def fetch(self, sql: str, parameters: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """The rows of ONE statement on a reader connection. A single statement outside BEGIN
        is its own snapshot, so this is `reading()` in one call to the connection's thread
        instead of three (the outbox reads this way for every message it sends)."""
        reader = await self._readers.get()
        try:
            return list(await reader.execute_fetchall(sql, parameters))
        finally:
            self._readers.put_nowait(reader)

    async def write(self, sql: str, parameters: Sequence[Any] = ()) -> int:
        """ONE statement as its own transaction (autocommit, as durable as a `transaction()`):
        one call to the writer's thread instead of three. Returns the rows changed."""
        async with self._lock:
            cursor = await self._conn.execute(sql, parameters)
            return int(cursor.rowcount or 0)

    async def write_returning(self, sql: str,
                              parameters: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """ONE statement with RETURNING as its own transaction, like `write`; its rows."""
        async with self._lock:
            return list(await self._conn.execute_fetchall(sql, parameters))

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
        _prepare_directory(target, "the backup")
        async with self._lock:
            try:
                dest = await aiosqlite.connect(target)
                try:
                    await self._conn.backup(dest)
                finally:
                    await dest.close()
            except (sqlite3.Error, OSError) as exc:
                raise DatabaseError(f"cannot write the backup {target}: {_reason(exc)}") from None

    async def integrity_check(self) -> list[str]:
        """Problems found by SQLite's integrity and foreign-key checks; empty when healthy."""
        return await asyncio.to_thread(check_file, self.path)


def check_file(path: str | Path) -> list[str]:
    """What SQLite's integrity and foreign-key checks find in the file at ``path``, read
    only and without migrating; a check that cannot even run is itself listed."""
    path = Path(path)
    if not path.is_file():
        return [f"no database file at {path}"]
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        return [f"cannot open: {_reason(exc)}"]
    problems: list[str] = []
    try:
        for pragma in ("integrity_check", "foreign_key_check"):
            try:
                rows = conn.execute(f"PRAGMA {pragma}").fetchall()
            except sqlite3.Error as exc:
                problems.append(f"{pragma} could not run: {_reason(exc)}")
                continue
            if pragma == "integrity_check":
                problems += [str(r[0]) for r in rows if r[0] != "ok"]
            else:
                problems += [f"foreign key: table {r[0]} row {r[1]} -> {r[2]}" for r in rows]
    finally:
        conn.close()
    return problems


def file_version(path: str | Path) -> int | None:
    """The schema version stored in the file, or None when it cannot be read."""
    try:
        conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def _try_open(path: Path) -> None:
    sqlite3.connect(path).close()


def _prepare_directory(path: Path, what: str) -> None:
    """The file's directory exists (created if missing) and the path is not a directory."""
    if path.is_dir():
        raise DatabaseError(f"{path} is a directory; {what} needs a file name")
    blocking = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        raise DatabaseError(f"{path} lies under {blocking}, which is a file, not a directory")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseError(
            f"cannot create the directory {path.parent} for {what}: {_reason(exc)}") from None


def _reason(exc: BaseException) -> str:
    """The cause in one line, without the path (the caller names it)."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return " ".join(str(exc).split()) or type(exc).__name__


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

