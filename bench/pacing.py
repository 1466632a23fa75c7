"""`bench.pacing`: the bot against the Bot API emulator with Telegram's flood limits ON (about
1 message/s per private chat with bursts of 5, 20/min per group, 30/s overall), the real
Application in this process and a throwaway BIND 9 for steps 4 and 7.

1. A normal journey by chat: the /ajukan form, the nine steps to "Diterima", and a declined
   request (the decline letter). Every person answers at once (`--think 0`, the worst case)
   or after `--think` seconds of reading, as people do.
2. A burst: `--burst` requests filed at once by as many agencies and disposed by the Kepala
   Dinas in one go (every card, receipt and group card at the same moment).

Reported: the 429 answers the emulator gave (target 0), each hop (a person's last input →
the next person's card, or → the requester's letter), the direct replies (input → the bot's
answer) and how long the burst takes to deliver against what the limits allow.

    .venv/bin/python -m bench.pacing [--think 0] [--burst 10]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from bench._common import summary_ms, table
from bot.service import ActionInput, Office
from bot.texts import CANCEL_LABEL, choice_label
from bot.workflow import Action, Instruction
from devtools.emulator import BotApiEmulator, SimMessage, SimUser
from devtools.localbind import start_bind
from storage.models import NewRequest
from tests.support import botrun
from tests.support.botrun import TINY_PDF, cast, office_of, running_office_bot, seed, settings_for
from tests.support.chat import PERIHAL, done_on
from tests.support.emulator import running_emulator
from tests.support.office import HEAD, Clock, person, settings_env

WAIT = 30.0


@dataclass
class Timings:
    hops: list[tuple[str, float]] = field(default_factory=list)
    replies: list[float] = field(default_factory=list)
    think: float = 0.0
    last_input: float = 0.0

    async def pause(self) -> None:
        if self.think:
            await asyncio.sleep(self.think)


def _new(match: str | Callable[[SimMessage], bool]) -> Callable[[SimMessage], bool]:
    if callable(match):
        return lambda m: not m.edited and match(m)
    return lambda m: not m.edited and match in m.text


async def reply(t: Timings, user: SimUser, send: Callable[[], object],
                answer: str | Callable[[SimMessage], bool], *, edit: bool = False) -> SimMessage:
    """One input and the bot's direct answer to it (a new message, or an `edit`), timed."""
    await t.pause()
    start = t.last_input = time.perf_counter()
    await send()  # type: ignore[misc]
    got = await user.wait_for(answer if edit else _new(answer), WAIT)
    t.replies.append(time.perf_counter() - start)
    return got


async def form(t: Timings, r: SimUser, name: str = "layanan") -> str:
    """The /ajukan form as `tests.support.chat.submit_by_chat` fills it, each answer timed."""
    agency = await reply(t, r, lambda: r.send_command("/ajukan"), "Pilih Perangkat Daerah")
    await reply(t, r, lambda: r.press(agency, "Dinas Kesehatan"), "2/9")
    await reply(t, r, lambda: r.send_text(name), "3/9")
    target = await reply(t, r, lambda: r.send_text("Portal layanan kesehatan masyarakat"), "4/9")
    await reply(t, r, lambda: r.press(target, "Alamat IP"), "Tuliskan Alamat IP")
    await reply(t, r, lambda: r.send_text("103.28.12.10"), "5/9")
    await reply(t, r, lambda: r.tap("Bagikan kontak saya"), "6/9")
    await reply(t, r, lambda: r.send_text("400/123/Dinkes/2026"), "7/9")
    await reply(t, r, lambda: r.send_text("27-11-2026"), "8/9")
    await reply(t, r, lambda: r.send_text(PERIHAL), "9/9")
    summary = await reply(t, r, lambda: r.send_document(TINY_PDF, "surat-permohonan.pdf"),
                          "Ringkasan permohonan")
    sent = await reply(t, r, lambda: r.press(summary, "Kirim"), "Permohonan terkirim",
                       edit=True)
    return sent.text.split("nomor ")[1].rstrip(".")


