"""Creating (and removing) the approved subdomain's records.

The approver approves a :class:`Plan`: the exact records that will be created. The RFC 2136
provider sends them in one TSIG-signed update whose prerequisite is "this name is not in use",
so an approval can never overwrite anything; afterwards it asks the authoritative servers
whether the records are visible and reads the zone's SOA serial. The manual provider changes
nothing and only verifies, for offices where the staff edit the zone by hand.
"""

from __future__ import annotations

import asyncio
import ipaddress
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import dns.asyncquery
import dns.exception
import dns.message
import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdataset
import dns.rdatatype
import dns.tsig
import dns.update
import idna

from domains.config import DnsConfig, Server, format_server
from domains.dnsquery import Record, authoritative_servers, lookup, read_serial
from domains.names import ValidName

__all__ = [
    "ApplyResult",
    "DnsProvider",
    "ManualProvider",
    "Plan",
    "ProvisionError",
    "Rfc2136Provider",
    "Target",
    "TargetCNAME",
    "TargetHosting",
    "TargetIP",
    "plan_for",
    "provider_from_config",
]


class ProvisionError(RuntimeError):
    """A change was not made (or not confirmed). ``message_id`` is for the user."""

    def __init__(
        self, code: str, message_id: str, found: tuple[Record, ...] = (), detail: str = ""
    ) -> None:
        super().__init__(f"{code}: {detail or message_id}")
        self.code = code
        self.message_id = message_id
        self.found = found  # records already at the name, for a collision
        self.detail = detail


MESSAGES: dict[str, str] = {
    "bad_target": "Alamat tujuan tidak sah: {value}.",
    "no_hosting_address": "Alamat IPv4 server hosting kantor belum diatur.",
    "misconfigured": "Pengaturan DNS belum lengkap: {value}.",
    "bad_signature": "Server DNS menolak tanda tangan TSIG. Periksa rahasia kunci TSIG.",
    "unknown_key": "Kunci TSIG tidak dikenal oleh server DNS.",
    "bad_time": "Jam server bot dan server DNS berselisih terlalu jauh (TSIG BADTIME).",
    "refused": "Server DNS menolak perubahan (tanpa tanda tangan atau tidak diizinkan).",
    "exists": "Nama sudah dibuat pihak lain sejak pemeriksaan. Tidak ada rekaman yang diubah.",
    "changed": (
        "Rekaman DNS nama ini sudah diubah di luar register (isinya tidak lagi sama dengan "
        "yang tercatat). Tidak ada rekaman yang diubah; periksa zona dan register terlebih "
        "dahulu."
    ),
    "not_authoritative": "Server DNS utama bukan server otoritatif untuk zona ini.",
    "timeout": (
        "Hasil belum pasti: server DNS utama tidak menjawab dalam batas waktu. Tekan tombol "
        "yang sama sekali lagi untuk memeriksa; rekaman yang sudah sesuai rencana akan diterima."
    ),
    "unreachable": "Server DNS utama tidak dapat dihubungi.",
    "failed": "Perubahan DNS gagal (kode {value}).",
    "not_visible": (
        "Rekaman belum terlihat di DNS. Silakan buat rekaman sesuai rencana di server DNS, "
        "lalu periksa kembali."
    ),
    "still_visible": (
        "Rekaman masih terlihat di DNS. Silakan hapus rekamannya di server DNS, lalu periksa "
        "kembali."
    ),
}


def _error(code: str, value: str = "", **kwargs: Any) -> ProvisionError:
    return ProvisionError(code, MESSAGES[code].format(value=value), **kwargs)


# --- plans -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetIP:
    address: str


@dataclass(frozen=True)
class TargetCNAME:
    hostname: str


@dataclass(frozen=True)
class TargetHosting:
    """The office's own hosting server (``cfg.hosting_ipv4``)."""


Target = TargetIP | TargetCNAME | TargetHosting


