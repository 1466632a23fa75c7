"""The office's own numbers: the register's first number of a year and its CSV export (the
real command line, as subprocesses), and manual numbers checked against the pattern and the
register (through the office service)."""

from __future__ import annotations

import asyncio
import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.report_files import report_signers
from bot.service import Office
from bot.workflow import (
    SOP,
    Action,
    Ask,
    BadNote,
    Card,
    Effect,
    Role,
    for_signing,
    numbering_state,
    with_manual_numbering,
)
from tests.support.bind import BindServer
from tests.support.office import (
    ADMIN,
    BALANGAN,
    HEAD,
    KABID,
    Clock,
    act,
    drive_to_decision,
    open_office,
    seed_people,
    submit,
)

ROOT = Path(__file__).resolve().parents[2]


def cli(db: Path, bind: BindServer, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, **BALANGAN, **bind.env(), "DATABASE_PATH": str(db),
               "DATA_DIR": str(db.parent / "data"), **env}
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, env=environ,
                          capture_output=True, text=True, timeout=60, check=False)


async def _signed_exists_letters(db: Path, bind: BindServer, labels: tuple[str, ...],
                                 **settings: str) -> list[str]:
    """Take each name to a signed "already exists" letter; the numbers issued."""
    office = await open_office(db, Clock(), **bind.env(), DATA_DIR=str(db.parent / "data"),
                               **settings)
    try:
        await seed_people(office.store, office.clock())
        numbers = []
        for label in labels:
            r = await drive_to_decision(office, await submit(office, label))
            r = await act(office, KABID, r, Action.REJECT_EXISTS)
            r = await act(office, HEAD, r, Action.SIGN)
            numbers += [i.number for i in await office.store.letters(r.id)]
        return numbers
    finally:
        await office.store.close()


def test_register_start_and_the_agenda_csv(db_path: Path, bind_rw: BindServer) -> None:
    code = {"LETTER_CLASSIFICATION_CODE": "000.5.10"}
    started = cli(db_path, bind_rw, "letter", "register", "start", "2026", "145", **code)
    assert started.returncode == 0, started.stderr
    assert "000.5.10/145/Diskominfo-Blg/2026" in started.stdout
    for bad in (("2026", "0"), ("26", "145"), ("2026", "abc")):
        refused = cli(db_path, bind_rw, "letter", "register", "start", *bad)
        assert refused.returncode == 64, refused.stderr
        assert refused.stderr.count("\n") <= 3 and "Traceback" not in refused.stderr

    numbers = asyncio.run(_signed_exists_letters(db_path, bind_rw, ("arsip", "portal2"),
                                                 **code))
    assert numbers == ["000.5.10/145/Diskominfo-Blg/2026", "000.5.10/146/Diskominfo-Blg/2026"]

    # Once the year has a letter, its first number is settled.
    late = cli(db_path, bind_rw, "letter", "register", "start", "2026", "300")
    assert late.returncode == 1
    assert "already registered" in late.stderr and "Traceback" not in late.stderr
    # Another year is still free.
    assert cli(db_path, bind_rw, "letter", "register", "start", "2027", "1").returncode == 0

    exported = cli(db_path, bind_rw, "letter", "list", "--csv", **code)
    assert exported.returncode == 0, exported.stderr
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert [r["nomor"] for r in rows] == numbers
    first = rows[0]
    assert first["tanggal"] == "2026-11-30"  # the sign-off day in the office's zone (WITA)
    assert first["hal"] == "Jawaban atas Permohonan Subdomain arsip.balangankab.go.id"
    assert first["kepada"] == "Kepala Dinas Kesehatan Kabupaten Balangan"
    assert first["permohonan"] == "SD-2026-0001" and first["jenis"] == "exists"
    assert first["ditandatangani_oleh"] == "Drs. H. Rahmadi, M.Si"
    assert len(first["sha256"]) == 64 and first["kode_verifikasi"]
    other_year = cli(db_path, bind_rw, "letter", "list", "--csv", "--year", "2027")
    assert other_year.stdout.strip().splitlines() == [",".join(
        ("nomor", "tanggal", "hal", "kepada", "jenis", "permohonan", "ditandatangani_oleh",
         "kode_verifikasi", "sha256"))]


def test_register_start_is_refused_under_manual_numbering(db_path: Path,
                                                          bind_rw: BindServer) -> None:
    refused = cli(db_path, bind_rw, "letter", "register", "start", "2026", "145",
                  LETTER_NUMBERING="manual")
    assert refused.returncode == 1
    assert "manual" in refused.stderr


async def _signed_manual(office: Office, label: str) -> int:
    r = await drive_to_decision(office, await submit(office, label))
    r = await act(office, KABID, r, Action.REJECT_EXISTS)
    r = await act(office, HEAD, r, Action.SIGN)
    assert r.state == numbering_state("delivery")
    assert await office.store.letters(r.id) == []  # signed, not numbered, nothing delivered
    return r.id


