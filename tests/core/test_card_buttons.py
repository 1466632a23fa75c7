"""The step card's buttons come from the table: one per choice, each within Telegram's 64 bytes,
and a forged or malformed choice never unpacks."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot import notify
from bot.callbacks import MAX_CALLBACK_BYTES, ActionButton, BadPayload
from bot.texts import Words
from bot.workflow import SOP, Instruction, Role, State
from storage.models import Agency, Request


def _request(state: str, version: int = 7) -> Request:
    return Request(
        id=123456, number="SD-2026-0001",
        agency=Agency(id=1, code="dinkes", name="Dinas Kesehatan", head_title="Kepala Dinas"),
        requester_id=1, subdomain="layanan", purpose="Portal", target_kind="ip",
        target_value="203.0.113.10", letter_number="1", letter_date=date(2026, 11, 27),
        contact_name="Ahmad", contact_phone="+62812", letter_file_ref=None, state=state,
        version=version, assignee_id=None, outcome=None,
        state_since=datetime(2026, 11, 30, tzinfo=UTC),
        created_at=datetime(2026, 11, 30, tzinfo=UTC), agenda_number=1)


WORDS = Words(SOP, "balangankab.go.id", ZoneInfo("Asia/Makassar"))


def test_instructions_become_buttons_of_their_own() -> None:
    rows = notify.buttons_for(WORDS, _request(State.DISPOSITION_HEAD), Role.KEPALA_DINAS)
    labels = [label for row in rows for label, _ in row]
    assert labels == [*(f"Disposisi ke Kabid · {i.value}" for i in Instruction),
                      "Tolak permohonan"]
    first = ActionButton.unpack(rows[0][0][1])
    assert (first.request_id, first.version, first.action, first.choice) == (
        123456, 7, "dispose", "i0")
    assert all(len(data.encode()) <= MAX_CALLBACK_BYTES for row in rows for _, data in row)


def test_members_become_buttons_only_when_there_is_a_choice() -> None:
    request = _request(State.ORDER_CHECK)
    two = notify.CardFacts(assignees=((Role.STAF_PRAKOM, 41, "Rina Prakom"),
                                      (Role.STAF_PRAKOM, 42, "Dedi Prakom")))
    rows = notify.buttons_for(WORDS, request, Role.KASI, two)
    assert [row[0][0] for row in rows][:2] == ["Perintahkan pengecekan · Rina Prakom",
                                               "Perintahkan pengecekan · Dedi Prakom"]
    assert ActionButton.unpack(rows[1][0][1]).choice == "s42"
    one = notify.CardFacts(assignees=((Role.STAF_PRAKOM, 41, "Rina Prakom"),))
    assert notify.buttons_for(WORDS, request, Role.KASI, one)[0][0][0] == "Perintahkan pengecekan"


@pytest.mark.parametrize("data", [
    "a:1:2:dispose:x1", "a:1:2:dispose:i", "a:1:2:dispose:i-1", "a:1:2:dispose:s1:2",
    "a:1:2:dispose:", "a:1:2:dispose:i1a",
])
def test_a_malformed_choice_never_unpacks(data: str) -> None:
    with pytest.raises(BadPayload):
        ActionButton.unpack(data)


def test_a_choice_round_trips() -> None:
    for button in (ActionButton(9, 3, "order_check", "s123456789"),
                   ActionButton(9, 0, "withdraw"), ActionButton(9, 3, "dispose", "i3")):
        assert ActionButton.unpack(button.pack()) == button
