"""Every page: who may see it, who may not, and what a successful request does."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from maturity.support import services
from maturity.support.models import (
    CaseStudy,
    CaseStudyStatus,
    CommunityMembership,
    ContactOptIn,
    FundingAward,
    FundingProgramme,
    Scenario,
    ScenarioStatus,
)

from .conftest import case_study_data


def signed_in(client, user):
    client.force_login(user)
    return client


def is_sign_in_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/accounts/sign-in/")


# --- public pages ------------------------------------------------------------------------------


PUBLIC = [
    "/support/",
    "/support/needs/",
    "/support/needs/england/",
    "/support/needs/Y01/",
    "/support/needs/q01/",
    "/support/case-studies/",
    "/support/case-studies/?q=ward&pillar=smart_foundations&care_setting=acute",
    "/support/communities/",
    "/support/communities/well_led/",
]


@pytest.mark.parametrize("path", PUBLIC)
def test_public_pages_need_no_sign_in(client, world, editions, path):
    assert client.get(path).status_code == 200


def test_needs_page_lists_the_areas_trusts(client, world):
    body = client.get("/support/needs/Q01/").content.decode()
    assert "Bravo Hospitals NHS Trust" in body and "Charlie Hospitals NHS Trust" in body
    assert "Delta Hospitals" not in body  # another ICB
    assert "Ensure smart foundations at least 3" in body  # the definition is stated


@pytest.mark.parametrize(
    "path", ["/support/needs/RA1/", "/support/needs/NOPE/", "/support/communities/cricket/"]
)
def test_unknown_areas_and_pillars_are_not_found(client, world, path):
    assert client.get(path).status_code == 404


def test_public_search_shows_published_case_studies_only(client, published, submitter, world):
    services.case_study_create(
        by=submitter, organisation=world.trusts["RA1"], data=case_study_data(title="Secret draft")
    )
    body = client.get("/support/case-studies/").content.decode()
    assert published.title in body and "Secret draft" not in body
    assert client.get(published.get_absolute_url()).status_code == 200


def test_a_bad_search_is_a_clear_error_not_a_crash(client, world, editions):
    response = client.get("/support/case-studies/?pillar=cricket")
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


# --- funding: national analysts only ----------------------------------------------------------


def analyst_pages(programme: FundingProgramme, scenario: Scenario) -> list[str]:
    return [
        "/support/programmes/",
        "/support/programmes/new/",
        f"/support/programmes/{programme.pk}/",
        f"/support/programmes/{programme.pk}/edit/",
        f"/support/programmes/{programme.pk}/scenarios/new/",
        f"/support/programmes/{programme.pk}/compare/",
        f"/support/programmes/{programme.pk}/awards/new/",
        f"/support/programmes/{programme.pk}/investment/",
        f"/support/scenarios/{scenario.pk}/",
        f"/support/scenarios/{scenario.pk}/edit/",
        f"/support/scenarios/{scenario.pk}/allocation.csv",
    ]


def test_funding_pages_send_visitors_to_sign_in(client, programme, scenario):
    for path in analyst_pages(programme, scenario):
        assert is_sign_in_redirect(client.get(path)), path
    assert is_sign_in_redirect(client.post(f"/support/scenarios/{scenario.pk}/solve/"))


def test_funding_pages_are_forbidden_to_everyone_but_analysts(
    client, programme, scenario, submitter, system_lead
):
    for user in (submitter, system_lead):
        signed_in(client, user)
        for path in analyst_pages(programme, scenario):
            assert client.get(path).status_code == 403, (user, path)
        assert client.post(f"/support/scenarios/{scenario.pk}/solve/").status_code == 403
    assert not FundingAward.objects.exists()


def test_analysts_see_every_funding_page(client, analyst, programme, scenario):
    signed_in(client, analyst)
    for path in analyst_pages(programme, scenario):
        assert client.get(path).status_code == 200, path
    assert client.get("/support/programmes/999/").status_code == 404
    assert client.get("/support/scenarios/999/").status_code == 404


def test_scenario_page_shows_effect_constraints_and_moves(client, analyst, scenario):
    body = signed_in(client, analyst).get(scenario.get_absolute_url()).content.decode()
    assert "4 more organisations reach the core level: 2 → 6 of 7" in body
    assert "Binding constraints" in body
    assert "Smart foundations first (Ensure smart foundations before Safe practice)" in body
    assert "Budget 10% higher" in body
    assert "Bravo Hospitals NHS Trust" in body


def programme_form(**overrides) -> dict:
    return {
        "name": "New pot",
        "pot_gbp": "2000000",
        "deadline": "2026-03-31",
        "target_date": "31/03/2026",
        "target_percent": "70",
        "baseline_year": "2025",
        "core_combine": "every_setting",
        "target_kinds": ["trust"],
        "care_settings": ["acute"],
        "threshold_smart_foundations": "3",
        "threshold_safe_practice": "2.5",
    } | overrides


def test_analyst_creates_a_programme_then_a_solved_scenario(client, analyst, world):
    signed_in(client, analyst)
    response = client.post("/support/programmes/new/", programme_form())
    programme = FundingProgramme.objects.get(name="New pot")
    assert response.status_code == 302 and response["Location"] == programme.get_absolute_url()
    assert programme.core_thresholds == {"smart_foundations": 3.0, "safe_practice": 2.5}
    assert programme.target_share == pytest.approx(0.7)
    response = client.post(
        f"/support/programmes/{programme.pk}/scenarios/new/",
        {
            "name": "Try",
            "budget_gbp": "2000000",
            "objective": "uplift",
            "cost_smart_foundations": "1000000",
            "cost_safe_practice": "500000",
            "cost_size_elasticity": "0",
            "realisation": "0.8",
            "population_exponent": "0",
            "deprivation_weight": "0",
            "smart_foundations_first": "on",
            "step": "0.1",
        },
    )
    scenario = Scenario.objects.get(name="Try")
    assert response["Location"] == scenario.get_absolute_url()
    assert scenario.status == ScenarioStatus.OPTIMAL and scenario.step == 0.1
    assert scenario.realisation == 0.8
    body = client.get(scenario.get_absolute_url()).content.decode()
    assert "Ensure smart foundations: 0.80 levels" in body  # expected uplift per £1m


def test_bad_programme_input_is_shown_not_a_crash(client, analyst, world):
    signed_in(client, analyst)
    response = client.post(
        "/support/programmes/new/", programme_form(pot_gbp="lots", target_percent="170")
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Enter a whole number of pounds" in body
    assert "Ensure this value is less than or equal to 100" in body
    # The form is fine but the service refuses it: no pillar has a threshold.
    response = client.post(
        "/support/programmes/new/",
        programme_form(threshold_smart_foundations="", threshold_safe_practice=""),
    )
    assert response.status_code == 400
    assert "Name at least one pillar and its threshold." in response.content.decode()
    assert not FundingProgramme.objects.exists()


def test_edit_and_resolve_a_scenario(client, analyst, scenario):
    signed_in(client, analyst)
    response = client.post(
        f"/support/scenarios/{scenario.pk}/solve/",
    )
    assert response.status_code == 302
    response = client.get(f"/support/scenarios/{scenario.pk}/edit/")
    assert 'value="3000000"' in response.content.decode()


def test_record_an_award(client, analyst, programme, scenario):
    signed_in(client, analyst)
    path = f"/support/programmes/{programme.pk}/awards/new/"
    form = {
        "ods_code": "ra2",
        "amount_gbp": "750000",
        "awarded_on": "2026-01-15",
        "source": "Award letter",
        "scenario": str(scenario.pk),
        "pillars": ["smart_foundations"],
    }
    assert client.post(path, form | {"ods_code": "ZZZ"}).status_code == 400
    assert client.post(path, form).status_code == 302
    award = FundingAward.objects.get()
    assert award.organisation.ods_code == "RA2" and award.scenario == scenario


def test_compare_picks_the_scenarios_asked_for(client, analyst, programme, scenario):
    body = (
        signed_in(client, analyst)
        .get(f"/support/programmes/{programme.pk}/compare/?scenario={scenario.pk}&scenario=x")
        .content.decode()
    )
    assert "The scenarios side by side" in body and scenario.name in body


def test_allocation_csv(client, analyst, scenario):
    response = signed_in(client, analyst).get(f"/support/scenarios/{scenario.pk}/allocation.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 7
    bravo = next(r for r in rows if r["ods_code"] == "RA2")
    assert bravo["amount_gbp"] == "1250000" and bravo["reaches_core_level"] == "yes"
    assert bravo["icb_ods_code"] == "Q01" and bravo["demonstration"] == "no"
    assert bravo["gaps"] == "smart_foundations=1.0000; safe_practice=0.5000"


def test_no_export_for_an_unsolved_scenario(client, analyst, programme):
    scenario = services.scenario_create(
        by=analyst,
        programme=programme,
        data=services.ScenarioData(
            name="Unsolved",
            budget_gbp=1,
            cost_per_level={"smart_foundations": 1.0, "safe_practice": 1.0},
        ),
    )
    signed_in(client, analyst)
    assert client.get(f"/support/scenarios/{scenario.pk}/allocation.csv").status_code == 404
    assert client.get(f"/support/scenarios/{scenario.pk}/report.pdf").status_code == 404
    assert "has not been solved" in client.get(scenario.get_absolute_url()).content.decode()


# --- case studies ---------------------------------------------------------------------------


def test_a_draft_is_seen_only_in_its_organisation_and_by_analysts(
    client, draft, contributor, other_submitter, analyst, submitter
):
    url = draft.get_absolute_url()
    assert client.get(url).status_code == 404
    for user, status in (
        (other_submitter, 404),
        (contributor, 200),
        (submitter, 200),
        (analyst, 200),
    ):
        assert signed_in(client, user).get(url).status_code == status, user


def test_editing_a_case_study(client, draft, submitter, contributor, other_submitter):
    url = reverse("support:case-study-edit", args=[draft.slug])
    assert is_sign_in_redirect(client.get(url))
    assert signed_in(client, other_submitter).get(url).status_code == 404  # another organisation
    assert signed_in(client, contributor).get(url).status_code == 403  # not its submitter
    signed_in(client, submitter)
    assert client.get(url).status_code == 200
    form = {
        "title": "Renamed",
        "summary": "s",
        "what_we_did": "w",
        "care_setting": "acute",
        "domain_ids": ["sf.cyber"],
    }
    assert client.post(url, form).status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Renamed"
    assert list(draft.tags.values_list("domain_id", flat=True)) == ["sf.cyber"]
    assert client.post(url, form | {"domain_ids": []}).status_code == 400


def test_writing_a_new_case_study(client, editions, world, submitter, contributor):
    url = "/support/case-studies/new/"
    assert is_sign_in_redirect(client.get(url))
    assert signed_in(client, contributor).get(url).status_code == 403
    signed_in(client, submitter)
    form = {
        "title": "Shared care record at the front door",
        "summary": "s",
        "what_we_did": "w",
        "care_setting": "acute",
        "domain_ids": ["sf.shared_care_record"],
    }
    # Only the submitter's own organisations can be chosen.
    other = world.trusts["RA2"].pk
    assert client.post(url, form | {"organisation": other}).status_code == 400
    response = client.post(url, form | {"organisation": world.trusts["RA1"].pk})
    created = CaseStudy.objects.get()
    assert response["Location"] == created.get_absolute_url()
    assert created.organisation == world.trusts["RA1"] and created.created_by == submitter


def test_submit_review_and_withdraw_through_the_pages(
    client, draft, submitter, other_submitter, analyst
):
    slug = draft.slug
    assert (
        signed_in(client, other_submitter).post(f"/support/case-studies/{slug}/submit/").status_code
        == 404
    )
    assert (
        signed_in(client, submitter).post(f"/support/case-studies/{slug}/submit/").status_code
        == 302
    )
    review = f"/support/case-studies/{slug}/review/"
    assert client.get(review).status_code == 403  # the submitter cannot review
    assert client.get("/support/case-studies/review/").status_code == 403
    signed_in(client, analyst)
    assert slug in client.get("/support/case-studies/review/").content.decode()
    assert client.post(review, {"decision": "return", "note": ""}).status_code == 400
    assert client.post(review, {"decision": "publish", "note": ""}).status_code == 302
    draft.refresh_from_db()
    assert draft.status == CaseStudyStatus.PUBLISHED
    # Another organisation's submitter can read it now, but not withdraw it.
    signed_in(client, other_submitter)
    assert client.get(draft.get_absolute_url()).status_code == 200
    assert client.post(f"/support/case-studies/{slug}/withdraw/").status_code == 403
    signed_in(client, submitter)
    assert client.post(f"/support/case-studies/{slug}/withdraw/").status_code == 302
    draft.refresh_from_db()
    assert draft.status == CaseStudyStatus.DRAFT


def test_my_case_studies(client, draft, submitter, other_submitter):
    assert is_sign_in_redirect(client.get("/support/case-studies/mine/"))
    assert (
        draft.title
        in signed_in(client, submitter).get("/support/case-studies/mine/").content.decode()
    )
    other = signed_in(client, other_submitter).get("/support/case-studies/mine/").content.decode()
    assert draft.title not in other


# --- communities, partners and contact ----------------------------------------------------------


def test_joining_and_leaving_communities(client, world, submitter, contributor, other_submitter):
    join = "/support/communities/safe_practice/join/"
    alpha = {"organisation": world.trusts["RA1"].pk}
    assert is_sign_in_redirect(client.post(join, alpha))
    assert signed_in(client, contributor).post(join, alpha).status_code == 403
    assert signed_in(client, other_submitter).post(join, alpha).status_code == 403
    assert signed_in(client, other_submitter).post(join, {"organisation": "x"}).status_code == 403
    signed_in(client, submitter)
    assert client.get("/support/communities/safe_practice/join/").status_code == 405
    assert client.post(join, alpha).status_code == 302
    body = client.get("/support/communities/safe_practice/").content.decode()
    assert "Leave the community for Alpha Hospitals NHS Trust" in body
    assert client.post("/support/communities/safe_practice/leave/", alpha).status_code == 302
    assert not CommunityMembership.objects.filter(left_at__isnull=True).exists()


def test_learning_partners_are_shown_to_the_organisation_its_icb_and_analysts(
    client, world, contributor, other_submitter, system_lead, analyst
):
    url = "/support/organisations/RA1/"
    assert is_sign_in_redirect(client.get(url))
    assert signed_in(client, other_submitter).get(url).status_code == 403
    for user in (contributor, system_lead, analyst):
        assert signed_in(client, user).get(url).status_code == 200
    # Golf (RA7) is in NHS Three ICB: not this system lead's.
    assert signed_in(client, system_lead).get("/support/organisations/RA7/").status_code == 403
    assert signed_in(client, analyst).get("/support/organisations/NOPE/").status_code == 404


def test_agreeing_to_be_contacted(client, world, submitter, contributor):
    url = "/support/organisations/RA1/contact/"
    assert signed_in(client, contributor).get(url).status_code == 403
    assert client.post("/support/organisations/RA1/contact/withdraw/").status_code == 403
    signed_in(client, submitter)
    assert client.post(url, {"contact_name": "A", "contact_email": "not-email"}).status_code == 400
    assert client.post(url, {"contact_name": "A", "contact_email": "a@a.org"}).status_code == 302
    assert ContactOptIn.objects.get(withdrawn_at__isnull=True).contact_email == "a@a.org"
    assert "a@a.org" in client.get("/support/organisations/RA1/").content.decode()
    assert client.post("/support/organisations/RA1/contact/withdraw/").status_code == 302
    assert not ContactOptIn.objects.filter(withdrawn_at__isnull=True).exists()


def test_every_button_form_carries_the_csrf_token(client, draft, submitter, analyst, scenario):
    import re

    pages = [
        (submitter, draft.get_absolute_url()),
        (submitter, "/support/communities/well_led/"),
        (analyst, scenario.get_absolute_url()),
    ]
    for user, url in pages:
        body = signed_in(client, user).get(url).content.decode()
        forms = re.findall(r'<form method="post".*?</form>', body, flags=re.S)
        assert forms, url
        assert all('name="csrfmiddlewaretoken"' in form for form in forms), url
