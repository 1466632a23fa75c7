"""A stand-in of BSrE's esign REST API v2 on loopback, for the tests: it checks the client
account (Basic auth), finds the signer by NIK or e-mail, checks the passphrase, and really signs
the PDF (PAdES, pyHanko) with a certificate of a test CA, placing the given image where asked;
`verify/pdf` checks the signatures against that CA. Errors look like BSrE's: a JSON body with
`error` and `status_code`. Every request body is kept (without the passphrase) for asserting."""

from __future__ import annotations

import asyncio
import base64
import binascii
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BasicAuth, web

from letters.model import SignatureBox
from letters.signing import Certificate, load_pkcs12, sign_pades, verify_pdf
from tests.support.pki import NOW, CertAuthority

USERNAME, PASSWORD = "esign-klien", "rahasia-klien"


@dataclass
class Holder:
    certificate: Certificate
    passphrase: str


@dataclass
class BsreStandIn:
    ca: CertAuthority = field(default_factory=CertAuthority)
    holders: dict[str, Holder] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    down_with: tuple[int, str] | None = None
    """Answer every sign request with this (HTTP status, error text)."""
    _runner: web.AppRunner | None = None
    url: str = ""

    def enrol(self, nik: str, name: str, passphrase: str, *, email: str | None = None) -> None:
        issued = self.ca.issue(name, email=email)
        cert = load_pkcs12(self.ca.pkcs12(issued, "p12"), "p12", now=NOW)
        holder = Holder(cert, passphrase)
        self.holders[nik] = holder
        if email:
            self.holders[email] = holder

    async def start(self) -> BsreStandIn:
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_post("/api/v2/sign/pdf", self._sign)
        app.router.add_post("/api/v2/verify/pdf", self._verify)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @staticmethod
    def _error(status: int, code: int, text: str) -> web.Response:
        return web.json_response({"status_code": code, "error": text}, status=status)

    def _authorized(self, request: web.Request) -> bool:
        try:
            auth = BasicAuth.decode(request.headers.get("Authorization", ""))
        except ValueError:
            return False
        return (auth.login, auth.password) == (USERNAME, PASSWORD)

    async def _sign(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return self._error(401, 401, "Unauthorized")
        body = await request.json()
        self.requests.append({k: v for k, v in body.items() if k != "passphrase"})
        if self.down_with is not None:
            return self._error(self.down_with[0], 5000, self.down_with[1])
        holder = self.holders.get(body.get("nik") or body.get("email") or "")
        if holder is None:
            return self._error(400, 2021, "Pengguna tidak terdaftar")
        if body.get("passphrase") != holder.passphrase:
            return self._error(400, 2031, "Passphrase anda salah")
        try:
            [pdf64] = body["file"]
            [props] = body["signatureProperties"]
            pdf = base64.b64decode(pdf64, validate=True)
            image = base64.b64decode(props["imageBase64"], validate=True)
            x, y = float(props["originX"]), float(props["originY"])
            box = SignatureBox(page=int(props["page"]) - 1, x1=x, y1=y,
                               x2=x + float(props["width"]), y2=y + float(props["height"]))
        except (KeyError, ValueError, TypeError, binascii.Error):
            return self._error(400, 2002, "Parameter tidak lengkap")
        if props.get("tampilan") != "VISIBLE":
            return self._error(400, 2002, "tampilan harus VISIBLE untuk stand-in ini")
        signed = await asyncio.to_thread(
            sign_pades, pdf, holder.certificate, box, appearance=image,
            reason=str(props.get("reason", "")), location=str(props.get("location", "")))
        return web.json_response({"file": [base64.b64encode(signed).decode()],
                                  "time": 1234})

    async def _verify(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return self._error(401, 401, "Unauthorized")
        body = await request.json()
        reports = await asyncio.to_thread(verify_pdf, base64.b64decode(body["file"]),
                                          [self.ca.pem])
        valid = bool(reports) and all(r.valid for r in reports)
        return web.json_response({
            "conclusion": "VALID" if valid else ("NO_SIGNATURE" if not reports else "INVALID"),
            "description": "Dokumen valid" if valid else "Dokumen tidak valid",
            "signatureInformations": [
                {"signerName": r.signer, "signatureDate": r.signed_at.isoformat()
                 if r.signed_at else None} for r in reports],
        })
