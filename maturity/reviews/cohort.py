"""Reads that turn a cycle's returns into the plain inputs of the pure peer-review core.

Everything here is batched (a handful of queries per cycle, whatever its size): the matching,
the flags, the demonstration and the reports all start from these functions.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from maturity.assessments.models import Answer, Cycle, Return, ReturnStatus, Score
from maturity.core.framework.schema import Edition
from maturity.core.review.flags import EditionFacts, PreviousYear, ReferenceFacts, ReturnProfile
from maturity.core.review.matching import Reviewee, ReviewerOrganisation
from maturity.core.scoring import ReturnScore
from maturity.core.vocab import CARE_SETTING_LABELS, PILLAR_LABELS
from maturity.organisations.models import (
    Organisation,
    OrganisationFact,
    OrganisationKind,
    Relationship,
)

#: The fact that measures each kind of organisation's size, and how to describe it.
SIZE_FACTS: dict[str, tuple[str, str]] = {
    OrganisationKind.TRUST: ("catchment_population", "catchment population"),
    OrganisationKind.ICB: ("population", "population"),
    OrganisationKind.SUB_ICB: ("population", "population"),
    OrganisationKind.GP_PRACTICE: ("list_size", "registered list"),
    OrganisationKind.ASC_PROVIDER: ("care_home_beds", "care home beds"),
}
EPR_SUPPLIER_FACT = "epr_supplier"
EPR_SOURCE = "NHS England's EPR supplier extract"
GP_SYSTEM_FACT = "gp_system"
GP_SOURCE = "the GP practice registry (Appointments in General Practice)"
GP_SYSTEM_OPTIONS = {"EMIS": "emis_web", "TPP": "systmone"}
EPR_QUESTION = "ctx.epr_in_place"


def hierarchy_date(cycle: Cycle) -> dt.date:
    """The day the hierarchy is read for a cycle: its close (the review starts then)."""
    return cycle.closes_on or timezone.localdate()


@dataclass(frozen=True)
class Placement:
    ics: Organisation | None
    region: Organisation | None


def placements(organisation_ids: Iterable[int], on: dt.date) -> dict[int, Placement]:
    """Each organisation's integrated care system (its ICB) and region on ``on`` (four queries).

    An ICB is its own system. Others reach their ICB directly (trusts, sub-ICB locations, local
    authorities) or through one level (practices, adult social care providers); a direct link
    wins.
    """
    ids = set(organisation_ids)
    orgs = Organisation.objects.in_bulk(ids)
    links = Relationship.objects.valid_on(on).select_related("parent")
    parents: dict[int, list[Organisation]] = defaultdict(list)
    for link in links.filter(child_id__in=ids):
        parents[link.child_id].append(link.parent)
    middle = {p.pk for ps in parents.values() for p in ps if p.kind != OrganisationKind.ICB}
    grandparents: dict[int, list[Organisation]] = defaultdict(list)
    for link in links.filter(child_id__in=middle, parent__kind=OrganisationKind.ICB):
        grandparents[link.child_id].append(link.parent)

    icb_of: dict[int, Organisation | None] = {}
    for pk in ids:
        org = orgs.get(pk)
        if org is None:
            continue
        if org.kind == OrganisationKind.ICB:
            icb_of[pk] = org
            continue
        direct = sorted(
            (p for p in parents.get(pk, []) if p.kind == OrganisationKind.ICB),
            key=lambda p: p.ods_code,
        )
        via = sorted(
            (g for p in parents.get(pk, []) for g in grandparents.get(p.pk, [])),
            key=lambda p: p.ods_code,
        )
        icb_of[pk] = (direct or via or [None])[0]
    icb_ids = {icb.pk for icb in icb_of.values() if icb is not None}
    region_of = {
        link.child_id: link.parent
        for link in links.filter(child_id__in=icb_ids, parent__kind=OrganisationKind.REGION)
    }
    return {
        pk: Placement(icb, region_of.get(icb.pk) if icb is not None else None)
        for pk, icb in icb_of.items()
    }


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def _latest_facts(
    organisation_ids: Iterable[int], keys: Iterable[str]
) -> dict[tuple[int, str], Any]:
    found: dict[tuple[int, str], Any] = {}
    facts = OrganisationFact.objects.filter(
        organisation_id__in=set(organisation_ids), key__in=set(keys)
    ).order_by("organisation_id", "key", "as_of", "id")
    for fact in facts:  # the latest as_of wins
        found[(fact.organisation_id, fact.key)] = fact.value
    return found


def sizes(organisations: Iterable[Organisation]) -> dict[int, tuple[float | None, str]]:
    """Each organisation's size and what it measures (catchment population, list size …)."""
    orgs = list(organisations)
    facts = _latest_facts((o.pk for o in orgs), {key for key, _ in SIZE_FACTS.values()})
    result: dict[int, tuple[float | None, str]] = {}
    for org in orgs:
        key, basis = SIZE_FACTS.get(org.kind, ("", "size"))
        result[org.pk] = (_number(facts.get((org.pk, key))), basis)
    return result


