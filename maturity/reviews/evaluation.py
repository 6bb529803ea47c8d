"""Measuring what peer review and the validation flags catch, on a cycle's committed returns.

For each seeded run a share of the returns is inflated through their answers (in memory: the
stored returns are never changed), the returns are matched with reviewers by the real matching,
reviews are simulated (:mod:`maturity.core.review.simulation`) and the real flags are raised on
the inflated and honest returns alike. The report counts, for the flags and for the review, how
many inflated returns they catch and how many honest returns they hit.
"""

from __future__ import annotations

import random
import statistics
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from maturity.assessments.models import Cycle
from maturity.assessments.services import compute_score
from maturity.core.review.flags import FLAG_KINDS, PEER_GAP, Flag, ReturnProfile, raise_flags
from maturity.core.review.matching import MatchingResult, is_eligible, match_reviewers
from maturity.core.review.simulation import (
    ReviewModel,
    inflate_answers,
    rates,
    simulate_review,
    verdict,
)

from . import cohort

PRE_REVIEW_KINDS = tuple(k for k in FLAG_KINDS if k != PEER_GAP)
DEFAULT_MODEL = ReviewModel()


@dataclass(frozen=True)
class RunResult:
    seed: int
    inflated: list[str]
    inflated_domains: int
    inflated_levels: int
    #: Flag kind → return keys flagged.
    flagged: dict[str, list[str]]
    review_caught: list[str]
    review_lowered_honest: list[str]
    challenged: int
    moderations: int
    levels_removed: int
    fully_corrected: int


@dataclass(frozen=True)
class Summary:
    mean: float | None
    low: float | None
    high: float | None


def _summary(values: Sequence[float | None]) -> Summary:
    present = [v for v in values if v is not None]
    if not present:
        return Summary(None, None, None)
    return Summary(statistics.fmean(present), min(present), max(present))


@dataclass(frozen=True)
class MatchingSummary:
    """What the real matching did on the cycle, as reported in docs/peer-review-evaluation.md."""

    #: Reviewing organisations by how many returns they review: {0: n, 1: n, 2: n}.
    load: dict[int, int]
    #: Matches where both sizes are known, and the larger over the smaller size among them.
    sized_matches: int
    size_ratio_median: float | None
    size_ratio_p90: float | None
    size_ratio_max: float | None
    unknown_size_matches: int
    #: Pairs eligible by the systems on the cycle's hierarchy date (same care setting, another
    #: system) that today's hierarchy puts in one system, so are excluded.
    excluded_by_today: int
    #: Returns left unmatched: organisation, ODS code, care setting and why.
    unmatched_returns: list[dict[str, str]]


def _quantile(values: Sequence[float], q: float) -> float:
    # Linear interpolation between closest ranks (NumPy's default).
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def matching_summary(built: cohort.MatchingCohort, matching: MatchingResult) -> MatchingSummary:
    load: dict[int, int] = defaultdict(int)
    for reviewer in built.reviewers:
        load[matching.load.get(reviewer.organisation, 0)] += 1
    ratios = [
        max(m.size_ratio, 1 / m.size_ratio) for m in matching.matches if m.size_ratio is not None
    ]
    excluded = sum(
        1
        for reviewee in built.reviewees
        for reviewer in built.reviewers
        if is_eligible(reviewee, reviewer)
        and (reviewee.key, reviewer.organisation) in built.same_system_today
    )
    returns = {r.key: r for r in built.reviewees}
    unmatched = []
    for item in matching.unmatched:
        reviewee = returns[item.reviewee]
        organisation = built.organisations[int(reviewee.organisation)]
        unmatched.append(
            {
                "organisation": organisation.name,
                "ods_code": organisation.ods_code,
                "care_setting": reviewee.care_setting,
                "reason": item.reason,
            }
        )
    return MatchingSummary(
        load=dict(sorted(load.items())),
        sized_matches=len(ratios),
        size_ratio_median=statistics.median(ratios) if ratios else None,
        size_ratio_p90=_quantile(ratios, 0.9) if ratios else None,
        size_ratio_max=max(ratios) if ratios else None,
        unknown_size_matches=len(matching.matches) - len(ratios),
        excluded_by_today=excluded,
        unmatched_returns=unmatched,
    )


