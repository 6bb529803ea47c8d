"""Parsers for the NHS ODS organisation files: etr, ect, eccg and epraccur.

All four use the standard ODS 27-column layout with no header row. ODS dates are YYYYMMDD and
ODS end dates are inclusive (the last day open). The registry stores exclusive ends, so
``closed_on`` is the ODS close date plus one day: the first day the organisation no longer exists.

Pure Python (no Django).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .csvread import SourceFile, raise_if, read_table
from .errors import RowError

ODS_COLUMNS = 27

COLUMN_NAMES = {
    1: "organisation code",
    2: "name",
    3: "national grouping",
    4: "high level health geography",
    10: "postcode",
    11: "open date",
    12: "close date",
    13: "status",
    14: "organisation sub-type",
    15: "commissioner",
    16: "join parent date",
    17: "left parent date",
    24: "GOR code",
    26: "primary role",
}

GP_PRACTICE_ROLE = "RO76"
PRACTICE_STATUSES = ("ACTIVE", "INACTIVE", "DORMANT")
SUB_ICB_TYPE = "C"
COMMISSIONING_HUB_TYPE = "H"
ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class OdsRecord:
    line: int
    code: str
    name: str
    region: str
    icb: str
    postcode: str
    opened_on: dt.date | None
    closed_on: dt.date | None  # exclusive: first day closed
    gor: str
    status: str = ""
    commissioner: str = ""
    joined_on: dt.date | None = None
    left_on: dt.date | None = None  # exclusive: first day no longer in that commissioner


@dataclass(frozen=True)
class OdsFile:
    source: SourceFile
    kind: str  # etr, ect, eccg, epraccur
    records: list[OdsRecord]
    rows: int
    skipped: int
    skipped_reason: str
    errors: list[RowError]


def _name(column: int) -> str:
    return COLUMN_NAMES.get(column, "")


def _end(date: dt.date | None) -> dt.date | None:
    return date + ONE_DAY if date else None


def parse_ods(source: SourceFile, kind: str, *, strict: bool = True) -> OdsFile:
    """Parse one ODS file of the given kind, raising ``ReferenceFileError`` listing every problem.

    With ``strict=False`` row problems are returned in ``errors`` instead, so an import step can
    add its own (unknown parent codes) and report them all together.
    """
    if kind not in ("etr", "ect", "eccg", "epraccur"):
        raise ValueError(f"unknown ODS file kind {kind!r}")
    table = read_table(source, columns=ODS_COLUMNS, header=False)
    records: list[OdsRecord] = []
    skipped = 0
    seen: dict[str, int] = {}
    for row in table.rows:
        if kind == "epraccur":
            roles = [r.strip() for r in row.raw(26).split("|") if r.strip()]
            if GP_PRACTICE_ROLE not in roles:
                skipped += 1
                continue
        if kind == "eccg":
            sub_type = row.raw(14).strip()
            if sub_type == COMMISSIONING_HUB_TYPE:
                skipped += 1
                continue
            if sub_type != SUB_ICB_TYPE:
                row.error(
                    14,
                    f'"{sub_type}" is not a sub-ICB location ("C") or commissioning hub ("H")',
                    _name(14),
                )
                continue
        code = row.code(1, _name(1))
        name = row.text(2, _name(2), required=True)
        opened = row.date(11, _name(11))
        closed = row.date(12, _name(12))
        if opened and closed and closed < opened:
            row.error(12, f"close date {closed:%Y%m%d} is before the open date", _name(12))
        if code:
            if code in seen:
                row.error(1, f'"{code}" also appears on line {seen[code]}', _name(1))
            seen[code] = row.line
        extra: dict = {}
        if kind == "epraccur":
            status = row.choice(13, PRACTICE_STATUSES, _name(13))
            joined = row.date(16, _name(16))
            left = row.date(17, _name(17))
            if joined and left and left < joined:
                row.error(17, f"left date {left:%Y%m%d} is before the join date", _name(17))
            extra = {
                "status": status,
                "commissioner": row.code(15, _name(15), required=False),
                "joined_on": joined,
                "left_on": _end(left),
            }
        records.append(
            OdsRecord(
                line=row.line,
                code=code,
                name=name,
                region=row.code(3, _name(3), required=False),
                icb=row.code(4, _name(4), required=False),
                postcode=row.text(10, _name(10)).upper(),
                opened_on=opened,
                closed_on=_end(closed),
                gor=row.text(24, _name(24)).upper(),
                **extra,
            )
        )
    if strict:
        raise_if(table.errors)
    reason = {
        "epraccur": "not GP practices (role other than RO76)",
        "eccg": "NHS England commissioning hubs",
    }.get(kind, "")
    return OdsFile(source, kind, records, len(table.rows), skipped, reason, table.errors)
