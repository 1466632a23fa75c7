from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from bot.paperwork import office_identity
from devtools.letter_samples import sample_letter
from letters.model import LetterKind, OfficeIdentity, ReplyLetter
from tests.support.office import office_settings


def pdf_reader(data: bytes) -> PdfReader:
    assert data.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(data))


def pdf_pages(data: bytes) -> list[str]:
    """Text of each page, whitespace collapsed (justified lines and wraps become one space)."""
    return [" ".join(page.extract_text().split()) for page in pdf_reader(data).pages]


def pdf_text(data: bytes) -> str:
    return " ".join(pdf_pages(data))


def pdf_layout(data: bytes, page: int = 0) -> list[str]:
    """Layout-mode lines of one page (keeps horizontal position)."""
    text = pdf_reader(data).pages[page].extract_text(extraction_mode="layout")
    return [line for line in text.splitlines() if line.strip()]


def indent_of(lines: list[str], needle: str) -> int:
    for line in lines:
        if needle in line:
            return len(line) - len(line.lstrip())
    raise AssertionError(f"{needle!r} not found in layout")


PASSWORD_VALUE = re.compile(r"(password|kata sandi|sandi)\s*[:=]", re.IGNORECASE)


@pytest.fixture
def office() -> OfficeIdentity:
    return office_identity(office_settings())


@pytest.fixture
def created_letter() -> ReplyLetter:
    return sample_letter(LetterKind.CREATED)
