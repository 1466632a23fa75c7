"""A local RFC 3161 timestamp authority on loopback for the tests: pyHanko's own TSA logic
(`DummyTimeStamper`) behind a real HTTP endpoint, its certificate issued by the test CA."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web
from asn1crypto import keys, tsp, x509
from cryptography.hazmat.primitives import serialization
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

from devtools.testca import CertAuthority


@dataclass
class LocalTsa:
    ca: CertAuthority
    url: str = ""
    calls: int = 0
    _runner: web.AppRunner | None = None

    async def start(self) -> LocalTsa:
        issued = self.ca.issue_tsa()
        cert = x509.Certificate.load(issued.cert.public_bytes(serialization.Encoding.DER))
        key = keys.PrivateKeyInfo.load(issued.key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))
        stamper = DummyTimeStamper(tsa_cert=cert, tsa_key=key)

        async def answer(request: web.Request) -> web.Response:
            self.calls += 1
            asked = tsp.TimeStampReq.load(await request.read())
            reply = await stamper.async_request_tsa_response(asked)
            return web.Response(body=reply.dump(), content_type="application/timestamp-reply")

        app = web.Application()
        app.router.add_post("/tsa", answer)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/tsa"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
