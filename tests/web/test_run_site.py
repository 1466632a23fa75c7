"""`python -m bot run` serves the public pages itself: on WEB_LISTEN beside long polling, and
on the webhook's own server when WEB_LISTEN is the webhook's address."""

from __future__ import annotations

import asyncio
import http.client
import signal
from pathlib import Path

from devtools.emulator import BotApiEmulator
from tests.support.emulator import free_port
from tests.test_run import bot_env, emu, greeted, start_bot, stop_bot
from tests.web.test_http import multipart

__all__ = ["emu"]


def get(port: int, path: str, body: bytes | None = None,
        headers: dict[str, str] | None = None) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        conn.request("POST" if body else "GET", path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


async def test_long_polling_serves_the_pages_on_web_listen(emu: BotApiEmulator,
                                                           tmp_path: Path) -> None:
    port = free_port()
    env = {**bot_env(emu, tmp_path), "WEB_LISTEN": f"127.0.0.1:{port}"}
    proc = await start_bot(tmp_path, env)
    await greeted(emu, proc)
    status, page = await asyncio.to_thread(get, port, "/subdomain")
    assert status == 200 and "Subdomain resmi balangankab.go.id" in page
    assert "DINAS KOMUNIKASI DAN INFORMATIKA" in page
    code, output = await stop_bot(proc, signal.SIGINT)
    assert code == 0, output
    assert f"public pages on http://127.0.0.1:{port}/" in output
    assert "GET /subdomain 200" in output and "127.0.0.0/24" in output
    assert "WEB_LISTEN is set but LETTER_VERIFY_URL is not" in output
    assert "Traceback" not in output


async def test_the_webhooks_server_serves_the_pages_too(emu: BotApiEmulator,
                                                        tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"
    env = {**bot_env(emu, tmp_path), "WEBHOOK_SECRET": "rahasia_webhook-1",
           "WEB_LISTEN": f"127.0.0.1:{port}",
           "LETTER_VERIFY_URL": "https://layanan.balangankab.go.id/verifikasi"}
    proc = await start_bot(tmp_path, env, "--webhook", url, "--listen", f"127.0.0.1:{port}")
    await greeted(emu, proc)  # updates still arrive on the same port
    status, page = await asyncio.to_thread(get, port, "/mutu-baku")
    assert status == 200 and "Mutu Baku layanan subdomain" in page
    status, page = await asyncio.to_thread(get, port, "/verifikasi/AAAAAAAAAAAAAAAA")
    assert status == 404 and "Surat tidak ditemukan" in page
    # an upload larger than the webhook's own 1 MiB body limit still reaches the pages
    body, headers = multipart(b"\x89PNG" + b"0" * (2 * 2**20))
    status, page = await asyncio.to_thread(get, port, "/verifikasi/AAAAAAAAAAAAAAAA", body,
                                           headers)
    assert status == 404 and "Surat tidak ditemukan" in page
    code, output = await stop_bot(proc, signal.SIGTERM)
    assert code == 0, output
    assert "public pages on the webhook's server" in output
    assert "LETTER_VERIFY_URL" not in output  # it points at /verifikasi: no warning
    assert "Traceback" not in output


async def test_a_taken_web_port_stops_the_start_in_one_line(emu: BotApiEmulator,
                                                            tmp_path: Path) -> None:
    port = free_port()
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", port)
    try:
        env = {**bot_env(emu, tmp_path), "WEB_LISTEN": f"127.0.0.1:{port}"}
        proc = await start_bot(tmp_path, env)
        out, err = await asyncio.wait_for(proc.communicate(), 30)
    finally:
        server.close()
        await server.wait_closed()
    assert proc.returncode == 1
    assert f"error: WEB_LISTEN: cannot listen on 127.0.0.1:{port}" in err.decode()
    assert "Traceback" not in (out + err).decode()
    assert emu.sent_count("getUpdates") == 0
