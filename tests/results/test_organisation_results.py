"""The results selector and the organisation page partial."""

from __future__ import annotations

import re

import pytest
from django.template.loader import render_to_string

from maturity.results.selectors import (
    DEMONSTRATION_NOTE,
    ResultRow,
    published_pillar_targets,
    results_for_organisation,
)

from .small_world import BATH_2025, publish

pytestmark = pytest.mark.django_db


def test_results_newest_year_first_published_before_demonstration(small_world):
    rows = results_for_organisation(small_world.bath)
    assert [(r.year, r.care_setting, r.source) for r in rows] == [
        (2025, "acute", "published"),
        (2025, "acute", "demonstration"),
        (2024, "acute", "published"),
    ]
    published, demonstration, _ = rows
    assert published.pillars == BATH_2025
    assert [f.pillar for f in published.pillar_figures] == list(BATH_2025)
    assert published.pillar_figures[4].label == "Empower people (citizens)"
    assert not published.is_demonstration and demonstration.is_demonstration
    assert demonstration.edition_id == "wgll-2025"
    assert demonstration.overall_basis.startswith("domains comparable with the previous edition")


def test_a_newer_publication_version_replaces_the_older_one(small_world):
    from maturity.results.models import PublishedResult

    old = PublishedResult.objects.get(organisation=small_world.bath, year=2024)
    old.pk = None
    old.publication_version = "v3"
    old.overall = 2.4
    old.published_on = old.published_on.replace(month=6)
    old.save()
    rows = results_for_organisation(small_world.bath)
    assert [(r.year, r.source, r.overall) for r in rows if r.year == 2024] == [
        (2024, "published", 2.4)
    ]


def test_published_targets_list_rows_with_pillars(small_world):
    targets = published_pillar_targets(year=2025)
    assert [(t.organisation.ods_code, t.care_setting) for t in targets] == [
        ("QOX", "icb"),
        ("QOX", "primary_care"),
        ("RD1", "acute"),
    ]
    assert published_pillar_targets(year=2024) == []  # 2024 rows have an overall score only


def _render(results: list[ResultRow]) -> str:
    return render_to_string("results/_organisation_results.jinja", {"results": results})


def test_partial_shows_published_and_demonstration_tables(small_world):
    html = _render(results_for_organisation(small_world.bath))
    assert html.count("<table") == html.count("<caption") == 3
    captions = [
        " ".join(c.split()) for c in re.findall(r"<caption[^>]*>(.*?)</caption>", html, re.S)
    ]
    assert captions == [
        "Acute, 2025: scores as published by NHS England",
        "Acute, 2025: demonstration scores (generated)",
        "Acute, 2024: scores as published by NHS England",
    ]
    # 2.2999999999999998 as published, shown to one decimal place.
    assert re.search(r"Empower people \(citizens\)</th>\s*<td[^>]*>2\.3</td>", html)
    assert "2.2999999999999998" not in html
    assert re.search(r"Overall \(comparable domains 2024–2025\)</th>\s*<td[^>]*>2\.4</td>", html)
    assert (
        "Source: NHS England, Digital Maturity Assessment data file v2, 30 March 2026. "
        "Figures as published"
    ) in html
    assert (
        html.count(f'<strong class="nhsuk-tag nhsuk-tag--orange">{DEMONSTRATION_NOTE}</strong>')
        == 1
    )
    assert re.findall(r"<h(\d)", html) == ["2", "3", "3"]  # section, then 2025 and 2024
    assert "style=" not in html and "<script" not in html and "<style" not in html


def test_partial_heading_level_can_be_set(small_world):
    html = render_to_string(
        "results/_organisation_results.jinja",
        {"results": results_for_organisation(small_world.bath), "results_heading_level": 3},
    )
    assert re.findall(r"<h(\d)", html) == ["3", "4", "4"]


def test_partial_without_results(db):
    html = _render([])
    assert "There are no published or demonstration results for this organisation." in html
    assert "<table" not in html


def test_partial_leaves_out_missing_pillars(small_world):
    html = _render(results_for_organisation(small_world.bsw))
    primary = html.split("Primary care, 2025: scores as published by NHS England")[1]
    primary = primary.split("</table>")[0]
    assert "Safe practice" not in primary and "Healthy populations" not in primary
    assert "Overall" not in primary  # NHS England published no overall primary care score


def test_publish_helper_rounds_nothing(small_world):
    publish(small_world.bath, 2023, "acute", {"well_led": 1.25}, None)
    (row,) = [r for r in results_for_organisation(small_world.bath) if r.year == 2023]
    assert row.pillars == {"well_led": 1.25}
    assert "1.3" in _render([row])  # half up, not to even
