"""Decline, return for revision and withdrawal, acted by chat on the real Application."""

from __future__ import annotations

from pathlib import Path

from bot.callbacks import ActionButton
from bot.workflow import Action, Instruction, Outcome, Role, State
from devtools.emulator import BotApiEmulator
from tests.support.chat import (
    STEP_1_BUTTONS,
    STEPS_TO_DECISION,
    act,
    advance,
    audit_actions,
    file_request,
    office_bot,
    scene,
    take,
)
from tests.support.office import HEAD

REASON = "Subdomain tidak sesuai tugas pokok dan fungsi Dinas"


async def test_decline_at_step_1_needs_a_typed_reason(emu: BotApiEmulator, tmp_path: Path) -> None:
    s = await scene(emu, tmp_path)
    head, requester = s.people.head, s.people.requester
    async with office_bot(s) as (_app, office):
        request = await file_request(office)
        card = await head.wait_for("Tahap 1")
        assert await head.press(card, "Tolak permohonan") is None
        ask = await head.wait_for(lambda m: m.edited and "✏️" in m.text)
        assert ask.button_texts == ["Batal"], "a mandatory reason offers no Lewati"
        # A forged "Lewati" press is refused, and nothing moves.
        assert await head.press_data(ask, "n:skip") == "Catatan wajib diisi untuk tindakan ini."
        assert (await office.store.request(request.id)).version == request.version

        await head.send_text(REASON)
        done = await head.wait_for(lambda m: m.edited and "✅" in m.text)
        assert done.message_id == card.message_id and done.buttons == []

        declined = await office.store.request(request.id)
        assert declined.state == State.DECLINED and declined.outcome == Outcome.DECLINED
        events = await office.store.timeline(request.id)
        assert [e.action for e in events] == ["submit", "decline"]
        assert events[-1].note == REASON and events[-1].actor_role == Role.KEPALA_DINAS

        told = await requester.wait_for(lambda m: "Ditolak" in m.text)
        assert f"Catatan: {REASON}" in told.text
        assert told.buttons == [], "nothing left to withdraw"


async def test_return_for_revision_shows_the_notes(emu: BotApiEmulator, tmp_path: Path) -> None:
    s = await scene(emu, tmp_path)
    head, kabid = s.people.head, s.people.kabid
    async with office_bot(s) as (_app, office):
        request = await file_request(office)
        await take(office, HEAD, request, Action.DISPOSE, "Mohon segera ditelaah",
                   instruction=Instruction.FOLLOW_UP)
        card = await kabid.wait_for("Tahap 2")
        assert "Catatan terakhir" in card.text and "Mohon segera ditelaah" in card.text

        await act(kabid, card, "Kembalikan", "Lampiran surat belum ditandatangani")
        back = await head.wait_for(lambda m: "Tahap 1" in m.text and "Lampiran" in m.text)
        # The head sees why it came back, and the earlier note too; and can act again.
        assert "Siti Aminah, S.Kom: Lampiran surat belum ditandatangani" in back.text
        assert "Drs. H. Rahmadi, M.Si: Mohon segera ditelaah" in back.text
        assert back.button_texts == STEP_1_BUTTONS

        moved = await office.store.request(request.id)
        assert moved.state == State.DISPOSITION_HEAD and moved.version == 3
        assert await audit_actions(office, request) == ["submit", "dispose", "return"]
        head_cards = [m for m in head.inbox if "Tahap 1" in m.text]
        assert len(head_cards) == 2


async def test_withdrawal_before_step_6_only(emu: BotApiEmulator, tmp_path: Path) -> None:
    s = await scene(emu, tmp_path)
    head, requester = s.people.head, s.people.requester
    async with office_bot(s) as (_app, office):
        first = await file_request(office)
        receipt = await requester.wait_for("telah diterima")
        assert receipt.button_texts == ["Tarik permohonan"]
        await act(requester, receipt, "Tarik permohonan", "Sudah tidak diperlukan")
        withdrawn = await office.store.request(first.id)
        assert withdrawn.state == State.WITHDRAWN
        last = (await office.store.timeline(first.id))[-1]
        assert (last.action, last.actor_role, last.note) == (
            "withdraw", Role.SKPD, "Sudah tidak diperlukan")
        # The head holding step 1 is told, and the card loses its buttons.
        told = await head.wait_for(lambda m: not m.edited and "tidak perlu" in m.text)
        assert "permohonan ditarik oleh Ahmad Dinkes" in told.text
        assert "Catatan: Sudah tidak diperlukan" in told.text
        edited = await head.wait_for(lambda m: m.edited and "⛔" in m.text)
        assert edited.buttons == [] and "Tahap 1" in edited.text
        # An old copy of the card's buttons (a reminder, /tugas) says who did what.
        old_button = ActionButton(first.id, first.version, Action.DISPOSE).pack()
        answer = await head.press_data(edited, old_button)
        assert answer is not None and answer.startswith(
            "Sudah diproses: Permohonan ditarik oleh Ahmad Dinkes pada ")

        second = await file_request(office, "portal")
        second = await advance(office, second, STEPS_TO_DECISION)
        assert second.state == State.DECISION
        # Internal hand-overs do not message the requester; the withdrawal button on the
        # submission receipt stays, and from step 6 on it is refused.
        update = await requester.wait_for(
            lambda m: "portal" in m.text and "telah diterima" in m.text, timeout=15)
        answer = await requester.press(update, "Tarik permohonan")
        assert answer == "Tindakan ini tidak tersedia pada tahap sekarang."
        forged = ActionButton(second.id, second.version, Action.WITHDRAW).pack()
        answer = await requester.press_data(update, forged)
        assert answer == "Tindakan ini tidak tersedia pada tahap sekarang."
        still = await office.store.request(second.id)
        assert still.state == State.DECISION and still.version == second.version
