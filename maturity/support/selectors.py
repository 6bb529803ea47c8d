"""Reads for the support pages and API. Access is checked by the callers (see :mod:`.rules`);
everything here that shows organisations' figures uses published results, except learning
partners, which may use demonstration returns' domain levels (and say so).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet, Sum

from maturity.assessments.models import Score
from maturity.core.optimise import DEFAULT_CORE_LEVEL, CoreLevelDefinition, at_core_level
from maturity.core.optimise import combine_settings as combine
from maturity.core.vocab import CARE_SETTING_LABELS, PILLAR_LABELS, CareSetting, Pillar
from maturity.frameworks.selectors import EditionNotFound, get_edition
from maturity.organisations.models import Organisation, OrganisationKind

from . import matching, needs, planning
from .baseline import (
    OrgContext,
    collection_date,
    organisation_contexts,
    published_rows,
    published_years,
)
from .models import (
    CaseStudy,
    CaseStudyStatus,
    CommunityMembership,
    ContactOptIn,
    FundingAward,
    FundingProgramme,
    Scenario,
    ScenarioAllocation,
    ScenarioStatus,
)

PILLAR_NAMES = {p.value: PILLAR_LABELS[p] for p in Pillar}
SETTING_NAMES = {c.value: CARE_SETTING_LABELS[c] for c in CareSetting}
TRUST_SETTINGS = ("acute", "mental_health", "community", "ambulance")
SOLVED = (ScenarioStatus.OPTIMAL, ScenarioStatus.FEASIBLE)


def pillar_name(pillar: str) -> str:
    return PILLAR_NAMES.get(pillar, pillar)


def setting_name(setting: str) -> str:
    return SETTING_NAMES.get(setting, setting)


# --- programmes and scenarios ------------------------------------------------------------------


def programmes() -> QuerySet[FundingProgramme]:
    return FundingProgramme.objects.annotate(
        scenario_count=Count("scenarios", distinct=True)
    ).order_by("-created_at", "-id")


def get_programme(pk: int) -> FundingProgramme | None:
    return FundingProgramme.objects.filter(pk=pk).first()


def get_scenario(pk: int) -> Scenario | None:
    return Scenario.objects.select_related("programme", "solved_by").filter(pk=pk).first()


def regions() -> list[Organisation]:
    return list(Organisation.objects.filter(kind=OrganisationKind.REGION).order_by("name"))


def years_with_pillars() -> list[int]:
    return sorted(
        {r.year for r in published_rows(years=published_years()) if r.pillars}, reverse=True
    )


@dataclass(frozen=True)
class ProgrammeSummary:
    population: int
    at_core_level: int
    eligible: int
    not_judged: int
    target_count: int
    shortfall: int
    awarded_gbp: float
    award_count: int
    definition_words: str
    source_note: str


def programme_summary(programme: FundingProgramme) -> ProgrammeSummary:
    population = planning.programme_population(programme)
    n = len(population.baselines)
    at_core = population.at_core_level
    target = math.ceil(programme.target_share * n - 1e-9)
    awards = programme.awards.aggregate(total=Sum("amount_gbp"), n=Count("id"))
    return ProgrammeSummary(
        population=n,
        at_core_level=at_core,
        eligible=sum(b.eligible for b in population.baselines),
        not_judged=len(population.not_judged),
        target_count=target,
        shortfall=max(0, target - at_core),
        awarded_gbp=float(awards["total"] or 0),
        award_count=awards["n"],
        definition_words=population.definition.describe(PILLAR_NAMES),
        source_note=population.source_note,
    )


def scenarios_of(programme: FundingProgramme) -> list[Scenario]:
    return list(programme.scenarios.select_related("solved_by").order_by("created_at", "id"))


def is_solved(scenario: Scenario) -> bool:
    return scenario.status in SOLVED and scenario.result is not None


def allocations(scenario: Scenario, *, funded_only: bool = True) -> QuerySet[ScenarioAllocation]:
    qs = scenario.allocations.select_related("organisation", "icb")
    if funded_only:
        qs = qs.filter(Q(amount_gbp__gt=0) | Q(reaches_target=True))
    return qs.order_by("-amount_gbp", "organisation__name")


@dataclass(frozen=True)
class IcbTotal:
    icb: Organisation | None
    amount: float
    funded: int
    reached: int


def icb_totals(scenario: Scenario) -> list[IcbTotal]:
    rows = (
        scenario.allocations.values("icb")
        .annotate(
            amount=Sum("amount_gbp"),
            funded=Count("id", filter=Q(amount_gbp__gt=0)),
            reached=Count("id", filter=Q(reaches_target=True)),
        )
        .order_by()
    )
    icbs = {o.pk: o for o in Organisation.objects.filter(pk__in={r["icb"] for r in rows})}
    out = [
        IcbTotal(icbs.get(r["icb"]), float(r["amount"] or 0), r["funded"], r["reached"])
        for r in rows
    ]
    out.sort(key=lambda t: (-t.amount, t.icb.name if t.icb else "~"))
    return out


@dataclass(frozen=True)
class Comparison:
    scenarios: list[Scenario]
    rows: list[tuple[str, list[str]]]  # measure, one cell per scenario
    icb_rows: list[tuple[str, list[float]]]  # ICB name, pounds per scenario


def compare(scenarios: Iterable[Scenario], *, money, share) -> Comparison:
    """Side by side: inputs, outcome and binding constraints of solved scenarios, and each
    ICB's allocation under each. ``money`` and ``share`` format figures."""
    scenarios = list(scenarios)

    def cell(s: Scenario, fn) -> str:
        if not is_solved(s):
            return "Not solved"
        return fn(s.result)

    def outcome(key):
        return lambda r: r["outcome"][key]

    measures = [
        ("Objective", lambda r: r["objective_words"]),
        ("Budget", lambda r: money(r["inputs"]["budget_gbp"])),
        ("Spent", lambda r: money(r["outcome"]["spend"])),
        ("Organisations funded", lambda r: str(outcome("funded")(r))),
        ("Newly at the core level", lambda r: str(outcome("newly_reached")(r))),
        ("At the core level afterwards", lambda r: str(outcome("at_target_after")(r))),
        ("Share at the core level afterwards", lambda r: share(outcome("share_after")(r))),
        (
            "Short of the target by",
            lambda r: (
                f"{r['outcome']['shortfall']} organisations"
                if r["outcome"]["shortfall"] is not None
                else "No target"
            ),
        ),
        ("Levels of gap closed", lambda r: f"{r['outcome']['levels_closed']:.1f}"),
        (
            "Binding constraints",
            lambda r: (
                ", ".join(sorted({c["kind"] for c in r["constraints"] if c["binding"]})) or "None"
            ),
        ),
        ("Cap per organisation", lambda r: money(r["inputs"]["cap_per_organisation_gbp"])),
        ("Floor per ICB", lambda r: money(r["inputs"]["icb_floor_gbp"])),
        (
            "Smart foundations first",
            lambda r: "Yes" if r["inputs"]["smart_foundations_first"] else "No",
        ),
    ]
    rows = [(label, [cell(s, fn) for s in scenarios]) for label, fn in measures]
    per_icb: dict[str, list[float]] = defaultdict(lambda: [0.0] * len(scenarios))
    for index, s in enumerate(scenarios):
        if not is_solved(s):
            continue
        for total in icb_totals(s):
            per_icb[total.icb.name if total.icb else "No ICB"][index] = total.amount
    icb_rows = sorted(per_icb.items(), key=lambda item: (-max(item[1]), item[0]))
    return Comparison(scenarios, rows, icb_rows)


