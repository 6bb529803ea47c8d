"""The import page in a real browser: axe-core finds nothing, with or without JavaScript, before
and after a refused file and a good one."""

from __future__ import annotations

import pytest
from django.test import Client

from maturity.assessments.models import Answer
from tests.assessments.interop.conftest import make_return
from tests.browser.conftest import browser, visitor, visitor_no_js  # noqa: F401

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.assessments.interop.urls"),
    pytest.mark.browser,
]


def _sign_in(page_visitor, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    page_visitor.page.context.add_cookies(
        [{"name": "sessionid", "value": cookie.value, "url": page_visitor.base_url}]
    )


@pytest.mark.parametrize("javascript", [True, False])
def test_import_journey(request, javascript, cycle, orgs, people, wgll, tmp_path):
    tab = request.getfixturevalue("visitor" if javascript else "visitor_no_js")
    return_ = make_return(cycle, orgs["RD1"], "primary_care")
    _sign_in(tab, people["contributor"])
    path = f"/returns/{return_.pk}/import/"
    tab.visit(path)
    assert tab.page.locator("h1").inner_text() == "Import answers"

    criteria = [c.id for c in wgll.domains_for("primary_care")[0].criteria]
    bad = tmp_path / "bad.csv"
    bad.write_text(f"item_id,value\n{criteria[0]},maybe\nctx.nope,1\n", encoding="utf-8")
    tab.page.set_input_files("input[type=file][name=answers_file]", str(bad))
    with tab.page.expect_navigation():
        tab.page.click("button:has-text('Check and import')")
    tab.check()
    summary = tab.page.locator(".nhsuk-error-summary").inner_text()
    assert "the file has 2 problems" in summary
    assert "line 2, column value: 'maybe' is not one of met, not_met, na" in summary
    assert not Answer.objects.filter(return_obj=return_).exists()

    good = tmp_path / "good.csv"
    good.write_text(f"\ufeffitem_id,value\n{criteria[0]},met\n", encoding="utf-8")
    tab.page.set_input_files("input[type=file][name=answers_file]", str(good))
    with tab.page.expect_navigation():
        tab.page.click("button:has-text('Check and import')")
    tab.check()
    assert "Import complete: 1 answer saved from the CSV file." in tab.page.content()
    assert Answer.objects.get(return_obj=return_, item_id=criteria[0]).value == "met"
