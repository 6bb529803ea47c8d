"""The allocation optimiser: small problems solved by hand, then brute force and properties."""

from __future__ import annotations

import json
import math
from dataclasses import asdict

import pytest

from maturity.core.optimise import (
    INFEASIBLE,
    MIN_COST,
    OPTIMAL,
    REACH,
    UPLIFT,
    Candidate,
    Problem,
    ProblemError,
    solve,
)

from .oracle import assert_constraints_hold

SF = "smart_foundations"
SP = "safe_practice"
M = 1_000_000.0


def org(key, sf, *, sp=None, cost=M, sp_cost=M, group=None, weight=1.0, cap=None, eligible=True):
    scores = {SF: sf} if sp is None else {SF: sf, SP: sp}
    costs = {SF: cost} if sp is None else {SF: cost, SP: sp_cost}
    return Candidate(key, scores, costs, group, weight, cap, eligible)


def problem(candidates, *, thresholds=None, **kwargs):
    return Problem(tuple(candidates), thresholds or {SF: 3.0}, **kwargs)


def by_key(solution):
    return {a.key: a for a in solution.allocations}


def constraint(solution, kind, key=None):
    return next(c for c in solution.constraints if c.kind == kind and (key is None or c.key == key))


# --- solved by hand ----------------------------------------------------------------------------


def test_reach_funds_the_smallest_gaps_first_then_spends_what_is_left():
    # Gaps 1, 1.5 and 2 levels at £1m a level; £2.8m reaches A and B (£2.5m; A and C would
    # cost £3m) and buys C 0.3 of a level with the £0.3m left.
    p = problem([org("A", 2.0), org("B", 1.5), org("C", 1.0)], budget=2.8 * M, target_share=0.7)
    s = solve(p)
    a = by_key(s)
    assert s.status == OPTIMAL
    assert s.objective_value == pytest.approx(2)
    assert a["A"].reaches_target and a["B"].reaches_target and not a["C"].reaches_target
    assert a["A"].amount == pytest.approx(M)
    assert a["B"].amount == pytest.approx(1.5 * M)
    assert a["C"].amount == pytest.approx(0.3 * M)
    assert a["C"].uplift == {SF: pytest.approx(0.3)}
    o = s.outcome
    assert (o.population, o.at_target_before, o.newly_reached, o.at_target_after) == (3, 0, 2, 2)
    assert o.spend == pytest.approx(2.8 * M)
    assert o.levels_closed == pytest.approx(2.8)
    assert o.target_count == 3  # 70% of 3, rounded up
    assert o.shortfall == 1 and o.target_met is False
    budget = constraint(s, "budget")
    assert budget.binding and budget.slack == pytest.approx(0, abs=1e-3)
    # The last pound buys a millionth of a level for C.
    assert budget.shadow_price == pytest.approx(1 / M)


def test_reach_with_money_to_spare_leaves_the_budget_slack():
    p = problem([org("A", 2.0), org("B", 3.5)], budget=5 * M)
    s = solve(p)
    assert s.outcome.spend == pytest.approx(M)
    assert s.outcome.at_target_before == 1 and s.outcome.newly_reached == 1
    budget = constraint(s, "budget")
    assert not budget.binding
    assert budget.slack == pytest.approx(4 * M)
    assert budget.shadow_price == pytest.approx(0)


def test_uplift_follows_priority_per_pound():
    # A counts twice as much as B; £3m closes A's two levels, then one of B's.
    p = problem([org("A", 1.0, weight=2), org("B", 1.0)], budget=3 * M, objective=UPLIFT)
    s = solve(p)
    a = by_key(s)
    assert a["A"].uplift[SF] == pytest.approx(2)
    assert a["B"].uplift[SF] == pytest.approx(1)
    assert s.objective_value == pytest.approx(2 * 2 + 1)
    assert constraint(s, "budget").shadow_price == pytest.approx(1 / M)  # B's weight per pound


def test_a_cap_binds_and_is_priced():
    # Gaps of three levels. Capped at £1m, A gets one level; B takes the rest. Each pound more
    # of A's cap would move a pound from B (weight 1) to A (weight 2): a millionth of a
    # weighted level. (B is kept off its bound: at a degenerate vertex dual values are not
    # unique.)
    p = problem(
        [org("A", 1.0, weight=2, cap=M), org("B", 1.0)],
        thresholds={SF: 4.0},
        budget=3 * M,
        objective=UPLIFT,
    )
    s = solve(p)
    a = by_key(s)
    assert a["A"].amount == pytest.approx(M)
    assert a["B"].amount == pytest.approx(2 * M)
    assert s.objective_value == pytest.approx(2 + 2)
    cap = constraint(s, "cap", "A")
    assert cap.binding and cap.limit == M
    assert cap.shadow_price == pytest.approx(1 / M)
    assert_constraints_hold(p, s)


