"""`python -m bot demo`: the real bot, end to end, on this machine alone.

The real Application (as `python -m bot run` builds it) talks HTTP to the Bot API emulator
(with Telegram's flood limits), keeps a fresh SQLite database under the output directory and
checks and creates DNS records on a real BIND 9 started in a temporary directory. Scripted
people in every position act by chat:

1. ``layanan`` goes through all nine steps to "created" (an instruction and a note at step 1,
   the signatory approves the KONSEP, the requester presses "Diterima");
2. ``sikda`` is free when filed but in the zone by step 4 (made outside the bot meanwhile),
   so the check reports it taken and the Kabid answers at step 6
   with "Subdomain sudah ada", then the letter, delivery and receipt;
3. ``pariwisata`` is left waiting at step 1 while the office clock runs 600 times faster, so
   the Mutu Baku reminder, the second reminder and the escalation arrive within seconds.

The office is the one the environment and `.env` describe (its names, place, parent domain,
time zone, office hours); where they set none of the office's identity, the demo office of
`demo-office.env` stands in. The throwaway BIND serves that office's parent domain.

The transcript (times on the office clock, in the office's zone) is printed and written to
transcript.txt; every document the bot sent and the disposition sheet of the first request are
copied beside it.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import dataclasses
import hashlib
import io
import logging
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TextIO

from bot import paperwork
from bot.app import build_application, polling
from bot.deadlines import ReminderScheduler
from bot.runner import configure_logging
from bot.service import Office
from bot.settings import Settings, SettingsError
from bot.texts import CANCEL_LABEL, choice_label
from bot.workflow import Role
from devtools.emulator import BotApiEmulator, SimChat, SimMessage, SimUser
from devtools.emulator.transcript import render
from devtools.localbind import BindServer, BindUnavailable, start_bind
from devtools.profile import office_env, region
from letters.body import title_case_id
from storage.store import Store

TOKEN = "7000000001:DEMO-subdomain-bot"
GROUP_ID = -1001000000042
FAST = 600.0
"""How much faster than real time the office clock runs while request 3 waits."""
STEP_TIMEOUT = 25.0
TOTAL_TIMEOUT = 100.0
EXIT_FAILED = 1

EXISTING = "sikda"
"""Request 2's name: free when filed, in the zone by step 4."""
HEAD, KABID, KASI, STAFF, ADMIN, REQUESTER = 7101, 7102, 7103, 7104, 7105, 7201


class DemoFailed(Exception):
    """A scripted step did not happen; the message says which."""


# --- the office clock -----------------------------------------------------------------------


class DemoClock:
    """Office time: starts at `start` and runs at a rate that can change (1 = real time).

    Piecewise linear in wall time, so `at` also maps any earlier wall instant (the
    transcript's) onto the office clock."""

    def __init__(self, start: datetime, wall: Callable[[], float] = time.time) -> None:
        self._wall = wall
        now = wall()
        self._segments: list[tuple[float, datetime, float]] = [(now, start, 1.0)]

    def __call__(self) -> datetime:
        return self.at(self._wall())

    def at(self, wall: float) -> datetime:
        starts = [s[0] for s in self._segments]
        i = max(0, bisect.bisect_right(starts, wall) - 1)
        since, office, rate = self._segments[i]
        return office + timedelta(seconds=(wall - since) * rate)

    def set_rate(self, rate: float) -> None:
        now = self._wall()
        self._segments.append((now, self.at(now), rate))


def demo_start(today: date, settings: Settings) -> datetime:
    """08:00 office time on the latest working Monday on or before `today`."""
    clock = settings.work_clock()
    day = today - timedelta(days=today.weekday())
    while not clock.is_working_day(day):
        day -= timedelta(days=7)
    return datetime(day.year, day.month, day.day, 8, 0, tzinfo=settings.timezone)


# --- the office and its people ----------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    telegram_id: int
    chat_name: str  # as the transcript shows the person
    name: str  # as the office records them
    role: Role | None
    nip: str | None = None
    rank: str | None = None
    title: str | None = None