@dataclass
class Report:
    cycle_id: int
    cycle_title: str
    returns: int
    share: float
    seeds: list[int]
    model: dict[str, Any]
    matched: int
    unmatched: int
    reciprocal_pairs: int
    honest_baseline: dict[str, int]
    matching_details: MatchingSummary | None = None
    runs: list[RunResult] = field(default_factory=list)
    seconds: float = 0.0

    def metric(self, name: str) -> Summary:
        return _summary([self._value(run, name) for run in self.runs])

    def _value(self, run: RunResult, name: str) -> float | None:
        everyone = set(self._keys)
        inflated = set(run.inflated)
        if name == "levels_removed":
            return run.levels_removed / run.inflated_levels if run.inflated_levels else None
        if name == "fully_corrected":
            return run.fully_corrected / len(inflated) if inflated else None
        hit = self._hit(run, name)
        measured = rates(hit, inflated, everyone)
        if name.endswith(":fpr"):
            return measured.false_positive_rate
        return measured.sensitivity

    def _hit(self, run: RunResult, name: str) -> set[str]:
        what = name.split(":")[0]
        flagged = run.flagged
        if what == "review":
            return set(run.review_caught) | set(run.review_lowered_honest)
        if what == "pre_review_flags":
            return {k for kind in PRE_REVIEW_KINDS for k in flagged.get(kind, [])}
        if what == "any_flag":
            return {k for keys in flagged.values() for k in keys}
        if what == "review_or_flag":
            return self._hit(run, "review") | self._hit(run, "any_flag")
        return set(flagged.get(what, []))

    _keys: list[str] = field(default_factory=list)

    def per_inflated_return(self, attribute: str) -> float | None:
        """Inflated levels (or domains) per inflated return, over every run."""
        returns = sum(len(r.inflated) for r in self.runs)
        return sum(getattr(r, attribute) for r in self.runs) / returns if returns else None

    def as_dict(self) -> dict[str, Any]:
        names = ["review", "pre_review_flags", "any_flag", "review_or_flag", *FLAG_KINDS]
        return {
            "cycle_id": self.cycle_id,
            "cycle_title": self.cycle_title,
            "returns": self.returns,
            "share": self.share,
            "seeds": self.seeds,
            "model": self.model,
            "matching": {
                "matched": self.matched,
                "unmatched": self.unmatched,
                "reciprocal_pairs": self.reciprocal_pairs,
                **(asdict(self.matching_details) if self.matching_details else {}),
            },
            "inflation": {
                "returns_per_run": asdict(_summary([len(r.inflated) for r in self.runs])),
                "levels_per_return": self.per_inflated_return("inflated_levels"),
                "domains_per_return": self.per_inflated_return("inflated_domains"),
            },
            "honest_baseline_flags": self.honest_baseline,
            "sensitivity": {n: asdict(self.metric(n)) for n in names},
            "false_positive_rate": {n: asdict(self.metric(f"{n}:fpr")) for n in names},
            "levels_removed": asdict(self.metric("levels_removed")),
            "fully_corrected": asdict(self.metric("fully_corrected")),
            "challenged_returns": asdict(_summary([r.challenged for r in self.runs])),
            "moderations": asdict(_summary([r.moderations for r in self.runs])),
            "runs": [asdict(r) for r in self.runs],
            "seconds": self.seconds,
        }


