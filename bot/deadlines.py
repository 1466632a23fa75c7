"""Mutu Baku deadlines: reminders, the overdue mark and escalation, derived from the database.

A deadline is never stored. A request in an open step owes that step's standard time (counted
on the office's working time, `bot.worktime.WorkClock`) from `request.state_since`; the instant
at k times the standard time is level k:

1. a reminder to the step's current holders (an acting Plt./Plh. official while one is set),
   with the step's action buttons;
2. a second reminder, and the request's card in the office group is marked overdue;
3. an escalation to the holder's superior (the table's `Position.superior`); the Kepala Dinas
   has none, so that one goes to the admins (as does any escalation whose superior post is
   empty).

Each level of a step visit (a request at one version) fires once: `storage.reminders` records it
in the same transaction that queues its messages. A scan after downtime fires only the highest
level that is due and records the lower ones, so nobody gets three messages at once; the group
card is marked overdue whenever level 2 or 3 fires.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from enum import IntEnum
from html import escape

from bot import notify
from bot.background import Rounds
from bot.service import Office, on_duty
from bot.texts import Words
from bot.workflow import RoleKey, Step
from bot.worktime import Duration, WorkClock
from storage.models import OutMessage, PositionHolder, Request
from storage.reminders import ReminderLog

log = logging.getLogger(__name__)

OVERDUE_LINE = "⚠️ Melewati waktu standar"
PER_ROUND = 50
"""Reminders fired in one round at most; the rest follow in the next rounds."""


class Level(IntEnum):
    REMINDER = 1
    SECOND_REMINDER = 2
    ESCALATION = 3


# --- deadlines (pure) ---------------------------------------------------------------------------




def due_at(request: Request, duration: Duration, clock: WorkClock, level: Level) -> datetime:
    """When `level` falls due for the request's current step visit."""
    return clock.multiples(request.state_since, duration, int(level))


def highest_due(
    request: Request, duration: Duration, clock: WorkClock, now: datetime
) -> Level | None:
    """The highest level due at `now`, or None before the first reminder."""
    for level in sorted(Level, reverse=True):
        if due_at(request, duration, clock, level) <= now:
            return level
    return None


# --- recipients -------------------------------------------------------------------------------


async def superiors(office: Office, role: RoleKey,
                    day: date) -> tuple[RoleKey, list[PositionHolder]]:
    """The role an overdue step of `role` escalates to and its holders (acting ones instead of
    the holder while set); the admins when there is no superior or nobody holds that post."""
    target = office.workflow.superior(role)
    if target is not None:
        chosen = on_duty(await office.store.holders_on(target, day))
        if chosen:
            return target, chosen
    admin = office.workflow.admin
    return admin, await office.store.holders_on(admin, day)


# --- texts --------------------------------------------------------------------------------------


def _where(w: Words, request: Request) -> str:
    return (f"permohonan <b>{escape(request.number)}</b> "
            f"(<code>{escape(w.fqdn(request))}</code>)")


def _stage(step: Step) -> str:
    return f"tahap {step.number} ({escape(step.label)})"


def reminder_text(w: Words, request: Request, step: Step, level: Level) -> str:
    since = w.time(request.state_since)
    head = "Pengingat" if level is Level.REMINDER else "Pengingat kedua"
    text = (f"⏰ <b>{head}</b>: {_where(w, request)} menunggu tindakan Bapak/Ibu "
            f"pada {_stage(step)} sejak {since}; waktu standar {step.standard_time.label_id}")
    if level is Level.REMINDER:
        return text + "."
    return (f"⏰ <b>{head}</b>: {_where(w, request)} menunggu tindakan Bapak/Ibu "
            f"pada {_stage(step)} sejak {since} dan telah melewati dua kali waktu standar "
            f"({step.standard_time.times(2).label_id}). Mohon segera ditindaklanjuti.")


def escalation_text(w: Words, request: Request, step: Step,
                    holders: list[PositionHolder]) -> str:
    since = w.time(request.state_since)
    role = w.workflow.holder_role(step)
    names = ", ".join(f"{h.title_prefix}{h.person.name}" for h in holders)
    who = w.workflow.title(role) + (f" ({names})" if names else "")
    return (f"⚠️ <b>Eskalasi</b>: {_where(w, request)} dari "
            f"{escape(request.agency.name)} menunggu tindakan {escape(who)} pada {_stage(step)} "
            f"sejak {since} dan telah melewati tiga kali waktu standar "
            f"({step.standard_time.times(3).label_id}). Mohon arahan Bapak/Ibu.")


def overdue_card(w: Words, request: Request, group_chat_id: int,
                 escalated_to: RoleKey | None) -> OutMessage:
    """The request's group card (`notify.group_card`) with the overdue mark."""
    card = notify.group_card(w, request, group_chat_id)
    line = OVERDUE_LINE
    if escalated_to is not None:
        line += f"; dieskalasikan kepada {w.workflow.title(escalated_to)}"
    return OutMessage(card.chat_id, card.kind,
                      {**card.payload, "text": f"{card.payload['text']}\n{escape(line)}"})


