"""Real loopback web servers for the watch: one HTTP and one HTTPS port serving many names
(by Host header and TLS server name), with certificates from a test CA made here.

Sites (the label decides): ``situs`` a valid page; ``judi`` a gambling page; ``lambat`` a page
that never ends (a byte now and then); ``raksasa`` a 50 MB page; ``putar`` a redirect loop;
``kedaluwarsa`` an expired certificate; ``salahnama`` a certificate for another name. Any other
name gets a plain valid page. Every connection is counted by name, so a test can tell that a
name was never contacted.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import ssl
import threading
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

GAMBLING_PAGE = ("<html><body><h1>Situs Slot Gacor Hari Ini</h1><p>Daftar sekarang, "
                 "MAXWIN dijamin!</p></body></html>")
VALID_PAGE = "<html><body><h1>Selamat datang</h1><p>Portal resmi.</p></body></html>"
HUGE = 50 * 1024 * 1024


@dataclass
class CertAuthority:
    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate
    directory: Path

    @classmethod
    def create(cls, directory: Path) -> CertAuthority:
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Watch Test CA")])
        now = dt.datetime.now(dt.UTC)
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(days=1))
                .not_valid_after(now + dt.timedelta(days=3650))
                .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                .add_extension(x509.KeyUsage(
                    digital_signature=True, content_commitment=False, key_encipherment=False,
                    data_encipherment=False, key_agreement=False, key_cert_sign=True,
                    crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                               critical=False)
                .sign(key, hashes.SHA256()))
        directory.mkdir(parents=True, exist_ok=True)
        ca = cls(key, cert, directory)
        ca.ca_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        return ca

    @property
    def ca_file(self) -> Path:
        return self.directory / "ca.pem"

    def issue(self, names: list[str], *, days: int = 90, expired: bool = False) -> ssl.SSLContext:
        """A server context with a certificate for `names` signed by this CA."""
        key = ec.generate_private_key(ec.SECP256R1())
        now = dt.datetime.now(dt.UTC)
        start, end = ((now - dt.timedelta(days=60), now - dt.timedelta(days=2)) if expired
                      else (now - dt.timedelta(days=1), now + dt.timedelta(days=days)))
        cert = (x509.CertificateBuilder()
                .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
                .issuer_name(self.cert.subject).public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(start).not_valid_after(end)
                .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]),
                               critical=False)
                .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                    self.key.public_key()), critical=False)
                .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]),
                               critical=False)
                .sign(self.key, hashes.SHA256()))
        stem = self.directory / f"{names[0]}-{'old' if expired else days}"
        stem.with_suffix(".crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        stem.with_suffix(".key").write_bytes(key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(stem.with_suffix(".crt"), stem.with_suffix(".key"))
        return ctx


@dataclass
class Websites:
    zone: str
    http_port: int = 0
    https_port: int = 0
    contacted: Counter[str] = field(default_factory=Counter)
    """Requests received, by Host name."""
    cleaned: set[str] = field(default_factory=set)
    """Labels whose site was repaired: they serve the valid page from now on."""

    def label(self, host: str) -> str:
        """The site a Host asks for: its first label up to a dash (``judi-17`` is ``judi``:
        the bench serves many names of each kind)."""
        host = host.split(":")[0].lower().rstrip(".")
        label = host[: -len(self.zone) - 1] if host.endswith("." + self.zone) else host
        return label.split("-")[0]

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
            lines = head.decode("latin-1").split("\r\n")
            path = lines[0].split(" ")[1]
            host = next((ln.split(":", 1)[1].strip() for ln in lines[1:]
                         if ln.lower().startswith("host:")), "")
            self.contacted[host] += 1
            await self.respond(self.label(host), host, path, writer)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError,
                IndexError, asyncio.CancelledError):
            pass
        finally:
            writer.transport.abort()

    async def respond(self, label: str, host: str, path: str,
                      writer: asyncio.StreamWriter) -> None:
        if label in self.cleaned:
            return await _page(writer, VALID_PAGE)
        if label == "judi":
            return await _page(writer, GAMBLING_PAGE)
        if label == "putar":
            nxt = "/b" if path == "/a" else "/a"
            writer.write(f"HTTP/1.1 302 Found\r\nLocation: http://{host}{nxt}\r\n"
                         "Content-Length: 0\r\n\r\n".encode())
            return await writer.drain()
        if label == "lambat":
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html>")
            for _ in range(10_000):  # a byte every 0.2 s: the page never ends
                if writer.is_closing():
                    return None
                await writer.drain()
                await asyncio.sleep(0.2)
                writer.write(b" ")
            return None
        if label == "raksasa":
            writer.write(f"HTTP/1.1 200 OK\r\nContent-Length: {HUGE}\r\n\r\n".encode())
            chunk = b"<p>besar</p>" * 5000
            sent = 0
            while sent < HUGE and not writer.is_closing():
                writer.write(chunk)
                await writer.drain()
                sent += len(chunk)
            return None
        return await _page(writer, VALID_PAGE)


async def _page(writer: asyncio.StreamWriter, text: str) -> None:
    body = text.encode()
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                 + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
    await writer.drain()


@contextlib.asynccontextmanager
async def serve_websites(directory: Path,
                         zone: str) -> AsyncIterator[tuple[Websites, CertAuthority]]:
    """The HTTP and HTTPS servers on free loopback ports, and the CA that signed their
    certificates (valid for every name but ``kedaluwarsa`` and ``salahnama``)."""
    ca = CertAuthority.create(directory)
    sites = Websites(zone)
    default = ca.issue([f"*.{zone}", zone])
    special = {
        "kedaluwarsa": ca.issue([f"kedaluwarsa.{zone}"], expired=True),
        "salahnama": ca.issue(["lain.example.org"]),
    }

    def pick(sock: ssl.SSLObject, server_name: str | None, _ctx: ssl.SSLContext) -> None:
        site = sites.label(server_name or "")
        if site in special:
            sock.context = special[site]

    default.sni_callback = pick
    http = await asyncio.start_server(sites.handle, "127.0.0.1", 0)
    https = await asyncio.start_server(sites.handle, "127.0.0.1", 0, ssl=default)
    sites.http_port = http.sockets[0].getsockname()[1]
    sites.https_port = https.sockets[0].getsockname()[1]
    try:
        yield sites, ca
    finally:
        for server in (http, https):
            server.close()
        for server in (http, https):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(server.wait_closed(), 2)


@contextlib.contextmanager
def websites_running(directory: Path, zone: str) -> Iterator[tuple[Websites, CertAuthority]]:
    """`serve_websites` on an event loop of its own thread, so that sync tests (the CLI runs
    its own loop) and async tests alike can use it."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="websites", daemon=True)
    thread.start()
    manager = serve_websites(directory, zone)
    started = asyncio.run_coroutine_threadsafe(manager.__aenter__(), loop).result(30)
    try:
        yield started
    finally:
        asyncio.run_coroutine_threadsafe(manager.__aexit__(None, None, None), loop).result(30)
        asyncio.run_coroutine_threadsafe(_cancel_all(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


async def _cancel_all() -> None:
    """End the handlers still serving (a never-ending page) and wait until they have."""
    current = asyncio.current_task()
    tasks = [t for t in asyncio.all_tasks() if t is not current]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
