import math

import numpy as np
import pytest
from scipy.stats import binom

from maturity.core.stats import (
    ABOVE_95,
    ABOVE_998,
    BELOW_95,
    BELOW_998,
    WITHIN,
    FunnelLimits,
    funnel_curve,
    funnel_limits,
    funnel_position,
    position_against,
)

GRID = [
    (p0, n)
    for p0 in (0.01, 0.05, 0.2, 0.5, 0.73, 0.9, 0.995)
    for n in (1, 2, 5, 10, 37, 100, 250, 1000, 20000)
]


def test_limits_for_a_fair_coin_of_ten_by_hand():
    # R ~ Binomial(10, 0.5): P(R = k) = C(10, k) / 1024, so
    # F(0) = 1/1024, F(1) = 11/1024, F(2) = 56/1024; f(1) = 10/1024, f(2) = 45/1024.
    # 95% lower, t = 0.025 = 25.6/1024: F(1) < t <= F(2), so r = 2;
    #   alpha = (56 - 25.6) / 45 = 0.675556; lower = (2 - 0.675556) / 10 = 0.1324444.
    # 99.8% lower, t = 0.001 = 1.024/1024: F(0) < t <= F(1), so r = 1;
    #   alpha = (11 - 1.024) / 10 = 0.9976; lower = (1 - 0.9976) / 10 = 0.00024.
    # The upper limits mirror them: 1 - 0.1324444 and 1 - 0.00024.
    limits = funnel_limits(0.5, 10)
    assert limits.lower95 == pytest.approx((2 - 30.4 / 45) / 10)
    assert limits.lower998 == pytest.approx((1 - 9.976 / 10) / 10)
    assert limits.upper95 == pytest.approx(1 - (2 - 30.4 / 45) / 10)
    assert limits.upper998 == pytest.approx(1 - (1 - 9.976 / 10) / 10)
    assert (limits.n, limits.p0, limits.method) == (10, 0.5, "funnel_binomial_exact")


def test_limits_for_a_small_target_by_hand():
    # R ~ Binomial(20, 0.1): F(0) = 0.9^20 = 0.121577 >= 0.025, so the lower r is 0 and
    # lower = (0 - (F(0) - 0.025) / f(0)) / 20 < 0, clipped to 0.
    # Upper 95%: P(R > 4) = 0.043172 > 0.025 >= P(R > 5) = 0.011253, so r = 5,
    #   f(5) = 0.031921, alpha = (0.025 - 0.011253) / 0.031921; upper = (6 - alpha) / 20.
    limits = funnel_limits(0.1, 20)
    assert limits.lower95 == 0.0
    f5 = math.comb(20, 5) * 0.1**5 * 0.9**15
    above5 = 1 - sum(math.comb(20, k) * 0.1**k * 0.9 ** (20 - k) for k in range(6))
    assert f5 == pytest.approx(0.031921, abs=1e-6)
    assert above5 == pytest.approx(0.011253, abs=1e-6)
    assert limits.upper95 == pytest.approx((6 - (0.025 - above5) / f5) / 20)


@pytest.mark.parametrize(("p0", "n"), GRID)
def test_limits_lie_between_the_exact_binomial_quantiles(p0, n):
    limits = funnel_limits(p0, n)
    for tail, lower, upper in (
        (0.025, limits.lower95, limits.upper95),
        (0.001, limits.lower998, limits.upper998),
    ):
        # Lower: r = the smallest count with F(r) >= t; lower is (r - alpha) / n with
        # F(r - 1) + (n x lower - (r - 1)) x f(r) = t, unless clipped at 0.
        r = int(binom.ppf(tail, n, p0))
        assert binom.cdf(r, n, p0) >= tail > binom.cdf(r - 1, n, p0)
        assert (r - 1) / n - 1e-12 <= lower <= r / n + 1e-12 or lower == 0.0
        if lower > 0:
            reached = binom.cdf(r - 1, n, p0) + (n * lower - (r - 1)) * binom.pmf(r, n, p0)
            assert reached == pytest.approx(tail, rel=1e-9)
        # Upper: r = the smallest count with P(R > r) <= t; upper = (r + 1 - alpha) / n.
        r = int(binom.isf(tail, n, p0))
        assert binom.sf(r, n, p0) <= tail < binom.sf(r - 1, n, p0)
        assert r / n - 1e-12 <= upper <= (r + 1) / n + 1e-12 or upper == 1.0
        if upper < 1:
            beyond = binom.sf(r, n, p0) + ((r + 1) - n * upper) * binom.pmf(r, n, p0)
            assert beyond == pytest.approx(tail, rel=1e-9)


@pytest.mark.parametrize(("p0", "n"), [(p0, n) for p0, n in GRID if n <= 1000])
def test_chance_of_falling_outside_is_at_most_the_nominal_tail(p0, n):
    # Add up P(R = k) over the counts k that fall in each position.
    limits = funnel_limits(p0, n)
    chance = {BELOW_998: 0.0, BELOW_95: 0.0, WITHIN: 0.0, ABOVE_95: 0.0, ABOVE_998: 0.0}
    for k, probability in enumerate(binom.pmf(np.arange(n + 1), n, p0)):
        chance[position_against(k / n, limits)] += probability
    assert chance[BELOW_998] <= 0.001 + 1e-12
    assert chance[BELOW_998] + chance[BELOW_95] <= 0.025 + 1e-12
    assert chance[ABOVE_998] <= 0.001 + 1e-12
    assert chance[ABOVE_998] + chance[ABOVE_95] <= 0.025 + 1e-12
    assert sum(chance.values()) == pytest.approx(1.0)


