"""What the watch needs to know; built by the application from its settings."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Server = tuple[str, int]

DEFAULT_SIGNS = ("slot gacor", "togel", "maxwin", "judi online", "hacked by")
"""Words that mark a defaced or gambling page (WATCH_SIGNS replaces them)."""
ALL_NETWORKS: tuple[Network, ...] = (ipaddress.ip_network("0.0.0.0/0"),
                                     ipaddress.ip_network("::/0"))


@dataclass(frozen=True, kw_only=True)
class WatchConfig:
    zone: str
    servers: tuple[Server, ...]
    """The zone's authoritative servers (every one is asked)."""
    dns_timeout: float = 2.0
    http_port: int = 80
    https_port: int = 443
    timeout: float = 5.0
    """Seconds for one HTTP(S) exchange: connect, TLS, headers and body."""
    concurrency: int = 16
    body_limit: int = 256 * 1024
    """Bytes of a page that are read (and searched for signs); the rest is never fetched."""
    header_limit: int = 32 * 1024
    max_redirects: int = 5
    signs: tuple[str, ...] = DEFAULT_SIGNS
    allowed_networks: tuple[Network, ...] = ALL_NETWORKS
    """Only these addresses are ever connected to (tests and demo: 127.0.0.0/8)."""
    ca_file: Path | None = None
    """Trusted CAs for certificates (None: the system's)."""
    cert_warn_days: int = 14
    user_agent: str = "subdomain-watch/1"

    def __post_init__(self) -> None:
        object.__setattr__(self, "zone", self.zone.strip().rstrip(".").lower())
        object.__setattr__(self, "signs", tuple(s.strip().lower() for s in self.signs
                                                if s.strip()))
        if self.concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if not 0 < self.timeout <= 120:
            raise ValueError("timeout must be more than 0 and at most 120 seconds")
        if self.body_limit < 1024:
            raise ValueError("body_limit must be at least 1024 bytes")

    @property
    def name_budget(self) -> float:
        """The most one name may take, all probes together (a hostile site cannot hold the
        watch longer than this)."""
        return self.dns_timeout * 2 + self.timeout * (2 + self.max_redirects) + 5.0

    @property
    def loopback_only(self) -> bool:
        """Only this machine may be reached (tests, benches, the demo): then not even a
        resolver is asked about names outside the zone (a local stub would forward them)."""
        loopback = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128"))
        return all(any(net.version == lo.version and net.subnet_of(lo)  # type: ignore[arg-type]
                       for lo in loopback) for net in self.allowed_networks)

    def allows(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in net for net in self.allowed_networks if net.version == ip.version)


def parse_networks(raw: str) -> tuple[Network, ...]:
    """``127.0.0.0/8, ::1/128`` → networks (ValueError names the bad part)."""
    out: list[Network] = []
    for part in raw.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            out.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ValueError(f"not a network (CIDR such as 127.0.0.0/8): {part!r}") from None
    if not out:
        raise ValueError("no network given")
    return tuple(out)
