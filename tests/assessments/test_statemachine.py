"""The return and cycle lifecycles: every pair of states, every event, in every cycle state."""

from __future__ import annotations

import itertools

import pytest

from maturity.assessments.exceptions import IllegalTransition, ReturnLocked
from maturity.assessments.statemachine import (
    CycleState,
    ReturnEvent,
    ReturnState,
    check_cycle_transition,
    check_return_transition,
    next_return_state,
)

NS, IP, C, W = (
    ReturnState.NOT_STARTED,
    ReturnState.IN_PROGRESS,
    ReturnState.COMMITTED,
    ReturnState.WITHDRAWN,
)
KEPT = (NS, IP, C)

# (from, to) → the cycle states in which the change is allowed. Everything else is refused.
ALLOWED_RETURN_PAIRS = {
    (NS, IP): {CycleState.OPEN},  # first answer
    (IP, C): {CycleState.OPEN},  # commit
    (C, IP): {CycleState.OPEN},  # unlock
    **{(s, W): {CycleState.DRAFT, CycleState.OPEN} for s in KEPT},  # out of scope
    **{(W, s): {CycleState.DRAFT, CycleState.OPEN} for s in KEPT},  # back in scope
}

# (state, event) → {cycle state: resulting state}. Missing entries must raise.
ALLOWED_EVENTS = {
    (NS, ReturnEvent.ANSWER): {CycleState.OPEN: IP},
    (IP, ReturnEvent.ANSWER): {CycleState.OPEN: IP},
    (IP, ReturnEvent.COMMIT): {CycleState.OPEN: C},
    (C, ReturnEvent.UNLOCK): {CycleState.OPEN: IP},
    **{(s, ReturnEvent.WITHDRAW): {CycleState.DRAFT: W, CycleState.OPEN: W} for s in KEPT},
    (W, ReturnEvent.RESTORE): {CycleState.DRAFT: "kept", CycleState.OPEN: "kept"},
    **{
        (s, ReturnEvent.MARK_LATE): {
            CycleState.CLOSED: s,
            CycleState.PROVISIONAL_RELEASE: s,
            CycleState.PUBLISHED: s,
        }
        for s in (NS, IP)
    },
}


@pytest.mark.parametrize("cycle", list(CycleState))
@pytest.mark.parametrize(
    ("from_state", "to_state"), list(itertools.product(ReturnState, ReturnState))
)
def test_every_pair_of_return_states(from_state, to_state, cycle):
    allowed = cycle in ALLOWED_RETURN_PAIRS.get((from_state, to_state), set())
    # A withdrawn return is restored to the state it kept; try it with that state kept.
    kept = to_state if from_state == W and to_state in KEPT else None
    if allowed:
        event = check_return_transition(from_state, to_state, cycle=cycle, kept=kept)
        assert next_return_state(from_state, event, cycle=cycle, kept=kept) == to_state
    else:
        with pytest.raises(IllegalTransition):
            check_return_transition(from_state, to_state, cycle=cycle, kept=kept)


@pytest.mark.parametrize("kept", KEPT)
@pytest.mark.parametrize("other", KEPT)
def test_a_withdrawn_return_is_restored_only_to_the_state_it_kept(kept, other):
    if kept == other:
        assert check_return_transition(W, other, cycle=CycleState.OPEN, kept=kept)
    else:
        with pytest.raises(IllegalTransition, match="state it had"):
            check_return_transition(W, other, cycle=CycleState.OPEN, kept=kept)


@pytest.mark.parametrize("cycle", list(CycleState))
@pytest.mark.parametrize("event", list(ReturnEvent))
@pytest.mark.parametrize("state", list(ReturnState))
def test_every_event_in_every_state(state, event, cycle):
    outcomes = ALLOWED_EVENTS.get((state, event), {})
    if cycle in outcomes:
        expected = outcomes[cycle]
        for kept in KEPT if expected == "kept" else (None,):
            result = next_return_state(state, event, cycle=cycle, kept=kept)
            assert result == (kept if expected == "kept" else expected)
    else:
        with pytest.raises(IllegalTransition):
            next_return_state(state, event, cycle=cycle, kept=NS)


@pytest.mark.parametrize("cycle", [c for c in CycleState if c != CycleState.OPEN])
@pytest.mark.parametrize("state", [NS, IP])
def test_answering_outside_an_open_cycle_is_refused_as_locked(state, cycle):
    with pytest.raises(ReturnLocked, match="not open"):
        next_return_state(state, ReturnEvent.ANSWER, cycle=cycle)


@pytest.mark.parametrize("state", [C, W])
def test_committed_and_withdrawn_returns_accept_no_answers(state):
    with pytest.raises(ReturnLocked):
        next_return_state(state, ReturnEvent.ANSWER, cycle=CycleState.OPEN)


def test_restoring_needs_the_kept_state():
    with pytest.raises(IllegalTransition):
        next_return_state(W, ReturnEvent.RESTORE, cycle=CycleState.OPEN, kept=None)
    with pytest.raises(IllegalTransition):
        next_return_state(W, ReturnEvent.RESTORE, cycle=CycleState.OPEN, kept=W)


ALLOWED_CYCLE_PAIRS = {
    (CycleState.DRAFT, CycleState.OPEN),
    (CycleState.OPEN, CycleState.CLOSED),
    (CycleState.CLOSED, CycleState.OPEN),
    (CycleState.CLOSED, CycleState.PROVISIONAL_RELEASE),
    (CycleState.PROVISIONAL_RELEASE, CycleState.PUBLISHED),
}


@pytest.mark.parametrize(
    ("from_state", "to_state"), list(itertools.product(CycleState, CycleState))
)
def test_every_pair_of_cycle_states(from_state, to_state):
    if (from_state, to_state) in ALLOWED_CYCLE_PAIRS:
        check_cycle_transition(from_state, to_state)
    else:
        with pytest.raises(IllegalTransition, match="cannot go from"):
            check_cycle_transition(from_state, to_state)


def test_unknown_states_and_events_are_errors():
    with pytest.raises(ValueError):
        next_return_state("submitted", ReturnEvent.ANSWER, cycle=CycleState.OPEN)
    with pytest.raises(ValueError):
        next_return_state(NS, "approve", cycle=CycleState.OPEN)
