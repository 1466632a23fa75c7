"""The technical steps: the DNS check (form, step 4) and the records' work (steps 6–7): a
creation, or for the other request kinds a change, a deletion, a suspension.

Thin glue between the office's records and `domains/`: which names count as registered or
pending, and which plan belongs to a request.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.settings import Settings
from bot.workflow import Effect
from domains.check import CheckResult, check_name
from domains.dnsquery import Record
from domains.names import ValidName, validate_name
from domains.provision import (
    ApplyResult,
    Plan,
    ProvisionError,
    Target,
    TargetCNAME,
    TargetHosting,
    TargetIP,
    plan_for,
    provider_from_config,
)
from storage.models import Request
from storage.store import Store


def valid_name(settings: Settings, label: str) -> ValidName:
    return validate_name(label, settings.parent_domain, settings.dns.reserved)


async def names_in_use(store: Store, open_states: Sequence[str], label: str,
                       request: Request | None = None
                       ) -> tuple[dict[str, int | None], dict[str, str]]:
    """Whether the office created `label` (label → request id, or empty) and which open
    request asks for it (label → request number; another request than `request` first): index
    searches for the one label, whatever the size of the register."""
    created, request_id = await store.live_subdomain(label)
    register = {label: request_id} if created else {}
    asking = await store.requests(states=list(open_states), subdomain=label)
    others = [r for r in asking if request is None or r.id != request.id] or asking
    pending = {label: others[0].number} if others else {}
    return register, pending


async def check(store: Store, settings: Settings, label: str, request: Request | None = None,
                *, open_states: Sequence[str]) -> CheckResult:
    """Ask the zone's authoritative servers, and compare with our own register and the
    other open requests (those in `open_states`). Never "available" when DNS could not tell."""
    name = valid_name(settings, label)
    register, pending = await names_in_use(store, open_states, name.label, request)
    return await check_name(name, settings.dns, list(register), pending,
                            request_id=request.number if request else None)


def target_of(request: Request) -> Target:
    if request.target_kind == "ip" and request.target_value:
        return TargetIP(request.target_value)
    if request.target_kind == "cname" and request.target_value:
        return TargetCNAME(request.target_value)
    return TargetHosting()


def plan(settings: Settings, request: Request) -> Plan:
    """The exact records an approval creates (raises ProvisionError for a bad target)."""
    return plan_for(valid_name(settings, request.subdomain), target_of(request), settings.dns)


async def create(settings: Settings, planned: Plan) -> ApplyResult:
    """Apply a plan with the configured provider (raises ProvisionError)."""
    return await provider_from_config(settings.dns).apply(planned)


async def remove(settings: Settings, planned: Plan) -> ApplyResult:
    return await provider_from_config(settings.dns).remove(planned)


# --- the DNS work of a request kind (create, change, delete, suspend) --------------------------

Records = tuple[tuple[str, str, str, int], ...]

NOT_REGISTERED = ("Subdomain ini tidak tercatat aktif di register kantor; tidak ada rekaman "
                  "yang diubah.")


@dataclass(frozen=True)
class Work:
    """What a creation step does to the name: `old` (what the register holds, which the
    update requires) becomes `new` (None: deleted)."""

    effect: Effect
    fqdn: str
    old: Plan | None
    new: Plan | None
    status: str = "active"
    """The register's status of the name afterwards (active, suspended, removed)."""

    @property
    def records(self) -> Records:
        """The records the letter lists: those the name holds now, else those removed."""
        shown = self.new or self.old
        return tuple((r.name, r.type, r.value, r.ttl) for r in shown.records) if shown else ()

    def describe_id(self) -> str:
        """The plan in one Indonesian line, for the approver and the staff."""
        def listed(plan: Plan) -> str:
            return "; ".join(f"{r.type} {r.value}" for r in plan.records)

        if self.old is None and self.new is not None:
            return self.new.describe_id()
        if self.old is not None and self.new is not None:
            return (f"Mengubah {self.fqdn}: {listed(self.old)} → {listed(self.new)} "
                    f"(TTL {self.new.records[0].ttl} detik)")
        assert self.old is not None
        return f"Menghapus {self.fqdn}: {listed(self.old)}"

    def to_dict(self) -> dict[str, Any]:
        """The new records (for a deletion: those removed) as a creation's plan reads, with
        what the update requires and what it does."""
        shown = self.new or self.old
        assert shown is not None
        return {**shown.to_dict(), "effect": str(self.effect),
                "old": self.old.to_dict() if self.old else None,
                "new": self.new.to_dict() if self.new else None, "status": self.status}


def held_plan(fqdn: str, held: Records | None) -> Plan:
    """The register's records of a name as the plan an update requires."""
    if not held:
        raise ProvisionError("not_registered", NOT_REGISTERED)
    return Plan(fqdn, tuple(Record(n, t, v, ttl) for n, t, v, ttl in held))


def work(settings: Settings, effect: Effect, request: Request, held: Records | None) -> Work:
    """The DNS work `effect` means for `request`, given the records the register holds for
    its name (raises ProvisionError: a bad target, a name not in the register)."""
    name = valid_name(settings, request.subdomain)
    if effect == Effect.CREATE_RECORD:
        return Work(effect, name.fqdn, None, plan(settings, request))
    old = held_plan(name.fqdn, held)
    if effect == Effect.CHANGE_RECORD:
        return Work(effect, name.fqdn, old, plan(settings, request))
    if effect == Effect.SUSPEND_RECORD and settings.reconfirm.suspend == "redirect":
        return Work(effect, name.fqdn, old, plan_for(name, redirect_target(settings),
                                                     settings.dns), status="suspended")
    return Work(effect, name.fqdn, old, None, status="removed")


def redirect_target(settings: Settings) -> Target:
    """Where a suspended name points (RECONFIRM_REDIRECT_TO; else the office's hosting)."""
    to = settings.reconfirm.redirect_to
    if not to:
        return TargetHosting()
    try:
        ipaddress.ip_address(to)
    except ValueError:
        return TargetCNAME(to)
    return TargetIP(to)


async def apply(settings: Settings, planned: Work) -> ApplyResult:
    """Make the change with the configured provider, only while the name holds `old`."""
    provider = provider_from_config(settings.dns)
    if planned.old is None:
        assert planned.new is not None
        return await provider.apply(planned.new)
    if planned.new is None:
        return await provider.remove(planned.old)
    return await provider.change(planned.old, planned.new)


def target_of_records(records: Records) -> tuple[str, str | None]:
    """A registered name's present target as a request stores one (ip, cname)."""
    first = next(((t, v) for _n, t, v, _ttl in records if t in ("A", "AAAA", "CNAME")), None)
    if first is None:
        return "hosting", None
    return ("cname" if first[0] == "CNAME" else "ip"), first[1].rstrip(".")
