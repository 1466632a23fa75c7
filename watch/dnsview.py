"""What the zone's authoritative servers say about a name: the same on every server? Where does
its CNAME chain end, and does the end still exist (a dangling CNAME can be taken over)?"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import dns.asyncresolver
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.resolver

from domains.config import format_server
from domains.dnsquery import QueryError, ask
from watch.config import WatchConfig


@dataclass(frozen=True)
class Problem:
    kind: str
    detail: str
    evidence: str


@dataclass
class DnsView:
    state: str = "ok"
    """ok, missing, delegated, no_address, error"""
    addresses: list[str] = field(default_factory=list)
    cname: str | None = None
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _view(responses: list[dns.message.Message]) -> str:
    """A server's answers (A and AAAA) as one text without TTLs: what must be the same on
    every server."""
    rrsets = sorted({
        f"{r.name.to_text(omit_final_dot=True)} {dns.rdatatype.to_text(r.rdtype)} "
        + ",".join(sorted(d.to_text() for d in r))
        for response in responses for r in response.answer})
    rcode = dns.rcode.to_text(responses[0].rcode())
    authoritative = all(response.flags & dns.flags.AA for response in responses)
    return f"{rcode}{' AA' if authoritative else ''}: {'; '.join(rrsets) or 'no records'}"


async def _server_view(server: tuple[str, int], qname: dns.name.Name,
                       deadline: float) -> list[dns.message.Message] | str:
    try:
        return list(await asyncio.gather(*(ask(server, qname, t, deadline) for t in (
            dns.rdatatype.A, dns.rdatatype.AAAA))))
    except QueryError as exc:
        return exc.code


async def dns_view(fqdn: str, cfg: WatchConfig) -> DnsView:
    view = DnsView()
    if not cfg.servers:
        view.state = "error"
        view.notes.append("no authoritative servers configured (DNS_SERVERS)")
        return view
    qname = dns.name.from_text(fqdn)
    zone = dns.name.from_text(cfg.zone)
    deadline = asyncio.get_running_loop().time() + cfg.dns_timeout
    results = await asyncio.gather(*(_server_view(s, qname, deadline) for s in cfg.servers))
    texts = {format_server(s): r if isinstance(r, str) else _view(r)
             for s, r in zip(cfg.servers, results, strict=True)}
    if len(set(texts.values())) > 1:
        view.problems.append(Problem(
            "dns_mismatch", "the authoritative servers answer differently",
            " || ".join(f"{s} → {t}" for s, t in texts.items())))
    answered = [r for r in results if not isinstance(r, str)]
    if not answered:
        view.state = "error"
        return view
    a_answer, aaaa_answer = answered[0]
    if not a_answer.flags & dns.flags.AA:
        view.state = "delegated"
        view.notes.append("delegated to other servers: not probed")
        return view
    end, chain = qname, [qname]
    rrsets = [*a_answer.answer, *aaaa_answer.answer]
    while True:
        nxt = next((r[0].target for r in rrsets
                    if r.name == end and r.rdtype == dns.rdatatype.CNAME), None)
        if nxt is None or nxt in chain:
            break
        chain.append(nxt)
        end = nxt
    addresses = sorted({d.to_text() for r in rrsets if r.name == end
                        and r.rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA) for d in r},
                       key=lambda a: (":" in a, a))
    if end != qname:
        view.cname = end.to_text()
    if addresses:
        view.addresses = addresses
        return view
    if end == qname:
        view.state = "missing" if a_answer.rcode() == dns.rcode.NXDOMAIN else "no_address"
        if view.state == "missing":
            view.problems.append(Problem("dns_missing", "the name is not in DNS",
                                         f"{fqdn}: NXDOMAIN"))
        return view
    target = end.to_text()
    if end.is_subdomain(zone):
        if a_answer.rcode() == dns.rcode.NXDOMAIN:
            view.state = "missing"
            view.problems.append(Problem(
                "dangling_cname", f"CNAME target {target} does not exist",
                f"{' → '.join(n.to_text() for n in chain)}: NXDOMAIN"))
        else:
            view.state = "no_address"
        return view
    outcome, found = await _outside(target, cfg)
    if outcome == "nxdomain":
        view.state = "missing"
        view.problems.append(Problem(
            "dangling_cname", f"CNAME target {target} does not exist",
            f"{' → '.join(n.to_text() for n in chain)}: NXDOMAIN"))
    elif outcome == "not_checked":
        view.state = "no_address"
        view.notes.append(f"CNAME target {target} outside the zone: not checked (no resolver "
                          "within WATCH_ALLOWED_NETWORKS)")
    elif found:
        view.addresses = found
    else:
        view.state = "no_address"
        view.notes.append(f"CNAME target {target}: {outcome}")
    return view


async def _outside(target: str, cfg: WatchConfig) -> tuple[str, list[str]]:
    """Resolve a CNAME target outside the zone with the system resolver, but only when that
    resolver is an allowed address (tests and the demo never leave the machine)."""
    if cfg.loopback_only:
        return "not_checked", []
    try:
        resolver = dns.asyncresolver.Resolver()
    except dns.exception.DNSException:
        return "not_checked", []
    servers = [str(getattr(ns, "address", ns)) for ns in resolver.nameservers]
    if not servers or not all(cfg.allows(s) for s in servers):
        return "not_checked", []
    try:
        answer = await resolver.resolve(target, "A", lifetime=cfg.dns_timeout)
    except dns.resolver.NXDOMAIN:
        return "nxdomain", []
    except dns.resolver.NoAnswer:
        return "no address", []
    except (dns.exception.DNSException, OSError) as exc:
        return f"not resolved ({type(exc).__name__})", []
    return "ok", sorted(d.to_text() for d in answer)
