"""Signing providers and manual numbering together: the number typed from the agenda book
goes on the letter the office's provider signs (PAdES; BSrE at the signatory's own step after
the number is given) or prints for a wet signature."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.service import ActionInput, Office, SigningRefused
from bot.workflow import Action, Ask, BadNote, Role, State, WorkflowError, numbering_state
from letters.signing import verify_pdf_async
from tests.support.bind import BindServer
from tests.support.bsre_standin import PASSWORD, USERNAME, BsreStandIn
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
NIK = "6308010101700001"


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


async def test_bsre_signs_after_the_number_is_given_with_the_signatorys_passphrase(
        db_path: Path, clock: Clock, bind_rw: BindServer) -> None:
    """The secretariat types the number (checked then); the signatory then gives the
    passphrase at their own step, which signs and issues the letter under that number."""
    standin = await BsreStandIn().start()
    standin.enrol(NIK, "Ir. H. RAHMADI", "ttd-rahasia")
    office = await _manual(db_path, clock, bind_rw, SIGNING_PROVIDER="bsre",
                           BSRE_URL=standin.url, BSRE_USERNAME=USERNAME,
                           BSRE_PASSWORD=PASSWORD)
    try:
        await office.set_esign_identity(HEAD, nik=NIK)
        r = await act(office, HEAD, await submit(office, "hibah"), Action.DECLINE,
                      "Bukan layanan Perangkat Daerah")
        assert r.state == numbering_state(State.DECLINED)
        for typed, said in (("145/2026", "tidak sesuai pola"),
                            ("555/12/Diskominfo-Blg/2025", "tidak sama dengan tahun")):
            with pytest.raises(BadNote, match=said):
                await act(office, ADMIN, r, Action.ASSIGN_NUMBER,
                          details={"letter_number": typed})
        r = await act(office, ADMIN, r, Action.ASSIGN_NUMBER, details={"letter_number": NUMBER})
        assert r.state == "signature_declined"
        assert await office.store.letters(r.id) == [] and standin.requests == []
        # the step is the signatory's, and asks their passphrase (nobody else's)
        step = office.workflow.step(r.state)
        assert step is not None and step.role == Role.KEPALA_DINAS
        assert [t.asks for t in office.workflow.transitions_for(r.state, Role.KEPALA_DINAS)
                if t.action == Action.ESIGN] == [Ask.PASSPHRASE]
        with pytest.raises(WorkflowError):
            await act(office, ADMIN, r, Action.ESIGN, secret="ttd-rahasia")
        with pytest.raises(SigningRefused, match="BSrE menolak frasa sandi"):
            await act(office, HEAD, r, Action.ESIGN, secret="salah-ketik")
        standin.down_with = (503, "Layanan sedang gangguan")
        with pytest.raises(SigningRefused, match="BSrE menolak penandatanganan"):
            await act(office, HEAD, r, Action.ESIGN, secret="ttd-rahasia")
        standin.down_with = None
        assert (await office.store.request(r.id)).state == "signature_declined"
        assert await office.store.letters(r.id) == []

        done = await act(office, HEAD, r, Action.ESIGN, secret="ttd-rahasia")
        assert done.state == State.DECLINED
        [issued] = await office.store.letters(r.id)
        assert (issued.number, issued.seal, issued.sequence) == (NUMBER, "bsre", 12)
        [report] = await verify_pdf_async(issued.path.read_bytes(), [standin.ca.pem])
        assert report.valid and report.signer == "Ir. H. RAHMADI"
        assert standin.requests[-1]["nik"] == NIK
        assert "ttd-rahasia" not in repr(await office.store.timeline(r.id))
    finally:
        await office.close()
        await standin.stop()


async def test_bsre_signatory_returns_a_wrong_number_to_the_secretariat(
        db_path: Path, clock: Clock, bind_rw: BindServer) -> None:
    standin = await BsreStandIn().start()
    standin.enrol(NIK, "Ir. H. RAHMADI", "ttd-rahasia")
    office = await _manual(db_path, clock, bind_rw, SIGNING_PROVIDER="bsre",
                           BSRE_URL=standin.url, BSRE_USERNAME=USERNAME,
                           BSRE_PASSWORD=PASSWORD)
    try:
        await office.set_esign_identity(HEAD, nik=NIK)
        r = await act(office, HEAD, await submit(office, "hibah"), Action.DECLINE,
                      "Bukan layanan Perangkat Daerah")
        r = await act(office, ADMIN, r, Action.ASSIGN_NUMBER,
                      details={"letter_number": "555/99/Diskominfo-Blg/2026"})
        r = await act(office, HEAD, r, Action.RETURN, "Nomor agenda keliru, seharusnya 12")
        assert r.state == numbering_state(State.DECLINED)
        r = await act(office, ADMIN, r, Action.ASSIGN_NUMBER, details={"letter_number": NUMBER})
        done = await act(office, HEAD, r, Action.ESIGN, secret="ttd-rahasia")
        assert done.state == State.DECLINED
        [issued] = await office.store.letters(r.id)
        assert issued.number == NUMBER  # the number typed last
    finally:
        await office.close()
        await standin.stop()


def test_bsre_with_manual_numbering_starts() -> None:
    settings = office_settings(SIGNING_PROVIDER="bsre", BSRE_URL="https://esign.example.go.id/",
                               BSRE_USERNAME="u", BSRE_PASSWORD="rahasia",
                               LETTER_NUMBERING="manual")
    assert (settings.signing.provider, settings.office.numbering) == ("bsre", "manual")


async def test_bsre_a_number_used_meanwhile_is_sent_back_not_signed(
        db_path: Path, clock: Clock, bind_rw: BindServer) -> None:
    """Two requests given the same number before either is signed: the second signature is
    refused (nothing numbered, nothing sent to BSrE) and the signatory is told to return it."""
    standin = await BsreStandIn().start()
    standin.enrol(NIK, "Ir. H. RAHMADI", "ttd-rahasia")
    office = await _manual(db_path, clock, bind_rw, SIGNING_PROVIDER="bsre",
                           BSRE_URL=standin.url, BSRE_USERNAME=USERNAME,
                           BSRE_PASSWORD=PASSWORD)
    try:
        await office.set_esign_identity(HEAD, nik=NIK)
        waiting = []
        for label in ("hibah", "lomba"):
            r = await act(office, HEAD, await submit(office, label), Action.DECLINE,
                          "Bukan layanan Perangkat Daerah")
            waiting.append(await act(office, ADMIN, r, Action.ASSIGN_NUMBER,
                                     details={"letter_number": NUMBER}))
        await act(office, HEAD, waiting[0], Action.ESIGN, secret="ttd-rahasia")
        signed = len(standin.requests)
        with pytest.raises(WorkflowError, match=r"sudah digunakan.*kembalikan ke penomoran"):
            await act(office, HEAD, waiting[1], Action.ESIGN, secret="ttd-rahasia")
        assert len(standin.requests) == signed
        assert await office.store.letters(waiting[1].id) == []
        r = await act(office, HEAD, waiting[1], Action.RETURN, "Nomor sudah terpakai")
        assert r.state == numbering_state(State.DECLINED)
    finally:
        await office.close()
        await standin.stop()
