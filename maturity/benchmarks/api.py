"""Benchmarks API, mounted at /api/v1/benchmarks: results, benchmarks and releases as JSON, and
every open-data table as CSV.

Known clients: the project's contract tests (tests/benchmarks/test_api.py) and analysts' scripts.
Everything here is read from benchmark snapshots and releases. Figures are unrounded; group
figures from fewer than 5 organisations are suppressed (null, with ``suppressed: true``).
"""

from typing import Literal

from django.http import HttpResponse
from django.urls import reverse
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from maturity.core.stats import is_suppressed

from . import opendata, selectors
from .models import AreaAggregate, GroupBenchmark, OrganisationBenchmark, SnapshotBuild

router = Router(tags=["benchmarks"])

Source = Literal["published", "demonstration", "returns"]


class ErrorOut(Schema):
    detail: str


class DatasetOut(Schema):
    dataset: str = Field(description='Source and year, e.g. "published-2025"')
    source: Source
    year: int
    title: str
    is_demonstration: bool
    source_note: str
    built_at: str
    rows: int
    has_previous_year: bool
    measures: dict[str, str] = Field(description="Measure → kind (score, level, percentage, …)")


def _dataset(build: SnapshotBuild) -> dict:
    return {
        "dataset": build.dataset,
        "source": build.source,
        "year": build.year,
        "title": build.title,
        "is_demonstration": build.is_demonstration,
        "source_note": build.source_note,
        "built_at": build.built_at.isoformat(),
        "rows": build.rows,
        "has_previous_year": build.has_previous_year,
        "measures": build.measures,
    }


def _build(request, source: str, year: int) -> SnapshotBuild:
    build = selectors.catalogue_for(request.user).get(source, year)
    if build is None:
        raise HttpError(404, f"No benchmarks for {source} {year}.")
    return build


@router.get("/datasets", response=list[DatasetOut], summary="Data sets with benchmarks")
def datasets(request):
    return [_dataset(b) for b in selectors.catalogue_for(request.user).builds]


class OrganisationResultOut(Schema):
    ods_code: str
    name: str
    care_setting: str
    values: dict[str, float] = Field(
        description="Measure → value: pillars, overall, domains, answers"
    )
    overall_basis: str
    source_note: str
    method: str
    is_demonstration: bool
    icb_code: str | None
    region_code: str | None
    current_icb_code: str | None


def _result(row: OrganisationBenchmark, build: SnapshotBuild) -> dict:
    return {
        "ods_code": row.organisation.ods_code,
        "name": row.organisation.name,
        "care_setting": row.care_setting,
        "values": row.values,
        "overall_basis": row.overall_basis,
        "source_note": row.source_note,
        "method": row.method,
        "is_demonstration": build.is_demonstration,
        "icb_code": row.icb.ods_code if row.icb else None,
        "region_code": row.region.ods_code if row.region else None,
        "current_icb_code": row.current_icb.ods_code if row.current_icb else None,
    }


@router.get(
    "/{source}/{year}/results",
    response={200: list[OrganisationResultOut], 404: ErrorOut},
    summary="Every organisation's results in a data set",
)
def results(request, source: Source, year: int, care_setting: str | None = None):
    build = _build(request, source, year)
    rows = OrganisationBenchmark.objects.filter(build=build).select_related(
        "organisation", "icb", "region", "current_icb"
    )
    if care_setting:
        rows = rows.filter(care_setting=care_setting)
    return [_result(r, build) for r in rows.order_by("organisation__ods_code", "care_setting")]


class OrganisationBenchmarkOut(OrganisationResultOut):
    percentiles: dict[str, dict[str, float]] = Field(
        description="Peer group kind → measure → percentile (0-100); absent for groups of fewer than 5"
    )
    groups: dict[str, str] = Field(description="Peer group kind → group key")
    previous: dict | None = Field(description="The previous year's comparable overall, if any")
    weakest: str = Field(description="The pillar with the lowest percentile in the care setting")
    learn_from: list[dict]


@router.get(
    "/{source}/{year}/organisations/{ods_code}",
    response={200: list[OrganisationBenchmarkOut], 404: ErrorOut},
    summary="An organisation's benchmarks in a data set (one entry per care setting)",
)
def organisation(request, source: Source, year: int, ods_code: str):
    build = _build(request, source, year)
    found = selectors.get_organisation(ods_code)
    if found is None:
        raise HttpError(404, f"No organisation with ODS code {ods_code.upper()!r}.")
    rows = selectors.organisation_rows(found, [build], with_areas=True)
    out = []
    for row in rows:
        row.organisation = found
        out.append(
            {
                **_result(row, build),
                "percentiles": row.percentiles,
                "groups": row.groups,
                "previous": row.previous,
                "weakest": row.weakest,
                "learn_from": row.learn_from,
            }
        )
    return out


class GroupOut(Schema):
    measure: str
    measure_kind: str
    group_kind: str
    group_key: str
    group_label: str
    care_setting: str
    n: int | None
    suppressed: bool
    mean: float | None
    median: float | None
    minimum: float | None
    maximum: float | None
    deciles: dict[str, float] | None = Field(description='Centile ("10" … "90") → value')
    extra: dict[str, int] | None


def _group(g: GroupBenchmark) -> dict:
    small = is_suppressed(g.n)
    return {
        "measure": g.measure,
        "measure_kind": g.measure_kind,
        "group_kind": g.group_kind,
        "group_key": g.group_key,
        "group_label": g.group_label,
        "care_setting": g.care_setting,
        "n": None if small else g.n,
        "suppressed": small,
        "mean": None if small else g.mean,
        "median": None if small else g.median,
        "minimum": None if small else g.minimum,
        "maximum": None if small else g.maximum,
        "deciles": None if small else g.deciles,
        "extra": None if small else g.extra,
    }


