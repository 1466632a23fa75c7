"""`python -m bot init` in a subprocess fed on stdin, against a real BIND 9 and the Bot API
emulator: every bad value is refused in one line and asked again, EOF leaves nothing behind,
and the first admin's link works in the chat of a bot started from the written `.env`."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from dataclasses import replace
from pathlib import Path

from dotenv import dotenv_values

from bot.settings import Settings
from bot.workflow import Role
from devtools.localbind import BindServer, free_port
from tests.support.botrun import running_office_bot
from tests.support.emulator import running_emulator
from tests.support.office import Clock

ROOT = Path(__file__).resolve().parents[2]
UNITS = {"subdomain-bot.service", "subdomain-bot-backup.service", "subdomain-bot-backup.timer"}
ADMIN_ID = 4242


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


async def init(cwd: Path, answers: list[str], *args: str,
               **env: str) -> tuple[int, str, str]:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "init", *args, cwd=cwd,
        env={**keep, "PYTHONPATH": str(ROOT), **env},
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE)
    given = "".join(f"{line}\n" for line in answers).encode()
    out, err = await asyncio.wait_for(process.communicate(given), 120)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def office_answers(bind: BindServer) -> list[str]:
    server = f"{bind.host}:{bind.port}"
    return [
        "PEMERINTAH KABUPATEN CONTOH",       # government
        "",                                  # office name: the default
        "Jl. Merdeka No. 1, Kota Contoh",    # address
        "0274-123456",                       # phone
        "diskominfo.contoh.go.id",           # website
        "diskominfo@contoh.go.id",           # e-mail
        "Kota Contoh",                       # place
        "Diskominfo-Cth",                    # unit code
        "bukan domain",                      # parent domain: refused
        bind.zone,                           # ... asked again
        "Asia/Atlantis",                     # time zone: refused
        "Asia/Jakarta",
        "senin 25:00-26:00",                 # office hours: refused
        "mon-fri 08:00-16:00",
        f"127.0.0.1:{free_port()}",          # a DNS server where nothing answers: refused
        server,
        server,                              # primary
        "kunci-lain",                        # a key the primary does not know ...
        "",                                  # algorithm: the default
        "bukan base64!",                     # secret: refused (syntax)
        bind.key_secret,                     # ... then the primary says BADKEY: key again
        bind.key_name,
        "hmac-md7",                          # algorithm: refused
        bind.key_algorithm,
        bind.other_key_secret,               # the wrong secret: bad signature
        bind.key_secret,
        "-1001234567890",                    # group chat
    ]


async def test_init_asks_again_writes_everything_and_the_admin_link_works(
        tmp_path: Path, bind_rw: BindServer) -> None:
    async with running_emulator(bot_username="kominfo_contoh_bot") as emu:
        answers = [*office_answers(bind_rw),
                   "123456:bukan-tokennya",            # Telegram refuses this token
                   emu.token,
                   "Admin Kominfo"]
        code, out, err = await init(tmp_path, answers, TELEGRAM_API_BASE_URL=emu.base_url)
        assert code == 0, err + out
        errors = [line for line in out.splitlines() if "error: " in line]
        assert len(errors) == 9, errors
        for expected in ("PARENT_DOMAIN:", "TIMEZONE:", "OFFICE_HOURS:",
                         "does not answer with authority for balangankab.go.id",
                         "does not know key 'kunci-lain'", "TSIG_SECRET: not base64",
                         "TSIG_ALGORITHM:", "rejects this secret",
                         "BOT_TOKEN: Telegram does not accept this token"):
            assert any(expected in line for line in errors), expected
        assert out.count("Time zone (") == 2 and out.count("TSIG key name") == 2
        assert bind_rw.key_secret not in out + err and emu.token not in out + err

        env_file = tmp_path / ".env"
        assert env_file.stat().st_mode & 0o777 == 0o600
        written = {k: v or "" for k, v in dotenv_values(env_file).items()}
        assert written["OFFICE_NAME"] == "DINAS KOMUNIKASI DAN INFORMATIKA"
        assert written["OFFICE_ADDRESS"] == "Jl. Merdeka No. 1, Kota Contoh"
        assert written["DNS_PROVIDER"] == "rfc2136"
        assert written["TSIG_SECRET"] == bind_rw.key_secret
        assert written["BOT_TOKEN"] == emu.token
        settings = Settings.from_mapping(written)
        assert str(settings.timezone) == "Asia/Jakarta"
        assert settings.office.place == "Kota Contoh"
        assert settings.dns.primary == (bind_rw.host, bind_rw.port)
        assert settings.group_chat_id == -1001234567890
        assert not [n for n in names(tmp_path) if n.startswith(".env.")]

        deploy = tmp_path / "deploy"
        assert set(names(deploy)) == UNITS
        bot_unit = (deploy / "subdomain-bot.service").read_text()
        assert f"WorkingDirectory={tmp_path}" in bot_unit
        assert f"ExecStart={sys.executable} -m bot run" in bot_unit
        backup = (deploy / "subdomain-bot-backup.service").read_text()
        assert "-m bot backup" in backup and "$$(date +%%Y%%m%%d" in backup
        assert "OnCalendar=" in (deploy / "subdomain-bot-backup.timer").read_text()
        assert f"cp {deploy}/subdomain-bot.service" in out
        assert ("systemctl enable --now subdomain-bot.service subdomain-bot-backup.timer"
                in out)
        # no emblem was given: init says so, and how to check the kop
        assert "warning: OFFICE_EMBLEM_PATH is not set" in out
        assert "python -m bot letter preview" in out
        # nor a classification code: init says the archivist sets it (Permendagri 83/2022)
        assert "warning: LETTER_CLASSIFICATION_CODE is not set" in out
        assert "archivist" in out and "Permendagri 83/2022" in out

        [link] = re.findall(r"^https://t\.me/kominfo_contoh_bot\?start=\S+$", out, re.MULTILINE)
        qr = Path(out.split("QR code: ")[1].split()[0])
        assert (tmp_path / qr).read_bytes().startswith(b"\x89PNG")

        # The bot, started from what init wrote, welcomes the first admin through the link.
        settings = replace(settings, database_path=tmp_path / settings.database_path,
                           data_dir=tmp_path / settings.data_dir)
        admin = emu.user(ADMIN_ID, "Admin")
        async with running_office_bot(settings, Clock()) as app:
            await admin.send_command("/start", link.split("start=")[1])
            welcome = await admin.wait_for("Selamat datang, Admin Kominfo")
            assert "terdaftar sebagai Admin" in welcome.text
            await admin.send_command("/peran")
            await admin.wait_for("Jabatan dan pemegangnya")
            office = app.bot_data["office"]
            [holder] = await office.store.position_holders(Role.ADMIN)
            assert holder.person.telegram_user_id == ADMIN_ID


async def test_end_of_input_leaves_nothing_behind(tmp_path: Path, bind_rw: BindServer) -> None:
    answers = office_answers(bind_rw)[:17]  # stops after the primary: Ctrl-D
    office = tmp_path / "office"  # (BIND keeps its files in tmp_path/named)
    office.mkdir()
    code, out, err = await init(office, answers)
    assert code == 1
    assert err.strip() == "aborted: nothing written"
    assert "TSIG key name" in out
    assert names(office) == []


async def test_an_existing_env_is_kept_unless_forced(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("BOT_TOKEN=123:keep\n")
    code, out, err = await init(tmp_path, ["PEMERINTAH KABUPATEN CONTOH"])
    assert code == 1
    assert err == "error: .env already exists; use --force to replace it\n"
    assert out == ""
    assert env_file.read_text() == "BOT_TOKEN=123:keep\n"
    assert names(tmp_path) == [".env"]

    code, out, err = await init(tmp_path, ["PEMERINTAH KABUPATEN CONTOH"], "--force")
    assert code == 1 and "aborted: nothing written" in err
    assert env_file.read_text() == "BOT_TOKEN=123:keep\n"
