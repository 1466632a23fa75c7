"""Body text of reply letters from editable ``string.Template`` files in ``letters/templates``.

See ``letters/templates/README.txt`` for the rules an office follows when editing them.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from string import Template

from letters.dates import format_date_id
from letters.model import DEFAULT_TEMBUSAN, LetterKind, OfficeIdentity, RecordRow, ReplyLetter

DEFAULT_TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
RECORDS_TABLE = "records_table"

PLACEHOLDERS: frozenset[str] = frozenset(
    {
        "subdomain",
        "subdomain_ascii",
        "subdomain_unicode",
        "incoming_number",
        "incoming_date",
        "incoming_subject",
        "addressee",
        "office_name",
        "date_active",
        "reason",
        "advice",
        "account_instructions",
        RECORDS_TABLE,
    }
)

# Placeholders a template must use, so that an edit cannot silently drop the letter's point:
# each group needs at least one of its names.
_ANY_SUBDOMAIN = frozenset({"subdomain", "subdomain_ascii", "subdomain_unicode"})
REQUIRED: dict[str, tuple[frozenset[str], ...]] = {
    "opening": (frozenset({"incoming_number"}),),
    "closing": (),
    LetterKind.CREATED.value: (_ANY_SUBDOMAIN, frozenset({RECORDS_TABLE})),
    LetterKind.EXISTS.value: (_ANY_SUBDOMAIN,),
    LetterKind.ADVICE.value: (frozenset({"advice"}),),
    LetterKind.DECLINED.value: (frozenset({"reason"}),),
    LetterKind.CHANGED.value: (_ANY_SUBDOMAIN, frozenset({RECORDS_TABLE})),
    LetterKind.CHANGE_ADVICE.value: (frozenset({"advice"}),),
    LetterKind.CHANGE_DECLINED.value: (frozenset({"reason"}),),
    LetterKind.REMOVED.value: (_ANY_SUBDOMAIN,),
    LetterKind.REMOVAL_ADVICE.value: (frozenset({"advice"}),),
    LetterKind.REMOVAL_DECLINED.value: (frozenset({"reason"}),),
    LetterKind.SUSPENDED.value: (_ANY_SUBDOMAIN,),
    # A letter the office writes unasked (no request letter to answer) opens with this.
    "opening_unasked": (),
}
UNASKED_KINDS: frozenset[str] = frozenset({LetterKind.SUSPENDED.value})
"""Outcomes whose letter answers no letter of the agency (`opening_unasked` opens it)."""
TEMPLATE_NAMES: tuple[str, ...] = tuple(REQUIRED)
OUTCOMES: frozenset[str] = frozenset(k.value for k in LetterKind)
HEADERS = ("Hal", "Tembusan")
"""Lines an outcome template starts with: the letter's Hal and its copies (';' between)."""
_HEADER_RE = re.compile(r"^(Hal|Tembusan)\s*:\s*(.*)$")

# "password: x", "kata sandi = x" and the like: a letter must never carry a credential.
_CREDENTIAL_RE = re.compile(
    r"\b(password|passwd|pwd|kata\s+sandi|sandi|kata\s+kunci|pin)\s*[:=]\s*\S", re.IGNORECASE
)
_SMALL_WORDS = frozenset({"dan", "di", "ke", "dari", "untuk", "serta", "atau", "pada"})


class TemplateError(ValueError):
    """A template file is missing, malformed, or uses an unknown placeholder."""


class CredentialError(ValueError):
    """The letter text looks like it carries a password; letters never do."""


@dataclass(frozen=True)
class Paragraph:
    """Plain text (not markup); a single newline inside is a line break."""

    text: str


@dataclass(frozen=True)
class RecordsTable:
    records: tuple[RecordRow, ...]


Block = Paragraph | RecordsTable


@dataclass(frozen=True)
class LoadedTemplate:
    name: str
    path: Path
    paragraphs: tuple[str, ...]
    headers: dict[str, str]
    """``Hal`` and ``Tembusan`` of an outcome template (raw, placeholders not filled)."""