def test_a_cap_below_the_need_rules_out_reaching_the_target():
    p = problem([org("A", 1.0, cap=1.5 * M), org("B", 1.5)], budget=10 * M)
    s = solve(p)
    a = by_key(s)
    assert not a["A"].reaches_target and a["B"].reaches_target
    assert a["A"].amount == pytest.approx(1.5 * M)


def test_an_icb_floor_moves_money_to_its_organisations():
    # Without the floor £2m reaches A and B in group X; the floor keeps £1m for C in Y (whose
    # £4m need is out of reach), so only A reaches the core level.
    cands = [
        org("A", 2.0, group="X"),
        org("B", 2.0, group="X"),
        org("C", 1.0, cost=2 * M, group="Y"),
    ]
    p = problem(cands, budget=2 * M, group_floors={"Y": M})
    s = solve(p)
    a = by_key(s)
    assert a["C"].amount == pytest.approx(M)
    assert s.outcome.newly_reached == 1
    floor = constraint(s, "floor", "Y")
    assert floor.binding and floor.used == pytest.approx(M)
    assert floor.shadow_price < 0  # a higher floor costs levels elsewhere
    assert_constraints_hold(p, s)
    without = solve(problem(cands, budget=2 * M))
    assert without.outcome.newly_reached == 2


def test_a_floor_above_what_the_group_can_use_is_lowered_with_a_note():
    cands = [org("A", 2.5, group="X"), org("B", 1.0, group="Y")]
    s = solve(problem(cands, budget=3 * M, group_floors={"X": 2 * M, "Z": M}))
    floor = constraint(s, "floor", "X")
    assert floor.limit == pytest.approx(0.5 * M)
    assert "Lowered from £2,000,000 to £500,000" in floor.note
    empty = constraint(s, "floor", "Z")
    assert "No eligible organisation" in empty.note and not empty.binding


def test_floors_above_the_budget_are_infeasible_with_the_reason():
    cands = [org("A", 1.0, group="X"), org("B", 1.0, group="Y")]
    s = solve(problem(cands, budget=M, group_floors={"X": M, "Y": M}))
    assert s.status == INFEASIBLE
    assert "floors add up to £2,000,000, more than the budget of £1,000,000" in s.message
    assert s.outcome is None and s.allocations == ()


def test_smart_foundations_first_holds_back_the_dependent_pillar():
    # Safe practice is ten times cheaper a level, but must wait for smart foundations.
    a = org("A", 2.0, sp=2.0, cost=10 * M, sp_cost=M)
    thresholds = {SF: 3.0, SP: 3.0}
    free = solve(problem([a], thresholds=thresholds, budget=M, objective=UPLIFT))
    assert by_key(free)["A"].uplift == {SP: pytest.approx(1)}
    ordered = solve(
        problem([a], thresholds=thresholds, budget=M, objective=UPLIFT, precedence=((SF, SP),))
    )
    assert by_key(ordered)["A"].uplift == {SF: pytest.approx(0.1)}
    order = constraint(ordered, "precedence")
    assert order.binding
    assert order.used == 1  # one funded organisation waits


def test_precedence_lets_the_dependent_pillar_in_once_foundations_are_closed():
    a = org("A", 2.0, sp=2.0, cost=M, sp_cost=M)
    s = solve(
        problem(
            [a],
            thresholds={SF: 3.0, SP: 3.0},
            budget=1.5 * M,
            objective=UPLIFT,
            precedence=((SF, SP),),
        )
    )
    assert by_key(s)["A"].uplift == {SF: pytest.approx(1), SP: pytest.approx(0.5)}


def test_ineligible_organisations_count_in_the_target_but_get_nothing():
    cands = [org("A", 1.0, eligible=False), org("B", 2.0), org("C", 3.0)]
    s = solve(problem(cands, budget=10 * M, target_share=1.0))
    a = by_key(s)
    assert a["A"].amount == 0 and not a["A"].reaches_target
    assert s.outcome.eligible == 2
    assert s.outcome.at_target_after == 2 and s.outcome.shortfall == 1


def test_min_cost_finds_the_cheapest_organisations_to_meet_the_share():
    # Four trusts, one already there; 75% needs three, so the two cheapest of the other three.
    cands = [org("A", 3.0), org("B", 2.0), org("C", 1.0), org("D", 2.5, cost=3 * M)]
    s = solve(problem(cands, objective=MIN_COST, target_share=0.75))
    a = by_key(s)
    assert s.status == OPTIMAL
    assert s.objective_value == pytest.approx(2.5 * M)  # B (£1m) and D (£1.5m)
    assert a["B"].reaches_target and a["D"].reaches_target and a["C"].amount == 0
    assert s.outcome.shortfall == 0
    target = constraint(s, "target")
    assert target.limit == 2 and target.used == 2 and target.binding


