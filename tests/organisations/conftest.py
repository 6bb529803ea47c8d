"""Fixtures for the organisation registry tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from maturity.organisations.services import import_reference_data

FIXTURES = Path(__file__).parent / "fixtures"
MINI_REFERENCE = FIXTURES / "reference"


@pytest.fixture
def reference_copy(tmp_path: Path) -> Path:
    """A writable copy of the small reference set, for tests that alter a file."""
    target = tmp_path / "reference"
    shutil.copytree(MINI_REFERENCE, target)
    return target


@pytest.fixture
def mini_registry(db):
    """The small reference set (real rows from the shipped files) imported."""
    return import_reference_data(reference_dir=MINI_REFERENCE)
