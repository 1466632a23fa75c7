"""Signing providers and manual numbering together: the number typed from the agenda book
goes on the letter the office's provider signs (PAdES) or prints for a wet signature."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.service import ActionInput, Office
from bot.settings import SettingsError
from bot.workflow import Action, State
from letters.signing import verify_pdf_async
from tests.support.bind import BindServer
from tests.support.office import (
    ADMIN,
    HEAD,
    STAFF,
    Clock,
    act,
    office_settings,
    open_office,
    person,
    seed_people,
    submit,
)
from tests.support.pki import CertAuthority

NUMBER = "555/12/Diskominfo-Blg/2026"


async def _manual(db_path: Path, clock: Clock, bind: BindServer, **env: str) -> Office:
    office = await open_office(db_path, clock, **bind.env(), LETTER_NUMBERING="manual",
                               DATA_DIR=str(db_path.parent / "data"), **env)
    await seed_people(office.store, clock())
    return office


async def test_pades_signs_the_letter_numbered_by_hand(db_path: Path, clock: Clock,
                                                      bind_rw: BindServer) -> None:
    ca = CertAuthority()
    keys = db_path.parent / "keys"
    keys.mkdir()
    (keys / "kadis.p12").write_bytes(ca.pkcs12(ca.issue("Ir. H. RAHMADI"), "sandi-p12"))
    (keys / "passphrase").write_text("sandi-p12\n")
    office = await _manual(db_path, clock, bind_rw, SIGNING_PROVIDER="pades",
                           SIGNING_PKCS12_PATH=str(keys / "kadis.p12"),
                           SIGNING_PKCS12_PASSPHRASE_FILE=str(keys / "passphrase"))
    try:
        r = await act(office, HEAD, await submit(office, "hibah"), Action.DECLINE,
                      "Bukan layanan Perangkat Daerah")
        assert r.state == "numbering_declined" and await office.store.letters(r.id) == []
        r = await act(office, ADMIN, r, Action.ASSIGN_NUMBER,
                      details={"letter_number": NUMBER})
        assert r.state == State.DECLINED
        [issued] = await office.store.letters(r.id)
        assert (issued.number, issued.seal) == (NUMBER, "pades")
        [report] = await verify_pdf_async(issued.path.read_bytes(), [ca.pem])
        assert report.valid and report.signer == "Ir. H. RAHMADI"
    finally:
        await office.close()


async def test_wet_prints_the_letter_numbered_by_hand_then_delivers_its_scan(
        db_path: Path, clock: Clock, bind_rw: BindServer) -> None:
    office = await _manual(db_path, clock, bind_rw, SIGNING_PROVIDER="wet")
    try:
        r = await act(office, HEAD, await submit(office, "hibah"), Action.DECLINE,
                      "Bukan layanan Perangkat Daerah")
        r = await act(office, ADMIN, r, Action.ASSIGN_NUMBER,
                      details={"letter_number": NUMBER})
        assert r.state == "wet_signature_declined"
        [printed] = await office.store.letters(r.id)
        assert (printed.number, printed.seal, printed.scan_path) == (NUMBER, "wet", None)
        staff = await person(office, STAFF)
        done = await office.act(staff, r.id, ActionInput(
            Action.UPLOAD_SCAN, r.version,
            document=printed.path.read_bytes() + b"\n% dipindai\n"))
        assert done.state == State.DECLINED
        [delivered] = await office.store.letters(r.id)
        assert delivered.scan_path is not None and delivered.scan_path.is_file()
    finally:
        await office.close()


def test_bsre_with_manual_numbering_is_refused_at_start() -> None:
    with pytest.raises(SettingsError, match="LETTER_NUMBERING=register"):
        office_settings(SIGNING_PROVIDER="bsre", BSRE_URL="https://esign.example.go.id/",
                        BSRE_USERNAME="u", BSRE_PASSWORD="rahasia", LETTER_NUMBERING="manual")
