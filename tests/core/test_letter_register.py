"""The outgoing-letter register: numbers allocated at sign-off, gapless and unique under
concurrency; the final letter parsed back; the decline letter; the acting signatory."""

from __future__ import annotations

import asyncio
import hashlib
import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from bot.service import ActionInput, Office
from bot.workflow import Action, Role, State, WorkflowError
from tests.support.office import (
    HEAD,
    KABID,
    PERIHAL,
    REQUESTER,
    act,
    drive_to_decision,
    person,
    submit,
)


def _text(path: Path) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(path).pages).split())


async def _at_signoff(office: Office, label: str) -> int:
    r = await drive_to_decision(office, await submit(office, label))
    r = await act(office, KABID, r, Action.REJECT_EXISTS)
    assert r.state == State.LETTER_SIGNOFF
    return r.id


async def test_fifty_concurrent_signoffs_get_consecutive_unique_numbers(office: Office) -> None:
    office.settings = replace(office.settings, max_open_requests=0)  # fifty open at once
    ids = [await _at_signoff(office, f"nama{n}") for n in range(50)]
    head = await person(office, HEAD)

    async def sign(request_id: int) -> None:
        current = await office.store.request(request_id)
        await office.act(head, request_id, ActionInput(Action.SIGN, current.version))

    await asyncio.gather(*(sign(i) for i in ids))
    letters = await office.store.letters()
    sequences = sorted(letter.sequence for letter in letters)
    assert sequences == list(range(1, 51))
    assert len({letter.number for letter in letters}) == 50
    assert len({letter.verification_code for letter in letters}) == 50
    for letter in letters:
        assert letter.number == f"555/{letter.sequence}/Diskominfo-Blg/2026"
        assert hashlib.sha256(letter.path.read_bytes()).hexdigest() == letter.sha256


async def test_final_letter_reads_like_the_register_says(office: Office) -> None:
    request_id = await _at_signoff(office, "arsip")
    drafts = [m for m in await office.store.pending_messages(now=office.clock(), limit=500)
              if m.chat_id == HEAD and m.kind == "document" and "KONSEP" in m.payload["caption"]]
    draft_text = _text(Path(drafts[-1].payload["path"]))
    assert "KONSEP" in draft_text
    assert "…/…/Diskominfo-Blg/2026" in draft_text

    head = await person(office, HEAD)
    current = await office.store.request(request_id)
    await office.act(head, request_id, ActionInput(Action.SIGN, current.version))
    [letter] = await office.store.letters(request_id)
    text = _text(letter.path)
    assert "KONSEP" not in text
    assert f"Nomor : {letter.number}" in text or f"Nomor: {letter.number}" in text
    assert re.search(r"Paringin, \d{1,2} (November|Desember) 2026", text)
    assert "Yth. Kepala Dinas Kesehatan Kabupaten Balangan" in text
    assert "arsip.balangankab.go.id" in text
    assert "400/123/Dinkes/2026" in text
    assert "nama pengguna dan kata sandi" in text and "password" not in text
    assert "Hal : Jawaban atas Permohonan Subdomain arsip.balangankab.go.id" in text
    assert f"perihal {PERIHAL}, dengan hormat" in text  # quoted as the requester typed it
    assert "NIP. 197001011990031001" in text
    assert "Tembusan" in text
    assert letter.verification_code in text
    assert "password:" not in text.lower()


async def test_decline_issues_its_letter_at_once(office: Office) -> None:
    r = await act(office, HEAD, await submit(office, "tolak"), Action.DECLINE,
                  "Bukan <b>kewenangan</b> Diskominfo")
    assert r.state == State.DECLINED
    [letter] = await office.store.letters(r.id)
    assert letter.kind == "declined"
    text = _text(letter.path)
    assert "Bukan <b>kewenangan</b> Diskominfo" in text  # shown as typed, not as markup
    queued = [m for m in await office.store.pending_messages(now=office.clock(), limit=500)
              if m.payload.get("letter_id") == letter.id]
    assert [m.chat_id for m in queued] == [REQUESTER]


async def test_acting_head_signs_as_plt(office: Office) -> None:
    await office.store.set_position(
        Role.KEPALA_DINAS, 777, "Ir. Pelaksana Tugas", now=office.clock(), acting="plt",
        valid_from=date(2026, 11, 1), valid_until=date(2026, 12, 31),
        nip="198001012005011002", rank="Pembina")
    request_id = await _at_signoff(office, "plt")
    plt = await person(office, 777)
    current = await office.store.request(request_id)
    await office.act(plt, request_id, ActionInput(Action.SIGN, current.version))
    [letter] = await office.store.letters(request_id)
    assert letter.signed_acting == "plt"
    text = _text(letter.path)
    assert "Plt. KEPALA DINAS KOMUNIKASI DAN INFORMATIKA" in text
    assert "Ir. Pelaksana Tugas" in text
    assert "NIP. 198001012005011002" in text


async def test_signing_without_the_signatorys_nip_is_refused_and_changes_nothing(
    office: Office,
) -> None:
    await office.store.set_position(Role.KEPALA_DINAS, 778, "Tanpa NIP", now=office.clock(),
                                    acting="plh", valid_from=date(2026, 11, 1),
                                    valid_until=date(2026, 12, 31))
    r = await drive_to_decision(office, await submit(office, "nipless"))
    with pytest.raises(WorkflowError, match="NIP dan pangkat Tanpa NIP"):
        await act(office, KABID, r, Action.REJECT_EXISTS)
    assert (await office.store.request(r.id)).state == State.DECISION
