"""WGLL scoring as array operations, for a whole cycle at once (no Django here).

The rule is the engine's (:mod:`maturity.core.scoring.wgll`): a domain's level is the highest L
such that every criterion at levels 1..L is met or not applicable, floor 1; pillar scores and the
overall are exact means of integer levels. Here, answers are a matrix of small integer codes
(returns × criteria) and the levels come from one pass of array operations per domain, so a
national cycle is scored in seconds. ``tests/national`` checks it against ``score_return``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from maturity.core.scoring import DomainSpec

#: Answer codes in the matrix. Missing (no answer or None) counts as not met, as in the engine.
MISSING = 0
MET = 1
NOT_MET = 2
NA = 3
CODES = {"met": MET, "not_met": NOT_MET, "na": NA}
VALUES = {MET: "met", NOT_MET: "not_met", NA: "na"}


@dataclass(frozen=True)
class Layout:
    """Where each criterion of one (edition, care setting) sits: its column, domain and level."""

    criteria: tuple[str, ...]
    column: dict[str, int]
    domain_ids: tuple[str, ...]
    pillars: tuple[str, ...]  # pillar of each domain
    criterion_domain: np.ndarray  # int, per column
    criterion_level: np.ndarray  # int 1..5, per column
    comparable: np.ndarray  # bool, per domain

    @property
    def pillar_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.pillars))


def layout_for(specs: Sequence[DomainSpec], comparable_ids: set[str] | frozenset[str]) -> Layout:
    criteria: list[str] = []
    domains: list[int] = []
    levels: list[int] = []
    for index, spec in enumerate(specs):
        for level, ids in spec.criteria_by_level.items():
            for criterion in ids:
                criteria.append(criterion)
                domains.append(index)
                levels.append(level)
    return Layout(
        criteria=tuple(criteria),
        column={c: i for i, c in enumerate(criteria)},
        domain_ids=tuple(spec.id for spec in specs),
        pillars=tuple(spec.pillar for spec in specs),
        criterion_domain=np.asarray(domains, dtype=np.int32),
        criterion_level=np.asarray(levels, dtype=np.int8),
        comparable=np.asarray([spec.id in comparable_ids for spec in specs], dtype=bool),
    )


def domain_levels(layout: Layout, answers: np.ndarray) -> np.ndarray:
    """Levels (returns × domains, int8) from answer codes (returns × criteria, uint8).

    For each return and domain: the first level holding a criterion neither met nor not
    applicable caps the domain one below it (the engine's cumulative gating), floor 1.
    """
    rows = answers.shape[0]
    n_domains = len(layout.domain_ids)
    failing = (answers != MET) & (answers != NA)
    # First failing level per (return, domain): the minimum level over failing criteria, 6 if none.
    first_fail = np.full((rows, n_domains), 6, dtype=np.int8)
    if rows and len(layout.criteria):
        fail_level = np.where(failing, layout.criterion_level[np.newaxis, :], 6).astype(np.int8)
        order = np.argsort(layout.criterion_domain, kind="stable")
        cols_domain = layout.criterion_domain[order]
        starts = np.flatnonzero(np.r_[True, cols_domain[1:] != cols_domain[:-1]])
        reduced = np.minimum.reduceat(fail_level[:, order], starts, axis=1)
        first_fail[:, cols_domain[starts]] = reduced
    return np.maximum(first_fail - 1, 1).astype(np.int8)


@dataclass(frozen=True)
class Scores:
    levels: np.ndarray  # returns × domains
    pillar_scores: np.ndarray  # returns × pillars (float64)
    overall: np.ndarray  # returns (float64, nan when no domains)
    overall_comparable: np.ndarray  # returns (float64, nan when no comparable domain)


def scores(layout: Layout, levels: np.ndarray) -> Scores:
    """Pillar means, overall and comparable overall, as the engine computes them (sum / count)."""
    levels64 = levels.astype(np.int64)
    pillar_ids = layout.pillar_ids
    pillars = np.asarray(layout.pillars)
    pillar_scores = np.empty((levels.shape[0], len(pillar_ids)), dtype=np.float64)
    for j, pillar in enumerate(pillar_ids):
        mask = pillars == pillar
        # Integer sum divided once by the count: the same float as Python's sum(levels) / len.
        pillar_scores[:, j] = levels64[:, mask].sum(axis=1) / int(mask.sum())
    n = levels.shape[1]
    overall = levels64.sum(axis=1) / n if n else np.full(levels.shape[0], np.nan)
    k = int(layout.comparable.sum())
    if k:
        comparable = levels64[:, layout.comparable].sum(axis=1) / k
    else:
        comparable = np.full(levels.shape[0], np.nan)
    return Scores(levels, pillar_scores, overall, comparable)


def encode(values: Sequence[object]) -> np.ndarray:
    """Answer codes for stored values; raises ValueError on a value that is not an answer."""
    out = np.empty(len(values), dtype=np.uint8)
    for i, value in enumerate(values):
        if value is None:
            out[i] = MISSING
            continue
        code = CODES.get(value) if isinstance(value, str) else None
        if code is None:
            raise ValueError(f"answer {value!r} is not one of 'met', 'not_met', 'na'")
        out[i] = code
    return out
