"""The pacer's token buckets: bursts, sustained rates, groups, the overall limit, 429 holds."""

from __future__ import annotations

import pytest

from bot.pacing import SLACK, Pacer, is_message
from bot.settings import Pacing

GROUP = -1001234567890


class Ticks:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def sent_at_once(pacer: Pacer, chat: int, tries: int = 100) -> int:
    return sum(1 for _ in range(tries) if pacer.take(chat) == 0)


def test_a_private_chat_gets_its_burst_then_one_a_second() -> None:
    clock = Ticks()
    pacer = Pacer(Pacing(), clock)
    assert sent_at_once(pacer, 201) == 4
    assert pacer.take(201) == pytest.approx(SLACK), "the fifth of the burst: after the margin"
    clock.now += SLACK
    assert pacer.take(201) == 0
    wait = pacer.take(201)
    assert wait == pytest.approx(1.0), "then one a second (the margin kept)"
    clock.now += wait
    assert pacer.take(201) == 0
    assert sent_at_once(pacer, 202) == 4, "another chat is not held back"


def test_a_group_gets_twenty_then_one_every_three_seconds() -> None:
    clock = Ticks()
    pacer = Pacer(Pacing(), clock)
    assert sent_at_once(pacer, GROUP) == 19
    clock.now += SLACK
    assert pacer.take(GROUP) == 0
    assert pacer.take(GROUP) == pytest.approx(3.0)


def test_the_bot_overall_stays_within_thirty_a_second() -> None:
    clock = Ticks()
    pacer = Pacer(Pacing(private_burst=100), clock)
    sent = sum(1 for chat in range(1, 200) if pacer.take(chat) == 0)
    assert 26 <= sent <= 30
    clock.now += 1.0
    again = sum(1 for chat in range(1, 200) if pacer.take(chat) == 0)
    assert again <= 30


def test_a_429_holds_only_its_chat() -> None:
    clock = Ticks()
    pacer = Pacer(Pacing(), clock)
    pacer.hold(201, 2.0)
    assert pacer.take(201) == pytest.approx(2.0)
    assert pacer.take(202) == 0
    clock.now += 2.0
    assert pacer.take(201) == 0


def test_a_rate_of_zero_is_no_limit() -> None:
    pacer = Pacer(Pacing(private_per_second=0, group_per_minute=0, overall_per_second=0),
                  Ticks())
    assert sent_at_once(pacer, 201, 1000) == 1000
    assert sent_at_once(pacer, GROUP, 1000) == 1000


def test_idle_chats_are_forgotten() -> None:
    clock = Ticks()
    pacer = Pacer(Pacing(overall_per_second=0), clock)
    for chat in range(1, 5000):
        pacer.take(chat)
    clock.now += 10
    pacer.take(99_999)
    assert len(pacer._chats) < 1000


@pytest.mark.parametrize(("method", "counted"), [
    ("sendMessage", True), ("sendDocument", True), ("copyMessage", True),
    ("editMessageText", False), ("answerCallbackQuery", False), ("sendChatAction", False),
    ("getUpdates", False),
])
def test_only_new_messages_count(method: str, counted: bool) -> None:
    assert is_message(method) is counted
