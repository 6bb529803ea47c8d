"""Benchmark computations in bulk: pure Python and numpy over plain rows, no Django.

The service loads every row of a data set (one organisation's scores in one care setting) with a
handful of queries, then this module computes, for the whole data set at once:

* each peer group's summary (n, mean, median, deciles) for every measure, with
  :func:`maturity.core.stats.summarise`;
* each row's percentile rank within each of its groups: the rule of
  :func:`maturity.core.stats.percentile_of` (``percentile_rank_mean``), applied to a whole group
  at once with sorted arrays (:func:`percentile_ranks`; the tests check it against
  ``percentile_of`` value by value);
* area (ICB, region, nation) aggregates under each named method with
  :func:`maturity.core.scoring.aggregate`, and each area's rank under each method;
* funnel-plot limits for the proportion of organisations at or above a level, with
  :func:`maturity.core.stats.funnel_curve` and :func:`maturity.core.stats.position_against`;
* "learn from" suggestions: similar organisations that are stronger in a row's weakest pillar.

Groups of fewer than :data:`SUPPRESSION_THRESHOLD` rows are summarised (their n is known) but a
row's percentile within such a group is not computed, and areas that small are not ranked.
"""

from __future__ import annotations

import bisect
import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from maturity.core.scoring import AggregationMethod, MemberScore, aggregate
from maturity.core.scoring.aggregation import standard_mix_from_counts
from maturity.core.stats import (
    SUPPRESSION_THRESHOLD,
    FunnelLimits,
    GroupSummary,
    centiles,
    funnel_curve,
    is_suppressed,
    position_against,
    summarise,
)

#: A score at or above a level counts as reaching it; the tolerance absorbs floating-point noise
#: in published means (2.9999999999999996 is level 3), far below any real difference of 1/n.
LEVEL_TOLERANCE = 1e-9

KIND_SCORE = "score"
KIND_LEVEL = "level"
KIND_PERCENTAGE = "percentage"
KIND_YES_NO = "yes_no"
KIND_COUNT = "count"
KIND_CHANGE = "change"

METHODS: tuple[AggregationMethod, ...] = (
    AggregationMethod.PLAIN_MEAN,
    AggregationMethod.POPULATION_WEIGHTED,
    AggregationMethod.CARE_SETTING_STANDARDISED,
)


@dataclass(frozen=True)
class BenchRow:
    """One organisation's figures in one care setting, with the groups and areas it belongs to."""

    organisation: str
    care_setting: str
    values: Mapping[str, float]
    #: Peer group kind → group key (a kind the row is not grouped by is absent).
    groups: Mapping[str, str] = field(default_factory=dict)
    #: Whether the row counts in area aggregates and funnels (providers do; an ICB's own
    #: return is the system's, not a member of it).
    member: bool = True
    population: float | None = None
    #: Area kind (e.g. "icb:current") → area code.
    areas: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class GroupResult:
    measure: str
    group_kind: str
    group_key: str
    n: int
    summary: GroupSummary
    #: Counts that go with the measure's kind: yes answers, or rows improved/declined/unchanged.
    extra: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class GroupOutput:
    groups: list[GroupResult]
    #: Per row (in input order): group kind → measure → percentile rank (0-100).
    percentiles: list[dict[str, dict[str, float]]]


def percentile_ranks(values: np.ndarray) -> np.ndarray:
    """Each value's percentile rank within ``values``: 50 x (below + at or below) / n.

    The ``percentile_rank_mean`` rule of :func:`maturity.core.stats.percentile_of` (the percentage
    below plus half the percentage equal), for a whole group at once: with the values sorted,
    ``searchsorted`` gives the number below (left) and at or below (right) each value, and
    2 x below + equal = below + at-or-below.
    """
    ordered = np.sort(values)
    below = np.searchsorted(ordered, values, side="left")
    upto = np.searchsorted(ordered, values, side="right")
    return 50.0 * (below + upto).astype(np.float64) / len(values)


