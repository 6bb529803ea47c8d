"""Plain-English descriptions of every statistical method, for the published methods page.

Each method is described once, next to the code that applies it (the ``RULES`` of each module);
this module gathers them with their kind and the statistics version.
"""

from __future__ import annotations

from . import agreement, descriptive, disclosure, funnel, trajectory
from .version import STATS_VERSION

# (kind, title of the kind, rules) in the order the methods page lists them.
_SECTIONS: tuple[tuple[str, str, dict[str, tuple[str, str]]], ...] = (
    ("benchmark", "Benchmarks", descriptive.RULES),
    ("benchmark", "Benchmarks", funnel.RULES),
    ("calibration", "Reviewer calibration", agreement.RULES),
    ("commitments", "Commitments tracker", trajectory.RULES),
    ("publication", "Open data", disclosure.RULES),
)


def describe_methods() -> list[dict[str, str]]:
    """Every statistical method here: name, title, rule, kind, kind title, statistics version."""
    return [
        {
            "name": name,
            "title": title,
            "rule": rule,
            "kind": kind,
            "kind_title": kind_title,
            "stats_version": STATS_VERSION,
        }
        for kind, kind_title, rules in _SECTIONS
        for name, (title, rule) in rules.items()
    ]


def describe_method(name: str) -> dict[str, str]:
    """One method's description by name; raises ``KeyError`` for an unknown name."""
    for method in describe_methods():
        if method["name"] == name:
            return method
    raise KeyError(f"no statistical method named {name!r}")
