"""Cryptographic signatures on letters (PAdES, with pyHanko), their visible mark, and checking
a signed PDF.

The visible mark is a picture drawn with the letters' own typeface (Liberation Sans) and placed
in the signature block's empty space (`SignatureBox`, found while rendering), so no font is left
unembedded. Every refusal is a `SigningError` whose `message_id` is one Indonesian sentence for
the person signing; the passphrase never appears in a message, a log line or an exception.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import segno
from asn1crypto import x509
from PIL import Image, ImageDraw, ImageFont
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.layout import AxisAlignment, InnerScaling, Margins, SimpleBoxLayoutRule
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError as HankoSigningError
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.stamp import StaticStampStyle
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import PathBuildingError, RevokedError, ValidationError
from pyhanko_certvalidator.policy_decl import (
    CertRevTrustPolicy,
    RevocationCheckingPolicy,
    RevocationCheckingRule,
)

from letters.fonts import FILES, FONT_DIRS
from letters.model import SignatureBox
from letters.signing_types import SignatureReport as SignatureReport
from letters.signing_types import SigningError as SigningError

log = logging.getLogger(__name__)

FIELD_NAME = "TandaTangan"
"""The signature field's name in the PDF."""
APPEARANCE_DPI = 300


# --- the signer's certificate -----------------------------------------------------------------


@dataclass(frozen=True)
class Certificate:
    """The PKCS#12 file's key and certificate, loaded and checked."""

    signer: signers.SimpleSigner = dataclasses.field(repr=False)
    holder: str
    not_after: datetime


def load_pkcs12(data: bytes, passphrase: str, *, now: datetime,
                crls: Sequence[bytes] = (), fetch_revocation: bool = False) -> Certificate:
    """The key and certificate in `data`, refused when the passphrase is wrong, the certificate
    is not (or no longer) valid at `now`, or it is revoked (by a given CRL, or by the CRL/OCSP
    addresses in the certificate when `fetch_revocation`)."""
    try:
        signer = signers.SimpleSigner.load_pkcs12_data(
            data, other_certs=(), passphrase=passphrase.encode())
    except Exception:  # pyHanko/cryptography say "could not decrypt" in several ways
        signer = None
    if signer is None or signer.signing_cert is None:
        raise SigningError("Frasa sandi sertifikat elektronik tidak cocok; surat belum "
                           "ditandatangani. Mohon coba lagi dengan frasa sandi yang benar.")
    cert = signer.signing_cert
    valid = cert["tbs_certificate"]["validity"]
    not_before = valid["not_before"].native
    not_after = valid["not_after"].native
    if now < not_before:
        raise SigningError("Sertifikat elektronik penandatangan belum berlaku; surat belum "
                           "ditandatangani.")
    if now > not_after:
        raise SigningError(
            f"Sertifikat elektronik penandatangan sudah kedaluwarsa sejak "
            f"{not_after:%d-%m-%Y}; surat belum ditandatangani. Mohon perbarui sertifikatnya.")
    _check_revocation(cert, list(signer.cert_registry), now=now, crls=crls,
                      fetch=fetch_revocation)
    return Certificate(signer, cert.subject.native.get("common_name", "")
                       or cert.subject.human_friendly, not_after)


def _check_revocation(cert: x509.Certificate, chain: list[x509.Certificate], *,
                      now: datetime, crls: Sequence[bytes], fetch: bool) -> None:
    roots = [c for c in chain if c.self_signed]
    if not roots or not (crls or fetch):
        return  # nothing to check against: the chain's root or revocation data is missing
    soft = RevocationCheckingRule.CHECK_IF_DECLARED_SOFT
    policy = CertRevTrustPolicy(RevocationCheckingPolicy(
        # a CRL the office supplied must speak for the signer; fetched data only where the
        # certificate names a CRL or OCSP address, and an unreachable one does not block
        ee_certificate_rule=RevocationCheckingRule.CRL_OR_OCSP_REQUIRED if crls else soft,
        intermediate_ca_cert_rule=soft))
    context = ValidationContext(
        trust_roots=roots, other_certs=[c for c in chain if not c.self_signed], moment=now,
        crls=list(crls), allow_fetching=fetch, revinfo_policy=policy)
    validator = CertificateValidator(cert, validation_context=context)
    try:
        asyncio.run(validator.async_validate_usage(set()))  # type: ignore[no-untyped-call]
    except RevokedError:
        raise SigningError("Sertifikat elektronik penandatangan telah dicabut; surat belum "
                           "ditandatangani. Mohon hubungi penerbit sertifikat.") from None
    except PathBuildingError:
        log.warning("the signer's certificate chain could not be built; revocation unchecked")
    except ValidationError as failed:
        raise SigningError("Sertifikat elektronik penandatangan tidak dapat diterima; surat "
                           "belum ditandatangani.") from failed


def read_secret(value: str | None, path: Path | None) -> str | None:
    """A passphrase from the setting itself or from a secret file (its first line)."""
    if path is not None:
        return path.read_text(encoding="utf-8").splitlines()[0] if path.stat().st_size else ""
    return value


