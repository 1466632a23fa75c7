"""The whole zone, for the register: by AXFR from the primary (signed with the TSIG key) or
from a zone file. Either gives the names below the apex with their records."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import dns.exception
import dns.name
import dns.query
import dns.rdatatype
import dns.tsig
import dns.zone

from domains.config import DnsConfig, format_server

ZoneRecords = tuple[tuple[str, str, str, int], ...]


class ZoneUnreadable(Exception):
    """The zone could not be read; the message is one line for the operator."""


@dataclass(frozen=True)
class ZoneEntry:
    label: str
    """Relative to the zone (``dinkes``, ``x.y``)."""
    records: ZoneRecords
    """(fqdn, type, value, ttl), as the register stores records."""

    @property
    def target(self) -> str | None:
        """What the name points at, in one line (``A 10.0.0.5``, ``CNAME host.``)."""
        for kind in ("CNAME", "A", "AAAA", "NS", "MX", "TXT"):
            values = [v for _n, t, v, _ttl in self.records if t == kind]
            if values:
                return f"{kind} {', '.join(sorted(values))}"
        return None


def zone_entries(zone: dns.zone.Zone) -> list[ZoneEntry]:
    """Every owner name below the apex, with its records (SOA and the apex left out)."""
    origin = zone.origin
    assert origin is not None
    out = []
    for name, node in sorted(zone.nodes.items()):
        if name == dns.name.empty or name == origin:
            continue
        absolute = name.derelativize(origin)
        label = absolute.relativize(origin).to_text()
        records = tuple(
            (absolute.to_text(omit_final_dot=True), dns.rdatatype.to_text(rds.rdtype),
             rd.to_text(origin=origin, relativize=False), int(rds.ttl))
            for rds in node.rdatasets for rd in rds)
        if records:
            out.append(ZoneEntry(label.lower(), tuple(sorted(records))))
    return out


def read_zone_file(path: Path, zone: str) -> list[ZoneEntry]:
    try:
        parsed = dns.zone.from_file(str(path), origin=zone, relativize=True,
                                    check_origin=False)
    except OSError as exc:
        raise ZoneUnreadable(f"cannot read {path}: {exc.strerror or exc}") from None
    except dns.exception.DNSException as exc:
        raise ZoneUnreadable(f"{path} is not a zone file for {zone}: "
                             f"{' '.join(str(exc).split())}") from None
    return zone_entries(parsed)


async def transfer_zone(config: DnsConfig) -> list[ZoneEntry]:
    """AXFR of the zone from the primary (or the first server), signed with the TSIG key."""
    server = config.primary or (config.servers[0] if config.servers else None)
    if server is None:
        raise ZoneUnreadable("no server to transfer the zone from (set DNS_PRIMARY)")
    host, port = server
    keyring = keyname = None
    if config.tsig_key_name and config.tsig_secret:
        keyname = dns.name.from_text(config.tsig_key_name)
        keyring = {keyname: dns.tsig.Key(keyname, config.tsig_secret, config.tsig_algorithm)}
    budget = max(config.timeout * 10, 30.0)

    def transfer() -> dns.zone.Zone:
        messages = dns.query.xfr(host, config.parent_domain, port=port, keyring=keyring,
                                 keyname=keyname, keyalgorithm=config.tsig_algorithm,
                                 timeout=config.timeout, lifetime=budget, relativize=True)
        return dns.zone.from_xfr(messages, relativize=True)

    where = f"{config.parent_domain} from {format_server(server)}"
    try:
        zone = await asyncio.wait_for(asyncio.to_thread(transfer), budget + 1)
    except TimeoutError:
        raise ZoneUnreadable(f"zone transfer of {where}: no answer in time") from None
    except dns.query.TransferError as exc:
        raise ZoneUnreadable(f"zone transfer of {where} refused ({exc})") from None
    except dns.tsig.PeerError as exc:
        raise ZoneUnreadable(f"zone transfer of {where}: TSIG rejected ({exc})") from None
    except dns.exception.DNSException as exc:
        raise ZoneUnreadable(f"zone transfer of {where} failed: {exc}") from None
    except OSError as exc:
        raise ZoneUnreadable(f"zone transfer of {where}: {exc.strerror or exc}") from None
    return zone_entries(zone)
