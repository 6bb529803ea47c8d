"""Deciles, percentile ranks, group summaries and robust z-scores.

Rules
    ``deciles_linear``
        The 10th, 20th, ... 90th centiles of a group's values, as OpenPrescribing draws them:
        the values are sorted and the centile c sits at position h = (n - 1) x c / 100
        (counting from 0); between two values it is interpolated linearly,
        x[floor(h)] + (h - floor(h)) x (x[floor(h) + 1] - x[floor(h)]). This is numpy's
        ``percentile(method="linear")``, Excel's PERCENTILE.INC, PostgreSQL's
        ``percentile_cont`` and Hyndman and Fan's type 7. With one value every centile is that
        value; with no values there are no centiles (``ValueError``).
    ``percentile_rank_mean``
        The percentile rank of a value within a group: the percentage of the group below it
        plus half the percentage equal to it, 100 x (below + equal / 2) / n. So the lowest of
        four distinct values is at 12.5, the highest at 87.5, and a value equal to every member
        at 50. It is scipy's ``percentileofscore(kind="mean")``. The value itself need not be a
        member of the group.
    ``group_summary``
        n, mean, median, minimum, maximum and deciles of a group. The median is the 50th centile
        of the rule above; the mean is computed with compensated summation (``math.fsum``).
    ``robust_z_mad``
        How unusual each value is within its group, robust to the outliers it is meant to find:
        z = (x - median) / (1.4826 x MAD), where MAD is the median absolute deviation from the
        median. 1.4826 makes 1.4826 x MAD estimate the standard deviation of normal data. When
        more than half the values are equal the MAD is 0; the scale then falls back to
        1.253314 x the mean absolute deviation from the median (1.253314 = sqrt(pi / 2) makes it
        estimate the standard deviation of normal data), as IBM SPSS and Iglewicz and Hoaglin's
        modified z-score do. When every value is equal both are 0 and every z is 0.0.
        Shifting all the values, or multiplying them by a positive number, leaves the z-scores
        unchanged.

Inputs must be finite numbers (``TypeError`` for non-numbers and booleans, ``ValueError`` for
NaN and infinities).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ._checks import finite, finite_list

#: The centiles a benchmark shows: 10th to 90th in steps of 10 (the 50th is the median).
CENTILES: tuple[int, ...] = (10, 20, 30, 40, 50, 60, 70, 80, 90)

#: 1 / (the 75th centile of the standard normal): 1.4826 x MAD estimates a normal SD.
MAD_SCALE = 1.4826
#: sqrt(pi / 2): 1.253314 x the mean absolute deviation estimates a normal SD.
MEAN_AD_SCALE = 1.253314

DECILES_METHOD = "deciles_linear"
PERCENTILE_METHOD = "percentile_rank_mean"
SUMMARY_METHOD = "group_summary"
ROBUST_Z_METHOD = "robust_z_mad"


def deciles(values: Sequence[float]) -> dict[int, float]:
    """The 10th to 90th centiles by linear interpolation; ``ValueError`` for no values."""
    return centiles(values, CENTILES)


def centiles(values: Sequence[float], which: Sequence[int | float]) -> dict[int | float, float]:
    """Any centiles (0 to 100) by the same linear interpolation as :func:`deciles`."""
    numbers = finite_list(values)
    if not numbers:
        raise ValueError("the centiles of no values are undefined")
    wanted = [finite(c, "centile") for c in which]
    if any(not 0 <= c <= 100 for c in wanted):
        raise ValueError(f"centiles must be from 0 to 100, got {list(which)!r}")
    found = np.percentile(np.asarray(numbers, dtype=float), wanted, method="linear")
    return {c: float(v) for c, v in zip(which, found, strict=True)}


def percentile_of(value: float, values: Sequence[float]) -> float:
    """Percentile rank (0-100) of ``value`` in ``values``, ties counted half."""
    target = finite(value)
    numbers = finite_list(values)
    if not numbers:
        raise ValueError("a percentile rank within no values is undefined")
    below = sum(1 for v in numbers if v < target)
    equal = sum(1 for v in numbers if v == target)
    # 50 x (2 x below + equal) / n keeps ties exact: equal counts half.
    return 50.0 * (2 * below + equal) / len(numbers)


@dataclass(frozen=True)
class GroupSummary:
    n: int
    mean: float
    median: float
    minimum: float
    maximum: float
    deciles: dict[int, float]
    method: str = SUMMARY_METHOD


def summarise(values: Sequence[float]) -> GroupSummary:
    """n, mean, median, minimum, maximum and deciles; ``ValueError`` for no values."""
    numbers = finite_list(values)
    if not numbers:
        raise ValueError("a summary of no values is undefined")
    found = deciles(numbers)
    return GroupSummary(
        n=len(numbers),
        mean=math.fsum(numbers) / len(numbers),
        median=found[50],
        minimum=min(numbers),
        maximum=max(numbers),
        deciles=found,
    )


def robust_z(values: Sequence[float]) -> list[float]:
    """Robust z-score of each value (rules in the module docstring); ``[]`` for no values."""
    numbers = finite_list(values)
    if not numbers:
        return []
    centre = statistics.median(numbers)
    deviations = [abs(v - centre) for v in numbers]
    scale = MAD_SCALE * statistics.median(deviations)
    if scale == 0:
        scale = MEAN_AD_SCALE * math.fsum(deviations) / len(deviations)
    if scale == 0:
        return [0.0] * len(numbers)
    return [(v - centre) / scale for v in numbers]


RULES = {
    DECILES_METHOD: (
        "Deciles",
        "The organisations in a peer group are put in order and the values a tenth, two tenths, "
        "and so on up to nine tenths of the way along are shown (the middle one is the median). "
        "Between two organisations the value is interpolated in a straight line, as "
        "OpenPrescribing draws its deciles.",
    ),
    PERCENTILE_METHOD: (
        "Percentile of a return",
        "The percentage of the peer group scoring below the return, counting those with the same "
        "score as half below and half above. A return in the middle of its group is at about 50.",
    ),
    SUMMARY_METHOD: (
        "Group summary",
        "For each peer group: the number of returns, the mean, the median (the 50th percentile), "
        "the lowest and highest values and the deciles.",
    ),
    ROBUST_Z_METHOD: (
        "Robust z-score",
        "How unusual a value is within its group: its distance from the group's median divided "
        "by a spread that a few extreme values cannot inflate, 1.4826 times the median absolute "
        "distance from the median (on normally distributed data this equals the standard "
        "deviation). When more than half the values are identical that spread is zero, and "
        "1.2533 times the mean absolute distance from the median is used instead.",
    ),
}
