"""Bot API methods that read or change messages, files, callback answers and commands."""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from devtools.emulator.errors import ApiError, bad_request, too_many_requests
from devtools.emulator.formatting import FormattedText, caption_text, message_text
from devtools.emulator.markup import check_commands, check_reply_markup
from devtools.emulator.params import Params, Upload
from devtools.emulator.ratelimit import FloodControl
from devtools.emulator.world import World

Handler = Callable[[Params], Awaitable[Any]]
UPLOAD_LIMIT = 50 * 1024 * 1024
DOWNLOAD_LIMIT = 20 * 1024 * 1024
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
_QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"
_CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice",
        "upload_voice", "upload_document", "choose_sticker", "find_location",
        "record_video_note", "upload_video_note",
    }
)


def _with_text(
    content: dict[str, Any], formatted: FormattedText | None, key: str, entities_key: str
) -> None:
    content.pop(key, None)
    content.pop(entities_key, None)
    if formatted is not None:
        content[key] = formatted.text
        if formatted.entities:
            content[entities_key] = formatted.entities


def _entities(params: Params, name: str) -> list[dict[str, Any]] | None:
    value = params.structured(name)
    if value is not None and not isinstance(value, list):
        raise bad_request(f"can't parse {name} JSON object")
    return value


class MessageMethods:
    """Implements the message-related methods on a ``World``."""

    def __init__(
        self,
        world: World,
        flood: FloodControl | None,
        callback_max_age: float,
    ) -> None:
        self.world = world
        self.flood = flood
        self.callback_max_age = callback_max_age

    def table(self) -> dict[str, Handler]:
        """Handlers by lower-cased method name."""
        return {
            "getme": self.get_me,
            "sendmessage": self.send_message,
            "senddocument": self.send_document,
            "sendphoto": self.send_photo,
            "editmessagetext": self.edit_message_text,
            "editmessagecaption": self.edit_message_caption,
            "editmessagereplymarkup": self.edit_message_reply_markup,
            "deletemessage": self.delete_message,
            "answercallbackquery": self.answer_callback_query,
            "getfile": self.get_file,
            "setmycommands": self.set_my_commands,
            "getmycommands": self.get_my_commands,
            "deletemycommands": self.delete_my_commands,
            "sendchataction": self.send_chat_action,
            "getchat": self.get_chat,
        }

    # -- helpers -------------------------------------------------------------------------
    def _target(self, params: Params, *, counts: bool) -> dict[str, Any]:
        chat = self.world.resolve_chat(params.chat_id())
        if counts and self.flood is not None:
            wait = self.flood.take(chat["id"], self.world.is_group(chat["id"]))
            if wait is not None:
                raise too_many_requests(wait)
        return chat

    def _reply_to(self, params: Params, chat_id: int) -> dict[str, Any] | None:
        reply = params.structured("reply_parameters")
        if reply is None and params.integer("reply_to_message_id") is not None:
            reply = {
                "message_id": params.integer("reply_to_message_id"),
                "allow_sending_without_reply": params.flag("allow_sending_without_reply"),
            }
        if reply is None:
            return None
        if not isinstance(reply, dict) or "message_id" not in reply:
            raise bad_request("can't parse reply parameters JSON object")
        try:
            target = int(reply.get("chat_id", chat_id))
            stored = self.world.get_message(target, int(reply["message_id"]))
        except (TypeError, ValueError) as exc:
            raise bad_request("message to be replied not found") from exc
        if stored is None:
            if reply.get("allow_sending_without_reply"):
                return None
            raise bad_request("message to be replied not found")
        return {k: v for k, v in self.world.public(stored.data).items() if k != "reply_to_message"}

    def _markup(self, params: Params, *, inline_only: bool = False) -> dict[str, Any] | None:
        return check_reply_markup(params.structured("reply_markup"), inline_only=inline_only)

    def _send(
        self,
        params: Params,
        content: dict[str, Any],
        source: str | None,
        markup: dict[str, Any] | None,
        reply: dict[str, Any] | None,
        chat: dict[str, Any],
    ) -> dict[str, Any]:
        if reply is not None:
            content["reply_to_message"] = reply
        if markup is not None:
            content["_sent_markup"] = markup
            if "inline_keyboard" in markup:
                content["reply_markup"] = {"inline_keyboard": markup["inline_keyboard"]}
        stored = self.world.new_message(
            chat["id"], self.world.bot_user, content, from_bot=True, source=source
        )
        self.world.log_bot_message(stored)
        return self.world.public(stored.data)

    def _input_file(self, params: Params, name: str, folder: str) -> tuple[str, Any]:
        """Store an upload or look up a file_id; returns (file_id, record)."""
        value = params.input_file(name)
        if value is None or value == "":
            raise bad_request(f"there is no {name} in the request")
        if isinstance(value, Upload):
            if not value.data:
                raise bad_request("file must be non-empty")
            if len(value.data) > UPLOAD_LIMIT:
                raise ApiError(413, "Request Entity Too Large")
            record = self.world.store_file(value.data, value.filename, value.mime_type, folder)
        else:
            record = self.world.file(value)
        return record.file_id, record

    def _editable(self, params: Params) -> Any:
        if params.text("inline_message_id"):
            raise bad_request("inline messages are not supported by the emulator")
        chat = self.world.resolve_chat(params.chat_id())
        message_id = params.integer("message_id", required=True)
        assert message_id is not None
        stored = self.world.get_message(chat["id"], message_id)
        if stored is None:
            raise bad_request("message to edit not found")
        if not stored.from_bot:
            raise bad_request("message can't be edited")
        return stored

    def _commit_edit(self, stored: Any, data: dict[str, Any], source: str | None) -> Any:
        def visible(message: dict[str, Any]) -> dict[str, Any]:
            return {k: v for k, v in self.world.public(message).items() if k != "edit_date"}

        if visible(data) == visible(stored.data):
            raise bad_request(_NOT_MODIFIED)
        data["edit_date"] = int(time.time())
        self.world.replace(stored, data, source)
        self.world.log_bot_message(stored, "edit")
        return self.world.public(data)

    @staticmethod
    def _set_inline_markup(data: dict[str, Any], markup: dict[str, Any] | None) -> None:
        if markup is None:
            data.pop("reply_markup", None)
            data.pop("_sent_markup", None)
        else:
            data["reply_markup"] = {"inline_keyboard": markup["inline_keyboard"]}
            data["_sent_markup"] = markup

    # -- methods -------------------------------------------------------------------------
    async def get_me(self, params: Params) -> Any:
        return self.world.bot_user | {
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def send_message(self, params: Params) -> Any:
        text = params.text("text")
        if text is None:
            raise bad_request("message text is empty")
        formatted = message_text(text, params.text("parse_mode"), _entities(params, "entities"))
        markup = self._markup(params)
        chat = self.world.resolve_chat(params.chat_id())
        reply = self._reply_to(params, chat["id"])
        chat = self._target(params, counts=True)
        content: dict[str, Any] = {}
        _with_text(content, formatted, "text", "entities")
        return self._send(params, content, text, markup, reply, chat)

    async def _send_media(self, params: Params, name: str, folder: str) -> Any:
        caption_source = params.text("caption")
        caption = caption_text(
            caption_source, params.text("parse_mode"), _entities(params, "caption_entities")
        )
        markup = self._markup(params)
        chat = self.world.resolve_chat(params.chat_id())
        reply = self._reply_to(params, chat["id"])
        file_id, record = self._input_file(params, name, folder)
        chat = self._target(params, counts=True)
        content: dict[str, Any] = {}
        if name == "document":
            content["document"] = {
                "file_id": file_id,
                "file_unique_id": record.file_unique_id,
                "file_size": len(record.data),
            }
            if record.filename:
                content["document"]["file_name"] = record.filename
            if record.mime_type:
                content["document"]["mime_type"] = record.mime_type
        else:
            content["photo"] = [
                {
                    "file_id": file_id,
                    "file_unique_id": record.file_unique_id,
                    "file_size": len(record.data),
                    "width": 800,
                    "height": 600,
                }
            ]
        _with_text(content, caption, "caption", "caption_entities")
        return self._send(params, content, caption_source, markup, reply, chat)

    async def send_document(self, params: Params) -> Any:
        return await self._send_media(params, "document", "documents")

    async def send_photo(self, params: Params) -> Any:
        return await self._send_media(params, "photo", "photos")

    async def edit_message_text(self, params: Params) -> Any:
        stored = self._editable(params)
        text = params.text("text")
        if text is None:
            raise bad_request("message text is empty")
        formatted = message_text(text, params.text("parse_mode"), _entities(params, "entities"))
        markup = self._markup(params, inline_only=True)
        if "text" not in stored.data:
            raise bad_request("there is no text in the message to edit")
        data = dict(stored.data)
        _with_text(data, formatted, "text", "entities")
        self._set_inline_markup(data, markup)
        return self._commit_edit(stored, data, text)

    async def edit_message_caption(self, params: Params) -> Any:
        stored = self._editable(params)
        source = params.text("caption")
        caption = caption_text(
            source, params.text("parse_mode"), _entities(params, "caption_entities")
        )
        markup = self._markup(params, inline_only=True)
        if "text" in stored.data:
            raise bad_request("there is no caption in the message to edit")
        data = dict(stored.data)
        _with_text(data, caption, "caption", "caption_entities")
        self._set_inline_markup(data, markup)
        return self._commit_edit(stored, data, source)

    async def edit_message_reply_markup(self, params: Params) -> Any:
        stored = self._editable(params)
        markup = self._markup(params, inline_only=True)
        data = dict(stored.data)
        self._set_inline_markup(data, markup)
        return self._commit_edit(stored, data, stored.source)

    async def delete_message(self, params: Params) -> Any:
        chat = self.world.resolve_chat(params.chat_id())
        message_id = params.integer("message_id", required=True)
        assert message_id is not None
        stored = self.world.get_message(chat["id"], message_id)
        if stored is None:
            raise bad_request("message to delete not found")
        self.world.delete(stored)
        self.world.log(self.world.chat_name(chat["id"]), "bot->user", "delete", f"#{message_id}")
        return True

    async def answer_callback_query(self, params: Params) -> Any:
        query_id = params.text("callback_query_id", required=True)
        assert query_id is not None
        text = params.text("text")
        if text is not None and len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        record = self.world.queries.get(query_id)
        if record is None or record.answer.done():
            raise bad_request(_QUERY_INVALID)
        if time.monotonic() - record.created > self.callback_max_age:
            record.answer.cancel()
            raise bad_request(_QUERY_INVALID)
        record.answer.set_result(text or None)
        user = self.world.users.get(record.user_id, {})
        alert = " (alert)" if params.flag("show_alert") else ""
        self.world.log(
            str(user.get("first_name", record.user_id)), "bot->user", "answer",
            (text or "") + alert,
        )
        return True

    async def get_file(self, params: Params) -> Any:
        file_id = params.text("file_id", required=True)
        assert file_id is not None
        record = self.world.file(file_id)
        if len(record.data) > DOWNLOAD_LIMIT:
            raise bad_request("file is too big")
        return {
            "file_id": record.file_id,
            "file_unique_id": record.file_unique_id,
            "file_size": len(record.data),
            "file_path": record.file_path,
        }

    def _commands_key(self, params: Params) -> str:
        scope = params.structured("scope") or {"type": "default"}
        return json.dumps([scope, params.text("language_code") or ""], sort_keys=True)

    async def set_my_commands(self, params: Params) -> Any:
        commands = check_commands(params.structured("commands"))
        self.world_commands[self._commands_key(params)] = commands
        return True

    async def get_my_commands(self, params: Params) -> Any:
        return self.world_commands.get(self._commands_key(params), [])

    async def delete_my_commands(self, params: Params) -> Any:
        self.world_commands.pop(self._commands_key(params), None)
        return True

    @property
    def world_commands(self) -> dict[str, list[dict[str, str]]]:
        return self.world.commands

    async def send_chat_action(self, params: Params) -> Any:
        self.world.resolve_chat(params.chat_id())
        if params.text("action") not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    async def get_chat(self, params: Params) -> Any:
        chat = self.world.resolve_chat(params.chat_id())
        return dict(chat)
