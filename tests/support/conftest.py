"""A small England for targeted support: two regions, three ICBs, seven trusts with published
2024 and 2025 results and registry facts, and people in each role.

Registry rows and published results belong to other apps and are written as those apps' own
tests write them; everything of this app is made through its services.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest

from maturity.accounts.models import Role, User
from maturity.accounts.services import membership_grant
from maturity.organisations.models import (
    Organisation,
    OrganisationFact,
    OrganisationKind,
    Relationship,
)
from maturity.results.models import PublishedResult
from maturity.support import services
from tests.browser.conftest import browser, visitor, visitor_no_js  # noqa: F401  (browser tests)

PASSWORD = "a-long-test-password-123"
SOURCE = "NHS England, Digital Maturity Assessment data file v2, 30 March 2026"
COSTS = {"smart_foundations": 1_000_000.0, "safe_practice": 500_000.0}

# ods, icb, name, care setting → (smart foundations, safe practice, overall 2025), overall 2024,
# catchment population, catchment IMD score
TRUSTS = {
    "RA1": ("Q01", "Alpha Hospitals", {"acute": (3.2, 3.1, 3.0)}, 2.9, 500_000, 20.0),
    "RA2": ("Q01", "Bravo Hospitals", {"acute": (2.0, 2.5, 2.2)}, 2.6, 300_000, 30.0),
    "RA3": ("Q01", "Charlie Hospitals", {"acute": (2.8, 2.0, 2.5)}, 2.4, 400_000, 25.0),
    "RA4": ("Q02", "Delta Hospitals", {"acute": (1.5, 1.5, 1.5)}, 1.6, 250_000, 35.0),
    "RA5": (
        "Q02",
        "Echo Hospitals",
        {"acute": (3.5, 3.5, 3.4), "mental_health": (2.9, 3.0, 2.9)},
        3.0,
        600_000,
        15.0,
    ),
    "RA6": ("Q03", "Foxtrot Hospitals", {"acute": (2.5, 2.5, 2.6)}, 2.5, None, None),
    "RA7": ("Q03", "Golf Hospitals", {"acute": (3.0, 3.0, 3.1)}, 3.0, 450_000, 22.0),
}
ICBS = {
    "Q01": ("Y01", "NHS One ICB"),
    "Q02": ("Y01", "NHS Two ICB"),
    "Q03": ("Y02", "NHS Three ICB"),
}
REGIONS = {"Y01": "Region One", "Y02": "Region Two"}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _org(ods_code: str, name: str, kind: str) -> Organisation:
    return Organisation.objects.create(ods_code=ods_code, name=name, kind=kind, source="test")


def _publish(org: Organisation, year: int, setting: str, pillars: dict, overall) -> None:
    PublishedResult.objects.create(
        organisation=org,
        year=year,
        care_setting=setting,
        pillars=pillars,
        overall=overall,
        overall_basis="comparable domains 2024–2025",
        method="Test method",
        source_note=SOURCE,
        source_file="digital_maturity_assessment.xlsx",
        publication_version="v2",
        published_on=dt.date(2026, 3, 30),
    )


@dataclass
class World:
    england: Organisation
    regions: dict[str, Organisation]
    icbs: dict[str, Organisation]
    trusts: dict[str, Organisation]


def build_world() -> World:
    england = _org("E92000001", "England", OrganisationKind.NATION)
    regions = {code: _org(code, name, OrganisationKind.REGION) for code, name in REGIONS.items()}
    icbs = {}
    for code, (region, name) in ICBS.items():
        icbs[code] = _org(code, name, OrganisationKind.ICB)
        Relationship.objects.create(child=icbs[code], parent=regions[region], source="test")
    trusts = {}
    for code, (icb, name, settings, overall_2024, population, imd) in TRUSTS.items():
        trust = trusts[code] = _org(code, f"{name} NHS Trust", OrganisationKind.TRUST)
        Relationship.objects.create(child=trust, parent=icbs[icb], source="test")
        for key, value in (("catchment_population", population), ("catchment_imd_2025_score", imd)):
            if value is not None:
                OrganisationFact.objects.create(
                    organisation=trust,
                    key=key,
                    value=value,
                    as_of=dt.date(2025, 1, 1),
                    source="test",
                )
        for setting, (sf, sp, overall) in settings.items():
            pillars = {
                "well_led": 2.5,
                "smart_foundations": sf,
                "safe_practice": sp,
                "support_people": 2.0,
            }
            _publish(trust, 2025, setting, pillars, overall)
            _publish(trust, 2024, setting, {}, overall_2024)
    return World(england, regions, icbs, trusts)


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def editions(db):
    from maturity.frameworks.services import sync_editions

    sync_editions()


def make_user(username: str, organisation: Organisation | None, role: Role | None) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD)
    if role is not None:
        membership_grant(by=None, user=user, organisation=organisation, role=role)
    return user


@pytest.fixture
def analyst(world) -> User:
    return make_user("analyst", world.england, Role.NATIONAL_ANALYST)


@pytest.fixture
def submitter(world) -> User:
    """Submitter of Alpha (RA1)."""
    return make_user("submitter", world.trusts["RA1"], Role.SUBMITTER)


@pytest.fixture
def other_submitter(world) -> User:
    """Submitter of Bravo (RA2): another organisation."""
    return make_user("other-submitter", world.trusts["RA2"], Role.SUBMITTER)


@pytest.fixture
def contributor(world) -> User:
    """Contributor at Alpha (RA1): in the organisation, but not its submitter."""
    return make_user("contributor", world.trusts["RA1"], Role.CONTRIBUTOR)


@pytest.fixture
def system_lead(world) -> User:
    """System lead of NHS One ICB (Q01), which Alpha, Bravo and Charlie belong to."""
    return make_user("systemlead", world.icbs["Q01"], Role.SYSTEM_LEAD)


def programme_data(**overrides) -> services.ProgrammeData:
    data = {
        "name": "Core level by 2026",
        "pot_gbp": Decimal(5_000_000),
        "deadline": dt.date(2026, 3, 31),
        "target_date": dt.date(2026, 3, 31),
        "target_share": 0.7,
        "baseline_year": 2025,
        "core_thresholds": {"smart_foundations": 3.0, "safe_practice": 3.0},
        "care_settings": ["acute", "mental_health", "community", "ambulance"],
    } | overrides
    return services.ProgrammeData(**data)


def scenario_data(**overrides) -> services.ScenarioData:
    data = {
        "name": "Most trusts",
        "budget_gbp": Decimal(3_000_000),
        "cost_per_level": COSTS,
        "cost_size_elasticity": 0.0,
    } | overrides
    return services.ScenarioData(**data)


@pytest.fixture
def programme(analyst):
    return services.programme_create(by=analyst, data=programme_data())


@pytest.fixture
def scenario(analyst, programme):
    scenario = services.scenario_create(by=analyst, programme=programme, data=scenario_data())
    return services.scenario_solve(by=analyst, scenario=scenario)


def case_study_data(**overrides) -> services.CaseStudyData:
    data = {
        "title": "Paper-free observations",
        "summary": "How we moved observations into the record.",
        "what_we_did": "Ward by ward, with nurses setting the pace.",
        "care_setting": "acute",
        "domain_ids": ["sf.epr", "sw.mobile_working"],
        "supplier": "Acme EPR",
        "cost_gbp": Decimal(250_000),
        "do_differently": "Fix the wireless first.",
        "contact_name": "A Lead",
        "contact_email": "a.lead@example.org",
    } | overrides
    return services.CaseStudyData(**data)


@pytest.fixture
def draft(editions, submitter, world):
    return services.case_study_create(
        by=submitter, organisation=world.trusts["RA1"], data=case_study_data()
    )


@pytest.fixture
def published(draft, submitter, analyst):
    services.case_study_submit(by=submitter, case_study=draft)
    return services.case_study_publish(by=analyst, case_study=draft)
