"""Simulating a peer-review round, to measure what the review and the flags catch.

Used by the demonstration (``maturity run-demo-peer-review``): a seeded share of returns is
inflated through their answers, reviewers judge the true levels with noise, organisations reply
as honest or inflating organisations would, moderators decide, and the outcome of every domain
follows the same rules as a real review (:func:`maturity.core.review.outcome.domain_outcome`).

Model (method ``peer_review_simulation``; every draw from the caller's seeded ``random.Random``)
    Inflation
        An inflating organisation raises ``domains_raised`` (2 to 6) of its domains below level 5
        by 1 or 2 levels (at most 5), by answering "met" every criterion up to the new level
        (criteria answered not applicable stay so). Contextual answers are left as they were.
    Reviewer judgement
        A reviewing organisation has a leniency ``b`` drawn once from N(0, ``reviewer_bias_sd``);
        for each domain it judges ``round(true level + b + e)`` with ``e`` from
        N(0, ``reviewer_sd``), kept within 1 to 5 (halves rounded up). It agrees when that equals
        the self-assessed level and otherwise challenges, proposing it.
    Evidence
        A reviewer confirms the evidence for a level 4 or 5 only when the true level reaches the
        level it holds (an inflated claim has no such evidence), and even then misses it with
        probability ``evidence_miss``.
    Replies
        The organisation knows its true level. It contests a challenge below its true level, and
        one whose acceptance would leave the domain counted below its true level (a proposed 4 or
        5 whose evidence the reviewer has not confirmed). It accepts the others, except that an
        inflating organisation contests a correct challenge to an inflated domain with
        probability ``inflator_contest``.
    Moderation
        The moderator finds the true level, except with probability ``moderator_error`` one level
        off; a moderator confirms evidence for a decided level 4 or 5 that the true level reaches.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from maturity.core.scoring import DomainSpec

from .outcome import (
    Decision,
    DomainOutcome,
    Response,
    counted_level,
    domain_outcome,
    moderation_reason,
)

SIMULATION_METHOD = "peer_review_simulation"


@dataclass(frozen=True)
class ReviewModel:
    reviewer_sd: float = 0.4
    reviewer_bias_sd: float = 0.2
    evidence_miss: float = 0.05
    inflator_contest: float = 0.5
    moderator_error: float = 0.05
    domains_raised: tuple[int, int] = (2, 6)


@dataclass(frozen=True)
class Inflation:
    answers: dict[str, str]
    #: Domain id → the level the inflating organisation aimed for.
    targets: dict[str, int]


def inflate_answers(
    specs: Sequence[DomainSpec],
    answers: Mapping[str, str],
    levels: Mapping[str, int],
    rng: random.Random,
    model: ReviewModel = ReviewModel(),
) -> Inflation:
    """Raise some domains by 1 or 2 levels through their answers (rules in the docstring)."""
    candidates = sorted((s for s in specs if levels.get(s.id, 5) < 5), key=lambda s: s.id)
    if not candidates:
        return Inflation(dict(answers), {})
    low, high = model.domains_raised
    chosen = rng.sample(candidates, min(len(candidates), rng.randint(low, high)))
    new = dict(answers)
    targets = {}
    for spec in sorted(chosen, key=lambda s: s.id):
        target = min(5, levels[spec.id] + rng.choice((1, 2)))
        targets[spec.id] = target
        for level, criteria in spec.criteria_by_level.items():
            if level <= target:
                for criterion in criteria:
                    if new.get(criterion) != "na":
                        new[criterion] = "met"
    return Inflation(new, targets)


def _clip(level: float) -> int:
    return int(min(5, max(1, math.floor(level + 0.5))))


@dataclass(frozen=True)
class DomainSimulation:
    domain_id: str
    true_level: int
    self_level: int
    reviewer_level: int
    decision: str
    response: str | None
    moderated_level: int | None
    outcome: DomainOutcome


def simulate_review(
    true_levels: Mapping[str, int],
    self_levels: Mapping[str, int],
    *,
    inflated: frozenset[str],
    bias: float,
    rng: random.Random,
    model: ReviewModel = ReviewModel(),
) -> dict[str, DomainSimulation]:
    """One return's review, domain by domain (rules in the module docstring)."""
    result = {}
    for domain in sorted(self_levels):
        true = true_levels[domain]
        claimed = self_levels[domain]
        judged = _clip(true + bias + rng.gauss(0.0, model.reviewer_sd))
        decision = Decision.AGREE if judged == claimed else Decision.CHALLENGE
        held = claimed if decision == Decision.AGREE else judged
        confirmed = held >= 4 and true >= held and rng.random() >= model.evidence_miss
        response = None
        moderated = None
        if decision == Decision.CHALLENGE:
            if judged < true or counted_level(judged, evidence_confirmed=confirmed) < min(
                true, claimed
            ):
                response = Response.CONTEST
            elif judged == true and domain in inflated and rng.random() < model.inflator_contest:
                response = Response.CONTEST
            else:
                response = Response.ACCEPT
            if moderation_reason(claimed, judged, response) is not None:
                moderated = true
                if rng.random() < model.moderator_error:
                    moderated = _clip(true + rng.choice((-1, 1)))
                if moderated >= 4 and true >= moderated:
                    confirmed = True
        outcome = domain_outcome(
            self_level=claimed,
            decision=decision,
            proposed_level=judged if decision == Decision.CHALLENGE else None,
            response=response,
            moderated_level=moderated,
            evidence_confirmed=confirmed,
        )
        result[domain] = DomainSimulation(
            domain, true, claimed, judged, str(decision), response, moderated, outcome
        )
    return result


@dataclass(frozen=True)
class ReturnVerdict:
    """What the review did to one return."""

    challenged: bool
    moderated: int
    #: Some self-assessed level was lowered in the end.
    lowered: bool
    #: Inflated levels taken back (self minus counted, capped at the inflation), and their total.
    removed: int
    inflation: int
    #: Every inflated domain ended at or below its true level.
    fully_corrected: bool


def verdict(domains: Mapping[str, DomainSimulation], inflated: frozenset[str]) -> ReturnVerdict:
    removed = 0
    inflation = 0
    for domain in inflated:
        sim = domains[domain]
        counted = sim.outcome.counted_level or sim.self_level
        extra = sim.self_level - sim.true_level
        inflation += max(0, extra)
        removed += max(0, min(extra, sim.self_level - counted))
    return ReturnVerdict(
        challenged=any(d.decision == Decision.CHALLENGE for d in domains.values()),
        moderated=sum(1 for d in domains.values() if d.moderated_level is not None),
        lowered=any(
            (d.outcome.counted_level or d.self_level) < d.self_level for d in domains.values()
        ),
        removed=removed,
        inflation=inflation,
        fully_corrected=all(
            (domains[d].outcome.counted_level or domains[d].self_level) <= domains[d].true_level
            for d in inflated
        ),
    )


@dataclass(frozen=True)
class Rates:
    """Share of inflated returns caught (sensitivity) and of honest returns hit (false positives)."""

    inflated: int
    honest: int
    caught: int
    false_positives: int

    @property
    def sensitivity(self) -> float | None:
        return self.caught / self.inflated if self.inflated else None

    @property
    def false_positive_rate(self) -> float | None:
        return self.false_positives / self.honest if self.honest else None


def rates(hit: set[str], inflated: set[str], everyone: set[str]) -> Rates:
    honest = everyone - inflated
    return Rates(
        inflated=len(inflated),
        honest=len(honest),
        caught=len(hit & inflated),
        false_positives=len(hit & honest),
    )
