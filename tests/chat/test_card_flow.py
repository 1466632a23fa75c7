"""The step card asks and confirms itself: Batal, a second card, a withdrawal while the card
waits for a note, a card pressed without its choice, the signing confirmation, the note shown
as typed. Each time: what the card shows, what changed (nothing, where refused), and that no
other message arrived (the emulator's call log once the outbox is idle)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.callbacks import ActionButton
from bot.service import Office
from bot.workflow import Action, Instruction, State
from devtools.emulator import BotApiEmulator, SimMessage, SimUser
from tests.support.chat import (
    STEP_1_BUTTONS,
    STEPS_TO_DECISION,
    advance,
    audit_actions,
    done_on,
    file_request,
    office_bot,
    owed,
    scene,
    take,
)
from tests.support.office import KABID, REQUESTER
from tests.support.taps import PROBE


def sent_to(user: SimUser) -> int:
    """New bot messages in the user's chat so far (edits not counted)."""
    return sum(1 for c in user.emu.calls if c.ok and c.method in ("sendMessage", "sendDocument")
               and str(c.params.get("chat_id")) == str(user.chat_id))


async def idle(user: SimUser, on: SimMessage, office: Office) -> None:
    """Every update handled (a probe press is answered after them) and the outbox idle."""
    assert await user.press_data(on, PROBE) is not None
    for _ in range(200):
        if not await owed(office):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the outbox did not become idle")


async def test_batal_puts_the_card_back_and_nothing_changes(emu: BotApiEmulator,
                                                            tmp_path: Path) -> None:
    s = await scene(emu, tmp_path)
    head = s.people.head
    async with office_bot(s) as (_app, office):
        request = await file_request(office)
        card = await head.wait_for("Tahap 1")
        before = sent_to(head)
        assert await head.press(card, "Disposisi ke Kabid · Koordinasikan") is None
        prompt = await head.wait_for(lambda m: m.edited and m.message_id == card.message_id)
        assert "✏️ Disposisi ke Kabid · Koordinasikan" in prompt.text
        assert prompt.button_texts == ["Lewati", "Batal"]
        assert await head.press(prompt, "Batal") == "Dibatalkan; tidak ada yang berubah."
        back = await head.wait_for(lambda m: m.edited and m.message_id == card.message_id)
        assert back.text == card.text and back.button_texts == STEP_1_BUTTONS
        # A note typed now belongs to nothing: it changes nothing.
        await head.send_text("Catatan tanpa tindakan")
        await head.wait_for(lambda m: not m.edited and m.message_id > card.message_id)
        await idle(head, back, office)
        assert await audit_actions(office, request) == ["submit"]
        assert sent_to(head) == before + 1  # only the answer to the stray text


async def test_the_batal_command_puts_the_card_back_too(emu: BotApiEmulator,
                                                       tmp_path: Path) -> None:
    s = await scene(emu, tmp_path)
    head = s.people.head
    async with office_bot(s) as (_app, office):
        request = await file_request(office)
        card = await head.wait_for("Tahap 1")
        await head.press(card, "Tolak permohonan")
        await head.wait_for(lambda m: m.edited and "✏️" in m.text)
        await head.send_command("/batal")
        await head.wait_for("Isian dibatalkan")
        back = await head.wait_for(lambda m: m.edited and m.message_id == card.message_id
                                   and "✏️" not in m.text)
        assert back.text == card.text and back.button_texts == STEP_1_BUTTONS
        assert await office.session(head.user_id, "action") is None
        await idle(head, back, office)
        assert await audit_actions(office, request) == ["submit"]


async def test_a_second_card_puts_the_first_back(emu: BotApiEmulator, tmp_path: Path) -> None:
    s = await scene(emu, tmp_path)
    head = s.people.head
    async with office_bot(s) as (_app, office):
        first = await file_request(office, "satu")
        second = await file_request(office, "dua")
        card1 = await head.wait_for(lambda m: "Tahap 1" in m.text and first.number in m.text)
        card2 = await head.wait_for(lambda m: "Tahap 1" in m.text and second.number in m.text)
        await head.press(card1, "Tolak permohonan")
        await head.wait_for(lambda m: m.edited and m.message_id == card1.message_id)
        await head.press(card2, "Disposisi ke Kabid · Untuk diketahui")
        restored = await head.wait_for(lambda m: m.edited and m.message_id == card1.message_id)
        assert restored.button_texts == STEP_1_BUTTONS
        await head.wait_for(lambda m: m.edited and m.message_id == card2.message_id)
        await head.send_text("Untuk arsip")
        done = await head.wait_for(done_on(card2))
        assert "✅ Disposisi ke Kabid · Untuk diketahui" in done.text
        assert "Catatan: Untuk arsip" in done.text
        assert (await office.store.request(first.id)).state == State.DISPOSITION_HEAD
        moved = await office.store.request(second.id)
        assert moved.state == State.DISPOSITION_KABID
        [*_, entry] = await office.store.timeline(second.id)
        assert (entry.instruction, entry.note) == (Instruction.FOR_INFORMATION.value, "Untuk arsip")