# --- the visible mark -------------------------------------------------------------------------


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for folder in FONT_DIRS:
        path = folder / FILES["regular"]
        if path.exists():
            return ImageFont.truetype(str(path), size)
    return ImageFont.load_default()


def appearance_png(lines: Sequence[str], box: SignatureBox, qr: str | None = None) -> bytes:
    """The visible signature as a PNG of the box's size: the verification QR code on the left
    (when there is an address) and the lines beside it."""
    scale = APPEARANCE_DPI / 72
    width, height = round(box.width * scale), round(box.height * scale)
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width - 1, height - 1), outline=(60, 60, 60), width=3)
    left = 20
    if qr:
        side = height - 40
        code = segno.make(qr, error="m")
        buffer = io.BytesIO()
        code.save(buffer, kind="png", scale=10, border=0)
        picture = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
        image.paste(picture.resize((side, side), Image.Resampling.NEAREST), (20, 20))
        left = side + 45
    size = max(18, min(40, (height - 40) // max(len(lines), 1) - 6))
    font = _font(size)
    y = (height - len(lines) * (size + 6)) // 2
    for line in lines:
        draw.text((left, y), line, fill="black", font=font)
        y += size + 6
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


# --- signing ----------------------------------------------------------------------------------


def sign_pades(pdf: bytes, certificate: Certificate, box: SignatureBox, *, appearance: bytes,
               reason: str, location: str, tsa_url: str | None = None) -> bytes:
    """A PAdES baseline signature over the whole `pdf`, visible in `box`, with an RFC 3161
    timestamp from `tsa_url` when one is set."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    stamp = StaticStampStyle(
        border_width=0, background=PdfImage(Image.open(io.BytesIO(appearance)), writer=writer),
        background_opacity=1.0,
        background_layout=SimpleBoxLayoutRule(
            x_align=AxisAlignment.ALIGN_MID, y_align=AxisAlignment.ALIGN_MID,
            margins=Margins(0, 0, 0, 0), inner_content_scaling=InnerScaling.STRETCH_FILL))
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME, reason=reason, location=location, name=certificate.holder,
        subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256")
    spec = fields.SigFieldSpec(FIELD_NAME, on_page=box.page,
                               box=(round(box.x1), round(box.y1), round(box.x2), round(box.y2)))
    timestamper = HTTPTimeStamper(tsa_url, timeout=15) if tsa_url else None
    signer = signers.PdfSigner(meta, certificate.signer, timestamper=timestamper,
                               stamp_style=stamp, new_field_spec=spec)
    out = io.BytesIO()
    try:
        signer.sign_pdf(writer, output=out)
    except HankoSigningError as failed:
        log.warning("PAdES signing failed: %s", type(failed).__name__)
        raise SigningError("Surat tidak dapat ditandatangani secara elektronik; surat belum "
                           "ditandatangani. Mohon coba lagi.") from None
    except OSError as failed:  # the timestamp authority cannot be reached
        log.warning("timestamp authority unreachable: %s", type(failed).__name__)
        raise SigningError("Layanan cap waktu (TSA) tidak dapat dihubungi; surat belum "
                           "ditandatangani. Mohon coba lagi beberapa saat lagi.") from None
    return out.getvalue()


# --- checking a signed PDF --------------------------------------------------------------------


def verify_pdf(pdf: bytes, trust_roots: Sequence[bytes] = ()) -> list[SignatureReport]:
    """Every signature in `pdf` (empty: none, or not a PDF that can be read). Outside an
    event loop; inside one, await `verify_pdf_async`."""
    return asyncio.run(verify_pdf_async(pdf, trust_roots))


async def verify_pdf_async(pdf: bytes, trust_roots: Sequence[bytes] = ()
                           ) -> list[SignatureReport]:
    """Every signature in `pdf` (empty: none, or not a PDF that can be read)."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception:
        return []
    roots = [_certificate(r) for r in trust_roots]
    reports = []
    for sig in embedded:
        context = ValidationContext(trust_roots=roots, allow_fetching=False,
                                    revocation_mode="soft-fail")
        status = await async_validate_pdf_signature(sig, context)
        stamped = status.timestamp_validity
        when = stamped.timestamp if stamped is not None else status.signer_reported_dt
        cert = status.signing_cert
        reports.append(SignatureReport(
            field=sig.field_name,
            intact=bool(status.intact and status.valid),
            covers_document=status.coverage is not None and status.coverage.name in (
                "ENTIRE_FILE", "ENTIRE_REVISION") and status.docmdp_ok is not False,
            signer=cert.subject.native.get("common_name", "") or cert.subject.human_friendly,
            signed_at=when.astimezone(UTC) if when else None,
            timestamped=stamped is not None and stamped.intact,
            trusted=bool(status.trusted) if roots else None,
        ))
    return reports


def _certificate(data: bytes) -> x509.Certificate:
    """A certificate from PEM or DER bytes."""
    if data.lstrip().startswith(b"-----BEGIN"):
        body = b"".join(line for line in data.strip().splitlines()
                        if line and not line.startswith(b"-----"))
        data = base64.b64decode(body)
    return x509.Certificate.load(data)
