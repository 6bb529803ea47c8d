"""GET /api/v1/organisations/{ods_code}/results: the contract."""

from __future__ import annotations

import pytest

from maturity.core.scoring import round_half_up
from maturity.core.vocab import CareSetting, Pillar

from .small_world import BATH_2025

pytestmark = pytest.mark.django_db

FIELDS = {
    "cycle",
    "care_setting",
    "source",
    "pillars",
    "overall",
    "overall_basis",
    "method",
    "source_note",
}


def test_results_of_a_trust(client, small_world):
    response = client.get("/api/v1/organisations/RD1/results")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    rows = response.json()
    assert [(r["cycle"], r["care_setting"], r["source"]) for r in rows] == [
        (2025, "acute", "published"),
        (2025, "acute", "demonstration"),
        (2024, "acute", "published"),
    ]
    for row in rows:
        assert set(row) == FIELDS
        assert type(row["cycle"]) is int
        assert row["care_setting"] in {c.value for c in CareSetting}
        assert row["source"] in {"published", "demonstration"}
        assert set(row["pillars"]) <= {p.value for p in Pillar}
        assert all(type(v) is float for v in row["pillars"].values())
        assert row["overall"] is None or type(row["overall"]) is float
        assert row["method"] and row["source_note"]
    published, demonstration, earlier = rows
    assert published["pillars"] == BATH_2025  # exactly as published, unrounded
    assert list(published["pillars"]) == [p.value for p in Pillar]  # in pillar order
    assert published["overall"] == 2.3809523809523805
    assert published["source_note"] == (
        "NHS England, Digital Maturity Assessment data file v2, 30 March 2026"
    )
    assert demonstration["source_note"].startswith(
        "Demonstration data — generated, not a real submission"
    )
    assert "half up" in demonstration["method"]
    assert {k: round_half_up(v, 1) for k, v in demonstration["pillars"].items()} == {
        k: round_half_up(v, 1) for k, v in BATH_2025.items()
    }
    assert (earlier["pillars"], earlier["overall"]) == ({}, 2.3214285714285716)


def test_results_of_an_icb_include_primary_care(client, small_world):
    rows = client.get("/api/v1/organisations/QOX/results").json()
    assert [(r["cycle"], r["care_setting"], r["source"]) for r in rows] == [
        (2025, "icb", "published"),
        (2025, "icb", "demonstration"),
        (2025, "primary_care", "published"),
        (2025, "primary_care", "demonstration"),
        (2024, "icb", "published"),
    ]
    primary = rows[2]
    assert primary["overall"] is None
    assert set(primary["pillars"]) == {
        "well_led",
        "smart_foundations",
        "support_people",
        "empower_people",
        "improve_care",
    }


def test_code_is_case_insensitive(client, small_world):
    assert client.get("/api/v1/organisations/rd1/results").status_code == 200


def test_organisation_without_results_gives_an_empty_list(client, db):
    from .factories import make_organisation

    make_organisation(ods_code="RXX", name="A TRUST WITH NO RESULTS")
    response = client.get("/api/v1/organisations/RXX/results")
    assert (response.status_code, response.json()) == (200, [])


def test_unknown_code_is_a_json_404(client, db):
    response = client.get("/api/v1/organisations/ZZZ99/results")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "No organisation with ODS code 'ZZZ99'."}


def test_route_is_in_the_openapi_schema(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/organisations/{ods_code}/results"]["get"]
    assert set(operation["responses"]) == {"200", "404"}
