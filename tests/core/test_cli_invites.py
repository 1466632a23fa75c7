"""`role invite` and `agency invite` as real subprocesses: the link, the QR code PNG, and the
bot's username from getMe (at the emulator) or from BOT_USERNAME."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path

import segno
from PIL import Image

from bot.service import Office
from bot.workflow import Role
from tests.support.emulator import running_emulator
from tests.support.office import BALANGAN, Clock, open_office

ROOT = Path(__file__).resolve().parents[2]
LINK = re.compile(r"^https://t\.me/(\w+)\?start=([A-Za-z0-9_-]{32})$", re.MULTILINE)
SCALE, BORDER = 8, 4  # as bot.invite_links writes them


def env_for(tmp: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("BOT_TOKEN", "BOT_USERNAME", "TELEGRAM_API_BASE_URL")}
    return {**env, **BALANGAN, "DATABASE_PATH": str(tmp / "office.sqlite3"),
            "DATA_DIR": str(tmp / "data"),
            "PYTHONPATH": str(ROOT), **extra}


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60, check=False)


def qr_matrix(path: Path) -> list[list[bool]]:
    """The dark modules of the PNG, sampled at each module's centre."""
    with Image.open(path) as image:
        gray = image.convert("L")
        size = gray.width // SCALE - 2 * BORDER
        return [[gray.getpixel(((BORDER + x) * SCALE + SCALE // 2,
                                (BORDER + y) * SCALE + SCALE // 2)) == 0
                 for x in range(size)] for y in range(size)]


def assert_qr_holds(path: Path, link: str) -> None:
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert path.stat().st_mode & 0o077 == 0, "the picture is the invite: owner only"
    expected = [[bool(v) for v in row] for row in segno.make(link, error="m").matrix]
    assert qr_matrix(path) == expected


async def redeem(tmp: Path, code: str, telegram_user_id: int) -> Office:
    office = await open_office(tmp / "office.sqlite3", Clock(),
                               DATA_DIR=str(tmp / "data"))
    await office.redeem_invite(telegram_user_id, code)
    return office


async def test_role_invite_with_bot_username(tmp_path: Path) -> None:
    env = env_for(tmp_path, BOT_USERNAME="@kominfo_uji_bot")
    done = cli(env, "role", "invite", "kasi", "--name", "Budi Santoso, S.T",
               "--nip", "198501012010011003")
    assert done.returncode == 0, done.stderr
    [(username, code)] = LINK.findall(done.stdout)
    assert username == "kominfo_uji_bot"
    assert "invite for Kepala Seksi Pengembangan Aplikasi Pemerintahan: Budi Santoso" \
        in done.stdout
    qr = Path(done.stdout.split("QR code: ")[1].strip())
    assert qr.parent == tmp_path / "data" / "invites"
    assert_qr_holds(qr, f"https://t.me/{username}?start={code}")

    office = await redeem(tmp_path, code, 777)
    try:
        [holder] = await office.store.position_holders(Role.KASI)
        assert (holder.person.telegram_user_id, holder.person.name, holder.person.nip) == (
            777, "Budi Santoso, S.T", "198501012010011003")
    finally:
        await office.store.close()


async def test_agency_invite_asks_getme_at_the_configured_server(tmp_path: Path) -> None:
    async with running_emulator(bot_username="kominfo_contoh_bot") as emu:
        env = env_for(tmp_path, BOT_TOKEN=emu.token, TELEGRAM_API_BASE_URL=emu.base_url)
        added = cli(env, "agency", "add", "dinkes", "Dinas Kesehatan")
        assert added.returncode == 0, added.stderr
        qr = tmp_path / "kartu" / "dinkes.png"
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "agency", "invite", "dinkes", "--name", "Ahmad",
            "--qr", str(qr), cwd=ROOT, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await asyncio.wait_for(process.communicate(), 60)
        assert process.returncode == 0, err.decode()
        assert [c.method for c in emu.calls if c.ok] == ["getMe"]
    stdout = out.decode()
    [(username, code)] = LINK.findall(stdout)
    assert username == "kominfo_contoh_bot"
    assert f"QR code: {qr}" in stdout
    assert_qr_holds(qr, f"https://t.me/{username}?start={code}")
    assert emu.token.split(":")[1] not in stdout + err.decode()

    office = await redeem(tmp_path, code, 888)
    try:
        agency = await office.store.agency_by_code("dinkes")
        assert [p.telegram_user_id for p in await office.store.agency_contacts(agency.id)] == [
            888]
    finally:
        await office.store.close()


async def test_bad_invites_get_one_line_and_store_nothing(tmp_path: Path) -> None:
    async with running_emulator() as emu:
        wrong = env_for(tmp_path, BOT_TOKEN="123456:not-the-token",
                        TELEGRAM_API_BASE_URL=emu.base_url)
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "role", "invite", "kabid", "--name", "X",
            cwd=ROOT, env=wrong, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        _out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 1
    assert err.decode() == "error: BOT_TOKEN: Telegram does not accept this token\n"

    named = env_for(tmp_path, BOT_USERNAME="kominfo_uji_bot")
    cases = [
        (env_for(tmp_path), ("role", "invite", "kabid", "--name", "X"), "no bot username"),
        (named, ("agency", "invite", "nope", "--name", "X"), "no agency with code nope"),
        (named, ("role", "invite", "kabid", "--name", "X", "--acting", "plt"),
         "--acting needs --until"),
        (named, ("role", "invite", "kabid", "--name", "X", "--acting", "plt",
                 "--until", "2020-01-31"), "the end date has passed"),
        (named, ("role", "invite", "bupati", "--name", "X"), "unknown position 'bupati'"),
    ]
    for env, args, message in cases:
        done = cli(env, *args)
        assert done.returncode != 0, args
        assert message in done.stderr, (args, done.stderr)
        assert len(done.stderr.strip().splitlines()) == 1
        assert "https://t.me" not in done.stdout
    office = await open_office(tmp_path / "office.sqlite3", Clock())
    try:
        assert await office.invites.all() == []
    finally:
        await office.store.close()
    assert not (tmp_path / "data" / "invites").exists()
