"""DNS answers at the edges, each against real BIND servers in an odd state: a wrong
"Tersedia" is the worst answer the product can give, so every doubt must end "undetermined"."""

from collections.abc import Iterator

import dns.asyncresolver
import pytest

from domains.check import CheckStatus, Detail, check_name
from domains.config import DnsConfig
from domains.names import ValidName, validate_name
from domains.provision import ProvisionError, Rfc2136Provider, TargetIP, plan_for
from tests.support.bind import ZONE, BindServer, start_bind

PARENT_OF_ZONE = ZONE.split(".", 1)[1]  # go.id


def name(label: str) -> ValidName:
    return validate_name(label, ZONE, reserved=())


@pytest.fixture(scope="module")
def parent_only(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BindServer]:
    """A server authoritative for go.id alone: it knows nothing of the office's zone."""
    with start_bind(tmp_path_factory.mktemp("parent"), PARENT_OF_ZONE) as server:
        yield server


@pytest.fixture(scope="module")
def with_wildcard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BindServer]:
    """The office's zone exactly as `bind` serves it, plus a wildcard."""
    with start_bind(tmp_path_factory.mktemp("wild"), extra="*  IN A 192.0.2.80\n") as server:
        yield server


async def test_parent_only_server_is_not_taken_as_the_zones_word(
    parent_only: BindServer,
) -> None:
    cfg = parent_only.config(parent_domain=ZONE)
    # go.id's server says NXDOMAIN for a name it does not serve, with go.id's SOA
    response = parent_only.query(f"dinkes.{ZONE}")
    assert response.rcode() == 3
    assert response.authority[0].name.to_text() == f"{PARENT_OF_ZONE}."
    result = await check_name(name("dinkes"), cfg)
    assert result.status is CheckStatus.UNDETERMINED
    assert result.detail is Detail.NOTAUTH
    assert result.summary_id() == (
        "Tidak dapat dipastikan: server DNS bukan server otoritatif untuk zona ini")


async def test_parent_only_server_beside_a_real_one_is_still_undetermined(
    parent_only: BindServer, bind: BindServer
) -> None:
    cfg = bind.config(servers=(bind.server, parent_only.server))
    result = await check_name(name("layanan-baru"), cfg)
    assert result.status is CheckStatus.UNDETERMINED
    # ... while a name with records is still taken: one server's data is proof enough
    assert (await check_name(name("dinkes"), cfg)).status is CheckStatus.TAKEN


@pytest.fixture
def loopback_resolver(bind: BindServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """dnspython's stub resolver asks the test BIND (never the network) for server names."""
    resolver = dns.asyncresolver.Resolver(configure=False)
    resolver.nameservers = [bind.host]
    resolver.port = bind.port
    monkeypatch.setattr(dns.asyncresolver, "default_resolver", resolver)


@pytest.mark.usefixtures("loopback_resolver")
async def test_unresolvable_server_name_is_undetermined(bind: BindServer) -> None:
    resolvable = bind.config(servers=((f"ns1.{ZONE}", bind.port),))
    assert (await check_name(name("layanan-baru"), resolvable)).status is CheckStatus.AVAILABLE

    cfg = bind.config(servers=(bind.server, (f"ns-hilang.{ZONE}", bind.port)))
    result = await check_name(name("layanan-baru"), cfg)
    assert result.status is CheckStatus.UNDETERMINED
    assert result.detail is Detail.UNREACHABLE
    assert f"ns-hilang.{ZONE}: address not found" in result.errors
    # a name with data is still taken
    assert (await check_name(name("dinkes"), cfg)).status is CheckStatus.TAKEN


async def test_servers_disagreeing_only_on_a_wildcard_are_a_mismatch(
    bind: BindServer, with_wildcard: BindServer
) -> None:
    alone = await check_name(name("layanan-baru"), with_wildcard.config())
    assert (alone.status, alone.detail) == (CheckStatus.AVAILABLE, Detail.WILDCARD_ONLY)
    cfg = bind.config(servers=(bind.server, with_wildcard.server))
    result = await check_name(name("layanan-baru"), cfg)
    assert result.status is CheckStatus.UNDETERMINED
    assert result.detail is Detail.MISMATCH
    assert any("servers disagree" in e for e in result.errors)


async def test_empty_non_terminal_is_taken_and_never_created(bind_rw: BindServer) -> None:
    cfg = bind_rw.config()
    ent = name("y")  # only x.y holds data
    assert (await check_name(ent, cfg)).status is CheckStatus.TAKEN
    serial = bind_rw.serial()
    with pytest.raises(ProvisionError) as info:
        await Rfc2136Provider(cfg).apply(plan_for(ent, TargetIP("10.0.0.9"), cfg))
    assert info.value.code == "exists"
    assert bind_rw.values(f"y.{ZONE}") == set()
    assert bind_rw.serial() == serial


async def test_creation_under_a_dead_primary_is_refused_before_the_update(
    bind_rw: BindServer, closed_port: tuple[str, int]
) -> None:
    cfg = bind_rw.config(primary=closed_port, timeout=1.0)
    with pytest.raises(ProvisionError) as info:
        await Rfc2136Provider(cfg).apply(plan_for(name("layanan-baru"), TargetIP("10.0.0.9"), cfg))
    assert info.value.code in ("unreachable", "timeout")


@pytest.mark.parametrize("timeout", [float("inf"), 1e300, float("nan"), 0.0, -1.0, 61.0])
def test_dns_timeout_is_bounded(timeout: float) -> None:
    with pytest.raises(ValueError, match="timeout"):
        DnsConfig(parent_domain=ZONE, timeout=timeout)

