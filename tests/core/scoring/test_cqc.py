from fractions import Fraction

import pytest

from maturity.core.scoring import CQC_BANDS, CqcRating, CqcResult, band_for_percentage, cqc_rating

INADEQUATE = CqcRating.INADEQUATE
RI = CqcRating.REQUIRES_IMPROVEMENT
GOOD = CqcRating.GOOD
OUTSTANDING = CqcRating.OUTSTANDING


def _scores_for(percentage: str) -> list[int]:
    """The fewest 1-4 scores whose percentage of the maximum is exactly ``percentage``."""
    mean = Fraction(percentage) / 25  # percentage = 25 x mean score
    n, total = mean.denominator, mean.numerator
    scores, extra = [1] * n, total - n
    for i in range(n):
        step = min(3, extra)
        scores[i] += step
        extra -= step
    assert extra == 0 and 100 * Fraction(sum(scores), 4 * n) == Fraction(percentage)
    return scores


@pytest.mark.parametrize(
    ("percentage", "rating", "position"),
    [
        ("25", INADEQUATE, "lower"),
        ("31", INADEQUATE, "lower"),
        ("31.49", INADEQUATE, "lower"),
        ("31.5", INADEQUATE, "upper"),
        ("32", INADEQUATE, "upper"),
        ("38", INADEQUATE, "upper"),
        ("38.49", INADEQUATE, "upper"),
        ("38.5", RI, "lower"),
        ("39", RI, "lower"),
        ("50", RI, "lower"),
        ("50.49", RI, "lower"),
        ("50.5", RI, "upper"),
        ("51", RI, "upper"),
        ("62", RI, "upper"),
        ("62.49", RI, "upper"),
        ("62.5", GOOD, "lower"),
        ("63", GOOD, "lower"),
        ("74", GOOD, "lower"),
        ("74.5", GOOD, "upper"),
        ("75", GOOD, "upper"),
        ("87", GOOD, "upper"),
        ("87.49", GOOD, "upper"),
        ("87.5", OUTSTANDING, "lower"),
        ("88", OUTSTANDING, "lower"),
        ("93", OUTSTANDING, "lower"),
        ("93.5", OUTSTANDING, "upper"),
        ("94", OUTSTANDING, "upper"),
        ("100", OUTSTANDING, "upper"),
    ],
)
def test_rating_bands_on_both_sides_of_every_boundary(percentage, rating, position):
    scores = _scores_for(percentage)
    result = cqc_rating(scores)
    assert result.percentage == float(Fraction(percentage))
    assert result.rating == rating
    assert result.position == position
    assert result.total == sum(scores)
    assert result.maximum == 4 * len(scores)


def test_worked_example():
    # 34 statements: 6 scored 2, 24 scored 3, 4 scored 4 -> 100 of 136 = 73.5% -> 74% good lower.
    result = cqc_rating([2] * 6 + [3] * 24 + [4] * 4)
    assert result == CqcResult(
        percentage=100 * 100 / 136, rating="good", position="lower", total=100, maximum=136
    )
    assert result.rounded_percentage == 74
    assert result.rating_label == "Good"
    assert result.method == "cqc_percentage_bands"


def test_rounded_percentage_is_half_up():
    assert cqc_rating(_scores_for("38.5")).rounded_percentage == 39
    assert cqc_rating(_scores_for("38.49")).rounded_percentage == 38


@pytest.mark.parametrize(
    ("scores", "rating"),
    [([1], INADEQUATE), ([2], RI), ([3], GOOD), ([4], OUTSTANDING), ([1, 2], INADEQUATE)],
)
def test_single_scores(scores, rating):
    assert cqc_rating(scores).rating == rating


def test_labels():
    assert [r.label for r in CqcRating] == [
        "Inadequate",
        "Requires improvement",
        "Good",
        "Outstanding",
    ]
    assert [r.value for r in CqcRating] == [
        "inadequate",
        "requires_improvement",
        "good",
        "outstanding",
    ]


def test_bands_cover_25_to_100_without_gaps():
    assert CQC_BANDS[0][0] == 25 and CQC_BANDS[-1][1] == 100
    for (_, high, _), (low, _, _) in zip(CQC_BANDS, CQC_BANDS[1:], strict=False):
        assert low == high + 1


@pytest.mark.parametrize("whole_percent", [24, 101, 0])
def test_band_for_percentage_outside_range(whole_percent):
    with pytest.raises(ValueError, match="from 25 to 100"):
        band_for_percentage(whole_percent)


def test_no_scores_is_an_error():
    with pytest.raises(ValueError, match="at least one score"):
        cqc_rating([])


@pytest.mark.parametrize("bad", [0, 5, 2.5, True, "3", None])
def test_scores_must_be_1_to_4(bad):
    with pytest.raises(ValueError, match="whole number from 1 to 4"):
        cqc_rating([3, bad])
