"""Demonstration data: the 2025 returns that reproduce NHS England's published scores, and the
open 2026 demonstration cycle that people can answer in the demo."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from maturity.core.framework.schema import Edition
from maturity.core.scoring import ReturnScore, round_half_up
from maturity.core.vocab import CareSetting
from maturity.organisations.models import (
    Organisation,
    OrganisationFact,
    OrganisationKind,
    Relationship,
)

from .. import demo_plan
from ..models import Answer, Cycle, Return, ReturnStatus, Score
from ..statemachine import CycleState
from .scoring import _get_edition, _score_row, compute_score


class DemonstrationError(Exception):
    """Demonstration returns cannot be generated (something they need is not loaded)."""


# --- Demonstration returns ---------------------------------------------------------------------

DEMO_YEAR = 2025
# The organisation fact holding a trust's main EPR supplier (NHS England EPR extract, Oct 2024).
EPR_SUPPLIER_FACT = "epr_supplier"
# The organisation fact holding a GP practice's clinical system (Appointments in General Practice).
GP_SYSTEM_FACT = "gp_system"
_GP_SYSTEM_OPTIONS = {"EMIS": "emis_web", "TPP": "systmone"}
# The 2025 collection ran April to June 2025: the registry is read as it stood then.
DEMO_COLLECTION_DATE = dt.date(2025, 6, 30)
# The 2025 collection's timetable; NHS England published the results on 30 March 2026.
DEMO_2025_DATES = {
    "opens_on": dt.date(2025, 4, 1),
    "closes_on": DEMO_COLLECTION_DATE,
    "review_closes_on": dt.date(2025, 9, 30),
    "provisional_release_on": dt.date(2025, 12, 1),
    "publication_on": dt.date(2026, 3, 30),
}


@dataclass(frozen=True)
class DemoMismatch:
    """A published pillar score a demonstration return does not reproduce, and why."""

    ods_code: str
    name: str
    care_setting: str
    pillar: str
    published: float
    ours: float | None
    reason: str


@dataclass
class DemoSummary:
    edition_id: str
    seed: int
    cycle_id: int | None = None
    rows: int = 0
    returns_created: int = 0
    returns_existing: int = 0
    answers_created: int = 0
    scores_created: int = 0
    pillars_checked: int = 0
    pillars_matched: int = 0
    unmatched: list[DemoMismatch] = field(default_factory=list)
    #: Pillars the edition scores for a row but the publisher gave no figure for.
    unpublished_pillars: list[str] = field(default_factory=list)
    #: Rows whose reference facts (EPR) had to give way so the published scores could be matched.
    facts_overridden: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def all_matched(self) -> bool:
        return not self.unmatched and self.pillars_checked == self.pillars_matched


def _known_facts(organisations: list[Organisation]) -> dict[int, dict[str, Any]]:
    """Contextual answers the reference data already gives, by organisation: a trust's EPR
    supplier (NHS England extract), an ICB's most used GP clinical system (its practices)."""
    known: dict[int, dict[str, Any]] = defaultdict(dict)
    facts = OrganisationFact.objects.filter(
        key=EPR_SUPPLIER_FACT, organisation__in=organisations
    ).order_by("organisation_id", "as_of")
    for fact in facts:  # the latest as_of wins
        supplier = fact.value if isinstance(fact.value, str) else str(fact.value)
        option = demo_plan.epr_option(supplier)
        known[fact.organisation_id]["ctx.epr_supplier"] = option
        known[fact.organisation_id]["ctx.epr_in_place"] = option != "none"
    icbs = [org for org in organisations if org.kind == OrganisationKind.ICB]
    for icb_id, system in _gp_systems_by_icb(icbs).items():
        known[icb_id]["ctx.gp_clinical_system"] = system
    return known


def _gp_systems_by_icb(icbs: list[Organisation]) -> dict[int, str]:
    """The GP clinical system most of each ICB's practices use, as a contextual option."""
    if not icbs:
        return {}
    on = DEMO_COLLECTION_DATE
    sub_icb_to_icb = dict(
        Relationship.objects.valid_on(on)
        .filter(parent__in=icbs, child__kind=OrganisationKind.SUB_ICB)
        .values_list("child_id", "parent_id")
    )
    practice_to_icb = {
        child: sub_icb_to_icb[parent]
        for child, parent in Relationship.objects.valid_on(on)
        .filter(parent_id__in=list(sub_icb_to_icb), child__kind=OrganisationKind.GP_PRACTICE)
        .values_list("child_id", "parent_id")
    }
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    systems = OrganisationFact.objects.filter(
        key=GP_SYSTEM_FACT, organisation_id__in=list(practice_to_icb)
    ).values_list("organisation_id", "value")
    for practice, system in systems:
        counts[practice_to_icb[practice]][_GP_SYSTEM_OPTIONS.get(str(system).upper(), "other")] += 1
    return {icb: counter.most_common(1)[0][0] for icb, counter in counts.items()}


