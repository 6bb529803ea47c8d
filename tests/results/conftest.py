"""The national data set, built once per test module that asks for it: the real registry, the
framework editions, NHS England's published results and the demonstration returns."""

from __future__ import annotations

import time
from dataclasses import dataclass

import pytest


@dataclass
class NationalData:
    dma: object  # maturity.results.services.ImportSummary
    demo: object  # maturity.assessments.services.DemoSummary
    seconds: dict[str, float]


def build_national_data() -> NationalData:
    from maturity.assessments.services import generate_demonstration_returns
    from maturity.frameworks.services import sync_editions
    from maturity.organisations.services import import_reference_data
    from maturity.results.services import import_published_dma

    seconds = {}
    started = time.perf_counter()
    import_reference_data()
    seconds["registry"] = time.perf_counter() - started
    started = time.perf_counter()
    sync_editions()
    seconds["editions"] = time.perf_counter() - started
    started = time.perf_counter()
    dma = import_published_dma()
    seconds["published"] = time.perf_counter() - started
    started = time.perf_counter()
    demo = generate_demonstration_returns()
    seconds["demonstration"] = time.perf_counter() - started
    return NationalData(dma=dma, demo=demo, seconds=seconds)


def remove_national_data() -> None:
    from maturity.assessments.models import Answer, Cycle, Return, Score
    from maturity.frameworks.models import FrameworkEdition
    from maturity.organisations.models import (
        Organisation,
        OrganisationCareSetting,
        OrganisationChange,
        OrganisationFact,
        ReferenceImport,
        Relationship,
        Succession,
    )
    from maturity.results.models import PublishedResult

    for model in (
        Score,
        Answer,
        Return,
        Cycle,
        PublishedResult,
        FrameworkEdition,
        OrganisationChange,
        ReferenceImport,
        OrganisationFact,
        OrganisationCareSetting,
        Succession,
        Relationship,
        Organisation,
    ):
        model.objects.all().delete()


@pytest.fixture(scope="module")
def national(django_db_setup, django_db_blocker):
    """Module-scoped: built outside the tests' transactions, removed when the module ends."""
    with django_db_blocker.unblock():
        try:
            data = build_national_data()
        except BaseException:
            remove_national_data()
            raise
    yield data
    with django_db_blocker.unblock():
        remove_national_data()


@pytest.fixture
def editions(db):
    from maturity.frameworks.services import sync_editions

    sync_editions()


@pytest.fixture
def small_world(editions):
    """RD1 and its ICB with published rows from the real file, plus their demonstration returns."""
    from maturity.assessments.services import generate_demonstration_returns

    from .small_world import build_small_world

    world = build_small_world()
    generate_demonstration_returns()
    return world
