"""Targeted support and peer learning API, mounted at /api/v1/support.

Known clients: the project's contract tests (tests/support/test_api.py) and analysts' scripts
that fetch allocations and needs-support lists. Public routes serve published data only;
funding programmes and scenarios need a national analyst's token (or session), learning
partners a member of the organisation, a system lead of its ICB or a national analyst.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.security import django_auth
from pydantic import Field

from maturity.accounts.api_auth import token_auth

from . import rules, selectors, services
from .models import CaseStudy

router = Router(tags=["support"])
AUTH = [token_auth, django_auth]


class ErrorOut(Schema):
    detail: str


class OrgRef(Schema):
    ods_code: str
    name: str


def _ref(organisation) -> dict | None:
    if organisation is None:
        return None
    return {"ods_code": organisation.ods_code, "name": organisation.name}


# --- needs support ---------------------------------------------------------------------------


class FurthestOut(Schema):
    organisation: OrgRef
    icb: OrgRef | None
    total_gap: float = Field(description="Levels short of the core level, summed over pillars")
    gaps: dict[str, float] = Field(description="Pillar id → levels short of its threshold")
    scores: dict[str, float] = Field(description="Pillar id → published score used")


class FallingOut(Schema):
    organisation: OrgRef
    icb: OrgRef | None
    care_setting: str
    previous: float
    overall: float
    change: float


class PeersOut(Schema):
    organisation: OrgRef
    icb: OrgRef | None
    care_setting: str
    size_band: str
    overall: float
    peer_median: float
    peer_count: int
    robust_z: float


class NeedsOut(Schema):
    area: OrgRef | None = Field(description="The ICB or region; null for England")
    year: int | None
    previous_year: int | None
    core_level: str = Field(description="The definition of the core level used (our assumption)")
    trusts: int
    at_core_level: int
    furthest_from_core_level: list[FurthestOut]
    falling_back: list[FallingOut]
    peers_do_much_better: list[PeersOut]
    source: str


def _needs(report, area) -> dict:
    return {
        "area": _ref(area),
        "year": report.year,
        "previous_year": report.previous_year,
        "core_level": report.definition_words,
        "trusts": report.population,
        "at_core_level": len(report.at_core),
        "furthest_from_core_level": [
            {
                "organisation": _ref(i.context.organisation),
                "icb": _ref(i.context.icb),
                "total_gap": i.total,
                "gaps": {g.pillar: g.gap for g in i.gaps},
                "scores": {g.pillar: g.score for g in i.gaps},
            }
            for i in report.furthest
        ],
        "falling_back": [
            {
                "organisation": _ref(i.context.organisation),
                "icb": _ref(i.context.icb),
                "care_setting": i.care_setting,
                "previous": i.previous,
                "overall": i.overall,
                "change": i.change,
            }
            for i in report.falling
        ],
        "peers_do_much_better": [
            {
                "organisation": _ref(i.context.organisation),
                "icb": _ref(i.context.icb),
                "care_setting": i.care_setting,
                "size_band": i.size_band,
                "overall": i.overall,
                "peer_median": i.peer_median,
                "peer_count": i.peer_count,
                "robust_z": i.z,
            }
            for i in report.peers
        ],
        "source": report.source_note,
    }


@router.get(
    "/needs",
    response=NeedsOut,
    summary="Trusts that need support, across England",
    description="Three lists from published results: furthest from the core level, falling "
    "back since the previous year (comparable overall scores), and far below peers of the same "
    "care setting and size. Figures are unrounded.",
)
def needs_england(request):
    return _needs(selectors.needs_report(), None)


@router.get(
    "/needs/{ods_code}",
    response={200: NeedsOut, 404: ErrorOut},
    summary="Trusts that need support in an ICB or region",
)
def needs_area(request, ods_code: str):
    area = selectors.get_area(ods_code)
    if area is None:
        raise HttpError(404, f"No ICB or region with code {ods_code.upper()!r}.")
    return _needs(selectors.needs_report().within(area), area)


# --- case studies and communities ---------------------------------------------------------------


class CaseStudyOut(Schema):
    slug: str
    title: str
    organisation: OrgRef
    summary: str
    what_we_did: str
    do_differently: str
    care_setting: str
    domains: list[str]
    pillars: list[str]
    supplier: str
    cost_gbp: float | None
    cost_note: str
    contact_name: str
    contact_email: str
    published_at: dt.datetime | None
    demonstration: bool = Field(description="Written for the demonstration, not a real account")
    url: str


def _case_study(cs: CaseStudy) -> dict:
    tags = list(cs.tags.all())
    return {
        "slug": cs.slug,
        "title": cs.title,
        "organisation": _ref(cs.organisation),
        "summary": cs.summary,
        "what_we_did": cs.what_we_did,
        "do_differently": cs.do_differently,
        "care_setting": cs.care_setting,
        "domains": [t.domain_id for t in tags],
        "pillars": sorted({t.pillar for t in tags}),
        "supplier": cs.supplier,
        "cost_gbp": float(cs.cost_gbp) if cs.cost_gbp is not None else None,
        "cost_note": cs.cost_note,
        "contact_name": cs.contact_name,
        "contact_email": cs.contact_email,
        "published_at": cs.published_at,
        "demonstration": cs.is_demonstration,
        "url": cs.get_absolute_url(),
    }


class CaseStudyFilter(Schema):
    q: str = ""
    pillar: str = ""
    domain: str = ""
    care_setting: str = ""
    supplier: str = ""


@router.get(
    "/case-studies",
    response=list[CaseStudyOut],
    summary="Published case studies",
    description="Search by words (any field), pillar id, domain id, care setting and supplier.",
)
def case_studies(request, filters: Query[CaseStudyFilter]):
    query = selectors.CaseStudyQuery(
        filters.q, filters.pillar, filters.domain, filters.care_setting, filters.supplier
    )
    return [_case_study(cs) for cs in selectors.search_case_studies(query)]


@router.get(
    "/case-studies/{slug}",
    response={200: CaseStudyOut, 404: ErrorOut},
    summary="One published case study",
)
def case_study(request, slug: str):
    cs = selectors.get_case_study(slug)
    if cs is None or not cs.is_published:
        raise HttpError(404, f"No published case study {slug!r}.")
    return _case_study(cs)


class CommunityOut(Schema):
    pillar: str
    name: str
    members: list[OrgRef]
    case_studies: list[str] = Field(description="Slugs of published case studies on the pillar")


@router.get("/communities", response=list[CommunityOut], summary="Communities of practice")
def communities(request):
    return [_community(row.pillar, row.label) for row in selectors.communities()]


def _community(pillar: str, label: str) -> dict:
    return {
        "pillar": pillar,
        "name": label,
        "members": [_ref(m.organisation) for m in selectors.community_members(pillar)],
        "case_studies": [
            cs.slug for cs in selectors.search_case_studies(selectors.CaseStudyQuery(pillar=pillar))
        ],
    }


@router.get(
    "/communities/{pillar}",
    response={200: CommunityOut, 404: ErrorOut},
    summary="One pillar's community of practice",
)
def community(request, pillar: str):
    for row in selectors.communities():
        if row.pillar == pillar:
            return _community(row.pillar, row.label)
    raise HttpError(404, f"No pillar {pillar!r}.")


# --- learning partners ---------------------------------------------------------------------------


class StrengthOut(Schema):
    item: str
    partner_level: float
    own_level: float


class PartnerOut(Schema):
    organisation: OrgRef
    stronger_in: list[StrengthOut]
    reasons: list[str]
    contact_name: str | None
    contact_email: str | None


class PartnerSectionOut(Schema):
    care_setting: str
    source: str = Field(description="demonstration (generated returns) or published")
    source_note: str
    weakest: list[str]
    partners: list[PartnerOut]


@router.get(
    "/organisations/{ods_code}/partners",
    auth=AUTH,
    response={200: list[PartnerSectionOut], 403: ErrorOut, 404: ErrorOut},
    summary="Suggested learning partners of an organisation",
)
def partners(request, ods_code: str):
    organisation = selectors.get_organisation(ods_code)
    if organisation is None:
        raise HttpError(404, f"No organisation with ODS code {ods_code.upper()!r}.")
    if not rules.can_see_partners(request.user, organisation):
        raise HttpError(
            403,
            "Learning partners are shown to the organisation's own people, "
            "its ICB's system leads and national analysts.",
        )
    out = []
    for section in selectors.partner_sections(organisation):
        out.append(
            {
                "care_setting": section.care_setting,
                "source": section.source,
                "source_note": section.source_words,
                "weakest": [label for label, _level in section.weakest],
                "partners": [
                    {
                        "organisation": {"ods_code": s.partner.key, "name": s.partner.name},
                        "stronger_in": [
                            {
                                "item": x.item,
                                "partner_level": x.partner_level,
                                "own_level": x.own_level,
                            }
                            for x in s.stronger
                        ],
                        "reasons": s.reasons,
                        "contact_name": getattr(
                            section.opt_ins.get(s.partner.key), "contact_name", None
                        ),
                        "contact_email": getattr(
                            section.opt_ins.get(s.partner.key), "contact_email", None
                        ),
                    }
                    for s in section.suggestions
                ],
            }
        )
    return out


# --- programmes and scenarios ------------------------------------------------------------------


def _require_analyst(request) -> None:
    if not rules.can_plan(request.user):
        raise HttpError(403, "Only national analysts can see funding plans.")


class ScenarioSummaryOut(Schema):
    id: int
    name: str
    status: str
    objective: str
    budget_gbp: float
    solved_at: dt.datetime | None
    demonstration: bool


class ProgrammeOut(Schema):
    id: int
    name: str
    pot_gbp: float
    deadline: dt.date
    target_date: dt.date
    target_share: float
    baseline_year: int
    core_thresholds: dict[str, float]
    core_combine: str
    demonstration: bool
    scenarios: list[ScenarioSummaryOut]


def _programme(programme) -> dict:
    return {
        "id": programme.pk,
        "name": programme.name,
        "pot_gbp": float(programme.pot_gbp),
        "deadline": programme.deadline,
        "target_date": programme.target_date,
        "target_share": programme.target_share,
        "baseline_year": programme.baseline_year,
        "core_thresholds": programme.core_thresholds,
        "core_combine": programme.core_combine,
        "demonstration": programme.is_demonstration,
        "scenarios": [
            {
                "id": s.pk,
                "name": s.name,
                "status": s.status,
                "objective": s.objective,
                "budget_gbp": float(s.budget_gbp),
                "solved_at": s.solved_at,
                "demonstration": s.is_demonstration,
            }
            for s in selectors.scenarios_of(programme)
        ],
    }


@router.get(
    "/programmes",
    auth=AUTH,
    response={200: list[ProgrammeOut], 403: ErrorOut},
    summary="Funding programmes and their scenarios",
)
def programmes(request):
    _require_analyst(request)
    return [_programme(p) for p in selectors.programmes()]


@router.get(
    "/programmes/{pk}",
    auth=AUTH,
    response={200: ProgrammeOut, 403: ErrorOut, 404: ErrorOut},
    summary="One funding programme",
)
def programme(request, pk: int):
    _require_analyst(request)
    found = selectors.get_programme(pk)
    if found is None:
        raise HttpError(404, f"No funding programme {pk}.")
    return _programme(found)


class AllocationOut(Schema):
    organisation: OrgRef
    icb: OrgRef | None
    amount_gbp: float
    need_gbp: float
    reaches_core_level: bool
    at_core_level_before: bool
    eligible: bool
    weight: float
    scores: dict[str, float]
    gaps: dict[str, float]
    uplift: dict[str, float]


class ScenarioOut(Schema):
    id: int
    programme: int
    name: str
    status: str
    result: dict | None = Field(
        description="Outcome, binding constraints (with shadow prices), sensitivity and the "
        "inputs used; null until solved"
    )
    allocations: list[AllocationOut]


def _scenario(scenario) -> dict:
    solved = selectors.is_solved(scenario)
    rows = selectors.allocations(scenario, funded_only=False) if solved else []
    return {
        "id": scenario.pk,
        "programme": scenario.programme_id,
        "name": scenario.name,
        "status": scenario.status,
        "result": scenario.result if solved or scenario.status == "infeasible" else None,
        "allocations": [
            {
                "organisation": _ref(r.organisation),
                "icb": _ref(r.icb),
                "amount_gbp": float(r.amount_gbp),
                "need_gbp": float(r.need_gbp),
                "reaches_core_level": r.reaches_target,
                "at_core_level_before": r.at_target_before,
                "eligible": r.eligible,
                "weight": r.weight,
                "scores": r.scores,
                "gaps": r.gaps,
                "uplift": r.uplift,
            }
            for r in rows
        ],
    }


@router.get(
    "/scenarios/{pk}",
    auth=AUTH,
    response={200: ScenarioOut, 403: ErrorOut, 404: ErrorOut},
    summary="A scenario's allocation and what it achieves",
)
def scenario(request, pk: int):
    _require_analyst(request)
    found = selectors.get_scenario(pk)
    if found is None:
        raise HttpError(404, f"No scenario {pk}.")
    return _scenario(found)


@router.post(
    "/scenarios/{pk}/solve",
    auth=AUTH,
    response={200: ScenarioOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Solve a scenario again (for example after new results are published)",
)
def scenario_solve(request, pk: int):
    _require_analyst(request)
    found = selectors.get_scenario(pk)
    if found is None:
        raise HttpError(404, f"No scenario {pk}.")
    try:
        solved = services.scenario_solve(by=request.user, scenario=found)
    except ValidationError as error:
        raise HttpError(400, " ".join(error.messages)) from error
    return _scenario(selectors.get_scenario(solved.pk))
