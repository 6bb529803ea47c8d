"""The account pages in a real browser: zero axe violations, no CSP violations, usable without
JavaScript, and signing out from the header works."""

from __future__ import annotations

import pytest

from maturity.accounts.services import api_token_create

from .conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(visitor, username: str, password: str = PASSWORD) -> None:
    visitor.visit("/accounts/sign-in/")
    visitor.page.fill("#id_username", username)
    visitor.page.fill("#id_password", password)
    visitor.page.click("button:has-text('Sign in')")
    visitor.check()


def test_submitter_journey_is_accessible(visitor, submitter, nobody):
    api_token_create(by=submitter, user=submitter, name="Old token")
    sign_in(visitor, "submitter")
    visitor.visit("/accounts/")
    visitor.visit("/accounts/api-tokens/")
    visitor.page.fill("#id_name", "Nightly upload")
    visitor.page.click("button:has-text('Create token')")
    visitor.check()
    assert visitor.page.locator("#new-token").inner_text().startswith("dmo_")

    visitor.visit("/accounts/people/")
    visitor.visit("/accounts/people/RD1/")
    visitor.page.click("button:has-text('Give role')")  # empty: errors shown
    visitor.check()
    assert "There is a problem" in visitor.page.content()
    visitor.page.fill("#id_person", "nobody")
    visitor.page.select_option("#id_role", "contributor")
    visitor.page.click("button:has-text('Give role')")
    visitor.check()
    assert "nobody is now contributor" in visitor.page.content()

    visitor.page.click("header button:has-text('Sign out')")
    visitor.check()
    assert "You have signed out." in visitor.page.content()
    assert visitor.page.locator("header").get_by_text("Sign in").count() == 1


def test_analyst_people_page_and_locked_sign_in_are_accessible(visitor, analyst, contributor):
    sign_in(visitor, "analyst")
    visitor.visit("/accounts/people/")
    visitor.page.fill("#id_ods_code", "nope")
    visitor.page.click("button:has-text('Find organisation')")
    visitor.check()
    visitor.visit("/accounts/people/E92000001/")
    visitor.page.click("header button:has-text('Sign out')")
    for _ in range(6):
        sign_in(visitor, "contributor", "wrong-password-123")
    assert "You can try again at" in visitor.page.content()


def test_sign_in_and_out_work_without_javascript(visitor_no_js, contributor):
    sign_in(visitor_no_js, "contributor")
    visitor_no_js.visit("/accounts/")
    visitor_no_js.page.click("header button:has-text('Sign out')")
    assert "You have signed out." in visitor_no_js.page.content()


def test_the_admin_runs_under_the_content_security_policy(visitor, analyst, contributor):
    """The admin is Django's (not NHS.UK-styled, not held to axe here), but it must work under
    the same strict CSP as the rest of the service: no inline script or style is refused."""
    sign_in(visitor, "analyst")
    for path in (
        "/admin/",
        "/admin/accounts/user/",
        f"/admin/accounts/user/{contributor.pk}/change/",
        "/admin/accounts/user/add/",
        "/admin/accounts/membership/",
        "/admin/accounts/membership/add/",
        "/admin/accounts/apitoken/",
        "/admin/accounts/loginattempt/",
    ):
        response = visitor.page.goto(visitor.base_url + path)
        assert response is not None and response.status == 200, path
        visitor.page.wait_for_load_state("networkidle")
        assert visitor.csp_violations == [], (path, visitor.csp_violations)