def awards_of(programme: FundingProgramme) -> QuerySet[FundingAward]:
    return programme.awards.select_related("organisation", "scenario", "recorded_by").order_by(
        "-awarded_on", "organisation__name"
    )


# --- investment and change ---------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeRow:
    organisation: Organisation
    funded_gbp: float
    overall_before: float | None
    overall_after: float | None
    change: float | None
    core_before: bool | None
    core_after: bool | None
    demonstration: bool


@dataclass(frozen=True)
class InvestmentChange:
    baseline_year: int
    later_year: int | None
    rows: list[ChangeRow]  # funded organisations
    funded_mean_change: float | None
    unfunded_mean_change: float | None
    unfunded_count: int
    slope_per_million: float | None  # change in overall score per £1m awarded, funded only
    demonstration_awards: bool
    source_note: str


def _overall_by_org(rows) -> dict[int, float]:
    grouped: dict[int, list[float]] = defaultdict(list)
    for r in rows:
        if r.overall is not None:
            grouped[r.organisation_id].append(r.overall)
    return {k: math.fsum(v) / len(v) for k, v in grouped.items()}


def _core_by_org(rows, definition: CoreLevelDefinition) -> dict[int, bool]:
    grouped: dict[int, list[dict]] = defaultdict(list)
    for r in rows:
        grouped[r.organisation_id].append(r.pillars)
    out = {}
    for org_id, pillars in grouped.items():
        scores = combine(pillars, definition)
        if scores is not None:
            out[org_id] = at_core_level(scores, definition.thresholds)
    return out


