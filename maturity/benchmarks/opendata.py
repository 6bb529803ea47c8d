"""Open data for a release: CSV and Parquet tables with a Frictionless data package.

Each release publishes five tables, each as CSV and as Parquet, a ``datapackage.json`` (a
Frictionless Data Package whose every table resource carries its Table Schema: field names,
types, descriptions and primary key) and ``methods.md``. Group figures from fewer than 5
organisations are suppressed: left blank, with ``suppressed`` set to true. Organisations' own
results are published as they are (NHS England publishes each organisation's scores).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from maturity.core.stats import is_suppressed

from . import definitions as d
from .models import AreaAggregate, FunnelPoint, GroupBenchmark, OrganisationBenchmark, SnapshotBuild

LICENCE = {
    "name": "OGL-UK-3.0",
    "title": "Open Government Licence v3.0",
    "path": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
}
CSV_DIALECT = {"delimiter": ",", "lineTerminator": "\r\n", "quoteChar": '"', "header": True}
SUPPRESSED = "Blank when suppressed: a group of fewer than 5 organisations."


@dataclass(frozen=True)
class FieldDef:
    name: str
    type: str  # Table Schema types: string, integer, number, boolean
    description: str
    required: bool = False


@dataclass(frozen=True)
class TableDef:
    name: str
    title: str
    description: str
    fields: tuple[FieldDef, ...]
    primary_key: tuple[str, ...]


def _f(name: str, type_: str, description: str, required: bool = False) -> FieldDef:
    return FieldDef(name, type_, description, required)


PILLAR_FIELDS = tuple(
    _f(p, "number", f"{d.measure_label(p)} score (1 to 5), unrounded; blank when not published")
    for p in d.PILLARS
)

TABLES: tuple[TableDef, ...] = (
    TableDef(
        "results",
        "Results by organisation and care setting",
        "Each organisation's pillar and overall scores in each care setting, unrounded, with what "
        "the overall score is a mean of and where the figures come from.",
        (
            _f("ods_code", "string", "ODS code of the organisation", True),
            _f("organisation_name", "string", "Name of the organisation", True),
            _f("organisation_kind", "string", "Kind of organisation (trust, icb, …)", True),
            _f("care_setting", "string", "Care setting of the return", True),
            _f("year", "integer", "Year of the assessment", True),
            _f("icb_code", "string", "ODS code of its ICB when the data were collected"),
            _f(
                "region_code",
                "string",
                "ODS code of its NHS England region when the data were collected",
            ),
            *PILLAR_FIELDS,
            _f("overall", "number", "Overall score (1 to 5), unrounded"),
            _f("overall_basis", "string", "What the overall score is a mean of"),
            _f(
                "change_overall",
                "number",
                "Change in the overall score since the previous year, over comparable domains",
            ),
            _f(
                "is_demonstration",
                "boolean",
                "True for generated demonstration data, not a real submission",
                True,
            ),
            _f("source_note", "string", "Where the figures come from"),
            _f("method", "string", "How the figures were computed"),
        ),
        ("ods_code", "care_setting"),
    ),
    TableDef(
        "percentiles",
        "Percentile of each organisation within each peer group",
        "The percentile rank (0 to 100) of each organisation's scores within each of its peer groups.",
        (
            _f("ods_code", "string", "ODS code of the organisation", True),
            _f("care_setting", "string", "Care setting of the return", True),
            _f("group_kind", "string", "Kind of peer group", True),
            _f("group_key", "string", "The peer group", True),
            _f("measure", "string", "Pillar id, or overall", True),
            _f("percentile", "number", f"Percentile rank, 0 to 100. {SUPPRESSED}"),
            _f(
                "suppressed",
                "boolean",
                "True when the peer group has fewer than 5 organisations",
                True,
            ),
        ),
        ("ods_code", "care_setting", "group_kind", "measure"),
    ),
    TableDef(
        "benchmarks",
        "Peer group distributions",
        "For every measure and peer group: the number of organisations, mean, median, deciles, "
        "lowest and highest values.",
        (
            _f(
                "measure", "string", "Pillar id, overall, domain id or contextual question id", True
            ),
            _f("measure_kind", "string", "score, level, percentage, yes_no, count or change", True),
            _f("group_kind", "string", "Kind of peer group", True),
            _f("group_key", "string", "The peer group", True),
            _f("group_label", "string", "The peer group in words", True),
            _f("care_setting", "string", "Care setting of the group (blank for mixed groups)"),
            _f("n", "integer", f"Number of organisations. {SUPPRESSED}"),
            _f("mean", "number", SUPPRESSED),
            *(
                _f(f"p{c}", "number", f"{c}th centile (linear interpolation). {SUPPRESSED}")
                for c in (10, 20, 30, 40)
            ),
            _f("median", "number", SUPPRESSED),
            *(
                _f(f"p{c}", "number", f"{c}th centile (linear interpolation). {SUPPRESSED}")
                for c in (60, 70, 80, 90)
            ),
            _f("minimum", "number", SUPPRESSED),
            _f("maximum", "number", SUPPRESSED),
            _f("suppressed", "boolean", "True when the group has fewer than 5 organisations", True),
        ),
        ("measure", "group_kind", "group_key"),
    ),
    TableDef(
        "aggregates",
        "ICB, region and England figures under each aggregation method",
        "Each area's aggregate of its providers' scores under each named method, and its rank "
        "under that method (1 = highest), so that positions can be compared across methods.",
        (
            _f("level", "string", "icb, region or nation", True),
            _f(
                "geography",
                "string",
                "current (today's boundaries) or collection (boundaries when collected)",
                True,
            ),
            _f("area_code", "string", "ODS code of the area", True),
            _f("area_name", "string", "Name of the area", True),
            _f("measure", "string", "Pillar id, or overall", True),
            _f(
                "method",
                "string",
                "plain_mean, population_weighted or care_setting_standardised",
                True,
            ),
            _f("value", "number", f"The aggregate, unrounded. {SUPPRESSED}"),
            _f("n", "integer", f"Providers in the area with the measure. {SUPPRESSED}"),
            _f("n_used", "integer", f"Providers counted by this method. {SUPPRESSED}"),
            _f("rank", "integer", "Rank under this method (1 = highest); blank when not ranked"),
            _f("ranked", "integer", "Number of areas ranked under this method", True),
            _f("description", "string", "How the figure was computed"),
            _f("suppressed", "boolean", "True when the area has fewer than 5 providers", True),
        ),
        ("level", "geography", "area_code", "measure", "method"),
    ),
    TableDef(
        "funnel",
        "Funnel plot: providers at or above a level, by area",
        "For each area, the number of providers at or above a level out of its providers, with "
        "exact binomial control limits (95% and 99.8%) around the overall proportion.",
        (
            _f("level", "string", "icb or region", True),
            _f("geography", "string", "current or collection", True),
            _f("measure", "string", "Pillar id, overall or domain id", True),
            _f("threshold", "number", "The level (a score at or above it counts)", True),
            _f("area_code", "string", "ODS code of the area", True),
            _f("area_name", "string", "Name of the area", True),
            _f("x", "integer", f"Providers at or above the level. {SUPPRESSED}"),
            _f("n", "integer", f"Providers with the measure. {SUPPRESSED}"),
            _f("proportion", "number", f"x / n. {SUPPRESSED}"),
            _f("p0", "number", "The overall proportion across all areas", True),
            _f("lower95", "number", f"Lower 95% limit. {SUPPRESSED}"),
            _f("upper95", "number", f"Upper 95% limit. {SUPPRESSED}"),
            _f("lower998", "number", f"Lower 99.8% limit. {SUPPRESSED}"),
            _f("upper998", "number", f"Upper 99.8% limit. {SUPPRESSED}"),
            _f(
                "position",
                "string",
                f"within, above_95, above_998, below_95 or below_998. {SUPPRESSED}",
            ),
            _f("suppressed", "boolean", "True when the area has fewer than 5 providers", True),
        ),
        ("level", "geography", "measure", "threshold", "area_code"),
    ),
)
TABLES_BY_NAME = {t.name: t for t in TABLES}

_ARROW = {
    "string": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
}


# --- Rows from a snapshot ------------------------------------------------------------------------


def table_rows(build: SnapshotBuild) -> dict[str, list[dict[str, Any]]]:
    """The five tables of a build, suppression applied, in a stable order (five queries)."""
    organisations = list(
        OrganisationBenchmark.objects.filter(build=build)
        .select_related("organisation", "icb", "region")
        .order_by("organisation__ods_code", "care_setting")
    )
    groups = list(
        GroupBenchmark.objects.filter(build=build).order_by("measure", "group_kind", "group_key")
    )
    sizes = {(g.group_kind, g.group_key, g.measure): g.n for g in groups}
    results, percentiles = [], []
    for row in organisations:
        org = row.organisation
        results.append(
            {
                "ods_code": org.ods_code,
                "organisation_name": org.name,
                "organisation_kind": org.kind,
                "care_setting": row.care_setting,
                "year": build.year,
                "icb_code": row.icb.ods_code if row.icb else None,
                "region_code": row.region.ods_code if row.region else None,
                **{p: row.values.get(p) for p in d.PILLARS},
                "overall": row.values.get(d.OVERALL),
                "overall_basis": row.overall_basis or None,
                "change_overall": row.values.get(d.CHANGE_OVERALL),
                "is_demonstration": build.is_demonstration,
                "source_note": row.source_note or None,
                "method": row.method or None,
            }
        )
        for kind, key in sorted(row.groups.items()):
            for measure in d.SCORE_MEASURES:
                n = sizes.get((kind, key, measure))
                if n is None:
                    continue
                small = is_suppressed(n)
                percentiles.append(
                    {
                        "ods_code": org.ods_code,
                        "care_setting": row.care_setting,
                        "group_kind": kind,
                        "group_key": key,
                        "measure": measure,
                        "percentile": None if small else row.percentiles.get(kind, {}).get(measure),
                        "suppressed": small,
                    }
                )
    benchmarks = []
    for g in groups:
        small = is_suppressed(g.n)
        figures = {
            "n": g.n,
            "mean": g.mean,
            **{f"p{c}": g.deciles.get(str(c)) for c in (10, 20, 30, 40, 60, 70, 80, 90)},
            "median": g.median,
            "minimum": g.minimum,
            "maximum": g.maximum,
        }
        benchmarks.append(
            {
                "measure": g.measure,
                "measure_kind": g.measure_kind,
                "group_kind": g.group_kind,
                "group_key": g.group_key,
                "group_label": g.group_label,
                "care_setting": g.care_setting or None,
                **{k: (None if small else v) for k, v in figures.items()},
                "suppressed": small,
            }
        )
    aggregates = []
    for a in (
        AreaAggregate.objects.filter(build=build)
        .select_related("area")
        .order_by("level", "geography", "area__ods_code", "measure", "method")
    ):
        small = is_suppressed(a.n)
        aggregates.append(
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
    funnel = []
    for p in (
        FunnelPoint.objects.filter(target__build=build)
        .select_related("target", "area")
        .order_by(
            "target__level",
            "target__geography",
            "target__measure",
            "target__threshold",
            "area__ods_code",
        )
    ):
        small = is_suppressed(p.n)
        funnel.append(
            {
                "level": p.target.level,
                "geography": p.target.geography,
                "measure": p.target.measure,
                "threshold": p.target.threshold,
                "area_code": p.area.ods_code,
                "area_name": p.area.name,
                "x": None if small else p.x,
                "n": None if small else p.n,
                "proportion": None if small else p.proportion,
                "p0": p.target.p0,
                "lower95": None if small else p.lower95,
                "upper95": None if small else p.upper95,
                "lower998": None if small else p.lower998,
                "upper998": None if small else p.upper998,
                "position": None if small else p.position,
                "suppressed": small,
            }
        )
    return {
        "results": results,
        "percentiles": percentiles,
        "benchmarks": benchmarks,
        "aggregates": aggregates,
        "funnel": funnel,
    }


# --- Files ---------------------------------------------------------------------------------------


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def to_csv(table: TableDef, rows: Iterable[dict[str, Any]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([f.name for f in table.fields])
    for row in rows:
        writer.writerow([_csv_text(row.get(f.name)) for f in table.fields])
    return out.getvalue().encode("utf-8")


def to_parquet(table: TableDef, rows: list[dict[str, Any]], metadata: dict[str, str]) -> bytes:
    schema = pa.schema(
        [
            pa.field(
                f.name,
                _ARROW[f.type],
                nullable=not f.required,
                metadata={"description": f.description},
            )
            for f in table.fields
        ],
        metadata={"title": table.title, **metadata},
    )
    columns = {f.name: [row.get(f.name) for row in rows] for f in table.fields}
    arrow = pa.Table.from_pydict(columns, schema=schema)
    out = io.BytesIO()
    pq.write_table(arrow, out, compression="snappy")
    return out.getvalue()


def table_schema(table: TableDef) -> dict[str, Any]:
    """The Frictionless Table Schema of a table."""
    return {
        "fields": [
            {
                "name": f.name,
                "type": f.type,
                "description": f.description,
                **({"constraints": {"required": True}} if f.required else {}),
            }
            for f in table.fields
        ],
        "primaryKey": list(table.primary_key),
        "missingValues": [""],
    }


@dataclass(frozen=True)
class OutputFile:
    name: str
    table: str
    media_type: str
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def release_files(
    *, rows: dict[str, list[dict[str, Any]]], package: dict[str, Any], methods_markdown: str
) -> list[OutputFile]:
    """Every file of a release; ``package`` holds the data package's own properties."""
    files: list[OutputFile] = []
    metadata = {"release": json.dumps(package.get("release", {}), sort_keys=True)}
    for table in TABLES:
        files.append(
            OutputFile(
                f"{table.name}.csv",
                table.name,
                "text/csv; charset=utf-8",
                to_csv(table, rows[table.name]),
            )
        )
        files.append(
            OutputFile(
                f"{table.name}.parquet",
                table.name,
                "application/vnd.apache.parquet",
                to_parquet(table, rows[table.name], metadata),
            )
        )
    files.append(
        OutputFile(
            "methods.md", "", "text/markdown; charset=utf-8", methods_markdown.encode("utf-8")
        )
    )
    resources = []
    by_name = {f.name: f for f in files}
    for table in TABLES:
        for suffix, fmt, media in (
            ("csv", "csv", "text/csv"),
            ("parquet", "parquet", "application/vnd.apache.parquet"),
        ):
            file = by_name[f"{table.name}.{suffix}"]
            resource = {
                "name": table.name if suffix == "csv" else f"{table.name}-parquet",
                "title": table.title if suffix == "csv" else f"{table.title} (Parquet)",
                "description": table.description,
                "path": file.name,
                "profile": "tabular-data-resource",
                "format": fmt,
                "mediatype": media,
                "bytes": len(file.content),
                "hash": f"sha256:{file.sha256}",
                "schema": table_schema(table),
            }
            if suffix == "csv":
                resource["encoding"] = "utf-8"
                resource["dialect"] = CSV_DIALECT
            resources.append(resource)
    methods_file = by_name["methods.md"]
    resources.append(
        {
            "name": "methods",
            "title": "Methods",
            "path": methods_file.name,
            "profile": "data-resource",
            "format": "md",
            "mediatype": "text/markdown",
            "encoding": "utf-8",
            "bytes": len(methods_file.content),
            "hash": f"sha256:{methods_file.sha256}",
        }
    )
    descriptor = {
        "profile": "data-package",
        **package,
        "licenses": [LICENCE],
        "resources": resources,
    }
    files.append(
        OutputFile(
            "datapackage.json",
            "",
            "application/json",
            json.dumps(descriptor, indent=2, ensure_ascii=False).encode("utf-8"),
        )
    )
    return files


def rows_for(results_csv: bytes, ods_codes: set[str]) -> list[dict[str, str]]:
    """The rows of a results CSV for some organisations (right of reply on provisional releases)."""
    reader = csv.DictReader(io.StringIO(results_csv.decode("utf-8"), newline=""))
    return [row for row in reader if row["ods_code"] in ods_codes]
