"""Decile charts, drawn as OpenPrescribing draws them.

The organisation's values are a solid line with markers; the peer group's 10th to 90th centiles
are thin dashed lines and the median a thicker long-dashed line, one point per category (a pillar,
or a year). A category without a value breaks the line there rather than joining across it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .svg import (
    BLUE,
    DECILE,
    DECILE_DASH,
    MEDIAN,
    MEDIAN_DASH,
    SMALL_FONT_SIZE,
    LinearScale,
    element,
    format_value,
    legend,
    multiline_text,
    num,
    path_data,
    polyline_segments,
    svg_frame,
    text_content,
    ticks,
    value_axis,
    wrap_label,
)

WIDTH = 720
LEFT, RIGHT, TOP = 70, 24, 20
PLOT_HEIGHT = 280
LABEL_LINES, LINE_HEIGHT = 2, 17
EDGE = 44  # room between the plot's edges and the first and last category

DECILE_CENTILES = (10, 20, 30, 40, 60, 70, 80, 90)


@dataclass(frozen=True)
class DecileChart:
    chart_id: str
    title: str
    description: str
    categories: Sequence[str]
    organisation: Sequence[float | None]
    deciles: Sequence[Mapping[int, float] | None]
    organisation_label: str = "This organisation"
    peer_label: str = "peer group"
    y_min: float = 1.0
    y_max: float = 5.0
    y_label: str = "Score (1 to 5)"
    decimals: int = 1

    def __post_init__(self) -> None:
        if not self.categories:
            raise ValueError("a decile chart needs at least one category")
        if len(self.organisation) != len(self.categories) or len(self.deciles) != len(
            self.categories
        ):
            raise ValueError("organisation values and deciles need one entry per category")


def _x_positions(count: int, left: float, right: float) -> list[float]:
    if count == 1:
        return [(left + right) / 2]
    step = (right - left - 2 * EDGE) / (count - 1)
    return [left + EDGE + i * step for i in range(count)]


def _series(
    xs: Sequence[float], values: Sequence[float | None], scale: LinearScale, **stroke: object
) -> str:
    points = [
        None if value is None else (x, scale(value)) for x, value in zip(xs, values, strict=True)
    ]
    parts = []
    for run in polyline_segments(points):
        if len(run) == 1:
            (x, y) = run[0]
            run = [(x - 22, y), (x + 22, y)]
        parts.append(element("path", d=path_data(run), fill="none", **stroke))
    return "".join(parts)


def decile_chart(spec: DecileChart) -> str:
    """The SVG markup of a decile chart."""
    plot_left, plot_right = LEFT, WIDTH - RIGHT
    plot_top, plot_bottom = TOP, TOP + PLOT_HEIGHT
    scale = LinearScale(spec.y_min, spec.y_max, plot_bottom, plot_top)
    xs = _x_positions(len(spec.categories), plot_left, plot_right)
    parts = [
        value_axis(
            scale,
            ticks(spec.y_min, spec.y_max, 4),
            left=plot_left,
            right=plot_right,
            label=spec.y_label,
            decimals=spec.decimals,
        )
    ]

    # Category labels under the plot, wrapped to the space each category has.
    per_category = (plot_right - plot_left) / max(len(spec.categories), 1)
    chars = max(6, int(per_category / 8))
    for x, label in zip(xs, spec.categories, strict=True):
        lines = wrap_label(label, chars)[:LABEL_LINES]
        parts.append(
            multiline_text(
                lines,
                x=x,
                y=plot_bottom + 22,
                line_height=LINE_HEIGHT,
                text_anchor="middle",
                font_size=SMALL_FONT_SIZE,
            )
        )

    for centile in DECILE_CENTILES:
        values = [d.get(centile) if d else None for d in spec.deciles]
        parts.append(
            _series(
                xs,
                values,
                scale,
                stroke=DECILE,
                stroke_width="1.5",
                stroke_dasharray=DECILE_DASH,
            )
        )
    medians = [d.get(50) if d else None for d in spec.deciles]
    parts.append(
        _series(xs, medians, scale, stroke=MEDIAN, stroke_width="2.5", stroke_dasharray=MEDIAN_DASH)
    )
    parts.append(_series(xs, spec.organisation, scale, stroke=BLUE, stroke_width="3"))
    for x, value in zip(xs, spec.organisation, strict=True):
        if value is None:
            continue
        y = scale(value)
        parts.append(
            element(
                "circle",
                cx=num(x),
                cy=num(y),
                r="5.5",
                fill=BLUE,
                stroke="#ffffff",
                stroke_width="1.5",
            )
        )
        label_y = y - 12 if y - 12 > plot_top + 6 else y + 24
        parts.append(
            element(
                "text",
                text_content(format_value(value, spec.decimals)),
                x=num(x + 9),
                y=num(label_y),
                font_size=SMALL_FONT_SIZE,
                font_weight="bold",
                fill=BLUE,
                stroke="#ffffff",
                stroke_width="4",
                paint_order="stroke",
            )
        )

    legend_top = plot_bottom + 22 + LABEL_LINES * LINE_HEIGHT + 8
    legend_markup, legend_height = legend(
        [
            (spec.organisation_label, {"stroke": BLUE, "stroke_width": "3"}),
            (
                f"Deciles of the {spec.peer_label}",
                {"stroke": DECILE, "stroke_width": "1.5", "stroke_dasharray": DECILE_DASH},
            ),
            (
                f"Median of the {spec.peer_label}",
                {"stroke": MEDIAN, "stroke_width": "2.5", "stroke_dasharray": MEDIAN_DASH},
            ),
        ],
        x=plot_left,
        y=legend_top,
        width=plot_right - plot_left,
    )
    parts.append(legend_markup)
    height = legend_top + legend_height + 8
    return svg_frame(
        chart_id=spec.chart_id,
        title=spec.title,
        description=spec.description,
        width=WIDTH,
        height=height,
        body="".join(parts),
    )