def _template_path(name: str, templates_dir: Path | None) -> Path:
    if templates_dir is not None:
        candidate = Path(templates_dir) / f"{name}.txt"
        if candidate.is_file():
            return candidate
    return DEFAULT_TEMPLATES_DIR / f"{name}.txt"


def load_template(name: str, templates_dir: Path | None = None) -> LoadedTemplate:
    """Read and check one template (``templates_dir`` first, then the packaged default)."""
    if name not in REQUIRED:
        raise TemplateError(f"unknown template {name!r}; known: {', '.join(TEMPLATE_NAMES)}")
    path = _template_path(name, templates_dir)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise TemplateError(f"template file {path} not found") from exc
    except UnicodeDecodeError as exc:
        raise TemplateError(f"template file {path} is not UTF-8: {exc}") from exc
    lines = [line.rstrip() for line in raw.splitlines() if not line.lstrip().startswith("#")]
    headers: dict[str, str] = {}
    while lines and not lines[0].strip():
        lines.pop(0)
    while name in OUTCOMES and lines and (match := _HEADER_RE.match(lines[0].strip())):
        headers[match.group(1)] = match.group(2).strip()
        lines.pop(0)
    if name in OUTCOMES and "Hal" not in headers:
        if path.parent != DEFAULT_TEMPLATES_DIR:  # an office's older copy: the packaged Hal
            headers = {**load_template(name).headers, **headers}
        else:
            raise TemplateError(f"template {path} must start with a 'Hal:' line")
    text = "\n".join(lines)
    template = Template(text)
    if not template.is_valid():
        bad = re.search(r"\$(?![A-Za-z_{$])|\$\{(?![A-Za-z_][A-Za-z0-9_]*\})", text)
        where = _line_of(text, bad.start()) if bad else "?"
        raise TemplateError(
            f"template {path} line {where}: a '$' is not followed by a placeholder name; "
            "write $$ for a dollar sign"
        )
    used = set(template.get_identifiers())
    for header, value in headers.items():
        header_template = Template(value)
        if not header_template.is_valid():
            raise TemplateError(f"template {path}: '{header}:' has a '$' without a name")
        unknown_header = sorted(set(header_template.get_identifiers()) - PLACEHOLDERS)
        if unknown_header:
            raise TemplateError(f"template {path}: '{header}:' uses unknown placeholder(s) "
                                f"{', '.join('$' + u for u in unknown_header)}")
    unknown = sorted(used - PLACEHOLDERS)
    if unknown:
        names = ", ".join(f"${u}" for u in unknown)
        raise TemplateError(
            f"template {path} uses unknown placeholder(s) {names}; "
            f"known placeholders: {', '.join('$' + p for p in sorted(PLACEHOLDERS))}"
        )
    for group in REQUIRED[name]:
        if not group & used:
            choices = " or ".join("$" + g for g in sorted(group))
            raise TemplateError(f"template {path} must use placeholder(s) {choices}")
    paragraphs = tuple(
        " ".join(part.split()) for part in re.split(r"\n\s*\n", text) if part.strip()
    )
    for paragraph in paragraphs:
        if f"${RECORDS_TABLE}" in paragraph and paragraph.strip() != f"${RECORDS_TABLE}":
            raise TemplateError(
                f"template {path}: ${RECORDS_TABLE} must stand alone in its paragraph"
            )
    return LoadedTemplate(name=name, path=path, paragraphs=paragraphs, headers=headers)


def check_templates(templates_dir: Path | None = None) -> None:
    """Load every template once; raises TemplateError on the first problem (use at start-up)."""
    for name in TEMPLATE_NAMES:
        load_template(name, templates_dir)


