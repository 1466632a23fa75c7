"""A seeded office on a real SQLite file, and a clock the tests control."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bot.service import ActionInput, Office
from bot.settings import Settings
from bot.workflow import Action, Instruction, Role
from storage.models import NewRequest, Person, Request
from storage.store import Store

# Telegram user ids of the seeded people.
HEAD, KABID, KASI, STAFF, STAFF2, ADMIN, REQUESTER, OUTSIDER = (
    101, 102, 103, 104, 105, 106, 201, 301)


@dataclass
class Clock:
    now: datetime = field(default_factory=lambda: datetime(2026, 11, 30, 1, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


async def seed_people(store: Store, now: datetime, *, two_staff: bool = False) -> None:
    await store.set_position(Role.KEPALA_DINAS, HEAD, "Drs. H. Rahmadi, M.Si", now=now,
                             nip="197001011990031001", rank="Pembina Utama Muda")
    await store.set_position(Role.KABID, KABID, "Siti Aminah, S.Kom", now=now)
    await store.set_position(Role.KASI, KASI, "Budi Santoso, S.T", now=now)
    await store.set_position(Role.STAF_PRAKOM, STAFF, "Rina Prakom", now=now)
    if two_staff:
        await store.set_position(Role.STAF_PRAKOM, STAFF2, "Dedi Prakom", now=now)
    await store.set_position(Role.ADMIN, ADMIN, "Admin Diskominfo", now=now)
    await store.add_agency("dinkes", "Dinas Kesehatan",
                           "Kepala Dinas Kesehatan Kabupaten Balangan")
    await store.add_agency_contact("dinkes", REQUESTER, "Ahmad Dinkes", now=now)


async def open_office(path: Path, clock: Clock, **settings: str) -> Office:
    store = await Store.open(path)
    env = {"DATABASE_PATH": str(path), **settings}
    return Office(store, Settings.from_mapping(env), clock)


async def person(office: Office, telegram_user_id: int) -> Person:
    found = await office.store.person_by_telegram(telegram_user_id)
    assert found is not None, telegram_user_id
    return found


async def submit(office: Office, subdomain: str = "layanan") -> Request:
    requester = await person(office, REQUESTER)
    agency = await office.store.agency_by_code("dinkes")
    return await office.submit(NewRequest(
        agency_id=agency.id, requester_id=requester.id, subdomain=subdomain,
        purpose="Portal layanan kesehatan", target_kind="ip", target_value="203.0.113.10",
        letter_number="400/123/Dinkes/2026", letter_date=date(2026, 11, 27),
        contact_name="Ahmad", contact_phone="+6281200000000"))


async def act(office: Office, telegram_user_id: int, request: Request, action: Action,
              note: str | None = None, **kw: object) -> Request:
    actor = await person(office, telegram_user_id)
    current = await office.store.request(request.id)
    return await office.act(actor, current.id, ActionInput(
        action, current.version, note=note, **kw))  # type: ignore[arg-type]


async def drive_to_decision(office: Office, request: Request) -> Request:
    r = await act(office, HEAD, request, Action.DISPOSE, "Segera diproses",
                  instruction=Instruction.FOLLOW_UP)
    r = await act(office, KABID, r, Action.DISPOSE, instruction=Instruction.STUDY_AND_REPORT)
    r = await act(office, KASI, r, Action.ORDER_CHECK)
    r = await act(office, STAFF, r, Action.SUBMIT_CHECK, "Nama tersedia di DNS")
    return await act(office, KASI, r, Action.SUBMIT_REPORT, "Layak dibuat")
