"""Reviewer calibration and double-review reliability against hand-computed examples."""

import pytest

from maturity.core.review.calibration import (
    IN_LINE,
    LENIENT,
    SEVERE,
    CalibrationRating,
    DoubleRating,
    double_review_reliability,
    reviewer_calibration,
)


def ratings(references, given):
    return [
        CalibrationRating(f"case-{i}", ref, g)
        for i, (ref, g) in enumerate(zip(references, given, strict=True))
    ]


def test_a_lenient_reviewer_hand_computed():
    # Differences 1, 1, 0, 1, 0: leniency 0.6. Quadratic kappa = 2 cov / (var a + var b +
    # (mean a - mean b)^2) = 3.2 / (1.44 + 2 + 0.36) = 0.8421...
    result = reviewer_calibration(ratings([1, 2, 3, 4, 5], [2, 3, 3, 5, 5]))
    assert result.cases == 5
    assert result.leniency == pytest.approx(0.6)
    assert result.mean_absolute_difference == pytest.approx(0.6)
    assert result.exact_agreement == pytest.approx(0.4)
    assert result.kappa == pytest.approx(3.2 / 3.8)
    assert result.verdict == LENIENT
    assert result.explanation == (
        "Over 5 calibration cases the reviewer's levels were on average 0.60 levels higher "
        "than the reference levels; 40% matched exactly."
    )


def test_severe_and_in_line_reviewers():
    severe = reviewer_calibration(ratings([3, 4, 5, 2], [2, 3, 5, 1]))
    assert severe.leniency == pytest.approx(-0.75) and severe.verdict == SEVERE
    in_line = reviewer_calibration(ratings([1, 2, 3, 4], [1, 2, 4, 3]))
    assert in_line.leniency == 0 and in_line.verdict == IN_LINE
    assert "on average the same as the reference levels; 50% matched" in in_line.explanation
    # Exactly half a level is lenient.
    assert reviewer_calibration(ratings([2, 3], [3, 3])).verdict == LENIENT


def test_kappa_undefined_is_reported_not_raised():
    result = reviewer_calibration(ratings([3, 3, 3], [3, 3, 3]))
    assert result.kappa is None
    assert "cannot be computed" in result.kappa_note
    assert result.exact_agreement == 1


def test_bad_calibration_input_is_refused():
    with pytest.raises(ValueError):
        reviewer_calibration([])
    with pytest.raises(ValueError):
        reviewer_calibration(ratings([6], [3]))


def test_double_review_alpha_per_pillar_hand_computed():
    # p1 units (1, 2) and (2, 1): o12 = o21 = 2, n1 = n2 = 2, n = 4; ordinal d12 = (4 - 2)^2 = 4;
    # alpha = 1 - (n - 1) x 16 / 32 = -0.5. p2 units agree perfectly: alpha 1.
    units = [
        DoubleRating("r1:d1", "p1", (1, 2)),
        DoubleRating("r2:d1", "p1", (2, 1)),
        DoubleRating("r1:d3", "p2", (1, 1)),
        DoubleRating("r2:d3", "p2", (3, 3)),
        DoubleRating("r3:d3", "p2", (4, None)),  # one rating: not pairable
    ]
    report = double_review_reliability(units)
    assert report.by_pillar["p1"].alpha == pytest.approx(-0.5)
    assert report.by_pillar["p1"].units == 2
    assert report.by_pillar["p2"].alpha == pytest.approx(1.0)
    assert report.by_pillar["p2"].units == 2
    assert report.overall.units == 4
    assert report.overall.alpha is not None and -0.5 < report.overall.alpha < 1


def test_double_review_alpha_undefined_when_nothing_pairs():
    report = double_review_reliability([DoubleRating("u", "p1", (3, None))])
    assert report.overall.alpha is None and report.overall.units == 0
