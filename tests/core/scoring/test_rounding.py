from decimal import Decimal
from fractions import Fraction

import pytest

from maturity.core.scoring import exact_mean, round_half_even, round_half_up


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (2.2999999999999998, 1, 2.3),
        (2.25, 1, 2.3),
        (2.35, 1, 2.4),
        (2.15, 1, 2.2),
        (2.05, 1, 2.1),
        (2.24, 1, 2.2),
        (2.26, 1, 2.3),
        (2.2499999999999996, 1, 2.3),  # 9/4 computed with float noise below the tie
        (0.1 + 0.2, 1, 0.3),
        (1.0, 1, 1.0),
        (5, 1, 5.0),
        (-2.25, 1, -2.3),  # halves away from zero
        (-2.24, 1, -2.2),
        (38.5, 0, 39.0),
        (38.49, 0, 38.0),
        (2.345, 2, 2.35),
        (1.005, 2, 1.01),  # stored as 1.00499999999999989...; read as the decimal 1.005
        (Fraction(9, 4), 1, 2.3),
        (Decimal("2.25"), 1, 2.3),
        (0.0, 1, 0.0),
    ],
)
def test_round_half_up(value, places, expected):
    assert round_half_up(value, places) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2.25, 2.2),
        (2.35, 2.4),
        (2.05, 2.0),
        (2.15, 2.2),
        (2.45, 2.4),
        (2.26, 2.3),
        (2.24, 2.2),
        (3.0, 3.0),
        (Fraction(41, 20), 2.0),
        (-2.25, -2.2),
    ],
)
def test_round_half_even(value, expected):
    assert round_half_even(value, 1) == expected


def test_round_defaults_to_one_place():
    assert round_half_up(2.25) == 2.3
    assert round_half_even(2.25) == 2.2


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf"), Decimal("NaN")])
def test_rounding_refuses_non_finite_values(bad):
    with pytest.raises(ValueError, match="non-finite"):
        round_half_up(bad)


@pytest.mark.parametrize("places", [-1, 1.5, True])
def test_rounding_refuses_bad_places(places):
    with pytest.raises(ValueError, match="places"):
        round_half_up(2.25, places)


@pytest.mark.parametrize("bad", [True, "2.25", None])
def test_rounding_refuses_non_numbers(bad):
    with pytest.raises(TypeError):
        round_half_up(bad)


def test_exact_mean_is_exact_and_order_free():
    assert exact_mean([1, 2, 2]) == Fraction(5, 3)
    assert exact_mean([0.1, 0.2, 0.3]) == exact_mean([0.3, 0.1, 0.2])
    assert float(exact_mean([0.1] * 10)) == 0.1


def test_exact_mean_of_nothing_is_an_error():
    with pytest.raises(ValueError, match="no values"):
        exact_mean([])


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_exact_mean_refuses_non_finite_values(bad):
    with pytest.raises(ValueError, match="non-finite"):
        exact_mean([1.0, bad])
