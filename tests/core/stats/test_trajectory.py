import math
import random
from datetime import date, datetime, timedelta

import pytest
from scipy.stats import linregress
from scipy.stats import t as student_t

from maturity.core.stats import Trajectory, fit_trajectory

# 1461 days is exactly four years of 365.25 days: these dates are 0, 4, 8 and 12 years on.
START = date(2000, 1, 1)
FOUR_YEARS = timedelta(days=1461)
HAND = [(START, 10.0), (START + FOUR_YEARS, 14.0), (START + 2 * FOUR_YEARS, 21.0)]
HAND_DEADLINE = START + 3 * FOUR_YEARS


def test_three_points_by_hand():
    # t = 0, 4, 8 years; y = 10, 14, 21. Mean t = 4, mean y = 15.
    # Sxx = 16 + 0 + 16 = 32; Sxy = (-4)(-5) + 0 + (4)(6) = 44. Slope = 44/32 = 1.375 a year;
    # intercept = 15 - 1.375 x 4 = 9.5; at t = 12: 9.5 + 16.5 = 26.
    # Residuals 0.5, -1, 0.5: s^2 = 1.5 / (3 - 2) = 1.5.
    # Prediction variance at t = 12: 1.5 x (1 + 1/3 + (12 - 4)^2 / 32) = 1.5 x 10/3 = 5.
    # Student's t with 1 df is Cauchy: its 0.9 quantile is tan(0.4 pi) = 3.0777, so the 80%
    # interval is 26 +/- 3.0777 x sqrt(5).
    # P(value >= 30) = P(T >= 4 / sqrt(5)) = 1/2 - atan(4 / sqrt(5)) / pi = 0.1623.
    fit = fit_trajectory(HAND, deadline=HAND_DEADLINE, target=30)
    assert isinstance(fit, Trajectory)
    assert fit.slope_per_year == 1.375
    assert fit.intercept == 9.5
    assert fit.fitted_at_deadline == 26.0
    half = math.tan(0.4 * math.pi) * math.sqrt(5)
    assert fit.lower == pytest.approx(26 - half)
    assert fit.upper == pytest.approx(26 + half)
    assert fit.probability_on_time == pytest.approx(0.5 - math.atan(4 / math.sqrt(5)) / math.pi)
    assert (fit.n, fit.method, fit.interval_level) == (3, "trajectory_ols_t", 0.8)
    assert "3 observations" in fit.note


def test_decrease_is_the_other_tail():
    up = fit_trajectory(HAND, deadline=HAND_DEADLINE, target=30)
    down = fit_trajectory(HAND, deadline=HAND_DEADLINE, target=30, direction="decrease")
    assert down.probability_on_time == pytest.approx(1 - up.probability_on_time)
    assert (down.lower, down.upper) == (up.lower, up.upper)


def test_target_at_the_fitted_value_is_even_odds():
    assert fit_trajectory(HAND, deadline=HAND_DEADLINE, target=26).probability_on_time == 0.5


def test_wider_interval_level():
    # 95%: the 0.975 quantile of Cauchy is tan(0.475 pi) = 12.706.
    fit = fit_trajectory(HAND, deadline=HAND_DEADLINE, target=30, interval_level=0.95)
    assert fit.upper == pytest.approx(26 + math.tan(0.475 * math.pi) * math.sqrt(5))


OBSERVATIONS = [
    (date(2021, 3, 31), 41.0),
    (date(2021, 9, 30), 44.5),
    (date(2022, 3, 31), 47.0),
    (date(2022, 10, 15), 52.5),
    (date(2023, 3, 31), 53.0),
    (date(2024, 1, 10), 58.0),
]
DEADLINE = date(2026, 3, 31)


def test_matches_scipy_linregress_and_the_t_prediction_interval():
    fit = fit_trajectory(OBSERVATIONS, deadline=DEADLINE, target=70, interval_level=0.9)
    x = [(day - OBSERVATIONS[0][0]).days / 365.25 for day, _ in OBSERVATIONS]
    y = [value for _, value in OBSERVATIONS]
    reference = linregress(x, y)
    assert fit.slope_per_year == pytest.approx(reference.slope)
    assert fit.intercept == pytest.approx(reference.intercept)
    x_d = (DEADLINE - OBSERVATIONS[0][0]).days / 365.25
    fitted = reference.intercept + reference.slope * x_d
    n, mean_x = len(x), sum(x) / len(x)
    sxx = sum((v - mean_x) ** 2 for v in x)
    residuals = [
        yi - reference.intercept - reference.slope * xi for xi, yi in zip(x, y, strict=True)
    ]
    s2 = sum(r**2 for r in residuals) / (n - 2)
    se = math.sqrt(s2 * (1 + 1 / n + (x_d - mean_x) ** 2 / sxx))
    quantile = student_t.ppf(0.95, n - 2)
    assert fit.fitted_at_deadline == pytest.approx(fitted)
    assert fit.lower == pytest.approx(fitted - quantile * se)
    assert fit.upper == pytest.approx(fitted + quantile * se)
    assert fit.probability_on_time == pytest.approx(student_t.sf((70 - fitted) / se, n - 2))


