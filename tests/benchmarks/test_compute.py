"""The bulk computations against hand-computed examples and the statistics library, value by value."""

from __future__ import annotations

import random

import numpy as np
import pytest

from maturity.benchmarks import compute
from maturity.core.scoring import AggregationMethod, MemberScore, aggregate
from maturity.core.stats import funnel_limits, percentile_of


def row(code, setting, values, **kw):
    return compute.BenchRow(organisation=code, care_setting=setting, values=values, **kw)


def test_percentile_ranks_hand_computed_with_ties():
    # [1, 2, 2, 3]: 1 has none below -> 12.5; 2 has one below and two equal -> 50; 3 -> 87.5.
    ranks = compute.percentile_ranks(np.array([2.0, 1.0, 3.0, 2.0]))
    assert ranks.tolist() == [50.0, 12.5, 87.5, 50.0]


def test_percentile_ranks_equal_percentile_of_value_by_value():
    rng = random.Random(5)
    for size in (1, 2, 5, 17, 140):
        values = [round(rng.uniform(1, 5), 1) for _ in range(size)]  # plenty of ties
        ranks = compute.percentile_ranks(np.array(values))
        assert ranks.tolist() == [percentile_of(v, values) for v in values]


def test_group_deciles_median_and_n_hand_computed():
    # 1..10: the c-th centile sits at h = 9c/100 from the lowest: 10th -> 1.9, 50th -> 5.5.
    rows = [
        row(f"R{i}", "acute", {"overall": float(i)}, groups={"setting": "acute"})
        for i in range(1, 11)
    ]
    out = compute.group_statistics(rows, {"overall": "score"}, ["setting"])
    (group,) = out.groups
    assert group.n == 10
    assert group.summary.median == pytest.approx(5.5)
    assert group.summary.deciles[10] == pytest.approx(1.9)
    assert group.summary.deciles[90] == pytest.approx(9.1)
    assert group.summary.mean == pytest.approx(5.5)
    assert out.percentiles[0]["setting"]["overall"] == 5.0  # lowest of ten
    assert out.percentiles[9]["setting"]["overall"] == 95.0


def test_groups_are_separate_and_missing_values_are_left_out():
    rows = [
        row("A1", "acute", {"overall": 2.0, "well_led": 1.0}, groups={"setting": "acute"}),
        row("A2", "acute", {"overall": 3.0}, groups={"setting": "acute"}),
        row("M1", "mental_health", {"overall": 4.0}, groups={"setting": "mental_health"}),
    ]
    out = compute.group_statistics(
        rows, {"overall": "score", "well_led": "score"}, ["setting"], threshold=1
    )
    found = {(g.group_key, g.measure): g for g in out.groups}
    assert found[("acute", "overall")].n == 2
    assert found[("acute", "well_led")].n == 1
    assert found[("mental_health", "overall")].summary.median == 4.0
    assert ("mental_health", "well_led") not in found
    assert "well_led" not in out.percentiles[1]["setting"]


def test_percentiles_in_groups_of_fewer_than_five_are_not_computed():
    rows = [
        row(f"R{i}", "acute", {"overall": float(i)}, groups={"setting": "acute"}) for i in range(4)
    ]
    out = compute.group_statistics(rows, {"overall": "score"}, ["setting"])
    assert out.groups[0].n == 4  # the group is summarised (its n is known) …
    assert all(p == {} for p in out.percentiles)  # … but no one's place in it is given


def test_kinds_for_limits_measures_to_some_group_kinds():
    rows = [
        row(
            f"R{i}",
            "acute",
            {"overall": float(i), "sf.epr": float(i % 5 + 1)},
            groups={"setting": "acute", "region": "acute|Y56"},
        )
        for i in range(6)
    ]
    out = compute.group_statistics(
        rows,
        {"overall": "score", "sf.epr": "level"},
        ["setting", "region"],
        kinds_for={"score": ("setting", "region"), "level": ("setting",)},
    )
    assert {(g.group_kind, g.measure) for g in out.groups} == {
        ("setting", "overall"),
        ("region", "overall"),
        ("setting", "sf.epr"),
    }
    level = next(g for g in out.groups if g.measure == "sf.epr")
    assert level.extra == {"level_1": 2, "level_2": 1, "level_3": 1, "level_4": 1, "level_5": 1}


