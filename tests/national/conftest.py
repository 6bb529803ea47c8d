"""Fixtures: the small real reference set and the shipped editions, then a small generated
national data set."""

# ruff: noqa: F811

from __future__ import annotations

from pathlib import Path

import pytest

from tests.organisations.conftest import MINI_REFERENCE


@pytest.fixture(scope="session")
def _parsed_editions():
    from maturity.core.framework import load_editions
    from maturity.frameworks.services import EDITIONS_DIR

    return load_editions(EDITIONS_DIR)


@pytest.fixture
def editions(db, monkeypatch, _parsed_editions):
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
def registry(db):
    from maturity.organisations.services import import_reference_data

    return import_reference_data(reference_dir=MINI_REFERENCE)


@pytest.fixture
def small_national(registry, editions):
    from maturity.national.generate import generate_national

    return generate_national(seed=11, size="small", asc_providers=20)
