"""The outbox dispatcher: the only part of the bot that sends what transitions queued.

It drains the `outbox` table in id order, keeps the order per chat (a chat whose message must
wait holds back its later ones), retries network errors and 5xx answers with backoff, honours
429 `retry_after`, and gives up only on answers that will never change (403, 400). After a
restart it simply continues with what is still unsent. Sent messages are pruned after
`OUTBOX_KEEP_DAYS` (the audit trail and the registers keep what happened).

The one window it cannot close: a crash after Telegram accepted a message and before
`mark_sent` commits re-sends that one message after the restart (the Bot API has no
idempotency key). The window is the duration of one commit.

Pacing: before a message (not an edit) goes out, the process's `Pacer` says whether Telegram's
rates allow it now; if not, only that chat waits (for exactly its turn, not a 429's whole
seconds) and the others go on. Each round sends up to `CONCURRENCY` chats' messages at once,
each chat's in order, so a card to one person never queues behind another's.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot import crashpoints
from bot.background import Rounds
from bot.pacing import Pacer
from bot.service import Clock
from storage.models import OutMessage, QueuedMessage
from storage.store import Store

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(minutes=10)
MAX_ATTEMPTS = 50
BATCH = 200
_EVERYTHING = timedelta(days=3650)
PRUNE_EVERY = 3600.0
"""Seconds between two prunings of sent messages."""
PRUNE_BATCH = 2000
CONCURRENCY = 8
"""Chats sent to at the same time within a round (each chat's own messages stay in order)."""


def keyboard(rows: list[list[list[str]]] | None) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data) for text, data in row] for row in rows])


Notices = Callable[[int, str], Awaitable[list[OutMessage]]]
"""(chat id, error) → the messages that say the chat cannot be reached."""


@dataclass
class _Runs:
    """The chats being sent to in one `drain`, each by its own task."""

    tasks: dict[int, asyncio.Task[float | None]] = field(default_factory=dict)
    sending: dict[int, frozenset[int]] = field(default_factory=dict)
    """chat → the ids of the messages its run sends."""
    waiting: set[int] = field(default_factory=set)
    """Chats with owed messages newer than their run's (seen by the last read)."""
    held: set[int] = field(default_factory=set)
    """Chats whose next message must wait (its turn under the pacing, or a retry)."""

    def start(self, chat_id: int, run: list[QueuedMessage],
              sends: Coroutine[Any, Any, float | None]) -> None:
        self.tasks[chat_id] = asyncio.create_task(sends)
        self.sending[chat_id] = frozenset(m.id for m in run)

    def is_sending(self, message: QueuedMessage) -> bool:
        return message.id in self.sending.get(message.chat_id, frozenset())

    def collect(self) -> tuple[bool, bool, float]:
        """Forget the runs that ended: (any ended, one of them has newer messages, the
        seconds until the earliest held chat's next try, inf if none). Raises a run's
        error."""
        ended = again = False
        retry = math.inf
        for chat_id, task in list(self.tasks.items()):
            if not task.done():
                continue
            del self.tasks[chat_id], self.sending[chat_id]
            ended = True
            again |= chat_id in self.waiting
            retry_in = task.result()
            if retry_in is not None:
                self.held.add(chat_id)
                retry = min(retry, retry_in)
        return ended, again, retry


