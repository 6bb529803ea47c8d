"""Fixtures for the return pages: editions loaded once per session, a small world per test."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from maturity.core.framework import load_editions
from maturity.frameworks import selectors as framework_selectors
from maturity.frameworks import services as framework_services
from maturity.frameworks.services import EDITIONS_DIR, sync_editions

from .factories import World, build_world


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def _shipped_editions():
    return load_editions(EDITIONS_DIR)


@pytest.fixture
def editions(db, monkeypatch, _shipped_editions):
    """Every shipped edition in the test database; the YAML is parsed once per session."""
    monkeypatch.setattr(
        framework_services,
        "load_editions",
        lambda path: _shipped_editions if Path(path) == EDITIONS_DIR else load_editions(path),
    )
    framework_selectors._cache.clear()
    return sync_editions()


@pytest.fixture
def world(editions, settings, tmp_path) -> World:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return build_world()


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def as_user():
    return client_for
