"""Planning demonstration returns that reproduce published pillar scores (no Django here).

A published pillar score is the mean of the integer levels of the pillar's domains, rounded to
one decimal. For a pillar with ``n`` domains and published score ``t`` we pick the integer total
``S`` in ``n..5n`` closest to ``t × n`` whose mean rounds (half up) to the same one-decimal figure,
spread ``S`` over the domains as plausible levels 1–5, and answer each domain's criteria so the
scoring engine's cumulative gating gives exactly that level. Everything is drawn from a
``random.Random`` the caller seeds, so a seed always gives the same return.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from maturity.core.framework.schema import ContextualQuestion, QuestionType
from maturity.core.scoring import Answer, DomainSpec, domain_level, round_half_up

MIN_LEVEL = 1
MAX_LEVEL = 5
# A few criteria below a domain's level are answered not applicable, as real returns do.
NOT_APPLICABLE_RATE = 0.03


@dataclass(frozen=True)
class DomainInput:
    spec: DomainSpec
    #: Criteria that must not be met (they depend on a contextual answer that says "no").
    locked: frozenset[str] = frozenset()

    @property
    def cap(self) -> int:
        """The highest level reachable with the locked criteria not met."""
        cap = MAX_LEVEL
        for level, criteria in self.spec.criteria_by_level.items():
            if any(c in self.locked for c in criteria):
                cap = min(cap, level - 1)
        return max(MIN_LEVEL, cap)


@dataclass(frozen=True)
class PillarPlan:
    pillar: str
    target: float | None
    domains: int
    total: int | None
    levels: dict[str, int]
    #: Why the published figure cannot be reproduced (None when it can, or there is none).
    problem: str | None = None


@dataclass
class ReturnPlan:
    domain_levels: dict[str, int] = field(default_factory=dict)
    answers: dict[str, str] = field(default_factory=dict)
    pillars: list[PillarPlan] = field(default_factory=list)


def closest_total(n: int, target: float, caps: Sequence[int] | None = None) -> int | None:
    """The integer total S of ``n`` levels whose mean rounds (half up, one decimal) to the same
    figure as ``target``, closest to ``target × n``; None when no total in range does."""
    wanted = round_half_up(target, 1)
    low, high = MIN_LEVEL * n, sum(caps) if caps is not None else MAX_LEVEL * n
    exact = Fraction(target) * n
    # Totals nearest the exact one first, so the search usually stops after one or two.
    nearest = sorted(range(low, high + 1), key=lambda s: (abs(s - exact), s))
    for total in nearest:
        if round_half_up(Fraction(total, n), 1) == wanted:
            return total
    return None


def spread_levels(total: int, caps: Sequence[int], rng: random.Random) -> list[int]:
    """Levels 1..cap summing to ``total``: mostly even, with some realistic spread."""
    n = len(caps)
    if not MIN_LEVEL * n <= total <= sum(caps):
        raise ValueError(f"a total of {total} cannot be spread over caps {list(caps)}")
    levels = [MIN_LEVEL] * n
    remaining = total - MIN_LEVEL * n
    while remaining:
        open_ = [i for i in range(n) if levels[i] < caps[i]]
        lowest = min(levels[i] for i in open_)
        # Usually raise one of the lowest domains; sometimes any, so profiles are not flat.
        pool = open_ if rng.random() < 0.35 else [i for i in open_ if levels[i] == lowest]
        levels[rng.choice(pool)] += 1
        remaining -= 1
    return levels


def answer_domain(domain: DomainInput, level: int, rng: random.Random) -> dict[str, str]:
    """Criterion answers that give ``domain`` exactly ``level`` by cumulative gating."""
    spec = domain.spec
    answers: dict[str, str] = {}
    for lvl in range(MIN_LEVEL, MAX_LEVEL + 1):
        criteria = list(spec.criteria_by_level.get(lvl, ()))
        if not criteria:
            continue
        if lvl <= level:
            for criterion in criteria:
                if criterion in domain.locked:
                    answers[criterion] = Answer.NOT_MET.value  # only at the level-1 floor
                elif len(criteria) > 1 and rng.random() < NOT_APPLICABLE_RATE:
                    answers[criterion] = Answer.NOT_APPLICABLE.value
                else:
                    answers[criterion] = Answer.MET.value
            # Keep at least one criterion met at every passed level (all N/A reads oddly).
            if lvl > MIN_LEVEL and all(answers[c] != Answer.MET.value for c in criteria):
                answers[criteria[0]] = Answer.MET.value
        elif lvl == level + 1:
            unmet = set(rng.sample(criteria, rng.randint(1, len(criteria))))
            unmet |= {c for c in criteria if c in domain.locked}
            for criterion in criteria:
                answers[criterion] = (
                    Answer.NOT_MET.value if criterion in unmet else Answer.MET.value
                )
        else:
            # Above the gap some credit exists, less of it the higher the level.
            chance = max(0.05, 0.4 - 0.15 * (lvl - level - 2))
            for criterion in criteria:
                met = criterion not in domain.locked and rng.random() < chance
                answers[criterion] = Answer.MET.value if met else Answer.NOT_MET.value
    if level == MIN_LEVEL and rng.random() < 0.3:
        # At the floor, sometimes even a basic criterion is not met yet.
        first = list(spec.criteria_by_level.get(MIN_LEVEL, ()))
        if first:
            answers[rng.choice(first)] = Answer.NOT_MET.value
    got = domain_level(spec, {k: Answer(v) for k, v in answers.items()})
    if got != level:  # pragma: no cover - would be a bug in this function
        raise AssertionError(f"{spec.id}: planned level {level}, answers give {got}")
    return answers


def plan_return(
    domains: Sequence[DomainInput],
    targets: Mapping[str, float],
    rng: random.Random,
) -> ReturnPlan:
    """Levels and criterion answers for one return so each pillar reproduces its target.

    Pillars without a published target get plausible levels near the return's other targets.
    """
    by_pillar: dict[str, list[DomainInput]] = {}
    for domain in domains:
        by_pillar.setdefault(domain.spec.pillar, []).append(domain)
    plan = ReturnPlan()
    known = [t for p, t in targets.items() if p in by_pillar]
    typical = sum(known) / len(known) if known else 2.5

    for pillar, members in by_pillar.items():
        caps = [d.cap for d in members]
        n = len(members)
        target = targets.get(pillar)
        problem = None
        if target is None:
            total = min(max(round(typical * n), n), sum(caps))
        else:
            total = closest_total(n, target, caps)
            if total is None:
                problem = (
                    f"no mean of {n} whole levels (each at most its cap {caps}) rounds to "
                    f"{round_half_up(target, 1)}"
                )
                # Still answer the domains, as close as the caps allow.
                total = min(max(round(target * n), n), sum(caps))
        levels = spread_levels(total, caps, rng)
        plan.pillars.append(
            PillarPlan(
                pillar=pillar,
                target=target,
                domains=n,
                total=total,
                levels={d.spec.id: lvl for d, lvl in zip(members, levels, strict=True)},
                problem=problem,
            )
        )
        for domain, level in zip(members, levels, strict=True):
            plan.domain_levels[domain.spec.id] = level
            plan.answers.update(answer_domain(domain, level, rng))
    for pillar in targets:
        if pillar not in by_pillar:
            plan.pillars.append(
                PillarPlan(
                    pillar=pillar,
                    target=targets[pillar],
                    domains=0,
                    total=None,
                    levels={},
                    problem="the edition has no domain of this pillar for this care setting",
                )
            )
    return plan


def rng_for(seed: int, *parts: str) -> random.Random:
    """A generator seeded by the run's seed and the row's identity, so rows are independent of
    the order they are generated in and of which other rows exist."""
    return random.Random(f"{seed}:" + ":".join(str(p) for p in parts))


# --- Contextual (factual) answers -----------------------------------------------------------------

# Words in the published supplier name → the contextual question's option.
_EPR_OPTIONS = (
    ("no epr", "none"),
    ("cerner", "oracle_health"),
    ("oracle", "oracle_health"),
    ("epic", "epic"),
    ("system c", "system_c"),
    ("dedalus", "dedalus"),
    ("altera", "altera"),
    ("tpp", "tpp"),
    ("emis", "emis"),
    ("access", "access"),
    ("meditech", "meditech"),
    ("in house", "in_house"),
    ("generic", "in_house"),
)


def epr_option(supplier: str) -> str:
    """The ``ctx.epr_supplier`` option for a supplier named as NHS England's EPR extract names it."""
    text = " ".join(supplier.lower().replace("-", " ").split())
    for words, option in _EPR_OPTIONS:
        if words in text:
            return option
    return "other"


