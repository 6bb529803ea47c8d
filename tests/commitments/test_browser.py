"""The commitments pages in a real browser: zero axe violations, no CSP violations, no JS needed."""

from __future__ import annotations

import pytest

from maturity.commitments import services
from maturity.commitments.models import EvaluationRound
from maturity.commitments.seeding import seed_commitments

from .conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded(db):
    seed_commitments()
    services.derive_observations()


def sign_in(visitor, username: str) -> None:
    visitor.visit("/accounts/sign-in/")
    visitor.page.fill("#id_username", username)
    visitor.page.fill("#id_password", PASSWORD)
    visitor.page.click("button:has-text('Sign in')")


def test_public_pages_accessible(visitor, seeded):
    visitor.visit("/commitments/")
    assert visitor.page.locator("h1").inner_text() == "Government digital commitments"
    for slug in (
        "epr-in-all-trusts",
        "remote-monitoring-500000",
        "nhs-app-75-percent",
        "long-term-conditions-at-home",
    ):
        visitor.visit(f"/commitments/{slug}/")
    # One chart per metric with values: the EPR extract and the entered 2025 figure.
    visitor.visit("/commitments/epr-in-all-trusts/")
    assert visitor.page.locator("figure svg[role=img]").count() == 1
    visitor.visit("/commitments/summary/")
    main = EvaluationRound.objects.get(held_on="2023-02-17")
    visitor.visit(f"/commitments/summary/?round={main.pk}")
    assert visitor.page.locator("tbody tr").count() == 9 + 4  # rows and area headings
    visitor.visit("/commitments/no-such/", status=404)


def test_pages_work_without_javascript(visitor_no_js, seeded):
    visitor_no_js.visit("/commitments/")
    visitor_no_js.visit("/commitments/epr-in-all-trusts/")
    assert visitor_no_js.page.locator("figure svg[role=img]").count() == 1
    # The rule is in a <details> element: it opens without JavaScript.
    visitor_no_js.page.click("text=How the suggestion is worked out")
    assert visitor_no_js.page.locator("text=Outstanding if at least 95%").is_visible()
    visitor_no_js.visit("/commitments/summary/")


def test_analyst_journey_accessible(visitor, seeded, analyst, tmp_path):
    sign_in(visitor, "analyst")
    for path in (
        "/commitments/new/",
        "/commitments/epr-in-all-trusts/edit/",
        "/commitments/epr-in-all-trusts/deadlines/new/",
        "/commitments/epr-in-all-trusts/metrics/new/",
        "/commitments/epr-in-all-trusts/metrics/trusts-with-epr/edit/",
        "/commitments/rounds/new/",
    ):
        visitor.visit(path)
    visitor.visit("/commitments/epr-in-all-trusts/metrics/trusts-with-epr/observations/new/")
    visitor.page.fill("#id_observed_on", "2026-13-01")
    visitor.page.fill("#id_value", "abc")
    visitor.page.click("button:has-text('Save')")
    visitor.check()
    assert "There is a problem" in visitor.page.content()
    visitor.page.fill("#id_observed_on", "2026-01-31")
    visitor.page.fill("#id_value", "95")
    visitor.page.fill("#id_source", "Test source")
    visitor.page.click("button:has-text('Save')")
    visitor.check()
    assert "The observation has been added." in visitor.page.content()

    bad = tmp_path / "bad.csv"
    bad.write_text("commitment,metric,date,value,source\nnope,x,2024-01-01,abc,S\n")
    visitor.visit("/commitments/import/")
    visitor.page.set_input_files("input[type=file][name=file]", str(bad))
    visitor.page.click("button:has-text('Import')")
    visitor.check()
    assert visitor.page.locator("#problems tbody tr").count() == 2


def test_panel_journey_accessible(visitor, seeded, analyst, panel_member):
    open_round = services.round_create(
        by=analyst, name="2026 evaluation", held_on="2026-06-01", panel="Panel"
    )
    sign_in(visitor, "panellist")
    url = f"/commitments/epr-in-all-trusts/rounds/{open_round.pk}/evaluate/"
    visitor.visit(url)
    # Disagree with the suggestion (Requires improvement) without a reason: an error.
    visitor.page.check("#id_met_or_on_track")  # Outstanding
    visitor.page.fill("#id_met_or_on_track_rationale", "Nearly there.")
    visitor.page.click("button:has-text('Save ratings')")
    visitor.check()
    assert "give the reason for overriding it" in visitor.page.content()
    visitor.page.fill("#id_override_reason", "The last trusts go live this winter.")
    visitor.page.click("button:has-text('Save ratings')")
    visitor.check()
    assert "Your ratings have been saved." in visitor.page.content()
    # The 403 page is the project's (no handler403 yet), so only its status is checked here.
    response = visitor.page.goto(visitor.base_url + "/commitments/new/")
    assert response.status == 403
