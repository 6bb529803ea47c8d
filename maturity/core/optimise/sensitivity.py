"""How the result changes when a constraint moves: the problem is re-solved with one limit
changed at a time (parametric analysis), which, unlike dual values, stays exact when whole
organisations tip over the core level.

:func:`default_moves` picks the moves that make sense for a problem: the budget 10% lower and
higher; every cap 20% lower and removed; every group floor raised by half and removed; the
order of funding dropped (or added); the thresholds half a level lower and higher; and, when
finding the least cost, the target share five points lower and higher. Each move is a full
re-solve, so a caller can give a time allowance: moves not reached within it are reported as
not tried.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from dataclasses import dataclass

from .core_level import precedence_pairs
from .problem import MIN_COST, Problem, Solution
from .solver import solve

BUDGET = "budget"
CAP = "cap"
FLOOR = "floor"
PRECEDENCE = "precedence"
THRESHOLD = "threshold"
TARGET_SHARE = "target_share"
NOT_TRIED = "not_tried"


@dataclass(frozen=True)
class Move:
    """One change to one kind of constraint: scale it, shift it, remove it or (for the order
    of funding) add it."""

    kind: str
    label: str
    factor: float | None = None
    shift: float | None = None
    remove: bool = False
    add: bool = False


@dataclass(frozen=True)
class SensitivityRow:
    kind: str
    label: str
    status: str
    message: str
    objective_value: float | None
    spend: float | None
    newly_reached: int | None
    at_target_after: int | None
    share_after: float | None
    levels_closed: float | None
    shortfall: int | None
    delta_objective: float | None
    delta_reached: int | None
    delta_levels: float | None
    delta_spend: float | None


def _scaled(value: float | None, factor: float) -> float | None:
    return None if value is None else value * factor


def apply_move(problem: Problem, move: Move) -> Problem:
    """``problem`` with ``move`` applied (a new object; the original is unchanged)."""
    if move.kind == BUDGET:
        return dataclasses.replace(problem, budget=_scaled(problem.budget, move.factor or 1.0))
    if move.kind == CAP:
        candidates = tuple(
            dataclasses.replace(c, cap=None if move.remove else _scaled(c.cap, move.factor or 1.0))
            for c in problem.candidates
        )
        return dataclasses.replace(problem, candidates=candidates)
    if move.kind == FLOOR:
        floors = (
            {}
            if move.remove
            else {g: f * (move.factor or 1.0) for g, f in problem.group_floors.items()}
        )
        return dataclasses.replace(problem, group_floors=floors)
    if move.kind == PRECEDENCE:
        pairs = precedence_pairs(problem.thresholds) if move.add else ()
        return dataclasses.replace(problem, precedence=pairs)
    if move.kind == THRESHOLD:
        shift = move.shift or 0.0
        thresholds = {p: min(5.0, max(1.0, t + shift)) for p, t in problem.thresholds.items()}
        return dataclasses.replace(problem, thresholds=thresholds)
    if move.kind == TARGET_SHARE:
        share = min(1.0, max(0.01, (problem.target_share or 0.0) + (move.shift or 0.0)))
        return dataclasses.replace(problem, target_share=share)
    raise ValueError(f"unknown move {move.kind!r}")


def default_moves(problem: Problem) -> list[Move]:
    moves: list[Move] = []
    if problem.objective != MIN_COST and problem.budget:
        for factor, words in ((0.9, "10% lower"), (1.1, "10% higher")):
            moves.append(Move(BUDGET, f"Budget {words}", factor=factor))
    if any(c.cap is not None for c in problem.candidates):
        moves += [
            Move(CAP, "Cap per organisation 20% lower", factor=0.8),
            Move(CAP, "No cap per organisation", remove=True),
        ]
    if any(f > 0 for f in problem.group_floors.values()):
        moves += [
            Move(FLOOR, "ICB floors half as high again", factor=1.5),
            Move(FLOOR, "No ICB floors", remove=True),
        ]
    if problem.precedence:
        moves.append(Move(PRECEDENCE, "Without funding smart foundations first", remove=True))
    elif precedence_pairs(problem.thresholds):
        moves.append(Move(PRECEDENCE, "Funding smart foundations first", add=True))
    moves += [
        Move(THRESHOLD, "Core-level thresholds half a level lower", shift=-0.5),
        Move(THRESHOLD, "Core-level thresholds half a level higher", shift=0.5),
    ]
    if problem.objective == MIN_COST:
        moves += [
            Move(TARGET_SHARE, "Target share 5 points lower", shift=-0.05),
            Move(TARGET_SHARE, "Target share 5 points higher", shift=0.05),
        ]
    return moves


def _not_tried(move: Move) -> SensitivityRow:
    return SensitivityRow(
        kind=move.kind,
        label=move.label,
        status=NOT_TRIED,
        message="Not tried: the time allowed for trying moves ran out.",
        objective_value=None,
        spend=None,
        newly_reached=None,
        at_target_after=None,
        share_after=None,
        levels_closed=None,
        shortfall=None,
        delta_objective=None,
        delta_reached=None,
        delta_levels=None,
        delta_spend=None,
    )


def _delta(after: float | None, before: float | None) -> float | None:
    if after is None or before is None:
        return None
    return after - before


def sensitivity(
    problem: Problem,
    base: Solution | None = None,
    moves: Sequence[Move] | None = None,
    *,
    allowance: float | None = None,
) -> list[SensitivityRow]:
    """Re-solve ``problem`` once per move and compare each result with ``base`` (solved here
    when not given). With ``allowance`` (seconds), moves not started within it are reported
    with status ``not_tried``."""
    base = base if base is not None else solve(problem)
    reference = base.outcome
    started = time.perf_counter()
    rows = []
    for move in default_moves(problem) if moves is None else moves:
        if allowance is not None and time.perf_counter() - started > allowance:
            rows.append(_not_tried(move))
            continue
        moved = solve(apply_move(problem, move), with_duals=False)
        outcome = moved.outcome
        if outcome is None or reference is None:
            delta_objective = delta_reached = delta_levels = delta_spend = None
        else:
            delta_objective = _delta(moved.objective_value, base.objective_value)
            delta_reached = outcome.at_target_after - reference.at_target_after
            delta_levels = outcome.levels_closed - reference.levels_closed
            delta_spend = outcome.spend - reference.spend
        rows.append(
            SensitivityRow(
                kind=move.kind,
                label=move.label,
                status=moved.status,
                message=moved.message,
                objective_value=moved.objective_value,
                spend=outcome.spend if outcome else None,
                newly_reached=outcome.newly_reached if outcome else None,
                at_target_after=outcome.at_target_after if outcome else None,
                share_after=outcome.share_after if outcome else None,
                levels_closed=outcome.levels_closed if outcome else None,
                shortfall=outcome.shortfall if outcome else None,
                delta_objective=delta_objective,
                delta_reached=delta_reached,
                delta_levels=delta_levels,
                delta_spend=delta_spend,
            )
        )
    return rows
