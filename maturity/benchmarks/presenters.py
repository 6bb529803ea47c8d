"""View-ready pages built from snapshots: charts, plain-English sentences and data tables.

Each page function reads through :mod:`.selectors` (snapshots only) with a fixed number of
queries, whatever the number of organisations, and returns a page object the template renders.
Figures are rounded only here, for display.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from maturity.charts import (
    Bar,
    BarChart,
    DecileChart,
    DistributionStrip,
    DotChart,
    DotSeries,
    FunnelLine,
    FunnelPlot,
    FunnelPoint,
    StripRow,
    bar_chart,
    decile_chart,
    distribution_strip,
    dot_chart,
    funnel_plot,
)
from maturity.core.stats import is_suppressed
from maturity.core.vocab import CareSetting
from maturity.organisations.models import Organisation, OrganisationKind

from . import definitions as d
from . import selectors
from .filters import Choices, Filters, parse
from .models import (
    AreaAggregate,
    AreaSummary,
    GroupBenchmark,
    OrganisationBenchmark,
    SnapshotBuild,
)
from .tables import Column, Table, ordinal, percentile_words, round_display

SUPPRESSED_NOTE = "not shown: fewer than 5 organisations"
CENTILE_KEYS = ("10", "20", "30", "40", "50", "60", "70", "80", "90")


@dataclass
class Chart:
    id: str
    title: str
    svg: str
    sentence: str
    table: Table | None = None


def fmt(value: float | None, decimals: int = 1) -> str:
    return "–" if value is None else round_display(value, decimals)


def signed(value: float, decimals: int = 1) -> str:
    text = round_display(value, decimals)
    return text if text.startswith("-") or float(text) == 0 else f"+{text}"


def setting_label(setting: str) -> str:
    return d.setting_label(setting) if setting else "All care settings"


def setting_order(setting: str) -> int:
    try:
        return list(CareSetting).index(CareSetting(setting))
    except ValueError:
        return 99


@dataclass
class DatasetInfo:
    """What a page says about the data it shows: source, year, demonstration or published."""

    build: SnapshotBuild
    label: str
    is_demonstration: bool
    is_published: bool

    @classmethod
    def of(cls, build: SnapshotBuild) -> DatasetInfo:
        label = {
            d.SOURCE_PUBLISHED: f"NHS England published results, {build.year}",
            d.SOURCE_DEMONSTRATION: f"Demonstration returns, {build.year} (generated, not real)",
            d.SOURCE_RETURNS: f"{build.title} returns, {build.year}",
        }[build.source]
        return cls(build, label, build.is_demonstration, build.source == d.SOURCE_PUBLISHED)


def dataset_options(catalogue: selectors.Catalogue) -> list[tuple[str, str]]:
    return [(b.dataset, DatasetInfo.of(b).label) for b in catalogue.builds]


def base_choices(catalogue: selectors.Catalogue) -> dict[str, Any]:
    return {
        "sources": catalogue.sources(),
        "years": {s: catalogue.years(s) for s in catalogue.sources()},
    }


def _editions(build: SnapshotBuild | None, catalogue: selectors.Catalogue):
    """The framework editions of the build's cycle, then of the other cycles' builds."""
    from maturity.frameworks.selectors import EditionNotFound, get_edition

    seen: set[str] = set()
    for candidate in ([build] if build is not None else []) + list(catalogue.builds):
        if not candidate.edition_id or candidate.edition_id in seen:
            continue
        seen.add(candidate.edition_id)
        try:
            yield get_edition(candidate.edition_id)
        except EditionNotFound:
            continue


def domain_names(build: SnapshotBuild | None, catalogue: selectors.Catalogue) -> dict[str, str]:
    """Domain id → name from the edition of a cycle's build (any cycle's, for published data)."""
    for edition in _editions(build, catalogue):
        return {domain.id: domain.name for domain in edition.domains}
    return {}


def question_texts(build: SnapshotBuild | None, catalogue: selectors.Catalogue) -> dict[str, str]:
    for edition in _editions(build, catalogue):
        return {q.id: q.text for q in edition.contextual_questions}
    return {}


def group_deciles(group: GroupBenchmark | None) -> dict[int, float] | None:
    if group is None or is_suppressed(group.n):
        return None
    return {int(k): v for k, v in group.deciles.items()}


# --- Organisation dashboard ----------------------------------------------------------------------


@dataclass
class DomainPosition:
    domain: str
    name: str
    pillar: str
    level: int
    median: float
    difference: float


@dataclass
class OrganisationPage:
    organisation: Organisation
    filters: Filters
    problems: list[str]
    dataset: DatasetInfo | None
    dataset_options: list[tuple[str, str]]
    row: OrganisationBenchmark | None
    settings: list[tuple[str, str]]
    group_label: str = ""
    group_n: int | None = None
    pillar_chart: Chart | None = None
    percentile_table: Table | None = None
    change_chart: Chart | None = None
    change_sentence: str = ""
    strengths: list[DomainPosition] = field(default_factory=list)
    gaps: list[DomainPosition] = field(default_factory=list)
    domain_table: Table | None = None
    domains_elsewhere: tuple[str, str] | None = None
    group_options: list[tuple[str, str]] = field(default_factory=list)
    learn_from: list[dict[str, Any]] = field(default_factory=list)
    weakest_label: str = ""
    lineage: selectors.Lineage | None = None
    is_area: bool = False
    empty_reason: str = ""

    def tables(self) -> list[Table]:
        found = [c.table for c in (self.pillar_chart, self.change_chart) if c and c.table]
        found += [t for t in (self.percentile_table, self.domain_table) if t]
        return found


ORG_FIELDS = ("source", "year", "setting", "group")


def organisation_page(
    organisation: Organisation, catalogue: selectors.Catalogue, query: dict[str, str]
) -> OrganisationPage:
    rows = selectors.organisation_rows(organisation, catalogue.builds)
    lineage = selectors.lineage(organisation)
    is_area = organisation.kind in (OrganisationKind.ICB, OrganisationKind.REGION)
    build_by_id = {b.pk: b for b in catalogue.builds}
    with_rows = [b for b in catalogue.builds if any(r.build_id == b.pk for r in rows)]
    default_build = next(
        (b for b in with_rows if d.PILLARS[0] in b.measures and b.source == d.SOURCE_PUBLISHED),
        None,
    ) or (with_rows[0] if with_rows else catalogue.default())
    defaults = Filters(
        source=default_build.source if default_build else d.SOURCE_PUBLISHED,
        year=default_build.year if default_build else 0,
        fields=ORG_FIELDS,
    )
    settings_all = sorted({r.care_setting for r in rows}, key=setting_order)
    parsed = parse(
        query,
        defaults=defaults,
        choices=Choices(**base_choices(catalogue), settings=settings_all, any_setting=True),
    )
    filters = parsed.filters
    build = catalogue.get(filters.source, filters.year)
    page = OrganisationPage(
        organisation=organisation,
        filters=filters,
        problems=parsed.problems,
        dataset=DatasetInfo.of(build) if build else None,
        dataset_options=dataset_options(catalogue),
        row=None,
        settings=[],
        lineage=lineage,
        is_area=is_area,
    )
    if build is None:
        page.empty_reason = "No benchmarks have been built yet."
        return page
    build_rows = [r for r in rows if r.build_id == build.pk]
    page.settings = [
        (r.care_setting, setting_label(r.care_setting))
        for r in sorted(build_rows, key=lambda r: setting_order(r.care_setting))
    ]
    if not build_rows:
        page.empty_reason = (
            f"There are no {DatasetInfo.of(build).label} for {organisation.name}."
            if rows
            else f"There are no results for {organisation.name} in any data set."
        )
        return page
    row = next((r for r in build_rows if r.care_setting == filters.setting), build_rows[0])
    if filters.setting != row.care_setting:
        filters = Filters(**{**filters.__dict__, "setting": row.care_setting})
        page.filters = filters
    page.row = row
    page.group_options = [(k, d.GROUP_KIND_LABELS[k]) for k in d.GROUP_KINDS if k in row.groups]
    kind = filters.group if filters.group in row.groups else d.GROUP_SETTING
    if kind != filters.group:
        page.problems.append(
            f"{organisation.name} is not in a “{d.GROUP_KIND_LABELS.get(filters.group, filters.group)}” "
            f"peer group in this data set; it is compared with "
            f"“{d.GROUP_KIND_LABELS[d.GROUP_SETTING]}” instead."
        )
        filters = Filters(**{**filters.__dict__, "group": kind})
        page.filters = filters
    keys = list(row.groups.items())
    groups = selectors.group_rows(build, keys)
    by_kind: dict[str, dict[str, GroupBenchmark]] = defaultdict(dict)
    for group in groups:
        by_kind[group.group_kind][group.measure] = group
    chosen = by_kind.get(kind, {})
    any_group = next(iter(chosen.values()), None)
    page.group_label = any_group.group_label if any_group else ""
    page.group_n = (
        chosen[d.OVERALL].n if d.OVERALL in chosen else (any_group.n if any_group else None)
    )
    page.pillar_chart = _pillar_chart(organisation, build, row, chosen, page.group_label)
    page.percentile_table = _percentile_table(row, by_kind)
    _change(page, organisation, build, catalogue, rows, build_by_id, row, kind)
    _domains(page, organisation, build, catalogue, rows, row, by_kind.get(d.GROUP_SETTING, {}))
    page.learn_from = row.learn_from
    page.weakest_label = d.measure_label(row.weakest) if row.weakest else ""
    return page


def _pillar_chart(
    organisation: Organisation,
    build: SnapshotBuild,
    row: OrganisationBenchmark,
    chosen: dict[str, GroupBenchmark],
    group_label: str,
) -> Chart:
    measures = [m for m in d.SCORE_MEASURES if m in row.values or m in chosen]
    values = [row.values.get(m) for m in measures]
    deciles = [group_deciles(chosen.get(m)) for m in measures]
    table = Table(
        id="pillars",
        caption=f"{organisation.name}: scores against {group_label or 'its peer group'}, {build.year}",
        columns=[
            Column("measure", "Pillar"),
            Column("value", "Score", numeric=True),
            Column("percentile", "Percentile in the peer group", numeric=True, decimals=0),
            Column("p10", "Peer 10th centile", numeric=True),
            Column("median", "Peer median", numeric=True),
            Column("p90", "Peer 90th centile", numeric=True),
            Column("n", "Organisations in the peer group", numeric=True, decimals=0),
        ],
        row_header="measure",
    )
    for measure in measures:
        group = chosen.get(measure)
        shown = group is not None and not is_suppressed(group.n)
        percentile = row.percentiles.get(group.group_kind, {}).get(measure) if group else None
        table.rows.append(
            {
                "measure": d.measure_label(measure),
                "value": row.values.get(measure),
                "value__note": "not published",
                "percentile": percentile,
                "percentile__note": SUPPRESSED_NOTE if group and not shown else "–",
                "p10": group.deciles.get("10") if shown else None,
                "median": group.median if shown else None,
                "p90": group.deciles.get("90") if shown else None,
                "p10__note": SUPPRESSED_NOTE if group else "–",
                "median__note": SUPPRESSED_NOTE if group else "–",
                "p90__note": SUPPRESSED_NOTE if group else "–",
                "n": group.n if shown else None,
                "n__note": "fewer than 5" if group else "–",
            }
        )
    sentence = _pillar_sentence(organisation, build, row, chosen, group_label)
    spec = DecileChart(
        chart_id="chart-pillars",
        title=f"{organisation.name}: pillar scores against the deciles of {group_label or 'its peer group'}, {build.year}",
        description=sentence,
        categories=[d.SHORT_PILLAR_LABELS[m] for m in measures],
        organisation=values,
        deciles=deciles,
        organisation_label=organisation.name
        if len(organisation.name) <= 40
        else "This organisation",
        peer_label="peer group",
    )
    return Chart("chart-pillars", spec.title, decile_chart(spec), sentence, table)


def _pillar_sentence(
    organisation: Organisation,
    build: SnapshotBuild,
    row: OrganisationBenchmark,
    chosen: dict[str, GroupBenchmark],
    group_label: str,
) -> str:
    parts = []
    overall = row.values.get(d.OVERALL)
    group = chosen.get(d.OVERALL)
    if overall is not None:
        text = f"In {build.year}, {organisation.name} scored {fmt(overall)} overall"
        if group is not None and not is_suppressed(group.n):
            percentile = row.percentiles.get(group.group_kind, {}).get(d.OVERALL)
            text += f", at the {percentile_words(percentile)} of {group_label.lower() if group_label else 'its peers'} (median {fmt(group.median)}, {group.n} organisations)"
        parts.append(text + ".")
    ranked = [
        (row.percentiles.get(chosen[m].group_kind, {}).get(m), m)
        for m in d.PILLARS
        if m in chosen and m in row.values and not is_suppressed(chosen[m].n)
    ]
    ranked = [(p, m) for p, m in ranked if p is not None]
    if len(ranked) >= 2:
        best, worst = max(ranked), min(ranked)
        parts.append(
            f"Against the same peers its relatively strongest pillar is {d.measure_label(best[1]).lower()} "
            f"({percentile_words(best[0])}) and its relatively weakest is {d.measure_label(worst[1]).lower()} "
            f"({percentile_words(worst[0])})."
        )
    elif not parts:
        present = [m for m in d.PILLARS if m in row.values]
        parts.append(
            f"{organisation.name} has {len(present)} pillar scores in this data set; the peer group is "
            "too small to show deciles."
            if present
            else "No pillar scores were published for this year."
        )
    return " ".join(parts)


def _percentile_table(
    row: OrganisationBenchmark, by_kind: dict[str, dict[str, GroupBenchmark]]
) -> Table:
    table = Table(
        id="percentiles",
        caption="Percentile of each score within each peer group (50 is the middle of the group)",
        columns=[Column("group", "Peer group")]
        + [
            Column(m, d.SHORT_PILLAR_LABELS[m], numeric=True, decimals=0)
            for m in d.SCORE_MEASURES
            if m in row.values
        ],
        row_header="group",
        empty="This organisation is in no peer group.",
    )
    for kind in d.GROUP_KINDS:
        groups = by_kind.get(kind)
        if not groups:
            continue
        label = next(iter(groups.values())).group_label
        entry: dict[str, Any] = {"group": label}
        for measure in d.SCORE_MEASURES:
            if measure not in row.values:
                continue
            entry[measure] = row.percentiles.get(kind, {}).get(measure)
            group = groups.get(measure)
            entry[f"{measure}__note"] = (
                SUPPRESSED_NOTE if group is not None and is_suppressed(group.n) else "–"
            )
        table.rows.append(entry)
    return table


def _change(
    page: OrganisationPage,
    organisation: Organisation,
    build: SnapshotBuild,
    catalogue: selectors.Catalogue,
    rows: list[OrganisationBenchmark],
    build_by_id: dict[int, SnapshotBuild],
    row: OrganisationBenchmark,
    kind: str,
) -> None:
    same_source = sorted(
        (b for b in catalogue.builds if b.source == build.source and b.year <= build.year),
        key=lambda b: b.year,
    )
    timeline = {
        build_by_id[r.build_id].year: r
        for r in rows
        if r.build_id in {b.pk for b in same_source} and r.care_setting == row.care_setting
    }
    previous = row.previous
    if previous:
        via = previous.get("via") or []
        change = previous["current"] - previous["overall"]
        text = (
            f"Over {previous['basis']}, the overall score went from {fmt(previous['overall'])} in "
            f"{previous['year']} to {fmt(previous['current'])} in {build.year} ({signed(change)})."
        )
        if via:
            text += (
                f" {organisation.name} has no {previous['year']} result of its own: the {previous['year']} "
                f"figure is the plain mean of its predecessors' ({', '.join(via)})."
            )
        page.change_sentence = text
    elif build.has_previous_year:
        page.change_sentence = (
            f"There is no comparable {build.year - 1} result for {organisation.name} in this care setting, "
            "so no change is shown."
        )
    else:
        page.change_sentence = (
            "This data set has no earlier year to compare with. Change is shown only between years "
            "of the same source, over comparable domains."
        )
    years = sorted(timeline)
    if len(years) < 2 and not previous:
        return
    group_key = row.groups.get(kind)
    history = selectors.group_history(same_source, kind, group_key, d.OVERALL)
    deciles_by_year = {g.build.year: group_deciles(g) for g in history}
    values = [timeline[y].values.get(d.OVERALL) if y in timeline else None for y in years]
    if previous and previous.get("via") and (build.year - 1) not in timeline:
        years = [build.year - 1, *years]
        values = [previous["overall"], *values]
    if len(years) < 2:
        return
    table = Table(
        id="change",
        caption=f"{organisation.name}: overall score by year ({setting_label(row.care_setting)})",
        columns=[
            Column("year", "Year"),
            Column("value", "Overall score", numeric=True),
            Column("median", "Peer median", numeric=True),
            Column("basis", "What the overall score is a mean of"),
        ],
        row_header="year",
    )
    for year, value in zip(years, values, strict=True):
        decile = deciles_by_year.get(year)
        table.rows.append(
            {
                "year": str(year),
                "value": value,
                "median": decile.get(50) if decile else None,
                "median__note": SUPPRESSED_NOTE if year in deciles_by_year else "–",
                "basis": timeline[year].overall_basis
                if year in timeline
                else (previous or {}).get("basis", ""),
            }
        )
    spec = DecileChart(
        chart_id="chart-change",
        title=f"{organisation.name}: overall score by year against its peers' deciles",
        description=page.change_sentence,
        categories=[str(y) for y in years],
        organisation=values,
        deciles=[deciles_by_year.get(y) for y in years],
        organisation_label=organisation.name
        if len(organisation.name) <= 40
        else "This organisation",
    )
    page.change_chart = Chart(
        "chart-change", spec.title, decile_chart(spec), page.change_sentence, table
    )


def _domains(
    page: OrganisationPage,
    organisation: Organisation,
    build: SnapshotBuild,
    catalogue: selectors.Catalogue,
    rows: list[OrganisationBenchmark],
    row: OrganisationBenchmark,
    setting_groups: dict[str, GroupBenchmark],
) -> None:
    levels = {m: v for m, v in row.values.items() if build.measures.get(m) == "level"}
    if not levels:
        elsewhere = [
            b
            for b in catalogue.builds
            if b.pk != build.pk
            and any(r.build_id == b.pk and r.care_setting == row.care_setting for r in rows)
            and any(kind == "level" for kind in b.measures.values())
        ]
        if elsewhere:
            from django.urls import reverse

            other = elsewhere[0]
            query = Filters(
                source=other.source, year=other.year, setting=row.care_setting, fields=ORG_FIELDS
            ).query()
            page.domains_elsewhere = (
                reverse("benchmarks:organisation", args=[organisation.ods_code]) + query,
                DatasetInfo.of(other).label,
            )
        return
    names = domain_names(build, catalogue)
    positions = []
    for domain, level in levels.items():
        group = setting_groups.get(domain)
        if group is None or is_suppressed(group.n):
            continue
        positions.append(
            DomainPosition(
                domain,
                names.get(domain, domain),
                domain.split(".")[0],
                int(level),
                group.median,
                level - group.median,
            )
        )
    positions.sort(key=lambda p: (-p.difference, p.name))
    page.strengths = [p for p in positions if p.difference >= 1][:5]
    page.gaps = sorted(
        [p for p in positions if p.difference <= -1], key=lambda p: (p.difference, p.name)
    )[:5]
    table = Table(
        id="domains",
        caption=f"{organisation.name}: domain levels against the median of {setting_label(row.care_setting).lower()} organisations in England",
        columns=[
            Column("name", "Domain"),
            Column("level", "Level", numeric=True, decimals=0),
            Column("median", "Median level in the care setting", numeric=True),
            Column("difference", "Difference", numeric=True),
        ],
        row_header="name",
    )
    for p in sorted(positions, key=lambda p: p.name):
        table.rows.append(
            {"name": p.name, "level": p.level, "median": p.median, "difference": p.difference}
        )
    page.domain_table = table


# --- Area dashboards (ICB, region) ----------------------------------------------------------------


@dataclass
class AreaPage:
    area: Organisation
    level: str
    filters: Filters
    problems: list[str]
    dataset: DatasetInfo | None
    dataset_options: list[tuple[str, str]]
    geography: str = d.GEOGRAPHY_CURRENT
    lineage: selectors.Lineage | None = None
    member_count: int = 0
    spread_chart: Chart | None = None
    members_table: Table | None = None
    methods_chart: Chart | None = None
    sensitivity_table: Table | None = None
    change_table: Table | None = None
    change_sentence: str = ""
    funnel_chart: Chart | None = None
    completion: dict[str, int] = field(default_factory=dict)
    completion_note: str = ""
    flags_table: Table | None = None
    flags_note: str = ""
    own_rows: list[tuple[SnapshotBuild, OrganisationBenchmark]] = field(default_factory=list)
    empty_reason: str = ""
    measure_options: list[tuple[str, str]] = field(default_factory=list)

    def tables(self) -> list[Table]:
        found = [
            c.table
            for c in (self.spread_chart, self.methods_chart, self.funnel_chart)
            if c and c.table
        ]
        found += [
            t
            for t in (
                self.members_table,
                self.sensitivity_table,
                self.change_table,
                self.flags_table,
            )
            if t
        ]
        return found


AREA_FIELDS = ("source", "year", "measure", "method", "sort", "order")


def area_page(
    area: Organisation, catalogue: selectors.Catalogue, query: dict[str, str]
) -> AreaPage:
    level = d.LEVEL_ICB if area.kind == OrganisationKind.ICB else d.LEVEL_REGION
    default_build = catalogue.default()
    defaults = Filters(
        source=default_build.source if default_build else d.SOURCE_PUBLISHED,
        year=default_build.year if default_build else 0,
        fields=AREA_FIELDS,
    )
    parsed = parse(query, defaults=defaults, choices=Choices(**base_choices(catalogue)))
    filters = parsed.filters
    build = catalogue.get(filters.source, filters.year)
    page = AreaPage(
        area=area,
        level=level,
        filters=filters,
        problems=parsed.problems,
        dataset=DatasetInfo.of(build) if build else None,
        dataset_options=dataset_options(catalogue),
        lineage=selectors.lineage(area),
    )
    if build is None:
        page.empty_reason = "No benchmarks have been built yet."
        return page
    measures = [m for m in d.SCORE_MEASURES if m in build.measures]
    page.measure_options = [(m, d.measure_label(m)) for m in measures]
    if filters.measure not in measures and measures:
        page.problems.append(
            f"{DatasetInfo.of(build).label} have no {d.measure_label(filters.measure).lower()}; showing the overall score."
        )
        filters = Filters(
            **{**filters.__dict__, "measure": d.OVERALL if d.OVERALL in measures else measures[0]}
        )
        page.filters = filters
    geography = selectors.area_geography(area, build)
    page.geography = geography
    measure = filters.measure
    label = d.measure_label(measure)
    members = selectors.area_members(build, area, geography, measure)
    page.member_count = len(members)
    # England's distribution in each care setting, for context.
    national = {
        g.care_setting: g
        for g in selectors.groups_of_kind(build, d.GROUP_SETTING, measures=[measure])
    }
    page.spread_chart, page.members_table = _spread(
        area, build, members, national, measure, label, filters
    )
    aggregates = selectors.area_aggregates(build, level, geography, measures=[measure])
    nation = selectors.area_aggregates(
        build, d.LEVEL_NATION, d.GEOGRAPHY_CURRENT, measures=[measure]
    )
    page.methods_chart = _methods_chart(area, build, aggregates, nation, measure, label)
    page.sensitivity_table = _sensitivity_table(area, aggregates, filters, level, measure, label)
    _area_change(page, area, build, catalogue, level, geography)
    page.funnel_chart = _funnel_chart(
        build,
        level,
        geography,
        measure if measure in d.SCORE_MEASURES else d.OVERALL,
        d.DEFAULT_FUNNEL_THRESHOLD,
        highlight=area,
    )
    summary = selectors.area_summary(build, area, geography)
    if summary is not None:
        page.completion = summary.completion
    if build.source == d.SOURCE_PUBLISHED:
        page.completion_note = (
            "NHS England reports a 100% return from trusts and integrated care boards in its "
            f"{build.year} collection; the organisations it published results for are listed above."
        )
    elif not page.completion:
        page.completion_note = "No returns in this cycle belong to organisations in this area."
    page.flags_table, page.flags_note = _flags(build, summary)
    own = selectors.own_rows(
        [area, *[s.predecessor for s in (page.lineage.predecessors if page.lineage else [])]],
        catalogue.builds,
    )
    page.own_rows = [(r.build, r) for r in own]
    if not members:
        page.empty_reason = f"No providers in {area.name} have results in this data set."
    return page


def _spread(
    area: Organisation,
    build: SnapshotBuild,
    members: list[selectors.Member],
    national: dict[str, GroupBenchmark],
    measure: str,
    label: str,
    filters: Filters,
) -> tuple[Chart | None, Table]:
    table = Table(
        id="members",
        caption=f"Providers in {area.name}: {label.lower()}, {build.year}",
        columns=[
            Column("name", "Organisation", sort="name"),
            Column("setting", "Care setting"),
            Column("value", label, numeric=True, sort="score"),
            Column(
                "percentile",
                "Percentile among the same care setting in England",
                numeric=True,
                decimals=0,
            ),
        ],
        row_header="name",
        empty=f"No providers in {area.name} have results in this data set.",
    )
    entries = []
    href = _org_hrefs(filters)
    for member in members:
        entries.append(
            {
                "name": member.name,
                "name__href": href(member.ods_code, member.care_setting),
                "setting": setting_label(member.care_setting),
                "value": member.value,
                "value__note": "not published",
                "percentile": member.percentile,
                "percentile__note": SUPPRESSED_NOTE,
            }
        )
    if filters.sort == "score":
        present = [e for e in entries if e["value"] is not None]
        missing = [e for e in entries if e["value"] is None]
        present.sort(key=lambda e: (e["value"], e["name"]), reverse=filters.order == "desc")
        entries = present + missing
    elif filters.order == "desc":
        entries.reverse()
    table.rows = entries
    by_setting: dict[str, list[float]] = defaultdict(list)
    for member in members:
        if member.value is not None:
            by_setting[member.care_setting].append(member.value)
    if not by_setting:
        return None, table
    strip_rows = []
    for setting in sorted(by_setting, key=setting_order):
        group = national.get(setting)
        shown = group is not None and not is_suppressed(group.n)
        strip_rows.append(
            StripRow(
                label=setting_label(setting),
                values=[],
                highlight=by_setting[setting],
                median=group.median if shown else None,
                band=(group.deciles["10"], group.deciles["90"]) if shown else None,
            )
        )
    counts = ", ".join(
        f"{len(v)} {d.SETTING_PLURALS.get(s, s)}"
        for s, v in sorted(by_setting.items(), key=lambda i: setting_order(i[0]))
    )
    sentence = (
        f"The {label.lower()} of each of the {sum(len(v) for v in by_setting.values())} providers in {area.name} "
        f"({counts}) in {build.year}, each against the middle 80% (10th to 90th centile) and the median of "
        "the same care setting in England."
    )
    spec = DistributionStrip(
        chart_id="chart-spread",
        title=f"Spread of {label.lower()} across the providers in {area.name}, {build.year}",
        description=sentence,
        rows=strip_rows,
        x_label=f"{label} (1 to 5)" if measure in d.SCORE_MEASURES else label,
        x_min=1.0,
        x_max=5.0,
        highlight_label=f"A provider in this {'ICB' if area.kind == OrganisationKind.ICB else 'region'}",
    )
    return Chart("chart-spread", spec.title, distribution_strip(spec), sentence, None), table


def _org_href(organisation: Organisation, filters: Filters, setting: str) -> str:
    from django.urls import reverse

    query = Filters(
        source=filters.source, year=filters.year, setting=setting, fields=ORG_FIELDS
    ).query()
    return reverse("benchmarks:organisation", args=[organisation.ods_code]) + query


def _org_hrefs(filters: Filters) -> Callable[[str, str], str]:
    """``_org_href`` for many organisations: the URL pattern is reversed once and each care
    setting's query string built once (an area table can have thousands of rows)."""
    from django.urls import reverse

    marker = "ODSCODE"
    pattern = reverse("benchmarks:organisation", args=[marker])
    queries: dict[str, str] = {}

    def href(ods_code: str, setting: str) -> str:
        if setting not in queries:
            queries[setting] = Filters(
                source=filters.source, year=filters.year, setting=setting, fields=ORG_FIELDS
            ).query()
        return pattern.replace(marker, quote(ods_code)) + queries[setting]

    return href


