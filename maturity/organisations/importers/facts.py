"""Parsers for the files that give dated facts: trust type and EPR supplier, GP system, practice
list size and deprivation, ICB and sub-ICB population, acute-trust catchments.

Pure Python (no Django).
"""

from __future__ import annotations

from dataclasses import dataclass

from .csvread import SourceFile, raise_if, read_table

TRUST_TYPES = (
    "Acute",
    "Mental Health and Community (Combined)",
    "Mental Health",
    "Community",
    "Ambulance",
)


@dataclass(frozen=True)
class EprRow:
    line: int
    code: str
    trust_type: str
    supplier: str


def parse_epr_suppliers(source: SourceFile) -> list[EprRow]:
    cols = ("Organisation Code", "Trust Type (Primary)", "Supplier (Primary EPR)")
    table = read_table(source, required=cols)
    c = [table.column(n) for n in cols]
    out = [
        EprRow(r.line, r.code(c[0]), r.choice(c[1], TRUST_TYPES), r.text(c[2])) for r in table.rows
    ]
    raise_if(table.errors)
    return out


@dataclass(frozen=True)
class GpSystemRow:
    line: int
    code: str
    system: str
    gpad_systems: str


def parse_gp_suppliers(source: SourceFile) -> list[GpSystemRow]:
    cols = ("GP_ODS_CODE", "GP_SYSTEM", "GP_GPAD_SYSTEMS")
    table = read_table(source, required=cols)
    c = [table.column(n) for n in cols]
    out = [
        GpSystemRow(r.line, r.code(c[0]), r.text(c[1], required=True), r.text(c[2]))
        for r in table.rows
    ]
    raise_if(table.errors)
    return out


@dataclass(frozen=True)
class PracticeDemographicsRow:
    line: int
    code: str
    list_size: int | None
    imd_score: float | None


def parse_practice_demographics(source: SourceFile) -> list[PracticeDemographicsRow]:
    cols = ("practice_code", "list_size", "imd_score")
    table = read_table(source, required=cols)
    c = [table.column(n) for n in cols]
    out = [
        PracticeDemographicsRow(r.line, r.code(c[0]), r.integer(c[1]), r.number(c[2]))
        for r in table.rows
    ]
    raise_if(table.errors)
    return out


@dataclass(frozen=True)
class IcbPopulationRow:
    line: int
    code: str
    population: int | None
    gp_practices: int | None
    gp_registered_patients: int | None
    imd_score: float | None
    pct_most_deprived_quintile: float | None


def parse_icb_population(source: SourceFile) -> list[IcbPopulationRow]:
    cols = (
        "icb_ods_code",
        "ons_mid2022_population",
        "n_gp_practices",
        "gp_registered_patients",
        "list_weighted_practice_imd2019_score",
        "pct_registered_patients_in_most_deprived_quintile_practices",
    )
    table = read_table(source, required=cols)
    c = [table.column(n) for n in cols]
    out = [
        IcbPopulationRow(
            r.line,
            r.code(c[0]),
            r.integer(c[1], required=True),
            r.integer(c[2]),
            r.integer(c[3]),
            r.number(c[4]),
            r.number(c[5]),
        )
        for r in table.rows
    ]
    raise_if(table.errors)
    return out


@dataclass(frozen=True)
class SubIcbPopulationRow:
    line: int
    ons_code: str
    population: int | None


def parse_sub_icb_population(source: SourceFile) -> list[SubIcbPopulationRow]:
    cols = ("SICBL 2023 Code", "Total")
    table = read_table(source, required=cols)
    c = [table.column(n) for n in cols]
    out = [
        SubIcbPopulationRow(r.line, r.code(c[0]), r.integer(c[1], required=True))
        for r in table.rows
    ]
    raise_if(table.errors)
    return out


@dataclass(frozen=True)
class CatchmentRow:
    line: int
    code: str
    population: int | None
    imd_score: float | None


def parse_catchment_summary(source: SourceFile) -> list[CatchmentRow]:
    cols = ("trust_code", "catch_pop", "imd_score")
    table = read_table(source, required=cols)
    c = [table.column(n) for n in cols]
    out = [
        CatchmentRow(r.line, r.code(c[0]), r.integer(c[1], required=True), r.number(c[2]))
        for r in table.rows
    ]
    raise_if(table.errors)
    return out


@dataclass(frozen=True)
class OhidCatchmentRow:
    line: int
    code: str
    all_admissions: int | None
    emergency_admissions: int | None


def parse_ohid_catchment(source: SourceFile) -> list[OhidCatchmentRow]:
    cols = ("TrustCode", "All admissions", "Emergency admissions")
    table = read_table(source, required=cols)
    c = [table.column(n) for n in cols]
    out = [
        OhidCatchmentRow(r.line, r.code(c[0]), r.integer(c[1], required=True), r.integer(c[2]))
        for r in table.rows
    ]
    raise_if(table.errors)
    return out
