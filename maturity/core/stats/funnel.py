"""Funnel plot control limits for proportions (method ``funnel_binomial_exact``).

A funnel plot shows each organisation's proportion x / n against its denominator n, with control
limits around the target proportion p0 (usually the overall proportion, sum of x / sum of n)
that narrow as n grows. An organisation outside the 95% limits is unusual (about 1 in 20 would
be by chance alone); outside the 99.8% limits, very unusual (about 1 in 500).

Rules (Spiegelhalter, "Funnel plots for comparing institutional performance", Statistics in
Medicine 2005; 24:1185-1202, appendix A.1.1)
    * The number of successes of an organisation performing exactly at the target is
      R ~ Binomial(n, p0); F is its cumulative distribution and f its probability function.
    * The lower limit for tail probability t (0.025 for 95%, 0.001 for 99.8%) is the exact
      binomial quantile interpolated so that the limits are smooth in n:
      r = the smallest count with F(r) >= t, alpha = (F(r) - t) / f(r), and
      lower = (r - alpha) / n, which lies between (r - 1) / n and r / n.
    * The upper limit is the same rule applied to the failures n - R, so that high and low
      proportions are treated alike: r = the smallest count with P(R > r) <= t,
      alpha = (t - P(R > r)) / f(r), and upper = (r + 1 - alpha) / n, between r / n and
      (r + 1) / n. For every n, the upper limit for p0 is 1 minus the lower limit for 1 - p0.
      (The paper's formula (r - alpha) / n applied at the upper quantile 1 - t gives the same r
      and alpha and so a limit exactly 1 / n lower; the mirrored form is the one in
      Spiegelhalter's own funnel plot code. It keeps the chance that an organisation performing
      at the target falls outside either limit at or below t, and it centres the limits for
      p0 = 0.5 on 0.5.)
    * Limits are clipped to [0, 1]. A target of 0 gives a lower limit of 0 and an upper limit
      below 1 / n (any success is then unusual); a target of 1 mirrors that.
    * Position: an organisation is ``below_998`` when x / n is below the lower 99.8% limit,
      otherwise ``below_95`` when below the lower 95% limit; ``above_998`` and ``above_95``
      likewise above the upper limits; otherwise ``within``. On a limit counts as within.

PHE/OHID's Fingertips tools (PHEindicatormethods ``phe_funnels``) draw proportion funnels with a
closed-form Wilson score formula instead, so their limits differ slightly from these exact ones,
most for small n.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ._checks import finite, whole

FUNNEL_METHOD = "funnel_binomial_exact"

#: Tail probability on each side for the 95% and the 99.8% limits.
TAIL_95 = 0.025
TAIL_998 = 0.001

BELOW_998 = "below_998"
BELOW_95 = "below_95"
WITHIN = "within"
ABOVE_95 = "above_95"
ABOVE_998 = "above_998"
POSITIONS: tuple[str, ...] = (BELOW_998, BELOW_95, WITHIN, ABOVE_95, ABOVE_998)


@dataclass(frozen=True)
class FunnelLimits:
    """Control limits (proportions from 0 to 1) around ``p0`` for a denominator ``n``."""

    n: int
    p0: float
    lower95: float
    upper95: float
    lower998: float
    upper998: float
    method: str = FUNNEL_METHOD


def _clip(value: float) -> float:
    return float(min(1.0, max(0.0, value)))


def _interpolation(numerator: float, mass: float) -> float:
    # alpha is in [0, 1) in exact arithmetic; guard against rounding in the distribution functions.
    return float(min(1.0, max(0.0, numerator / mass)))


def _cdf(r: int, n: int, p0: float) -> float:
    """P(R <= r)."""
    from scipy.special import bdtr  # imported when needed: scipy is slow to import

    return 0.0 if r < 0 else float(bdtr(r, n, p0))


def _sf(r: int, n: int, p0: float) -> float:
    """P(R > r)."""
    from scipy.special import bdtrc

    return 1.0 if r < 0 else float(bdtrc(r, n, p0))


def _pmf(r: int, n: int, p0: float) -> float:
    """P(R = r), in log space (scipy's binomial pmf overflows for p0 below about 1e-300)."""
    if p0 in (0.0, 1.0):
        return 1.0 if r == (0 if p0 == 0.0 else n) else 0.0
    log_choose = math.lgamma(n + 1) - math.lgamma(r + 1) - math.lgamma(n - r + 1)
    return math.exp(log_choose + r * math.log(p0) + (n - r) * math.log1p(-p0))


def _smallest_count(n: int, holds: Callable[[int], bool]) -> int:
    """The smallest r in 0..n for which ``holds`` (monotone, true at n) is true: bisection."""
    low, high = 0, n
    while low < high:
        middle = (low + high) // 2
        if holds(middle):
            high = middle
        else:
            low = middle + 1
    return low


def lower_limit(p0: float, n: int, tail: float) -> float:
    """Interpolated lower limit: P(R < limit) is at most ``tail`` (rules in the docstring)."""
    r = _smallest_count(n, lambda k: _cdf(k, n, p0) >= tail)
    alpha = _interpolation(_cdf(r, n, p0) - tail, _pmf(r, n, p0))
    return _clip((r - alpha) / n)


def upper_limit(p0: float, n: int, tail: float) -> float:
    """Interpolated upper limit: P(R > limit) is at most ``tail`` (rules in the docstring)."""
    r = _smallest_count(n, lambda k: _sf(k, n, p0) <= tail)
    alpha = _interpolation(tail - _sf(r, n, p0), _pmf(r, n, p0))
    return _clip((r + 1 - alpha) / n)


def _checked(p0: float, n: int) -> tuple[float, int]:
    target = finite(p0, "the target proportion p0")
    if not 0 <= target <= 1:
        raise ValueError(f"the target proportion p0 must be from 0 to 1, got {p0!r}")
    return target, whole(n, "the denominator n", minimum=1)


def funnel_limits(p0: float, n: int) -> FunnelLimits:
    """95% and 99.8% control limits around ``p0`` (0-1) for denominator ``n`` (at least 1)."""
    target, size = _checked(p0, n)
    return FunnelLimits(
        n=size,
        p0=target,
        lower95=lower_limit(target, size, TAIL_95),
        upper95=upper_limit(target, size, TAIL_95),
        lower998=lower_limit(target, size, TAIL_998),
        upper998=upper_limit(target, size, TAIL_998),
    )


def funnel_curve(p0: float, ns: Sequence[int]) -> list[FunnelLimits]:
    """Limits for each denominator in ``ns``, in the order given (to draw the funnel)."""
    return [funnel_limits(p0, n) for n in ns]


def funnel_position(x: int, n: int, p0: float) -> str:
    """Where the proportion x / n lies against the limits for ``n`` (one of ``POSITIONS``)."""
    limits = funnel_limits(p0, n)
    count = whole(x, "the numerator x", minimum=0)
    if count > limits.n:
        raise ValueError(f"the numerator x ({x}) cannot exceed the denominator n ({n})")
    return position_against(count / limits.n, limits)


def position_against(proportion: float, limits: FunnelLimits) -> str:
    """Where a proportion (0-1) lies against already computed limits."""
    value = finite(proportion, "the proportion")
    if value < limits.lower998:
        return BELOW_998
    if value < limits.lower95:
        return BELOW_95
    if value > limits.upper998:
        return ABOVE_998
    if value > limits.upper95:
        return ABOVE_95
    return WITHIN


RULES = {
    FUNNEL_METHOD: (
        "Funnel plot limits for proportions",
        "Each organisation's proportion is plotted against its number of cases, with limits "
        "around the target proportion (usually the overall proportion) that narrow as the number "
        "of cases grows. The limits are exact binomial limits: the counts an organisation "
        "performing exactly at the target would fall below (or above) with a chance of at most "
        "2.5% for the 95% limits and 0.1% for the 99.8% limits, interpolated between whole counts so that "
        "the lines are smooth (Spiegelhalter 2005). High and low proportions are treated alike. "
        "An organisation outside the 95% limits is unusual, one in 20 would be by chance; outside "
        "the 99.8% limits, very unusual, one in 500. An organisation on a limit counts as within.",
    ),
}
