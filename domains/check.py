"""Is a subdomain free? Ask the zone's authoritative servers and the bot's own register.

Outcomes of the DNS part, per server, from six questions (A, AAAA, CNAME, MX, TXT, NS):

* ``exists``: records owned by the name (listed);
* ``nodata``: the name exists (it holds other types, or only children below it);
* ``delegated``: the name is cut off into its own zone (a referral);
* ``nxdomain``: the name does not exist, confirmed by the zone's SOA in the authority section;
* anything else (timeout, REFUSED, SERVFAIL, NOTAUTH, an answer without AA, servers that
  disagree) leaves the question open.

Wildcards. A random label ``_probe-<hex>`` is asked as well. If it gets an answer, the zone has
a wildcard, and any name without its own node would get the same synthesized answer. The name
is then judged by what the zone *explicitly* holds: it is treated as "would be NXDOMAIN without
the wildcard" only when (1) every answer for it equals the probe's answer, and (2) a random label
*below* it (``_probe-<hex>.<name>``) is also answered from the wildcard. Point (2) separates an
explicit record that happens to copy the wildcard's data: an existing node stops wildcard
synthesis beneath it (RFC 4592), so the lower probe then gets NXDOMAIN. Synthesized answers are
never listed as the name's records and never make it taken; a wildcard alone never makes it free
either: every server must have answered every question.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import dns.name
import dns.rdatatype

from domains.config import DnsConfig, Server, format_server
from domains.dnsquery import Answer, Record, authoritative_servers, lookup
from domains.names import ValidName

__all__ = ["CheckResult", "CheckStatus", "Detail", "Record", "check_name", "similar_names"]

ASKED_TYPES: tuple[dns.rdatatype.RdataType, ...] = (
    dns.rdatatype.A,
    dns.rdatatype.AAAA,
    dns.rdatatype.CNAME,
    dns.rdatatype.MX,
    dns.rdatatype.TXT,
    dns.rdatatype.NS,
)


class CheckStatus(StrEnum):
    AVAILABLE = "available"
    TAKEN = "taken"
    UNDETERMINED = "undetermined"


class Detail(StrEnum):
    EXISTS = "exists"
    NODATA = "nodata"
    DELEGATED = "delegated"
    NXDOMAIN = "nxdomain"
    WILDCARD_ONLY = "wildcard_only"  # only synthesized answers: no explicit node
    TIMEOUT = "timeout"
    UNREACHABLE = "unreachable"
    REFUSED = "refused"
    SERVFAIL = "servfail"
    NOTAUTH = "notauth"
    LAME = "lame"
    MISMATCH = "mismatch"
    NO_SERVERS = "no_servers"
    ERROR = "error"


_UNDETERMINED_TEXT: dict[str, str] = {
    Detail.TIMEOUT: "server DNS tidak menjawab",
    Detail.UNREACHABLE: "server DNS tidak dapat dihubungi",
    Detail.REFUSED: "server DNS menolak pertanyaan",
    Detail.SERVFAIL: "server DNS mengalami gangguan (SERVFAIL)",
    Detail.NOTAUTH: "server DNS bukan server otoritatif untuk zona ini",
    Detail.LAME: "server DNS bukan server otoritatif untuk zona ini",
    Detail.MISMATCH: "jawaban antarserver DNS berbeda",
    Detail.NO_SERVERS: "server DNS otoritatif tidak ditemukan",
    Detail.ERROR: "terjadi galat saat menanyakan DNS",
}


@dataclass(frozen=True)
class CheckResult:
    name: ValidName
    status: CheckStatus
    detail: Detail
    records: tuple[Record, ...]
    wildcard: bool
    servers_asked: tuple[str, ...]
    errors: tuple[str, ...]
    in_register: bool
    pending_request: str | None
    similar: tuple[str, ...]
    elapsed_ms: int

    def summary_id(self) -> str:
        """One short Indonesian line, e.g. ``Sudah dipakai: A 10.0.0.5``."""
        if self.status is CheckStatus.AVAILABLE:
            if self.wildcard:
                return "Tersedia (zona memakai wildcard; nama ini belum memiliki rekaman sendiri)"
            return "Tersedia"
        if self.status is CheckStatus.TAKEN:
            if self.records:
                shown = ", ".join(r.short() for r in self.records[:3])
                more = len(self.records) - 3
                return f"Sudah dipakai: {shown}" + (f" dan {more} rekaman lain" if more > 0 else "")
            if self.detail in (Detail.NODATA, Detail.DELEGATED):
                return "Sudah dipakai: nama sudah ada di DNS tanpa rekaman alamat"
            if self.in_register:
                return "Sudah dipakai: tercatat dalam daftar subdomain yang dibuat bot"
            if self.pending_request:
                number = self.pending_request
                return f"Sudah diajukan dalam permohonan {number} yang sedang diproses"
            return "Sudah dipakai"
        reason = _UNDETERMINED_TEXT.get(self.detail, _UNDETERMINED_TEXT[Detail.ERROR])
        return f"Tidak dapat dipastikan: {reason}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name.fqdn,
            "label": self.name.label,
            "unicode": self.name.unicode_label,
            "status": str(self.status),
            "detail": str(self.detail),
            "summary": self.summary_id(),
            "records": [
                {"name": r.name, "type": r.type, "value": r.value, "ttl": r.ttl}
                for r in self.records
            ],
            "wildcard": self.wildcard,
            "servers_asked": list(self.servers_asked),
            "errors": list(self.errors),
            "in_register": self.in_register,
            "pending_request": self.pending_request,
            "similar": list(self.similar),
            "elapsed_ms": self.elapsed_ms,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)


@dataclass(frozen=True)
class _ServerVerdict:
    server: Server
    outcome: Detail  # EXISTS, NODATA, DELEGATED, NXDOMAIN, WILDCARD_ONLY or an error detail
    records: tuple[Record, ...]
    wildcard: bool
    errors: tuple[str, ...]


_ERROR_DETAILS = {d.value: d for d in Detail}
_PRESENT = (Detail.EXISTS, Detail.NODATA, Detail.DELEGATED)
_ABSENT = (Detail.NXDOMAIN, Detail.WILDCARD_ONLY)


def _error_detail(code: str | None) -> Detail:
    if code in ("no_soa", "bad_response", "formerr", "notimp", None):
        return Detail.ERROR
    if code == "wrong_zone":
        return Detail.NOTAUTH
    return _ERROR_DETAILS.get(code, Detail.ERROR)


async def check_name(
    name: ValidName,
    cfg: DnsConfig,
    register: Iterable[str] = (),
    pending: Mapping[str, str] | None = None,
    *,
    request_id: str | None = None,
) -> CheckResult:
    """Check ``name`` at the authoritative servers within ``cfg.timeout`` seconds in total.

    ``register`` holds labels the bot already created; ``pending`` maps labels of open
    requests to their request numbers. ``request_id`` is the request doing the check: its
    own pending entry does not count against it.
    """
    started = time.monotonic()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + cfg.timeout
    zone = dns.name.from_text(cfg.parent_domain)
    qname = dns.name.from_text(name.fqdn)

    servers, discovery_errors = await authoritative_servers(
        cfg.servers, cfg.parent_domain, deadline
    )
    verdicts = await asyncio.gather(*(_ask_server(s, qname, zone, deadline) for s in servers))
    # A configured server whose name does not resolve counts as a dead server, never as absent.
    status, detail, records, errors = _combine(list(verdicts), unreachable=len(discovery_errors))
    errors = tuple(discovery_errors) + errors

    labels = _register_labels(register, cfg.parent_domain)
    pending_map = {_label_of(k, cfg.parent_domain): v for k, v in (pending or {}).items()}
    in_register = name.label in labels
    pending_request = pending_map.get(name.label)
    pending_other = pending_request is not None and pending_request != request_id
    if in_register or pending_other:
        status = CheckStatus.TAKEN

    return CheckResult(
        name=name,
        status=status,
        detail=detail,
        records=records,
        wildcard=any(v.wildcard for v in verdicts),
        servers_asked=tuple(format_server(s) for s in servers),
        errors=errors,
        in_register=in_register,
        pending_request=pending_request,
        similar=similar_names(name.label, labels | set(pending_map)),
        elapsed_ms=round((time.monotonic() - started) * 1000),
    )


async def _ask_server(
    server: Server, qname: dns.name.Name, zone: dns.name.Name, deadline: float
) -> _ServerVerdict:
    token = secrets.token_hex(6)
    probe = dns.name.Name((f"_probe-{token}".encode(), *zone.labels))
    below = dns.name.Name((f"_probe-{token}".encode(), *qname.labels))
    jobs = [lookup(server, qname, t, zone, deadline) for t in ASKED_TYPES]
    jobs += [lookup(server, probe, t, zone, deadline) for t in ASKED_TYPES]
    jobs.append(lookup(server, below, dns.rdatatype.A, zone, deadline))
    answers = await asyncio.gather(*jobs)
    n = len(ASKED_TYPES)
    return _judge_server(server, answers[:n], answers[n : 2 * n], answers[2 * n])


def _judge_server(
    server: Server, own: list[Answer], probe: list[Answer], below: Answer
) -> _ServerVerdict:
    where = format_server(server)
    failed = [a for a in own if a.kind == "error"]
    wildcard = any(a.kind in ("data", "nodata") for a in probe)
    if failed:
        codes = sorted({a.error or "error" for a in failed})
        return _ServerVerdict(
            server,
            _error_detail(failed[0].error),
            (),
            wildcard,
            tuple(f"{where}: {c}" for c in codes),
        )
    kinds = {a.kind for a in own}
    records = _dedupe(r for a in own for r in a.records)
    if kinds == {"nxdomain"}:
        return _ServerVerdict(server, Detail.NXDOMAIN, (), wildcard, ())
    if "nxdomain" in kinds:
        # Some types say "no such name", others show it: the zone changed while we asked.
        return _ServerVerdict(server, Detail.MISMATCH, records, wildcard, (f"{where}: mixed",))
    if "referral" in kinds:
        outcome = Detail.DELEGATED
    elif "data" in kinds:
        outcome = Detail.EXISTS
    else:
        outcome = Detail.NODATA
    probe_failed = [a for a in probe if a.kind == "error"]
    if probe_failed or below.kind == "error":
        # Without the probe we cannot tell an explicit record from a synthesized one.
        code = (probe_failed[0].error if probe_failed else below.error) or "error"
        return _ServerVerdict(server, _error_detail(code), (), wildcard, (f"{where}: {code}",))
    if wildcard and outcome is not Detail.DELEGATED:
        same = all(a.signature() == p.signature() for a, p in zip(own, probe, strict=True))
        if same and below.kind != "nxdomain":
            return _ServerVerdict(server, Detail.WILDCARD_ONLY, (), True, ())
    return _ServerVerdict(server, outcome, records, wildcard, ())


def _combine(
    verdicts: list[_ServerVerdict], unreachable: int = 0
) -> tuple[CheckStatus, Detail, tuple[Record, ...], tuple[str, ...]]:
    """One answer from every server's verdict; ``unreachable`` servers could not be asked."""
    errors = tuple(e for v in verdicts for e in v.errors)
    if not verdicts:
        return CheckStatus.UNDETERMINED, Detail.NO_SERVERS, (), errors
    records = _dedupe(r for v in verdicts for r in v.records)
    outcomes = [v.outcome for v in verdicts]
    present = [o for o in outcomes if o in _PRESENT]
    absent = [o for o in outcomes if o in _ABSENT]
    # NXDOMAIN at one server and only a wildcard's answer at another: the zones differ.
    if Detail.MISMATCH in outcomes or (present and absent) or len(set(absent)) > 1:
        if (present and absent) or len(set(absent)) > 1:
            errors += (
                "servers disagree: "
                + ", ".join(f"{format_server(v.server)}={v.outcome}" for v in verdicts),
            )
        return CheckStatus.UNDETERMINED, Detail.MISMATCH, records, errors
    if present:
        # Explicit data at a server is proof enough, even if another server failed.
        for kind in _PRESENT:
            if kind in present:
                return CheckStatus.TAKEN, kind, records, errors
    failed = [o for o in outcomes if o not in _ABSENT] + [Detail.UNREACHABLE] * unreachable
    if failed:
        return CheckStatus.UNDETERMINED, failed[0], (), errors
    detail = Detail.WILDCARD_ONLY if Detail.WILDCARD_ONLY in outcomes else Detail.NXDOMAIN
    return CheckStatus.AVAILABLE, detail, (), errors


