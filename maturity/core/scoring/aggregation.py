"""Aggregating member scores into a system (ICS/ICB), region or nation figure.

The choice of aggregation changes rankings, so it is always named and recorded with the figure
(:class:`Aggregate` carries the method, the number of members and a plain-English description).
Each member is one return's score (:class:`MemberScore`): an organisation, its care setting, the
score, and optionally the population it serves.

``plain_mean``
    The mean of the members' scores; every member counts once. (The ICS score NHS England
    published in 2023 was the plain mean of its providers.)

``population_weighted``
    The mean of the members' scores weighted by the population each serves:
    sum(score x population) / sum(population). Every member must have a population greater than
    zero, otherwise :class:`ValueError` names the members without one.

``care_setting_standardised``
    The mean score of each care setting present, combined with the weights of a standard mix
    (for example the national share of returns in each setting), renormalised over the settings
    present: sum(w_s x mean_s) / sum(w_s) over the settings s among the members. This removes the
    effect of one system having, say, more mental health trusts than another. Every setting
    present must have a weight in the mix (weights are non-negative; a zero weight leaves that
    setting out) and the weights of the settings present must not all be zero.

With no members, every method gives ``value=None`` and ``n=0``. Arithmetic is exact (rational),
so the order of members never changes the value and identical scores aggregate to that score.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction

from .rounding import exact_mean


class AggregationMethod(StrEnum):
    PLAIN_MEAN = "plain_mean"
    POPULATION_WEIGHTED = "population_weighted"
    CARE_SETTING_STANDARDISED = "care_setting_standardised"

    @property
    def title(self) -> str:
        return RULES[self.value][0]


@dataclass(frozen=True)
class MemberScore:
    """One member's score: an organisation (ODS code or id), its care setting, its score."""

    organisation: str
    care_setting: str
    score: float
    population: float | None = None

    def __post_init__(self) -> None:
        if isinstance(self.score, bool) or not isinstance(self.score, int | float):
            raise TypeError(f"{self.organisation}: score must be a number, got {self.score!r}")
        if not math.isfinite(self.score):
            raise ValueError(f"{self.organisation}: score must be finite, got {self.score!r}")


@dataclass(frozen=True)
class Aggregate:
    """An aggregated figure, with the method that made it and a sentence saying how."""

    value: float | None
    method: str
    n: int
    description: str
    #: The renormalised weight of each care setting (standardised method only).
    weights: dict[str, float] = field(default_factory=dict)


def aggregate(
    members: Sequence[MemberScore],
    method: AggregationMethod,
    *,
    standard_mix: Mapping[str, float] | None = None,
) -> Aggregate:
    """Aggregate member scores by the named method (rules in the module docstring)."""
    method = AggregationMethod(method)
    n = len(members)
    if method is AggregationMethod.CARE_SETTING_STANDARDISED and standard_mix is None:
        raise ValueError("the care-setting-standardised method needs a standard_mix")
    if n == 0:
        return Aggregate(
            value=None, method=method.value, n=0, description="No organisations to aggregate."
        )
    if method is AggregationMethod.PLAIN_MEAN:
        value = exact_mean(m.score for m in members)
        return Aggregate(
            value=float(value),
            method=method.value,
            n=n,
            description=f"Plain mean of the scores of {_count(n)}, each counting once.",
        )
    if method is AggregationMethod.POPULATION_WEIGHTED:
        return _population_weighted(members)
    assert standard_mix is not None
    return _standardised(members, standard_mix)