def _mean(values: list[float]) -> float | None:
    return math.fsum(values) / len(values) if values else None


def _slope(xs: list[float], ys: list[float]) -> float | None:
    if len(xs) < 3:
        return None
    mx, my = _mean(xs), _mean(ys)
    sxx = math.fsum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return None
    return math.fsum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx


def investment_change(programme: FundingProgramme) -> InvestmentChange:
    """Money awarded against the change in published scores from the baseline year to the
    latest later year: funded organisations one by one, and the mean change of those funded
    and of the rest of the target population. An association, not a measured effect."""
    definition = planning.definition_of(programme)
    later = [y for y in published_years() if y > programme.baseline_year]
    later_year = later[-1] if later else None
    years = [programme.baseline_year] + ([later_year] if later_year else [])
    rows = published_rows(
        years=years,
        care_settings=programme.care_settings or None,
        kinds=programme.target_kinds or None,
    )
    before_rows = [r for r in rows if r.year == programme.baseline_year]
    after_rows = [r for r in rows if r.year == later_year]
    before, after = _overall_by_org(before_rows), _overall_by_org(after_rows)
    core_before, core_after = (
        _core_by_org(before_rows, definition),
        _core_by_org(after_rows, definition),
    )
    funded: dict[int, float] = defaultdict(float)
    demo: dict[int, bool] = defaultdict(bool)
    for award in programme.awards.all():
        funded[award.organisation_id] += float(award.amount_gbp)
        demo[award.organisation_id] |= award.is_demonstration
    organisations = Organisation.objects.in_bulk(list(funded))
    change_rows = []
    for org_id, amount in funded.items():
        b, a = before.get(org_id), after.get(org_id)
        change_rows.append(
            ChangeRow(
                organisation=organisations[org_id],
                funded_gbp=amount,
                overall_before=b,
                overall_after=a,
                change=(a - b) if a is not None and b is not None else None,
                core_before=core_before.get(org_id),
                core_after=core_after.get(org_id),
                demonstration=demo[org_id],
            )
        )
    change_rows.sort(key=lambda r: (-r.funded_gbp, r.organisation.name))
    with_change = [r for r in change_rows if r.change is not None]
    unfunded = [after[o] - before[o] for o in before if o in after and o not in funded]
    return InvestmentChange(
        baseline_year=programme.baseline_year,
        later_year=later_year,
        rows=change_rows,
        funded_mean_change=_mean([r.change for r in with_change]),
        unfunded_mean_change=_mean(unfunded),
        unfunded_count=len(unfunded),
        slope_per_million=_slope(
            [r.funded_gbp / 1e6 for r in with_change], [r.change for r in with_change]
        ),
        demonstration_awards=any(demo.values()),
        source_note=rows[0].source_note if rows else "",
    )


# --- needs support -----------------------------------------------------------------------------


@dataclass(frozen=True)
class GapFigure:
    pillar: str
    label: str
    score: float
    gap: float


@dataclass(frozen=True)
class FurthestItem:
    context: OrgContext
    gaps: list[GapFigure]
    total: float


@dataclass(frozen=True)
class FallingItem:
    context: OrgContext
    care_setting: str
    previous: float
    overall: float
    change: float


@dataclass(frozen=True)
class PeersItem:
    context: OrgContext
    care_setting: str
    size_band: str
    overall: float
    peer_median: float
    peer_count: int
    z: float


