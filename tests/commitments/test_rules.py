"""The suggestion rule for "met or on track", at each boundary (pure: no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from maturity.commitments.rules import (
    AT_RISK,
    HIGH_CONFIDENCE,
    MINOR_GAP,
    ON_TRACK,
    SUGGESTION_RULE,
    meets,
    progress_share,
    suggest_met_or_on_track,
)

D = dt.date
TODAY = D(2025, 1, 1)
AHEAD = D(2026, 1, 1)
PASSED = D(2024, 6, 30)


def suggest(**kw):
    args = {
        "target": 100.0,
        "direction": "increase",
        "baseline": 0.0,
        "deadline": AHEAD,
        "observations": [(D(2024, 1, 1), 50.0)],
        "probability_on_time": None,
        "as_of": TODAY,
    } | kw
    return suggest_met_or_on_track(**args)


def test_no_target_gives_no_suggestion():
    s = suggest(target=None)
    assert (s.rating, s.branch) == (None, "no_target")


def test_no_observations_gives_no_suggestion():
    s = suggest(observations=[])
    assert (s.rating, s.branch) == (None, "no_observations")


def test_observations_after_as_of_are_ignored():
    s = suggest(observations=[(D(2025, 6, 1), 100.0)])
    assert s.branch == "no_observations"


@pytest.mark.parametrize("value", [100.0, 100.5])
def test_target_met_by_deadline_is_outstanding(value):
    s = suggest(observations=[(D(2024, 1, 1), value)])
    assert (s.rating, s.branch) == ("outstanding", "met_by_deadline")


def test_target_met_exactly_on_the_deadline_counts_as_by_the_deadline():
    s = suggest(deadline=PASSED, observations=[(PASSED, 100.0)])
    assert s.rating == "outstanding"


def test_target_met_the_day_after_the_deadline_is_good():
    s = suggest(deadline=PASSED, observations=[(PASSED + dt.timedelta(days=1), 100.0)])
    assert (s.rating, s.branch) == ("good", "met_after_deadline")


def test_target_met_without_a_deadline_is_outstanding():
    s = suggest(deadline=None, observations=[(D(2024, 1, 1), 100.0)])
    assert s.rating == "outstanding"


def test_met_earlier_but_fallen_back_is_judged_on_the_latest_value():
    s = suggest(
        deadline=PASSED,
        observations=[(D(2024, 1, 1), 100.0), (D(2024, 12, 1), 95.0)],
    )
    assert s.branch == "deadline_passed_minor_gap"  # 95 of the way from 0: a minor gap


def test_not_met_without_deadline_gives_no_suggestion():
    s = suggest(deadline=None)
    assert (s.rating, s.branch) == (None, "no_deadline")


@pytest.mark.parametrize(
    ("latest", "rating", "branch"),
    [
        (99.9, "good", "deadline_passed_minor_gap"),
        (MINOR_GAP * 100, "good", "deadline_passed_minor_gap"),
        (89.99, "requires_improvement", "deadline_passed_part_way"),
        (50.0, "requires_improvement", "deadline_passed_part_way"),
        (49.99, "inadequate", "deadline_passed_far"),
        (0.0, "inadequate", "deadline_passed_far"),
    ],
)
def test_deadline_passed_progress_boundaries(latest, rating, branch):
    s = suggest(deadline=PASSED, observations=[(D(2024, 1, 1), latest)])
    assert (s.rating, s.branch) == (rating, branch)


def test_deadline_passed_progress_from_a_real_baseline():
    # EPRs: 86% at the baseline, 93% latest, target 100%: exactly half way.
    s = suggest(baseline=86.0, deadline=PASSED, observations=[(D(2024, 1, 1), 93.0)])
    assert s.rating == "requires_improvement"
    assert "50%" in s.explanation


def test_deadline_passed_got_worse_is_inadequate():
    s = suggest(baseline=60.0, deadline=PASSED, observations=[(D(2024, 1, 1), 55.0)])
    assert s.rating == "inadequate"


def test_deadline_passed_without_baseline_uses_the_first_observation():
    s = suggest(
        baseline=None,
        deadline=PASSED,
        observations=[(D(2023, 1, 1), 20.0), (D(2024, 1, 1), 92.0)],
    )
    assert s.rating == "good"  # (92 - 20) / (100 - 20) = 0.9
    assert "first observation" in s.explanation


def test_deadline_passed_without_baseline_and_one_observation_gives_no_suggestion():
    s = suggest(baseline=None, deadline=PASSED, observations=[(D(2024, 1, 1), 3.0)])
    assert (s.rating, s.branch) == (None, "deadline_passed_no_start")


def test_deadline_passed_with_baseline_equal_to_target_gives_no_suggestion():
    s = suggest(
        baseline=100.0,
        target=100.0,
        deadline=PASSED,
        direction="decrease",
        observations=[(D(2024, 1, 1), 120.0)],
    )
    assert s.branch == "deadline_passed_no_start"


@pytest.mark.parametrize(
    ("probability", "rating", "branch"),
    [
        (1.0, "outstanding", "on_track_high_confidence"),
        (HIGH_CONFIDENCE, "outstanding", "on_track_high_confidence"),
        (0.9499, "good", "on_track"),
        (ON_TRACK, "good", "on_track"),
        (0.7999, "requires_improvement", "at_risk"),
        (AT_RISK, "requires_improvement", "at_risk"),
        (0.4999, "inadequate", "off_track"),
        (0.0, "inadequate", "off_track"),
    ],
)
def test_deadline_ahead_probability_boundaries(probability, rating, branch):
    s = suggest(probability_on_time=probability)
    assert (s.rating, s.branch) == (rating, branch)


def test_deadline_ahead_without_probability_gives_no_suggestion():
    s = suggest(probability_on_time=None)
    assert (s.rating, s.branch) == (None, "no_trajectory")


def test_deadline_today_is_still_ahead():
    s = suggest(deadline=TODAY, probability_on_time=0.9)
    assert s.branch == "on_track"


def test_lower_is_better_metrics():
    assert meets(5.0, 10.0, "decrease") and not meets(11.0, 10.0, "decrease")
    s = suggest(
        direction="decrease", baseline=50.0, target=10.0, observations=[(D(2024, 1, 1), 10.0)]
    )
    assert s.rating == "outstanding"
    s = suggest(
        direction="decrease",
        baseline=50.0,
        target=10.0,
        deadline=PASSED,
        observations=[(D(2024, 1, 1), 14.0)],
    )
    assert s.rating == "good"  # 36 of the 40 to go: 90%


def test_progress_share():
    assert progress_share(0, 45, 90) == 0.5
    assert progress_share(50, 50, 50) is None


def test_the_rule_states_every_threshold():
    for text in (
        "95%",
        "80%",
        "50%",
        "90%",
        "Outstanding",
        "Good",
        "Requires improvement",
        "Inadequate",
    ):
        assert text in SUGGESTION_RULE
    assert suggest().rule == SUGGESTION_RULE