async def step(t: Timings, user: SimUser, card: SimMessage, label: str, note: str | None = None,
               choose: str | None = None) -> float:
    """Press `label` (with its choice: the card's own button), then give the note or go on
    without one on the card; returns when the last input went."""
    pressed = choice_label(label, choose) if choose else label
    ask = await reply(t, user, lambda: user.press(card, pressed),
                      lambda m: m.edited and m.message_id == card.message_id
                      and CANCEL_LABEL in m.button_texts, edit=True)
    await t.pause()
    last = time.perf_counter()
    if note is None:
        [go_on] = [b for b in ask.button_texts if b != CANCEL_LABEL]
        await user.press(ask, go_on, wait_answer=False)
    else:
        await user.send_text(note)
    await user.wait_for(done_on(card), WAIT)
    t.replies.append(time.perf_counter() - last)
    return last


async def hop(t: Timings, name: str, since: float, user: SimUser,
              match: str | Callable[[SimMessage], bool]) -> SimMessage:
    got = await user.wait_for(_new(match), WAIT)
    t.hops.append((name, time.perf_counter() - since))
    return got


async def journey(emu: BotApiEmulator, tmp: Path, think: float) -> tuple[Timings, float, int]:
    """Form, the nine steps, the receipt; then a declined request. Returns the timings, the
    wall time and the 429s."""
    clock = Clock()
    settings = settings_for(emu, tmp)
    await seed(settings, clock)
    p = cast(emu)
    t = Timings(think=think)
    start = time.perf_counter()
    async with running_office_bot(settings, clock) as app:
        office = office_of(app)
        await form(t, p.requester)
        card = await hop(t, "'Kirim' → Kepala Dinas card (1)", t.last_input, p.head, "Tahap 1")
        route: list[tuple[SimUser, str, str | None, str | None, SimUser, str, str]] = [
            (p.head, "Disposisi ke Kabid", "Segera", "Tindak lanjuti", p.kabid, "Tahap 2",
             "1 → 2 Kabid"),
            (p.kabid, "Disposisi ke Kasi", None, "Pelajari dan laporkan", p.kasi, "Tahap 3",
             "2 → 3 Kasi"),
            (p.kasi, "Perintahkan pengecekan", None, None, p.staff, "Tahap 4", "3 → 4 staff"),
            (p.staff, "Kirim laporan teknis", "Nama tersedia", None, p.kasi, "Tahap 5",
             "4 → 5 Kasi (DNS check)"),
            (p.kasi, "Kirim laporan ke Kabid", None, None, p.kabid, "Tahap 6", "5 → 6 Kabid"),
            (p.kabid, "Setujui pembuatan", None, None, p.staff, "Tahap 7", "6 → 7 staff"),
            (p.staff, "Buat subdomain", None, None, p.head, "Tahap 8",
             "7 → 8 Kepala Dinas (DNS update, KONSEP)"),
        ]
        for user, label, note, choose, following, needle, name in route:
            last = await step(t, user, card, label, note, choose)
            card = await hop(t, name, last, following, needle)
        last = await step(t, p.head, card, "Setujui dan tandatangani")
        receipt = await hop(t, "8 → requester's letter (signed)", last, p.requester,
                            lambda m: m.document is not None)
        button = receipt if "Diterima" in receipt.button_texts else (
            await p.requester.wait_for(lambda m: "Diterima" in m.button_texts, WAIT))
        await t.pause()
        pressed = time.perf_counter()
        await p.requester.press(button, "Diterima")
        await p.requester.wait_for(done_on(button), WAIT)
        t.replies.append(time.perf_counter() - pressed)

        # A declined request: the Kepala Dinas refuses at step 1 with a reason.
        number = await form(t, p.requester, "aplikasi")
        card = await p.head.wait_for(_new(lambda m: "Tahap 1" in m.text and number in m.text),
                                     WAIT)
        last = await step(t, p.head, card, "Tolak permohonan",
                          "Subdomain tidak sesuai tugas pokok dan fungsi Dinas")
        await hop(t, "decline → requester's letter", last, p.requester,
                  lambda m: m.document is not None)
        await settled(office)
    return t, time.perf_counter() - start, _too_many(emu)


