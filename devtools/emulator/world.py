"""The emulator's state: people, chats, messages, files, pending updates, transcript."""

from __future__ import annotations

import itertools
import secrets
import time
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from devtools.emulator.errors import bad_request, forbidden
from devtools.emulator.model import (
    CallbackQueryRecord,
    Direction,
    FeedItem,
    FileRecord,
    Signal,
    SimFile,
    SimMessage,
    StoredMessage,
    TranscriptEntry,
)

DEFAULT_UPDATE_TYPES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "callback_query",
        "inline_query",
        "chosen_inline_result",
        "shipping_query",
        "pre_checkout_query",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
    }
)


def _describe_markup(markup: dict[str, Any] | None) -> str:
    if not markup:
        return ""
    if "inline_keyboard" in markup:
        labels = [b["text"] for row in markup["inline_keyboard"] for b in row]
        return "  " + " ".join(f"[{label}]" for label in labels)
    if "keyboard" in markup:
        labels = [b["text"] for row in markup["keyboard"] for b in row]
        return "  ⌨ " + " ".join(f"[{label}]" for label in labels)
    if markup.get("remove_keyboard"):
        return "  ⌨ (keyboard dihapus)"
    return ""


class World:
    """Everything the emulator knows; no I/O here."""

    def __init__(self, bot_user: dict[str, Any]) -> None:
        self.bot_user = bot_user
        self.users: dict[int, dict[str, Any]] = {}
        self.chats: dict[int, dict[str, Any]] = {}
        self.blocked: set[int] = set()
        self.not_started: set[int] = set()
        """Users who never opened the bot: the bot cannot start a chat with them."""
        self.messages: dict[tuple[int, int], StoredMessage] = {}
        self.files: dict[str, FileRecord] = {}
        self.queries: dict[str, CallbackQueryRecord] = {}
        self.updates: list[dict[str, Any]] = []
        self.transcript: list[TranscriptEntry] = []
        self.feed: list[FeedItem] = []
        self.changed = Signal()  # feed or updates changed
        self.chat_feeds: dict[int, list[FeedItem]] = defaultdict(list)
        """`feed` per chat: a person waiting for a message reads only their own."""
        self.chat_changed: dict[int, Signal] = defaultdict(Signal)
        """Woken when a chat's feed changes (and by `wake_all`)."""
        self.allowed_updates: frozenset[str] = DEFAULT_UPDATE_TYPES
        self.commands: dict[str, list[dict[str, str]]] = {}
        self._next_update_id = 1
        self._next_message_id: dict[int, int] = {}
        self._file_counter = itertools.count(1)
        self._feed_counter = itertools.count(1)

    # -- people and chats -------------------------------------------------------------
    def add_user(self, user: dict[str, Any]) -> None:
        self.users[user["id"]] = user
        chat = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
        for key in ("last_name", "username"):
            if key in user:
                chat[key] = user[key]
        self.chats[user["id"]] = chat

    def add_group(self, chat_id: int, title: str) -> None:
        kind = "supergroup" if str(chat_id).startswith("-100") else "group"
        self.chats[chat_id] = {"id": chat_id, "type": kind, "title": title}

    def chat_name(self, chat_id: int) -> str:
        chat = self.chats.get(chat_id, {})
        return str(chat.get("title") or chat.get("first_name") or chat_id)

    def resolve_chat(self, ref: int | str) -> dict[str, Any]:
        """The chat the bot addresses, refusing unknown chats and users who blocked it."""
        if isinstance(ref, str):
            name = ref.removeprefix("@").lower()
            found = [c for c in self.chats.values() if str(c.get("username", "")).lower() == name]
            if not found:
                raise bad_request("chat not found")
            chat = found[0]
        else:
            chat = self.chats.get(ref) or {}
            if not chat:
                raise bad_request("chat not found")
        if chat["id"] in self.blocked:
            raise forbidden("bot was blocked by the user")
        if chat["id"] in self.not_started:
            raise forbidden("bot can't initiate conversation with a user")
        return chat

    def is_group(self, chat_id: int) -> bool:
        return self.chats.get(chat_id, {}).get("type") in ("group", "supergroup")

    # -- messages ----------------------------------------------------------------------
    def new_message(
        self, chat_id: int, sender: dict[str, Any], content: dict[str, Any], *, from_bot: bool,
        source: str | None = None,
    ) -> StoredMessage:
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        data = {
            "message_id": message_id,
            "from": sender,
            "chat": self.chats[chat_id],
            "date": int(time.time()),
            **content,
        }
        stored = StoredMessage(chat_id, message_id, data, from_bot, source)
        self.messages[(chat_id, message_id)] = stored
        if from_bot:
            self._publish(stored, "new")
        return stored

    def get_message(self, chat_id: int, message_id: int) -> StoredMessage | None:
        stored = self.messages.get((chat_id, message_id))
        return None if stored is None or stored.deleted else stored

    def replace(self, stored: StoredMessage, data: dict[str, Any], source: str | None) -> None:
        stored.data = data
        stored.source = source
        stored.version += 1
        self._publish(stored, "edit")

    def delete(self, stored: StoredMessage) -> None:
        stored.deleted = True
        stored.version += 1
        self._publish(stored, "delete")

    def _publish(self, stored: StoredMessage, kind: Any) -> None:
        item = FeedItem(next(self._feed_counter), stored.chat_id, kind, self.snapshot(stored))
        self.feed.append(item)
        self.chat_feeds[item.chat_id].append(item)
        self.chat_changed[item.chat_id].notify()
        self.changed.notify()

    def wake_all(self) -> None:
        """Wake every waiter (the emulator is closing)."""
        self.changed.notify()
        for signal in self.chat_changed.values():
            signal.notify()

    def snapshot(self, stored: StoredMessage) -> SimMessage:
        data = stored.data
        markup = data.get("reply_markup") or {}
        sent_markup = data.get("_sent_markup") or {}
        buttons = [
            [(b["text"], b.get("callback_data")) for b in row]
            for row in markup.get("inline_keyboard", [])
        ]
        keyboard = None
        if "keyboard" in sent_markup:
            keyboard = [[b["text"] for b in row] for row in sent_markup["keyboard"]]
        photo = None
        if data.get("photo"):
            photo = self.sim_file(data["photo"][-1]["file_id"])
        document = self.sim_file(data["document"]["file_id"]) if "document" in data else None
        reply = data.get("reply_to_message")
        return SimMessage(
            chat_id=stored.chat_id,
            message_id=stored.message_id,
            text=data.get("text", ""),
            caption=data.get("caption"),
            buttons=buttons,
            keyboard=keyboard,
            remove_keyboard=bool(sent_markup.get("remove_keyboard")),
            document=document,
            photo=photo,
            contact=data.get("contact"),
            entities=list(data.get("entities") or data.get("caption_entities") or []),
            source=stored.source,
            from_bot=stored.from_bot,
            edited="edit_date" in data,
            deleted=stored.deleted,
            version=stored.version,
            date=data["date"],
            reply_to_message_id=reply["message_id"] if reply else None,
            raw=self.public(data),
            shown_at=time.perf_counter(),
        )

    @staticmethod
    def public(data: dict[str, Any]) -> dict[str, Any]:
        """The message as the Bot API shows it (without the emulator's private keys)."""
        return {k: v for k, v in data.items() if not k.startswith("_")}

    def inbox(self, chat_id: int) -> list[SimMessage]:
        found = [
            s
            for s in self.messages.values()
            if s.chat_id == chat_id and s.from_bot and not s.deleted
        ]
        return [self.snapshot(s) for s in sorted(found, key=lambda s: s.message_id)]

    # -- files -------------------------------------------------------------------------
    def store_file(
        self, data: bytes, filename: str | None, mime_type: str | None, folder: str
    ) -> FileRecord:
        number = next(self._file_counter)
        suffix = ""
        if filename and "." in filename:
            suffix = "." + filename.rsplit(".", 1)[1]
        elif folder == "photos":
            suffix = ".jpg"
        record = FileRecord(
            file_id=f"BQACAgUAAx{number:06d}{secrets.token_hex(12)}",
            file_unique_id=f"AgAD{number:06d}",
            data=data,
            filename=filename,
            mime_type=mime_type,
            file_path=f"{folder}/file_{number}{suffix}",
        )
        self.files[record.file_id] = record
        return record

    def file(self, file_id: str) -> FileRecord:
        record = self.files.get(file_id)
        if record is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        return record

    def sim_file(self, file_id: str) -> SimFile | None:
        record = self.files.get(file_id)
        if record is None:
            return None
        return SimFile(record.file_id, record.filename, record.mime_type, record.data)

    # -- updates -----------------------------------------------------------------------
    def push_update(self, kind: str, payload: dict[str, Any]) -> int:
        update_id = self._next_update_id
        self._next_update_id += 1
        self.updates.append({"update_id": update_id, kind: payload})
        self.changed.notify()
        return update_id

    def confirm(self, offset: int) -> None:
        """Forget updates below ``offset`` (negative: keep only the last ``-offset``)."""
        if offset < 0:
            self.updates = self.updates[offset:]
        else:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]

    def deliverable(self, limit: int) -> list[dict[str, Any]]:
        """Pending updates of the allowed types; others are dropped as Telegram does."""
        kept = [u for u in self.updates if self._kind(u) in self.allowed_updates]
        self.updates = kept
        return kept[:limit]

    @staticmethod
    def _kind(update: dict[str, Any]) -> str:
        return next(k for k in update if k != "update_id")

    # -- transcript --------------------------------------------------------------------
    def log(self, chat: str, direction: Direction, kind: str, text: str) -> None:
        self.transcript.append(TranscriptEntry(time.time(), chat, direction, kind, text))

    def log_bot_message(self, stored: StoredMessage, kind: str = "message") -> None:
        data = stored.data
        parts: list[str] = []
        if "document" in data:
            doc = data["document"]
            parts.append(f"📄 {doc.get('file_name', 'dokumen')} ({doc.get('file_size', 0)} bytes)")
        if "photo" in data:
            parts.append("🖼 foto")
        body = data.get("text") or data.get("caption") or ""
        if body:
            parts.append(body)
        text = " — ".join(parts) + _describe_markup(data.get("_sent_markup"))
        self.log(self.chat_name(stored.chat_id), "bot->user", kind, text)

    def entries(self) -> Iterable[TranscriptEntry]:
        return tuple(self.transcript)
