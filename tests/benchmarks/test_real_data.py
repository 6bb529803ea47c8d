"""Benchmarks of NHS England's real 2024 and 2025 results, checked against an independent
computation in plain Python from the CSVs derived from the workbook (slow: builds national data).

The CSVs are not read by the product; here they are the second, independent source: medians and
deciles by care setting, percentile ranks, change since 2024, ICB means and funnel proportions
are recomputed from them without numpy or the statistics library and compared with the snapshots.
"""

from __future__ import annotations

import csv
import statistics
from collections import defaultdict
from fractions import Fraction

import pytest

from maturity.benchmarks.models import (
    AreaAggregate,
    FunnelTarget,
    GroupBenchmark,
    OrganisationBenchmark,
    SnapshotBuild,
)

from .world import DMA, PRIMARY_PILLARS, SECONDARY_PILLARS, SETTINGS

pytestmark = pytest.mark.django_db


def read(name):
    with (DMA / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def centile(values, c):
    """Linear interpolation between closest ranks (Excel PERCENTILE.INC), by hand."""
    ordered = sorted(values)
    position = Fraction(len(ordered) - 1) * Fraction(c, 100)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return float(ordered[low] + (position - low) * (ordered[high] - ordered[low]))


def rank(value, values):
    below = sum(1 for v in values if v < value)
    equal = sum(1 for v in values if v == value)
    return 100 * (below + equal / 2) / len(values)


def independent_values():
    """(care setting, measure) → {ODS code: value} for 2025, and overall for 2024."""
    values: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    before: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    for row in read("dma_2025_secondary_care_pillar_scores.csv"):
        setting = SETTINGS[row["Care Setting"]]
        for column, pillar in SECONDARY_PILLARS.items():
            values[(setting, pillar)][row["ODS code (matched)"]] = float(row[column])
    for row in read("dma_2024_vs_2025_secondary_care_overall.csv"):
        setting = SETTINGS[row["Care Setting"]]
        values[(setting, "overall")][row["ODS code (matched)"]] = float(row["2025 Average"])
        if row["2024 Average"]:
            before[(setting, "overall")][row["ODS code (matched)"]] = float(row["2024 Average"])
    for row in read("dma_2025_icb_pillar_scores.csv"):
        for column, pillar in SECONDARY_PILLARS.items():
            values[("icb", pillar)][row["ICB ODS code (matched)"]] = float(row[column])
    for row in read("dma_2024_vs_2025_icb_overall.csv"):
        values[("icb", "overall")][row["ICB ODS code (matched)"]] = float(row["2025 Average"])
        before[("icb", "overall")][row["ICB ODS code (matched)"]] = float(row["2024 Average"])
    for row in read("dma_2025_icb_primary_care_pillar_scores.csv"):
        for column, pillar in PRIMARY_PILLARS.items():
            if row[column].strip():
                values[("primary_care", pillar)][row["ICB ODS code (matched)"]] = float(row[column])
    return values, before


@pytest.fixture(scope="module")
def expected():
    return independent_values()


def build(year):
    return SnapshotBuild.objects.get(source="published", year=year)


def test_the_published_data_sets_are_built(national_benchmarks):
    built = {s.dataset: s for s in national_benchmarks}
    assert built["published-2025"].rows == 285 + 42 + 42
    assert built["published-2024"].rows == 285 + 42
    assert built["demonstration-2025"].rows == 285 + 42 + 42


def test_medians_and_deciles_by_care_setting_match_an_independent_computation(
    national_benchmarks, expected
):
    values, _ = expected
    groups = {
        (g.care_setting, g.measure): g
        for g in GroupBenchmark.objects.filter(build=build(2025), group_kind="setting")
    }
    checked = 0
    for (setting, measure), by_code in values.items():
        numbers = list(by_code.values())
        group = groups[(setting, measure)]
        assert group.n == len(numbers), (setting, measure)
        assert group.median == pytest.approx(statistics.median(numbers), abs=1e-12), (
            setting,
            measure,
        )
        for c in range(10, 100, 10):
            assert group.deciles[str(c)] == pytest.approx(centile(numbers, c), abs=1e-12), (
                setting,
                measure,
                c,
            )
        checked += 1
    # 4 provider settings x 8 measures, ICBs x 8, primary care x 5.
    assert checked == 4 * 8 + 8 + 5


def test_2024_medians_match(national_benchmarks, expected):
    _, before = expected
    for (setting, measure), by_code in before.items():
        group = GroupBenchmark.objects.get(
            build=build(2024), group_kind="setting", group_key=setting, measure=measure
        )
        assert group.median == pytest.approx(statistics.median(by_code.values()), abs=1e-12)


def test_percentile_of_every_organisation_matches_an_independent_count(
    national_benchmarks, expected
):
    values, _ = expected
    rows = OrganisationBenchmark.objects.filter(build=build(2025)).select_related("organisation")
    checked = 0
    for row in rows:
        for measure in ("overall", "well_led", "support_people"):
            by_code = values.get((row.care_setting, measure))
            if not by_code or row.organisation.ods_code not in by_code:
                continue
            numbers = list(by_code.values())
            assert row.percentiles["setting"][measure] == pytest.approx(
                rank(by_code[row.organisation.ods_code], numbers), abs=1e-9
            )
            checked += 1
    assert checked > 800


def test_change_since_2024_matches(national_benchmarks, expected):
    values, before = expected
    changes = {
        g.care_setting: g
        for g in GroupBenchmark.objects.filter(
            build=build(2025), group_kind="setting", measure="change:overall"
        )
    }
    for setting in ("acute", "community", "mental_health", "ambulance", "icb"):
        now, then = values[(setting, "overall")], before[(setting, "overall")]
        deltas = [now[code] - then[code] for code in now if code in then]
        group = changes[setting]
        assert group.n == len(deltas)
        assert group.median == pytest.approx(statistics.median(deltas), abs=1e-12)
        assert group.extra["improved"] == sum(1 for x in deltas if x > 1e-9)
        assert group.extra["declined"] == sum(1 for x in deltas if x < -1e-9)


def test_icb_plain_means_match_where_the_registry_agrees_with_the_file(national_benchmarks):
    icb_codes = {
        r["ICS"]: r["ICB ODS code (matched)"] for r in read("dma_2025_icb_pillar_scores.csv")
    }
    members: dict[str, dict[tuple[str, str], float]] = defaultdict(dict)
    for row in read("dma_2024_vs_2025_secondary_care_overall.csv"):
        code = icb_codes[row["ICS"]]
        members[code][(row["ODS code (matched)"], SETTINGS[row["Care Setting"]])] = float(
            row["2025 Average"]
        )
    ours: dict[str, set] = defaultdict(set)
    b = build(2025)
    for row in OrganisationBenchmark.objects.filter(build=b, is_member=True).select_related(
        "organisation", "icb"
    ):
        if row.icb:
            ours[row.icb.ods_code].add((row.organisation.ods_code, row.care_setting))
    aggregates = {
        a.area.ods_code: a
        for a in AreaAggregate.objects.filter(
            build=b, level="icb", geography="collection", measure="overall", method="plain_mean"
        ).select_related("area")
    }
    agreed = [code for code in members if set(members[code]) == ours[code]]
    # The registry places each trust in one ICB from NHS England's apportionment; the file's ICS
    # column differs for a handful of trusts.
    assert len(agreed) >= 38
    for code in agreed:
        assert aggregates[code].value == pytest.approx(
            statistics.fmean(members[code].values()), abs=1e-12
        )
        assert aggregates[code].n == len(members[code])


def test_funnel_proportion_at_level_three_matches(national_benchmarks):
    overall = {
        (r["ODS code (matched)"], SETTINGS[r["Care Setting"]]): float(r["2025 Average"])
        for r in read("dma_2024_vs_2025_secondary_care_overall.csv")
    }
    b = build(2025)
    # Providers placed in a region today (a few trusts have since closed or lost their ICB link).
    placed = {
        (row.organisation.ods_code, row.care_setting)
        for row in OrganisationBenchmark.objects.filter(
            build=b, is_member=True, current_region__isnull=False
        ).select_related("organisation")
    }
    assert len(placed) >= 280
    target = FunnelTarget.objects.get(
        build=b, level="region", geography="current", measure="overall", threshold=3.0
    )
    assert target.total_n == len(placed)
    assert target.total_x == sum(1 for key in placed if overall[key] >= 3 - 1e-9)
    assert target.p0 == pytest.approx(target.total_x / target.total_n)
    assert sum(p.n for p in target.points.all()) == len(placed)


def test_demonstration_benchmarks_reproduce_the_published_pillar_medians(
    national_benchmarks, expected
):
    # Demonstration returns reproduce every published 2025 pillar score to one decimal place.
    values, _ = expected
    demo = SnapshotBuild.objects.get(source="demonstration", year=2025)
    groups = {
        (g.care_setting, g.measure): g
        for g in GroupBenchmark.objects.filter(build=demo, group_kind="setting")
    }
    for (setting, measure), by_code in values.items():
        if measure == "overall":
            continue  # computed over this edition's comparable domains, not NHS England's
        assert groups[(setting, measure)].median == pytest.approx(
            statistics.median(by_code.values()), abs=0.05
        )