@pytest.mark.parametrize(("p0", "n"), GRID)
def test_high_and_low_are_treated_alike(p0, n):
    # Swapping successes and failures mirrors the funnel.
    limits, mirrored = funnel_limits(p0, n), funnel_limits(1 - p0, n)
    assert limits.upper95 == pytest.approx(1 - mirrored.lower95, abs=1e-9)
    assert limits.upper998 == pytest.approx(1 - mirrored.lower998, abs=1e-9)


@pytest.mark.parametrize(("p0", "n"), GRID)
def test_limits_are_nested_around_the_target(p0, n):
    limits = funnel_limits(p0, n)
    assert 0 <= limits.lower998 <= limits.lower95 <= p0 <= limits.upper95 <= limits.upper998 <= 1


def test_the_lower_limit_is_the_published_formula_and_the_upper_its_mirror():
    # Spiegelhalter (2005) A.1.1 prints (r - alpha) / n at the p-th quantile for both tails;
    # at the upper tail that is exactly 1/n below the mirrored (conservative) limit used here.
    p0, n, q = 0.3, 50, 0.975
    r = int(binom.ppf(q, n, p0))
    alpha = (binom.cdf(r, n, p0) - q) / binom.pmf(r, n, p0)
    assert funnel_limits(p0, n).upper95 == pytest.approx((r - alpha) / n + 1 / n)


def test_large_n_approaches_the_normal_approximation():
    # n = 20000, p0 = 0.3: sd = sqrt(0.3 x 0.7 / 20000) = 0.00324; limits ~ p0 +/- 1.96 sd.
    limits = funnel_limits(0.3, 20000)
    sd = math.sqrt(0.3 * 0.7 / 20000)
    assert limits.lower95 == pytest.approx(0.3 - 1.959964 * sd, abs=1 / 20000)
    assert limits.upper95 == pytest.approx(0.3 + 1.959964 * sd, abs=1 / 20000)
    # Further out the right skew of the binomial (p0 < 0.5) shows: about 0.5 sd x 0.0062 x
    # (3.09^2 - 1) / 3 more, plus half a count for the conservative interpolation.
    assert limits.upper998 == pytest.approx(0.3 + 3.090232 * sd, abs=2 / 20000)


def test_targets_of_zero_and_one():
    # p0 = 0: no success is expected; F(0) = 1, so the upper limit is (0 + 1 - t) / n.
    zero = funnel_limits(0.0, 10)
    assert (zero.lower95, zero.lower998) == (0.0, 0.0)
    assert zero.upper95 == pytest.approx(0.975 / 10)
    assert zero.upper998 == pytest.approx(0.999 / 10)
    assert funnel_position(0, 10, 0.0) == WITHIN
    assert funnel_position(1, 10, 0.0) == ABOVE_998
    one = funnel_limits(1.0, 10)
    assert (one.upper95, one.upper998) == (1.0, 1.0)
    assert one.lower95 == pytest.approx(1 - 0.975 / 10)
    assert funnel_position(9, 10, 1.0) == BELOW_998


def test_limits_are_plain_floats():
    limits = funnel_limits(0.37, 123)
    values = (limits.lower95, limits.upper95, limits.lower998, limits.upper998)
    assert all(type(v) is float for v in values)


def test_positions_by_hand():
    # n = 10, p0 = 0.5: 95% limits 0.13244 and 0.86756; 99.8% limits 0.00024 and 0.99976.
    assert funnel_position(5, 10, 0.5) == WITHIN
    assert funnel_position(2, 10, 0.5) == WITHIN
    assert funnel_position(8, 10, 0.5) == WITHIN
    assert funnel_position(1, 10, 0.5) == BELOW_95
    assert funnel_position(9, 10, 0.5) == ABOVE_95
    assert funnel_position(0, 10, 0.5) == BELOW_998  # P(R = 0) = 1/1024 < 0.001
    assert funnel_position(10, 10, 0.5) == ABOVE_998


def test_on_a_limit_counts_as_within():
    limits = FunnelLimits(n=10, p0=0.5, lower95=0.2, upper95=0.8, lower998=0.1, upper998=0.9)
    assert position_against(0.2, limits) == WITHIN
    assert position_against(0.8, limits) == WITHIN
    assert position_against(0.1, limits) == BELOW_95
    assert position_against(0.9, limits) == ABOVE_95
    assert position_against(0.05, limits) == BELOW_998
    assert position_against(0.95, limits) == ABOVE_998


def test_the_curve_gives_limits_for_each_n_in_order():
    curve = funnel_curve(0.4, [10, 100, 1000])
    assert [limits.n for limits in curve] == [10, 100, 1000]
    assert curve[1] == funnel_limits(0.4, 100)
    # The funnel narrows.
    widths = [limits.upper95 - limits.lower95 for limits in curve]
    assert widths[0] > widths[1] > widths[2]


@pytest.mark.parametrize(
    ("p0", "n", "error"),
    [
        (-0.1, 10, ValueError),
        (1.1, 10, ValueError),
        (math.nan, 10, ValueError),
        (0.5, 0, ValueError),
        (0.5, 10.0, TypeError),
        (0.5, True, TypeError),
        ("0.5", 10, TypeError),
    ],
)
def test_invalid_limits_arguments(p0, n, error):
    with pytest.raises(error):
        funnel_limits(p0, n)


def test_invalid_position_arguments():
    with pytest.raises(ValueError, match="exceed"):
        funnel_position(11, 10, 0.5)
    with pytest.raises(ValueError):
        funnel_position(-1, 10, 0.5)
