"""Sample letters of every kind and a sample disposition sheet.

``python -m devtools.letter_samples OUTDIR`` writes them as PDFs, and ``--pictures docs`` the
README's pictures from them (pdftoppm, from poppler-utils), for the demo office
(`devtools/demo-office.env`) unless given another office. An office without an emblem of its
own gets the stand-in `sample-emblem.png` here, so the pictures show where the lambang daerah
goes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import subprocess
import sys
import tempfile
from pathlib import Path

from bot.paperwork import office_identity
from bot.sealing import appearance_lines
from bot.settings import Settings
from devtools.profile import demo_office, region
from devtools.testca import NOW, CertAuthority
from letters.model import (
    Addressee,
    DispositionEntry,
    DispositionSheet,
    IncomingRef,
    LetterKind,
    OfficeIdentity,
    Paraf,
    ReplyLetter,
    Seal,
    Signatory,
    SignatureBox,
    Urgency,
)
from letters.numbering import format_letter_number
from letters.render import render_disposition_sheet, render_reply_letter
from letters.signing import appearance_png, load_pkcs12, sign_pades

SAMPLE_DATE = dt.date(2026, 11, 29)
SAMPLE_EMBLEM = Path(__file__).with_name("sample-emblem.png")
"""A stand-in lambang daerah (not any region's real emblem)."""
SAMPLE_PERIHAL = "Permohonan Pembuatan Subdomain Dinas Kesehatan"


def sample_office(settings: Settings | None = None) -> OfficeIdentity:
    """The office of ``settings`` (default: the demo office) as letters print it, with the
    stand-in emblem where it has none."""
    office = office_identity(settings or demo_office())
    if office.emblem_path is None:
        office = dataclasses.replace(office, emblem_path=SAMPLE_EMBLEM)
    return office


def sample_signatory(*, acting: bool = False) -> Signatory:
    return Signatory(
        position_title="KEPALA DINAS KOMUNIKASI DAN INFORMATIKA",
        name="H. AHMAD RIDUAN, S.Kom., M.M.",
        rank="Pembina Tingkat I",
        nip="197501012000031004",
        acting="plt" if acting else None,
    )


SAMPLE_PARAF = (
    Paraf(position="Kepala Bidang Layanan e-Government", name="Siti Aminah, S.Kom",
          at=dt.datetime(2026, 11, 27, 2, 40, tzinfo=dt.UTC)),
    Paraf(position="Kepala Seksi Pengembangan Aplikasi Pemerintahan", name="Budi Santoso, S.T",
          at=dt.datetime(2026, 11, 27, 1, 55, tzinfo=dt.UTC)),
)
"""The paraf box of the sample KONSEP: the Kabid's and the Kasi's electronic approvals."""


def sample_letter(
    kind: LetterKind, *, draft: bool = False, settings: Settings | None = None
) -> ReplyLetter:
    """A realistic reply letter of ``kind`` (final with number and QR unless ``draft``) from
    the office of ``settings`` (default: the demo office)."""
    settings = settings or demo_office()
    office = office_identity(settings)
    parent = settings.parent_domain
    fqdn = f"dinkes.{parent}"
    common = {
        "number": None
        if draft
        else format_letter_number(
            office.number_pattern, office.classification_code, 123, office.unit_code, 2026
        ),
        "date": SAMPLE_DATE,
        "addressee": Addressee(
            title=f"Kepala Dinas Kesehatan {region(settings)}", place=settings.office.place
        ),
        "incoming": IncomingRef(
            number="400.7/512/Dinkes/2026",
            date=dt.date(2026, 11, 20),
            subject=SAMPLE_PERIHAL,
        ),
        "fqdn": fqdn,
        "signatory": sample_signatory(acting=kind is LetterKind.EXISTS),
        "draft": draft,
        "verification_code": None if draft else "KQ2MXVDR4BTAZ5NW",
        "verification_url": (None if draft
                             else f"https://layanan.{parent}/verifikasi/KQ2MXVDR4BTAZ5NW"),
        "tembusan": settings.office.tembusan,
        "paraf": SAMPLE_PARAF if draft else (),
    }
    if kind.lists_records or kind in (LetterKind.REMOVED, LetterKind.SUSPENDED):
        return ReplyLetter(
            kind=kind,
            records=(
                (fqdn, "A", "103.147.10.21", 3600),
                (f"www.{fqdn}", "CNAME", f"{fqdn}.", 3600),
            ),
            date_active=dt.date(2026, 11, 28),
            **common,  # type: ignore[arg-type]
        )
    if kind is LetterKind.EXISTS:
        return ReplyLetter(kind=kind, **common)  # type: ignore[arg-type]
    if kind.advises:
        long_name = "dinaskesehatan" + region(settings).lower().replace(" ", "")
        return ReplyLetter(
            kind=kind,
            advice=(
                f"Nama subdomain yang diajukan ({long_name}) terlalu panjang dan tidak sesuai "
                "dengan pedoman penamaan subdomain. Mohon gunakan singkatan nomenklatur "
                f"Perangkat Daerah, yaitu {fqdn}."
            ),
            **common,  # type: ignore[arg-type]
        )
    return ReplyLetter(
        kind=kind,
        reason=(
            "Subdomain yang diajukan diperuntukkan bagi kegiatan pihak ketiga yang bukan "
            "merupakan layanan Perangkat Daerah, sehingga tidak dapat menggunakan domain "
            f"{parent}."
        ),
        advice="kegiatan tersebut dimuat sebagai halaman pada situs resmi Perangkat Daerah.",
        **common,  # type: ignore[arg-type]
    )


def sample_sheet(settings: Settings | None = None) -> DispositionSheet:
    """The lembar disposisi of the sample request, through SOP steps 1 to 3."""
    settings = settings or demo_office()
    tz = settings.timezone
    return DispositionSheet(
        from_agency=f"Dinas Kesehatan {region(settings)}",
        letter_number="400.7/512/Dinkes/2026",
        letter_date=dt.date(2026, 11, 20),
        received_date=dt.date(2026, 11, 23),
        agenda_number="SD-2026-0001",
        urgency=Urgency.SEGERA,
        subject=SAMPLE_PERIHAL,
        entries=(
            DispositionEntry(
                to="Kepala Bidang Layanan e-Government",
                instruction="Tindak lanjuti",
                note="Mohon diproses sesuai SOP.",
                official_name="H. AHMAD RIDUAN, S.Kom., M.M.",
                official_position="Kepala Dinas",
                at=dt.datetime(2026, 11, 23, 8, 15, tzinfo=tz),
            ),
            DispositionEntry(
                to="Kepala Seksi Pengembangan Aplikasi Pemerintahan",
                instruction="Koordinasikan",
                note="Periksa ketersediaan nama subdomain.",
                official_name="RAHMAT HIDAYAT, S.T.",
                official_position="Kepala Bidang Layanan e-Government",
                at=dt.datetime(2026, 11, 23, 8, 40, tzinfo=tz),
            ),
            DispositionEntry(
                to="Staf Pranata Komputer",
                instruction="",
                note="",
                official_name="SITI NORHALIZA, S.Kom.",
                official_position="Kepala Seksi Pengembangan Aplikasi Pemerintahan",
                at=dt.datetime(2026, 11, 23, 9, 5, tzinfo=tz),
            ),
        ),
    )


SIGNED_SEALS = (Seal.PADES, Seal.BSRE)
"""The providers whose samples carry a signature (a fresh test CA each run: their bytes
differ from run to run)."""


def write_samples(outdir: Path, settings: Settings | None = None) -> list[Path]:
    """Write every sample as a PDF into ``outdir``; returns the paths written.

    ``letter-KIND.pdf``: the final letter of each outcome as delivered with
    SIGNING_PROVIDER=pades (signed with a throwaway test CA's certificate, the visible
    signature in the signature block); ``letter-created-draft.pdf``: its KONSEP (paraf box,
    no number, date or signature); ``letter-created-{bsre,wet,none}.pdf``: the created letter
    as each other provider makes it (bsre: BSrE's footer, signed here with the test CA as the
    test suite's BSrE stand-in does; wet: printed for the signature by hand and the stamp;
    none: the demo's mark); ``disposition-sheet.pdf``: the lembar disposisi."""
    settings = settings or demo_office()
    office = sample_office(settings)
    outdir.mkdir(parents=True, exist_ok=True)
    ca = CertAuthority()
    written: list[Path] = []

    def write(name: str, data: bytes) -> None:
        path = outdir / name
        path.write_bytes(data)
        written.append(path)

    for kind in LetterKind:
        write(f"letter-{kind.value}.pdf",
              sealed_sample(settings, office, sample_letter(kind, settings=settings),
                            Seal.PADES, ca))
    write("letter-created-draft.pdf", render_reply_letter(
        sample_letter(LetterKind.CREATED, draft=True, settings=settings), office))
    created = sample_letter(LetterKind.CREATED, settings=settings)
    for seal in (Seal.BSRE, Seal.WET, Seal.NONE):
        write(f"letter-created-{seal.value}.pdf",
              sealed_sample(settings, office, created, seal, ca))
    write("disposition-sheet.pdf", render_disposition_sheet(sample_sheet(settings), office))
    return written


def sealed_sample(settings: Settings, office: OfficeIdentity, letter: ReplyLetter,
                  seal: Seal, ca: CertAuthority) -> bytes:
    """`letter` as the provider `seal` makes it: rendered with its footer, and for pades and
    bsre signed with a certificate of the test CA `ca` (the appearance as `bot.sealing`
    draws it)."""
    letter = dataclasses.replace(letter, seal=seal)
    boxes: list[SignatureBox] = []
    pdf = render_reply_letter(letter, office, signature_box=boxes)
    if seal not in SIGNED_SEALS:
        return pdf
    holder = ca.issue(letter.signatory.name)
    certificate = load_pkcs12(ca.pkcs12(holder, "contoh"), "contoh", now=NOW)
    [box] = boxes
    when = dt.datetime(2026, 11, 29, 9, 30, tzinfo=settings.timezone)
    image = appearance_png(appearance_lines(settings, letter, when), box,
                           qr=letter.verification_url)
    return sign_pades(pdf, certificate, box, appearance=image,
                      reason=f"Surat balasan Nomor {letter.number}",
                      location=settings.office.place)


SIGNATURE_CROP = ("-r", "150", "-x", "470", "-y", "1220", "-W", "700", "-H", "330")
"""The signature block of an A4 letter at 150 dpi (pdftoppm's crop), for the README."""


def write_pictures(docs: Path) -> list[Path]:
    """The README's pictures: every sample as a PNG (pdftoppm, 60 dpi) in ``docs``, and the
    signed letter's signature block enlarged (``letter-created-signature.png``)."""
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        for pdf in write_samples(Path(tmp)):
            target = docs / pdf.stem
            subprocess.run(["pdftoppm", "-png", "-r", "60", "-singlefile", str(pdf),
                            str(target)], check=True)
            written.append(target.with_suffix(".png"))
        crop = docs / "letter-created-signature"
        subprocess.run(["pdftoppm", "-png", *SIGNATURE_CROP, "-singlefile",
                        str(Path(tmp) / "letter-created.pdf"), str(crop)], check=True)
        written.append(crop.with_suffix(".png"))
    return written


USAGE = "usage: python -m devtools.letter_samples OUTDIR | --pictures DOCSDIR"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) == 2 and args[0] == "--pictures":
        paths = write_pictures(Path(args[1]))
    elif len(args) == 1 and not args[0].startswith("-"):
        paths = write_samples(Path(args[0]))
    else:
        print(USAGE, file=sys.stderr)
        return 2
    for path in paths:
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
