"""A client of BSrE's electronic-signature REST API, version 2 (Esign Client Service).

What is publicly known of v2, followed here: HTTP Basic authentication with the client account
BSrE gives the office; ``POST /api/v2/sign/pdf`` with a JSON body ``{"nik" | "email",
"passphrase", "signatureProperties": [{"tampilan": "VISIBLE", "imageBase64", "page",
"originX", "originY", "width", "height", "location", "reason"}], "file": [<base64 PDF>]}``,
answered with ``{"file": [<base64 signed PDF>], "time": …}``; an error is a non-2xx answer
whose JSON carries ``error`` (and often ``status_code``). ``POST /api/v2/verify/pdf`` takes
``{"file": <base64 PDF>}`` and answers with a ``conclusion`` and the signatures' details.
Not tried against the live service (see the README); the test suite runs it against a
stand-in that signs for real with a test CA.

The passphrase travels only in the request body: never logged, never in an exception.
"""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass, field
from typing import Any

import httpx

from letters.model import SignatureBox
from letters.signing_types import SigningError

log = logging.getLogger(__name__)

SIGN_PATH = "/api/v2/sign/pdf"
VERIFY_PATH = "/api/v2/verify/pdf"
ERROR_TEXT_MAX = 160


class BsreError(SigningError):
    """BSrE refused or could not be reached; `message_id` is one sentence for the signatory."""


@dataclass(frozen=True)
class BsreVerdict:
    conclusion: str
    description: str
    signers: tuple[str, ...]


@dataclass(frozen=True)
class BsreClient:
    base_url: str
    username: str
    password: str = field(repr=False)
    timeout: float = 60.0

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            with httpx.Client(timeout=self.timeout) as client:
                answer = client.post(self.base_url + path, json=body,
                                     auth=(self.username, self.password))
        except httpx.HTTPError as failed:
            log.warning("BSrE %s unreachable: %s", path, type(failed).__name__)
            raise BsreError("Layanan tanda tangan elektronik BSrE tidak dapat dihubungi; surat "
                            "belum ditandatangani. Mohon coba lagi beberapa saat lagi.") from None
        try:
            data = answer.json()
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        if answer.status_code >= 300 or data.get("error"):
            raise _refusal(answer.status_code, data)
        return data

    def sign_pdf(self, pdf: bytes, *, passphrase: str, box: SignatureBox, image_png: bytes,
                 reason: str, location: str, nik: str | None = None,
                 email: str | None = None) -> bytes:
        """The PDF signed by BSrE for the holder of `nik` (or `email`), its visible mark
        (`image_png`) in `box`."""
        if not (nik or email):
            raise BsreError("NIK atau surel penandatangan di BSrE belum terdaftar; surat belum "
                            "ditandatangani. Mohon admin melengkapinya (role set … --nik …).")
        who: dict[str, Any] = {"nik": nik} if nik else {"email": email}
        data = self._post(SIGN_PATH, {
            **who,
            "passphrase": passphrase,
            "signatureProperties": [{
                "tampilan": "VISIBLE",
                "imageBase64": base64.b64encode(image_png).decode("ascii"),
                "page": box.page + 1,
                "originX": round(box.x1, 2),
                "originY": round(box.y1, 2),
                "width": round(box.width, 2),
                "height": round(box.height, 2),
                "location": location,
                "reason": reason,
            }],
            "file": [base64.b64encode(pdf).decode("ascii")],
        })
        files = data.get("file")
        try:
            signed = base64.b64decode(files[0], validate=True) if isinstance(files, list) else b""
        except (ValueError, IndexError, TypeError):
            signed = b""
        if not signed.startswith(b"%PDF-"):
            log.warning("BSrE answered without a signed PDF")
            raise BsreError("BSrE tidak mengembalikan dokumen bertanda tangan; surat belum "
                            "ditandatangani. Mohon coba lagi.")
        return signed

    def verify_pdf(self, pdf: bytes) -> BsreVerdict:
        data = self._post(VERIFY_PATH, {"file": base64.b64encode(pdf).decode("ascii")})
        infos = data.get("signatureInformations") or []
        signers = tuple(str(i.get("signerName", "")) for i in infos if isinstance(i, dict))
        return BsreVerdict(str(data.get("conclusion", "")), str(data.get("description", "")),
                           signers)


def _refusal(status: int, data: dict[str, Any]) -> BsreError:
    """BSrE's error as one sentence (its own words, shortened; never the request)."""
    raw = " ".join(str(data.get("error") or data.get("message") or "").split())
    log.warning("BSrE refused (HTTP %s, code %s)", status, data.get("status_code"))
    if status == 401:
        return BsreError("Akun aplikasi di BSrE ditolak (nama pengguna atau kata sandi klien "
                         "salah); surat belum ditandatangani. Mohon hubungi admin.")
    if "passphrase" in raw.lower():
        return BsreError("BSrE menolak frasa sandi (passphrase) Bapak/Ibu; surat belum "
                         "ditandatangani. Mohon coba lagi dengan frasa sandi yang benar.")
    said = raw[:ERROR_TEXT_MAX].rstrip(" .") or f"kode HTTP {status}"
    return BsreError(f"BSrE menolak penandatanganan ({said}); surat belum ditandatangani.")