def test_yes_no_and_change_counts():
    rows = [
        row("A", "acute", {"ctx.x": 1.0, "change:overall": 0.2}, groups={"setting": "acute"}),
        row("B", "acute", {"ctx.x": 0.0, "change:overall": -0.1}, groups={"setting": "acute"}),
        row("C", "acute", {"ctx.x": 1.0, "change:overall": 0.0}, groups={"setting": "acute"}),
    ]
    out = compute.group_statistics(
        rows, {"ctx.x": "yes_no", "change:overall": "change"}, ["setting"]
    )
    found = {g.measure: g for g in out.groups}
    assert found["ctx.x"].extra == {"yes": 2, "no": 1}
    assert found["ctx.x"].summary.mean == pytest.approx(2 / 3)
    assert found["change:overall"].extra == {"improved": 1, "declined": 1, "unchanged": 1}


def test_thirds():
    cuts = compute.third_cutpoints([1, 2, 3, 4, 5, 6, 7])
    # 33.3rd centile of 1..7: h = 6/3 = 2 -> 3; 66.7th: h = 4 -> 5.
    assert cuts == pytest.approx((3.0, 5.0))
    assert [compute.third_of(v, cuts) for v in (1, 3, 3.5, 5, 6)] == [1, 1, 2, 2, 3]
    assert compute.third_cutpoints([1, 2]) is None


def _area_rows():
    # Area X: two acute (populations 100 and 300) and one mental health without a population.
    # Area Y: five acute with populations. Area Z: one member (not ranked: fewer than 5).
    rows = [
        row("X1", "acute", {"overall": 2.0}, population=100.0, areas={"icb:current": "X"}),
        row("X2", "acute", {"overall": 4.0}, population=300.0, areas={"icb:current": "X"}),
        row("X3", "mental_health", {"overall": 3.0}, population=None, areas={"icb:current": "X"}),
    ]
    rows += [
        row(f"Y{i}", "acute", {"overall": float(v)}, population=100.0, areas={"icb:current": "Y"})
        for i, v in enumerate([1, 2, 3, 3, 4])
    ]
    rows += [row("Z1", "acute", {"overall": 5.0}, population=50.0, areas={"icb:current": "Z"})]
    # An ICB's own return is not a member of any area's figure.
    rows += [row("X", "icb", {"overall": 1.0}, member=False, areas={"icb:current": "X"})]
    return rows


def test_area_aggregates_under_each_method_hand_computed():
    found = {
        (a.area, a.method): a
        for a in compute.area_aggregates(_area_rows(), ["overall"], "icb:current", threshold=1)
    }
    assert found[("X", "plain_mean")].value == pytest.approx(3.0)
    assert found[("X", "plain_mean")].n == 3
    # Population-weighted: (2 x 100 + 4 x 300) / 400 = 3.5, over the two with a population.
    weighted = found[("X", "population_weighted")]
    assert weighted.value == pytest.approx(3.5)
    assert (weighted.n, weighted.n_used) == (3, 2)
    assert weighted.description.startswith("2 of the 3 organisations have a recorded population")
    # Standard mix: 8 acute and 1 mental health member rows nationally -> weights 8/9 and 1/9.
    # X: acute mean 3, mental health mean 3 -> 3.
    assert found[("X", "care_setting_standardised")].value == pytest.approx(3.0)
    # Y is all acute: every method gives its plain mean 2.6.
    for method in ("plain_mean", "population_weighted", "care_setting_standardised"):
        assert found[("Y", method)].value == pytest.approx(2.6)


def test_area_aggregates_match_the_scoring_library():
    rows = _area_rows()
    members = [
        MemberScore(r.organisation, r.care_setting, r.values["overall"], r.population)
        for r in rows
        if r.organisation.startswith("X") and r.member
    ]
    expected = aggregate(
        members,
        AggregationMethod.CARE_SETTING_STANDARDISED,
        standard_mix={"acute": 8 / 9, "mental_health": 1 / 9},
    )
    found = {
        (a.area, a.method): a for a in compute.area_aggregates(rows, ["overall"], "icb:current")
    }
    assert found[("X", "care_setting_standardised")].value == expected.value


def test_ranks_highest_first_ties_share_and_small_areas_are_not_ranked():
    rows = [
        row(f"{area}{i}", "acute", {"overall": value}, population=1.0, areas={"icb:current": area})
        for area, value in (("A", 3.0), ("B", 4.0), ("C", 3.0), ("D", 2.0))
        for i in range(5)
    ] + [row("E1", "acute", {"overall": 5.0}, population=1.0, areas={"icb:current": "E"})]
    found = {
        a.area: a
        for a in compute.area_aggregates(rows, ["overall"], "icb:current")
        if a.method == "plain_mean"
    }
    assert {k: (a.rank, a.ranked) for k, a in found.items()} == {
        "A": (2, 4),
        "B": (1, 4),
        "C": (2, 4),
        "D": (4, 4),
        "E": (None, 4),
    }


