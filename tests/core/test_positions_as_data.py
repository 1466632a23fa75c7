"""Positions are data (migration 0005): a position the SOP table names later needs no SQL
change, and an existing database keeps its positions when it upgrades."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.workflow import Role
from storage.db import LATEST_VERSION, migrations
from storage.store import Store

NOW = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)


async def _raw_positions(store: Store) -> list[tuple[object, ...]]:
    async with store.db.reading() as conn:
        found = await conn.execute_fetchall(
            """SELECT pos.id, pos.position, p.telegram_user_id, pos.acting, pos.valid_from,
                      pos.valid_until
               FROM positions pos JOIN people p ON p.id = pos.person_id ORDER BY pos.id""")
    return [tuple(r) for r in found]


async def test_a_position_not_in_todays_list_is_stored_and_read_back(db_path: Path) -> None:
    store = await Store.open(db_path)
    secretary = await store.upsert_person(401, "Sri Sekretaris", now=NOW)
    async with store.db.transaction() as conn:
        await conn.execute(
            "INSERT INTO positions (position, person_id, valid_from) VALUES (?, ?, ?)",
            ("sekretaris", secretary.id, "2026-01-01"))
    await store.close()

    store = await Store.open(db_path)
    assert [row[1:] for row in await _raw_positions(store)] == [
        ("sekretaris", 401, None, "2026-01-01", None)]
    # The other constraints stay: acting is plt or plh, one row per position and person.
    async with store.db.transaction() as conn:
        with pytest.raises(sqlite3.IntegrityError):
            await conn.execute(
                "INSERT INTO positions (position, person_id, acting) VALUES ('sekretaris', ?, 'x')",
                (secretary.id,))
        with pytest.raises(sqlite3.IntegrityError):
            await conn.execute(
                "INSERT INTO positions (position, person_id) VALUES ('sekretaris', ?)",
                (secretary.id,))
        with pytest.raises(sqlite3.IntegrityError):  # the person must exist
            await conn.execute(
                "INSERT INTO positions (position, person_id) VALUES ('sekretaris', 999)")
    await store.close()


def _version_of(suffix: str) -> int:
    """The version of the migration whose file name ends with `suffix` (never a literal:
    migrations are renumbered when branches merge)."""
    return next(version for version, name, _ in migrations() if name.endswith(suffix))


def _database_at_version_4(path: Path) -> None:
    """A database as the previous release left it, with positions in it."""
    raw = sqlite3.connect(path)
    try:
        before = _version_of("_positions_as_data.sql") - 1
        for _version, _name, sql in migrations()[:before]:
            raw.executescript(sql)
        raw.execute(f"PRAGMA user_version = {before}")
        raw.executemany(
            "INSERT INTO people (id, telegram_user_id, name, nip, created_at) VALUES (?,?,?,?,?)",
            [(1, 101, "Kepala", "197001011990031001", NOW.isoformat()),
             (2, 102, "Kabid", None, NOW.isoformat()),
             (3, 555, "Pelaksana Tugas", None, NOW.isoformat())])
        raw.executemany(
            """INSERT INTO positions (id, position, person_id, acting, valid_from, valid_until)
               VALUES (?,?,?,?,?,?)""",
            [(1, "kepala_dinas", 1, None, None, None),
             (2, "kabid", 2, None, None, None),
             (7, "kepala_dinas", 3, "plt", "2026-11-01", "2026-12-31")])
        raw.commit()
        with pytest.raises(sqlite3.IntegrityError, match="CHECK"):  # what 0005 lifts
            raw.execute("INSERT INTO positions (position, person_id) VALUES ('sekretaris', 1)")
    finally:
        raw.close()


async def test_an_existing_database_upgrades_with_its_positions_intact(db_path: Path) -> None:
    _database_at_version_4(db_path)
    store = await Store.open(db_path)
    assert await store.db.schema_version() == LATEST_VERSION >= 5
    assert await _raw_positions(store) == [
        (1, "kepala_dinas", 101, None, None, None),
        (2, "kabid", 102, None, None, None),
        (7, "kepala_dinas", 555, "plt", "2026-11-01", "2026-12-31")]
    heads = await store.holders_on(Role.KEPALA_DINAS, date(2026, 11, 30))
    assert [(h.person.name, h.acting) for h in heads] == [("Pelaksana Tugas", "plt"),
                                                          ("Kepala", None)]
    assert await store.db.integrity_check() == []
    # The storage layer writes to the rebuilt table as before, and the new key fits too.
    await store.set_position(Role.KASI, 103, "Kasi", now=NOW)
    async with store.db.transaction() as conn:
        await conn.execute(
            "INSERT INTO positions (position, person_id) VALUES ('sekretaris', 2)")
        # Removing a person still removes their positions (the foreign key survived).
        await conn.execute("DELETE FROM people WHERE id = 3")
    assert [row[1:3] for row in await _raw_positions(store)] == [
        ("kepala_dinas", 101), ("kabid", 102), ("kasi", 103), ("sekretaris", 102)]
    await store.close()
