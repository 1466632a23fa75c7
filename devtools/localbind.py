"""A throwaway BIND 9 ``named`` on 127.0.0.1, for the DNS tests and the demo.

``start_bind(directory, zone)`` writes named.conf, the zones and TSIG keys into ``directory``,
starts ``named -g`` on a free loopback port (UDP and TCP), waits until it answers a SOA
query, yields a :class:`BindServer` handle and stops named with SIGTERM afterwards. When
BIND is not installed or named does not come up it raises :class:`BindUnavailable` (a
``RuntimeError``) with a one-line reason.

Zones:

* ``zone``, the office's parent domain (dynamic: updates and zone transfers (AXFR) allowed with
  the ``bot-key`` TSIG key only):
  ``dinkes`` A, ``ns1`` A, ``mail`` MX only, ``portal`` CNAME out of zone, ``putus`` CNAME to
  a missing in-zone name, ``catatan`` TXT only, ``x.y`` TXT (so ``y`` is an empty
  non-terminal), ``sub`` delegated away, ``besar`` twelve long TXT records (too big for
  UDP: the answer is truncated and must be asked again over TCP).
* ``wild.test``: ``*`` A 192.0.2.80, ``explicit`` A 192.0.2.10, ``kembar`` A 192.0.2.80
  (an explicit copy of the wildcard), ``teks`` TXT only.
* ``rusak.test``: configured with a missing zone file, so named answers SERVFAIL.

Variants: ``extra`` adds records to ``zone`` (two servers that differ only there), and a
``zone`` that is only the office's parent (``go.id``) gives a server authoritative for the
parent alone.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dns.exception
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import dns.tsig
import dns.update

from domains.config import DnsConfig

WILD_ZONE = "wild.test"
BROKEN_ZONE = "rusak.test"  # configured, but its file is missing: answers SERVFAIL
INITIAL_SERIAL = 2026010101
KEY_NAME = "bot-key"
OTHER_KEY_NAME = "other-key"
MISSING = "BIND 9 `named` not found: apt-get install bind9 bind9-dnsutils"


def zone_text(zone: str) -> str:
    """The parent zone's file: the same records under whatever name the office uses."""
    return f"""$ORIGIN {zone}.
$TTL 300
@        IN SOA ns1 hostmaster {INITIAL_SERIAL} 3600 600 86400 300
@        IN NS  ns1
ns1      IN A   127.0.0.1
dinkes   IN A   10.0.0.5
mail     IN MX  10 mx.example.net.
portal   IN CNAME www.example.com.
putus    IN CNAME tidak-ada
catatan  IN TXT "hanya teks"
x.y      IN TXT "y is an empty non-terminal"
sub      IN NS  ns.sub-dns.example.net.
""" + "".join(f'besar    IN TXT "{i:02d}{"x" * 200}"\n' for i in range(12))


WILD_TEXT = f"""$ORIGIN {WILD_ZONE}.
$TTL 300
@        IN SOA ns1 hostmaster 1 3600 600 86400 300
@        IN NS  ns1
ns1      IN A   127.0.0.1
*        IN A   192.0.2.80
explicit IN A   192.0.2.10
kembar   IN A   192.0.2.80
teks     IN TXT "explicit node without an address"
"""


class BindUnavailable(RuntimeError):
    """BIND 9 is not installed, or ``named`` did not start; the message says which."""


def find_named() -> str:
    """Path of ``named``; raises :class:`BindUnavailable` when BIND is not installed."""
    path = shutil.which("named") or ("/usr/sbin/named" if os.path.exists("/usr/sbin/named") else "")
    if not path:
        raise BindUnavailable(MISSING)
    return path


def _tsig_secret(name: str) -> str:
    keygen = shutil.which("tsig-keygen") or "/usr/sbin/tsig-keygen"
    if not os.path.exists(keygen):
        raise BindUnavailable(MISSING)
    out = subprocess.run(
        [keygen, "-a", "hmac-sha256", name], check=True, capture_output=True, text=True
    ).stdout
    match = re.search(r'secret "([^"]+)"', out)
    assert match, f"unexpected tsig-keygen output: {out!r}"
    return match.group(1)


def free_port() -> int:
    """A loopback port free for both UDP and TCP right now."""
    for _ in range(100):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            tcp.bind(("127.0.0.1", 0))
            port = int(tcp.getsockname()[1])
            try:
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                    udp.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free loopback port")


