"""`letter verify CODE` and `letter verify --file PDF` on a PAdES-signed letter, run as real
subprocesses: intact or not, who signed and when, and whether the file is the registered one."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.service import ActionInput
from bot.workflow import Action
from tests.support.office import BALANGAN, HEAD, open_office, person, seed_people, submit
from tests.support.pki import NOW, CertAuthority

ROOT = Path(__file__).resolve().parents[2]
SECRET = "sandi-kadis-123"


def _env(tmp: Path, ca: CertAuthority) -> dict[str, str]:
    keys = tmp / "keys"
    keys.mkdir(exist_ok=True)
    (keys / "kadis.p12").write_bytes(ca.pkcs12(ca.issue("Ir. H. RAHMADI"), SECRET))
    (keys / "root.pem").write_bytes(ca.pem)
    return {"DATABASE_PATH": str(tmp / "bot.sqlite3"), "DATA_DIR": str(tmp / "data"),
            "SIGNING_PROVIDER": "pades", "SIGNING_PKCS12_PATH": str(keys / "kadis.p12"),
            "SIGNING_PKCS12_PASSPHRASE": SECRET, "SIGNING_TRUST_ROOTS": str(keys / "root.pem")}


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT,
                          env={**os.environ, **BALANGAN, **env}, capture_output=True, text=True,
                          timeout=60, check=False)


def _signed_letter(tmp: Path, env: dict[str, str]) -> tuple[str, Path]:
    async def drive() -> tuple[str, Path]:
        from tests.support.office import Clock
        office = await open_office(tmp / "bot.sqlite3", Clock(NOW), **env)
        await seed_people(office.store, office.clock())
        request = await submit(office)
        await office.act(await person(office, HEAD), request.id, ActionInput(
            Action.DECLINE, request.version, note="Tidak diperuntukkan bagi Perangkat Daerah."))
        [issued] = await office.letters()
        await office.close()
        return issued.verification_code, issued.path

    return asyncio.run(drive())


def signing_day() -> str:
    return datetime.now(ZoneInfo(BALANGAN["TIMEZONE"])).strftime("%d-%m-%Y")


def test_verify_by_code_and_by_file(tmp_path: Path) -> None:
    ca = CertAuthority()
    env = _env(tmp_path, ca)
    code, path = _signed_letter(tmp_path, env)

    days = {signing_day()}  # the signature carries the wall clock's time, in the office zone
    by_code = cli(env, "letter", "verify", code)
    days.add(signing_day())
    assert by_code.returncode == 0, by_code.stderr
    out = by_code.stdout
    assert "Bentuk tanda tangan: tanda tangan elektronik (PAdES, sertifikat elektronik)" in out
    assert any(f"Tanda tangan elektronik: UTUH; penanda tangan Ir. H. RAHMADI; {day}" in out
               for day in days), out
    assert "sertifikat tepercaya" in out

    by_file = cli(env, "letter", "verify", "--file", str(path))
    assert by_file.returncode == 0, by_file.stderr
    assert "Tercatat di register: Nomor 555/1/Diskominfo-Blg/2026" in by_file.stdout

    data = path.read_bytes()
    at = data.index(b"/Author")
    tampered = tmp_path / "diubah.pdf"
    tampered.write_bytes(data[:at] + b"/Buthor" + data[at + 7:])
    broken = cli(env, "letter", "verify", "--file", str(tampered))
    assert broken.returncode == 1
    assert "Tercatat di register: tidak" in broken.stdout
    assert "TIDAK UTUH" in broken.stdout

    # without the office's roots the chain is not judged, but intact, signer and time are said
    untrusted = cli({**env, "SIGNING_TRUST_ROOTS": ""}, "letter", "verify", "--file", str(path))
    assert untrusted.returncode == 0 and "rantai sertifikat tidak diperiksa" in untrusted.stdout
    for run in (by_code, by_file, broken, untrusted):
        assert SECRET not in run.stdout + run.stderr


def test_role_set_keeps_the_nik_and_refuses_a_malformed_one(tmp_path: Path) -> None:
    env = {"DATABASE_PATH": str(tmp_path / "bot.sqlite3"), "DATA_DIR": str(tmp_path / "data")}
    ok = cli(env, "role", "set", "kepala_dinas", "5001", "--name", "Kadis",
             "--nik", "6308 0101 0170 0001")
    assert ok.returncode == 0, ok.stderr
    bad = cli(env, "role", "set", "kepala_dinas", "5001", "--name", "Kadis", "--nik", "12345")
    assert bad.returncode == 1 and "NIK must have 16 digits" in bad.stderr

    async def kept() -> object:
        from storage.store import Store
        store = await Store.open(tmp_path / "bot.sqlite3")
        try:
            found = await store.person_by_telegram(5001)
            assert found is not None
            return await store.esign_identity(found.id)
        finally:
            await store.close()

    from storage.signatures import EsignIdentity
    assert asyncio.run(kept()) == EsignIdentity("6308010101700001", None)
