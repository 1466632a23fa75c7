"""Letter files around the transition's transaction: rendered before it (never while the write
lock is held), written atomically, re-rendered when another writer took the number, and removed
whenever the transaction does not commit."""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.workflow import State
from storage.letters import LETTER_ATTEMPTS
from storage.models import AuditEntry, LetterOrder, OutMessage, Request
from storage.store import StaleRequest, StorageError, Store
from tests.support.office import HEAD, Clock, open_office, seed_people, submit

NOW = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
DECLINE = AuditEntry("decline", State.DECLINED, None, None)


def _order(folder: Path, render: Callable[[str, str], bytes]) -> LetterOrder:
    return LetterOrder(
        year=2026, kind="declined", addressee="Kepala Dinas Kesehatan", subject="Subdomain",
        signer_id=None, signer_acting=None, number_for=lambda seq: f"555/{seq}/Uji/2026",
        render=render, directory=folder)


def _pdf(number: str, code: str) -> bytes:
    return f"%PDF-1.4 {number} {code}".encode()


def _files(folder: Path) -> list[Path]:
    """Every file in the letters folder, temporary (hidden) ones included."""
    return sorted(folder.iterdir()) if folder.exists() else []


def _take_next_number(db_path: Path, request_id: int) -> None:
    """Another writer (its own connection, as another process) registers the next number."""
    raw = sqlite3.connect(db_path, timeout=0)  # fails at once if a write lock is held
    try:
        with raw:
            raw.execute(
                """INSERT INTO outgoing_register (year, sequence, number, request_id, kind,
                     addressee, subject, signed_at, verification_code, pdf_path, sha256)
                   SELECT 2026, n, '555/' || n || '/Lain/2026', ?, 'declined', 'X', 'Y', ?,
                          'OTHER' || n, '/nowhere/' || n || '.pdf', '-'
                   FROM (SELECT COALESCE(MAX(sequence), 0) + 1 AS n FROM outgoing_register
                         WHERE year = 2026)""",
                (request_id, NOW.isoformat()))
    finally:
        raw.close()


async def _two_requests(db_path: Path) -> tuple[Store, Request, Request]:
    office = await open_office(db_path, Clock())
    await seed_people(office.store, NOW)
    return office.store, await submit(office, "satu"), await submit(office, "dua")


async def test_no_letter_is_rendered_while_the_write_lock_is_held(
    db_path: Path, tmp_path: Path,
) -> None:
    store, request, _ = await _two_requests(db_path)
    rendered: list[str] = []

    def render(number: str, code: str) -> bytes:
        # Another connection can write right now: nobody holds the write lock.
        raw = sqlite3.connect(db_path, timeout=0)
        try:
            with raw:
                raw.execute("INSERT INTO agencies (code, name) VALUES (?, 'Selama render')",
                            (f"render-{len(rendered)}",))
        finally:
            raw.close()
        rendered.append(number)
        return _pdf(number, code)

    folder = tmp_path / "letters"
    moved = await store.transition(request.id, 1, DECLINE, now=NOW,
                                   letter=_order(folder, render))
    assert moved.state == State.DECLINED and moved.version == 2
    [letter] = await store.letters(request.id)
    assert rendered == ["555/1/Uji/2026"] == [letter.number]
    assert letter.path.read_bytes() == _pdf(letter.number, letter.verification_code)
    assert hashlib.sha256(letter.path.read_bytes()).hexdigest() == letter.sha256
    assert _files(folder) == [letter.path]  # no temporary file left over
    assert "render-0" in {a.code for a in await store.agencies()}
    await store.close()


async def test_a_stale_transition_leaves_no_letter_file(db_path: Path, tmp_path: Path) -> None:
    store, request, _ = await _two_requests(db_path)
    folder = tmp_path / "letters"
    rendered: list[str] = []

    def render(number: str, code: str) -> bytes:
        rendered.append(number)
        return _pdf(number, code)

    with pytest.raises(StaleRequest):
        await store.transition(request.id, 7, DECLINE, now=NOW, letter=_order(folder, render))
    assert rendered == ["555/1/Uji/2026"]  # written before the transaction, removed after it
    assert _files(folder) == []
    assert await store.letters() == []
    await store.close()