def _area_href(area: Organisation, filters: Filters, **changes: object) -> str:
    from django.urls import reverse

    name = "benchmarks:icb" if area.kind == OrganisationKind.ICB else "benchmarks:region"
    query = Filters(
        source=filters.source, year=filters.year, measure=filters.measure, fields=AREA_FIELDS
    ).query(**changes)
    return reverse(name, args=[area.ods_code]) + query


def _methods_chart(
    area: Organisation,
    build: SnapshotBuild,
    aggregates: list[AreaAggregate],
    nation: list[AreaAggregate],
    measure: str,
    label: str,
) -> Chart:
    mine = {a.method: a for a in aggregates if a.area_id == area.pk}
    england = {a.method: a for a in nation}
    table = Table(
        id="methods",
        caption=f"{area.name}: {label.lower()} aggregated by each method, {build.year}",
        columns=[
            Column("method", "Method"),
            Column("value", area.name if len(area.name) < 60 else "This area", numeric=True),
            Column("rank", "Rank (1 = highest)"),
            Column("england", "England", numeric=True),
            Column("description", "How it was computed"),
        ],
        row_header="method",
        empty="This area has no aggregate in this data set.",
    )
    bars = []
    for method, title in d.METHOD_LABELS.items():
        aggregate = mine.get(method)
        if aggregate is None:
            continue
        small = is_suppressed(aggregate.n)
        value = None if small else aggregate.value
        table.rows.append(
            {
                "method": title,
                "value": value,
                "value__note": SUPPRESSED_NOTE if small else "not available",
                "rank": f"{aggregate.rank} of {aggregate.ranked}"
                if aggregate.rank
                else "not ranked",
                "england": england[method].value if method in england else None,
                "description": aggregate.description,
            }
        )
        bars.append(
            Bar(
                d.METHOD_SHORT_LABELS[method],
                value,
                note=SUPPRESSED_NOTE if small else "not available",
            )
        )
    reference = england.get("plain_mean")
    values = [r["value"] for r in table.rows if r["value"] is not None]
    if values:
        spread = max(values) - min(values)
        sentence = (
            f"Aggregated three ways, {area.name}'s {label.lower()} in {build.year} is "
            + ", ".join(
                f"{fmt(r['value'], 2)} ({r['method'].lower()})"
                for r in table.rows
                if r["value"] is not None
            )
            + f": the choice of method moves it by {fmt(spread, 2)}."
        )
    elif table.rows:
        sentence = f"{area.name} has fewer than 5 providers with results, so its aggregates are not shown (small groups are suppressed)."
    else:
        sentence = f"{area.name} has no providers with results in this data set."
    spec = BarChart(
        chart_id="chart-methods",
        title=f"{area.name}: {label.lower()} under each aggregation method, {build.year}",
        description=sentence,
        bars=bars,
        x_label=f"{label} (1 to 5)",
        x_min=0.0,
        x_max=5.0,
        decimals=2,
        reference=reference.value if reference else None,
        reference_label="England, plain mean",
    )
    # With every figure suppressed there is nothing to draw: the sentence and table say why.
    svg = bar_chart(spec) if values else ""
    return Chart("chart-methods", spec.title, svg, sentence, table)


