"""The yearly re-confirmation on the office clock the tests move: asked once when due,
reminded twice RECONFIRM_REMIND_DAYS apart, then the Kabid is asked to approve a suspension;
"Masih digunakan" confirms the name, "Tidak digunakan lagi" opens a deactivation request. Each
step's messages are queued with it (read here from the outbox, which nothing sends)."""

from __future__ import annotations

from datetime import timedelta

from bot.reconfirm import PAGE, months_before
from bot.service import Office
from storage.subdomains import ZoneName
from tests.deadlines.conftest import Opened, Outbox, set_to
from tests.support.office import KABID, REQUESTER, Clock, person

LABEL = "arsip"
RECORDS = ((f"{LABEL}.balangankab.go.id", "A", "203.0.113.50", 300),)


async def owned_name(office: Office) -> None:
    """`arsip`, imported from the zone and given to the health office today."""
    await office.store.import_names([ZoneName(LABEL, RECORDS, "A 203.0.113.50")],
                                    now=office.clock())
    await office.register.assign(LABEL, "dinkes")


def texts_to(queued: list, chat: int) -> list[str]:  # type: ignore[type-arg]
    return [m.payload.get("text", "") for m in queued if m.chat_id == chat]


async def test_asked_when_due_reminded_twice_then_the_kabid_is_asked(
        seeded: Opened, clock: Clock) -> None:
    set_to(clock, "2025-11-30 09:00")
    office = await seeded.office()
    await owned_name(office)
    outbox = Outbox(office)
    await outbox.new()

    set_to(clock, "2026-11-29 09:00")  # a day short of a year: nothing yet
    assert not (await office.reconfirm.round()).anything
    assert await outbox.new() == []

    set_to(clock, "2026-11-30 09:00")
    done = await office.reconfirm.round()
    assert done.asked == (LABEL,)
    [question] = await outbox.new()
    assert question.chat_id == REQUESTER
    assert "Konfirmasi penggunaan subdomain" in question.payload["text"]
    assert "arsip.balangankab.go.id" in question.payload["text"]
    assert [t for row in question.payload["buttons"] for t, _ in row] == [
        "Masih digunakan", "Tidak digunakan lagi"]
    assert not (await office.reconfirm.round()).anything  # asked once
    assert await outbox.new() == []

    for n in (1, 2):
        clock.advance(days=6, hours=23)
        assert not (await office.reconfirm.round()).anything
        clock.advance(hours=1)
        assert (await office.reconfirm.round()).reminded == (LABEL,)
        [reminder] = await outbox.new()
        assert reminder.chat_id == REQUESTER
        assert f"Pengingat {n}/2" in reminder.payload["text"]

    clock.advance(days=7)
    done = await office.reconfirm.round()
    [number] = done.suspensions
    request = await office.store.request(number)
    assert (request.kind, request.state) == ("penangguhan", "penangguhan_decision")
    queued = await outbox.new()
    kabid = texts_to(queued, KABID)
    assert kabid and "Persetujuan penangguhan oleh Kabid" in kabid[0]
    card = next(m for m in queued if m.chat_id == KABID)
    labels = [t for row in card.payload["buttons"] for t, _ in row]
    assert "Setujui penangguhan" in labels and "Tetap aktifkan" in labels
    assert texts_to(queued, REQUESTER) == []  # the agency hears of it by the outcome
    assert not (await office.reconfirm.round()).anything  # once
    assert await outbox.new() == []


async def test_a_round_goes_over_more_names_than_a_page_each_once(
        seeded: Opened, clock: Clock) -> None:
    """The names due and the open questions are read PAGE at a time: every name is asked
    once, and reminded once when the wait is over, across the pages."""
    set_to(clock, "2025-11-30 09:00")
    office = await seeded.office()
    labels = [f"arsip{i:04d}" for i in range(PAGE + 3)]
    await office.store.import_names(
        [ZoneName(label, ((f"{label}.balangankab.go.id", "A", "203.0.113.50", 300),),
                  "A 203.0.113.50") for label in labels], now=office.clock())
    for label in labels:
        await office.register.assign(label, "dinkes")
    outbox = Outbox(office)
    await outbox.new()

    set_to(clock, "2026-11-30 09:00")
    assert (await office.reconfirm.round()).asked == tuple(labels)
    assert len(await office.store.open_reconfirmations()) == len(labels)
    clock.advance(days=7)
    done = await office.reconfirm.round()
    assert (done.asked, done.reminded) == ((), tuple(labels))
    assert not (await office.reconfirm.round()).anything


