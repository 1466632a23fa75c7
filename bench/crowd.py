"""`bench.chat --crowd`: many people at once. 20 officials (10 Kabid and 10 Kasi holders) and 20
requesters act concurrently against the bot process (emulator flood limits off). Each Kabid/Kasi
pair keeps two requests moving between step 2 and step 3 (the Kabid's "Disposisi ke Kasi ·
Pelajari dan laporkan" and Lewati on the card, the Kasi's "Kembalikan" with a typed note);
every requester asks /status and /status NUMBER in a loop meanwhile. The officials act the
moment a card appears (a closed loop: the bot's speed sets the rate, and the rate its waits),
or with `rate` at most that many actions a second between them (an offered load).

Measured: actions (transitions) per second, and the wait from a person's last input of an action
(Lewati press, typed note) to the moment the next person's new card for that request is shown
(the emulator's time of the bot's call; a simulated person busy with their other request reads
it later, which is not the bot's wait). The first time a request reaches a position, every
holder gets its card; after that, the holder who handled it there before (`step_holders`).
The bot's pacing is off (PACE_*=0), as the emulator's flood limits are, so the bot's own cost
per message sets the pace (see bench/README.md).
"""

from __future__ import annotations

import asyncio
import sqlite3
import statistics
import time
from collections import Counter
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from bench._common import (
    NO_PACING,
    percentile,
    proc_cpu_seconds,
    proc_status_mib,
    summary_ms,
    table,
)
from bot.service import ActionInput
from bot.texts import choice_label
from bot.workflow import Action, Instruction, Role
from devtools.emulator import BotApiEmulator, SimMessage, SimUser
from storage.models import NewRequest
from tests.support.office import HEAD, Clock, open_office, person

PAIRS = 10
REQUESTERS = 20
KABID0, KASI0, REQUESTER0 = 1100, 1200, 2100
WAIT = 30.0
NOTE = "Mohon dilengkapi lampiran surat permohonan"
TARGET_RATE, TARGET_P95 = 50.0, 0.100
"""Issue #16's target: at least 50 actions a second, the next person's card within 100 ms
(p95)."""
THINK = 1.0
"""Seconds a requester waits between two commands (reading the answer)."""


@dataclass
class Crowd:
    committed: dict[str, float] = field(default_factory=dict)  # number → last input at
    handoff: list[float] = field(default_factory=list)  # last input → next person's card
    first: list[float] = field(default_factory=list)  # the same, after everyone's first action
    actions: int = 0
    status: list[float] = field(default_factory=list)
    stop: bool = False


