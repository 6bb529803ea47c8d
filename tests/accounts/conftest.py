"""People in every role at a small slice of the real hierarchy: England › South West (Y58) ›
BSW ICB (QOX) › Bath (RD1) and Swindon (RN3); Oxford (RTH) in another ICB. Memberships are made
through the service, as the product makes them."""

from __future__ import annotations

import pytest

from maturity.accounts.models import Role, User
from maturity.accounts.services import membership_grant
from tests.browser.conftest import browser, visitor, visitor_no_js  # noqa: F401  (browser tests)

PASSWORD = "a-long-test-password-123"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _org(ods_code: str, name: str, kind: str, parent=None):
    from maturity.organisations.models import Organisation, Relationship

    organisation = Organisation.objects.create(
        ods_code=ods_code, name=name, kind=kind, source="test"
    )
    if parent is not None:
        Relationship.objects.create(child=organisation, parent=parent, source="test")
    return organisation


@pytest.fixture
def orgs(db) -> dict:
    england = _org("E92000001", "England", "nation")
    south_west = _org("Y58", "South West", "region", england)
    bsw = _org(
        "QOX", "NHS Bath and North East Somerset, Swindon and Wiltshire ICB", "icb", south_west
    )
    bob = _org("QU9", "NHS Buckinghamshire, Oxfordshire and Berkshire West ICB", "icb")
    return {
        "E92000001": england,
        "Y58": south_west,
        "QOX": bsw,
        "QU9": bob,
        "RD1": _org("RD1", "ROYAL UNITED HOSPITALS BATH NHS FOUNDATION TRUST", "trust", bsw),
        "RN3": _org("RN3", "GREAT WESTERN HOSPITALS NHS FOUNDATION TRUST", "trust", bsw),
        "RTH": _org("RTH", "OXFORD UNIVERSITY HOSPITALS NHS FOUNDATION TRUST", "trust", bob),
        "L81001": _org("L81001", "A GP practice", "gp_practice"),
        "1-000000001": _org("1-000000001", "A care home", "asc_provider"),
        "W92000004": _org("W92000004", "Wales", "nation"),
        "E08000001": _org("E08000001", "A local authority", "local_authority"),
    }


def make_user(
    username: str, *, orgs: dict | None = None, role: Role | None = None, ods: str = "", **extra
) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, **extra)
    if role is not None:
        assert orgs is not None
        membership_grant(by=None, user=user, organisation=orgs[ods], role=role)
    return user


@pytest.fixture
def analyst(orgs) -> User:
    return make_user("analyst", orgs=orgs, role=Role.NATIONAL_ANALYST, ods="E92000001")


@pytest.fixture
def submitter(orgs) -> User:
    return make_user("submitter", orgs=orgs, role=Role.SUBMITTER, ods="RD1")


@pytest.fixture
def contributor(orgs) -> User:
    return make_user("contributor", orgs=orgs, role=Role.CONTRIBUTOR, ods="RD1")


@pytest.fixture
def other_trust_contributor(orgs) -> User:
    return make_user("contributor2", orgs=orgs, role=Role.CONTRIBUTOR, ods="RN3")


@pytest.fixture
def nobody(db) -> User:
    """Signed in, no role anywhere."""
    return make_user("nobody", email="nobody@example.nhs.uk")
