"""Filters in the query string, so that every view can be linked.

Each page names the filters it takes. :func:`parse` reads them from a query string, keeping
what is valid and reporting what is not (an unknown value falls back to the default, with a
message, never an error page). :meth:`Filters.query` writes the canonical query string: every
filter the page takes, in a fixed order, so a link names exactly one view and stays the same
view when later data arrive (the year is always written out).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from . import definitions as d

FIELDS = (
    "source",
    "year",
    "setting",
    "measure",
    "group",
    "geography",
    "method",
    "threshold",
    "sort",
    "order",
)
SORTS = ("name", "score")
ORDERS = ("asc", "desc")


@dataclass(frozen=True)
class Filters:
    source: str = d.SOURCE_PUBLISHED
    year: int = 0
    setting: str = ""
    measure: str = d.OVERALL
    group: str = d.GROUP_SETTING
    geography: str = d.GEOGRAPHY_CURRENT
    method: str = "plain_mean"
    threshold: float = d.DEFAULT_FUNNEL_THRESHOLD
    sort: str = "name"
    order: str = "asc"
    #: The filters this page takes, in query-string order.
    fields: tuple[str, ...] = field(default=FIELDS, compare=False)

    def query(self, **changes: object) -> str:
        """The canonical query string (with ``changes`` applied), starting with "?"."""
        current = replace(self, **changes) if changes else self
        pairs = [(name, _text(getattr(current, name))) for name in FIELDS if name in current.fields]
        return "?" + urlencode(pairs)

    def as_dict(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in FIELDS if name in self.fields}


def _text(value: object) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


@dataclass(frozen=True)
class Choices:
    """What each filter may be on this page (a missing entry: anything of the right type)."""

    sources: Sequence[str] = d.SOURCES
    years: Mapping[str, Sequence[int]] = field(default_factory=dict)
    settings: Sequence[str] = ()
    measures: Sequence[str] = d.SCORE_MEASURES
    groups: Sequence[str] = d.GROUP_KINDS
    geographies: Sequence[str] = d.GEOGRAPHIES
    methods: Sequence[str] = tuple(d.METHOD_LABELS)
    thresholds: Sequence[float] = d.FUNNEL_THRESHOLDS
    #: Whether "no setting" (all settings) is allowed.
    any_setting: bool = True


@dataclass(frozen=True)
class Parsed:
    filters: Filters
    problems: list[str]


def parse(query: Mapping[str, str], *, defaults: Filters, choices: Choices) -> Parsed:
    """Filters from a query string; invalid values fall back to the defaults, with a message."""
    problems: list[str] = []
    values: dict[str, object] = {}

    def pick(name: str, allowed: Sequence[object], convert=str) -> None:
        if name not in defaults.fields or name not in query:
            return
        raw = query.get(name, "")
        try:
            value = convert(raw)
        except (TypeError, ValueError):
            problems.append(
                f"“{raw}” is not a valid {name}; showing {_text(getattr(defaults, name))} instead."
            )
            return
        if allowed and value not in allowed:
            problems.append(
                f"There is no {name} “{raw}” here; showing {_text(getattr(defaults, name)) or 'all'} instead."
            )
            return
        values[name] = value

    pick("source", choices.sources)
    source = str(values.get("source", defaults.source))
    years = choices.years.get(source, ())
    if "dataset" in query and "source" not in query and "year" not in query:
        # The filter form names a data set ("published-2025"): the same as source and year.
        source_text, _, year_text = str(query.get("dataset", "")).rpartition("-")
        query = {**query, "source": source_text, "year": year_text}
        pick("source", choices.sources)
        source = str(values.get("source", defaults.source))
        years = choices.years.get(source, ())
    pick("year", years, int)
    if years and values.get("year", defaults.year) not in years:
        # A source chosen without one of its years: its latest year.
        values["year"] = years[0]
    settings = list(choices.settings) + ([""] if choices.any_setting else [])
    pick("setting", settings)
    pick("measure", choices.measures)
    pick("group", choices.groups)
    pick("geography", choices.geographies)
    pick("method", choices.methods)
    pick("threshold", choices.thresholds, float)
    pick("sort", SORTS)
    pick("order", ORDERS)
    return Parsed(replace(defaults, **values), problems)
