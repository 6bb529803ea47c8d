"""Server-rendered SVG charts: pure Python, no Django, no JavaScript.

Each function takes a frozen spec and returns SVG markup: an ``<svg role="img">`` labelled by its
``<title>`` and described by its ``<desc>`` (``aria-labelledby``), drawn with presentation
attributes only (no ``style`` attributes, which the Content Security Policy forbids). Pages put a
plain-English sentence and an accessible data table beside every chart.

Charts
    :func:`decile_chart`
        An organisation's line (solid) against its peer group's deciles (dashed) and median
        (long-dashed), as OpenPrescribing draws them.
    :func:`bar_chart`, :func:`dot_chart`
        Horizontal bars; dots per row and series (optionally joined, to show change).
    :func:`funnel_plot`
        Proportions against the number of cases, with 95% and 99.8% control limits.
    :func:`distribution_strip`
        Every value as a dot, one row per group, with the median and the 10th-90th centile band.
    :func:`trajectory_chart`
        Dated values against a target and a deadline, with a fitted trend and its interval.
"""

from .bars import Bar, BarChart, DotChart, DotSeries, bar_chart, dot_chart
from .decile import DecileChart, decile_chart
from .funnel import FunnelLine, FunnelPlot, FunnelPoint, funnel_plot
from .strip import DistributionStrip, StripRow, distribution_strip
from .svg import format_value
from .trajectory import (
    TrajectoryChart,
    TrajectoryPoint,
    format_number,
    trajectory_chart,
)

__all__ = [
    "Bar",
    "BarChart",
    "DecileChart",
    "DistributionStrip",
    "DotChart",
    "DotSeries",
    "FunnelLine",
    "FunnelPlot",
    "FunnelPoint",
    "StripRow",
    "TrajectoryChart",
    "TrajectoryPoint",
    "bar_chart",
    "decile_chart",
    "distribution_strip",
    "dot_chart",
    "format_number",
    "format_value",
    "funnel_plot",
    "trajectory_chart",
]
