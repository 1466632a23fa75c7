import pytest

from domains.config import DnsConfig
from tests.support.bind import ZONE, bind, bind_rw, closed_port, silent_port

__all__ = ["bind", "bind_cfg_free", "bind_rw", "closed_port", "silent_port"]


@pytest.fixture
def bind_cfg_free() -> DnsConfig:
    """A complete configuration that needs no server (for pure plan tests)."""
    return DnsConfig(
        parent_domain=ZONE,
        servers=(("127.0.0.1", 9),),
        primary=("127.0.0.1", 9),
        tsig_key_name="bot-key",
        tsig_secret="c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=",
        ttl=300,
        hosting_ipv4="10.20.30.40",
    )
