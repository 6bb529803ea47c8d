"""Every public page renders in a real browser with zero axe violations and no CSP violations."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_home_page_accessible(visitor):
    visitor.visit("/")
    assert visitor.page.locator("h1").inner_text() == "Digital Maturity Observatory"


def test_about_page_accessible(visitor):
    visitor.visit("/about/")
    assert "Open Government Licence" in visitor.page.content()


def test_sign_in_page_accessible(visitor):
    visitor.visit("/accounts/sign-in/")


def test_sign_in_with_wrong_password_shows_error_summary(visitor):
    visitor.visit("/accounts/sign-in/")
    visitor.page.fill("#id_username", "nobody")
    visitor.page.fill("#id_password", "wrong-password-123")
    visitor.page.click("button:has-text('Sign in')")
    visitor.check()
    assert "There is a problem" in visitor.page.content()


def test_not_found_page_accessible(visitor):
    visitor.visit("/no-such-page/", status=404)


def test_pages_work_without_javascript(visitor_no_js):
    visitor_no_js.visit("/")
    visitor_no_js.visit("/about/")
