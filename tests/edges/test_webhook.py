"""`run --webhook` in its own process against the Bot API emulator, probed from outside: a
second instance on a taken port, hostile requests, and what reaches the log."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.runner import derived
from devtools.emulator import BotApiEmulator
from tests.support.emulator import free_port, running_emulator
from tests.test_run import bot_env, greeted, start_bot, stop_bot

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with running_emulator() as emulator:
        yield emulator


def webhook_env(emu: BotApiEmulator, tmp: Path) -> dict[str, str]:
    return {**bot_env(emu, tmp), "WEBHOOK_SECRET": ""}  # empty: the secret is derived


async def test_a_second_instance_on_a_taken_port_registers_nothing(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"
    env = webhook_env(emu, tmp_path)
    first = await start_bot(tmp_path, env, "--webhook", url, "--listen", f"127.0.0.1:{port}")
    await greeted(emu, first)
    secret = emu.webhook_secret
    assert secret == derived(emu.token, "secret")
    registered = emu.sent_count("setWebhook")

    second_dir = tmp_path / "second"
    second_dir.mkdir()
    second = await start_bot(second_dir, {**env, "DATABASE_PATH": str(second_dir / "b.sqlite3")},
                             "--webhook", url, "--listen", f"127.0.0.1:{port}")
    out, err = await asyncio.wait_for(second.communicate(), 30)
    text = (out + err).decode()
    assert second.returncode == 1, text
    assert f"error: cannot listen on 127.0.0.1:{port}: Address already in use" in text
    assert "Traceback" not in text
    assert emu.sent_count("setWebhook") == registered, "the second instance told Telegram"
    assert (emu.webhook_url, emu.webhook_secret) == (url, secret)

    # the first bot still hears its users
    bob = emu.user(5002, "Bob")
    await bob.send_command("/start")
    assert "Selamat datang" in (await bob.wait_for("Selamat datang", timeout=20)).text
    code, output = await stop_bot(first, signal.SIGTERM)
    assert code == 0, output
    assert secret not in output and emu.token not in output


async def test_hostile_requests_get_status_codes_and_nothing_leaks_to_the_log(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"
    proc = await start_bot(tmp_path, webhook_env(emu, tmp_path), "--webhook", url,
                           "--listen", f"127.0.0.1:{port}")
    await greeted(emu, proc)
    secret = emu.webhook_secret
    assert secret
    good = {SECRET_HEADER: secret, "Content-Type": "application/json"}
    async with aiohttp.ClientSession() as http:
        async def post(body: bytes, headers: dict[str, str]) -> int:
            async with http.post(url, data=body, headers=headers) as response:
                return response.status

        assert await post(b'{"update_id": 1}', {SECRET_HEADER: "wrong"}) == 403
        assert await post(b'{"update_id": 1}', {}) == 403
        assert await post(b"{not json", good) == 400
        assert await post(b"[1, 2, 3]", good) == 400
        assert await post(b'{"update_id": "x", "message": 5}', good) == 400
        assert await post(b"\xff\xfe", good) == 400
        # over MAX_BODY: refused before it is read (tornado answers 400)
        assert await post(b"{" + b" " * (2 << 20) + b"}", good) == 400

    # a long message from a real user: answered, and its body not logged in full
    marker = "PANJANG" + "x" * 3000
    carol = emu.user(5003, "Carol")
    await carol.send_command("/start")
    await carol.wait_for("Selamat datang", timeout=20)
    await carol.send_text(marker)
    await asyncio.sleep(1.0)
    code, output = await stop_bot(proc, signal.SIGTERM)
    assert code == 0, output
    assert "Traceback" not in output
    assert "malformed update refused" in output
    assert secret not in output and emu.token not in output
    assert marker[:1500] not in output
    assert all(len(line) < 1500 for line in output.splitlines())
