"""The SOP table: its shape, and who may do what in which state."""

from __future__ import annotations

import itertools

import pytest

from bot.durations import WorkDays, WorkMinutes
from bot.workflow import (
    SOP,
    STEPS,
    Action,
    ActionNotAllowed,
    Actor,
    BadNote,
    Note,
    NotYourStep,
    Outcome,
    RequestClosed,
    Role,
    State,
)

FINAL_STATES = SOP.final_states
INITIAL_STATE = SOP.initial
OFFICIAL_ROLES = SOP.officials
decide = SOP.decide
reachable_states = SOP.reachable_states
to_mermaid = SOP.to_mermaid
transitions_for = SOP.transitions_for


def test_every_state_is_reachable_from_the_start() -> None:
    assert reachable_states(INITIAL_STATE) == set(State)


def test_every_open_state_has_a_step_and_an_exit_and_finals_have_none() -> None:
    stepped = {s.state for s in STEPS}
    assert stepped == set(State) - FINAL_STATES
    for step in STEPS:
        assert step.transitions, step.state
        # From every open state some final state can still be reached.
        assert reachable_states(step.state) & FINAL_STATES, step.state


def test_steps_follow_the_sop_numbering_roles_and_standard_times() -> None:
    numbers = sorted({s.number for s in STEPS})
    assert numbers == list(range(1, 10))
    by_number = {s.number: s for s in STEPS if s.state != State.LETTER_REVISION}
    expected = {1: (Role.KEPALA_DINAS, 15), 2: (Role.KABID, 15), 3: (Role.KASI, 15),
                4: (Role.STAF_PRAKOM, 24 * 60), 5: (Role.KASI, 60), 6: (Role.KABID, 20),
                7: (Role.STAF_PRAKOM, 60)}
    for number, (role, minutes) in expected.items():
        step = by_number[number]
        assert step.role == role
        if number == 4:
            assert step.standard_time == WorkDays(1)
        else:
            assert step.standard_time == WorkMinutes(minutes)
        assert step.sop_time
    # The SOP sets no time for steps 8 and 9: the table's is the office's, one working day.
    assert by_number[8].standard_time == WorkDays(1) and not by_number[8].sop_time
    assert by_number[9].standard_time == WorkDays(1) and not by_number[9].sop_time


def test_every_position_and_the_requester_act_somewhere() -> None:
    acting = {step.acting_role(t) for step in STEPS for t in step.transitions}
    assert acting >= {*OFFICIAL_ROLES, Role.SKPD}


def test_step_six_has_both_outcomes_and_step_seven_leads_to_the_letter() -> None:
    decision = next(s for s in STEPS if s.state == State.DECISION)
    targets = {t.action: (t.to, t.outcome) for t in decision.transitions}
    assert targets[Action.APPROVE] == (State.CREATION, None)
    assert targets[Action.REJECT_EXISTS] == (State.LETTER_SIGNOFF, Outcome.EXISTS)
    assert targets[Action.REJECT_ADVICE] == (State.LETTER_SIGNOFF, Outcome.ADVICE)
    creation = next(s for s in STEPS if s.state == State.CREATION)
    created = creation.transition(Action.CONFIRM_CREATED)
    assert created is not None and created.outcome == Outcome.CREATED
    assert created.to == State.LETTER_SIGNOFF


def test_return_and_decline_need_a_note_and_withdrawal_stops_at_step_six() -> None:
    for step in STEPS:
        for t in step.transitions:
            if t.action in (Action.RETURN, Action.DECLINE, Action.REVISE):
                assert t.note is Note.REQUIRED
    withdrawable = {s.number for s in STEPS if s.transition(Action.WITHDRAW)}
    assert withdrawable == {1, 2, 3, 4, 5}


def _actor(*roles: Role, person_id: int = 1) -> Actor:
    positions = frozenset(r for r in roles if r != Role.SKPD)
    return Actor(person_id, positions, is_requester=Role.SKPD in roles)


ALL_ROLES = list(Role)


@pytest.mark.parametrize(("state", "action", "role"),
                         list(itertools.product(State, Action, ALL_ROLES)))
def test_permission_matrix(state: State, action: Action, role: Role) -> None:
    """decide() allows exactly what the table lists for the role, and nothing else."""
    allowed = any(t.action is action for t in transitions_for(state, role))
    note = "catatan"
    if state in FINAL_STATES:
        with pytest.raises(RequestClosed):
            decide(state, action, _actor(role), note)
        return
    if allowed:
        decision = decide(state, action, _actor(role), note)
        assert decision.role is role
        assert decision.transition.action is action
        return
    step_has_action = any(
        t.action is action for s in STEPS if s.state is state for t in s.transitions)
    expected = NotYourStep if step_has_action else ActionNotAllowed
    with pytest.raises(expected):
        decide(state, action, _actor(role), note)


def test_acting_positions_count_like_held_ones() -> None:
    plt_head = Actor(7, frozenset({Role.KEPALA_DINAS, Role.KASI}))
    assert decide(State.DISPOSITION_HEAD, Action.DISPOSE, plt_head).role == Role.KEPALA_DINAS
    assert decide(State.ORDER_CHECK, Action.ORDER_CHECK, plt_head).role == Role.KASI


def test_assigned_staff_step_belongs_to_the_assignee_only() -> None:
    other = _actor(Role.STAF_PRAKOM, person_id=2)
    with pytest.raises(NotYourStep):
        decide(State.TECHNICAL_CHECK, Action.SUBMIT_CHECK, other, assignee_id=1)
    me = _actor(Role.STAF_PRAKOM, person_id=1)
    assert decide(State.TECHNICAL_CHECK, Action.SUBMIT_CHECK, me, assignee_id=1)


def test_notes_are_checked() -> None:
    kabid = _actor(Role.KABID)
    with pytest.raises(BadNote, match="memerlukan catatan"):
        decide(State.DISPOSITION_KABID, Action.RETURN, kabid, "   ")
    with pytest.raises(BadNote, match="terlalu panjang"):
        decide(State.DISPOSITION_KABID, Action.RETURN, kabid, "x" * 5000)
    decision = decide(State.DISPOSITION_KABID, Action.RETURN, kabid, "  perlu dilengkapi  ")
    assert decision.note == "perlu dilengkapi"
    assert decision.to == State.DISPOSITION_HEAD


def test_mermaid_names_every_state_and_transition() -> None:
    diagram = to_mermaid()
    assert diagram.startswith("stateDiagram-v2")
    for state in State:
        assert state.value in diagram
    assert "letter_signoff : 8. Kepala Dinas (1 hari kerja)" in diagram
    assert diagram.count("-->") == 1 + sum(len(s.transitions) for s in STEPS) + len(FINAL_STATES)


def test_every_effect_is_done_somewhere_and_letters_come_from_the_table() -> None:
    from bot.workflow import SOP, Effect, for_signing

    wet = for_signing(SOP, "wet").steps  # printing and the scan belong to its variant
    kinds = SOP.every_step  # changing, deleting, suspending belong to the request kinds
    used = {e for s in (*STEPS, *wet, *kinds) for t in s.transitions for e in t.effects}
    used |= {e for s in STEPS for e in s.on_enter}
    assert used == set(Effect)
    entering_signoff = [t for s in STEPS for t in s.transitions if t.to == State.LETTER_SIGNOFF]
    assert len(entering_signoff) == 4  # exists, advice, created, resubmitted
    issuing = {t.action for s in STEPS for t in s.transitions if Effect.ISSUE_LETTER in t.effects}
    assert issuing == {Action.SIGN, Action.DECLINE}
