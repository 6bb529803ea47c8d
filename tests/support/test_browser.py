"""The support pages in a real browser: zero axe violations, no CSP violations, no JS needed."""

from __future__ import annotations

import pytest

from maturity.support.models import CaseStudy, CaseStudyStatus, FundingProgramme, Scenario

from .conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(visitor, username: str) -> None:
    visitor.visit("/accounts/sign-in/")
    visitor.page.fill("#id_username", username)
    visitor.page.fill("#id_password", PASSWORD)
    visitor.page.click("button:has-text('Sign in')")


def test_public_pages_accessible(visitor, published):
    for path in (
        "/support/",
        "/support/needs/",
        "/support/needs/england/",
        "/support/needs/Q01/",
        "/support/case-studies/",
        "/support/case-studies/?q=ward&pillar=smart_foundations",
        published.get_absolute_url(),
        "/support/communities/",
        "/support/communities/smart_foundations/",
    ):
        visitor.visit(path)
    visitor.visit("/support/needs/Q02/")
    assert visitor.page.locator("h1").inner_text() == "NHS Two ICB"
    assert visitor.page.locator("#peers ~ table tbody tr").count() == 1


def test_analyst_plans_funding_in_the_browser(visitor, analyst, scenario):
    sign_in(visitor, "analyst")
    page = visitor.page
    visitor.visit("/support/programmes/")
    visitor.visit("/support/programmes/new/")
    page.fill("#id_name", "Browser pot")
    page.fill("#id_pot_gbp", "4000000")
    page.fill("#id_deadline", "2026-03-31")
    page.fill("#id_target_date", "2026-03-31")
    page.fill("#id_target_percent", "70")
    page.check("#id_care_settings")  # acute
    page.click("button:has-text('Save')")
    visitor.check()
    programme = FundingProgramme.objects.get(name="Browser pot")
    assert page.url.endswith(programme.get_absolute_url())
    visitor.visit(f"/support/programmes/{programme.pk}/scenarios/new/")
    page.fill("#id_name", "Browser scenario")
    page.fill("#id_cost_smart_foundations", "1000000")
    page.fill("#id_cost_safe_practice", "500000")
    page.click("button:has-text('Save')")
    visitor.check()
    created = Scenario.objects.get(name="Browser scenario")
    assert page.url.endswith(created.get_absolute_url())
    assert "more organisation" in page.locator(".nhsuk-card").inner_text()
    # A form with errors is accessible too.
    visitor.visit(f"/support/scenarios/{created.pk}/edit/")
    page.fill("#id_budget_gbp", "lots")
    page.click("button:has-text('Save')")
    visitor.check()
    assert page.locator(".nhsuk-error-summary").is_visible()
    programme_pk = scenario.programme.pk
    for path in (
        f"/support/programmes/{programme_pk}/",
        scenario.get_absolute_url(),
        f"/support/programmes/{programme_pk}/compare/",
        f"/support/programmes/{programme_pk}/awards/new/",
        f"/support/programmes/{programme_pk}/investment/",
        "/support/case-studies/review/",
        "/support/organisations/RA4/",
    ):
        visitor.visit(path)


def test_submitter_writes_a_case_study_and_analyst_publishes_it(
    visitor, editions, submitter, analyst
):
    sign_in(visitor, "submitter")
    page = visitor.page
    visitor.visit("/support/case-studies/new/")
    page.fill("#id_title", "Virtual ward in a month")
    page.fill("#id_summary", "How we stood up remote monitoring.")
    page.fill("#id_what_we_did", "We started small.")
    page.check("input[name=domain_ids][value='ic.remote_monitoring']")
    page.click("button:has-text('Save')")
    visitor.check()
    case_study = CaseStudy.objects.get()
    page.click("button:has-text('Send for review')")
    visitor.check()
    case_study.refresh_from_db()
    assert case_study.status == CaseStudyStatus.SUBMITTED
    visitor.visit("/support/case-studies/mine/")
    visitor.visit("/support/organisations/RA1/")
    visitor.visit("/support/organisations/RA1/contact/")
    visitor.visit("/support/communities/improve_care/")
    page.click("button:has-text('Join the community for Alpha Hospitals NHS Trust')")
    visitor.check()
    page.click("text=Sign out")
    sign_in(visitor, "analyst")
    visitor.visit(f"/support/case-studies/{case_study.slug}/review/")
    page.check("input[name=decision][value=publish]")
    page.click("button:has-text('Save your decision')")
    visitor.check()
    case_study.refresh_from_db()
    assert case_study.status == CaseStudyStatus.PUBLISHED


def test_pages_work_without_javascript(visitor_no_js, analyst, scenario, published):
    visitor_no_js.visit("/support/case-studies/?pillar=support_people")
    assert visitor_no_js.page.locator(f"text={published.title}").count() == 1
    sign_in(visitor_no_js, "analyst")
    visitor_no_js.visit(scenario.get_absolute_url())
    visitor_no_js.page.click("button:has-text('Solve again')")
    assert visitor_no_js.page.locator("text=Solved.").count() == 1