STAFF_LIST = (
    Member(HEAD, "Rahmadi (Kepala Dinas)", "Drs. H. Rahmadi, M.Si", Role.KEPALA_DINAS,
           nip="197001011990031001", rank="Pembina Utama Muda"),
    Member(KABID, "Siti (Kabid)", "Siti Aminah, S.Kom", Role.KABID,
           nip="197805122005012003", rank="Pembina"),
    Member(KASI, "Budi (Kasi)", "Budi Santoso, S.T", Role.KASI,
           nip="198203152008011004", rank="Penata Tingkat I"),
    Member(STAFF, "Rina (Prakom)", "Rina Wulandari, A.Md", Role.STAF_PRAKOM),
    Member(ADMIN, "Admin Diskominfo", "Admin Diskominfo", Role.ADMIN),
)
REQUESTER_MEMBER = Member(REQUESTER, "Ahmad (Dinkes)", "Ahmad Fauzi", None)


@dataclass
class Cast:
    head: SimUser
    kabid: SimUser
    kasi: SimUser
    staff: SimUser
    admin: SimUser
    requester: SimUser
    group: SimChat

    def chats(self) -> list[SimChat]:
        return [self.head, self.kabid, self.kasi, self.staff, self.admin, self.requester,
                self.group]


def cast(emu: BotApiEmulator) -> Cast:
    users = {m.telegram_id: emu.user(m.telegram_id, m.chat_name) for m in STAFF_LIST}
    requester = emu.user(REQUESTER, REQUESTER_MEMBER.chat_name, phone="+6281251234567")
    return Cast(users[HEAD], users[KABID], users[KASI], users[STAFF], users[ADMIN], requester,
                emu.group(GROUP_ID, "Diskominfo · Layanan Subdomain"))


def agency_head(settings: Settings) -> str:
    return f"Kepala Dinas Kesehatan {region(settings)}"


async def seed(settings: Settings, now: datetime) -> None:
    store = await Store.open(settings.database_path)
    try:
        for m in STAFF_LIST:
            assert m.role is not None
            await store.set_position(m.role, m.telegram_id, m.name, now=now, nip=m.nip,
                                     rank=m.rank, title=m.title)
        await store.add_agency("dinkes", "Dinas Kesehatan", agency_head(settings))
        await store.add_agency_contact("dinkes", REQUESTER, REQUESTER_MEMBER.name, now=now,
                                       phone="+6281251234567")
    finally:
        await store.close()