@dataclass(frozen=True)
class Plan:
    """The exact records to create; what the approver sees is what gets applied."""

    fqdn: str
    records: tuple[Record, ...]

    def lines(self) -> tuple[str, ...]:
        return tuple(f"{r.name} {r.ttl} IN {r.type} {r.value}" for r in self.records)

    def describe_id(self) -> str:
        """Short Indonesian description for the approval message."""
        shown = "; ".join(f"{r.type} {r.value}" for r in self.records)
        return f"Membuat {self.fqdn}: {shown} (TTL {self.records[0].ttl} detik)"

    def to_dict(self) -> dict[str, Any]:
        return {
            "fqdn": self.fqdn,
            "records": [
                {"name": r.name, "type": r.type, "value": r.value, "ttl": r.ttl}
                for r in self.records
            ],
        }


def _canonical(rdtype: str, value: str) -> str:
    rdata = dns.rdata.from_text(dns.rdataclass.IN, rdtype, value, dns.name.root, relativize=False)
    return rdata.to_text()


def _ip_record(fqdn: str, address: str, ttl: int) -> Record:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        raise _error("bad_target", address) from None
    if ip.is_unspecified or ip.is_multicast or ip.is_loopback or ip.is_link_local:
        raise _error("bad_target", address)
    rdtype = "A" if ip.version == 4 else "AAAA"
    return Record(fqdn, rdtype, _canonical(rdtype, str(ip)), ttl)


def _cname_record(fqdn: str, hostname: str, ttl: int) -> Record:
    text = hostname.strip().rstrip(".")
    try:
        ace = idna.encode(text, uts46=True).decode("ascii") if not text.isascii() else text.lower()
        target = dns.name.from_text(ace)
    except (idna.IDNAError, UnicodeError, dns.exception.DNSException, ValueError):
        raise _error("bad_target", hostname) from None
    labels = [label.decode("ascii", "replace") for label in target.labels[:-1]]
    valid = (
        len(labels) >= 2
        and len(ace) <= 253
        and all(
            label
            and all(ch.isalnum() or ch in "-_" for ch in label)
            and not label.startswith("-")
            and not label.endswith("-")
            for label in labels
        )
    )
    if not valid or ace == fqdn:
        raise _error("bad_target", hostname)
    return Record(fqdn, "CNAME", _canonical("CNAME", ace + "."), ttl)


def plan_for(name: ValidName, target: Target, cfg: DnsConfig) -> Plan:
    """Build the plan for ``name``; raises ProvisionError("bad_target" | ...)."""
    if isinstance(target, TargetIP):
        record = _ip_record(name.fqdn, target.address, cfg.ttl)
    elif isinstance(target, TargetCNAME):
        record = _cname_record(name.fqdn, target.hostname, cfg.ttl)
    else:
        if not cfg.hosting_ipv4:
            raise _error("no_hosting_address")
        record = _ip_record(name.fqdn, cfg.hosting_ipv4, cfg.ttl)
    return Plan(name.fqdn, (record,))


# --- results and providers ---------------------------------------------------------------


@dataclass(frozen=True)
class ApplyResult:
    fqdn: str
    records: tuple[Record, ...]
    #: SOA serial of the zone after the change, as the primary (or first server) states it.
    serial: int | None
    #: True when every server asked shows the planned state (records present, or gone).
    verified: bool
    servers_verified: tuple[str, ...]
    servers_pending: tuple[str, ...]
    elapsed_ms: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "fqdn": self.fqdn,
            "records": [
                {"name": r.name, "type": r.type, "value": r.value, "ttl": r.ttl}
                for r in self.records
            ],
            "serial": self.serial,
            "verified": self.verified,
            "servers_verified": list(self.servers_verified),
            "servers_pending": list(self.servers_pending),
            "elapsed_ms": self.elapsed_ms,
        }


class DnsProvider(Protocol):
    async def apply(self, plan: Plan) -> ApplyResult: ...

    async def remove(self, plan: Plan) -> ApplyResult: ...

    async def change(self, old: Plan, new: Plan) -> ApplyResult: ...


