"""A small, pure SVG line chart for a metric's trajectory: no JavaScript, no chart library.

The SVG uses presentation attributes only (no style attributes or <style> blocks, which the
Content Security Policy forbids). It is an image with a title and description; the page puts an
accessible table and a plain-English sentence beside it. Pure Python: no Django.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

WIDTH, PLOT_HEIGHT = 640, 224
LEFT, RIGHT, TOP = 64, 24, 20
AXIS_LABELS = 44  # room under the plot for the time axis labels, before the legend
LEGEND_ROW, LEGEND_PER_ROW = 22, 4
FONT = "Frutiger W01, Arial, sans-serif"

TEXT = "#212b32"
GRID = "#d8dde0"
BLUE = "#005eb8"
PURPLE = "#330072"
GREEN = "#007f3b"
RED = "#d5281b"
GREY = "#4c6272"


@dataclass(frozen=True)
class ChartPoint:
    day: dt.date
    value: float
    kind: str = "observation"  # "baseline", "observation" or "demonstration"


@dataclass(frozen=True)
class ChartSpec:
    title: str
    description: str
    unit: str
    points: Sequence[ChartPoint]
    target: float | None = None
    deadline: dt.date | None = None
    earlier_deadlines: Sequence[dt.date] = field(default_factory=tuple)
    fit: tuple[tuple[dt.date, float], tuple[dt.date, float]] | None = None
    interval: tuple[dt.date, float, float] | None = None  # (deadline, lower, upper)
    minimum: float | None = None
    maximum: float | None = None


def nice_step(span: float, ticks: int = 5) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about ``ticks`` intervals."""
    if span <= 0:
        return 1.0
    raw = span / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power  # pragma: no cover - the loop always returns


def y_range(
    values: Sequence[float], minimum: float | None, maximum: float | None
) -> tuple[float, float, float]:
    """(low, high, step) of the value axis: round numbers covering every value."""
    low, high = min(values), max(values)
    if minimum is not None and minimum <= low and low - minimum < high - low:
        low = minimum  # start at the floor (zero) when it is close: it avoids exaggerating change
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


def _f(x: float) -> str:
    return f"{x:.1f}"


def render(spec: ChartSpec, *, element_id: str) -> str:
    """The chart as an SVG element, ready to put in a page (all text escaped)."""
    days = [p.day for p in spec.points]
    if spec.deadline:
        days.append(spec.deadline)
    days += list(spec.earlier_deadlines)
    if spec.fit:
        days += [spec.fit[0][0], spec.fit[1][0]]
    values = [p.value for p in spec.points]
    if spec.target is not None:
        values.append(spec.target)
    if spec.fit:
        values += [spec.fit[0][1], spec.fit[1][1]]
    if spec.interval:
        values += [spec.interval[1], spec.interval[2]]
    legend = _legend_items(spec)
    rows = max(1, math.ceil(len(legend) / LEGEND_PER_ROW))
    height = TOP + PLOT_HEIGHT + AXIS_LABELS + (rows - 1) * LEGEND_ROW + 16
    title_id, desc_id = f"{element_id}-title", f"{element_id}-desc"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'class="app-chart" id={quoteattr(element_id)} font-family={quoteattr(FONT)} '
        f'aria-labelledby="{title_id} {desc_id}" focusable="false">'
        f"<title id={quoteattr(title_id)}>{escape(spec.title)}</title>"
        f"<desc id={quoteattr(desc_id)}>{escape(spec.description)}</desc>"
    )
    if not days or not values:
        return (
            head + f'<text x="{WIDTH / 2}" y="{height / 2}" text-anchor="middle" fill="{TEXT}" '
            'font-size="16">No observations yet</text></svg>'
        )

    first, last = min(days), max(days)
    pad = max(30, (last - first).days // 20)
    first, last = first - dt.timedelta(days=pad), last + dt.timedelta(days=pad)
    low, high, step = y_range(values, spec.minimum, spec.maximum)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, PLOT_HEIGHT
    span_days = (last - first).days or 1

    def x(day: dt.date) -> float:
        return LEFT + plot_w * (day - first).days / span_days

    def y(value: float) -> float:
        value = min(max(value, low), high)
        return TOP + plot_h * (1 - (value - low) / (high - low))

    parts = [head]
    # Value axis: gridlines and labels.
    tick = low
    while tick <= high + step / 1000:
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{_f(y(tick))}" y2="{_f(y(tick))}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{LEFT - 8}" y="{_f(y(tick) + 4)}" text-anchor="end" font-size="12" '
            f'fill="{TEXT}">{escape(format_number(tick, spec.unit))}</text>'
        )
        tick += step
    # Time axis.
    base = TOP + plot_h
    parts.append(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{base}" y2="{base}" stroke="{TEXT}" '
        'stroke-width="1"/>'
    )
    for day, label in date_ticks(first, last):
        parts.append(
            f'<line x1="{_f(x(day))}" x2="{_f(x(day))}" y1="{base}" y2="{base + 5}" '
            f'stroke="{TEXT}" stroke-width="1"/>'
            f'<text x="{_f(x(day))}" y="{base + 20}" text-anchor="middle" font-size="12" '
            f'fill="{TEXT}">{escape(label)}</text>'
        )
    for day in spec.earlier_deadlines:
        parts.append(
            f'<line x1="{_f(x(day))}" x2="{_f(x(day))}" y1="{TOP}" y2="{base}" stroke="{GREY}" '
            'stroke-width="1.5" stroke-dasharray="2 4"/>'
        )
    if spec.deadline:
        parts.append(
            f'<line x1="{_f(x(spec.deadline))}" x2="{_f(x(spec.deadline))}" y1="{TOP}" '
            f'y2="{base}" stroke="{RED}" stroke-width="2" stroke-dasharray="6 4"/>'
        )
    if spec.target is not None:
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{_f(y(spec.target))}" '
            f'y2="{_f(y(spec.target))}" stroke="{GREEN}" stroke-width="2" '
            'stroke-dasharray="10 5"/>'
        )
    if spec.fit:
        (d0, v0), (d1, v1) = spec.fit
        parts.append(
            f'<line x1="{_f(x(d0))}" y1="{_f(y(v0))}" x2="{_f(x(d1))}" y2="{_f(y(v1))}" '
            f'stroke="{BLUE}" stroke-width="2"/>'
        )
    if spec.interval:
        day, lower, upper = spec.interval
        cx = x(day)
        parts.append(
            f'<g stroke="{PURPLE}" stroke-width="2">'
            f'<line x1="{_f(cx)}" x2="{_f(cx)}" y1="{_f(y(lower))}" y2="{_f(y(upper))}"/>'
            f'<line x1="{_f(cx - 6)}" x2="{_f(cx + 6)}" y1="{_f(y(lower))}" y2="{_f(y(lower))}"/>'
            f'<line x1="{_f(cx - 6)}" x2="{_f(cx + 6)}" y1="{_f(y(upper))}" y2="{_f(y(upper))}"/>'
            "</g>"
        )
    for point in spec.points:
        px, py = _f(x(point.day)), _f(y(point.value))
        if point.kind == "baseline":
            parts.append(
                f'<rect x="{_f(x(point.day) - 5)}" y="{_f(y(point.value) - 5)}" width="10" '
                f'height="10" fill="#ffffff" stroke="{BLUE}" stroke-width="2"/>'
            )
        elif point.kind == "demonstration":
            parts.append(
                f'<circle cx="{px}" cy="{py}" r="5" fill="#ffffff" stroke="{GREY}" '
                'stroke-width="2"/>'
            )
        else:
            parts.append(
                f'<circle cx="{px}" cy="{py}" r="5" fill="{BLUE}" stroke="#ffffff" '
                'stroke-width="1"/>'
            )
    parts.append(_legend(legend, base + AXIS_LABELS))
    parts.append("</svg>")
    return "".join(parts)


