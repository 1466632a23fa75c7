"""Telegram's HTML parse mode and text rules, following the Bot API server (tdlib) closely.

``parse_html`` turns the HTML a bot sends into the visible text plus message entities and
raises the same ``can't parse entities`` errors Telegram does. Offsets and lengths of entities
are in UTF-16 code units, as in the Bot API.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from devtools.emulator.errors import bad_request, entity_error

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
_WHITESPACE = " \t\r\n"

_SIMPLE_TAGS: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "code": "code",
    "pre": "pre",
}
ALLOWED_TAGS = frozenset({*_SIMPLE_TAGS, "a", "blockquote"})
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_PLAIN = re.compile(r"[^<&]+")
_ENTITY_RE = re.compile(r"&(?:#x([0-9a-fA-F]{1,8})|#([0-9]{1,9})|([a-zA-Z]{2,8}));")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass
class _Open:
    tag: str
    attrs: dict[str, str]
    offset: int  # UTF-16 offset of the first character inside the tag
    begin: int  # byte offset of "<" (for messages)


@dataclass
class FormattedText:
    """Visible text and its entities (Bot API ``MessageEntity`` dicts)."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _decode_entity(text: str, index: int) -> tuple[str, int] | None:
    """Decode ``&...;`` at ``index``; ``None`` if it is not an entity Telegram knows."""
    match = _ENTITY_RE.match(text, index)
    if match is None:
        return None
    hex_code, dec_code, name = match.groups()
    if name is not None:
        value = _NAMED_ENTITIES.get(name)
        return None if value is None else (value, match.end())
    code = int(hex_code, 16) if hex_code is not None else int(dec_code)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), match.end()


def _decode_all(value: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(value):
        if value[i] == "&" and (decoded := _decode_entity(value, i)) is not None:
            out.append(decoded[0])
            i = decoded[1]
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


class _HtmlParser:
    def __init__(self, source: str) -> None:
        self.src = source
        self.n = len(source)
        self.out: list[str] = []
        self.offset = 0
        self.stack: list[_Open] = []
        self.entities: list[dict[str, Any]] = []

    def _emit(self, chunk: str) -> None:
        self.out.append(chunk)
        self.offset += utf16_len(chunk)

    def _at(self, i: int) -> str:
        return self.src[i] if i < self.n else ""

    def run(self) -> FormattedText:
        i = 0
        while i < self.n:
            char = self.src[i]
            if char == "&" and (decoded := _decode_entity(self.src, i)) is not None:
                self._emit(decoded[0])
                i = decoded[1]
            elif char != "<":  # a run of plain text up to the next tag or entity, at once
                plain = _PLAIN.match(self.src, i + 1)
                end = plain.end() if plain else i + 1
                self._emit(self.src[i:end])
                i = end
            elif self._at(i + 1) == "/":
                i = self._end_tag(i)
            else:
                i = self._start_tag(i)
        if self.stack:
            raise entity_error(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].tag}"'
            )
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return FormattedText("".join(self.out), self.entities)

    def _start_tag(self, begin: int) -> int:
        where = _byte_offset(self.src, begin)
        i = begin + 1
        while i < self.n and not self.src[i].isspace() and self.src[i] != ">":
            i += 1
        if i >= self.n:
            raise entity_error(f"Unclosed start tag at byte offset {where}")
        tag = self.src[begin + 1 : i].lower()
        if tag not in ALLOWED_TAGS:
            raise entity_error(f'Unsupported start tag "{tag}" at byte offset {where}')
        attrs: dict[str, str] = {}
        while True:
            while i < self.n and self.src[i].isspace():
                i += 1
            if i >= self.n:
                raise entity_error(f"Unclosed start tag at byte offset {where}")
            if self.src[i] == ">":
                break
            name_start = i
            while (
                i < self.n
                and not self.src[i].isspace()
                and self.src[i] not in "=>"
            ):
                i += 1
            name = self.src[name_start:i].lower()
            if not name:
                raise entity_error(
                    f'Empty attribute name in the tag "{tag}" at byte offset {where}'
                )
            while i < self.n and self.src[i].isspace():
                i += 1
            if self._at(i) != "=":
                if tag == "blockquote" and name == "expandable":
                    attrs[name] = ""
                    continue
                raise entity_error(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{tag}" at byte offset {where}'
                )
            i += 1
            while i < self.n and self.src[i].isspace():
                i += 1
            if i >= self.n:
                raise entity_error(f'Unclosed start tag "{tag}" at byte offset {where}')
            quote = self.src[i]
            if quote in "\"'":
                end = self.src.find(quote, i + 1)
                if end < 0:
                    raise entity_error(
                        f'Unclosed end of an attribute value in the tag "{tag}" '
                        f"at byte offset {where}"
                    )
                attrs[name] = _decode_all(self.src[i + 1 : end])
                i = end + 1
            else:
                value_start = i
                while i < self.n and not self.src[i].isspace() and self.src[i] != ">":
                    i += 1
                attrs[name] = _decode_all(self.src[value_start:i])
        if tag == "span" and attrs.get("class") != "tg-spoiler":
            raise entity_error(
                f'Tag "span" must have class "tg-spoiler" at byte offset {where}'
            )
        self.stack.append(_Open(tag, attrs, self.offset, where))
        return i + 1

    def _end_tag(self, begin: int) -> int:
        where = _byte_offset(self.src, begin)
        if not self.stack:
            raise entity_error(f"Unexpected end tag at byte offset {where}")
        i = begin + 2
        while i < self.n and not self.src[i].isspace() and self.src[i] != ">":
            i += 1
        end_name = self.src[begin + 2 : i].lower()
        while i < self.n and self.src[i].isspace():
            i += 1
        if self._at(i) != ">":
            raise entity_error(f"Unclosed end tag at byte offset {where}")
        opened = self.stack.pop()
        if end_name and end_name != opened.tag:
            raise entity_error(
                f'Unmatched end tag at byte offset {where}, expected "</{opened.tag}>", '
                f'found "</{end_name}>"'
            )
        self._close(opened)
        return i + 1

    def _close(self, opened: _Open) -> None:
        length = self.offset - opened.offset
        if length <= 0:
            return
        entity: dict[str, Any] = {"offset": opened.offset, "length": length}
        if opened.tag == "a":
            url = opened.attrs.get("href", "")
            if not url:
                return
            entity.update(type="text_link", url=url)
        elif opened.tag == "blockquote":
            expandable = "expandable" in opened.attrs
            entity["type"] = "expandable_blockquote" if expandable else "blockquote"
        else:
            entity["type"] = _SIMPLE_TAGS[opened.tag]
            language = opened.attrs.get("class", "")
            if opened.tag == "code" and language.startswith("language-") and self.stack:
                parent = self.stack[-1]
                if parent.tag == "pre" and parent.offset == opened.offset:
                    parent.attrs["language"] = language.removeprefix("language-")
                    return
            if opened.tag == "pre" and opened.attrs.get("language"):
                entity["language"] = opened.attrs["language"]
        self.entities.append(entity)


