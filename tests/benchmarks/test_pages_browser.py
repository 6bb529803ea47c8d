"""Every benchmark page in a real browser: no axe-core violations, no CSP violations, and the
filters work without JavaScript."""

# Test arguments named like the imported browser fixtures are those fixtures.
# ruff: noqa: F811

from __future__ import annotations

import pytest
from django.test import Client

from maturity.benchmarks import definitions as d

from .world import MERGED, NEW_ICB, TODAY, build_world

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_world(transactional_db):
    from maturity.assessments.services import generate_demonstration_returns
    from maturity.benchmarks.services import build_all_snapshots, publish_release
    from maturity.frameworks.services import sync_editions

    world = build_world()
    sync_editions()
    generate_demonstration_returns()
    build_all_snapshots(today=TODAY)
    publish_release(
        by=None, source="published", year=2025, stage="final", note="First release", today=TODAY
    )
    publish_release(by=None, source="demonstration", year=2025, stage="provisional", today=TODAY)
    return world


def sign_in_as_analyst(visitor, live_server) -> None:
    from maturity.accounts.models import Membership, Role, User

    user = User.objects.create_user("analyst", password="a-long-test-password-1")
    Membership.objects.create(user=user, organisation_id=_england(), role=Role.NATIONAL_ANALYST)
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    visitor.page.context.add_cookies(
        [{"name": "sessionid", "value": cookie.value, "url": live_server.url}]
    )


def _england() -> int:
    from maturity.organisations.models import Organisation

    return Organisation.objects.get(ods_code="E92000001").pk


def test_every_benchmark_page_is_accessible(browser_world, visitor, live_server):
    acute = sorted(code for code, setting in browser_world.rows_2025 if setting == "acute")[0]
    demo = "?source=demonstration&year=2025"
    paths = [
        "/national/",
        f"/national/{demo}",
        "/national/?source=published&year=2024",
        *[f"/national/lenses/{lens.slug}/" for lens in d.LENSES],
        *[f"/national/lenses/{lens.slug}/{demo}" for lens in d.LENSES],
        f"/dashboards/organisations/{acute}/",
        f"/dashboards/organisations/{acute}/{demo}",
        f"/dashboards/organisations/{MERGED[0]}/",
        f"/dashboards/organisations/{NEW_ICB[0]}/",
        f"/dashboards/icbs/{NEW_ICB[0]}/",
        f"/dashboards/icbs/{MERGED[0]}/{demo}",
        "/dashboards/regions/Y56/?source=published&year=2025&measure=overall&sort=score&order=desc",
        "/national/?source=published&year=1999",  # a message about the filters
        "/methods/",
        "/releases/",
        "/releases/published-2025/v1/",
        "/releases/published-2025/v1/methods/",
    ]
    for path in paths:
        visitor.visit(path)
    visitor.visit("/dashboards/organisations/NOPE1/", status=404)
    visitor.visit("/releases/demonstration-2025/v1/", status=404)  # provisional: not public
    sign_in_as_analyst(visitor, live_server)
    visitor.visit("/releases/demonstration-2025/v1/")  # an analyst sees the provisional release
    visitor.visit("/releases/publish/")
    visitor.page.click("button:has-text('Publish')")  # nothing chosen: the error summary
    assert "There is a problem" in visitor.page.inner_text("main")
    visitor.check()


def test_filters_and_links_work_without_javascript(browser_world, visitor_no_js):
    page = visitor_no_js.page
    visitor_no_js.visit("/dashboards/regions/Y56/")
    page.select_option("#filter-dataset", "demonstration-2025")
    page.select_option("#filter-measure", "support_people")
    page.click("button:has-text('Show')")
    assert "dataset=demonstration-2025" in page.url and "measure=support_people" in page.url
    assert "Demonstration data — generated, not a real submission" in page.inner_text("main")
    page.click("#permalink")
    assert "source=demonstration" in page.url and "year=2025" in page.url
    assert "measure=support_people" in page.url
    page.click("#table-members thead >> text=Support people (workforce)")
    assert "sort=score" in page.url
