"""A generated office history for `bench.scale` (and the query-plan test): five years of
requests from ~40 agencies, most completed, ~10 audit rows and ~19 delivered messages each,
stored through the product's own row writers (`storage.history`) in big transactions, with
the outbox retention applied as the running bot applies it.

The mix (per request, drawn from a seeded `random.Random`): 8 % declined at step 1, ~1 %
withdrawn, the rest decided at step 6 (85 % approved and created, 10 % "exists", 5 % "advice"),
5 % of steps returned once, 5 % of letters revised once; a fifth of the events carry a note.
The newest `open_count(size)` requests are still open, spread over the steps, filed over the
last weeks before `NOW`.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.workflow import SOP, Action, Instruction, State, Workflow
from storage.history import PastEvent, PastRequest
from storage.models import AuditEntry, CreatedSubdomain, NewRequest, OutMessage
from storage.store import Store
from tests.support.office import ADMIN, HEAD, KABID, KASI, STAFF, STAFF2

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # a Tuesday, 10:00 WITA
FIRST = datetime(2022, 1, 3, 1, 0, tzinfo=UTC)
_WITA = ZoneInfo("Asia/Makassar")
AGENCIES = 40
STAFF3 = 107
CHUNK = 2000
PARENT = "balangankab.go.id"
WORDS = ("layanan", "portal", "sipd", "data", "ppid", "simpeg", "info", "lapor", "arsip",
         "wisata", "pajak", "izin", "desa", "sehat", "sekolah", "pangan", "air", "jalan")


def open_count(size: int) -> int:
    """Open requests in a generated history: 1,000 (half of a small one)."""
    return min(1000, size // 2)


@dataclass(frozen=True)
class Cast:
    """Who is who in the generated database (person ids)."""

    head: int
    kabid: int
    kasi: int
    staff: tuple[int, ...]
    admin: int
    contacts: dict[int, tuple[int, ...]]  # agency id → contact person ids
    chats: dict[int, int]  # person id → Telegram chat id
    busiest_requester: int
    busiest_agency: str


async def seed_office(store: Store, now: datetime) -> tuple[list[int], dict[int, int]]:
    """The office's people and the agencies with their contacts."""
    for position, tid, name in (("kepala_dinas", HEAD, "Drs. H. Rahmadi, M.Si"),
                                ("kabid", KABID, "Siti Aminah, S.Kom"),
                                ("kasi", KASI, "Budi Santoso, S.T"),
                                ("staf_prakom", STAFF, "Rina Prakom"),
                                ("staf_prakom", STAFF2, "Dedi Prakom"),
                                ("staf_prakom", STAFF3, "Yuni Prakom"),
                                ("admin", ADMIN, "Admin Diskominfo")):
        await store.set_position(position, tid, name, now=now)
    agency_ids = []
    for i in range(AGENCIES):
        added = await store.add_agency(f"pd{i:02d}", f"Perangkat Daerah {i:02d}",
                                       f"Kepala Perangkat Daerah {i:02d} Kabupaten Balangan")
        agency_ids.append(added.id)
        for k in range(1 + (i % 3 == 0)):
            await store.add_agency_contact(added.code, 100_000 + i * 10 + k,
                                           f"Kontak {i:02d}-{k}", now=now)
    chats = {}
    for tid in (HEAD, KABID, KASI, STAFF, STAFF2, STAFF3, ADMIN,
                *(100_000 + i * 10 + k for i in range(AGENCIES) for k in range(2))):
        found = await store.person_by_telegram(tid)
        if found is not None:
            chats[found.id] = tid
    return agency_ids, chats


async def office_of(store: Store, agency_ids: Sequence[int], chats: dict[int, int]) -> Cast:
    by_tid = {tid: pid for pid, tid in chats.items()}
    contacts = {a: tuple(sorted(p.id for p in await store.agency_contacts(a)))
                for a in agency_ids}
    return Cast(head=by_tid[HEAD], kabid=by_tid[KABID], kasi=by_tid[KASI],
                  staff=(by_tid[STAFF], by_tid[STAFF2], by_tid[STAFF3]), admin=by_tid[ADMIN],
                  contacts=contacts, chats=chats, busiest_requester=contacts[agency_ids[0]][0],
                  busiest_agency="pd00")


