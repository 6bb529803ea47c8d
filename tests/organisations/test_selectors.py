"""Reads of the registry, on hand-built organisations (factories)."""

import datetime as dt

import pytest

from maturity.organisations.selectors import (
    children_on,
    icb_on,
    organisation_history,
    parents_on,
    search_organisations,
)

from .factories import (
    IcbFactory,
    NationFactory,
    OrganisationFactory,
    PracticeFactory,
    RegionFactory,
    RelationshipFactory,
    SubIcbFactory,
    SuccessionFactory,
    TrustFactory,
)

CHANGE = dt.date(2026, 4, 1)
BEFORE = dt.date(2025, 6, 1)
AFTER = dt.date(2026, 6, 1)


@pytest.fixture
def world(db):
    """England → region → old ICB (closed 2026-04-01) and new ICB; a sub-ICB location and a
    practice in the old ICB's area, and a trust that moves from the old ICB to the new one."""
    england = NationFactory()
    region = RegionFactory(ods_code="Y99", name="Test region")
    old = IcbFactory(ods_code="QAA", name="NHS Old Integrated Care Board", closed_on=CHANGE)
    new = IcbFactory(ods_code="ZZ1", name="NHS New Integrated Care Board", opened_on=CHANGE)
    sub = SubIcbFactory(ods_code="01A", name="NHS Old ICB - 01A")
    practice = PracticeFactory(ods_code="A10001", name="Test Surgery")
    trust = TrustFactory(ods_code="RA1", name="Test NHS Trust")
    RelationshipFactory(child=region, parent=england, valid_from=None)
    RelationshipFactory(child=old, parent=region, valid_to=CHANGE)
    RelationshipFactory(child=new, parent=region, valid_from=CHANGE)
    RelationshipFactory(child=sub, parent=old, valid_to=CHANGE)
    RelationshipFactory(child=sub, parent=new, valid_from=CHANGE)
    RelationshipFactory(child=practice, parent=sub, valid_from=dt.date(2013, 4, 1))
    RelationshipFactory(child=trust, parent=old, valid_to=CHANGE)
    RelationshipFactory(child=trust, parent=new, valid_from=CHANGE)
    SuccessionFactory(predecessor=old, successor=new)
    return {
        "england": england,
        "region": region,
        "old": old,
        "new": new,
        "sub": sub,
        "practice": practice,
        "trust": trust,
    }


def codes(orgs):
    return [o.ods_code for o in orgs]


def test_trust_icb_before_and_after_the_change(world):
    assert icb_on(world["trust"], BEFORE) == world["old"]
    assert icb_on(world["trust"], AFTER) == world["new"]
    # valid_to is exclusive: on the day of the change the new ICB already holds.
    assert icb_on(world["trust"], CHANGE) == world["new"]
    assert icb_on(world["trust"], CHANGE - dt.timedelta(days=1)) == world["old"]


def test_practice_to_sub_icb_to_icb_to_region_to_nation(world):
    assert codes(parents_on(world["practice"], BEFORE)) == ["01A", "QAA", "Y99", "E92000001"]
    assert codes(parents_on(world["practice"], AFTER)) == ["01A", "ZZ1", "Y99", "E92000001"]
    assert codes(parents_on(world["practice"], dt.date(2010, 1, 1))) == []


def test_icb_on_is_one_query_for_a_direct_and_a_two_step_link(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert icb_on(world["practice"], AFTER) == world["new"]
    with django_assert_num_queries(1):
        assert icb_on(world["trust"], BEFORE) == world["old"]
    with django_assert_num_queries(0):
        assert icb_on(world["old"], BEFORE) == world["old"]


def test_icb_on_is_none_outside_any_icb(world):
    assert icb_on(world["practice"], dt.date(2020, 1, 1)) is None
    assert icb_on(world["region"], AFTER) is None


def test_a_direct_icb_link_wins_over_one_through_a_sub_icb(world):
    other = IcbFactory(ods_code="ZZ2", opened_on=CHANGE)
    RelationshipFactory(child=world["practice"], parent=other, valid_from=CHANGE)
    assert icb_on(world["practice"], AFTER) == other


def test_children_on_a_date_are_grouped_and_capped(world):
    for n in range(3):
        t = TrustFactory(ods_code=f"RB{n}", name=f"Trust {n}")
        RelationshipFactory(child=t, parent=world["new"], valid_from=CHANGE)
    groups = {g.kind: g for g in children_on(world["new"], AFTER, limit=2)}
    assert groups["trust"].count == 4
    assert len(groups["trust"].shown) == 2
    assert groups["sub_icb"].count == 1
    assert children_on(world["new"], BEFORE) == []


def test_search_by_name_or_code_prefix_any_case(world):
    assert codes(search_organisations("test surgery")) == ["A10001"]
    assert codes(search_organisations("a1000")) == ["A10001"]
    assert set(codes(search_organisations("integrated care", kind="icb"))) == {"QAA", "ZZ1"}
    assert codes(search_organisations("integrated care", kind="trust")) == []


def test_search_puts_an_exact_code_first_then_open_before_closed(db):
    OrganisationFactory(ods_code="RAB", name="Alpha Hospital")
    OrganisationFactory(ods_code="RA", name="Zeta Hospital")
    OrganisationFactory(ods_code="RAC", name="Beta Hospital", closed_on=dt.date(2020, 1, 1))
    assert codes(search_organisations("ra")) == ["RA", "RAB", "RAC"]


def test_history_lists_opening_links_successions_in_date_order(world):
    events = organisation_history(world["old"])
    assert [(e.on, e.event) for e in events] == [
        (dt.date(2022, 7, 1), "joined"),
        (dt.date(2022, 7, 1), "opened"),
        (CHANGE, "closed"),
        (CHANGE, "left"),
        (CHANGE, "succeeded"),
    ]
    assert events[-1].related == world["new"]
