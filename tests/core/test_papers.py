"""The office's papers through the real service and CLI: the request letter's perihal quoted
exactly, the agency's own place, the lembar disposisi with only the instructions given and a
paraf per approval, the letter preview, and the upgrade of a version-6 database."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, date, datetime
from io import BytesIO
from pathlib import Path

from pypdf import PdfReader

from bot import paperwork
from bot.service import Office
from bot.workflow import Action
from letters.model import LetterKind
from storage.db import migrations
from storage.models import Agency, NewRequest, Person, Request
from storage.store import Store
from tests.support.office import (
    BALANGAN,
    HEAD,
    PERIHAL,
    REQUESTER,
    act,
    drive_to_decision,
    office_settings,
    person,
    submit,
)

ROOT = Path(__file__).resolve().parents[2]


def text_of(path: Path) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(path).pages).split())


async def test_the_sheet_quotes_the_perihal_and_only_the_given_instructions(
        office: Office) -> None:
    request = await drive_to_decision(office, await submit(office))
    assert request.letter_subject == PERIHAL
    text = text_of(await office.disposition_sheet(request))
    assert f"Perihal : {PERIHAL}" in text
    assert "Sangat Segera" in text and "Rahasia" in text and "[X] Biasa" in text
    # Kepala Dinas: Tindak lanjuti; Kabid: Pelajari dan laporkan; Kasi: none chosen
    assert text.count("Tindak lanjuti") == 1 and text.count("Pelajari dan laporkan") == 1
    assert text.count("disetujui secara elektronik") == 3
    assert "Paraf" in text


async def test_a_reply_goes_to_the_agency_in_its_own_place(office: Office) -> None:
    camat = await office.add_agency("awayan", "Kecamatan Awayan", "Camat Awayan",
                                    place="Awayan", address="Jalan Poros Awayan")
    assert (camat.place, camat.address) == ("Awayan", "Jalan Poros Awayan")
    await office.store.add_agency_contact("awayan", REQUESTER, "Ahmad", now=office.clock())
    requester = await person(office, REQUESTER)
    filed = await office.submit(NewRequest(
        agency_id=camat.id, requester_id=requester.id, subdomain="awayan", purpose="Portal",
        target_kind="ip", target_value="203.0.113.20", letter_number="005/12/Kec-Awy/2026",
        letter_date=date(2026, 11, 27), letter_subject="Permohonan Subdomain Kecamatan"))
    assert (await office.request(filed.number)).agency.place == "Awayan"
    await act(office, HEAD, filed, Action.DECLINE, "Nama sudah dipakai instansi lain.")
    [letter] = await office.letters(filed)
    text = text_of(letter.path)
    assert "Yth. Camat Awayan di Awayan" in text
    assert "perihal Permohonan Subdomain Kecamatan, dengan hormat" in text
    assert "Hal : Jawaban atas Permohonan Subdomain awayan.balangankab.go.id" in text
    assert "Tembusan: Arsip." in text
    assert letter.subject == "Jawaban atas Permohonan Subdomain awayan.balangankab.go.id"


def test_letter_preview_on_the_office_s_own_settings(tmp_path: Path) -> None:
    env = {**os.environ, **BALANGAN, "DATABASE_PATH": str(tmp_path / "db.sqlite3"),
           "DATA_DIR": str(tmp_path / "data"), "LETTER_PAPER": "F4"}
    for outcome in ("created", "exists", "advice", "declined"):
        out = tmp_path / f"{outcome}.pdf"
        run = subprocess.run(
            [sys.executable, "-m", "bot", "letter", "preview", "--outcome", outcome,
             "--output", str(out)], cwd=ROOT, env=env, capture_output=True, text=True,
            timeout=60, check=False)
        assert run.returncode == 0, run.stderr
        assert run.stdout.strip() == str(out)
        page = PdfReader(out).pages[0]
        assert round(float(page.mediabox.height) * 25.4 / 72) == 330
        text = text_of(out)
        assert "KONSEP" in text and "PEMERINTAH KABUPATEN BALANGAN" in text
        assert "Telepon (0526) 2028434" in text and "Kode Pos 71618" in text
    default = subprocess.run(
        [sys.executable, "-m", "bot", "letter", "preview", "--outcome", "advice"], cwd=ROOT,
        env=env, capture_output=True, text=True, timeout=60, check=False)
    assert default.returncode == 0, default.stderr
    assert Path(default.stdout.strip()) == tmp_path / "data" / "letters" / "preview-advice.pdf"
    assert "Saran Teknis atas Permohonan Subdomain" in text_of(Path(default.stdout.strip()))
    bad = subprocess.run(
        [sys.executable, "-m", "bot", "letter", "preview", "--outcome", "nope"], cwd=ROOT,
        env=env, capture_output=True, text=True, timeout=60, check=False)
    assert bad.returncode == 64 and "invalid choice" in bad.stderr  # a usage error


async def test_a_version_6_database_keeps_its_requests_perihal(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    raw = sqlite3.connect(path)
    before = next(version for version, name, _ in migrations()
                  if name.endswith("_letter_subject_and_agency_place.sql")) - 1
    for version, _name, sql in migrations()[:before]:
        raw.executescript(sql)
        raw.execute(f"PRAGMA user_version = {version}")
    raw.executescript("""
        INSERT INTO people (id, telegram_user_id, name, created_at)
            VALUES (1, 201, 'Ahmad', '2026-11-01T00:00:00+00:00');
        INSERT INTO agencies (id, code, name) VALUES (1, 'dinkes', 'Dinas Kesehatan');
        INSERT INTO requests (id, number, year, seq, agency_id, requester_id, subdomain, purpose,
            target_kind, letter_number, letter_date, state, state_since, created_at, updated_at)
            VALUES (1, 'SD-2026-0001', 2026, 1, 1, 1, 'lama', 'Portal', 'hosting', '1/2026',
            '2026-11-01', 'disposition_head', '2026-11-01T00:00:00+00:00',
            '2026-11-01T00:00:00+00:00', '2026-11-01T00:00:00+00:00');
        INSERT INTO incoming_register (year, agenda_number, request_id, received_at, sender,
            letter_number, letter_date, subject) VALUES (2026, 1, 1,
            '2026-11-01T00:00:00+00:00', 'Dinas Kesehatan', '1/2026', '2026-11-01',
            'Permohonan pembuatan subdomain lama.balangankab.go.id');
    """)
    raw.commit()
    raw.close()
    store = await Store.open(path)
    try:
        old = await store.request("SD-2026-0001")
        assert old.letter_subject == "Permohonan pembuatan subdomain lama.balangankab.go.id"
        assert (old.agency.place, old.agency.address) == (None, None)
    finally:
        await store.db.close()


def _created(target_kind: str) -> str:
    """The text of a final "created" letter for a request whose record points at `target_kind`."""
    settings = office_settings()
    at = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
    request = Request(
        id=1, number="SD-2026-0001", agency=Agency(1, "dinkes", "Dinas Kesehatan"),
        requester_id=1, subdomain="layanan", purpose="Portal", target_kind=target_kind,
        target_value=None if target_kind == "hosting" else "203.0.113.10", contact_name=None,
        contact_phone=None, letter_number="1/2026", letter_date=date(2026, 11, 27),
        letter_file_ref=None, state="letter_signoff", version=9, outcome="created",
        assignee_id=None, state_since=at, created_at=at, letter_subject=PERIHAL)
    facts = paperwork.LetterFacts(LetterKind.CREATED, "", "",
                                  (("layanan.balangankab.go.id", "A", "203.0.113.10", 3600),),
                                  date(2026, 11, 30))
    signer = paperwork.signatory(settings, Person(1, 101, "Drs. H. Rahmadi, M.Si",
                                                  nip="197001011990031001",
                                                  rank="Pembina Utama Muda"), None)
    letter = paperwork.reply_letter(settings, request, facts, signer, day=date(2026, 11, 30),
                                    number="555/1/Diskominfo-Blg/2026", code="X")
    assert letter.addressee.place == "Paringin"  # no place of its own: the office's
    assert replace(request, agency=Agency(1, "d", "D", None, "Awayan")).agency.place == "Awayan"
    pdf = paperwork.render_letter(settings, letter)
    return " ".join(" ".join(p.extract_text() for p in PdfReader(BytesIO(pdf)).pages).split())


def test_the_account_paragraph_only_where_the_office_hosts_the_site() -> None:
    hosted, own_server = _created("hosting"), _created("ip")
    assert "akun pengelola subdomain disampaikan" in hosted
    assert "nama pengguna dan kata sandi tidak dicantumkan" in hosted
    assert "akun" not in own_server and "kata sandi" not in own_server
    assert f"perihal {PERIHAL}, dengan hormat" in own_server
