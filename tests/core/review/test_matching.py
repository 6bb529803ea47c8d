"""Peer matching: hand-worked examples and properties that must hold for any cohort."""

from __future__ import annotations

import itertools
import math
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maturity.core.review.matching import (
    SIZE_COST_CAP,
    UNKNOWN_SIZE_COST,
    MatchingError,
    Reviewee,
    ReviewerOrganisation,
    is_eligible,
    match_reviewers,
    pair_cost,
)


def org(code, ics, size=None, settings=("acute",)):
    return ReviewerOrganisation(
        code,
        frozenset(settings),
        ics,
        size,
        name=f"Trust {code}",
        ics_name=f"System {ics}" if ics else "",
    )


def ret(code, ics, size=None, setting="acute"):
    return Reviewee(
        f"{code}-{setting}",
        code,
        setting,
        ics,
        size,
        name=f"Trust {code}",
        ics_name=f"System {ics}" if ics else "",
    )


def test_pair_cost_is_the_capped_absolute_log_ratio():
    assert pair_cost(100, 100) == 0
    assert pair_cost(100, 200) == pytest.approx(math.log(2))
    assert pair_cost(200, 100) == pytest.approx(math.log(2))
    assert pair_cost(1, 1000) == SIZE_COST_CAP
    assert pair_cost(None, 100) == UNKNOWN_SIZE_COST
    assert pair_cost(100, 0) == UNKNOWN_SIZE_COST


def test_the_most_similar_peer_in_another_system_is_chosen():
    # A's own-system neighbour S is the same size but may never review A.
    reviewees = [ret("A", "I1", 100)]
    reviewers = [org("A", "I1", 100), org("S", "I1", 100), org("B", "I2", 95), org("C", "I3", 300)]
    result = match_reviewers(reviewees, reviewers)
    assert [(m.reviewee, m.reviewer) for m in result.matches] == [("A-acute", "B")]
    match = result.matches[0]
    assert match.cost == pytest.approx(math.log(100 / 95))
    assert match.size_ratio == pytest.approx(0.95)
    assert "Trust B also answers the acute care setting" in match.explanation
    assert "5% smaller" in match.explanation
    assert "System I2, a different integrated care system from System I1" in match.explanation
    assert "reviews 1 return in this cycle (at most 2)" in match.explanation


def test_another_care_setting_never_reviews():
    reviewees = [ret("A", "I1", 100)]
    reviewers = [org("B", "I2", 100, settings=("community",)), org("C", "I3", 400)]
    result = match_reviewers(reviewees, reviewers)
    assert result.reviewer_of("A-acute") == "C"


def test_a_reciprocal_pair_is_avoided_when_a_cycle_is_possible():
    # Sizes make A and B each other's closest peer; reviewing each other would be cheapest.
    cohort = [("A", "I1", 100), ("B", "I2", 100), ("C", "I3", 300)]
    reviewees = [ret(*c) for c in cohort]
    reviewers = [org(*c) for c in cohort]
    result = match_reviewers(reviewees, reviewers, max_load=2)
    pairs = {(m.reviewee[0], m.reviewer) for m in result.matches}
    assert result.reciprocal_pairs == 0
    assert len(pairs) == 3
    assert not any((b, a) in pairs for a, b in pairs)
    # A 3-cycle: each organisation reviews exactly one return; total cost 2 x ln 3.
    assert Counter(m.reviewer for m in result.matches) == {"A": 1, "B": 1, "C": 1}
    assert sum(m.cost for m in result.matches) == pytest.approx(2 * math.log(3))
    assert all("does not review" in m.explanation for m in result.matches)


def test_an_unavoidable_reciprocal_pair_is_kept_and_explained():
    reviewees = [ret("A", "I1", 100), ret("B", "I2", 100)]
    reviewers = [org("A", "I1", 100), org("B", "I2", 100)]
    result = match_reviewers(reviewees, reviewers)
    assert result.reciprocal_pairs == 1
    assert len(result.matches) == 2
    assert all(m.reciprocal for m in result.matches)
    assert "no arrangement matching as many returns avoided this reciprocal pair" in (
        result.matches[0].explanation
    )


def test_load_is_bounded_across_care_settings():
    # Z is the only organisation outside I1; it can take two returns, whatever the care setting.
    reviewees = [ret("A", "I1", 100), ret("B", "I1", 100, "community"), ret("C", "I1", 100)]
    reviewers = [
        org("A", "I1", 100),
        org("B", "I1", 100, settings=("community",)),
        org("C", "I1", 100),
        org("Z", "I2", 100, settings=("acute", "community")),
    ]
    result = match_reviewers(reviewees, reviewers, max_load=2)
    assert len(result.matches) == 2
    assert result.load["Z"] == 2
    assert len(result.unmatched) == 1
    assert "already reviews 2 returns" in result.unmatched[0].reason


def test_existing_load_and_exclusions_are_respected():
    reviewees = [ret("A", "I1", 100)]
    reviewers = [org("B", "I2", 100), org("C", "I3", 150), org("D", "I4", 100)]
    result = match_reviewers(
        reviewees, reviewers, max_load=1, existing_load={"B": 1}, excluded={("A-acute", "D")}
    )
    assert result.reviewer_of("A-acute") == "C"
    assert result.load == {"B": 1, "C": 1, "D": 0}


