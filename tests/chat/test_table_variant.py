"""Another office's variant of the SOP is an edit of the table, not of the code.

The variant adds a position (the Sekretaris) and a step between the sign-off (8) and the
delivery (9): the secretariat initials and records the signed letter before it counts as
delivered. Nothing but the table changes: the same Application, handlers, service, storage and
reminders run it, and the step's card, buttons, audit row, labels, trail and report follow.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from pypdf import PdfReader

from bot.durations import WorkMinutes
from bot.service import Appointment
from bot.workflow import (
    SOP,
    Action,
    Note,
    Position,
    Role,
    State,
    Step,
    Transition,
    Workflow,
)
from devtools.emulator import BotApiEmulator
from tests.support.botrun import cast, office_of, running_office_bot, seed, settings_for
from tests.support.chat import act, done_on, submit_by_chat
from tests.support.office import Clock

SECRETARY = "sekretaris"
PARAF = "paraf_sekretaris"
SECRETARY_ID = 108


def with_secretary_paraf(base: Workflow) -> Workflow:
    """The SOP with a Sekretaris who initials the signed letter between steps 8 and 9."""
    paraf = Step(
        PARAF, 9, SECRETARY, "Paraf dan pencatatan Sekretaris", "Paraf Sekretaris",
        "Memaraf dan mencatat surat balasan dalam agenda surat keluar",
        "Surat keluar", WorkMinutes(30), "Agenda surat keluar",
        (Transition("paraf", State.DELIVERY, "Paraf dan catat", note=Note.OPTIONAL,
                    tell_requester=True, done_label="Diparaf Sekretaris"),),
    )
    steps: list[Step] = []
    for step in base.steps:
        if step.state == State.LETTER_SIGNOFF:
            step = dataclasses.replace(step, transitions=tuple(
                dataclasses.replace(t, to=PARAF) if t.action == Action.SIGN else t
                for t in step.transitions))
        if step.state == State.DELIVERY:
            steps.append(paraf)
            step = dataclasses.replace(step, number=10)
        steps.append(step)
    positions = (*base.positions,
                 Position(SECRETARY, "Sekretaris Dinas", superior=Role.KEPALA_DINAS))
    return dataclasses.replace(base, positions=positions, steps=tuple(steps))


VARIANT = with_secretary_paraf(SOP)


def test_the_variant_is_a_valid_table() -> None:
    assert VARIANT.reachable_states() == set(VARIANT.all_states())
    assert VARIANT.step(PARAF) is not None
    assert VARIANT.title(SECRETARY) == "Sekretaris Dinas"
    assert VARIANT.superior(SECRETARY) == Role.KEPALA_DINAS
    assert "paraf_sekretaris : 9. Sekretaris Dinas (30 menit)" in VARIANT.to_mermaid()
    with pytest.raises(ValueError, match="unknown position"):
        dataclasses.replace(VARIANT, positions=SOP.positions)


async def test_a_journey_runs_through_the_added_step(emu: BotApiEmulator,
                                                     tmp_path: Path) -> None:
    clock = Clock()
    settings = settings_for(emu, tmp_path)
    await seed(settings, clock)
    people = cast(emu)
    secretary = emu.user(SECRETARY_ID, "Sekar")
    async with running_office_bot(settings, clock, workflow=VARIANT) as app:
        office = office_of(app)
        await office.appoint(Appointment(SECRETARY, SECRETARY_ID, "Sekar Wulandari, S.Sos"))
        number = await submit_by_chat(people.requester)
        for user, step, label, kw in (
            (people.head, 1, "Disposisi ke Kabid", {"choose": "Tindak lanjuti"}),
            (people.kabid, 2, "Disposisi ke Kasi", {"choose": "Tindak lanjuti"}),
            (people.kasi, 3, "Perintahkan pengecekan", {}),
            (people.staff, 4, "Kirim laporan teknis", {}),
            (people.kasi, 5, "Kirim laporan ke Kabid", {}),
            (people.kabid, 6, "Setujui pembuatan", {}),
            (people.staff, 7, "Buat subdomain", {}),
            (people.head, 8, "Setujui dan tandatangani", {}),
        ):
            card = await user.wait_for(f"Tahap {step}:", timeout=10)
            await act(user, card, label, **kw)

        card = await secretary.wait_for("Tahap 9: Paraf dan pencatatan Sekretaris", timeout=10)
        assert card.button_texts == ["Paraf dan catat"]
        assert "Waktu standar: 30 menit" in card.text
        request = await office.request(number)
        assert request.state == PARAF
        [holder] = await office.holders(SECRETARY)
        assert holder.person.name == "Sekar Wulandari, S.Sos"

        # Nobody else may take the secretary's step.
        assert "menjadi kewenangan" in (await people.head.press(card, "Paraf dan catat") or "")
        await act(secretary, card, "Paraf dan catat", "Sudah dicatat di agenda")
        told = await people.requester.wait_for("Diparaf Sekretaris", timeout=10)
        assert "Status sekarang: Penyampaian surat balasan" in told.text
        assert told.button_texts == ["Diterima"]
        await people.requester.press(told, "Diterima")
        await people.requester.wait_for(done_on(told))

        request = await office.request(number)
        assert request.state == State.COMPLETED
        events = await office.timeline(request)
        paraf = next(e for e in events if e.action == "paraf")
        assert (paraf.from_state, paraf.to_state, paraf.actor_role) == (
            PARAF, State.DELIVERY, SECRETARY)
        assert paraf.note == "Sudah dicatat di agenda"

        # The trail and the month's report read the new step from the table.
        await people.requester.send_command(f"/status {number}")
        trail = await people.requester.wait_for("Riwayat")
        assert "Diparaf Sekretaris — Sekar Wulandari, S.Sos (Sekretaris Dinas)" in trail.text
        report = await office.month_report(2026, 11, tmp_path / "report.pdf")
        text = " ".join(" ".join(page.extract_text() for page in PdfReader(report).pages).split())
        assert "9. Paraf dan pencatatan Sekretaris Sekretaris Dinas 30 menit 1" in text
        assert "9. Paraf Sekretaris" in text and "10. Penyampaian" in text
