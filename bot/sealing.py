"""The final letter signed as the office's signing provider says (SIGNING_PROVIDER).

`prepare` runs before the transaction and refuses early (a wrong passphrase, an expired or
revoked certificate, a signer BSrE does not know of); `seal_pdf` renders the letter with its
number and signs it, inside the letter issuer's render step (in a worker thread, never while the
write lock is held). A refusal is a `letters.signing.SigningError` with one sentence for the
person signing; nothing is numbered, nothing delivered.
"""

from __future__ import annotations

import dataclasses
import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.paperwork import office_identity
from bot.settings import Settings
from letters.bsre import BsreClient
from letters.dates import format_datetime_id
from letters.model import ReplyLetter, Seal, SignatureBox
from letters.offload import reply_letter_pdf
from letters.signing_types import SigningError
from storage.models import Person
from storage.signatures import EsignIdentity

if TYPE_CHECKING:
    from letters.signing import Certificate

# pyHanko and its cryptography (`letters.signing`, ~20 MiB resident) are imported where a
# provider needs them: a bot with SIGNING_PROVIDER=none never loads them.

SCAN_MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class SealPlan:
    """How this letter gets signed (everything checked that can be checked beforehand)."""

    seal: Seal
    certificate: Certificate | None = None
    bsre: BsreClient | None = None
    identity: EsignIdentity | None = None
    passphrase: str | None = dataclasses.field(default=None, repr=False)


def _pkcs12_of(settings: Settings, signer: Person) -> tuple[bytes, str]:
    """The signatory's PKCS#12 file and passphrase: their own ``<NIP>.p12`` in
    SIGNING_PKCS12_DIR (passphrase in ``<NIP>.passphrase`` beside it, else the setting), or
    the one SIGNING_PKCS12_PATH."""
    config = settings.signing
    path: Path | None = config.pkcs12_path
    secret_file = config.passphrase_file
    if config.pkcs12_dir is not None and signer.nip:
        own = config.pkcs12_dir / f"{signer.nip}.p12"
        if own.is_file():
            path = own
            beside = config.pkcs12_dir / f"{signer.nip}.passphrase"
            secret_file = beside if beside.is_file() else secret_file
    if path is None or not path.is_file():
        raise SigningError(f"Sertifikat elektronik {signer.name} belum dipasang di server; "
                           "surat belum ditandatangani. Mohon hubungi admin.")
    from letters.signing import read_secret

    passphrase = read_secret(config.passphrase, secret_file)
    if passphrase is None:
        raise SigningError("Frasa sandi sertifikat elektronik belum diatur di server; surat "
                           "belum ditandatangani. Mohon hubungi admin.")
    return path.read_bytes(), passphrase


def prepare(settings: Settings, signer: Person, *, now: datetime,
            identity: EsignIdentity | None = None, passphrase: str | None = None) -> SealPlan:
    """Check what signing needs before anything is numbered (blocking: run in a thread)."""
    config = settings.signing
    seal = config.provider
    if seal is Seal.PADES:
        from letters.signing import load_pkcs12

        data, secret = _pkcs12_of(settings, signer)
        crls = [p.read_bytes() for p in config.crl_paths]
        return SealPlan(seal, certificate=load_pkcs12(
            data, secret, now=now, crls=crls, fetch_revocation=config.fetch_revocation))
    if seal is Seal.BSRE:
        if identity is None or not (identity.nik or identity.email):
            raise SigningError(f"NIK atau surel BSrE {signer.name} belum terdaftar; surat "
                               "belum ditandatangani. Mohon kirim NIK dengan perintah /nik di "
                               "chat pribadi dengan bot (atau admin: role set … --nik …).")
        if not passphrase:
            raise SigningError("Frasa sandi (passphrase) TTE belum diberikan; surat belum "
                               "ditandatangani.")
        assert config.bsre_url and config.bsre_username and config.bsre_password
        return SealPlan(seal, bsre=BsreClient(config.bsre_url, config.bsre_username,
                                              config.bsre_password, config.bsre_timeout),
                        identity=identity, passphrase=passphrase)
    return SealPlan(seal)