def test_min_cost_when_the_target_is_already_met_spends_nothing():
    s = solve(problem([org("A", 3.0), org("B", 1.0)], objective=MIN_COST, target_share=0.5))
    assert s.outcome.spend == 0 and s.outcome.target_met


def test_min_cost_says_when_the_target_cannot_be_reached():
    cands = [org("A", 1.0, eligible=False), org("B", 1.0, cap=M), org("C", 2.0)]
    s = solve(problem(cands, objective=MIN_COST, target_share=1.0))
    assert s.status == INFEASIBLE
    assert "needs 3 more organisations" in s.message and "only 1 can reach it" in s.message


def test_whole_steps_never_overspend_and_leftover_still_binds_the_budget():
    # Steps of 0.5 level at £1m a level cost £0.5m; £1.2m buys two steps and £0.2m is left,
    # too little for a third: the budget still holds the result back.
    p = problem([org("A", 1.0)], budget=1.2 * M, objective=UPLIFT, step=0.5)
    s = solve(p)
    assert by_key(s)["A"].uplift[SF] == pytest.approx(1.0)
    budget = constraint(s, "budget")
    assert budget.slack == pytest.approx(0.2 * M)
    assert budget.binding


def test_steps_split_a_gap_into_equal_parts():
    # A gap of 0.7 with steps of at most 0.5: two steps of 0.35.
    s = solve(problem([org("A", 2.3)], budget=0.4 * M, objective=UPLIFT, step=0.5))
    assert by_key(s)["A"].uplift[SF] == pytest.approx(0.35)
    assert by_key(s)["A"].amount == pytest.approx(0.35 * M)


def test_nobody_to_fund_is_solved_with_nothing_spent():
    s = solve(problem([org("A", 3.2), org("B", 1.0, eligible=False)], budget=M))
    assert s.status == OPTIMAL and s.outcome.spend == 0 and s.outcome.funded == 0


def test_float_noise_in_a_published_score_is_not_a_gap():
    s = solve(problem([org("A", 2.9999999999999996)], budget=M))
    assert s.outcome.at_target_before == 1 and s.outcome.spend == 0


def test_bad_inputs_are_all_reported():
    bad = Problem(
        (
            Candidate("A", {SF: 2.0}, {SF: 0.0}, weight=-1, cap=-5),
            Candidate("A", {}, {SF: M}),
        ),
        {SF: 3.0},
        budget=-1,
        step=0,
        target_share=1.5,
        group_floors={"X": -1},
        precedence=((SF, "improve_care"),),
    )
    with pytest.raises(ProblemError) as raised:
        solve(bad)
    messages = "\n".join(raised.value.messages)
    for expected in (
        "budget must be a number of pounds",
        "target share must be more than 0",
        "step must be a positive number",
        "names improve_care, not in the target",
        "floor for X must be",
        "A appears more than once",
        "A has no score for smart_foundations",
        "cost per level for smart_foundations must be more than £0",
        "priority weight must be zero or more",
        "cap must be a number of pounds",
    ):
        assert expected in messages


def test_min_cost_needs_a_target_share_and_reach_a_budget():
    with pytest.raises(ProblemError, match="needs a target share"):
        solve(problem([org("A", 1.0)], objective=MIN_COST))
    with pytest.raises(ProblemError, match="Set a budget"):
        solve(problem([org("A", 1.0)], objective=REACH))


def test_reach_prefers_more_organisations_over_more_levels():
    # £2m reaches A and B (two small gaps) rather than closing C's two levels.
    cands = [org("A", 2.0), org("B", 2.0), org("C", 1.0)]
    s = solve(problem(cands, budget=2 * M))
    assert s.outcome.newly_reached == 2
    assert by_key(s)["C"].amount == 0
    assert math.isclose(s.outcome.levels_closed, 2.0)


def test_a_solution_is_plain_json():
    # Stored as JSON: no numpy scalars may leak out of the solver.
    cands = (
        Candidate("A", {SF: 2.0, SP: 2.0}, {SF: M, SP: M}, group="X", cap=0.5 * M),
        Candidate("B", {SF: 1.0, SP: 2.0}, {SF: M, SP: M}, group="Y"),
    )
    p = Problem(
        cands,
        {SF: 3.0, SP: 3.0},
        budget=2 * M,
        group_floors={"Y": 0.5 * M},
        precedence=((SF, SP),),
        target_share=0.5,
    )
    json.dumps(asdict(solve(p)), allow_nan=False)


def test_without_duals_no_shadow_prices_are_given():
    s = solve(problem([org("A", 2.0)], budget=0.5 * M), with_duals=False)
    assert constraint(s, "budget").shadow_price is None
    assert constraint(s, "budget").binding
