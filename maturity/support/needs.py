"""Who needs support, by three published-data rules. Pure Python (no Django): rows in, rows out.

Rules (shown on the needs-support pages):

``furthest from the core level``
    Organisations not at the core level, by the total of their gaps (levels short of each
    threshold of the core-level definition), largest first.
``falling back``
    An organisation's overall score in a care setting fell by at least
    :data:`FALL_THRESHOLD` from one year to the next. NHS England publishes both years' overall
    scores over the domains comparable between the two years, so they can be compared.
``peers do much better``
    Within its peer group (the same care setting and size band, across England), an
    organisation's overall score has a robust z-score of :data:`PEER_Z` or lower
    (:func:`maturity.core.stats.robust_z`), in groups of at least :data:`MIN_PEER_GROUP`.
    Size bands are thirds of the known populations served in that care setting (smaller,
    middle, larger); where fewer than ``3 x MIN_PEER_GROUP`` sizes are known, the whole care
    setting is one group.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from maturity.core.optimise import gaps
from maturity.core.stats import centiles, robust_z

FALL_THRESHOLD = 0.1
PEER_Z = -1.5
MIN_PEER_GROUP = 5
ALL_SIZES = "all sizes"
SIZE_NOT_KNOWN = "size not known"
SIZE_BANDS = ("smaller", "middle", "larger")


@dataclass(frozen=True)
class Furthest:
    key: str
    gaps: dict[str, float]
    total: float


def furthest_from_target(
    scores: Mapping[str, Mapping[str, float]], thresholds: Mapping[str, float]
) -> list[Furthest]:
    """Organisations short of the core level, the largest total gap first (then by key)."""
    out = []
    for key, pillar_scores in scores.items():
        found = gaps(pillar_scores, thresholds)
        total = math.fsum(found.values())
        if total > 0:
            out.append(Furthest(key, found, total))
    out.sort(key=lambda f: (-f.total, f.key))
    return out


@dataclass(frozen=True)
class SettingScore:
    """One organisation's overall score in one care setting, this year and the year before."""

    key: str
    care_setting: str
    size: float | None
    overall: float | None
    previous: float | None


@dataclass(frozen=True)
class FallingBack:
    key: str
    care_setting: str
    previous: float
    overall: float
    change: float


def falling_back(
    rows: Iterable[SettingScore], threshold: float = FALL_THRESHOLD
) -> list[FallingBack]:
    """Rows whose overall score fell by ``threshold`` or more, the largest fall first."""
    out = []
    for row in rows:
        if row.overall is None or row.previous is None:
            continue
        change = row.overall - row.previous
        if change <= -threshold + 1e-9:
            out.append(FallingBack(row.key, row.care_setting, row.previous, row.overall, change))
    out.sort(key=lambda f: (f.change, f.key, f.care_setting))
    return out


def size_bands(rows: Iterable[SettingScore]) -> dict[tuple[str, str], str]:
    """(key, care setting) → size band within the care setting (rules in the module docstring)."""
    by_setting: dict[str, list[SettingScore]] = defaultdict(list)
    for row in rows:
        by_setting[row.care_setting].append(row)
    bands = {}
    for setting, members in by_setting.items():
        known = [r.size for r in members if r.size is not None]
        if len(known) < 3 * MIN_PEER_GROUP:
            for r in members:
                bands[(r.key, setting)] = ALL_SIZES
            continue
        cut = centiles(known, [100 / 3, 200 / 3])
        low, high = cut[100 / 3], cut[200 / 3]
        for r in members:
            if r.size is None:
                band = SIZE_NOT_KNOWN
            elif r.size <= low:
                band = SIZE_BANDS[0]
            elif r.size <= high:
                band = SIZE_BANDS[1]
            else:
                band = SIZE_BANDS[2]
            bands[(r.key, setting)] = band
    return bands


@dataclass(frozen=True)
class PeersBetter:
    key: str
    care_setting: str
    size_band: str
    overall: float
    peer_median: float
    peer_count: int
    z: float


def peers_do_much_better(
    rows: Iterable[SettingScore], *, z_threshold: float = PEER_Z, min_group: int = MIN_PEER_GROUP
) -> list[PeersBetter]:
    """Rows far below their peer group (rules in the module docstring), lowest z first."""
    rows = [r for r in rows if r.overall is not None]
    bands = size_bands(rows)
    groups: dict[tuple[str, str], list[SettingScore]] = defaultdict(list)
    for r in rows:
        groups[(r.care_setting, bands[(r.key, r.care_setting)])].append(r)
    out = []
    for (setting, band), members in groups.items():
        if len(members) < min_group or band == SIZE_NOT_KNOWN:
            continue
        values = [m.overall for m in members]
        median = statistics.median(values)
        for member, z in zip(members, robust_z(values), strict=True):
            if z <= z_threshold:
                out.append(
                    PeersBetter(member.key, setting, band, member.overall, median, len(members), z)
                )
    out.sort(key=lambda p: (p.z, p.key, p.care_setting))
    return out