FLAG_STATUSES = (("open", "Open"), ("queried", "Queried"), ("cleared", "Cleared"))


def _flags(build: SnapshotBuild, summary: AreaSummary | None) -> tuple[Table | None, str]:
    """The area's validation flags by kind and status, as counted in the snapshot."""
    if build.source == d.SOURCE_PUBLISHED:
        return None, (
            "Validation flags are raised on returns to a cycle on this platform. NHS England "
            "validated its published results before publishing them; there are no flags here."
        )
    counts: dict[str, dict[str, int]] = summary.flags if summary is not None else {}
    if not counts:
        return None, (
            "No validation flags have been raised on the returns of organisations in this area "
            "(flags are raised during the cycle's validation stage)."
        )
    labels = selectors.flag_kind_labels()
    table = Table(
        id="flags",
        caption="Validation flags on the returns of organisations in this area, by status",
        columns=[
            Column("kind", "Reason for the flag"),
            *[Column(status, label, numeric=True, decimals=0) for status, label in FLAG_STATUSES],
            Column("total", "All flags", numeric=True, decimals=0),
        ],
        row_header="kind",
    )
    for kind in [k for k in labels if k in counts] + sorted(set(counts) - set(labels)):
        statuses = counts[kind]
        row: dict[str, Any] = {"kind": labels.get(kind, kind)}
        row.update({status: statuses.get(status, 0) for status, _ in FLAG_STATUSES})
        row["total"] = sum(statuses.values())
        table.rows.append(row)
    open_flags = sum(row["open"] for row in table.rows)
    total = sum(row["total"] for row in table.rows)
    sentence = (
        f"{total} validation flag{'s' if total != 1 else ''} {'has' if total == 1 else 'have'} "
        f"been raised on returns in this area; {open_flags} "
        f"{'is' if open_flags == 1 else 'are'} still open for a system lead or regional "
        "validator to clear or query."
    )
    return table, sentence


