"""Building snapshots from London's real published results, checked against plain Python."""

from __future__ import annotations

import datetime as dt
import statistics

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from maturity.benchmarks.inputs import Dataset
from maturity.benchmarks.models import (
    AreaAggregate,
    AreaSummary,
    FunnelTarget,
    GroupBenchmark,
    OrganisationBenchmark,
    SnapshotBuild,
)
from maturity.benchmarks.services import build_all_snapshots, build_snapshot
from maturity.core.stats import funnel_limits, percentile_of
from maturity.results.models import PublishedResult

from .world import MERGED, NEW_ICB, TODAY


def linear_centile(values, c):
    """Hyndman and Fan type 7, written out independently of numpy."""
    ordered = sorted(values)
    h = (len(ordered) - 1) * c / 100
    low = int(h)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (h - low) * (ordered[high] - ordered[low])


def setting_values(world, setting, measure="overall"):
    return [
        v[measure]
        for (code, s), v in world.rows_2025.items()
        if s == setting and v.get(measure) is not None
    ]


def build(year=2025):
    return SnapshotBuild.objects.get(source="published", year=year)


def test_every_published_year_is_built(world, db):
    builds = {(b.source, b.year): b for b in SnapshotBuild.objects.all()}
    assert set(builds) == {("published", 2024), ("published", 2025)}
    assert builds[("published", 2025)].rows == len(world.rows_2025)
    assert builds[("published", 2025)].has_previous_year
    assert not builds[("published", 2024)].has_previous_year
    assert builds[("published", 2025)].current_date == TODAY


@pytest.mark.parametrize("setting", ["acute", "community", "mental_health"])
@pytest.mark.parametrize("measure", ["overall", "well_led", "healthy_populations"])
def test_deciles_and_median_by_care_setting_match_plain_python(world, db, setting, measure):
    values = setting_values(world, setting, measure)
    group = GroupBenchmark.objects.get(
        build=build(), group_kind="setting", group_key=setting, measure=measure
    )
    assert group.n == len(values)
    assert group.median == pytest.approx(statistics.median(values), abs=1e-12)
    assert group.mean == pytest.approx(statistics.fmean(values), abs=1e-12)
    for c in range(10, 100, 10):
        assert group.deciles[str(c)] == pytest.approx(linear_centile(values, c), abs=1e-12)


def test_percentile_of_each_acute_trust_matches_the_statistics_library(world, db):
    values = setting_values(world, "acute")
    rows = OrganisationBenchmark.objects.filter(build=build(), care_setting="acute")
    assert rows.count() == len(values)
    for row in rows:
        assert row.percentiles["setting"]["overall"] == percentile_of(row.values["overall"], values)


def test_organisations_are_grouped_by_region_and_ics_when_collected(world, db):
    code = next(c for c, icb in world.trust_icb.items() if icb == "QMJ")
    row = OrganisationBenchmark.objects.filter(build=build(), organisation__ods_code=code).first()
    assert row.icb.ods_code == "QMJ"
    assert row.current_icb.ods_code == NEW_ICB[0]  # after the 2026 merger
    assert row.region.ods_code == "Y56"
    assert row.groups["ics"] == "QMJ"
    assert row.groups["region"].endswith("|Y56")
    assert "size" in row.groups or row.care_setting != "acute"


def test_icb_aggregates_when_collected_and_across_the_merger(world, db):
    def members(icbs, measure="overall"):
        return [
            v[measure]
            for (code, setting), v in world.rows_2025.items()
            if world.trust_icb.get(code) in icbs and v.get(measure) is not None
        ]

    b = build()
    before = AreaAggregate.objects.get(
        build=b,
        level="icb",
        geography="collection",
        area__ods_code="QMJ",
        measure="overall",
        method="plain_mean",
    )
    assert before.value == pytest.approx(statistics.fmean(members({"QMJ"})), abs=1e-12)
    assert before.n == len(members({"QMJ"}))
    merged = AreaAggregate.objects.get(
        build=b,
        level="icb",
        geography="current",
        area__ods_code=NEW_ICB[0],
        measure="overall",
        method="plain_mean",
    )
    assert merged.value == pytest.approx(statistics.fmean(members(set(MERGED))), abs=1e-12)
    # The old ICBs have no figures under today's boundaries, the new one none when collected.
    assert not AreaAggregate.objects.filter(
        build=b, geography="current", area__ods_code="QMJ"
    ).exists()
    assert not AreaAggregate.objects.filter(
        build=b, geography="collection", area__ods_code=NEW_ICB[0]
    ).exists()


def test_each_method_is_named_and_ranked(world, db):
    rows = AreaAggregate.objects.filter(
        build=build(), level="icb", geography="collection", measure="overall"
    )
    methods = {r.method for r in rows}
    assert methods == {"plain_mean", "population_weighted", "care_setting_standardised"}
    for method in methods:
        ranked = [r for r in rows if r.method == method and r.rank is not None]
        assert sorted(r.rank for r in ranked)[0] == 1
        assert all(r.ranked == len(ranked) for r in rows if r.method == method)
        best = max(ranked, key=lambda r: r.value)
        assert best.rank == 1


