"""Parsers for the ICB, sub-ICB, region and local-authority lookups (headed CSV files).

Pure Python (no Django). Columns are found by header name, so a re-ordered file still reads.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .csvread import SourceFile, raise_if, read_table


@dataclass(frozen=True)
class RegionRow:
    line: int
    code: str
    ons_code: str
    name: str


def parse_regions(source: SourceFile) -> list[RegionRow]:
    cols = ("region_ods_code", "region_ons_code", "region_name")
    table = read_table(source, required=cols)
    c = [table.column(n) for n in cols]
    out = [
        RegionRow(r.line, r.code(c[0]), r.code(c[1]), r.text(c[2], required=True))
        for r in table.rows
    ]
    raise_if(table.errors)
    return out


@dataclass(frozen=True)
class SubIcbLookupRow:
    line: int
    sub_icb_ons: str
    sub_icb_code: str
    sub_icb_name: str
    icb_ons: str
    icb_code: str
    icb_name: str
    region_ons: str
    region_code: str
    region_name: str


SUB_ICB_LOOKUP_COLUMNS = (
    "SICBL23CD",
    "SICBL23CDH",
    "SICBL23NM",
    "ICB23CD",
    "ICB23CDH",
    "ICB23NM",
    "NHSER23CD",
    "NHSER23CDH",
    "NHSER23NM",
)


def parse_sub_icb_lookup(source: SourceFile) -> list[SubIcbLookupRow]:
    """ONS LUP_SICBL_ICB_NHSER (April 2023): sub-ICB location → ICB → NHS England region."""
    table = read_table(source, required=SUB_ICB_LOOKUP_COLUMNS)
    c = [table.column(n) for n in SUB_ICB_LOOKUP_COLUMNS]
    out = []
    for r in table.rows:
        out.append(
            SubIcbLookupRow(
                r.line,
                r.code(c[0]),
                r.code(c[1]),
                r.text(c[2], required=True),
                r.code(c[3]),
                r.code(c[4]),
                r.text(c[5], required=True),
                r.code(c[6]),
                r.code(c[7]),
                r.text(c[8], required=True),
            )
        )
    raise_if(table.errors)
    return out


@dataclass(frozen=True)
class IcbCodeRow:
    line: int
    ons_code: str
    code: str
    name: str


def parse_icb_codes(source: SourceFile) -> list[IcbCodeRow]:
    cols = ("ICB23CD", "ICB23CDH", "ICB23NM")
    table = read_table(source, required=cols)
    c = [table.column(n) for n in cols]
    out = [
        IcbCodeRow(r.line, r.code(c[0]), r.code(c[1]), r.text(c[2], required=True))
        for r in table.rows
    ]
    raise_if(table.errors)
    return out


@dataclass(frozen=True)
class IcbLookupRow:
    line: int
    code: str
    name: str
    region_name: str


def parse_icb_lookup(source: SourceFile) -> list[IcbLookupRow]:
    """icb_code, icb_name, icb_region. The "-" UNIDENTIFIED row is not an ICB and is left out."""
    cols = ("icb_code", "icb_name", "icb_region")
    table = read_table(source, required=cols)
    c = [table.column(n) for n in cols]
    out = []
    for r in table.rows:
        if r.raw(c[0]).strip() == "-":
            continue
        out.append(IcbLookupRow(r.line, r.code(c[0]), r.text(c[1], required=True), r.text(c[2])))
    raise_if(table.errors)
    return out


@dataclass(frozen=True)
class ApportionmentRow:
    line: int
    icb_code: str
    trust_code: str
    trust_name: str


def parse_apportionment(source: SourceFile) -> list[ApportionmentRow]:
    """ICB Financial Apportionment (ODS ICB partners workbook): each trust → its principal ICB."""
    cols = ("ODS ICB Code", "NHS Trusts", "ODS Trust Code")
    table = read_table(source, required=cols)
    c = [table.column(n) for n in cols]
    out = []
    seen: dict[str, int] = {}
    for r in table.rows:
        trust = r.code(c[2])
        if trust in seen:
            r.error(c[2], f'trust "{trust}" is already mapped on line {seen[trust]}')
        seen[trust] = r.line
        out.append(ApportionmentRow(r.line, r.code(c[0]), trust, r.text(c[1])))
    raise_if(table.errors)
    return out


@dataclass(frozen=True)
class PartnerRow:
    line: int
    icb_code: str
    la_code: str
    la_name: str


def parse_icb_partners(source: SourceFile) -> list[PartnerRow]:
    """ICB Partners: each row may name a local-authority partner of the ICB (others are blank)."""
    cols = ("ODS ICB Code", "Local Authority", "ODS LA Code")
    table = read_table(source, required=cols)
    c = [table.column(n) for n in cols]
    out = []
    for r in table.rows:
        icb = r.code(c[0])
        la_name = r.text(c[1])
        la_code = r.code(c[2], required=bool(la_name))
        if la_code and not la_name:
            r.error(c[1], f'is empty but the LA code is "{la_code}"')
        if la_code:
            out.append(PartnerRow(r.line, icb, la_code, la_name))
    raise_if(table.errors)
    return out


@dataclass(frozen=True)
class Icb2026Row:
    line: int
    code: str
    ons_code: str
    name: str
    region_code: str
    status: str  # retained, retained_expanded, new
    predecessors: tuple[str, ...]


def parse_icb_2026(source: SourceFile) -> list[Icb2026Row]:
    cols = (
        "icb_ods_code",
        "icb_ons_code",
        "icb_name",
        "nhs_region_ods_code",
        "status",
        "predecessor_icb_ods_codes",
    )
    table = read_table(source, required=cols)
    c = [table.column(n) for n in cols]
    out = []
    for r in table.rows:
        raw_status = r.text(c[4], required=True)
        status = raw_status.split()[0] if raw_status else ""
        if status and status not in ("retained", "retained_expanded", "new"):
            r.error(c[4], f'"{raw_status}" is not retained, retained_expanded or new')
        preds = tuple(p.strip().upper() for p in r.raw(c[5]).split(";") if p.strip())
        for p in preds:
            if not re.fullmatch(r"[A-Z0-9]{3,5}", p):
                r.error(c[5], f'"{p}" is not an ICB code')
        out.append(
            Icb2026Row(
                r.line,
                r.code(c[0]),
                r.code(c[1]),
                r.text(c[2], required=True),
                r.code(c[3]),
                status,
                preds,
            )
        )
    raise_if(table.errors)
    return out


SUCCESSION_TYPES = ("merger", "split", "acquisition")


@dataclass(frozen=True)
class SuccessionRow:
    line: int
    predecessor: str
    successor: str
    effective_on: dt.date | None
    kind: str


def parse_successions(source: SourceFile) -> list[SuccessionRow]:
    cols = ("predecessor_icb_ods", "successor_icb_ods", "succession_date", "succession_type")
    table = read_table(source, required=cols)
    c = [table.column(n) for n in cols]
    out = []
    for r in table.rows:
        date = r.date(c[2], fmt="iso")
        if r.raw(c[2]).strip() == "":
            r.error(c[2], "is empty (expected YYYY-MM-DD)")
        out.append(
            SuccessionRow(
                r.line, r.code(c[0]), r.code(c[1]), date, r.choice(c[3], SUCCESSION_TYPES)
            )
        )
    raise_if(table.errors)
    return out