def _dedupe(records: Iterable[Record]) -> tuple[Record, ...]:
    seen: dict[tuple[str, str, str], Record] = {}
    for r in records:
        seen.setdefault((r.name, r.type, r.value), r)
    return tuple(seen.values())


def _label_of(entry: str, parent: str) -> str:
    text = entry.strip().rstrip(".").lower()
    suffix = "." + parent
    return text[: -len(suffix)] if text.endswith(suffix) else text


def _register_labels(register: Iterable[str], parent: str) -> set[str]:
    return {_label_of(e, parent) for e in register if e and e.strip()}


def edit_distance(a: str, b: str, limit: int = 3) -> int:
    """Levenshtein distance, stopping early once it exceeds ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for ca, cb in zip(a, b, strict=False):
        if ca != cb:
            break
        n += 1
    return n


def similar_names(label: str, known: Iterable[str], limit: int = 10) -> tuple[str, ...]:
    """Known labels within edit distance 2, or sharing a prefix (one starts with the other, or
    a common start of at least five characters and two thirds of the shorter); closest first."""
    scored: list[tuple[int, str]] = []
    for other in set(known):
        if other == label or not other:
            continue
        distance = edit_distance(label, other, 2)
        shorter = min(len(label), len(other))
        close = distance <= 2 and distance < shorter
        common = _common_prefix(label, other)
        prefixed = (shorter >= 3 and common == shorter) or (
            common >= 5 and common * 3 >= shorter * 2
        )
        if close or prefixed:
            scored.append((distance, other))
    scored.sort()
    return tuple(name for _, name in scored[:limit])
