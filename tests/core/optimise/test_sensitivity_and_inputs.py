"""Moving constraints, the core-level definition and priority weights."""

from __future__ import annotations

import pytest

from maturity.core.optimise import (
    DEFAULT_CORE_LEVEL,
    EVERY_SETTING,
    MEAN_OF_SETTINGS,
    MIN_COST,
    REACH,
    UPLIFT,
    Candidate,
    CoreLevelDefinition,
    DefinitionError,
    Move,
    Problem,
    apply_move,
    at_core_level,
    combine_settings,
    default_moves,
    gaps,
    precedence_pairs,
    priorities,
    scaled_costs,
    sensitivity,
    solve,
)

SF = "smart_foundations"
SP = "safe_practice"
M = 1_000_000.0


def org(key, sf, cap=None, group=None):
    return Candidate(key, {SF: sf}, {SF: M}, group=group, cap=cap)


def test_more_budget_reaches_one_more_organisation():
    # Needs of £1m, £1.5m and £2m; £2.8m reaches two; £4.76m (x1.7) reaches all three.
    p = Problem((org("A", 2.0), org("B", 1.5), org("C", 1.0)), {SF: 3.0}, budget=2.8 * M)
    rows = sensitivity(p, moves=[Move("budget", "Budget 70% higher", factor=1.7)])
    (row,) = rows
    assert row.delta_reached == 1
    assert row.at_target_after == 3
    assert row.delta_spend == pytest.approx(1.7 * M)
    assert row.delta_levels == pytest.approx(1.7)
    assert row.delta_objective == pytest.approx(1)  # one more (weighted) organisation


def test_default_moves_cover_each_constraint_the_problem_sets():
    p = Problem(
        (org("A", 2.0, cap=M, group="X"),),
        {SF: 3.0, SP: 3.0},
        budget=M,
        group_floors={"X": 0.5 * M},
        precedence=((SF, SP),),
    )
    kinds = [m.kind for m in default_moves(p)]
    assert kinds.count("budget") == 2
    assert kinds.count("cap") == 2 and kinds.count("floor") == 2
    assert kinds.count("precedence") == 1 and kinds.count("threshold") == 2
    no_order = Problem((org("A", 2.0),), {SF: 3.0, SP: 3.0}, budget=M)
    (add,) = [m for m in default_moves(no_order) if m.kind == "precedence"]
    assert add.add and apply_move(no_order, add).precedence == ((SF, SP),)
    min_cost = Problem((org("A", 2.0),), {SF: 3.0}, objective=MIN_COST, target_share=0.5)
    kinds = [m.kind for m in default_moves(min_cost)]
    assert "budget" not in kinds and kinds.count("target_share") == 2


def test_apply_move_changes_only_what_it_names():
    p = Problem(
        (org("A", 2.0, cap=M, group="X"), org("B", 2.0)),
        {SF: 3.0},
        budget=M,
        group_floors={"X": M},
    )
    assert apply_move(p, Move("budget", "", factor=2)).budget == 2 * M
    capped = apply_move(p, Move("cap", "", factor=0.5)).candidates
    assert [c.cap for c in capped] == [0.5 * M, None]
    assert [c.cap for c in apply_move(p, Move("cap", "", remove=True)).candidates] == [None, None]
    assert apply_move(p, Move("floor", "", factor=1.5)).group_floors == {"X": 1.5 * M}
    assert apply_move(p, Move("floor", "", remove=True)).group_floors == {}
    assert apply_move(p, Move("threshold", "", shift=2.5)).thresholds == {SF: 5.0}
    assert apply_move(p, Move("target_share", "", shift=0.1)).target_share == pytest.approx(0.1)
    assert p.budget == M and p.candidates[0].cap == M  # the original is untouched
    with pytest.raises(ValueError, match="unknown move"):
        apply_move(p, Move("weather", ""))


def test_moves_beyond_the_time_allowance_are_not_tried():
    p = Problem((org("A", 2.0),), {SF: 3.0}, budget=M)
    moves = [Move("budget", "Half", factor=0.5), Move("budget", "Double", factor=2)]
    rows = sensitivity(p, moves=moves, allowance=-1)
    assert [r.status for r in rows] == ["not_tried", "not_tried"]
    assert rows[0].message.startswith("Not tried")
    assert [r.status for r in sensitivity(p, moves=moves, allowance=60)] == ["optimal"] * 2


def test_removing_the_floor_recovers_what_it_cost():
    cands = (org("A", 2.0, group="X"), org("B", 2.0, group="X"), org("C", 1.0, group="Y"))
    p = Problem(cands, {SF: 3.0}, budget=2 * M, group_floors={"Y": 1.5 * M})
    (row,) = sensitivity(p, moves=[Move("floor", "No ICB floors", remove=True)])
    assert row.delta_reached == 1


def test_an_infeasible_move_is_reported_not_raised():
    cands = (org("A", 1.0, group="X"), org("B", 1.0, group="Y"))
    p = Problem(cands, {SF: 3.0}, budget=2 * M, group_floors={"X": M, "Y": M})
    (row,) = sensitivity(p, moves=[Move("budget", "Budget halved", factor=0.5)])
    assert row.status == "infeasible" and row.delta_reached is None
    assert "more than the budget" in row.message


def test_lower_thresholds_put_more_organisations_at_the_core_level():
    p = Problem((org("A", 2.5), org("B", 2.0)), {SF: 3.0}, budget=0.0, objective=UPLIFT)
    (row,) = sensitivity(p, moves=[Move("threshold", "", shift=-0.5)])
    assert row.at_target_after == 1 and row.delta_reached == 1


