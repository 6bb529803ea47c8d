"""The read-only public API at /api/v1/commitments."""

from __future__ import annotations

import datetime as dt

import pytest

from maturity.commitments import services
from maturity.commitments.models import Commitment, EvaluationRound
from maturity.commitments.seeding import seed_commitments

pytestmark = pytest.mark.django_db
BASE = "/api/v1/commitments"


@pytest.fixture
def seeded(db):
    seed_commitments()
    services.derive_observations()


def test_list_in_the_panels_area_order(client, seeded):
    response = client.get(f"{BASE}/")
    assert response.status_code == 200
    rows = response.json()
    assert len(rows) == Commitment.objects.count() == 17
    areas = [r["policy_area"] for r in rows]
    assert areas == sorted(
        areas, key=["care", "population_health", "cost_efficiency", "workforce"].index
    )
    epr = next(r for r in rows if r["id"] == "epr-in-all-trusts")
    assert (epr["deadline"], epr["deadline_label"]) == ("2026-03-31", "March 2026")
    strategy = next(r for r in rows if r["id"] == "digital-workforce-strategy")
    assert strategy["latest_overall_rating"] == "inadequate"
    assert strategy["url"] == "/commitments/digital-workforce-strategy/"


def test_detail_with_observations_trajectory_and_evaluations(client, seeded):
    response = client.get(f"{BASE}/epr-in-all-trusts")
    assert response.status_code == 200
    data = response.json()
    assert [d["deadline"] for d in data["deadlines"]] == ["2025-03-31", "2026-03-31"]
    primary = next(m for m in data["metrics"] if m["is_primary"])
    assert primary["target_value"] == 100
    assert {o["provenance"] for o in primary["observations"]} == {"derived", "entered"}
    assert all(o["source"] for o in primary["observations"])
    assert primary["trajectory"]["method"] == "trajectory_ols_t"
    assert 0 <= primary["trajectory"]["probability_on_time"] <= 1
    assert primary["summary"].startswith("NHS trusts with an electronic patient record rose")
    assert data["suggestion"]["rating"] == "requires_improvement"
    assert data["domain_ids"] == ["sf.epr"]

    app = client.get(f"{BASE}/nhs-app-75-percent").json()
    (evaluation,) = app["evaluations"]
    assert evaluation["met_or_on_track"]["rating"] is None
    assert evaluation["funded"]["rating"] == "requires_improvement"
    assert evaluation["funded"]["evidence"] == "HTN"
    assert evaluation["government_responses"][0]["to_round_as_a_whole"] is True


def test_summary_latest_round_and_chosen_round(client, seeded):
    latest = client.get(f"{BASE}/summary").json()
    assert latest["round_date"] == "2023-07-31"
    main = EvaluationRound.objects.get(held_on=dt.date(2023, 2, 17))
    data = client.get(f"{BASE}/summary", {"round": main.pk}).json()
    assert data["overall_rating"] == "inadequate"
    assert len(data["rows"]) == 9
    ddat = next(r for r in data["rows"] if r["commitment_id"] == "ddat-workforce-10500")
    assert {ddat[q] for q in ("met_or_on_track", "funded", "impact", "appropriate", "overall")} == {
        "inadequate"
    }


def test_summary_without_any_round(client, db):
    data = client.get(f"{BASE}/summary").json()
    assert data == {
        "round_id": None,
        "round": None,
        "round_date": None,
        "overall_rating": None,
        "rows": [],
    }


def test_not_found_and_bad_input(client, seeded):
    assert client.get(f"{BASE}/no-such").status_code == 404
    assert client.get(f"{BASE}/summary", {"round": 9999}).status_code == 404
    assert client.get(f"{BASE}/summary", {"round": "abc"}).status_code == 422


def test_api_is_read_only_for_everyone(client, seeded, analyst, panel_member):
    for user in (None, analyst, panel_member):
        if user:
            client.force_login(user)
        for url in (f"{BASE}/", f"{BASE}/summary", f"{BASE}/epr-in-all-trusts"):
            for method in (client.post, client.put, client.delete):
                assert method(url).status_code == 405, (user, url)
    assert Commitment.objects.count() == 17


def test_routes_are_in_the_openapi_document(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {f"{BASE}/", f"{BASE}/summary", f"{BASE}/{{slug}}"} <= set(paths)