def reviewable_returns(cycle: Cycle) -> list[Return]:
    """The cycle's committed returns still in scope."""
    return list(
        Return.objects.active()
        .filter(cycle=cycle, status=ReturnStatus.COMMITTED)
        .select_related("organisation")
        .order_by("pk")
    )


@dataclass(frozen=True)
class MatchingCohort:
    reviewees: list[Reviewee]
    reviewers: list[ReviewerOrganisation]
    placements: dict[int, Placement]
    organisations: dict[int, Organisation]
    #: (return key, organisation) pairs in one system by today's hierarchy, though not by the
    #: cycle's: the reviewer could not see the return (a reviewer never sees their own system's).
    same_system_today: set[tuple[str, str]]


def matching_cohort(cycle: Cycle, returns: list[Return]) -> MatchingCohort:
    """The matching's inputs: the returns to review and every organisation answering the cycle
    (an organisation reviews the care settings it answers itself)."""
    pool = list(
        Return.objects.active().filter(cycle=cycle).select_related("organisation").order_by("pk")
    )
    organisations = {r.organisation_id: r.organisation for r in pool + returns}
    placed = placements(organisations, hierarchy_date(cycle))
    sized = sizes(organisations.values())
    settings_of: dict[int, set[str]] = defaultdict(set)
    for r in pool:
        settings_of[r.organisation_id].add(r.care_setting)

    def ics_of(pk: int) -> tuple[str | None, str]:
        icb = placed.get(pk, Placement(None, None)).ics
        return (str(icb.pk), icb.name) if icb is not None else (None, "")

    reviewees = []
    for r in returns:
        ics, ics_name = ics_of(r.organisation_id)
        size, basis = sized[r.organisation_id]
        reviewees.append(
            Reviewee(
                key=str(r.pk),
                organisation=str(r.organisation_id),
                care_setting=r.care_setting,
                ics=ics,
                size=size,
                name=r.organisation.name,
                ics_name=ics_name,
                size_basis=basis,
            )
        )
    reviewers = []
    for pk, care_settings in sorted(settings_of.items()):
        ics, ics_name = ics_of(pk)
        size, basis = sized[pk]
        reviewers.append(
            ReviewerOrganisation(
                organisation=str(pk),
                care_settings=frozenset(care_settings),
                ics=ics,
                size=size,
                name=organisations[pk].name,
                ics_name=ics_name,
                size_basis=basis,
            )
        )
    today = placements(organisations, timezone.localdate())
    by_system: dict[int, set[int]] = defaultdict(set)
    for pk, placement in today.items():
        if placement.ics is not None:
            by_system[placement.ics.pk].add(pk)
    same_system_today = {
        (str(r.pk), str(other))
        for r in returns
        if (mine := today.get(r.organisation_id)) is not None and mine.ics is not None
        for other in by_system[mine.ics.pk]
        if other != r.organisation_id
    }
    return MatchingCohort(reviewees, reviewers, placed, organisations, same_system_today)


