"""The lifecycles of a return and of a cycle, declared in one place. Pure: no Django.

A return::

    not_started ──first answer──▶ in_progress ──commit (submitter)──▶ committed
                                      ▲                                  │
                                      └──────unlock (national analyst)───┘
    any of the three ──out of scope──▶ withdrawn ──back in scope──▶ the state it had

Answering, committing and unlocking need the cycle to be open; a withdrawn return accepts
nothing. When a cycle closes, committed returns stay committed and the others become late (a
flag, not a state: a late return keeps its answers and its state).

A cycle::

    draft ──▶ open ──▶ closed ──▶ provisional_release ──▶ published
                ▲        │
                └reopen──┘

Services ask the machine before every change and record what it returns; anything the machine
does not list raises :class:`IllegalTransition` (or :class:`ReturnLocked` for a change to the
answers of a return that accepts none).
"""

from __future__ import annotations

from enum import StrEnum

from .exceptions import IllegalTransition, ReturnLocked


class ReturnState(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMMITTED = "committed"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return RETURN_STATE_LABELS[self]


RETURN_STATE_LABELS = {
    ReturnState.NOT_STARTED: "Not started",
    ReturnState.IN_PROGRESS: "In progress",
    ReturnState.COMMITTED: "Committed",
    ReturnState.WITHDRAWN: "Withdrawn",
}

#: The states a return is kept in while withdrawn (and goes back to when restored).
KEPT_STATES = (ReturnState.NOT_STARTED, ReturnState.IN_PROGRESS, ReturnState.COMMITTED)


class CycleState(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    PROVISIONAL_RELEASE = "provisional_release"
    PUBLISHED = "published"

    @property
    def label(self) -> str:
        return CYCLE_STATE_LABELS[self]


CYCLE_STATE_LABELS = {
    CycleState.DRAFT: "Draft",
    CycleState.OPEN: "Open",
    CycleState.CLOSED: "Closed",
    CycleState.PROVISIONAL_RELEASE: "Provisional release",
    CycleState.PUBLISHED: "Published",
}


class ReturnEvent(StrEnum):
    ANSWER = "answer"
    COMMIT = "commit"
    UNLOCK = "unlock"
    WITHDRAW = "withdraw"
    RESTORE = "restore"
    MARK_LATE = "mark_late"


#: Cycle states in which the scope may change (returns withdrawn or restored).
SCOPE_CHANGE_STATES = frozenset({CycleState.DRAFT, CycleState.OPEN})
#: Cycle states in which returns can be late.
AFTER_CLOSE_STATES = frozenset(
    {CycleState.CLOSED, CycleState.PROVISIONAL_RELEASE, CycleState.PUBLISHED}
)


def _require_open(cycle: CycleState, doing: str) -> None:
    if cycle != CycleState.OPEN:
        raise ReturnLocked(
            f"The cycle is {cycle.label.lower()}, not open: returns cannot be {doing} now."
        )


def next_return_state(
    state: ReturnState | str,
    event: ReturnEvent | str,
    *,
    cycle: CycleState | str,
    kept: ReturnState | str | None = None,
) -> ReturnState:
    """The state a return moves to on ``event``; raises if the event is not allowed.

    ``kept`` is the state a withdrawn return holds (needed to restore it). An answer to an
    in-progress return and marking a return late leave the state as it is.
    """
    state, event, cycle = ReturnState(state), ReturnEvent(event), CycleState(cycle)
    if event == ReturnEvent.ANSWER:
        if state == ReturnState.WITHDRAWN:
            raise ReturnLocked("The return has been withdrawn from the cycle: it accepts nothing.")
        if state == ReturnState.COMMITTED:
            raise ReturnLocked(
                "The return is committed and locked: a national analyst must unlock it first."
            )
        _require_open(cycle, "answered")
        return ReturnState.IN_PROGRESS
    if event == ReturnEvent.COMMIT:
        if state != ReturnState.IN_PROGRESS:
            raise IllegalTransition(
                f"Only a return in progress can be committed; this one is {state.label.lower()}."
            )
        _require_open(cycle, "committed")
        return ReturnState.COMMITTED
    if event == ReturnEvent.UNLOCK:
        if state != ReturnState.COMMITTED:
            raise IllegalTransition(
                f"Only a committed return can be unlocked; this one is {state.label.lower()}."
            )
        if cycle != CycleState.OPEN:
            raise IllegalTransition(
                f"The cycle is {cycle.label.lower()}: reopen it before unlocking a return, so "
                "the organisation can change its answers."
            )
        return ReturnState.IN_PROGRESS
    if event == ReturnEvent.WITHDRAW:
        if state == ReturnState.WITHDRAWN:
            raise IllegalTransition("The return is already withdrawn.")
        if cycle not in SCOPE_CHANGE_STATES:
            raise IllegalTransition(
                f"The cycle is {cycle.label.lower()}: its scope can no longer change."
            )
        return ReturnState.WITHDRAWN
    if event == ReturnEvent.RESTORE:
        if state != ReturnState.WITHDRAWN:
            raise IllegalTransition(f"The return is {state.label.lower()}, not withdrawn.")
        if cycle not in SCOPE_CHANGE_STATES:
            raise IllegalTransition(
                f"The cycle is {cycle.label.lower()}: its scope can no longer change."
            )
        if kept is None or ReturnState(kept) not in KEPT_STATES:
            raise IllegalTransition("A withdrawn return is restored to the state it had.")
        return ReturnState(kept)
    # MARK_LATE
    if state not in (ReturnState.NOT_STARTED, ReturnState.IN_PROGRESS):
        raise IllegalTransition(
            f"A {state.label.lower()} return cannot be late: only uncommitted returns are."
        )
    if cycle not in AFTER_CLOSE_STATES:
        raise IllegalTransition(f"The cycle is {cycle.label.lower()}: nothing is late yet.")
    return state


#: Every change of state a return can make, and the event that makes it.
RETURN_TRANSITIONS: dict[tuple[ReturnState, ReturnState], ReturnEvent] = {
    (ReturnState.NOT_STARTED, ReturnState.IN_PROGRESS): ReturnEvent.ANSWER,
    (ReturnState.IN_PROGRESS, ReturnState.COMMITTED): ReturnEvent.COMMIT,
    (ReturnState.COMMITTED, ReturnState.IN_PROGRESS): ReturnEvent.UNLOCK,
    **{(s, ReturnState.WITHDRAWN): ReturnEvent.WITHDRAW for s in KEPT_STATES},
    **{(ReturnState.WITHDRAWN, s): ReturnEvent.RESTORE for s in KEPT_STATES},
}


def check_return_transition(
    from_state: ReturnState | str,
    to_state: ReturnState | str,
    *,
    cycle: CycleState | str,
    kept: ReturnState | str | None = None,
) -> ReturnEvent:
    """The event that moves a return from one state to another; raises if none may."""
    from_state, to_state = ReturnState(from_state), ReturnState(to_state)
    event = RETURN_TRANSITIONS.get((from_state, to_state))
    if event is None:
        raise IllegalTransition(
            f"A return cannot go from {from_state.label.lower()} to {to_state.label.lower()}."
        )
    if next_return_state(from_state, event, cycle=cycle, kept=kept) != to_state:
        raise IllegalTransition(
            f"A withdrawn return goes back to the state it had, not {to_state.label.lower()}."
        )
    return event


CYCLE_TRANSITIONS: frozenset[tuple[CycleState, CycleState]] = frozenset(
    {
        (CycleState.DRAFT, CycleState.OPEN),
        (CycleState.OPEN, CycleState.CLOSED),
        (CycleState.CLOSED, CycleState.OPEN),
        (CycleState.CLOSED, CycleState.PROVISIONAL_RELEASE),
        (CycleState.PROVISIONAL_RELEASE, CycleState.PUBLISHED),
    }
)


def check_cycle_transition(from_state: CycleState | str, to_state: CycleState | str) -> None:
    from_state, to_state = CycleState(from_state), CycleState(to_state)
    if (from_state, to_state) not in CYCLE_TRANSITIONS:
        raise IllegalTransition(
            f"A cycle cannot go from {from_state.label.lower()} to {to_state.label.lower()}."
        )


def return_state(status: str, *, withdrawn: bool) -> ReturnState:
    """The state a stored return is in: its status, unless it is withdrawn."""
    return ReturnState.WITHDRAWN if withdrawn else ReturnState(status)
