"""The /api/v1/reviews routes: the same scope and roles as the pages (401 without credentials,
403 without the role, 404 outside the caller's scope), with bearer tokens."""

from __future__ import annotations

import pytest

from maturity.accounts.services import api_token_create
from maturity.assessments.models import Answer
from maturity.reviews import services
from maturity.reviews.models import DomainReview, Moderation, ValidationFlag

from .conftest import assignment_of, calibrate, reviewer_for

API = "/api/v1/reviews"


def _token(user) -> dict[str, str]:
    _row, token = api_token_create(by=user, user=user, name="tests")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def reviewed(matched):
    assignment = assignment_of(matched, "RA1")
    reviewer = reviewer_for(matched, assignment)
    calibrate(reviewer, matched.cycle)
    Answer.objects.filter(return_obj=matched.returns["RA1"], item_id="ctx.epr_in_place").update(
        value=False
    )
    services.flags_raise(by=matched.analyst, cycle=matched.cycle)
    matched.assignment = assignment
    matched.reviewer = reviewer
    matched.flag = ValidationFlag.objects.get(
        return_obj=matched.returns["RA1"], kind="epr_contradiction"
    )
    return matched


def _decide_all(world, *, challenge: dict | None = None):
    for review in world.assignment.domain_reviews.all():
        if challenge and review.domain_id == challenge["domain"]:
            services.domain_review_decide(
                by=world.reviewer,
                review=review,
                decision="challenge",
                proposed_level=challenge["level"],
                reason="Not met.",
            )
        else:
            services.domain_review_decide(by=world.reviewer, review=review, decision="agree")


def test_every_route_needs_credentials(client, reviewed):
    a = reviewed.assignment
    routes = [
        ("get", f"{API}/assignments"),
        ("get", f"{API}/assignments/{a.pk}"),
        ("post", f"{API}/assignments/{a.pk}/domains/sf.epr"),
        ("post", f"{API}/assignments/{a.pk}/submit"),
        ("get", f"{API}/returns/{a.return_obj_id}"),
        ("post", f"{API}/returns/{a.return_obj_id}/domains/sf.epr/reply"),
        ("post", f"{API}/queries/{reviewed.flag.pk}/reply"),
        ("get", f"{API}/flags"),
        ("post", f"{API}/flags/{reviewed.flag.pk}/decision"),
        ("get", f"{API}/moderations"),
        ("post", f"{API}/moderations/1/decision"),
        ("get", f"{API}/cycles/{reviewed.cycle.pk}/matching"),
        ("post", f"{API}/assignments/{a.pk}/override"),
        ("get", f"{API}/cycles/{reviewed.cycle.pk}/reliability"),
        ("get", f"{API}/cycles/{reviewed.cycle.pk}/inflation"),
    ]
    for method, url in routes:
        response = getattr(client, method)(url, content_type="application/json")
        assert response.status_code == 401, url


def test_reviewers_see_only_their_assignments(client, reviewed):
    a = reviewed.assignment
    response = client.get(f"{API}/assignments", **_token(reviewed.reviewer))
    assert response.status_code == 200
    assert a.pk in [row["id"] for row in response.json()]
    detail = client.get(f"{API}/assignments/{a.pk}", **_token(reviewed.reviewer)).json()
    assert {d["domain_id"] for d in detail["domains"]} >= {"sf.epr", "sf.cyber"}
    # RA2 is in RA1's system: 404; a submitter is no reviewer: 403.
    assert (
        client.get(f"{API}/assignments/{a.pk}", **_token(reviewed.ra2_reviewer)).status_code == 404
    )
    assert a.pk not in [
        row["id"]
        for row in client.get(f"{API}/assignments", **_token(reviewed.ra2_reviewer)).json()
    ]
    assert client.get(f"{API}/assignments", **_token(reviewed.ra1_submitter)).status_code == 403