def _sensitivity_table(
    area: Organisation | None,
    aggregates: list[AreaAggregate],
    filters: Filters,
    level: str,
    measure: str,
    label: str,
) -> Table:
    noun = "ICB" if level == d.LEVEL_ICB else "Region"
    table = Table(
        id="sensitivity",
        caption=f"How each {noun.lower()}'s rank on {label.lower()} moves between aggregation methods",
        columns=[
            Column("name", noun, sort="name"),
            Column("n", "Providers", numeric=True, decimals=0),
            *[
                Column(
                    f"value_{m}",
                    f"{d.METHOD_SHORT_LABELS[m]}",
                    numeric=True,
                    decimals=2,
                    sort="score" if m == filters.method else "",
                )
                for m in d.METHOD_LABELS
            ],
            *[
                Column(
                    f"rank_{m}",
                    f"Rank, {d.METHOD_SHORT_LABELS[m].lower()}",
                    numeric=True,
                    decimals=0,
                )
                for m in d.METHOD_LABELS
            ],
            Column("move", "Largest move in rank", numeric=True, decimals=0),
        ],
        row_header="name",
        empty="There are no aggregates in this data set.",
    )
    by_area: dict[int, dict[str, AreaAggregate]] = defaultdict(dict)
    names: dict[int, Organisation] = {}
    for aggregate in aggregates:
        by_area[aggregate.area_id][aggregate.method] = aggregate
        names[aggregate.area_id] = aggregate.area
    entries = []
    for area_id, methods in by_area.items():
        organisation = names[area_id]
        n = next(iter(methods.values())).n
        small = is_suppressed(n)
        entry: dict[str, Any] = {
            "name": organisation.name,
            "name__href": _area_href(organisation, filters),
            "n": n,
        }
        ranks = []
        for method in d.METHOD_LABELS:
            aggregate = methods.get(method)
            entry[f"value_{method}"] = None if small or aggregate is None else aggregate.value
            entry[f"value_{method}__note"] = SUPPRESSED_NOTE if small else "not available"
            entry[f"rank_{method}"] = aggregate.rank if aggregate else None
            entry[f"rank_{method}__note"] = "not ranked"
            if aggregate and aggregate.rank:
                ranks.append(aggregate.rank)
        entry["move"] = (max(ranks) - min(ranks)) if len(ranks) >= 2 else None
        entry["move__note"] = "–"
        entry["_highlight"] = area is not None and area_id == area.pk
        entries.append(entry)
    if filters.sort == "score":
        key = f"value_{filters.method}"
        present = [e for e in entries if e[key] is not None]
        missing = [e for e in entries if e[key] is None]
        present.sort(key=lambda e: (e[key], e["name"]), reverse=filters.order == "desc")
        entries = present + sorted(missing, key=lambda e: e["name"])
    else:
        entries.sort(key=lambda e: e["name"], reverse=filters.order == "desc")
    table.rows = entries
    return table


