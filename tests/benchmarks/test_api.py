"""The benchmarks API contract: shapes, suppression, 404s, visibility, CSV tables, OpenAPI."""

from __future__ import annotations

import csv
import io

import pytest

from maturity.benchmarks.models import SnapshotBuild

from .world import MERGED, NEW_ICB, TODAY

pytestmark = pytest.mark.django_db
BASE = "/api/v1/benchmarks"


def test_datasets(world, client):
    found = client.get(f"{BASE}/datasets").json()
    assert [(d["source"], d["year"]) for d in found] == [("published", 2025), ("published", 2024)]
    latest = found[0]
    assert latest["dataset"] == "published-2025"
    assert latest["is_demonstration"] is False
    assert latest["measures"]["overall"] == "score"
    assert latest["rows"] == len(world.rows_2025)


def test_results_are_unrounded_and_filterable(world, client):
    rows = client.get(f"{BASE}/published/2025/results?care_setting=acute").json()
    assert {r["care_setting"] for r in rows} == {"acute"}
    assert len(rows) == sum(1 for _, s in world.rows_2025 if s == "acute")
    for row in rows:
        expected = world.rows_2025[(row["ods_code"], "acute")]
        assert row["values"]["overall"] == expected["overall"]
        assert row["values"]["well_led"] == expected["well_led"]
        assert set(row) >= {"icb_code", "region_code", "current_icb_code", "source_note", "method"}


def test_organisation_benchmarks(world, client):
    code = next(c for c, icb in world.trust_icb.items() if icb == MERGED[0])
    (entry, *_) = client.get(f"{BASE}/published/2025/organisations/{code.lower()}").json()
    assert entry["ods_code"] == code
    assert entry["icb_code"] == MERGED[0] and entry["current_icb_code"] == NEW_ICB[0]
    assert 0 <= entry["percentiles"]["setting"]["overall"] <= 100
    assert entry["groups"]["setting"] == entry["care_setting"]
    assert entry["previous"]["year"] == 2024
    assert client.get(f"{BASE}/published/2025/organisations/NOPE1").status_code == 404


def test_groups_suppress_small_groups(world, client):
    groups = client.get(f"{BASE}/published/2025/groups?group_kind=setting&measure=overall").json()
    by_setting = {g["group_key"]: g for g in groups}
    acute = by_setting["acute"]
    assert acute["suppressed"] is False and acute["n"] >= 5
    assert set(acute["deciles"]) == {str(c) for c in range(10, 100, 10)}
    ambulance = by_setting["ambulance"]  # one London ambulance trust
    assert ambulance["suppressed"] is True
    assert ambulance["n"] is None and ambulance["median"] is None and ambulance["deciles"] is None


def test_aggregates_name_their_method_and_rank(world, client):
    rows = client.get(
        f"{BASE}/published/2025/aggregates?level=icb&geography=current&measure=overall"
    ).json()
    assert {r["method"] for r in rows} == {
        "plain_mean",
        "population_weighted",
        "care_setting_standardised",
    }
    merged = [r for r in rows if r["area_code"] == NEW_ICB[0]]
    assert len(merged) == 3
    for row in merged:
        assert row["suppressed"] is False
        assert row["description"]
    assert client.get(f"{BASE}/published/2025/aggregates?method=astrology").status_code == 422


def test_every_open_data_table_downloads_as_csv(world, client):
    for table in ("results", "percentiles", "benchmarks", "aggregates", "funnel"):
        response = client.get(f"{BASE}/published/2025/tables/{table}.csv")
        assert response.status_code == 200, table
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        assert rows, table
    assert client.get(f"{BASE}/published/2025/tables/secrets.csv").status_code == 404


def test_unknown_data_sets_are_404(world, client):
    assert client.get(f"{BASE}/published/1999/results").status_code == 404
    assert client.get(f"{BASE}/astrology/2025/results").status_code == 422


def test_returns_are_hidden_until_their_first_final_release(world, client, analyst):
    SnapshotBuild.objects.create(
        source="returns",
        year=2026,
        title="2026 cycle",
        collection_date=TODAY,
        current_date=TODAY,
        built_at="2026-06-01T00:00:00Z",
        fingerprint="x",
        stats_version="1",
        scoring_version="1",
    )
    assert client.get(f"{BASE}/returns/2026/results").status_code == 404
    assert "returns" not in {d["source"] for d in client.get(f"{BASE}/datasets").json()}
    client.force_login(analyst)
    assert client.get(f"{BASE}/returns/2026/results").status_code == 200


def test_the_routes_are_described_in_openapi():
    # An API of this router alone, so the check does not depend on other apps' routes.
    from ninja import NinjaAPI

    from maturity.benchmarks.api import router

    api = NinjaAPI(urls_namespace="benchmarks-openapi-test")
    api.add_router("/benchmarks", router)
    paths = api.get_openapi_schema(path_prefix="/api/")["paths"]
    for path in (
        "/api/benchmarks/datasets",
        "/api/benchmarks/{source}/{year}/results",
        "/api/benchmarks/{source}/{year}/organisations/{ods_code}",
        "/api/benchmarks/{source}/{year}/groups",
        "/api/benchmarks/{source}/{year}/aggregates",
        "/api/benchmarks/{source}/{year}/tables/{table}.csv",
        "/api/benchmarks/releases",
        "/api/benchmarks/releases/{dataset}/{version}",
    ):
        assert path in paths, path
    parameters = {
        p["name"] for p in paths["/api/benchmarks/{source}/{year}/groups"]["get"]["parameters"]
    }
    assert {"measure", "group_kind", "care_setting"} <= parameters
