"""Storage and command-line errors: one line on stderr and a non-zero exit, never a traceback.

The command line runs in-process (`bot.cli.main`) on real SQLite files: real read-only
directories, paths under a file or /proc, and files corrupted byte by byte."""

from __future__ import annotations

import contextlib
import io
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import cli
from tests.support.bind import closed_port
from tests.support.office import settings_env

__all__ = ["closed_port"]


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        closed_port: tuple[str, int]) -> Path:
    """The test office's settings in the environment, its database in `tmp_path`, and DNS
    at a closed loopback port (a check never leaves the machine)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    values = settings_env(DATABASE_PATH=str(tmp_path / "office.sqlite3"),
                          DATA_DIR=str(tmp_path / "data"),
                          DNS_SERVERS=f"{closed_port[0]}:{closed_port[1]}", DNS_TIMEOUT="0.3")
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return tmp_path / "office.sqlite3"


def run(*args: str) -> tuple[int, str, str]:
    """`python -m bot ARGS` in-process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err):
        try:
            code = cli.main(list(args), out)
        except SystemExit as stop:  # argparse
            code = int(stop.code or 0)
    return code, out.getvalue(), err.getvalue()


def refused(*args: str, code: int = cli.EXIT_ERROR) -> str:
    """Run; assert exit `code` and exactly one line on stderr; return that line."""
    got, out, err = run(*args)
    assert got == code, (got, out, err)
    assert "Traceback" not in err + out
    assert err.count("\n") == 1 and err.endswith("\n"), err
    return err.strip()


def use_database(monkeypatch: pytest.MonkeyPatch, path: Path | str) -> None:
    monkeypatch.setenv("DATABASE_PATH", str(path))


# --- database paths ------------------------------------------------------------------------


@pytest.fixture
def read_only_dir(tmp_path: Path) -> Iterator[Path]:
    """A directory nobody may create files in, root included (chattr +i where chmod is not
    enough); the test fails if the system allows neither."""
    directory = tmp_path / "readonly"
    directory.mkdir()
    directory.chmod(0o555)
    immutable = False
    try:
        try:
            (directory / "probe").touch()
        except OSError:
            pass
        else:
            (directory / "probe").unlink()
            chattr = shutil.which("chattr")
            assert chattr, "running as root without chattr: no read-only directory possible"
            subprocess.run([chattr, "+i", str(directory)], check=True)
            immutable = True
            with pytest.raises(PermissionError):
                (directory / "probe").touch()
        yield directory
    finally:
        if immutable:
            subprocess.run([str(shutil.which("chattr")), "-i", str(directory)], check=True)
        directory.chmod(0o755)