def test_a_reviewer_decides_and_submits_through_the_api(client, reviewed):
    a = reviewed.assignment
    headers = _token(reviewed.reviewer)
    url = f"{API}/assignments/{a.pk}/domains/sf.epr"
    response = client.post(
        url,
        {"decision": "challenge", "proposed_level": 3},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 400
    assert "Enter the reason for the challenge." in response.json()["detail"]
    response = client.post(
        url,
        {"decision": "challenge", "proposed_level": 3, "reason": "Paper in outpatients."},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 200
    assert response.json()["state"] == "awaiting_organisation"
    assert client.post(f"{API}/assignments/{a.pk}/submit", **headers).status_code == 400
    _decide_all(reviewed, challenge={"domain": "sf.epr", "level": 3})
    response = client.post(f"{API}/assignments/{a.pk}/submit", **headers)
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    other = _token(reviewed.ra2_reviewer)
    assert (
        client.post(
            url, {"decision": "agree"}, content_type="application/json", **other
        ).status_code
        == 404
    )


def test_the_organisation_reads_and_replies_through_the_api(client, reviewed):
    r = reviewed.returns["RA1"]
    # Before submission the reviewer's decisions are hidden.
    _decide_all(reviewed, challenge={"domain": "sf.epr", "level": 3})
    body = client.get(f"{API}/returns/{r.pk}", **_token(reviewed.ra1_submitter)).json()
    epr = next(d for d in body["domains"] if d["domain_id"] == "sf.epr")
    assert epr["decision"] == "" and epr["proposed_level"] is None
    services.assignment_submit(by=reviewed.reviewer, assignment=reviewed.assignment)
    body = client.get(f"{API}/returns/{r.pk}", **_token(reviewed.ra1_submitter)).json()
    epr = next(d for d in body["domains"] if d["domain_id"] == "sf.epr")
    assert (epr["decision"], epr["proposed_level"]) == ("challenge", 3)
    assert client.get(f"{API}/returns/{r.pk}", **_token(reviewed.rb1_submitter)).status_code == 404
    reply = f"{API}/returns/{r.pk}/domains/sf.epr/reply"
    assert (
        client.post(
            reply,
            {"response": "accept"},
            content_type="application/json",
            **_token(reviewed.rb1_submitter),
        ).status_code
        == 404
    )
    response = client.post(
        reply,
        {"response": "accept"},
        content_type="application/json",
        **_token(reviewed.ra1_contributor),
    )
    assert response.status_code == 200
    assert (response.json()["agreed_level"], response.json()["counted_level"]) == (3, 3)


def test_validators_list_and_decide_flags_in_their_area(client, reviewed):
    flag = reviewed.flag
    ids = [f["id"] for f in client.get(f"{API}/flags", **_token(reviewed.lead_a)).json()]
    assert flag.pk in ids
    other = client.get(f"{API}/flags", **_token(reviewed.lead_c))
    assert other.status_code == 200 and flag.pk not in [f["id"] for f in other.json()]
    assert client.get(f"{API}/flags", **_token(reviewed.ra1_submitter)).status_code == 403
    url = f"{API}/flags/{flag.pk}/decision"
    body = {"decision": "query", "reason": "Which EPR?"}
    assert (
        client.post(
            url, body, content_type="application/json", **_token(reviewed.lead_c)
        ).status_code
        == 404
    )
    response = client.post(url, body, content_type="application/json", **_token(reviewed.lead_a))
    assert response.status_code == 200 and response.json()["status"] == "queried"
    queries = client.get(
        f"{API}/returns/{flag.return_obj_id}", **_token(reviewed.ra1_submitter)
    ).json()
    assert [q["id"] for q in queries["open_queries"]] == [flag.pk]
    reply = f"{API}/queries/{flag.pk}/reply"
    assert (
        client.post(
            reply, {"text": "x"}, content_type="application/json", **_token(reviewed.rb1_submitter)
        ).status_code
        == 404
    )
    response = client.post(
        reply,
        {"text": "Live since 2019."},
        content_type="application/json",
        **_token(reviewed.ra1_submitter),
    )
    assert response.status_code == 200 and response.json()["reply"] == "Live since 2019."


def test_analyst_routes(client, reviewed):
    _decide_all(reviewed, challenge={"domain": "sf.epr", "level": 2})
    services.assignment_submit(by=reviewed.reviewer, assignment=reviewed.assignment)
    services.domain_review_reply(
        by=reviewed.ra1_submitter,
        review=DomainReview.objects.get(assignment=reviewed.assignment, domain_id="sf.epr"),
        response="accept",
    )
    moderation = Moderation.objects.get()
    analyst = _token(reviewed.analyst)
    lead = _token(reviewed.lead_a)
    for url in (
        f"{API}/moderations",
        f"{API}/cycles/{reviewed.cycle.pk}/matching",
        f"{API}/cycles/{reviewed.cycle.pk}/reliability",
        f"{API}/cycles/{reviewed.cycle.pk}/inflation",
    ):
        assert client.get(url, **lead).status_code == 403, url
        assert client.get(url, **analyst).status_code == 200, url
    assert [m["id"] for m in client.get(f"{API}/moderations", **analyst).json()] == [moderation.pk]
    url = f"{API}/moderations/{moderation.pk}/decision"
    body = {"level": 3, "reason": "Dated plans for most services."}
    assert client.post(url, body, content_type="application/json", **lead).status_code == 403
    response = client.post(url, body, content_type="application/json", **analyst)
    assert response.status_code == 200 and response.json()["decided_level"] == 3
    assert client.post(url, body, content_type="application/json", **analyst).status_code == 400
    matching = client.get(f"{API}/cycles/{reviewed.cycle.pk}/matching", **analyst).json()
    assert matching["committed"] == 4 and len(matching["assignments"]) == 4
    inflation = client.get(
        f"{API}/cycles/{reviewed.cycle.pk}/inflation?by=organisation", **analyst
    ).json()
    alpha = next(row for row in inflation["rows"] if row["group"] == "Alpha NHS Trust")
    overall = next(c for c in alpha["cells"] if c["pillar"] == "overall")
    # 44 domains: sf.epr 4 → 3 (moderated), wl.strategy 5 → 3 (evidence not confirmed).
    assert overall["difference"] == pytest.approx(3 / 44)
    assert (
        client.get(f"{API}/cycles/{reviewed.cycle.pk}/inflation?by=country", **analyst).status_code
        == 400
    )


def test_override_through_the_api(client, reviewed):
    a = assignment_of(reviewed, "RB1")
    url = f"{API}/assignments/{a.pk}/override"
    assert (
        client.post(
            url,
            {"reviewer_ods_code": "RC1", "reason": "r"},
            content_type="application/json",
            **_token(reviewed.lead_a),
        ).status_code
        == 403
    )
    target = "RC1" if a.reviewer_organisation.ods_code != "RC1" else "RA2"
    response = client.post(
        url,
        {"reviewer_ods_code": target, "reason": "Conflict of interest"},
        content_type="application/json",
        **_token(reviewed.analyst),
    )
    assert response.status_code == 200 and response.json()["reviewer_ods_code"] == target
    response = client.post(
        url,
        {"reviewer_ods_code": "QNB", "reason": "r"},
        content_type="application/json",
        **_token(reviewed.analyst),
    )
    assert response.status_code == 400  # the old assignment is replaced
