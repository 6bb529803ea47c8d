"""Fixtures for the commitments tracker: people in each role, and commitments built through the
services (never the raw ORM), so tests cannot create states the service cannot reach."""

from __future__ import annotations

import datetime as dt

import pytest

from maturity.accounts.models import Role, User
from maturity.accounts.services import membership_grant
from maturity.commitments import services
from maturity.commitments.services import CommitmentData, MetricData
from tests.browser.conftest import browser, visitor, visitor_no_js  # noqa: F401  (browser tests)

PASSWORD = "a-long-test-password-123"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The default hasher is deliberately slow; these tests sign people in many times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def england(db):
    from maturity.organisations.models import Organisation, OrganisationKind

    return Organisation.objects.create(
        ods_code="E92000001", name="England", kind=OrganisationKind.NATION, source="test"
    )


def _user(username: str, organisation, role: Role | None) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD)
    if role is not None:
        membership_grant(user=user, organisation=organisation, role=role, by=None)
    return user


@pytest.fixture
def analyst(england) -> User:
    return _user("analyst", england, Role.NATIONAL_ANALYST)


@pytest.fixture
def panel_member(england) -> User:
    return _user("panellist", england, Role.PANEL_MEMBER)


@pytest.fixture
def contributor(db) -> User:
    """Signed in, a contributor for a trust: neither an analyst nor a panel member."""
    from maturity.organisations.models import Organisation, OrganisationKind

    trust = Organisation.objects.create(
        ods_code="RXX", name="A test trust", kind=OrganisationKind.TRUST, source="test"
    )
    return _user("contributor", trust, Role.CONTRIBUTOR)


def make_commitment(analyst, slug: str = "epr-all-trusts", **overrides):
    data = {
        "slug": slug,
        "title": "EPRs in all trusts",
        "text": "All trusts to have an electronic patient record.",
        "policy_area": "cost_efficiency",
        "source_document": "A plan for digital health and social care",
        "citation": "Test citation",
        "original_deadline": dt.date(2026, 3, 31),
        "domain_ids": ["sf.epr"],
        "question_ids": ["ctx.epr_in_place"],
    } | overrides
    return services.commitment_create(by=analyst, data=CommitmentData(**data))


def make_metric(analyst, commitment, slug: str = "trusts-with-epr", **overrides):
    data = {
        "slug": slug,
        "name": "Trusts with an EPR",
        "unit": "%",
        "is_primary": True,
        "baseline_value": 80.0,
        "baseline_date": dt.date(2022, 1, 1),
        "baseline_source": "Baseline source",
        "target_value": 100.0,
        "target_source": "Target source",
        "minimum": 0.0,
        "maximum": 100.0,
    } | overrides
    return services.metric_create(by=analyst, commitment=commitment, data=MetricData(**data))


@pytest.fixture
def commitment(analyst):
    return make_commitment(analyst)


@pytest.fixture
def metric(analyst, commitment):
    return make_metric(analyst, commitment)


@pytest.fixture
def open_round(analyst):
    return services.round_create(
        by=analyst, name="2026 evaluation", held_on=dt.date(2026, 6, 1), panel="Test panel"
    )
