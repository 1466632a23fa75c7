"""Step 7 is never a dead end: an update whose answer was lost, a crash between the update and
the commit, a letter that cannot be drafted. Against a real BIND 9, through the office service
of the running bot."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot import technical
from bot.service import Office
from bot.workflow import Action, State, WorkflowError
from devtools.emulator import BotApiEmulator, SimMessage
from storage.models import Request
from tests.support import botrun
from tests.support.bind import BindServer
from tests.support.chat import (
    STEPS_TO_DECISION,
    Scene,
    act,
    advance,
    audit_actions,
    file_request,
    office_bot,
    scene,
    take,
)
from tests.support.office import HEAD, KABID, STAFF

ZONE = "balangankab.go.id"


async def at_step_7(office: Office, label: str) -> Request:
    """A request for `label`, approved by the Kabid: the staff's step 7 (creation) waits."""
    r = await advance(office, await file_request(office, label), STEPS_TO_DECISION)
    return await take(office, KABID, r, Action.APPROVE)


async def test_records_already_made_by_our_lost_update_are_verified_and_accepted(
    emu: BotApiEmulator, tmp_path: Path, office_dns: BindServer
) -> None:
    s = await scene(emu, tmp_path)
    async with office_bot(s) as (_app, office):
        r = await at_step_7(office, "lepas")
        # The bot's own update took effect, but its answer never came back (as after a
        # timeout, or a crash before the commit): the name holds exactly the planned records.
        office_dns.update(f"lepas.{ZONE}.", "A", "203.0.113.10")
        done = await take(office, STAFF, r, Action.CONFIRM_CREATED)
        assert done.state == State.LETTER_SIGNOFF
        assert set(await office.store.live_subdomains()) == {"lepas"}
        created = (await office.timeline(done))[-1]
        assert created.details["verified"] is True
        assert created.details["records"] == [[f"lepas.{ZONE}", "A", "203.0.113.10", 300]]
        assert await office.store.intended_records("lepas") is None  # settled by the commit


async def test_other_records_at_the_name_are_still_refused(
    emu: BotApiEmulator, tmp_path: Path, office_dns: BindServer
) -> None:
    s = await scene(emu, tmp_path)
    async with office_bot(s) as (_app, office):
        r = await at_step_7(office, "lain")
        office_dns.update(f"lain.{ZONE}.", "A", "203.0.113.10")
        office_dns.update(f"lain.{ZONE}.", "A", "198.51.100.7")  # one more than planned
        with pytest.raises(WorkflowError, match="dibuat pihak lain"):
            await take(office, STAFF, r, Action.CONFIRM_CREATED)
        still = await office.request(r.id)
        assert (still.state, still.version) == (State.CREATION, r.version)
        assert office_dns.values(f"lain.{ZONE}") == {"203.0.113.10", "198.51.100.7"}
        assert await office.store.live_subdomains() == {}


async def test_records_left_by_a_crash_before_the_commit_can_be_removed(
    emu: BotApiEmulator, tmp_path: Path, office_dns: BindServer
) -> None:
    s = await scene(emu, tmp_path)
    async with office_bot(s) as (_app, office):
        r = await at_step_7(office, "terputus")
        # What `act` does for step 7 up to the DNS update, then the process dies: the intent
        # and the records exist, the transition and the register row do not.
        planned = technical.plan(office.settings, r)
        rows = tuple((x.name, x.type, x.value, x.ttl) for x in planned.records)
        await office.store.intend_records(r.id, r.subdomain, rows, now=office.clock())
        await technical.create(office.settings, planned)
        assert await office.store.live_subdomains() == {}

        removed = await office.remove_record("terputus")
        assert removed.fqdn == f"terputus.{ZONE}"
        assert office_dns.values(f"terputus.{ZONE}") == set()
        assert await office.store.intended_records("terputus") is None
        # The step is still open and can be done again.
        again = await take(office, STAFF, r, Action.CONFIRM_CREATED)
        assert again.state == State.LETTER_SIGNOFF
        assert office_dns.values(f"terputus.{ZONE}") == {"203.0.113.10"}


