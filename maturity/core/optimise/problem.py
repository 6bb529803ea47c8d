"""The allocation problem and its answer, as plain frozen dataclasses.

A pot of money is shared among the organisations a target is about (for example every trust
with published results). Each organisation has pillar scores; the target names a threshold per
pillar; the *gap* is how many levels short of each threshold it is. Raising an organisation's
score in a pillar costs its cost per level (already scaled for its size by the caller), and a
level bought is assumed to be a level gained (the expected uplift per pound is one level per
"cost per level" pounds).

Money is in pounds throughout; uplift in levels of the 1 to 5 pillar score.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from .core_level import gaps

REACH = "reach"
UPLIFT = "uplift"
MIN_COST = "min_cost"
Objective = Literal["reach", "uplift", "min_cost"]
OBJECTIVES: dict[str, str] = {
    REACH: "Bring as many organisations as possible to the core level (weighted by priority), "
    "then close as many further levels as the money left allows",
    UPLIFT: "Close as many levels of the gap to the core level as possible (weighted by "
    "priority), whether or not organisations reach it",
    MIN_COST: "Find the least money that brings enough organisations to the core level to meet "
    "the target share",
}

MAX_CANDIDATES = 5000


class ProblemError(ValueError):
    """Inputs the optimiser cannot use; ``messages`` lists every problem found."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = messages
        super().__init__("; ".join(messages))


@dataclass(frozen=True)
class Candidate:
    """One organisation in the population the target is about.

    ``scores`` and ``cost_per_level`` are keyed by pillar id and must cover every pillar with a
    threshold. ``weight`` is its priority (1 is ordinary). ``cap`` is the most it may receive
    (None: no cap). An ineligible candidate receives nothing but still counts in the target.
    """

    key: str
    scores: Mapping[str, float]
    cost_per_level: Mapping[str, float]
    group: str | None = None
    weight: float = 1.0
    cap: float | None = None
    eligible: bool = True


@dataclass(frozen=True)
class Problem:
    """Everything one solve needs.

    ``budget`` is required unless the objective is ``min_cost`` (which finds it). Each entry of
    ``group_floors`` is the least the group's candidates must receive together (an ICB floor).
    Each ``precedence`` pair ``(before, after)`` means no money goes to the ``after`` pillar of
    a candidate until its ``before`` gap is closed. ``step``: None lets levels be bought in any
    fraction (a linear programme for the levels); a number splits each gap into equal whole
    steps of at most that many levels. ``target_share`` (0 to 1) is the share of candidates
    that should be at the core level.
    """

    candidates: tuple[Candidate, ...]
    thresholds: Mapping[str, float]
    budget: float | None = None
    objective: Objective = REACH
    group_floors: Mapping[str, float] = field(default_factory=dict)
    precedence: tuple[tuple[str, str], ...] = ()
    step: float | None = None
    target_share: float | None = None
    time_limit: float = 20.0
    mip_rel_gap: float = 1e-6