async def messages_for(office: Office, request: Request, level: Level,
                       now: datetime) -> list[OutMessage]:
    """What firing `level` on `request` at `now` sends (to whoever holds the posts then)."""
    w = office.words
    step = w.workflow.step(request.state)
    if step is None:
        return []
    settings = office.settings
    out: list[OutMessage] = []
    seen: set[int] = set()
    day = now.astimezone(settings.timezone).date()
    holders = await office.step_holders(request.state, request.assignee_id, day,
                                        await office.handled_by(request))
    escalated_to: RoleKey | None = None
    if level is Level.ESCALATION:
        escalated_to, bosses = await superiors(office, w.workflow.holder_role(step), day)
        text = escalation_text(w, request, step, [h for h, _ in holders])
        for boss in bosses:
            chat = boss.person.telegram_user_id
            if chat is not None and chat not in seen:
                seen.add(chat)
                out.append(OutMessage(chat, "message", {"text": text, "buttons": []}))
    else:
        text = reminder_text(w, request, step, level)
        for holder, role in holders:
            chat = holder.person.telegram_user_id
            if chat is not None and chat not in seen:
                seen.add(chat)
                out.append(OutMessage(chat, "message", {
                    "text": text, "buttons": notify.buttons_for(w, request, role)}))
    if level >= Level.SECOND_REMINDER and settings.group_chat_id is not None:
        out.append(overdue_card(w, request, settings.group_chat_id, escalated_to))
    return out


# --- the scheduler ----------------------------------------------------------------------------


class ReminderScheduler(Rounds):
    """Fires due reminders from the database; safe to run in several processes at once."""

    name = "reminder-scheduler"

    def __init__(self, office: Office, clock: WorkClock, *, max_sleep: float = 60.0,
                 min_sleep: float = 1.0, per_round: int = PER_ROUND) -> None:
        super().__init__()
        self.per_round = per_round
        self._backlog = False
        self.office = office
        self.clock = clock
        self.log = ReminderLog(office.store.db)
        self.max_sleep = self.fallback_delay = max_sleep
        self.min_sleep = min_sleep

    async def scan(self, now: datetime, limit: int | None = None) -> int:
        """Fire the levels due at `now` that have not fired yet, at most `limit` of them
        (the ones due longest first); returns how many fired."""
        fired = await self.log.fired(self._open_states())
        count = 0
        due = []
        for request in await self.office.store.requests(states=self._open_states()):
            duration = self._standard(request)
            try:
                level = highest_due(request, duration, self.clock, now) if duration else None
            except Exception:
                log.exception("deadline of request %s cannot be computed", request.number)
                continue
            if level is not None and fired.get(request.id, 0) < level:
                due.append(request)
        due.sort(key=lambda r: r.state_since)
        self._backlog = limit is not None and len(due) > limit
        for request in due[:limit]:
            try:
                count += await self._fire_due(request, fired.get(request.id, 0), now)
            except Exception:  # one broken request must not hold up the others
                log.exception("reminder for request %s failed", request.number)
        if count:
            self.office.on_queued()
        return count

    def _open_states(self) -> list[str]:
        return list(self.office.workflow.open_states)

    def _standard(self, request: Request) -> Duration | None:
        step = self.office.workflow.step(request.state)
        return step.standard_time if step else None

    async def _fire_due(self, request: Request, fired: int, now: datetime) -> int:
        duration = self._standard(request)
        if duration is None:
            return 0
        level = highest_due(request, duration, self.clock, now)
        if level is None or fired >= level:
            return 0
        messages = await messages_for(self.office, request, level, now)
        if not messages:
            log.warning("reminder level %d for %s has no recipient", level, request.number)
        done = await self.log.fire(request.id, request.version, level, now=now,
                                   messages=messages)
        if done:
            log.info("reminder level %d fired for %s", level, request.number)
        return int(done)

    async def next_due(self, now: datetime) -> datetime | None:
        """The earliest instant at which a level not fired yet falls due (may be <= now)."""
        fired = await self.log.fired(self._open_states())
        best: datetime | None = None
        for request in await self.office.store.requests(states=self._open_states()):
            duration = self._standard(request)
            following = fired.get(request.id, 0) + 1
            if duration is None or following > max(Level):
                continue
            try:
                due = due_at(request, duration, self.clock, Level(following))
            except Exception:
                log.exception("deadline of request %s cannot be computed", request.number)
                continue
            best = due if best is None else min(best, due)
        return best

    async def round(self) -> float:
        """One round: at most `per_round` reminders (a catch-up after downtime is spread over
        rounds `min_sleep` apart, and the outbox paces their sending like any message)."""
        now = self.office.clock()
        await self.scan(now, self.per_round)
        if self._backlog:
            return self.min_sleep
        due = await self.next_due(now)
        if due is None:
            return self.max_sleep
        return min(self.max_sleep, max(self.min_sleep, (due - now).total_seconds()))
