"""Solve an allocation :class:`~.problem.Problem` as a mixed-integer programme with HiGHS.

Variables (for each eligible candidate i with a gap, and each pillar p it is short in):

``v[i,p]``
    levels bought: continuous in [0, gap] (no ``step``), or a whole number of equal steps in
    [0, n] where n = ceil(gap / step). One unit costs ``cost_per_level x uplift per unit``.
``y[i]`` (binary, objectives ``reach`` and ``min_cost``)
    i reaches the core level: ``n[i,p] y[i] <= v[i,p]`` for every p.
``z[i]`` (binary, when an order is set)
    i's ``before`` pillar is closed: ``n[i,B] z[i] <= v[i,B]`` and ``v[i,A] <= n[i,A] z[i]``
    for each pillar A after B, so no money reaches A until B is closed.

Constraints: the budget (sum of spend <= budget; not for ``min_cost``), each cap (a candidate's
spend <= its cap), each group floor (a group's spend >= its floor, lowered to what the group's
candidates can use, with a note) and, for ``min_cost``, enough candidates reaching the core
level for the target share.

Objectives: ``uplift`` maximises the priority-weighted levels bought. ``reach`` is solved in
two stages: first the priority-weighted number of candidates reaching the core level is
maximised; then, holding that number, the weighted levels bought (so money left over still
closes gaps). ``min_cost`` minimises the money spent.

Binding constraints and shadow prices: after the mixed-integer solve, the binary decisions
(``y``, ``z``) are held at their solved values and the levels are re-solved as a linear
programme (``linprog(method="highs")``); its dual values say how much the last stage's
objective would change per pound (or organisation) a constraint's limit moves. A constraint is
binding when no slack is left at the solution or its dual value is not zero (in step mode, the
money left under a limit may be too little to buy a whole step: that limit binds too).

Money is rescaled so the dearest unit costs 1 before solving (pounds and levels differ by six
orders of magnitude); every figure returned is in pounds.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import csr_array

from .problem import (
    FEASIBLE,
    INFEASIBLE,
    MIN_COST,
    OPTIMAL,
    REACH,
    UPLIFT,
    Allocation,
    ConstraintReport,
    Outcome,
    Problem,
    Solution,
    candidate_gaps,
    check_problem,
    need_cost,
)

# A level count within this (relative) of a gap counts as closing it.
REACH_TOLERANCE = 1e-7
# Pounds: slack below this (relative to the limit) is no slack.
SLACK_TOLERANCE = 1e-6
DUAL_TOLERANCE = 1e-9


@dataclass
class _Row:
    kind: str
    key: str
    label: str
    coefficients: dict[int, float]
    rhs: float
    money: bool  # the row is in (scaled) pounds
    sign: int  # the row is sign x (expression) <= sign x limit
    limit: float  # in pounds, or organisations
    report: bool = True
    note: str = ""


@dataclass
class _Model:
    problem: Problem
    gaps: list[dict[str, float]]
    needs: list[float]
    at_before: list[bool]
    scale: float = 1.0
    # variable layout
    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    integer: list[int] = field(default_factory=list)
    v_index: dict[tuple[int, str], int] = field(default_factory=dict)
    v_units: dict[tuple[int, str], float] = field(default_factory=dict)  # n
    v_uplift: dict[tuple[int, str], float] = field(default_factory=dict)  # levels per unit
    v_cost: dict[tuple[int, str], float] = field(default_factory=dict)  # pounds per unit
    y_index: dict[int, int] = field(default_factory=dict)
    z_index: dict[tuple[int, str], int] = field(default_factory=dict)
    rows: list[_Row] = field(default_factory=list)
    infeasible_reason: str = ""
    notes: dict[str, str] = field(default_factory=dict)

    def add_var(self, lower: float, upper: float, integer: bool) -> int:
        self.lower.append(lower)
        self.upper.append(upper)
        self.integer.append(1 if integer else 0)
        return len(self.lower) - 1

    @property
    def size(self) -> int:
        return len(self.lower)

    def spend_terms(self, i: int) -> dict[int, float]:
        return {
            self.v_index[key]: self.v_cost[key] / self.scale for key in self.v_index if key[0] == i
        }


def _units(gap: float, step: float | None) -> float:
    if step is None:
        return gap
    return float(max(1, math.ceil(gap / step - 1e-9)))


def _build(problem: Problem) -> _Model:
    thresholds = dict(problem.thresholds)
    candidates = problem.candidates
    gaps = [candidate_gaps(c, thresholds) for c in candidates]
    model = _Model(
        problem=problem,
        gaps=gaps,
        needs=[need_cost(c, thresholds) for c in candidates],
        at_before=[not any(g.values()) for g in gaps],
    )
    wants_y = problem.objective in (REACH, MIN_COST)
    active = [
        i
        for i, c in enumerate(candidates)
        if c.eligible and not model.at_before[i] and (c.cap is None or c.cap > 0)
    ]
    for i in active:
        c = candidates[i]
        for pillar, gap in gaps[i].items():
            if gap <= 0:
                continue
            n = _units(gap, problem.step)
            per_unit = gap / n
            key = (i, pillar)
            model.v_index[key] = model.add_var(0.0, n, problem.step is not None)
            model.v_units[key] = n
            model.v_uplift[key] = per_unit
            model.v_cost[key] = float(c.cost_per_level[pillar]) * per_unit
        if wants_y:
            # A candidate whose cap is below its need can never reach the core level.
            can_reach = c.cap is None or c.cap >= model.needs[i] * (1 - 1e-12)
            model.y_index[i] = model.add_var(0.0, 1.0 if can_reach else 0.0, True)
        for before, _after in problem.precedence:
            dependants = [
                a for b, a in problem.precedence if b == before and (i, a) in model.v_index
            ]
            if (i, before) in model.v_index and dependants and (i, before) not in model.z_index:
                model.z_index[(i, before)] = model.add_var(0.0, 1.0, True)
    model.scale = max(model.v_cost.values(), default=1.0)
    _add_rows(model, active)
    return model


def _row(
    model: _Model,
    kind: str,
    key: str,
    coefficients: dict[int, float],
    limit: float,
    *,
    label: str = "",
    money: bool = True,
    sign: int = 1,
    report: bool = True,
    note: str = "",
) -> _Row:
    """A row ``sign x (coefficients . x) <= sign x limit``; ``coefficients`` already carry the
    sign, money rows are in scaled pounds."""
    rhs = sign * limit / model.scale if money else sign * limit
    return _Row(kind, key, label, coefficients, rhs, money, sign, limit, report, note)


def _add_rows(model: _Model, active: list[int]) -> None:
    problem, scale = model.problem, model.scale
    candidates = problem.candidates
    rows = model.rows
    if problem.objective != MIN_COST:
        spend = {index: model.v_cost[key] / scale for key, index in model.v_index.items()}
        rows.append(_row(model, "budget", "budget", spend, float(problem.budget), label="Budget"))
    for i in active:
        c = candidates[i]
        if c.cap is not None and c.cap < model.needs[i]:
            terms = model.spend_terms(i)
            rows.append(_row(model, "cap", c.key, terms, float(c.cap), label=f"Cap for {c.key}"))
    floors_total = 0.0
    for group, floor in problem.group_floors.items():
        members = [i for i in active if candidates[i].group == group]
        usable = math.fsum(
            min(model.needs[i], candidates[i].cap if candidates[i].cap is not None else math.inf)
            for i in members
        )
        effective = min(float(floor), usable)
        note = ""
        if effective < floor:
            note = (
                "No eligible organisation in this group has a gap to fund"
                if not members
                else f"Lowered from £{floor:,.0f} to £{effective:,.0f}: all its eligible "
                "organisations can use"
            )
        if effective <= 0:
            model.notes[f"floor:{group}"] = note
            continue
        floors_total += effective
        terms = {}
        for i in members:
            terms.update({k: -v for k, v in model.spend_terms(i).items()})
        rows.append(
            _row(
                model,
                "floor",
                group,
                terms,
                effective,
                label=f"Floor for {group}",
                sign=-1,
                note=note,
            )
        )
    if problem.objective != MIN_COST and floors_total > problem.budget * (1 + 1e-12):
        model.infeasible_reason = (
            f"The group floors add up to £{floors_total:,.0f}, more than the budget of "
            f"£{problem.budget:,.0f}."
        )
    for i, y in model.y_index.items():
        for (j, pillar), v in model.v_index.items():
            if j == i:
                terms = {y: model.v_units[(j, pillar)], v: -1.0}
                rows.append(
                    _row(model, "link", f"{i}:{pillar}", terms, 0.0, money=False, report=False)
                )
    for (i, before), z in model.z_index.items():
        terms = {z: model.v_units[(i, before)], model.v_index[(i, before)]: -1.0}
        rows.append(_row(model, "order", f"{i}:{before}", terms, 0.0, money=False, report=False))
        for b, after in problem.precedence:
            if b == before and (i, after) in model.v_index:
                terms = {model.v_index[(i, after)]: 1.0, z: -model.v_units[(i, after)]}
                rows.append(
                    _row(
                        model,
                        "order",
                        f"{i}:{before}:{after}",
                        terms,
                        0.0,
                        money=False,
                        report=False,
                    )
                )
    if problem.objective == MIN_COST:
        population = len(candidates)
        target_count = math.ceil(problem.target_share * population - 1e-9)
        needed = target_count - sum(model.at_before)
        possible = sum(1 for y in model.y_index.values() if model.upper[y] > 0)
        if needed > possible:
            model.infeasible_reason = (
                f"The target needs {needed} more organisations at the core level, but only "
                f"{possible} can reach it within the eligibility rules and caps."
            )
        if needed > 0:
            terms = {y: -1.0 for y in model.y_index.values()}
            rows.append(
                _row(
                    model,
                    "target",
                    "target",
                    terms,
                    float(needed),
                    money=False,
                    sign=-1,
                    label="Organisations to bring to the core level",
                )
            )


def _matrix(model: _Model, rows: list[_Row]) -> tuple[csr_array, np.ndarray]:
    data, cols, indptr = [], [], [0]
    for row in rows:
        for col, value in row.coefficients.items():
            cols.append(col)
            data.append(value)
        indptr.append(len(cols))
    matrix = csr_array(
        (np.array(data, dtype=float), np.array(cols, dtype=int), np.array(indptr, dtype=int)),
        shape=(len(rows), model.size),
    )
    return matrix, np.array([row.rhs for row in rows], dtype=float)


def _objective(model: _Model, stage: str) -> np.ndarray:
    """Coefficients to minimise for a stage: reach, uplift or cost."""
    c = np.zeros(model.size)
    weights = [cand.weight for cand in model.problem.candidates]
    if stage == "reach":
        for i, y in model.y_index.items():
            c[y] = -weights[i]
    elif stage == "uplift":
        for (i, pillar), v in model.v_index.items():
            c[v] = -weights[i] * model.v_uplift[(i, pillar)]
    else:
        for key, v in model.v_index.items():
            c[v] = model.v_cost[key] / model.scale
    return c


def _milp(model: _Model, c: np.ndarray, rows: list[_Row], time_limit: float):
    options = {"time_limit": time_limit, "mip_rel_gap": model.problem.mip_rel_gap, "disp": False}
    bounds = Bounds(np.array(model.lower), np.array(model.upper))
    if rows:
        matrix, rhs = _matrix(model, rows)
        constraints = [LinearConstraint(matrix, -np.inf, rhs)]
    else:
        constraints = []
    return milp(
        c,
        integrality=np.array(model.integer),
        bounds=bounds,
        constraints=constraints,
        options=options,
    )


def _status(result) -> str | None:
    if result.status == 0 and result.x is not None:
        return OPTIMAL
    if result.x is not None:
        return FEASIBLE
    return None


def solve(problem: Problem, *, with_duals: bool = True) -> Solution:
    """Solve ``problem``; raises :class:`~.problem.ProblemError` for unusable inputs.

    ``with_duals=False`` skips the linear programme behind shadow prices (a binding constraint
    is then one with no slack left), for re-solves that only need the headline figures."""
    check_problem(problem)
    started = time.perf_counter()
    model = _build(problem)
    if model.infeasible_reason:
        return _infeasible(problem, model.infeasible_reason, started)
    if model.size == 0:
        x = np.zeros(0)
        message = "Nothing to allocate: no eligible organisation has a gap to the core level."
        return _solution(model, x, OPTIMAL, message, 0.0, [], started)
    rows = list(model.rows)
    status = OPTIMAL
    if problem.objective == REACH:
        first = _milp(model, _objective(model, "reach"), rows, problem.time_limit)
        first_status = _status(first)
        if first_status is None:
            return _infeasible(problem, _why_infeasible(first), started)
        reached = -float(first.fun)
        tolerance = max(1e-6, 1e-7 * abs(reached))
        weights = [cand.weight for cand in problem.candidates]
        terms = {y: -weights[i] for i, y in model.y_index.items()}
        hold = _row(
            model, "hold", "hold", terms, reached - tolerance, money=False, sign=-1, report=False
        )
        c = _objective(model, "uplift")
        second = _milp(model, c, rows + [hold], problem.time_limit)
        result = second if _status(second) is not None else first
        status = FEASIBLE if FEASIBLE in (first_status, _status(second)) else OPTIMAL
        primary = reached
    else:
        c = _objective(model, "uplift" if problem.objective == UPLIFT else "cost")
        result = _milp(model, c, rows, problem.time_limit)
        found = _status(result)
        if found is None:
            return _infeasible(problem, _why_infeasible(result), started)
        status = found
        primary = (
            -float(result.fun) if problem.objective == UPLIFT else float(result.fun) * model.scale
        )
    x = _clean(model, np.asarray(result.x, dtype=float))
    duals = _duals(model, x, c, rows) if with_duals else []
    message = {
        OPTIMAL: "Solved to optimality.",
        FEASIBLE: "Stopped at the time limit: the best allocation found so far, not proven the "
        "best possible.",
    }[status]
    return _solution(model, x, status, message, primary, duals, started)


def _why_infeasible(result) -> str:
    if result.status == 1:
        return "The solver reached its time limit before finding any allocation."
    return (
        "No allocation meets every constraint together (the floors, caps and eligibility "
        "rules conflict)."
    )


def _clean(model: _Model, x: np.ndarray) -> np.ndarray:
    x = np.clip(x, np.array(model.lower), np.array(model.upper))
    integer = np.array(model.integer, dtype=bool)
    x[integer] = np.round(x[integer])
    x[np.abs(x) < 1e-9] = 0.0
    return x


def _duals(model: _Model, x: np.ndarray, c: np.ndarray, rows: list[_Row]):
    """Dual values of the linear programme with the binary decisions held as solved.

    Returns (row, marginal, lp_slack) per row, or [] when the programme cannot be solved."""
    lower = list(model.lower)
    upper = list(model.upper)
    for index in list(model.y_index.values()) + list(model.z_index.values()):
        lower[index] = upper[index] = float(x[index])
    matrix, rhs = _matrix(model, rows)
    result = linprog(
        c, A_ub=matrix, b_ub=rhs, bounds=list(zip(lower, upper, strict=True)), method="highs"
    )
    if result.status != 0:
        return []
    lp_slack = rhs - matrix @ result.x
    return list(zip(rows, result.ineqlin.marginals, lp_slack, strict=True))


def _infeasible(problem: Problem, reason: str, started: float) -> Solution:
    return Solution(
        status=INFEASIBLE,
        message=reason,
        objective=problem.objective,
        objective_value=None,
        outcome=None,
        allocations=(),
        constraints=(),
        solve_seconds=time.perf_counter() - started,
    )


def _solution(
    model: _Model,
    x: np.ndarray,
    status: str,
    message: str,
    primary: float | None,
    duals: list,
    started: float,
) -> Solution:
    problem = model.problem
    candidates = problem.candidates
    allocations = []
    for i, cand in enumerate(candidates):
        uplift: dict[str, float] = {}
        amount = 0.0
        reached = not model.at_before[i]
        for pillar, gap in model.gaps[i].items():
            key = (i, pillar)
            if gap <= 0:
                continue
            units = float(x[model.v_index[key]]) if key in model.v_index else 0.0
            levels = units * model.v_uplift.get(key, 0.0)
            if levels > 0:
                uplift[pillar] = levels
            amount += units * model.v_cost.get(key, 0.0)
            n = model.v_units.get(key)
            if n is None or units < n - REACH_TOLERANCE * max(1.0, n):
                reached = False
        allocations.append(
            Allocation(
                key=cand.key,
                group=cand.group,
                amount=amount,
                uplift=uplift,
                gaps=dict(model.gaps[i]),
                need=model.needs[i],
                weight=cand.weight,
                eligible=cand.eligible,
                at_target_before=model.at_before[i],
                reaches_target=reached,
            )
        )
    outcome = _outcome(problem, allocations)
    constraints = _reports(model, x, duals, allocations)
    return Solution(
        status=status,
        message=message,
        objective=problem.objective,
        objective_value=primary,
        outcome=outcome,
        allocations=tuple(allocations),
        constraints=tuple(constraints),
        solve_seconds=time.perf_counter() - started,
    )


def _outcome(problem: Problem, allocations: list[Allocation]) -> Outcome:
    population = len(allocations)
    before = sum(a.at_target_before for a in allocations)
    newly = sum(a.reaches_target for a in allocations)
    after = before + newly
    target_count = shortfall = None
    if problem.target_share is not None:
        target_count = math.ceil(problem.target_share * population - 1e-9)
        shortfall = max(0, target_count - after)
    return Outcome(
        spend=math.fsum(a.amount for a in allocations),
        population=population,
        eligible=sum(a.eligible for a in allocations),
        at_target_before=before,
        newly_reached=newly,
        at_target_after=after,
        share_before=before / population if population else 0.0,
        share_after=after / population if population else 0.0,
        target_share=problem.target_share,
        target_count=target_count,
        shortfall=shortfall,
        levels_closed=math.fsum(sum(a.uplift.values()) for a in allocations),
        weighted_levels_closed=math.fsum(a.weight * sum(a.uplift.values()) for a in allocations),
        weighted_reached=math.fsum(a.weight for a in allocations if a.reaches_target),
        funded=sum(1 for a in allocations if a.amount > 0),
    )


def _shadow(model: _Model, row: _Row, marginal: float) -> float:
    """Objective change per unit (pound, or organisation) the row's limit rises."""
    per_limit = row.sign / model.scale if row.money else float(row.sign)
    change_of_minimised = marginal * per_limit
    if model.problem.objective == MIN_COST:
        return change_of_minimised * model.scale  # the minimised figure is scaled pounds
    return -change_of_minimised