async def test_masih_digunakan_confirms_the_name_for_another_year(
        seeded: Opened, clock: Clock) -> None:
    set_to(clock, "2025-11-30 09:00")
    office = await seeded.office()
    await owned_name(office)
    set_to(clock, "2026-12-01 09:00")
    await office.reconfirm.round()
    [asked] = await office.store.open_reconfirmations()
    contact = await person(office, REQUESTER)

    said = await office.reconfirm.answer(contact, asked.id, True)

    assert "tercatat masih digunakan" in said
    entry = await office.store.registered_name(LABEL)
    assert entry is not None and entry.confirmed_at == clock()
    assert await office.store.open_reconfirmations() == []
    assert "sudah dijawab" in await office.reconfirm.answer(contact, asked.id, False)
    clock.advance(days=30)
    assert not (await office.reconfirm.round()).anything  # no reminders after the answer
    clock.now += timedelta(days=365)
    assert (await office.reconfirm.round()).asked == (LABEL,)


async def test_tidak_digunakan_lagi_opens_a_deactivation_request(
        seeded: Opened, clock: Clock) -> None:
    set_to(clock, "2025-11-30 09:00")
    office = await seeded.office()
    await owned_name(office)
    set_to(clock, "2026-12-01 09:00")
    await office.reconfirm.round()
    [asked] = await office.store.open_reconfirmations()
    outbox = Outbox(office)
    await outbox.new()

    said = await office.reconfirm.answer(await person(office, REQUESTER), asked.id, False)

    [request] = await office.store.requests(subdomain=LABEL)
    assert request.number in said
    assert (request.kind, request.state) == ("penonaktifan", "penonaktifan_disposition_head")
    assert (request.target_kind, request.target_value) == ("ip", "203.0.113.50")
    queued = await outbox.new()
    assert any("Disposisi Kepala Dinas" in t for m in queued
               for t in [m.payload.get("text", "")])
    clock.advance(days=30)
    assert not (await office.reconfirm.round()).anything


async def test_only_the_owner_answers_and_zero_months_asks_nothing(
        seeded: Opened, clock: Clock) -> None:
    set_to(clock, "2025-11-30 09:00")
    office = await seeded.office()
    await owned_name(office)
    set_to(clock, "2026-12-01 09:00")
    off = await seeded.office(RECONFIRM_MONTHS="0")
    assert not (await off.reconfirm.round()).anything
    await office.reconfirm.round()
    [asked] = await office.store.open_reconfirmations()
    said = await office.reconfirm.answer(await person(office, KABID), asked.id, False)
    assert "hanya dapat dijawab oleh kontak" in said
    assert await office.store.requests(subdomain=LABEL) == []


def test_months_before_keeps_the_day_or_takes_the_months_last() -> None:
    from datetime import date

    assert months_before(date(2026, 11, 30), 12) == date(2025, 11, 30)
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert months_before(date(2026, 1, 15), 1) == date(2025, 12, 15)


async def test_no_reminder_while_a_request_on_the_name_is_open(
        seeded: Opened, clock: Clock) -> None:
    from datetime import date

    from storage.models import NewRequest

    set_to(clock, "2025-11-30 09:00")
    office = await seeded.office()
    await owned_name(office)
    set_to(clock, "2026-12-01 09:00")
    await office.reconfirm.round()
    contact = await person(office, REQUESTER)
    agency = await office.store.agency_by_code("dinkes")
    filed = await office.submit(NewRequest(
        agency_id=agency.id, requester_id=contact.id, subdomain=LABEL, purpose="Tidak dipakai",
        target_kind="hosting", target_value=None, letter_number="400/9/Dinkes/2026",
        letter_date=date(2026, 12, 1), kind="penonaktifan"))
    assert filed.target_value == "203.0.113.50"
    clock.advance(days=30)
    assert not (await office.reconfirm.round()).anything
    assert len(await office.store.open_reconfirmations()) == 1
