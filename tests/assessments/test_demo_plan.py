"""Planning demonstration returns: totals, level spreads and criterion answers (pure, fast)."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from maturity.assessments.demo_plan import (
    DomainInput,
    answer_domain,
    closest_total,
    is_negative,
    locked_criteria,
    plan_return,
    rng_for,
    spread_levels,
)
from maturity.core.scoring import Answer, DomainSpec, domain_level, round_half_up, score_return


def _spec(domain_id: str, pillar: str = "well_led", per_level: int = 2) -> DomainSpec:
    return DomainSpec(
        id=domain_id,
        pillar=pillar,
        criteria_by_level={
            level: tuple(f"{domain_id}.l{level}.{chr(97 + i)}" for i in range(per_level))
            for level in range(1, 6)
        },
    )


@pytest.mark.parametrize(
    ("n", "target", "expected"),
    [
        (4, 2.8, 11),  # 11/4 = 2.75 -> 2.8
        (7, 2.2999999999999998, 16),  # 16/7 = 2.2857 -> 2.3
        (3, 4.333333333333333, 13),
        (1, 5.0, 5),
        (10, 1.4, 14),
        (4, 2.5, 10),
    ],
)
def test_closest_total_reproduces_the_target(n, target, expected):
    total = closest_total(n, target)
    assert total == expected
    assert round_half_up(Fraction(total, n), 1) == round_half_up(target, 1)


def test_closest_total_is_none_when_no_mean_rounds_to_the_target():
    assert closest_total(4, 2.1) is None  # quarters give 2.0, 2.25 (2.3), never 2.1
    assert closest_total(2, 4.5, caps=[5, 3]) is None  # capped: at most 8/2 = 4.0


def test_spread_levels_sums_and_respects_caps():
    rng = random.Random(1)
    for total in range(5, 23):
        levels = spread_levels(total, [5, 5, 3, 5, 4], rng)
        assert sum(levels) == total
        assert all(1 <= lv <= cap for lv, cap in zip(levels, [5, 5, 3, 5, 4], strict=True))
    with pytest.raises(ValueError):
        spread_levels(23, [5, 5, 3, 5, 4], rng)


@pytest.mark.parametrize("level", [1, 2, 3, 4, 5])
def test_answer_domain_gives_exactly_the_level(level):
    spec = _spec("wl.strategy", per_level=3)
    for seed in range(30):
        answers = answer_domain(DomainInput(spec), level, random.Random(seed))
        assert set(answers) == set(spec.criterion_ids)
        assert domain_level(spec, {k: Answer(v) for k, v in answers.items()}) == level
        if level < 5:
            assert any(answers[c] == "not_met" for c in spec.criteria_by_level[level + 1])


def test_locked_criteria_cap_the_domain_and_stay_not_met():
    spec = _spec("sf.epr")
    domain = DomainInput(spec, locked=frozenset({"sf.epr.l3.a"}))
    assert domain.cap == 2
    answers = answer_domain(domain, 2, random.Random(3))
    assert answers["sf.epr.l3.a"] == "not_met"
    assert locked_criteria({"sf.epr.l3.a": "ctx.epr_in_place"}, {"ctx.epr_in_place": False}) == {
        "sf.epr.l3.a"
    }
    assert locked_criteria({"sf.epr.l3.a": "ctx.epr_in_place"}, {"ctx.epr_in_place": True}) == set()


def test_plan_return_reproduces_every_pillar_target():
    specs = [_spec(f"wl.d{i}") for i in range(4)] + [
        _spec(f"ep.d{i}", pillar="empower_people") for i in range(7)
    ]
    targets = {"well_led": 2.8, "empower_people": 2.2999999999999998}
    plan = plan_return([DomainInput(s) for s in specs], targets, random.Random(7))
    scored = score_return(specs, plan.answers)
    assert scored.domain_levels == plan.domain_levels
    for pillar, target in targets.items():
        assert round_half_up(scored.pillar_scores[pillar], 1) == round_half_up(target, 1)
    assert all(p.problem is None for p in plan.pillars)


def test_plan_return_reports_a_target_it_cannot_reach():
    specs = [_spec(f"wl.d{i}") for i in range(4)]
    plan = plan_return([DomainInput(s) for s in specs], {"well_led": 2.1}, random.Random(1))
    (pillar,) = plan.pillars
    assert pillar.problem and "rounds to 2.1" in pillar.problem


def test_plan_is_deterministic_for_a_seed_and_varies_between_rows():
    specs = [_spec(f"wl.d{i}") for i in range(4)]
    first = plan_return([DomainInput(s) for s in specs], {"well_led": 3.0}, rng_for(2025, "RD1"))
    again = plan_return([DomainInput(s) for s in specs], {"well_led": 3.0}, rng_for(2025, "RD1"))
    assert first.answers == again.answers
    others = [
        plan_return([DomainInput(s) for s in specs], {"well_led": 3.0}, rng_for(2025, code)).answers
        for code in ("RNZ", "RN3", "RA7", "RXQ")
    ]
    assert any(answers != first.answers for answers in others)


@pytest.mark.parametrize(
    ("value", "negative"),
    [
        (False, True),
        (True, False),
        ("none", True),
        ("epic", False),
        ([], True),
        (0, True),
        (3, False),
    ],
)
def test_is_negative(value, negative):
    assert is_negative(value) is negative
