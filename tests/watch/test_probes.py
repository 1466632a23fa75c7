"""The probes on their own (`watch/`, no office): two authoritative servers that disagree, a
server that does not answer, a web server that accepts and stays silent, one that refuses."""

from __future__ import annotations

import time
from pathlib import Path

from tests.support.bind import ZONE, closed_port, start_bind
from watch.config import WatchConfig, parse_networks
from watch.probe import watch_names

__all__ = ["closed_port"]


async def test_servers_that_disagree_or_stay_silent_and_web_ports_that_never_answer(
        tmp_path: Path, silent_port: tuple[str, int], closed_port: tuple[str, int]) -> None:
    with start_bind(tmp_path / "a", extra="situs IN A 127.0.0.1\nsama IN A 127.0.0.1\n") as a, \
            start_bind(tmp_path / "b", extra="situs IN A 127.0.0.2\nsama IN A 127.0.0.1\n") as b:
        config = WatchConfig(zone=ZONE, servers=(a.server, b.server), dns_timeout=1.0,
                             http_port=silent_port[1], https_port=closed_port[1], timeout=1.0,
                             allowed_networks=parse_networks("127.0.0.0/8"))
        started = time.monotonic()
        reports = {r.label: r for r in await watch_names(["situs", "sama"], config)}
        assert time.monotonic() - started < 4

        mismatch = reports["situs"].problems[0]
        assert mismatch.kind == "dns_mismatch"
        assert f"127.0.0.1:{a.port} → NOERROR AA: situs.{ZONE} A 127.0.0.1" in mismatch.evidence
        assert f"127.0.0.1:{b.port} → NOERROR AA: situs.{ZONE} A 127.0.0.2" in mismatch.evidence

        same = reports["sama"]
        assert sorted(p.kind for p in same.problems) == ["http_down", "https_down"]
        assert same.http == "down: no answer within 1 s"
        assert same.https == "down: Connection refused"

        # A TLS port that accepts and never shakes hands is given up at the timeout.
        stalled = WatchConfig(zone=ZONE, servers=(a.server,), dns_timeout=1.0,
                              http_port=closed_port[1], https_port=silent_port[1], timeout=1.0,
                              allowed_networks=parse_networks("127.0.0.0/8"))
        started = time.monotonic()
        report = (await watch_names(["sama"], stalled))[0]
        assert time.monotonic() - started < 3
        assert report.https == "down: no answer within 1 s"

        silent = WatchConfig(zone=ZONE, servers=(a.server, silent_port), dns_timeout=1.0,
                             allowed_networks=parse_networks("127.0.0.1/32"))
        report = (await watch_names(["dinkes"], silent))[0]
        assert [p.kind for p in report.problems] == ["dns_mismatch"]
        assert f"127.0.0.1:{silent_port[1]} → timeout" in report.problems[0].evidence
        assert report.http == "not probed"  # 10.0.0.5 is outside 127.0.0.1/32


async def test_names_waiting_for_a_slot_hold_no_task(tmp_path: Path) -> None:
    """A register of tens of thousands of names: only the `concurrency` names being probed
    exist as tasks (a task per waiting name held ~3 KiB each: 140 MiB at 48k names)."""
    import asyncio

    from watch.probe import NameReport

    labels = [f"nama{i:03d}" for i in range(300)]
    with start_bind(tmp_path / "a") as a:
        config = WatchConfig(zone=ZONE, servers=(a.server,), dns_timeout=1.0, concurrency=4,
                             allowed_networks=parse_networks("127.0.0.0/8"))
        before = len(asyncio.all_tasks())
        most, done = 0, []

        async def seen(report: NameReport) -> None:
            nonlocal most
            most = max(most, len(asyncio.all_tasks()) - before)
            done.append(report.label)

        reports = await watch_names(labels, config, on_done=seen)
    assert [r.label for r in reports] == labels
    assert sorted(done) == labels
    assert all(r.dns != "ok" for r in reports)  # none of them is in the zone
    # a few tasks per slot (its name, its DNS queries and web visits), never one per name (300)
    assert 0 < most <= 4 * 8
