"""The record of fired Mutu Baku reminders, and firing one exactly once.

A reminder level of one step visit (a request at one version) fires in a single transaction that
inserts its `reminders` row and queues its messages; when the row (or a higher level) is already
there, nothing is queued. Two schedulers, a restart or a retry therefore never send it twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from storage.db import Repository
from storage.models import OutMessage
from storage.outbox import queue_messages
from storage.rows import timestamp


class ReminderLog(Repository):
    async def fired(self, states: Sequence[str]) -> dict[int, int]:
        """Request id → the highest level fired for the step it is in now (its version), for
        the requests in `states` (the open ones: the reminders of the past stay unread)."""
        rows = await self.db.fetch(
            f"""SELECT m.request_id, MAX(m.level) FROM requests r
               JOIN reminders m ON m.request_id = r.id AND m.version = r.version
               WHERE r.state IN ({','.join('?' * len(states))})
               GROUP BY m.request_id""", list(states))
        return {int(r[0]): int(r[1]) for r in rows}

    async def levels(self, request_id: int, version: int) -> list[tuple[int, datetime]]:
        """(level, recorded at) of one step visit, lowest level first."""
        rows = await self.db.fetch(
            """SELECT level, sent_at FROM reminders WHERE request_id = ? AND version = ?
               ORDER BY level""", (request_id, version))
        return [(int(r[0]), datetime.fromisoformat(r[1])) for r in rows]

    async def fire(
        self,
        request_id: int,
        version: int,
        level: int,
        *,
        now: datetime,
        messages: Iterable[OutMessage],
    ) -> bool:
        """Record `level` (and every lower level not yet recorded) and queue `messages`.

        Returns False, writing nothing, when the request has moved to another version or this
        level (or a higher one) was already fired by someone else.
        """
        async with self.db.transaction() as conn:
            rows = list(await conn.execute_fetchall(
                "SELECT version FROM requests WHERE id = ?", (request_id,)))
            if not rows or int(rows[0][0]) != version:
                return False
            done = list(await conn.execute_fetchall(
                "SELECT MAX(level) FROM reminders WHERE request_id = ? AND version = ?",
                (request_id, version)))
            if done and done[0][0] is not None and int(done[0][0]) >= level:
                return False
            cur = await conn.execute(
                """INSERT OR IGNORE INTO reminders (request_id, version, level, sent_at)
                   VALUES (?, ?, ?, ?)""", (request_id, version, level, timestamp(now)))
            if cur.rowcount == 0:
                return False
            await conn.executemany(
                """INSERT OR IGNORE INTO reminders (request_id, version, level, sent_at)
                   VALUES (?, ?, ?, ?)""",
                [(request_id, version, lower, timestamp(now)) for lower in range(1, level)])
            await queue_messages(conn, request_id, now, messages)
            return True
