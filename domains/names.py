"""Validation of a requested subdomain label.

The input is one label under the parent domain, typed by a person: ``"Dinkes"``,
``" dinkes "`` and ``"dinkes.example.go.id"`` all mean the same name. Internationalised
names are converted with UTS46 (non-transitional) and IDNA 2008, and shown both ways.
Look-alike spellings are refused, because they are the usual way to fake an existing name:
a label mixing scripts (Latin with Cyrillic), a Latin label with a letter that imitates a
plain ASCII one (``ᴅinkes``, ``ınfo``), or a label written wholly in letters of another script
that look Latin (Armenian ``օօօ``). Which letters look like which comes from Unicode's
confusables data (UTS #39) through the ``confusable-homoglyphs`` package, not a hand list.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import idna

#: Labels that belong to infrastructure or that users would take for an official service.
DEFAULT_RESERVED: tuple[str, ...] = (
    "www", "mail", "email", "webmail", "smtp", "pop", "pop3", "imap", "mx", "ns", "ns1",
    "ns2", "ns3", "ns4", "dns", "ftp", "sftp", "admin", "administrator", "root", "cpanel",
    "whm", "webdisk", "plesk", "localhost", "autodiscover", "autoconfig", "hostmaster",
    "postmaster", "webmaster", "abuse", "vpn", "proxy", "gateway", "wpad", "isatap",
)  # fmt: skip

MAX_LABEL = 63
MAX_FQDN = 253
_MAX_INPUT = 1024

_LDH = re.compile(r"[a-z0-9-]+")
_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})

# Script sets a single label may combine (UTS 39 "highly restrictive").
_ALLOWED_SCRIPT_SETS: tuple[frozenset[str], ...] = (
    frozenset({"LATIN", "HAN", "HIRAGANA", "KATAKANA"}),
    frozenset({"LATIN", "HAN", "BOPOMOFO"}),
    frozenset({"LATIN", "HAN", "HANGUL"}),
)
_KNOWN_SCRIPTS = frozenset({
    "LATIN", "CYRILLIC", "GREEK", "ARMENIAN", "HEBREW", "ARABIC", "SYRIAC", "THAANA", "NKO",
    "DEVANAGARI", "BENGALI", "GURMUKHI", "GUJARATI", "ORIYA", "TAMIL", "TELUGU", "KANNADA",
    "MALAYALAM", "SINHALA", "THAI", "LAO", "TIBETAN", "MYANMAR", "GEORGIAN", "HANGUL",
    "ETHIOPIC", "CHEROKEE", "KHMER", "MONGOLIAN", "HIRAGANA", "KATAKANA", "BOPOMOFO",
    "JAVANESE", "BALINESE", "SUNDANESE", "BUGINESE", "BATAK", "REJANG", "COPTIC", "RUNIC",
    "OGHAM", "TIFINAGH", "VAI",
})  # fmt: skip


@dataclass(frozen=True)
class ValidName:
    """A checked name.

    ``label`` is the canonical DNS label (ASCII, the A-label for an IDN): the key used in the
    register, in requests and in the zone. ``ace_label`` is the same ASCII form, named for
    clarity where punycode matters; ``unicode_label`` is the form shown to people.
    """

    label: str
    ace_label: str
    unicode_label: str
    fqdn: str

    @property
    def is_idn(self) -> bool:
        return self.ace_label != self.unicode_label

    @property
    def unicode_fqdn(self) -> str:
        return self.fqdn.replace(self.ace_label, self.unicode_label, 1)

    def display(self) -> str:
        """``dinkes.example.go.id`` or ``bücher.… (xn--bcher-kva.…)`` for an IDN."""
        if self.is_idn:
            return f"{self.unicode_fqdn} ({self.fqdn})"
        return self.fqdn


class InvalidName(ValueError):
    """The input is not an acceptable label; ``message_id`` is the Indonesian reason."""

    def __init__(self, reason_code: str, message_id: str, suggestion: str | None = None) -> None:
        super().__init__(f"{reason_code}: {message_id}")
        self.reason_code = reason_code
        self.message_id = message_id
        self.suggestion = suggestion


_MESSAGES: dict[str, str] = {
    "not_text": "Nama subdomain harus berupa teks.",
    "empty": "Nama subdomain tidak boleh kosong.",
    "is_parent": "Masukkan nama subdomainnya saja, bukan domain induk {parent}.",
    "multiple_labels": "Nama subdomain harus satu bagian saja, tanpa titik (contoh: dinkes).",
    "invalid_chars": "Nama subdomain hanya boleh berisi huruf, angka, dan tanda hubung (-).",
    "hyphen_edge": "Nama subdomain tidak boleh diawali atau diakhiri tanda hubung (-).",
    "hyphen_34": (
        "Tanda hubung ganda pada karakter ke-3 dan ke-4 hanya boleh untuk nama "
        "internasional (xn--) yang sah."
    ),
    "bad_alabel": "Nama berawalan xn-- ini bukan nama internasional (IDN) yang sah.",
    "idna_invalid": "Nama internasional (IDN) ini memuat karakter yang tidak diizinkan.",
    "mixed_script": (
        "Nama mencampur huruf dari beberapa aksara (misalnya Latin dan Kiril) yang dapat "
        "menyerupai nama lain."
    ),
    "confusable": (
        "Nama memuat huruf yang menyerupai huruf Latin biasa (misalnya dari aksara lain); "
        "gunakan huruf Latin biasa."
    ),
    "too_long": "Nama subdomain paling panjang 63 karakter.",
    "fqdn_too_long": "Nama domain lengkap melebihi 253 karakter.",
    "reserved": "Nama {label} dicadangkan untuk keperluan teknis dan tidak dapat dipakai.",
}


def validate_name(
    text: object,
    parent: str,
    reserved: Iterable[str] = DEFAULT_RESERVED,
) -> ValidName:
    """Return the checked name or raise :class:`InvalidName` with a suggestion if one exists."""
    parent_n = _normalize_parent(parent)
    reserved_set = frozenset(r.strip().lower() for r in reserved)
    try:
        return _validate(text, parent_n, reserved_set)
    except InvalidName as exc:
        if exc.suggestion is None and isinstance(text, str):
            exc.suggestion = _suggest(text, exc.reason_code, parent_n, reserved_set)
        raise


def _normalize_parent(parent: str) -> str:
    p = parent.strip().rstrip(".").lower()
    try:
        ace = idna.encode(p, uts46=True).decode("ascii") if not p.isascii() else p
    except idna.IDNAError as exc:
        raise ValueError(f"parent domain {parent!r} is not a valid domain name") from exc
    if not ace or ".." in ace or len(ace) > MAX_FQDN - 2:
        raise ValueError(f"parent domain {parent!r} is not a valid domain name")
    return ace


def _fail(code: str, **fmt: str) -> InvalidName:
    return InvalidName(code, _MESSAGES[code].format(**fmt))


def _validate(text: object, parent: str, reserved: frozenset[str]) -> ValidName:
    if not isinstance(text, str):
        raise _fail("not_text")
    raw = text.strip()
    if not raw:
        raise _fail("empty")
    if len(raw) > _MAX_INPUT:
        raise _fail("too_long")
    mapped = _uts46_map(raw.translate(_DOTS)).strip()
    label = _strip_parent(mapped, parent)
    if not label:
        raise _fail("empty")
    if "." in label:
        raise _fail("multiple_labels")

    if label.isascii():
        if not _LDH.fullmatch(label):
            raise _fail("invalid_chars")
        _check_hyphens(label)
        if label[2:4] == "--":
            ace, uni = _check_alabel(label)
        else:
            ace = uni = label
    else:
        if any(ch.isascii() and not _LDH.fullmatch(ch) for ch in label):
            raise _fail("invalid_chars")
        _check_hyphens(label)
        try:
            ace = idna.encode(label, uts46=True, std3_rules=True).decode("ascii")
            uni = idna.decode(ace)
        except (idna.IDNAError, UnicodeError, ValueError):
            raise _fail("idna_invalid") from None
        if uni != label:  # UTS46 mapping must already be applied: otherwise not canonical
            raise _fail("idna_invalid")

    if len(ace) > MAX_LABEL:
        raise _fail("too_long")
    if not uni.isascii():
        _check_scripts(uni)
    if ace in reserved or uni in reserved:
        raise _fail("reserved", label=ace)
    fqdn = f"{ace}.{parent}"
    if len(fqdn) > MAX_FQDN:
        raise _fail("fqdn_too_long")
    return ValidName(label=ace, ace_label=ace, unicode_label=uni, fqdn=fqdn)


def _uts46_map(text: str) -> str:
    """Apply the UTS46 mapping (case folding, width, NFC); fall back to lower() if refused."""
    try:
        return idna.uts46_remap(text, std3_rules=False, transitional=False)
    except (idna.IDNAError, UnicodeError, ValueError):
        return text.lower()


def _strip_parent(name: str, parent: str) -> str:
    name = name.rstrip(".") if name.endswith(".") and not name.endswith("..") else name
    if name == parent:
        raise _fail("is_parent", parent=parent)
    suffix = "." + parent
    if name.endswith(suffix):
        return name[: -len(suffix)]
    if not parent.isascii() or not name.isascii():
        # The parent may have been typed in Unicode form; compare A-label forms.
        for candidate_suffix in (suffix, "." + _unicode_or_same(parent)):
            if name.endswith(candidate_suffix):
                return name[: -len(candidate_suffix)]
    return name


def _unicode_or_same(name: str) -> str:
    try:
        return idna.decode(name)
    except (idna.IDNAError, UnicodeError, ValueError):
        return name


def _check_hyphens(label: str) -> None:
    if label.startswith("-") or label.endswith("-"):
        raise _fail("hyphen_edge")
    if label[2:4] == "--" and not label.startswith("xn--"):
        raise _fail("hyphen_34")


def _check_alabel(label: str) -> tuple[str, str]:
    """An ``xn--`` label must be the exact A-label of a valid, non-ASCII U-label."""
    if not label.startswith("xn--"):
        raise _fail("hyphen_34")
    try:
        uni = idna.decode(label)
        again = idna.encode(uni, uts46=True, std3_rules=True).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError):
        raise _fail("bad_alabel") from None
    if again != label or uni.isascii() or "." in uni:
        raise _fail("bad_alabel")
    return label, uni


def char_script(ch: str) -> str | None:
    """Script of one character from its Unicode name; None for common and inherited ones."""
    if ch.isascii():
        return "LATIN" if ch.isalpha() else None
    category = unicodedata.category(ch)
    if category.startswith("M") or category in ("Pd", "Zs"):
        return None
    name = unicodedata.name(ch, "")
    if not name:
        return "UNKNOWN"
    words = name.replace("-", " ").split()
    if words[0] == "CJK" or name.startswith("IDEOGRAPHIC"):
        return "HAN"
    for word in words:
        if word in _KNOWN_SCRIPTS:
            return word
    if category == "Nd":
        return "DIGIT:" + words[0]
    return words[0]


def label_scripts(label: str) -> frozenset[str]:
    return frozenset(s for s in (char_script(ch) for ch in label) if s is not None)


_ASCII_LDH = re.compile(r"[a-z0-9]+")


def _homoglyphs(ch: str) -> list[str]:
    # Loaded when a non-ASCII label is first checked: the data takes ~6 MiB resident.
    from confusable_homoglyphs import confusables

    found = confusables.confusables_data.get(ch, [])
    return [str(h["c"]).replace("\u200e", "") for h in found]


@cache
def ascii_lookalike(ch: str) -> str | None:
    """The plain ASCII letters a non-ASCII character can pass for, or None.

    Unicode's confusables data links characters pairwise (``ı``–``i``, ``օ``–``o``), some
    only through one more character or a case pair (``ᴅ``–``ꭰ``, whose capital ``Ꭰ`` is
    listed with ``D``): two steps are followed, with upper and lower case at each."""
    if ch.isascii():
        return None
    seen, frontier = {ch}, {ch}
    for _ in range(2):
        step: set[str] = set()
        for text in frontier:
            for form in dict.fromkeys((text, text.lower(), text.upper())):
                for glyph in _homoglyphs(form):
                    for variant in (glyph, glyph.lower()):
                        if _ASCII_LDH.fullmatch(variant):
                            return variant
                        if variant not in seen:
                            seen.add(variant)
                            step.add(variant)
        frontier = step
    return None


def _check_scripts(uni: str) -> None:
    scripts = label_scripts(uni)
    if len(scripts) > 1 and not any(scripts <= allowed for allowed in _ALLOWED_SCRIPT_SETS):
        raise _fail("mixed_script")
    letters = [ch for ch in uni if not ch.isascii() and char_script(ch) is not None]
    lookalikes = [ch for ch in letters if ascii_lookalike(ch) is not None]
    if "LATIN" in scripts and lookalikes:
        raise _fail("confusable")  # ᴅinkes, ınfo: one letter imitates an ASCII one
    if letters and "LATIN" not in scripts and len(lookalikes) == len(letters):
        raise _fail("confusable")  # օօօ, рора: the whole label reads as Latin


def _fold_to_ascii(text: str) -> str:
    text = _uts46_map(text.translate(_DOTS)).casefold()  # casefold: ß becomes ss
    text = "".join(ascii_lookalike(ch) or ch for ch in text)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.category(ch).startswith("M"))


def _suggest(text: str, code: str, parent: str, reserved: frozenset[str]) -> str | None:
    """A valid alternative close to what was typed, or None."""
    if code in ("not_text", "empty", "is_parent"):
        return None
    raw = text.strip()[:_MAX_INPUT]
    if code == "reserved":
        candidate = _uts46_map(raw)
        candidate = _strip_parent(candidate, parent) if "." in candidate else candidate
        return _first_valid([f"{candidate}-app", f"{candidate}-web"], parent, reserved)
    if raw.lower().startswith("xn--"):
        decoded = _unicode_or_same(raw.lower())
        if decoded.startswith("xn--"):
            return None  # not a real A-label: nothing sensible to offer
        raw = decoded
    folded = _fold_to_ascii(raw).lower()
    try:
        folded = _strip_parent(folded, parent)
    except InvalidName:
        return None
    folded = re.sub(r"[\s_.,/\\:;+]+", "-", folded)
    folded = re.sub(r"[^a-z0-9-]", "", folded)
    folded = re.sub(r"-{2,}", "-", folded).strip("-")
    room = min(MAX_LABEL, MAX_FQDN - len(parent) - 1)
    folded = folded[:room].strip("-")
    if not folded:
        return None
    candidates = [folded]
    if folded in reserved:
        candidates = [f"{folded}-app"[:room]]
    return _first_valid(candidates, parent, reserved)


def _first_valid(candidates: Iterable[str], parent: str, reserved: frozenset[str]) -> str | None:
    for candidate in candidates:
        try:
            return _validate(candidate, parent, reserved).label
        except InvalidName:
            continue
    return None
