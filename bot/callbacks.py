"""Button payloads: small typed records packed into Telegram's 1–64 byte callback_data.

They carry opaque ids only (request id, version, action); everything else is looked up in the
database when the button is pressed, so a forged or stale payload can do no harm.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_CALLBACK_BYTES = 64
ANY_VERSION = 0
"""Version 0 on a button: valid whatever the request's version (see Transition.any_version)."""


class BadPayload(ValueError):
    pass


@dataclass(frozen=True)
class ActionButton:
    request_id: int
    version: int
    action: str
    """An action key of the workflow table (checked against the table when pressed)."""
    choice: str = ""
    """What the button chooses with the action (the step card offers one button per choice):
    `i<n>`, the n-th instruction of the transition; `s<person id>`, the member it assigns."""

    PREFIX = "a"

    def pack(self) -> str:
        data = f"{self.PREFIX}:{self.request_id}:{self.version}:{self.action}"
        if self.choice:
            data += f":{self.choice}"
        if len(data.encode()) > MAX_CALLBACK_BYTES:
            raise BadPayload("callback data over 64 bytes")
        return data

    @classmethod
    def unpack(cls, data: str) -> ActionButton:
        parts = data.split(":")
        if len(parts) not in (4, 5) or parts[0] != cls.PREFIX:
            raise BadPayload(f"not an action button: {data!r}")
        try:
            action = parts[3]
            if not action.replace("_", "").isalnum():
                raise ValueError(f"not an action key: {action!r}")
            choice = parts[4] if len(parts) == 5 else ""
            if len(parts) == 5 and not (choice[:1] in ("i", "s") and choice[1:].isdigit()):
                raise ValueError(f"not a choice: {choice!r}")
            return cls(int(parts[1]), int(parts[2]), action, choice)
        except ValueError as exc:
            raise BadPayload(str(exc)) from None
