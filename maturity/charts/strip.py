"""Distribution strips: every organisation's value as a dot, one row per group.

Each row may show the group's 10th to 90th centile band (shaded) and its median (a long-dashed
tick), and may pick out some values (an ICB's own organisations, say) as larger, outlined dots.
Dots that would overlap are spread over three lanes in a fixed order, so the chart is the same
every time it is drawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .svg import (
    BLUE,
    DARK_BLUE,
    GREY,
    MEDIAN,
    MEDIAN_DASH,
    PALE_BLUE,
    SMALL_FONT_SIZE,
    LinearScale,
    element,
    legend,
    multiline_text,
    num,
    padded_range,
    svg_frame,
    text_content,
    ticks,
    wrap_label,
)

WIDTH = 720
LABEL_WIDTH = 200
PLOT_LEFT = LABEL_WIDTH + 16
PLOT_RIGHT = WIDTH - 24
TOP = 16
ROW = 56
LANES = (0, -9, 9)


@dataclass(frozen=True)
class StripRow:
    label: str
    values: Sequence[float]
    highlight: Sequence[float] = field(default_factory=tuple)
    median: float | None = None
    band: tuple[float, float] | None = None
    note: str = ""


@dataclass(frozen=True)
class DistributionStrip:
    chart_id: str
    title: str
    description: str
    rows: Sequence[StripRow]
    x_label: str
    x_min: float | None = None
    x_max: float | None = None
    decimals: int = 1
    values_label: str = "An organisation"
    highlight_label: str = "Picked out"


def distribution_strip(spec: DistributionStrip) -> str:
    """The SVG markup of a distribution strip."""
    values = [v for row in spec.rows for v in (*row.values, *row.highlight)]
    low, high = padded_range(values, floor=spec.x_min, ceiling=spec.x_max)
    if spec.x_min is not None:
        low = spec.x_min
    if spec.x_max is not None:
        high = spec.x_max
    if high <= low:
        high = low + 1
    plot_top = TOP
    plot_bottom = TOP + ROW * max(len(spec.rows), 1)
    scale = LinearScale(low, high, PLOT_LEFT, PLOT_RIGHT)
    parts = []
    for value in ticks(low, high, 5):
        x = scale(value)
        parts.append(
            element(
                "line",
                x1=num(x),
                y1=num(plot_top),
                x2=num(x),
                y2=num(plot_bottom),
                stroke="#d8dde0",
                stroke_width="1",
            )
        )
        parts.append(
            element(
                "text",
                text_content(f"{value:.{spec.decimals}f}"),
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
            x=num((PLOT_LEFT + PLOT_RIGHT) / 2),
            y=num(plot_bottom + 42),
            text_anchor="middle",
            font_size=SMALL_FONT_SIZE,
        )
    )
    any_band = any_highlight = any_median = False
    for i, row in enumerate(spec.rows):
        middle = plot_top + i * ROW + ROW / 2
        lines = wrap_label(row.label, 24)[:2]
        parts.append(
            multiline_text(
                lines,
                x=LABEL_WIDTH,
                y=middle + 5 - (len(lines) - 1) * 8,
                line_height=16,
                text_anchor="end",
                font_size=SMALL_FONT_SIZE,
            )
        )
        if row.band is not None:
            any_band = True
            x0, x1 = scale(row.band[0]), scale(row.band[1])
            parts.append(
                element(
                    "rect",
                    x=num(x0),
                    y=num(middle - 20),
                    width=num(max(x1 - x0, 2)),
                    height="40",
                    fill=PALE_BLUE,
                )
            )
        if not row.values and not row.highlight:
            parts.append(
                element(
                    "text",
                    text_content(row.note or "no values"),
                    x=num(PLOT_LEFT + 6),
                    y=num(middle + 5),
                    font_size=SMALL_FONT_SIZE,
                    font_style="italic",
                )
            )
        for j, value in enumerate(sorted(row.values)):
            parts.append(
                element(
                    "circle",
                    cx=num(scale(value)),
                    cy=num(middle + LANES[j % len(LANES)]),
                    r="4",
                    fill=BLUE,
                    fill_opacity="0.6",
                )
            )
        if row.median is not None:
            any_median = True
            x = scale(row.median)
            parts.append(
                element(
                    "line",
                    x1=num(x),
                    y1=num(middle - 22),
                    x2=num(x),
                    y2=num(middle + 22),
                    stroke=MEDIAN,
                    stroke_width="2.5",
                    stroke_dasharray=MEDIAN_DASH,
                )
            )
        for value in row.highlight:
            any_highlight = True
            parts.append(
                element(
                    "circle",
                    cx=num(scale(value)),
                    cy=num(middle),
                    r="7",
                    fill=DARK_BLUE,
                    stroke="#ffffff",
                    stroke_width="2",
                )
            )
    entries: list[tuple[str, dict[str, object]]] = []
    if any(row.values for row in spec.rows):
        entries.append((spec.values_label, {"kind": "dot", "fill": BLUE, "stroke": BLUE}))
    if any_highlight:
        entries.append(
            (spec.highlight_label, {"kind": "dot", "fill": DARK_BLUE, "stroke": "#ffffff"})
        )
    if any_median:
        entries.append(
            ("Median", {"stroke": MEDIAN, "stroke_width": "2.5", "stroke_dasharray": MEDIAN_DASH})
        )
    if any_band:
        entries.append(("10th to 90th centile", {"kind": "box", "fill": PALE_BLUE, "stroke": GREY}))
    height = plot_bottom + 52
    markup, used = legend(entries, x=PLOT_LEFT, y=height, width=PLOT_RIGHT - PLOT_LEFT)
    parts.append(markup)
    return svg_frame(
        chart_id=spec.chart_id,
        title=spec.title,
        description=spec.description,
        width=WIDTH,
        height=height + used + 8,
        body="".join(parts),
    )
