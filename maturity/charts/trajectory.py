"""Trajectory charts: dated values against a target and a deadline, with a fitted trend.

Values sit on a time axis (years, or quarters over a short span). The chart can show a baseline
(an open square), observations (filled dots), demonstration values (open dots, set apart so no
one takes them for real figures), the target (a long-dashed line, labelled), the deadline and
any earlier deadlines (dashed and dotted verticals), a straight-line trend and the interval
around the trend at the deadline (a bracketed vertical bar).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from .svg import (
    AXIS,
    BLUE,
    GREEN,
    GRID,
    PURPLE,
    RED,
    SMALL_FONT_SIZE,
    LinearScale,
    element,
    legend,
    nice_step,
    num,
    svg_frame,
    text_content,
)

WIDTH = 720
LEFT, RIGHT, TOP = 96, 24, 24
PLOT_HEIGHT = 260
AXIS_LABELS = 34  # room under the plot for the time axis labels, before the legend

POINT_KINDS = ("baseline", "observation", "demonstration")
TARGET_DASH = "10 5"
DEADLINE_DASH = "6 4"
EARLIER_DEADLINE_DASH = "2 4"


@dataclass(frozen=True)
class TrajectoryPoint:
    day: dt.date
    value: float
    kind: str = "observation"  # one of POINT_KINDS

    def __post_init__(self) -> None:
        if self.kind not in POINT_KINDS:
            raise ValueError(
                f"a trajectory point's kind is one of {POINT_KINDS}, not {self.kind!r}"
            )


@dataclass(frozen=True)
class TrajectoryChart:
    chart_id: str
    title: str
    description: str
    points: Sequence[TrajectoryPoint]
    unit: str = ""  # "%" is written after each figure; any other unit titles the value axis
    target: float | None = None
    deadline: dt.date | None = None
    earlier_deadlines: Sequence[dt.date] = field(default_factory=tuple)
    fit: tuple[tuple[dt.date, float], tuple[dt.date, float]] | None = None
    interval: tuple[dt.date, float, float] | None = None  # (day, lower, upper)
    interval_label: str = "Interval at the deadline"
    minimum: float | None = None  # lowest possible value (0 for a share)
    maximum: float | None = None  # highest possible value (100 for a share)
    empty_message: str = "No observations yet"


def format_number(value: float, unit: str = "") -> str:
    """Plain figures: thousands separated, at most one decimal, the unit after."""
    if abs(value) >= 1000:
        text = f"{value:,.0f}"
    else:
        text = f"{value:.1f}".rstrip("0").rstrip(".")
        if text == "-0":
            text = "0"
    if unit == "%":
        return f"{text}%"
    return f"{text} {unit}".strip()


def value_range(
    values: Sequence[float], minimum: float | None, maximum: float | None
) -> tuple[float, float, float]:
    """(low, high, step) of the value axis: round numbers covering every value.

    The axis starts at the lowest possible value (zero) only when that is close, so a small
    change is neither hidden nor exaggerated; it never runs past the possible values.
    """
    low, high = min(values), max(values)
    if minimum is not None and minimum <= low and low - minimum < high - low:
        low = minimum
    if high == low:
        pad = abs(high) * 0.1 or 1.0
        low, high = low - pad, high + pad
        if minimum is not None:
            low = max(low, minimum)
    step = nice_step(high - low)
    low = math.floor(low / step) * step
    high = math.ceil(high / step) * step
    if minimum is not None:
        low = max(low, math.floor(minimum / step) * step)
    if maximum is not None:
        high = min(high, math.ceil(maximum / step) * step)
    return low, high, step


def date_ticks(start: dt.date, end: dt.date) -> list[tuple[dt.date, str]]:
    """1 January of each year in range; quarters when fewer than two years are in range."""
    years = [dt.date(y, 1, 1) for y in range(start.year, end.year + 2)]
    ticks = [(d, str(d.year)) for d in years if start <= d <= end]
    if len(ticks) >= 2:
        every = max(1, math.ceil(len(ticks) / 8))
        return ticks[::every]
    quarters = []
    for year in range(start.year, end.year + 1):
        for month in (1, 4, 7, 10):
            day = dt.date(year, month, 1)
            if start <= day <= end:
                quarters.append((day, f"{day:%b %Y}"))
    return quarters


def _days(spec: TrajectoryChart) -> list[dt.date]:
    days = [p.day for p in spec.points]
    if spec.deadline:
        days.append(spec.deadline)
    days += list(spec.earlier_deadlines)
    if spec.fit:
        days += [spec.fit[0][0], spec.fit[1][0]]
    if spec.interval:
        days.append(spec.interval[0])
    return days


def _values(spec: TrajectoryChart) -> list[float]:
    values = [p.value for p in spec.points]
    if spec.target is not None:
        values.append(spec.target)
    if spec.fit:
        values += [spec.fit[0][1], spec.fit[1][1]]
    if spec.interval:
        values += [spec.interval[1], spec.interval[2]]
    return values


def _legend_entries(spec: TrajectoryChart) -> list[tuple[str, dict[str, object]]]:
    kinds = {p.kind for p in spec.points}
    entries: list[tuple[str, dict[str, object]]] = []
    if "observation" in kinds:
        entries.append(("Observation", {"kind": "dot", "fill": BLUE}))
    if "baseline" in kinds:
        entries.append(
            ("Baseline", {"kind": "box", "fill": "#ffffff", "stroke": BLUE, "stroke_width": "2"})
        )
    if "demonstration" in kinds:
        entries.append(
            (
                "Demonstration data",
                {"kind": "dot", "fill": "#ffffff", "stroke": AXIS, "stroke_width": "2"},
            )
        )
    if spec.fit:
        entries.append(("Trend", {"stroke": BLUE, "stroke_width": "2"}))
    if spec.interval:
        entries.append((spec.interval_label, {"stroke": PURPLE, "stroke_width": "4"}))
    if spec.target is not None:
        entries.append(
            ("Target", {"stroke": GREEN, "stroke_width": "2", "stroke_dasharray": TARGET_DASH})
        )
    if spec.deadline:
        entries.append(
            ("Deadline", {"stroke": RED, "stroke_width": "2", "stroke_dasharray": DEADLINE_DASH})
        )
    if spec.earlier_deadlines:
        entries.append(
            (
                "Earlier deadline",
                {"stroke": AXIS, "stroke_width": "2", "stroke_dasharray": EARLIER_DEADLINE_DASH},
            )
        )
    return entries


def trajectory_chart(spec: TrajectoryChart) -> str:
    """The SVG markup of a trajectory chart."""
    days, values = _days(spec), _values(spec)
    plot_left, plot_right = LEFT, WIDTH - RIGHT
    plot_top, plot_bottom = TOP, TOP + PLOT_HEIGHT
    if not days or not values:
        height = plot_bottom + 16
        body = element(
            "text",
            text_content(spec.empty_message),
            x=num(WIDTH / 2),
            y=num(height / 2),
            text_anchor="middle",
        )
        return svg_frame(
            chart_id=spec.chart_id,
            title=spec.title,
            description=spec.description,
            width=WIDTH,
            height=height,
            body=body,
        )

    first, last = min(days), max(days)
    pad = max(30, (last - first).days // 20)
    first, last = first - dt.timedelta(days=pad), last + dt.timedelta(days=pad)
    low, high, step = value_range(values, spec.minimum, spec.maximum)
    x_scale = LinearScale(0, (last - first).days or 1, plot_left, plot_right)
    y_scale = LinearScale(low, high, plot_bottom, plot_top)

    def x(day: dt.date) -> float:
        return x_scale((day - first).days)

    def y(value: float) -> float:
        return y_scale(min(max(value, low), high))

    tick_unit = "%" if spec.unit == "%" else ""
    parts: list[str] = []
    # Value axis: grid lines, figures and, for units other than %, the unit as the axis title.
    tick = low
    while tick <= high + step / 1000:
        parts.append(
            element(
                "line",
                x1=num(plot_left),
                x2=num(plot_right),
                y1=num(y(tick)),
                y2=num(y(tick)),
                stroke=GRID,
                stroke_width="1",
            )
            + element(
                "text",
                text_content(format_number(tick, tick_unit)),
                x=num(plot_left - 8),
                y=num(y(tick) + 5),
                text_anchor="end",
                font_size=SMALL_FONT_SIZE,
            )
        )
        tick += step
    if spec.unit and spec.unit != "%":
        middle = (plot_top + plot_bottom) / 2
        parts.append(
            element(
                "text",
                text_content(spec.unit),
                x="16",
                y=num(middle),
                transform=f"rotate(-90 16 {num(middle)})",
                text_anchor="middle",
                font_size=SMALL_FONT_SIZE,
            )
        )
    # Time axis.
    parts.append(
        element(
            "line",
            x1=num(plot_left),
            x2=num(plot_right),
            y1=num(plot_bottom),
            y2=num(plot_bottom),
            stroke=AXIS,
            stroke_width="1",
        )
    )
    for day, label in date_ticks(first, last):
        parts.append(
            element(
                "line",
                x1=num(x(day)),
                x2=num(x(day)),
                y1=num(plot_bottom),
                y2=num(plot_bottom + 5),
                stroke=AXIS,
                stroke_width="1",
            )
            + element(
                "text",
                text_content(label),
                x=num(x(day)),
                y=num(plot_bottom + 22),
                text_anchor="middle",
                font_size=SMALL_FONT_SIZE,
            )
        )
    for day in spec.earlier_deadlines:
        parts.append(
            element(
                "line",
                x1=num(x(day)),
                x2=num(x(day)),
                y1=num(plot_top),
                y2=num(plot_bottom),
                stroke=AXIS,
                stroke_width="2",
                stroke_dasharray=EARLIER_DEADLINE_DASH,
            )
        )
    if spec.deadline:
        parts.append(
            element(
                "line",
                x1=num(x(spec.deadline)),
                x2=num(x(spec.deadline)),
                y1=num(plot_top),
                y2=num(plot_bottom),
                stroke=RED,
                stroke_width="2",
                stroke_dasharray=DEADLINE_DASH,
            )
        )
    if spec.target is not None:
        target_y = y(spec.target)
        parts.append(
            element(
                "line",
                x1=num(plot_left),
                x2=num(plot_right),
                y1=num(target_y),
                y2=num(target_y),
                stroke=GREEN,
                stroke_width="2",
                stroke_dasharray=TARGET_DASH,
            )
        )
        # Named in words on the chart too, so the line is not told apart by colour alone.
        label_y = target_y - 6 if target_y - 6 > plot_top + 10 else target_y + 18
        parts.append(
            element(
                "text",
                text_content(f"Target {format_number(spec.target, spec.unit)}"),
                x=num(plot_left + 6),
                y=num(label_y),
                font_size=SMALL_FONT_SIZE,
                fill=GREEN,
                stroke="#ffffff",
                stroke_width="4",
                paint_order="stroke",
            )
        )
    if spec.fit:
        (d0, v0), (d1, v1) = spec.fit
        parts.append(
            element(
                "line",
                x1=num(x(d0)),
                y1=num(y(v0)),
                x2=num(x(d1)),
                y2=num(y(v1)),
                stroke=BLUE,
                stroke_width="2",
            )
        )
    if spec.interval:
        day, lower, upper = spec.interval
        cx, y_low, y_high = x(day), y(lower), y(upper)
        whisker = "".join(
            element("line", x1=num(cx - 7), x2=num(cx + 7), y1=num(v), y2=num(v))
            for v in (y_low, y_high)
        )
        parts.append(
            element(
                "g",
                element("line", x1=num(cx), x2=num(cx), y1=num(y_low), y2=num(y_high)) + whisker,
                stroke=PURPLE,
                stroke_width="3",
            )
        )
    for point in spec.points:
        px, py = x(point.day), y(point.value)
        if point.kind == "baseline":
            parts.append(
                element(
                    "rect",
                    x=num(px - 5),
                    y=num(py - 5),
                    width="10",
                    height="10",
                    fill="#ffffff",
                    stroke=BLUE,
                    stroke_width="2",
                )
            )
        elif point.kind == "demonstration":
            parts.append(
                element(
                    "circle",
                    cx=num(px),
                    cy=num(py),
                    r="5",
                    fill="#ffffff",
                    stroke=AXIS,
                    stroke_width="2",
                )
            )
        else:
            parts.append(
                element(
                    "circle",
                    cx=num(px),
                    cy=num(py),
                    r="5.5",
                    fill=BLUE,
                    stroke="#ffffff",
                    stroke_width="1.5",
                )
            )

    legend_top = plot_bottom + AXIS_LABELS
    legend_markup, legend_height = legend(
        _legend_entries(spec), x=plot_left, y=legend_top, width=plot_right - plot_left
    )
    parts.append(legend_markup)
    return svg_frame(
        chart_id=spec.chart_id,
        title=spec.title,
        description=spec.description,
        width=WIDTH,
        height=legend_top + legend_height + 8,
        body="".join(parts),
    )


__all__ = [
    "TrajectoryChart",
    "TrajectoryPoint",
    "date_ticks",
    "format_number",
    "trajectory_chart",
    "value_range",
]