NEGATIVE_CHOICES = frozenset({"none"})
_YES_CHANCE = {1: 0.2, 2: 0.5, 3: 0.8, 4: 0.95, 5: 1.0}


def is_negative(value: Any) -> bool:
    """Whether a contextual answer says the thing is absent (no, none, nothing, zero)."""
    if isinstance(value, bool):
        return value is False
    if isinstance(value, str):
        return value in NEGATIVE_CHOICES
    if isinstance(value, list):
        return not value
    if isinstance(value, int | float):
        return value == 0
    return False


def question_dependents(questions: Sequence[ContextualQuestion]) -> dict[str, set[str]]:
    """For each question, the questions asked only when it is answered yes (transitively):
    "how many people are monitored" is asked only if remote monitoring is in use."""
    direct: dict[str, set[str]] = {}
    for question in questions:
        condition = question.enable_when
        if condition and condition.operator == "equals" and condition.answer is True:
            direct.setdefault(condition.question, set()).add(question.id)
    result: dict[str, set[str]] = {}
    for question in questions:
        seen: set[str] = set()
        todo = list(direct.get(question.id, ()))
        while todo:
            current = todo.pop()
            if current not in seen:
                seen.add(current)
                todo.extend(direct.get(current, ()))
        result[question.id] = seen
    return result