@dataclass
class NeedsReport:
    year: int | None
    previous_year: int | None
    definition: CoreLevelDefinition
    definition_words: str
    source_note: str
    contexts: dict[int, OrgContext] = field(default_factory=dict)
    at_core: set[int] = field(default_factory=set)
    furthest: list[FurthestItem] = field(default_factory=list)
    falling: list[FallingItem] = field(default_factory=list)
    peers: list[PeersItem] = field(default_factory=list)

    def within(self, area: Organisation) -> NeedsReport:
        """The same report restricted to the organisations in an ICB or a region."""

        def inside(context: OrgContext) -> bool:
            return any(o is not None and o.pk == area.pk for o in (context.icb, context.region))

        contexts = {k: c for k, c in self.contexts.items() if inside(c)}
        return NeedsReport(
            year=self.year,
            previous_year=self.previous_year,
            definition=self.definition,
            definition_words=self.definition_words,
            source_note=self.source_note,
            contexts=contexts,
            at_core={k for k in self.at_core if k in contexts},
            furthest=[i for i in self.furthest if inside(i.context)],
            falling=[i for i in self.falling if inside(i.context)],
            peers=[i for i in self.peers if inside(i.context)],
        )

    @property
    def population(self) -> int:
        return len(self.contexts)


def needs_report(definition: CoreLevelDefinition = DEFAULT_CORE_LEVEL) -> NeedsReport:
    """The three needs-support lists for every trust in England, from published results."""
    years = years_with_pillars()
    words = definition.describe(PILLAR_NAMES)
    if not years:
        return NeedsReport(None, None, definition, words, "")
    year = years[0]
    previous = year - 1 if (year - 1) in published_years() else None
    rows = published_rows(
        years=[y for y in (year, previous) if y is not None],
        care_settings=TRUST_SETTINGS,
        kinds=[OrganisationKind.TRUST],
    )
    current = [r for r in rows if r.year == year]
    contexts = organisation_contexts({r.organisation_id for r in current}, on=collection_date(year))
    by_org: dict[int, list[dict]] = defaultdict(list)
    for r in current:
        by_org[r.organisation_id].append(r.pillars)
    scores = {}
    for org_id, pillars in by_org.items():
        combined = combine(pillars, definition)
        if combined is not None:
            scores[str(org_id)] = combined
    report = NeedsReport(
        year, previous, definition, words, current[0].source_note if current else ""
    )
    report.contexts = contexts
    report.at_core = {int(k) for k, s in scores.items() if at_core_level(s, definition.thresholds)}
    for item in needs.furthest_from_target(scores, definition.thresholds):
        org_scores = scores[item.key]
        figures = [
            GapFigure(p, pillar_name(p), org_scores[p], item.gaps[p])
            for p in definition.pillars
            if item.gaps[p] > 0
        ]
        report.furthest.append(FurthestItem(contexts[int(item.key)], figures, item.total))
    before = {(r.organisation_id, r.care_setting): r.overall for r in rows if r.year == previous}
    settings_rows = [
        needs.SettingScore(
            key=str(r.organisation_id),
            care_setting=r.care_setting,
            size=contexts[r.organisation_id].population,
            overall=r.overall,
            previous=before.get((r.organisation_id, r.care_setting)),
        )
        for r in current
    ]
    for item in needs.falling_back(settings_rows):
        report.falling.append(
            FallingItem(
                contexts[int(item.key)], item.care_setting, item.previous, item.overall, item.change
            )
        )
    for item in needs.peers_do_much_better(settings_rows):
        report.peers.append(
            PeersItem(
                contexts[int(item.key)],
                item.care_setting,
                item.size_band,
                item.overall,
                item.peer_median,
                item.peer_count,
                item.z,
            )
        )
    return report


@dataclass(frozen=True)
class AreaCounts:
    area: Organisation
    population: int
    at_core: int
    furthest: int
    falling: int
    peers: int


def needs_index(report: NeedsReport) -> list[tuple[AreaCounts, list[AreaCounts]]]:
    """Each region with its ICBs, and how many trusts each has in each list."""
    regions_found: dict[int, Organisation] = {}
    icbs_by_region: dict[int, dict[int, Organisation]] = defaultdict(dict)
    for context in report.contexts.values():
        if context.region is not None:
            regions_found[context.region.pk] = context.region
            if context.icb is not None:
                icbs_by_region[context.region.pk][context.icb.pk] = context.icb

    def counts(area: Organisation) -> AreaCounts:
        sub = report.within(area)
        return AreaCounts(
            area,
            sub.population,
            len(sub.at_core),
            len(sub.furthest),
            len({i.context.organisation.pk for i in sub.falling}),
            len({i.context.organisation.pk for i in sub.peers}),
        )

    out = []
    for region in sorted(regions_found.values(), key=lambda o: o.name):
        icbs = sorted(icbs_by_region[region.pk].values(), key=lambda o: o.name)
        out.append((counts(region), [counts(icb) for icb in icbs]))
    return out


