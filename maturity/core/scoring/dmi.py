"""0-100 scoring by lookup tables and answer scales: the 2016 NHS Digital Maturity Index.

In the Digital Maturity Index (NHS England, 2015-17) every answer is mapped to a score from 0 to
100, item scores are averaged into three themes (readiness, capabilities, infrastructure) and the
themes into the index.

Lookup tables (:class:`LookupTable`, method ``dmi_lookup``)
    A table maps a number (usually a percentage) to a score through ordered bands
    (:class:`LookupBand`). A value scores the band whose ``upper`` bound is the first one at or
    above it: it falls in band i when ``previous upper < value <= upper`` (the first band starts at
    the table's ``minimum``, inclusive). A value below the minimum, above the last band's upper
    bound, or not a finite number raises :class:`ValueError`.

    ``NHS_NUMBER_UPTAKE`` (percentage of records with a verified NHS Number), scored
    non-linearly as published: 50% or less -> 0, 51-75% -> 17, 76-80% -> 35, 81-85% -> 52,
    86-90% -> 70, 91-95% -> 87, 96-100% -> 100. The published bands name whole percentages; a
    value between them belongs to the band above the lower whole percent, because the bands are
    the half-open intervals (50, 75], (75, 80] and so on: 50.5% scores 17, 75.2% scores 35,
    95.01% scores 100. Values are not rounded first.

Answer scales (:class:`OrdinalScale`, method ``dmi_scale``)
    A question answered on an ordered scale scores the value listed for the option chosen,
    lowest option first. ``AGREE_SCALE``: strongly disagree 0, disagree 25, neither agree nor
    disagree 50, agree 75, strongly agree 100. ``PERCENTAGE_BANDS``: six ordered percentage bands
    scoring 0, 20, 40, 60, 80, 100 (the band wording belongs to the question). ``STRUCTURE_SCALE``:
    unstructured 0, semi-structured 50, fully structured 100.

Themes and index (methods ``dmi_theme_mean`` and ``dmi_index``)
    A theme score is the mean of its items' 0-100 scores, leaving out items that are not
    applicable (``None``). The index is the mean of the theme scores (each theme counting once),
    or a weighted mean when weights are given. Means are exact. The published 2016 national
    averages as reported by HSJ (readiness 73, capabilities 40, infrastructure 68) give an index
    of 60.3, consistent with the overall average of 60 reported alongside them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from .rounding import exact_mean

LOOKUP_METHOD = "dmi_lookup"
SCALE_METHOD = "dmi_scale"
THEME_METHOD = "dmi_theme_mean"
INDEX_METHOD = "dmi_index"
DMI_MIN = 0
DMI_MAX = 100


def _finite_number(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{what} must be a number, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number, got {value!r}")
    return value


@dataclass(frozen=True)
class LookupBand:
    """A band of a lookup table: values up to and including ``upper`` score ``score``."""

    upper: float
    score: int

    def __post_init__(self) -> None:
        _finite_number(self.upper, "a band's upper bound")
        if isinstance(self.score, bool) or not isinstance(self.score, int):
            raise ValueError(f"a band's score must be a whole number, got {self.score!r}")


@dataclass(frozen=True)
class LookupTable:
    """Ordered bands mapping a value to a score; the domain is ``minimum`` to the last upper."""

    name: str
    bands: tuple[LookupBand, ...]
    minimum: float = 0.0

    def __post_init__(self) -> None:
        bands = tuple(self.bands)
        if not bands:
            raise ValueError(f"lookup table {self.name!r} needs at least one band")
        _finite_number(self.minimum, f"lookup table {self.name!r} minimum")
        previous = self.minimum
        for index, band in enumerate(bands):
            # The first band may be a single point (upper == minimum); later ones must widen.
            if band.upper < previous or (index > 0 and band.upper == previous):
                raise ValueError(
                    f"lookup table {self.name!r}: band upper bounds must rise, and start at or "
                    f"above the minimum {self.minimum}; got {band.upper} after {previous}"
                )
            previous = band.upper
        object.__setattr__(self, "bands", bands)

    @property
    def maximum(self) -> float:
        return self.bands[-1].upper


def lookup(table: LookupTable, value: float) -> int:
    """The score of ``value`` in ``table`` (rules in the module docstring)."""
    value = _finite_number(value, f"the value for {table.name!r}")
    if value < table.minimum or value > table.maximum:
        raise ValueError(
            f"{value} is outside the range of {table.name!r} ({table.minimum} to {table.maximum})"
        )
    for band in table.bands:
        if value <= band.upper:
            return band.score
    raise AssertionError("unreachable: value is within the table's range")


NHS_NUMBER_UPTAKE = LookupTable(
    name="nhs_number_uptake",
    bands=(
        LookupBand(upper=50, score=0),
        LookupBand(upper=75, score=17),
        LookupBand(upper=80, score=35),
        LookupBand(upper=85, score=52),
        LookupBand(upper=90, score=70),
        LookupBand(upper=95, score=87),
        LookupBand(upper=100, score=100),
    ),
)


@dataclass(frozen=True)
class OrdinalScale:
    """An ordered answer scale: option i (0 = lowest) scores ``scores[i]``; labels optional."""

    name: str
    scores: tuple[int, ...]
    labels: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        scores = tuple(self.scores)
        if not scores:
            raise ValueError(f"scale {self.name!r} needs at least one option")
        for score in scores:
            if isinstance(score, bool) or not isinstance(score, int):
                raise ValueError(f"scale {self.name!r}: scores must be whole numbers")
        if any(b < a for a, b in zip(scores, scores[1:], strict=False)):
            raise ValueError(
                f"scale {self.name!r}: scores must not fall from one option to the next"
            )
        object.__setattr__(self, "scores", scores)
        if self.labels is not None:
            labels = tuple(self.labels)
            if len(labels) != len(scores):
                raise ValueError(f"scale {self.name!r}: one label is needed for each option")
            object.__setattr__(self, "labels", labels)

    def score(self, option: int | str) -> int:
        """The score of an option, given as its position (0 = lowest) or its label."""
        if isinstance(option, str):
            if self.labels is None or option not in self.labels:
                raise ValueError(f"scale {self.name!r} has no option labelled {option!r}")
            return self.scores[self.labels.index(option)]
        if isinstance(option, bool) or not isinstance(option, int):
            raise ValueError(f"an option is a position or a label, got {option!r}")
        if not 0 <= option < len(self.scores):
            raise ValueError(
                f"scale {self.name!r} has options 0 to {len(self.scores) - 1}, got {option}"
            )
        return self.scores[option]


AGREE_SCALE = OrdinalScale(
    name="agree_scale",
    scores=(0, 25, 50, 75, 100),
    labels=(
        "Strongly disagree",
        "Disagree",
        "Neither agree nor disagree",
        "Agree",
        "Strongly agree",
    ),
)
PERCENTAGE_BANDS = OrdinalScale(name="percentage_bands", scores=(0, 20, 40, 60, 80, 100))
STRUCTURE_SCALE = OrdinalScale(
    name="structure_scale",
    scores=(0, 50, 100),
    labels=("Unstructured", "Semi-structured", "Fully structured"),
)


def _item_score(value: object, what: str) -> float:
    number = _finite_number(value, what)
    if not DMI_MIN <= number <= DMI_MAX:
        raise ValueError(f"{what} must be from 0 to 100, got {number!r}")
    return number


def dmi_theme_score(item_scores: Sequence[float | None]) -> float:
    """Mean of a theme's 0-100 item scores, leaving out not-applicable items (``None``)."""
    scored = [
        _item_score(score, f"item score {index + 1}")
        for index, score in enumerate(item_scores)
        if score is not None
    ]
    if not scored:
        raise ValueError("a theme score needs at least one applicable item score")
    return float(exact_mean(scored))