async def burst(emu: BotApiEmulator, tmp: Path, n: int) -> list[tuple[str, object]]:
    """`n` agencies file at once and the Kepala Dinas disposes all n in one go."""
    clock = Clock()
    settings = settings_for(emu, tmp)
    await seed(settings, clock)
    p = cast(emu)
    contacts = [emu.user(5000 + i, f"Pemohon {i}") for i in range(n)]
    async with running_office_bot(settings, clock) as app:
        office = office_of(app)
        filed = []
        for i in range(n):
            await office.add_agency(f"pd{i:02d}", f"Perangkat Daerah {i:02d}",
                                    contact=5000 + i, contact_name=f"Pemohon {i}")
        start = time.perf_counter()
        for i in range(n):
            who = await person(office, 5000 + i)
            found = await office.store.agency_by_code(f"pd{i:02d}")
            filed.append(await office.submit(NewRequest(
                agency_id=found.id, requester_id=who.id, subdomain=f"layanan{i}",
                purpose="Portal layanan", target_kind="ip", target_value="203.0.113.10",
                letter_number=f"400/{i}/PD/2026", letter_date=date(2026, 11, 27))))
        head = await person(office, HEAD)
        for request in filed:
            await office.act(head, request.id, ActionInput(
                Action.DISPOSE, request.version, instruction=Instruction.FOLLOW_UP))
        queued = time.perf_counter() - start
        first_card = await p.kabid.wait_for(_new("Tahap 2"), WAIT)
        first = time.perf_counter() - start
        del first_card
        await settled(office, 300)
        drained = time.perf_counter() - start
    sends = [c for c in emu.calls if c.ok and c.method in ("sendMessage", "sendDocument")]
    per_chat: dict[str, int] = {}
    for c in sends:
        per_chat[str(c.params.get("chat_id"))] = per_chat.get(str(c.params.get("chat_id")), 0) + 1
    busiest = max(per_chat.values())
    p50_contacts = sum(1 for u in contacts if u.inbox)
    return [
        ("requests filed and disposed at once", n),
        ("messages sent (sendMessage + sendDocument)", len(sends)),
        ("messages to the busiest private chat (Kabid)", busiest),
        ("least seconds the limits allow for it (burst 5, then 1/s)",
         f"{max(0, busiest - 5):.1f}"),
        ("seconds to queue (office service)", f"{queued:.2f}"),
        ("seconds to the Kabid's first card", f"{first:.2f}"),
        ("seconds until the outbox is empty", f"{drained:.1f}"),
        ("requesters who got their receipt", p50_contacts),
        ("429 answers from the emulator", _too_many(emu)),
    ]


async def settled(office: Office, seconds: float = 60.0) -> None:
    """Until the outbox owes nothing (retries included)."""
    from tests.support.chat import owed

    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while await owed(office):
        if loop.time() > deadline:
            raise SystemExit(f"{await owed(office)} messages still owed after {seconds} s")
        await asyncio.sleep(0.05)


def _too_many(emu: BotApiEmulator) -> int:
    return sum(1 for c in emu.calls if c.status == 429)


async def run(think: float, n_burst: int) -> list[str]:
    out: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-pacing-") as tmp:
        folder = Path(tmp)
        with start_bind(folder / "bind", settings_env()["PARENT_DOMAIN"]) as bind:
            botrun.DNS_ENV.update(bind.env())
            async with running_emulator() as emu:
                t, wall, errors = await journey(emu, folder / "journey", think)
            rows = [(name, f"{s * 1000:.0f}") for name, s in t.hops]
            out.append(table(
                f"Journey by chat, emulator flood limits ON, think {think:g} s "
                f"({wall:.1f} s in all; 429 answers: {errors})",
                ["hop: last input → next person's message", "ms"], rows))
            hops = [s for _, s in t.hops]
            out.append(table("Summary", ["what", "n", "p50 ms", "p95 ms", "max ms"], [
                ("hops", len(hops), *summary_ms(hops)),
                ("input → the bot's direct answer", len(t.replies), *summary_ms(t.replies)),
            ]))
            if n_burst:
                async with running_emulator() as emu:
                    rows2 = await burst(emu, folder / "burst", n_burst)
                out.append(table("Burst, emulator flood limits ON", ["measure", "value"], rows2))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pacing", description=__doc__)
    parser.add_argument("--think", type=float, default=0.0,
                        help="seconds each person reads before acting (0: at once)")
    parser.add_argument("--burst", type=int, default=10,
                        help="requests filed and disposed at once (0: no burst)")
    args = parser.parse_args(argv)
    print("\n\n".join(asyncio.run(run(args.think, args.burst))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