def test_database_in_a_read_only_directory(env: Path, read_only_dir: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    use_database(monkeypatch, read_only_dir / "office.sqlite3")
    line = refused("agency", "list")
    assert line.startswith(f"error: cannot open the database {read_only_dir}/office.sqlite3")


@pytest.mark.parametrize(("where", "says"), [
    ("{tmp}", "is a directory"),
    ("{tmp}/file.txt/office.sqlite3", "which is a file, not a directory"),
    ("/proc/office.sqlite3", "cannot open the database /proc/office.sqlite3"),
    ("/proc/self/nothing/office.sqlite3", "cannot create the directory /proc/self/nothing"),
])
def test_unusable_database_paths(env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 where: str, says: str) -> None:
    (tmp_path / "file.txt").write_text("x")
    use_database(monkeypatch, where.format(tmp=tmp_path))
    assert says in refused("role", "list")


@pytest.mark.parametrize(("target", "says"), [
    ("/proc/backup.sqlite3", "cannot write the backup /proc/backup.sqlite3"),
    ("{tmp}/file.txt/backup.sqlite3", "which is a file, not a directory"),
    ("{tmp}/office.sqlite3", "already exists"),
])
def test_backup_to_a_path_that_cannot_be_written(env: Path, tmp_path: Path, target: str,
                                                 says: str) -> None:
    (tmp_path / "file.txt").write_text("x")
    assert run("agency", "add", "dinkes", "Dinas Kesehatan")[0] == 0
    assert says in refused("backup", target.format(tmp=tmp_path))


def test_backup_into_a_read_only_directory(env: Path, read_only_dir: Path) -> None:
    assert run("agency", "add", "dinkes", "Dinas Kesehatan")[0] == 0
    assert "cannot write the backup" in refused("backup", str(read_only_dir / "b.sqlite3"))


# --- corrupted files -----------------------------------------------------------------------


def _filled(env: Path) -> None:
    for i in range(40):
        assert run("agency", "add", f"a{i}", f"Agency number {i} with a longer name")[0] == 0
    with contextlib.closing(sqlite3.connect(env)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _page_of(db: Path, name: str) -> int:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return int(conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?",
                                (name,)).fetchone()[0])


def _rotate_letters(db: Path, page: int, size: int = 4096) -> None:
    """Change the keys stored at the end of `page` (same lengths, other letters)."""
    data = bytearray(db.read_bytes())
    start = page * size - 600
    for i in range(start, page * size):
        if 97 <= data[i] <= 122:
            data[i] = 97 + (data[i] - 97 + 7) % 26
    db.write_bytes(bytes(data))


def test_db_check_lists_index_damage(env: Path) -> None:
    _filled(env)
    _rotate_letters(env, _page_of(env, "sqlite_autoindex_agencies_1"))
    code, out, err = run("db", "check")
    assert code == 1
    assert "problem: row 1 missing from index sqlite_autoindex_agencies_1" in out
    assert err.startswith("error: database check found") and err.count("\n") == 1


@pytest.mark.parametrize(("offset", "data", "says"), [
    (0, b"garbage!" * 16, "file is not a database"),  # the header
    (4096, bytes(8192), "database disk image is malformed"),  # pages 2-3 zeroed
])
def test_db_check_on_a_file_sqlite_cannot_check(env: Path, offset: int, data: bytes,
                                                says: str) -> None:
    _filled(env)
    with env.open("r+b") as f:
        f.seek(offset)
        f.write(data)
    code, out, err = run("db", "check")
    assert code == 1, (out, err)
    assert f"problem: integrity_check could not run: {says}" in out
    assert err.count("\n") == 1 and "Traceback" not in out + err
    if offset == 0:  # every other command: one line, pointing at db check
        assert "python -m bot db check" in refused("agency", "list")


def test_db_check_without_a_database_file(env: Path) -> None:
    code, out, _ = run("db", "check")
    assert code == 1 and f"problem: no database file at {env}" in out
    assert not env.exists()  # checking never creates the file


def test_db_check_of_a_healthy_file(env: Path) -> None:
    _filled(env)
    code, out, err = run("db", "check")
    assert (code, err) == (0, "") and out.startswith(f"ok: {env} (schema version ")


# --- role set and agency add ---------------------------------------------------------------


@pytest.mark.parametrize(("args", "says"), [
    (["role", "set", "admin", "99999999999999999999999", "--name", "X"], "telegram_user_id"),
    (["role", "set", "admin", "18446744073709551616", "--name", "X"], "telegram_user_id"),
    (["role", "set", "admin", "\u0661\u0662\u0663", "--name", "X"], "telegram_user_id"),
    (["role", "set", "admin", "0", "--name", "X"], "telegram_user_id"),
    (["role", "set", "kepala_dinas", "7", "--name", "X", "--nip", "\u0661" * 18], "--nip"),
    (["role", "set", "kepala_dinas", "7", "--name", "X", "--nip", "1" * 17], "--nip"),
    (["role", "set", "kepala_dinas", "7", "--name", "X", "--from", "2026-13-01"], "--from"),
    (["bogus"], "invalid choice"),
    (["role"], "required"),
])
def test_usage_errors_exit_64(env: Path, args: list[str], says: str) -> None:
    line = refused(*args, code=cli.EXIT_USAGE)
    assert says in line and len(line) < 400


@pytest.mark.parametrize(("name", "says"), [
    ("   ", "a name is needed"),
    ("a" * 100_000, "100000 characters long; at most 200"),
    ("Budi\nSantoso", "control characters"),
])
def test_role_set_refuses_bad_names(env: Path, name: str, says: str) -> None:
    line = refused("role", "set", "admin", "500", "--name", name)
    assert says in line and len(line) < 400
    assert "no positions registered yet" in run("role", "list")[1]


def test_an_acting_period_wholly_in_the_past_is_refused(env: Path) -> None:
    start, end = date.today() - timedelta(days=60), date.today() - timedelta(days=30)
    assert "end date has passed" in refused(
        "role", "set", "kabid", "700", "--name", "Pejabat Plh", "--acting", "plh",
        "--from", start.isoformat(), "--until", end.isoformat())


def test_role_set_never_silently_renames_a_person(env: Path) -> None:
    assert run("role", "set", "admin", "500", "--name", "Ani")[0] == 0
    line = refused("role", "set", "kasi", "500", "--name", "Ani Lain")
    assert "registered as 'Ani'" in line and "--rename" in line
    assert "Ani Lain" not in run("role", "list")[1]
    assert run("role", "set", "kasi", "500", "--name", "Ani")[0] == 0  # same name: fine
    code, out, _ = run("role", "set", "kasi", "500", "--name", "Ani Lain", "--rename")
    assert code == 0 and "Ani Lain" in out


@pytest.mark.parametrize(("code", "name", "says"), [
    ("", "Dinas Kesehatan", "agency code must not be empty"),
    ("   ", "Dinas Kesehatan", "agency code must not be empty"),
    ("dinkes", "", "agency name must not be empty"),
    ("dinkes", "x" * 5000, "at most 200"),
])
def test_agency_add_refuses_empty_entries(env: Path, code: str, name: str, says: str) -> None:
    assert says in refused("agency", "add", code, name)
    assert run("agency", "list")[1] == ""


def test_check_json_does_not_echo_a_huge_input(env: Path) -> None:
    code, out, err = run("check", "a" * 100_000, "--json")
    assert code == 2 and err == ""
    assert len(out) < 1000 and '"reason": "too_long"' in out


# --- arbitrary text ------------------------------------------------------------------------

words = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["role", "set", "invite", "list", "remove", "agency", "add", "request",
                     "show", "backup", "db", "check", "letter", "verify", "record", "workflow",
                     "admin", "kasi", "kepala_dinas", "--name", "--nip", "--acting", "plt",
                     "--until", "--from", "--rename", "--json", "--server", "--state",
                     "--contact", "--month", "2026-13", "0", "-1", "١٢٣", "9" * 30,
                     "2020-01-01", "\n", ""]),
)