def _population_weighted(members: Sequence[MemberScore]) -> Aggregate:
    bad = [
        m.organisation
        for m in members
        if m.population is None
        or isinstance(m.population, bool)
        or not isinstance(m.population, int | float)
        or not math.isfinite(m.population)
        or m.population <= 0
    ]
    if bad:
        raise ValueError(
            "population-weighted aggregation needs a population greater than zero for every "
            f"organisation; missing or not positive for: {', '.join(bad)}"
        )
    populations = [Fraction(m.population or 0) for m in members]
    total = sum(populations, Fraction(0))
    weighted = sum(
        (Fraction(m.score) * p for m, p in zip(members, populations, strict=True)), Fraction(0)
    )
    return Aggregate(
        value=float(weighted / total),
        method=AggregationMethod.POPULATION_WEIGHTED.value,
        n=len(members),
        description=(
            f"Mean of the scores of {_count(len(members))}, each weighted by the population it "
            f"serves (total population {_number(float(total))})."
        ),
    )


def _standardised(members: Sequence[MemberScore], standard_mix: Mapping[str, float]) -> Aggregate:
    by_setting: dict[str, list[float]] = {}
    for m in members:
        by_setting.setdefault(m.care_setting, []).append(m.score)

    missing = sorted(s for s in by_setting if s not in standard_mix)
    if missing:
        raise ValueError(
            f"the standard mix has no weight for care setting(s) present: {', '.join(missing)}"
        )
    weights: dict[str, Fraction] = {}
    for setting in sorted(by_setting):
        weight = standard_mix[setting]
        if (
            isinstance(weight, bool)
            or not isinstance(weight, int | float)
            or not math.isfinite(weight)
            or weight < 0
        ):
            raise ValueError(
                f"the standard mix weight for {setting!r} must be a number of zero or more, "
                f"got {weight!r}"
            )
        weights[setting] = Fraction(weight)
    total = sum(weights.values(), Fraction(0))
    if total == 0:
        raise ValueError(
            "the standard mix gives zero weight to every care setting present: "
            + ", ".join(sorted(by_setting))
        )
    means = {setting: exact_mean(scores) for setting, scores in by_setting.items()}
    value = sum((weights[s] / total * means[s] for s in weights), Fraction(0))
    renormalised = {s: float(w / total) for s, w in weights.items()}
    parts = ", ".join(
        f"{s} ({_count(len(by_setting[s]))}, weight {renormalised[s]:.3f})" for s in weights
    )
    return Aggregate(
        value=float(value),
        method=AggregationMethod.CARE_SETTING_STANDARDISED.value,
        n=len(members),
        description=(
            f"Mean score of each care setting present, weighted by the standard mix renormalised "
            f"over those settings: {parts}."
        ),
        weights=renormalised,
    )


def standard_mix_from_counts(counts: Mapping[str, float]) -> dict[str, float]:
    """A standard mix as shares of a total, e.g. from the national number of returns per setting."""
    values = dict(counts)
    for setting, count in values.items():
        if isinstance(count, bool) or not isinstance(count, int | float) or count < 0:
            raise ValueError(f"count for {setting!r} must be zero or more, got {count!r}")
    total = sum(Fraction(c) for c in values.values())
    if total == 0:
        raise ValueError("a standard mix needs at least one non-zero count")
    return {setting: float(Fraction(c) / total) for setting, c in values.items()}


def _count(n: int) -> str:
    return "1 organisation" if n == 1 else f"{n} organisations"


def _number(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,}"


RULES = {
    AggregationMethod.PLAIN_MEAN.value: (
        "Plain mean of organisations",
        "The figure for a system, region or nation is the mean of its organisations' scores, "
        "each organisation counting once whatever its size or care setting.",
    ),
    AggregationMethod.POPULATION_WEIGHTED.value: (
        "Mean weighted by population served",
        "Each organisation's score counts in proportion to the population it serves: the sum of "
        "score times population, divided by the total population. Every organisation must have "
        "a population greater than zero.",
    ),
    AggregationMethod.CARE_SETTING_STANDARDISED.value: (
        "Mean standardised for the mix of care settings",
        "First the mean score of the organisations in each care setting (acute, mental health, "
        "community and so on) is taken. These setting means are then combined with fixed weights "
        "from a standard mix, such as the national share of returns in each setting, rescaled to "
        "add up to one over the settings the group has. Groups with different mixes of care "
        "settings can then be compared fairly.",
    ),
}
