"""Simulated people and chats: what tests and the demo use to talk to the bot."""

from __future__ import annotations

import asyncio
import itertools
import re
import time
from collections.abc import Callable
from typing import Any, Protocol

from devtools.emulator.model import ApiCall, CallbackQueryRecord, SimMessage, StoredMessage
from devtools.emulator.world import World


class Emulator(Protocol):
    """What a simulated person uses of the emulator (`BotApiEmulator` is one)."""

    world: World
    calls: list[ApiCall]
    closing: bool

Match = Callable[[SimMessage], bool] | str | None
_COMMAND_RE = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![\w@])")
_query_ids = itertools.count(int(time.time()) * 1000)


def _bot_commands(text: str) -> list[dict[str, Any]]:
    """``bot_command`` entities, as a Telegram client would add (UTF-16 offsets)."""
    entities = []
    for found in _COMMAND_RE.finditer(text):
        offset = len(text[: found.start()].encode("utf-16-le")) // 2
        entities.append({"type": "bot_command", "offset": offset, "length": len(found.group())})
    return entities


def _matcher(match: Match) -> Callable[[SimMessage], bool]:
    if match is None:
        return lambda _m: True
    if isinstance(match, str):
        needle = match
        return lambda m: needle in m.content
    return match


class SimChat:
    """A chat as the test sees it: the messages the bot sent there."""

    def __init__(self, emu: Emulator, chat_id: int, name: str) -> None:
        self.emu = emu
        self.chat_id = chat_id
        self.name = name
        self._consumed: set[int] = set()

    @property
    def inbox(self) -> list[SimMessage]:
        """Every message the bot sent here, current version (edits applied), in order."""
        return self.emu.world.inbox(self.chat_id)

    @property
    def last(self) -> SimMessage | None:
        inbox = self.inbox
        return inbox[-1] if inbox else None

    async def wait_for(
        self,
        match: Match = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - a timeout argument reads best in tests
    ) -> SimMessage:
        """The earliest not yet returned new or edited bot message here that matches.

        ``match`` is a predicate, a substring of the text/caption, or ``None`` for any.
        Raises ``TimeoutError`` (with what did arrive) after ``timeout`` seconds.
        """
        accept = _matcher(match)
        world = self.emu.world
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            for item in world.chat_feeds.get(self.chat_id, ()):
                if (
                    item.kind != "delete"
                    and item.seq not in self._consumed
                    and accept(item.message)
                ):
                    self._consumed.add(item.seq)
                    return item.message
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0 or self.emu.closing:
                raise TimeoutError(self._timeout_report(timeout))
            await world.chat_changed[self.chat_id].wait(remaining)

    def _timeout_report(self, timeout: float) -> str:
        pending = [
            repr(item.message)
            for item in self.emu.world.feed
            if item.chat_id == self.chat_id and item.seq not in self._consumed
        ]
        errors = [f"{c.method}: {c.error}" for c in self.emu.calls if c.error][-3:]
        return (
            f"no matching bot message in {self.name!r} within {timeout}s; "
            f"not yet returned: {pending[-5:]}; recent API errors: {errors}"
        )

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r} id={self.chat_id}>"


class SimGroup(SimChat):
    """A group the bot is a member of; people send here with ``chat=group``."""


