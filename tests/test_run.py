"""`python -m bot run` in a real subprocess against the Bot API emulator: long polling and
webhook, a /start answered, and a clean exit on SIGINT/SIGTERM with the token never logged."""

from __future__ import annotations

import asyncio
import io
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot import cli
from bot.runner import RunError, parse_listen, webhook_plan
from devtools.emulator import BotApiEmulator
from tests.support.emulator import free_port, running_emulator
from tests.support.office import BALANGAN

STOP_WITHIN = 8.0


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with running_emulator() as emulator:
        yield emulator


def bot_env(emu: BotApiEmulator, tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("BOT_TOKEN", "WEBHOOK_SECRET", "DATABASE_PATH", "DATA_DIR")}
    return {**env, **BALANGAN, "BOT_TOKEN": emu.token, "TELEGRAM_API_BASE_URL": emu.base_url,
            "DATABASE_PATH": str(tmp / "bot.sqlite3"), "DATA_DIR": str(tmp / "data"),
            "LOG_LEVEL": "DEBUG"}


async def start_bot(tmp: Path, env: dict[str, str], *args: str) -> asyncio.subprocess.Process:
    # cwd is the temp dir, so the repository's .env (if any) is not read.
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", *args, cwd=tmp, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)


async def stop_bot(proc: asyncio.subprocess.Process, sig: signal.Signals) -> tuple[int, str]:
    """Send `sig`; the process must exit by itself within STOP_WITHIN seconds."""
    proc.send_signal(sig)
    try:
        out, err = await asyncio.wait_for(proc.communicate(), STOP_WITHIN)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise AssertionError(f"bot did not stop within {STOP_WITHIN}s after {sig.name}") from None
    assert proc.returncode is not None
    return proc.returncode, (out + err).decode(errors="replace")


async def greeted(emu: BotApiEmulator, proc: asyncio.subprocess.Process) -> None:
    alice = emu.user(5001, "Alice")
    await alice.send_command("/start")
    try:
        reply = await alice.wait_for("Selamat datang", timeout=20)
    except TimeoutError:
        proc.kill()
        out, err = await proc.communicate()
        raise AssertionError(f"no /start reply; bot output:\n{(out + err).decode()[-3000:]}") \
            from None
    assert "Dinas Komunikasi dan Informatika Kabupaten Balangan" in reply.text


async def test_long_polling_answers_and_stops_on_sigint(emu: BotApiEmulator,
                                                        tmp_path: Path) -> None:
    proc = await start_bot(tmp_path, bot_env(emu, tmp_path))
    await greeted(emu, proc)
    assert emu.sent_count("setMyCommands") == 1, "post_init ran"
    assert emu.webhook_url is None
    code, output = await stop_bot(proc, signal.SIGINT)
    assert code == 0, output
    assert "starting: long polling" in output
    assert "OFFICE_EMBLEM_PATH is not set" in output  # the kop has no emblem yet
    assert emu.token not in output and emu.token.split(":")[1] not in output
    assert "Traceback" not in output
    assert (tmp_path / "bot.sqlite3").exists()


async def test_webhook_answers_and_stops_on_sigterm(emu: BotApiEmulator, tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"
    env = {**bot_env(emu, tmp_path), "WEBHOOK_SECRET": "rahasia_webhook-1"}
    proc = await start_bot(tmp_path, env, "--webhook", url, "--listen", f"127.0.0.1:{port}")
    await greeted(emu, proc)
    assert emu.webhook_url == url
    assert emu.webhook_secret == "rahasia_webhook-1"
    assert any(d.status == 200 for d in emu.webhook_deliveries)
    code, output = await stop_bot(proc, signal.SIGTERM)
    assert code == 0, output
    assert emu.token not in output and emu.token.split(":")[1] not in output
    assert "Traceback" not in output


async def test_wrong_token_is_one_line_without_the_token(emu: BotApiEmulator,
                                                         tmp_path: Path) -> None:
    env = {**bot_env(emu, tmp_path), "BOT_TOKEN": "999999:WRONG-secret-token"}
    proc = await start_bot(tmp_path, env)
    out, err = await asyncio.wait_for(proc.communicate(), 20)
    text = (out + err).decode()
    assert proc.returncode == 1, text
    assert "error: the Bot API refused BOT_TOKEN" in text
    assert "WRONG-secret-token" not in text


def test_no_token_says_how_to_set_it_and_exits_1(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    for name, value in BALANGAN.items():
        monkeypatch.setenv(name, value)
    out = io.StringIO()
    assert cli.main(["run"], out) == 1
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    assert "BOT_TOKEN" in lines[0] and "python -m bot demo" in lines[0]


TOKEN = "123456:TEST-token"


def test_webhook_plan_derives_path_and_secret_from_the_token() -> None:
    plan = webhook_plan("https://bot.balangankab.go.id", "127.0.0.2:8443", None, TOKEN)
    assert (plan.listen, plan.port) == ("127.0.0.2", 8443)
    assert len(plan.url_path) >= 20 and plan.webhook_url.endswith("/" + plan.url_path)
    assert len(plan.secret_token) >= 32 and TOKEN not in plan.secret_token
    # the same on every start (a restart never changes what Telegram was told) ...
    again = webhook_plan("https://bot.balangankab.go.id/", "8443", None, TOKEN)
    assert (again.url_path, again.secret_token) == (plan.url_path, plan.secret_token)
    # ... and another bot's differ
    other = webhook_plan("https://bot.balangankab.go.id/", "8443", None, "654321:OTHER-token")
    assert other.url_path != plan.url_path and other.secret_token != plan.secret_token

    fixed = webhook_plan("https://bot.balangankab.go.id/tg/hook", "[::1]:9000", "abc_DEF-1", TOKEN)
    assert (fixed.url_path, fixed.webhook_url) == ("tg/hook", "https://bot.balangankab.go.id/tg/hook")
    assert (fixed.listen, fixed.port, fixed.secret_token) == ("::1", 9000, "abc_DEF-1")


@pytest.mark.parametrize(("url", "listen", "secret", "says"), [
    ("ftp://x.example", "8443", None, "--webhook"),
    ("https://x.example/a?b=1", "8443", None, "query"),
    ("https://x.example/a", "host:port", None, "--listen"),
    ("https://x.example/a", "70000", None, "--listen"),
    ("https://x.example/a", "8443", "tidak boleh spasi", "WEBHOOK_SECRET"),
])
def test_webhook_plan_refuses_bad_input(url: str, listen: str, secret: str | None,
                                        says: str) -> None:
    with pytest.raises(RunError, match=says.replace("?", r"\?")):
        webhook_plan(url, listen, secret, TOKEN)


def test_parse_listen() -> None:
    assert parse_listen("127.0.0.1:8443") == ("127.0.0.1", 8443)
    assert parse_listen(":8080") == ("127.0.0.1", 8080)
    assert parse_listen("8080") == ("127.0.0.1", 8080)
