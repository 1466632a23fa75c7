"""The public pages over plain HTTP: security headers everywhere, one answer for every code
that is not a letter's, the per-address rate limit, uploads bounded in size and type, no
traceback in the browser, and an access log without codes or whole addresses."""

from __future__ import annotations

import http.client
import ipaddress
import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.web.security import HEADERS, client_address, client_key, log_address, log_path
from tests.support.office import Clock
from tests.support.pki import NOW
from tests.support.public_site import LiveSite
from tests.web.conftest import World, another


def fetch(site: LiveSite, path: str, method: str = "GET", body: bytes | None = None,
          headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    conn = http.client.HTTPConnection("127.0.0.1", site.port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return (response.status, {k.lower(): v for k, v in response.getheaders()},
                response.read().decode(errors="replace"))
    finally:
        conn.close()


def multipart(content: bytes, name: str = "surat.pdf") -> tuple[bytes, dict[str, str]]:
    boundary = "batasbatasbatas"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"berkas\"; "
            f"filename=\"{name}\"\r\nContent-Type: application/pdf\r\n\r\n").encode() \
        + content + f"\r\n--{boundary}--\r\n".encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


@pytest.fixture
def small_site(tmp_path: Path) -> Iterator[LiveSite]:
    """An office with no letters, allowing five requests a minute per address."""
    site = LiveSite(tmp_path / "bot.sqlite3", Clock(NOW), DATA_DIR=str(tmp_path / "data"),
                    WEB_RATE_PER_MINUTE="5", WEB_TRUSTED_PROXIES="127.0.0.1").start()
    try:
        yield site
    finally:
        site.stop()


def test_every_answer_carries_the_security_headers(world: World) -> None:
    code = world.valid.verification_code
    for method, path, status in [
            ("GET", "/", 200), ("GET", "/subdomain", 200), ("GET", "/mutu-baku", 200),
            ("GET", f"/verifikasi/{code}", 200), ("GET", "/verifikasi/TIDAKADA", 404),
            ("GET", "/tidak/ada", 404), ("POST", "/subdomain", 405),
            ("GET", "/static/site.css", 200), ("GET", "/favicon.ico", 204)]:
        got, headers, body = fetch(world.site, path, method)
        assert got == status, (path, body[:200])
        for name, value in HEADERS.items():
            assert headers.get(name.lower()) == value, (path, name)
        assert "server" not in headers
        assert "script" not in body.lower() or path.endswith(".css")
    csp = HEADERS["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'none'" in csp
    _, headers, _ = fetch(world.site, f"/verifikasi/{code}")
    assert headers["cache-control"] == "no-store"
    assert headers["x-robots-tag"] == "noindex, nofollow"


def test_unknown_and_malformed_codes_get_the_same_page(world: World) -> None:
    answers = {fetch(world.site, f"/verifikasi/{code}")[::2]
               for code in ("AAAAAAAAAAAAAAAA", "x", "%27%20OR%201=1", "A" * 200,
                            another(world.valid.verification_code))}
    assert len(answers) == 1
    [(status, body)] = answers
    assert status == 404 and "Surat tidak ditemukan" in body
    assert world.valid.number not in body
    status, _, body = fetch(world.site, f"/verifikasi/{world.valid.verification_code.lower()}")
    assert status == 200 and world.valid.number in body  # typed in small letters: found


def test_uploads_are_bounded_in_size_and_type(world: World) -> None:
    path = f"/verifikasi/{world.valid.verification_code}"
    body, headers = multipart(b"%PDF-1.4\n" + b"0" * (2 * 2**20))
    status, _, page = fetch(world.site, path, "POST", body, headers)
    assert status == 413 and "Berkas terlalu besar. Ukuran berkas paling besar 1 MB." in page
    body, headers = multipart(b"GIF89a" + b"0" * 100, "surat.pdf")
    status, _, page = fetch(world.site, path, "POST", body, headers)
    assert status == 415 and "Berkas yang diunggah bukan PDF." in page
    body, headers = multipart(b"")
    status, _, page = fetch(world.site, path, "POST", body, headers)
    assert status == 400 and "Mohon pilih berkas PDF" in page
    body, headers = multipart(b"%PDF-1.7\nbukan pdf yang utuh\n")
    status, _, page = fetch(world.site, path, "POST", body, headers)
    assert status == 200 and "TIDAK SAMA" in page
    assert "Tidak ada tanda tangan elektronik dalam berkas ini." in page


def test_the_rate_limit_counts_each_address(small_site: LiveSite) -> None:
    assert [fetch(small_site, "/")[0] for _ in range(5)] == [200] * 5
    status, headers, page = fetch(small_site, "/mutu-baku")
    assert status == 429 and int(headers["retry-after"]) >= 1
    assert "Terlalu banyak permintaan" in page and headers["content-security-policy"]
    assert fetch(small_site, "/static/site.css")[0] == 200  # the style sheet is not counted
    body, headers = multipart(b"%PDF-1.4\n" + b"0" * 300_000)
    status, _, page = fetch(small_site, "/verifikasi/AAAAAAAAAAAAAAAA", "POST", body, headers)
    assert status == 429 and "Terlalu banyak permintaan" in page  # an upload is refused too
    # behind the trusted proxy (127.0.0.1 here) each client has its own allowance ...
    for _ in range(5):
        assert fetch(small_site, "/", headers={"X-Forwarded-For": "203.0.113.7"})[0] == 200
    assert fetch(small_site, "/", headers={"X-Forwarded-For": "203.0.113.7"})[0] == 429
    # ... and what a client writes before the proxy's own entry changes nothing
    spoofed = {"X-Forwarded-For": "198.51.100.1, 203.0.113.7"}
    assert fetch(small_site, "/", headers=spoofed)[0] == 429


def test_a_failure_is_a_short_page_and_one_log_line(small_site: LiveSite,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    with sqlite3.connect(small_site.db) as broken:  # the register's table is gone
        broken.execute("ALTER TABLE subdomains RENAME TO subdomains_old")
    with caplog.at_level(logging.INFO, logger="bot.web"):
        status, headers, page = fetch(small_site, "/subdomain")
    assert status == 500
    assert "Maaf, terjadi kesalahan pada sistem." in page
    assert "Traceback" not in page and "sqlite" not in page.lower()
    assert headers["content-security-policy"] == HEADERS["Content-Security-Policy"]
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [r.getMessage() for r in errors] == ["web: GET /subdomain failed"]


def test_the_access_log_keeps_no_code_and_no_whole_address(
        world: World, caplog: pytest.LogCaptureFixture) -> None:
    code = world.valid.verification_code
    with caplog.at_level(logging.INFO, logger="bot.web.access"):
        fetch(world.site, f"/verifikasi/{code}")
        fetch(world.site, "/subdomain")
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.web.access"]
    assert len(lines) == 2
    assert lines[0].startswith("GET /verifikasi/<kode> 200 ")
    assert lines[0].endswith(" 127.0.0.0/24")
    assert lines[1].startswith("GET /subdomain 200 ")
    assert all(code not in line and "127.0.0.1" not in line for line in lines)


def test_addresses_as_counted_and_as_logged() -> None:
    v6 = ipaddress.ip_address("2001:db8:1:2:3:4:5:6")
    assert client_key(v6) == "2001:db8:1:2::/64"
    assert log_address(v6) == "2001:db8:1::/48"
    assert log_address(ipaddress.ip_address("203.0.113.7")) == "203.0.113.0/24"
    proxy = (ipaddress.ip_address("127.0.0.1"),)
    assert client_address("127.0.0.1", "10.0.0.1, 203.0.113.7", proxy) == \
        ipaddress.ip_address("203.0.113.7")
    assert client_address("192.0.2.1", "203.0.113.7", proxy) == ipaddress.ip_address("192.0.2.1")
    assert log_path("/verifikasi/ABC") == "/verifikasi/<kode>"
    assert log_path("/verifikasi/") == "/verifikasi/"
