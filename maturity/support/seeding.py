"""Demonstration data for targeted support and peer learning, built through the services.

Everything made here is flagged ``is_demonstration`` and labelled wherever it is shown: the
funding programmes, pots, costs per level and awards are illustrative, not real decisions, and
the case studies are written by us for the demonstration (generic lessons, not any named
organisation's real account). The published scores the pages draw on are real.

Idempotent: a second run finds what the first made and adds nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from maturity.accounts.models import Role, User
from maturity.accounts.services import ensure_demo_users, membership_grant
from maturity.organisations.models import Organisation

from . import planning, services
from .models import (
    CaseStudy,
    CaseStudyStatus,
    FundingProgramme,
    Objective,
    Scenario,
)

ANALYST = "analyst"
SUBMITTER = "submitter"  # the demo submitter of RD1
PROGRAMME = "Frontline digitisation: core level by March 2026 (demonstration)"
EARLIER_PROGRAMME = "Digitisation support 2024/25 (demonstration)"
TRUST_SETTINGS = ["acute", "mental_health", "community", "ambulance"]
COSTS = {"smart_foundations": 1_500_000.0, "safe_practice": 800_000.0}
AWARD_SOURCE = "Demonstration award: illustrative, not a real payment"
CONTACT_DOMAIN = "example.org"  # reserved for examples: never a real mailbox


class SeedError(RuntimeError):
    pass


@dataclass(frozen=True)
class DemoCaseStudy:
    ods_code: str
    title: str
    summary: str
    what_we_did: str
    do_differently: str
    domain_ids: tuple[str, ...]
    supplier: str
    cost_gbp: int | None
    cost_note: str
    final_status: str  # published, submitted or draft


CASE_STUDIES = (
    DemoCaseStudy(
        "RD1",
        "Taking ward observations off paper, one ward at a time",
        "A demonstration example of moving bedside observations into the electronic record "
        "ward by ward, with nurses setting the pace.",
        "We started on two wards whose sisters had asked for it, not on the wards with the "
        "worst paper problems. Each ward had a fortnight of support at the bedside from "
        "nurses who had already made the change, and the paper charts were taken away on a "
        "date the ward chose.\n\nHandheld devices were bought only after the wards had tried "
        "three kinds for a week each. We tracked late observations and escalations before and "
        "after, and shared the figures with each ward every week.",
        "We would fix the wireless coverage in every bay before going live, not after the "
        "first complaints, and budget for spare devices from the start.",
        ("sf.epr", "sf.infrastructure", "sw.mobile_working"),
        "Existing EPR supplier",
        450_000,
        "Devices, wireless survey and backfill for training (illustrative figure)",
        "published",
    ),
    DemoCaseStudy(
        "RRV",
        "Clinical safety cases that keep up with weekly releases",
        "A demonstration example of keeping the clinical safety case current when the "
        "electronic record changes every week.",
        "Every change request carries a short hazard screen filled in by the person asking "
        "for it. Only changes that touch a known hazard go to the clinical safety officer, "
        "who signs them off in a fortnightly meeting with the release manager.\n\nThe hazard "
        "log lives next to the change log, so both are read together at each release.",
        "We would have trained more clinical safety officers earlier: one person was a "
        "bottleneck for the first six months.",
        ("sp.clinical_safety", "sp.system_assurance"),
        "",
        None,
        "",
        "published",
    ),
    DemoCaseStudy(
        "R0B",
        "A cyber recovery exercise run with the whole board",
        "A demonstration example of rehearsing recovery from a cyber attack with executives "
        "and clinicians, not only the IT team.",
        "We ran a half-day exercise in which the board had to decide, hour by hour, which "
        "services to keep running on paper while systems were restored. Clinical leads wrote "
        "the paper procedures beforehand and tested them on a quiet weekend.\n\nThe actions "
        "went into the digital strategy, with a named owner for each.",
        "We would include partner organisations in the system next time: several decisions "
        "depended on them.",
        ("sf.cyber", "sf.resilience", "wl.leadership"),
        "",
        30_000,
        "External facilitation (illustrative figure)",
        "published",
    ),
    DemoCaseStudy(
        "RTH",
        "Closing the loop on electronic prescribing for day-case patients",
        "A demonstration example, waiting for review, of extending electronic prescribing to "
        "day-case units.",
        "Day-case units had kept paper drug charts because patients moved between theatres "
        "and wards within hours. We mapped each hand-over and configured order sets for the "
        "ten most common procedures.",
        "",
        ("sf.eprescribing", "sp.safety_alerts"),
        "Existing EPR supplier",
        None,
        "",
        "submitted",
    ),
)

COMMUNITIES = {
    "RD1": ("smart_foundations", "support_people"),
    "RRV": ("safe_practice",),
    "R0B": ("smart_foundations", "well_led"),
    "RTH": ("smart_foundations", "safe_practice"),
}


@dataclass
class SeedSummary:
    programmes: int = 0
    scenarios: int = 0
    awards: int = 0
    case_studies: int = 0
    opt_ins: int = 0
    memberships: int = 0


def _user(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise SeedError(f"The demo sign-in {username!r} is missing: run `maturity demo` first.")
    return user


def _author(organisation: Organisation) -> User:
    """A demonstration submitter who writes the organisation's case studies. It cannot sign in
    (no usable password): it exists so the case studies go through the same services."""
    username = f"demo-author-{organisation.ods_code.lower()}"
    user, created = User.objects.get_or_create(
        username=username, defaults={"first_name": "Demonstration", "last_name": "author"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    membership_grant(by=None, user=user, organisation=organisation, role=Role.SUBMITTER)
    return user


def _programme(analyst: User, name: str, **overrides) -> tuple[FundingProgramme, bool]:
    existing = FundingProgramme.objects.filter(name=name, is_demonstration=True).first()
    if existing is not None:
        return existing, False
    data = {
        "name": name,
        "pot_gbp": Decimal(150_000_000),
        "deadline": dt.date(2026, 3, 31),
        "target_date": dt.date(2026, 3, 31),
        "target_share": 0.7,
        "baseline_year": 2025,
        "core_thresholds": {"smart_foundations": 3.0, "safe_practice": 3.0},
        "care_settings": TRUST_SETTINGS,
        "is_demonstration": True,
    } | overrides
    return services.programme_create(by=analyst, data=services.ProgrammeData(**data)), True


def _scenario(analyst, programme, name: str, **overrides) -> Scenario | None:
    if programme.scenarios.filter(name=name).exists():
        return None
    data = {
        "name": name,
        "budget_gbp": programme.pot_gbp,
        "cost_per_level": COSTS,
        "is_demonstration": True,
    } | overrides
    scenario = services.scenario_create(
        by=analyst, programme=programme, data=services.ScenarioData(**data)
    )
    return services.scenario_solve(by=analyst, scenario=scenario)


def seed_support_demo(*, progress: Callable[[str], None] = lambda _m: None) -> SeedSummary:
    ensure_demo_users()
    analyst = _user(ANALYST)
    summary = SeedSummary()
    if not planning.published_rows(years=[2025]):
        raise SeedError("No 2025 published results: import them first (`maturity demo`).")

    progress("Funding programme and scenarios (demonstration)")
    # A pot too small for the target, so the scenarios show a shortfall and the least-cost
    # scenario shows what the target would take.
    programme, created = _programme(
        analyst,
        PROGRAMME,
        description="Illustrative: how a frontline digitisation pot might be shared to bring "
        "trusts to the core level of digitisation. The pot and costs per level are made up.",
        pot_gbp=Decimal(80_000_000),
    )
    summary.programmes += created
    scenarios = [
        _scenario(
            analyst,
            programme,
            "Most trusts to the core level",
            notes="Smart foundations first, £3m cap per trust.",
            cap_per_organisation_gbp=Decimal(3_000_000),
        ),
        _scenario(
            analyst,
            programme,
            "Priority to deprived and larger populations, with ICB floors",
            notes="Every ICB's trusts share at least £500,000.",
            population_exponent=0.5,
            deprivation_weight=1.0,
            cap_per_organisation_gbp=Decimal(3_000_000),
            icb_floor_gbp=Decimal(500_000),
        ),
        _scenario(
            analyst,
            programme,
            "Least cost of reaching 70%",
            objective=Objective.MIN_COST,
            cap_per_organisation_gbp=Decimal(3_000_000),
        ),
    ]
    summary.scenarios += sum(s is not None for s in scenarios)

    progress("Recorded awards (demonstration)")
    summary.awards += _awards_following(analyst, programme)
    earlier, created = _programme(
        analyst,
        EARLIER_PROGRAMME,
        description="Illustrative awards made against the 2024 results, to show how money "
        "relates to the change in published scores from 2024 to 2025.",
        pot_gbp=Decimal(40_000_000),
        deadline=dt.date(2024, 9, 30),
        target_date=dt.date(2025, 6, 30),
        baseline_year=2024,
    )
    summary.programmes += created
    summary.awards += _earlier_awards(analyst, earlier)

    progress("Case studies, contacts and communities (demonstration)")
    organisations = {
        o.ods_code: o
        for o in Organisation.objects.filter(
            ods_code__in={c.ods_code for c in CASE_STUDIES} | set(COMMUNITIES)
        )
    }
    for item in CASE_STUDIES:
        organisation = organisations.get(item.ods_code)
        if organisation is not None and _case_study(analyst, organisation, item):
            summary.case_studies += 1
    for ods_code, pillars in COMMUNITIES.items():
        organisation = organisations.get(ods_code)
        if organisation is None:
            continue
        author = _author(organisation)
        for pillar in pillars:
            before = organisation.communities.filter(left_at__isnull=True).count()
            services.community_join(
                by=author, organisation=organisation, pillar=pillar, is_demonstration=True
            )
            summary.memberships += (
                organisation.communities.filter(left_at__isnull=True).count() - before
            )
        if not organisation.contact_opt_ins.filter(withdrawn_at__isnull=True).exists():
            services.contact_opt_in(
                by=author,
                organisation=organisation,
                contact_name="Demonstration contact (not a real person)",
                contact_email=f"digital-{ods_code.lower()}@{CONTACT_DOMAIN}",
                topics=", ".join(p.replace("_", " ") for p in pillars),
                is_demonstration=True,
            )
            summary.opt_ins += 1
    return summary


@transaction.atomic
def _awards_following(analyst, programme: FundingProgramme) -> int:
    """Awards to the ten largest allocations of the first scenario, as if paid."""
    if programme.awards.exists():
        return 0
    scenario = programme.scenarios.order_by("created_at", "id").first()
    if scenario is None:
        return 0
    rows = scenario.allocations.filter(amount_gbp__gt=0).select_related("organisation")
    count = 0
    for row in rows.order_by("-amount_gbp", "organisation__ods_code")[:10]:
        services.award_record(
            by=analyst,
            programme=programme,
            organisation=row.organisation,
            amount_gbp=row.amount_gbp,
            awarded_on=dt.date(2026, 1, 15),
            source=AWARD_SOURCE,
            purpose="Closing the gap to the core level (demonstration)",
            pillars=sorted(row.uplift),
            scenario=scenario,
            is_demonstration=True,
        )
        count += 1
    return count


@transaction.atomic
def _earlier_awards(analyst, programme: FundingProgramme) -> int:
    """Awards to the 15 trusts with the lowest published 2024 overall scores (one per trust,
    £1m to £2.4m in steps), deterministic so the demonstration is the same every time."""
    if programme.awards.exists():
        return 0
    rows = planning.published_rows(years=[2024], care_settings=TRUST_SETTINGS, kinds=["trust"])
    lowest: dict[int, float] = {}
    for r in rows:
        if r.overall is not None:
            lowest[r.organisation_id] = min(r.overall, lowest.get(r.organisation_id, 5.0))
    chosen = sorted(lowest, key=lambda o: (lowest[o], o))[:15]
    organisations = Organisation.objects.in_bulk(chosen)
    for i, org_id in enumerate(chosen):
        services.award_record(
            by=analyst,
            programme=programme,
            organisation=organisations[org_id],
            amount_gbp=Decimal(1_000_000 + 100_000 * i),
            awarded_on=dt.date(2024, 9, 1),
            source=AWARD_SOURCE,
            purpose="Electronic record and infrastructure (demonstration)",
            pillars=["smart_foundations"],
            is_demonstration=True,
        )
    return len(chosen)


def _case_study(analyst, organisation: Organisation, item: DemoCaseStudy) -> bool:
    if CaseStudy.objects.filter(organisation=organisation, title=item.title).exists():
        return False
    author = _author(organisation)
    data = services.CaseStudyData(
        title=item.title,
        summary=item.summary,
        what_we_did=item.what_we_did,
        care_setting="acute",
        domain_ids=list(item.domain_ids),
        supplier=item.supplier,
        cost_gbp=Decimal(item.cost_gbp) if item.cost_gbp is not None else None,
        cost_note=item.cost_note,
        do_differently=item.do_differently,
        contact_name="Demonstration contact (not a real person)",
        contact_email=f"digital-{organisation.ods_code.lower()}@{CONTACT_DOMAIN}",
        is_demonstration=True,
    )
    case_study = services.case_study_create(by=author, organisation=organisation, data=data)
    if item.final_status in (CaseStudyStatus.SUBMITTED, CaseStudyStatus.PUBLISHED):
        services.case_study_submit(by=author, case_study=case_study)
    if item.final_status == CaseStudyStatus.PUBLISHED:
        services.case_study_publish(
            by=analyst, case_study=case_study, note="Demonstration: published by the seed."
        )
    return True