def appearance_lines(settings: Settings, letter: ReplyLetter, when: datetime) -> list[str]:
    office = office_identity(settings)
    stamp = format_datetime_id(when, office.timezone, office.zone_label)
    return ["Ditandatangani secara elektronik oleh", letter.signatory.name, stamp]


def seal_pdf(settings: Settings, plan: SealPlan, letter: ReplyLetter, *,
             when: datetime) -> bytes:
    """Render the final `letter` with what it carries, and sign it where the provider
    signs."""
    letter = dataclasses.replace(letter, seal=plan.seal)
    boxes: list[SignatureBox] = []
    try:
        pdf = reply_letter_pdf(letter, office_identity(settings), signature_box=boxes)
    except ValueError as exc:
        raise SigningError(f"Surat tidak dapat dibuat: {exc}") from None
    if plan.seal in (Seal.NONE, Seal.WET):
        return pdf
    from letters.signing import appearance_png, sign_pades, verify_pdf

    [box] = boxes
    image = appearance_png(appearance_lines(settings, letter, when), box,
                           qr=letter.verification_url)
    reason = f"Surat balasan Nomor {letter.number}"
    if plan.certificate is not None:
        return sign_pades(pdf, plan.certificate, box, appearance=image, reason=reason,
                          location=settings.office.place, tsa_url=settings.signing.tsa_url)
    assert plan.bsre is not None and plan.identity is not None and plan.passphrase
    signed = plan.bsre.sign_pdf(pdf, passphrase=plan.passphrase, box=box, image_png=image,
                                reason=reason, location=settings.office.place,
                                nik=plan.identity.nik, email=plan.identity.email)
    if not any(r.intact and r.covers_document for r in verify_pdf(signed)):
        raise SigningError("Dokumen dari BSrE tidak memuat tanda tangan yang utuh; surat belum "
                           "ditandatangani. Mohon coba lagi.")
    return signed


def checked_scan(data: bytes) -> bytes:
    """The uploaded scan of a wet-signed letter, or a refusal in one sentence."""
    if not data:
        raise SigningError("Berkas pindaian kosong; surat belum dikirim. Mohon unggah "
                           "pindaian surat (PDF) yang telah ditandatangani dan dicap.")
    if len(data) > SCAN_MAX_BYTES:
        raise SigningError("Berkas pindaian lebih besar dari 20 MB; surat belum dikirim. Mohon "
                           "unggah berkas yang lebih kecil.")
    if not data.lstrip()[:5] == b"%PDF-" or b"%%EOF" not in data[-2048:]:
        raise SigningError("Berkas pindaian bukan PDF yang utuh; surat belum dikirim. Mohon "
                           "unggah pindaian surat dalam format PDF.")
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        pages = int(PdfFileReader(io.BytesIO(data), strict=False).root["/Pages"]["/Count"])
    except Exception:
        pages = -1
    if pages < 0:
        raise SigningError("Berkas pindaian bukan PDF yang dapat dibaca; surat belum dikirim. "
                           "Mohon unggah pindaian surat dalam format PDF.")
    if pages == 0:
        raise SigningError("Berkas pindaian tidak memuat halaman apa pun; surat belum dikirim. "
                           "Mohon unggah pindaian surat yang telah ditandatangani dan dicap.")
    return data


def signing_warnings(settings: Settings) -> list[str]:
    """What an office must know about how its letters are signed (logged at start)."""
    if settings.signing.provider is Seal.NONE:
        return ["SIGNING_PROVIDER=none: final letters carry only the register's QR code and "
                "are marked 'CONTOH DEMO - tidak ditandatangani'; for real letters set "
                "SIGNING_PROVIDER to pades, bsre or wet (see the README, 'Signing')"]
    if settings.signing.provider is Seal.BSRE:
        return ["SIGNING_PROVIDER=bsre: the BSrE client follows the public description of "
                "the esign API v2 and has not been tried against the live service; sign a "
                "test letter with BSrE's development account before going live"]
    return []