def get_area(ods_code: str) -> Organisation | None:
    return Organisation.objects.filter(
        ods_code=ods_code.strip().upper(), kind__in=[OrganisationKind.ICB, OrganisationKind.REGION]
    ).first()


# --- case studies ------------------------------------------------------------------------------


def get_case_study(slug: str) -> CaseStudy | None:
    return CaseStudy.objects.select_related("organisation").filter(slug=slug).first()


@dataclass(frozen=True)
class CaseStudyQuery:
    text: str = ""
    pillar: str = ""
    domain: str = ""
    care_setting: str = ""
    supplier: str = ""


def search_case_studies(query: CaseStudyQuery) -> QuerySet[CaseStudy]:
    """Published case studies matching every part of the query given (text in any field)."""
    qs = CaseStudy.objects.filter(status=CaseStudyStatus.PUBLISHED)
    for word in query.text.split():
        qs = qs.filter(
            Q(title__icontains=word)
            | Q(summary__icontains=word)
            | Q(what_we_did__icontains=word)
            | Q(do_differently__icontains=word)
            | Q(supplier__icontains=word)
            | Q(organisation__name__icontains=word)
        )
    if query.pillar:
        qs = qs.filter(tags__pillar=query.pillar)
    if query.domain:
        qs = qs.filter(tags__domain_id=query.domain)
    if query.care_setting:
        qs = qs.filter(care_setting=query.care_setting)
    if query.supplier:
        qs = qs.filter(supplier__icontains=query.supplier.strip())
    return (
        qs.distinct()
        .select_related("organisation")
        .prefetch_related("tags")
        .order_by("-published_at", "id")
    )


def case_studies_of(organisation_ids: Iterable[int]) -> QuerySet[CaseStudy]:
    return (
        CaseStudy.objects.filter(organisation_id__in=list(organisation_ids))
        .select_related("organisation")
        .order_by("organisation__name", "-updated_at")
    )


def review_queue() -> QuerySet[CaseStudy]:
    return (
        CaseStudy.objects.filter(status=CaseStudyStatus.SUBMITTED)
        .select_related("organisation")
        .order_by("updated_at", "id")
    )


def domain_choices() -> list[tuple[str, str, str]]:
    """(domain id, name, pillar id) of the edition case studies are tagged against."""
    from .services import EDITION_ID

    try:
        edition = get_edition(EDITION_ID)
    except EditionNotFound:
        return []
    return [(d.id, d.name, d.pillar.value) for d in edition.domains]


def domain_names() -> dict[str, str]:
    return {d: name for d, name, _p in domain_choices()}


# --- communities -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommunitySummary:
    pillar: str
    label: str
    members: int
    case_studies: int


def communities() -> list[CommunitySummary]:
    members = dict(
        CommunityMembership.objects.filter(left_at__isnull=True)
        .values("pillar")
        .annotate(n=Count("id"))
        .values_list("pillar", "n")
    )
    studies = dict(
        CaseStudy.objects.filter(status=CaseStudyStatus.PUBLISHED)
        .values("tags__pillar")
        .annotate(n=Count("id", distinct=True))
        .values_list("tags__pillar", "n")
    )
    return [
        CommunitySummary(
            p.value, PILLAR_LABELS[p], members.get(p.value, 0), studies.get(p.value, 0)
        )
        for p in Pillar
    ]