def request_letter(settings: Settings, number: str, day: date, subdomain: str,
                   purpose: str) -> bytes:
    """The agency's request letter, as the requester would scan or export it."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    buf = io.BytesIO()
    pdf = Canvas(buf, pagesize=A4)
    width, height = A4
    y = height - 70
    pdf.setFont("Helvetica-Bold", 13)
    office, place = settings.office, settings.office.place
    fqdn = f"{subdomain}.{settings.parent_domain}"
    for line in (office.government, "DINAS KESEHATAN"):
        pdf.drawCentredString(width / 2, y, line)
        y -= 17
    pdf.setFont("Helvetica", 9)
    pdf.drawCentredString(width / 2, y, f"Jl. Kesehatan No. 1, {place}")
    y -= 8
    pdf.line(60, y, width - 60, y)
    pdf.setFont("Helvetica", 11)
    body = [
        "", f"{place}, {day.strftime('%d-%m-%Y')}", "",
        f"Nomor     : {number}", "Lampiran  : -",
        f"Perihal   : Permohonan Subdomain {fqdn}", "",
        f"Yth. Kepala {title_case_id(office.name)} {region(settings)}", f"di {place}", "",
        f"Dengan hormat, kami mengajukan pembuatan subdomain {fqdn}",
        f"untuk keperluan: {purpose}.",
        "Demikian permohonan ini, atas perhatian Bapak/Ibu kami ucapkan terima kasih.", "",
        "Kepala Dinas Kesehatan", "", "", "dr. Hj. Nurul Hidayah", "NIP 197506172003122002",
    ]
    for line in body:
        y -= 16
        pdf.drawString(70, y, line)
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


def fresh(text: str) -> Callable[[SimMessage], bool]:
    """A new bot message (not an edit of an earlier one) showing `text`."""
    return lambda m: not m.edited and text in m.text


# --- the script -----------------------------------------------------------------------------


class Script:
    """Scripted people acting by chat; every wait is bounded and says what did not happen."""

    def __init__(self, people: Cast, out: TextIO, letter_day: date,
                 settings: Settings) -> None:
        self.p = people
        self.settings = settings
        self.out = out
        self.letter_day = letter_day
        self.letters = 0

    def say(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    async def expect(self, chat: SimChat, match: Callable[[SimMessage], bool], what: str,
                     timeout: float = STEP_TIMEOUT) -> SimMessage:  # noqa: ASYNC109
        try:
            return await chat.wait_for(match, timeout=timeout)
        except TimeoutError as exc:
            raise DemoFailed(f"{what} did not happen within {timeout:.0f} s ({exc})") from None

    async def press(self, user: SimUser, msg: SimMessage, label: str) -> None:
        try:
            await user.press(msg, label, timeout=STEP_TIMEOUT)
        except (TimeoutError, LookupError) as exc:
            raise DemoFailed(f"{user.name} could not press {label!r}: {exc}") from None

    async def card(self, user: SimUser, step: int, number: str) -> SimMessage:
        return await self.expect(
            user, lambda m: not m.edited and f"Tahap {step}:" in m.text and number in m.text,
            f"step {step} of {number} reaching {user.name}")

    async def act(self, user: SimUser, card: SimMessage, label: str, number: str, *,
                  note: str | None = None, choose: str | None = None,
                  asks_note: bool = True) -> None:
        """Press `label` (with `choose`: the card's button for that choice); on the card's own
        prompt give the note (or go on without one); the card then shows ✅."""
        await self.press(user, card, choice_label(label, choose) if choose else label)
        if asks_note:
            ask = await self.expect(
                user, lambda m: m.edited and m.message_id == card.message_id
                and "✏️" in m.text, f"the note prompt for {label!r}")
            if note is None:
                go_on = next(b for b in ask.button_texts if b != CANCEL_LABEL)
                await self.press(user, ask, go_on)
            else:
                await user.send_text(note)
        await self.expect(user, lambda m: m.edited and m.message_id == card.message_id
                          and "✅" in m.content, f"{label!r} on {number} being recorded")

    async def submit(self, subdomain: str, purpose: str, ip: str) -> str:
        """The requester fills /ajukan with a PDF letter; returns the request number."""
        r = self.p.requester
        self.letters += 1
        letter_number = f"400/{120 + self.letters}/Dinkes/{self.letter_day.year}"
        await r.send_command("/ajukan")
        agency = await self.expect(r, fresh("Pilih Perangkat Daerah"),
                                   "the form's first question")
        await self.press(r, agency, "Dinas Kesehatan")
        await self.expect(r, fresh("2/9"), "question 2/9")
        await r.send_text(subdomain)
        await self.expect(r, fresh("3/9"), "question 3/9")
        await r.send_text(purpose)
        target = await self.expect(r, fresh("4/9"), "question 4/9")
        await self.press(r, target, "Alamat IP")
        await self.expect(r, fresh("Tuliskan Alamat IP"), "the IP question")
        await r.send_text(ip)
        await self.expect(r, fresh("5/9"), "question 5/9")
        try:
            await r.tap("Bagikan kontak saya")
        except LookupError as exc:
            raise DemoFailed(f"no contact button: {exc}") from None
        await self.expect(r, fresh("6/9"), "question 6/9")
        await r.send_text(letter_number)
        await self.expect(r, fresh("7/9"), "question 7/9")
        await r.send_text(self.letter_day.strftime("%d-%m-%Y"))
        await self.expect(r, fresh("8/9"), "question 8/9")
        await r.send_text(f"Permohonan Subdomain {subdomain}.{self.settings.parent_domain}")
        await self.expect(r, fresh("9/9"), "question 9/9")
        letter = request_letter(self.settings, letter_number, self.letter_day, subdomain, purpose)
        await r.send_document(letter, f"surat-permohonan-{subdomain}.pdf",
                              mime_type="application/pdf")
        summary = await self.expect(r, fresh("Ringkasan permohonan"),
                                    "the form's summary")
        await self.press(r, summary, "Kirim")
        sent = await self.expect(r, lambda m: "Permohonan terkirim" in m.text,
                                 "the submission receipt")
        return sent.text.split("nomor ")[1].split()[0].rstrip(".")

    async def receipt(self, number: str) -> None:
        """The requester gets the signed letter and presses "Diterima"."""
        r = self.p.requester
        letter = await self.expect(
            r, lambda m: m.document is not None and number in m.content
            and "Diterima" in m.button_texts, f"the signed letter of {number}")
        await self.press(r, letter, "Diterima")
        await self.expect(r, lambda m: m.edited and m.message_id == letter.message_id
                          and "✅" in m.content, f"the receipt of {number} being recorded")
        await self.expect(self.p.group, lambda m: number in m.text and "Selesai" in m.text,
                          f"{number} shown as Selesai in the group")


async def created_journey(s: Script) -> str:
    p = s.p
    n = await s.submit("layanan", f"Portal layanan publik terpadu {region(s.settings)}",
                       "103.28.12.10")
    s.say(f"  {n}: layanan.{s.settings.parent_domain} filed")
    await s.act(p.head, await s.card(p.head, 1, n), "Disposisi ke Kabid", n,
                note="Segera diproses, layanan prioritas", choose="Tindak lanjuti")
    await s.act(p.kabid, await s.card(p.kabid, 2, n), "Disposisi ke Kasi", n,
                choose="Pelajari dan laporkan")
    await s.act(p.kasi, await s.card(p.kasi, 3, n), "Perintahkan pengecekan", n)
    await s.act(p.staff, await s.card(p.staff, 4, n), "Kirim laporan teknis", n,
                note="Nama tersedia di DNS, alamat IP dapat dijangkau")
    await s.act(p.kasi, await s.card(p.kasi, 5, n), "Kirim laporan ke Kabid", n)
    await s.act(p.kabid, await s.card(p.kabid, 6, n), "Setujui pembuatan", n)
    await s.act(p.staff, await s.card(p.staff, 7, n), "Buat subdomain", n)
    await s.act(p.head, await s.card(p.head, 8, n), "Setujui dan tandatangani", n)
    await s.receipt(n)
    s.say(f"  {n}: created, letter delivered and received")
    return n


async def exists_journey(s: Script, bind: BindServer) -> str:
    """The form refuses a name that is already in the zone, so this one is free when filed;
    while the request waits at step 2 the record is made outside the bot (as for an earlier
    paper request), and the step-4 check finds it taken."""
    p = s.p
    fqdn = f"{EXISTING}.{bind.zone}"
    n = await s.submit(EXISTING, "Sistem Informasi Kesehatan Daerah", "103.28.12.11")
    s.say(f"  {n}: {fqdn} filed (free at that moment)")
    await s.act(p.head, await s.card(p.head, 1, n), "Disposisi ke Kabid", n,
                choose="Tindak lanjuti")
    rcode = await asyncio.to_thread(bind.update, fqdn + ".", "A", "10.0.0.7")
    if rcode != 0:
        raise DemoFailed(f"BIND refused the update of {fqdn} (rcode {rcode})")
    s.say(f"  {fqdn} A 10.0.0.7 added to the zone outside the bot")
    await s.act(p.kabid, await s.card(p.kabid, 2, n), "Disposisi ke Kasi", n,
                choose="Pelajari dan laporkan")
    await s.act(p.kasi, await s.card(p.kasi, 3, n), "Perintahkan pengecekan", n)
    check = await s.card(p.staff, 4, n)
    if "Sudah dipakai" not in check.text:
        raise DemoFailed(f"the step-4 check of {n} did not report {fqdn} as taken")
    await s.act(p.staff, check, "Kirim laporan teknis", n,
                note=f"{fqdn} sudah terdaftar di DNS (A 10.0.0.7)")
    await s.act(p.kasi, await s.card(p.kasi, 5, n), "Kirim laporan ke Kabid", n)
    await s.act(p.kabid, await s.card(p.kabid, 6, n), "Subdomain sudah ada", n,
                note="Subdomain sudah aktif; gunakan nama pengguna dan kata sandi yang ada")
    await s.act(p.head, await s.card(p.head, 8, n), "Setujui dan tandatangani", n)
    await s.receipt(n)
    s.say(f"  {n}: already exists, letter delivered and received")
    return n


async def overdue_request(s: Script, clock: DemoClock, reminders: ReminderScheduler) -> str:
    p = s.p
    n = await s.submit("pariwisata", f"Informasi destinasi wisata {region(s.settings)}",
                       "103.28.12.12")
    await s.card(p.head, 1, n)
    s.say(f"  {n}: pariwisata.{s.settings.parent_domain} filed; nobody acts at step 1; "
          f"the office clock now runs {FAST:.0f}x")
    clock.set_rate(FAST)
    reminders.wake()
    await s.expect(p.head, lambda m: "Pengingat:" in m.text and n in m.text,
                   f"the reminder on {n}")
    s.say(f"  {n}: reminder sent to the Kepala Dinas")
    await s.expect(p.head, lambda m: "Pengingat kedua" in m.text and n in m.text,
                   f"the second reminder on {n}")
    await s.expect(p.admin, lambda m: "Eskalasi" in m.text and n in m.text,
                   f"the escalation of {n}")
    s.say(f"  {n}: second reminder, then escalated to the admin")
    return n


# --- running it --------------------------------------------------------------------------


def demo_settings(emu: BotApiEmulator, bind: BindServer, out_dir: Path,
                  env: Mapping[str, str]) -> Settings:
    """The office's own settings (`env`), on the emulator, the throwaway BIND and files under
    `out_dir` instead of the real Telegram, DNS server and database."""
    return Settings.from_mapping({
        **env,
        **bind.env(),
        "BOT_TOKEN": emu.token,
        "TELEGRAM_API_BASE_URL": emu.base_url,
        "DATABASE_PATH": str(out_dir / "demo.sqlite3"),
        "DATA_DIR": str(out_dir / "data"),
        "GROUP_CHAT_ID": str(GROUP_ID),
        "LOG_LEVEL": "WARNING",
        "WATCH_TIME": "off",  # the demo's names point at 10.x: never probed from here
        "WATCH_ALLOWED_NETWORKS": "127.0.0.0/8",
    })


async def run_office(settings: Settings, clock: DemoClock, script: Script, bind: BindServer,
                     out_dir: Path) -> tuple[str, str, str]:
    """The Application as `python -m bot run` runs it, with the three requests. The reminder
    scheduler looks every 0.2 s: on a clock 600x fast its usual minute is ten office hours."""
    app = build_application(settings, clock=clock, outbox_poll=0.2, reminder_poll=0.2)
    async with polling(app):
        reminders: ReminderScheduler = app.bot_data["reminders"]
        script.say("Request 1: a new subdomain, through all nine steps")
        first = await created_journey(script)
        script.say("Request 2: a name that already exists")
        second = await exists_journey(script, bind)
        script.say("Request 3: Mutu Baku reminders and escalation")
        third = await overdue_request(script, clock, reminders)
        await write_papers(app.bot_data["office"], first, out_dir)
        return first, second, third


def paper_paths(out_dir: Path, number: str, month: datetime) -> tuple[Path, Path]:
    """Where the first request's disposition sheet and the month's report are written."""
    return (out_dir / f"{number}-lembar-disposisi.pdf",
            out_dir / f"laporan-mutu-baku-{month.year}-{month.month:02d}.pdf")


async def write_papers(office: Office, number: str, out_dir: Path) -> None:
    """The first request's disposition sheet and the demo month's Mutu Baku report."""
    month = office.clock().astimezone(office.settings.timezone)
    sheet, report = paper_paths(out_dir, number, month)
    await office.disposition_sheet(await office.store.request(number), sheet)
    await office.month_report(month.year, month.month, report)


def copy_documents(people: Cast, out_dir: Path) -> list[Path]:
    """Every distinct document the bot sent, under the file name it was sent with."""
    written: list[Path] = []
    seen: set[str] = set()
    for chat in people.chats():
        for msg in chat.inbox:
            doc = msg.document
            if doc is None:
                continue
            digest = hashlib.sha256(doc.data).hexdigest()
            if digest in seen:
                continue
            seen.add(digest)
            name = Path(doc.filename or f"dokumen-{digest[:8]}.pdf").name
            path = out_dir / name
            k = 2
            while path.exists():
                path = out_dir / f"{Path(name).stem}-{k}{Path(name).suffix}"
                k += 1
            path.write_bytes(doc.data)
            written.append(path)
    return written


def transcript(emu: BotApiEmulator, clock: DemoClock, settings: Settings) -> str:
    """The emulator's transcript with each line stamped on the office clock."""
    entries = [dataclasses.replace(e, at=clock.at(e.at).timestamp()) for e in emu.transcript]
    return render(entries, settings.timezone)


async def run_demo(out_dir: Path, out: TextIO, env: Mapping[str, str]) -> int:
    """The whole demo into `out_dir` (which must exist and be empty) for the office that
    `env` describes (see `office_env`); the exit code."""
    parent = Settings.from_mapping(env).parent_domain
    with tempfile.TemporaryDirectory(prefix="demo-named-") as named_dir:
        try:
            with start_bind(Path(named_dir), parent) as bind:
                return await _with_dns(bind, out_dir, out, env)
        except BindUnavailable as exc:
            sys.stderr.write(f"demo: {exc}\n")
            return EXIT_FAILED


async def _with_dns(bind: BindServer, out_dir: Path, out: TextIO,
                    env: Mapping[str, str]) -> int:
    async with BotApiEmulator(token=TOKEN, host="127.0.0.1", port=0) as emu:
        settings = demo_settings(emu, bind, out_dir, env)
        configure_logging(settings)
        # Under the flood limits the dispatcher reschedules 429s and says so at WARNING;
        # the transcript shows them, so keep stderr for what went wrong.
        logging.getLogger("bot.outbox").setLevel(logging.ERROR)
        zone = settings.zone_label()
        start = demo_start(datetime.now(settings.timezone).date(), settings)
        clock = DemoClock(start)
        await seed(settings, clock())
        people = cast(emu)
        script = Script(people, out, letter_day=start.date() - timedelta(days=3),
                        settings=settings)
        out.write(f"Demo: {paperwork.display_name(settings)}; Bot API "
                  f"emulator on {emu.url}, BIND 9 on {bind.host}:{bind.port} (zone {bind.zone}), "
                  f"office clock from {start:%A %d-%m-%Y %H:%M} {zone}\n")
        failure: str | None = None
        numbers: tuple[str, str, str] | None = None
        try:
            numbers = await asyncio.wait_for(run_office(settings, clock, script, bind, out_dir),
                                             TOTAL_TIMEOUT)
        except DemoFailed as exc:
            failure = str(exc)
        except TimeoutError:
            failure = f"the demo did not finish within {TOTAL_TIMEOUT:.0f} s"
        text = transcript(emu, clock, settings)
        (out_dir / "transcript.txt").write_text(text + "\n", encoding="utf-8")
        documents = copy_documents(people, out_dir)
    out.write(f"\n=== Transkrip (waktu kantor, {zone}) ===\n" + text + "\n\n")
    if failure is not None or numbers is None:
        sys.stderr.write(f"demo failed: {failure}\n(transcript so far: "
                         f"{out_dir / 'transcript.txt'})\n")
        return EXIT_FAILED
    out.write(f"Files in {out_dir}:\n")
    papers = paper_paths(out_dir, numbers[0], clock().astimezone(settings.timezone))
    for path in sorted([*documents, *papers, out_dir / "transcript.txt"]):
        out.write(f"  {path.name}\n")
    out.write(f"Done: {numbers[0]} created, {numbers[1]} already existed, "
              f"{numbers[2]} reminded and escalated.\n")
    return 0


MARKER = ".subdomain-bot-demo"
"""Written into the output directory: only such a directory (or an empty one) is emptied."""


def prepare_out_dir(out_dir: Path) -> None:
    """Empty `out_dir` of an earlier demo's output; refuse any other non-empty directory."""
    if out_dir.exists():
        if not out_dir.is_dir():
            raise DemoFailed(f"{out_dir} is not a directory")
        earlier = (out_dir / MARKER).exists() or (out_dir / "transcript.txt").exists()
        if any(out_dir.iterdir()) and not earlier:
            raise DemoFailed(f"{out_dir} is not empty and holds no earlier demo output; "
                             "choose another directory with --out")
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    (out_dir / MARKER).write_text("output of python -m bot demo; emptied by the next run\n")


def main(args: argparse.Namespace, out: TextIO, env: Mapping[str, str] | None = None) -> int:
    """`python -m bot demo`: for the office of `env` (default: the environment over .env),
    else the demo office."""
    out_dir = Path(getattr(args, "out", None) or "demo-out")
    office = office_env(env)
    try:
        Settings.from_mapping(office)  # a wrong or missing setting: one line, nothing touched
        prepare_out_dir(out_dir)
    except (SettingsError, DemoFailed) as exc:
        sys.stderr.write(f"demo: {exc}\n")
        return EXIT_FAILED
    started = time.monotonic()
    code = asyncio.run(run_demo(out_dir, out, office))
    if code == 0:
        out.write(f"Demo finished in {time.monotonic() - started:.0f} s.\n")
    return code
