"""The optimiser against exhaustive search on random small cases, and properties that must hold
on any case: every constraint holds, relaxing a constraint never makes the result worse."""

from __future__ import annotations

import dataclasses
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maturity.core.optimise import (
    INFEASIBLE,
    MIN_COST,
    REACH,
    UPLIFT,
    Candidate,
    Problem,
    solve,
)

from .oracle import assert_constraints_hold, brute_force

SF = "smart_foundations"
SP = "safe_practice"
HALF_LEVELS = [1.0, 1.5, 2.0, 2.5, 3.0, 3.5]


@st.composite
def small_problems(draw, objective: str | None = None, step: float | None = 0.5):
    pillars = draw(st.sampled_from([[SF], [SF, SP]]))
    n = draw(st.integers(1, 3 if len(pillars) == 2 else 4))
    candidates = []
    for i in range(n):
        scores = {p: draw(st.sampled_from(HALF_LEVELS)) for p in pillars}
        costs = {p: float(draw(st.integers(1, 5))) for p in pillars}
        cap = draw(st.one_of(st.none(), st.integers(0, 6).map(float)))
        candidates.append(
            Candidate(
                key=f"T{i}",
                scores=scores,
                cost_per_level=costs,
                group=draw(st.sampled_from(["A", "B"])),
                weight=float(draw(st.integers(0, 3))),
                cap=cap,
                eligible=draw(st.booleans()) or draw(st.booleans()),
            )
        )
    objective = objective or draw(st.sampled_from([REACH, UPLIFT, MIN_COST]))
    floors = draw(
        st.dictionaries(st.sampled_from(["A", "B"]), st.integers(0, 4).map(float), max_size=2)
    )
    precedence = ((SF, SP),) if len(pillars) == 2 and draw(st.booleans()) else ()
    return Problem(
        candidates=tuple(candidates),
        thresholds={p: 3.0 for p in pillars},
        budget=float(draw(st.integers(0, 14))),
        objective=objective,
        group_floors=floors,
        precedence=precedence,
        step=step,
        target_share=draw(st.sampled_from([0.25, 0.5, 0.75, 1.0])),
        mip_rel_gap=1e-9,
    )


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(small_problems())
def test_whole_step_optimum_matches_exhaustive_search(problem):
    expected = brute_force(problem)
    solution = solve(problem)
    if expected is None:
        assert solution.status == INFEASIBLE
        return
    assert solution.solved, solution.message
    assert_constraints_hold(problem, solution)
    assert solution.objective_value == pytest.approx(expected[0], abs=1e-6)
    if problem.objective == REACH:
        assert solution.outcome.weighted_levels_closed == pytest.approx(expected[1], abs=1e-6)


@SETTINGS
@given(small_problems(step=None))
def test_continuous_solutions_meet_every_constraint(problem):
    solution = solve(problem)
    if solution.status == INFEASIBLE:
        return
    assert_constraints_hold(problem, solution)


@SETTINGS
@given(small_problems(objective=UPLIFT))
def test_buying_fractions_of_levels_never_does_worse_than_whole_steps(problem):
    whole = solve(problem)
    fractional = solve(dataclasses.replace(problem, step=None))
    if whole.status == INFEASIBLE:
        return
    assert fractional.objective_value >= whole.objective_value - 1e-6


@SETTINGS
@given(small_problems(objective=REACH), st.integers(1, 6))
def test_more_budget_never_reaches_fewer(problem, extra):
    before = solve(problem)
    after = solve(dataclasses.replace(problem, budget=problem.budget + extra))
    if before.status == INFEASIBLE:
        return
    assert after.objective_value >= before.objective_value - 1e-6


def _greedy_fractional(problem: Problem) -> float:
    """Fractional knapsack: buy levels in order of priority per pound until the money runs out."""
    items = []
    for c in problem.candidates:
        if not c.eligible:
            continue
        for p, threshold in problem.thresholds.items():
            gap = max(0.0, threshold - c.scores[p])
            if gap > 0:
                items.append((c.weight / c.cost_per_level[p], gap, c.cost_per_level[p], c.weight))
    items.sort(key=lambda item: -item[0])
    money, value = problem.budget, 0.0
    for _ratio, gap, cost, weight in items:
        levels = min(gap, money / cost)
        value += weight * levels
        money -= levels * cost
    return value


def test_linear_uplift_matches_the_greedy_fractional_knapsack_on_seeded_cases():
    rng = random.Random(20260401)
    for _ in range(200):
        n = rng.randint(1, 12)
        candidates = tuple(
            Candidate(
                key=f"T{i}",
                scores={SF: rng.uniform(1, 4), SP: rng.uniform(1, 4)},
                cost_per_level={SF: rng.uniform(0.2, 3) * 1e6, SP: rng.uniform(0.2, 3) * 1e6},
                weight=rng.uniform(0, 3),
                eligible=rng.random() > 0.2,
            )
            for i in range(n)
        )
        problem = Problem(
            candidates, {SF: 3.0, SP: 3.0}, budget=rng.uniform(0, 8) * 1e6, objective=UPLIFT
        )
        solution = solve(problem)
        assert solution.objective_value == pytest.approx(_greedy_fractional(problem), rel=1e-6)
        assert_constraints_hold(problem, solution)
