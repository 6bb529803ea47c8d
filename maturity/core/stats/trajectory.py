"""Trajectory of a commitment's metric towards its target, with uncertainty.

Rules (method ``trajectory_ols_t``)
    * Time is measured in years since the earliest observation: days / 365.25.
    * With three or more observations, the value is regressed on time by ordinary least squares
      (slope b in units per year, intercept a = the fitted value at the earliest observation).
      The fitted value at the deadline is y = a + b x t_d. Its prediction interval is
      y +/- t(q, n - 2) x s x sqrt(1 + 1/n + (t_d - mean t)^2 / Sxx), where s^2 is the residual
      sum of squares / (n - 2), Sxx = sum (t - mean t)^2, t(q, n - 2) is the q quantile of
      Student's t with n - 2 degrees of freedom and q = (1 + interval level) / 2 (the default
      level 0.8 gives an 80% interval, from the 10th to the 90th percentile).
    * The probability of meeting the target on time is P(Y >= target) (``increase``) or
      P(Y <= target) (``decrease``) for Y = y + s x sqrt(...) x T with T ~ Student's t(n - 2):
      the same predictive distribution as the interval. When the points lie exactly on a line
      (s = 0) the interval has no width and the probability is 1 or 0.
    * With ``bounds=(low, high)`` (for example (0, 100) for a percentage), the fitted value and
      the interval are clipped to the bounds and the probability is that of the clipped value
      (a target above ``high`` cannot be reached; at or below ``low`` it always is, for an
      increase). Without bounds nothing is clipped.
    * Two observations (``two_point_line``): the straight line through both; no interval
      (lower = upper = the fitted value) and no probability (``None``): two points give no
      estimate of the scatter around the line.
    * One observation (``single_observation``): no trend can be estimated; the value is carried
      forward (slope 0) with no interval and no probability.
    * Observations must span at least two dates when there are two or more of them (a slope
      needs time to pass); the order they are given in does not matter.

Arithmetic for the fit is exact (rational), so exactly linear data give an exact slope and an
interval of no width, and the result does not depend on the order of the observations.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction

from ._checks import choice, finite

TRAJECTORY_METHOD = "trajectory_ols_t"
TWO_POINT_METHOD = "two_point_line"
SINGLE_OBSERVATION_METHOD = "single_observation"

DIRECTIONS: tuple[str, ...] = ("increase", "decrease")
DAYS_PER_YEAR = Fraction(1461, 4)  # 365.25


@dataclass(frozen=True)
class Trajectory:
    slope_per_year: float
    intercept: float
    fitted_at_deadline: float
    lower: float
    upper: float
    probability_on_time: float | None
    n: int
    method: str
    interval_level: float
    note: str = ""


def _day(value: object, what: str) -> date:
    # A datetime counts as its calendar day, so dates and datetimes can be mixed.
    if isinstance(value, datetime):
        return value.date()
    if not isinstance(value, date):
        raise TypeError(f"{what} must be a date, got {value!r}")
    return value


def _years(day: date, origin: date) -> Fraction:
    return Fraction((day - origin).days) / DAYS_PER_YEAR


def _checked_bounds(bounds: tuple[float, float] | None) -> tuple[float, float] | None:
    if bounds is None:
        return None
    if len(bounds) != 2:
        raise ValueError("bounds must be a pair (low, high)")
    low, high = finite(bounds[0], "the lower bound"), finite(bounds[1], "the upper bound")
    if not low < high:
        raise ValueError(f"the lower bound must be below the upper bound, got {bounds!r}")
    return low, high


def _clip(value: float, bounds: tuple[float, float] | None) -> float:
    return value if bounds is None else min(bounds[1], max(bounds[0], value))


def _probability(
    fitted: float,
    scale: float,
    df: int,
    *,
    target: float,
    direction: str,
    bounds: tuple[float, float] | None,
) -> float:
    if bounds is not None:
        low, high = bounds
        # The clipped value can never pass beyond a bound, and always reaches a bound.
        if direction == "increase":
            if target > high:
                return 0.0
            if target <= low:
                return 1.0
        else:
            if target < low:
                return 0.0
            if target >= high:
                return 1.0
    if scale == 0:
        met = fitted >= target if direction == "increase" else fitted <= target
        return 1.0 if met else 0.0
    from scipy.stats import t as student_t  # imported when needed: slow to import

    z = (target - fitted) / scale
    return float(student_t.sf(z, df) if direction == "increase" else student_t.cdf(z, df))


def fit_trajectory(
    observations: Sequence[tuple[date, float]],
    *,
    deadline: date,
    target: float,
    direction: str = "increase",
    interval_level: float = 0.8,
    bounds: tuple[float, float] | None = None,
) -> Trajectory:
    """Fit a straight-line trend and project it to the deadline (rules in the docstring)."""
    choice(direction, "direction", DIRECTIONS)
    deadline = _day(deadline, "the deadline")
    goal = finite(target, "the target")
    level = finite(interval_level, "the interval level")
    if not 0 < level < 1:
        raise ValueError(f"the interval level must be between 0 and 1, got {interval_level!r}")
    limits = _checked_bounds(bounds)
    points: list[tuple[date, Fraction]] = []
    for observation in observations:
        if len(observation) != 2:
            raise TypeError(f"each observation must be (date, value), got {observation!r}")
        day = _day(observation[0], "each observation's date")
        points.append((day, Fraction(finite(observation[1], "each value"))))
    n = len(points)
    if n == 0:
        raise ValueError("a trajectory needs at least one observation")
    origin = min(day for day, _ in points)
    xs = [_years(day, origin) for day, _ in points]
    ys = [value for _, value in points]
    x_deadline = _years(deadline, origin)

    if n == 1:
        value = float(ys[0])
        shown = _clip(value, limits)
        return Trajectory(
            slope_per_year=0.0,
            intercept=value,
            fitted_at_deadline=shown,
            lower=shown,
            upper=shown,
            probability_on_time=None,
            n=1,
            method=SINGLE_OBSERVATION_METHOD,
            interval_level=level,
            note="One observation: no trend can be estimated, so the value is carried forward "
            "with no interval and no probability.",
        )

    x_mean = sum(xs, Fraction(0)) / n
    y_mean = sum(ys, Fraction(0)) / n
    sxx = sum(((x - x_mean) ** 2 for x in xs), Fraction(0))
    if sxx == 0:
        raise ValueError("the observations must span at least two dates to estimate a trend")
    sxy = sum(((x - x_mean) * (y - y_mean) for x, y in zip(xs, ys, strict=True)), Fraction(0))
    slope = sxy / sxx
    intercept = y_mean - slope * x_mean
    fitted = intercept + slope * x_deadline
    shown = _clip(float(fitted), limits)

    if n == 2:
        return Trajectory(
            slope_per_year=float(slope),
            intercept=float(intercept),
            fitted_at_deadline=shown,
            lower=shown,
            upper=shown,
            probability_on_time=None,
            n=2,
            method=TWO_POINT_METHOD,
            interval_level=level,
            note="Two observations: the straight line through both; the scatter around a trend "
            "cannot be estimated from two points, so there is no interval and no probability.",
        )

    syy = sum(((y - y_mean) ** 2 for y in ys), Fraction(0))
    residual = syy - sxy * sxy / sxx  # exact, so never negative
    df = n - 2
    spread = residual / df * (1 + Fraction(1, n) + (x_deadline - x_mean) ** 2 / sxx)
    scale = math.sqrt(spread)
    from scipy.stats import t as student_t

    half_width = float(student_t.ppf((1 + level) / 2, df)) * scale if scale else 0.0
    return Trajectory(
        slope_per_year=float(slope),
        intercept=float(intercept),
        fitted_at_deadline=shown,
        lower=_clip(float(fitted) - half_width, limits),
        upper=_clip(float(fitted) + half_width, limits),
        probability_on_time=_probability(
            float(fitted), scale, df, target=goal, direction=direction, bounds=limits
        ),
        n=n,
        method=TRAJECTORY_METHOD,
        interval_level=level,
        note=f"Straight-line trend fitted to {n} observations; {level * 100:g}% prediction "
        "interval and probability from Student's t distribution.",
    )


RULES = {
    TRAJECTORY_METHOD: (
        "Trajectory towards a target",
        "A straight line is fitted through a commitment's dated observations by least squares, "
        "with time measured in years. The line is extended to the deadline to give the expected "
        "value then, with a prediction interval (80% by default) that allows both for the "
        "scatter of the observations around the line and for the uncertainty in the line itself "
        "(Student's t distribution). The chance of meeting the target on time is the chance, "
        "under the same distribution, that the value at the deadline is at or beyond the target. "
        "With two observations the line through both is shown without an interval or a chance; "
        "with one observation the value is carried forward. When the metric is a percentage, the "
        "expected value and the interval are kept between 0 and 100.",
    ),
}
