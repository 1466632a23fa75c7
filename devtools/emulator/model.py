"""Plain records the emulator exposes to tests: messages as users see them, calls, transcript."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, Literal

Direction = Literal["bot->user", "user->bot"]


@dataclass(frozen=True)
class SimFile:
    """A file inside a message, with its bytes."""

    file_id: str
    filename: str | None
    mime_type: str | None
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True, eq=False)
class SimMessage:
    """One version of a message as the user sees it (a snapshot: later edits make new ones)."""

    chat_id: int
    message_id: int
    text: str  # visible text; "" for media messages (see ``caption`` / ``content``)
    caption: str | None
    buttons: list[list[tuple[str, str | None]]]  # inline keyboard: (text, callback_data)
    keyboard: list[list[str]] | None  # reply keyboard sent with this message
    remove_keyboard: bool
    document: SimFile | None
    photo: SimFile | None  # the largest size
    contact: dict[str, Any] | None
    entities: list[dict[str, Any]]
    source: str | None  # text or caption exactly as the bot sent it (HTML before parsing)
    from_bot: bool
    edited: bool
    deleted: bool
    version: int
    date: int
    reply_to_message_id: int | None
    raw: dict[str, Any]  # the Bot API ``Message`` object
    shown_at: float = 0.0
    """``time.perf_counter()`` when this version became visible (the bot's call was done)."""

    @property
    def content(self) -> str:
        """Text or caption, whichever the message has."""
        return self.text or self.caption or ""

    @property
    def button_texts(self) -> list[str]:
        return [text for row in self.buttons for text, _ in row]

    def find_button(self, label: str) -> tuple[str, str | None]:
        """The button whose text equals ``label``, else the only one containing it."""
        flat = [button for row in self.buttons for button in row]
        exact = [button for button in flat if button[0] == label]
        if exact:
            return exact[0]
        partial = [button for button in flat if label in button[0]]
        if len(partial) == 1:
            return partial[0]
        what = "several buttons match" if partial else "no button matches"
        raise LookupError(
            f"{what} {label!r} on message {self.message_id}; buttons: {self.button_texts}"
        )

    def __repr__(self) -> str:
        flags = " edited" if self.edited else ""
        flags += " deleted" if self.deleted else ""
        return (
            f"<SimMessage chat={self.chat_id} id={self.message_id}{flags} "
            f"{self.content[:60]!r} buttons={self.button_texts}>"
        )


@dataclass(frozen=True)
class ApiCall:
    """One request the bot made."""

    at: float
    method: str
    params: dict[str, Any]
    status: int
    result: Any = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass(frozen=True)
class TranscriptEntry:
    at: float  # time.time()
    chat: str  # the user's or group's name
    direction: Direction
    kind: str  # message, edit, delete, document, photo, contact, press, answer, error
    text: str


@dataclass(frozen=True)
class FeedItem:
    """Something the bot did in a chat that a test may wait for."""

    seq: int
    chat_id: int
    kind: Literal["new", "edit", "delete"]
    message: SimMessage


class Signal:
    """Wake every waiter on change; sync ``notify`` so state changes need no lock."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, seconds: float) -> bool:
        """Wait for the next ``notify``; ``False`` after ``seconds``."""
        event = self._event
        try:
            await asyncio.wait_for(event.wait(), seconds)
        except TimeoutError:
            return False
        return True


@dataclass
class FileRecord:
    file_id: str
    file_unique_id: str
    data: bytes
    filename: str | None
    mime_type: str | None
    file_path: str


@dataclass
class StoredMessage:
    chat_id: int
    message_id: int
    data: dict[str, Any]
    from_bot: bool
    source: str | None = None
    version: int = 0
    deleted: bool = False


@dataclass
class CallbackQueryRecord:
    query_id: str
    user_id: int
    created: float  # time.monotonic()
    answer: asyncio.Future[str | None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )
