"""The staff's new text for a part of the reply letter ("Perbaiki"): checked before it can
reach a KONSEP. Pure: a refusal is one Indonesian sentence (`BadNote`), and the step stays open.
"""

from __future__ import annotations

import re

from bot.workflow import BadNote

LIMITS: dict[str, int] = {"hal": 250, "tembusan": 600}
"""Longest text per part; any other part (a paragraph, the advice, the reason): PARAGRAPH."""
PARAGRAPH = 1500
_TAG = re.compile(r"<\s*/?\s*[A-Za-z!][^>]*>|&[A-Za-z]+;|&#\d+;")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


LABELS: dict[str, str] = {"hal": "Hal", "advice": "Saran teknis", "reason": "Alasan",
                          "tembusan": "Tembusan"}


def label_of(key: str) -> str:
    """``Hal``, ``Paragraf 2``…: how the trail names a revised part."""
    if key in LABELS:
        return LABELS[key]
    return f"Paragraf {key[1:]}" if key[:1] == "p" and key[1:].isdigit() else key


def limit(key: str) -> int:
    return LIMITS.get(key, PARAGRAPH)


def clean(key: str, text: str, known: set[str] | frozenset[str]) -> str:
    """The text to put in part `key`, tidied (spaces collapsed; the tembusan keeps one item
    per line or ';'), or BadNote: an unknown part, an empty, overlong or HTML text."""
    if key not in known:
        raise BadNote("Bagian surat tersebut tidak dapat diubah. Mohon pilih dari daftar.")
    if _CONTROL.search(text):
        raise BadNote("Teks memuat karakter kendali; mohon kirim teks biasa.")
    if _TAG.search(text):
        raise BadNote("Mohon kirim teks biasa tanpa tag HTML; teks tersebut tidak dipakai.")
    if key == "tembusan":
        items = [" ".join(i.split()) for i in re.split(r"[;\n]", text) if i.strip()]
        tidy = "; ".join(items)
    else:
        tidy = " ".join(text.split())
    if not tidy:
        raise BadNote("Teks pengganti kosong; mohon kirim teks yang akan dimuat dalam surat.")
    if len(tidy) > limit(key):
        raise BadNote(f"Teks terlalu panjang ({len(tidy)} karakter); paling banyak "
                      f"{limit(key)} karakter untuk bagian ini. Teks tersebut tidak dipakai.")
    return tidy
