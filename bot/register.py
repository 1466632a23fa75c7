"""The subdomain register and its daily watch, as use cases (reached as `office.register`).

Import the zone (AXFR or a zone file) so that names from before the bot are registered, give
unowned names their agency, list the register; run the watch over the active names, keep its
findings (each new one told once, to the Prakom staff and the office group) and send the
weekly summary to the Kepala Dinas. Composing the messages is `bot.watch_texts` (pure); the
probing is the `watch` package.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from bot import crashpoints, watch_texts
from bot.settings import Settings
from bot.workflow import Workflow
from storage.errors import NotFound
from storage.models import OutMessage
from storage.store import Store
from storage.subdomains import STATUSES, Imported, RegisteredName, ZoneName
from storage.watch import DailyRun, Seen

if TYPE_CHECKING:
    from watch.probe import NameReport

log = logging.getLogger(__name__)

SETTLE_BATCH = 500
"""The watch settles its findings every this many names (in the register's order), so a run
over tens of thousands of names holds a few batches of reports, never the whole run's."""


class RegisterRefused(Exception):
    """A register command that cannot be done; the message is one line for the operator."""


@dataclass(frozen=True)
class ImportOutcome:
    imported: Imported
    unowned: tuple[str, ...]


@dataclass(frozen=True)
class WatchOutcome:
    reports: list[NameReport]
    """Every name's report, in the register's order; empty unless the caller keeps them."""
    checked: int
    problems: int
    new: int
    cleared: int


class SubdomainRegister:
    def __init__(self, store: Store, settings: Settings, workflow: Workflow,
                 clock: Callable[[], datetime], wake: Callable[[], None]) -> None:
        self.store = store
        self.settings = settings
        self.workflow = workflow
        self.clock = clock
        self._wake = wake

    def today(self) -> date:
        return self.clock().astimezone(self.settings.timezone).date()

    # --- the register ------------------------------------------------------------------------

    async def import_zone(self, zone_file: Path | None = None) -> ImportOutcome:
        """Register every name of the zone the register does not hold yet."""
        from domains.transfer import ZoneUnreadable, read_zone_file, transfer_zone

        try:
            entries = (read_zone_file(zone_file, self.settings.parent_domain) if zone_file
                       else await transfer_zone(self.settings.dns))
        except ZoneUnreadable as failed:
            raise RegisterRefused(str(failed)) from None
        imported = await self.store.import_names(
            [ZoneName(e.label, e.records, e.target) for e in entries], now=self.clock())
        unowned = tuple(n.label for n in await self.store.register(unowned=True))
        return ImportOutcome(imported, unowned)

    async def names(self, status: str | None = None, *,
                    unowned: bool = False) -> list[RegisteredName]:
        if status is not None and status not in STATUSES:
            raise RegisterRefused(f"unknown status {status!r}; use one of {', '.join(STATUSES)}")
        return await self.store.register(status, unowned=unowned)

    async def assign(self, label: str, agency_code: str, *, purpose: str | None = None,
                     admin_contact: str | None = None,
                     tech_contact: str | None = None) -> RegisteredName:
        label = _label(label, self.settings.parent_domain)
        try:
            agency = await self.store.agency_by_code(agency_code.strip().lower())
        except NotFound:
            raise RegisterRefused(f"no agency with code {agency_code!r} (agency list shows "
                                  "them)") from None
        if not await self.store.assign_owner(label, agency.id, now=self.clock(),
                                             purpose=purpose, admin_contact=admin_contact,
                                             tech_contact=tech_contact):
            raise RegisterRefused(f"{label} is not in the register (register import reads "
                                  "the zone)")
        found = await self.store.registered_name(label)
        assert found is not None
        return found

    # --- the watch ---------------------------------------------------------------------------

    async def watch(self, name: str | None = None, *, keep_reports: bool = True,
                    batch: int = SETTLE_BATCH) -> WatchOutcome:
        """Probe the active names (or the one `name`), keep the findings, tell the new ones.
        A run over all names is the day's run (the scheduler asks for it once a day, and
        `keep_reports=False`: the reports are dropped once settled).

        The findings are settled every `batch` names, each batch in one transaction with its
        messages, and the day's run is recorded with the last one: a run stopped midway keeps
        what it settled, is not done, and runs again whole; what it settled is not told again."""
        from watch.probe import watch_in_batches  # lazily: TLS and x509 load only for the watch

        labels: list[str] | AsyncIterator[str]
        if name is not None:
            label = _label(name, self.settings.parent_domain)
            entry = await self.store.registered_name(label)
            if entry is None or entry.status != "active":
                raise RegisterRefused(f"{label} is not an active name of the register")
            labels = [entry.label]
        else:  # the labels only, a page at a time: a register may hold tens of thousands
            labels = self.store.iter_register_labels("active")
        dns = self.settings.dns
        config = self.settings.watch.config(dns.parent_domain, dns.servers, dns.timeout)
        started = self.clock()
        kept: list[NameReport] = []
        tally = {"checked": 0, "problems": 0, "new": 0, "cleared": 0}

        async def settle(reports: list[NameReport], last: bool) -> None:
            seen = [Seen(r.label, p.kind, p.detail, p.evidence)
                    for r in reports for p in r.problems]
            tally["checked"] += len(reports)
            tally["problems"] += len(seen)
            run = (DailyRun(self.today().isoformat(), started, tally["checked"],
                            tally["problems"]) if last and name is None else None)
            new, cleared = await self._settle(reports, seen, run)
            tally["new"] += new
            tally["cleared"] += cleared
            if keep_reports:
                kept.extend(reports)

        await watch_in_batches(labels, config, settle, batch=batch, clock=self.clock)
        return WatchOutcome(kept, **tally)

    async def _settle(self, reports: list[NameReport], seen: list[Seen],
                      run: DailyRun | None) -> tuple[int, int]:
        """One batch: its findings kept, the new ones told (in one transaction)."""
        held = {(f.label, f.kind) for f in await self.store.open_findings(
            {s.label for s in seen})}
        fresh: dict[str, list[Seen]] = {}
        for s in seen:
            if (s.label, s.kind) not in held:
                fresh.setdefault(s.label, []).append(s)
        now = self.clock()
        messages: list[OutMessage] = []
        if fresh:
            owners = await self.store.owners_of(fresh)
            zone = self.settings.dns.parent_domain
            when = f"{now.astimezone(self.settings.timezone):%d-%m-%Y %H:%M} " + \
                self.settings.zone_label(now)
            chats = await self._chats(self._staff_positions(), group=True)
            messages = [
                OutMessage(chat, "message", {"text": watch_texts.finding_text(
                    f"{label}.{zone}", owners.get(label), found, when), "buttons": []})
                for label, found in sorted(fresh.items()) for chat in chats]
        settled = await self.store.settle_watch([r.label for r in reports], seen, now=now,
                                                messages=messages, run=run)
        if messages:
            self._wake()
        if run is None:
            crashpoints.hit("watch_settled")
        return settled

    async def watch_due(self) -> bool:
        return not await self.store.watch_done("daily", self.today().isoformat())

    async def weekly_summary(self) -> bool:
        """The week's summary to the Kepala Dinas, once per ISO week, from the summary day on
        (nothing while the register is empty). True when it was queued now."""
        today = self.today()
        year, week, weekday = today.isocalendar()
        if weekday - 1 < self.settings.watch.summary_weekday:
            return False
        period = f"{year}-W{week:02d}"
        if await self.store.watch_done("weekly", period):
            return False
        active = await self.store.register_count("active")
        if not active:
            return False
        new, cleared = await self.store.count_findings_since(self.clock() - timedelta(days=7))
        by_kind, first = await self.store.open_findings_by_kind(watch_texts.LISTED)
        text = watch_texts.summary_text(self.settings.parent_domain, period, active, by_kind,
                                        first, new, cleared)
        chats = await self._chats(self._head_positions(), group=False)
        sent = await self.store.record_summary(
            period, [OutMessage(c, "message", {"text": text, "buttons": []}) for c in chats],
            now=self.clock())
        if sent and chats:
            self._wake()
        return sent

    def _staff_positions(self) -> list[str]:
        """Who looks after the names: the positions the SOP assigns work to (Prakom staff)."""
        return [p.key for p in self.workflow.positions if p.assigned]

    def _head_positions(self) -> list[str]:
        """The head of the office: the position of the table's first step (Kepala Dinas)."""
        first = self.workflow.step(self.workflow.initial)
        return [first.role] if first is not None else []

    async def _chats(self, positions: list[str], *, group: bool) -> list[int]:
        chats: set[int] = set()
        for position in positions:
            holders = await self.store.holders_on(position, self.today())
            if not group:  # the head: whoever answers for the position today (Plt./Plh.)
                holders = [h for h in holders if h.acting] or holders
            chats.update(h.person.telegram_user_id for h in holders
                         if h.person.telegram_user_id is not None)
        if group and self.settings.group_chat_id is not None:
            chats.add(self.settings.group_chat_id)
        return sorted(chats)


def _label(name: str, parent: str) -> str:
    label = name.strip().lower().rstrip(".")
    suffix = "." + parent
    return label[: -len(suffix)] if label.endswith(suffix) else label
