"""The crash hook (`bot.crashpoints`) and a fault the campaign found, each on its own."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot import crashpoints
from bot.crashpoints import Target, parse
from storage.models import OutMessage
from tests.crash.campaign import ROOT
from tests.support.chat import office_bot, owed, scene
from tests.support.emulator import running_emulator


def test_spec_names_a_point_its_request_and_the_hit() -> None:
    assert parse("step7_updated:1") == Target("step7_updated", None, 1)
    assert parse(" outbox_sent@7:3 ") == Target("outbox_sent", 7, 3)


@pytest.mark.parametrize("spec", ["step7:1", "outbox_sent", "outbox_sent:0", "outbox_sent:x",
                                  "outbox_sent@x:1", "act_committed@:2"])
def test_a_bad_spec_is_refused_not_ignored(spec: str) -> None:
    with pytest.raises(ValueError, match=crashpoints.ENV):
        parse(spec)


def test_inert_without_the_variable_and_unknown_points_refused() -> None:
    assert os.environ.get(crashpoints.ENV) is None
    crashpoints.hit("outbox_sent", 1)  # nothing happens
    with pytest.raises(ValueError, match="unknown crash point"):
        crashpoints.hit("outbox_sendt", 1)


def test_the_nth_hit_of_the_named_request_kills_with_sigkill() -> None:
    code = ("from bot import crashpoints\n"
            "for r in (1, 2, 7, 1, 7):\n"
            "    print('hit', r, flush=True)\n"
            "    crashpoints.hit('outbox_sent', r)\n"
            "    crashpoints.hit('act_committed', 7)\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=30,
                          env={**os.environ, crashpoints.ENV: "outbox_sent@7:2",
                               "PYTHONPATH": str(ROOT)})
    assert done.returncode == -signal.SIGKILL
    assert done.stdout.split("\n")[:-1] == ["hit 1", "hit 2", "hit 7", "hit 1", "hit 7"]
    assert done.stderr == "crashpoint outbox_sent request=7 hit=2: SIGKILL\n"


async def test_an_edit_resent_after_a_restart_counts_as_delivered(tmp_path: Path) -> None:
    """A kill between Telegram accepting an edit and the outbox marking it sent: after the
    restart the same edit answers "Message is not modified", which is a delivery, not a
    failure (PTB capitalises Telegram's "message is not modified")."""
    async with running_emulator(rate_limits=None) as emu:
        s = await scene(emu, tmp_path)
        p = s.people
        async with office_bot(s) as (_app, office):
            await p.kabid.send_command("/bantuan")
            shown = await p.kabid.wait_for("Petunjuk")
            same = OutMessage(p.kabid.chat_id, "edit", {
                "message_id": shown.message_id, "text": shown.source, "buttons": []})
            await office.store.enqueue([same], now=office.clock())
            office.on_queued()
            deadline = asyncio.get_running_loop().time() + 10
            while await owed(office):
                assert asyncio.get_running_loop().time() < deadline
                await asyncio.sleep(0.05)
    with sqlite3.connect(s.settings.database_path) as conn:
        [(sent_at, result)] = list(conn.execute(
            "SELECT sent_at, result FROM outbox WHERE kind = 'edit'"))
    assert sent_at != "failed" and json.loads(result) == "unchanged"
    [edit] = [c for c in emu.calls if c.method == "editMessageText"]
    assert edit.status == 400 and "not modified" in str(edit.error)
