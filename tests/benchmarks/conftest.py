"""Fixtures for benchmark tests: a London-sized world from NHS England's real published figures
(module-scoped, benchmarks built), the same world with demonstration returns (per test), the
national data set, and the browser fixtures."""

# Test arguments named like the imported fixtures are those fixtures, not redefinitions.
# ruff: noqa: F811

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import browser, visitor, visitor_no_js  # noqa: F401 (fixtures)
from tests.results.conftest import national  # noqa: F401 (the national data set)

from .world import TODAY, build_world, remove_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """London's published 2024 and 2025 results, with benchmarks built (read-only in tests)."""
    from maturity.benchmarks.services import build_all_snapshots

    with django_db_blocker.unblock():
        try:
            built = build_world()
            build_all_snapshots(today=TODAY)
        except BaseException:
            remove_world()
            raise
    yield built
    with django_db_blocker.unblock():
        remove_world()


@pytest.fixture(scope="session")
def _parsed_editions():
    from maturity.core.framework import load_editions
    from maturity.frameworks.services import EDITIONS_DIR

    return load_editions(EDITIONS_DIR)


@pytest.fixture
def editions(db, monkeypatch, _parsed_editions):
    """Every shipped edition in the test database (parsed once per session)."""
    from maturity.core.framework import load_editions
    from maturity.frameworks import selectors as framework_selectors
    from maturity.frameworks import services as framework_services

    shipped = framework_services.EDITIONS_DIR
    monkeypatch.setattr(
        framework_services,
        "load_editions",
        lambda path: _parsed_editions if Path(path) == shipped else load_editions(path),
    )
    framework_selectors._cache.clear()
    framework_services.sync_editions()


@pytest.fixture
def demo_world(world, editions):
    """The London world plus demonstration returns reproducing its 2025 results, rebuilt."""
    from maturity.assessments.services import generate_demonstration_returns
    from maturity.benchmarks.services import build_all_snapshots

    generate_demonstration_returns()
    build_all_snapshots(today=TODAY)
    return world


@pytest.fixture(scope="module")
def national_benchmarks(national, django_db_blocker):
    """The national data set with its benchmarks built; the snapshots go when the module ends."""
    from maturity.benchmarks.models import SnapshotBuild
    from maturity.benchmarks.services import build_all_snapshots

    with django_db_blocker.unblock():
        summaries = build_all_snapshots(today=TODAY)
    yield summaries
    with django_db_blocker.unblock():
        SnapshotBuild.objects.all().delete()


@pytest.fixture
def analyst(db):
    from maturity.accounts.models import Membership, Role, User
    from maturity.organisations.models import Organisation, OrganisationKind

    nation, _ = Organisation.objects.get_or_create(
        ods_code="E92000001", defaults={"name": "England", "kind": OrganisationKind.NATION}
    )
    user = User.objects.create_user("analyst", password="a-long-test-password-1")
    Membership.objects.create(user=user, organisation=nation, role=Role.NATIONAL_ANALYST)
    return user
