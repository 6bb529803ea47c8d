"""Funnel plots: each unit's proportion against its number of cases, with control limits.

The target proportion is a solid line; the 95% limits are dashed and the 99.8% limits dotted.
Units outside the 95% limits are drawn with a different shape as well as a different colour (so
the chart does not rely on colour alone) and are named on the chart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .svg import (
    BLUE,
    GREEN,
    LIMIT_95_DASH,
    LIMIT_998_DASH,
    MEDIAN,
    RED,
    SMALL_FONT_SIZE,
    LinearScale,
    element,
    legend,
    num,
    path_data,
    svg_frame,
    text_content,
    ticks,
    value_axis,
)

WIDTH = 720
LEFT, RIGHT, TOP = 70, 24, 20
PLOT_HEIGHT = 300

ABOVE = {"above_95", "above_998"}
BELOW = {"below_95", "below_998"}


@dataclass(frozen=True)
class FunnelPoint:
    label: str
    n: int
    proportion: float
    position: str
    highlight: bool = False


@dataclass(frozen=True)
class FunnelLine:
    n: int
    lower95: float
    upper95: float
    lower998: float
    upper998: float


@dataclass(frozen=True)
class FunnelPlot:
    chart_id: str
    title: str
    description: str
    points: Sequence[FunnelPoint]
    curve: Sequence[FunnelLine]
    target: float
    x_label: str = "Number of organisations"
    y_label: str = "Proportion (%)"


def _marker(point: FunnelPoint, x: float, y: float) -> str:
    if point.position in ABOVE:
        d = f"M{num(x)} {num(y - 8)} L{num(x + 7)} {num(y + 5)} L{num(x - 7)} {num(y + 5)} Z"
        return element("path", d=d, fill=GREEN, stroke="#ffffff", stroke_width="1")
    if point.position in BELOW:
        d = f"M{num(x)} {num(y + 8)} L{num(x + 7)} {num(y - 5)} L{num(x - 7)} {num(y - 5)} Z"
        return element("path", d=d, fill=RED, stroke="#ffffff", stroke_width="1")
    return element(
        "circle",
        cx=num(x),
        cy=num(y),
        r="6" if point.highlight else "5",
        fill=BLUE,
        fill_opacity="0.85",
        stroke="#212b32" if point.highlight else "#ffffff",
        stroke_width="2" if point.highlight else "1",
    )


def funnel_plot(spec: FunnelPlot) -> str:
    """The SVG markup of a funnel plot (proportions shown as percentages)."""
    plot_left, plot_right = LEFT, WIDTH - RIGHT
    plot_top, plot_bottom = TOP, TOP + PLOT_HEIGHT
    max_n = max([p.n for p in spec.points] + [line.n for line in spec.curve] + [1])
    x_ticks = ticks(0, max_n, 5)
    x_high = max(x_ticks[-1], max_n)
    x_scale = LinearScale(0, x_high, plot_left, plot_right)
    y_scale = LinearScale(0, 100, plot_bottom, plot_top)
    parts = [
        value_axis(
            y_scale,
            ticks(0, 100, 5),
            left=plot_left,
            right=plot_right,
            label=spec.y_label,
            decimals=0,
            suffix="%",
        )
    ]
    for value in x_ticks:
        x = x_scale(value)
        parts.append(
            element(
                "text",
                text_content(f"{value:g}"),
                x=num(x),
                y=num(plot_bottom + 20),
                text_anchor="middle",
                font_size=SMALL_FONT_SIZE,
            )
        )
    parts.append(
        element(
            "text",
            text_content(spec.x_label),
            x=num((plot_left + plot_right) / 2),
            y=num(plot_bottom + 42),
            text_anchor="middle",
            font_size=SMALL_FONT_SIZE,
        )
    )
    curve = sorted(spec.curve, key=lambda line: line.n)
    for attribute, dash, width in (
        ("lower95", LIMIT_95_DASH, "1.5"),
        ("upper95", LIMIT_95_DASH, "1.5"),
        ("lower998", LIMIT_998_DASH, "1.5"),
        ("upper998", LIMIT_998_DASH, "1.5"),
    ):
        run = [(x_scale(line.n), y_scale(100 * getattr(line, attribute))) for line in curve]
        if len(run) >= 2:
            parts.append(
                element(
                    "path",
                    d=path_data(run),
                    fill="none",
                    stroke=MEDIAN,
                    stroke_width=width,
                    stroke_dasharray=dash,
                )
            )
    target_y = y_scale(100 * spec.target)
    parts.append(
        element(
            "line",
            x1=num(plot_left),
            y1=num(target_y),
            x2=num(plot_right),
            y2=num(target_y),
            stroke=MEDIAN,
            stroke_width="2",
        )
    )
    for point in sorted(spec.points, key=lambda p: p.highlight):
        x, y = x_scale(point.n), y_scale(100 * point.proportion)
        parts.append(_marker(point, x, y))
        if point.position in ABOVE | BELOW or point.highlight:
            anchor = "end" if x > (plot_left + plot_right) / 2 else "start"
            parts.append(
                element(
                    "text",
                    text_content(point.label),
                    x=num(x - 10 if anchor == "end" else x + 10),
                    y=num(y + 5),
                    text_anchor=anchor,
                    font_size=SMALL_FONT_SIZE,
                )
            )
    legend_top = plot_bottom + 54
    markup, used = legend(
        [
            ("Overall proportion", {"stroke": MEDIAN, "stroke_width": "2"}),
            (
                "95% limits",
                {"stroke": MEDIAN, "stroke_width": "1.5", "stroke_dasharray": LIMIT_95_DASH},
            ),
            (
                "99.8% limits",
                {"stroke": MEDIAN, "stroke_width": "1.5", "stroke_dasharray": LIMIT_998_DASH},
            ),
            ("Within the limits", {"kind": "dot", "fill": BLUE, "stroke": "#ffffff"}),
            ("Above the 95% limit (triangle up)", {"kind": "dot", "fill": GREEN, "stroke": GREEN}),
            ("Below the 95% limit (triangle down)", {"kind": "dot", "fill": RED, "stroke": RED}),
        ],
        x=plot_left,
        y=legend_top,
        width=plot_right - plot_left,
    )
    parts.append(markup)
    return svg_frame(
        chart_id=spec.chart_id,
        title=spec.title,
        description=spec.description,
        width=WIDTH,
        height=legend_top + used + 8,
        body="".join(parts),
    )
