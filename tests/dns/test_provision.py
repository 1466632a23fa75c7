import dns.rcode
import pytest

from domains.check import CheckStatus, check_name
from domains.names import ValidName, validate_name
from domains.provision import (
    ManualProvider,
    Plan,
    ProvisionError,
    Rfc2136Provider,
    TargetCNAME,
    TargetHosting,
    TargetIP,
    plan_for,
    provider_from_config,
)
from tests.support.bind import INITIAL_SERIAL, ZONE, BindServer

FQDN = "layanan-baru.balangankab.go.id"


def new_name() -> ValidName:
    return validate_name("layanan-baru", ZONE)


def test_plans(bind_cfg_free) -> None:
    cfg = bind_cfg_free
    assert plan_for(new_name(), TargetIP("10.0.0.9"), cfg).lines() == (f"{FQDN} 300 IN A 10.0.0.9",)
    assert plan_for(new_name(), TargetIP("2001:db8::0:1"), cfg).lines() == (
        f"{FQDN} 300 IN AAAA 2001:db8::1",
    )
    assert plan_for(new_name(), TargetCNAME("Apps.Example.com"), cfg).lines() == (
        f"{FQDN} 300 IN CNAME apps.example.com.",
    )
    hosting = plan_for(new_name(), TargetHosting(), cfg)
    assert hosting.records[0].value == "10.20.30.40"
    assert hosting.describe_id() == f"Membuat {FQDN}: A 10.20.30.40 (TTL 300 detik)"


@pytest.mark.parametrize(
    "target",
    [
        TargetIP("10.0.0.300"),
        TargetIP("0.0.0.0"),
        TargetIP("127.0.0.1"),
        TargetCNAME("localhost"),
        TargetCNAME("bad_host..example"),
        TargetCNAME(FQDN),
        TargetCNAME("-x.example.com"),
    ],
)
def test_bad_targets_are_refused(bind_cfg_free, target) -> None:
    with pytest.raises(ProvisionError) as info:
        plan_for(new_name(), target, bind_cfg_free)
    assert info.value.code == "bad_target"
    assert info.value.message_id.startswith("Alamat tujuan tidak sah")


def test_hosting_needs_an_address(bind_cfg_free) -> None:
    from dataclasses import replace

    with pytest.raises(ProvisionError) as info:
        plan_for(new_name(), TargetHosting(), replace(bind_cfg_free, hosting_ipv4=None))
    assert info.value.code == "no_hosting_address"


async def test_signed_create_is_verified_and_bumps_serial(bind_rw: BindServer) -> None:
    cfg = bind_rw.config()
    before = await check_name(new_name(), cfg)
    assert before.status is CheckStatus.AVAILABLE
    plan = plan_for(new_name(), TargetIP("10.0.0.9"), cfg)
    result = await provider_from_config(cfg).apply(plan)
    assert result.verified
    assert result.servers_verified == (f"127.0.0.1:{bind_rw.port}",)
    assert result.serial is not None
    assert result.serial > INITIAL_SERIAL
    assert result.serial == bind_rw.serial()
    assert bind_rw.dig(FQDN) == ["10.0.0.9"]
    after = await check_name(new_name(), cfg)
    assert after.status is CheckStatus.TAKEN
    assert after.summary_id() == "Sudah dipakai: A 10.0.0.9"


async def test_cname_create(bind_rw: BindServer) -> None:
    cfg = bind_rw.config()
    plan = plan_for(new_name(), TargetCNAME("apps.example.com"), cfg)
    result = await Rfc2136Provider(cfg).apply(plan)
    assert result.verified
    assert bind_rw.values(FQDN, "CNAME") == {"apps.example.com."}


async def test_collision_never_overwrites(bind_rw: BindServer) -> None:
    cfg = bind_rw.config()
    assert (await check_name(new_name(), cfg)).status is CheckStatus.AVAILABLE
    plan = plan_for(new_name(), TargetIP("10.0.0.9"), cfg)
    # someone else creates the name between the check and the approval
    assert bind_rw.update(FQDN + ".", "A", "10.9.9.9") == dns.rcode.NOERROR
    serial = bind_rw.serial()
    with pytest.raises(ProvisionError) as info:
        await Rfc2136Provider(cfg).apply(plan)
    assert info.value.code == "exists"
    assert info.value.message_id.startswith("Nama sudah dibuat pihak lain sejak pemeriksaan")
    assert [r.short() for r in info.value.found] == ["A 10.9.9.9"]
    assert bind_rw.values(FQDN) == {"10.9.9.9"}
    assert bind_rw.serial() == serial


async def test_name_with_other_type_is_not_touched(bind_rw: BindServer) -> None:
    cfg = bind_rw.config()
    plan = plan_for(validate_name("catatan", ZONE), TargetIP("10.0.0.9"), cfg)
    with pytest.raises(ProvisionError) as info:
        await Rfc2136Provider(cfg).apply(plan)
    assert info.value.code == "exists"
    assert bind_rw.values("catatan.balangankab.go.id", "A") == set()


