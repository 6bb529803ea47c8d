"""Filters live in the query string: every view can be linked, and a link shows the same view."""

from __future__ import annotations

import html
import itertools
import re
from urllib.parse import parse_qsl, urlsplit

import pytest

from maturity.benchmarks import definitions as d
from maturity.benchmarks.filters import Choices, Filters, parse

from .world import MERGED, NEW_ICB

CHOICES = Choices(
    sources=("published", "demonstration"),
    years={"published": (2025, 2024), "demonstration": (2025,)},
    settings=("acute", "community"),
)


def test_every_combination_of_filters_round_trips_through_its_query_string():
    fields = (
        "source",
        "year",
        "setting",
        "measure",
        "group",
        "geography",
        "method",
        "threshold",
        "sort",
        "order",
    )
    count = 0
    for (
        source,
        year,
        setting,
        measure,
        group,
        geography,
        method,
        threshold,
        sort,
        order,
    ) in itertools.product(
        ("published", "demonstration"),
        (2025, 2024),
        ("", "acute"),
        ("overall", "well_led"),
        d.GROUP_KINDS,
        d.GEOGRAPHIES,
        tuple(d.METHOD_LABELS),
        d.FUNNEL_THRESHOLDS,
        ("name", "score"),
        ("asc", "desc"),
    ):
        if source == "demonstration" and year == 2024:
            continue
        filters = Filters(
            source,
            year,
            setting,
            measure,
            group,
            geography,
            method,
            threshold,
            sort,
            order,
            fields=fields,
        )
        query = dict(parse_qsl(filters.query()[1:], keep_blank_values=True))
        parsed = parse(query, defaults=Filters(year=2025, fields=fields), choices=CHOICES)
        assert parsed.problems == []
        assert parsed.filters == filters
        assert parsed.filters.query() == filters.query()
        count += 1
    assert count > 4000


def test_the_filter_form_names_a_data_set_that_becomes_source_and_year():
    parsed = parse({"dataset": "demonstration-2025"}, defaults=Filters(year=2024), choices=CHOICES)
    assert (parsed.filters.source, parsed.filters.year) == ("demonstration", 2025)
    assert parsed.problems == []


def test_a_source_without_that_year_takes_its_latest_year():
    parsed = parse({"source": "demonstration"}, defaults=Filters(year=2024), choices=CHOICES)
    assert parsed.filters.year == 2025


def test_unknown_values_fall_back_with_a_message():
    parsed = parse(
        {"measure": "horoscope", "threshold": "many"}, defaults=Filters(year=2025), choices=CHOICES
    )
    assert parsed.filters.measure == "overall"
    assert parsed.filters.threshold == 3.0
    assert len(parsed.problems) == 2


def permalink(response) -> str:
    match = re.search(r'<a id="permalink" href="([^"]+)"', response.content.decode())
    assert match, "the page has no link to this view"
    return html.unescape(match.group(1))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/national/?source=published&year=2024&measure=overall",
        "/national/?dataset=published-2025&measure=well_led",
        "/national/lenses/variation/?source=published&year=2025&geography=collection&method=population_weighted&sort=score&order=desc",
        "/national/lenses/workforce/?source=published&year=2025",
        "/dashboards/regions/Y56/?source=published&year=2025&measure=improve_care&sort=score&order=asc",
        f"/dashboards/icbs/{NEW_ICB[0]}/?source=published&year=2024",
        f"/dashboards/organisations/{MERGED[0]}/?source=published&year=2025&setting=primary_care&group=setting",
    ],
)
def test_links_to_a_view_round_trip(world, client, path):
    first = client.get(path)
    assert first.status_code == 200
    link = permalink(first)
    assert urlsplit(link).path == urlsplit(path).path
    requested = dict(parse_qsl(urlsplit(path).query))
    linked = dict(parse_qsl(urlsplit(link).query, keep_blank_values=True))
    for key, value in requested.items():
        if key != "dataset":
            assert linked[key] == value, key
    second = client.get(link)
    assert second.status_code == 200
    assert permalink(second) == link
    # The same view: the same figures in the same tables.
    tables = re.findall(r"<table.*?</table>", first.content.decode(), flags=re.S)
    assert tables == re.findall(r"<table.*?</table>", second.content.decode(), flags=re.S)


@pytest.mark.django_db
def test_sort_links_keep_the_other_filters(world, client):
    response = client.get("/dashboards/regions/Y56/?source=published&year=2024&measure=overall")
    links = [
        html.unescape(h)
        for h in re.findall(r'href="([^"]*sort=score[^"]*)"', response.content.decode())
    ]
    assert links
    for link in links:
        query = dict(parse_qsl(urlsplit(link).query))
        assert (query["source"], query["year"], query["measure"]) == (
            "published",
            "2024",
            "overall",
        )
