"""Trajectory charts (pure: no database): accessible, no inline styles, drawn as specified."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from maturity.charts import TrajectoryChart, TrajectoryPoint, format_number, trajectory_chart
from maturity.charts.trajectory import date_ticks, nice_step, value_range

SVG = "{http://www.w3.org/2000/svg}"
D = dt.date


def spec(**kw) -> TrajectoryChart:
    args = {
        "chart_id": "chart-epr",
        "title": "Trusts with an EPR (%)",
        "description": "Rose from 86% to 93%.",
        "unit": "%",
        "points": [
            TrajectoryPoint(D(2022, 6, 29), 86.0, "baseline"),
            TrajectoryPoint(D(2024, 10, 1), 90.4),
            TrajectoryPoint(D(2025, 6, 30), 93.0),
            TrajectoryPoint(D(2025, 12, 31), 88.0, "demonstration"),
        ],
        "target": 100.0,
        "deadline": D(2026, 3, 31),
        "earlier_deadlines": [D(2025, 3, 31)],
        "fit": ((D(2022, 6, 29), 86.0), (D(2026, 3, 31), 94.3)),
        "interval": (D(2026, 3, 31), 91.3, 97.2),
        "interval_label": "80% interval at the deadline",
        "minimum": 0.0,
        "maximum": 100.0,
    } | kw
    return TrajectoryChart(**args)


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def test_chart_is_well_formed_accessible_svg():
    root = parse(trajectory_chart(spec()))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("id") == "chart-epr"
    assert root.get("aria-labelledby") == "chart-epr-title chart-epr-desc"
    assert root.find(f"{SVG}title").text == "Trusts with an EPR (%)"
    assert root.find(f"{SVG}desc").text == "Rose from 86% to 93%."


def test_chart_has_no_style_attributes_or_elements():
    root = parse(trajectory_chart(spec()))
    assert all("style" not in el.attrib for el in root.iter())
    assert not list(root.iter(f"{SVG}style"))
    assert not list(root.iter(f"{SVG}script"))


def test_chart_draws_each_part_with_its_legend():
    root = parse(trajectory_chart(spec()))
    labels = texts(root)
    for label in (
        "Observation",
        "Baseline",
        "Demonstration data",
        "Trend",
        "80% interval at the deadline",
        "Target",
        "Deadline",
        "Earlier deadline",
    ):
        assert label in labels
    assert "Target 100%" in labels  # the target is named on the chart, not by colour alone
    assert "100%" in labels and "2024" in labels
    circles = list(root.iter(f"{SVG}circle"))
    # Two observations and one demonstration point, plus their two legend marks.
    assert len(circles) == 3 + 2
    assert len(list(root.iter(f"{SVG}rect"))) == 1 + 1  # the baseline and its legend mark


def test_chart_escapes_text():
    svg = trajectory_chart(spec(title='<script>"x"</script> & co', description="a < b"))
    root = parse(svg)
    assert root.find(f"{SVG}title").text == '<script>"x"</script> & co'
    assert "<script>" not in svg


def test_chart_refuses_a_bad_id_or_point_kind():
    with pytest.raises(ValueError, match="chart id"):
        trajectory_chart(spec(chart_id="1 bad"))
    with pytest.raises(ValueError, match="kind"):
        TrajectoryPoint(D(2024, 1, 1), 1.0, "guess")


def test_chart_without_points_says_so():
    root = parse(
        trajectory_chart(
            spec(
                points=[], target=None, deadline=None, earlier_deadlines=[], fit=None, interval=None
            )
        )
    )
    assert texts(root) == ["No observations yet"]
    assert root.get("role") == "img"


def test_chart_with_a_single_point_and_no_target():
    root = parse(
        trajectory_chart(
            spec(
                points=[TrajectoryPoint(D(2024, 1, 31), 5.0)],
                unit="beds",
                target=None,
                deadline=None,
                earlier_deadlines=[],
                fit=None,
                interval=None,
                maximum=None,
            )
        )
    )
    labels = texts(root)
    assert "Target" not in labels and "Observation" in labels
    assert "beds" in labels  # a unit other than % titles the value axis


def test_points_are_placed_in_order_left_to_right_and_higher_values_higher():
    root = parse(trajectory_chart(spec(fit=None, interval=None)))
    obs = [c for c in root.iter(f"{SVG}circle") if c.get("fill") == "#005eb8" and c.get("cy")]
    (x1, y1), (x2, y2) = [(float(c.get("cx")), float(c.get("cy"))) for c in obs[:2]]
    assert x1 < x2 and y1 > y2  # 90.4 then 93: later and higher (smaller y)


def test_the_interval_spans_its_values():
    root = parse(trajectory_chart(spec()))
    group = next(g for g in root.iter(f"{SVG}g") if g.get("stroke") == "#330072")
    bar = next(iter(group.iter(f"{SVG}line")))
    assert float(bar.get("y1")) > float(bar.get("y2"))  # lower value further down


@pytest.mark.parametrize(
    ("span", "step"), [(14, 5), (100, 20), (10, 2), (1, 0.2), (500_000, 100_000), (0, 1)]
)
def test_nice_step(span, step):
    assert nice_step(span) == pytest.approx(step)


def test_value_range_starts_at_zero_only_when_zero_is_close():
    assert value_range([86, 93, 100], 0, 100) == (85, 100, 5)
    low, high, _ = value_range([3, 100], 0, 100)
    assert (low, high) == (0, 100)
    low, high, _ = value_range([10.0], None, None)
    assert low < 10 < high


def test_value_range_never_goes_past_the_bounds():
    low, high, _ = value_range([0.0, 99.0], 0, 100)
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
