"""CQC-style ratings from scores of 1 to 4 (method ``cqc_percentage_bands``).

Used for CQC single-assessment-framework style roll-ups and for the expert panel's evaluations of
government commitments. Each statement (or evidence category) is scored:
1 = significant shortfalls, 2 = some shortfalls, 3 = good, 4 = exceptional.

Rules
    * percentage = sum of the scores / (4 x number of scores) x 100. The lowest possible is 25%.
    * The percentage is rounded half up to a whole percent, and that whole percent is banded:

      ==============  =====================
      25% to 38%      Inadequate
      39% to 62%      Requires improvement
      63% to 87%      Good
      88% to 100%     Outstanding ("over 87%")
      ==============  =====================

      So 38.49% is 38% (inadequate) and 38.5% is 39% (requires improvement); 62.5% is 63% (good);
      87.5% is 88% (outstanding). The percentage is computed exactly, so such halves are true
      halves.
    * Position: a rating is in the ``upper`` half of its band when the whole percent is at or
      above the band's midpoint ((low + high) / 2), otherwise ``lower``. The upper halves start at
      32% (inadequate), 51% (requires improvement), 75% (good) and 94% (outstanding).

``percentage`` in the result is unrounded; ``rounded_percentage`` is the whole percent banded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from .rounding import round_half_up_exact

CQC_METHOD = "cqc_percentage_bands"
STATEMENT_SCORES = (1, 2, 3, 4)
MAX_STATEMENT_SCORE = 4
LOWER = "lower"
UPPER = "upper"


class CqcRating(StrEnum):
    INADEQUATE = "inadequate"
    REQUIRES_IMPROVEMENT = "requires_improvement"
    GOOD = "good"
    OUTSTANDING = "outstanding"

    @property
    def label(self) -> str:
        return CQC_RATING_LABELS[self]


CQC_RATING_LABELS = {
    CqcRating.INADEQUATE: "Inadequate",
    CqcRating.REQUIRES_IMPROVEMENT: "Requires improvement",
    CqcRating.GOOD: "Good",
    CqcRating.OUTSTANDING: "Outstanding",
}

#: Each band as (lowest whole percent, highest whole percent, rating), lowest first.
CQC_BANDS: tuple[tuple[int, int, CqcRating], ...] = (
    (25, 38, CqcRating.INADEQUATE),
    (39, 62, CqcRating.REQUIRES_IMPROVEMENT),
    (63, 87, CqcRating.GOOD),
    (88, 100, CqcRating.OUTSTANDING),
)


@dataclass(frozen=True)
class CqcResult:
    percentage: float
    rating: str
    position: str
    total: int
    maximum: int
    method: str = CQC_METHOD

    @property
    def rounded_percentage(self) -> int:
        """The whole percent that was banded (half up)."""
        return int(round_half_up_exact(self.percentage, 0))

    @property
    def rating_label(self) -> str:
        return CqcRating(self.rating).label


def band_for_percentage(whole_percent: int) -> tuple[CqcRating, str]:
    """The rating and position (lower or upper) of a whole percent from 25 to 100."""
    for low, high, rating in CQC_BANDS:
        if low <= whole_percent <= high:
            return rating, UPPER if 2 * whole_percent >= low + high else LOWER
    raise ValueError(f"a CQC percentage must be from 25 to 100, got {whole_percent!r}")


def cqc_rating(scores: Sequence[int]) -> CqcResult:
    """Rate a set of 1-4 scores (rules in the module docstring)."""
    if not scores:
        raise ValueError("a CQC-style rating needs at least one score")
    for score in scores:
        if isinstance(score, bool) or not isinstance(score, int) or score not in STATEMENT_SCORES:
            raise ValueError(f"each score must be a whole number from 1 to 4, got {score!r}")
    total = sum(scores)
    maximum = MAX_STATEMENT_SCORE * len(scores)
    exact = Fraction(total * 100, maximum)
    rating, position = band_for_percentage(int(round_half_up_exact(exact, 0)))
    return CqcResult(
        percentage=float(exact),
        rating=rating.value,
        position=position,
        total=total,
        maximum=maximum,
    )


RULES = {
    CQC_METHOD: (
        "CQC-style rating from scores of 1 to 4",
        "Each statement is scored from 1 (significant shortfalls) to 4 (exceptional). The scores "
        "are added up and shown as a percentage of the maximum possible (4 for each statement). "
        "The percentage is rounded to a whole number, halves rounded up, and banded: 25% to 38% "
        "inadequate, 39% to 62% requires improvement, 63% to 87% good, 88% and over outstanding. "
        "A rating is in the upper half of its band when the percentage is at or above the "
        "middle of the band, otherwise in the lower half.",
    ),
}