def parse_html(source: str) -> FormattedText:
    """Parse Telegram HTML; raises ``ApiError`` 400 "can't parse entities: ..."."""
    return _HtmlParser(source).run()


def _strip(formatted: FormattedText) -> FormattedText:
    """Trim surrounding whitespace like Telegram does and clip entities to the rest."""
    text = formatted.text
    head = len(text) - len(text.lstrip(_WHITESPACE))
    stripped = text.strip(_WHITESPACE)
    shift = utf16_len(text[:head])
    size = utf16_len(stripped)
    entities: list[dict[str, Any]] = []
    for entity in formatted.entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, size)
        if end > start:
            entities.append({**entity, "offset": start, "length": end - start})
    return FormattedText(stripped, entities)


def format_text(
    text: str,
    parse_mode: str | None,
    entities: list[dict[str, Any]] | None = None,
) -> FormattedText:
    """Apply the parse mode (only HTML is emulated) and trim like Telegram."""
    mode = (parse_mode or "").strip()
    if mode.lower() == "html":
        formatted = parse_html(text)
    elif mode:
        raise bad_request(
            f"unsupported parse_mode {mode!r} (the emulator implements only HTML)"
        )
    else:
        formatted = FormattedText(text, list(entities or []))
    return _strip(formatted)


def message_text(
    text: str, parse_mode: str | None, entities: list[dict[str, Any]] | None = None
) -> FormattedText:
    """Text of a text message: 1-4096 characters after parsing."""
    formatted = format_text(text, parse_mode, entities)
    if not formatted.text:
        raise bad_request("message text is empty")
    if utf16_len(formatted.text) > TEXT_LIMIT:
        raise bad_request("message is too long")
    return formatted


def caption_text(
    caption: str | None, parse_mode: str | None, entities: list[dict[str, Any]] | None = None
) -> FormattedText | None:
    """Caption of a media message: at most 1024 characters after parsing; may be empty."""
    if caption is None:
        return None
    formatted = format_text(caption, parse_mode, entities)
    if utf16_len(formatted.text) > CAPTION_LIMIT:
        raise bad_request("message caption is too long")
    return formatted if formatted.text else None
