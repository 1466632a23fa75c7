"""The owners' re-confirmation that a registered name is still in use: the question, its two
reminders, the answer (with the request it may open) in one transaction each, with the
messages it causes."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from storage import rows
from storage.db import Repository
from storage.models import NewRequest, OutMessage, Request
from storage.outbox import queue_messages
from storage.requests import file_request

ANSWERS = ("in_use", "not_in_use", "unanswered", "dropped")


@dataclass(frozen=True)
class Reconfirmation:
    id: int
    label: str
    agency_id: int
    asked_at: datetime
    reminded: int
    last_sent_at: datetime
    answer: str | None
    request_id: int | None


@dataclass(frozen=True)
class Filing:
    """A request the answer opens, filed in the answer's transaction."""

    new: NewRequest
    year: int
    subject: str
    initial_state: str
    requester_role: str
    compose: Callable[[Request], Iterable[OutMessage]]


def _reconfirmation(row: rows.Row) -> Reconfirmation:
    return Reconfirmation(
        id=row["id"], label=row["label"], agency_id=row["agency_id"],
        asked_at=rows.instant(row["asked_at"]), reminded=row["reminded"],
        last_sent_at=rows.instant(row["last_sent_at"]), answer=row["answer"],
        request_id=row["request_id"])


class Reconfirmations(Repository):
    async def reconfirmation_due(self, confirmed_before: datetime,
                                 busy_states: Sequence[str], *, after: str | None = None,
                                 limit: int = -1) -> list[tuple[str, int]]:
        """(label, owner agency id) of the active owned names last confirmed (or created)
        at or before `confirmed_before`, not asked now and not the subject of an open request (one
        in `busy_states`), by label: those after the label `after`, at most `limit` (a register
        of tens of thousands of names is read a page at a time)."""
        marks = ",".join("?" * len(busy_states)) or "NULL"
        found = await self.db.fetch(
            f"""SELECT s.label, s.agency_id FROM subdomains s
                WHERE s.status = 'active' AND s.removed_at IS NULL
                  AND s.agency_id IS NOT NULL
                  AND COALESCE(s.confirmed_at, s.created_at) <= ?
                  AND NOT EXISTS (SELECT 1 FROM reconfirmations c
                                  WHERE c.label = s.label AND c.answer IS NULL)
                  AND NOT EXISTS (SELECT 1 FROM requests r WHERE r.subdomain = s.label
                                  AND r.state IN ({marks}))
                  AND (? IS NULL OR s.label > ?)
                ORDER BY s.label LIMIT ?""",
            (rows.timestamp(confirmed_before), *busy_states, after, after, limit))
        return [(r["label"], r["agency_id"]) for r in found]

    async def ask_reconfirmation(self, label: str, agency_id: int, *, now: datetime,
                                 compose: Callable[[int], Iterable[OutMessage]]) -> int | None:
        """Open the question about `label` and queue it (`compose(id)`: its messages); None
        when a question about it is open already."""
        stamp = rows.timestamp(now)
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                """INSERT OR IGNORE INTO reconfirmations (label, agency_id, asked_at, last_sent_at)
                   VALUES (?, ?, ?, ?)""",
                (label, agency_id, stamp, stamp))
            if not cur.rowcount:
                return None
            asked = int(cur.lastrowid or 0)
            await queue_messages(conn, None, now, compose(asked))
            return asked

    async def open_reconfirmations(self, *, sent_before: datetime | None = None,
                                   after_id: int = 0, limit: int = -1) -> list[Reconfirmation]:
        """The questions not answered yet, by id: (with `sent_before`) only those last sent at
        or before it, after the id `after_id`, at most `limit`."""
        stamp = rows.timestamp(sent_before) if sent_before is not None else None
        found = await self.db.fetch(
            """SELECT * FROM reconfirmations WHERE answer IS NULL AND id > ?
                 AND (? IS NULL OR last_sent_at <= ?) ORDER BY id LIMIT ?""",
            (after_id, stamp, stamp, limit))
        return [_reconfirmation(r) for r in found]

    async def reconfirmation(self, reconfirmation_id: int) -> Reconfirmation | None:
        found = await self.db.fetch(
            "SELECT * FROM reconfirmations WHERE id = ?", (reconfirmation_id,))
        return _reconfirmation(found[0]) if found else None

    async def remind_reconfirmation(self, reconfirmation_id: int, reminded: int, *,
                                    now: datetime, messages: Iterable[OutMessage]) -> bool:
        """Count the reminder and queue it, unless it was answered or reminded meanwhile."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                """UPDATE reconfirmations SET reminded = reminded + 1, last_sent_at = ?
                   WHERE id = ? AND answer IS NULL AND reminded = ?""",
                (rows.timestamp(now), reconfirmation_id, reminded))
            if not cur.rowcount:
                return False
            await queue_messages(conn, None, now, messages)
            return True

    async def settle_reconfirmation(self, reconfirmation_id: int, answer: str, *,
                                    now: datetime, person_id: int | None,
                                    messages: Iterable[OutMessage] = (),
                                    filing: Filing | None = None) -> Request | bool:
        """Record the answer (compare-and-set: False when it was answered already); "in_use"
        confirms the name; `filing` opens its request in the same transaction (returned)."""
        if answer not in ANSWERS:
            raise ValueError(answer)
        stamp = rows.timestamp(now)
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                """UPDATE reconfirmations SET answer = ?, answered_at = ?, answered_by = ?
                   WHERE id = ? AND answer IS NULL""",
                (answer, stamp, person_id, reconfirmation_id))
            if not cur.rowcount:
                return False
            if answer == "in_use":
                await conn.execute(
                    """UPDATE subdomains SET confirmed_at = ? WHERE removed_at IS NULL
                       AND label = (SELECT label FROM reconfirmations WHERE id = ?)""",
                    (stamp, reconfirmation_id))
            await queue_messages(conn, None, now, messages)
            if filing is None:
                return True
            filed = await file_request(
                conn, filing.new, now=now, year=filing.year, subject=filing.subject,
                initial_state=filing.initial_state, requester_role=filing.requester_role,
                compose=filing.compose)
            await conn.execute("UPDATE reconfirmations SET request_id = ? WHERE id = ?",
                               (filed.id, reconfirmation_id))
            return filed
