"""Indonesian official letters (surat dinas) for the subdomain SOP: reply letters and the
lembar disposisi, rendered to PDF with reportlab. Pure: no database, no Telegram.

The renderers (reportlab, ~10 MiB resident) load when first asked for: the bot imports the
letters' model at start, and has its letters drawn in a short-lived child process
(`letters.offload`), so that they never load into the bot."""

from typing import TYPE_CHECKING, Any

from letters.body import CredentialError, TemplateError, check_templates
from letters.dates import format_date_id, format_date_long_id, format_datetime_id
from letters.model import (
    Addressee,
    DispositionEntry,
    DispositionSheet,
    IncomingRef,
    LetterKind,
    OfficeIdentity,
    ReplyLetter,
    Signatory,
    Urgency,
)
from letters.numbering import (
    DEFAULT_PATTERN,
    format_letter_number,
    parse_letter_number,
    validate_pattern,
)

if TYPE_CHECKING:
    from letters.render import FontSet, render_disposition_sheet, render_reply_letter

_RENDER = ("FontSet", "render_disposition_sheet", "render_reply_letter")

__all__ = [
    "DEFAULT_PATTERN",
    "Addressee",
    "CredentialError",
    "DispositionEntry",
    "DispositionSheet",
    "FontSet",
    "IncomingRef",
    "LetterKind",
    "OfficeIdentity",
    "ReplyLetter",
    "Signatory",
    "TemplateError",
    "Urgency",
    "check_templates",
    "format_date_id",
    "format_date_long_id",
    "format_datetime_id",
    "format_letter_number",
    "parse_letter_number",
    "render_disposition_sheet",
    "render_reply_letter",
    "validate_pattern",
]


def __getattr__(name: str) -> Any:
    if name in _RENDER:
        from letters import render

        return getattr(render, name)
    raise AttributeError(f"module 'letters' has no attribute {name!r}")
