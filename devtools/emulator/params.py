"""Reading Bot API request parameters: query string, form, JSON body or multipart."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from devtools.emulator.errors import bad_request


@dataclass(frozen=True)
class Upload:
    """A file sent in a multipart request."""

    filename: str
    data: bytes
    mime_type: str

    def __repr__(self) -> str:
        return f"Upload({self.filename!r}, {len(self.data)} bytes, {self.mime_type!r})"


class Params:
    """Request fields. Form values are strings whose non-string values are JSON-encoded."""

    def __init__(self, fields: dict[str, Any], uploads: dict[str, Upload]) -> None:
        self.fields = fields
        self.uploads = uploads

    @classmethod
    async def read(cls, request: web.Request) -> Params:
        fields: dict[str, Any] = dict(request.query)
        uploads: dict[str, Upload] = {}
        if request.method == "POST" and request.can_read_body:
            ctype = request.content_type
            if ctype == "application/json":
                try:
                    body = json.loads(await request.read() or b"{}")
                except ValueError as exc:
                    raise bad_request("can't parse JSON object") from exc
                if not isinstance(body, dict):
                    raise bad_request("JSON object expected")
                fields.update(body)
            elif ctype in ("multipart/form-data", "application/x-www-form-urlencoded"):
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        uploads[key] = Upload(
                            filename=value.filename or key,
                            data=value.file.read(),
                            mime_type=value.content_type or "application/octet-stream",
                        )
                    else:
                        fields[key] = value
        return cls(fields, uploads)

    def __contains__(self, name: str) -> bool:
        return name in self.fields or name in self.uploads

    def summary(self) -> dict[str, Any]:
        """Everything received, files as ``Upload`` objects (for ``emu.calls``)."""
        return {**self.fields, **self.uploads}

    def text(self, name: str, *, required: bool = False) -> str | None:
        value = self.fields.get(name)
        if value is None:
            if required:
                raise bad_request(f"{name} is empty")
            return None
        if isinstance(value, (dict, list)):
            raise bad_request(f"field \"{name}\" must be of type String")
        return value if isinstance(value, str) else json.dumps(value)

    def integer(self, name: str, *, required: bool = False) -> int | None:
        value = self.fields.get(name)
        if value is None or value == "":
            if required:
                raise bad_request(f"{name} is empty")
            return None
        if isinstance(value, bool):
            raise bad_request(f"invalid {name} specified")
        try:
            return int(value)
        except (TypeError, ValueError) as exc:
            raise bad_request(f"invalid {name} specified") from exc

    def flag(self, name: str) -> bool:
        value = self.fields.get(name)
        if isinstance(value, str):
            return value.strip().lower() in ("true", "1")
        return bool(value)

    def structured(self, name: str) -> Any:
        """A structured value; form fields carry it JSON-encoded."""
        value = self.fields.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError as exc:
                raise bad_request(f"can't parse {name} JSON object") from exc
        return value

    def chat_id(self, name: str = "chat_id") -> int | str:
        value = self.fields.get(name)
        if value is None or value == "":
            raise bad_request("chat_id is empty")
        if isinstance(value, str) and value.startswith("@"):
            return value
        try:
            return int(value)
        except (TypeError, ValueError) as exc:
            raise bad_request("chat not found") from exc

    def input_file(self, name: str) -> Upload | str | None:
        """An uploaded file (directly or via ``attach://``), or a file_id / URL string."""
        if name in self.uploads:
            return self.uploads[name]
        value = self.text(name)
        if value is not None and value.startswith("attach://"):
            upload = self.uploads.get(value.removeprefix("attach://"))
            if upload is None:
                raise bad_request(f"file for {name} not found in the request")
            return upload
        return value