@dataclass(frozen=True)
class BindServer:
    host: str
    port: int
    zone: str
    wild_zone: str
    key_name: str
    key_secret: str
    key_algorithm: str
    other_key_name: str
    other_key_secret: str
    directory: Path

    @property
    def server(self) -> tuple[str, int]:
        return self.host, self.port

    def config(self, **overrides: Any) -> DnsConfig:
        values: dict[str, Any] = {
            "parent_domain": self.zone,
            "servers": (self.server,),
            "primary": self.server,
            "timeout": 2.0,
            "provider": "rfc2136",
            "tsig_key_name": self.key_name,
            "tsig_algorithm": self.key_algorithm,
            "tsig_secret": self.key_secret,
            "ttl": 300,
            "hosting_ipv4": "10.20.30.40",
            "verify_timeout": 2.0,
        }
        values.update(overrides)
        return DnsConfig(**values)

    def env(self) -> dict[str, str]:
        """The bot's settings (environment form) for this server, with RFC 2136 creation."""
        return {
            "PARENT_DOMAIN": self.zone,
            "DNS_SERVERS": f"{self.host}:{self.port}",
            "DNS_PRIMARY": f"{self.host}:{self.port}",
            "DNS_PROVIDER": "rfc2136",
            "TSIG_KEY_NAME": self.key_name,
            "TSIG_ALGORITHM": self.key_algorithm,
            "TSIG_SECRET": self.key_secret,
            "DNS_TTL": "300",
            "HOSTING_IPV4": "10.20.30.40",
        }

    def query(self, name: str, rdtype: str = "A") -> dns.message.Message:
        q = dns.message.make_query(name, rdtype, flags=0)
        return dns.query.udp(q, self.host, port=self.port, timeout=2)

    def values(self, name: str, rdtype: str = "A") -> set[str]:
        """The rdata texts of ``name``/``rdtype`` as the server holds them now."""
        response = self.query(name, rdtype)
        target = dns.name.from_text(name)
        return {
            rdata.to_text()
            for rrset in response.answer
            if rrset.name == target and rrset.rdtype == dns.rdatatype.from_text(rdtype)
            for rdata in rrset
        }

    def serial(self, zone: str | None = None) -> int:
        response = self.query(zone or self.zone, "SOA")
        return int(response.answer[0][0].serial)

    def dig(self, name: str, rdtype: str = "A") -> list[str]:
        out = subprocess.run(
            ["dig", "+short", "+norecurse", "-p", str(self.port), f"@{self.host}", name, rdtype],
            check=True,
            capture_output=True,
            text=True,
            timeout=5,
        ).stdout
        return out.split()

    def update(self, name: str, rdtype: str, value: str, ttl: int = 300) -> int:
        """Change the zone as 'someone else' would (signed with the bot key); returns rcode."""
        key = dns.tsig.Key(self.key_name, self.key_secret, self.key_algorithm)
        upd = dns.update.UpdateMessage(self.zone, keyring=key)
        upd.add(dns.name.from_text(name), ttl, rdtype, value)
        return int(dns.query.tcp(upd, self.host, port=self.port, timeout=3).rcode())

    def log(self) -> str:
        path = self.directory / "named.log"
        return path.read_text(errors="replace") if path.exists() else ""


def _named_conf(directory: Path, port: int, key: str, other: str, zone: str) -> str:
    d = str(directory)
    return f"""
options {{
    directory "{d}";
    pid-file "{d}/named.pid";
    session-keyfile "{d}/session.key";
    managed-keys-directory "{d}";
    dump-file "{d}/named.dump";
    statistics-file "{d}/named.stats";
    listen-on port {port} {{ 127.0.0.1; }};
    listen-on-v6 {{ none; }};
    recursion no;
    notify no;
    dnssec-validation no;
    allow-transfer {{ key "{KEY_NAME}"; }};
}};
controls {{ }};
key "{KEY_NAME}" {{ algorithm hmac-sha256; secret "{key}"; }};
key "{OTHER_KEY_NAME}" {{ algorithm hmac-sha256; secret "{other}"; }};
zone "{zone}" {{
    type primary;
    file "{d}/{zone}.zone";
    journal "{d}/{zone}.zone.jnl";
    allow-update {{ key "{KEY_NAME}"; }};
    allow-transfer {{ key "{KEY_NAME}"; }};
}};
zone "{WILD_ZONE}" {{
    type primary;
    file "{d}/{WILD_ZONE}.zone";
}};
zone "{BROKEN_ZONE}" {{
    type primary;
    file "{d}/missing.zone";
}};
"""


def _answers(host: str, port: int, zone: str) -> bool:
    q = dns.message.make_query(zone, "SOA", flags=0)
    try:
        response = dns.query.udp(q, host, port=port, timeout=0.1)
    except (dns.exception.Timeout, OSError):
        return False
    return response.rcode() == dns.rcode.NOERROR and bool(response.answer)


@contextlib.contextmanager
def start_bind(directory: Path, zone: str, extra: str = "") -> Iterator[BindServer]:
    """A running named serving ``zone`` and the test zones above from ``directory`` (created
    if missing). ``extra`` adds records to ``zone`` (relative names, e.g. ``* IN A 192.0.2.9``)
    for a variant: two servers that differ only there disagree on exactly that."""
    named = find_named()
    directory.mkdir(parents=True, exist_ok=True)
    key, other = _tsig_secret(KEY_NAME), _tsig_secret(OTHER_KEY_NAME)
    (directory / f"{zone}.zone").write_text(zone_text(zone) + extra)
    (directory / f"{WILD_ZONE}.zone").write_text(WILD_TEXT)
    for attempt in range(3):
        port = free_port()
        conf = directory / "named.conf"
        conf.write_text(_named_conf(directory, port, key, other, zone))
        log = (directory / "named.log").open("w")
        proc = subprocess.Popen(
            [named, "-g", "-4", "-n", "1", "-c", str(conf)],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=directory,
        )
        log.close()
        deadline = time.monotonic() + 15
        while proc.poll() is None and time.monotonic() < deadline:
            if _answers("127.0.0.1", port, zone):
                break
            time.sleep(0.02)
        else:
            text = (directory / "named.log").read_text(errors="replace")
            _stop(proc)
            if attempt < 2 and ("address in use" in text
                                or "unable to listen on any configured interfaces" in text):
                continue  # lost the port race (named may only say it could not listen)
            raise BindUnavailable(f"named did not start on 127.0.0.1:{port}:\n{text[-3000:]}")
        break
    handle = BindServer(
        host="127.0.0.1",
        port=port,
        zone=zone,
        wild_zone=WILD_ZONE,
        key_name=KEY_NAME,
        key_secret=key,
        key_algorithm="hmac-sha256",
        other_key_name=OTHER_KEY_NAME,
        other_key_secret=other,
        directory=directory,
    )
    try:
        yield handle
    finally:
        _stop(proc)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