def _legend_items(spec: ChartSpec) -> list[tuple[str, str]]:
    """(SVG mark, label) for each thing the chart draws."""
    items: list[tuple[str, str]] = []
    kinds = {p.kind for p in spec.points}
    if "observation" in kinds:
        items.append((f'<circle cx="8" cy="0" r="5" fill="{BLUE}"/>', "Observation"))
    if "baseline" in kinds:
        items.append(
            (
                f'<rect x="3" y="-5" width="10" height="10" fill="#ffffff" stroke="{BLUE}" '
                'stroke-width="2"/>',
                "Baseline",
            )
        )
    if "demonstration" in kinds:
        items.append(
            (
                f'<circle cx="8" cy="0" r="5" fill="#ffffff" stroke="{GREY}" stroke-width="2"/>',
                "Demonstration data",
            )
        )
    if spec.fit:
        items.append(
            (f'<line x1="0" x2="16" y1="0" y2="0" stroke="{BLUE}" stroke-width="2"/>', "Trend")
        )
    if spec.interval:
        items.append(
            (
                f'<line x1="8" x2="8" y1="-7" y2="7" stroke="{PURPLE}" stroke-width="2"/>',
                "Interval at deadline",
            )
        )
    if spec.target is not None:
        items.append(
            (
                f'<line x1="0" x2="16" y1="0" y2="0" stroke="{GREEN}" stroke-width="2" '
                'stroke-dasharray="6 3"/>',
                "Target",
            )
        )
    if spec.deadline:
        items.append(
            (
                f'<line x1="8" x2="8" y1="-7" y2="7" stroke="{RED}" stroke-width="2" '
                'stroke-dasharray="3 2"/>',
                "Deadline",
            )
        )
    if spec.earlier_deadlines:
        items.append(
            (
                f'<line x1="8" x2="8" y1="-7" y2="7" stroke="{GREY}" stroke-width="1.5" '
                'stroke-dasharray="2 2"/>',
                "Earlier deadline",
            )
        )
    return items


def _legend(items: list[tuple[str, str]], top: float) -> str:
    out = []
    for index, (mark, label) in enumerate(items):
        col, row = index % LEGEND_PER_ROW, index // LEGEND_PER_ROW
        gx, gy = LEFT + col * 140, top + row * LEGEND_ROW
        out.append(
            f'<g transform="translate({gx} {gy})">{mark}'
            f'<text x="22" y="4" font-size="12" fill="{TEXT}">{escape(label)}</text></g>'
        )
    return "".join(out)