@given(st.lists(words, min_size=1, max_size=7))
@settings(max_examples=250, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_any_command_line_fails_in_one_line(env: Path, argv: list[str]) -> None:
    if argv[0] in ("run", "init", "demo", "report") or "-h" in argv or "--help" in argv:
        return  # long-running, interactive, or help text (not an error)
    if argv[0] == "check":
        return  # `check` answers on stdout with its own exit codes (tested above)
    code, out, err = run(*argv)
    assert "Traceback" not in out + err
    if code != 0:
        assert code in (cli.EXIT_ERROR, cli.EXIT_USAGE), (code, argv, err)
        assert err.count("\n") == 1 and err.endswith("\n"), (argv, err)
        assert len(err) < 700, argv


def test_an_invite_with_a_bad_name_is_refused_when_made(env: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_USERNAME", "subdomain_bot")
    assert "control characters" in refused("role", "invite", "kasi", "--name", "Budi\nSantoso")
    assert "must not be empty" in refused("role", "invite", "kasi", "--name", " ")


setting_names = st.sampled_from([
    "DNS_TIMEOUT", "DNS_SERVERS", "DNS_TTL", "LETTER_NUMBER_PATTERN", "TSIG_SECRET",
    "TSIG_ALGORITHM", "OFFICE_EMBLEM_PATH", "OFFICE_HOURS", "TIMEZONE", "PARENT_DOMAIN",
    "GROUP_CHAT_ID", "STANDARD_TIMES", "EXTRA_HOLIDAYS", "DATABASE_PATH", "BOT_TOKEN"])


@given(setting_names, st.text(max_size=40))
@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_any_setting_value_stops_the_cli_in_one_line(env: Path, name: str, value: str) -> None:
    with pytest.MonkeyPatch.context() as patch:
        if "\x00" in value:
            return  # the environment itself cannot hold a NUL
        patch.setenv(name, value)
        code, out, err = run("role", "list")
    assert "Traceback" not in out + err
    if code != 0:
        assert code == cli.EXIT_ERROR, (name, value, err)
        assert err.count("\n") == 1 and err.startswith("error: "), (name, value, err)
