"""The /api/v1/support routes: public ones for anyone, the rest by token or session, with 401,
403 and 404 as the contract says."""

from __future__ import annotations

import pytest

from maturity.accounts.services import api_token_create
from maturity.support import services

from .conftest import case_study_data

API = "/api/v1/support"


def bearer(user) -> dict:
    _token, secret = api_token_create(by=user, user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_needs_lists_are_public(client, world):
    body = client.get(f"{API}/needs").json()
    assert body["area"] is None and body["trusts"] == 7 and body["at_core_level"] == 2
    assert body["furthest_from_core_level"][0]["organisation"]["ods_code"] == "RA4"
    assert body["furthest_from_core_level"][0]["gaps"] == {
        "smart_foundations": 1.5,
        "safe_practice": 1.5,
    }
    assert "Ensure smart foundations at least 3" in body["core_level"]
    area = client.get(f"{API}/needs/Q02").json()
    assert area["area"] == {"ods_code": "Q02", "name": "NHS Two ICB"}
    assert [p["organisation"]["ods_code"] for p in area["peers_do_much_better"]] == ["RA4"]
    assert client.get(f"{API}/needs/RA1").status_code == 404


def test_case_studies_are_public_when_published(client, published, submitter, world):
    draft = services.case_study_create(
        by=submitter, organisation=world.trusts["RA1"], data=case_study_data(title="Draft")
    )
    listed = client.get(f"{API}/case-studies", {"pillar": "support_people"}).json()
    assert [c["slug"] for c in listed] == [published.slug]
    assert listed[0]["domains"] == ["sf.epr", "sw.mobile_working"]
    assert listed[0]["demonstration"] is False
    assert client.get(f"{API}/case-studies", {"q": "nothing-matches"}).json() == []
    assert client.get(f"{API}/case-studies/{published.slug}").status_code == 200
    assert client.get(f"{API}/case-studies/{draft.slug}").status_code == 404


def test_communities_are_public(client, published, submitter, world):
    services.community_join(by=submitter, organisation=world.trusts["RA1"], pillar="well_led")
    rows = {c["pillar"]: c for c in client.get(f"{API}/communities").json()}
    assert rows["well_led"]["members"] == [{"ods_code": "RA1", "name": "Alpha Hospitals NHS Trust"}]
    assert rows["smart_foundations"]["case_studies"] == [published.slug]
    assert client.get(f"{API}/communities/well_led").json()["name"] == "Well led"
    assert client.get(f"{API}/communities/cricket").status_code == 404


def test_partners_need_a_member_system_lead_or_analyst(
    client, world, contributor, other_submitter, system_lead, analyst
):
    url = f"{API}/organisations/RA4/partners"
    assert client.get(url).status_code == 401
    assert client.get(url, **bearer(other_submitter)).status_code == 403
    # Delta (RA4) is in NHS Two ICB: not this system lead's.
    assert client.get(url, **bearer(system_lead)).status_code == 403
    body = client.get(url, **bearer(analyst)).json()
    assert body[0]["source"] == "published"
    assert body[0]["partners"][0]["organisation"]["ods_code"] == "RA1"
    assert body[0]["partners"][0]["contact_email"] is None
    assert client.get(f"{API}/organisations/RA1/partners", **bearer(contributor)).status_code == 200
    assert client.get(f"{API}/organisations/NOPE/partners", **bearer(analyst)).status_code == 404


@pytest.mark.parametrize("path", ["/programmes", "/programmes/{p}", "/scenarios/{s}"])
def test_funding_routes_need_an_analyst(client, path, programme, scenario, submitter, analyst):
    url = API + path.format(p=programme.pk, s=scenario.pk)
    assert client.get(url).status_code == 401
    assert client.get(url, **bearer(submitter)).status_code == 403
    assert client.get(url, **bearer(analyst)).status_code == 200


def test_programme_and_scenario_bodies(client, programme, scenario, analyst):
    auth = bearer(analyst)
    (listed,) = client.get(f"{API}/programmes", **auth).json()
    assert listed["core_thresholds"] == {"smart_foundations": 3.0, "safe_practice": 3.0}
    assert listed["scenarios"][0]["status"] == "optimal"
    body = client.get(f"{API}/scenarios/{scenario.pk}", **auth).json()
    assert body["result"]["outcome"]["newly_reached"] == 4
    assert len(body["allocations"]) == 7
    bravo = next(a for a in body["allocations"] if a["organisation"]["ods_code"] == "RA2")
    assert bravo["amount_gbp"] == 1_250_000 and bravo["reaches_core_level"] is True
    assert client.get(f"{API}/scenarios/999", **auth).status_code == 404
    assert client.get(f"{API}/programmes/999", **auth).status_code == 404


def test_solving_through_the_api(client, scenario, analyst, submitter):
    url = f"{API}/scenarios/{scenario.pk}/solve"
    assert client.post(url).status_code == 401
    assert client.post(url, **bearer(submitter)).status_code == 403
    response = client.post(url, **bearer(analyst))
    assert response.status_code == 200 and response.json()["status"] == "optimal"
    assert client.post(f"{API}/scenarios/999/solve", **bearer(analyst)).status_code == 404


def test_session_posts_need_the_csrf_token(scenario, analyst):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(analyst)
    assert strict.post(f"{API}/scenarios/{scenario.pk}/solve").status_code == 403


def test_the_routes_are_in_the_openapi_schema(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/support/needs",
        "/api/v1/support/needs/{ods_code}",
        "/api/v1/support/case-studies",
        "/api/v1/support/communities",
        "/api/v1/support/organisations/{ods_code}/partners",
        "/api/v1/support/programmes",
        "/api/v1/support/scenarios/{pk}",
        "/api/v1/support/scenarios/{pk}/solve",
    ):
        assert path in paths
