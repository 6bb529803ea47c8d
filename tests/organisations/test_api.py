"""Contract tests for /api/v1/organisations."""

import datetime as dt

import pytest

from .factories import OrganisationFactory

REF_KEYS = {"ods_code", "name", "kind"}


def test_organisation_on_a_date(client, mini_registry):
    response = client.get("/api/v1/organisations/RC9", {"on": "2025-06-01"})
    assert response.status_code == 200
    body = response.json()
    assert {
        "ods_code",
        "name",
        "kind",
        "opened_on",
        "closed_on",
        "parents",
        "predecessors",
        "successors",
        "care_settings",
    } <= set(body)
    assert body["ods_code"] == "RC9"
    assert body["kind"] == "trust"
    assert body["opened_on"] == "1992-04-01"
    assert body["closed_on"] is None
    assert body["on"] == "2025-06-01"
    assert [p["ods_code"] for p in body["parents"]] == ["QHG", "Y61", "E92000001"]
    assert all(set(p) == REF_KEYS for p in body["parents"])
    assert body["parents"][0]["kind"] == "icb"
    assert body["icb"]["ods_code"] == "QHG"
    assert body["care_settings"] == ["acute"]
    after = client.get("/api/v1/organisations/RC9", {"on": "2026-06-01"}).json()
    assert [p["ods_code"] for p in after["parents"]] == ["S1Y5D", "Y61", "E92000001"]


def test_successors_of_frimley(client, mini_registry):
    body = client.get("/api/v1/organisations/qnq").json()
    assert body["closed_on"] == "2026-04-01"
    assert body["successors"] == [
        {
            "ods_code": "QRL",
            "name": "NHS Hampshire and Isle of Wight Integrated Care Board",
            "kind": "icb",
            "effective_on": "2026-04-01",
            "succession_kind": "acquisition",
        },
        {
            "ods_code": "S9B9J",
            "name": "NHS Surrey and Sussex Integrated Care Board",
            "kind": "icb",
            "effective_on": "2026-04-01",
            "succession_kind": "split",
        },
        {
            "ods_code": "S0E4D",
            "name": "NHS Thames Valley Integrated Care Board",
            "kind": "icb",
            "effective_on": "2026-04-01",
            "succession_kind": "split",
        },
    ]
    essex = client.get("/api/v1/organisations/D7T5G").json()
    assert [(p["ods_code"], p["succession_kind"]) for p in essex["predecessors"]] == [
        ("QM7", "split"),  # by name: Hertfordshire and West Essex, then Mid and South Essex
        ("QH8", "merger"),
    ]


def test_date_defaults_to_today(client, mini_registry):
    body = client.get("/api/v1/organisations/RC9").json()
    assert body["on"] == dt.date.today().isoformat()


def test_unknown_code_is_404_json(client, db):
    response = client.get("/api/v1/organisations/NOPE1")
    assert response.status_code == 404
    assert response.json() == {"detail": 'No organisation with the code "NOPE1"'}


@pytest.mark.parametrize("bad", ["2025-13-01", "yesterday", "01/06/2025"])
def test_bad_date_is_422_json_not_500(client, mini_registry, bad):
    response = client.get("/api/v1/organisations/RC9", {"on": bad})
    assert response.status_code == 422
    assert response.json() == {"detail": f'on "{bad}" is not a date (expected YYYY-MM-DD)'}


def test_search_is_paginated(client, db):
    for n in range(7):
        OrganisationFactory(ods_code=f"RY{n}", name=f"Gamma {n} NHS Trust")
    OrganisationFactory(ods_code="QGG", name="NHS Gamma Integrated Care Board", kind="icb")
    body = client.get(
        "/api/v1/organisations", {"q": "gamma", "kind": "trust", "page_size": 5}
    ).json()
    assert (body["count"], body["page"], body["pages"], len(body["items"])) == (7, 1, 2, 5)
    assert set(body["items"][0]) == {"ods_code", "name", "kind", "opened_on", "closed_on", "url"}
    page2 = client.get(
        "/api/v1/organisations", {"q": "gamma", "kind": "trust", "page_size": 5, "page": 2}
    ).json()
    assert [i["ods_code"] for i in page2["items"]] == ["RY5", "RY6"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"kind": "castle"}, 'kind "castle" is not one of'),
        ({"page": 0}, "page must be 1 or more"),
        ({"page_size": 1000}, "page_size must be between 1 and 100"),
    ],
)
def test_search_rejects_bad_parameters_clearly(client, db, params, message):
    response = client.get("/api/v1/organisations", params)
    assert response.status_code == 422
    assert response.json()["detail"].startswith(message)
