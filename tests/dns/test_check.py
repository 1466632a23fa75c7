import json
import time

import pytest

from domains.check import CheckStatus, Detail, check_name, similar_names
from domains.config import DnsConfig
from domains.dnsquery import Record
from domains.names import ValidName, validate_name
from tests.support.bind import ZONE, BindServer


def name(label: str, parent: str = "balangankab.go.id") -> ValidName:
    return validate_name(label, parent=parent, reserved=())


async def test_a_record_is_taken_and_named(bind: BindServer) -> None:
    result = await check_name(name("dinkes"), bind.config())
    assert result.status is CheckStatus.TAKEN
    assert result.detail is Detail.EXISTS
    assert result.records == (Record("dinkes.balangankab.go.id", "A", "10.0.0.5", 300),)
    assert result.summary_id() == "Sudah dipakai: A 10.0.0.5"
    assert result.servers_asked == (f"127.0.0.1:{bind.port}",)
    assert result.errors == ()
    assert not result.wildcard


async def test_nxdomain_is_available(bind: BindServer) -> None:
    result = await check_name(name("layanan-baru"), bind.config())
    assert result.status is CheckStatus.AVAILABLE
    assert result.detail is Detail.NXDOMAIN
    assert result.records == ()
    assert result.summary_id() == "Tersedia"
    assert result.elapsed_ms < 1000


async def test_empty_non_terminal_is_nodata_and_taken(bind: BindServer) -> None:
    # only x.y.balangankab.go.id holds data: y itself exists with no records
    result = await check_name(name("y"), bind.config())
    assert result.status is CheckStatus.TAKEN
    assert result.detail is Detail.NODATA
    assert result.records == ()
    assert result.summary_id().startswith("Sudah dipakai: nama sudah ada di DNS")


@pytest.mark.parametrize(
    ("label", "shown"),
    [
        ("mail", "MX 10 mx.example.net."),
        ("catatan", 'TXT "hanya teks"'),
        ("portal", "CNAME www.example.com."),
        # a CNAME to a missing in-zone name answers NXDOMAIN, yet the name exists (RFC 6604)
        ("putus", "CNAME tidak-ada.balangankab.go.id."),
    ],
)
async def test_other_types_and_cname_are_taken(bind: BindServer, label: str, shown: str) -> None:
    result = await check_name(name(label), bind.config())
    assert result.status is CheckStatus.TAKEN
    assert result.detail is Detail.EXISTS
    assert [r.short() for r in result.records] == [shown]
    assert result.summary_id() == f"Sudah dipakai: {shown}"


async def test_delegated_child_is_taken(bind: BindServer) -> None:
    result = await check_name(name("sub"), bind.config())
    assert result.status is CheckStatus.TAKEN
    assert result.detail is Detail.DELEGATED
    assert [r.short() for r in result.records] == ["NS ns.sub-dns.example.net."]


async def test_wildcard_alone_makes_a_name_neither_taken_nor_listed(bind: BindServer) -> None:
    cfg = bind.config(parent_domain="wild.test")
    result = await check_name(name("bebas", "wild.test"), cfg)
    assert result.wildcard is True
    assert result.status is CheckStatus.AVAILABLE
    assert result.detail is Detail.WILDCARD_ONLY
    assert result.records == ()
    assert "wildcard" in result.summary_id()


@pytest.mark.parametrize(
    ("label", "shown"),
    [
        ("explicit", "A 192.0.2.10"),
        # an explicit record with the very data of the wildcard is still explicit
        ("kembar", "A 192.0.2.80"),
        # an explicit node without A blocks the wildcard: its own TXT shows
        ("teks", 'TXT "explicit node without an address"'),
    ],
)
async def test_explicit_names_in_a_wildcard_zone_are_taken(
    bind: BindServer, label: str, shown: str
) -> None:
    result = await check_name(name(label, "wild.test"), bind.config(parent_domain="wild.test"))
    assert result.wildcard is True
    assert result.status is CheckStatus.TAKEN
    assert [r.short() for r in result.records] == [shown]


async def test_silent_server_is_undetermined_within_budget(silent_port) -> None:
    cfg = DnsConfig(ZONE, servers=(silent_port,), timeout=2.0)
    started = time.monotonic()
    result = await check_name(name("dinkes"), cfg)
    elapsed = time.monotonic() - started
    assert result.status is CheckStatus.UNDETERMINED
    assert result.detail is Detail.TIMEOUT
    assert result.summary_id() == "Tidak dapat dipastikan: server DNS tidak menjawab"
    assert elapsed < 2.5
    assert result.errors


async def test_closed_port_is_undetermined(closed_port) -> None:
    cfg = DnsConfig(ZONE, servers=(closed_port,), timeout=1.0)
    started = time.monotonic()
    result = await check_name(name("layanan-baru"), cfg)
    assert result.status is CheckStatus.UNDETERMINED
    assert time.monotonic() - started < 4