# --- flags ---------------------------------------------------------------------------------------


def edition_facts(edition: Edition) -> EditionFacts:
    """What the flags need from a framework edition: names, and the criteria needing an EPR."""
    epr_criteria = {
        criterion.id: (domain.id, level.level)
        for domain in edition.domains
        for level in domain.levels
        for criterion in level.criteria
        if criterion.context_question == EPR_QUESTION
    }
    gp_labels: dict[str, str] = {}
    for question in edition.contextual_questions:
        if question.id == "ctx.gp_clinical_system":
            gp_labels = {option.value: option.label for option in question.options}
    return EditionFacts(
        domain_names={d.id: d.name for d in edition.domains},
        pillar_names={str(p): label for p, label in PILLAR_LABELS.items()}
        | {p.id: p.name for p in edition.pillars},
        epr_criteria=epr_criteria,
        gp_system_labels=gp_labels,
        care_setting_labels={str(k): v for k, v in CARE_SETTING_LABELS.items()},
    )


def latest_scores(return_ids: Iterable[int]) -> dict[int, Score]:
    found: dict[int, Score] = {}
    for score in Score.objects.filter(return_obj_id__in=set(return_ids)).order_by(
        "computed_at", "id"
    ):
        found[score.return_obj_id] = score
    return found


def stored_answers(return_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    answers: dict[int, dict[str, Any]] = defaultdict(dict)
    for return_id, item, value in Answer.objects.filter(
        return_obj_id__in=set(return_ids)
    ).values_list("return_obj_id", "item_id", "value"):
        answers[return_id][item] = value
    return answers


def _no_epr(value: Any) -> bool:
    return str(value).strip().lower().startswith("no epr")


def reference_facts(returns: list[Return], on: dt.date) -> dict[int, ReferenceFacts]:
    """What the registry says about each return's organisation: EPR, and GP systems (for an ICB,
    the systems of the practices in its sub-ICB locations on ``on``; for a practice, its own)."""
    org_ids = {r.organisation_id for r in returns}
    epr = _latest_facts(org_ids, {EPR_SUPPLIER_FACT})
    icbs = {r.organisation_id for r in returns if r.organisation.kind == OrganisationKind.ICB}
    practices_of: dict[int, set[int]] = defaultdict(set)
    if icbs:
        links = Relationship.objects.valid_on(on)
        sub_to_icb = dict(
            links.filter(parent_id__in=icbs, child__kind=OrganisationKind.SUB_ICB).values_list(
                "child_id", "parent_id"
            )
        )
        for practice, sub in links.filter(
            parent_id__in=list(sub_to_icb), child__kind=OrganisationKind.GP_PRACTICE
        ).values_list("child_id", "parent_id"):
            practices_of[sub_to_icb[sub]].add(practice)
    for r in returns:
        if r.organisation.kind == OrganisationKind.GP_PRACTICE:
            practices_of[r.organisation_id].add(r.organisation_id)
    all_practices = {p for ps in practices_of.values() for p in ps}
    systems = _latest_facts(all_practices, {GP_SYSTEM_FACT})
    result: dict[int, ReferenceFacts] = {}
    for r in returns:
        supplier = epr.get((r.organisation_id, EPR_SUPPLIER_FACT))
        counts: Counter[str] = Counter()
        for practice in practices_of.get(r.organisation_id, ()):
            system = systems.get((practice, GP_SYSTEM_FACT))
            if system is not None:
                counts[GP_SYSTEM_OPTIONS.get(str(system).upper(), "other")] += 1
        total = sum(counts.values())
        result[r.pk] = ReferenceFacts(
            epr_in_place=False if supplier is not None and _no_epr(supplier) else None,
            epr_source=EPR_SOURCE,
            gp_system_shares={k: v / total for k, v in counts.items()} if total else None,
            gp_practices=total or None,
            gp_source=GP_SOURCE,
        )
    return result


def previous_years(
    cycle: Cycle, returns: list[Return], edition: Edition
) -> dict[int, PreviousYear]:
    """Last year's figures for each return: the previous cycle's return when there is one
    (comparable domains mapped to this year's ids), else the published comparable overall."""
    from maturity.results.models import PublishedResult

    year = cycle.year - 1
    keys = {(r.organisation_id, r.care_setting): r.pk for r in returns}
    comparable = {d.id: d.comparable_with for d in edition.domains if d.comparable_with}
    result: dict[int, PreviousYear] = {}
    previous = list(
        Return.objects.filter(
            cycle__year=year,
            cycle__is_demonstration=cycle.is_demonstration,
            status=ReturnStatus.COMMITTED,
            organisation_id__in={r.organisation_id for r in returns},
        )
    )
    scores = latest_scores(p.pk for p in previous)
    for p in previous:
        current = keys.get((p.organisation_id, p.care_setting))
        score = scores.get(p.pk)
        if current is None or score is None:
            continue
        levels = {
            now: int(score.domain_levels[before])
            for now, before in comparable.items()
            if before in score.domain_levels
        }
        result[current] = PreviousYear(year, levels, score.overall_comparable, f"the {year} return")
    published = PublishedResult.objects.filter(
        year=year, organisation_id__in={r.organisation_id for r in returns}
    ).order_by("organisation_id", "care_setting", "publication_version", "id")
    for row in published:
        current = keys.get((row.organisation_id, row.care_setting))
        if current is None or current in result or row.overall is None:
            continue
        result[current] = PreviousYear(
            year, {}, row.overall, f"NHS England's published {year} results"
        )
    return result


def build_profiles(
    cycle: Cycle,
    returns: list[Return],
    edition: Edition,
    *,
    peer_levels: Mapping[int, Mapping[str, int]] | None = None,
    overrides: Mapping[int, tuple[Mapping[str, Any], ReturnScore]] | None = None,
) -> list[ReturnProfile]:
    """The flags' input for each return: its latest score and answers (or, in ``overrides``,
    answers and a score computed in memory), size, last year, reference facts, peer levels."""
    overrides = overrides or {}
    peer_levels = peer_levels or {}
    scores = latest_scores(r.pk for r in returns)
    answers = stored_answers(r.pk for r in returns if r.pk not in overrides)
    sized = sizes({r.organisation_id: r.organisation for r in returns}.values())
    on = hierarchy_date(cycle)
    reference = reference_facts(returns, on)
    previous = previous_years(cycle, returns, edition)
    criteria_of = {
        setting: {c for spec in edition.scoring_specs(setting) for c in spec.criterion_ids}
        for setting in {r.care_setting for r in returns}
    }
    profiles = []
    for r in returns:
        if r.pk in overrides:
            given, score = overrides[r.pk]
            items: Mapping[str, Any] = given
            levels, pillars = dict(score.domain_levels), dict(score.pillar_scores)
            overall, comparable = score.overall, score.overall_comparable
        else:
            stored = scores.get(r.pk)
            if stored is None:
                continue
            items = answers.get(r.pk, {})
            levels, pillars = dict(stored.domain_levels), dict(stored.pillar_scores)
            overall, comparable = stored.overall, stored.overall_comparable
        criteria = criteria_of[r.care_setting]
        committed = timezone.localdate(r.committed_at) if r.committed_at else None
        profiles.append(
            ReturnProfile(
                key=str(r.pk),
                care_setting=r.care_setting,
                domain_levels={k: int(v) for k, v in levels.items()},
                pillar_scores={k: float(v) for k, v in pillars.items()},
                overall=overall,
                overall_comparable=comparable,
                size=sized[r.organisation_id][0],
                criterion_answers={k: v for k, v in items.items() if k in criteria},
                contextual={k: v for k, v in items.items() if k.startswith("ctx.")},
                previous=previous.get(r.pk),
                peer_levels=peer_levels.get(r.pk),
                reference=reference[r.pk],
                committed_on=committed,
            )
        )
    return profiles