class Generator:
    def __init__(self, office: Cast, agency_ids: Sequence[int], size: int, seed: int,
                 workflow: Workflow = SOP) -> None:
        self.office = office
        self.agency_ids = list(agency_ids)
        self.weights = [1 / (i + 1) ** 0.6 for i in range(len(agency_ids))]
        self.size = size
        self.rng = random.Random(seed)
        self.wf = workflow
        self.labels = 0

    def request(self, index: int) -> PastRequest:
        """The `index`-th request (0 = oldest); the newest `open_count` ones stay open."""
        rng = self.rng
        n_open = open_count(self.size)
        closed = self.size - n_open
        if index < closed:
            span = (NOW - timedelta(days=30) - FIRST) / max(closed, 1)
            filed = FIRST + span * index + timedelta(minutes=rng.randint(0, 240))
            stop = None
        else:
            filed = NOW - timedelta(days=28) + timedelta(days=28) * (index - closed) / n_open
            stop = rng.randint(0, 8)
        agency_id = rng.choices(self.agency_ids, self.weights)[0]
        requester = self.office.contacts[agency_id][0]
        label = f"{rng.choice(WORDS)}{index}"
        new = NewRequest(
            agency_id=agency_id, requester_id=requester, subdomain=label,
            purpose=f"Portal {label} untuk pelayanan publik dan informasi kegiatan",
            target_kind="ip", target_value=f"203.0.113.{index % 250 + 1}",
            letter_number=f"400/{index % 900 + 1}/PD/{filed.year}",
            letter_date=(filed - timedelta(days=2)).date(), contact_name="Kontak",
            contact_phone="+6281200000000")
        events, outcome, assignee, created = self._walk(new, filed, stop)
        return PastRequest(new=new, year=filed.astimezone(_WITA).year,
                           subject=f"Permohonan pembuatan subdomain {label}.{PARENT}",
                           events=events, outcome=outcome, assignee_id=assignee,
                           created=created)

    def _walk(self, new: NewRequest, filed: datetime, stop: int | None
              ) -> tuple[list[PastEvent], str | None, int | None, CreatedSubdomain | None]:
        rng, wf, office = self.rng, self.wf, self.office
        state = wf.initial
        at = filed
        events = [PastEvent(at, None, AuditEntry(
            action="submit", to_state=state, actor_id=new.requester_id,
            actor_role=wf.requester), self._messages(new, state, at))]
        outcome: str | None = None
        assignee: int | None = None
        created: CreatedSubdomain | None = None
        returned = revised = False
        while state not in wf.final_states and (stop is None or len(events) <= stop):
            step = wf.step(state)
            assert step is not None
            by_action = {t.action: t for t in step.transitions}
            choice = step.transitions[0]
            draw = rng.random()
            if state == State.DISPOSITION_HEAD and draw < 0.08:
                choice = by_action[Action.DECLINE]
            elif Action.WITHDRAW in by_action and draw > 0.998:
                choice = by_action[Action.WITHDRAW]
            elif Action.RETURN in by_action and not returned and 0.5 < draw < 0.55:
                choice, returned = by_action[Action.RETURN], True
            elif state == State.DECISION:
                choice = by_action[Action.APPROVE if draw < 0.85 else
                                   Action.REJECT_EXISTS if draw < 0.95 else Action.REJECT_ADVICE]
            elif state == State.LETTER_SIGNOFF and not revised and draw < 0.05:
                choice, revised = by_action[Action.REVISE], True
            at = at + timedelta(minutes=rng.randint(10, 60 * 24 if stop is None else 60 * 6))
            role = step.role
            if role == wf.requester:
                actor = new.requester_id
            elif wf.is_assigned(role):
                actor = assignee or office.staff[0]
            else:
                actor = {"kepala_dinas": office.head, "kabid": office.kabid,
                         "kasi": office.kasi}.get(role, office.admin)
            if choice.assigns is not None:
                assignee = rng.choice(office.staff)
            instruction = (Instruction.FOLLOW_UP.value
                           if choice.action == Action.DISPOSE else None)
            note = ("Mohon diperiksa kembali kelengkapan surat permohonan"
                    if rng.random() < 0.2 else None)
            events.append(PastEvent(at, state, AuditEntry(
                action=choice.action, to_state=choice.to, actor_id=actor, actor_role=role,
                instruction=instruction, note=note), self._messages(new, choice.to, at)))
            outcome = choice.outcome or outcome
            if choice.action == Action.CONFIRM_CREATED:
                created = CreatedSubdomain(new.subdomain, (
                    (f"{new.subdomain}.{PARENT}", "A", new.target_value or "", 3600),), None)
            state = choice.to
        return events, outcome, assignee, created

    def _messages(self, new: NewRequest, state: str, at: datetime) -> list[OutMessage]:
        """About two messages per event: the next holder's card and the requester's update."""
        office = self.office
        text = (f"📄 <b>Permohonan subdomain</b>\nSubdomain: <code>{new.subdomain}.{PARENT}"
                f"</code>\nPerangkat Daerah: Perangkat Daerah\nKeperluan: {new.purpose}\n"
                f"Surat: {new.letter_number} tanggal {new.letter_date.isoformat()}\n"
                f"Tahap: {self.wf.label(state)}\nSejak: {at:%d-%m-%Y %H:%M} WITA\n"
                "Mohon Bapak/Ibu menindaklanjuti permohonan ini sesuai SOP.")
        buttons = [[["Disposisi", f"a:1:{state}:1"], ["Kembalikan", f"a:1:{state}:2"]]]
        return [OutMessage(office.chats[office.kabid], "message",
                           {"text": text, "buttons": buttons}),
                OutMessage(office.chats[new.requester_id], "message",
                           {"text": text[:300], "buttons": []})]


async def generate(store: Store, size: int, seed: int, keep_days: int | None = 30) -> Cast:
    """Fill an empty store with `size` requests; returns who is who. With `keep_days`, sent
    messages older than that are pruned as the history advances (as the bot does hourly)."""
    agency_ids, chats = await seed_office(store, FIRST - timedelta(days=1))
    office = await office_of(store, agency_ids, chats)
    gen = Generator(office, agency_ids, size, seed)
    for start in range(0, size, CHUNK):
        batch = [gen.request(i) for i in range(start, min(size, start + CHUNK))]
        await store.import_requests(batch)
        if keep_days:
            before = batch[-1].events[0].at - timedelta(days=keep_days)
            while await store.prune_sent(before=before, batch=50_000):
                pass
    return office


def today_in_office() -> date:
    return NOW.astimezone(_WITA).date()