def value_matrix(rows: Sequence[BenchRow], measures: Sequence[str]) -> np.ndarray:
    """Rows x measures, NaN where a row has no value for a measure."""
    column = {m: j for j, m in enumerate(measures)}
    matrix = np.full((len(rows), len(measures)), np.nan)
    for i, row in enumerate(rows):
        for measure, value in row.values.items():
            j = column.get(measure)
            if j is not None and value is not None:
                matrix[i, j] = value
    return matrix


def _extra(kind: str, values: np.ndarray) -> dict[str, int]:
    if kind == KIND_LEVEL:
        levels = np.rint(values).astype(int)
        return {f"level_{level}": int(np.count_nonzero(levels == level)) for level in range(1, 6)}
    if kind == KIND_YES_NO:
        return {
            "yes": int(np.count_nonzero(values >= 0.5)),
            "no": int(np.count_nonzero(values < 0.5)),
        }
    if kind == KIND_CHANGE:
        return {
            "improved": int(np.count_nonzero(values > LEVEL_TOLERANCE)),
            "declined": int(np.count_nonzero(values < -LEVEL_TOLERANCE)),
            "unchanged": int(np.count_nonzero(np.abs(values) <= LEVEL_TOLERANCE)),
        }
    return {}


def group_statistics(
    rows: Sequence[BenchRow],
    measures: Mapping[str, str],
    group_kinds: Sequence[str],
    *,
    threshold: int = SUPPRESSION_THRESHOLD,
    kinds_for: Mapping[str, Sequence[str]] | None = None,
) -> GroupOutput:
    """Summaries of every (measure, group) and every row's percentile in each of its groups.

    ``measures`` maps each measure to its kind (score, level, percentage, yes_no, count, change).
    ``kinds_for`` may limit a measure kind to some group kinds (by default every measure is
    summarised in every group kind).
    """
    names = list(measures)
    matrix = value_matrix(rows, names)
    results: list[GroupResult] = []
    ranks: dict[str, np.ndarray] = {}
    for kind in group_kinds:
        keys = np.array([row.groups.get(kind, "") for row in rows], dtype=object)
        rank = np.full(matrix.shape, np.nan)
        ranks[kind] = rank
        if not len(rows):
            continue
        uniques, inverse = np.unique(keys.astype(str), return_inverse=True)
        order = np.argsort(inverse, kind="stable")
        bounds = np.cumsum(np.bincount(inverse, minlength=len(uniques)))
        start = 0
        for g, key in enumerate(uniques):
            members = order[start : bounds[g]]
            start = bounds[g]
            if key == "":
                continue
            block = matrix[members]
            for j, measure in enumerate(names):
                if kinds_for is not None and kind not in kinds_for.get(
                    measures[measure], group_kinds
                ):
                    continue
                column = block[:, j]
                present = ~np.isnan(column)
                n = int(np.count_nonzero(present))
                if n == 0:
                    continue
                values = column[present]
                results.append(
                    GroupResult(
                        measure=measure,
                        group_kind=kind,
                        group_key=str(key),
                        n=n,
                        summary=summarise(values.tolist()),
                        extra=_extra(measures[measure], values),
                    )
                )
                if not is_suppressed(n, threshold=threshold):
                    rank[members[present], j] = percentile_ranks(values)
    percentiles: list[dict[str, dict[str, float]]] = [{} for _ in rows]
    for kind, rank in ranks.items():
        rows_with, cols_with = np.nonzero(~np.isnan(rank))
        for i, j in zip(rows_with.tolist(), cols_with.tolist(), strict=True):
            percentiles[i].setdefault(kind, {})[names[j]] = float(rank[i, j])
    return GroupOutput(groups=results, percentiles=percentiles)


# --- Bands ---------------------------------------------------------------------------------------


def third_cutpoints(values: Sequence[float]) -> tuple[float, float] | None:
    """The 33.3rd and 66.7th centiles that split ``values`` into thirds (None for fewer than 3)."""
    finite = [float(v) for v in values if v is not None and math.isfinite(v)]
    if len(finite) < 3:
        return None
    found = centiles(finite, [100 / 3, 200 / 3])
    return found[100 / 3], found[200 / 3]


