"""Questions to authoritative DNS servers, bounded by a deadline.

Every query runs under ``asyncio.timeout_at(deadline)`` (a dnspython ``Resolver`` was seen to
overrun its lifetime by 0.4 s against a dead port). UDP is tried twice inside the budget and
a truncated answer is asked again over TCP. Recursion is not requested: only an answer with
the AA flag (or a referral to a child zone) is taken as the zone's word.
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import dns.asyncquery
import dns.asyncresolver
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset

from domains.config import Server, format_server

Kind = Literal["data", "nodata", "nxdomain", "referral", "error"]


@dataclass(frozen=True)
class Record:
    """One resource record as seen in DNS; ``value`` is the rdata in zone-file text."""

    name: str
    type: str
    value: str
    ttl: int

    def short(self) -> str:
        return f"{self.type} {self.value}"


@dataclass(frozen=True)
class Answer:
    """What one server said about one (name, type) question."""

    kind: Kind
    records: tuple[Record, ...] = ()
    error: str | None = None  # timeout, unreachable, refused, servfail, notauth, lame, ...
    zone: str | None = None  # owner of the SOA in the authority section

    def signature(self) -> tuple[str, frozenset[tuple[str, str]]]:
        """Kind and data without owner names or TTLs, to compare with a wildcard's answer."""
        return self.kind, frozenset((r.type, r.value) for r in self.records)


class QueryError(Exception):
    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


_RCODE_ERRORS = {
    dns.rcode.REFUSED: "refused",
    dns.rcode.SERVFAIL: "servfail",
    dns.rcode.NOTAUTH: "notauth",
    dns.rcode.FORMERR: "formerr",
    dns.rcode.NOTIMP: "notimp",
}


def _now() -> float:
    return asyncio.get_running_loop().time()


async def ask(
    server: Server, qname: dns.name.Name, rdtype: dns.rdatatype.RdataType, deadline: float
) -> dns.message.Message:
    """Send one non-recursive query and return the response, or raise QueryError."""
    host, port = server
    query = dns.message.make_query(qname, rdtype, use_edns=0, payload=1232, flags=0)
    try:
        async with asyncio.timeout_at(deadline):
            response = await _udp_twice(query, host, port, deadline)
            if response.flags & dns.flags.TC:
                response = await dns.asyncquery.tcp(
                    query, host, timeout=max(deadline - _now(), 0.001), port=port
                )
    except (TimeoutError, dns.exception.Timeout):
        raise QueryError("timeout", f"no answer from {format_server(server)}") from None
    except OSError as exc:
        raise QueryError("unreachable", f"{format_server(server)}: {exc}") from None
    except dns.exception.DNSException as exc:
        raise QueryError("bad_response", f"{format_server(server)}: {exc}") from None
    return response


async def _udp_twice(
    query: dns.message.Message, host: str, port: int, deadline: float
) -> dns.message.Message:
    """One retry inside the budget: the first try gets about half of the time left."""
    first = (deadline - _now()) / 2
    if first > 0.05:
        try:
            return await dns.asyncquery.udp(
                query, host, timeout=first, port=port, ignore_unexpected=True
            )
        except dns.exception.Timeout:
            pass
    return await dns.asyncquery.udp(
        query, host, timeout=max(deadline - _now(), 0.001), port=port, ignore_unexpected=True
    )


def records_of(
    rrsets: Iterable[dns.rrset.RRset], owner: dns.name.Name | None
) -> tuple[Record, ...]:
    out: list[Record] = []
    for rrset in rrsets:
        if owner is not None and rrset.name != owner:
            continue
        name = rrset.name.to_text(omit_final_dot=True)
        type_text = dns.rdatatype.to_text(rrset.rdtype)
        for rdata in rrset:
            out.append(Record(name, type_text, rdata.to_text(), rrset.ttl))
    return tuple(out)


