"""The open 2026 demonstration cycle, and copying forward from the 2025 demonstration returns."""

from __future__ import annotations

import datetime as dt

import pytest

from maturity.assessments import selectors, services
from maturity.assessments.models import Cycle, Return
from maturity.organisations.models import OrganisationCareSetting
from tests.results.small_world import build_small_world

from .factories import person

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_world(loaded_editions):
    world = build_small_world()
    OrganisationCareSetting.objects.create(
        organisation=world.bath, care_setting="acute", source="t"
    )
    for setting in ("icb", "primary_care"):
        OrganisationCareSetting.objects.create(
            organisation=world.bsw, care_setting=setting, source="t"
        )
    services.generate_demonstration_returns()
    return world


def test_the_open_demonstration_cycle(demo_world):
    cycle = services.open_demonstration_cycle()
    assert (cycle.year, cycle.edition.edition_id, cycle.status) == (2026, "wgll-2025", "open")
    assert cycle.is_demonstration and cycle.opened_by is None
    assert (cycle.opens_on, cycle.closes_on) == (dt.date(2026, 11, 1), dt.date(2027, 1, 31))
    assert cycle.opens_on <= dt.date(2026, 11, 23) < cycle.closes_on  # "today" is in the window
    assert cycle.scope_organisation_kinds == ["icb", "trust"]
    assert set(
        Return.objects.filter(cycle=cycle).values_list("organisation__ods_code", "care_setting")
    ) == {("RD1", "acute"), ("QOX", "icb"), ("QOX", "primary_care")}
    assert set(Return.objects.filter(cycle=cycle).values_list("is_demonstration", flat=True)) == {
        True
    }
    again = services.open_demonstration_cycle()
    assert again.pk == cycle.pk
    assert Cycle.objects.filter(year=2026).count() == 1


def test_demonstration_returns_copy_forward_from_2025(demo_world):
    from maturity.accounts.models import Role

    cycle = services.open_demonstration_cycle()
    contributor = person("bath_contributor", demo_world.bath, Role.CONTRIBUTOR)
    current = Return.objects.get(cycle=cycle, organisation=demo_world.bath)
    previous = Return.objects.get(cycle__year=2025, organisation=demo_world.bath)

    result = services.previous_answers_copy(by=contributor, return_=current)

    assert result.source.pk == previous.pk
    copied = dict(current.answers.values_list("item_id", "value"))
    before = dict(previous.answers.values_list("item_id", "value"))
    assert result.copied == len(copied) == len(before)  # same edition: everything carries over
    assert copied == before
    # The scores are what 2025's were, until the organisation changes something.
    levels = {
        d.domain_id: d.level for p in selectors.return_task_list(current).pillars for d in p.domains
    }
    assert levels == previous.scores.latest().domain_levels


@pytest.mark.slow
def test_the_demonstration_cycle_on_the_national_data(national):
    """The whole registry: every open trust and ICB gets its returns, and a 2025 return copies."""
    from maturity.organisations.models import Organisation

    cycle = services.open_demonstration_cycle()  # rolled back with the test's transaction
    returns = Return.objects.filter(cycle=cycle)
    kinds = set(returns.values_list("organisation__kind", flat=True))
    assert kinds == {"trust", "icb"}
    open_icbs = Organisation.objects.filter(kind="icb").open_on(dt.date(2026, 11, 1)).count()
    assert returns.filter(care_setting="icb").count() == open_icbs
    assert returns.filter(care_setting="acute").count() > 100
    # A trust that answered in 2025 copies its answers forward.
    previous = (
        Return.objects.filter(cycle__year=2025, organisation__kind="trust")
        .order_by("organisation__ods_code")
        .first()
    )
    current = returns.get(organisation=previous.organisation, care_setting=previous.care_setting)
    contributor = person("national_contributor", previous.organisation, "contributor")
    result = services.previous_answers_copy(by=contributor, return_=current)
    assert result.source.pk == previous.pk and result.copied == previous.answers.count()