def _finite(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def problem_errors(problem: Problem) -> list[str]:
    """Every reason ``problem`` cannot be solved as given (empty when it can)."""
    errors: list[str] = []
    pillars = list(problem.thresholds)
    if not pillars:
        errors.append("The target names no pillar thresholds.")
    for pillar, value in problem.thresholds.items():
        if not _finite(value):
            errors.append(f"The threshold for {pillar} is not a number.")
    if problem.objective not in OBJECTIVES:
        errors.append(f"{problem.objective!r} is not an objective.")
    if problem.objective != MIN_COST:
        if problem.budget is None:
            errors.append("Set a budget.")
        elif not _finite(problem.budget) or problem.budget < 0:
            errors.append("The budget must be a number of pounds, zero or more.")
    if problem.objective == MIN_COST and problem.target_share is None:
        errors.append("Finding the least cost needs a target share.")
    if problem.target_share is not None and (
        not _finite(problem.target_share) or not 0 < problem.target_share <= 1
    ):
        errors.append("The target share must be more than 0 and at most 1 (100%).")
    if problem.step is not None and (not _finite(problem.step) or problem.step <= 0):
        errors.append("The step must be a positive number of levels.")
    if not _finite(problem.time_limit) or problem.time_limit <= 0:
        errors.append("The time limit must be a positive number of seconds.")
    if len(problem.candidates) > MAX_CANDIDATES:
        errors.append(f"At most {MAX_CANDIDATES} organisations can be allocated at once.")
    for before, after in problem.precedence:
        for pillar in (before, after):
            if pillar not in problem.thresholds:
                errors.append(
                    f"The order {before} before {after} names {pillar}, not in the target."
                )
        if before == after:
            errors.append(f"A pillar cannot come before itself ({before}).")
    for group, floor in problem.group_floors.items():
        if not _finite(floor) or floor < 0:
            errors.append(f"The floor for {group} must be a number of pounds, zero or more.")
    seen: set[str] = set()
    for candidate in problem.candidates:
        key = candidate.key
        if key in seen:
            errors.append(f"{key} appears more than once.")
        seen.add(key)
        for pillar in pillars:
            score = candidate.scores.get(pillar)
            cost = candidate.cost_per_level.get(pillar)
            if not _finite(score):
                errors.append(f"{key} has no score for {pillar}.")
            if not _finite(cost) or cost <= 0:
                errors.append(f"{key}: the cost per level for {pillar} must be more than £0.")
        if not _finite(candidate.weight) or candidate.weight < 0:
            errors.append(f"{key}: the priority weight must be zero or more.")
        if candidate.cap is not None and (not _finite(candidate.cap) or candidate.cap < 0):
            errors.append(f"{key}: the cap must be a number of pounds, zero or more.")
    return errors


def check_problem(problem: Problem) -> None:
    errors = problem_errors(problem)
    if errors:
        raise ProblemError(errors)


def candidate_gaps(candidate: Candidate, thresholds: Mapping[str, float]) -> dict[str, float]:
    return gaps(candidate.scores, thresholds)


def need_cost(candidate: Candidate, thresholds: Mapping[str, float]) -> float:
    """Pounds to close every gap of ``candidate``."""
    gaps = candidate_gaps(candidate, thresholds)
    return math.fsum(gaps[p] * float(candidate.cost_per_level[p]) for p in gaps)


# --- the answer -------------------------------------------------------------------------------

OPTIMAL = "optimal"
FEASIBLE = "feasible"  # stopped at the time limit with a solution not proven best
INFEASIBLE = "infeasible"
STATUSES = {
    OPTIMAL: "Optimal: no other allocation within the constraints does better",
    FEASIBLE: "Stopped at the time limit: the best allocation found, not proven optimal",
    INFEASIBLE: "No allocation meets every constraint",
}


@dataclass(frozen=True)
class Allocation:
    """What one candidate receives and what it buys."""

    key: str
    group: str | None
    amount: float
    uplift: dict[str, float]  # pillar → levels funded
    gaps: dict[str, float]  # pillar → levels short before funding
    need: float  # pounds to close every gap
    weight: float
    eligible: bool
    at_target_before: bool
    reaches_target: bool  # newly at the core level with this funding

    @property
    def at_target_after(self) -> bool:
        return self.at_target_before or self.reaches_target


@dataclass(frozen=True)
class ConstraintReport:
    """One constraint at the solution.

    ``limit`` and ``used`` are in pounds (an organisation count for the target). ``binding``:
    the constraint holds the result back (no slack left, or the linear programme prices it).
    ``shadow_price``: how much the objective changes per pound (or organisation) the limit
    moves, from the linear programme with the reach and order decisions held as solved; None
    where it has no meaning.
    """

    kind: str  # budget, cap, floor, precedence, target
    key: str
    label: str
    limit: float
    used: float
    slack: float
    binding: bool
    shadow_price: float | None = None
    note: str = ""


@dataclass(frozen=True)
class Outcome:
    """Headline figures of a solution."""

    spend: float
    population: int  # candidates the target is about
    eligible: int
    at_target_before: int
    newly_reached: int
    at_target_after: int
    share_before: float
    share_after: float
    target_share: float | None
    target_count: int | None  # organisations needed at the core level for the target share
    shortfall: int | None  # organisations still short of that after this allocation
    levels_closed: float
    weighted_levels_closed: float
    weighted_reached: float
    funded: int  # candidates receiving money

    @property
    def target_met(self) -> bool | None:
        return None if self.shortfall is None else self.shortfall == 0


@dataclass(frozen=True)
class Solution:
    status: str
    message: str
    objective: str
    objective_value: float | None  # the last stage's value: weighted levels, or pounds
    outcome: Outcome | None
    allocations: tuple[Allocation, ...]
    constraints: tuple[ConstraintReport, ...]
    solve_seconds: float

    @property
    def solved(self) -> bool:
        return self.status in (OPTIMAL, FEASIBLE)

    @property
    def binding(self) -> tuple[ConstraintReport, ...]:
        return tuple(c for c in self.constraints if c.binding)