def _holds_exactly(found: Iterable[Record], plan: Plan) -> bool:
    """Whether what a name holds is exactly the plan's record set (types and values)."""
    def key(r: Record) -> tuple[str, str]:
        return r.type, _canonical(r.type, r.value)

    return {key(r) for r in found} == {key(r) for r in plan.records}


def _now() -> float:
    return asyncio.get_running_loop().time()


def _rdatas(rdtype: str, records: Iterable[Record]) -> list[dns.rdata.Rdata]:
    return [
        dns.rdata.from_text(dns.rdataclass.IN, rdtype, r.value, dns.name.root, relativize=False)
        for r in records
    ]


def _by_type(records: Iterable[Record]) -> dict[str, list[Record]]:
    grouped: dict[str, list[Record]] = {}
    for r in records:
        grouped.setdefault(r.type, []).append(r)
    return grouped


async def _server_state(
    server: Server, plan: Plan, zone: dns.name.Name, deadline: float
) -> bool | None:
    """True: all planned records visible; False: none visible; None: partial or no answer."""
    qname = dns.name.from_text(plan.fqdn)
    grouped = _by_type(plan.records)
    answers = await asyncio.gather(
        *(lookup(server, qname, dns.rdatatype.from_text(t), zone, deadline) for t in grouped)
    )
    seen: list[bool] = []
    for (rdtype, wanted), answer in zip(grouped.items(), answers, strict=True):
        if answer.kind == "error":
            return None
        values = {r.value for r in answer.records if r.type == rdtype}
        for r in wanted:
            seen.append(r.value in values)
    if all(seen):
        return True
    if not any(seen):
        return False
    return None