@pytest.mark.parametrize(
    ("reviewee", "reviewers", "reason"),
    [
        (ret("A", None, 100), [org("B", "I2", 100)], "integrated care system is not known"),
        (ret("A", "I1", 100), [org("A", "I1", 100)], "no other organisation answers"),
        (ret("A", "I1", 100), [org("B", "I1", 100), org("C", None)], "same integrated care"),
    ],
)
def test_a_return_with_no_eligible_peer_is_left_unmatched_with_the_reason(
    reviewee, reviewers, reason
):
    result = match_reviewers([reviewee], reviewers)
    assert result.matches == ()
    assert reason in result.unmatched[0].reason


def test_unknown_sizes_are_matched_and_said_so():
    result = match_reviewers([ret("A", "I1")], [org("B", "I2", 100)])
    assert result.matches[0].cost == pytest.approx(UNKNOWN_SIZE_COST)
    assert "The size of Trust A is not known" in result.matches[0].explanation


def test_bad_inputs_are_refused():
    with pytest.raises(MatchingError):
        match_reviewers([ret("A", "I1"), ret("A", "I1")], [org("B", "I2")])
    with pytest.raises(MatchingError):
        match_reviewers([ret("A", "I1")], [org("B", "I2"), org("B", "I3")])
    with pytest.raises(MatchingError):
        match_reviewers([ret("A", "I1")], [org("B", "I2")], max_load=0)


# --- properties ------------------------------------------------------------------------------

SETTINGS = ("acute", "community")


@st.composite
def cohorts(draw, max_orgs=7):
    n = draw(st.integers(min_value=1, max_value=max_orgs))
    orgs = []
    for k in range(n):
        ics = draw(st.one_of(st.none(), st.sampled_from(["I1", "I2", "I3", "I4"])))
        size = draw(st.one_of(st.none(), st.integers(min_value=1, max_value=10_000)))
        settings_ = draw(st.sets(st.sampled_from(SETTINGS), min_size=1, max_size=2))
        orgs.append(org(f"O{k}", ics, size, settings=tuple(sorted(settings_))))
    reviewees = [
        ret(o.organisation, o.ics, o.size, s) for o in orgs for s in sorted(o.care_settings)
    ]
    return reviewees, orgs


def _reciprocal_pairs(assignment, reviewees):
    reviews = {(reviewer, reviewees[i].organisation) for i, reviewer in assignment.items()}
    return len({frozenset(p) for p in reviews if (p[1], p[0]) in reviews})


def _brute_force_best(reviewees, reviewers, max_load):
    """Lexicographic best (most matched, fewest reciprocal pairs, least cost) by enumeration."""
    options = [
        [None] + [r for r in reviewers if is_eligible(reviewee, r)] for reviewee in reviewees
    ]
    best = None
    for choice in itertools.product(*options):
        load = Counter(r.organisation for r in choice if r is not None)
        if any(v > max_load for v in load.values()):
            continue
        assignment = {i: r.organisation for i, r in enumerate(choice) if r is not None}
        cost = sum(
            pair_cost(reviewees[i].size, r.size) for i, r in enumerate(choice) if r is not None
        )
        key = (-len(assignment), _reciprocal_pairs(assignment, reviewees), cost)
        if best is None or key < best:
            best = key
    return best


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cohorts(), st.integers(min_value=1, max_value=3))
def test_every_match_keeps_the_hard_rules(cohort, max_load):
    reviewees, reviewers = cohort
    result = match_reviewers(reviewees, reviewers, max_load=max_load)
    by_key = {r.key: r for r in reviewees}
    by_org = {r.organisation: r for r in reviewers}
    assert sorted(
        [m.reviewee for m in result.matches] + [u.reviewee for u in result.unmatched]
    ) == (sorted(by_key))
    for match in result.matches:
        reviewee, reviewer = by_key[match.reviewee], by_org[match.reviewer]
        assert reviewee.care_setting in reviewer.care_settings
        assert reviewer.organisation != reviewee.organisation
        assert reviewee.ics is not None and reviewer.ics is not None
        assert reviewer.ics != reviewee.ics
        assert reviewer.name in match.explanation
    load = Counter(m.reviewer for m in result.matches)
    assert all(count <= max_load for count in load.values())
    assert all(result.load[o] == load.get(o, 0) for o in by_org)
    assert result.reciprocal_pairs == _reciprocal_pairs(
        {list(by_key).index(m.reviewee): m.reviewer for m in result.matches}, reviewees
    )


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cohorts(max_orgs=4), st.integers(min_value=1, max_value=2))
def test_the_matching_is_lexicographically_optimal(cohort, max_load):
    reviewees, reviewers = cohort
    if len(reviewees) > 6:
        reviewees = reviewees[:6]
    result = match_reviewers(reviewees, reviewers, max_load=max_load, candidates_per_return=None)
    matched, reciprocal, cost = _brute_force_best(reviewees, reviewers, max_load)
    assert len(result.matches) == -matched
    assert result.reciprocal_pairs == reciprocal
    assert sum(m.cost for m in result.matches) == pytest.approx(cost, abs=1e-6)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cohorts(max_orgs=12), st.integers(min_value=1, max_value=3))
def test_pruning_to_candidates_still_keeps_the_hard_rules(cohort, max_load):
    reviewees, reviewers = cohort
    result = match_reviewers(reviewees, reviewers, max_load=max_load, candidates_per_return=2)
    by_key = {r.key: r for r in reviewees}
    by_org = {r.organisation: r for r in reviewers}
    for match in result.matches:
        assert is_eligible(by_key[match.reviewee], by_org[match.reviewer])
    assert max(Counter(m.reviewer for m in result.matches).values(), default=0) <= max_load
