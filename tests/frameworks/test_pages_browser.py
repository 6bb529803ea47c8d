"""The framework pages in a real browser: zero axe-core violations, no CSP violations, and the
care-setting filter and edition comparison work without JavaScript."""

from __future__ import annotations

import pytest

from maturity.frameworks import selectors
from maturity.frameworks.services import sync_editions
from tests.browser.conftest import browser, visitor, visitor_no_js  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def loaded():
    selectors._cache.clear()
    sync_editions()


@pytest.mark.parametrize(
    "path",
    [
        "/frameworks/",
        "/frameworks/wgll-2025/",
        "/frameworks/wgll-2025/?care_setting=adult_social_care",
        "/frameworks/wgll-2025/?care_setting=nowhere",
        "/frameworks/wgll-2025/domains/sf.epr/",
        "/frameworks/wgll-2024/domains/ic.paper_free/",
        "/frameworks/wgll-2025/questions/",
        "/frameworks/diff/",
        "/frameworks/diff/?from=wgll-2025&to=wgll-2026-draft",
        "/frameworks/infrastructure-stages-demo/",
        "/frameworks/national-phase-demo/",
        "/frameworks/asc-quality-demo/",
        "/frameworks/dmi-2016-style/",
    ],
)
def test_framework_pages_are_accessible(visitor, loaded, path):  # noqa: F811
    visitor.visit(path)


def test_filter_and_compare_without_javascript(visitor_no_js, loaded):  # noqa: F811
    page = visitor_no_js.page
    visitor_no_js.visit("/frameworks/wgll-2025/")
    page.select_option("#care_setting", "primary_care")
    page.click("button:has-text('Show domains')")
    assert "care_setting=primary_care" in page.url
    assert "9 domains apply to the care setting Primary care." in page.content()
    visitor_no_js.visit("/frameworks/diff/")
    page.select_option("#from", "wgll-2025")
    page.select_option("#to", "wgll-2026-draft")
    page.click("button:has-text('Compare')")
    assert "Safe and effective use of AI" in page.content()
