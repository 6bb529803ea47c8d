"""Fixtures for the assessment tests: the editions in the database (parsed once per session),
a small cohort of organisations and people, and an open cycle for it."""

from __future__ import annotations

from pathlib import Path

import pytest

from maturity.core.framework import load_editions
from tests.results.conftest import national  # noqa: F401  (the national data set fixture)


@pytest.fixture(scope="session")
def _parsed_editions():
    from maturity.frameworks.services import EDITIONS_DIR

    return load_editions(EDITIONS_DIR)


@pytest.fixture
def loaded_editions(db, monkeypatch, _parsed_editions):
    """Every shipped edition stored in the test database."""
    from maturity.frameworks import selectors as framework_selectors
    from maturity.frameworks import services as framework_services

    shipped = framework_services.EDITIONS_DIR
    monkeypatch.setattr(
        framework_services,
        "load_editions",
        lambda path: _parsed_editions if Path(path) == shipped else load_editions(path),
    )
    framework_selectors._cache.clear()
    return framework_services.sync_editions()


@pytest.fixture
def cohort(loaded_editions, settings, tmp_path):
    from .factories import build_cohort

    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return build_cohort()


@pytest.fixture
def cycle(cohort):
    from .factories import open_cycle

    return open_cycle(cohort.analyst)