def _area_change(
    page: AreaPage,
    area: Organisation,
    build: SnapshotBuild,
    catalogue: selectors.Catalogue,
    level: str,
    geography: str,
) -> None:
    previous = catalogue.previous(build)
    if previous is None:
        page.change_sentence = "This data set has no earlier year to compare with."
        return
    rows = selectors.area_history([build, previous], level, geography, area, d.OVERALL)
    found: dict[tuple[int, str], AreaAggregate] = {(a.build.year, a.method): a for a in rows}
    table = Table(
        id="area-change",
        caption=f"{area.name}: overall score in {previous.year} and {build.year}, by method ({d.GEOGRAPHY_LABELS[geography].lower()})",
        columns=[
            Column("method", "Method"),
            Column("before", str(previous.year), numeric=True, decimals=2),
            Column("after", str(build.year), numeric=True, decimals=2),
            Column("change", "Change", numeric=True, decimals=2),
        ],
        row_header="method",
        empty="There is no overall score for both years.",
    )
    for method, title in d.METHOD_LABELS.items():
        before, after = found.get((previous.year, method)), found.get((build.year, method))
        if before is None or after is None:
            continue
        small = is_suppressed(before.n) or is_suppressed(after.n)
        b = None if small else before.value
        a = None if small else after.value
        table.rows.append(
            {
                "method": title,
                "before": b,
                "after": a,
                "change": (a - b) if a is not None and b is not None else None,
                "before__note": SUPPRESSED_NOTE,
                "after__note": SUPPRESSED_NOTE,
                "change__note": "–",
            }
        )
    page.change_table = table
    boundary = (
        "grouping every provider by today's ICB boundaries for both years, so the comparison holds across the 2026 ICB mergers"
        if geography == d.GEOGRAPHY_CURRENT
        else f"using the boundaries of {area.name} when the data were collected"
    )
    page.change_sentence = (
        f"The overall score compares the domains comparable between {previous.year} and {build.year}; "
        f"the figures below aggregate the same providers' scores for both years, {boundary}."
    )


def _funnel_chart(
    build: SnapshotBuild,
    level: str,
    geography: str,
    measure: str,
    threshold: float,
    *,
    highlight: Organisation | None = None,
    names: dict[str, str] | None = None,
) -> Chart | None:
    target, points = selectors.funnel(build, level, geography, measure, threshold)
    if target is None:
        return None
    label = d.measure_label(measure, names)
    noun = "ICB" if level == d.LEVEL_ICB else "region"
    threshold_text = f"{threshold:g}"
    curve = [FunnelLine(int(c[0]), c[1], c[2], c[3], c[4]) for c in target.curve]
    shown = [p for p in points if not is_suppressed(p.n)]
    chart_points = [
        FunnelPoint(
            label=p.area.name.replace("Integrated Care Board", "ICB").replace("NHS ", ""),
            n=p.n,
            proportion=p.proportion,
            position=p.position,
            highlight=highlight is not None and p.area_id == highlight.pk,
        )
        for p in shown
    ]
    outside = [p for p in shown if p.position != "within"]
    sentence = (
        f"Across England, {fmt(100 * target.p0, 0)}% of {target.total_n} providers have a "
        f"{label.lower()} of {threshold_text} or more. Each dot is one {noun} ({len(shown)} shown; "
        f"{len(points) - len(shown)} with fewer than 5 providers are not shown). "
    )
    sentence += (
        f"{len(outside)} lie outside the 95% limits, more than chance alone would explain: "
        + "; ".join(f"{p.area.name} ({p.x} of {p.n})" for p in outside[:6])
        + ("…" if len(outside) > 6 else "")
        + "."
        if outside
        else "None lies outside the 95% limits: the differences between them are within what chance would give."
    )
    if highlight is not None:
        mine = next((p for p in points if p.area_id == highlight.pk), None)
        if mine is not None and not is_suppressed(mine.n):
            sentence += f" {highlight.name}: {mine.x} of {mine.n} providers ({fmt(100 * mine.proportion, 0)}%), {_position_words(mine.position)}."
        elif mine is not None:
            sentence += (
                f" {highlight.name} has fewer than 5 providers with results, so it is not shown."
            )
    table = Table(
        id=f"funnel-{level}",
        caption=f"Providers with a {label.lower()} of {threshold_text} or more, by {noun}, with funnel limits",
        columns=[
            Column("name", noun.capitalize()),
            Column("x", f"At {threshold_text} or more", numeric=True, decimals=0),
            Column("n", "Providers", numeric=True, decimals=0),
            Column("proportion", "Proportion", numeric=True, decimals=0, suffix="%"),
            Column("lower95", "95% lower limit", numeric=True, decimals=0, suffix="%"),
            Column("upper95", "95% upper limit", numeric=True, decimals=0, suffix="%"),
            Column("position", "Position"),
        ],
        row_header="name",
    )
    for p in points:
        small = is_suppressed(p.n)
        table.rows.append(
            {
                "name": p.area.name,
                "x": None if small else p.x,
                "n": None if small else p.n,
                "proportion": None if small else 100 * p.proportion,
                "lower95": None if small else 100 * p.lower95,
                "upper95": None if small else 100 * p.upper95,
                "position": SUPPRESSED_NOTE if small else _position_words(p.position),
                **{
                    f"{k}__note": SUPPRESSED_NOTE
                    for k in ("x", "n", "proportion", "lower95", "upper95")
                },
            }
        )
    spec = FunnelPlot(
        chart_id=f"chart-funnel-{level}",
        title=f"Funnel plot: proportion of providers with a {label.lower()} of {threshold_text} or more, by {noun}, {build.year}",
        description=sentence,
        points=chart_points,
        curve=curve,
        target=target.p0,
        x_label=f"Providers in the {noun}",
        y_label=f"At {threshold_text} or more (%)",
    )
    return Chart(spec.chart_id, spec.title, funnel_plot(spec), sentence, table)