async def test_withdrawn_while_the_card_waits_for_the_note(emu: BotApiEmulator,
                                                           tmp_path: Path) -> None:
    s = await scene(emu, tmp_path)
    head = s.people.head
    async with office_bot(s) as (_app, office):
        request = await file_request(office)
        card = await head.wait_for("Tahap 1")
        await head.press(card, "Disposisi ke Kabid · Tindak lanjuti")
        await head.wait_for(lambda m: m.edited and "✏️" in m.text)
        await take(office, REQUESTER, request, Action.WITHDRAW, "Tidak jadi")
        told = await head.wait_for(lambda m: m.edited and m.message_id == card.message_id
                                   and "⛔" in m.text)
        assert told.buttons == []
        await head.send_text("Segera")
        refused = await head.wait_for(lambda m: not m.edited and "Sudah diproses" in m.text)
        assert "Permohonan ditarik" in refused.text
        await idle(head, refused, office)
        now = next(m for m in head.inbox if m.message_id == card.message_id)
        assert "⛔" in now.text and now.buttons == [], "the withdrawal stays on the card"
        assert (await office.store.request(request.id)).state == State.WITHDRAWN
        assert await audit_actions(office, request) == ["submit", "withdraw"]


async def test_a_card_without_its_choice_shows_the_choices(emu: BotApiEmulator,
                                                           tmp_path: Path) -> None:
    """A plain action button (a reminder's, or a card sent before the cards carried choices):
    the card offers the choices itself; the whole action still lives on the card."""
    s = await scene(emu, tmp_path)
    head = s.people.head
    async with office_bot(s) as (_app, office):
        request = await file_request(office)
        card = await head.wait_for("Tahap 1")
        plain = ActionButton(request.id, request.version, Action.DISPOSE).pack()
        assert await head.press_data(card, plain) is None
        choose = await head.wait_for(lambda m: m.edited and m.message_id == card.message_id)
        assert choose.button_texts == [*STEP_1_BUTTONS[:4], "Batal"]
        await head.send_text("Segera")
        await head.wait_for("Mohon pilih dahulu")
        await head.press(choose, "Disposisi ke Kabid · Pelajari dan laporkan")
        prompt = await head.wait_for(lambda m: m.edited and "✏️" in m.text)
        assert prompt.text.startswith(card.text) and "Mohon pilih" not in prompt.text
        await head.press(prompt, "Lewati")
        done = await head.wait_for(done_on(card))
        assert done.text.startswith(card.text) and done.buttons == []
        [*_, entry] = await office.store.timeline(request.id)
        assert entry.instruction == Instruction.STUDY_AND_REPORT.value


async def test_signing_is_one_tap_and_a_confirmation(emu: BotApiEmulator,
                                                     tmp_path: Path) -> None:
    s = await scene(emu, tmp_path)
    head = s.people.head
    async with office_bot(s) as (_app, office):
        request = await advance(office, await file_request(office), STEPS_TO_DECISION)
        request = await take(office, KABID, request, Action.REJECT_EXISTS)
        card = await head.wait_for(lambda m: "Tahap 8" in m.text and not m.edited, timeout=10)
        before = sent_to(head)
        await head.press(card, "Setujui dan tandatangani")
        prompt = await head.wait_for(lambda m: m.edited and "✏️" in m.text)
        assert prompt.button_texts == ["Ya, tandatangani", "Batal"]
        await head.press(prompt, "Ya, tandatangani")
        done = await head.wait_for(done_on(card), timeout=10)
        assert "✅ Setujui dan tandatangani oleh Drs. H. Rahmadi, M.Si" in done.text
        await idle(head, done, office)
        assert sent_to(head) == before, "no message besides the card's edit"
        assert (await office.store.request(request.id)).state == State.DELIVERY