async def test_a_transaction_failing_after_the_letter_leaves_no_file(
    db_path: Path, tmp_path: Path,
) -> None:
    store, request, _ = await _two_requests(db_path)
    folder = tmp_path / "letters"
    rendered: list[str] = []

    def render(number: str, code: str) -> bytes:
        rendered.append(number)
        return _pdf(number, code)

    def unserialisable(_letter: object) -> list[OutMessage]:
        return [OutMessage(HEAD, "document", {"letter": {"not", "json"}})]

    # The letter is registered, then queuing its message fails: all of it rolls back.
    with pytest.raises(TypeError):
        await store.transition(request.id, 1, DECLINE, now=NOW,
                               letter=_order(folder, render), letter_messages=unserialisable)
    assert rendered == ["555/1/Uji/2026"]
    assert _files(folder) == []
    assert await store.letters() == []
    assert (await store.request(request.id)).version == 1
    # The number was not used up: the next letter of the year gets it.
    await store.transition(request.id, 1, DECLINE, now=NOW, letter=_order(folder, render))
    assert [letter.sequence for letter in await store.letters()] == [1]
    await store.close()


async def test_a_number_taken_meanwhile_is_rendered_again(
    db_path: Path, tmp_path: Path,
) -> None:
    store, request, other = await _two_requests(db_path)
    loop = asyncio.get_running_loop()
    second = await Store.open(db_path)  # a second writer on the same file
    folder = tmp_path / "letters"
    rendered: list[str] = []

    def render(number: str, code: str) -> bytes:
        if not rendered:  # while the first rendering runs, the other writer signs a letter
            asyncio.run_coroutine_threadsafe(second.transition(
                other.id, 1, DECLINE, now=NOW, letter=_order(folder, _pdf)), loop).result()
        rendered.append(number)
        return _pdf(number, code)

    await store.transition(request.id, 1, DECLINE, now=NOW, letter=_order(folder, render))
    assert rendered == ["555/1/Uji/2026", "555/2/Uji/2026"]
    letters = {letter.request_id: letter for letter in await store.letters()}
    assert (letters[other.id].sequence, letters[request.id].sequence) == (1, 2)
    mine = letters[request.id]
    assert mine.number == "555/2/Uji/2026"
    assert mine.path.read_bytes() == _pdf(mine.number, mine.verification_code)
    # The file rendered under number 1 is gone; the other writer's file is its own.
    assert _files(folder) == sorted(letter.path for letter in letters.values())
    await second.close()
    await store.close()


async def test_a_number_taken_every_time_gives_up_with_nothing_written(
    db_path: Path, tmp_path: Path,
) -> None:
    store, request, other = await _two_requests(db_path)
    folder = tmp_path / "letters"
    rendered: list[str] = []

    def render(number: str, code: str) -> bytes:
        _take_next_number(db_path, other.id)
        rendered.append(number)
        return _pdf(number, code)

    with pytest.raises(StorageError, match="taken by another writer"):
        await store.transition(request.id, 1, DECLINE, now=NOW, letter=_order(folder, render))
    assert len(rendered) == LETTER_ATTEMPTS
    assert _files(folder) == []
    assert (await store.request(request.id)).version == 1
    assert {letter.request_id for letter in await store.letters()} == {other.id}
    await store.close()


async def test_files_a_killed_process_left_under_a_number_go_when_it_is_registered(
    db_path: Path, tmp_path: Path,
) -> None:
    """A process killed after writing a letter and before its commit leaves the file (its
    `finally` never runs); the number stays the year's next. When it is registered, to the
    letter written again, the leftovers under that number are removed, and nothing else."""
    store, request, _ = await _two_requests(db_path)
    folder = tmp_path / "letters"
    folder.mkdir()
    leftovers = [folder / "2026-0001-DEADBEEF00.pdf", folder / ".2026-0001-0A1B2C3D4E.pdf.x.tmp"]
    unrelated = [folder / "2026-0002-FEEDFACE00.pdf", folder / "notes.txt"]
    for path in (*leftovers, *unrelated):
        path.write_bytes(b"%PDF-1.4 left behind")
    await store.transition(request.id, request.version, DECLINE, now=NOW,
                           letter=_order(folder, _pdf))
    [issued] = await store.letters(request.id)
    assert issued.sequence == 1
    assert _files(folder) == sorted([issued.path, *unrelated])
    await store.close()