def locked_criteria(
    links: Mapping[str, str],
    known: Mapping[str, Any],
    dependents: Mapping[str, set[str]] | None = None,
) -> frozenset[str]:
    """Criteria that cannot be met because a contextual answer they depend on is negative
    (directly, or through a question that is then not asked)."""
    negative = {q for q, value in known.items() if is_negative(value)}
    for question in list(negative):
        negative |= set((dependents or {}).get(question, ()))
    return frozenset(criterion for criterion, question in links.items() if question in negative)


def plan_contextual_answers(
    questions: Sequence[ContextualQuestion],
    *,
    known: Mapping[str, Any],
    links: Mapping[str, str],
    domain_levels: Mapping[str, int],
    answers: Mapping[str, str],
    rng: random.Random,
) -> dict[str, Any]:
    """Plausible contextual answers consistent with the criterion answers and with ``known``
    facts (which win). A "no" is never given where a criterion that depends on the question is
    met. Values are clean (the question's canonical type); unasked questions are left out."""
    by_id = {q.id: q for q in questions}
    dependents = question_dependents(questions)
    typical = round(sum(domain_levels.values()) / len(domain_levels)) if domain_levels else 2
    result: dict[str, Any] = {}
    for question in questions:
        if not question.is_enabled(result, by_id):
            continue
        if question.id in known:
            result[question.id] = question.clean_answer(known[question.id])
            continue
        if not question.mandatory and rng.random() < 0.3:
            continue
        governed = {question.id} | dependents.get(question.id, set())
        linked_met = any(
            answers.get(c) == Answer.MET.value for c, q in links.items() if q in governed
        )
        levels = [domain_levels[d] for d in question.evidences if d in domain_levels]
        level = max(levels) if levels else typical
        value = _contextual_value(question, level, linked_met, result, by_id, rng)
        result[question.id] = question.clean_answer(value)
    return result


def _contextual_value(
    question: ContextualQuestion,
    level: int,
    linked_met: bool,
    so_far: Mapping[str, Any],
    by_id: Mapping[str, ContextualQuestion],
    rng: random.Random,
) -> Any:
    kind = question.type
    if kind == QuestionType.YES_NO:
        return linked_met or rng.random() < _YES_CHANCE[level]
    if kind == QuestionType.SINGLE_CHOICE:
        values = question.option_values
        if "none" in values and _absent_elsewhere(question, so_far, by_id):
            return "none"
        real = [v for v in values if v not in NEGATIVE_CHOICES and v != "other"]
        if "other" in values and rng.random() < 0.05 or not real:
            return "other" if "other" in values else values[0]
        return rng.choice(real)
    if kind == QuestionType.MULTIPLE_CHOICE:
        values = [v for v in question.option_values if v not in NEGATIVE_CHOICES]
        count = min(len(values), max(1, level + rng.randint(-1, 1)))
        return rng.sample(values, count)
    if kind == QuestionType.PERCENTAGE:
        low = 10 + 18 * (level - 1)
        return round(rng.uniform(low, min(100, low + 25)), 1)
    if kind == QuestionType.INTEGER:
        low = max(question.minimum or 0, 1)
        high = question.maximum if question.maximum is not None else low + 150 * level
        return rng.randint(low, max(low, high))
    if kind == QuestionType.DATE:
        start = dt.date(2008, 1, 1)
        return start + dt.timedelta(days=rng.randint(0, (dt.date(2024, 12, 31) - start).days))
    return "Demonstration answer (generated)"


def _absent_elsewhere(
    question: ContextualQuestion,
    so_far: Mapping[str, Any],
    by_id: Mapping[str, ContextualQuestion],
) -> bool:
    # "No EPR in use" makes the supplier "None": a yes/no question about the same domain said no.
    shared = set(question.evidences)
    return any(
        by_id[qid].type == QuestionType.YES_NO
        and value is False
        and shared & set(by_id[qid].evidences)
        for qid, value in so_far.items()
    )