async def _wait_for(
    servers: Sequence[Server],
    plan: Plan,
    zone: dns.name.Name,
    want_present: bool,
    budget: float,
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Poll the servers until each shows the wanted state or the budget ends."""
    deadline = _now() + budget
    pending = list(servers)
    done: list[Server] = []
    while pending:
        per_round = min(deadline, _now() + 1.0)
        states = await asyncio.gather(*(_server_state(s, plan, zone, per_round) for s in pending))
        still: list[Server] = []
        for server, state in zip(pending, states, strict=True):
            (done if state is want_present else still).append(server)
        pending = still
        if not pending or _now() + 0.1 >= deadline:
            break
        await asyncio.sleep(0.1)
    return tuple(format_server(s) for s in done), tuple(format_server(s) for s in pending)


async def _servers_for(cfg: DnsConfig, budget: float) -> list[Server]:
    configured: list[Server] = list(cfg.servers)
    if not configured and cfg.primary is not None:
        configured = [cfg.primary]
    servers, _ = await authoritative_servers(configured, cfg.parent_domain, _now() + budget)
    return servers


class Rfc2136Provider:
    """Creates records with a TSIG-signed RFC 2136 update at ``cfg.primary``."""

    def __init__(self, cfg: DnsConfig) -> None:
        missing = [
            what
            for what, value in (
                ("server DNS utama", cfg.primary),
                ("nama kunci TSIG", cfg.tsig_key_name),
                ("rahasia kunci TSIG", cfg.tsig_secret),
            )
            if not value
        ]
        if missing:
            raise _error("misconfigured", ", ".join(missing))
        try:
            self._key = dns.tsig.Key(cfg.tsig_key_name, cfg.tsig_secret, cfg.tsig_algorithm)
        except Exception as exc:  # bad base64, unknown algorithm name
            raise _error("misconfigured", "kunci TSIG tidak sah") from exc
        self.cfg = cfg
        self._zone = dns.name.from_text(cfg.parent_domain)

    def __repr__(self) -> str:
        return f"Rfc2136Provider(primary={self.cfg.primary!r}, key={self.cfg.tsig_key_name!r})"

    def _update(self) -> dns.update.UpdateMessage:
        return dns.update.UpdateMessage(self._zone, keyring=self._key)

    async def apply(self, plan: Plan) -> ApplyResult:
        """Create the plan's records if, and only if, the name is not in use at all."""
        started = time.monotonic()
        name = dns.name.from_text(plan.fqdn)
        await self._refuse_existing_node(name, plan)
        update = self._update()
        update.absent(name)
        for rdtype, records in _by_type(plan.records).items():
            update.add(name, records[0].ttl, *_rdatas(rdtype, records))
        try:
            await self._send(update, plan)
        except ProvisionError as failed:
            if failed.code != "exists" or not _holds_exactly(failed.found, plan):
                raise
            # The name holds exactly the planned records: our own earlier update, whose answer
            # was lost (a timeout, a crash before the commit). Verify it like a fresh one.
        return await self._confirm(plan, want_present=True, started=started)

    async def remove(self, plan: Plan) -> ApplyResult:
        """Delete the plan's RRsets only while they still hold exactly the planned values."""
        started = time.monotonic()
        name = dns.name.from_text(plan.fqdn)
        update = self._update()
        grouped = _by_type(plan.records)
        for rdtype, records in grouped.items():
            # value-dependent prerequisite: the RRset is exactly these values
            update.present(name, *_rdatas(rdtype, records))
        for rdtype in grouped:
            update.delete(name, rdtype)
        try:
            await self._send(update, plan)
        except ProvisionError as failed:
            if failed.code != "changed" or failed.found:
                raise
            # The name holds nothing any more: our own earlier removal, whose answer was lost.
        return await self._confirm(plan, want_present=False, started=started)

    async def change(self, old: Plan, new: Plan) -> ApplyResult:
        """Replace the name's `old` records by `new` in one update, only while the name holds
        exactly `old` (value-dependent prerequisites on each of its RRsets, and no RRset yet of
        a type only `new` has): a name changed behind the register is refused ("changed"),
        nothing is touched."""
        started = time.monotonic()
        name = dns.name.from_text(new.fqdn)
        held, wanted = _by_type(old.records), _by_type(new.records)
        update = self._update()
        for rdtype, records in held.items():
            update.present(name, *_rdatas(rdtype, records))
        for rdtype in wanted.keys() - held.keys():
            update.absent(name, rdtype)
        for rdtype in held:
            update.delete(name, rdtype)
        for rdtype, records in wanted.items():
            update.add(name, records[0].ttl, *_rdatas(rdtype, records))
        try:
            await self._send(update, new)
        except ProvisionError as failed:
            if failed.code != "changed" or not _holds_exactly(failed.found, new):
                raise
            # The name holds exactly the new records: our own earlier change, whose answer was
            # lost (a timeout, a crash before the commit). Verify it like a fresh one.
        return await self._confirm(new, want_present=True, started=started)

    async def _refuse_existing_node(self, name: dns.name.Name, plan: Plan) -> None:
        """The update's prerequisite "name not in use" holds at an empty non-terminal (a name
        with children but no records of its own), which the check reports as taken: ask the
        primary first, and create only where it says NXDOMAIN or answers from a wildcard."""
        assert self.cfg.primary is not None
        deadline = _now() + min(self.cfg.timeout, 2.0)
        answer = await lookup(self.cfg.primary, name, dns.rdatatype.A, self._zone, deadline)
        if answer.kind in ("nodata", "referral"):
            raise _error("exists", found=await self._found(plan))
        if answer.kind == "error":
            code = answer.error or "failed"
            if code in ("timeout", "unreachable", "refused"):
                raise _error(code)
            raise _error("not_authoritative", detail=code)

    async def _send(self, update: dns.update.UpdateMessage, plan: Plan) -> None:
        assert self.cfg.primary is not None
        host, port = self.cfg.primary
        budget = max(self.cfg.timeout, 1.0)
        try:
            async with asyncio.timeout(budget):
                response = await dns.asyncquery.tcp(update, host, timeout=budget, port=port)
        except dns.tsig.PeerBadKey:
            raise _error("unknown_key") from None
        except dns.tsig.PeerBadTime:
            raise _error("bad_time") from None
        except (dns.tsig.PeerError, dns.tsig.BadSignature, dns.tsig.BadKey) as exc:
            raise _error("bad_signature", detail=type(exc).__name__) from None
        except (TimeoutError, dns.exception.Timeout):
            raise _error("timeout") from None
        except OSError as exc:
            raise _error("unreachable", detail=str(exc)) from None
        except dns.exception.DNSException as exc:
            raise _error("failed", type(exc).__name__) from None
        rcode = response.rcode()
        if rcode == dns.rcode.NOERROR:
            return
        if rcode == dns.rcode.YXDOMAIN:
            raise _error("exists", found=await self._found(plan))
        if rcode in (dns.rcode.NXRRSET, dns.rcode.NXDOMAIN, dns.rcode.YXRRSET):
            raise _error("changed", found=await self._found(plan))
        if rcode == dns.rcode.REFUSED:
            raise _error("refused")
        if rcode in (dns.rcode.NOTAUTH, dns.rcode.NOTZONE):
            raise _error("not_authoritative")
        raise _error("failed", dns.rcode.to_text(rcode))

    async def _found(self, plan: Plan) -> tuple[Record, ...]:
        """What the primary holds at the name now (for the collision report)."""
        assert self.cfg.primary is not None
        qname = dns.name.from_text(plan.fqdn)
        deadline = _now() + min(self.cfg.timeout, 2.0)
        types = ("A", "AAAA", "CNAME", "MX", "TXT")
        answers = await asyncio.gather(
            *(
                lookup(self.cfg.primary, qname, dns.rdatatype.from_text(t), self._zone, deadline)
                for t in types
            )
        )
        seen: dict[tuple[str, str], Record] = {}
        for answer in answers:
            for r in answer.records:
                seen.setdefault((r.type, r.value), r)
        return tuple(seen.values())

    async def _confirm(self, plan: Plan, *, want_present: bool, started: float) -> ApplyResult:
        assert self.cfg.primary is not None
        servers = await _servers_for(self.cfg, min(self.cfg.timeout, 2.0))
        ok, pending = await _wait_for(
            servers, plan, self._zone, want_present, max(self.cfg.verify_timeout, 0.2)
        )
        serial = await read_serial(
            self.cfg.primary, self._zone, _now() + min(self.cfg.timeout, 2.0)
        )
        return ApplyResult(
            fqdn=plan.fqdn,
            records=plan.records,
            serial=serial,
            verified=bool(ok) and not pending,
            servers_verified=ok,
            servers_pending=pending,
            elapsed_ms=round((time.monotonic() - started) * 1000),
        )


class ManualProvider:
    """Changes nothing: confirms that the staff's manual change is visible at the servers."""

    def __init__(self, cfg: DnsConfig) -> None:
        self.cfg = cfg
        self._zone = dns.name.from_text(cfg.parent_domain)

    async def apply(self, plan: Plan) -> ApplyResult:
        return await self._check(plan, want_present=True)

    async def remove(self, plan: Plan) -> ApplyResult:
        return await self._check(plan, want_present=False)

    async def change(self, old: Plan, new: Plan) -> ApplyResult:
        return await self._check(new, want_present=True)

    async def _check(self, plan: Plan, *, want_present: bool) -> ApplyResult:
        started = time.monotonic()
        servers = await _servers_for(self.cfg, self.cfg.timeout)
        ok, pending = await _wait_for(servers, plan, self._zone, want_present, self.cfg.timeout)
        if not servers or pending:
            raise _error(
                "not_visible" if want_present else "still_visible",
                detail=", ".join(pending) or "no authoritative server",
            )
        serial = await read_serial(servers[0], self._zone, _now() + self.cfg.timeout)
        return ApplyResult(
            fqdn=plan.fqdn,
            records=plan.records,
            serial=serial,
            verified=True,
            servers_verified=ok,
            servers_pending=(),
            elapsed_ms=round((time.monotonic() - started) * 1000),
        )


def provider_from_config(cfg: DnsConfig) -> Rfc2136Provider | ManualProvider:
    if cfg.provider == "manual":
        return ManualProvider(cfg)
    return Rfc2136Provider(cfg)
