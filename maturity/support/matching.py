"""Suggested learning partners. Pure Python (no Django): profiles in, suggestions out.

Rule (shown with every suggestion):

    For an organisation, take its weakest areas: the :data:`WEAKEST` framework domains with the
    lowest levels (below 5; ties in the framework's order). A partner is another organisation
    in the same care setting that is *markedly stronger* in at least one of them: at least
    :data:`DOMAIN_MARGIN` levels higher. Where both populations served are known they must be
    similar: the larger at most :data:`MAX_SIZE_RATIO` times the smaller. Partners are ranked by
    how many weak areas they are markedly stronger in, then by how much stronger in total, then
    those who have agreed to be contacted, then the closest in size.

Where an organisation has no domain levels, its published pillar scores stand in, with a margin
of :data:`PILLAR_MARGIN` (pillar scores are means of domain levels, so they move less).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

WEAKEST = 3
DOMAIN_MARGIN = 2.0
PILLAR_MARGIN = 1.0
MAX_SIZE_RATIO = 2.0
LIMIT = 5


@dataclass(frozen=True)
class Profile:
    key: str
    name: str
    care_setting: str
    size: float | None
    levels: Mapping[str, float]  # domain (or pillar) id → level (or score)
    contactable: bool = False
    order: Sequence[str] = field(default_factory=tuple)  # the framework's order of the ids


@dataclass(frozen=True)
class Strength:
    item: str
    partner_level: float
    own_level: float

    @property
    def advantage(self) -> float:
        return self.partner_level - self.own_level


@dataclass(frozen=True)
class Suggestion:
    partner: Profile
    stronger: list[Strength]
    size_ratio: float | None
    reasons: list[str]


def weakest(profile: Profile, n: int = WEAKEST) -> list[str]:
    rank = {item: i for i, item in enumerate(profile.order)}
    items = [(level, rank.get(item, len(rank)), item) for item, level in profile.levels.items()]
    return [item for level, _r, item in sorted(items) if level < 5][:n]


def _size_ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or a <= 0 or b <= 0:
        return None
    return max(a, b) / min(a, b)


def _number(value: float) -> str:
    return f"{value:g}" if float(value).is_integer() else f"{value:.1f}"


def suggest_partners(
    target: Profile,
    candidates: Iterable[Profile],
    *,
    margin: float = DOMAIN_MARGIN,
    n_weakest: int = WEAKEST,
    max_size_ratio: float = MAX_SIZE_RATIO,
    limit: int = LIMIT,
    labels: Mapping[str, str] | None = None,
    setting_label: str | None = None,
) -> list[Suggestion]:
    labels = labels or {}
    weak = weakest(target, n_weakest)
    found = []
    for other in candidates:
        if other.key == target.key or other.care_setting != target.care_setting:
            continue
        ratio = _size_ratio(target.size, other.size)
        if ratio is not None and ratio > max_size_ratio:
            continue
        stronger = [
            Strength(item, other.levels[item], target.levels[item])
            for item in weak
            if item in other.levels and other.levels[item] - target.levels[item] >= margin - 1e-9
        ]
        if not stronger:
            continue
        reasons = [f"Same care setting ({setting_label or target.care_setting})"]
        if ratio is None:
            reasons.append("size not known for both, so not compared")
        else:
            reasons.append(
                f"similar size ({other.size:,.0f} people served, against your {target.size:,.0f})"
            )
        reasons += [
            f"{labels.get(s.item, s.item)}: {_number(s.partner_level)} where you are at "
            f"{_number(s.own_level)}"
            for s in stronger
        ]
        found.append(Suggestion(other, stronger, ratio, reasons))
    found.sort(
        key=lambda s: (
            -len(s.stronger),
            -math.fsum(x.advantage for x in s.stronger),
            not s.partner.contactable,
            s.size_ratio if s.size_ratio is not None else math.inf,
            s.partner.name,
        )
    )
    return found[:limit]
