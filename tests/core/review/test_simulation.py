"""The peer-review simulation used to measure what the review catches."""

import random

import pytest

from maturity.core.review.simulation import (
    ReviewModel,
    inflate_answers,
    rates,
    simulate_review,
    verdict,
)
from maturity.core.scoring import DomainSpec, domain_level

SPEC = DomainSpec(
    "d1",
    "p1",
    {1: ("a1",), 2: ("a2",), 3: ("a3", "b3"), 4: ("a4",), 5: ("a5",)},
)
EXACT = ReviewModel(
    reviewer_sd=0.0,
    reviewer_bias_sd=0.0,
    evidence_miss=0.0,
    inflator_contest=0.0,
    moderator_error=0.0,
    domains_raised=(1, 1),
)


def test_inflation_raises_a_domain_through_its_answers():
    answers = {"a1": "met", "a2": "met", "a3": "not_met", "b3": "na", "a4": "met", "a5": "not_met"}
    assert domain_level(SPEC, answers) == 2
    plan = inflate_answers([SPEC], answers, {"d1": 2}, random.Random(1), EXACT)
    target = plan.targets["d1"]
    assert target in (3, 4)
    assert domain_level(SPEC, plan.answers) >= target
    assert plan.answers["b3"] == "na"  # not applicable stays so
    assert answers["a3"] == "not_met"  # the input is not changed


def test_a_domain_at_level_five_is_never_inflated():
    answers = {c: "met" for c in SPEC.criterion_ids}
    plan = inflate_answers([SPEC], answers, {"d1": 5}, random.Random(1), EXACT)
    assert plan.targets == {} and plan.answers == answers


def _sim(true, claimed, inflated=(), model=EXACT):
    return simulate_review(
        true, claimed, inflated=frozenset(inflated), bias=0.0, rng=random.Random(0), model=model
    )


def test_exact_reviewers_agree_with_honest_returns():
    result = _sim({"d1": 3, "d2": 4}, {"d1": 3, "d2": 4})
    assert {d: s.decision for d, s in result.items()} == {"d1": "agree", "d2": "agree"}
    assert result["d2"].outcome.counted_level == 4  # evidence exists and is seen


def test_exact_reviewers_take_back_inflation():
    result = _sim({"d1": 2, "d2": 2}, {"d1": 3, "d2": 4}, inflated={"d1", "d2"})
    one, two = result["d1"], result["d2"]
    assert (one.decision, one.reviewer_level, one.response) == ("challenge", 2, "accept")
    assert one.outcome.counted_level == 2 and one.moderated_level is None
    # Two levels: moderation, which finds the true level.
    assert two.moderated_level == 2 and two.outcome.counted_level == 2
    v = verdict(result, frozenset({"d1", "d2"}))
    assert (v.removed, v.inflation, v.fully_corrected, v.lowered, v.moderated) == (
        3,
        3,
        True,
        True,
        1,
    )


def test_an_inflating_organisation_contests_and_moderation_decides():
    model = ReviewModel(**{**EXACT.__dict__, "inflator_contest": 1.0})
    result = _sim({"d1": 2}, {"d1": 3}, inflated={"d1"}, model=model)
    assert result["d1"].response == "contest" and result["d1"].outcome.counted_level == 2


def test_an_unseen_level_four_counts_as_three():
    model = ReviewModel(**{**EXACT.__dict__, "evidence_miss": 1.0})
    result = _sim({"d1": 4}, {"d1": 4}, model=model)
    assert result["d1"].decision == "agree" and result["d1"].outcome.counted_level == 3
    assert verdict(result, frozenset()).lowered


def test_a_severe_reviewer_is_contested_by_an_honest_organisation():
    result = simulate_review(
        {"d1": 3}, {"d1": 3}, inflated=frozenset(), bias=-1.0, rng=random.Random(0), model=EXACT
    )
    sim = result["d1"]
    assert (sim.reviewer_level, sim.response, sim.moderated_level) == (2, "contest", 3)
    assert sim.outcome.counted_level == 3


def test_rates_hand_computed():
    measured = rates({"a", "b", "x"}, inflated={"a", "b", "c", "d"}, everyone=set("abcdxyz"))
    assert (measured.caught, measured.false_positives) == (2, 1)
    assert measured.sensitivity == 0.5
    assert measured.false_positive_rate == pytest.approx(1 / 3)
    assert rates(set(), set(), set()).sensitivity is None


def test_an_honest_organisation_contests_a_higher_level_it_could_not_evidence():
    # A lenient reviewer proposes 5 for a true 4: accepting would count 3 (no evidence of 5).
    result = simulate_review(
        {"d1": 4}, {"d1": 4}, inflated=frozenset(), bias=1.0, rng=random.Random(0), model=EXACT
    )
    sim = result["d1"]
    assert (sim.reviewer_level, sim.response, sim.moderated_level) == (5, "contest", 4)
    assert sim.outcome.counted_level == 4
    # A proposed 4 for a true 3 is accepted: it counts 3 either way.
    result = simulate_review(
        {"d1": 3}, {"d1": 3}, inflated=frozenset(), bias=1.0, rng=random.Random(0), model=EXACT
    )
    assert result["d1"].response == "accept" and result["d1"].outcome.counted_level == 3
