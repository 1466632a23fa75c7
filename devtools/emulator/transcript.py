"""Render the emulator's transcript as readable lines (used by the demo)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from devtools.emulator.model import TranscriptEntry


def _line(entry: TranscriptEntry) -> str:
    who, text = entry.chat, entry.text
    if entry.direction == "user->bot":
        if entry.kind == "press":
            return f"{who} menekan [{text}]"
        if entry.kind == "contact":
            return f"{who} membagikan kontak {text}"
        return f"{who} → Bot: {text}"
    if entry.kind == "edit":
        return f"Bot ✎ {who}: {text}"
    if entry.kind == "delete":
        return f"Bot menghapus pesan {text} di {who}"
    if entry.kind == "answer":
        return f"Bot ↩ {who}: {text or '(jawaban tombol tanpa teks)'}"
    if entry.kind == "error":
        return f"Bot ⚠ {who}: {text}"
    return f"Bot → {who}: {text}"


def render(entries: Iterable[TranscriptEntry], tz: dt.tzinfo | None = None) -> str:
    """One line per event, ``HH:MM:SS.mmm  Bot → Alice: ...``; continuation lines indented."""
    lines: list[str] = []
    for entry in entries:
        stamp = dt.datetime.fromtimestamp(entry.at, tz).strftime("%H:%M:%S.%f")[:-3]
        first, *rest = _line(entry).split("\n")
        lines.append(f"{stamp}  {first}")
        lines.extend(" " * (len(stamp) + 4) + more for more in rest)
    return "\n".join(lines)
