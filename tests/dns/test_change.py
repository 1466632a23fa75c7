"""A change and a removal with RFC 2136 prerequisites against a real BIND: the update is made
only while the name holds what the register says; a zone changed behind the register is
refused with a clear message and nothing is touched."""

import dns.rcode
import pytest

from domains.names import validate_name
from domains.provision import (
    ProvisionError,
    Rfc2136Provider,
    TargetCNAME,
    TargetIP,
    plan_for,
    provider_from_config,
)
from tests.support.bind import ZONE, BindServer

FQDN = "layanan-baru.balangankab.go.id"
NAME = validate_name("layanan-baru", ZONE)


async def test_change_replaces_the_record_and_is_verified(bind_rw: BindServer) -> None:
    cfg = bind_rw.config()
    provider = Rfc2136Provider(cfg)
    old = plan_for(NAME, TargetIP("10.0.0.9"), cfg)
    await provider.apply(old)
    serial = bind_rw.serial()

    new = plan_for(NAME, TargetIP("10.0.0.20"), cfg)
    result = await provider.change(old, new)

    assert result.verified
    assert bind_rw.values(FQDN) == {"10.0.0.20"}
    assert result.serial == bind_rw.serial() > serial


async def test_change_from_an_address_to_a_cname(bind_rw: BindServer) -> None:
    cfg = bind_rw.config()
    provider = Rfc2136Provider(cfg)
    old = plan_for(NAME, TargetIP("10.0.0.9"), cfg)
    await provider.apply(old)

    result = await provider.change(old, plan_for(NAME, TargetCNAME("apps.example.com"), cfg))

    assert result.verified
    assert bind_rw.values(FQDN, "CNAME") == {"apps.example.com."}
    assert bind_rw.values(FQDN, "A") == set()


async def test_change_behind_the_register_is_refused_and_nothing_moves(
        bind_rw: BindServer) -> None:
    cfg = bind_rw.config()
    provider = Rfc2136Provider(cfg)
    old = plan_for(NAME, TargetIP("10.0.0.9"), cfg)
    await provider.apply(old)
    # someone edits the zone by hand: the name no longer holds what the register says
    assert bind_rw.update(FQDN + ".", "A", "10.0.0.11") == dns.rcode.NOERROR
    serial = bind_rw.serial()

    with pytest.raises(ProvisionError) as info:
        await provider.change(old, plan_for(NAME, TargetIP("10.0.0.20"), cfg))

    assert info.value.code == "changed"
    assert "diubah di luar register" in info.value.message_id
    assert "Tidak ada rekaman yang diubah" in info.value.message_id
    assert {r.value for r in info.value.found} == {"10.0.0.9", "10.0.0.11"}
    assert bind_rw.values(FQDN) == {"10.0.0.9", "10.0.0.11"}
    assert bind_rw.serial() == serial


async def test_change_refused_when_the_new_type_already_exists(bind_rw: BindServer) -> None:
    cfg = bind_rw.config()
    provider = Rfc2136Provider(cfg)
    old = plan_for(NAME, TargetIP("10.0.0.9"), cfg)
    await provider.apply(old)
    assert bind_rw.update(FQDN + ".", "AAAA", "2001:db8::5") == dns.rcode.NOERROR

    with pytest.raises(ProvisionError) as info:
        await provider.change(old, plan_for(NAME, TargetIP("2001:db8::9"), cfg))

    assert info.value.code == "changed"
    assert bind_rw.values(FQDN, "AAAA") == {"2001:db8::5"}
    assert bind_rw.values(FQDN) == {"10.0.0.9"}


async def test_a_change_whose_answer_was_lost_is_accepted_on_retry(bind_rw: BindServer) -> None:
    cfg = bind_rw.config()
    provider = Rfc2136Provider(cfg)
    old = plan_for(NAME, TargetIP("10.0.0.9"), cfg)
    new = plan_for(NAME, TargetIP("10.0.0.20"), cfg)
    await provider.apply(old)
    await provider.change(old, new)

    again = await provider.change(old, new)  # the press repeated after a lost answer

    assert again.verified
    assert bind_rw.values(FQDN) == {"10.0.0.20"}


async def test_removal_behind_the_register_is_refused(bind_rw: BindServer) -> None:
    cfg = bind_rw.config()
    provider = Rfc2136Provider(cfg)
    ours = plan_for(NAME, TargetIP("10.0.0.9"), cfg)
    await provider.apply(ours)
    assert bind_rw.update(FQDN + ".", "A", "10.0.0.11") == dns.rcode.NOERROR

    with pytest.raises(ProvisionError) as info:
        await provider.remove(ours)

    assert info.value.code == "changed"
    assert bind_rw.values(FQDN) == {"10.0.0.9", "10.0.0.11"}


async def test_a_removal_repeated_after_a_lost_answer_is_accepted(bind_rw: BindServer) -> None:
    cfg = bind_rw.config()
    provider = Rfc2136Provider(cfg)
    ours = plan_for(NAME, TargetIP("10.0.0.9"), cfg)
    await provider.apply(ours)
    await provider.remove(ours)

    again = await provider.remove(ours)

    assert again.verified
    assert bind_rw.values(FQDN) == set()


async def test_manual_provider_verifies_a_change_made_by_hand(bind_rw: BindServer) -> None:
    cfg = bind_rw.config(provider="manual", timeout=0.5)
    old = plan_for(NAME, TargetIP("10.0.0.9"), cfg)
    new = plan_for(NAME, TargetIP("10.0.0.20"), cfg)
    assert bind_rw.update(FQDN + ".", "A", "10.0.0.9") == dns.rcode.NOERROR
    provider = provider_from_config(cfg)
    with pytest.raises(ProvisionError) as info:
        await provider.change(old, new)
    assert info.value.code == "not_visible"
    assert bind_rw.values(FQDN) == {"10.0.0.9"}