def test_min_cost_rises_with_the_target_share():
    cands = tuple(org(k, s) for k, s in (("A", 2.0), ("B", 1.5), ("C", 1.0), ("D", 3.0)))
    p = Problem(cands, {SF: 3.0}, objective=MIN_COST, target_share=0.5)
    base = solve(p)
    assert base.objective_value == pytest.approx(M)
    (row,) = sensitivity(p, base, moves=[Move("target_share", "", shift=0.25)])
    assert row.delta_objective == pytest.approx(1.5 * M)
    assert row.delta_reached == 1


# --- the core level ---------------------------------------------------------------------------


def test_default_core_level_is_smart_foundations_and_safe_practice_at_three():
    assert DEFAULT_CORE_LEVEL.thresholds == {SF: 3.0, SP: 3.0}
    assert DEFAULT_CORE_LEVEL.combine == EVERY_SETTING
    assert DEFAULT_CORE_LEVEL.pillars == [SF, SP]
    assert DEFAULT_CORE_LEVEL.describe({SF: "Smart foundations"}) == (
        "Smart foundations at least 3 and safe_practice at least 3; every care setting the "
        "organisation returns for must reach the thresholds (its score in a pillar is its "
        "lowest across settings)"
    )
    assert DEFAULT_CORE_LEVEL.as_dict() == {
        "thresholds": {SF: 3.0, SP: 3.0},
        "combine": "every_setting",
    }


def test_settings_combine_by_lowest_or_mean():
    rows = [{SF: 3.4, SP: 3.3}, {SF: 2.3, SP: 3.3}]
    assert combine_settings(rows, DEFAULT_CORE_LEVEL) == {SF: 2.3, SP: 3.3}
    mean = CoreLevelDefinition({SF: 3.0, SP: 3.0}, MEAN_OF_SETTINGS)
    assert combine_settings(rows, mean) == {SF: pytest.approx(2.85), SP: pytest.approx(3.3)}
    assert combine_settings([{SF: 3.0}], DEFAULT_CORE_LEVEL) is None  # no safe practice
    assert combine_settings([], DEFAULT_CORE_LEVEL) is None


def test_gaps_ignore_float_noise_and_reached_pillars():
    assert gaps({SF: 2.2999999999999998, SP: 3.5}, {SF: 3.0, SP: 3.0}) == {
        SF: pytest.approx(0.7),
        SP: 0.0,
    }
    assert at_core_level({SF: 2.9999999999999996, SP: 3.0}, {SF: 3.0, SP: 3.0})
    assert not at_core_level({SF: 2.9, SP: 3.0}, {SF: 3.0, SP: 3.0})


def test_bad_definitions_are_refused_with_reasons():
    with pytest.raises(DefinitionError) as raised:
        CoreLevelDefinition({"cyber": 3.0, SF: 6.0, SP: "3"}, "median")
    assert raised.value.messages == [
        "'cyber' is not a WGLL pillar id.",
        "The threshold for smart_foundations must be from 1 to 5, not 6.0.",
        "The threshold for safe_practice must be a number.",
        "'median' is not a way of combining care settings.",
    ]
    with pytest.raises(DefinitionError, match="at least one pillar"):
        CoreLevelDefinition({})


def test_precedence_pairs_put_smart_foundations_first():
    assert precedence_pairs([SF, SP, "improve_care"]) == ((SF, SP), (SF, "improve_care"))
    assert precedence_pairs([SP]) == ()


# --- priorities -------------------------------------------------------------------------------


def test_priority_weights_follow_population_and_deprivation():
    found = priorities(
        [100.0, 400.0, None],
        [10.0, 30.0, None],
        population_exponent=0.5,
        deprivation_weight=1.0,
        size_elasticity=1.0,
    )
    # Median population 250: factors sqrt(0.4) and sqrt(1.6); unknown 1.
    assert found[0].population_factor == pytest.approx(0.4**0.5)
    assert found[1].population_factor == pytest.approx(1.6**0.5)
    assert found[2].population_factor == 1.0
    # Deprivation ranks among {10, 30}: 0.25 and 0.75; unknown counts as the middle.
    assert found[0].deprivation_rank == 0.25 and found[1].deprivation_rank == 0.75
    assert found[2].deprivation_rank is None
    assert found[0].weight == pytest.approx(0.4**0.5 * 1.25)
    assert found[2].weight == pytest.approx(1.5)
    assert found[1].size_factor == pytest.approx(1.6)
    assert scaled_costs({SF: M}, found[1].size_factor) == {SF: pytest.approx(1.6 * M)}


def test_neutral_priorities_are_all_one():
    found = priorities([10.0, 20.0], [1.0, 2.0])
    assert [p.weight for p in found] == [1.0, 1.0]
    assert [p.size_factor for p in found] == [1.0, 1.0]
    with pytest.raises(ValueError):
        priorities([1.0], [])


def test_reach_objective_with_weights_prefers_the_heavier_organisation():
    a = Candidate("A", {SF: 2.0}, {SF: M}, weight=1.0)
    b = Candidate("B", {SF: 2.0}, {SF: M}, weight=2.0)
    s = solve(Problem((a, b), {SF: 3.0}, budget=M, objective=REACH))
    assert {x.key for x in s.allocations if x.reaches_target} == {"B"}
