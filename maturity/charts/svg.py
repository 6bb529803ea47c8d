"""Building blocks shared by the charts: escaping, scales, axis ticks, the accessible frame.

Every chart is an ``<svg role="img">`` labelled by its own ``<title>`` and ``<desc>``
(``aria-labelledby``), drawn with SVG presentation attributes only: no ``style`` attributes and
no ``<style>`` blocks, which the Content Security Policy forbids. Pure Python: no Django.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape as _html_escape

FONT = "Frutiger W01, Arial, Helvetica, sans-serif"
#: Text sizes in the chart's own units; charts are 720 wide, so at full width 1 unit = 1 px.
FONT_SIZE = 15
SMALL_FONT_SIZE = 14

# NHS identity colours. Text and lines that carry meaning keep a 3:1 contrast or better on white.
TEXT = "#212b32"
GRID = "#d8dde0"
AXIS = "#4c6272"
BLUE = "#005eb8"
DARK_BLUE = "#003087"
DECILE = "#4c6272"
MEDIAN = "#212b32"
PALE_BLUE = "#e8edee"
GREEN = "#007f3b"
RED = "#d5281b"
PURPLE = "#330072"
ORANGE = "#ed8b00"
GREY = "#768692"

# Dash patterns, as OpenPrescribing draws its deciles: deciles dashed, the median long-dashed.
DECILE_DASH = "4 4"
MEDIAN_DASH = "14 6"
LIMIT_95_DASH = "6 4"
LIMIT_998_DASH = "2 3"

_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


def check_id(chart_id: str) -> str:
    """Chart ids become element ids: a letter, then letters, digits, hyphens or underscores."""
    if not _ID.match(chart_id):
        raise ValueError(f"chart id {chart_id!r} must start with a letter and use [A-Za-z0-9_-]")
    return chart_id


def text_content(value: object) -> str:
    return _html_escape(str(value), quote=False)


def attr(value: object) -> str:
    """An attribute value, double-quoted and escaped (&, <, >, " and ')."""
    return f'"{_html_escape(str(value), quote=True)}"'


def num(value: float) -> str:
    """A coordinate, short but exact enough to draw: at most two decimals."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def element(name: str, body: str = "", **attributes: object) -> str:
    """One element. Attribute names use ``_`` for ``-`` (``stroke_width`` → ``stroke-width``);
    ``None`` values are left out."""
    parts = [name]
    for key, value in attributes.items():
        if value is None:
            continue
        parts.append(f"{key.rstrip('_').replace('_', '-')}={attr(value)}")
    opening = " ".join(parts)
    return f"<{opening}>{body}</{name}>" if body else f"<{opening}/>"


def svg_frame(
    *, chart_id: str, title: str, description: str, width: float, height: float, body: str
) -> str:
    """The outer ``<svg>``: an image named by its title and described by its description."""
    check_id(chart_id)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" id={attr(chart_id)} '
        f'viewBox="0 0 {num(width)} {num(height)}" width="100%" '
        f'preserveAspectRatio="xMidYMid meet" role="img" focusable="false" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'font-family={attr(FONT)} font-size="{FONT_SIZE}" fill={attr(TEXT)}>'
        f'<title id="{chart_id}-title">{text_content(title)}</title>'
        f'<desc id="{chart_id}-desc">{text_content(description)}</desc>'
        f"{body}</svg>"
    )


@dataclass(frozen=True)
class LinearScale:
    """Maps a domain [low, high] onto a pixel range [start, end] (end may be below start)."""

    low: float
    high: float
    start: float
    end: float

    def __call__(self, value: float) -> float:
        if self.high == self.low:
            return (self.start + self.end) / 2
        return self.start + (value - self.low) / (self.high - self.low) * (self.end - self.start)


def nice_step(span: float, ticks: int = 5) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about ``ticks`` intervals."""
    if span <= 0 or not math.isfinite(span):
        return 1.0
    raw = span / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power + 1e-12:
            return factor * power
    return 10 * power  # pragma: no cover - the loop always returns


def ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values from ``low`` to ``high`` inclusive (both assumed on the step)."""
    step = nice_step(high - low, count)
    first = math.ceil(low / step - 1e-9) * step
    values = []
    value = first
    while value <= high + step * 1e-9:
        values.append(round(value, 10))
        value += step
    return values


def padded_range(
    values: Iterable[float], *, floor: float | None = None, ceiling: float | None = None
) -> tuple[float, float]:
    """A value axis covering every value, widened to round numbers and clipped to bounds."""
    finite = [v for v in values if v is not None and math.isfinite(v)]
    if not finite:
        low, high = (floor or 0.0), (ceiling if ceiling is not None else 1.0)
        return low, high if high > low else low + 1
    low, high = min(finite), max(finite)
    if high == low:
        pad = abs(high) * 0.1 or 1.0
        low, high = low - pad, high + pad
    step = nice_step(high - low)
    low = math.floor(low / step) * step
    high = math.ceil(high / step) * step
    if floor is not None:
        low = max(low, floor)
    if ceiling is not None:
        high = min(high, ceiling)
    return low, high


def format_value(value: float | None, decimals: int = 1) -> str:
    """A figure for a label: fixed decimals, halves rounded up (as scores are published)."""
    if value is None:
        return "not available"
    from decimal import ROUND_HALF_UP, Decimal

    quantum = Decimal(1).scaleb(-decimals)
    return str(Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP))


def wrap_label(label: str, width: int) -> list[str]:
    """Split a label into lines of at most ``width`` characters, at spaces where possible."""
    words = label.split()
    lines: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}".strip()
        if len(candidate) <= width or not current:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines or [""]


def multiline_text(
    lines: Sequence[str], *, x: float, y: float, line_height: float, **attributes: object
) -> str:
    """A ``<text>`` of several lines (``<tspan>`` per line), the first on ``y``."""
    spans = "".join(
        element("tspan", text_content(line), x=num(x), dy=num(0 if i == 0 else line_height))
        for i, line in enumerate(lines)
    )
    return element("text", spans, x=num(x), y=num(y), **attributes)


def legend(
    entries: Sequence[tuple[str, dict[str, object]]], *, x: float, y: float, width: float
) -> tuple[str, float]:
    """A legend of line samples: (label, line attributes) per entry, wrapping into rows.

    Returns the markup and the height used.
    """
    parts: list[str] = []
    row_height = 24
    cursor_x, cursor_y = x, y
    for label, line_attributes in entries:
        needed = 40 + 8 + len(label) * 7.5 + 24
        if cursor_x > x and cursor_x + needed > x + width:
            cursor_x = x
            cursor_y += row_height
        sample_y = cursor_y + 8
        kind = line_attributes.get("kind", "line")
        drawing = {k: v for k, v in line_attributes.items() if k != "kind"}
        if kind == "dot":
            parts.append(
                element("circle", cx=num(cursor_x + 20), cy=num(sample_y), r="5", **drawing)
            )
        elif kind == "box":
            parts.append(
                element(
                    "rect",
                    x=num(cursor_x + 6),
                    y=num(sample_y - 7),
                    width="28",
                    height="14",
                    **drawing,
                )
            )
        else:
            parts.append(
                element(
                    "line",
                    x1=num(cursor_x),
                    y1=num(sample_y),
                    x2=num(cursor_x + 40),
                    y2=num(sample_y),
                    **drawing,
                )
            )
        parts.append(
            element(
                "text",
                text_content(label),
                x=num(cursor_x + 48),
                y=num(sample_y + 5),
                font_size=SMALL_FONT_SIZE,
            )
        )
        cursor_x += needed
    return "".join(parts), cursor_y - y + row_height


def value_axis(
    scale: LinearScale,
    tick_values: Sequence[float],
    *,
    left: float,
    right: float,
    label: str,
    decimals: int = 1,
    suffix: str = "",
) -> str:
    """Horizontal grid lines with tick labels on the left, and the axis title rotated."""
    parts = []
    for value in tick_values:
        y = scale(value)
        parts.append(
            element(
                "line",
                x1=num(left),
                y1=num(y),
                x2=num(right),
                y2=num(y),
                stroke=GRID,
                stroke_width="1",
            )
        )
        parts.append(
            element(
                "text",
                text_content(f"{format_value(value, decimals)}{suffix}"),
                x=num(left - 8),
                y=num(y + 5),
                text_anchor="end",
                font_size=SMALL_FONT_SIZE,
            )
        )
    middle = (scale.start + scale.end) / 2
    parts.append(
        element(
            "text",
            text_content(label),
            x=num(16),
            y=num(middle),
            transform=f"rotate(-90 16 {num(middle)})",
            text_anchor="middle",
            font_size=SMALL_FONT_SIZE,
        )
    )
    return "".join(parts)


def polyline_segments(
    points: Sequence[tuple[float, float] | None],
) -> list[list[tuple[float, float]]]:
    """Runs of consecutive points; a ``None`` (missing value) breaks the line."""
    runs: list[list[tuple[float, float]]] = []
    current: list[tuple[float, float]] = []
    for point in points:
        if point is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append(point)
    if current:
        runs.append(current)
    return runs


def path_data(run: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{'M' if i == 0 else 'L'}{num(x)} {num(y)}" for i, (x, y) in enumerate(run))