def test_funnel_proportions_and_limits_hand_computed():
    # Area P: 3 of 5 at level 3 or above; area Q: 1 of 10. p0 = 4 / 15.
    rows = [
        row(f"P{i}", "acute", {"overall": v}, areas={"icb:current": "P"})
        for i, v in enumerate([3.0, 3.5, 2.9999999999999996, 2.0, 1.0])
    ] + [
        row(f"Q{i}", "acute", {"overall": v}, areas={"icb:current": "Q"})
        for i, v in enumerate([3.2] + [2.0] * 9)
    ]
    targets, units = compute.funnels(rows, ["overall"], [3.0], "icb:current")
    (target,) = targets
    assert (target.total_x, target.total_n) == (4, 15)
    assert target.p0 == pytest.approx(4 / 15)
    by_area = {u.area: u for u in units}
    assert (by_area["P"].x, by_area["P"].n) == (3, 5)  # 2.9999999999999996 counts as level 3
    assert (by_area["Q"].x, by_area["Q"].n) == (1, 10)
    assert by_area["P"].limits == funnel_limits(4 / 15, 5)
    assert by_area["Q"].limits == funnel_limits(4 / 15, 10)
    assert [c.n for c in target.curve] == list(range(1, 11))


def test_funnel_curve_sizes_cover_every_area_and_spread_beyond_24():
    sizes = compute.curve_sizes(500, {7, 333})
    assert sizes[:24] == list(range(1, 25))
    assert 333 in sizes and 500 in sizes and 7 in sizes
    assert len(sizes) < 80


def test_learn_from_suggests_similar_organisations_stronger_in_the_weakest_pillar():
    pillars = ["well_led", "smart_foundations", "safe_practice"]
    base = {"well_led": 3.0, "smart_foundations": 3.0, "safe_practice": 1.0}
    rows = [
        row("ME", "acute", base, groups={"setting": "acute"}),
        # Stronger in safe practice by 0.5 or more; average pillar scores 2.70, 2.83 and 3.00 (own 2.33).
        row(
            "NEAR",
            "acute",
            {"well_led": 3.0, "smart_foundations": 3.1, "safe_practice": 2.0},
            groups={"setting": "acute"},
        ),
        row(
            "FAR",
            "acute",
            {"well_led": 1.0, "smart_foundations": 5.0, "safe_practice": 3.0},
            groups={"setting": "acute"},
        ),
        row(
            "MID",
            "acute",
            {"well_led": 3.5, "smart_foundations": 3.5, "safe_practice": 1.5},
            groups={"setting": "acute"},
        ),
        # Not stronger enough (only 0.4 higher) though identical otherwise.
        row(
            "TWIN",
            "acute",
            {"well_led": 3.0, "smart_foundations": 3.0, "safe_practice": 1.4},
            groups={"setting": "acute"},
        ),
        # Another care setting: never suggested.
        row(
            "OTHER",
            "mental_health",
            {"well_led": 3.0, "smart_foundations": 3.0, "safe_practice": 5.0},
            groups={"setting": "mental_health"},
        ),
    ]
    out = compute.group_statistics(rows, {p: "score" for p in pillars}, ["setting"])
    advice = compute.learn_from(rows, out.percentiles, pillars)
    assert advice[0].weakest == "safe_practice"
    assert [s.organisation for s in advice[0].suggestions] == ["NEAR", "MID", "FAR"]
    assert advice[0].suggestions[0].value == 2.0 and advice[0].suggestions[0].own_value == 1.0


def test_learn_from_equals_a_brute_force_search_on_random_data():
    rng = random.Random(7)
    pillars = ["well_led", "smart_foundations", "safe_practice", "improve_care"]
    rows = [
        row(
            f"R{i:03d}",
            "acute",
            {p: rng.randint(10, 40) / 10 for p in pillars if rng.random() > 0.1},
            groups={"setting": "acute"},
        )
        for i in range(300)
    ]
    out = compute.group_statistics(rows, {p: "score" for p in pillars}, ["setting"])
    advice = compute.learn_from(rows, out.percentiles, pillars)
    averages = [sum(r.values.values()) / len(r.values) if r.values else None for r in rows]
    for i, found in enumerate(advice):
        if len(rows[i].values) < 2:
            assert found.weakest is None
            continue
        ranks = out.percentiles[i]["setting"]
        present = [p for p in pillars if p in rows[i].values]
        weakest = min(present, key=lambda p: (ranks[p], rows[i].values[p], pillars.index(p)))
        assert found.weakest == weakest
        own = rows[i].values[weakest]
        candidates = sorted(
            (abs(averages[j] - averages[i]), rows[j].organisation)
            for j in range(len(rows))
            if j != i and rows[j].values.get(weakest, -1) >= own + 0.5 - 1e-9
        )
        assert [s.organisation for s in found.suggestions] == [code for _, code in candidates[:3]]
