from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_list_editions(client, synced):
    response = client.get("/api/v1/frameworks/editions")
    assert response.status_code == 200
    rows = {row["edition_id"]: row for row in response.json()}
    assert set(rows) == set(synced)
    assert rows["wgll-2025"] | {"loaded_at": None, "sha256": None} == {
        "edition_id": "wgll-2025",
        "framework": "wgll",
        "framework_name": "What Good Looks Like",
        "year": 2025,
        "title": "What Good Looks Like digital maturity assessment 2025",
        "status": "published",
        "scoring_model": "cumulative_levels",
        "illustrative": False,
        "previous_edition": "wgll-2024",
        "sha256": None,
        "loaded_at": None,
    }
    assert rows["wgll-2024"]["previous_edition"] is None


def test_get_edition_returns_the_resolved_edition(client, synced):
    response = client.get("/api/v1/frameworks/editions/wgll-2024")
    assert response.status_code == 200
    data = response.json()
    ids = [d["id"] for d in data["domains"]]
    assert len(ids) == 45 and "sf.integration" in ids and "sf.interoperability" not in ids
    epr = next(d for d in data["domains"] if d["id"] == "sf.epr")
    assert [level["level"] for level in epr["levels"]] == [1, 2, 3, 4, 5]
    assert epr["care_settings"] == ["acute", "mental_health", "community", "ambulance"]
    assert data["date_reviewed"] == "2024-03-22" and data["base"] == "wgll-2025"


def test_get_edition_of_another_model(client, synced):
    data = client.get("/api/v1/frameworks/editions/infrastructure-stages-demo").json()
    assert data["scoring_model"] == "stage"
    assert [s["threshold"] for s in data["stages"]][1:] == [0.7] * 7


def test_get_unknown_edition_is_404(client, synced):
    response = client.get("/api/v1/frameworks/editions/wgll-1999")
    assert response.status_code == 404
    assert "wgll-1999" in response.json()["detail"]


def test_diff(client, synced):
    response = client.get("/api/v1/frameworks/diff", {"from": "wgll-2024", "to": "wgll-2025"})
    assert response.status_code == 200
    data = response.json()
    assert {d["id"] for d in data["removed"]} == {
        "sf.integration",
        "ep.patient_portal",
        "ic.paper_free",
    }
    assert len(data["added"]) == 6 and data["consecutive"] is True
    assert len(data["changed"]) + len(data["unchanged"]) == 42


@pytest.mark.parametrize(
    ("params", "status"),
    [({"from": "wgll-2024", "to": "wgll-1999"}, 404), ({"from": "wgll-2024"}, 422), ({}, 422)],
)
def test_diff_errors(client, synced, params, status):
    assert client.get("/api/v1/frameworks/diff", params).status_code == status


def test_openapi_documents_the_routes(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {
        "/api/v1/frameworks/editions",
        "/api/v1/frameworks/editions/{edition_id}",
        "/api/v1/frameworks/diff",
    } <= set(paths)
