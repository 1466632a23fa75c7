"""What the bot knows about reaching a person's private chat: that they wrote to it (a ref to
a message of that chat, kept in `message_refs` under `private:<id>`), what was delivered to
it, and what is kept because it could not be (the outbox's 'unreachable' rows)."""

from __future__ import annotations

from dataclasses import dataclass

from storage.db import Repository


@dataclass(frozen=True)
class ChatFacts:
    wrote: bool
    """The person has written to the bot in their private chat (so they opened it)."""
    delivered: int
    """Messages the outbox delivered to the chat (still kept: sent ones are pruned)."""
    kept: int
    """Messages kept because the chat could not be reached (blocked, never opened)."""
    error: str | None
    """Telegram's answer when the chat could not be reached."""


def _key(telegram_user_id: int) -> str:
    return f"private:{telegram_user_id}"


class Contacts(Repository):
    async def note_private_message(self, telegram_user_id: int, message_id: int) -> None:
        """The person wrote to the bot in their private chat (`message_id`: that message)."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT OR REPLACE INTO message_refs (key, chat_id, message_id) "
                "VALUES (?, ?, ?)", (_key(telegram_user_id), telegram_user_id, message_id))

    async def chat_facts(self, telegram_user_id: int) -> ChatFacts:
        async with self.db.reading() as conn:
            wrote = list(await conn.execute_fetchall(
                "SELECT 1 FROM message_refs WHERE key = ?", (_key(telegram_user_id),)))
            counts = list(await conn.execute_fetchall(
                """SELECT
                     SUM(sent_at IS NOT NULL AND sent_at NOT IN ('failed', 'unreachable')),
                     SUM(sent_at = 'unreachable'),
                     MAX(CASE WHEN sent_at = 'unreachable' THEN last_error END)
                   FROM outbox WHERE chat_id = ?""", (telegram_user_id,)))
        delivered, kept, error = counts[0] if counts else (0, 0, None)
        return ChatFacts(bool(wrote), int(delivered or 0), int(kept or 0), error)
