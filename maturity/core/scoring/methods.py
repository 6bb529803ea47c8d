"""Plain-English descriptions of every scoring method, for the published methods page.

Each method is described once, next to the code that applies it (the ``RULES`` of each module);
this module gathers them with their kind and the scoring version.
"""

from __future__ import annotations

from . import aggregation, cqc, dmi, phases, rounding, stages, wgll
from .version import SCORING_VERSION

# (kind, rules) in the order the methods page lists them.
_SECTIONS: tuple[tuple[str, dict[str, tuple[str, str]]], ...] = (
    ("wgll", wgll.RULES),
    ("rounding", rounding.RULES),
    ("aggregation", aggregation.RULES),
    ("stage_model", stages.RULES),
    ("phase_model", phases.RULES),
    ("rating_model", cqc.RULES),
    ("lookup_model", dmi.RULES),
)

KIND_TITLES = {
    "wgll": "What Good Looks Like scores",
    "rounding": "Rounding for display",
    "aggregation": "Aggregating organisations",
    "stage_model": "Stage models",
    "phase_model": "Phase models",
    "rating_model": "Rating models",
    "lookup_model": "0-100 lookup models",
}


def describe_methods() -> list[dict[str, str]]:
    """Every method, rounding rule and model here: name, title, rule, kind, scoring version."""
    return [
        {
            "name": name,
            "title": title,
            "rule": rule,
            "kind": kind,
            "kind_title": KIND_TITLES[kind],
            "scoring_version": SCORING_VERSION,
        }
        for kind, rules in _SECTIONS
        for name, (title, rule) in rules.items()
    ]


def describe_method(name: str) -> dict[str, str]:
    """One method's description by name; raises ``KeyError`` for an unknown name."""
    for method in describe_methods():
        if method["name"] == name:
            return method
    raise KeyError(f"no scoring method named {name!r}")
