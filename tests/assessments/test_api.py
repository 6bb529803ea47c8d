"""The returns API: contract, permissions, conflicts and isolation between organisations."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from maturity.accounts.services import api_token_create
from maturity.assessments import services
from maturity.assessments.models import Answer, Return, ReturnStatus

from .factories import answer_everything, return_of, save

pytestmark = pytest.mark.django_db

BASE = "/api/v1/returns"
ITEM = "sf.epr.l1.a"


def token_client(user) -> Client:
    _, token = api_token_create(by=user, user=user, name="script")
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def session_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def put(client: Client, return_id: int, item_id: str, body: dict):
    return client.put(
        f"{BASE}/{return_id}/answers/{item_id}",
        data=json.dumps(body),
        content_type="application/json",
    )


@pytest.fixture
def alpha_acute(cohort, cycle):
    return return_of(cycle, cohort.alpha, "acute")


@pytest.fixture
def beta_acute(cohort, cycle):
    return return_of(cycle, cohort.beta, "acute")


def test_reading_a_return(cohort, alpha_acute):
    saved = save(alpha_acute, cohort.alpha_contributor, ITEM, "met")
    response = token_client(cohort.alpha_contributor).get(f"{BASE}/{alpha_acute.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == alpha_acute.pk
    assert (body["organisation_ods_code"], body["care_setting"], body["year"]) == (
        "RA1",
        "acute",
        2026,
    )
    assert (body["status"], body["edition_id"], body["cycle_status"]) == (
        "in_progress",
        "wgll-2025",
        "open",
    )
    assert body["can_edit"] is True and body["can_commit"] is False
    assert body["answers"] == [
        {
            "item_id": ITEM,
            "value": "met",
            "version": saved.version,
            "copied_from_previous": False,
            "updated_at": body["answers"][0]["updated_at"],
        }
    ]
    assert body["score"]["domain_levels"]["sf.epr"] == 1
    assert body["score"]["edition_id"] == "wgll-2025" and body["stored_score"] is None


def test_writing_an_answer_with_its_version(cohort, alpha_acute):
    client = token_client(cohort.alpha_contributor)
    first = put(client, alpha_acute.pk, ITEM, {"value": "met", "version": None})
    assert first.status_code == 200
    assert first.json() == {"item_id": ITEM, "value": "met", "version": 1}
    second = put(client, alpha_acute.pk, ITEM, {"value": "not_met", "version": 1})
    assert second.json() == {"item_id": ITEM, "value": "not_met", "version": 2}
    narrative = put(client, alpha_acute.pk, "narrative:sf.epr", {"value": "Live in 2019"})
    assert narrative.status_code == 200 and narrative.json()["version"] == 1
    assert Answer.objects.get(return_obj=alpha_acute, item_id=ITEM).value == "not_met"


def test_a_stale_version_is_a_409_with_the_stored_value(cohort, alpha_acute):
    save(alpha_acute, cohort.alpha_contributor_2, ITEM, "na")
    response = put(
        token_client(cohort.alpha_contributor),
        alpha_acute.pk,
        ITEM,
        {"value": "met", "version": None},
    )
    assert response.status_code == 409
    body = response.json()
    assert (body["current_value"], body["current_version"], body["attempted_value"]) == (
        "na",
        1,
        "met",
    )
    assert body["item_id"] == ITEM and "Nothing was overwritten" in body["detail"]


@pytest.mark.parametrize(
    ("item_id", "body"),
    [
        (ITEM, {"value": "yes", "version": None}),
        ("zz.unknown.l1.a", {"value": "met", "version": None}),
        ("ctx.epr_in_place", {"value": "perhaps"}),
        (ITEM, {"value": "met", "version": 0}),
    ],
)
def test_invalid_answers_are_a_422(cohort, alpha_acute, item_id, body):
    response = put(token_client(cohort.alpha_contributor), alpha_acute.pk, item_id, body)
    assert response.status_code == 422
    assert response.json()["detail"]
    assert not Answer.objects.exists()


@pytest.mark.parametrize("who", ["lead_a", "north_validator", "analyst"])
def test_readers_who_cannot_edit_get_a_403(cohort, alpha_acute, who):
    client = token_client(getattr(cohort, who))
    assert client.get(f"{BASE}/{alpha_acute.pk}").status_code == 200
    response = put(client, alpha_acute.pk, ITEM, {"value": "met"})
    assert response.status_code == 403
    assert response.json() == {
        "detail": f"Only contributors and submitters of {alpha_acute.organisation.name} can "
        "change its return."
    }


def test_a_committed_return_is_a_403_to_writes(cohort, alpha_acute):
    answer_everything(alpha_acute, cohort.alpha_contributor)
    services.return_commit(by=cohort.alpha_submitter, return_=alpha_acute)
    response = put(token_client(cohort.alpha_contributor), alpha_acute.pk, ITEM, {"value": "na"})
    assert response.status_code == 403
    assert "committed and locked" in response.json()["detail"]


def test_committing(cohort, alpha_acute):
    submitter = token_client(cohort.alpha_submitter)
    save(alpha_acute, cohort.alpha_contributor, ITEM, "met")
    refused = submitter.post(f"{BASE}/{alpha_acute.pk}/commit")
    assert refused.status_code == 409
    missing = refused.json()["missing"]
    assert missing and ITEM not in {m["item_id"] for m in missing}
    assert {"item_id", "domain_id", "label"} == set(missing[0])

    answer_everything(alpha_acute, cohort.alpha_contributor)
    contributor = token_client(cohort.alpha_contributor)
    assert contributor.post(f"{BASE}/{alpha_acute.pk}/commit").status_code == 403
    done = submitter.post(f"{BASE}/{alpha_acute.pk}/commit")
    assert done.status_code == 200
    assert done.json()["status"] == "committed" and done.json()["committed_at"]
    assert Return.objects.get(pk=alpha_acute.pk).status == ReturnStatus.COMMITTED
    again = submitter.post(f"{BASE}/{alpha_acute.pk}/commit")
    assert again.status_code == 409 and again.json()["missing"] == []
    body = submitter.get(f"{BASE}/{alpha_acute.pk}").json()
    assert body["stored_score"]["overall"] == 5.0 and body["can_edit"] is False


@pytest.mark.parametrize("who", ["analyst", "lead_a"])
def test_only_submitters_commit_through_the_api(cohort, alpha_acute, who):
    answer_everything(alpha_acute, cohort.alpha_contributor)
    response = token_client(getattr(cohort, who)).post(f"{BASE}/{alpha_acute.pk}/commit")
    assert response.status_code == 403


def test_listing_the_returns_one_can_see(cohort, cycle):
    body = token_client(cohort.alpha_contributor).get(BASE).json()
    assert body["count"] == 2
    assert {(r["organisation_ods_code"], r["care_setting"]) for r in body["items"]} == {
        ("RA1", "acute"),
        ("RA1", "community"),
    }
    lead = token_client(cohort.lead_a).get(BASE, {"status": "not_started"}).json()
    assert lead["count"] == 5
    analyst = token_client(cohort.analyst).get(BASE, {"year": 2026, "page": 1}).json()
    assert analyst["count"] == 11 and len(analyst["items"]) == 11
    pages = [
        token_client(cohort.analyst).get(BASE, {"page": p, "page_size": 5}).json()
        for p in (1, 2, 3)
    ]
    assert [len(p["items"]) for p in pages] == [5, 5, 1] and pages[2]["count"] == 11
    assert len({r["id"] for p in pages for r in p["items"]}) == 11
    assert token_client(cohort.nobody).get(BASE).json() == {"items": [], "count": 0}


def test_the_session_works_too_and_anonymous_callers_are_refused(cohort, alpha_acute):
    assert (
        session_client(cohort.alpha_contributor).get(f"{BASE}/{alpha_acute.pk}").status_code == 200
    )
    assert Client().get(f"{BASE}/{alpha_acute.pk}").status_code == 401
    assert Client().get(BASE).status_code == 401
    bad = Client(HTTP_AUTHORIZATION="Bearer dmo_000000000000_wrong")
    assert bad.get(f"{BASE}/{alpha_acute.pk}").status_code == 401
    assert put(Client(), alpha_acute.pk, ITEM, {"value": "met"}).status_code == 401


# --- Isolation: organisation B's people get 404 on every route to A's return --------------------


def _routes(return_id: int):
    return [
        ("get", f"{BASE}/{return_id}", None),
        ("put", f"{BASE}/{return_id}/answers/{ITEM}", {"value": "met", "version": None}),
        ("post", f"{BASE}/{return_id}/commit", None),
    ]


@pytest.mark.parametrize("auth", ["token", "session"])
@pytest.mark.parametrize("who", ["beta_submitter", "beta_contributor", "lead_c", "panel", "nobody"])
def test_another_organisations_return_is_a_404_on_every_route(
    cohort, alpha_acute, beta_acute, who, auth
):
    save(alpha_acute, cohort.alpha_contributor, ITEM, "na")
    user = getattr(cohort, who)
    client = token_client(user) if auth == "token" else session_client(user)
    for method, path, body in _routes(alpha_acute.pk):
        if body is None:
            response = getattr(client, method)(path)
        else:
            response = getattr(client, method)(
                path, data=json.dumps(body), content_type="application/json"
            )
        assert response.status_code == 404, (method, path, response.status_code)
        assert "na" not in response.content.decode()
    assert Answer.objects.get(return_obj=alpha_acute, item_id=ITEM).value == "na"
    assert Return.objects.get(pk=alpha_acute.pk).status == ReturnStatus.IN_PROGRESS
    listed = {r["id"] for r in client.get(BASE).json()["items"]}
    assert alpha_acute.pk not in listed


def test_a_return_that_does_not_exist_is_the_same_404(cohort, alpha_acute):
    client = token_client(cohort.beta_submitter)
    missing = client.get(f"{BASE}/999999")
    hidden = client.get(f"{BASE}/{alpha_acute.pk}")
    assert missing.status_code == hidden.status_code == 404
    assert missing.json() == hidden.json()