def community_members(pillar: str) -> QuerySet[CommunityMembership]:
    return (
        CommunityMembership.objects.filter(pillar=pillar, left_at__isnull=True)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def member_pillars(organisation_ids: Iterable[int]) -> dict[int, set[str]]:
    out: dict[int, set[str]] = defaultdict(set)
    for org_id, pillar in CommunityMembership.objects.filter(
        organisation_id__in=list(organisation_ids), left_at__isnull=True
    ).values_list("organisation_id", "pillar"):
        out[org_id].add(pillar)
    return out


def organisations(ids: Iterable[int]) -> list[Organisation]:
    return list(Organisation.objects.filter(pk__in=list(ids)).order_by("name"))


def get_organisation(ods_code: str) -> Organisation | None:
    return Organisation.objects.filter(ods_code=ods_code.strip().upper()).first()


# --- contact and learning partners -------------------------------------------------------------


def current_opt_in(organisation: Organisation) -> ContactOptIn | None:
    return ContactOptIn.objects.filter(organisation=organisation, withdrawn_at__isnull=True).first()


def contactable_ids() -> set[int]:
    return set(
        ContactOptIn.objects.filter(withdrawn_at__isnull=True).values_list(
            "organisation_id", flat=True
        )
    )


@dataclass(frozen=True)
class PartnerSection:
    care_setting: str
    source: str  # "demonstration" or "published"
    source_words: str
    weakest: list[tuple[str, float]]  # label, own level
    suggestions: list[matching.Suggestion]
    opt_ins: dict[str, ContactOptIn]  # partner key → current opt-in


def _latest_demo_scores(care_settings: Iterable[str]) -> dict[tuple[int, str], Score]:
    latest: dict[tuple[int, str], Score] = {}
    scores = (
        Score.objects.filter(
            return_obj__is_demonstration=True, return_obj__care_setting__in=list(care_settings)
        )
        .select_related("return_obj__cycle")
        .order_by("return_obj__cycle__year", "computed_at", "id")
    )
    for score in scores:
        latest[(score.return_obj.organisation_id, score.return_obj.care_setting)] = score
    return latest


def _profile(org_id, levels, setting, order, contexts, contactable) -> matching.Profile:
    context = contexts.get(org_id)
    org = context.organisation if context else None
    return matching.Profile(
        key=org.ods_code if org else str(org_id),
        name=org.name if org else str(org_id),
        care_setting=setting,
        size=context.population if context else None,
        levels=levels,
        contactable=org_id in contactable,
        order=order,
    )


def partner_sections(organisation: Organisation) -> list[PartnerSection]:
    """Suggested learning partners for each care setting the organisation has results in.

    Domain levels come from demonstration returns (labelled as such) where the organisation
    has one; otherwise the latest published pillar scores stand in."""
    years = published_years()
    published = published_rows(years=years[-1:]) if years else []
    own_published = {r.care_setting: r for r in published if r.organisation_id == organisation.pk}
    demo = _latest_demo_scores(SETTING_NAMES)
    own_demo = {s: sc for (o, s), sc in demo.items() if o == organisation.pk}
    settings = sorted(set(own_published) | set(own_demo), key=list(SETTING_NAMES).index)
    ids = {r.organisation_id for r in published} | {o for o, _s in demo}
    contexts = organisation_contexts(ids, on=dt.date.today())
    contactable = contactable_ids()
    opt_ins = {
        o.organisation.ods_code: o
        for o in ContactOptIn.objects.filter(withdrawn_at__isnull=True).select_related(
            "organisation"
        )
    }
    pillar_order = [p.value for p in Pillar]
    sections = []
    for setting in settings:
        if setting in own_demo:
            score = own_demo[setting]
            try:
                domains = get_edition(score.edition_id).domains
                order = [d.id for d in domains]
                labels = {d.id: d.name for d in domains}
            except EditionNotFound:
                order, labels = sorted(score.domain_levels), {}
            source = "demonstration"
            words = (
                f"Domain levels of demonstration returns ({score.edition_id}): generated data, "
                "not real submissions"
            )
            margin = matching.DOMAIN_MARGIN
            pool = {o: sc.domain_levels for (o, s), sc in demo.items() if s == setting}
        else:
            order, labels = pillar_order, PILLAR_NAMES
            source = "published"
            words = f"Pillar scores as published. {own_published[setting].source_note}"
            margin = matching.PILLAR_MARGIN
            pool = {r.organisation_id: r.pillars for r in published if r.care_setting == setting}

        target = _profile(
            organisation.pk, pool[organisation.pk], setting, order, contexts, contactable
        )
        candidates = [
            _profile(o, levels, setting, order, contexts, contactable)
            for o, levels in pool.items()
            if o in contexts
        ]
        found = matching.suggest_partners(
            target, candidates, margin=margin, labels=labels, setting_label=setting_name(setting)
        )
        sections.append(
            PartnerSection(
                care_setting=setting,
                source=source,
                source_words=words,
                weakest=[(labels.get(i, i), target.levels[i]) for i in matching.weakest(target)],
                suggestions=found,
                opt_ins={
                    s.partner.key: opt_ins[s.partner.key] for s in found if s.partner.key in opt_ins
                },
            )
        )
    return sections
