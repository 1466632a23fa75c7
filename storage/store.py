"""The store: every entity's reads and writes over one shared `Database` (one writer
connection, reader connections beside it). Each entity lives in its own module; `Store` only
puts them together, so callers keep one object (`store.request(…)`, `store.transition(…)`,
`store.enqueue(…)`, `store.db`).

  people.py       people and office positions
  agencies.py     agencies and their contacts
  requests.py     requests, the incoming register, the audit timeline
  transitions.py  the transaction that moves a request (with its letter or subdomain)
  letters.py      the outgoing register and the letters' PDF files
  signatures.py   signers' identities at BSrE (NIK or e-mail)
  subdomains.py   the subdomains the bot created, and the register of every name in the zone
  watch.py        the daily watch's findings and runs
  outbox.py       queued messages and the refs of sent ones
  contacts.py     whether a person's private chat can be reached
  sessions.py     what a person is in the middle of in the chat (form, pending action)
  history.py      bulk import of past requests (same row writers, executemany)
  reminders.py    fired reminders (`ReminderLog`, used by the scheduler on its own)
  rows.py         timestamps and row → record mappers, shared by all of them
"""

from __future__ import annotations

from pathlib import Path

from storage.agencies import Agencies
from storage.contacts import Contacts
from storage.db import Database
from storage.errors import NotFound, StaleRequest, StorageError
from storage.history import History
from storage.letters import Letters
from storage.outbox import Outbox, queue_messages
from storage.people import People
from storage.reconfirmations import Reconfirmations
from storage.requests import Requests
from storage.rows import timestamp
from storage.sessions import Sessions
from storage.signatures import Signatures
from storage.subdomains import Register, Subdomains
from storage.transitions import Transitions
from storage.watch import WatchLog

__all__ = ["NotFound", "StaleRequest", "StorageError", "Store", "queue_messages", "timestamp"]


class Store(People, Agencies, Requests, Transitions, Letters, Subdomains, Outbox, History,
            Contacts, Register, WatchLog, Signatures, Sessions, Reconfirmations):
    @classmethod
    async def open(cls, path: str | Path) -> Store:
        return cls(await Database.open(path))

    async def close(self) -> None:
        await self.db.close()
