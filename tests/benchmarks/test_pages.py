"""Dashboards, the national view and the lenses: happy paths, labels, 404s, CSV downloads, sorting
and the number of queries each page takes."""

from __future__ import annotations

import csv
import html
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from maturity.benchmarks import definitions as d

from .world import MERGED, NEW_ICB

pytestmark = pytest.mark.django_db

PUBLISHED = "?source=published&year=2025"


def body(response) -> str:
    return response.content.decode()


def text(response) -> str:
    """The page's visible words, without tags (for sentences that span markup)."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body(response))))


def an_acute_trust(world) -> str:
    return sorted(code for code, setting in world.rows_2025 if setting == "acute")[0]


@pytest.mark.parametrize(
    "path",
    [
        "/national/",
        "/national/?source=published&year=2024",
        *[f"/national/lenses/{lens.slug}/" for lens in d.LENSES],
        "/dashboards/regions/Y56/",
        f"/dashboards/icbs/{NEW_ICB[0]}/",
        f"/dashboards/icbs/{MERGED[0]}/",
        f"/dashboards/organisations/{MERGED[0]}/",
        "/methods/",
        "/releases/",
    ],
)
def test_public_pages_render_without_signing_in(world, client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert body(response).count("<h1") == 1


def test_organisation_dashboard_shows_published_figures_with_their_source(world, client):
    code = an_acute_trust(world)
    response = client.get(f"/dashboards/organisations/{code}/")
    page = body(response)
    assert response.status_code == 200
    assert (
        "Published results" in page
        and "NHS England, Digital Maturity Assessment data file v2" in page
    )
    assert "Demonstration data" not in page
    # The decile chart: an image labelled by its title and description, with the table beside it.
    assert 'id="chart-pillars"' in page and 'role="img"' in page
    assert 'aria-labelledby="chart-pillars-title chart-pillars-desc"' in page
    assert 'id="table-pillars"' in page
    overall = world.rows_2025[(code, "acute")]["overall"]
    assert f"scored {round(overall + 1e-12, 1):.1f} overall" in text(response)
    assert "Strengths and gaps by domain" in page
    assert "not the level of each domain" in page  # published data have no domain levels


def test_organisation_dashboard_shows_change_since_2024(world, client):
    code = an_acute_trust(world)
    page = text(client.get(f"/dashboards/organisations/{code}/"))
    before, after = world.rows_2024[(code, "acute")], world.rows_2025[(code, "acute")]["overall"]
    assert (
        f"went from {round(before + 1e-12, 1):.1f} in 2024 to {round(after + 1e-12, 1):.1f} in 2025"
        in page
    )


def test_demonstration_data_are_labelled_and_give_strengths_and_gaps(demo_world, client):
    code = an_acute_trust(demo_world)
    response = client.get(f"/dashboards/organisations/{code}/?source=demonstration&year=2025")
    page = body(response)
    assert response.status_code == 200
    assert "Demonstration data — generated, not a real submission" in page
    assert 'id="table-domains"' in page
    assert "Median level in the care setting" in page


def test_published_view_links_to_domain_results_in_the_demonstration_returns(demo_world, client):
    code = an_acute_trust(demo_world)
    page = body(client.get(f"/dashboards/organisations/{code}/"))
    assert "See strengths and gaps by domain in the Demonstration returns" in page
    assert "source=demonstration&amp;year=2025" in page


def test_unknown_organisation_area_or_lens_is_404(world, client):
    assert client.get("/dashboards/organisations/NOPE1/").status_code == 404
    assert client.get("/dashboards/icbs/Y56/").status_code == 404  # a region is not an ICB
    assert client.get(f"/dashboards/regions/{MERGED[0]}/").status_code == 404
    assert client.get("/national/lenses/astrology/").status_code == 404


def test_an_organisation_without_results_gets_a_clear_empty_state(world, client):
    response = client.get("/dashboards/organisations/E92000001/")
    assert response.status_code == 200
    assert "There are no results for England in any data set." in body(response)


def test_merged_icb_dashboard_groups_providers_by_todays_boundaries(world, client):
    response = client.get(f"/dashboards/icbs/{NEW_ICB[0]}/{PUBLISHED}")
    page = text(response)
    members = [code for code, icb in world.trust_icb.items() if icb in MERGED]
    assert "today's boundaries" in page
    assert "was formed on 1 April 2026 from" in page
    for code in members:
        assert world.trusts[code].name in page
    assert "Validation flags" in page and "NHS England validated its published results" in page
    assert "100% return" in page  # published results: completion as NHS England reports it


def test_area_dashboards_count_validation_flags_from_the_snapshot(demo_world, client):
    from maturity.assessments.models import Cycle
    from maturity.benchmarks.models import AreaSummary
    from maturity.benchmarks.services import build_all_snapshots
    from maturity.reviews.models import FlagStatus, ValidationFlag
    from maturity.reviews.services import flags_raise

    from .world import TODAY

    cycle = Cycle.objects.get(is_demonstration=True, year=2025)
    demo = "?source=demonstration&year=2025"
    quiet = text(client.get(f"/dashboards/regions/Y56/{demo}"))
    assert "No validation flags have been raised" in quiet
    flags_raise(by=None, cycle=cycle)
    raised = list(ValidationFlag.objects.filter(cycle=cycle).select_related("return_obj"))
    assert raised, "the demonstration returns should raise some flags"
    # Pages read snapshots only: nothing changes until the snapshot is rebuilt.
    assert "No validation flags have been raised" in text(
        client.get(f"/dashboards/regions/Y56/{demo}")
    )
    build_all_snapshots(today=TODAY)
    summary = AreaSummary.objects.get(
        build__source="demonstration", level="region", geography="current", area__ods_code="Y56"
    )
    expected: dict[str, int] = {}
    for flag in raised:
        expected[flag.kind] = expected.get(flag.kind, 0) + 1
    assert {kind: sum(s.values()) for kind, s in summary.flags.items()} == expected, [
        (f.return_obj.organisation.ods_code, f.return_obj.organisation.kind) for f in raised
    ]
    assert all(set(s) == {FlagStatus.OPEN} for s in summary.flags.values())
    response = client.get(f"/dashboards/regions/Y56/{demo}")
    page = text(response)
    total = len(raised)
    assert f"{total} validation flag{'s' if total != 1 else ''}" in page
    assert raised[0].label in page
    download = client.get(f"/dashboards/regions/Y56/{demo}&format=csv&table=flags")
    rows = list(csv.DictReader(io.StringIO(download.content.decode())))
    assert sum(int(r["All flags"]) for r in rows) == total
    assert sum(int(r["Open"]) for r in rows) == total


def test_closed_icb_dashboard_uses_its_boundaries_when_collected(world, client):
    page = text(client.get(f"/dashboards/icbs/{MERGED[0]}/{PUBLISHED}"))
    assert "the boundaries when the data were collected" in page
    assert f"merged into {NEW_ICB[1]}" in page


def test_members_table_is_alphabetical_by_default_and_sortable_by_query_string(world, client):
    def names(response):
        table = body(response).split('id="table-members"')[1].split("</table>")[0]
        return re.findall(
            r'<th scope="row" class="nhsuk-table__header"><a href="[^"]+">([^<]+)</a>', table
        )

    default = names(client.get(f"/dashboards/regions/Y56/{PUBLISHED}"))
    assert default == sorted(default)
    by_score = client.get(
        f"/dashboards/regions/Y56/{PUBLISHED}&measure=overall&sort=score&order=desc"
    )
    assert 'aria-sort="descending"' in body(by_score)
    sorted_names = names(by_score)
    scores = {
        world.trusts[c].name: world.rows_2025[(c, s)]["overall"]
        for (c, s) in world.rows_2025
        if c in world.trusts
    }
    assert sorted_names != default
    assert scores[sorted_names[0]] == max(scores.values())


def test_every_table_downloads_as_csv_with_unrounded_figures(world, client):
    code = an_acute_trust(world)
    pages = [
        ("/national/", ["distribution", "medians", "national-change"]),
        (f"/dashboards/organisations/{code}/", ["pillars", "percentiles", "change"]),
        (
            "/dashboards/regions/Y56/",
            ["members", "methods", "sensitivity", "area-change", "funnel-region"],
        ),
        ("/national/lenses/variation/", ["spread", "sensitivity", "funnel-icb"]),
    ]
    for path, tables in pages:
        page = body(client.get(path))
        for table in tables:
            assert f"format=csv&amp;table={table}" in page, (path, table)
            response = client.get(f"{path}{PUBLISHED}&format=csv&table={table}")
            assert response.status_code == 200, (path, table)
            assert response["Content-Type"].startswith("text/csv")
            rows = list(csv.reader(io.StringIO(response.content.decode())))
            assert len(rows) >= 2, (path, table)
    pillars = client.get(f"/dashboards/organisations/{code}/{PUBLISHED}&format=csv&table=pillars")
    rows = list(csv.DictReader(io.StringIO(pillars.content.decode())))
    overall = next(r for r in rows if r["Pillar"] == "Overall score")
    assert float(overall["Score"]) == world.rows_2025[(code, "acute")]["overall"]  # unrounded
    assert client.get(f"/national/{PUBLISHED}&format=csv&table=nope").status_code == 404


def test_small_groups_are_not_shown(world, client):
    # London has one ambulance trust: its care setting group has fewer than 5 organisations.
    page = body(client.get("/national/?source=published&year=2025&measure=overall"))
    assert "not shown: fewer than 5 organisations" in page


def test_invalid_filters_fall_back_with_a_message(world, client):
    response = client.get("/national/?source=published&year=1999&measure=astrology")
    assert response.status_code == 200
    page = body(response)
    assert "Some filters were changed" in page
    assert "There is no year “1999” here" in page


def test_lenses_have_measures_charts_a_sentence_and_tables(demo_world, client):
    for lens in d.LENSES:
        response = client.get(f"/national/lenses/{lens.slug}/?source=demonstration&year=2025")
        page = body(response)
        assert response.status_code == 200
        assert "<h2>What this shows</h2>" in page
        if lens.slug == "social-care":
            assert (
                "no cycle on this platform has yet collected returns from adult social care"
                in text(response)
            )
            continue
        assert page.count('role="img"') >= 1, lens.slug
        assert page.count("<caption") >= 1, lens.slug


def test_interoperability_lens_in_published_data_points_to_the_returns(demo_world, client):
    page = body(client.get(f"/national/lenses/interoperability/{PUBLISHED}"))
    assert "This measure comes from the answers in returns" in page


def _queries(client, path):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_pages_take_a_fixed_number_of_queries(world, client):
    code = an_acute_trust(world)
    limits = {
        f"/dashboards/organisations/{code}/": 12,
        "/dashboards/regions/Y56/": 14,
        f"/dashboards/icbs/{NEW_ICB[0]}/": 14,
        "/national/": 8,
        "/national/lenses/variation/": 10,
    }
    for path, limit in limits.items():
        assert _queries(client, path) <= limit, path


def test_area_pages_do_not_query_per_organisation(world, client):
    # The region has every London provider; an old ICB a handful. Same number of queries.
    assert _queries(client, "/dashboards/regions/Y56/") == _queries(
        client, f"/dashboards/icbs/{MERGED[0]}/"
    )
