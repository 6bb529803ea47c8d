"""Parsers for CQC files about adult social care: the "HSCA active locations" file and the care
directory. Both the shipped samples and CQC's full national files read the same way.

Which locations are adult social care (the rest are skipped):

* HSCA active locations: the "Primary inspection category" is "Residential social care" or
  "Community based adult social care services" (CQC's two adult social care inspection
  directorates). When the category is blank, the location counts if any of its "Service Types"
  is an adult social care service type (care home, domiciliary care, supported living, extra care
  housing, shared lives).
* Care directory (no inspection category): any of its "Service types" is one of CQC's directory
  labels for adult social care: homecare agencies, residential homes, nursing homes, supported
  living, supported housing (extra care), shared lives. GP surgeries, dentists, clinics, hospitals
  and hospices are not.

Pure Python (no Django).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass

from .csvread import SourceFile, raise_if, read_table
from .errors import RowError

ASC_INSPECTION_CATEGORIES = frozenset(
    {"Residential social care", "Community based adult social care services"}
)
ASC_SERVICE_TYPES = frozenset(
    {
        "Care home service with nursing",
        "Care home service without nursing",
        "Domiciliary care service",
        "Supported living service",
        "Extra Care housing services",
        "Shared Lives",
    }
)
ASC_DIRECTORY_SERVICE_TYPES = frozenset(
    {
        "Homecare agencies",
        "Residential homes",
        "Nursing homes",
        "Supported living",
        "Supported housing",
        "Shared lives",
    }
)

FORMATS = ("locations", "directory")
# CQC ids are "1-" and digits; NHS bodies' locations and providers use their ODS codes (RX3LD).
_LOCATION_ID = re.compile(r"1-\d{5,}|[A-Z0-9]{3,12}")


@dataclass(frozen=True)
class CqcLocation:
    line: int
    location_id: str
    name: str
    provider_id: str
    provider_name: str
    local_authority: str
    postcode: str
    opened_on: dt.date | None
    closed_on: dt.date | None  # exclusive: the day after the HSCA end date
    service_types: tuple[str, ...]
    inspection_category: str
    care_home_beds: int | None
    overall_rating: str


@dataclass(frozen=True)
class CqcFile:
    source: SourceFile
    format: str
    locations: list[CqcLocation]
    rows: int
    skipped: int
    errors: list[RowError]


def is_social_care_location(category: str, service_types: tuple[str, ...]) -> bool:
    if category:
        return category in ASC_INSPECTION_CATEGORIES
    return any(s in ASC_SERVICE_TYPES for s in service_types)


def is_social_care_directory_entry(service_types: tuple[str, ...]) -> bool:
    return any(s in ASC_DIRECTORY_SERVICE_TYPES for s in service_types)


def _split(value: str, sep: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in value.split(sep) if s.strip())


LOCATIONS_COLUMNS = (
    "Location ID",
    "Location Name",
    "Location Local Authority",
    "Primary inspection category",
    "Service Types",
    "Provider ID",
    "Provider Name",
    "Location HSCA start date",
    "Location HSCA end date",
)
DIRECTORY_COLUMNS = (
    "Name",
    "Postcode",
    "CQC Provider ID (for office use only)",
    "CQC Location ID (for office use only)",
    "Local authority",
    "Service types",
    "Provider name",
)


def parse_cqc(source: SourceFile, fmt: str, *, strict: bool = True) -> CqcFile:
    """Parse a CQC file; with ``strict=False`` row problems are returned in ``errors``."""
    if fmt == "locations":
        parsed = _parse_locations(source)
    elif fmt == "directory":
        parsed = _parse_directory(source)
    else:
        raise ValueError(f"unknown CQC format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if strict:
        raise_if(parsed.errors)
    return parsed


def _location_id(row, column: int) -> str:
    value = row.raw(column).strip()
    if not _LOCATION_ID.fullmatch(value):
        row.error(
            column, f'"{value}" is not a CQC location id (expected 1-<digits> or an ODS code)'
        )
        return ""
    return value


def _provider_id(row, column: int) -> str:
    value = row.raw(column).strip()
    if value and not _LOCATION_ID.fullmatch(value):
        row.error(
            column, f'"{value}" is not a CQC provider id (expected 1-<digits> or an ODS code)'
        )
        return ""
    return value


def _parse_locations(source: SourceFile) -> CqcFile:
    table = read_table(source, required=LOCATIONS_COLUMNS)
    col = table.column
    beds_col = col("Care homes beds") if "Care homes beds" in table.header else None
    rating_col = (
        col("Location Latest Overall Rating")
        if "Location Latest Overall Rating" in table.header
        else None
    )
    out: list[CqcLocation] = []
    skipped = 0
    seen: dict[str, int] = {}
    for r in table.rows:
        category = r.text(col("Primary inspection category"))
        services = _split(r.raw(col("Service Types")), ",")
        if not is_social_care_location(category, services):
            skipped += 1
            continue
        location_id = _location_id(r, col("Location ID"))
        start = r.date(col("Location HSCA start date"), fmt="cqc")
        end = r.date(col("Location HSCA end date"), fmt="cqc")
        location = CqcLocation(
            line=r.line,
            location_id=location_id,
            name=r.text(col("Location Name"), required=True),
            provider_id=_provider_id(r, col("Provider ID")),
            provider_name=r.text(col("Provider Name")),
            local_authority=r.text(col("Location Local Authority")),
            postcode="",
            opened_on=start,
            closed_on=end + dt.timedelta(days=1) if end else None,
            service_types=services,
            inspection_category=category,
            care_home_beds=r.integer(beds_col) if beds_col else None,
            overall_rating=r.text(rating_col) if rating_col else "",
        )
        _add(out, seen, location, r, col("Location ID"))
    return CqcFile(source, "locations", out, len(table.rows), skipped, table.errors)


def _parse_directory(source: SourceFile) -> CqcFile:
    table = read_table(source, required=DIRECTORY_COLUMNS)
    col = table.column
    out: list[CqcLocation] = []
    skipped = 0
    seen: dict[str, int] = {}
    for r in table.rows:
        services = _split(r.raw(col("Service types")), ",")
        if not is_social_care_directory_entry(services):
            skipped += 1
            continue
        id_col = col("CQC Location ID (for office use only)")
        location_id = _location_id(r, id_col)
        location = CqcLocation(
            line=r.line,
            location_id=location_id,
            name=r.text(col("Name"), required=True),
            provider_id=_provider_id(r, col("CQC Provider ID (for office use only)")),
            provider_name=r.text(col("Provider name")),
            local_authority=r.text(col("Local authority")),
            postcode=r.text(col("Postcode")).upper(),
            opened_on=None,
            closed_on=None,
            service_types=services,
            inspection_category="",
            care_home_beds=None,
            overall_rating="",
        )
        _add(out, seen, location, r, id_col)
    return CqcFile(source, "directory", out, len(table.rows), skipped, table.errors)


def _add(out: list[CqcLocation], seen: dict[str, int], location: CqcLocation, row, column: int):
    """CQC's directory repeats a location once per group of specialisms: rows that agree on the
    name, provider and local authority are one location (service types merged); rows that
    disagree are an error."""
    if location.location_id not in seen:
        seen[location.location_id] = len(out)
        out.append(location)
        return
    first = out[seen[location.location_id]]
    same = (first.name, first.provider_id, first.local_authority) == (
        location.name,
        location.provider_id,
        location.local_authority,
    )
    if not same:
        row.error(
            column,
            f'"{location.location_id}" also appears on line {first.line} with a different name, '
            "provider or local authority",
        )
        return
    merged = first.service_types + tuple(
        s for s in location.service_types if s not in first.service_types
    )
    out[seen[location.location_id]] = dataclasses.replace(first, service_types=merged)
