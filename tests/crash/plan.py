"""The crash campaign's plan: which journeys, and where each one's bot process is killed.

Pure and seeded: the same seed gives the same journeys, kinds, points and hit counts, so a
failure is reproduced with `CRASH_SEED=<seed>` (the test prints it).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    """The journey's intended path (and so its intended final state)."""

    CREATED = "created"      # approved, record created, letter signed, receipt confirmed
    REVISED = "revised"      # as created, with one "Perbaiki" round on the draft
    EXISTS = "exists"        # the name exists: "Subdomain sudah ada"
    ADVICE = "advice"        # "Beri saran teknis"
    DECLINED = "declined"    # declined at step 1 (the decline letter at once)
    WITHDRAWN = "withdrawn"  # the requester withdraws before step 6


class Family(StrEnum):
    """Where the kill lands (the brief's five places)."""

    FORM = "form"      # in the /ajukan form: the bot's answer is held and the process killed
    PRESS = "press"    # right after a press: before or after the transition commits
    STEP7 = "step7"    # around the DNS update of step 7
    LETTER = "letter"  # inside the transaction that issues a letter
    OUTBOX = "outbox"  # around a message the outbox sends


MIX: dict[Kind, int] = {Kind.CREATED: 13, Kind.REVISED: 4, Kind.EXISTS: 5, Kind.ADVICE: 4,
                        Kind.DECLINED: 3, Kind.WITHDRAWN: 3}
"""How many journeys of each kind (32 in all)."""

WITHDRAW_AT = ("disposition_head", "disposition_kabid", "order_check", "technical_check")

ACTIONS: dict[Kind, int] = {Kind.CREATED: 9, Kind.REVISED: 11, Kind.EXISTS: 8,
                            Kind.ADVICE: 8, Kind.DECLINED: 1}
"""Transitions taken by chat in each kind's journey (the filing is not one)."""

SENDS: dict[Kind, int] = {Kind.CREATED: 30, Kind.REVISED: 36, Kind.EXISTS: 25,
                          Kind.ADVICE: 25, Kind.DECLINED: 8, Kind.WITHDRAWN: 8}
"""A lower bound of the outbox messages of each kind's request (measured, with margin)."""

FORM_INPUTS = 11
"""Inputs of the form: agency, name, purpose, target, IP, contact, letter number, date,
perihal, letter file, Kirim (a name that exists adds "Lanjutkan dengan nama ini")."""


@dataclass
class Journey:
    index: int
    kind: Kind
    family: Family
    point: str
    """The crash point (bot.crashpoints), or "form" for a kill while the form runs."""
    nth: int
    """The hit of the point (for the form: the input after which the answer is held)."""
    subdomain: str
    withdraw_at: str | None = None
    request_id: int | None = None
    kills: list[str] = field(default_factory=list)

    @property
    def spec(self) -> str | None:
        """SUBDOMAIN_BOT_CRASH_AT for the process this journey is killed in."""
        if self.family is Family.FORM:
            return None
        return f"{self.point}@{self.index + 1}:{self.nth}"

    def __str__(self) -> str:
        where = f" at {self.withdraw_at}" if self.withdraw_at else ""
        return (f"#{self.index + 1} {self.kind}{where} {self.subdomain}: "
                f"{self.point} hit {self.nth}")


def families(kind: Kind) -> tuple[Family, ...]:
    valid = [Family.FORM, Family.PRESS, Family.OUTBOX]
    if kind in (Kind.CREATED, Kind.REVISED):
        valid.append(Family.STEP7)
    if kind is not Kind.WITHDRAWN:
        valid.append(Family.LETTER)
    return tuple(valid)


def actions(kind: Kind, withdraw_at: str | None) -> int:
    if kind is Kind.WITHDRAWN:
        assert withdraw_at is not None
        return WITHDRAW_AT.index(withdraw_at) + 1
    return ACTIONS[kind]


def plan(seed: int) -> list[Journey]:
    rng = random.Random(seed)
    kinds = [kind for kind, count in MIX.items() for _ in range(count)]
    rng.shuffle(kinds)
    used = dict.fromkeys(Family, 0)
    created_names: list[str] = []
    journeys = []
    for index, kind in enumerate(kinds):
        valid = families(kind)
        least = min(used[f] for f in valid)  # keep every family well covered
        family = rng.choice([f for f in valid if used[f] == least])
        used[family] += 1
        withdraw_at = rng.choice(WITHDRAW_AT) if kind is Kind.WITHDRAWN else None
        if family is Family.FORM:
            point, nth = "form", rng.randint(1, FORM_INPUTS + (kind is Kind.EXISTS))
        elif family is Family.PRESS:
            point = rng.choice(("act_decided", "act_committed"))
            nth = rng.randint(1, actions(kind, withdraw_at))
        elif family is Family.STEP7:
            point, nth = rng.choice(("step7_intended", "step7_updated")), 1
        elif family is Family.LETTER:
            point, nth = "letter_registered", 1
        else:
            point, nth = rng.choice(("outbox_sending", "outbox_sent")), rng.randint(1, SENDS[kind])
        if kind is Kind.EXISTS:  # a name that is in DNS: the zone's own, or one made earlier
            subdomain = rng.choice(["dinkes", *created_names])
        else:
            subdomain = f"uji{index + 1:02d}"
            if kind in (Kind.CREATED, Kind.REVISED):
                created_names.append(subdomain)
        journeys.append(Journey(index, kind, family, point, nth, subdomain, withdraw_at))
    return journeys
