import pytest

from domains.config import DnsConfig, format_server, parse_server
from tests.support.bind import ZONE


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("127.0.0.1:5353", ("127.0.0.1", 5353)),
        ("127.0.0.1", ("127.0.0.1", 53)),
        (" ns1.balangankab.go.id:53 ", ("ns1.balangankab.go.id", 53)),
        ("[::1]:5353", ("::1", 5353)),
        ("::1", ("::1", 53)),
    ],
)
def test_parse_server(text: str, expected: tuple[str, int]) -> None:
    assert parse_server(text) == expected


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "empty"),
        ("127.0.0.1:", "not a number"),
        ("127.0.0.1:abc", "not a number"),
        ("127.0.0.1:70000", "outside 1-65535"),
        (":53", "host part is empty"),
        ("[::1", "missing ']'"),
        ("[::1]x", "expected ':PORT'"),
        ("fe80::zz", "not a valid IPv6"),
    ],
)
def test_parse_server_errors_are_clear(text: str, words: str) -> None:
    with pytest.raises(ValueError, match=words.replace("[", r"\[").replace("]", r"\]")):
        parse_server(text)


def test_format_server() -> None:
    assert format_server(("::1", 53)) == "[::1]:53"
    assert format_server(("127.0.0.1", 5353)) == "127.0.0.1:5353"


def test_secret_never_printed() -> None:
    cfg = DnsConfig(ZONE, tsig_key_name="bot-key", tsig_secret="c3VwZXJzZWNyZXQ=")
    assert "c3VwZXJzZWNyZXQ=" not in repr(cfg)
    assert "c3VwZXJzZWNyZXQ=" not in str(cfg)
    assert "<hidden>" in repr(cfg)


def test_normalises_and_validates() -> None:
    cfg = DnsConfig(
        parent_domain="Balangankab.Go.Id.",
        servers=["127.0.0.1:5353", ("127.0.0.2", 53)],  # type: ignore[arg-type]
        reserved=(" WWW ",),
    )
    assert cfg.parent_domain == "balangankab.go.id"
    assert cfg.servers == (("127.0.0.1", 5353), ("127.0.0.2", 53))
    assert cfg.reserved == ("www",)
    with pytest.raises(ValueError, match="provider"):
        DnsConfig(ZONE, provider="cloud")
    with pytest.raises(ValueError, match="timeout"):
        DnsConfig(ZONE, timeout=0)
    with pytest.raises(ValueError, match="hosting_ipv4"):
        DnsConfig(ZONE, hosting_ipv4="10.0.0.300")
