"""Reminders, the overdue mark and escalation, computed by the scheduler on a real SQLite file."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.deadlines import Level, ReminderScheduler
from bot.settings import Settings
from bot.workflow import SOP, Action, Instruction, Role, State
from bot.worktime import WorkDays, WorkMinutes
from storage.models import QueuedMessage
from storage.reminders import ReminderLog
from tests.deadlines.conftest import GROUP, Opened, Outbox, set_to, wita
from tests.support.chat import STEP_1_BUTTONS
from tests.support.office import (
    ADMIN,
    HEAD,
    KABID,
    KASI,
    STAFF,
    Clock,
    act,
    office_settings,
    submit,
)

PLT = 401


def to(messages: list[QueuedMessage], chat: int) -> list[QueuedMessage]:
    return [m for m in messages if m.chat_id == chat]


async def levels(scheduler: ReminderScheduler, request_id: int) -> list[int]:
    request = await scheduler.office.store.request(request_id)
    return [level for level, _ in await scheduler.log.levels(request.id, request.version)]


def standard_duration(state: str, settings: Settings) -> WorkMinutes | WorkDays | None:
    step = SOP.with_standard_times(settings.standard_times).step(state)
    return step.standard_time if step else None


def test_standard_times_come_from_the_sop_and_the_settings() -> None:
    settings = office_settings(
        STANDARD_TIMES="letter_signoff=2h,letter_revision=2h,delivery=3d")
    assert standard_duration(State.DISPOSITION_HEAD, settings) == WorkMinutes(15)
    assert standard_duration(State.TECHNICAL_CHECK, settings) == WorkDays(1)
    assert standard_duration(State.REPORT_TO_KABID, settings) == WorkMinutes(60)
    assert standard_duration(State.LETTER_SIGNOFF, settings) == WorkMinutes(120)
    assert standard_duration(State.LETTER_REVISION, settings) == WorkMinutes(120)
    assert standard_duration(State.DELIVERY, settings) == WorkDays(3)
    assert standard_duration(State.COMPLETED, settings) is None
    default = office_settings()
    assert standard_duration(State.LETTER_SIGNOFF, default) == WorkDays(1)


async def test_deadlines_skip_evening_weekend_and_christmas(seeded: Opened, clock: Clock) -> None:
    # Wednesday 23 December 2026, 15:55 WITA: five minutes before closing. Thursday 24 is cuti
    # bersama, Friday 25 Christmas, then the weekend: the first reminder falls on Monday 28th
    # at 07:40 (5 working minutes on Wednesday, 10 on Monday).
    set_to(clock, "2026-12-23 15:55")
    scheduler = await seeded.scheduler(MAX_OPEN_REQUESTS="0")  # one requester, many requests
    request = await submit(scheduler.office)
    assert await scheduler.next_due(clock()) == wita("2026-12-28 07:40")
    assert await scheduler.scan(wita("2026-12-28 07:39")) == 0
    assert await scheduler.scan(wita("2026-12-28 07:40")) == 1
    assert await scheduler.next_due(clock()) == wita("2026-12-28 07:55")
    assert await levels(scheduler, request.id) == [1]

    # Step 4 counts working days: entered Wednesday 10:00, due the next working day at 10:00.
    set_to(clock, "2026-12-23 10:00")
    other = await submit(scheduler.office, "lain")
    other = await act(scheduler.office, HEAD, other, Action.DISPOSE,
                      instruction=Instruction.FOLLOW_UP)
    other = await act(scheduler.office, KABID, other, Action.DISPOSE,
                      instruction=Instruction.FOLLOW_UP)
    other = await act(scheduler.office, KASI, other, Action.ORDER_CHECK)
    assert other.state == State.TECHNICAL_CHECK
    duration = standard_duration(other.state, scheduler.office.settings)
    assert duration is not None
    assert scheduler.clock.multiples(other.state_since, duration, 1) == wita("2026-12-28 10:00")
    assert scheduler.clock.multiples(other.state_since, duration, 3) == wita("2026-12-30 10:00")

    # A day off the admin adds (EXTRA_HOLIDAYS) moves the deadline on by a working day.
    extra = await seeded.scheduler(EXTRA_HOLIDAYS="2026-12-28", MAX_OPEN_REQUESTS="0")
    fresh = await submit(extra.office, "baru")
    assert fresh.state_since == wita("2026-12-23 10:00")
    assert extra.clock.multiples(fresh.state_since, WorkMinutes(15), 1) == wita(
        "2026-12-23 10:15")
    set_to(clock, "2026-12-23 15:55")
    late = await submit(extra.office, "sore")
    assert extra.clock.multiples(late.state_since, WorkMinutes(15), 1) == wita("2026-12-29 07:40")


async def test_each_level_fires_once_also_across_a_restart(seeded: Opened, clock: Clock) -> None:
    set_to(clock, "2026-11-30 09:00")  # Monday
    scheduler = await seeded.scheduler()
    outbox = Outbox(scheduler.office)
    request = await submit(scheduler.office)
    await outbox.new()

    assert await scheduler.scan(wita("2026-11-30 09:14")) == 0
    assert await scheduler.scan(wita("2026-11-30 09:15")) == 1
    first = await outbox.new()
    assert [m.chat_id for m in first] == [HEAD]
    text = first[0].payload["text"]
    assert text.startswith("⏰ <b>Pengingat</b>: permohonan <b>SD-2026-0001</b>")
    assert "menunggu tindakan Bapak/Ibu pada tahap 1 (Disposisi Kepala Dinas)" in text
    assert "sejak 30-11-2026 pukul 09.00 WITA; waktu standar 15 menit." in text
    assert [row[0][0] for row in first[0].payload["buttons"]] == STEP_1_BUTTONS
    assert first[0].request_id == request.id
    assert await scheduler.scan(wita("2026-11-30 09:20")) == 0

    # A restart: a new Store and scheduler on the same file remember what was sent.
    await seeded.close(scheduler.office)
    scheduler = await seeded.scheduler()
    outbox = Outbox(scheduler.office, outbox.seen)
    assert await scheduler.scan(wita("2026-11-30 09:29")) == 0
    assert await outbox.new() == []

    assert await scheduler.scan(wita("2026-11-30 09:30")) == 1
    second = await outbox.new()
    assert [m.chat_id for m in second] == [HEAD, GROUP]
    assert "<b>Pengingat kedua</b>" in second[0].payload["text"]
    assert "telah melewati dua kali waktu standar (30 menit)" in second[0].payload["text"]
    card = second[1]
    assert card.kind == "card" and card.payload["key"] == f"card:{request.id}"
    assert card.payload["text"].endswith("⚠️ Melewati waktu standar")

    # The Kepala Dinas has no superior: the escalation goes to the admins.
    assert await scheduler.scan(wita("2026-11-30 09:45")) == 1
    third = await outbox.new()
    assert [m.chat_id for m in third] == [ADMIN, GROUP]
    text = third[0].payload["text"]
    assert text.startswith("⚠️ <b>Eskalasi</b>: permohonan <b>SD-2026-0001</b>")
    assert "menunggu tindakan Kepala Dinas (Drs. H. Rahmadi, M.Si)" in text
    assert "telah melewati tiga kali waktu standar (45 menit)" in text
    assert third[0].payload["buttons"] == []
    assert "dieskalasikan kepada Admin" in third[1].payload["text"]

    assert await scheduler.scan(wita("2026-12-07 09:00")) == 0
    assert await outbox.new() == []
    assert await levels(scheduler, request.id) == [1, 2, 3]
    assert await scheduler.next_due(clock()) is None


async def test_after_downtime_only_the_escalation_is_sent(seeded: Opened, clock: Clock) -> None:
    set_to(clock, "2026-11-30 09:00")
    scheduler = await seeded.scheduler()
    office = scheduler.office
    request = await submit(office)
    request = await act(office, HEAD, request, Action.DISPOSE, instruction=Instruction.FOLLOW_UP)
    outbox = Outbox(office)
    await outbox.new()

    # The bot was down until the afternoon: step 2 (Kabid, 15 minutes) is far past 3x.
    assert await scheduler.scan(wita("2026-11-30 14:00")) == 1
    sent = await outbox.new()
    assert [m.chat_id for m in sent] == [HEAD, GROUP], "Kabid's superior, and the card"
    assert "Eskalasi" in sent[0].payload["text"]
    assert "Kepala Bidang Layanan e-Government (Siti Aminah, S.Kom)" in sent[0].payload["text"]
    assert to(sent, KABID) == []
    recorded = await scheduler.log.levels(request.id, request.version)
    assert [level for level, _ in recorded] == [1, 2, 3]
    assert {at for _, at in recorded} == {wita("2026-11-30 14:00")}
    assert await scheduler.scan(wita("2026-11-30 15:00")) == 0

    # A transition starts a new visit: its clock runs from the transition.
    clock.now = wita("2026-11-30 14:05")
    request = await act(office, KABID, request, Action.DISPOSE, instruction=Instruction.FOLLOW_UP)
    await outbox.new()
    assert await scheduler.scan(wita("2026-11-30 14:19")) == 0
    assert await scheduler.scan(wita("2026-11-30 14:20")) == 1
    assert [m.chat_id for m in await outbox.new()] == [KASI]

    # Staff steps escalate to the Kasi.
    request = await act(office, KASI, request, Action.ORDER_CHECK)
    await outbox.new()
    assert await scheduler.scan(wita("2026-12-03 15:00")) == 1
    sent = await outbox.new()
    assert [m.chat_id for m in sent] == [KASI, GROUP]
    assert "Staf Pranata Komputer (Rina Prakom)" in sent[0].payload["text"]
    assert to(sent, STAFF) == []


async def test_acting_official_receives_the_reminders(seeded: Opened, clock: Clock) -> None:
    set_to(clock, "2026-11-30 15:40")  # Monday afternoon
    scheduler = await seeded.scheduler()
    office = scheduler.office
    await office.store.set_position(
        Role.KEPALA_DINAS, PLT, "Ir. Pejabat Pelaksana", now=clock(), acting="plt",
        valid_from=wita("2026-11-30 09:00").date(), valid_until=wita("2026-11-30 09:00").date())
    outbox = Outbox(office)
    await submit(office)
    await outbox.new()
    assert await scheduler.scan(wita("2026-11-30 15:55")) == 1
    assert [m.chat_id for m in await outbox.new()] == [PLT]

    # The Plt. served until Monday; on Tuesday the Kepala Dinas gets the second reminder.
    assert await scheduler.scan(wita("2026-12-01 07:40")) == 1
    assert [m.chat_id for m in await outbox.new()] == [HEAD, GROUP]


async def test_two_schedulers_fire_each_level_once(seeded: Opened, clock: Clock) -> None:
    set_to(clock, "2026-11-30 09:00")
    one = await seeded.scheduler()
    two = await seeded.scheduler()
    for name in ("satu", "dua", "tiga"):
        await submit(one.office, name)
    outbox = Outbox(one.office)
    await outbox.new()

    for now, expected in ((wita("2026-11-30 09:15"), [HEAD] * 3),
                          (wita("2026-11-30 11:00"), [ADMIN, GROUP] * 3)):
        fired = await asyncio.gather(one.scan(now), two.scan(now), one.scan(now), two.scan(now))
        assert sum(fired) == 3
        assert sorted(m.chat_id for m in await outbox.new()) == sorted(expected)
    fired_levels = await ReminderLog(two.office.store.db).fired(two.office.workflow.open_states)
    assert sorted(fired_levels.values()) == [Level.ESCALATION] * 3


async def test_step_8_uses_the_configured_time(seeded: Opened, clock: Clock) -> None:
    set_to(clock, "2026-11-30 09:00")
    scheduler = await seeded.scheduler(STANDARD_TIMES="letter_signoff=2h")
    office = scheduler.office
    request = await submit(office)
    request = await act(office, HEAD, request, Action.DECLINE, "Tidak sesuai ketentuan")
    assert request.state == State.DECLINED
    assert await scheduler.next_due(clock()) is None
    # A closed request is never reminded.
    assert await scheduler.scan(clock() + timedelta(days=30)) == 0


async def test_a_catch_up_is_spread_over_rounds(seeded: Opened, clock: Clock) -> None:
    """After downtime, a round fires at most `per_round` reminders (those due longest first)
    and comes back soon for the rest; nothing is fired twice, nothing is left out."""
    set_to(clock, "2026-11-30 09:00")
    scheduler = await seeded.scheduler(MAX_OPEN_REQUESTS="0")
    scheduler.per_round = 2
    for name in ("satu", "dua", "tiga", "empat", "lima"):
        await submit(scheduler.office, name)
        clock.advance(minutes=1)
    outbox = Outbox(scheduler.office)
    await outbox.new()
    set_to(clock, "2026-12-02 09:00")  # every one of them long overdue
    sleeps, fired = [], []
    for _ in range(3):
        sleeps.append(await scheduler.round())
        fired.append(len({m.payload["text"] for m in await outbox.new()
                          if "Eskalasi" in m.payload["text"]}))
    assert fired == [2, 2, 1]
    assert sleeps[:2] == [scheduler.min_sleep] * 2 and sleeps[2] > scheduler.min_sleep
    assert await scheduler.scan(clock()) == 0
