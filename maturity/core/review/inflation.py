"""The inflation index: how far self-assessed levels sit above the levels a peer agreed.

Rules (method ``inflation_index``)
    Per return and pillar
        The mean self-assessed level minus the mean peer-agreed level over the pillar's domains
        that have both (equivalently, the mean of the per-domain differences). ``overall`` is the
        same over every domain with both. A positive figure means the organisation rated itself
        higher than its peer agreed; a return with no peer-agreed level has no figure.
    Per organisation, integrated care system (ICS) or region
        The mean of the returns' figures, each return counting once (an integrated trust's acute,
        community and mental health returns count three times), with the number of returns.
        Returns whose group is not known are left out of that grouping.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

INFLATION_METHOD = "inflation_index"
OVERALL = "overall"
GROUPINGS = ("organisation", "ics", "region")


@dataclass(frozen=True)
class ReviewedReturn:
    key: str
    organisation: str
    ics: str | None
    region: str | None
    #: Domain id → pillar id.
    domain_pillars: Mapping[str, str]
    self_levels: Mapping[str, int]
    peer_levels: Mapping[str, int]


@dataclass(frozen=True)
class InflationRow:
    grouping: str
    group: str
    pillar: str
    #: Mean self minus peer-agreed level.
    difference: float
    returns: int


def return_inflation(reviewed: ReviewedReturn) -> dict[str, float]:
    """Self minus peer-agreed, per pillar and ``overall``, for one return (exact means)."""
    by_pillar: dict[str, list[int]] = defaultdict(list)
    for domain, peer in reviewed.peer_levels.items():
        if domain not in reviewed.self_levels or domain not in reviewed.domain_pillars:
            continue
        difference = reviewed.self_levels[domain] - peer
        by_pillar[reviewed.domain_pillars[domain]].append(difference)
        by_pillar[OVERALL].append(difference)
    return {
        pillar: float(Fraction(sum(values), len(values)))
        for pillar, values in sorted(by_pillar.items())
    }


def inflation_index(reviewed: Sequence[ReviewedReturn], *, grouping: str) -> list[InflationRow]:
    """Mean self-minus-peer difference per group and pillar (rules in the module docstring)."""
    if grouping not in GROUPINGS:
        raise ValueError(f"grouping must be one of {GROUPINGS}, got {grouping!r}")
    sums: dict[tuple[str, str], list[Fraction]] = defaultdict(list)
    for item in reviewed:
        group = getattr(item, grouping)
        if group is None:
            continue
        for pillar, difference in return_inflation(item).items():
            sums[(group, pillar)].append(Fraction(difference))
    return [
        InflationRow(
            grouping=grouping,
            group=group,
            pillar=pillar,
            difference=float(sum(values) / len(values)),
            returns=len(values),
        )
        for (group, pillar), values in sorted(sums.items())
    ]
