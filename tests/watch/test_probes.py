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


async def test_reports_settle_in_order_a_batch_at_a_time_and_few_are_ever_alive(
        tmp_path: Path, silent_port: tuple[str, int]) -> None:
    """A register of tens of thousands of names: only the `concurrency` names being probed
    exist as tasks (a task per waiting name held ~3 KiB each: 140 MiB at 48k names), and the
    reports reach the caller in the labels' order, `batch` at a time, with at most
    2 × batch + concurrency of them alive: also while one slow name (its web ports never
    answer) holds back the batch it belongs to and the fast names race ahead."""
    import asyncio
    import gc

    from watch.probe import NameReport, watch_in_batches

    fast = [f"nama{i:03d}" for i in range(310)]
    slow = [*fast[:5], "lambat", *fast[6:]]  # in the zone, on web ports that stay silent

    async def run(labels: list[str], config: WatchConfig) -> tuple[list[list[str]], int, int]:
        """The batches as settled (the last one marked), and the most tasks and reports
        alive while one was settled."""
        before = len(asyncio.all_tasks())
        tasks, alive = 0, 0
        batches: list[list[str]] = []

        async def settle(chunk: list[NameReport], last: bool) -> None:
            nonlocal tasks, alive
            tasks = max(tasks, len(asyncio.all_tasks()) - before)
            alive = max(alive, sum(isinstance(o, NameReport) for o in gc.get_objects()))
            batches.append([r.label for r in chunk] + (["(last)"] if last else []))

        assert await watch_in_batches(labels, config, settle, batch=20) == len(labels)
        return batches, tasks, alive

    with start_bind(tmp_path / "a", extra="lambat IN A 127.0.0.1\n") as a:
        config = WatchConfig(zone=ZONE, servers=(a.server,), dns_timeout=1.0, concurrency=4,
                             http_port=silent_port[1], https_port=silent_port[1], timeout=1.0,
                             allowed_networks=parse_networks("127.0.0.0/8"))
        batches, tasks, alive = await run(fast, config)
        # Each of the 4 slots: its worker and, with one DNS server, that server's view of the
        # name, its two queries and their two socket reads (dnspython's wait_for tasks), or the
        # two web visits: never a task per waiting name (the old code's 310; its bound of 4 per
        # slot failed now and then, 19 seen).
        assert 0 < tasks <= 4 * 6
        assert batches == [fast[i:i + 20] for i in range(0, 300, 20)] + [
            [*fast[300:], "(last)"]]
        assert 20 <= alive <= 2 * 20 + 4

        started = time.monotonic()
        batches, _tasks, alive = await run(slow, config)
        assert time.monotonic() - started >= 1.0  # the slow name waited for its web ports
        assert batches == [slow[i:i + 20] for i in range(0, 300, 20)] + [
            [*slow[300:], "(last)"]]
        assert 20 <= alive <= 2 * 20 + 4
        assert (await watch_names(["lambat"], config))[0].http == "down: no answer within 1 s"


async def test_names_by_hand_come_back_in_order_and_none_is_no_work(tmp_path: Path) -> None:
    with start_bind(tmp_path / "a") as a:
        config = WatchConfig(zone=ZONE, servers=(a.server,), dns_timeout=1.0, concurrency=3,
                             allowed_networks=parse_networks("127.0.0.0/8"))
        labels = ["c", "a", "b", "e", "d"]
        assert [r.label for r in await watch_names(labels, config)] == labels
        assert await watch_names([], config) == []