POSITION_WORDS = {
    "within": "within the 95% limits",
    "above_95": "above the 95% limit",
    "above_998": "above the 99.8% limit",
    "below_95": "below the 95% limit",
    "below_998": "below the 99.8% limit",
}


def _position_words(position: str) -> str:
    return POSITION_WORDS.get(position, position)


# --- National view -------------------------------------------------------------------------------


@dataclass
class NationalPage:
    filters: Filters
    problems: list[str]
    dataset: DatasetInfo | None
    dataset_options: list[tuple[str, str]]
    medians_table: Table | None = None
    distribution_chart: Chart | None = None
    change_chart: Chart | None = None
    areas: dict[str, list[Organisation]] = field(default_factory=dict)
    measure_options: list[tuple[str, str]] = field(default_factory=list)
    empty_reason: str = ""

    def tables(self) -> list[Table]:
        found = [c.table for c in (self.distribution_chart, self.change_chart) if c and c.table]
        return found + ([self.medians_table] if self.medians_table else [])


NATIONAL_FIELDS = ("source", "year", "measure")


def national_page(catalogue: selectors.Catalogue, query: dict[str, str]) -> NationalPage:
    default_build = catalogue.default()
    defaults = Filters(
        source=default_build.source if default_build else d.SOURCE_PUBLISHED,
        year=default_build.year if default_build else 0,
        fields=NATIONAL_FIELDS,
    )
    parsed = parse(query, defaults=defaults, choices=Choices(**base_choices(catalogue)))
    filters = parsed.filters
    build = catalogue.get(filters.source, filters.year)
    page = NationalPage(
        filters,
        parsed.problems,
        DatasetInfo.of(build) if build else None,
        dataset_options(catalogue),
    )
    if build is None:
        page.empty_reason = "No benchmarks have been built yet: run `maturity build_benchmarks`."
        return page
    measures = [m for m in d.SCORE_MEASURES if m in build.measures]
    page.measure_options = [(m, d.measure_label(m)) for m in measures]
    if filters.measure not in measures and measures:
        page.problems.append(
            f"This data set has no {d.measure_label(filters.measure).lower()}; showing the overall score."
        )
        filters = Filters(
            **{**filters.__dict__, "measure": d.OVERALL if d.OVERALL in measures else measures[0]}
        )
        page.filters = filters
    groups = selectors.groups_of_kind(
        build, d.GROUP_SETTING, measures=[*measures, d.CHANGE_OVERALL]
    )
    by_setting: dict[str, dict[str, GroupBenchmark]] = defaultdict(dict)
    for group in groups:
        by_setting[group.care_setting][group.measure] = group
    settings = sorted(by_setting, key=setting_order)
    page.medians_table = _medians_table(build, settings, by_setting, measures)
    page.distribution_chart = _distribution_chart(build, settings, by_setting, filters.measure)
    previous = catalogue.previous(build)
    page.change_chart = _national_change(build, previous, settings, by_setting)
    for level in (d.LEVEL_REGION, d.LEVEL_ICB):
        page.areas[level] = sorted(
            {
                a.area
                for a in selectors.area_aggregates(
                    build, level, d.GEOGRAPHY_CURRENT, measures=[d.OVERALL]
                )
                if a.method == "plain_mean"
            },
            key=lambda o: o.name,
        )
    return page


def _medians_table(
    build: SnapshotBuild,
    settings: list[str],
    by_setting: dict[str, dict[str, GroupBenchmark]],
    measures: list[str],
) -> Table:
    table = Table(
        id="medians",
        caption=f"Median score by pillar and care setting, England, {build.year} (number of organisations in brackets in the CSV)",
        columns=[
            Column("setting", "Care setting"),
            Column("n", "Organisations", numeric=True, decimals=0),
        ]
        + [Column(m, d.SHORT_PILLAR_LABELS[m], numeric=True) for m in measures],
        row_header="setting",
    )
    for setting in settings:
        groups = by_setting[setting]
        n = max((g.n for g in groups.values() if g.measure in measures), default=0)
        entry: dict[str, Any] = {"setting": setting_label(setting), "n": n}
        for measure in measures:
            group = groups.get(measure)
            small = group is not None and is_suppressed(group.n)
            entry[measure] = None if group is None or small else group.median
            entry[f"{measure}__note"] = SUPPRESSED_NOTE if small else "not published"
        table.rows.append(entry)
    return table


def _decile_table(
    table_id: str, caption: str, groups: list[tuple[str, GroupBenchmark]], decimals: int = 1
) -> Table:
    table = Table(
        id=table_id,
        caption=caption,
        columns=[
            Column("setting", "Care setting"),
            Column("n", "Organisations", numeric=True, decimals=0),
        ]
        + [
            Column(
                f"p{c}",
                "Median" if c == "50" else f"{ordinal(int(c))} centile",
                numeric=True,
                decimals=decimals,
            )
            for c in CENTILE_KEYS
        ],
        row_header="setting",
    )
    for setting, group in groups:
        small = is_suppressed(group.n)
        entry: dict[str, Any] = {"setting": setting_label(setting), "n": group.n}
        for c in CENTILE_KEYS:
            entry[f"p{c}"] = None if small else group.deciles[c]
            entry[f"p{c}__note"] = SUPPRESSED_NOTE
        table.rows.append(entry)
    return table


def _decile_rows(groups: list[tuple[str, GroupBenchmark]]) -> list[StripRow]:
    rows = []
    for setting, group in groups:
        small = is_suppressed(group.n)
        rows.append(
            StripRow(
                label=setting_label(setting),
                values=[] if small else [group.deciles[c] for c in CENTILE_KEYS if c != "50"],
                median=None if small else group.median,
                band=None if small else (group.deciles["10"], group.deciles["90"]),
                note=SUPPRESSED_NOTE if small else "",
            )
        )
    return rows


def _distribution_chart(
    build: SnapshotBuild,
    settings: list[str],
    by_setting: dict[str, dict[str, GroupBenchmark]],
    measure: str,
    *,
    chart_id: str = "chart-distribution",
    table_id: str = "distribution",
) -> Chart:
    label = d.measure_label(measure)
    groups = [(s, by_setting[s][measure]) for s in settings if measure in by_setting[s]]
    table = _decile_table(
        table_id, f"{label}: deciles by care setting, England, {build.year}", groups
    )
    shown = [(s, g) for s, g in groups if not is_suppressed(g.n)]
    if shown:
        high = max(shown, key=lambda i: i[1].median)
        low = min(shown, key=lambda i: i[1].median)
        sentence = (
            f"In {build.year}, the median {label.lower()} ranged from {fmt(low[1].median)} among "
            f"{d.SETTING_PLURALS.get(low[0], low[0])} to {fmt(high[1].median)} among "
            f"{d.SETTING_PLURALS.get(high[0], high[0])}. Each dot is a decile; the shaded band holds the "
            "middle 80% of organisations in each care setting."
        )
    else:
        sentence = f"There are no {label.lower()} figures to show for {build.year}."
    spec = DistributionStrip(
        chart_id=chart_id,
        title=f"{label}: distribution by care setting, England, {build.year}",
        description=sentence,
        rows=_decile_rows(groups),
        x_label=f"{label} (1 to 5)",
        x_min=1.0,
        x_max=5.0,
        values_label="A decile (10th, 20th … 90th centile)",
    )
    return Chart(chart_id, spec.title, distribution_strip(spec), sentence, table)