def _line_of(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def title_case_id(text: str) -> str:
    """``DINAS KOMUNIKASI DAN INFORMATIKA`` -> ``Dinas Komunikasi dan Informatika``."""
    words = text.split()
    out = [
        w.lower() if i and w.lower() in _SMALL_WORDS else w[:1].upper() + w[1:].lower()
        for i, w in enumerate(words)
    ]
    return " ".join(out)


def office_display_name(office: OfficeIdentity) -> str:
    """``Dinas Komunikasi dan Informatika Kabupaten Sleman``."""
    region = re.sub(r"^\s*PEMERINTAH\s+", "", office.government_line, flags=re.IGNORECASE)
    return f"{title_case_id(office.office_name)} {title_case_id(region)}".strip()


def template_values(letter: ReplyLetter, office: OfficeIdentity) -> dict[str, str]:
    """The value of every placeholder for ``letter`` (plain text)."""
    return {
        "subdomain": letter.fqdn_display,
        "subdomain_ascii": letter.fqdn,
        "subdomain_unicode": letter.fqdn_unicode or letter.fqdn,
        "incoming_number": letter.incoming.number.strip(),
        "incoming_date": format_date_id(letter.incoming.date),
        "incoming_subject": letter.incoming.subject.strip(),
        "addressee": letter.addressee.title.strip(),
        "office_name": office_display_name(office),
        "date_active": format_date_id(letter.date_active or letter.date),
        "reason": letter.reason.strip(),
        "advice": letter.advice.strip(),
        "account_instructions": letter.account_instructions.strip().rstrip("."),
        RECORDS_TABLE: "",
    }


def subject_of(letter: ReplyLetter, office: OfficeIdentity,
               templates_dir: Path | None = None) -> str:
    """The letter's Hal: its own, else the outcome template's ``Hal:`` line filled in."""
    if letter.subject is not None:
        return letter.subject
    template = load_template(letter.kind.value, templates_dir)
    return Template(template.headers["Hal"]).substitute(template_values(letter, office)).strip()


def tembusan_of(letter: ReplyLetter, office: OfficeIdentity,
                templates_dir: Path | None = None) -> tuple[str, ...]:
    """The copies: the letter's own, else the outcome template's ``Tembusan:`` line (``-``:
    none), else the office archive."""
    if letter.tembusan is not None:
        return letter.tembusan
    template = load_template(letter.kind.value, templates_dir)
    raw = template.headers.get("Tembusan")
    if raw is None:
        return DEFAULT_TEMBUSAN
    filled = Template(raw).substitute(template_values(letter, office))
    return tuple(p.strip() for p in filled.split(";") if p.strip() and p.strip() != "-")


def _fill(paragraph: str, values: dict[str, str]) -> list[str]:
    """Substitute; drop the paragraph if a placeholder it uses is empty; split on blank lines
    coming from multi-paragraph values."""
    template = Template(paragraph)
    if any(not values[name] for name in template.get_identifiers()):
        return []
    filled = template.substitute(values)
    return [p.strip() for p in re.split(r"\n\s*\n", filled) if p.strip()]


SUBJECT, ADVICE, REASON, TEMBUSAN = "hal", "advice", "reason", "tembusan"
_SINGLE_PLACEHOLDER = re.compile(r"^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$")


@dataclass(frozen=True)
class Part:
    """A variable part of a letter that staff may revise: its key, its label, its text."""

    key: str
    label: str
    text: str


def paragraph_key(index: int) -> str:
    """``p1``, ``p2``…: the outcome template's paragraphs, counted from 1."""
    return f"p{index + 1}"


def _own_paragraphs(letter: ReplyLetter, office: OfficeIdentity,
                    templates_dir: Path | None) -> list[tuple[str, str]]:
    """(key, current text) of the outcome template's written paragraphs (not those that are
    only a placeholder such as $advice or $records_table, and not those left out)."""
    overrides = dict(letter.paragraphs)
    values = template_values(letter, office)
    found = []
    for i, paragraph in enumerate(load_template(letter.kind.value, templates_dir).paragraphs):
        if _SINGLE_PLACEHOLDER.match(paragraph):
            continue
        key = paragraph_key(i)
        text = overrides.get(key) or " ".join(_fill(paragraph, values))
        if text:
            found.append((key, text))
    return found


def variable_parts(letter: ReplyLetter, office: OfficeIdentity,
                   templates_dir: Path | None = None) -> tuple[Part, ...]:
    """What a revision may change, each with its current text: the Hal, the outcome's own
    paragraphs, the advice (and a decline's reason), the tembusan. The opening (which quotes
    the request letter) and the closing are the office's fixed wording."""
    parts = [Part(SUBJECT, "Hal", subject_of(letter, office, templates_dir))]
    parts += [Part(key, f"Paragraf {key[1:]}", text)
              for key, text in _own_paragraphs(letter, office, templates_dir)]
    if letter.kind.declines:
        parts.append(Part(REASON, "Alasan", letter.reason.strip()))
    if letter.kind.declines or letter.kind.advises:
        parts.append(Part(ADVICE, "Saran teknis", letter.advice.strip()))
    parts.append(Part(TEMBUSAN, "Tembusan",
                      "; ".join(tembusan_of(letter, office, templates_dir)) or "-"))
    return tuple(parts)


def revised(letter: ReplyLetter, changes: Mapping[str, str]) -> ReplyLetter:
    """`letter` with the parts in `changes` (key → new plain text) replaced; unknown keys
    raise KeyError. Tembusan: items separated by ';' or new lines ("-": none)."""
    paragraphs = dict(letter.paragraphs)
    fields: dict[str, object] = {}
    for key, text in changes.items():
        if key == SUBJECT:
            fields["subject"] = text
        elif key == ADVICE:
            fields["advice"] = text
        elif key == REASON:
            fields["reason"] = text
        elif key == TEMBUSAN:
            items = [i.strip() for i in re.split(r"[;\n]", text) if i.strip()]
            fields["tembusan"] = tuple(i for i in items if i != "-")
        elif re.fullmatch(r"p[1-9][0-9]?", key):
            paragraphs[key] = text
        else:
            raise KeyError(key)
    return dataclasses.replace(letter, paragraphs=tuple(sorted(paragraphs.items())),
                               **fields)  # type: ignore[arg-type]


def build_body(
    letter: ReplyLetter, office: OfficeIdentity, templates_dir: Path | None = None
) -> list[Block]:
    """Opening + outcome + closing as blocks; raises TemplateError or CredentialError."""
    values = template_values(letter, office)
    opening = load_template("opening_unasked" if letter.kind.value in UNASKED_KINDS
                            else "opening", templates_dir)
    outcome = load_template(letter.kind.value, templates_dir)
    closing = load_template("closing", templates_dir)

    overrides = dict(letter.paragraphs)
    paragraphs = [overrides[paragraph_key(i)].replace("$", "$$")
                  if paragraph_key(i) in overrides else p
                  for i, p in enumerate(outcome.paragraphs)]
    if opening.paragraphs:
        if paragraphs and paragraphs[0] != f"${RECORDS_TABLE}":
            paragraphs[0] = f"{opening.paragraphs[-1]} {paragraphs[0]}"
            paragraphs = [*opening.paragraphs[:-1], *paragraphs]
        else:
            paragraphs = [*opening.paragraphs, *paragraphs]
    paragraphs += closing.paragraphs

    blocks: list[Block] = []
    for paragraph in paragraphs:
        if paragraph == f"${RECORDS_TABLE}":
            if letter.records:
                blocks.append(RecordsTable(letter.records))
            continue
        blocks.extend(Paragraph(text) for text in _fill(paragraph, values))
    check_no_credentials(letter, blocks)
    return blocks


def check_no_credentials(letter: ReplyLetter, blocks: list[Block]) -> None:
    """Refuse text that prints a password ("password: ..."), wherever it came from."""
    texts = [b.text for b in blocks if isinstance(b, Paragraph)]
    texts += [value for b in blocks if isinstance(b, RecordsTable) for _, _, value, _ in b.records]
    texts += [letter.subject or "", letter.attachments, *(letter.tembusan or ())]
    texts += [text for _, text in letter.paragraphs]
    for text in texts:
        match = _CREDENTIAL_RE.search(text)
        if match:
            raise CredentialError(
                f"letter text appears to contain a credential near {match.group(0)[:-1]!r}; "
                "letters never carry passwords: deliver the account separately"
            )
