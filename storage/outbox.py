"""Messages owed to chats (the dispatcher is the only sender) and the refs of sent messages
that the bot edits later."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import aiosqlite

from storage import rows
from storage.db import Repository
from storage.models import OutMessage, QueuedMessage


class Outbox(Repository):
    async def enqueue(
        self, messages: Iterable[OutMessage], *, now: datetime, request_id: int | None = None
    ) -> None:
        async with self.db.transaction() as conn:
            await queue_messages(conn, request_id, now, messages)

    async def pending_messages(self, *, now: datetime, limit: int = 100) -> list[QueuedMessage]:
        found = await self.db.fetch(
            """SELECT id, chat_id, kind, payload, request_id, attempts, not_before FROM outbox
               WHERE sent_at IS NULL AND (not_before IS NULL OR not_before <= ?)
               ORDER BY id LIMIT ?""",
            (rows.timestamp(now), limit))
        return [
            QueuedMessage(r[0], r[1], r[2], json.loads(r[3]), r[4], r[5], rows.opt_instant(r[6]))
            for r in found
        ]

    async def mark_sent(
        self,
        message_id: int,
        *,
        now: datetime,
        result: Any = None,
        ref: tuple[str, int, int] | None = None,
        letter: bool = True,
    ) -> None:
        """Record a delivery; `ref` = (key, chat id, message id) remembers it for later edits.

        A message that carries a reply letter (`letter_id` in its payload) also records the
        letter's delivery in the outgoing register, in the same transaction; `letter=False`
        says it carries none (the dispatcher knows). Without a letter, the ref and the mark are
        one statement each, the ref first: a crash between the two leaves the message owed
        with its ref known, so it is sent again as an edit of the card already shown, never
        as a second card."""
        mark = (rows.timestamp(now), json.dumps(result), message_id)
        if not letter:
            if ref is not None:
                await self.db.write(REMEMBER_REF, ref)
            await self.db.write(MARK_SENT, mark)
            return
        async with self.db.transaction() as conn:
            await conn.execute(MARK_SENT, mark)
            await conn.execute(
                """UPDATE outgoing_register SET delivered_at = ?
                   WHERE delivered_at IS NULL AND id =
                     (SELECT json_extract(payload, '$.letter_id') FROM outbox WHERE id = ?)""",
                (rows.timestamp(now), message_id))
            if ref is not None:
                await conn.execute(REMEMBER_REF, ref)

    async def prune_sent(self, *, before: datetime, batch: int = 2000) -> int:
        """Delete up to `batch` messages delivered before `before` (their payload is only a copy
        of what the audit trail and the registers keep); returns how many. Small batches keep
        each write short; failed and queued messages stay."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                """DELETE FROM outbox WHERE id IN (SELECT id FROM outbox
                     WHERE sent_at IS NOT NULL AND sent_at < ? LIMIT ?)""",
                (rows.timestamp(before), batch))
            return int(cur.rowcount or 0)

    async def message_ref(self, key: str) -> tuple[int, int] | None:
        found = await self.db.fetch(
            "SELECT chat_id, message_id FROM message_refs WHERE key = ?", (key,))
        return (found[0][0], found[0][1]) if found else None

    async def message_refs(self, keys: Iterable[str]) -> dict[str, tuple[int, int]]:
        """`message_ref` of many keys in one query (key → (chat id, message id), known only)."""
        wanted = list(dict.fromkeys(keys))
        out: dict[str, tuple[int, int]] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            for r in await self.db.fetch(
                    "SELECT key, chat_id, message_id FROM message_refs WHERE key IN "
                    f"({','.join('?' * len(chunk))})", chunk):
                out[r[0]] = (r[1], r[2])
        return out

    async def mark_failed(
        self, message_id: int, *, error: str, retry_at: datetime | None
    ) -> None:
        """Record a failed attempt; `retry_at=None` gives up on the message for good."""
        async with self.db.transaction() as conn:
            if retry_at is None:
                await conn.execute(
                    """UPDATE outbox SET attempts = attempts + 1, last_error = ?,
                         sent_at = 'failed' WHERE id = ?""", (error, message_id))
            else:
                await conn.execute(
                    """UPDATE outbox SET attempts = attempts + 1, last_error = ?, not_before = ?
                       WHERE id = ?""", (error, rows.timestamp(retry_at), message_id))


    async def mark_unreachable(self, message_id: int, chat_id: int, *, error: str,
                               now: datetime, notices: Iterable[OutMessage]) -> None:
        """The chat cannot receive messages now: keep the message for a later resend, and
        queue `notices` (to those who should know) unless the chat was already known to be
        unreachable."""
        async with self.db.transaction() as conn:
            known = await conn.execute_fetchall(
                "SELECT 1 FROM outbox WHERE chat_id = ? AND sent_at = 'unreachable' LIMIT 1",
                (chat_id,))
            await conn.execute(
                """UPDATE outbox SET attempts = attempts + 1, last_error = ?,
                     sent_at = 'unreachable' WHERE id = ?""", (error, message_id))
            if not list(known):
                await queue_messages(conn, None, now, notices)

    async def has_unreachable(self, chat_id: int) -> bool:
        found = await self.db.fetch(
            "SELECT 1 FROM outbox WHERE chat_id = ? AND sent_at = 'unreachable' LIMIT 1",
            (chat_id,))
        return bool(list(found))

    async def resend_unreachable(self, chat_id: int) -> int:
        """Owe again, in their order, the messages `chat_id` could not receive; how many."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                """UPDATE outbox SET sent_at = NULL, not_before = NULL
                   WHERE chat_id = ? AND sent_at = 'unreachable'""", (chat_id,))
            return cur.rowcount


async def queue_messages(
    conn: aiosqlite.Connection,
    request_id: int | None,
    now: datetime,
    messages: Iterable[OutMessage],
) -> None:
    """The one outbox writer, inside the caller's transaction."""
    await conn.executemany(INSERT_OUTBOX, [
        outbox_row(m, request_id=request_id, created=now) for m in messages])


MARK_SENT = "UPDATE outbox SET sent_at = ?, result = ? WHERE id = ? AND sent_at IS NULL"
REMEMBER_REF = "INSERT OR REPLACE INTO message_refs (key, chat_id, message_id) VALUES (?, ?, ?)"

INSERT_OUTBOX = """INSERT INTO outbox (chat_id, kind, payload, request_id, created_at, not_before,
     sent_at) VALUES (?, ?, ?, ?, ?, ?, ?)"""


def outbox_row(message: OutMessage, *, request_id: int | None, created: datetime,
               sent: datetime | None = None) -> tuple[object, ...]:
    """The values of `INSERT_OUTBOX` (`sent`: a message already delivered, as a bulk import of
    the office's history has them)."""
    return (message.chat_id, message.kind, message.payload_json(), request_id,
            rows.timestamp(created),
            rows.timestamp(message.not_before) if message.not_before else None,
            rows.timestamp(sent) if sent else None)