def classify(response: dns.message.Message, qname: dns.name.Name, zone: dns.name.Name) -> Answer:
    """Turn a response into data / nodata / nxdomain / referral, or an error code.

    A CNAME owned by the name counts as data even under NXDOMAIN (RFC 6604: the rcode then
    describes the end of the chain). A referral is taken only to a child strictly below
    ``zone``; any other answer without AA is lame.
    """
    rcode = response.rcode()
    if rcode not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
        return Answer("error", error=_RCODE_ERRORS.get(rcode, dns.rcode.to_text(rcode).lower()))
    owned = records_of(response.answer, qname)
    authoritative = bool(response.flags & dns.flags.AA)
    if not authoritative:
        cuts = [
            rrset
            for rrset in response.authority
            if rrset.rdtype == dns.rdatatype.NS
            and qname.is_subdomain(rrset.name)
            and rrset.name != zone
            and rrset.name.is_subdomain(zone)
        ]
        if cuts and rcode == dns.rcode.NOERROR and not response.answer:
            return Answer("referral", records_of(cuts, None))
        return Answer("error", error="lame")
    if owned:
        return Answer("data", owned)
    soa = [
        rrset
        for rrset in response.authority
        if rrset.rdtype == dns.rdatatype.SOA and qname.is_subdomain(rrset.name)
    ]
    soa_zone = soa[0].name.to_text(omit_final_dot=True) if soa else None
    if soa and not soa[0].name.is_subdomain(zone):
        # The SOA of a zone above ours (a server authoritative only for the parent, go.id):
        # its "no such name" says nothing about our zone.
        return Answer("error", error="wrong_zone", zone=soa_zone)
    if rcode == dns.rcode.NXDOMAIN:
        if not soa:
            return Answer("error", error="no_soa")
        return Answer("nxdomain", zone=soa_zone)
    if response.answer:
        return Answer("error", error="bad_response")
    return Answer("nodata", zone=soa_zone)


async def lookup(
    server: Server,
    qname: dns.name.Name,
    rdtype: dns.rdatatype.RdataType,
    zone: dns.name.Name,
    deadline: float,
) -> Answer:
    try:
        response = await ask(server, qname, rdtype, deadline)
    except QueryError as exc:
        return Answer("error", error=exc.code)
    return classify(response, qname, zone)


async def read_serial(server: Server, zone: dns.name.Name, deadline: float) -> int | None:
    """SOA serial of ``zone`` as the server states it with authority, or None."""
    try:
        response = await ask(server, zone, dns.rdatatype.SOA, deadline)
    except QueryError:
        return None
    if response.rcode() != dns.rcode.NOERROR or not response.flags & dns.flags.AA:
        return None
    for rrset in response.answer:
        if rrset.name == zone and rrset.rdtype == dns.rdatatype.SOA:
            for rdata in rrset:
                return int(rdata.serial)
    return None


def is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


async def _addresses(host: str, deadline: float) -> list[str]:
    if is_address(host):
        return [host]
    found: list[str] = []
    for rdtype in ("A", "AAAA"):
        remaining = deadline - _now()
        if remaining <= 0 or found:
            break
        try:
            async with asyncio.timeout_at(deadline):
                answer = await dns.asyncresolver.resolve(host, rdtype, lifetime=remaining)
        except (TimeoutError, dns.exception.DNSException, OSError):
            continue
        found.extend(rdata.to_text() for rdata in answer)
    return found


async def authoritative_servers(
    configured: Iterable[Server], zone: str, deadline: float
) -> tuple[list[Server], list[str]]:
    """Addresses to ask: the configured servers, or the zone's NS found by the system resolver.

    Host names are resolved here. Returns (servers, errors).
    """
    errors: list[str] = []
    wanted = list(configured)
    if not wanted:
        try:
            async with asyncio.timeout_at(deadline):
                ns_answer = await dns.asyncresolver.resolve(
                    zone, "NS", lifetime=max(deadline - _now(), 0.001)
                )
        except (TimeoutError, dns.exception.DNSException, OSError) as exc:
            return [], [f"NS {zone}: {type(exc).__name__}"]
        wanted = [(rdata.to_text().rstrip("."), 53) for rdata in ns_answer]
    lists = await asyncio.gather(*(_addresses(host, deadline) for host, _ in wanted))
    servers: list[Server] = []
    for (host, port), addresses in zip(wanted, lists, strict=True):
        if not addresses:
            errors.append(f"{host}: address not found")
        for address in addresses:
            if (address, port) not in servers:
                servers.append((address, port))
    return servers, errors
