"""The "core level of digitisation" as data, and the gaps an organisation has to close to reach it.

NHS England's Frontline Digitisation programme aims for 70% of trusts "at the core level of
digitisation" by March 2026, but our sources do not say how that level is defined. So the
definition is ours, explicit and changeable per funding programme:

    An organisation is at the core level when, for every pillar named in the definition, its
    published pillar score is at least that pillar's threshold.

The default (:data:`DEFAULT_CORE_LEVEL`) asks for 3.0 in *Ensure smart foundations* and in
*Safe practice*: level 3 is the middle of the five WGLL levels, and those two pillars hold the
electronic patient record, infrastructure, cyber security and clinical safety domains that the
programme funds. An organisation that returns for several care settings (an acute trust with
community services) has one published row per setting; by default *every* setting must reach
the thresholds (its score in a pillar is its lowest across settings). ``mean_of_settings`` uses
the mean across settings instead.

Pure Python: no Django.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from maturity.core.vocab import Pillar

EVERY_SETTING = "every_setting"
MEAN_OF_SETTINGS = "mean_of_settings"
COMBINE_RULES: dict[str, str] = {
    EVERY_SETTING: "Every care setting the organisation returns for must reach the thresholds "
    "(its score in a pillar is its lowest across settings)",
    MEAN_OF_SETTINGS: "The mean across the care settings the organisation returns for must reach "
    "the thresholds",
}

# Scores within this of a threshold count as reaching it: published figures carry float noise
# (2.9999999999999996 is a published 3.0).
SCORE_TOLERANCE = 1e-9

#: Smart foundations come first: the other pillars build on the infrastructure, EPR and cyber
#: domains it holds. A scenario can make funding follow this order.
DEPENDS_ON: dict[str, str] = {
    pillar.value: Pillar.SMART_FOUNDATIONS.value
    for pillar in Pillar
    if pillar is not Pillar.SMART_FOUNDATIONS
}


class DefinitionError(ValueError):
    """A core-level definition that cannot be used; ``messages`` says why, one per problem."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = messages
        super().__init__("; ".join(messages))


def definition_problems(thresholds: Mapping[str, float], combine: str) -> list[str]:
    known = {p.value for p in Pillar}
    problems = []
    if not thresholds:
        problems.append("Name at least one pillar and its threshold.")
    for pillar, value in thresholds.items():
        if pillar not in known:
            problems.append(f"{pillar!r} is not a WGLL pillar id.")
        elif not isinstance(value, int | float) or isinstance(value, bool):
            problems.append(f"The threshold for {pillar} must be a number.")
        elif not math.isfinite(value) or not 1 <= value <= 5:
            problems.append(f"The threshold for {pillar} must be from 1 to 5, not {value}.")
    if combine not in COMBINE_RULES:
        problems.append(f"{combine!r} is not a way of combining care settings.")
    return problems


@dataclass(frozen=True)
class CoreLevelDefinition:
    """Pillar id → minimum pillar score (1 to 5), and how care settings are combined."""

    thresholds: Mapping[str, float] = field(default_factory=dict)
    combine: str = EVERY_SETTING

    def __post_init__(self) -> None:
        problems = definition_problems(self.thresholds, self.combine)
        if problems:
            raise DefinitionError(problems)

    @property
    def pillars(self) -> list[str]:
        """The pillars in the definition, in the framework's pillar order."""
        return [p.value for p in Pillar if p.value in self.thresholds]

    def describe(self, labels: Mapping[str, str] | None = None) -> str:
        labels = labels or {}
        parts = [f"{labels.get(p, p)} at least {self.thresholds[p]:g}" for p in self.pillars]
        return " and ".join(parts) + "; " + COMBINE_RULES[self.combine].lower()

    def as_dict(self) -> dict[str, object]:
        return {
            "thresholds": {p: self.thresholds[p] for p in self.pillars},
            "combine": self.combine,
        }


DEFAULT_CORE_LEVEL = CoreLevelDefinition(
    thresholds={Pillar.SMART_FOUNDATIONS.value: 3.0, Pillar.SAFE_PRACTICE.value: 3.0},
    combine=EVERY_SETTING,
)


def combine_settings(
    rows: Iterable[Mapping[str, float]], definition: CoreLevelDefinition
) -> dict[str, float] | None:
    """An organisation's score in each pillar of the definition, from its per-setting pillar
    scores. None when any setting lacks a pillar the definition needs (it cannot be judged)."""
    rows = list(rows)
    if not rows:
        return None
    combined: dict[str, float] = {}
    for pillar in definition.pillars:
        values = [row.get(pillar) for row in rows]
        if any(v is None for v in values):
            return None
        numbers = [float(v) for v in values]
        if definition.combine == EVERY_SETTING:
            combined[pillar] = min(numbers)
        else:
            combined[pillar] = math.fsum(numbers) / len(numbers)
    return combined


def gaps(scores: Mapping[str, float], thresholds: Mapping[str, float]) -> dict[str, float]:
    """Levels short of each threshold (0 where reached). Float noise below the tolerance is 0."""
    out = {}
    for pillar, threshold in thresholds.items():
        gap = float(threshold) - float(scores[pillar])
        out[pillar] = gap if gap > SCORE_TOLERANCE else 0.0
    return out


def at_core_level(scores: Mapping[str, float], thresholds: Mapping[str, float]) -> bool:
    return not any(gaps(scores, thresholds).values())


def precedence_pairs(pillars: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """(before, after) pairs among ``pillars``: smart foundations before each pillar that
    depends on it, where both are in the definition."""
    present = set(pillars)
    return tuple(
        (before, after)
        for after, before in DEPENDS_ON.items()
        if after in present and before in present
    )
