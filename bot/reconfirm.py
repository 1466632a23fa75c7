"""The owners' re-confirmation (reached as `office.reconfirm`): every RECONFIRM_MONTHS the
owner agency's contacts are asked in the chat whether a name is still in use. "Masih
digunakan" confirms it; "Tidak digunakan lagi" opens a deactivation request (penonaktifan);
no answer after two reminders opens a suspension request (penangguhan), whose first step asks
the Kabid to approve it; the table then runs it like any other (the DNS work, the letter).

Each step is one transaction with the messages it causes (the outbox sends them).
"""

from __future__ import annotations

import calendar
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from html import escape

from bot.settings import Settings
from bot.technical import target_of_records
from bot.workflow import Workflow
from storage.models import NewRequest, OutMessage, Person, Request
from storage.reconfirmations import Filing, Reconfirmation
from storage.store import Store

log = logging.getLogger(__name__)

REMINDERS = 2
PAGE = 500
"""A round reads the names due and the open questions this many at a time: the first round
on a register of five years asks tens of thousands of names (60,956 of them took ~35 MiB when
read whole)."""
"""Reminders after the question before the Kabid is asked to approve a suspension."""
IN_USE, NOT_IN_USE = "y", "n"
PREFIX = "rc"
DEACTIVATION = "penonaktifan"
SUSPENSION = "penangguhan"

FileWith = Callable[[NewRequest, str | None, bool], Awaitable[Filing]]


class BadAnswer(ValueError):
    """A re-confirmation button that cannot be read."""


@dataclass(frozen=True)
class AnswerButton:
    """The payload of "Masih digunakan" / "Tidak digunakan lagi": `rc:<id>:<y|n>`."""

    reconfirmation_id: int
    in_use: bool

    def pack(self) -> str:
        return f"{PREFIX}:{self.reconfirmation_id}:{IN_USE if self.in_use else NOT_IN_USE}"

    @classmethod
    def unpack(cls, data: str) -> AnswerButton:
        parts = data.split(":")
        if len(parts) != 3 or parts[0] != PREFIX or parts[2] not in (IN_USE, NOT_IN_USE):
            raise BadAnswer(data)
        try:
            return cls(int(parts[1]), parts[2] == IN_USE)
        except ValueError:
            raise BadAnswer(data) from None


@dataclass(frozen=True)
class Round:
    """What one round did."""

    asked: tuple[str, ...] = ()
    reminded: tuple[str, ...] = ()
    suspensions: tuple[str, ...] = ()
    """Request numbers of the suspension requests opened (the Kabid is asked)."""

    @property
    def anything(self) -> bool:
        return bool(self.asked or self.reminded or self.suspensions)


# --- what people read (pure) --------------------------------------------------------------------


def question_text(fqdn: str, agency: str, reminder: int = 0) -> str:
    head = ("🔔 <b>Konfirmasi penggunaan subdomain</b>" if not reminder else
            f"🔔 <b>Pengingat {reminder}/{REMINDERS}: konfirmasi penggunaan subdomain</b>")
    text = (f"{head}\nSubdomain <code>{escape(fqdn)}</code> tercatat sebagai milik "
            f"{escape(agency)}. Apakah subdomain ini masih digunakan?\n"
            "Mohon pilih salah satu tombol di bawah.")
    if reminder:
        text += ("\nTanpa jawaban, Kepala Bidang dapat menyetujui penangguhan subdomain "
                 "tersebut.")
    return text


def buttons(reconfirmation_id: int) -> list[list[tuple[str, str]]]:
    return [[("Masih digunakan", AnswerButton(reconfirmation_id, True).pack()),
             ("Tidak digunakan lagi", AnswerButton(reconfirmation_id, False).pack())]]


def confirmed_text(fqdn: str, who: str, day: str) -> str:
    return (f"✅ Terima kasih. Subdomain <code>{escape(fqdn)}</code> tercatat masih digunakan "
            f"(dikonfirmasi oleh {escape(who)}, {escape(day)}).")


