"""The small SVG chart helper (pure: no database)."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from maturity.commitments.charts import (
    ChartPoint,
    ChartSpec,
    date_ticks,
    format_number,
    nice_step,
    render,
    y_range,
)

SVG = "{http://www.w3.org/2000/svg}"
D = dt.date


def spec(**kw) -> ChartSpec:
    args = {
        "title": "Trusts with an EPR (%)",
        "description": "Rose from 86% to 93%.",
        "unit": "%",
        "points": [
            ChartPoint(D(2022, 6, 29), 86.0, "baseline"),
            ChartPoint(D(2024, 10, 1), 90.4),
            ChartPoint(D(2025, 6, 30), 93.0),
            ChartPoint(D(2025, 12, 31), 88.0, "demonstration"),
        ],
        "target": 100.0,
        "deadline": D(2026, 3, 31),
        "earlier_deadlines": [D(2025, 3, 31)],
        "fit": ((D(2022, 6, 29), 86.0), (D(2026, 3, 31), 94.3)),
        "interval": (D(2026, 3, 31), 91.3, 97.2),
        "minimum": 0.0,
        "maximum": 100.0,
    } | kw
    return ChartSpec(**args)


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_chart_is_well_formed_accessible_svg():
    root = parse(render(spec(), element_id="chart-epr"))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "chart-epr-title chart-epr-desc"
    assert root.find(f"{SVG}title").text == "Trusts with an EPR (%)"
    assert root.find(f"{SVG}desc").text == "Rose from 86% to 93%."


def test_chart_has_no_style_attributes_or_elements():
    svg = render(spec(), element_id="c")
    root = parse(svg)
    assert all("style" not in el.attrib for el in root.iter())
    assert not list(root.iter(f"{SVG}style"))
    assert not list(root.iter(f"{SVG}script"))


def test_chart_draws_each_part_with_its_legend():
    root = parse(render(spec(), element_id="c"))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    for label in (
        "Observation",
        "Baseline",
        "Demonstration data",
        "Trend",
        "Interval at deadline",
        "Target",
        "Deadline",
        "Earlier deadline",
    ):
        assert label in texts
    assert "100%" in texts and "2024" in texts
    circles = list(root.iter(f"{SVG}circle"))
    # Two observations and one demonstration point, plus their legend marks.
    assert len(circles) == 3 + 2
    assert len(list(root.iter(f"{SVG}rect"))) == 1 + 1  # the baseline and its legend mark


def test_chart_escapes_text():
    svg = render(spec(title='<script>"x"</script> & co', description="a < b"), element_id="c")
    root = parse(svg)
    assert root.find(f"{SVG}title").text == '<script>"x"</script> & co'
    assert "<script>" not in svg


def test_chart_without_points_says_so():
    root = parse(
        render(
            spec(
                points=[], target=None, deadline=None, earlier_deadlines=[], fit=None, interval=None
            ),
            element_id="c",
        )
    )
    assert [t.text for t in root.iter(f"{SVG}text")] == ["No observations yet"]


def test_chart_with_a_single_point_and_no_target():
    root = parse(
        render(
            spec(
                points=[ChartPoint(D(2024, 1, 31), 5.0)],
                target=None,
                deadline=None,
                earlier_deadlines=[],
                fit=None,
                interval=None,
                maximum=None,
            ),
            element_id="c",
        )
    )
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Target" not in texts and "Observation" in texts


def test_points_are_placed_in_order_left_to_right_and_higher_values_higher():
    root = parse(render(spec(fit=None, interval=None), element_id="c"))
    obs = [c for c in root.iter(f"{SVG}circle") if c.get("r") == "5"][:2]
    (x1, y1), (x2, y2) = [(float(c.get("cx")), float(c.get("cy"))) for c in obs]
    assert x1 < x2 and y1 > y2  # 90.4 then 93: later and higher (smaller y)


@pytest.mark.parametrize(
    ("span", "step"), [(14, 5), (100, 20), (10, 2), (1, 0.2), (500_000, 100_000), (0, 1)]
)
def test_nice_step(span, step):
    assert nice_step(span) == pytest.approx(step)


def test_y_range_starts_at_zero_only_when_zero_is_close():
    assert y_range([86, 93, 100], 0, 100) == (85, 100, 5)
    low, high, _ = y_range([3, 100], 0, 100)
    assert (low, high) == (0, 100)
    low, high, _ = y_range([10.0], None, None)
    assert low < 10 < high


def test_y_range_never_goes_past_the_bounds():
    low, high, _ = y_range([0.0, 99.0], 0, 100)
    assert low == 0 and high == 100


def test_date_ticks_years_or_quarters():
    assert [label for _, label in date_ticks(D(2022, 6, 1), D(2026, 4, 1))] == [
        "2023",
        "2024",
        "2025",
        "2026",
    ]
    quarters = [label for _, label in date_ticks(D(2023, 6, 1), D(2024, 3, 1))]
    assert quarters == ["Jul 2023", "Oct 2023", "Jan 2024"]


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (90.43, "%", "90.4%"),
        (93.0, "%", "93%"),
        (500000, "people", "500,000 people"),
        (10500, "FTE posts", "10,500 FTE posts"),
        (-0.01, "", "0"),
        (2.25, "beds", "2.2 beds"),
    ],
)
def test_format_number(value, unit, text):
    assert format_number(value, unit) == text
