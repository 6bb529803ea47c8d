from __future__ import annotations

from pathlib import Path

import pytest

from maturity.core.framework import load_editions
from maturity.frameworks import selectors, services
from maturity.frameworks.services import EDITIONS_DIR, sync_editions


@pytest.fixture
def editions_dir() -> Path:
    return EDITIONS_DIR


@pytest.fixture(scope="session")
def _shipped_editions():
    return load_editions(EDITIONS_DIR)


@pytest.fixture
def synced(db, monkeypatch, _shipped_editions):
    """Every shipped edition loaded into the test database.

    The YAML is read once per session (test_sync.py reads it for real each time).
    """
    monkeypatch.setattr(
        services,
        "load_editions",
        lambda path: _shipped_editions if Path(path) == EDITIONS_DIR else load_editions(path),
    )
    selectors._cache.clear()
    return {row.edition_id: row for row in sync_editions()}
