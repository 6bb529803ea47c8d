"""The methods page, generated from the code's own descriptions of its rules.

Scoring rules, rounding and aggregation come from :func:`maturity.core.scoring.describe_methods`,
statistics (deciles, percentiles, funnel limits, suppression) from
:func:`maturity.core.stats.describe_methods`, and the benchmark rules (peer groups, change,
"learn from", areas) from :data:`maturity.benchmarks.definitions.RULES`. A release stores the
page as it stood when published, so its methods can always be read back exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from maturity.core import scoring, stats

from . import definitions as d


def describe() -> dict[str, Any]:
    """Every method that produced the figures, as plain data (stored with each release)."""
    return {
        "scoring_version": scoring.SCORING_VERSION,
        "stats_version": stats.STATS_VERSION,
        "scoring": scoring.describe_methods(),
        "statistics": stats.describe_methods(),
        "benchmarks": [
            {
                "name": name,
                "title": title,
                "rule": rule,
                "kind": "benchmarks",
                "kind_title": "Benchmarks and dashboards",
            }
            for name, (title, rule) in d.RULES.items()
        ],
    }


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    methods: list[dict[str, str]]


def sections_from(described: dict[str, Any]) -> list[Section]:
    """Sections in reading order: how scores are made, then compared, then published."""
    order: list[tuple[str, str]] = []
    grouped: dict[str, list[dict[str, str]]] = {}
    for part in ("scoring", "benchmarks", "statistics"):
        for method in described.get(part, []):
            key = f"{part}-{method['kind']}"
            if key not in grouped:
                grouped[key] = []
                order.append((key, method["kind_title"]))
            grouped[key].append(method)
    merged: dict[str, Section] = {}
    for key, title in order:
        if title in merged:
            merged[title].methods.extend(grouped[key])
        else:
            merged[title] = Section(key, title, list(grouped[key]))
    return list(merged.values())


def sections() -> list[Section]:
    return sections_from(describe())


def markdown(described: dict[str, Any], *, heading: str) -> str:
    """The methods as Markdown, for the methods file of a release."""
    lines = [
        f"# {heading}",
        "",
        f"Scoring version {described['scoring_version']}; statistics version {described['stats_version']}.",
        "",
    ]
    for section in sections_from(described):
        lines += [f"## {section.title}", ""]
        for method in section.methods:
            lines += [f"### {method['title']} (`{method['name']}`)", "", method["rule"], ""]
    return "\n".join(lines)