class GroupFilters(Schema):
    measure: str | None = None
    group_kind: Literal["setting", "region", "ics", "size", "deprivation"] | None = None
    care_setting: str | None = None


@router.get(
    "/{source}/{year}/groups",
    response={200: list[GroupOut], 404: ErrorOut},
    summary="Peer group distributions: n, mean, median, deciles",
)
def groups(request, source: Source, year: int, filters: Query[GroupFilters]):
    build = _build(request, source, year)
    qs = GroupBenchmark.objects.filter(build=build)
    if filters.measure:
        qs = qs.filter(measure=filters.measure)
    if filters.group_kind:
        qs = qs.filter(group_kind=filters.group_kind)
    if filters.care_setting:
        qs = qs.filter(care_setting=filters.care_setting)
    return [_group(g) for g in qs.order_by("measure", "group_kind", "group_key")]


class AggregateOut(Schema):
    level: str
    geography: str
    area_code: str
    area_name: str
    measure: str
    method: str
    value: float | None
    n: int | None
    n_used: int | None
    rank: int | None
    ranked: int
    description: str | None
    suppressed: bool


class AggregateFilters(Schema):
    level: Literal["icb", "region", "nation"] | None = None
    geography: Literal["current", "collection"] | None = None
    measure: str | None = None
    method: Literal["plain_mean", "population_weighted", "care_setting_standardised"] | None = None


@router.get(
    "/{source}/{year}/aggregates",
    response={200: list[AggregateOut], 404: ErrorOut},
    summary="ICB, region and England aggregates under each method, with ranks",
)
def aggregates(request, source: Source, year: int, filters: Query[AggregateFilters]):
    build = _build(request, source, year)
    qs = AreaAggregate.objects.filter(build=build).select_related("area")
    for name in ("level", "geography", "measure", "method"):
        value = getattr(filters, name)
        if value:
            qs = qs.filter(**{name: value})
    out = []
    for a in qs.order_by("level", "geography", "area__ods_code", "measure", "method"):
        small = is_suppressed(a.n)
        out.append(
            {
                "level": a.level,
                "geography": a.geography,
                "area_code": a.area.ods_code,
                "area_name": a.area.name,
                "measure": a.measure,
                "method": a.method,
                "value": None if small else a.value,
                "n": None if small else a.n,
                "n_used": None if small else a.n_used,
                "rank": a.rank,
                "ranked": a.ranked,
                "description": None if small else a.description,
                "suppressed": small,
            }
        )
    return out


@router.get(
    "/{source}/{year}/tables/{table}.csv",
    response={200: None, 404: ErrorOut},
    summary="An open-data table of the current snapshot as CSV",
    description=(
        "Tables: results, percentiles, benchmarks, aggregates, funnel. The columns are those of the "
        "release files, described by each release's datapackage.json."
    ),
)
def table_csv(request, source: Source, year: int, table: str):
    build = _build(request, source, year)
    definition = opendata.TABLES_BY_NAME.get(table)
    if definition is None:
        raise HttpError(
            404, f"No table {table!r}; the tables are {', '.join(opendata.TABLES_BY_NAME)}."
        )
    rows = opendata.table_rows(build)[table]
    response = HttpResponse(
        opendata.to_csv(definition, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{build.dataset}-{table}.csv"'
    return response


class ReleaseFileOut(Schema):
    name: str
    media_type: str
    sha256: str
    size: int
    url: str


class ReleaseOut(Schema):
    dataset: str
    version: int
    stage: Literal["provisional", "final"]
    is_correction: bool
    note: str
    supersedes: int | None
    title: str
    is_demonstration: bool
    published_at: str
    row_counts: dict[str, int]
    url: str
    files: list[ReleaseFileOut] = Field(
        description="Empty for provisional releases unless you are an analyst"
    )


def _release(request, release) -> dict:
    can_download = selectors.can_download_release(request.user, release)
    files = selectors.release_files(release) if can_download else []
    return {
        "dataset": release.dataset,
        "version": release.version,
        "stage": release.stage,
        "is_correction": release.is_correction,
        "note": release.note,
        "supersedes": release.supersedes.version if release.supersedes_id else None,
        "title": release.title,
        "is_demonstration": release.is_demonstration,
        "published_at": release.published_at.isoformat(),
        "row_counts": release.row_counts,
        "url": reverse("benchmarks:release", args=[release.dataset, release.version]),
        "files": [
            {
                "name": f.name,
                "media_type": f.media_type,
                "sha256": f.sha256,
                "size": f.size,
                "url": reverse(
                    "benchmarks:release-file", args=[release.dataset, release.version, f.name]
                ),
            }
            for f in files
        ],
    }


@router.get("/releases", response=list[ReleaseOut], summary="Releases, newest first")
def releases(request):
    found = [
        r
        for r in selectors.releases_visible_to(request.user)
        if selectors.can_see_release(request.user, r)
    ]
    return [_release(request, r) for r in found]


@router.get(
    "/releases/{dataset}/{version}",
    response={200: ReleaseOut, 404: ErrorOut},
    summary="One release, with its files",
)
def release(request, dataset: str, version: int):
    found = selectors.get_release(dataset, version)
    if found is None or not selectors.can_see_release(request.user, found):
        raise HttpError(404, f"No release {dataset} v{version}.")
    return _release(request, found)
