"""Storage on real SQLite files: round trips, reopening, migrations, compare-and-set."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.workflow import Role, State
from storage.db import LATEST_VERSION, Database, DatabaseError
from storage.models import AuditEntry, OutMessage
from storage.store import StaleRequest, StorageError, Store
from tests.support.office import HEAD, REQUESTER, Clock, open_office, seed_people, submit

NOW = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)


async def test_people_positions_and_agencies_survive_reopen(db_path: Path) -> None:
    store = await Store.open(db_path)
    await seed_people(store, NOW, two_staff=True)
    await store.set_position(Role.KEPALA_DINAS, 555, "Plt. Pejabat", now=NOW, acting="plt",
                             valid_from=date(2026, 11, 1), valid_until=date(2026, 12, 31))
    await store.close()

    store = await Store.open(db_path)
    heads = await store.holders_on(Role.KEPALA_DINAS, date(2026, 11, 30))
    assert [h.person.telegram_user_id for h in heads] == [555, HEAD]  # acting holder first
    assert heads[0].acting == "plt" and heads[0].title_prefix == "Plt. "
    assert [h.person.telegram_user_id for h in
            await store.holders_on(Role.KEPALA_DINAS, date(2027, 1, 1))] == [HEAD]
    staff = await store.holders_on(Role.STAF_PRAKOM, date(2026, 11, 30))
    assert len(staff) == 2
    head = await store.person_by_telegram(HEAD)
    assert head is not None and head.nip == "197001011990031001"
    agency = await store.agency_by_code("dinkes")
    contacts = await store.agency_contacts(agency.id)
    assert [c.telegram_user_id for c in contacts] == [REQUESTER]
    assert await store.remove_position(Role.KEPALA_DINAS, 555)
    assert not await store.remove_position(Role.KEPALA_DINAS, 555)
    await store.close()


async def test_bad_positions_are_refused(db_path: Path) -> None:
    store = await Store.open(db_path)
    with pytest.raises(StorageError, match="end date"):
        await store.set_position(Role.KABID, 9, "X", now=NOW, acting="plh")
    with pytest.raises(StorageError, match="before the start"):
        await store.set_position(Role.KABID, 9, "X", now=NOW, acting="plh",
                                 valid_from=date(2026, 12, 2), valid_until=date(2026, 12, 1))
    await store.add_agency("dup", "A")
    with pytest.raises(StorageError, match="already exists"):
        await store.add_agency("dup", "B")
    assert await store.position_holders() == []
    await store.close()


async def test_request_numbers_agenda_and_first_audit_row(db_path: Path) -> None:
    office = await open_office(db_path, Clock())
    await seed_people(office.store, NOW)
    first = await submit(office, "layanan")
    second = await submit(office, "portal")
    assert (first.number, second.number) == ("SD-2026-0001", "SD-2026-0002")
    assert (first.agenda_number, second.agenda_number) == (1, 2)
    assert first.state == State.DISPOSITION_HEAD and first.version == 1
    events = await office.store.timeline(first.id)
    assert [(e.action, e.to_state, e.actor_name) for e in events] == [
        ("submit", State.DISPOSITION_HEAD, "Ahmad Dinkes")]
    pending = await office.store.pending_messages(now=NOW)
    assert sorted(m.chat_id for m in pending) == [HEAD, HEAD, REQUESTER, REQUESTER]
    assert all(m.request_id in (first.id, second.id) for m in pending)
    await office.store.close()
    reopened = await Store.open(db_path)
    again = await reopened.request("sd-2026-0002")
    assert again == second
    await reopened.close()


async def test_migrations_are_idempotent_and_newer_databases_refused(db_path: Path) -> None:
    for _ in range(3):
        db = await Database.open(db_path)
        assert await db.schema_version() == LATEST_VERSION
        await db.close()
    with sqlite3.connect(db_path) as raw:
        tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        raw.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    assert {"people", "positions", "requests", "audit", "incoming_register", "outbox"} <= tables
    with pytest.raises(DatabaseError, match="newer than this program"):
        await Database.open(db_path)


async def test_pragmas_are_set(db_path: Path) -> None:
    db = await Database.open(db_path)
    async with db.reading() as conn:
        mode = list(await conn.execute_fetchall("PRAGMA journal_mode"))[0][0]
        fks = list(await conn.execute_fetchall("PRAGMA foreign_keys"))[0][0]
    assert (mode, fks) == ("wal", 1)
    await db.close()


async def test_a_failed_transaction_leaves_nothing_behind(db_path: Path) -> None:
    office = await open_office(db_path, Clock())
    await seed_people(office.store, NOW)
    request = await submit(office)
    before = await office.store.pending_messages(now=NOW)
    # The second message cannot be serialised: it fails after the state update and the
    # audit row were written.
    good = OutMessage(HEAD, "message", {"text": "x"})
    bad = OutMessage(HEAD, "message", {"text": {"not", "json"}})
    entry = AuditEntry("dispose", State.DISPOSITION_KABID, None, None)
    with pytest.raises(TypeError):
        await office.store.transition(request.id, 1, entry, now=NOW, messages=[good, bad])
    assert (await office.store.request(request.id)).version == 1
    assert len(await office.store.timeline(request.id)) == 1
    assert await office.store.pending_messages(now=NOW) == before
    await office.store.close()


async def test_concurrent_transitions_on_one_step_exactly_one_wins(db_path: Path) -> None:
    office = await open_office(db_path, Clock())
    await seed_people(office.store, NOW)
    request = await submit(office)
    # A second, independent connection to the same file, as a second process would have.
    other = await Store.open(db_path)

    async def attempt(store: Store, n: int) -> str:
        entry = AuditEntry("dispose", State.DISPOSITION_KABID, None, None, note=f"#{n}")
        try:
            await store.transition(request.id, 1, entry, now=NOW,
                                   messages=[OutMessage(HEAD, "message", {"n": n})])
        except StaleRequest as stale:
            assert stale.last_event is not None
            return "stale"
        return "won"

    results = await asyncio.gather(
        *(attempt(office.store if n % 2 else other, n) for n in range(40)))
    assert results.count("won") == 1 and results.count("stale") == 39
    final = await office.store.request(request.id)
    assert final.version == 2 and final.state == State.DISPOSITION_KABID
    events = await office.store.timeline(request.id)
    assert [e.action for e in events] == ["submit", "dispose"]
    queued = [m for m in await office.store.pending_messages(now=NOW) if "n" in m.payload]
    assert len(queued) == 1 and f"#{queued[0].payload['n']}" == events[-1].note
    await other.close()
    await office.store.close()


async def test_outbox_marks(db_path: Path) -> None:
    store = await Store.open(db_path)
    await store.enqueue([OutMessage(1, "message", {"text": "a"}),
                         OutMessage(2, "message", {"text": "b"})], now=NOW)
    first, second = await store.pending_messages(now=NOW)
    await store.mark_sent(first.id, now=NOW, result={"message_id": 5})
    later = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
    await store.mark_failed(second.id, error="500", retry_at=later)
    assert await store.pending_messages(now=NOW) == []
    [retry] = await store.pending_messages(now=later)
    assert retry.attempts == 1 and retry.payload == {"text": "b"}
    await store.mark_failed(retry.id, error="403 blocked", retry_at=None)
    assert await store.pending_messages(now=later) == []
    await store.close()


async def test_backup_and_integrity_check(db_path: Path, tmp_path: Path) -> None:
    office = await open_office(db_path, Clock())
    await seed_people(office.store, NOW)
    await submit(office)
    target = tmp_path / "copy.sqlite3"
    await office.store.db.backup(target)
    with pytest.raises(DatabaseError, match="already exists"):
        await office.store.db.backup(target)
    assert await office.store.db.integrity_check() == []
    await office.store.close()
    copy = await Store.open(target)
    assert [r.number for r in await copy.requests()] == ["SD-2026-0001"]
    await copy.close()
