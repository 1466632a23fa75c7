"""Chat-level helpers shared by the end-to-end tests in tests/chat.

`submit_by_chat` fills the /ajukan form like a person would; `act` presses a step button and
answers the prompts; `OfficeRun` runs the real Application on a seeded SQLite file, so that a
test can put a request at the step it is about (`file_request` + `advance`, straight through
the office service) and then act by chat.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from bot.handlers.context import BotApp
from bot.service import ActionInput, Office
from bot.settings import Settings
from bot.texts import CANCEL_LABEL, choice_label
from bot.workflow import Action, Instruction
from devtools.emulator import BotApiEmulator, SimMessage, SimUser
from storage.models import NewRequest, Request
from tests.support.botrun import (
    TINY_PDF,
    Cast,
    cast,
    office_of,
    running_office_bot,
    seed,
    settings_for,
)
from tests.support.office import HEAD, KABID, KASI, REQUESTER, STAFF, Clock, person

PERIHAL = "Permohonan Pembuatan Subdomain Portal Layanan"
"""The perihal the simulated requester types from its letter."""


async def fill_form_to_letter(requester: SimUser, subdomain: str = "layanan", *,
                              taken: bool = False) -> None:
    """Answer /ajukan up to (not including) the letter file: the bot then asks 9/9.
    `taken`: the name exists in DNS, and the requester goes on with it."""
    await requester.send_command("/ajukan")
    agency = await requester.wait_for("Pilih Perangkat Daerah")
    await requester.press(agency, "Dinas Kesehatan")
    await requester.wait_for("2/9")
    await requester.send_text(subdomain)
    if taken:
        await requester.press(await requester.wait_for("sudah ada di DNS"),
                              "Lanjutkan dengan nama ini")
    await requester.wait_for("3/9")
    await requester.send_text("Portal layanan kesehatan masyarakat")
    target = await requester.wait_for("4/9")
    await requester.press(target, "Alamat IP")
    await requester.wait_for("Tuliskan Alamat IP")
    await requester.send_text("103.28.12.10")
    await requester.wait_for("5/9")
    await requester.tap("Bagikan kontak saya")
    await requester.wait_for("6/9")
    await requester.send_text("400/123/Dinkes/2026")
    await requester.wait_for("7/9")
    await requester.send_text("27-11-2026")
    await requester.wait_for("8/9", timeout=10)
    await requester.send_text(PERIHAL)
    await requester.wait_for("9/9", timeout=10)


async def submit_by_chat(requester: SimUser, subdomain: str = "layanan") -> str:
    """The whole /ajukan form with a PDF letter; returns the request number."""
    await fill_form_to_letter(requester, subdomain)
    await requester.send_document(TINY_PDF, "surat-permohonan.pdf")
    summary = await requester.wait_for("Ringkasan permohonan", timeout=10)
    await requester.press(summary, "Kirim")
    sent = await requester.wait_for("Permohonan terkirim", timeout=10)
    return sent.text.split("nomor ")[1].rstrip(".")


async def act(user: SimUser, card: SimMessage, label: str, note: str | None = None,
              choose: str | None = None, choose_staff: str | None = None) -> SimMessage:
    """Press `label` on a step card (with `choose`, the instruction, or `choose_staff`: the
    card's own button for that choice), then, on the card's own prompt, give the note or go on
    without one; wait for the card's ✅ and return it. Two taps, no new message."""
    pick = choose or choose_staff
    assert await user.press(card, choice_label(label, pick) if pick else label) in (None, "")
    prompt = await user.wait_for(_prompt_on(card))
    if note is None:
        [go_on] = [b for b in prompt.button_texts if b != CANCEL_LABEL]
        await user.press(prompt, go_on)
    else:
        await user.send_text(note)
    return await user.wait_for(done_on(card), timeout=10)


def _prompt_on(card: SimMessage) -> Callable[[SimMessage], bool]:
    return lambda m: m.edited and m.message_id == card.message_id and (
        CANCEL_LABEL in m.button_texts)


def done_on(card: SimMessage) -> Callable[[SimMessage], bool]:
    """The card (or the letter whose caption carries the buttons) edited to its ✅ line."""
    return lambda m: m.edited and m.message_id == card.message_id and "✅" in m.content


async def any_message(user: SimUser) -> SimMessage:
    """A message in the user's own chat to hang a forged button press on (their /bantuan)."""
    await user.send_command("/bantuan")
    return await user.wait_for("Petunjuk")


async def file_request(office: Office, subdomain: str = "layanan", *,
                       requester: int = REQUESTER, agency: str = "dinkes",
                       letter: Path | None = None) -> Request:
    """A request filed through the office service (as the form would), not by chat."""
    who = await person(office, requester)
    found = await office.store.agency_by_code(agency)
    return await office.submit(NewRequest(
        agency_id=found.id, requester_id=who.id, subdomain=subdomain,
        purpose="Portal layanan kesehatan", target_kind="ip", target_value="203.0.113.10",
        letter_number="400/123/Dinkes/2026", letter_date=date(2026, 11, 27),
        contact_name="Ahmad", contact_phone="+6281200000000",
        letter_file_ref=str(letter) if letter else None))


async def take(office: Office, telegram_user_id: int, request: Request, action: Action,
               note: str | None = None, **kw: Any) -> Request:
    """One action through the office service, at the request's current version."""
    actor = await person(office, telegram_user_id)
    current = await office.store.request(request.id)
    return await office.act(actor, current.id, ActionInput(action, current.version, note=note,
                                                           **kw))


STEPS_TO_ORDER_CHECK: Sequence[tuple[int, Action, dict[str, Any]]] = (
    (HEAD, Action.DISPOSE, {"instruction": Instruction.FOLLOW_UP}),
    (KABID, Action.DISPOSE, {"instruction": Instruction.STUDY_AND_REPORT}),
)
STEPS_TO_DECISION: Sequence[tuple[int, Action, dict[str, Any]]] = (
    *STEPS_TO_ORDER_CHECK,
    (KASI, Action.ORDER_CHECK, {}),
    (STAFF, Action.SUBMIT_CHECK, {}),
    (KASI, Action.SUBMIT_REPORT, {}),
)


async def advance(office: Office, request: Request,
                  steps: Sequence[tuple[int, Action, dict[str, Any]]]) -> Request:
    for who, action, kw in steps:
        request = await take(office, who, request, action, **kw)
    return request


async def audit_actions(office: Office, request: Request) -> list[str]:
    return [e.action for e in await office.store.timeline(request.id)]


async def owed(office: Office) -> int:
    """Outbox messages not yet delivered (retries included)."""
    from datetime import UTC, datetime

    return len(await office.store.pending_messages(now=datetime(9999, 1, 1, tzinfo=UTC),
                                                   limit=10_000))


@dataclass
class Scene:
    emu: BotApiEmulator
    settings: Settings
    clock: Clock
    people: Cast
    tmp: Path


async def scene(emu: BotApiEmulator, tmp: Path, **seed_kw: Any) -> Scene:
    """A seeded database next to the running emulator, and the cast of simulated people."""
    clock = Clock()
    settings = settings_for(emu, tmp)
    await seed(settings, clock, **seed_kw)
    return Scene(emu, settings, clock, cast(emu), tmp)


@asynccontextmanager
async def office_bot(s: Scene) -> AsyncIterator[tuple[BotApp, Office]]:
    """The real Application on the scene's database; yields it and its office service."""
    async with running_office_bot(s.settings, s.clock) as app:
        yield app, office_of(app)


STEP_1_BUTTONS = [*(choice_label("Disposisi ke Kabid", i.value) for i in Instruction),
                  "Tolak permohonan"]
"""The step-1 card's buttons: the disposition with each instruction, and the decline."""