async def test_manual_numbers_are_checked_and_never_used_twice(db_path: Path, clock: Clock,
                                                               bind_rw: BindServer) -> None:
    office = await open_office(db_path, clock, **bind_rw.env(), LETTER_NUMBERING="manual",
                               DATA_DIR=str(db_path.parent / "data"))
    try:
        await seed_people(office.store, clock())
        assert Role.SEKRETARIAT in office.workflow.office_positions
        first = await _signed_manual(office, "arsip")
        request = await office.store.request(first)
        for typed, said in (("145", "tidak sesuai pola"),
                            ("000.5.10/145/Diskominfo-Blg/2025", "tidak sama dengan tahun"),
                            ("", "Mohon tuliskan nomor surat")):
            with pytest.raises(BadNote, match=said):
                await act(office, ADMIN, request, Action.ASSIGN_NUMBER,
                          details={"letter_number": typed})
            assert (await office.store.request(first)).state == request.state
        done = await act(office, ADMIN, request, Action.ASSIGN_NUMBER,
                         details={"letter_number": "000.5.10/145/Diskominfo-Blg/2026"})
        assert done.state == "delivery"
        [issued] = await office.store.letters(first)
        assert issued.number == "000.5.10/145/Diskominfo-Blg/2026"
        assert issued.signed_by == "Drs. H. Rahmadi, M.Si"  # the signatory, not the admin

        second = await office.store.request(await _signed_manual(office, "portal2"))
        for used in ("000.5.10/145/Diskominfo-Blg/2026", "800/145/Diskominfo-Blg/2026"):
            with pytest.raises(BadNote, match="sudah digunakan"):
                await act(office, ADMIN, second, Action.ASSIGN_NUMBER,
                          details={"letter_number": used})
        assert await office.store.letters(second.id) == []
    finally:
        await office.store.close()


def test_manual_numbering_is_a_table_edit() -> None:
    manual = with_manual_numbering(SOP)
    for issuing, numbering in ((Action.SIGN, "numbering_delivery"),
                               (Action.DECLINE, "numbering_declined")):
        made = next(t for s in manual.steps for t in s.transitions if t.action == issuing)
        assert made.to == numbering and Effect.ISSUE_LETTER not in made.effects
        step = manual.step(numbering)
        assert step is not None and Card.DRAFT in step.card
        assert {step.acting_role(t) for t in step.transitions} == {Role.SEKRETARIAT,
                                                                   Role.ADMIN}
        assert all(t.asks == Ask.LETTER_NUMBER and Effect.ISSUE_LETTER in t.effects
                   for t in step.transitions)
    assert manual.reachable_states() == set(manual.all_states())
    assert manual.title(Role.SEKRETARIAT) == "Sekretariat (Subbagian Umum)"
    assert Role.SEKRETARIAT not in SOP.office_positions  # only where the office numbers by hand
    # the letters' signatory stays the Kepala Dinas (the secretariat's step shows the KONSEP
    # first in this table, but it only numbers)
    assert manual.signatory == SOP.signatory == Role.KEPALA_DINAS


async def test_manual_numbering_keeps_the_report_signers(db_path: Path, clock: Clock,
                                                         bind_rw: BindServer) -> None:
    office = await open_office(db_path, clock, **bind_rw.env(), LETTER_NUMBERING="manual",
                               DATA_DIR=str(db_path.parent / "data"))
    try:
        await seed_people(office.store, clock())
        signers = await report_signers(office.store, office.workflow, clock(), office.settings)
        assert [(s.caption, s.name) for s in signers] == [
            ("Disusun oleh", "Siti Aminah, S.Kom"), ("Mengetahui", "Drs. H. Rahmadi, M.Si")]
    finally:
        await office.store.close()


async def test_a_decline_is_numbered_by_hand_too(db_path: Path, clock: Clock,
                                                 bind_rw: BindServer) -> None:
    office = await open_office(db_path, clock, **bind_rw.env(), LETTER_NUMBERING="manual",
                               DATA_DIR=str(db_path.parent / "data"))
    try:
        await seed_people(office.store, clock())
        r = await act(office, HEAD, await submit(office, "hibah"), Action.DECLINE,
                      "Bukan layanan Perangkat Daerah")
        assert r.state == "numbering_declined" and await office.store.letters(r.id) == []
        clock.advance(hours=3)
        r = await act(office, ADMIN, r, Action.ASSIGN_NUMBER,
                      details={"letter_number": "555/12/Diskominfo-Blg/2026"})
        assert r.state == "declined"
        [issued] = await office.store.letters(r.id)
        assert issued.number == "555/12/Diskominfo-Blg/2026" and issued.kind == "declined"
    finally:
        await office.store.close()


def test_bsre_with_manual_numbering_is_a_table_edit() -> None:
    """The passphrase is only ever asked by the signatory's transitions: after the number,
    a step of the position that approved the letter issues it."""
    table = for_signing(with_manual_numbering(SOP), "bsre")
    for end in ("delivery", "declined"):
        numbering = table.step(numbering_state(end))
        assert numbering is not None
        assert all(t.to == f"signature_{end}" and t.asks == Ask.LETTER_NUMBER
                   and Effect.ISSUE_LETTER not in t.effects for t in numbering.transitions)
        signature = table.step(f"signature_{end}")
        assert signature is not None and signature.role == Role.KEPALA_DINAS
        assert Card.DRAFT in signature.card
        [esign] = [t for t in signature.transitions if t.action == Action.ESIGN]
        assert (esign.to, esign.asks, esign.signs) == (end, Ask.PASSPHRASE, True)
        assert esign.effects == (Effect.ISSUE_LETTER,)
        [back] = [t for t in signature.transitions if t.action == Action.RETURN]
        assert back.to == numbering.state and back.label == "Kembalikan ke penomoran"
    assert table.reachable_states() == set(table.all_states())
    assert {s.acting_role(t) for s in table.steps for t in s.transitions
            if t.asks == Ask.PASSPHRASE} == {Role.KEPALA_DINAS}
    assert table.signers == frozenset({Role.KEPALA_DINAS})
    # with the register's numbers the signing transitions themselves ask the passphrase
    plain = for_signing(SOP, "bsre")
    assert not any(s.state.startswith("signature_") for s in plain.steps)
    assert all(t.asks == Ask.PASSPHRASE for s in plain.steps for t in s.transitions
               if Effect.ISSUE_LETTER in t.effects)
