"""The organisation pages in a real browser: no axe-core violations, no CSP violations, and the
search and date forms work without JavaScript."""

# The browser fixtures are the browser suite's own (tests/browser/conftest.py), imported here;
# test arguments of the same names are those fixtures, not redefinitions.
# ruff: noqa: F811

import pytest

from maturity.organisations.services import import_reference_data
from tests.browser.conftest import browser, visitor, visitor_no_js  # noqa: F401 (fixtures)

from .conftest import MINI_REFERENCE

pytestmark = pytest.mark.browser


@pytest.fixture
def registry_for_browser(transactional_db):
    import_reference_data(reference_dir=MINI_REFERENCE)


@pytest.mark.parametrize(
    "path",
    [
        "/organisations/",
        "/organisations/?q=frimley",
        "/organisations/?q=a&kind=castle",
        "/organisations/QNQ/",
        "/organisations/RC9/?on=2025-06-01",
        "/organisations/E82002/",
        "/organisations/620/",
        "/organisations/1-19666812212/",
    ],
)
def test_pages_have_no_accessibility_violations(registry_for_browser, visitor, path):
    visitor.visit(path)


def test_bad_date_and_unknown_code_pages_are_accessible(registry_for_browser, visitor):
    visitor.visit("/organisations/RC9/?on=2025-13-01", status=400)
    visitor.visit("/organisations/NOPE1/", status=404)


def test_search_and_date_forms_work_without_javascript(registry_for_browser, visitor_no_js):
    page = visitor_no_js.page
    visitor_no_js.visit("/organisations/")
    page.fill("#q", "bedfordshire hospitals")
    page.select_option("#kind", "trust")
    page.click("button[type=submit]")
    assert "q=bedfordshire+hospitals" in page.url
    page.click("text=BEDFORDSHIRE HOSPITALS NHS FOUNDATION TRUST")
    assert page.url.endswith("/organisations/RC9/")
    page.fill("#on", "2025-06-01")
    page.click("button:has-text('Show')")
    assert "on=2025-06-01" in page.url
    assert "NHS Bedfordshire, Luton and Milton Keynes Integrated Care Board" in page.inner_text(
        "main"
    )