class Dispatcher(Rounds):
    name = "outbox-dispatcher"

    def __init__(self, bot: Bot, store: Store, clock: Clock, *, idle_poll: float = 5.0,
                 keep: timedelta | None = None,
                 notices_for_unreachable: Notices | None = None,
                 pacer: Pacer | None = None) -> None:
        super().__init__()
        self.pacer = pacer
        """Telegram's rates, shared with the Application's direct replies (None: no pacing)."""
        self.bot = bot
        self.store = store
        self.clock = clock
        self.idle_poll = self.fallback_delay = idle_poll
        self.notices_for_unreachable: Notices = notices_for_unreachable or _no_notices
        """What to tell (the admins, the group) when a chat cannot be reached (the office
        composes it)."""
        self.keep = keep
        """Sent messages older than this are pruned (None: kept forever)."""
        self._pruned_at: float | None = None

    async def round(self) -> float:
        wait = await self.drain()
        await self.prune()
        return wait

    async def prune(self, *, force: bool = False) -> int:
        """Delete sent messages older than `keep`, at most once per `PRUNE_EVERY` seconds,
        in short batches (each its own transaction, so sending never waits long)."""
        now = time.monotonic()
        if self.keep is None or (not force and self._pruned_at is not None
                                 and now - self._pruned_at < PRUNE_EVERY):
            return 0
        self._pruned_at = now
        total = 0
        while True:
            done = await self.store.prune_sent(before=self.clock() - self.keep, batch=PRUNE_BATCH)
            total += done
            if done < PRUNE_BATCH:
                break
            await asyncio.sleep(0)
        if total:
            log.info("pruned %d sent message(s) older than %s", total, self.keep)
        return total

    async def drain(self) -> float:
        """Send everything that is due; returns how long to wait before the next round.

        Each chat's owed messages go in order, up to `CONCURRENCY` messages at once across
        chats. A chat whose run ends does not wait for the others: what is queued meanwhile
        (the commit wakes the dispatcher) starts at once in a chat not already sending, and a
        chat's newer messages start when its run ends, so its order holds. Owed messages are
        read again only when there may be more to start: something was queued, a chat with
        newer messages ended its run, or the last read was a full batch."""
        runs = _Runs()
        wait = self.idle_poll
        gate = asyncio.Semaphore(CONCURRENCY)
        read = True
        try:
            while True:
                if read:
                    self._wake.clear()  # what is queued after this read wakes us again
                    full, wait = await self._start_runs(runs, wait, gate)
                if not runs.tasks:
                    return max(wait, 0.0)
                woken = asyncio.ensure_future(self._wake.wait())
                await asyncio.wait([*runs.tasks.values(), woken],
                                   return_when=asyncio.FIRST_COMPLETED)
                woken.cancel()
                ended, again, retry_in = runs.collect()  # a run's failure fails the round
                wait = min(wait, retry_in)
                read = self._wake.is_set() or again or (ended and full)
        except asyncio.CancelledError:  # stopped: the sends in flight stop too
            for task in runs.tasks.values():
                task.cancel()
            raise
        finally:
            if runs.tasks:  # a run failed: the others finish what they are sending
                await asyncio.gather(*runs.tasks.values(), return_exceptions=True)

    async def _start_runs(self, runs: _Runs, wait: float,
                          gate: asyncio.Semaphore) -> tuple[bool, float]:
        """Read up to `BATCH` owed messages and start a run for each chat that has some due
        and is neither sending nor held back; returns (the batch was full, the wait)."""
        now = self.clock()
        # Messages waiting for a retry are read too: they hold back their chat's later
        # messages, so that a retried message is never overtaken by a newer one. (A
        # message merely scheduled for later, never tried, holds nothing back.)
        queued = await self.store.pending_messages(now=now + _EVERYTHING, limit=BATCH)
        chats: dict[int, list[QueuedMessage]] = {}
        runs.waiting.clear()
        for message in queued:
            if message.chat_id in runs.tasks:
                if not runs.is_sending(message):
                    runs.waiting.add(message.chat_id)
                continue
            if message.chat_id in runs.held:
                continue
            if message.not_before is not None and message.not_before > now:
                wait = min(wait, (message.not_before - now).total_seconds())
                if message.attempts > 0:
                    runs.held.add(message.chat_id)
                continue
            chats.setdefault(message.chat_id, []).append(message)
        if chats:
            refs = await self.store.message_refs(
                m.payload["key"] for run in chats.values() for m in run if m.kind == "card")
            for chat_id, run in chats.items():
                runs.start(chat_id, run, self._send_run(run, refs, gate))
        return len(queued) == BATCH, wait

    async def _send_run(self, run: list[QueuedMessage], refs: dict[str, tuple[int, int]],
                        gate: asyncio.Semaphore) -> float | None:
        """One chat's messages in order; None when all went, else seconds until the chat's
        next try (its turn under the pacing, or a retry)."""
        for message in run:
            known = refs.get(message.payload["key"]) if message.kind == "card" else None
            turn = self._turn(message, known)
            if turn > 0:
                return turn
            async with gate:
                retry_in = await self._deliver(message, known, refs)
            if retry_in is not None:
                return retry_in
        return None

    def _turn(self, message: QueuedMessage, known: tuple[int, int] | None) -> float:
        """0: may go now (its message counted); else seconds until the chat's turn. Edits
        are not counted (Telegram's rates are for new messages)."""
        if self.pacer is None or message.kind == "edit" or known is not None:
            return 0.0
        return self.pacer.take(message.chat_id)

    async def _deliver(self, message: QueuedMessage, known: tuple[int, int] | None,
                       refs: dict[str, tuple[int, int]] | None = None) -> float | None:
        """Send one message; None when done (sent or given up), else seconds until retry.
        A card sent anew is added to `refs` (a later card of the same key edits it)."""
        crashpoints.hit("outbox_sending", message.request_id)
        try:
            sent_id, ref = await self._send(message, known)
        except RetryAfter as exc:
            seconds = _seconds(exc.retry_after)
            if self.pacer is not None:
                self.pacer.hold(message.chat_id, seconds)
            return await self._retry(message, f"429 retry after {seconds}s", seconds)
        except Forbidden as exc:
            await self._unreachable(message, f"403 {exc.message}")
            return None
        except BadRequest as exc:
            if "message is not modified" in exc.message.lower():  # PTB capitalises it
                await self.store.mark_sent(message.id, now=self.clock(), result="unchanged")
                return None
            if "chat not found" in exc.message.lower():
                await self._unreachable(message, f"400 {exc.message}")
                return None
            await self._give_up(message, f"400 {exc.message}")
            return None
        except (NetworkError, TelegramError, OSError) as exc:
            backoff = min(2.0 ** min(message.attempts, 10), MAX_BACKOFF.total_seconds())
            return await self._retry(message, f"{type(exc).__name__}: {exc}", backoff)
        crashpoints.hit("outbox_sent", message.request_id)  # the window the module doc names
        await self.store.mark_sent(message.id, now=self.clock(),
                                   result={"message_id": sent_id}, ref=ref,
                                   letter="letter_id" in message.payload)
        if ref is not None and refs is not None:
            refs[ref[0]] = (ref[1], ref[2])
        return None

    async def _retry(self, message: QueuedMessage, error: str, seconds: float) -> float:
        if message.attempts + 1 >= MAX_ATTEMPTS:
            await self._give_up(message, error)
            return 0.0
        log.warning("outbox message %s to chat %s: %s", message.id, message.chat_id, error)
        retry_at = self.clock() + timedelta(seconds=seconds)
        await self.store.mark_failed(message.id, error=error, retry_at=retry_at)
        return seconds

    async def _unreachable(self, message: QueuedMessage, error: str) -> None:
        """The person blocked the bot or never opened it: keep the message for when they next
        write, and tell those who should know (once per stretch of unreachability)."""
        log.warning("outbox message %s to chat %s kept for later: %s", message.id,
                    message.chat_id, error)
        notices = await self.notices_for_unreachable(message.chat_id, error)
        await self.store.mark_unreachable(message.id, message.chat_id, error=error,
                                          now=self.clock(), notices=notices)

    async def _give_up(self, message: QueuedMessage, error: str) -> None:
        log.error("outbox message %s to chat %s dropped: %s", message.id, message.chat_id, error)
        await self.store.mark_failed(message.id, error=error, retry_at=None)

    async def _send(self, message: QueuedMessage, known: tuple[int, int] | None,
                    ) -> tuple[int, tuple[str, int, int] | None]:
        """Make the Bot API call; returns the message id and, for cards, the ref to keep.
        `known`: where the card was sent before (it is then edited)."""
        payload: dict[str, Any] = message.payload
        markup = keyboard(payload.get("buttons"))
        if message.kind == "card":
            key = payload["key"]
            if known is not None:
                await self.bot.edit_message_text(payload["text"], chat_id=known[0],
                                                 message_id=known[1], reply_markup=markup)
                return known[1], None
            sent = await self.bot.send_message(message.chat_id, payload["text"],
                                               reply_markup=markup)
            return sent.message_id, (key, message.chat_id, sent.message_id)
        if message.kind == "edit" and payload.get("caption"):
            await self.bot.edit_message_caption(chat_id=message.chat_id,
                                                message_id=payload["message_id"],
                                                caption=payload["text"], reply_markup=markup)
            return int(payload["message_id"]), None
        if message.kind == "edit":
            await self.bot.edit_message_text(payload["text"], chat_id=message.chat_id,
                                             message_id=payload["message_id"], reply_markup=markup)
            return int(payload["message_id"]), None
        if message.kind == "document":
            path = Path(payload["path"])
            sent = await self.bot.send_document(
                message.chat_id, path, filename=payload.get("filename", path.name),
                caption=payload.get("caption"), reply_markup=markup)
            return sent.message_id, None
        sent = await self.bot.send_message(message.chat_id, payload["text"], reply_markup=markup)
        return sent.message_id, None


async def _no_notices(_chat_id: int, _error: str) -> list[OutMessage]:
    return []


def _seconds(value: int | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