async def prepare(settings: dict[str, str], folder: Path) -> list[tuple[str, str]]:
    """10 Kabid, 10 Kasi, 20 agencies with a contact each; per pair one request at step 2 and
    one at step 3. Returns (step-2 number, step-3 number) per pair."""
    clock = Clock(datetime.now(UTC))
    office = await open_office(folder / "bot.sqlite3", clock,
                               **{k: v for k, v in settings.items() if k != "DATABASE_PATH"})
    store = office.store
    try:
        now = clock()
        await store.set_position(Role.KEPALA_DINAS, HEAD, "Drs. H. Rahmadi, M.Si", now=now)
        await store.set_position(Role.ADMIN, 106, "Admin Diskominfo", now=now)
        for i in range(PAIRS):
            await store.set_position(Role.KABID, KABID0 + i, f"Kabid {i:02d}", now=now)
            await store.set_position(Role.KASI, KASI0 + i, f"Kasi {i:02d}", now=now)
        head = await person(office, HEAD)
        numbers = []
        for i in range(REQUESTERS):
            agency = await office.add_agency(f"pd{i:02d}", f"Perangkat Daerah {i:02d}",
                                              contact=REQUESTER0 + i,
                                              contact_name=f"Pemohon {i:02d}")
            requester = await person(office, REQUESTER0 + i)
            filed = await office.submit(NewRequest(
                agency_id=agency.id, requester_id=requester.id, subdomain=f"layanan{i}",
                purpose="Portal layanan", target_kind="ip", target_value="203.0.113.10",
                letter_number=f"400/{i}/PD/2026", letter_date=date(2026, 11, 27)))
            moved = await office.act(head, filed.id, ActionInput(
                Action.DISPOSE, filed.version, instruction=Instruction.FOLLOW_UP))
            if i % 2:
                kabid = await person(office, KABID0 + i // 2)
                moved = await office.act(kabid, moved.id, ActionInput(
                    Action.DISPOSE, moved.version, instruction=Instruction.STUDY_AND_REPORT))
            numbers.append(moved.number)
        return [(numbers[2 * p], numbers[2 * p + 1]) for p in range(PAIRS)]
    finally:
        await office.close()


def card_of(step: int, numbers: tuple[str, ...]) -> Callable[[SimMessage], bool]:
    return lambda m: (not m.edited and bool(m.buttons) and f"Tahap {step}" in m.text
                      and any(n in m.text for n in numbers))


def new_after(after: int, needle: str) -> Callable[[SimMessage], bool]:
    return lambda m: m.message_id > after and not m.edited and needle in m.text


def prompt_on(card: SimMessage) -> Callable[[SimMessage], bool]:
    """The card edited to ask for the note (the step flow asks on the card itself)."""
    return lambda m: m.edited and m.message_id == card.message_id and "✏️" in m.text


def done_on(card: SimMessage) -> Callable[[SimMessage], bool]:
    return lambda m: m.edited and m.message_id == card.message_id and "✅" in m.text


async def official(user: SimUser, step: int, numbers: tuple[str, ...], actions: int,
                   crowd: Crowd, interval: float, offset: float) -> None:
    """Act on each card of `step` for the pair's requests; with an `interval`, at most one
    action per interval (this person's share of the offered rate), starting at `offset`."""
    loop = asyncio.get_running_loop()
    due = loop.time() + offset
    if step == 2:  # the Kabid's own card of the request they moved on while preparing
        await user.wait_for(card_of(2, numbers[1:]), WAIT)
    for i in range(actions):
        card = await user.wait_for(card_of(step, numbers), WAIT)
        number = next(n for n in numbers if n in card.text)
        if number in crowd.committed:  # when the card was shown, not when this person looked
            # i == 1: the card that everyone's first action, all at once, sent
            (crowd.handoff if i > 1 else crowd.first).append(
                card.shown_at - crowd.committed.pop(number))
        if interval:
            await asyncio.sleep(max(0.0, due - loop.time()))
            due = max(due, loop.time()) + interval  # late: the next one interval later
        if step == 2:
            await user.press(card, choice_label("Disposisi ke Kasi",
                                                Instruction.STUDY_AND_REPORT.value), timeout=WAIT)
            ask = await user.wait_for(prompt_on(card), WAIT)
            crowd.committed[number] = time.perf_counter()
            await user.press(ask, "Lewati", wait_answer=False)
        else:
            await user.press(card, "Kembalikan", timeout=WAIT)
            await user.wait_for(prompt_on(card), WAIT)
            crowd.committed[number] = time.perf_counter()
            await user.send_text(NOTE)
        await user.wait_for(done_on(card), WAIT)
        crowd.actions += 1


async def requester(user: SimUser, number: str, crowd: Crowd) -> None:
    while not crowd.stop:
        for command, answer in (("/status", "Permohonan Bapak/Ibu\n"),
                                (f"/status {number}", "Riwayat")):
            last = user.last.message_id if user.last else 0
            start = time.perf_counter()
            await user.send_command(command)
            await user.wait_for(new_after(last, answer), WAIT)
            crowd.status.append(time.perf_counter() - start)
            await asyncio.sleep(THINK)


def owed(folder: Path) -> int:
    """Messages the bot process still owes (read from its database file)."""
    with closing(sqlite3.connect(f"file:{folder / 'bot.sqlite3'}?mode=ro", uri=True)) as db:
        return int(db.execute("SELECT count(*) FROM outbox WHERE sent_at IS NULL").fetchone()[0])


def met(offered: float, achieved: float, p95: float) -> bool:
    """The target holds: officials offered at least TARGET_RATE actions a second, the bot kept
    up (≥ 95 %: the staggered start and the last actions' tail count in the wall time), and
    the next person's card came within TARGET_P95 (p95). A closed loop (offered 0) shows
    capacity, not the target."""
    return offered >= TARGET_RATE and achieved >= 0.95 * offered and p95 <= TARGET_P95


async def bench(emu: BotApiEmulator, folder: Path, actions: int, rate_limiter: bool,
                start_bot: Callable[..., object], stop_bot: Callable[..., object],
                base: dict[str, str], rate: float = 0.0) -> list[str]:
    settings = {**base, "BOT_TOKEN": emu.token, "TELEGRAM_API_BASE_URL": emu.base_url,
                "DATABASE_PATH": str(folder / "bot.sqlite3"), "DATA_DIR": str(folder / "data"),
                "LOG_LEVEL": "WARNING", "MAX_OPEN_REQUESTS": "0", **NO_PACING}
    pairs = await prepare(settings, folder)
    kabids = [emu.user(KABID0 + i, f"Kabid {i}") for i in range(PAIRS)]
    kasis = [emu.user(KASI0 + i, f"Kasi {i}") for i in range(PAIRS)]
    requesters = [emu.user(REQUESTER0 + i, f"Pemohon {i}") for i in range(REQUESTERS)]
    crowd = Crowd()
    for tid in (HEAD, 106):  # the Kepala Dinas and the admin get messages too
        emu.user(tid, f"Pejabat {tid}")
    proc = await start_bot(settings, rate_limiter)  # type: ignore[misc]
    try:
        pid = proc.pid
        # the cards queued while preparing reach everyone first (not measured)
        ready = card_of(2, tuple(n for pair in pairs for n in pair))
        for _ in range(int(WAIT / 0.05)):
            if sum(ready(m) for m in kabids[-1].inbox) >= PAIRS and not owed(folder):
                break  # and every other message of the preparation delivered
            await asyncio.sleep(0.05)
        interval = 2 * PAIRS / rate if rate else 0.0  # each official's share of the rate
        cpu0, t0 = proc_cpu_seconds(pid), time.perf_counter()
        own0 = time.process_time()
        calls0 = len(emu.calls)
        readers = [asyncio.create_task(requester(r, pairs[i // 2][i % 2], crowd))
                   for i, r in enumerate(requesters)]
        await asyncio.gather(
            *(official(k, 2, pair, actions, crowd, interval, i * interval / (2 * PAIRS))
              for i, (k, pair) in enumerate(zip(kabids, pairs, strict=True))),
            *(official(k, 3, pair, actions, crowd, interval,
                       (PAIRS + i) * interval / (2 * PAIRS))
              for i, (k, pair) in enumerate(zip(kasis, pairs, strict=True))))
        wall = time.perf_counter() - t0
        sends = sum(c.method in ("sendMessage", "editMessageText", "editMessageReplyMarkup")
                    for c in emu.calls[calls0:])
        by_method = Counter(c.method for c in emu.calls[calls0:] if c.method != "getUpdates")
        crowd.stop = True
        await asyncio.gather(*readers)
        cpu = proc_cpu_seconds(pid) - cpu0
        own = time.process_time() - own0
        hwm = proc_status_mib(pid, "VmHWM")
    finally:
        await stop_bot(proc)  # type: ignore[misc]
    p95 = percentile(crowd.handoff, 95)
    rows = [
        ("last input → next person's new card", len(crowd.handoff), *summary_ms(crowd.handoff)),
        ("  the same after everyone's first action (all at once)", len(crowd.first),
         *summary_ms(crowd.first)),
        ("/status and /status NUMBER meanwhile", len(crowd.status), *summary_ms(crowd.status)),
    ]
    return [
        table(f"Many people at once: {2 * PAIRS} officials ({PAIRS} Kabid, {PAIRS} Kasi), "
              f"{REQUESTERS} requesters (emulator flood limits off), officials acting "
              + (f"at {rate:g} actions/s in all" if rate else "as fast as they can"),
              ["what", "n", "p50 ms", "p95 ms", "max ms"], rows),
        table("Throughput", ["measure", "value"], [
            ("actions (transitions)", crowd.actions),
            ("seconds", f"{wall:.1f}"),
            ("actions per second", f"{crowd.actions / wall:.1f}"),
            ("p95 last input → next card (ms)", f"{p95 * 1000:.1f}"),
            (f"target: ≥ {TARGET_RATE:g} actions/s offered and kept up with, p95 ≤ "
             f"{TARGET_P95 * 1000:g} ms", "met" if met(rate, crowd.actions / wall, p95)
             else "NOT met"),
            ("median last input → next card (ms)",
             f"{statistics.median(crowd.handoff) * 1000:.1f}"),
            ("messages sent or edited per action (incl. /status answers)",
             f"{sends / crowd.actions:.1f}"),
            ("messages sent or edited per second", f"{sends / wall:.1f}"),
            ("bot CPU per action (ms)", f"{cpu / crowd.actions * 1000:.1f}"),
            ("bot CPU busy (share of one core)", f"{cpu / wall:.0%}"),
            ("emulator and people: CPU busy (share of one core)", f"{own / wall:.0%}"),
            ("bot peak RSS, VmHWM (MiB)", f"{hwm:.1f}"),
        ]),
        table("Bot API calls per action (all people, /status answers included)",
              ["method", "per action"],
              [(method, f"{n / crowd.actions:.1f}") for method, n in by_method.most_common()]),
    ]
