"""One HTTP/1.1 GET to an address, with the name as Host and TLS server name (no resolver),
bounded in time and size: a page of 50 MB is read up to the limit and dropped, a page that
never ends is cut at the deadline, a TLS handshake that stalls is abandoned."""

from __future__ import annotations

import asyncio
import contextlib
import os
import ssl
from dataclasses import dataclass, field

CHUNK = 16 * 1024


class FetchError(Exception):
    """No usable answer (refused, timed out, not HTTP); the message is one line."""


@dataclass(frozen=True)
class Fetched:
    status: int
    status_line: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    truncated: bool = False
    """The page is longer than the limit; only its start was read."""
    complete: bool = True
    """False: the deadline came before the page ended (a page that never ends)."""
    cert_der: bytes | None = None


def insecure_context() -> ssl.SSLContext:
    """For reading a certificate that did not verify (days left, the page behind it)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


async def fetch(address: str, port: int, name: str, path: str, *, tls: ssl.SSLContext | None,
                timeout: float, body_limit: int, header_limit: int,  # noqa: ASYNC109
                user_agent: str) -> Fetched:
    """GET `path` from `address`:`port` for `name`. Raises FetchError, or
    ssl.SSLCertVerificationError when `tls` verifies and the certificate is not valid."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    writer: asyncio.StreamWriter | None = None
    try:
        try:
            async with asyncio.timeout_at(deadline):
                reader, writer = await asyncio.open_connection(
                    address, port, ssl=tls, server_hostname=name if tls else None,
                    ssl_handshake_timeout=timeout if tls else None, limit=header_limit)
                cert = None
                if tls is not None:
                    ssl_object = writer.get_extra_info("ssl_object")
                    cert = ssl_object.getpeercert(binary_form=True) if ssl_object else None
                writer.write((f"GET {path} HTTP/1.1\r\nHost: {name}\r\n"
                              f"User-Agent: {user_agent}\r\nAccept: text/html,*/*\r\n"
                              "Accept-Encoding: identity\r\nConnection: close\r\n\r\n"
                              ).encode("ascii", "replace"))
                await writer.drain()
                head = await reader.readuntil(b"\r\n\r\n")
        except ssl.SSLCertVerificationError:
            raise
        except TimeoutError:
            raise FetchError(f"no answer within {timeout:g} s") from None
        except asyncio.LimitOverrunError:
            raise FetchError(f"response headers longer than {header_limit} bytes") from None
        except asyncio.IncompleteReadError:
            raise FetchError("connection closed before a complete response") from None
        except ssl.SSLError as exc:
            raise FetchError(f"TLS: {exc.reason or exc}") from None
        except OSError as exc:
            raise FetchError(os.strerror(exc.errno) if exc.errno else type(exc).__name__
                             ) from None
        status, status_line, headers = _head(head)
        body, truncated, complete = await _body(reader, headers, deadline, body_limit)
        return Fetched(status, status_line, headers, body, truncated, complete, cert)
    finally:
        if writer is not None:
            writer.transport.abort()  # never wait for a hostile peer's close


def _head(raw: bytes) -> tuple[int, str, dict[str, str]]:
    lines = raw.decode("iso-8859-1").split("\r\n")
    status_line = lines[0].strip()
    parts = status_line.split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        raise FetchError(f"not an HTTP response: {status_line[:60]!r}")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            key, value = line.split(":", 1)
            headers[key.strip().lower()] = value.strip()
    return int(parts[1]), status_line, headers


async def _body(reader: asyncio.StreamReader, headers: dict[str, str], deadline: float,
                limit: int) -> tuple[bytes, bool, bool]:
    """(body up to `limit`, whether more was there, whether it ended before the deadline)."""
    chunked = "chunked" in headers.get("transfer-encoding", "").lower()
    length = headers.get("content-length", "")
    expected = int(length) if length.isdigit() and not chunked else None
    buffer = bytearray()
    try:
        async with asyncio.timeout_at(deadline):
            if chunked:
                return await _chunked(reader, limit, buffer)
            want = limit + 1 if expected is None else min(expected, limit + 1)
            while len(buffer) < want:
                data = await reader.read(min(CHUNK, want - len(buffer)))
                if not data:
                    break
                buffer += data
    except TimeoutError:
        return bytes(buffer[:limit]), len(buffer) > limit, False
    except (OSError, ssl.SSLError):
        return bytes(buffer[:limit]), False, False
    truncated = len(buffer) > limit or (expected is not None and expected > limit)
    return bytes(buffer[:limit]), truncated, True


async def _chunked(reader: asyncio.StreamReader, limit: int,
                   buffer: bytearray) -> tuple[bytes, bool, bool]:
    with contextlib.suppress(asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                             ValueError):
        while len(buffer) <= limit:
            size_line = await reader.readuntil(b"\r\n")
            size = int(size_line.split(b";")[0].strip() or b"0", 16)
            if size == 0:
                return bytes(buffer), False, True
            take = min(size, limit + 1 - len(buffer))
            buffer += await reader.readexactly(take)
            if take < size:
                break
            await reader.readexactly(2)
    return bytes(buffer[:limit]), len(buffer) > limit, True
