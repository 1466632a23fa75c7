"""Telegram HTML parsing, limits and the readable transcript, without a bot."""

from __future__ import annotations

import datetime as dt

import pytest

from devtools.emulator import ApiError, BotApiEmulator, parse_html
from devtools.emulator.formatting import caption_text, message_text
from devtools.emulator.model import TranscriptEntry
from devtools.emulator.transcript import render


def test_entities_use_utf16_offsets_and_nesting() -> None:
    parsed = parse_html("😀 <b>tebal <i>miring</i></b> <tg-spoiler>r</tg-spoiler>")
    assert parsed.text == "😀 tebal miring r"
    assert parsed.entities == [
        {"offset": 3, "length": 12, "type": "bold"},
        {"offset": 9, "length": 6, "type": "italic"},
        {"offset": 16, "length": 1, "type": "spoiler"},
    ]


def test_pre_code_language_blockquote_and_links() -> None:
    parsed = parse_html(
        '<pre><code class="language-python">x = 1</code></pre>'
        "<blockquote expandable>kutipan</blockquote>"
        '<a href="https://balangankab.go.id/?a=1&amp;b=2">situs</a>'
        '<span class="tg-spoiler">s</span><u>g</u><s>c</s><code>k</code>'
    )
    assert parsed.text == "x = 1kutipansitussgck"
    types = [(e["type"], e.get("language") or e.get("url")) for e in parsed.entities]
    assert types == [
        ("pre", "python"),
        ("expandable_blockquote", None),
        ("text_link", "https://balangankab.go.id/?a=1&b=2"),
        ("spoiler", None),
        ("underline", None),
        ("strikethrough", None),
        ("code", None),
    ]


def test_entities_numeric_and_unknown() -> None:
    assert parse_html("&lt;&gt;&amp;&quot;&#39;&#x41;").text == "<>&\"'A"
    # Unknown entities and a bare ampersand stay as they are (Telegram does the same).
    assert parse_html("A &nbsp; B & C > D").text == "A &nbsp; B & C > D"
    assert parse_html("<B>x</B>").entities == [{"offset": 0, "length": 1, "type": "bold"}]
    assert parse_html("<b>x</>").text == "x"


@pytest.mark.parametrize(
    "bad",
    ["<p>x</p>", "<b>x", "<b>x</i>", "</b>", "<a href>x</a>", "<b", "<span>x</span>", "<div>"],
)
def test_bad_html(bad: str) -> None:
    with pytest.raises(ApiError) as caught:
        parse_html(bad)
    assert caught.value.status == 400
    assert caught.value.description.startswith("Bad Request: can't parse entities: ")


def test_limits_and_trimming() -> None:
    formatted = message_text("  \n<b> halo </b>\n ", "HTML")
    assert formatted.text == "halo"
    assert formatted.entities == [{"offset": 0, "length": 4, "type": "bold"}]
    assert message_text("é" * 4096, None).text == "é" * 4096
    with pytest.raises(ApiError, match="message is too long"):
        message_text("😀" * 2049, None)  # 4098 UTF-16 code units
    with pytest.raises(ApiError, match="message text is empty"):
        message_text("<i></i>", "HTML")
    with pytest.raises(ApiError, match="parse_mode"):
        message_text("*x*", "MarkdownV2")
    assert caption_text("", None) is None
    with pytest.raises(ApiError, match="caption is too long"):
        caption_text("<b>" + "x" * 1025 + "</b>", "HTML")


def test_transcript_rendering() -> None:
    at = dt.datetime(2026, 3, 2, 15, 2, 1, 123000, tzinfo=dt.UTC).timestamp()
    entries = [
        TranscriptEntry(at, "Alice", "user->bot", "message", "halo"),
        TranscriptEntry(at, "Alice", "bot->user", "message", "Nomor: 1\nBaris dua  [Setujui]"),
        TranscriptEntry(at, "Alice", "user->bot", "press", "Setujui"),
        TranscriptEntry(at, "Alice", "bot->user", "answer", "Disetujui"),
        TranscriptEntry(at, "Alice", "bot->user", "edit", "Nomor: 1 disetujui"),
    ]
    assert render(entries, dt.UTC).splitlines() == [
        "15:02:01.123  Alice → Bot: halo",
        "15:02:01.123  Bot → Alice: Nomor: 1",
        "                Baris dua  [Setujui]",
        "15:02:01.123  Alice menekan [Setujui]",
        "15:02:01.123  Bot ↩ Alice: Disetujui",
        "15:02:01.123  Bot ✎ Alice: Nomor: 1 disetujui",
    ]


async def test_wait_for_timeout_explains(emulator: BotApiEmulator) -> None:
    alice = emulator.user(1001, "Alice")
    with pytest.raises(TimeoutError, match=r"no matching bot message in 'Alice' within 0\.05s"):
        await alice.wait_for("apa pun", timeout=0.05)