def _reports(model: _Model, x: np.ndarray, duals, allocations) -> list[ConstraintReport]:
    reports: list[ConstraintReport] = []
    dual_of = {id(row): (marginal, lp_slack) for row, marginal, lp_slack in duals}
    order_pressure = 0.0
    for row in model.rows:
        marginal, _lp_slack = dual_of.get(id(row), (None, None))
        if row.kind == "order":
            if marginal is not None:
                order_pressure += abs(marginal)
            continue
        if not row.report:
            continue
        value = sum(coef * x[col] for col, coef in row.coefficients.items())
        used = float(value) * row.sign * (model.scale if row.money else 1.0)
        slack = (row.limit - used) if row.sign > 0 else (used - row.limit)
        tight = slack <= SLACK_TOLERANCE * max(1.0, abs(row.limit))
        priced = marginal is not None and abs(marginal) > DUAL_TOLERANCE
        reports.append(
            ConstraintReport(
                kind=row.kind,
                key=row.key,
                label=row.label,
                limit=row.limit,
                used=used,
                slack=max(0.0, slack),
                binding=bool(tight or priced),
                shadow_price=float(_shadow(model, row, marginal)) if marginal is not None else None,
                note=row.note,
            )
        )
    for key, note in model.notes.items():
        kind, group = key.split(":", 1)
        reports.append(
            ConstraintReport(kind, group, f"Floor for {group}", 0.0, 0.0, 0.0, False, None, note)
        )
    if model.problem.precedence:
        waiting = 0
        for (i, _before), z in model.z_index.items():
            if x[z] < 0.5 and allocations[i].amount > 0:
                waiting += 1
        pairs = ", ".join(f"{b} before {a}" for b, a in model.problem.precedence)
        reports.append(
            ConstraintReport(
                kind="precedence",
                key="order",
                label=f"Order of funding: {pairs}",
                limit=0.0,
                used=float(waiting),
                slack=0.0,
                binding=bool(order_pressure > DUAL_TOLERANCE),
                shadow_price=None,
                note=f"{waiting} funded organisation(s) get money only for pillars that come "
                "first, because those are not yet closed",
            )
        )
    return reports
