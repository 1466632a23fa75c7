"""Indonesian official letters (surat dinas) for the subdomain SOP: reply letters and the
lembar disposisi, rendered to PDF with reportlab. Pure: no database, no Telegram."""

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
from letters.render import FontSet, render_disposition_sheet, render_reply_letter

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