def third_of(value: float, cutpoints: tuple[float, float]) -> int:
    """1 (lowest third) to 3 (highest third); a value on a cut point goes to the lower third."""
    low, high = cutpoints
    if value <= low:
        return 1
    if value <= high:
        return 2
    return 3


# --- Area aggregates -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AreaAggregate:
    area_kind: str
    area: str
    measure: str
    method: str
    value: float | None
    n: int
    n_used: int
    description: str
    rank: int | None = None
    ranked: int = 0


def _rank_descending(values: Sequence[float]) -> list[int]:
    """Competition ranks, highest first: 1 + the number of strictly higher values (ties share)."""
    array = np.asarray(values, dtype=float)
    ordered = np.sort(array)
    higher = len(array) - np.searchsorted(ordered, array, side="right")
    return (higher + 1).astype(int).tolist()


def area_aggregates(
    rows: Sequence[BenchRow],
    measures: Sequence[str],
    area_kind: str,
    *,
    threshold: int = SUPPRESSION_THRESHOLD,
) -> list[AreaAggregate]:
    """Each area's aggregate of its member rows, per measure and method, with its rank.

    The standard mix for the care-setting-standardised method is the national share of member
    rows with the measure in each care setting. The population-weighted method uses the members
    with a recorded population and says how many of the area's members those are. Areas with
    fewer than ``threshold`` members are aggregated but not ranked.
    """
    out: list[AreaAggregate] = []
    for measure in measures:
        members: dict[str, list[MemberScore]] = defaultdict(list)
        counts: Counter[str] = Counter()
        for row in rows:
            value = row.values.get(measure)
            area = row.areas.get(area_kind)
            if not row.member or value is None or area is None:
                continue
            counts[row.care_setting] += 1
            members[area].append(
                MemberScore(
                    organisation=row.organisation,
                    care_setting=row.care_setting,
                    score=float(value),
                    population=row.population,
                )
            )
        if not members:
            continue
        mix = standard_mix_from_counts(counts)
        found: list[AreaAggregate] = []
        for area in sorted(members):
            scores = members[area]
            for method in METHODS:
                found.append(_aggregate(area_kind, area, measure, method, scores, mix))
        for method in METHODS:
            rankable = [
                a
                for a in found
                if a.method == method.value
                and a.value is not None
                and not is_suppressed(a.n, threshold=threshold)
            ]
            positions = _rank_descending([a.value for a in rankable]) if rankable else []
            by_area = {a.area: r for a, r in zip(rankable, positions, strict=True)}
            for index, item in enumerate(found):
                if item.method == method.value:
                    found[index] = AreaAggregate(
                        **{**item.__dict__, "rank": by_area.get(item.area), "ranked": len(rankable)}
                    )
        out.extend(found)
    return out


def _aggregate(
    area_kind: str,
    area: str,
    measure: str,
    method: AggregationMethod,
    scores: list[MemberScore],
    mix: dict[str, float],
) -> AreaAggregate:
    if method is AggregationMethod.POPULATION_WEIGHTED:
        weighted = [s for s in scores if s.population is not None and s.population > 0]
        if not weighted:
            return AreaAggregate(
                area_kind,
                area,
                measure,
                method.value,
                None,
                len(scores),
                0,
                "None of these organisations has a recorded population, so no population-"
                "weighted figure can be given.",
            )
        result = aggregate(weighted, method)
        lead = (
            ""
            if len(weighted) == len(scores)
            else f"{len(weighted)} of the {len(scores)} organisations have a recorded population "
            "served; the others are left out of this figure. "
        )
        return AreaAggregate(
            area_kind,
            area,
            measure,
            method.value,
            result.value,
            len(scores),
            len(weighted),
            lead + result.description,
        )
    result = aggregate(
        scores,
        method,
        standard_mix=mix if method is AggregationMethod.CARE_SETTING_STANDARDISED else None,
    )
    return AreaAggregate(
        area_kind,
        area,
        measure,
        method.value,
        result.value,
        len(scores),
        len(scores),
        result.description,
    )


