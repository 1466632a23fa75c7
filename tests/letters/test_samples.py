from pathlib import Path

from devtools.letter_samples import main, write_samples
from letters.model import LetterKind
from letters.signing import verify_pdf

from .conftest import pdf_text


def test_samples_entry_point_writes_all_pdfs(tmp_path: Path, capsys):
    assert main([str(tmp_path / "out")]) == 0
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    expected = sorted(
        [f"letter-{k.value}.pdf" for k in LetterKind]
        + ["letter-created-draft.pdf", "disposition-sheet.pdf", "letter-created-signed.pdf"]
    )
    assert names == expected
    printed = capsys.readouterr().out.split()
    assert len(printed) == len(expected)
    draft = (tmp_path / "out" / "letter-created-draft.pdf").read_bytes()
    assert "KONSEP" in pdf_text(draft)
    sheet = (tmp_path / "out" / "disposition-sheet.pdf").read_bytes()
    assert "LEMBAR DISPOSISI" in pdf_text(sheet)
    signed = (tmp_path / "out" / "letter-created-signed.pdf").read_bytes()
    [report] = verify_pdf(signed)
    assert report.intact and report.covers_document and report.signer.startswith("H. AHMAD")


def test_samples_are_reproducible(tmp_path: Path):
    # the signed sample excepted: a fresh test CA's key and the signing time differ each run
    first = [p for p in write_samples(tmp_path / "a") if "signed" not in p.name]
    second = [p for p in write_samples(tmp_path / "b") if "signed" not in p.name]
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]


def test_usage_error(capsys):
    assert main([]) == 2
    assert "usage" in capsys.readouterr().err
