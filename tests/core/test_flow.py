"""Whole requests driven through the SOP by the office service, on a real database."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import date

import pytest

from bot.service import ActionInput, AlreadyHandled, Office
from bot.workflow import (
    Action,
    BadNote,
    Instruction,
    NotYourStep,
    Outcome,
    RequestClosed,
    Role,
    State,
    WorkflowError,
)
from tests.support.bind import BindServer
from tests.support.chat import STEP_1_BUTTONS
from tests.support.office import (
    ADMIN,
    HEAD,
    KABID,
    KASI,
    OUTSIDER,
    REQUESTER,
    STAFF,
    STAFF2,
    act,
    drive_to_decision,
    person,
    submit,
)


async def test_approved_request_goes_through_every_step(
    office: Office, bind_rw: BindServer
) -> None:
    request = await submit(office)
    r = await drive_to_decision(office, request)
    assert r.state == State.DECISION
    r = await act(office, KABID, r, Action.APPROVE)
    assert r.state == State.CREATION and r.assignee_id is not None
    r = await act(office, STAFF, r, Action.CONFIRM_CREATED, details={"by": "test"})
    assert (r.state, r.outcome) == (State.LETTER_SIGNOFF, Outcome.CREATED)
    assert bind_rw.values("layanan.balangankab.go.id") == {"203.0.113.10"}
    assert await office.store.live_subdomains() == {"layanan": r.id}
    r = await act(office, HEAD, r, Action.REVISE, "Perbaiki alamat tujuan")
    assert r.state == State.LETTER_REVISION
    r = await act(office, STAFF, r, Action.RESUBMIT, "Sudah diperbaiki")
    r = await act(office, HEAD, r, Action.SIGN)
    assert r.state == State.DELIVERY
    [letter] = await office.store.letters(r.id)
    assert letter.number == "555/1/Diskominfo-Blg/2026"
    assert letter.kind == "created"
    assert hashlib.sha256(letter.path.read_bytes()).hexdigest() == letter.sha256
    queued = [m for m in await office.store.pending_messages(now=office.clock())
              if m.payload.get("letter_id") == letter.id]
    assert [m.chat_id for m in queued] == [REQUESTER]
    await office.store.mark_sent(queued[0].id, now=office.clock())
    r = await act(office, REQUESTER, r, Action.CONFIRM_RECEIPT)
    [letter] = await office.store.letters(r.id)
    assert letter.delivered_at is not None
    assert letter.received_at is not None
    assert r.state == State.COMPLETED and r.version == 12
    events = await office.store.timeline(r.id)
    assert [e.action for e in events] == [
        "submit", "dispose", "dispose", "order_check", "submit_check", "submit_report",
        "approve", "confirm_created", "revise", "resubmit", "sign", "confirm_receipt"]
    assert events[1].instruction == Instruction.FOLLOW_UP.value
    assert events[1].actor_role == Role.KEPALA_DINAS
    assert events[7].details["by"] == "test"
    assert events[7].details["records"] == [["layanan.balangankab.go.id", "A", "203.0.113.10",
                                             300]]
    assert events[7].details["verified"] is True
    assert events[4].details["dns_check"]["status"] == "available"
    assert events[6].details["plan"]["records"][0]["value"] == "203.0.113.10"
    assert [e.from_state for e in events[1:3]] == [State.DISPOSITION_HEAD, State.DISPOSITION_KABID]


async def test_not_approved_domain_exists_path(office: Office) -> None:
    r = await drive_to_decision(office, await submit(office))
    r = await act(office, KABID, r, Action.REJECT_EXISTS, "Domain sudah dipakai SKPD")
    assert (r.state, r.outcome) == (State.LETTER_SIGNOFF, Outcome.EXISTS)
    r = await act(office, HEAD, r, Action.SIGN)
    r = await act(office, STAFF, r, Action.CONFIRM_RECEIPT, "Diserahkan langsung")
    assert r.state == State.COMPLETED


async def test_decline_return_and_withdraw(office: Office) -> None:
    declined = await act(office, HEAD, await submit(office), Action.DECLINE, "Bukan kewenangan")
    assert (declined.state, declined.outcome) == (State.DECLINED, Outcome.DECLINED)
    with pytest.raises(RequestClosed):
        await act(office, HEAD, declined, Action.DISPOSE)

    r = await act(office, HEAD, await submit(office, "kedua"), Action.DISPOSE)
    with pytest.raises(BadNote):
        await act(office, KABID, r, Action.RETURN, "")
    r = await act(office, KABID, r, Action.RETURN, "Lampiran surat belum lengkap")
    assert r.state == State.DISPOSITION_HEAD

    r = await act(office, REQUESTER, r, Action.WITHDRAW)
    assert r.state == State.WITHDRAWN


async def test_withdrawal_is_refused_from_step_six_on(office: Office) -> None:
    r = await drive_to_decision(office, await submit(office))
    with pytest.raises(WorkflowError):
        await act(office, REQUESTER, r, Action.WITHDRAW)


async def test_wrong_person_and_stale_version_are_refused_without_change(office: Office) -> None:
    r = await submit(office)
    with pytest.raises(NotYourStep, match="menjadi kewenangan Kepala Dinas"):
        await act(office, KABID, r, Action.DISPOSE)
    outsider = await office.store.upsert_person(OUTSIDER, "Orang Lain", now=office.clock())
    assert outsider.id
    with pytest.raises(NotYourStep):
        await act(office, OUTSIDER, r, Action.WITHDRAW)  # not their agency's request
    moved = await act(office, HEAD, r, Action.DISPOSE)
    # A double tap: the same button (old version) pressed again.
    head = await person(office, HEAD)
    with pytest.raises(AlreadyHandled, match=r"Sudah diproses: .* oleh Drs\. H\. Rahmadi"):
        await office.act(head, r.id, ActionInput(Action.DISPOSE, r.version))
    assert (await office.store.request(r.id)) == moved


async def test_two_holders_pressing_at_once_exactly_one_wins(office: Office) -> None:
    await office.store.set_position(Role.KABID, ADMIN, "Admin juga Kabid", now=office.clock())
    r = await act(office, HEAD, await submit(office), Action.DISPOSE)
    people = [await person(office, KABID), await person(office, ADMIN)]
    results = await asyncio.gather(
        *(office.act(p, r.id, ActionInput(Action.DISPOSE, r.version)) for p in people * 5),
        return_exceptions=True)
    assert sum(not isinstance(x, Exception) for x in results) == 1
    assert all(isinstance(x, AlreadyHandled) for x in results if isinstance(x, Exception))
    assert [e.action for e in await office.store.timeline(r.id)] == [
        "submit", "dispose", "dispose"]


async def test_kasi_picks_the_staff_when_there_are_several(office: Office) -> None:
    await office.store.set_position(Role.STAF_PRAKOM, STAFF2, "Dedi Prakom", now=office.clock())
    r = await act(office, HEAD, await submit(office), Action.DISPOSE)
    r = await act(office, KABID, r, Action.DISPOSE)
    with pytest.raises(WorkflowError, match="pilih Staf Pranata Komputer"):
        await act(office, KASI, r, Action.ORDER_CHECK)
    dedi = await person(office, STAFF2)
    r = await act(office, KASI, r, Action.ORDER_CHECK, assignee_id=dedi.id)
    with pytest.raises(NotYourStep):
        await act(office, STAFF, r, Action.SUBMIT_CHECK)
    r = await act(office, STAFF2, r, Action.SUBMIT_CHECK)
    assert r.state == State.REPORT_TO_KABID


async def test_a_step_goes_back_to_the_member_who_handled_the_request(office: Office) -> None:
    """Two Kasi on duty: the first visit of step 3 tells both; once one of them has acted on
    the request, the step comes back to that one alone. The other may still act."""
    await office.store.set_position(Role.KASI, ADMIN, "Kasi Kedua", now=office.clock())

    async def step_cards(r_id: int) -> list[int]:
        pending = await office.store.pending_messages(now=office.clock())
        return sorted(m.chat_id for m in pending if m.request_id == r_id
                      and "Tahap 3" in m.payload.get("text", "") and m.payload.get("buttons"))

    async def drain() -> None:
        for m in await office.store.pending_messages(now=office.clock()):
            await office.store.mark_sent(m.id, now=office.clock())

    r = await act(office, HEAD, await submit(office), Action.DISPOSE)
    await drain()
    r = await act(office, KABID, r, Action.DISPOSE)
    assert await step_cards(r.id) == sorted([KASI, ADMIN])
    await drain()
    r = await act(office, ADMIN, r, Action.RETURN, "Mohon lengkapi tujuan penggunaan")
    assert r.state == State.DISPOSITION_KABID
    r = await act(office, KABID, r, Action.DISPOSE)
    assert await step_cards(r.id) == [ADMIN]
    r = await act(office, KASI, r, Action.ORDER_CHECK)  # the other member may still act
    assert r.state == State.TECHNICAL_CHECK


async def test_acting_head_receives_the_step_and_is_audited(office: Office) -> None:
    await office.store.set_position(
        Role.KEPALA_DINAS, 777, "Ir. Pelaksana Tugas", now=office.clock(), acting="plt",
        valid_from=date(2026, 11, 1), valid_until=date(2026, 12, 31))
    r = await submit(office, "acting")
    pending = await office.store.pending_messages(now=office.clock())
    assert [m.chat_id for m in pending if m.request_id == r.id] == [777, REQUESTER]
    r = await act(office, 777, r, Action.DISPOSE)
    last = (await office.store.timeline(r.id))[-1]
    assert (last.actor_name, last.actor_role, last.acting) == (
        "Ir. Pelaksana Tugas", Role.KEPALA_DINAS, "plt")


async def test_each_transition_queues_the_next_holders_buttons(office: Office) -> None:
    r = await act(office, HEAD, await submit(office), Action.DISPOSE)
    pending = await office.store.pending_messages(now=office.clock())
    kabid = [m for m in pending if m.chat_id == KABID]
    assert len(kabid) == 1
    labels = [row[0][0] for row in kabid[0].payload["buttons"]]
    assert labels == [*(f"Disposisi ke Kasi · {i.value}" for i in Instruction), "Kembalikan"]
    assert all(len(row[0][1].encode()) <= 64 for row in kabid[0].payload["buttons"])
    # An internal hand-over does not message the requester; their submission receipt
    # carries a withdrawal button that stays valid while the request moves on.
    [receipt] = [m for m in pending if m.chat_id == REQUESTER]
    assert "telah diterima dengan nomor" in receipt.payload["text"]
    [[(label, data)]] = receipt.payload["buttons"]
    assert (label, data) == ("Tarik permohonan", f"a:{r.id}:0:withdraw")
    assert r.version == 2
    requester = await person(office, REQUESTER)
    withdrawn = await office.act(requester, r.id, ActionInput(Action.WITHDRAW, 0))
    assert withdrawn.state == State.WITHDRAWN
    with pytest.raises(RequestClosed):
        await office.act(requester, r.id, ActionInput(Action.WITHDRAW, 0))


async def test_a_version_free_button_only_works_for_transitions_that_allow_it(
    office: Office,
) -> None:
    r = await submit(office)
    head = await person(office, HEAD)
    with pytest.raises(AlreadyHandled):
        await office.act(head, r.id, ActionInput(Action.DISPOSE, 0))


async def test_pending_tasks_count_work_not_options(office: Office) -> None:
    r = await submit(office)
    requester = await person(office, REQUESTER)
    head = await person(office, HEAD)
    assert await office.pending_for(requester) == []  # withdrawing is an option, not a task
    assert [p.id for p in await office.pending_for(head)] == [r.id]
    r = await drive_to_decision(office, r)
    r = await act(office, KABID, r, Action.REJECT_EXISTS)
    r = await act(office, HEAD, r, Action.SIGN)
    assert [p.id for p in await office.pending_for(requester)] == [r.id]  # "Diterima"


async def test_a_new_acting_official_receives_the_steps_waiting_for_the_position(
    office: Office,
) -> None:
    waiting = await submit(office, "menunggu")
    moved_on = await act(office, HEAD, await submit(office, "lanjut"), Action.DISPOSE)
    holder = await office.store.set_position(
        Role.KEPALA_DINAS, 777, "Ir. Pelaksana Tugas", now=office.clock(), acting="plh",
        valid_from=date(2026, 11, 1), valid_until=date(2026, 12, 31))
    assert await office.hand_over(holder) == 1
    cards = [m for m in await office.store.pending_messages(now=office.clock(), limit=500)
             if m.chat_id == 777 and m.kind == "card"]
    assert [m.request_id for m in cards] == [waiting.id]
    assert moved_on.id not in [m.request_id for m in cards]
    labels = [row[0][0] for row in cards[0].payload["buttons"]]
    assert labels == STEP_1_BUTTONS