# --- Funnels -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FunnelTarget:
    area_kind: str
    measure: str
    threshold: float
    p0: float
    total_x: int
    total_n: int
    curve: list[FunnelLimits]


@dataclass(frozen=True)
class FunnelUnit:
    area_kind: str
    area: str
    measure: str
    threshold: float
    x: int
    n: int
    limits: FunnelLimits
    position: str

    @property
    def proportion(self) -> float:
        return self.x / self.n


def curve_sizes(largest: int, needed: set[int], points: int = 48) -> list[int]:
    """The denominators at which to draw a funnel: every n up to 24, then about ``points`` more
    spread evenly on a log scale up to ``largest``, plus every n an area has."""
    sizes = set(range(1, min(largest, 24) + 1)) | set(needed) | {largest}
    if largest > 24:
        sizes |= {int(round(v)) for v in np.geomspace(24, largest, points)}
    return sorted(n for n in sizes if 1 <= n <= largest)


def funnels(
    rows: Sequence[BenchRow],
    measures: Sequence[str],
    thresholds: Sequence[float],
    area_kind: str,
) -> tuple[list[FunnelTarget], list[FunnelUnit]]:
    """For each measure and level: each area's proportion of member rows at or above the level,
    the overall proportion p0, and the 95% and 99.8% limits for each area's number of rows."""
    targets: list[FunnelTarget] = []
    units: list[FunnelUnit] = []
    for measure in measures:
        by_area: dict[str, list[float]] = defaultdict(list)
        for row in rows:
            value = row.values.get(measure)
            area = row.areas.get(area_kind)
            if row.member and value is not None and area is not None:
                by_area[area].append(float(value))
        if not by_area:
            continue
        arrays = {area: np.asarray(values) for area, values in by_area.items()}
        for threshold in thresholds:
            xs = {
                area: int(np.count_nonzero(values >= threshold - LEVEL_TOLERANCE))
                for area, values in arrays.items()
            }
            total_x = sum(xs.values())
            total_n = sum(len(v) for v in arrays.values())
            p0 = total_x / total_n
            sizes = {len(v) for v in arrays.values()}
            curve = funnel_curve(p0, curve_sizes(max(sizes), sizes))
            targets.append(FunnelTarget(area_kind, measure, threshold, p0, total_x, total_n, curve))
            by_n = {limits.n: limits for limits in curve}
            for area in sorted(arrays):
                n = len(arrays[area])
                limits = by_n[n]
                units.append(
                    FunnelUnit(
                        area_kind,
                        area,
                        measure,
                        threshold,
                        xs[area],
                        n,
                        limits,
                        position_against(xs[area] / n, limits),
                    )
                )
    return targets, units


# --- Learn from ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    organisation: str
    care_setting: str
    measure: str
    value: float
    own_value: float
    distance: float


@dataclass(frozen=True)
class LearnFrom:
    weakest: str | None
    suggestions: list[Suggestion]


def learn_from(
    rows: Sequence[BenchRow],
    percentiles: Sequence[Mapping[str, Mapping[str, float]]],
    pillars: Sequence[str],
    *,
    group_kind: str = "setting",
    margin: float = 0.5,
    limit: int = 3,
) -> list[LearnFrom]:
    """For each row: its weakest pillar and up to ``limit`` similar organisations stronger in it.

    The weakest pillar is the one with the lowest percentile in the row's ``group_kind`` group
    (where percentiles were computed), then the lowest score, then the framework's pillar order.
    Candidates are other organisations in the same group scoring at least ``margin`` higher in
    that pillar; the most similar are those whose average pillar score is closest to the row's,
    ties by ODS code.

    Each pillar is handled in one sweep: rows whose weakest pillar it is are visited from the
    highest threshold down, while candidates are added to a list kept in order of average score,
    so finding the closest is a binary search (n log n per pillar, not n squared).
    """
    matrix = value_matrix(rows, pillars)
    by_group: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        key = row.groups.get(group_kind)
        if key:
            by_group[key].append(i)
    out = [LearnFrom(None, []) for _ in rows]
    for indices in by_group.values():
        _learn_from_group(
            rows, percentiles, pillars, group_kind, margin, limit, matrix, indices, out
        )
    return out


