"""Property tests: invariants that must hold for any data."""

import math
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.stats import percentileofscore

from maturity.core.stats import (
    deciles,
    fit_trajectory,
    funnel_limits,
    krippendorff_alpha,
    percentile_of,
    robust_z,
    weighted_kappa,
)

# No example database: nothing is written outside the test folders. Few examples keep the
# suite fast; each run explores new ones.
PROPERTY = settings(max_examples=30, deadline=None, database=None)

SCORES = st.floats(min_value=-1000, max_value=1000, allow_nan=False, allow_infinity=False)
GROUPS = st.lists(SCORES, min_size=1, max_size=40)
# Levels and percentages as benchmarks see them: few distinct values, many ties.
TIED_GROUPS = st.lists(st.integers(1, 5).map(float), min_size=1, max_size=40)
ANY_GROUP = st.one_of(GROUPS, TIED_GROUPS)


@PROPERTY
@given(ANY_GROUP, SCORES, SCORES)
def test_percentile_of_is_between_0_and_100_and_monotone(values, a, b):
    low, high = sorted((a, b))
    assert 0 <= percentile_of(low, values) <= percentile_of(high, values) <= 100


@PROPERTY
@given(ANY_GROUP, st.data())
def test_percentile_of_matches_scipy(values, data):
    value = data.draw(st.one_of(st.sampled_from(values), SCORES))
    assert percentile_of(value, values) == pytest.approx(
        percentileofscore(values, value, kind="mean"), abs=1e-9
    )


@PROPERTY
@given(ANY_GROUP)
def test_deciles_are_non_decreasing_and_inside_the_range(values):
    found = list(deciles(values).values())
    assert found == sorted(found)
    assert min(values) <= found[0] and found[-1] <= max(values)
    assert found == pytest.approx(list(np.percentile(values, range(10, 100, 10))), abs=1e-9)


@PROPERTY
@given(
    st.one_of(
        st.lists(st.integers(-500, 500).map(float), min_size=2, max_size=30),
        TIED_GROUPS.filter(lambda v: len(v) >= 2),
    ),
    st.floats(min_value=-1000, max_value=1000),
    st.floats(min_value=0.01, max_value=1000),
)
def test_robust_z_is_invariant_to_shifting_and_scaling(values, shift, scale):
    moved = [scale * v + shift for v in values]
    assert robust_z(moved) == pytest.approx(robust_z(values), abs=1e-6)


@PROPERTY
@given(ANY_GROUP)
def test_robust_z_has_median_zero(values):
    assert float(np.median(robust_z(values))) == pytest.approx(0.0, abs=1e-9)


CATEGORIES = [1, 2, 3, 4, 5]
RATINGS = st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=40)


@PROPERTY
@given(RATINGS, st.sampled_from(["linear", "quadratic"]))
def test_kappa_of_identical_ratings_is_one(ratings, weights):
    assume(len(set(ratings)) > 1)
    assert weighted_kappa(ratings, ratings, categories=CATEGORIES, weights=weights) == 1.0


@PROPERTY
@given(st.lists(st.tuples(st.sampled_from(CATEGORIES), st.sampled_from(CATEGORIES)), min_size=2))
def test_kappa_is_at_most_one_and_symmetric(pairs):
    a, b = [p[0] for p in pairs], [p[1] for p in pairs]
    assume(len(set(a) | set(b)) > 1)
    kappa = weighted_kappa(a, b, categories=CATEGORIES)
    assert kappa <= 1.0
    assert weighted_kappa(b, a, categories=CATEGORIES) == pytest.approx(kappa)
    # Quadratic kappa in its covariance form, with variances over n.
    x, y = np.array(a, float), np.array(b, float)
    denominator = x.var() + y.var() + (x.mean() - y.mean()) ** 2
    cov = np.mean((x - x.mean()) * (y - y.mean()))
    assert kappa == pytest.approx(2 * cov / denominator, abs=1e-9)


@PROPERTY
@given(
    st.lists(
        st.tuples(st.sampled_from(CATEGORIES), st.integers(2, 4), st.integers(0, 2)),
        min_size=2,
        max_size=15,
    ),
    st.sampled_from(["nominal", "ordinal", "interval", "ratio"]),
)
def test_alpha_is_one_when_every_unit_is_rated_alike(units, level):
    # Each unit: one value given by 2-4 raters, and 0-2 raters who did not rate it.
    rows = [[value] * raters + [None] * missing for value, raters, missing in units]
    assume(len({value for value, _, _ in units}) > 1)
    assert krippendorff_alpha(rows, level=level) == 1.0


@PROPERTY
@given(
    st.integers(3, 8),
    st.floats(min_value=-20, max_value=20),
    st.floats(min_value=0, max_value=100),
    st.lists(st.integers(30, 800), min_size=7, max_size=7),
)
def test_trajectory_on_exactly_linear_data(n, slope, start, gaps):
    first = date(2020, 4, 1)
    days = [0]
    for gap in gaps[: n - 1]:
        days.append(days[-1] + gap)
    points = [(first + timedelta(days=d), start + slope * d / 365.25) for d in days]
    deadline = first + timedelta(days=days[-1] + 400)
    fit = fit_trajectory(points, deadline=deadline, target=start)
    assert fit.slope_per_year == pytest.approx(slope, abs=1e-9)
    assert fit.intercept == pytest.approx(start, abs=1e-9)
    expected = start + slope * (days[-1] + 400) / 365.25
    assert fit.fitted_at_deadline == pytest.approx(expected, abs=1e-9)
    assert fit.upper - fit.lower == pytest.approx(0.0, abs=1e-6)


@PROPERTY
@given(
    st.lists(
        st.tuples(st.integers(0, 3000), st.floats(min_value=0, max_value=100)),
        min_size=3,
        max_size=12,
        unique_by=lambda p: p[0],
    ),
    st.floats(min_value=0, max_value=100),
    st.sampled_from([0.5, 0.8, 0.95]),
)
def test_trajectory_interval_contains_the_fitted_value(raw, target, level):
    first = date(2019, 1, 1)
    points = [(first + timedelta(days=d), v) for d, v in raw]
    fit = fit_trajectory(points, deadline=date(2028, 3, 31), target=target, interval_level=level)
    assert fit.lower <= fit.fitted_at_deadline <= fit.upper
    assert 0.0 <= fit.probability_on_time <= 1.0
    # The fitted value is the median of the predictive distribution.
    if fit.upper > fit.lower and target == fit.fitted_at_deadline:
        assert fit.probability_on_time == pytest.approx(0.5)


@PROPERTY
@given(st.floats(min_value=0, max_value=1), st.integers(1, 5000))
def test_funnel_limits_are_nested_and_mirrored(p0, n):
    limits = funnel_limits(p0, n)
    assert 0 <= limits.lower998 <= limits.lower95 <= limits.upper95 <= limits.upper998 <= 1
    assert limits.lower95 <= p0 + 1e-12 and p0 - 1e-12 <= limits.upper95
    mirrored = funnel_limits(1 - p0, n)
    assert math.isclose(limits.upper95, 1 - mirrored.lower95, abs_tol=1e-7)
    assert math.isclose(limits.upper998, 1 - mirrored.lower998, abs_tol=1e-7)
