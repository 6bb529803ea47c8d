"""The inflation index against hand-computed examples."""

import pytest

from maturity.core.review.inflation import ReviewedReturn, inflation_index, return_inflation

PILLARS = {"d1": "p1", "d2": "p1", "d3": "p2"}

R1 = ReviewedReturn(
    key="r1",
    organisation="X",
    ics="I1",
    region="R1",
    domain_pillars=PILLARS,
    self_levels={"d1": 4, "d2": 3, "d3": 2},
    peer_levels={"d1": 3, "d2": 3, "d3": 2},
)
R2 = ReviewedReturn(
    key="r2",
    organisation="Y",
    ics="I1",
    region="R1",
    domain_pillars=PILLARS,
    self_levels={"d1": 3, "d3": 5},
    peer_levels={"d1": 1, "d3": 4},
)
R3 = ReviewedReturn(
    key="r3",
    organisation="X",
    ics="I1",
    region="R2",
    domain_pillars=PILLARS,
    self_levels={"d1": 2, "d2": 2},
    peer_levels={"d1": 3},  # d2 has no peer level: left out
)


def test_return_inflation_per_pillar_and_overall():
    # p1: (4 + 3) / 2 - (3 + 3) / 2 = 0.5; p2: 2 - 2 = 0; overall: (1 + 0 + 0) / 3.
    assert return_inflation(R1) == {"overall": pytest.approx(1 / 3), "p1": 0.5, "p2": 0.0}
    assert return_inflation(R2) == {"overall": 1.5, "p1": 2.0, "p2": 1.0}
    assert return_inflation(R3) == {"overall": -1.0, "p1": -1.0}


def test_inflation_by_ics_counts_each_return_once():
    rows = {
        (r.group, r.pillar): (r.difference, r.returns)
        for r in inflation_index([R1, R2, R3], grouping="ics")
    }
    # p1: (0.5 + 2 - 1) / 3 = 0.5; p2: (0 + 1) / 2; overall: (1/3 + 1.5 - 1) / 3 = 5/18.
    assert rows[("I1", "p1")] == (pytest.approx(0.5), 3)
    assert rows[("I1", "p2")] == (pytest.approx(0.5), 2)
    assert rows[("I1", "overall")] == (pytest.approx(5 / 18), 3)


def test_inflation_by_organisation_and_region():
    by_org = {
        (r.group, r.pillar): r.difference
        for r in inflation_index([R1, R2, R3], grouping="organisation")
    }
    assert by_org[("X", "p1")] == pytest.approx((0.5 - 1) / 2)
    assert by_org[("Y", "p1")] == 2.0
    by_region = {
        (r.group, r.pillar): r.returns for r in inflation_index([R1, R2, R3], grouping="region")
    }
    assert by_region[("R1", "overall")] == 2 and by_region[("R2", "overall")] == 1


def test_unknown_groups_are_left_out_and_bad_groupings_refused():
    orphan = ReviewedReturn("r4", "Z", None, None, PILLARS, {"d1": 3}, {"d1": 2})
    assert inflation_index([orphan], grouping="ics") == []
    with pytest.raises(ValueError):
        inflation_index([R1], grouping="country")
