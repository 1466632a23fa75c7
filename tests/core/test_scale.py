"""Costs that stay flat as history grows: every hot query is an index search (its
`EXPLAIN QUERY PLAN`, for the statements the office really runs on a generated history), reads
beside a write in progress, retention of sent messages, paging, and a CLI that answers `--help`
without loading the bot."""

from __future__ import annotations

import asyncio
import re
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bench.history import NOW, Cast, generate
from bot.deadlines import ReminderScheduler
from bot.reports import month_audit_csv, month_requests
from bot.service import ActionInput, Office
from bot.workflow import Action, Instruction, State
from storage.models import OutMessage
from storage.reminders import ReminderLog
from storage.store import Store
from tests.support.office import office_settings

ROOT = Path(__file__).resolve().parents[2]
BIG = {"requests", "r", "audit", "au", "outbox", "subdomains", "incoming_register", "ir",
       "reminders", "m", "outgoing_register", "o"}
"""Tables (and their aliases in our SQL) that grow with history: never read whole."""


@pytest.fixture
async def history(tmp_path: Path) -> AsyncIterator[tuple[Office, Cast]]:
    path = tmp_path / "office.sqlite3"
    store = await Store.open(path)
    cast = await generate(store, 600, seed=16)
    office = Office(store, office_settings(DATABASE_PATH=str(path), DATA_DIR=str(tmp_path),
                                           DNS_SERVERS="127.0.0.1:9"), lambda: NOW)
    yield office, cast
    await office.close()


async def hot_paths(office: Office, cast: Cast) -> None:
    """What the bot and the CLI do all day, once each."""
    store = office.store
    for pid in (cast.head, cast.kabid, cast.kasi):
        who = await store.person(pid)
        assert who is not None
        count, cards = await office.inbox(who, 1, 20)
        assert count > 0 and cards
    staff = await store.person(cast.staff[0])
    requester = await store.person(cast.busiest_requester)
    assert staff is not None and requester is not None
    await office.pending_for(staff)
    assert len(await office.requests_of(requester, limit=20)) == 20
    page = await office.requests(limit=51)
    await office.requests(limit=51, before=page[-1].id)
    await office.requests(State.COMPLETED, limit=51)
    await office.requests(agency="pd00", limit=51)
    await office.requests(year=2025, limit=51)
    shown = await office.request(page[10].number)
    await office.letters(shown)
    await office.timeline(shown)
    await office.names_in_use(page[3].subdomain)
    await ReminderLog(store.db).fired(office.workflow.open_states)
    scheduler = ReminderScheduler(office, office.settings.work_clock())
    await scheduler.round()
    trails = await month_requests(store, 2025, 10, office.settings.timezone)
    await store.timelines(r.id for r in trails)
    await month_audit_csv(store, 2025, 10, office.settings.timezone, office.workflow)
    await office.month_files(2025, 10, csv=True)  # the month's trails, open past standard
    await store.pending_messages(now=NOW, limit=200)
    await store.prune_sent(before=NOW - timedelta(days=30))
    head = await store.person(cast.head)
    assert head is not None
    waiting = (await store.requests(states=[State.DISPOSITION_HEAD]))[0]
    await office.act(head, waiting.id, ActionInput(Action.DISPOSE, waiting.version,
                                                   instruction=Instruction.FOLLOW_UP))


def full_scans(raw: sqlite3.Connection, sql: str) -> list[str]:
    """The plan lines of `sql` that read a growing table whole."""
    plan = [str(r[3]) for r in raw.execute("EXPLAIN QUERY PLAN " + sql)]
    bounded = (" LIMIT " in sql.upper() and not any("TEMP B-TREE" in line for line in plan)
               and unfiltered(sql))
    bad = []
    for line in plan:
        words = line.split()
        if len(words) >= 2 and words[0] == "SCAN" and words[1] in BIG:
            if "outbox_pending" in line:  # a partial index of the owed messages only
                continue
            if bounded and "USING" not in line:  # rowid order, stops at the LIMIT
                continue
            bad.append(line)
    return bad


