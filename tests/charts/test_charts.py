"""The SVG charts: accessible images, no inline styles, legible text, and drawn as specified."""

from __future__ import annotations

import ast
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from maturity.charts import (
    Bar,
    BarChart,
    DecileChart,
    DistributionStrip,
    DotChart,
    DotSeries,
    FunnelLine,
    FunnelPlot,
    FunnelPoint,
    StripRow,
    bar_chart,
    decile_chart,
    distribution_strip,
    dot_chart,
    funnel_plot,
)
from maturity.charts.svg import BLUE, DECILE_DASH, MEDIAN_DASH

SVG = "{http://www.w3.org/2000/svg}"
DECILES = {c: 1 + c / 40 for c in range(10, 100, 10)}


def decile_spec(**changes):
    spec = {
        "chart_id": "chart-test",
        "title": "Scores <& peers>",
        "description": "What it shows",
        "categories": ["Well led", "Ensure smart foundations", "Overall"],
        "organisation": [2.5, 3.1, 2.8],
        "deciles": [DECILES, DECILES, DECILES],
    }
    spec.update(changes)
    return DecileChart(**spec)


def all_charts() -> list[str]:
    return [
        decile_chart(decile_spec()),
        bar_chart(
            BarChart(
                "chart-bars",
                "Bars",
                "Desc",
                [Bar("A", 2.0), Bar("B", None, note="not shown")],
                x_label="Score",
                reference=2.5,
                reference_label="England",
            )
        ),
        dot_chart(
            DotChart(
                "chart-dots",
                "Dots",
                "Desc",
                ["A", "B"],
                [DotSeries("2024", [2.0, None], shape="ring"), DotSeries("2025", [2.5, 3.0])],
                x_label="Score",
                connect=True,
            )
        ),
        funnel_plot(
            FunnelPlot(
                "chart-funnel",
                "Funnel",
                "Desc",
                [
                    FunnelPoint("Inside", 5, 0.4, "within"),
                    FunnelPoint("High", 8, 0.9, "above_95"),
                    FunnelPoint("Low", 10, 0.0, "below_998"),
                ],
                [FunnelLine(n, 0.1, 0.7, 0.05, 0.8) for n in range(1, 11)],
                target=0.4,
            )
        ),
        distribution_strip(
            DistributionStrip(
                "chart-strip",
                "Strip",
                "Desc",
                [
                    StripRow(
                        "Acute", [1.5, 2.0, 2.0, 3.5], highlight=[2.2], median=2.0, band=(1.6, 3.2)
                    ),
                    StripRow("Empty", [], note="fewer than 5"),
                ],
                x_label="Score",
                x_min=1,
                x_max=5,
            )
        ),
    ]


@pytest.mark.parametrize("markup", all_charts(), ids=["decile", "bar", "dot", "funnel", "strip"])
def test_every_chart_is_an_accessible_image_without_inline_styles(markup):
    root = ET.fromstring(markup)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    chart_id = root.get("id")
    assert root.get("aria-labelledby") == f"{chart_id}-title {chart_id}-desc"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title.get("id") == f"{chart_id}-title" and title.text
    assert desc.get("id") == f"{chart_id}-desc" and desc.text
    for element in root.iter():
        assert "style" not in element.attrib, element.tag
        assert element.tag not in (f"{SVG}style", f"{SVG}script", f"{SVG}foreignObject")
    assert not re.search(r"\sstyle=", markup) and "<script" not in markup
    sizes = [float(e.get("font-size")) for e in root.iter() if e.get("font-size")]
    assert sizes and min(sizes) >= 14  # legible at full width (720 units = 720 px)


def test_text_is_escaped():
    markup = decile_chart(decile_spec(title="Scores <& peers>"))
    assert "Scores &lt;&amp; peers&gt;" in markup
    assert ET.fromstring(markup).find(f"{SVG}title").text == "Scores <& peers>"


def _paths(markup):
    return [e for e in ET.fromstring(markup).iter(f"{SVG}path")]


def test_decile_chart_draws_as_openprescribing_does():
    paths = _paths(decile_chart(decile_spec()))
    solid = [p for p in paths if p.get("stroke") == BLUE]
    assert len(solid) == 1 and solid[0].get("stroke-dasharray") is None  # the organisation: solid
    deciles = [p for p in paths if p.get("stroke-dasharray") == DECILE_DASH]
    medians = [p for p in paths if p.get("stroke-dasharray") == MEDIAN_DASH]
    assert len(deciles) == 8  # 10th … 90th but the 50th
    assert len(medians) == 1  # the median, long-dashed and heavier
    assert float(medians[0].get("stroke-width")) > float(deciles[0].get("stroke-width"))


def test_a_missing_value_breaks_the_organisations_line():
    markup = decile_chart(
        decile_spec(
            categories=["A", "B", "C", "D"],
            organisation=[2.0, None, 3.0, 3.5],
            deciles=[DECILES] * 4,
        )
    )
    solid = [p for p in _paths(markup) if p.get("stroke") == BLUE]
    assert len(solid) == 2  # A alone (drawn as a short tick) and C-D
    circles = [c for c in ET.fromstring(markup).iter(f"{SVG}circle") if c.get("fill") == BLUE]
    assert len(circles) == 3


def test_decile_chart_needs_one_value_per_category():
    with pytest.raises(ValueError):
        decile_chart(decile_spec(organisation=[1.0]))
    with pytest.raises(ValueError):
        decile_chart(decile_spec(chart_id="1 bad id"))


def test_bar_chart_says_why_a_bar_is_missing():
    markup = all_charts()[1]
    assert "not shown" in markup
    assert len([r for r in ET.fromstring(markup).iter(f"{SVG}rect")]) == 1


def test_funnel_plot_names_the_units_outside_the_limits_only():
    markup = all_charts()[3]
    texts = [t.text for t in ET.fromstring(markup).iter(f"{SVG}text") if t.text]
    assert "High" in texts and "Low" in texts and "Inside" not in texts


def test_strip_picks_out_highlighted_values_and_explains_empty_rows():
    markup = all_charts()[4]
    root = ET.fromstring(markup)
    large = [c for c in root.iter(f"{SVG}circle") if c.get("r") == "7"]
    assert len(large) == 1
    assert "fewer than 5" in markup


def test_dot_chart_rows_need_a_value_per_series():
    with pytest.raises(ValueError):
        DotChart("chart-x", "T", "D", ["A"], [DotSeries("s", [1.0, 2.0])], x_label="x")


def test_the_charts_package_has_no_django_imports():
    package = Path(__file__).resolve().parents[2] / "maturity" / "charts"
    for path in package.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(n.split(".")[0] in ("django", "maturity") for n in names), (
                path.name,
                names,
            )
