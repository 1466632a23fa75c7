"""The register: every name of the zone (AXFR with TSIG from the real BIND, or a zone file),
owners assigned by an admin, listed as a table or CSV; bad input answers in one line."""

from __future__ import annotations

import asyncio
import csv
import io
import sqlite3
from pathlib import Path

import pytest

from bot.cli import EXIT_ERROR, EXIT_USAGE, main
from bot.service import Office
from bot.workflow import Action
from domains.transfer import ZoneUnreadable, transfer_zone
from storage.db import migrations
from storage.store import Store
from tests.support.bind import OTHER_KEY_NAME, ZONE, ZONE_TEXT, BindServer, bind

__all__ = ["bind"]
from tests.support.office import KABID, STAFF, act, drive_to_decision, settings_env, submit

ZONE_NAMES = ["besar", "catatan", "dinkes", "mail", "ns1", "portal", "putus", "sub", "x.y"]


def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        env: dict[str, str], *argv: str) -> tuple[int, str, str]:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    out = io.StringIO()
    try:
        code = main(list(argv), out)
    except SystemExit as stop:
        code = int(stop.code or 0)
    return code, out.getvalue(), capsys.readouterr().err


@pytest.fixture
def env(tmp_path: Path, bind: BindServer) -> dict[str, str]:
    return settings_env(**bind.env(), DATABASE_PATH=str(tmp_path / "office.sqlite3"),
                        DATA_DIR=str(tmp_path / "data"))


def test_import_by_axfr_registers_every_name_without_owner_then_assign_and_list(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        env: dict[str, str]) -> None:
    code, out, err = cli(monkeypatch, capsys, env, "register", "import")
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == f"imported {len(ZONE_NAMES)} name(s), 0 changed"
    assert f"{len(ZONE_NAMES)} name(s) without an owner (register assign NAME AGENCY):" in out
    assert [ln.strip() for ln in out.splitlines()[2:]] == ZONE_NAMES

    assert cli(monkeypatch, capsys, env, "agency", "add", "dinkes", "Dinas Kesehatan")[0] == 0
    code, out, err = cli(monkeypatch, capsys, env, "register", "assign",
                         f"dinkes.{ZONE}", "DINKES", "--purpose", "Portal kesehatan",
                         "--admin", "Ahmad 0812", "--tech", "Budi 0813")
    assert (code, out, err) == (0, "dinkes: dinkes (Dinas Kesehatan)\n", "")

    code, out, _ = cli(monkeypatch, capsys, env, "register", "list")
    rows = {ln.split()[0]: ln.split() for ln in out.splitlines()}
    assert sorted(rows) == ZONE_NAMES
    assert rows["dinkes"] == ["dinkes", "active", "imported", "dinkes", "A", "10.0.0.5"]
    assert rows["putus"][:4] == ["putus", "active", "imported", "(no"]
    assert " ".join(rows["putus"][5:]) == f"CNAME tidak-ada.{ZONE}."

    code, out, _ = cli(monkeypatch, capsys, env, "register", "list", "--csv")
    table = list(csv.DictReader(io.StringIO(out)))
    dinkes = next(r for r in table if r["name"] == "dinkes")
    assert (dinkes["agency"], dinkes["purpose"], dinkes["admin_contact"],
            dinkes["tech_contact"], dinkes["origin"], dinkes["status"]) == (
        "dinkes", "Portal kesehatan", "Ahmad 0812", "Budi 0813", "imported", "active")
    assert dinkes["created"] and dinkes["confirmed"] and not dinkes["changed"]

    code, out, _ = cli(monkeypatch, capsys, env, "register", "list", "--unowned")
    assert "dinkes" not in out.split() and "putus" in out.split()

    # A second import adds nothing; the names the zone holds are all registered.
    code, out, _ = cli(monkeypatch, capsys, env, "register", "import")
    assert out.splitlines()[0] == "imported 0 name(s), 0 changed"


def test_import_from_a_zone_file_and_a_file_that_does_not_parse(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        env: dict[str, str], tmp_path: Path) -> None:
    good = tmp_path / "good.zone"
    good.write_text(ZONE_TEXT + "baru IN A 10.9.9.9\n")
    code, out, err = cli(monkeypatch, capsys, env, "register", "import", "--zone-file", str(good))
    assert (code, err) == (0, "")
    assert out.startswith(f"imported {len(ZONE_NAMES) + 1} name(s)")

    bad = tmp_path / "bad.zone"
    bad.write_text(ZONE_TEXT + "rusak IN A bukan-alamat\n")
    code, out, err = cli(monkeypatch, capsys, env, "register", "import", "--zone-file", str(bad))
    assert code == EXIT_ERROR and out == ""
    assert err.startswith(f"error: {bad} is not a zone file for {ZONE}:")
    assert err.count("\n") == 1


