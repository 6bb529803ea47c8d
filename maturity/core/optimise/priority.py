"""Priority weights and size-scaled costs, from population served and deprivation.

Rules (stated on every scenario page):

``population factor``
    (population / median population) ** ``population_exponent``, the median taken over the
    organisations whose population is known. 0 gives every organisation the same weight; 1
    weights by the number of people served; 0.5 in between. Unknown population: factor 1.
``deprivation factor``
    1 + ``deprivation_weight`` x r, where r is the organisation's percentile rank (0 to 1, ties
    counted half; :func:`maturity.core.stats.percentile_of`) among the known deprivation scores
    (higher score, more deprived). Unknown deprivation: r = 0.5.
``priority weight``
    population factor x deprivation factor.
``cost per level``
    the scenario's cost per level x (population / median population) ** ``size_elasticity``:
    a bigger organisation costs more to lift a level; 0 makes cost independent of size.
    Unknown population: the scenario's cost as set.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from maturity.core.stats import percentile_of


@dataclass(frozen=True)
class Priority:
    weight: float
    population_factor: float
    deprivation_rank: float | None  # 0 to 1; None when unknown
    size_factor: float  # multiplies the cost per level


def _known(values: Sequence[float | None]) -> list[float]:
    return [float(v) for v in values if v is not None and math.isfinite(v) and v > 0]


def priorities(
    populations: Sequence[float | None],
    deprivation: Sequence[float | None],
    *,
    population_exponent: float = 0.0,
    deprivation_weight: float = 0.0,
    size_elasticity: float = 0.0,
) -> list[Priority]:
    """One :class:`Priority` per organisation, in the order given."""
    if len(populations) != len(deprivation):
        raise ValueError("give a population and a deprivation score (or None) for each")
    known_pop = _known(populations)
    median = statistics.median(known_pop) if known_pop else None
    known_dep = [float(d) for d in deprivation if d is not None and math.isfinite(d)]
    out = []
    for population, score in zip(populations, deprivation, strict=True):
        if median and population is not None and math.isfinite(population) and population > 0:
            ratio = float(population) / median
        else:
            ratio = 1.0
        rank = (
            percentile_of(float(score), known_dep) / 100
            if score is not None and math.isfinite(score) and known_dep
            else None
        )
        population_factor = ratio**population_exponent
        weight = population_factor * (1 + deprivation_weight * (0.5 if rank is None else rank))
        out.append(Priority(weight, population_factor, rank, ratio**size_elasticity))
    return out


def scaled_costs(cost_per_level: Mapping[str, float], size_factor: float) -> dict[str, float]:
    return {pillar: float(cost) * size_factor for pillar, cost in cost_per_level.items()}
