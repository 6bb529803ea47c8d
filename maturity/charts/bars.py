"""Horizontal bar charts and dot charts (one row per category, one marker per series).

Rows are drawn in the order given: callers choose it (alphabetical by default, so that a chart is
not a league table unless someone asks for one).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .svg import (
    AXIS,
    BLUE,
    DARK_BLUE,
    GREY,
    MEDIAN,
    MEDIAN_DASH,
    ORANGE,
    SMALL_FONT_SIZE,
    LinearScale,
    element,
    format_value,
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
LABEL_WIDTH = 230
PLOT_LEFT = LABEL_WIDTH + 16
PLOT_RIGHT = WIDTH - 70
TOP = 16
ROW = 40
LABEL_CHARS = 28


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    #: Shown instead of a value when there is none (e.g. "not shown: fewer than 5").
    note: str = ""
    highlight: bool = False


@dataclass(frozen=True)
class BarChart:
    chart_id: str
    title: str
    description: str
    bars: Sequence[Bar]
    x_label: str
    x_min: float | None = 0.0
    x_max: float | None = None
    decimals: int = 1
    suffix: str = ""
    reference: float | None = None
    reference_label: str = ""


def _axis(
    scale: LinearScale,
    tick_values: Sequence[float],
    *,
    top: float,
    bottom: float,
    label: str,
    decimals: int,
    suffix: str,
) -> str:
    parts = []
    for value in tick_values:
        x = scale(value)
        parts.append(
            element(
                "line",
                x1=num(x),
                y1=num(top),
                x2=num(x),
                y2=num(bottom),
                stroke="#d8dde0",
                stroke_width="1",
            )
        )
        parts.append(
            element(
                "text",
                text_content(f"{format_value(value, decimals)}{suffix}"),
                x=num(x),
                y=num(bottom + 20),
                text_anchor="middle",
                font_size=SMALL_FONT_SIZE,
            )
        )
    parts.append(
        element(
            "text",
            text_content(label),
            x=num((scale.start + scale.end) / 2),
            y=num(bottom + 42),
            text_anchor="middle",
            font_size=SMALL_FONT_SIZE,
        )
    )
    return "".join(parts)


def _row_label(label: str, y: float) -> str:
    lines = wrap_label(label, LABEL_CHARS)[:2]
    first_y = y + 5 - (len(lines) - 1) * 8
    return multiline_text(
        lines,
        x=LABEL_WIDTH,
        y=first_y,
        line_height=16,
        text_anchor="end",
        font_size=SMALL_FONT_SIZE,
    )


def bar_chart(spec: BarChart) -> str:
    """The SVG markup of a horizontal bar chart."""
    values = [b.value for b in spec.bars if b.value is not None]
    extra = [spec.reference] if spec.reference is not None else []
    low, high = padded_range([*values, *extra, *([spec.x_min] if spec.x_min is not None else [])])
    if spec.x_min is not None:
        low = spec.x_min
    if spec.x_max is not None:
        high = spec.x_max
    if high <= low:
        high = low + 1
    plot_top = TOP
    plot_bottom = TOP + ROW * max(len(spec.bars), 1)
    scale = LinearScale(low, high, PLOT_LEFT, PLOT_RIGHT)
    parts = [
        _axis(
            scale,
            ticks(low, high, 5),
            top=plot_top,
            bottom=plot_bottom,
            label=spec.x_label,
            decimals=spec.decimals,
            suffix=spec.suffix,
        )
    ]
    for i, bar in enumerate(spec.bars):
        middle = plot_top + i * ROW + ROW / 2
        parts.append(_row_label(bar.label, middle))
        if bar.value is None:
            parts.append(
                element(
                    "text",
                    text_content(bar.note or "not available"),
                    x=num(PLOT_LEFT + 6),
                    y=num(middle + 5),
                    font_size=SMALL_FONT_SIZE,
                    font_style="italic",
                )
            )
            continue
        x0 = scale(max(low, min(0.0, high))) if low <= 0 <= high else scale(low)
        x1 = scale(bar.value)
        left, width = (x0, x1 - x0) if x1 >= x0 else (x1, x0 - x1)
        parts.append(
            element(
                "rect",
                x=num(left),
                y=num(middle - 12),
                width=num(max(width, 1)),
                height="24",
                fill=DARK_BLUE if bar.highlight else BLUE,
            )
        )
        parts.append(
            element(
                "text",
                text_content(f"{format_value(bar.value, spec.decimals)}{spec.suffix}"),
                x=num(max(x0, x1) + 6),
                y=num(middle + 5),
                font_size=SMALL_FONT_SIZE,
                font_weight="bold" if bar.highlight else None,
            )
        )
    legend_entries = []
    if spec.reference is not None:
        x = scale(spec.reference)
        parts.append(
            element(
                "line",
                x1=num(x),
                y1=num(plot_top - 4),
                x2=num(x),
                y2=num(plot_bottom),
                stroke=MEDIAN,
                stroke_width="2.5",
                stroke_dasharray=MEDIAN_DASH,
            )
        )
        legend_entries.append(
            (
                spec.reference_label or "Reference",
                {"stroke": MEDIAN, "stroke_width": "2.5", "stroke_dasharray": MEDIAN_DASH},
            )
        )
    height = plot_bottom + 52
    if legend_entries:
        markup, used = legend(legend_entries, x=PLOT_LEFT, y=height, width=PLOT_RIGHT - PLOT_LEFT)
        parts.append(markup)
        height += used
    return svg_frame(
        chart_id=spec.chart_id,
        title=spec.title,
        description=spec.description,
        width=WIDTH,
        height=height + 8,
        body="".join(parts),
    )


@dataclass(frozen=True)
class DotSeries:
    label: str
    values: Sequence[float | None]
    #: "dot" (filled circle), "ring" (open circle) or "diamond".
    shape: str = "dot"
    colour: str = BLUE


@dataclass(frozen=True)
class DotChart:
    chart_id: str
    title: str
    description: str
    rows: Sequence[str]
    series: Sequence[DotSeries]
    x_label: str
    x_min: float | None = None
    x_max: float | None = None
    decimals: int = 1
    suffix: str = ""
    #: Join the first and last series' markers in each row (a "dumbbell" showing change).
    connect: bool = False
    notes: Sequence[str] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        for series in self.series:
            if len(series.values) != len(self.rows):
                raise ValueError(f"series {series.label!r} needs one value per row")
            if series.shape not in {"dot", "ring", "diamond"}:
                raise ValueError(f"unknown marker shape {series.shape!r}")


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "ring":
        return element(
            "circle", cx=num(x), cy=num(y), r="6", fill="#ffffff", stroke=colour, stroke_width="2.5"
        )
    if shape == "diamond":
        d = f"M{num(x)} {num(y - 7)} L{num(x + 7)} {num(y)} L{num(x)} {num(y + 7)} L{num(x - 7)} {num(y)} Z"
        return element("path", d=d, fill=colour, stroke="#ffffff", stroke_width="1")
    return element(
        "circle", cx=num(x), cy=num(y), r="6", fill=colour, stroke="#ffffff", stroke_width="1.5"
    )


DOT_COLOURS = (BLUE, ORANGE, AXIS, GREY)


def dot_chart(spec: DotChart) -> str:
    """The SVG markup of a dot chart."""
    values = [v for s in spec.series for v in s.values if v is not None]
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
    parts = [
        _axis(
            scale,
            ticks(low, high, 5),
            top=plot_top,
            bottom=plot_bottom,
            label=spec.x_label,
            decimals=spec.decimals,
            suffix=spec.suffix,
        )
    ]
    for i, row in enumerate(spec.rows):
        middle = plot_top + i * ROW + ROW / 2
        parts.append(_row_label(row, middle))
        present = [(s, s.values[i]) for s in spec.series if s.values[i] is not None]
        if spec.connect and len(present) >= 2:
            first, last = present[0][1], present[-1][1]
            parts.append(
                element(
                    "line",
                    x1=num(scale(first)),
                    y1=num(middle),
                    x2=num(scale(last)),
                    y2=num(middle),
                    stroke=GREY,
                    stroke_width="3",
                )
            )
        if not present:
            note = spec.notes[i] if i < len(spec.notes) and spec.notes[i] else "not available"
            parts.append(
                element(
                    "text",
                    text_content(note),
                    x=num(PLOT_LEFT + 6),
                    y=num(middle + 5),
                    font_size=SMALL_FONT_SIZE,
                    font_style="italic",
                )
            )
        for series, value in present:
            parts.append(_marker(series.shape, scale(value), middle, series.colour))
    height = plot_bottom + 52
    markup, used = legend(
        [
            (
                s.label,
                {
                    "kind": "dot",
                    "fill": "#ffffff" if s.shape == "ring" else s.colour,
                    "stroke": s.colour,
                    "stroke_width": "2.5",
                },
            )
            for s in spec.series
        ],
        x=PLOT_LEFT,
        y=height,
        width=PLOT_RIGHT - PLOT_LEFT,
    )
    parts.append(markup)
    height += used
    return svg_frame(
        chart_id=spec.chart_id,
        title=spec.title,
        description=spec.description,
        width=WIDTH,
        height=height + 8,
        body="".join(parts),
    )