@dataclass
class _Setting:
    """What the edition asks of one care setting, prepared once per run."""

    domains: list[Any]
    specs: list[Any]
    links: dict[str, str]
    questions: list[Any]
    dependents: dict[str, set[str]]
    criteria: frozenset[str]


def _setting(edition: Edition, care_setting: str) -> _Setting:
    specs = edition.scoring_specs(care_setting)
    domains = edition.domains_for(care_setting)
    links = {
        criterion.id: criterion.context_question
        for domain in domains
        for criterion in domain.criteria
        if criterion.context_question
    }
    return _Setting(
        domains=domains,
        specs=specs,
        links=links,
        questions=edition.questions_for(care_setting),
        dependents=demo_plan.question_dependents(edition.questions_for(care_setting)),
        criteria=frozenset(c for spec in specs for c in spec.criterion_ids),
    )


def _plan(
    setting: _Setting,
    targets: dict[str, float],
    facts: dict[str, Any],
    seed: int,
    *identity: str,
) -> tuple[demo_plan.ReturnPlan, random.Random]:
    rng = demo_plan.rng_for(seed, *identity)
    locked = demo_plan.locked_criteria(setting.links, facts, setting.dependents)
    levels = demo_plan.plan_return(
        [
            demo_plan.DomainInput(spec=spec, locked=locked & frozenset(spec.criterion_ids))
            for spec in setting.specs
        ],
        targets,
        rng,
    )
    return levels, rng


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


@transaction.atomic
def generate_demonstration_returns(
    *, edition_id: str = "wgll-2025", seed: int = 2025
) -> DemoSummary:
    """One demonstration return for every published 2025 row, reproducing its pillar scores.

    For each published row (trust × care setting; ICB × icb; ICB × primary care) a return in a
    demonstration cycle is answered criterion by criterion so that the scoring engine's pillar
    scores round to the published ones, contextual questions are answered consistently with the
    reference data (EPR supplier), and the return is scored and the score stored. Deterministic
    for a seed; a second run creates nothing. The summary lists every published pillar score
    that could not be reproduced, with the reason.
    """
    from maturity.frameworks.models import FrameworkEdition
    from maturity.results.selectors import published_pillar_targets

    started = time.perf_counter()
    summary = DemoSummary(edition_id=edition_id, seed=seed)
    edition_row = FrameworkEdition.objects.filter(edition_id=edition_id).first()
    if edition_row is None:
        raise DemonstrationError(
            f"Framework edition {edition_id!r} is not loaded: run `maturity sync-editions` first."
        )
    edition = _get_edition(edition_id)
    targets = published_pillar_targets(year=DEMO_YEAR)
    if not targets:
        raise DemonstrationError(
            f"There are no published {DEMO_YEAR} results to base demonstration returns on: run "
            "`maturity import-published-results` first."
        )

    # Real and demonstration cycles of one year and edition are distinct rows: demonstration
    # returns never join a real cycle.
    cycle = Cycle.objects.filter(year=DEMO_YEAR, edition=edition_row, is_demonstration=True).first()
    if cycle is None:
        cycle = Cycle.objects.create(
            year=DEMO_YEAR,
            edition=edition_row,
            title=f"{DEMO_YEAR} demonstration cycle ({edition_id})",
            is_demonstration=True,
            status=CycleState.PUBLISHED,
            scope_organisation_kinds=sorted({t.organisation.kind for t in targets}),
            scope_care_settings=[
                s.value for s in CareSetting if s.value in {t.care_setting for t in targets}
            ],
            **DEMO_2025_DATES,
        )
    summary.cycle_id = cycle.pk

    existing = {
        (r.organisation_id, r.care_setting): r
        for r in Return.objects.filter(cycle=cycle).select_related("organisation")
    }
    latest_scores: dict[int, Score] = {}
    for score in Score.objects.filter(return_obj__cycle=cycle).order_by("computed_at", "id"):
        latest_scores[score.return_obj_id] = score

    settings_cache: dict[str, _Setting] = {}
    known = _known_facts([t.organisation for t in targets])
    new_returns: list[Return] = []
    planned: list[tuple[Return, dict[str, Any], ReturnScore]] = []

    for target in targets:
        org = target.organisation
        summary.rows += 1
        current = existing.get((org.pk, target.care_setting))
        if current is not None:
            summary.returns_existing += 1
            stored = latest_scores.get(current.pk)
            pillars = stored.pillar_scores if stored else {}
            _check(summary, target, pillars, missing_reason="the return has no stored score")
            continue
        setting = settings_cache.get(target.care_setting)
        if setting is None:
            setting = settings_cache[target.care_setting] = _setting(edition, target.care_setting)
        facts = {
            q: v
            for q, v in known.get(org.pk, {}).items()
            if any(question.id == q for question in setting.questions)
        }
        plan, rng = _plan(
            setting, target.pillars, facts, seed, edition_id, org.ods_code, target.care_setting
        )
        if facts and any(p.problem for p in plan.pillars):
            # The EPR extract is from October 2024; a trust "getting one" may have gone live by
            # the 2025 collection. The published scores win over the older fact.
            without, other_rng = _plan(
                setting, target.pillars, {}, seed, edition_id, org.ods_code, target.care_setting
            )
            if not any(p.problem for p in without.pillars):
                plan, rng, facts = without, other_rng, {}
                summary.facts_overridden.append(f"{org.ods_code} {target.care_setting}")
        contextual = demo_plan.plan_contextual_answers(
            setting.questions,
            known=facts,
            links=setting.links,
            domain_levels=plan.domain_levels,
            answers=plan.answers,
            rng=rng,
        )
        answers: dict[str, Any] = dict(plan.answers)
        answers.update({q: _json_value(v) for q, v in contextual.items()})
        result = compute_score(edition=edition, care_setting=target.care_setting, answers=answers)
        for pillar_plan in plan.pillars:
            if pillar_plan.target is None:
                summary.unpublished_pillars.append(
                    f"{org.ods_code} {target.care_setting} {pillar_plan.pillar}"
                )
        _check(summary, target, result.pillar_scores, problems=plan.pillars)
        return_ = Return(
            cycle=cycle,
            organisation=org,
            care_setting=target.care_setting,
            status=ReturnStatus.COMMITTED,
            is_demonstration=True,
        )
        new_returns.append(return_)
        planned.append((return_, answers, result))

    Return.objects.bulk_create(new_returns, batch_size=500)
    answer_rows = [
        Answer(return_obj_id=return_.pk, item_id=item, value=value)
        for return_, answers, _ in planned
        for item, value in sorted(answers.items())
    ]
    Answer.objects.bulk_create(answer_rows, batch_size=2000)
    scores = [_score_row(return_, edition_id, result) for return_, _, result in planned]
    Score.objects.bulk_create(scores, batch_size=500)
    summary.returns_created = len(new_returns)
    summary.answers_created = len(answer_rows)
    summary.scores_created = len(scores)
    summary.seconds = time.perf_counter() - started
    return summary