def deactivating_text(fqdn: str, number: str) -> str:
    return (f"Subdomain <code>{escape(fqdn)}</code> tercatat tidak digunakan lagi. "
            f"Permohonan penonaktifan <b>{escape(number)}</b> telah dibuat dan diteruskan "
            "untuk diproses.")


ANSWERED = "Konfirmasi ini sudah dijawab sebelumnya. Terima kasih."
NOT_OWNER = ("Konfirmasi ini hanya dapat dijawab oleh kontak terdaftar Perangkat Daerah "
             "pemilik subdomain.")
UNKNOWN = "Konfirmasi tidak ditemukan."


def months_before(day: date, months: int) -> date:
    """The same day `months` earlier (the month's last day where it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


# --- the use cases ------------------------------------------------------------------------------


class Reconfirmer:
    def __init__(self, store: Store, settings: Settings, workflow: Workflow,
                 clock: Callable[[], datetime], wake: Callable[[], None],
                 filing: FileWith) -> None:
        self.store = store
        self.settings = settings
        self.workflow = workflow
        self.clock = clock
        self._wake = wake
        self._filing = filing

    def today(self) -> date:
        return self.clock().astimezone(self.settings.timezone).date()

    def _fqdn(self, label: str) -> str:
        return f"{label}.{self.settings.parent_domain}"

    async def round(self) -> Round:
        """Ask what fell due, remind, and after two unanswered reminders open the suspension
        request for the Kabid (nothing at all while RECONFIRM_MONTHS is 0)."""
        months = self.settings.reconfirm.months
        if not months:
            return Round()
        now = self.clock()
        tz = self.settings.timezone
        local = now.astimezone(tz)
        since = datetime.combine(months_before(local.date(), months), local.timetz())
        asked: list[str] = []
        after: str | None = None
        while due := await self.store.reconfirmation_due(
                since, list(self.workflow.open_states), after=after, limit=PAGE):
            for label, agency_id in due:
                if await self._ask(label, agency_id, now):
                    asked.append(label)
            after = due[-1][0]
        reminded: list[str] = []
        suspended: list[str] = []
        wait = timedelta(days=self.settings.reconfirm.remind_days)
        after_id = 0
        while page := await self.store.open_reconfirmations(sent_before=now - wait,
                                                            after_id=after_id, limit=PAGE):
            after_id = page[-1].id
            for c in page:
                await self._follow_up(c, now, reminded, suspended)
        done = Round(tuple(asked), tuple(reminded), tuple(suspended))
        if done.anything:
            self._wake()
        return done

    async def _follow_up(self, c: Reconfirmation, now: datetime, reminded: list[str],
                         suspended: list[str]) -> None:
        """A question unanswered past the wait: remind, or open the suspension request."""
        entry = await self.store.registered_name(c.label)
        if entry is None or entry.status != "active":  # removed or suspended meanwhile
            await self.store.settle_reconfirmation(c.id, "dropped", now=now,
                                                   person_id=None)
            return
        if await self.store.requests(states=list(self.workflow.open_states),
                                     subdomain=c.label):
            return  # a change or deactivation of it is on its way: no reminder now
        if c.reminded < REMINDERS:
            if await self._remind(c, now):
                reminded.append(c.label)
        else:
            number = await self._suspend(c, now)
            if number:
                suspended.append(number)

    async def _contacts(self, agency_id: int) -> list[Person]:
        return [c for c in await self.store.agency_contacts(agency_id)
                if c.telegram_user_id is not None]

    async def _agency_name(self, agency_id: int) -> str:
        return next((a.name for a in await self.store.agencies() if a.id == agency_id), "-")

    async def _ask(self, label: str, agency_id: int, now: datetime) -> bool:
        contacts = await self._contacts(agency_id)
        if not contacts:
            log.warning("re-confirmation of %s: its agency has no contact to ask", label)
            return False
        text = question_text(self._fqdn(label), await self._agency_name(agency_id))

        def compose(asked: int) -> list[OutMessage]:
            return [OutMessage(c.telegram_user_id, "message",
                               {"text": text, "buttons": buttons(asked)})
                    for c in contacts if c.telegram_user_id is not None]

        return await self.store.ask_reconfirmation(label, agency_id, now=now,
                                                   compose=compose) is not None

    async def _remind(self, c: Reconfirmation, now: datetime) -> bool:
        contacts = await self._contacts(c.agency_id)
        text = question_text(self._fqdn(c.label), await self._agency_name(c.agency_id),
                             c.reminded + 1)
        return await self.store.remind_reconfirmation(c.id, c.reminded, now=now, messages=[
            OutMessage(p.telegram_user_id, "message", {"text": text, "buttons": buttons(c.id)})
            for p in contacts if p.telegram_user_id is not None])

    async def _suspend(self, c: Reconfirmation, now: datetime) -> str | None:
        """Open the suspension request (its first step: the Kabid's approval)."""
        contacts = await self._contacts(c.agency_id) or await self.store.agency_contacts(
            c.agency_id)
        entry = await self.store.registered_name(c.label)
        if not contacts or entry is None or entry.status != "active":
            await self.store.settle_reconfirmation(c.id, "dropped", now=now, person_id=None)
            return None
        new = self._request(c.label, c.agency_id, contacts[0].id, SUSPENSION, entry.records,
                            c.asked_at, "Konfirmasi penggunaan subdomain tidak dijawab "
                            f"setelah {REMINDERS} kali pengingat")
        filed = await self.store.settle_reconfirmation(
            c.id, "unanswered", now=now, person_id=None,
            filing=await self._filing(new, None, False))
        return filed.number if isinstance(filed, Request) else None

    def _request(self, label: str, agency_id: int, requester_id: int, kind: str,
                 records: Sequence[tuple[str, str, str, int]], day: datetime,
                 purpose: str) -> NewRequest:
        target_kind, target_value = target_of_records(tuple(records))
        return NewRequest(
            agency_id=agency_id, requester_id=requester_id, subdomain=label, purpose=purpose,
            target_kind=target_kind, target_value=target_value, letter_number="-",
            letter_date=day.astimezone(self.settings.timezone).date(),
            letter_subject=f"Konfirmasi penggunaan subdomain {self._fqdn(label)}", kind=kind)

    async def answer(self, person: Person, reconfirmation_id: int, in_use: bool) -> str:
        """The owner's answer; returns the line to show them (the answer's other messages
        go through the outbox with it)."""
        c = await self.store.reconfirmation(reconfirmation_id)
        if c is None:
            return UNKNOWN
        if c.answer is not None:
            return ANSWERED
        if not any(p.id == person.id for p in await self.store.agency_contacts(c.agency_id)):
            return NOT_OWNER
        now = self.clock()
        fqdn = self._fqdn(c.label)
        if in_use:
            day = f"{now.astimezone(self.settings.timezone):%d-%m-%Y}"
            done = await self.store.settle_reconfirmation(c.id, "in_use", now=now,
                                                          person_id=person.id)
            return confirmed_text(fqdn, person.name, day) if done else ANSWERED
        entry = await self.store.registered_name(c.label)
        new = self._request(c.label, c.agency_id, person.id, DEACTIVATION,
                            entry.records if entry else (), now,
                            "Tidak digunakan lagi (jawaban konfirmasi penggunaan)")
        filed = await self.store.settle_reconfirmation(
            c.id, "not_in_use", now=now, person_id=person.id,
            filing=await self._filing(new, None, False))
        if not isinstance(filed, Request):
            return ANSWERED
        self._wake()
        return deactivating_text(fqdn, filed.number)
