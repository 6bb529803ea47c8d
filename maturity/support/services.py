"""Writes for targeted support and peer learning. Each checks who is acting (see :mod:`.rules`)
and writes the audit trail in its own transaction.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from maturity.audit import services as audit
from maturity.core.optimise import (
    COMBINE_RULES,
    OPTIMISER_VERSION,
    ProblemError,
    definition_problems,
)
from maturity.core.vocab import CareSetting, Pillar
from maturity.frameworks.selectors import EditionNotFound, get_edition
from maturity.organisations.models import Organisation, OrganisationKind
from maturity.results.models import PublishedResult

from . import planning, rules
from .models import (
    CaseStudy,
    CaseStudyEvent,
    CaseStudyStatus,
    CaseStudyTag,
    CommunityMembership,
    ContactOptIn,
    FundingAward,
    FundingProgramme,
    Objective,
    Scenario,
    ScenarioAllocation,
    ScenarioStatus,
)

EDITION_ID = "wgll-2025"
TARGET_KINDS = (OrganisationKind.TRUST.value, OrganisationKind.ICB.value)
STEPS = (0.1, 0.25, 0.5, 1.0)
PILLARS = [p.value for p in Pillar]
MAX_GBP = Decimal("99999999999999")


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _require_analyst(user) -> None:
    _require(rules.can_plan(user), "Only national analysts can plan and record funding.")


def _money(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


# --- funding programmes --------------------------------------------------------------------


@dataclass(frozen=True)
class ProgrammeData:
    name: str
    pot_gbp: Decimal
    deadline: dt.date
    target_date: dt.date
    target_share: float
    baseline_year: int
    core_thresholds: dict[str, float]
    core_combine: str = "every_setting"
    target_kinds: list[str] = field(default_factory=lambda: [OrganisationKind.TRUST.value])
    care_settings: list[str] = field(default_factory=list)
    eligible_region_codes: list[str] = field(default_factory=list)
    max_baseline_overall: float | None = None
    description: str = ""
    is_demonstration: bool = False


def _check_programme(data: ProgrammeData) -> None:
    errors: dict[str, list[str]] = {}
    problems = definition_problems(data.core_thresholds, data.core_combine)
    if problems:
        errors["core_thresholds"] = problems
    if data.core_combine not in COMBINE_RULES:
        errors["core_combine"] = ["Choose how care settings are combined."]
    if not data.name.strip():
        errors["name"] = ["Enter a name."]
    if data.pot_gbp is None or data.pot_gbp < 0 or data.pot_gbp > MAX_GBP:
        errors["pot_gbp"] = ["Enter the pot in pounds, zero or more."]
    if not 0 < data.target_share <= 1:
        errors["target_share"] = ["The target share must be more than 0% and at most 100%."]
    if not data.target_kinds or set(data.target_kinds) - set(TARGET_KINDS):
        errors["target_kinds"] = ["Choose trusts, integrated care boards or both."]
    known_settings = {c.value for c in CareSetting}
    if not data.care_settings or set(data.care_settings) - known_settings:
        errors["care_settings"] = ["Choose at least one care setting."]
    if not PublishedResult.objects.filter(year=data.baseline_year).exists():
        errors["baseline_year"] = [f"No results are published for {data.baseline_year}."]
    regions = set(
        Organisation.objects.filter(
            kind=OrganisationKind.REGION, ods_code__in=data.eligible_region_codes
        ).values_list("ods_code", flat=True)
    )
    if set(data.eligible_region_codes) - regions:
        errors["eligible_region_codes"] = ["Choose regions from the list."]
    if data.max_baseline_overall is not None and not 1 <= data.max_baseline_overall <= 5:
        errors["max_baseline_overall"] = ["The overall score limit must be from 1 to 5."]
    if errors:
        raise ValidationError(errors)


def _programme_snapshot(programme: FundingProgramme) -> dict:
    return {
        "name": programme.name,
        "pot_gbp": _money(programme.pot_gbp),
        "deadline": programme.deadline,
        "target_date": programme.target_date,
        "target_share": programme.target_share,
        "baseline_year": programme.baseline_year,
        "core_thresholds": programme.core_thresholds,
        "core_combine": programme.core_combine,
        "target_kinds": programme.target_kinds,
        "care_settings": programme.care_settings,
        "eligible_region_codes": programme.eligible_region_codes,
        "max_baseline_overall": programme.max_baseline_overall,
    }


def _apply_programme(programme: FundingProgramme, data: ProgrammeData) -> None:
    for name, value in asdict(data).items():
        setattr(programme, name, value)
    programme.core_thresholds = {
        p: float(data.core_thresholds[p]) for p in PILLARS if p in data.core_thresholds
    }


@transaction.atomic
def programme_create(*, by, data: ProgrammeData) -> FundingProgramme:
    _require_analyst(by)
    _check_programme(data)
    programme = FundingProgramme(created_by=by)
    _apply_programme(programme, data)
    programme.full_clean()
    programme.save()
    audit.record(
        actor=by,
        action="support.programme.created",
        target=programme,
        after=_programme_snapshot(programme),
    )
    return programme


@transaction.atomic
def programme_update(*, by, programme: FundingProgramme, data: ProgrammeData) -> FundingProgramme:
    _require_analyst(by)
    _check_programme(data)
    programme = FundingProgramme.objects.select_for_update().get(pk=programme.pk)
    before = _programme_snapshot(programme)
    _apply_programme(programme, data)
    programme.full_clean()
    programme.save()
    # Every scenario was solved against the old definition or population: mark it unsolved.
    Scenario.objects.filter(programme=programme).update(status=ScenarioStatus.NOT_SOLVED)
    audit.record(
        actor=by,
        action="support.programme.changed",
        target=programme,
        before=before,
        after=_programme_snapshot(programme),
    )
    return programme


# --- scenarios ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScenarioData:
    name: str
    budget_gbp: Decimal
    cost_per_level: dict[str, float]
    objective: str = Objective.REACH
    cost_size_elasticity: float = 0.5
    realisation: float = 1.0
    population_exponent: float = 0.0
    deprivation_weight: float = 0.0
    cap_per_organisation_gbp: Decimal | None = None
    icb_floor_gbp: Decimal | None = None
    smart_foundations_first: bool = True
    step: float | None = None
    notes: str = ""
    is_demonstration: bool = False


def _check_scenario(programme: FundingProgramme, data: ScenarioData) -> None:
    errors: dict[str, list[str]] = {}
    if not data.name.strip():
        errors["name"] = ["Enter a name."]
    if data.budget_gbp is None or data.budget_gbp < 0 or data.budget_gbp > MAX_GBP:
        errors["budget_gbp"] = ["Enter the budget in pounds, zero or more."]
    if data.objective not in Objective.values:
        errors["objective"] = ["Choose what the allocation should achieve."]
    for pillar in programme.core_thresholds:
        cost = data.cost_per_level.get(pillar)
        if cost is None or not math.isfinite(cost) or cost <= 0:
            errors.setdefault(f"cost_{pillar}", []).append(
                "Enter the cost of one level in this pillar, more than £0."
            )
    if not math.isfinite(data.realisation) or not 0.05 <= data.realisation <= 1:
        errors["realisation"] = ["Enter a share from 0.05 to 1."]
    bounds = {
        "cost_size_elasticity": (0, 2, "from 0 to 2"),
        "population_exponent": (0, 2, "from 0 to 2"),
        "deprivation_weight": (0, 5, "from 0 to 5"),
    }
    for name, (low, high, words) in bounds.items():
        value = getattr(data, name)
        if not math.isfinite(value) or not low <= value <= high:
            errors[name] = [f"Enter a number {words}."]
    if (
        data.cap_per_organisation_gbp is not None
        and not 0 < data.cap_per_organisation_gbp <= MAX_GBP
    ):
        errors["cap_per_organisation_gbp"] = ["The cap must be more than £0."]
    if data.icb_floor_gbp is not None and not 0 <= data.icb_floor_gbp <= MAX_GBP:
        errors["icb_floor_gbp"] = ["The floor must be £0 or more."]
    if data.step is not None and data.step not in STEPS:
        errors["step"] = ["Choose how levels are bought."]
    if errors:
        raise ValidationError(errors)


def _scenario_snapshot(scenario: Scenario) -> dict:
    return {
        "name": scenario.name,
        "budget_gbp": _money(scenario.budget_gbp),
        "objective": scenario.objective,
        "cost_per_level": scenario.cost_per_level,
        "cost_size_elasticity": scenario.cost_size_elasticity,
        "realisation": scenario.realisation,
        "population_exponent": scenario.population_exponent,
        "deprivation_weight": scenario.deprivation_weight,
        "cap_per_organisation_gbp": _money(scenario.cap_per_organisation_gbp),
        "icb_floor_gbp": _money(scenario.icb_floor_gbp),
        "smart_foundations_first": scenario.smart_foundations_first,
        "step": scenario.step,
    }


def _apply_scenario(scenario: Scenario, programme: FundingProgramme, data: ScenarioData) -> None:
    for name, value in asdict(data).items():
        setattr(scenario, name, value)
    # Only the pillars of the programme's definition are priced.
    scenario.cost_per_level = {
        p: float(data.cost_per_level[p]) for p in PILLARS if p in programme.core_thresholds
    }


@transaction.atomic
def scenario_create(*, by, programme: FundingProgramme, data: ScenarioData) -> Scenario:
    _require_analyst(by)
    _check_scenario(programme, data)
    scenario = Scenario(programme=programme, created_by=by)
    _apply_scenario(scenario, programme, data)
    scenario.full_clean()
    scenario.save()
    audit.record(
        actor=by,
        action="support.scenario.created",
        target=scenario,
        after=_scenario_snapshot(scenario) | {"programme": programme.pk},
    )
    return scenario


@transaction.atomic
def scenario_update(*, by, scenario: Scenario, data: ScenarioData) -> Scenario:
    _require_analyst(by)
    scenario = Scenario.objects.select_for_update().select_related("programme").get(pk=scenario.pk)
    _check_scenario(scenario.programme, data)
    before = _scenario_snapshot(scenario)
    _apply_scenario(scenario, scenario.programme, data)
    scenario.status = ScenarioStatus.NOT_SOLVED
    scenario.full_clean()
    scenario.save()
    audit.record(
        actor=by,
        action="support.scenario.changed",
        target=scenario,
        before=before,
        after=_scenario_snapshot(scenario),
    )
    return scenario


def _pounds(value: float) -> Decimal:
    return Decimal(round(value))


def scenario_solve(*, by, scenario: Scenario) -> Scenario:
    """Solve the scenario and keep its allocation, constraints and sensitivity.

    The solve (a second or two) runs before the write transaction, so the database is not held
    while HiGHS works; the write then refuses if the scenario or its programme changed meanwhile.
    """
    _require_analyst(by)
    scenario = Scenario.objects.select_related("programme").get(pk=scenario.pk)
    read_at = (scenario.updated_at, scenario.programme.updated_at)
    try:
        solved = planning.solve_scenario(scenario)
    except ProblemError as error:
        raise ValidationError(error.messages) from error
    return _store_solution(by=by, scenario=scenario, solved=solved, read_at=read_at)


@transaction.atomic
def _store_solution(*, by, scenario: Scenario, solved: planning.Solved, read_at) -> Scenario:
    scenario = Scenario.objects.select_for_update().select_related("programme").get(pk=scenario.pk)
    if (scenario.updated_at, scenario.programme.updated_at) != read_at:
        raise ValidationError("The scenario or its programme changed while it was being solved.")
    solution = solved.solution
    scenario.result = planning.result_json(scenario, solved)
    scenario.status = solution.status
    scenario.solved_at = timezone.now()
    scenario.solved_by = by
    scenario.optimiser_version = OPTIMISER_VERSION
    # update_fields keeps updated_at (the inputs' time) unchanged.
    Scenario.objects.filter(pk=scenario.pk).update(
        result=scenario.result,
        status=scenario.status,
        solved_at=scenario.solved_at,
        solved_by=by,
        optimiser_version=OPTIMISER_VERSION,
    )
    ScenarioAllocation.objects.filter(scenario=scenario).delete()
    baselines = {b.organisation.ods_code: b for b in solved.population.baselines}
    rows = []
    for allocation in solution.allocations:
        baseline = baselines[allocation.key]
        rows.append(
            ScenarioAllocation(
                scenario=scenario,
                organisation=baseline.organisation,
                icb=baseline.context.icb,
                amount_gbp=_pounds(allocation.amount),
                need_gbp=_pounds(allocation.need),
                scores=baseline.scores,
                gaps=allocation.gaps,
                uplift=allocation.uplift,
                weight=allocation.weight,
                eligible=allocation.eligible,
                at_target_before=allocation.at_target_before,
                reaches_target=allocation.reaches_target,
            )
        )
    ScenarioAllocation.objects.bulk_create(rows)
    outcome = solution.outcome
    audit.record(
        actor=by,
        action="support.scenario.solved",
        target=scenario,
        after={
            "status": solution.status,
            "optimiser_version": OPTIMISER_VERSION,
            "spend": outcome.spend if outcome else None,
            "newly_reached": outcome.newly_reached if outcome else None,
        },
    )
    return scenario


# --- actual funding ------------------------------------------------------------------------------


@transaction.atomic
def award_record(
    *,
    by,
    programme: FundingProgramme,
    organisation: Organisation,
    amount_gbp: Decimal,
    awarded_on: dt.date,
    source: str,
    purpose: str = "",
    pillars: list[str] | None = None,
    scenario: Scenario | None = None,
    is_demonstration: bool = False,
) -> FundingAward:
    _require_analyst(by)
    errors: dict[str, list[str]] = {}
    if amount_gbp is None or not 0 < amount_gbp <= MAX_GBP:
        errors["amount_gbp"] = ["Enter the amount awarded, more than £0."]
    if not source.strip():
        errors["source"] = ["Say where the figure comes from."]
    if pillars and set(pillars) - set(PILLARS):
        errors["pillars"] = ["Choose pillars from the list."]
    if scenario is not None and scenario.programme_id != programme.pk:
        errors["scenario"] = ["The scenario belongs to another programme."]
    if errors:
        raise ValidationError(errors)
    award = FundingAward(
        programme=programme,
        organisation=organisation,
        amount_gbp=amount_gbp,
        awarded_on=awarded_on,
        source=source.strip(),
        purpose=purpose,
        pillars=list(pillars or []),
        scenario=scenario,
        is_demonstration=is_demonstration,
        recorded_by=by,
    )
    award.full_clean()
    award.save()
    audit.record(
        actor=by,
        action="support.award.recorded",
        target=award,
        organisation=organisation,
        after={
            "programme": programme.pk,
            "amount_gbp": float(amount_gbp),
            "awarded_on": awarded_on,
            "source": award.source,
            "demonstration": is_demonstration,
        },
    )
    return award


# --- case studies ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseStudyData:
    title: str
    summary: str
    what_we_did: str
    care_setting: str
    domain_ids: list[str]
    supplier: str = ""
    cost_gbp: Decimal | None = None
    cost_note: str = ""
    do_differently: str = ""
    contact_name: str = ""
    contact_email: str = ""
    is_demonstration: bool = False


def domain_pillars() -> dict[str, str]:
    """Domain id → pillar id, from the framework edition case studies are tagged against."""
    edition = get_edition(EDITION_ID)
    return {d.id: d.pillar.value for d in edition.domains}


def _check_case_study(data: CaseStudyData) -> dict[str, str]:
    errors: dict[str, list[str]] = {}
    for name in ("title", "summary", "what_we_did"):
        if not getattr(data, name).strip():
            errors[name] = ["This cannot be blank."]
    if data.care_setting not in {c.value for c in CareSetting}:
        errors["care_setting"] = ["Choose a care setting."]
    try:
        pillars = domain_pillars()
    except EditionNotFound:
        raise ValidationError(
            f"The framework edition {EDITION_ID} is not loaded, so domains cannot be checked."
        ) from None
    if not data.domain_ids:
        errors["domain_ids"] = ["Choose at least one domain the case study is about."]
    elif unknown := [d for d in data.domain_ids if d not in pillars]:
        errors["domain_ids"] = [f"Not domains of {EDITION_ID}: {', '.join(unknown)}."]
    if data.cost_gbp is not None and not 0 <= data.cost_gbp <= MAX_GBP:
        errors["cost_gbp"] = ["The cost must be £0 or more."]
    if bool(data.contact_name.strip()) != bool(data.contact_email.strip()):
        errors["contact_email"] = ["Give both a contact name and an email address, or neither."]
    if errors:
        raise ValidationError(errors)
    return pillars


def _unique_slug(title: str) -> str:
    base = slugify(title)[:100] or "case-study"
    slug, n = base, 2
    while CaseStudy.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _case_study_snapshot(case_study: CaseStudy) -> dict:
    return {
        "title": case_study.title,
        "status": case_study.status,
        "care_setting": case_study.care_setting,
        "domains": sorted(case_study.tags.values_list("domain_id", flat=True)),
        "supplier": case_study.supplier,
        "cost_gbp": _money(case_study.cost_gbp),
    }


def _apply_case_study(case_study: CaseStudy, data: CaseStudyData) -> None:
    for name, value in asdict(data).items():
        if name != "domain_ids":
            setattr(case_study, name, value.strip() if isinstance(value, str) else value)


def _set_tags(case_study: CaseStudy, domain_ids: list[str], pillars: dict[str, str]) -> None:
    CaseStudyTag.objects.filter(case_study=case_study).delete()
    CaseStudyTag.objects.bulk_create(
        CaseStudyTag(case_study=case_study, domain_id=d, pillar=pillars[d])
        for d in sorted(set(domain_ids))
    )


def _event(case_study: CaseStudy, by, to_status: str, note: str = "", from_status: str = ""):
    CaseStudyEvent.objects.create(
        case_study=case_study, from_status=from_status, to_status=to_status, note=note, by=by
    )


@transaction.atomic
def case_study_create(*, by, organisation: Organisation, data: CaseStudyData) -> CaseStudy:
    _require(
        rules.is_submitter_of(by, organisation),
        "Only the organisation's submitters can write its case studies.",
    )
    pillars = _check_case_study(data)
    case_study = CaseStudy(organisation=organisation, created_by=by)
    _apply_case_study(case_study, data)
    case_study.slug = _unique_slug(data.title)
    case_study.full_clean()
    case_study.save()
    _set_tags(case_study, data.domain_ids, pillars)
    _event(case_study, by, CaseStudyStatus.DRAFT)
    audit.record(
        actor=by,
        action="support.case_study.created",
        target=case_study,
        organisation=organisation,
        after=_case_study_snapshot(case_study),
    )
    return case_study


def _locked(case_study: CaseStudy) -> CaseStudy:
    return (
        CaseStudy.objects.select_for_update().select_related("organisation").get(pk=case_study.pk)
    )


@transaction.atomic
def case_study_update(*, by, case_study: CaseStudy, data: CaseStudyData) -> CaseStudy:
    case_study = _locked(case_study)
    _require(
        rules.can_edit_case_study(by, case_study),
        "Only the organisation's submitters can edit a draft or returned case study.",
    )
    pillars = _check_case_study(data)
    before = _case_study_snapshot(case_study)
    _apply_case_study(case_study, data)
    case_study.full_clean()
    case_study.save()
    _set_tags(case_study, data.domain_ids, pillars)
    audit.record(
        actor=by,
        action="support.case_study.changed",
        target=case_study,
        organisation=case_study.organisation,
        before=before,
        after=_case_study_snapshot(case_study),
    )
    return case_study


def _transition(case_study: CaseStudy, *, by, to: str, note: str, action: str) -> CaseStudy:
    before = case_study.status
    case_study.status = to
    if to == CaseStudyStatus.PUBLISHED:
        case_study.published_at, case_study.published_by = timezone.now(), by
    else:
        case_study.published_at = case_study.published_by = None
    case_study.save()
    _event(case_study, by, to, note, before)
    audit.record(
        actor=by,
        action=action,
        target=case_study,
        organisation=case_study.organisation,
        before={"status": before},
        after={"status": to},
        reason=note,
    )
    return case_study


@transaction.atomic
def case_study_submit(*, by, case_study: CaseStudy) -> CaseStudy:
    case_study = _locked(case_study)
    _require(
        rules.can_edit_case_study(by, case_study),
        "Only the organisation's submitters can send a draft or returned case study for review.",
    )
    return _transition(
        case_study,
        by=by,
        to=CaseStudyStatus.SUBMITTED,
        note="",
        action="support.case_study.submitted",
    )


@transaction.atomic
def case_study_publish(*, by, case_study: CaseStudy, note: str = "") -> CaseStudy:
    case_study = _locked(case_study)
    _require(rules.can_review_case_studies(by), "Only national analysts review case studies.")
    if case_study.status != CaseStudyStatus.SUBMITTED:
        raise ValidationError("Only a case study waiting for review can be published.")
    return _transition(
        case_study,
        by=by,
        to=CaseStudyStatus.PUBLISHED,
        note=note,
        action="support.case_study.published",
    )


@transaction.atomic
def case_study_return(*, by, case_study: CaseStudy, note: str) -> CaseStudy:
    case_study = _locked(case_study)
    _require(rules.can_review_case_studies(by), "Only national analysts review case studies.")
    if case_study.status != CaseStudyStatus.SUBMITTED:
        raise ValidationError("Only a case study waiting for review can be returned.")
    if not note.strip():
        raise ValidationError({"note": ["Say what needs to change before it can be published."]})
    return _transition(
        case_study,
        by=by,
        to=CaseStudyStatus.RETURNED,
        note=note.strip(),
        action="support.case_study.returned",
    )


@transaction.atomic
def case_study_withdraw(*, by, case_study: CaseStudy, note: str = "") -> CaseStudy:
    """Back to draft: unpublished, or taken back from review, to be edited and sent again."""
    case_study = _locked(case_study)
    _require(
        rules.can_withdraw_case_study(by, case_study),
        "Only the organisation's submitters or a national analyst can withdraw a case study.",
    )
    return _transition(
        case_study,
        by=by,
        to=CaseStudyStatus.DRAFT,
        note=note,
        action="support.case_study.withdrawn",
    )


# --- contact and communities -------------------------------------------------------------------


@transaction.atomic
def contact_opt_in(
    *,
    by,
    organisation: Organisation,
    contact_name: str,
    contact_email: str,
    topics: str = "",
    is_demonstration: bool = False,
) -> ContactOptIn:
    """Agree that peers may contact the organisation (replacing any earlier details)."""
    _require(
        rules.can_manage_contact(by, organisation),
        "Only the organisation's submitters can agree to it being contacted.",
    )
    errors = {}
    if not contact_name.strip():
        errors["contact_name"] = ["Enter who peers should contact."]
    if not contact_email.strip():
        errors["contact_email"] = ["Enter an email address."]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    current = ContactOptIn.objects.select_for_update().filter(
        organisation=organisation, withdrawn_at__isnull=True
    )
    before = current.values("contact_name", "contact_email", "topics").first()
    current.update(withdrawn_at=now, withdrawn_by=by)
    opt_in = ContactOptIn(
        organisation=organisation,
        contact_name=contact_name.strip(),
        contact_email=contact_email.strip(),
        topics=topics.strip(),
        opted_in_by=by,
        is_demonstration=is_demonstration,
    )
    opt_in.full_clean()
    opt_in.save()
    audit.record(
        actor=by,
        action="support.contact.opted_in",
        target=opt_in,
        organisation=organisation,
        before=before,
        after={
            "contact_name": opt_in.contact_name,
            "contact_email": opt_in.contact_email,
            "topics": opt_in.topics,
        },
    )
    return opt_in


@transaction.atomic
def contact_withdraw(*, by, organisation: Organisation) -> int:
    _require(
        rules.can_manage_contact(by, organisation),
        "Only the organisation's submitters can withdraw its agreement to be contacted.",
    )
    current = list(
        ContactOptIn.objects.select_for_update().filter(
            organisation=organisation, withdrawn_at__isnull=True
        )
    )
    for opt_in in current:
        opt_in.withdrawn_at, opt_in.withdrawn_by = timezone.now(), by
        opt_in.save(update_fields=["withdrawn_at", "withdrawn_by"])
        audit.record(
            actor=by,
            action="support.contact.withdrawn",
            target=opt_in,
            organisation=organisation,
            before={"contact_email": opt_in.contact_email},
        )
    return len(current)


def _check_pillar(pillar: str) -> None:
    if pillar not in PILLARS:
        raise ValidationError({"pillar": [f"{pillar!r} is not a WGLL pillar."]})


@transaction.atomic
def community_join(
    *, by, organisation: Organisation, pillar: str, is_demonstration: bool = False
) -> CommunityMembership:
    _require(
        rules.can_manage_communities(by, organisation),
        "Only the organisation's submitters can join communities on its behalf.",
    )
    _check_pillar(pillar)
    existing = CommunityMembership.objects.filter(
        organisation=organisation, pillar=pillar, left_at__isnull=True
    ).first()
    if existing is not None:
        return existing
    membership = CommunityMembership.objects.create(
        organisation=organisation, pillar=pillar, joined_by=by, is_demonstration=is_demonstration
    )
    audit.record(
        actor=by,
        action="support.community.joined",
        target=membership,
        organisation=organisation,
        after={"pillar": pillar},
    )
    return membership


@transaction.atomic
def community_leave(*, by, organisation: Organisation, pillar: str) -> bool:
    _require(
        rules.can_manage_communities(by, organisation),
        "Only the organisation's submitters can leave communities on its behalf.",
    )
    _check_pillar(pillar)
    membership = (
        CommunityMembership.objects.select_for_update()
        .filter(organisation=organisation, pillar=pillar, left_at__isnull=True)
        .first()
    )
    if membership is None:
        return False
    membership.left_at, membership.left_by = timezone.now(), by
    membership.save(update_fields=["left_at", "left_by"])
    audit.record(
        actor=by,
        action="support.community.left",
        target=membership,
        organisation=organisation,
        before={"pillar": pillar},
    )
    return True