def _national_change(
    build: SnapshotBuild,
    previous: SnapshotBuild | None,
    settings: list[str],
    by_setting: dict[str, dict[str, GroupBenchmark]],
) -> Chart | None:
    changes = {
        s: by_setting[s][d.CHANGE_OVERALL] for s in settings if d.CHANGE_OVERALL in by_setting[s]
    }
    if previous is None or not changes:
        return None
    before = {
        g.care_setting: g
        for g in selectors.groups_of_kind(previous, d.GROUP_SETTING, measures=[d.OVERALL])
    }
    rows = [s for s in settings if s in changes]
    table = Table(
        id="national-change",
        caption=f"Change in the overall score from {previous.year} to {build.year}, by care setting (comparable domains only)",
        columns=[
            Column("setting", "Care setting"),
            Column("before", f"Median {previous.year}", numeric=True),
            Column("after", f"Median {build.year}", numeric=True),
            Column("median_change", "Median change", numeric=True),
            Column("n", "Organisations with both years", numeric=True, decimals=0),
            Column("improved", "Improved", numeric=True, decimals=0),
            Column("declined", "Declined", numeric=True, decimals=0),
        ],
        row_header="setting",
    )
    before_values, after_values = [], []
    for setting in rows:
        change = changes[setting]
        small = is_suppressed(change.n)
        b = before.get(setting)
        a = by_setting[setting].get(d.OVERALL)
        b_value = b.median if b is not None and not is_suppressed(b.n) else None
        a_value = a.median if a is not None and not is_suppressed(a.n) else None
        before_values.append(b_value)
        after_values.append(a_value)
        table.rows.append(
            {
                "setting": setting_label(setting),
                "before": b_value,
                "after": a_value,
                "median_change": None if small else change.median,
                "n": None if small else change.n,
                "improved": None if small else change.extra.get("improved"),
                "declined": None if small else change.extra.get("declined"),
                **{
                    f"{k}__note": SUPPRESSED_NOTE
                    for k in ("before", "after", "median_change", "n", "improved", "declined")
                },
            }
        )
    total = sum(changes[s].n for s in rows)
    improved = sum(changes[s].extra.get("improved", 0) for s in rows)
    declined = sum(changes[s].extra.get("declined", 0) for s in rows)
    sentence = (
        f"Of the {total} organisations with a comparable overall score in both {previous.year} and "
        f"{build.year}, {improved} improved and {declined} declined. The chart shows each care "
        f"setting's median in {previous.year} (open circle) and {build.year} (filled circle)."
    )
    spec = DotChart(
        chart_id="chart-national-change",
        title=f"Median overall score by care setting, {previous.year} and {build.year}",
        description=sentence,
        rows=[setting_label(s) for s in rows],
        series=[
            DotSeries(str(previous.year), before_values, shape="ring", colour="#4c6272"),
            DotSeries(str(build.year), after_values, shape="dot"),
        ],
        x_label="Median overall score (1 to 5)",
        x_min=1.0,
        x_max=5.0,
        connect=True,
    )
    return Chart("chart-national-change", spec.title, dot_chart(spec), sentence, table)


# --- Lenses --------------------------------------------------------------------------------------


@dataclass
class MeasureSection:
    measure: str
    title: str
    why: str
    chart: Chart | None
    available_elsewhere: str = ""


@dataclass
class LensPage:
    lens: d.Lens
    filters: Filters
    problems: list[str]
    dataset: DatasetInfo | None
    dataset_options: list[tuple[str, str]]
    sentence: str = ""
    pillar_chart: Chart | None = None
    sections: list[MeasureSection] = field(default_factory=list)
    spread_table: Table | None = None
    funnel_chart: Chart | None = None
    sensitivity_table: Table | None = None
    sensitivity_sentence: str = ""
    empty_reason: str = ""

    def charts(self) -> list[Chart]:
        found = [c for c in (self.pillar_chart, self.funnel_chart) if c]
        return found + [s.chart for s in self.sections if s.chart]

    def tables(self) -> list[Table]:
        found = [c.table for c in self.charts() if c.table]
        return found + [t for t in (self.spread_table, self.sensitivity_table) if t]


LENS_FIELDS = ("source", "year", "geography", "method", "sort", "order")


def lens_page(lens: d.Lens, catalogue: selectors.Catalogue, query: dict[str, str]) -> LensPage:
    default_build = catalogue.default()
    defaults = Filters(
        source=default_build.source if default_build else d.SOURCE_PUBLISHED,
        year=default_build.year if default_build else 0,
        fields=LENS_FIELDS,
    )
    parsed = parse(query, defaults=defaults, choices=Choices(**base_choices(catalogue)))
    filters = parsed.filters
    build = catalogue.get(filters.source, filters.year)
    page = LensPage(
        lens,
        filters,
        parsed.problems,
        DatasetInfo.of(build) if build else None,
        dataset_options(catalogue),
    )
    if build is None:
        page.empty_reason = "No benchmarks have been built yet."
        return page
    names = domain_names(build, catalogue)
    questions = question_texts(build, catalogue)
    wanted = [m.measure for m in lens.measures] + ([lens.pillar] if lens.pillar else [])
    if lens.slug == "variation":
        wanted += list(d.SCORE_MEASURES)
    groups = selectors.groups_of_kind(
        build, d.GROUP_SETTING, measures=wanted, settings=lens.settings or None
    )
    by_setting: dict[str, dict[str, GroupBenchmark]] = defaultdict(dict)
    for group in groups:
        by_setting[group.care_setting][group.measure] = group
    settings = sorted(by_setting, key=setting_order)
    if lens.pillar:
        page.pillar_chart = _lens_pillar_chart(lens, build, settings, by_setting)
    for lens_measure in lens.measures:
        title = (
            names.get(lens_measure.measure)
            or questions.get(lens_measure.measure)
            or lens_measure.measure
        )
        chart = _lens_measure_chart(
            lens, build, lens_measure.measure, title, settings, by_setting, catalogue
        )
        elsewhere = ""
        if chart is None:
            elsewhere = next(
                (
                    b.dataset
                    for b in catalogue.builds
                    if lens_measure.measure in b.measures and b.pk != build.pk
                ),
                "",
            )
        page.sections.append(
            MeasureSection(lens_measure.measure, title, lens_measure.why, chart, elsewhere)
        )
    if lens.slug == "variation":
        page.spread_table = _spread_table(build, settings, by_setting)
        page.funnel_chart = _funnel_chart(
            build, d.LEVEL_ICB, filters.geography, d.OVERALL, d.DEFAULT_FUNNEL_THRESHOLD
        )
        aggregates = selectors.area_aggregates(
            build, d.LEVEL_ICB, filters.geography, measures=[d.OVERALL]
        )
        page.sensitivity_table = _sensitivity_table(
            None, aggregates, filters, d.LEVEL_ICB, d.OVERALL, "the overall score"
        )
        moves = [r["move"] for r in page.sensitivity_table.rows if r.get("move") is not None]
        if moves:
            page.sensitivity_sentence = (
                f"Ranked by each of the three aggregation methods, {sum(1 for m in moves if m >= 3)} of "
                f"{len(moves)} ranked ICBs move three or more places, and the largest move is "
                f"{max(moves)} places: how a system's figure is aggregated changes its position."
            )
    elif lens.slug == "interoperability":
        measure = (
            "sf.interoperability"
            if "sf.interoperability" in build.measures
            else "smart_foundations"
        )
        page.funnel_chart = _funnel_chart(
            build, d.LEVEL_ICB, filters.geography, measure, d.DEFAULT_FUNNEL_THRESHOLD, names=names
        )
    page.sentence = _lens_sentence(lens, build, settings, by_setting, page)
    if not settings and not lens.pillar:
        page.empty_reason = _lens_empty(lens, build)
    return page


def _lens_empty(lens: d.Lens, build: SnapshotBuild) -> str:
    if lens.settings:
        plural = " and ".join(d.SETTING_PLURALS.get(s, s) for s in lens.settings)
        return (
            f"There are no results from {plural} in this data set. NHS England's 2024 and 2025 "
            "assessments covered NHS trusts and integrated care boards only, and no cycle on this "
            f"platform has yet collected returns from {plural}. This lens will show their results as "
            "soon as a cycle that includes them produces scored returns."
        )
    return "There are no results for this lens in this data set."


def _lens_pillar_chart(
    lens: d.Lens,
    build: SnapshotBuild,
    settings: list[str],
    by_setting: dict[str, dict[str, GroupBenchmark]],
) -> Chart | None:
    present = [s for s in settings if lens.pillar in by_setting[s]]
    if not present or lens.pillar is None:
        return None
    return _distribution_chart(
        build,
        present,
        by_setting,
        lens.pillar,
        chart_id="chart-lens-pillar",
        table_id="lens-pillar",
    )