def unfiltered(sql: str) -> bool:
    """No condition but paging (`r.id < N`): a scan in rowid order stops at the LIMIT."""
    where = re.search(r"\bWHERE\b(.*?)(\bORDER BY\b|\bLIMIT\b)", sql, re.S | re.I)
    if where is None:
        return True
    parts = [p.strip() for p in re.split(r"\bAND\b", where.group(1), flags=re.I)]
    return all(p == "1=1" or re.fullmatch(r"r\.id < \d+", p) for p in parts)


async def test_every_hot_query_is_an_index_search(history: tuple[Office, Cast]) -> None:
    office, cast = history
    statements: list[str] = []
    await office.store.db.trace(statements.append)
    await hot_paths(office, cast)
    await office.store.db.trace(None)
    checked = sorted({s.strip() for s in statements
                      if s.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE"))})
    assert len(checked) > 25
    with sqlite3.connect(office.store.db.path) as raw:
        problems = {sql: scans for sql in checked if (scans := full_scans(raw, sql))}
    assert problems == {}


def test_the_check_sees_a_full_scan() -> None:
    raw = sqlite3.connect(":memory:")
    raw.execute("CREATE TABLE requests (id INTEGER PRIMARY KEY, purpose TEXT, state TEXT)")
    raw.execute("CREATE INDEX requests_state ON requests(state)")
    assert full_scans(raw, "SELECT * FROM requests WHERE purpose = 'x'") != []
    assert full_scans(raw, "SELECT * FROM requests ORDER BY purpose LIMIT 5") != []
    assert full_scans(raw, "SELECT * FROM requests WHERE state = 'x'") == []
    assert full_scans(raw, "SELECT * FROM requests ORDER BY id DESC LIMIT 5") == []
    assert full_scans(raw, "SELECT * FROM requests WHERE purpose = 'x' "
                           "ORDER BY id DESC LIMIT 5") != []


async def test_the_generated_history_is_whole(history: tuple[Office, Cast]) -> None:
    office, _cast = history
    problems, _version = await office.database_check()
    assert problems == []
    async with office.store.db.reading() as conn:
        per_year = list(await conn.execute_fetchall(
            "SELECT r.year, COUNT(*), MAX(seq), MAX(agenda_number) FROM requests r "
            "JOIN incoming_register ir ON ir.request_id = r.id GROUP BY r.year"))
        audit, = list(await conn.execute_fetchall("SELECT COUNT(*) FROM audit"))
    assert all(count == seq == agenda for _year, count, seq, agenda in per_year)
    assert sum(r[1] for r in per_year) == 600
    assert audit[0] > 600 * 4


async def test_a_read_does_not_wait_for_a_write_in_progress(
        history: tuple[Office, Cast]) -> None:
    office, _cast = history
    store = office.store
    first = (await store.requests(limit=1))[0]
    async with store.db.transaction() as conn:
        await conn.execute("UPDATE requests SET purpose = 'diubah' WHERE id = ?", (first.id,))
        seen = await asyncio.wait_for(store.request(first.id), 2)
        assert seen.purpose == first.purpose  # the last commit, never half a write
    assert (await store.request(first.id)).purpose == "diubah"


async def test_sent_messages_are_pruned_and_the_audit_trail_stays(
        history: tuple[Office, Cast]) -> None:
    office, _cast = history
    store = office.store
    old = NOW - timedelta(days=60)

    async def counts() -> tuple[int, int, int]:
        async with store.db.reading() as conn:
            (audit,), = await conn.execute_fetchall("SELECT COUNT(*) FROM audit")
            (sent,), = await conn.execute_fetchall(
                "SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL AND sent_at < ?",
                (NOW.isoformat(),))
            (other,), = await conn.execute_fetchall(
                "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL OR sent_at = 'failed'")
        return int(audit), int(sent), int(other)

    await store.enqueue([OutMessage(1, "message", {"text": "lama"})] * 3, now=old)
    owed = await store.pending_messages(now=NOW, limit=10)
    await store.mark_failed(owed[0].id, error="403", retry_at=None)
    await store.mark_sent(owed[1].id, now=old)  # owed[2] stays owed
    audit, sent, other = await counts()
    assert sent > 0 and other == 2
    assert await store.prune_sent(before=NOW - timedelta(days=30), batch=10) >= 1
    while await store.prune_sent(before=NOW - timedelta(days=30), batch=10):
        pass
    async with store.db.reading() as conn:
        (left,), = await conn.execute_fetchall(
            "SELECT COUNT(*) FROM outbox WHERE sent_at < ?",
            ((NOW - timedelta(days=30)).isoformat(),))
    assert left == 0
    assert (await counts())[0] == audit and (await counts())[2] == 2


async def test_request_list_pages_newest_first(history: tuple[Office, Cast]) -> None:
    office, _cast = history
    first = await office.requests(limit=50)
    second = await office.requests(limit=50, before=first[-1].id)
    ids = [r.id for r in first + second]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 100
    agency = await office.requests(agency="pd00", year=2025, limit=10)
    assert agency and all(r.agency.code == "pd00" and r.number.startswith("SD-2025-")
                          for r in agency)
    done = await office.requests(State.COMPLETED, limit=10)
    assert done and all(r.state == State.COMPLETED for r in done)


def test_the_cli_parses_without_loading_the_bot() -> None:
    """`--help` and argument errors answer at once: no reportlab, no python-telegram-bot."""
    code = ("import sys; from bot.cli import build_parser; build_parser(); "
            "print(sorted(m for m in ('reportlab', 'telegram', 'aiosqlite', 'bot.service') "
            "if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=True)
    assert done.stdout.strip() == "[]"


def test_the_cli_commands_load_no_telegram_library_until_one_calls_telegram() -> None:
    """python-telegram-bot (~80 ms to import) loads only for the commands that ask Telegram
    (an invite's bot username, a new holder's reachability), not for `request list` or
    `report`."""
    code = ("import sys; import bot.commands, bot.invite_links, bot.reach; "
            "print('telegram' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=True)
    assert done.stdout.strip() == "False"


def test_the_bot_starts_without_reportlab_or_other_countries_holidays() -> None:
    """reportlab (~10 MiB resident) loads when a letter or report is rendered (also with the
    public pages on), and of the holidays package's ~250 countries (~8 MiB) only the office's
    calendar is loaded, also after the clock has counted through a year of holidays and the
    fonts were checked."""
    code = ("import sys; from datetime import date; import bot.app, bot.runner, bot.commands; "
            "import bot.web.site; "
            "from letters.fonts import font_dir; font_dir(); "
            "from bot.worktime import Holidays; h = Holidays(); "
            "assert h.name(date(2026, 8, 17)) and len(h.for_year(2026)) > 10; "
            "print(sorted(m for m in sys.modules if m == 'reportlab' or "
            "m.startswith('holidays.countries')))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=True)
    assert done.stdout.strip() == "['holidays.countries.indonesia']"


def test_the_bot_loads_no_signing_library_unless_its_provider_signs() -> None:
    """pyHanko and its certificate validator (~10 MiB resident) and the confusables data
    (~6 MiB) load when a letter is signed or checked, or a non-ASCII name is checked: never at
    the start of a bot with SIGNING_PROVIDER=none. (aiohttp is the bot's HTTP transport.)"""
    code = ("import sys; import bot.app, bot.runner, bot.sealing, bot.commands; "
            "print(sorted(m for m in ('pyhanko', 'pyhanko_certvalidator', 'letters.signing', "
            "'confusable_homoglyphs') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=True)
    assert done.stdout.strip() == "[]"