def test_order_of_observations_does_not_matter():
    shuffled = OBSERVATIONS[:]
    random.Random(3).shuffle(shuffled)
    assert fit_trajectory(shuffled, deadline=DEADLINE, target=70) == fit_trajectory(
        OBSERVATIONS, deadline=DEADLINE, target=70
    )


def test_exactly_linear_data_has_no_interval():
    # 20, 25, 30 at 0, 4, 8 years: slope 1.25 a year, 35 at 12 years, no scatter.
    points = [(START + k * FOUR_YEARS, 20.0 + 5 * k) for k in range(3)]
    fit = fit_trajectory(points, deadline=HAND_DEADLINE, target=35)
    assert (fit.slope_per_year, fit.fitted_at_deadline) == (1.25, 35.0)
    assert fit.lower == fit.upper == 35.0
    assert fit.probability_on_time == 1.0
    assert fit_trajectory(points, deadline=HAND_DEADLINE, target=35.5).probability_on_time == 0.0


def test_two_observations_give_the_line_through_both():
    # 40 then 48 four years later: 2 a year; at 12 years 40 + 24 = 64. No interval or chance.
    points = [(START, 40.0), (START + FOUR_YEARS, 48.0)]
    fit = fit_trajectory(points, deadline=HAND_DEADLINE, target=60)
    assert (fit.slope_per_year, fit.intercept, fit.fitted_at_deadline) == (2.0, 40.0, 64.0)
    assert fit.lower == fit.upper == 64.0
    assert fit.probability_on_time is None
    assert fit.method == "two_point_line"
    assert "two points" in fit.note


def test_one_observation_is_carried_forward():
    fit = fit_trajectory([(START, 40.0)], deadline=HAND_DEADLINE, target=60)
    assert (fit.slope_per_year, fit.fitted_at_deadline, fit.lower, fit.upper) == (0, 40, 40, 40)
    assert fit.probability_on_time is None
    assert fit.method == "single_observation"
    assert "carried forward" in fit.note


def test_bounds_clip_the_interval_and_the_fitted_value():
    # 80, 90, 98 at 0, 4, 8 years climb past 100 by year 12.
    points = [(START, 80.0), (START + FOUR_YEARS, 90.0), (START + 2 * FOUR_YEARS, 98.0)]
    free = fit_trajectory(points, deadline=HAND_DEADLINE, target=95)
    bounded = fit_trajectory(points, deadline=HAND_DEADLINE, target=95, bounds=(0, 100))
    assert free.fitted_at_deadline > 100 and free.upper > 100
    assert bounded.fitted_at_deadline == 100.0
    assert bounded.upper == 100.0
    assert bounded.lower == min(100.0, free.lower)
    # A target inside the bounds: the same probability as unbounded.
    assert bounded.probability_on_time == free.probability_on_time
    # A target beyond the bound cannot be met; one at the lower bound always is.
    unreachable = fit_trajectory(points, deadline=HAND_DEADLINE, target=101, bounds=(0, 100))
    assert unreachable.probability_on_time == 0.0
    certain = fit_trajectory(points, deadline=HAND_DEADLINE, target=0, bounds=(0, 100))
    assert certain.probability_on_time == 1.0
    down = fit_trajectory(
        points, deadline=HAND_DEADLINE, target=100, bounds=(0, 100), direction="decrease"
    )
    assert down.probability_on_time == 1.0


def test_bounds_clip_two_and_one_point_fits():
    # 90 then 98 four years later: 2 a year, 114 at 12 years, clipped to 100.
    points = [(START, 90.0), (START + FOUR_YEARS, 98.0)]
    two = fit_trajectory(points, deadline=HAND_DEADLINE, target=99, bounds=(0, 100))
    assert (two.fitted_at_deadline, two.lower, two.upper) == (100.0, 100.0, 100.0)
    one = fit_trajectory([(START, -3.0)], deadline=HAND_DEADLINE, target=99, bounds=(0, 100))
    assert (one.fitted_at_deadline, one.lower, one.upper) == (0.0, 0.0, 0.0)


@pytest.mark.parametrize(
    ("observations", "kwargs", "error"),
    [
        ([], {}, ValueError),
        ([(START, 1.0), (START, 2.0), (START, 3.0)], {}, ValueError),
        ([(START, 1.0)], {"direction": "sideways"}, ValueError),
        ([(START, 1.0)], {"interval_level": 1.0}, ValueError),
        ([(START, 1.0)], {"interval_level": 0}, ValueError),
        ([(START, 1.0)], {"bounds": (100, 0)}, ValueError),
        ([(START, float("nan"))], {}, ValueError),
        ([("2020-01-01", 1.0)], {}, TypeError),
        ([(START, "1")], {}, TypeError),
    ],
)
def test_invalid_arguments(observations, kwargs, error):
    with pytest.raises(error):
        fit_trajectory(observations, deadline=HAND_DEADLINE, target=1.0, **kwargs)


def test_deadline_must_be_a_date():
    with pytest.raises(TypeError, match="date"):
        fit_trajectory(HAND, deadline="2030-01-01", target=1.0)


def test_datetimes_count_as_their_calendar_day():
    as_datetimes = [(datetime(d.year, d.month, d.day, 17, 30), v) for d, v in HAND]
    assert fit_trajectory(as_datetimes, deadline=HAND_DEADLINE, target=30) == fit_trajectory(
        HAND, deadline=HAND_DEADLINE, target=30
    )