def _lens_measure_chart(
    lens: d.Lens,
    build: SnapshotBuild,
    measure: str,
    title: str,
    settings: list[str],
    by_setting: dict[str, dict[str, GroupBenchmark]],
    catalogue: selectors.Catalogue,
) -> Chart | None:
    kind = build.measures.get(measure)
    present = [s for s in settings if measure in by_setting[s]]
    if kind is None or not present:
        return None
    chart_id = "chart-" + measure.replace(".", "-").replace("_", "-")
    table_id = measure.replace(".", "-").replace("_", "-")
    if kind == "yes_no":
        bars, rows = [], []
        for setting in present:
            group = by_setting[setting][measure]
            small = is_suppressed(group.n)
            share = None if small else 100 * group.mean
            bars.append(Bar(setting_label(setting), share, note=SUPPRESSED_NOTE if small else ""))
            rows.append(
                {
                    "setting": setting_label(setting),
                    "yes": None if small else group.extra.get("yes"),
                    "n": None if small else group.n,
                    "share": share,
                    **{f"{k}__note": SUPPRESSED_NOTE for k in ("yes", "n", "share")},
                }
            )
        table = Table(
            id=table_id,
            caption=f"{title}: answers by care setting, {build.year}",
            columns=[
                Column("setting", "Care setting"),
                Column("yes", "Yes", numeric=True, decimals=0),
                Column("n", "Answered", numeric=True, decimals=0),
                Column("share", "Share answering yes", numeric=True, decimals=0, suffix="%"),
            ],
            rows=rows,
            row_header="setting",
        )
        shown = [r for r in rows if r["share"] is not None]
        target = lens.target if lens.target and lens.target[0] == measure else None
        sentence = (
            "; ".join(
                f"{fmt(r['share'], 0)}% of {r['setting'].lower()} organisations answered yes"
                for r in shown
            )
            + "."
            if shown
            else "Too few organisations answered to show the figures."
        )
        if target:
            sentence += f" {target[2]}."
        spec = BarChart(
            chart_id=chart_id,
            title=f"{title}: share answering yes by care setting, {build.year}",
            description=sentence,
            bars=bars,
            x_label="Share answering yes (%)",
            x_min=0.0,
            x_max=100.0,
            decimals=0,
            suffix="%",
            reference=100 * target[1] if target else None,
            reference_label=target[2] if target else "",
        )
        return Chart(chart_id, spec.title, bar_chart(spec), sentence, table)
    if kind == "level":
        return _level_chart(
            build,
            measure,
            title,
            [(s, by_setting[s][measure]) for s in present],
            chart_id,
            table_id,
        )
    groups = [(s, by_setting[s][measure]) for s in present]
    unit = {"level": "Level (1 to 5)", "percentage": "Percentage", "count": "Number"}.get(
        kind, "Value"
    )
    shown = [(s, g) for s, g in groups if not is_suppressed(g.n)]
    suffix = "%" if kind == "percentage" else ""
    lead = "Median"
    sentence = (
        f"{lead}: "
        + "; ".join(
            f"{fmt(g.median)}{suffix} among {d.SETTING_PLURALS.get(s, s)} ({g.n})" for s, g in shown
        )
        + "."
        if shown
        else "Too few organisations to show the figures."
    )
    x_min, x_max = (
        (1.0, 5.0) if kind == "level" else ((0.0, 100.0) if kind == "percentage" else (None, None))
    )
    spec = DistributionStrip(
        chart_id=chart_id,
        title=f"{title}: distribution by care setting, {build.year}",
        description=sentence,
        rows=_decile_rows(groups),
        x_label=unit,
        x_min=x_min,
        x_max=x_max,
        decimals=0,
        values_label="A decile (10th, 20th … 90th centile)",
    )
    table = _decile_table(table_id, f"{title}: deciles by care setting, {build.year}", groups)
    return Chart(chart_id, spec.title, distribution_strip(spec), sentence, table)


def _level_chart(
    build: SnapshotBuild,
    measure: str,
    title: str,
    groups: list[tuple[str, GroupBenchmark]],
    chart_id: str,
    table_id: str,
) -> Chart:
    """Domain levels are whole numbers: show how many organisations reached each level."""
    threshold = int(d.DEFAULT_FUNNEL_THRESHOLD)
    table = Table(
        id=table_id,
        caption=f"{title}: organisations at each level by care setting, {build.year}",
        columns=[Column("setting", "Care setting")]
        + [
            Column(f"level_{level}", f"Level {level}", numeric=True, decimals=0)
            for level in range(1, 6)
        ]
        + [
            Column("n", "Organisations", numeric=True, decimals=0),
            Column("share", f"At level {threshold} or above", numeric=True, decimals=0, suffix="%"),
        ],
        row_header="setting",
    )
    bars = []
    for setting, group in groups:
        small = is_suppressed(group.n)
        reached = sum(group.extra.get(f"level_{level}", 0) for level in range(threshold, 6))
        share = None if small else 100 * reached / group.n
        entry: dict[str, Any] = {
            "setting": setting_label(setting),
            "n": None if small else group.n,
            "share": share,
        }
        for level in range(1, 6):
            entry[f"level_{level}"] = None if small else group.extra.get(f"level_{level}", 0)
            entry[f"level_{level}__note"] = SUPPRESSED_NOTE
        entry["n__note"] = entry["share__note"] = SUPPRESSED_NOTE
        table.rows.append(entry)
        bars.append(Bar(setting_label(setting), share, note=SUPPRESSED_NOTE if small else ""))
    shown = [r for r in table.rows if r["share"] is not None]
    sentence = (
        f"Share of organisations at level {threshold} or above: "
        + "; ".join(
            f"{fmt(r['share'], 0)}% of {r['setting'].lower()} organisations ({r['n']})"
            for r in shown
        )
        + "."
        if shown
        else "Too few organisations to show the figures."
    )
    spec = BarChart(
        chart_id=chart_id,
        title=f"{title}: share of organisations at level {threshold} or above, {build.year}",
        description=sentence,
        bars=bars,
        x_label=f"At level {threshold} or above (%)",
        x_min=0.0,
        x_max=100.0,
        decimals=0,
        suffix="%",
    )
    return Chart(chart_id, spec.title, bar_chart(spec), sentence, table)


def _spread_table(
    build: SnapshotBuild, settings: list[str], by_setting: dict[str, dict[str, GroupBenchmark]]
) -> Table:
    table = Table(
        id="spread",
        caption=f"Spread between organisations: the gap between the 90th and 10th centiles, by pillar and care setting, {build.year}",
        columns=[Column("setting", "Care setting")]
        + [
            Column(m, d.SHORT_PILLAR_LABELS[m], numeric=True, decimals=2)
            for m in d.SCORE_MEASURES
            if m in build.measures
        ],
        row_header="setting",
    )
    for setting in settings:
        entry: dict[str, Any] = {"setting": setting_label(setting)}
        for measure in d.SCORE_MEASURES:
            group = by_setting[setting].get(measure)
            if group is None:
                entry[f"{measure}__note"] = "not published"
                continue
            if is_suppressed(group.n):
                entry[f"{measure}__note"] = SUPPRESSED_NOTE
                continue
            entry[measure] = group.deciles["90"] - group.deciles["10"]
        table.rows.append(entry)
    return table


def _lens_sentence(
    lens: d.Lens,
    build: SnapshotBuild,
    settings: list[str],
    by_setting: dict[str, dict[str, GroupBenchmark]],
    page: LensPage,
) -> str:
    if lens.slug == "variation" and page.spread_table is not None:
        widest: tuple[float, str, str] | None = None
        for row in page.spread_table.rows:
            for measure in d.PILLARS:
                value = row.get(measure)
                if value is not None and (widest is None or value > widest[0]):
                    widest = (value, row["setting"], measure)
        if widest:
            return (
                f"In {build.year}, organisations of the same kind differ most in "
                f"{d.measure_label(widest[2]).lower()} among {widest[1].lower()} organisations: the 90th "
                f"centile is {fmt(widest[0], 1)} points above the 10th on a 1 to 5 scale."
            )
    if lens.pillar:
        present = [
            (s, by_setting[s][lens.pillar])
            for s in settings
            if lens.pillar in by_setting[s] and not is_suppressed(by_setting[s][lens.pillar].n)
        ]
        if present:
            low = min(present, key=lambda i: i[1].median)
            high = max(present, key=lambda i: i[1].median)
            return (
                f"In {build.year}, the median {d.measure_label(lens.pillar).lower()} score was lowest among "
                f"{d.SETTING_PLURALS.get(low[0], low[0])} ({fmt(low[1].median)}) and highest among "
                f"{d.SETTING_PLURALS.get(high[0], high[0])} ({fmt(high[1].median)}), on a scale of 1 to 5."
            )
    if not settings:
        return _lens_empty(lens, build)
    return ""


__all__ = [
    "AreaPage",
    "Chart",
    "LensPage",
    "NationalPage",
    "OrganisationPage",
    "area_page",
    "lens_page",
    "national_page",
    "organisation_page",
]
