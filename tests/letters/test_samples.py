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
        + ["letter-created-draft.pdf", "disposition-sheet.pdf"]
        + [f"letter-created-{seal}.pdf" for seal in ("bsre", "wet", "none")]
    )
    assert names == expected
    printed = capsys.readouterr().out.split()
    assert len(printed) == len(expected)
    out = tmp_path / "out"
    draft = (out / "letter-created-draft.pdf").read_bytes()
    assert "KONSEP" in pdf_text(draft) and "PARAF KOORDINASI" in pdf_text(draft)
    sheet = (out / "disposition-sheet.pdf").read_bytes()
    assert "LEMBAR DISPOSISI" in pdf_text(sheet)
    # every final letter of the table is signed (pades), the visible signature included
    for kind in LetterKind:
        signed = (out / f"letter-{kind.value}.pdf").read_bytes()
        [report] = verify_pdf(signed)
        assert report.intact and report.covers_document
        assert report.signer.startswith("H. AHMAD")
        assert "sertifikat elektronik" in pdf_text(signed)
    [bsre] = verify_pdf((out / "letter-created-bsre.pdf").read_bytes())
    assert bsre.intact
    assert "Balai Besar Sertifikasi Elektronik" in pdf_text(
        (out / "letter-created-bsre.pdf").read_bytes())
    for unsigned in ("wet", "none"):
        assert verify_pdf((out / f"letter-created-{unsigned}.pdf").read_bytes()) == []
    assert "CONTOH DEMO" in pdf_text((out / "letter-created-none.pdf").read_bytes())


def test_samples_are_reproducible(tmp_path: Path):
    # the signed samples excepted: a fresh test CA's key and the signing time differ each run
    def unsigned(out: Path) -> list[Path]:
        return [p for p in write_samples(out) if not verify_pdf(p.read_bytes())]

    first, second = unsigned(tmp_path / "a"), unsigned(tmp_path / "b")
    assert [p.name for p in first] == [p.name for p in second] and len(first) == 4
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]


def test_usage_error(capsys):
    assert main([]) == 2
    assert "usage" in capsys.readouterr().err


def test_pictures_for_the_readme(tmp_path: Path, capsys):
    """`--pictures` writes a PNG of every sample (pdftoppm) and the signature block."""
    assert main(["--pictures", str(tmp_path)]) == 0
    names = {p.name for p in tmp_path.iterdir()}
    assert {"letter-created.png", "letter-created-draft.png", "letter-created-signature.png",
            "letter-created-wet.png", "disposition-sheet.png"} <= names
    assert len(names) == len(capsys.readouterr().out.split()) == 17
    assert all((tmp_path / n).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for n in names)
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    docs = Path(__file__).resolve().parents[2] / "docs"
    # the README shows exactly these pictures, and every one of them is in docs/
    assert all(f"docs/{n}" in readme and (docs / n).is_file() for n in names)
