"""Reviewer calibration and inter-rater reliability.

Rules
    ``reviewer_calibration``
        A reviewer scores written calibration cases whose reference level we set. Leniency is the
        mean of (the reviewer's level minus the reference level): positive is lenient, negative
        severe. A reviewer is called lenient at a leniency of ``+0.5`` or more, severe at
        ``-0.5`` or less, otherwise in line. Agreement with the references is Cohen's quadratic
        weighted kappa on the levels 1 to 5 (``maturity.core.stats.weighted_kappa``); it is
        not given when undefined (every rating and reference the same level).
    ``double_review_reliability``
        A sample of returns is reviewed blind by two organisations. Each (return, domain) is a
        unit rated by both; Krippendorff's alpha (ordinal, ``maturity.core.stats.
        krippendorff_alpha``) is computed over all units and per pillar. Alpha is not given when
        undefined (no unit has two ratings, or every rating is the same).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from maturity.core.stats import UndefinedStatisticError, krippendorff_alpha, weighted_kappa

CALIBRATION_METHOD = "reviewer_calibration"
RELIABILITY_METHOD = "double_review_reliability"
LEVELS = (1, 2, 3, 4, 5)
#: A mean difference from the references of half a level or more either way.
LENIENCY_TOLERANCE = Fraction(1, 2)

LENIENT = "lenient"
SEVERE = "severe"
IN_LINE = "in_line"
VERDICT_LABELS = {LENIENT: "Lenient", SEVERE: "Severe", IN_LINE: "In line"}


@dataclass(frozen=True)
class CalibrationRating:
    case: str
    reference: int
    given: int


@dataclass(frozen=True)
class ReviewerCalibration:
    cases: int
    leniency: float
    mean_absolute_difference: float
    exact_agreement: float
    kappa: float | None
    kappa_note: str
    verdict: str
    explanation: str


def reviewer_calibration(ratings: Sequence[CalibrationRating]) -> ReviewerCalibration:
    """Leniency, agreement and verdict for one reviewer's calibration scores (rules above)."""
    if not ratings:
        raise ValueError("a reviewer with no calibration scores cannot be calibrated")
    for rating in ratings:
        for level in (rating.reference, rating.given):
            if level not in LEVELS:
                raise ValueError(f"levels must be 1 to 5, got {level!r} in case {rating.case!r}")
    n = len(ratings)
    differences = [r.given - r.reference for r in ratings]
    leniency = Fraction(sum(differences), n)
    mean_abs = Fraction(sum(abs(d) for d in differences), n)
    exact = Fraction(sum(1 for d in differences if d == 0), n)
    try:
        kappa: float | None = weighted_kappa(
            [r.given for r in ratings],
            [r.reference for r in ratings],
            categories=LEVELS,
            weights="quadratic",
        )
        note = ""
    except UndefinedStatisticError:
        kappa = None
        note = "Kappa cannot be computed: every score and reference is the same level."
    if leniency >= LENIENCY_TOLERANCE:
        verdict = LENIENT
    elif leniency <= -LENIENCY_TOLERANCE:
        verdict = SEVERE
    else:
        verdict = IN_LINE
    if leniency == 0:
        average = "on average the same as the reference levels"
    else:
        more = "higher" if leniency > 0 else "lower"
        average = f"on average {abs(float(leniency)):.2f} levels {more} than the reference levels"
    explanation = (
        f"Over {n} calibration {'case' if n == 1 else 'cases'} the reviewer's levels were "
        f"{average}; {float(exact):.0%} matched exactly."
    )
    return ReviewerCalibration(
        cases=n,
        leniency=float(leniency),
        mean_absolute_difference=float(mean_abs),
        exact_agreement=float(exact),
        kappa=kappa,
        kappa_note=note,
        verdict=verdict,
        explanation=explanation,
    )


@dataclass(frozen=True)
class DoubleRating:
    """One unit of the blind double review: a domain of a return, rated by two reviewers."""

    unit: str
    pillar: str
    ratings: tuple[int | None, ...]


@dataclass(frozen=True)
class Reliability:
    alpha: float | None
    #: Units with at least two ratings (the ones that count).
    units: int


@dataclass(frozen=True)
class ReliabilityReport:
    overall: Reliability
    by_pillar: dict[str, Reliability]


def _reliability(units: Sequence[DoubleRating]) -> Reliability:
    ratings = [list(u.ratings) for u in units]
    pairable = sum(1 for r in ratings if sum(v is not None for v in r) >= 2)
    return Reliability(alpha=krippendorff_alpha(ratings, level="ordinal"), units=pairable)


def double_review_reliability(units: Sequence[DoubleRating]) -> ReliabilityReport:
    """Krippendorff's alpha over every unit and per pillar (rules above)."""
    by_pillar: dict[str, list[DoubleRating]] = defaultdict(list)
    for unit in units:
        by_pillar[unit.pillar].append(unit)
    return ReliabilityReport(
        overall=_reliability(units),
        by_pillar={pillar: _reliability(us) for pillar, us in sorted(by_pillar.items())},
    )