def _flag_sets(flags: list[Flag]) -> dict[str, list[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for flag in flags:
        found[flag.kind].add(flag.key)
    return {kind: sorted(keys) for kind, keys in found.items()}


def evaluate(
    cycle: Cycle,
    *,
    share: float = 0.10,
    seeds: Sequence[int] = (2025,),
    model: ReviewModel = DEFAULT_MODEL,
    max_load: int = 2,
) -> Report:
    """Run the measurement (module docstring) for each seed; nothing is stored."""
    from maturity.frameworks.selectors import get_edition

    started = time.perf_counter()
    edition = get_edition(cycle.edition.edition_id)
    facts = cohort.edition_facts(edition)
    returns = cohort.reviewable_returns(cycle)
    base = {p.key: p for p in cohort.build_profiles(cycle, returns, edition)}
    keys = sorted(base, key=int)
    answers = cohort.stored_answers(int(k) for k in keys)
    setting_of = {str(r.pk): r.care_setting for r in returns}
    specs = {s: edition.scoring_specs(s) for s in set(setting_of.values())}

    built = cohort.matching_cohort(cycle, [r for r in returns if str(r.pk) in base])
    matching = match_reviewers(
        built.reviewees, built.reviewers, max_load=max_load, excluded=built.same_system_today
    )
    reviewer_of = {m.reviewee: m.reviewer for m in matching.matches}

    honest_flags = raise_flags(list(base.values()), edition=facts)
    report = Report(
        cycle_id=cycle.pk,
        cycle_title=cycle.title,
        returns=len(keys),
        share=share,
        seeds=list(seeds),
        model=asdict(model),
        matched=len(matching.matches),
        unmatched=len(matching.unmatched),
        reciprocal_pairs=matching.reciprocal_pairs,
        honest_baseline={k: len(v) for k, v in _flag_sets(honest_flags).items()},
        matching_details=matching_summary(built, matching),
    )
    report._keys = keys
    for seed in seeds:
        report.runs.append(
            _run(
                seed=seed,
                share=share,
                model=model,
                base=base,
                keys=keys,
                answers=answers,
                specs=specs,
                setting_of=setting_of,
                edition=edition,
                facts=facts,
                reviewer_of=reviewer_of,
            )
        )
    report.seconds = time.perf_counter() - started
    return report


def _run(
    *,
    seed: int,
    share: float,
    model: ReviewModel,
    base: dict[str, ReturnProfile],
    keys: list[str],
    answers: dict[int, dict[str, Any]],
    specs: dict[str, Any],
    setting_of: dict[str, str],
    edition: Any,
    facts: Any,
    reviewer_of: dict[str, str],
) -> RunResult:
    rng = random.Random(seed)
    chosen = sorted(rng.sample(keys, max(1, round(share * len(keys)))), key=int)
    profiles = dict(base)
    inflated_domains: dict[str, frozenset[str]] = {}
    for key in chosen:
        profile = base[key]
        stored = answers[int(key)]
        criteria = {k: str(v) for k, v in stored.items() if k in profile.criterion_answers}
        plan = inflate_answers(
            specs[setting_of[key]],
            criteria,
            profile.domain_levels,
            random.Random(f"{seed}:inflate:{key}"),
            model,
        )
        score = compute_score(
            edition=edition, care_setting=setting_of[key], answers=stored | plan.answers
        )
        raised = frozenset(
            d for d, level in score.domain_levels.items() if level > profile.domain_levels[d]
        )
        if not raised:
            continue
        inflated_domains[key] = raised
        profiles[key] = replace(
            profile,
            domain_levels=dict(score.domain_levels),
            pillar_scores=dict(score.pillar_scores),
            overall=score.overall,
            overall_comparable=score.overall_comparable,
            criterion_answers={k: v for k, v in plan.answers.items()},
        )

    biases: dict[str, float] = {}
    review_caught: list[str] = []
    honest_lowered: list[str] = []
    challenged = moderations = removed = corrected = 0
    with_peer: list[ReturnProfile] = []
    for key in keys:
        profile = profiles[key]
        reviewer = reviewer_of.get(key)
        if reviewer is None:
            with_peer.append(profile)
            continue
        if reviewer not in biases:
            biases[reviewer] = random.Random(f"{seed}:bias:{reviewer}").gauss(
                0.0, model.reviewer_bias_sd
            )
        raised = inflated_domains.get(key, frozenset())
        domains = simulate_review(
            base[key].domain_levels,
            profile.domain_levels,
            inflated=raised,
            bias=biases[reviewer],
            rng=random.Random(f"{seed}:review:{key}"),
            model=model,
        )
        result = verdict(domains, raised)
        challenged += result.challenged
        moderations += result.moderated
        if raised:
            removed += result.removed
            corrected += result.fully_corrected
            if result.removed > 0:
                review_caught.append(key)
        elif result.lowered:
            honest_lowered.append(key)
        with_peer.append(
            replace(profile, peer_levels={d: s.reviewer_level for d, s in domains.items()})
        )
    flags = raise_flags(with_peer, edition=facts)
    inflation = sum(
        profiles[k].domain_levels[d] - base[k].domain_levels[d]
        for k, raised in inflated_domains.items()
        for d in raised
    )
    return RunResult(
        seed=seed,
        inflated=sorted(inflated_domains, key=int),
        inflated_domains=sum(len(v) for v in inflated_domains.values()),
        inflated_levels=inflation,
        flagged=_flag_sets(flags),
        review_caught=review_caught,
        review_lowered_honest=honest_lowered,
        challenged=challenged,
        moderations=moderations,
        levels_removed=removed,
        fully_corrected=corrected,
    )
