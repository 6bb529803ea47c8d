"""Test oracles: an exhaustive search over whole steps, and a checker that every constraint holds.

Both are written from the problem's definition, independently of the solver's formulation.
"""

from __future__ import annotations

import itertools
import math

from maturity.core.optimise import MIN_COST, REACH, UPLIFT, Problem, Solution, gaps

TOL = 1e-6


def _units(gap: float, step: float) -> int:
    return max(1, math.ceil(gap / step - 1e-9))


def effective_floors(problem: Problem) -> dict[str, float]:
    """Each group floor, lowered to what its eligible candidates with a gap can use."""
    out = {}
    for group, floor in problem.group_floors.items():
        usable = 0.0
        for c in problem.candidates:
            if c.group != group or not c.eligible or (c.cap is not None and c.cap <= 0):
                continue
            g = gaps(c.scores, problem.thresholds)
            need = sum(g[p] * c.cost_per_level[p] for p in g)
            if need <= 0:
                continue
            usable += min(need, c.cap if c.cap is not None else math.inf)
        out[group] = min(floor, usable)
    return out


def brute_force(problem: Problem) -> tuple[float, float] | None:
    """The best (primary, secondary) objective over every whole-step allocation, or None if no
    allocation meets every constraint. Primary: weighted organisations reached (reach), weighted
    levels (uplift) or pounds (min_cost, smaller is better). Secondary: weighted levels for
    reach, 0 otherwise."""
    assert problem.step is not None
    step = problem.step
    thresholds = problem.thresholds
    items = []  # (candidate index, pillar, units, levels per unit, pounds per unit)
    before = 0
    for i, c in enumerate(problem.candidates):
        g = gaps(c.scores, thresholds)
        if not any(g.values()):
            before += 1
            continue
        if not c.eligible or (c.cap is not None and c.cap <= 0):
            continue
        for pillar, gap in g.items():
            if gap > 0:
                n = _units(gap, step)
                items.append((i, pillar, n, gap / n, c.cost_per_level[pillar] * gap / n))
    floors = effective_floors(problem)
    population = len(problem.candidates)
    needed = None
    if problem.objective == MIN_COST:
        needed = math.ceil(problem.target_share * population - 1e-9) - before
    best: tuple[float, float] | None = None
    for choice in itertools.product(*[range(item[2] + 1) for item in items]):
        spend: dict[int, float] = {}
        bought: dict[tuple[int, str], int] = {}
        for units, (i, pillar, _n, _levels, cost) in zip(choice, items, strict=True):
            spend[i] = spend.get(i, 0.0) + units * cost
            bought[(i, pillar)] = units
        total = sum(spend.values())
        if problem.objective != MIN_COST and total > problem.budget + TOL:
            continue
        if any(
            c.cap is not None and spend.get(i, 0.0) > c.cap + TOL
            for i, c in enumerate(problem.candidates)
        ):
            continue
        if any(
            sum(s for i, s in spend.items() if problem.candidates[i].group == g) < f - TOL
            for g, f in floors.items()
        ):
            continue
        ok = True
        for before_p, after_p in problem.precedence:
            for i, _c in enumerate(problem.candidates):
                if bought.get((i, after_p), 0) > 0:
                    n_before = next(
                        (it[2] for it in items if it[0] == i and it[1] == before_p), None
                    )
                    if n_before is not None and bought.get((i, before_p), 0) < n_before:
                        ok = False
        if not ok:
            continue
        reached = set()
        for i in range(len(problem.candidates)):
            mine = [it for it in items if it[0] == i]
            if mine and all(bought[(i, it[1])] == it[2] for it in mine):
                reached.add(i)
        weights = [c.weight for c in problem.candidates]
        levels = sum(
            weights[i] * units * lv
            for units, (i, _p, _n, lv, _c) in zip(choice, items, strict=True)
        )
        if problem.objective == REACH:
            value = (sum(weights[i] for i in reached), levels)
        elif problem.objective == UPLIFT:
            value = (levels, 0.0)
        else:
            if len(reached) < needed:
                continue
            value = (-total, 0.0)
        if (
            best is None
            or value[0] > best[0] + TOL
            or (abs(value[0] - best[0]) <= TOL and value[1] > best[1] + TOL)
        ):
            best = value
    if best is None:
        return None
    if problem.objective == MIN_COST:
        return (-best[0], 0.0)
    return best


def assert_constraints_hold(problem: Problem, solution: Solution) -> None:
    """Every constraint the problem sets holds at the solution, and the figures add up."""
    assert solution.solved, solution.message
    allocations = {a.key: a for a in solution.allocations}
    assert len(allocations) == len(problem.candidates)
    total = 0.0
    by_group: dict[str | None, float] = {}
    for c in problem.candidates:
        a = allocations[c.key]
        g = gaps(c.scores, problem.thresholds)
        assert a.amount >= -TOL
        if not c.eligible:
            assert a.amount == 0 and a.uplift == {}
        if c.cap is not None:
            assert a.amount <= c.cap + TOL * max(1, c.cap)
        # Money buys levels at the candidate's cost, never beyond a gap.
        cost = sum(a.uplift.get(p, 0.0) * c.cost_per_level[p] for p in g)
        assert math.isclose(cost, a.amount, rel_tol=1e-6, abs_tol=1e-6)
        for p, levels in a.uplift.items():
            assert levels <= g[p] + TOL
        reached = all(a.uplift.get(p, 0.0) >= g[p] - TOL for p in g if g[p] > 0)
        assert a.reaches_target == (reached and any(g.values()))
        for before, after in problem.precedence:
            if a.uplift.get(after, 0.0) > TOL and g[before] > 0:
                assert a.uplift.get(before, 0.0) >= g[before] - TOL
        total += a.amount
        by_group[c.group] = by_group.get(c.group, 0.0) + a.amount
    if problem.objective != MIN_COST:
        assert total <= problem.budget + TOL * max(1, problem.budget)
    for group, floor in effective_floors(problem).items():
        assert by_group.get(group, 0.0) >= floor - TOL * max(1, floor)
    outcome = solution.outcome
    assert math.isclose(outcome.spend, total, rel_tol=1e-9, abs_tol=1e-9)
    assert outcome.at_target_after == outcome.at_target_before + outcome.newly_reached
    if problem.objective == MIN_COST:
        assert outcome.shortfall == 0
