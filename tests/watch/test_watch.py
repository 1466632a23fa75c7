"""The daily watch against the real BIND and real loopback web servers: a valid site, a
gambling page, an expired and a wrong-name certificate, a page that never ends, a 50 MB page, a
redirect loop, a dangling CNAME; names pointing off this machine are never contacted."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from datetime import time as clock_time
from pathlib import Path

import pytest

from bot import crashpoints
from bot.cli import EXIT_ERROR
from bot.register import SETTLE_BATCH
from bot.service import Office
from bot.watch_schedule import WatchSchedule
from bot.watch_texts import kind_label
from storage.subdomains import ZoneName
from storage.watch import Seen
from tests.crash.campaign import ROOT
from tests.support.bind import ZONE, BindServer
from tests.support.office import HEAD, STAFF, Clock, settings_env
from tests.support.websites import CertAuthority, Websites
from tests.watch.conftest import GROUP, watch_env
from tests.watch.test_register import cli


async def _outbox(office: Office) -> list[tuple[int, str]]:
    pending = await office.store.pending_messages(now=datetime(2100, 1, 1, tzinfo=UTC),
                                                  limit=10_000)
    return [(m.chat_id, m.payload["text"]) for m in pending]


async def test_every_kind_of_trouble_is_found_once_and_cleared_when_repaired(
        watch_office: Office, websites: tuple[Websites, CertAuthority]) -> None:
    sites, _ca = websites
    office = watch_office
    await office.register.import_zone()

    started = time.monotonic()
    outcome = await office.register.watch()
    took = time.monotonic() - started
    by = {r.label: r for r in outcome.reports}
    kinds = {label: sorted(p.kind for p in r.problems) for label, r in by.items()}
    assert kinds == {
        "situs": [], "alias": [], "ns1": [], "raksasa": [],
        "judi": ["defacement"],
        "lambat": ["http_slow", "https_slow"],
        "putar": ["redirect_loop"],
        "kedaluwarsa": ["tls_invalid"],
        "salahnama": ["tls_invalid"],
        "putus": ["dangling_cname"],
        # not web names, delegated, or pointing off this machine: nothing to find
        "dinkes": [], "publik": [], "mail": [], "catatan": [], "x.y": [], "besar": [],
        "sub": [], "portal": [],
    }
    assert took < 15  # the never-ending page and the 50 MB page are cut off, not waited for

    assert by["situs"].http == "200" and by["situs"].https == "200"
    assert 80 <= (by["situs"].cert_days or 0) <= 95
    assert by["alias"].dns == f"ok (CNAME situs.{ZONE}.)" and by["alias"].https == "200"
    assert by["raksasa"].https == "200 (cut at 256 KiB)"
    assert "certificate has expired" in by["kedaluwarsa"].problems[0].detail
    assert (by["kedaluwarsa"].cert_days or 0) < 0
    assert "Hostname mismatch" in by["salahnama"].problems[0].detail
    defaced = by["judi"].problems[0]
    assert defaced.detail == "the home page shows: slot gacor, maxwin"
    assert "situs slot gacor hari ini" in defaced.evidence
    assert by["putus"].problems[0].detail == f"CNAME target tidak-ada.{ZONE}. does not exist"
    assert by["portal"].notes == ["CNAME target www.example.com. outside the zone: not checked "
                                  "(no resolver within WATCH_ALLOWED_NETWORKS)"]
    assert by["sub"].dns == "delegated"

    # Off this machine: reported as not probed, and no connection was ever made for them.
    for label, address in (("dinkes", "10.0.0.5"), ("publik", "203.0.113.10")):
        assert (by[label].probed, by[label].http, by[label].https) == (
            False, "not probed", "not probed")
        assert by[label].notes == [f"not probed: {address} is outside WATCH_ALLOWED_NETWORKS"]
    assert not {h for h in sites.contacted if h.startswith(("dinkes.", "publik."))}

    # Each new finding is told once, with its evidence, to the Prakom staff and the group.
    queued = await _outbox(office)
    assert sorted({chat for chat, _ in queued}) == sorted([STAFF, GROUP])
    troubled = ["judi", "kedaluwarsa", "lambat", "putar", "putus", "salahnama"]
    for chat in (STAFF, GROUP):
        texts = [t for c, t in queued if c == chat]
        assert len(texts) == len(troubled)
        assert [t.splitlines()[0] for t in texts] == [
            f"⚠️ <b>Pemantauan subdomain: {label}.{ZONE}</b>" for label in troubled]
    judi = next(t for c, t in queued if c == STAFF and f"judi.{ZONE}" in t)
    assert "Tanda defacement/judi online di halaman depan" in judi
    assert "Bukti: <code>https://judi." in judi
    assert "Pemilik: belum ditetapkan" in judi

    # The same troubles the next day are not told again; a repaired site is marked cleared.
    sites.cleaned.add("judi")
    again = await office.register.watch()
    assert (again.new, again.cleared) == (0, 1)
    assert await _outbox(office) == queued
    still = {(f.label, f.kind) for f in await office.store.open_findings()}
    assert ("judi", "defacement") not in still and ("putus", "dangling_cname") in still
    _new, cleared = await office.store.findings_since(datetime(2000, 1, 1, tzinfo=UTC))
    assert [(f.label, f.kind) for f in cleared] == [("judi", "defacement")]
    assert cleared[0].cleared_at is not None


async def test_one_name_by_hand_and_the_weekly_summary_to_the_head(
        watch_office: Office, clock: Clock) -> None:
    office = watch_office
    await office.register.import_zone()
    one = await office.register.watch("judi." + ZONE)
    assert [r.label for r in one.reports] == ["judi"] and one.new == 1
    assert not await office.store.watch_done("daily", office.today().isoformat())

    clock.now = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)  # a Monday, 09:00 WITA
    assert await office.register.weekly_summary()
    assert not await office.register.weekly_summary()  # once a week
    summary = [t for c, t in await _outbox(office) if c == HEAD]
    assert len(summary) == 1
    assert summary[0].splitlines()[:2] == [
        f"📋 <b>Ringkasan pemantauan subdomain {ZONE}</b>", "Pekan 2026-W49"]
    assert "Temuan yang masih terbuka: 1" in summary[0]
    assert "– judi: Tanda defacement/judi online di halaman depan" in summary[0]


async def test_the_schedule_runs_once_a_day_at_the_set_time_weekends_too(
        watch_office: Office, clock: Clock) -> None:
    office = watch_office
    await office.register.import_zone()
    clock.now = datetime(2026, 12, 5, 21, 0, tzinfo=UTC)  # Sunday 6 December, 05:00 WITA
    schedule = WatchSchedule(office.register, clock_time(6, 0), max_sleep=86400)
    assert await schedule.round() == 3600.0  # until 06:00
    assert not await office.store.watch_done("daily", "2026-12-06")
    clock.now = datetime(2026, 12, 5, 22, 30, tzinfo=UTC)  # Sunday 06:30 WITA
    assert await schedule.round() == 23.5 * 3600  # the run; then until tomorrow 06:00
    assert await office.store.watch_done("daily", "2026-12-06")
    told = len(await _outbox(office))
    assert told > 0
    await schedule.round()  # the same day: not again
    assert len(await _outbox(office)) == told


async def test_a_run_settles_in_batches_and_one_killed_midway_runs_again_whole(
        watch_office: Office, watched_bind: BindServer,
        websites: tuple[Websites, CertAuthority], tmp_path: Path, clock: Clock) -> None:
    """The day's watch settles every SETTLE_BATCH names (in the register's order), each batch
    with its messages in one transaction: a run killed (SIGKILL) after its first batch keeps
    that batch's findings and messages and is not done; the next run goes over every name
    again and tells only what was not told yet, and keeps no report once settled."""
    office = watch_office
    sites, ca = websites
    await office.register.import_zone()
    missing = [f"hilang{i:03d}" for i in range(SETTLE_BATCH + 100)]  # not in the zone
    await office.store.import_names([ZoneName(label, (), None) for label in missing],
                                    now=office.clock())
    labels = [label async for label in office.store.iter_register_labels("active", page=64)]
    assert labels == sorted(labels) and len(labels) == len(set(labels)) == 18 + len(missing)

    env = {**os.environ, "PYTHONPATH": str(ROOT), crashpoints.ENV: "watch_settled:1",
           **settings_env(**watch_env(watched_bind, sites, ca),
                          DATABASE_PATH=str(tmp_path / "office.sqlite3"))}
    killed = await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "bot", "watch", "run"], cwd=tmp_path, env=env,
        capture_output=True, text=True, timeout=120)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert killed.stderr.endswith("crashpoint watch_settled request=None hit=1: SIGKILL\n")

    first = labels[:SETTLE_BATCH]
    troubled = {f.label for f in await office.store.open_findings()}
    assert set(missing[:SETTLE_BATCH - 4]) <= troubled <= set(first)  # 4 zone names first
    assert not await office.store.watch_done("daily", office.today().isoformat())
    told = await _outbox(office)
    prefix = "⚠️ <b>Pemantauan subdomain: "

    def named(texts: list[tuple[int, str]], chat: int) -> list[str]:
        return [t.splitlines()[0].removeprefix(prefix).split(".")[0] for c, t in texts
                if c == chat]
    assert named(told, STAFF) == named(told, GROUP) == sorted(troubled)

    outcome = await office.register.watch(keep_reports=False)
    assert outcome.reports == [] and outcome.checked == len(labels)
    assert (outcome.new, outcome.cleared) == (outcome.problems - len(troubled), 0)
    assert await office.store.watch_done("daily", office.today().isoformat())
    everything = await _outbox(office)
    assert everything[:len(told)] == told
    for chat in (STAFF, GROUP):  # each troubled name told once, in the register's order
        assert named(everything, chat) == [label for label in labels if label in {
            f.label for f in await office.store.open_findings()}]
    with sqlite3.connect(tmp_path / "office.sqlite3") as db:
        assert db.execute("SELECT checked, problems, started_at <= finished_at FROM watch_runs"
                          " WHERE kind = 'daily'").fetchall() == [
            (len(labels), outcome.problems, 1)]

    # The week's summary counts the hundreds of open findings and names the first 25.
    still = await office.store.open_findings()
    clock.now = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)  # the Monday after, 09:00 WITA
    assert await office.register.weekly_summary()
    [summary] = [t for c, t in await _outbox(office) if c == HEAD]
    lines = summary.splitlines()
    assert lines[3:7] == [f"Subdomain aktif yang dipantau: {len(labels)}",
                          f"Temuan baru pekan ini: {len(still)}",
                          "Temuan yang sudah pulih pekan ini: 0",
                          f"Temuan yang masih terbuka: {len(still)}"]
    kinds = Counter(f.kind for f in still)
    assert lines[8:8 + len(kinds)] == [f"• {kind_label(k)}: {n}" for k, n in sorted(kinds.items())]
    assert lines[9 + len(kinds):] == [
        *(f"– {f.label}: {kind_label(f.kind)}" for f in still[:25]),
        f"… dan {len(still) - 25} temuan lainnya."]


async def test_a_seen_problem_on_an_unchecked_name_stays_open(watch_office: Office) -> None:
    office = watch_office
    now = office.clock()
    await office.store.settle_watch(["a"], [Seen("a", "http_down", "d", "e")], now=now,
                                    messages=[])
    assert await office.store.settle_watch(["b"], [], now=now, messages=[]) == (0, 0)
    assert [f.label for f in await office.store.open_findings()] == ["a"]


def test_watch_run_by_hand_prints_a_table_and_exits_1_when_something_is_wrong(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path,
        watched_bind: BindServer, websites: tuple[Websites, CertAuthority]) -> None:
    sites, ca = websites
    env = settings_env(**watch_env(watched_bind, sites, ca),
                       DATABASE_PATH=str(tmp_path / "cli.sqlite3"))
    code, out, _ = cli(monkeypatch, capsys, env, "watch", "run")
    assert (code, out) == (0, "no active names in the register (register import reads the "
                              "zone)\n")
    assert cli(monkeypatch, capsys, env, "register", "import")[0] == 0

    code, out, err = cli(monkeypatch, capsys, env, "watch", "run", "--name", "situs")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].split() == ["NAME", "DNS", "ADDRESS", "HTTP", "HTTPS", "CERT", "RESULT"]
    assert lines[1].split()[:5] == ["situs", "ok", "127.0.0.1", "200", "200"]
    assert lines[1].split()[-1] == "ok"
    assert lines[-1] == "1 name(s) checked, 0 with problems (0 new finding(s), 0 cleared)"

    code, out, err = cli(monkeypatch, capsys, env, "watch", "run")
    assert code == 1 and err == ""
    rows = {ln.split()[0]: ln for ln in out.splitlines() if not ln.startswith(" ")}
    assert rows["putus"].endswith("dangling_cname")
    assert rows["salahnama"].endswith("tls_invalid")
    assert "not probed" in rows["publik"]
    assert out.splitlines()[-1] == ("18 name(s) checked, 6 with problems (7 new finding(s), "
                                    "0 cleared)")

    code, _, err = cli(monkeypatch, capsys, env, "watch", "run", "--name", "tidakada")
    assert code == EXIT_ERROR
    assert err == "error: tidakada is not an active name of the register\n"
