import math
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from scipy.stats import percentileofscore

from maturity.core.stats import (
    CENTILES,
    GroupSummary,
    centiles,
    deciles,
    percentile_of,
    robust_z,
    summarise,
)


def test_centiles_are_the_nine_deciles():
    assert CENTILES == (10, 20, 30, 40, 50, 60, 70, 80, 90)


def test_deciles_of_five_values_by_hand():
    # Sorted 1, 2, 3, 4, 5: centile c sits at position h = (5 - 1) x c / 100 = c / 25.
    # 10th: h = 0.4 -> 1 + 0.4 x (2 - 1) = 1.4; 50th: h = 2 -> 3; 90th: h = 3.6 -> 4.6.
    found = deciles([5, 3, 1, 4, 2])
    assert list(found) == list(CENTILES)
    assert found == pytest.approx(
        {10: 1.4, 20: 1.8, 30: 2.2, 40: 2.6, 50: 3.0, 60: 3.4, 70: 3.8, 80: 4.2, 90: 4.6}
    )


def test_deciles_interpolate_between_unequal_gaps():
    # Sorted 1, 2, 3, 10: h = 3c/100. 80th: h = 2.4 -> 3 + 0.4 x (10 - 3) = 5.8.
    # 50th: h = 1.5 -> 2.5; 10th: h = 0.3 -> 1.3; 90th: h = 2.7 -> 3 + 0.7 x 7 = 7.9.
    found = deciles([10, 1, 3, 2])
    assert found[10] == pytest.approx(1.3)
    assert found[50] == pytest.approx(2.5)
    assert found[80] == pytest.approx(5.8)
    assert found[90] == pytest.approx(7.9)


def test_deciles_match_numpy_linear_percentile():
    values = [2.4, 3.1, 1.0, 4.7, 2.4, 5.0, 3.3, 1.9, 2.8, 4.1, 3.6]
    expected = np.percentile(values, CENTILES, method="linear")
    assert list(deciles(values).values()) == pytest.approx(list(expected), abs=1e-12)


def test_deciles_of_one_value_are_that_value():
    assert set(deciles([3.2]).values()) == {3.2}


def test_deciles_of_no_values_is_an_error():
    with pytest.raises(ValueError, match="no values"):
        deciles([])


@pytest.mark.parametrize("bad", [[1.0, math.nan], [math.inf], [1.0, -math.inf]])
def test_non_finite_values_are_refused(bad):
    with pytest.raises(ValueError, match="finite"):
        deciles(bad)


@pytest.mark.parametrize("bad", [[1.0, None], [True, 2.0], ["3"]])
def test_non_numbers_are_refused(bad):
    with pytest.raises(TypeError):
        deciles(bad)


def test_a_string_is_not_a_sequence_of_values():
    with pytest.raises(TypeError, match="string"):
        summarise("12")


def test_decimal_fraction_and_numpy_values_are_accepted():
    assert deciles([Decimal("1.5"), Fraction(5, 2), np.float64(3.5), np.int64(4)])[50] == 3.0


def test_other_centiles_use_the_same_rule():
    # Sorted 1, 2, 3, 10: 0th is the minimum, 100th the maximum, 25th at h = 0.75 -> 1.75.
    assert centiles([1, 2, 3, 10], (0, 25, 100)) == pytest.approx({0: 1.0, 25: 1.75, 100: 10.0})
    with pytest.raises(ValueError, match="from 0 to 100"):
        centiles([1, 2], (101,))


def test_percentile_of_counts_ties_half():
    # Of 1, 2, 3, 4: below 3 are two, equal one -> 100 x (2 + 1/2) / 4 = 62.5.
    assert percentile_of(3, [1, 2, 3, 4]) == 62.5
    # Lowest of four distinct: 100 x (0 + 1/2) / 4 = 12.5; highest: 100 x (3 + 1/2) / 4 = 87.5.
    assert percentile_of(1, [1, 2, 3, 4]) == 12.5
    assert percentile_of(4, [1, 2, 3, 4]) == 87.5
    # Equal to every member: half of them counted below -> 50.
    assert percentile_of(2.5, [2.5, 2.5, 2.5]) == 50.0


