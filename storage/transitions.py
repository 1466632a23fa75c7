"""The one rule that matters: a transition is a single transaction that compare-and-sets the
request's version, writes the audit row and queues the messages it causes, and may register the
reply letter or the created subdomain that goes with it. Either all of it happens or none."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from storage import rows
from storage.db import Database, Repository
from storage.errors import StaleRequest
from storage.letters import (
    LetterIssuer,
    PreparedLetter,
    record_receipt,
    record_scan,
    register_letter,
)
from storage.models import (
    AuditEntry,
    CreatedSubdomain,
    IssuedLetter,
    LetterOrder,
    LetterScan,
    OutMessage,
    RecordChange,
    Request,
)
from storage.outbox import queue_messages
from storage.requests import audit, last_event, request_by_id
from storage.subdomains import register_change, register_created


class Transitions(Repository):
    def __init__(self, db: Database) -> None:
        super().__init__(db)
        self._letters = LetterIssuer(db)

    async def transition(
        self,
        request_id: int,
        expected_version: int,
        entry: AuditEntry,
        *,
        now: datetime,
        messages: Iterable[OutMessage] = (),
        outcome: str | None = None,
        assignee_id: int | None = None,
        clear_assignee: bool = False,
        letter: LetterOrder | None = None,
        letter_messages: Callable[[IssuedLetter], Iterable[OutMessage]] | None = None,
        created: CreatedSubdomain | None = None,
        changed: RecordChange | None = None,
        receipt: bool = False,
        scan: LetterScan | None = None,
    ) -> Request:
        """Compare-and-set the request to `entry.to_state`, with its audit row and messages.

        In the same transaction, optionally: register `letter` (rendered before the
        transaction, see `storage.letters`; then queue `letter_messages(issued)`), register the
        `created` subdomain or the register's `changed` one, record the receipt of the
        request's last letter. Raises
        `StaleRequest` (nothing written, no letter file left) when the version moved on
        meanwhile.
        """
        messages = list(messages)  # a letter's retry commits them again

        async def commit(prepared: PreparedLetter | None) -> Request:
            async with self.db.transaction() as conn:
                current = await request_by_id(conn, request_id)
                if current.version != expected_version:
                    raise StaleRequest(current, await last_event(conn, request_id))
                await conn.execute(
                    """UPDATE requests SET state = ?, version = version + 1, state_since = ?,
                         updated_at = ?, outcome = COALESCE(?, outcome),
                         assignee_id = CASE WHEN ? THEN NULL ELSE COALESCE(?, assignee_id) END
                       WHERE id = ? AND version = ?""",
                    (entry.to_state, rows.timestamp(now), rows.timestamp(now),
                     outcome, clear_assignee, assignee_id,
                     request_id, expected_version),
                )
                await audit(conn, request_id, now, current.state, entry)
                await queue_messages(conn, request_id, now, messages)
                if prepared is not None:
                    issued = await register_letter(conn, request_id, now, prepared)
                    await queue_messages(conn, request_id, now,
                                         letter_messages(issued) if letter_messages else ())
                if scan is not None:  # a wet-signed letter's scan becomes the letter delivered
                    scanned = await record_scan(conn, request_id, now, scan)
                    await queue_messages(conn, request_id, now,
                                         letter_messages(scanned) if letter_messages else ())
                if created is not None:
                    await register_created(conn, request_id, now, created)
                if changed is not None:
                    await register_change(conn, now, changed)
                if receipt:
                    await record_receipt(conn, request_id, now)
                return await request_by_id(conn, request_id)

        if letter is None:
            return await commit(None)
        return await self._letters.issue(letter, commit)
