"""The technical steps: the DNS check (form, step 4) and the record creation (steps 6–7).

Thin glue between the office's records and `domains/`: which names count as registered or
pending, and which plan belongs to a request.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.settings import Settings
from domains.check import CheckResult, check_name
from domains.names import ValidName, validate_name
from domains.provision import (
    ApplyResult,
    Plan,
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