async def test_a_letter_that_cannot_be_drafted_stops_the_step_before_dns_is_touched(
    emu: BotApiEmulator, tmp_path: Path, office_dns: BindServer
) -> None:
    s = await scene(emu, tmp_path)
    async with office_bot(s) as (_app, office):
        r = await at_step_7(office, "tanpanip")
        async with office.store.db.transaction() as conn:  # the signatory's NIP is missing
            await conn.execute("UPDATE people SET nip = NULL WHERE telegram_user_id = ?",
                               (HEAD,))
        with pytest.raises(WorkflowError, match="NIP"):
            await take(office, STAFF, r, Action.CONFIRM_CREATED)
        assert office_dns.values(f"tanpanip.{ZONE}") == set()
        assert await office.store.intended_records("tanpanip") is None
        still = await office.request(r.id)
        assert (still.state, still.version) == (State.CREATION, r.version)


# --- a slow primary: the update's answer is lost, and the bot re-checks by itself -----------

@contextmanager
def frozen(server: BindServer) -> Iterator[None]:
    """named stopped (SIGSTOP): connections are accepted by the kernel, nothing is answered."""
    pid = int((server.directory / "named.pid").read_text().split()[0])
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(pid, signal.SIGCONT)


async def press_create_while_dns_is_frozen(s: Scene, office: Office, office_dns: BindServer,
                                           label: str) -> tuple[Request, SimMessage]:
    """Step 7 pressed by the Prakom while the primary does not answer: "hasil belum pasti"."""
    staff = s.people.staff
    r = await at_step_7(office, label)
    card = await staff.wait_for("Tahap 7")
    with frozen(office_dns):
        await staff.press(card, "Buat subdomain")
        await staff.press(await staff.wait_for(lambda m: m.edited and "catatan" in m.content),
                          "Lewati")
        await staff.wait_for("Hasil belum pasti", timeout=10)
    return r, card


async def test_an_update_that_lands_after_its_timeout_completes_the_step_by_itself(
    emu: BotApiEmulator, tmp_path: Path, office_dns: BindServer
) -> None:
    botrun.DNS_ENV["DNS_TIMEOUT"] = "0.25"
    s = await scene(emu, tmp_path)
    async with office_bot(s) as (_app, office):
        r, card = await press_create_while_dns_is_frozen(s, office, office_dns, "lambat")
        office_dns.update(f"lambat.{ZONE}.", "A", "203.0.113.10")  # our update, landed late
        told = await s.people.staff.wait_for("Pemeriksaan ulang DNS", timeout=15)
        assert "sudah sesuai rencana" in told.text and "Tercatat" in told.text
        done = await office.request(r.id)
        assert done.state == State.LETTER_SIGNOFF
        actions = await audit_actions(office, done)
        assert actions[-1] == Action.CONFIRM_CREATED and actions.count("confirm_created") == 1
        assert set(await office.store.live_subdomains()) == {"lambat"}
        # The card kept its buttons while the result was uncertain (pressing again re-checks);
        # the step taken, it shows who did what, without buttons.
        final = await s.people.staff.wait_for(lambda m: m.message_id == card.message_id
                                              and m.edited and not m.buttons)
        assert "✅" in final.content


async def test_an_update_that_never_lands_is_reported_to_the_prakom(
    emu: BotApiEmulator, tmp_path: Path, office_dns: BindServer
) -> None:
    botrun.DNS_ENV["DNS_TIMEOUT"] = "0.25"
    s = await scene(emu, tmp_path)
    async with office_bot(s) as (_app, office):
        r, card = await press_create_while_dns_is_frozen(s, office, office_dns, "hilang")
        told = await s.people.staff.wait_for("Pemeriksaan ulang DNS", timeout=20)
        assert "belum ada di DNS" in told.text and "tekan tombol tindakan kembali" in told.text
        still = await office.request(r.id)
        assert (still.state, still.version) == (State.CREATION, r.version)
        assert office_dns.values(f"hilang.{ZONE}") == set()
        # Pressing again (the DNS answers now) creates the records and completes the step.
        await act(s.people.staff, card, "Buat subdomain")
        assert (await office.request(r.id)).state == State.LETTER_SIGNOFF