def _check(
    summary: DemoSummary,
    target: Any,
    ours: Mapping[str, float],
    *,
    problems: list[demo_plan.PillarPlan] | None = None,
    missing_reason: str = "the edition scores no domain of this pillar for this care setting",
) -> None:
    reasons = {p.pillar: p.problem for p in problems or [] if p.problem}
    for pillar, published in target.pillars.items():
        summary.pillars_checked += 1
        value = ours.get(pillar)
        if value is not None and round_half_up(value, 1) == round_half_up(published, 1):
            summary.pillars_matched += 1
            continue
        summary.unmatched.append(
            DemoMismatch(
                ods_code=target.organisation.ods_code,
                name=target.organisation.name,
                care_setting=target.care_setting,
                pillar=pillar,
                published=published,
                ours=value,
                reason=reasons.get(pillar)
                or (missing_reason if value is None else "the levels found do not round to it"),
            )
        )


# --- The open 2026 demonstration cycle ---------------------------------------------------------

OPEN_DEMO_YEAR = 2026
OPEN_DEMO_EDITION = "wgll-2025"  # the latest published edition
OPEN_DEMO_KINDS = ["trust", "icb"]
OPEN_DEMO_DATES = {
    "opens_on": dt.date(2026, 11, 1),
    "closes_on": dt.date(2027, 1, 31),
    "review_closes_on": dt.date(2027, 3, 31),
    "provisional_release_on": dt.date(2027, 4, 30),
    "publication_on": dt.date(2027, 6, 30),
}


@transaction.atomic
def open_demonstration_cycle(*, by: Any = None) -> Cycle:
    """The open 2026 demonstration cycle on wgll-2025, for trusts and ICBs in every care setting
    they provide; created once, returned as it is afterwards. ``by`` None is the system."""
    from maturity.frameworks.models import FrameworkEdition

    from .cycles import create_cycle

    existing = (
        Cycle.objects.filter(
            year=OPEN_DEMO_YEAR, edition__edition_id=OPEN_DEMO_EDITION, is_demonstration=True
        )
        .select_related("edition")
        .first()
    )
    if existing is not None:
        return existing
    if not FrameworkEdition.objects.filter(edition_id=OPEN_DEMO_EDITION).exists():
        raise DemonstrationError(
            f"Framework edition {OPEN_DEMO_EDITION!r} is not loaded: run "
            "`maturity sync-editions` first."
        )
    edition = _get_edition(OPEN_DEMO_EDITION)
    return create_cycle(
        by=by,
        year=OPEN_DEMO_YEAR,
        edition_id=OPEN_DEMO_EDITION,
        title=f"{OPEN_DEMO_YEAR} demonstration cycle ({OPEN_DEMO_EDITION})",
        organisation_kinds=OPEN_DEMO_KINDS,
        care_settings=[s.value for s in edition.care_settings_covered()],
        is_demonstration=True,
        **OPEN_DEMO_DATES,
    )
