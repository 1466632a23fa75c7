"""Chat sessions: one row per person and kind ("form", "action") with a JSON payload.

The front end owns the payload's shape; storage only keeps it, with a version that grows on
every save and the time of the last save (what expiry is counted from).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.db import Repository
from storage.rows import instant, timestamp


@dataclass(frozen=True)
class Session:
    telegram_user_id: int
    kind: str
    payload: dict[str, Any]
    version: int
    updated_at: datetime


class Sessions(Repository):
    async def session(self, telegram_user_id: int, kind: str) -> Session | None:
        rows = await self.db.fetch(
            """SELECT payload, version, updated_at FROM sessions
               WHERE telegram_user_id = ? AND kind = ?""", (telegram_user_id, kind))
        if not rows:
            return None
        payload, version, updated_at = rows[0]
        return Session(telegram_user_id, kind, json.loads(payload), int(version),
                       instant(updated_at))

    async def save_session(self, telegram_user_id: int, kind: str, payload: dict[str, Any], *,
                           now: datetime) -> int:
        """Write the session (a new one starts at version 1); returns its version."""
        rows = await self.db.write_returning(
            """INSERT INTO sessions (telegram_user_id, kind, payload, version, updated_at)
               VALUES (?, ?, ?, 1, ?)
               ON CONFLICT (telegram_user_id, kind) DO UPDATE SET
                 payload = excluded.payload, version = version + 1,
                 updated_at = excluded.updated_at
               RETURNING version""",
            (telegram_user_id, kind, json.dumps(payload, ensure_ascii=False), timestamp(now)))
        return int(rows[0][0])

    async def clear_session(self, telegram_user_id: int, kind: str) -> bool:
        return await self.db.write(
            "DELETE FROM sessions WHERE telegram_user_id = ? AND kind = ?",
            (telegram_user_id, kind)) > 0
