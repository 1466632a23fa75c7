"""A revision replaces the letter's variable parts and nothing else: the Hal, the outcome's own
paragraphs, the advice, the tembusan; the opening that quotes the request letter stays."""

from __future__ import annotations

import pytest

from devtools.letter_samples import sample_letter
from letters.body import CredentialError, build_body, revised, variable_parts
from letters.model import LetterKind, OfficeIdentity
from letters.render import render_reply_letter

from .conftest import pdf_text


def test_the_parts_and_their_current_texts(office: OfficeIdentity) -> None:
    parts = {p.key: p for p in variable_parts(sample_letter(LetterKind.ADVICE), office)}
    assert list(parts) == ["hal", "p1", "p3", "p5", "advice", "tembusan"]
    assert parts["hal"].text.startswith("Saran Teknis atas Permohonan Subdomain")
    assert parts["p1"].text.startswith("bahwa permohonan pembuatan subdomain")
    assert parts["advice"].label == "Saran teknis" and parts["tembusan"].text == "Arsip"


def test_a_revision_changes_exactly_the_parts_given(office: OfficeIdentity) -> None:
    letter = sample_letter(LetterKind.EXISTS, draft=True)
    before = [b.text for b in build_body(letter, office)]  # type: ignore[union-attr]
    changed = revised(letter, {"hal": "Jawaban atas Permohonan Subdomain Dinkes",
                               "p2": "Biaya $100 tidak dipungut.",
                               "tembusan": "Bupati (sebagai laporan)\nArsip"})
    after = [b.text for b in build_body(changed, office)]  # type: ignore[union-attr]
    assert after[0] == before[0]  # the opening with the first paragraph stays
    assert after[1] == "Biaya $100 tidak dipungut." != before[1]
    assert after[2:] == before[2:]
    assert {p.key: p.text for p in variable_parts(changed, office)}["p2"] == after[1]
    text = pdf_text(render_reply_letter(changed, office))
    assert "Hal : Jawaban atas Permohonan Subdomain Dinkes" in text
    assert "1. Bupati (sebagai laporan); 2. Arsip." in text
    with pytest.raises(KeyError):
        revised(letter, {"opening": "x"})
    with pytest.raises(CredentialError):
        build_body(revised(letter, {"p2": "Kata sandi: rahasia123"}), office)
