"""A seeded office on a real SQLite file, and a clock the tests control.

The product has no office written into it: every test that builds `Settings` starts from an
office profile here. `BALANGAN` is the default test office; `SLEMAN` is a second office with
another parent domain, time zone, place, unit code, office hours and officials.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import MappingProxyType

from bot.service import ActionInput, Office
from bot.settings import Settings
from bot.workflow import Action, Instruction, Role
from storage.models import NewRequest, Person, Request
from storage.store import Store

# Telegram user ids of the seeded people.
HEAD, KABID, KASI, STAFF, STAFF2, ADMIN, REQUESTER, OUTSIDER = (
    101, 102, 103, 104, 105, 106, 201, 301)

BALANGAN: Mapping[str, str] = MappingProxyType({
    "OFFICE_GOVERNMENT": "PEMERINTAH KABUPATEN BALANGAN",
    "OFFICE_NAME": "DINAS KOMUNIKASI DAN INFORMATIKA",
    "OFFICE_ADDRESS": "Jalan Jend. A. Yani Km. 3,5 Paringin Selatan",
    "OFFICE_POSTAL_CODE": "71618",
    "OFFICE_PHONE": "(0526) 2028434",
    "OFFICE_WEBSITE": "www.diskominfo.balangankab.go.id",
    "OFFICE_EMAIL": "diskominfo@balangankab.go.id",
    "OFFICE_PLACE": "Paringin",
    "OFFICE_UNIT_CODE": "Diskominfo-Blg",
    "PARENT_DOMAIN": "balangankab.go.id",
    "TIMEZONE": "Asia/Makassar",
    "OFFICE_HOURS": "mon-thu 07:30-12:00,13:00-16:00; fri 07:30-11:30,13:30-16:30",
})
"""The default test office (the values .env.example shows)."""

SLEMAN: Mapping[str, str] = MappingProxyType({
    "OFFICE_GOVERNMENT": "PEMERINTAH KABUPATEN SLEMAN",
    "OFFICE_NAME": "DINAS KOMUNIKASI DAN INFORMATIKA",
    "OFFICE_ADDRESS": "Jalan Parasamya Nomor 1, Beran, Tridadi",
    "OFFICE_POSTAL_CODE": "55511",
    "OFFICE_PHONE": "0274-868405",
    "OFFICE_WEBSITE": "www.kominfo.slemankab.go.id",
    "OFFICE_EMAIL": "kominfo@slemankab.go.id",
    "OFFICE_PLACE": "Sleman",
    "OFFICE_UNIT_CODE": "Kominfo-Slm",
    "PARENT_DOMAIN": "slemankab.go.id",
    "TIMEZONE": "Asia/Jakarta",
    "OFFICE_HOURS": "mon-thu 07:00-12:00,12:30-15:30; fri 07:00-11:00,13:00-14:30",
})
"""A second office: another regency, parent domain, zone (WIB), place, unit code and hours."""


@dataclass(frozen=True)
class Officials:
    """The names the seeded people are recorded under."""

    head: str
    kabid: str
    kasi: str
    staff: str
    staff2: str
    admin: str
    requester: str
    agency_head: str


BALANGAN_OFFICIALS = Officials(
    head="Drs. H. Rahmadi, M.Si", kabid="Siti Aminah, S.Kom", kasi="Budi Santoso, S.T",
    staff="Rina Prakom", staff2="Dedi Prakom", admin="Admin Diskominfo",
    requester="Ahmad Dinkes", agency_head="Kepala Dinas Kesehatan Kabupaten Balangan")
SLEMAN_OFFICIALS = Officials(
    head="Dr. Eka Suryo Prihantoro, S.Sos, M.Si", kabid="Wahyu Nugroho, S.T",
    kasi="Dyah Ayu Lestari, S.Kom", staff="Yoga Pratama", staff2="Galih Saputra",
    admin="Admin Kominfo Sleman", requester="Lukas Wibisono",
    agency_head="Kepala Dinas Kesehatan Kabupaten Sleman")


TEST_WATCH: Mapping[str, str] = MappingProxyType({
    "WATCH_TIME": "off",
    "WATCH_ALLOWED_NETWORKS": "127.0.0.0/8",
})
"""Tests never run the daily watch on its own, and its probes never leave the machine."""
DEFAULT_WATCH: Mapping[str, str] = MappingProxyType({
    "WATCH_TIME": "06:00",
    "WATCH_ALLOWED_NETWORKS": "0.0.0.0/0,::/0",
})
"""The built-in defaults of what `TEST_WATCH` sets (what .env.example and the demo office show):
`office_settings(**DEFAULT_WATCH)` equals an office's settings without them."""


def settings_env(**settings: str) -> dict[str, str]:
    """The default test office's settings (environment form) with `settings` over them."""
    return {**BALANGAN, **TEST_WATCH, **settings}


def office_settings(**settings: str) -> Settings:
    """`Settings` of the default test office, with `settings` (environment names) over it."""
    return Settings.from_mapping(settings_env(**settings))


@dataclass
class Clock:
    now: datetime = field(default_factory=lambda: datetime(2026, 11, 30, 1, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


async def seed_people(store: Store, now: datetime, *, two_staff: bool = False,
                      names: Officials = BALANGAN_OFFICIALS) -> None:
    await store.set_position(Role.KEPALA_DINAS, HEAD, names.head, now=now,
                             nip="197001011990031001", rank="Pembina Utama Muda")
    await store.set_position(Role.KABID, KABID, names.kabid, now=now)
    await store.set_position(Role.KASI, KASI, names.kasi, now=now)
    await store.set_position(Role.STAF_PRAKOM, STAFF, names.staff, now=now)
    if two_staff:
        await store.set_position(Role.STAF_PRAKOM, STAFF2, names.staff2, now=now)
    await store.set_position(Role.ADMIN, ADMIN, names.admin, now=now)
    await store.add_agency("dinkes", "Dinas Kesehatan", names.agency_head)
    await store.add_agency_contact("dinkes", REQUESTER, names.requester, now=now)


async def open_office(path: Path, clock: Clock, **settings: str) -> Office:
    """An office on the database at `path`: the default test office, with `settings`
    (environment names; a whole other profile replaces it) over it."""
    store = await Store.open(path)
    env = settings_env(**{**settings, "DATABASE_PATH": str(path)})
    return Office(store, Settings.from_mapping(env), clock)


async def person(office: Office, telegram_user_id: int) -> Person:
    found = await office.store.person_by_telegram(telegram_user_id)
    assert found is not None, telegram_user_id
    return found


PERIHAL = "Permohonan Subdomain untuk Portal Layanan Kesehatan"
"""The perihal written on the seeded agency's request letter."""


async def submit(office: Office, subdomain: str = "layanan") -> Request:
    requester = await person(office, REQUESTER)
    agency = await office.store.agency_by_code("dinkes")
    return await office.submit(NewRequest(
        agency_id=agency.id, requester_id=requester.id, subdomain=subdomain,
        purpose="Portal layanan kesehatan", target_kind="ip", target_value="203.0.113.10",
        letter_number="400/123/Dinkes/2026", letter_date=date(2026, 11, 27),
        letter_subject=PERIHAL, contact_name="Ahmad", contact_phone="+6281200000000"))


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
