"""Validation flags: plain statistics that point a validator at a return worth checking.

A flag is a reason to look, never a finding: each carries a plain-English explanation of what
was seen and the figures behind it. System leads and regional validators clear or query it.

Rules (method ``validation_flags``; thresholds in :class:`Thresholds`, fixed before any
evaluation)
    ``peer_group_outlier``
        The return's overall score, or a pillar score, is far from its peer group: the returns of
        the same care setting and size band (:func:`size_bands`: thirds by size within the care
        setting, plus a band for size not known). A group of fewer than ``min_group`` returns is
        replaced by the whole care setting. "Far" is a robust z-score (``maturity.core.stats.
        robust_z``: distance from the median over 1.4826 x the median absolute deviation) of
        ``outlier_z`` (3.5, Iglewicz and Hoaglin's cut-off) or more, either way.
    ``implausible_jump``
        Since last year, a comparable domain rose by ``jump_domain_levels`` (2) levels or more,
        or the comparable overall score (the mean over comparable domains) rose by
        ``jump_overall`` (1.0) or more.
    ``straight_lining``
        The same answer everywhere: at least ``straight_share`` (97%) of at least
        ``straight_min_answers`` (20) criterion answers are one value, or every one of at least
        ``straight_min_domains`` (6) domains is at the same level.
    ``epr_contradiction``
        A domain's level counts a met criterion that needs an electronic patient record (the
        edition links it to the contextual question "is an EPR in use?"), while the return's
        contextual answers (EPR not in use, or supplier "None") or the reference data (NHS
        England's EPR supplier extract recording no EPR) say there is none.
    ``gp_system_contradiction``
        The GP clinical system the return names is used by fewer than ``gp_min_share`` (25%) of
        the practices the GP registry holds for the organisation.
    ``self_peer_gap``
        The peer reviewer's levels differ from the self-assessed ones by ``peer_gap_domain`` (2)
        levels or more on a domain, or the self-assessed levels are higher by
        ``peer_gap_total`` (3) levels or more in total.
    ``jump_before_funding``
        The return rose since last year (comparable overall up by ``funding_rise`` (0.5) or
        more, or a comparable domain up by 2 levels or more) and was committed within
        ``funding_window_days`` (60) days before a funding round closed.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from maturity.core.scoring import round_half_up
from maturity.core.stats import robust_z

FLAGS_METHOD = "validation_flags"

OUTLIER = "peer_group_outlier"
JUMP = "implausible_jump"
STRAIGHT_LINING = "straight_lining"
EPR_CONTRADICTION = "epr_contradiction"
GP_SYSTEM_CONTRADICTION = "gp_system_contradiction"
PEER_GAP = "self_peer_gap"
FUNDING_TIMING = "jump_before_funding"

FLAG_KINDS: dict[str, str] = {
    OUTLIER: "Far from the peer group",
    JUMP: "Implausible jump since last year",
    STRAIGHT_LINING: "Same answer everywhere",
    EPR_CONTRADICTION: "EPR levels without an EPR",
    GP_SYSTEM_CONTRADICTION: "GP system contradicts the registry",
    PEER_GAP: "Large gap between self-assessment and peer review",
    FUNDING_TIMING: "Jump just before a funding round",
}

#: What a validator should look at for each kind of flag.
FLAG_GUIDANCE: dict[str, str] = {
    OUTLIER: "Check the evidence behind the highest (or lowest) levels against the peer group.",
    JUMP: "Ask what changed in the year and check the evidence for the new levels.",
    STRAIGHT_LINING: "Check that each criterion was considered on its own, not answered in bulk.",
    EPR_CONTRADICTION: "Confirm whether an electronic patient record is live and since when.",
    GP_SYSTEM_CONTRADICTION: "Confirm which clinical system most practices use.",
    PEER_GAP: "Compare the reviewer's reasons with the organisation's evidence.",
    FUNDING_TIMING: "Check the evidence for the rise before the scores inform funding.",
}

SIZE_BANDS = ("smaller third", "middle third", "larger third")
SIZE_NOT_KNOWN = "size not known"


@dataclass(frozen=True)
class Thresholds:
    outlier_z: float = 3.5
    min_group: int = 8
    jump_domain_levels: int = 2
    jump_overall: float = 1.0
    straight_share: float = 0.97
    straight_min_answers: int = 20
    straight_min_domains: int = 6
    gp_min_share: float = 0.25
    peer_gap_domain: int = 2
    peer_gap_total: int = 3
    funding_window_days: int = 60
    funding_rise: float = 0.5


@dataclass(frozen=True)
class PreviousYear:
    """Last year's figures for the same organisation and care setting.

    ``domain_levels`` are keyed by this year's domain ids and hold comparable domains only.
    """

    year: int
    domain_levels: Mapping[str, int] = field(default_factory=dict)
    overall_comparable: float | None = None
    source: str = "last year's return"


@dataclass(frozen=True)
class ReferenceFacts:
    """What reference data held elsewhere says about the organisation."""

    #: False when the EPR extract records no EPR; None when it says nothing.
    epr_in_place: bool | None = None
    epr_source: str = ""
    #: GP clinical system (contextual option value) → share of the practices using it.
    gp_system_shares: Mapping[str, float] | None = None
    gp_practices: int | None = None
    gp_source: str = ""


@dataclass(frozen=True)
class ReturnProfile:
    key: str
    care_setting: str
    domain_levels: Mapping[str, int]
    pillar_scores: Mapping[str, float]
    overall: float | None
    overall_comparable: float | None = None
    size: float | None = None
    criterion_answers: Mapping[str, str] = field(default_factory=dict)
    contextual: Mapping[str, Any] = field(default_factory=dict)
    previous: PreviousYear | None = None
    peer_levels: Mapping[str, int] | None = None
    reference: ReferenceFacts = field(default_factory=ReferenceFacts)
    committed_on: dt.date | None = None


@dataclass(frozen=True)
class EditionFacts:
    """What the flags need to know about the framework edition."""

    domain_names: Mapping[str, str] = field(default_factory=dict)
    pillar_names: Mapping[str, str] = field(default_factory=dict)
    #: Criteria that need an EPR: criterion id → (domain id, level).
    epr_criteria: Mapping[str, tuple[str, int]] = field(default_factory=dict)
    epr_question: str = "ctx.epr_in_place"
    epr_supplier_question: str = "ctx.epr_supplier"
    gp_system_question: str = "ctx.gp_clinical_system"
    gp_system_labels: Mapping[str, str] = field(default_factory=dict)
    care_setting_labels: Mapping[str, str] = field(default_factory=dict)

    def domain(self, domain_id: str) -> str:
        return self.domain_names.get(domain_id, domain_id)

    def pillar(self, pillar_id: str) -> str:
        return self.pillar_names.get(pillar_id, pillar_id)

    def setting(self, care_setting: str) -> str:
        return self.care_setting_labels.get(care_setting, care_setting.replace("_", " "))


@dataclass(frozen=True)
class FundingRound:
    name: str
    closes_on: dt.date


@dataclass(frozen=True)
class Flag:
    key: str
    kind: str
    explanation: str
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return FLAG_KINDS[self.kind]


# --- formatting -------------------------------------------------------------------------------


def _num(value: float) -> str:
    # Shown as scores are published: one decimal, halves rounded up.
    return f"{round_half_up(value, 1):.1f}"


def _date(value: dt.date) -> str:
    return f"{value.day} {value:%B %Y}"


def _and(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


# --- size bands and peer groups ---------------------------------------------------------------


def size_bands(profiles: Sequence[ReturnProfile]) -> dict[str, str]:
    """Each return's size band within its care setting: thirds by size, or size not known.

    Returns are ranked by size (ties by key); the first third of the ranks is the smaller third.
    """
    bands: dict[str, str] = {}
    by_setting: dict[str, list[ReturnProfile]] = defaultdict(list)
    for profile in profiles:
        by_setting[profile.care_setting].append(profile)
    for members in by_setting.values():
        known = sorted(
            (p for p in members if p.size is not None and math.isfinite(p.size)),
            key=lambda p: (p.size, p.key),
        )
        for rank, profile in enumerate(known):
            bands[profile.key] = SIZE_BANDS[min(2, rank * 3 // len(known))]
        for profile in members:
            bands.setdefault(profile.key, SIZE_NOT_KNOWN)
    return bands


@dataclass(frozen=True)
class PeerGroup:
    care_setting: str
    band: str | None  # None: the whole care setting
    members: tuple[str, ...]


def peer_groups(
    profiles: Sequence[ReturnProfile], thresholds: Thresholds = Thresholds()
) -> dict[str, PeerGroup]:
    """Each return's peer group: its care setting and size band, or the whole care setting when
    the band holds fewer than ``min_group`` returns."""
    bands = size_bands(profiles)
    by_band: dict[tuple[str, str], list[str]] = defaultdict(list)
    by_setting: dict[str, list[str]] = defaultdict(list)
    for profile in profiles:
        by_band[(profile.care_setting, bands[profile.key])].append(profile.key)
        by_setting[profile.care_setting].append(profile.key)
    groups: dict[str, PeerGroup] = {}
    for profile in profiles:
        band = bands[profile.key]
        members = by_band[(profile.care_setting, band)]
        if len(members) >= thresholds.min_group:
            groups[profile.key] = PeerGroup(profile.care_setting, band, tuple(members))
        else:
            groups[profile.key] = PeerGroup(
                profile.care_setting, None, tuple(by_setting[profile.care_setting])
            )
    return groups


def _median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def outlier_flags(
    profiles: Sequence[ReturnProfile],
    edition: EditionFacts = EditionFacts(),
    thresholds: Thresholds = Thresholds(),
) -> list[Flag]:
    """``peer_group_outlier`` flags (rules in the module docstring)."""
    by_key = {p.key: p for p in profiles}
    groups = peer_groups(profiles, thresholds)
    # z-scores per distinct group and measure, computed once.
    cache: dict[tuple[tuple[str, ...], str], tuple[dict[str, float], float]] = {}

    def scores(group: PeerGroup, measure: str) -> tuple[dict[str, float], float]:
        cache_key = (group.members, measure)
        if cache_key not in cache:
            values = {
                k: v for k in group.members if (v := _measure(by_key[k], measure)) is not None
            }
            zs = robust_z(list(values.values())) if len(values) >= 2 else [0.0] * len(values)
            median = _median(list(values.values())) if values else 0.0
            cache[cache_key] = (dict(zip(values, zs, strict=True)), median)
        return cache[cache_key]

    flags = []
    for profile in profiles:
        group = groups[profile.key]
        if len(group.members) < 2:
            continue
        measures = ["overall", *sorted(profile.pillar_scores)]
        far: list[dict[str, Any]] = []
        for measure in measures:
            value = _measure(profile, measure)
            if value is None:
                continue
            zs, median = scores(group, measure)
            z = zs.get(profile.key, 0.0)
            if abs(z) >= thresholds.outlier_z:
                far.append({"measure": measure, "value": value, "median": median, "z": z})
        if not far:
            continue
        setting = edition.setting(profile.care_setting).lower()
        where = (
            f"the {len(group.members)} {setting} returns in the {group.band} by size"
            if group.band is not None and group.band != SIZE_NOT_KNOWN
            else f"the {len(group.members)} {setting} returns "
            + ("whose size is not known" if group.band == SIZE_NOT_KNOWN else "in the cycle")
        )
        sentences = []
        for item in far:
            what = (
                "The overall score"
                if item["measure"] == "overall"
                else f"The {edition.pillar(item['measure'])} score"
            )
            direction = "above" if item["z"] > 0 else "below"
            sentences.append(
                f"{what}, {_num(item['value'])}, is far {direction} the median of "
                f"{_num(item['median'])} (robust z-score {item['z']:.1f})."
            )
        explanation = (
            f"Compared with {where}: "
            + " ".join(sentences)
            + f" Returns are flagged at a robust z-score of {thresholds.outlier_z:g} or more "
            "either way."
        )
        flags.append(
            Flag(
                profile.key,
                OUTLIER,
                explanation,
                {
                    "group_size": len(group.members),
                    "band": group.band or "whole care setting",
                    "measures": far,
                    "threshold": thresholds.outlier_z,
                },
            )
        )
    return flags


def _measure(profile: ReturnProfile, measure: str) -> float | None:
    if measure == "overall":
        return profile.overall
    return profile.pillar_scores.get(measure)


# --- single-return flags ----------------------------------------------------------------------


def _rises(profile: ReturnProfile) -> tuple[list[tuple[str, int, int]], float | None]:
    previous = profile.previous
    if previous is None:
        return [], None
    rises = sorted(
        (domain, before, profile.domain_levels[domain])
        for domain, before in previous.domain_levels.items()
        if domain in profile.domain_levels
    )
    overall_rise = (
        profile.overall_comparable - previous.overall_comparable
        if profile.overall_comparable is not None and previous.overall_comparable is not None
        else None
    )
    return rises, overall_rise


def jump_flag(
    profile: ReturnProfile,
    edition: EditionFacts = EditionFacts(),
    thresholds: Thresholds = Thresholds(),
) -> Flag | None:
    """``implausible_jump`` (rules in the module docstring)."""
    previous = profile.previous
    if previous is None:
        return None
    rises, overall_rise = _rises(profile)
    big = [
        (domain, before, now)
        for domain, before, now in rises
        if now - before >= thresholds.jump_domain_levels
    ]
    overall_jump = overall_rise is not None and overall_rise >= thresholds.jump_overall - 1e-9
    if not big and not overall_jump:
        return None
    sentences = []
    if big:
        moves = [f"{edition.domain(d)} from level {b} to level {n}" for d, b, n in big]
        sentences.append(
            f"Since {previous.year} ({previous.source}), {_and(moves)}; a rise of "
            f"{thresholds.jump_domain_levels} levels or more in one year is rare."
        )
    if overall_jump:
        assert overall_rise is not None and previous.overall_comparable is not None
        sentences.append(
            f"The comparable overall score rose from {_num(previous.overall_comparable)} in "
            f"{previous.year} ({previous.source}) to {_num(profile.overall_comparable or 0)} "
            f"(up {overall_rise:.2f}; flagged at {thresholds.jump_overall:g} or more)."
        )
    return Flag(
        profile.key,
        JUMP,
        " ".join(sentences),
        {
            "previous_year": previous.year,
            "domains": [{"domain": d, "before": b, "now": n} for d, b, n in big],
            "overall_rise": overall_rise,
        },
    )


def straight_lining_flag(
    profile: ReturnProfile,
    edition: EditionFacts = EditionFacts(),
    thresholds: Thresholds = Thresholds(),
) -> Flag | None:
    """``straight_lining`` (rules in the module docstring)."""
    sentences = []
    details: dict[str, Any] = {}
    answers = [str(v) for v in profile.criterion_answers.values() if v is not None]
    if len(answers) >= thresholds.straight_min_answers:
        value, count = sorted(Counter(answers).items(), key=lambda kv: (-kv[1], kv[0]))[0]
        share = count / len(answers)
        if share >= thresholds.straight_share - 1e-12:
            label = {"met": "met", "not_met": "not met", "na": "not applicable"}.get(value, value)
            sentences.append(
                f"{count} of {len(answers)} criteria ({share:.0%}) are answered "
                f"\u201c{label}\u201d."
            )
            details["answer"] = value
            details["share"] = share
    levels = list(profile.domain_levels.values())
    if len(levels) >= thresholds.straight_min_domains and len(set(levels)) == 1:
        sentences.append(f"All {len(levels)} domains are at level {levels[0]}.")
        details["level"] = levels[0]
    if not sentences:
        return None
    return Flag(
        profile.key,
        STRAIGHT_LINING,
        " ".join(sentences)
        + " Answers this uniform can mean the return was completed in bulk rather than "
        "criterion by criterion.",
        details,
    )


def _is_no(value: Any) -> bool:
    return value is False or (isinstance(value, str) and value.strip().lower() in {"no", "false"})


def epr_contradiction_flag(
    profile: ReturnProfile, edition: EditionFacts = EditionFacts()
) -> Flag | None:
    """``epr_contradiction`` (rules in the module docstring)."""
    counted: dict[str, list[str]] = defaultdict(list)
    for criterion, (domain, level) in edition.epr_criteria.items():
        if (
            profile.criterion_answers.get(criterion) == "met"
            and domain in profile.domain_levels
            and level <= profile.domain_levels[domain]
        ):
            counted[domain].append(criterion)
    if not counted:
        return None
    sources = []
    if _is_no(profile.contextual.get(edition.epr_question)):
        sources.append("the return's own contextual answers say no EPR is in use")
    elif profile.contextual.get(edition.epr_supplier_question) == "none":
        sources.append("the return's own contextual answers name no EPR supplier")
    if profile.reference.epr_in_place is False:
        sources.append(
            f"{profile.reference.epr_source or 'the reference data'} records no EPR for the "
            "organisation"
        )
    if not sources:
        return None
    levels = [
        f"{edition.domain(d)} is at level {profile.domain_levels[d]}" for d in sorted(counted)
    ]
    criteria = sorted(c for cs in counted.values() for c in cs)
    shown = ", ".join(criteria[:5]) + (
        f" and {len(criteria) - 5} more" if len(criteria) > 5 else ""
    )
    explanation = (
        f"{_and(levels)}, counting {_plural(len(criteria), 'criterion', 'criteria')} that need "
        f"an electronic patient record ({shown}), but {_and(sources)}."
    )
    return Flag(
        profile.key,
        EPR_CONTRADICTION,
        explanation,
        {
            "domains": {d: profile.domain_levels[d] for d in sorted(counted)},
            "criteria": criteria,
            "contextual_says_no": _is_no(profile.contextual.get(edition.epr_question))
            or profile.contextual.get(edition.epr_supplier_question) == "none",
            "reference_says_no": profile.reference.epr_in_place is False,
        },
    )


def gp_system_flag(
    profile: ReturnProfile,
    edition: EditionFacts = EditionFacts(),
    thresholds: Thresholds = Thresholds(),
) -> Flag | None:
    """``gp_system_contradiction`` (rules in the module docstring)."""
    claimed = profile.contextual.get(edition.gp_system_question)
    shares = profile.reference.gp_system_shares
    if not claimed or not shares:
        return None
    share = shares.get(str(claimed), 0.0)
    if share >= thresholds.gp_min_share:
        return None
    top, top_share = sorted(shares.items(), key=lambda kv: (-kv[1], kv[0]))[0]
    label = edition.gp_system_labels.get
    practices = (
        f" of the {profile.reference.gp_practices} practices"
        if profile.reference.gp_practices
        else " of the practices"
    )
    explanation = (
        f"The return says most practices use {label(str(claimed), str(claimed))}, but "
        f"{profile.reference.gp_source or 'the GP registry'} shows {share:.0%}{practices} "
        f"using it and {top_share:.0%} using {label(top, top)}."
    )
    return Flag(
        profile.key,
        GP_SYSTEM_CONTRADICTION,
        explanation,
        {
            "claimed": claimed,
            "share": share,
            "registry_most_used": top,
            "registry_share": top_share,
        },
    )


def peer_gap_flag(
    profile: ReturnProfile,
    edition: EditionFacts = EditionFacts(),
    thresholds: Thresholds = Thresholds(),
) -> Flag | None:
    """``self_peer_gap`` (rules in the module docstring)."""
    if not profile.peer_levels:
        return None
    gaps = {
        domain: profile.domain_levels[domain] - peer
        for domain, peer in profile.peer_levels.items()
        if domain in profile.domain_levels
    }
    if not gaps:
        return None
    higher = {d: g for d, g in gaps.items() if g > 0}
    total_higher = sum(higher.values())
    widest_domain, widest = sorted(gaps.items(), key=lambda kv: (-abs(kv[1]), kv[0]))[0]
    if abs(widest) < thresholds.peer_gap_domain and total_higher < thresholds.peer_gap_total:
        return None
    sentences = []
    if higher:
        sentences.append(
            f"The self-assessed levels are higher than the peer reviewer's on "
            f"{_plural(len(higher), 'domain')}, by {_plural(total_higher, 'level')} in total."
        )
    self_level = profile.domain_levels[widest_domain]
    sentences.append(
        f"The widest gap is on {edition.domain(widest_domain)}: self-assessed level "
        f"{self_level}, peer reviewer level {self_level - widest}."
    )
    return Flag(
        profile.key,
        PEER_GAP,
        " ".join(sentences),
        {
            "total_higher": total_higher,
            "domains_higher": len(higher),
            "widest_domain": widest_domain,
            "widest_gap": widest,
        },
    )


def funding_timing_flag(
    profile: ReturnProfile,
    funding_rounds: Sequence[FundingRound],
    edition: EditionFacts = EditionFacts(),
    thresholds: Thresholds = Thresholds(),
) -> Flag | None:
    """``jump_before_funding`` (rules in the module docstring)."""
    if profile.committed_on is None or profile.previous is None or not funding_rounds:
        return None
    rises, overall_rise = _rises(profile)
    domain_jumps = [r for r in rises if r[2] - r[1] >= thresholds.jump_domain_levels]
    rose = (overall_rise is not None and overall_rise >= thresholds.funding_rise - 1e-9) or bool(
        domain_jumps
    )
    if not rose:
        return None
    window = dt.timedelta(days=thresholds.funding_window_days)
    rounds = sorted(
        (r for r in funding_rounds if r.closes_on - window <= profile.committed_on <= r.closes_on),
        key=lambda r: (r.closes_on, r.name),
    )
    if not rounds:
        return None
    first = rounds[0]
    days = (first.closes_on - profile.committed_on).days
    what = (
        f"the comparable overall score up {overall_rise:.2f} since {profile.previous.year}"
        if overall_rise is not None and overall_rise >= thresholds.funding_rise - 1e-9
        else f"{_plural(len(domain_jumps), 'domain')} up 2 levels or more since "
        f"{profile.previous.year}"
    )
    explanation = (
        f"Committed on {_date(profile.committed_on)}, {_plural(days, 'day')} before "
        f"{first.name} closed on {_date(first.closes_on)}, with {what}."
    )
    return Flag(
        profile.key,
        FUNDING_TIMING,
        explanation,
        {"round": first.name, "days_before": days, "overall_rise": overall_rise},
    )


def raise_flags(
    profiles: Sequence[ReturnProfile],
    *,
    edition: EditionFacts = EditionFacts(),
    funding_rounds: Sequence[FundingRound] = (),
    thresholds: Thresholds = Thresholds(),
) -> list[Flag]:
    """Every flag for a cohort of returns, ordered by return key then kind."""
    flags = outlier_flags(profiles, edition, thresholds)
    for profile in profiles:
        for flag in (
            jump_flag(profile, edition, thresholds),
            straight_lining_flag(profile, edition, thresholds),
            epr_contradiction_flag(profile, edition),
            gp_system_flag(profile, edition, thresholds),
            peer_gap_flag(profile, edition, thresholds),
            funding_timing_flag(profile, funding_rounds, edition, thresholds),
        ):
            if flag is not None:
                flags.append(flag)
    order = list(FLAG_KINDS)
    return sorted(flags, key=lambda f: (f.key, order.index(f.kind)))


__all__ = [
    "EPR_CONTRADICTION",
    "FLAGS_METHOD",
    "FLAG_GUIDANCE",
    "FLAG_KINDS",
    "FUNDING_TIMING",
    "GP_SYSTEM_CONTRADICTION",
    "JUMP",
    "OUTLIER",
    "PEER_GAP",
    "SIZE_BANDS",
    "SIZE_NOT_KNOWN",
    "STRAIGHT_LINING",
    "EditionFacts",
    "Flag",
    "FundingRound",
    "PeerGroup",
    "PreviousYear",
    "ReferenceFacts",
    "ReturnProfile",
    "Thresholds",
    "epr_contradiction_flag",
    "funding_timing_flag",
    "gp_system_flag",
    "jump_flag",
    "outlier_flags",
    "peer_gap_flag",
    "peer_groups",
    "raise_flags",
    "size_bands",
    "straight_lining_flag",
]
