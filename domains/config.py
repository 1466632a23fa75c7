"""DNS settings for checks and provisioning.

The application builds a :class:`DnsConfig` from its own settings; nothing here reads the
environment.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

from domains.names import DEFAULT_RESERVED

Server = tuple[str, int]

PROVIDERS = ("rfc2136", "manual")
MAX_TIMEOUT = 60.0
"""Longest total budget of one DNS check, seconds (a person waits for the answer)."""
MAX_VERIFY_TIMEOUT = 600.0


def parse_server(text: str, default_port: int = 53) -> Server:
    """Parse ``host``, ``host:port``, ``[v6]:port`` or a bare IPv6 address.

    >>> parse_server("127.0.0.1:5353")
    ('127.0.0.1', 5353)

    Raises ValueError with a message that names the bad part.
    """
    raw = text.strip() if isinstance(text, str) else ""
    if not raw:
        raise ValueError("DNS server address is empty; expected HOST or HOST:PORT")
    host: str
    port_text: str | None = None
    if raw.startswith("["):
        end = raw.find("]")
        if end < 0:
            raise ValueError(f"DNS server {raw!r}: missing ']' after the IPv6 address")
        host = raw[1:end]
        rest = raw[end + 1 :]
        if rest:
            if not rest.startswith(":"):
                raise ValueError(f"DNS server {raw!r}: expected ':PORT' after ']'")
            port_text = rest[1:]
    elif raw.count(":") > 1:
        host = raw  # a bare IPv6 address, no port
    elif ":" in raw:
        host, port_text = raw.split(":", 1)
    else:
        host = raw
    host = host.strip()
    if not host:
        raise ValueError(f"DNS server {raw!r}: the host part is empty")
    if any(ch.isspace() for ch in host):
        raise ValueError(f"DNS server {raw!r}: the host contains spaces")
    if ":" in host:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise ValueError(f"DNS server {raw!r}: {host!r} is not a valid IPv6 address") from None
    port = default_port
    if port_text is not None:
        if not port_text.isdigit():
            raise ValueError(f"DNS server {raw!r}: port {port_text!r} is not a number")
        port = int(port_text)
    if not 1 <= port <= 65535:
        raise ValueError(f"DNS server {raw!r}: port {port} is outside 1-65535")
    return host, port


def format_server(server: Server) -> str:
    host, port = server
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


@dataclass(frozen=True)
class DnsConfig:
    """Everything the DNS part needs. ``tsig_secret`` never appears in ``repr``."""

    #: The zone requests are made under, e.g. ``example.go.id`` (every office sets its own).
    parent_domain: str
    #: Authoritative servers to ask; empty means "find the parent zone's NS".
    servers: tuple[Server, ...] = ()
    #: Primary server that accepts RFC 2136 updates.
    primary: Server | None = None
    #: Total time budget of one check, seconds.
    timeout: float = 2.0
    provider: str = "rfc2136"
    tsig_key_name: str = ""
    tsig_algorithm: str = "hmac-sha256"
    tsig_secret: str = field(default="", repr=False)
    ttl: int = 3600
    hosting_ipv4: str | None = None
    reserved: tuple[str, ...] = DEFAULT_RESERVED
    #: How long to wait for a created record to show at the authoritative servers.
    verify_timeout: float = 5.0

    def __post_init__(self) -> None:
        parent = self.parent_domain.strip().rstrip(".").lower()
        if not parent or " " in parent:
            raise ValueError("parent_domain must be a domain name such as 'example.go.id'")
        object.__setattr__(self, "parent_domain", parent)
        object.__setattr__(self, "servers", tuple(_as_server(s) for s in self.servers))
        if self.primary is not None:
            object.__setattr__(self, "primary", _as_server(self.primary))
        object.__setattr__(self, "reserved", tuple(r.strip().lower() for r in self.reserved))
        # Bounded: `inf` or 1e300 would let a check against a dead server hang for ever.
        if not 0 < self.timeout <= MAX_TIMEOUT:
            raise ValueError(f"timeout must be more than 0 and at most {MAX_TIMEOUT:g} seconds")
        if not 0 <= self.verify_timeout <= MAX_VERIFY_TIMEOUT:
            raise ValueError(
                f"verify_timeout must be between 0 and {MAX_VERIFY_TIMEOUT:g} seconds"
            )
        if self.provider not in PROVIDERS:
            choices = ", ".join(PROVIDERS)
            raise ValueError(f"provider must be one of {choices}, not {self.provider!r}")
        if not 1 <= self.ttl <= 2_147_483_647:
            raise ValueError("ttl must be between 1 and 2147483647 seconds")
        if self.hosting_ipv4 is not None:
            try:
                ipaddress.IPv4Address(self.hosting_ipv4)
            except ValueError:
                raise ValueError(
                    f"hosting_ipv4 {self.hosting_ipv4!r} is not an IPv4 address"
                ) from None

    def __repr__(self) -> str:
        secret = "<hidden>" if self.tsig_secret else "''"
        return (
            f"DnsConfig(parent_domain={self.parent_domain!r}, servers={self.servers!r}, "
            f"primary={self.primary!r}, timeout={self.timeout!r}, provider={self.provider!r}, "
            f"tsig_key_name={self.tsig_key_name!r}, tsig_algorithm={self.tsig_algorithm!r}, "
            f"tsig_secret={secret}, ttl={self.ttl!r}, hosting_ipv4={self.hosting_ipv4!r}, "
            f"reserved=<{len(self.reserved)} names>, verify_timeout={self.verify_timeout!r})"
        )

    __str__ = __repr__


def _as_server(value: Any) -> Server:
    if isinstance(value, str):
        return parse_server(value)
    host, port = value
    if not isinstance(host, str) or not host:
        raise ValueError(f"server host must be a non-empty string, not {host!r}")
    port = int(port)
    if not 1 <= port <= 65535:
        raise ValueError(f"server port {port} is outside 1-65535")
    return host, port
