"""Phase models in the style of the WHO Global Digital Health Monitor (method ``gdhm_phase``).

Each indicator (:class:`PhaseIndicator`) belongs to a category and is answered with a phase from
1 to 5, or ``None`` when it is not applicable.

Rules (as the GDHM's published code applies them)
    * A category's score is the mean of its indicators' phases, leaving out not-applicable
      indicators. A category whose indicators are all not applicable has no score (``None``).
    * The overall score is the mean of the category scores (each category counting once, however
      many indicators it has), leaving out categories with no score. With no scored category
      there is no overall score and no phase.
    * A score is displayed rounded half to even to one decimal place, and its phase is the
      ceiling of that displayed figure, with 0 becoming phase 1. So 2.25 is shown as 2.2 and is
      phase 3; 3.0 is phase 3; 2.05 is shown as 2.0 and is phase 2; 2.01 is shown as 2.0 and is
      phase 2; 2.06 is shown as 2.1 and is phase 3.
    * Means are exact rational numbers, so a tie such as 2.25 or 2.15 is a true tie. (The GDHM's
      Java code reads binary doubles, where a mean of 2.15 is stored a little below 2.15 and
      would be shown as 2.1; here it is shown as 2.2, the half-even rounding of 2.15.)

``category_scores`` and ``overall`` are unrounded; ``overall_display`` and ``category_display``
give the figures as shown.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from .rounding import Number, exact_mean, round_half_even_exact

PHASE_METHOD = "gdhm_phase"
PHASES = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class PhaseIndicator:
    """An indicator's answer: its id, its category and its phase 1-5 (``None``: not applicable)."""

    id: str
    category: str
    phase: int | None

    def __post_init__(self) -> None:
        if self.phase is not None and (
            isinstance(self.phase, bool)
            or not isinstance(self.phase, int)
            or self.phase not in PHASES
        ):
            raise ValueError(
                f"indicator {self.id!r}: phase must be 1-5 or None (not applicable), "
                f"got {self.phase!r}"
            )


@dataclass(frozen=True)
class PhaseResult:
    category_scores: dict[str, float | None]
    overall: float | None
    phase: int | None
    category_phases: dict[str, int | None]
    method: str = PHASE_METHOD

    @property
    def overall_display(self) -> float | None:
        """The overall score as displayed: half to even, one decimal place."""
        return None if self.overall is None else float(round_half_even_exact(self.overall, 1))

    @property
    def category_display(self) -> dict[str, float | None]:
        """Each category score as displayed: half to even, one decimal place."""
        return {
            c: None if s is None else float(round_half_even_exact(s, 1))
            for c, s in self.category_scores.items()
        }


def phase_from_score(score: Number) -> int:
    """The phase of a score: round half to even to 1 dp, take the ceiling, 0 becomes 1."""
    shown = round_half_even_exact(score, 1)
    if shown < 0:
        raise ValueError(f"a phase score cannot be negative, got {score!r}")
    return max(1, math.ceil(shown))


def gdhm_phase(indicators: Sequence[PhaseIndicator]) -> PhaseResult:
    """Category scores, overall score and phases (rules in the module docstring)."""
    seen: set[str] = set()
    by_category: dict[str, list[int]] = {}
    for indicator in indicators:
        if indicator.id in seen:
            raise ValueError(f"indicator {indicator.id!r} is listed twice")
        seen.add(indicator.id)
        phases = by_category.setdefault(indicator.category, [])
        if indicator.phase is not None:
            phases.append(indicator.phase)

    exact: dict[str, Fraction | None] = {
        category: exact_mean(phases) if phases else None for category, phases in by_category.items()
    }
    scored = [score for score in exact.values() if score is not None]
    overall = exact_mean(scored) if scored else None

    return PhaseResult(
        category_scores={c: None if s is None else float(s) for c, s in exact.items()},
        overall=None if overall is None else float(overall),
        # Phases come from the exact means, not from the float copies.
        phase=None if overall is None else phase_from_score(overall),
        category_phases={c: None if s is None else phase_from_score(s) for c, s in exact.items()},
    )


RULES = {
    PHASE_METHOD: (
        "Phase model (WHO Global Digital Health Monitor)",
        "Each indicator is rated in phase 1 to 5 or not applicable. A category's score is the "
        "mean of its applicable indicators; the overall score is the mean of the category "
        "scores. A score is shown rounded to one decimal place, halves going to the even figure "
        "(2.25 is shown as 2.2), and its phase is that figure rounded up to a whole number "
        "(2.2 is phase 3, 3.0 is phase 3), with 0 counting as phase 1.",
    ),
}