def test_refused_transfer_and_unknown_names_answer_in_one_line(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        env: dict[str, str], bind: BindServer) -> None:
    with pytest.raises(ZoneUnreadable, match="refused"):
        asyncio.run(transfer_zone(bind.config(tsig_key_name=OTHER_KEY_NAME,
                                              tsig_secret=bind.other_key_secret)))
    unsigned = {**env, "DNS_PROVIDER": "manual", "TSIG_KEY_NAME": "", "TSIG_SECRET": ""}
    for key in ("TSIG_KEY_NAME", "TSIG_SECRET"):
        monkeypatch.delenv(key, raising=False)
    code, _, err = cli(monkeypatch, capsys, {k: v for k, v in unsigned.items() if v},
                         "register", "import")
    assert code == EXIT_ERROR
    assert err.startswith(f"error: zone transfer of {ZONE} from 127.0.0.1:{bind.port} refused")
    assert err.count("\n") == 1

    code, _, err = cli(monkeypatch, capsys, env, "register", "assign", "tidakada", "dinkes")
    assert code == EXIT_ERROR and err == "error: no agency with code 'dinkes' (agency list " \
                                         "shows them)\n"
    cli(monkeypatch, capsys, env, "agency", "add", "dinkes", "Dinas Kesehatan")
    code, _, err = cli(monkeypatch, capsys, env, "register", "assign", "tidakada", "dinkes")
    assert err == "error: tidakada is not in the register (register import reads the zone)\n"
    code, _, err = cli(monkeypatch, capsys, env, "register", "list", "--status", "hilang")
    assert code == EXIT_USAGE
    code, _, err = cli(monkeypatch, capsys, env, "register")
    assert code == EXIT_USAGE


async def test_a_name_the_bot_creates_enters_the_register_with_its_request_facts(
        office: Office, bind_rw: BindServer) -> None:
    r = await drive_to_decision(office, await submit(office))
    r = await act(office, KABID, r, Action.APPROVE)
    r = await act(office, STAFF, r, Action.CONFIRM_CREATED, details={"by": "test"})
    created = await office.register.names()
    assert [(e.label, e.origin, e.status, e.agency_code, e.purpose, e.admin_contact, e.target)
            for e in created] == [("layanan", "created", "active", "dinkes",
                                   "Portal layanan kesehatan", "Ahmad", "A 203.0.113.10")]
    assert created[0].confirmed_at == created[0].created_at

    # Importing the zone then adds the names from before the bot, not the created one again;
    # `record list` (what the bot created) still shows only its own.
    outcome = await office.register.import_zone()
    assert "layanan" not in outcome.imported.added and "dinkes" in outcome.imported.added
    assert [label for label, _ in await office.created_records()] == ["layanan"]

    await office.remove_record("layanan")
    assert [e.status for e in await office.register.names("removed")] == ["removed"]
    assert "layanan" not in [e.label for e in await office.register.names()]


async def test_an_existing_register_upgrades_with_owner_purpose_and_status(
        tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    raw = sqlite3.connect(path)
    try:
        names = [name for _version, name, _sql in migrations()]
        before = migrations()[:names.index("0010_register_and_watch.sql")]
        for _version, _name, sql in before:
            raw.executescript(sql)
        raw.execute(f"PRAGMA user_version = {before[-1][0]}")
        now = "2026-01-05T01:00:00.000000+00:00"
        raw.execute("INSERT INTO people (id, telegram_user_id, name, created_at) "
                    "VALUES (1, 201, 'Ahmad', ?)", (now,))
        raw.execute("INSERT INTO agencies (id, code, name) VALUES (1, 'dinkes', 'Dinkes')")
        raw.executemany(
            """INSERT INTO requests (id, number, year, seq, agency_id, requester_id, subdomain,
                   purpose, target_kind, target_value, contact_name, letter_number,
                   letter_date, state, state_since, created_at, updated_at)
               VALUES (?, ?, 2026, ?, 1, 1, ?, ?, 'ip', '10.1.1.1', 'Ahmad', '1/2026',
                       '2026-01-02', 'done', ?, ?, ?)""",
            [(1, "SD-2026-0001", 1, "lama", "Portal lama", now, now, now),
             (2, "SD-2026-0002", 2, "hapus", "Dihapus", now, now, now)])
        raw.executemany(
            """INSERT INTO subdomains (label, request_id, records, created_at, removed_at)
               VALUES (?, ?, ?, ?, ?)""",
            [("lama", 1, '[["lama.x", "A", "10.1.1.1", 300]]', now, None),
             ("hapus", 2, '[["hapus.x", "A", "10.1.1.2", 300]]', now, now)])
        raw.commit()
    finally:
        raw.close()
    store = await Store.open(path)
    try:
        live = await store.register()
        assert [(e.label, e.status, e.origin, e.agency_code, e.purpose, e.admin_contact,
                 e.target) for e in live] == [
            ("lama", "active", "created", "dinkes", "Portal lama", "Ahmad", "A 10.1.1.1")]
        assert live[0].confirmed_at == live[0].created_at
        assert [e.label for e in await store.register("removed")] == ["hapus"]
        assert await store.db.integrity_check() == []
    finally:
        await store.close()
