"""The crash campaign: 32 journeys through the chat, each one's bot process killed with SIGKILL
at a seeded point (in the form, right after a press, around the step-7 DNS update, inside the
transaction that issues a letter, around an outbox send), restarted and carried to its end.

The bot runs as `python -m bot run` in its own process against the Bot API emulator and a real
BIND 9; the kills are real (a crash point of `bot.crashpoints`, or the test's own SIGKILL while
the emulator holds the bot's answer in the form). Several journeys share a process: the process
that finishes one journey is armed for the next. Afterwards, read from the database, the
emulator's call log and the DNS server: every request in its intended final state, each
transition once in the audit, each step card delivered to its holder once (a second copy only
where the kill fell between Telegram accepting it and the outbox marking it sent: counted and
bounded by those kills), no DNS record the register does not know, and no gap in letter numbers.

A failure prints the seed; `CRASH_SEED=<seed>` runs the same campaign again.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections import Counter
from pathlib import Path

import dns.name
import dns.query
import dns.rdatatype
import dns.tsigkeyring
import dns.zone

from bot.settings import Settings
from devtools.localbind import zone_text
from tests.crash.campaign import (
    INTENDED,
    ROOT,
    BotProcess,
    Campaign,
    card_deliveries,
    expected_cards,
    intended_trail,
    run_journey,
)
from tests.crash.plan import Family, Kind, plan
from tests.support.bind import BindServer
from tests.support.botrun import GROUP_ID, cast, seed
from tests.support.emulator import running_emulator
from tests.support.office import Clock, settings_env

SEED = int(os.environ.get("CRASH_SEED", "20261203"))
LETTER_KINDS = frozenset(Kind) - {Kind.WITHDRAWN}


async def test_crash_campaign(bind_rw: BindServer, tmp_path: Path) -> None:
    journeys = plan(SEED)
    started = time.monotonic()
    async with running_emulator(rate_limits=None) as emu:
        env = {**settings_env(), **bind_rw.env(), "BOT_TOKEN": emu.token,
               "TELEGRAM_API_BASE_URL": emu.base_url, "GROUP_CHAT_ID": str(GROUP_ID),
               "DATABASE_PATH": str(tmp_path / "bot.sqlite3"),
               "DATA_DIR": str(tmp_path / "data"), "LOG_LEVEL": "WARNING",
               # The emulator's flood limits are off, so the bot's own pacing is too.
               "PACE_PRIVATE_PER_SECOND": "0", "PACE_GROUP_PER_MINUTE": "0",
               "PACE_OVERALL_PER_SECOND": "0"}
        await seed(Settings.from_mapping(env), Clock())
        inherited = {k: v for k, v in os.environ.items()
                     if not k.startswith(("BOT_", "TSIG_", "DNS_", "DATABASE_", "DATA_DIR"))}
        python_path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
        bot = BotProcess({**inherited, **env, "PYTHONPATH": python_path}, tmp_path,
                         tmp_path / "bot.log")
        c = Campaign(emu, cast(emu), tmp_path / "bot.sqlite3", bot, journeys)
        await c.launch(-1)
        try:
            for journey in journeys:
                await run_journey(c, journey)
                assert journey.kills == [journey.point], (
                    f"seed {SEED}: journey {journey} ended with kills {journey.kills}")
            assert await bot.stop() == 0, bot.tail()
        except BaseException:
            if not bot.dead:
                await bot.kill()
            print(f"crash campaign seed {SEED}\n" + "\n".join(map(str, journeys)))
            raise
        elapsed = time.monotonic() - started
        print(f"crash campaign seed {SEED}: {len(journeys)} journeys, {len(c.kills)} kills, "
              f"{bot.starts} bot processes, {elapsed:.1f}s")

        print("kills:", dict(sorted(Counter(k.point for k in c.kills).items())))
        log = bot.log.read_text(errors="replace")
        assert "Traceback" not in log and " ERROR " not in log, bot.tail(60)

        # Every journey was killed once, every family of points several times.
        assert len(c.kills) == len(journeys) >= 30
        covered = Counter(j.family for j in journeys)
        assert all(covered[f] >= 5 for f in Family), covered

        # Every request in its intended final state, each transition once in the audit.
        for journey in journeys:
            assert journey.request_id is not None
            state, outcome = c.query("SELECT state, outcome FROM requests WHERE id = ?",
                                     journey.request_id)[0]
            assert (state, outcome) == INTENDED[journey.kind], (SEED, str(journey))
            trail = [str(a) for (a,) in c.query(
                "SELECT action FROM audit WHERE request_id = ? ORDER BY id", journey.request_id)]
            assert trail == intended_trail(journey), (SEED, str(journey), trail)
        assert len(c.query("SELECT id FROM requests")) == len(journeys)

        # Each step card reached its holder once; a second copy only in the documented window.
        delivered = card_deliveries(emu)
        assert set(delivered) == expected_cards(c), SEED
        twice = {key: n for key, n in delivered.items() if n > 1}
        window = Counter(k.journey + 1 for k in c.kills if k.point == "outbox_sent")
        assert all(n == 2 for n in twice.values()), twice
        per_request = Counter(request_id for _chat, request_id, _version in twice)
        assert all(per_request[r] <= window[r] for r in per_request), (twice, window)
        print(f"step cards: {sum(delivered.values())} sent, {len(twice)} sent twice "
              f"(kills between send and mark-sent: {sum(window.values())})")

        # Nothing owed, nothing given up; no call failed but those the kills explain.
        assert c.query("SELECT id, chat_id, kind, request_id, sent_at, last_error FROM outbox "
                       "WHERE sent_at IS NULL OR sent_at IN ('failed', 'unreachable')") == []
        # ...and an upload cut off because the bot was killed while sending it.
        explained = ("terminated by other getUpdates", "held and dropped", "not modified",
                     "Connection lost")
        failed = [(x.method, x.error) for x in emu.calls if not x.ok
                  and not any(why in str(x.error) for why in explained)]
        assert failed == []

        # No DNS record the register does not know, no intent left unsettled.
        assert c.query("SELECT COUNT(*) FROM record_intents WHERE settled_at IS NULL")[0][0] == 0
        registered = {(str(name).rstrip(".").lower(), str(kind), str(value))
                      for (records,) in c.query(
                          "SELECT records FROM subdomains WHERE removed_at IS NULL")
                      for name, kind, value, _ttl in json.loads(str(records))}
        assert registered, "the created journeys registered their records"
        assert added_records(bind_rw) == registered

        # Letters: one per journey that ends with one, numbers without a gap, each file
        # registered with its hash, and no letter file the register does not know.
        letters = c.query("SELECT year, sequence, request_id, pdf_path, sha256 "
                          "FROM outgoing_register ORDER BY year, sequence")
        assert len(letters) == sum(j.kind in LETTER_KINDS for j in journeys)
        assert [s for _y, s, *_ in letters] == list(range(1, len(letters) + 1))
        assert len({r for _y, _s, r, *_ in letters}) == len(letters)
        for *_, path, sha256 in letters:
            assert _sha256(Path(str(path))) == sha256
        on_disk = {str(p) for p in (tmp_path / "data" / "letters").glob("*.pdf")}
        assert on_disk == {str(p) for *_, p, _h in letters}, on_disk


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def added_records(bind: BindServer) -> set[tuple[str, str, str]]:
    """The zone's records now (by zone transfer) that its file did not have at the start."""
    keyring = dns.tsigkeyring.from_text({bind.key_name: bind.key_secret})
    now = dns.zone.from_xfr(dns.query.xfr(bind.host, bind.zone, port=bind.port,
                                          keyring=keyring, keyname=bind.key_name))
    before = dns.zone.from_text(zone_text(bind.zone), origin=bind.zone, relativize=False)
    initial = _records(before, bind.zone)
    return {r for r in _records(now, bind.zone) if r not in initial and r[1] != "SOA"}


def _records(zone: dns.zone.Zone, origin: str) -> set[tuple[str, str, str]]:
    parent = dns.name.from_text(origin)
    found = set()
    for name, rdataset in zone.iterate_rdatasets():
        absolute = name if name.is_absolute() else name.derelativize(parent)
        for rdata in rdataset:
            found.add((absolute.to_text().rstrip(".").lower(),
                       dns.rdatatype.to_text(rdataset.rdtype),
                       rdata.to_text(origin=parent, relativize=False)))
    return found