async def test_wrong_secret_is_bad_signature(bind_rw: BindServer) -> None:
    cfg = bind_rw.config(tsig_secret=bind_rw.other_key_secret)
    with pytest.raises(ProvisionError) as info:
        await Rfc2136Provider(cfg).apply(plan_for(new_name(), TargetIP("10.0.0.9"), cfg))
    assert info.value.code == "bad_signature"
    assert "TSIG" in info.value.message_id
    assert bind_rw.values(FQDN) == set()


async def test_unknown_key(bind_rw: BindServer) -> None:
    cfg = bind_rw.config(tsig_key_name="no-such-key")
    with pytest.raises(ProvisionError) as info:
        await Rfc2136Provider(cfg).apply(plan_for(new_name(), TargetIP("10.0.0.9"), cfg))
    assert info.value.code == "unknown_key"
    assert info.value.message_id == "Kunci TSIG tidak dikenal oleh server DNS."


async def test_valid_key_without_permission_is_refused(bind_rw: BindServer) -> None:
    cfg = bind_rw.config(tsig_key_name=bind_rw.other_key_name, tsig_secret=bind_rw.other_key_secret)
    with pytest.raises(ProvisionError) as info:
        await Rfc2136Provider(cfg).apply(plan_for(new_name(), TargetIP("10.0.0.9"), cfg))
    assert info.value.code == "refused"
    assert bind_rw.values(FQDN) == set()


async def test_unsigned_update_is_refused(bind_rw: BindServer) -> None:
    import dns.asyncquery
    import dns.update

    update = dns.update.UpdateMessage("balangankab.go.id")
    update.add(FQDN + ".", 300, "A", "10.0.0.9")
    response = await dns.asyncquery.tcp(update, bind_rw.host, port=bind_rw.port, timeout=2)
    assert response.rcode() == dns.rcode.REFUSED
    assert bind_rw.values(FQDN) == set()


async def test_update_to_dead_primary_times_out(bind_cfg_free, silent_port) -> None:
    from dataclasses import replace

    cfg = replace(bind_cfg_free, primary=silent_port, timeout=1.0)
    with pytest.raises(ProvisionError) as info:
        await Rfc2136Provider(cfg).apply(plan_for(new_name(), TargetIP("10.0.0.9"), cfg))
    assert info.value.code == "timeout"
    assert info.value.message_id.startswith("Hasil belum pasti")


async def test_remove_only_with_matching_value(bind_rw: BindServer) -> None:
    cfg = bind_rw.config()
    provider = Rfc2136Provider(cfg)
    plan = plan_for(new_name(), TargetIP("10.0.0.9"), cfg)
    await provider.apply(plan)

    stale = plan_for(new_name(), TargetIP("10.0.0.10"), cfg)
    with pytest.raises(ProvisionError) as info:
        await provider.remove(stale)
    assert info.value.code == "changed"
    assert bind_rw.values(FQDN) == {"10.0.0.9"}

    # someone adds a second address: the RRset no longer equals what the bot set
    assert bind_rw.update(FQDN + ".", "A", "10.0.0.11") == dns.rcode.NOERROR
    with pytest.raises(ProvisionError):
        await provider.remove(plan)
    assert bind_rw.values(FQDN) == {"10.0.0.9", "10.0.0.11"}


async def test_remove_deletes_exactly_what_was_set(bind_rw: BindServer) -> None:
    cfg = bind_rw.config()
    provider = Rfc2136Provider(cfg)
    plan = plan_for(new_name(), TargetIP("10.0.0.9"), cfg)
    await provider.apply(plan)
    result = await provider.remove(plan)
    assert result.verified
    assert bind_rw.values(FQDN) == set()
    assert (await check_name(new_name(), cfg)).status is CheckStatus.AVAILABLE


async def test_manual_provider_only_verifies(bind_rw: BindServer) -> None:
    cfg = bind_rw.config(provider="manual", timeout=0.5)
    provider = provider_from_config(cfg)
    assert isinstance(provider, ManualProvider)
    plan = plan_for(new_name(), TargetIP("10.0.0.9"), cfg)
    with pytest.raises(ProvisionError) as info:
        await provider.apply(plan)
    assert info.value.code == "not_visible"
    assert info.value.message_id.startswith("Rekaman belum terlihat di DNS")
    assert bind_rw.values(FQDN) == set()  # nothing was changed

    assert bind_rw.update(FQDN + ".", "A", "10.0.0.9") == dns.rcode.NOERROR  # staff by hand
    result = await provider.apply(plan)
    assert result.verified
    assert result.serial == bind_rw.serial()


async def test_manual_provider_sees_dinkes(bind: BindServer) -> None:
    cfg = bind.config(provider="manual")
    plan = Plan(
        "dinkes.balangankab.go.id",
        plan_for(validate_name("dinkes", ZONE), TargetIP("10.0.0.5"), cfg).records,
    )
    assert (await ManualProvider(cfg).apply(plan)).verified


def test_rfc2136_needs_key_and_primary(bind_cfg_free) -> None:
    from dataclasses import replace

    with pytest.raises(ProvisionError) as info:
        provider_from_config(replace(bind_cfg_free, tsig_secret="", primary=None))
    assert info.value.code == "misconfigured"
    assert "server DNS utama" in info.value.message_id
    assert "rahasia kunci TSIG" in info.value.message_id
    assert "secret" not in repr(provider_from_config(bind_cfg_free)).lower()