def test_population_weighted_uses_the_acute_trusts_with_a_catchment(world, db):
    row = AreaAggregate.objects.get(
        build=build(),
        level="icb",
        geography="collection",
        area__ods_code="QMJ",
        measure="overall",
        method="population_weighted",
    )
    assert row.n_used <= row.n
    assert "recorded population" in row.description or row.n_used == row.n


def test_change_since_2024_is_over_comparable_overall_scores(world, db):
    for row in OrganisationBenchmark.objects.filter(build=build()).select_related("organisation"):
        key = (row.organisation.ods_code, row.care_setting)
        if key in world.rows_2024 and world.rows_2025[key].get("overall") is not None:
            assert row.values["change:overall"] == pytest.approx(
                world.rows_2025[key]["overall"] - world.rows_2024[key]
            )
            assert row.previous["year"] == 2024 and row.previous["via"] == []
        else:
            assert "change:overall" not in row.values


def test_funnel_limits_are_those_of_the_statistics_library(world, db):
    target = FunnelTarget.objects.get(
        build=build(), level="icb", geography="collection", measure="overall", threshold=3.0
    )
    providers = [
        v["overall"]
        for (code, s), v in world.rows_2025.items()
        if code in world.trust_icb and v["overall"] is not None
    ]
    assert target.total_n == len(providers)
    assert target.total_x == sum(1 for v in providers if v >= 3 - 1e-9)
    for point in target.points.all():
        limits = funnel_limits(target.p0, point.n)
        assert (point.lower95, point.upper95, point.lower998, point.upper998) == (
            limits.lower95,
            limits.upper95,
            limits.lower998,
            limits.upper998,
        )


def test_area_summaries_count_members_by_care_setting(world, db):
    summary = AreaSummary.objects.get(
        build=build(), level="region", geography="current", area__ods_code="Y56"
    )
    assert sum(summary.members.values()) == sum(
        1 for code, _ in world.rows_2025 if code in world.trust_icb
    )
    assert summary.completion == {}  # published results have no returns


def test_learn_from_names_stronger_organisations_in_the_same_care_setting(world, db):
    rows = list(OrganisationBenchmark.objects.filter(build=build(), care_setting="acute"))
    with_advice = [r for r in rows if r.learn_from]
    assert with_advice
    for row in with_advice:
        for suggestion in row.learn_from:
            assert suggestion["care_setting"] == "acute"
            assert suggestion["value"] >= suggestion["own_value"] + 0.5 - 1e-9
            assert suggestion["measure"] == row.weakest


def test_an_unchanged_data_set_is_skipped_and_force_rebuilds(world, db):
    first = build()
    summary = build_snapshot(dataset=Dataset("published", 2025), today=TODAY)
    assert not summary.built and "unchanged" in summary.reason
    assert build().pk == first.pk
    summary = build_snapshot(dataset=Dataset("published", 2025), force=True, today=TODAY)
    assert summary.built
    assert build().pk != first.pk
    assert OrganisationBenchmark.objects.filter(build=build()).count() == first.rows


def test_a_build_takes_a_fixed_number_of_queries(world, db):
    with CaptureQueriesContext(connection) as queries:
        build_snapshot(dataset=Dataset("published", 2025), force=True, today=TODAY)
    # Reads and bulk writes only: independent of the number of organisations.
    assert len(queries.captured_queries) < 60


def test_changed_results_are_rebuilt_and_removed_results_drop_their_snapshot(world, db):
    result = PublishedResult.objects.filter(year=2025, care_setting="acute").first()
    result.overall = 4.9
    result.save()
    summaries = {s.dataset: s for s in build_all_snapshots(today=TODAY)}
    assert summaries["published-2025"].built
    assert not summaries["published-2024"].built
    row = OrganisationBenchmark.objects.get(
        build=build(), organisation=result.organisation, care_setting="acute"
    )
    assert row.values["overall"] == 4.9
    PublishedResult.objects.filter(year=2024).delete()
    build_all_snapshots(today=TODAY)
    assert not SnapshotBuild.objects.filter(year=2024).exists()
    assert not build().has_previous_year


def test_change_uses_predecessors_when_an_organisation_has_no_previous_result(world, db):
    # The new ICB reports for 2025 (hypothetically): its 2024 figure is its predecessors' mean.
    from maturity.organisations.models import Organisation

    new = Organisation.objects.get(ods_code=NEW_ICB[0])
    PublishedResult.objects.create(
        organisation=new,
        year=2025,
        care_setting="icb",
        pillars={"well_led": 3.0},
        overall=3.0,
        overall_basis=PublishedResult.objects.filter(year=2025, care_setting="icb")
        .first()
        .overall_basis,
        method="m",
        source_note="s",
        source_file="f",
        publication_version="v2",
        published_on=dt.date(2026, 3, 30),
    )
    build_snapshot(dataset=Dataset("published", 2025), today=TODAY)
    row = OrganisationBenchmark.objects.get(build=build(), organisation=new, care_setting="icb")
    expected = statistics.fmean(world.rows_2024[(code, "icb")] for code in MERGED)
    assert sorted(row.previous["via"]) == sorted(MERGED)
    assert row.previous["overall"] == pytest.approx(expected, abs=1e-12)
    assert row.values["change:overall"] == pytest.approx(3.0 - expected)