def _learn_from_group(
    rows: Sequence[BenchRow],
    percentiles: Sequence[Mapping[str, Mapping[str, float]]],
    pillars: Sequence[str],
    group_kind: str,
    margin: float,
    limit: int,
    matrix: np.ndarray,
    indices: list[int],
    out: list[LearnFrom],
) -> None:
    block = matrix[indices]
    present = ~np.isnan(block)
    counts = present.sum(axis=1)
    average = np.where(counts > 0, np.nansum(block, axis=1) / np.maximum(counts, 1), np.nan)
    codes = [rows[i].organisation for i in indices]
    weakest: dict[int, list[int]] = defaultdict(list)  # pillar → positions whose weakest it is
    for position, i in enumerate(indices):
        own = np.flatnonzero(present[position]).tolist()
        if len(own) < 2:
            continue
        ranks = percentiles[i].get(group_kind, {})
        weakest[
            min(own, key=lambda j: (ranks.get(pillars[j], math.inf), block[position, j], j))
        ].append(position)
    for pillar, queries in weakest.items():
        have = np.flatnonzero(present[:, pillar] & ~np.isnan(average))
        candidates = have[np.argsort(-block[have, pillar], kind="stable")].tolist()
        queries = sorted(queries, key=lambda q: -block[q, pillar])
        pool = _Pool()
        next_candidate = 0
        for position in queries:
            threshold = block[position, pillar] + margin - LEVEL_TOLERANCE
            while (
                next_candidate < len(candidates)
                and block[candidates[next_candidate], pillar] >= threshold
            ):
                c = candidates[next_candidate]
                pool.add(float(average[c]), codes[c], c)
                next_candidate += 1
            chosen = pool.closest(float(average[position]), limit)
            out[indices[position]] = LearnFrom(
                pillars[pillar],
                [
                    Suggestion(
                        organisation=codes[c],
                        care_setting=rows[indices[c]].care_setting,
                        measure=pillars[pillar],
                        value=float(block[c, pillar]),
                        own_value=float(block[position, pillar]),
                        distance=distance,
                    )
                    for distance, _, c in chosen
                ],
            )


class _Pool:
    """Candidates by average score: the distinct averages in order, each with its organisations
    in order of ODS code, so the closest can be found a tie block at a time."""

    def __init__(self) -> None:
        self.keys: list[float] = []
        self.blocks: dict[float, list[tuple[str, int]]] = {}

    def add(self, key: float, code: str, position: int) -> None:
        block = self.blocks.get(key)
        if block is None:
            bisect.insort(self.keys, key)
            block = self.blocks[key] = []
        bisect.insort(block, (code, position))

    def closest(self, target: float, limit: int) -> list[tuple[float, str, int]]:
        """The ``limit`` entries closest to ``target``; among equally close ones, lowest codes."""
        found: list[tuple[float, str, int]] = []
        right = bisect.bisect_left(self.keys, target)
        left = right - 1
        while len(found) < limit and (left >= 0 or right < len(self.keys)):
            left_distance = target - self.keys[left] if left >= 0 else math.inf
            right_distance = self.keys[right] - target if right < len(self.keys) else math.inf
            distance = min(left_distance, right_distance)
            tied: list[tuple[str, int]] = []
            if left_distance == distance:
                tied += self.blocks[self.keys[left]][: limit - len(found)]
                left -= 1
            if right_distance == distance:
                tied += self.blocks[self.keys[right]][: limit - len(found)]
                right += 1
            found += [(distance, code, position) for code, position in sorted(tied)][
                : limit - len(found)
            ]
        return found