def dmi_index(
    theme_scores: Mapping[str, float] | Sequence[float],
    *,
    weights: Mapping[str, float] | None = None,
) -> float:
    """Mean of the 0-100 theme scores, or their weighted mean when ``weights`` are given."""
    if isinstance(theme_scores, Mapping):
        named = {
            theme: _item_score(s, f"theme score {theme!r}") for theme, s in theme_scores.items()
        }
    else:
        if weights is not None:
            raise ValueError("weights need theme scores given by theme name")
        named = {str(i): _item_score(s, f"theme score {i + 1}") for i, s in enumerate(theme_scores)}
    if not named:
        raise ValueError("an index needs at least one theme score")
    if weights is None:
        return float(exact_mean(named.values()))
    missing = sorted(set(named) - set(weights))
    if missing:
        raise ValueError(f"no weight given for theme(s): {', '.join(missing)}")
    exact_weights = {}
    for theme in named:
        weight = _finite_number(weights[theme], f"the weight of {theme!r}")
        if weight < 0:
            raise ValueError(f"the weight of {theme!r} must be zero or more, got {weight!r}")
        exact_weights[theme] = Fraction(weight)
    total = sum(exact_weights.values(), Fraction(0))
    if total == 0:
        raise ValueError("the weights of the themes given must not all be zero")
    value = sum((exact_weights[t] * Fraction(named[t]) for t in named), Fraction(0)) / total
    return float(value)


RULES = {
    LOOKUP_METHOD: (
        "Lookup table to a 0-100 score (Digital Maturity Index)",
        "A figure such as a percentage is scored by the band it falls in, each band covering the "
        "values above the previous band's upper limit up to and including its own. NHS Number "
        "uptake scores 0 at 50% or less, 17 up to 75%, 35 up to 80%, 52 up to 85%, 70 up to 90%, "
        "87 up to 95% and 100 above that; so 50.5% scores 17. Figures outside the table, such as "
        "a percentage below 0 or above 100, are refused.",
    ),
    SCALE_METHOD: (
        "Answer scale to a 0-100 score (Digital Maturity Index)",
        "An answer on an ordered scale scores the value set for the option chosen: strongly "
        "disagree 0, disagree 25, neither 50, agree 75, strongly agree 100; six percentage bands "
        "0, 20, 40, 60, 80, 100; unstructured 0, semi-structured 50, fully structured 100.",
    ),
    THEME_METHOD: (
        "Digital Maturity Index theme score",
        "A theme's score (readiness, capabilities or infrastructure) is the mean of its items' "
        "scores from 0 to 100, leaving out items that do not apply.",
    ),
    INDEX_METHOD: (
        "Digital Maturity Index",
        "The index is the mean of the theme scores, each theme counting once, or a weighted mean "
        "where the model sets weights for its themes.",
    ),
}