def test_percentile_of_a_value_outside_the_group():
    assert percentile_of(0, [1, 2, 3]) == 0.0
    assert percentile_of(9, [1, 2, 3]) == 100.0
    # Not a member: 2.5 has two of four below -> 50.
    assert percentile_of(2.5, [1, 2, 3, 4]) == 50.0


@pytest.mark.parametrize(
    ("value", "values"),
    [
        (3, [1, 2, 3, 3, 3, 4, 7]),
        (2.2, [2.2, 1.0, 3.1, 2.2, 2.2, 5.0]),
        (0.5, [1, 1, 1]),
        (4.0, [1.5, 2.5, 3.5, 4.0, 4.0, 4.5, 5.5, 6.0, 6.5, 7.0]),
    ],
)
def test_percentile_of_matches_scipy_mean_kind(value, values):
    assert percentile_of(value, values) == pytest.approx(
        percentileofscore(values, value, kind="mean")
    )


def test_percentile_of_within_no_values_is_an_error():
    with pytest.raises(ValueError, match="no values"):
        percentile_of(1.0, [])
    with pytest.raises(ValueError, match="finite"):
        percentile_of(math.nan, [1.0])


def test_summarise_by_hand():
    # 1, 2, 3, 4, 10: mean 20 / 5 = 4; median (50th centile) 3; 80th: h = 3.2 -> 4 + 0.2 x 6.
    summary = summarise([4, 10, 1, 3, 2])
    assert isinstance(summary, GroupSummary)
    assert (summary.n, summary.mean, summary.median) == (5, 4.0, 3.0)
    assert (summary.minimum, summary.maximum) == (1.0, 10.0)
    assert summary.deciles[80] == pytest.approx(5.2)
    assert summary.deciles == deciles([4, 10, 1, 3, 2])


def test_summarise_median_of_an_even_group_is_the_mean_of_the_middle_two():
    assert summarise([1.0, 2.0, 4.0, 8.0]).median == 3.0


def test_summarise_mean_is_compensated():
    # Naive left-to-right summation gives 0.0 here; the true mean is 1 / 3.
    assert summarise([1e16, 1.0, -1e16]).mean == pytest.approx(1 / 3)


def test_summarise_no_values_is_an_error():
    with pytest.raises(ValueError, match="no values"):
        summarise([])


def test_robust_z_by_hand():
    # 1, 2, 3, 4, 100: median 3, absolute deviations 2, 1, 0, 1, 97 -> MAD = 1,
    # scale = 1.4826: z = -2 / 1.4826, -1 / 1.4826, 0, 1 / 1.4826, 97 / 1.4826.
    assert robust_z([1, 2, 3, 4, 100]) == pytest.approx(
        [-2 / 1.4826, -1 / 1.4826, 0.0, 1 / 1.4826, 97 / 1.4826]
    )


def test_robust_z_is_not_inflated_by_the_outlier():
    # The classical z of the outlier is only about 2.8: the outlier inflates the SD itself.
    values = [10, 11, 9, 10, 12, 10, 11, 9, 60]
    classical = (60 - np.mean(values)) / np.std(values)
    assert classical < 3
    assert robust_z(values)[-1] > 30


def test_robust_z_falls_back_to_the_mean_absolute_deviation_when_mad_is_zero():
    # 1, 1, 1, 2, 5: median 1, deviations 0, 0, 0, 1, 4 -> MAD 0.
    # Mean absolute deviation = 5 / 5 = 1, scale = 1.253314: z = 0, 0, 0, 1/1.253314, 4/1.253314.
    assert robust_z([1, 1, 1, 2, 5]) == pytest.approx([0, 0, 0, 1 / 1.253314, 4 / 1.253314])


def test_robust_z_of_equal_values_is_zero():
    assert robust_z([3.5, 3.5, 3.5]) == [0.0, 0.0, 0.0]
    assert robust_z([7]) == [0.0]


def test_robust_z_of_no_values_is_empty():
    assert robust_z([]) == []


def test_robust_z_with_half_the_values_equal_uses_the_mad():
    # 1, 1, 2, 3: median 1.5, deviations 0.5, 0.5, 0.5, 1.5 -> MAD 0.5, not the fallback.
    assert robust_z([1, 1, 2, 3]) == pytest.approx(
        [-0.5 / 0.7413, -0.5 / 0.7413, 0.5 / 0.7413, 1.5 / 0.7413]
    )