class SimUser(SimChat):
    """A person and their private chat with the bot (chat id == user id)."""

    def __init__(self, emu: Emulator, user: dict[str, Any], phone: str | None) -> None:
        super().__init__(emu, user["id"], user["first_name"])
        self.user = user
        self.user_id: int = user["id"]
        self.phone = phone

    # -- sending -------------------------------------------------------------------------
    def _chat_of(self, chat: SimChat | None) -> SimChat:
        return self if chat is None else chat

    def _post(
        self, chat: SimChat | None, content: dict[str, Any], kind: str, summary: str
    ) -> SimMessage:
        target = self._chat_of(chat)
        world = self.emu.world
        if target is self:  # writing in her own chat with the bot opens it
            world.not_started.discard(self.user_id)
        stored = world.new_message(target.chat_id, self.user, content, from_bot=False)
        label = self.name if target is self else f"{self.name} @ {target.name}"
        world.log(label, "user->bot", kind, summary)
        world.push_update("message", world.public(stored.data))
        return world.snapshot(stored)

    async def send_text(
        self, text: str, *, chat: SimChat | None = None, reply_to: SimMessage | None = None
    ) -> SimMessage:
        """Send a text message; commands in it get ``bot_command`` entities."""
        content: dict[str, Any] = {"text": text}
        entities = _bot_commands(text)
        if entities:
            content["entities"] = entities
        if reply_to is not None:
            replied = self.emu.world.get_message(reply_to.chat_id, reply_to.message_id)
            if replied is not None:
                content["reply_to_message"] = self.emu.world.public(replied.data)
        return self._post(chat, content, "message", text)

    async def send_command(
        self, command: str, args: str = "", *, chat: SimChat | None = None
    ) -> SimMessage:
        """``/start`` or ``start`` plus optional arguments."""
        text = command if command.startswith("/") else f"/{command}"
        if args:
            text = f"{text} {args}"
        return await self.send_text(text, chat=chat)

    async def share_contact(
        self,
        phone: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        *,
        user_id: int | None = None,
        chat: SimChat | None = None,
    ) -> SimMessage:
        """Share a contact; by default her own (``user_id`` = her id)."""
        number = phone or self.phone
        if number is None:
            raise ValueError(f"{self.name} has no phone number; pass phone=")
        contact: dict[str, Any] = {
            "phone_number": number,
            "first_name": first_name or self.user["first_name"],
            "user_id": self.user_id if user_id is None else user_id,
        }
        if last_name:
            contact["last_name"] = last_name
        return self._post(chat, {"contact": contact}, "contact", number)

    async def send_document(
        self,
        data: bytes,
        filename: str = "dokumen.pdf",
        mime_type: str = "application/pdf",
        caption: str | None = None,
        *,
        chat: SimChat | None = None,
    ) -> SimMessage:
        record = self.emu.world.store_file(data, filename, mime_type, "documents")
        content: dict[str, Any] = {
            "document": {
                "file_id": record.file_id,
                "file_unique_id": record.file_unique_id,
                "file_name": filename,
                "mime_type": mime_type,
                "file_size": len(data),
            }
        }
        if caption:
            content["caption"] = caption
        summary = f"📄 {filename} ({len(data)} bytes)" + (f" — {caption}" if caption else "")
        return self._post(chat, content, "document", summary)

    async def send_photo(
        self, data: bytes, caption: str | None = None, *, chat: SimChat | None = None
    ) -> SimMessage:
        """A photo; like Telegram, the message carries several sizes (largest last)."""
        sizes = []
        for width, height in ((90, 67), (320, 240), (800, 600)):
            record = self.emu.world.store_file(data, None, "image/jpeg", "photos")
            sizes.append(
                {
                    "file_id": record.file_id,
                    "file_unique_id": record.file_unique_id,
                    "file_size": len(data),
                    "width": width,
                    "height": height,
                }
            )
        content: dict[str, Any] = {"photo": sizes}
        if caption:
            content["caption"] = caption
        return self._post(chat, content, "photo", "🖼 foto" + (f" — {caption}" if caption else ""))

    # -- reply keyboard ------------------------------------------------------------------
    @property
    def reply_keyboard(self) -> list[list[dict[str, Any]]] | None:
        """The reply keyboard currently shown in her private chat (buttons as objects)."""
        mine = [
            s for s in self.emu.world.messages.values() if s.chat_id == self.chat_id and s.from_bot
        ]
        for stored in sorted(mine, key=lambda s: s.message_id, reverse=True):
            markup = stored.data.get("_sent_markup") or {}
            if "keyboard" in markup:
                rows: list[list[dict[str, Any]]] = markup["keyboard"]
                return rows
            if markup.get("remove_keyboard"):
                return None
        return None

    async def tap(self, label: str) -> SimMessage:
        """Tap a reply-keyboard button: sends its text, or her contact for request_contact."""
        keyboard = self.reply_keyboard or []
        for button in (b for row in keyboard for b in row):
            if button["text"] == label:
                if button.get("request_contact"):
                    return await self.share_contact()
                return await self.send_text(label)
        shown = [b["text"] for row in keyboard for b in row]
        raise LookupError(f"no reply-keyboard button {label!r}; shown: {shown}")

    # -- buttons -------------------------------------------------------------------------
    async def press(
        self,
        msg: SimMessage,
        label: str,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
        wait_answer: bool = True,
    ) -> str | None:
        """Press an inline button on the CURRENT version of ``msg`` (exact text or a unique
        substring). Returns the text of the bot's callback answer (``None`` without text)."""
        stored = self._current(msg)
        text, data = self.emu.world.snapshot(stored).find_button(label)
        if data is None:
            raise LookupError(f"button {text!r} has no callback_data")
        return await self._press(stored, data, text, timeout, wait_answer)

    async def press_data(
        self,
        msg: SimMessage,
        data: str,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
        wait_answer: bool = True,
    ) -> str | None:
        """Send a callback query with any ``data`` for ``msg``, e.g. a stale button's."""
        stored = self._current(msg)
        return await self._press(stored, data, f"data={data}", timeout, wait_answer)

    def _current(self, msg: SimMessage) -> StoredMessage:
        stored = self.emu.world.get_message(msg.chat_id, msg.message_id)
        if stored is None:
            raise LookupError(f"message {msg.message_id} in chat {msg.chat_id} is gone")
        return stored

    async def _press(
        self, stored: StoredMessage, data: str, label: str, seconds: float, wait_answer: bool
    ) -> str | None:
        world = self.emu.world
        query_id = str(next(_query_ids))
        record = CallbackQueryRecord(query_id, self.user_id, time.monotonic())
        world.queries[query_id] = record
        chat_label = world.chat_name(stored.chat_id)
        who = self.name if stored.chat_id == self.chat_id else f"{self.name} @ {chat_label}"
        world.log(who, "user->bot", "press", label)
        world.push_update(
            "callback_query",
            {
                "id": query_id,
                "from": self.user,
                "message": world.public(stored.data),
                "chat_instance": str(abs(stored.chat_id) * 1000003 + 17),
                "data": data,
            },
        )
        if not wait_answer:
            return None
        try:
            return await asyncio.wait_for(asyncio.shield(record.answer), seconds)
        except TimeoutError:
            raise TimeoutError(
                f"the bot did not answer the callback query for {label} within {seconds}s"
            ) from None

    # -- blocking ------------------------------------------------------------------------
    def block(self) -> None:
        """She blocks the bot: sending to her gives 403 Forbidden."""
        self.emu.world.blocked.add(self.user_id)

    def unblock(self) -> None:
        self.emu.world.blocked.discard(self.user_id)


def new_user(
    user_id: int, first_name: str, username: str | None, last_name: str | None
) -> dict[str, Any]:
    user: dict[str, Any] = {
        "id": user_id,
        "is_bot": False,
        "first_name": first_name,
        "language_code": "id",
    }
    if username:
        user["username"] = username
    if last_name:
        user["last_name"] = last_name
    return user


__all__ = ["SimChat", "SimGroup", "SimUser", "new_user"]