async def test_never_free_when_one_server_fails(bind: BindServer, silent_port) -> None:
    cfg = bind.config(servers=(bind.server, silent_port), timeout=1.0)
    result = await check_name(name("layanan-baru"), cfg)
    assert result.status is CheckStatus.UNDETERMINED
    assert any(str(silent_port[1]) in e for e in result.errors)


async def test_records_at_one_server_are_enough_to_be_taken(bind: BindServer, silent_port) -> None:
    cfg = bind.config(servers=(bind.server, silent_port), timeout=1.0)
    result = await check_name(name("dinkes"), cfg)
    assert result.status is CheckStatus.TAKEN
    assert result.records[0].value == "10.0.0.5"


async def test_not_authoritative_server_is_undetermined(bind: BindServer) -> None:
    # the server holds no zone example.org: it refuses (recursion is off)
    cfg = bind.config(parent_domain="example.org")
    result = await check_name(name("www", "example.org"), cfg)
    assert result.status is CheckStatus.UNDETERMINED
    assert result.detail is Detail.REFUSED
    assert result.summary_id() == "Tidak dapat dipastikan: server DNS menolak pertanyaan"


async def test_mismatch_between_servers_is_undetermined(bind: BindServer, bind_rw) -> None:
    # bind_rw gets a record that the other server does not have
    assert bind_rw.update("layanan-baru.balangankab.go.id.", "A", "10.1.1.1") == 0
    cfg = bind.config(servers=(bind.server, bind_rw.server))
    result = await check_name(name("layanan-baru"), cfg)
    assert result.status is CheckStatus.UNDETERMINED
    assert result.detail is Detail.MISMATCH
    assert result.records[0].value == "10.1.1.1"


async def test_register_and_pending_requests(bind: BindServer) -> None:
    cfg = bind.config()
    registered = await check_name(name("layanan-baru"), cfg, register=["layanan-baru"])
    assert registered.status is CheckStatus.TAKEN
    assert registered.in_register
    assert "daftar subdomain" in registered.summary_id()

    pending = {"layanan-baru": "SD-2026-0007"}
    other = await check_name(name("layanan-baru"), cfg, pending=pending)
    assert other.status is CheckStatus.TAKEN
    assert other.pending_request == "SD-2026-0007"
    assert "SD-2026-0007" in other.summary_id()

    own = await check_name(name("layanan-baru"), cfg, pending=pending, request_id="SD-2026-0007")
    assert own.status is CheckStatus.AVAILABLE


async def test_similar_names_from_register(bind: BindServer) -> None:
    register = ["dinkes.balangankab.go.id", "dinkess", "disdik", "dinkes-app", "pupr"]
    result = await check_name(name("dinkes"), bind.config(), register=register)
    assert result.similar[0] == "dinkess"
    assert set(result.similar) == {"dinkess", "dinkes-app"}


def test_similar_names_rules() -> None:
    known = ["dinkes", "dinkez", "dinas-kesehatan", "dinas-kominfo", "ab", "xyz"]
    assert similar_names("dinkes", known) == ("dinkez",)
    assert similar_names("dinas-kesehatan-app", known) == ("dinas-kesehatan",)
    assert similar_names("dinas-kominfo-app", known) == ("dinas-kominfo",)
    assert similar_names("dinas-kesehatann", known) == ("dinas-kesehatan",)
    assert similar_names("dinas-sosial", known) == ()  # "dinas-" alone is too common
    assert similar_names("ac", known) == ("ab",)
    assert similar_names("cd", known) == ()  # two edits on two letters is another name


async def test_json_has_every_field(bind: BindServer) -> None:
    result = await check_name(name("dinkes"), bind.config())
    data = json.loads(result.to_json())
    assert data["status"] == "taken"
    assert data["detail"] == "exists"
    assert data["records"] == [
        {"name": "dinkes.balangankab.go.id", "type": "A", "value": "10.0.0.5", "ttl": 300}
    ]
    assert data["summary"] == "Sudah dipakai: A 10.0.0.5"
    assert set(data) >= {"wildcard", "servers_asked", "errors", "in_register", "similar"}


async def test_idn_name_is_checked_by_its_a_label(bind: BindServer) -> None:
    result = await check_name(name("bücher"), bind.config())
    assert result.status is CheckStatus.AVAILABLE
    assert json.loads(result.to_json())["unicode"] == "bücher"


async def test_truncated_answer_is_asked_again_over_tcp(bind: BindServer) -> None:
    result = await check_name(name("besar"), bind.config())
    assert result.status is CheckStatus.TAKEN
    assert len(result.records) == 12
    assert all(r.type == "TXT" for r in result.records)


async def test_servfail_is_undetermined(bind: BindServer) -> None:
    cfg = bind.config(parent_domain="rusak.test")
    result = await check_name(name("apa-saja", "rusak.test"), cfg)
    assert result.status is CheckStatus.UNDETERMINED
    assert result.detail is Detail.SERVFAIL
    assert result.summary_id() == "Tidak dapat dipastikan: server DNS mengalami gangguan (SERVFAIL)"
