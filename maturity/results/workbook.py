"""Reading NHS England's Digital Maturity Assessment data file (the published .xlsx).

No Django here: this turns the workbook into plain rows, checking its shape as it goes, and
collects every problem (sheet, row, column) instead of stopping at the first, so a bad file is
reported in full. Matching names to ODS codes and storing the figures is the service's job.

The layout of "DMA data file v2" (30 March 2026): each data sheet has a title block, then a
header row holding "Region" and "ICS" (row 11 in the published file, but found by looking, not
assumed), then one row per organisation until the first blank row, then notes ("Source: …",
"Copyright …") in the first text column only.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SHEET_SC_PILLARS = "SC - 2025 Pillar Summary"
SHEET_SC_OVERALL = "SC - 24 vs 25 Overall DMA"
SHEET_ICB_PILLARS = "ICB - 2025 Pillar Summary"
SHEET_ICB_OVERALL = "ICB -24 vs 25 Overall DMA"
SHEET_PC_PILLARS = "2025 Pillar Summary (ICB PC)"
REQUIRED_SHEETS = (
    SHEET_SC_PILLARS,
    SHEET_SC_OVERALL,
    SHEET_ICB_PILLARS,
    SHEET_ICB_OVERALL,
    SHEET_PC_PILLARS,
)

# Column headings as published (normalised), mapped to our pillar ids. The primary care sheet
# words some of them differently.
PILLAR_HEADINGS = {
    "WELL LED": "well_led",
    "ENSURE SMART FOUNDATIONS": "smart_foundations",
    "ENSURING SMART FOUNDATIONS": "smart_foundations",
    "SAFE PRACTICE": "safe_practice",
    "SUPPORT WORKFORCE": "support_people",
    "SUPPORT PEOPLE": "support_people",
    "EMPOWER PEOPLE": "empower_people",
    "IMPROVE CARE": "improve_care",
    "HEALTHY POPULATIONS": "healthy_populations",
}
CARE_SETTINGS = {
    "ACUTE": "acute",
    "COMMUNITY": "community",
    "MENTAL HEALTH": "mental_health",
    "AMBULANCE": "ambulance",
}
# Every published score is a mean of levels 1 to 5.
MIN_SCORE = 1.0
MAX_SCORE = 5.0


class WorkbookError(Exception):
    """The workbook cannot be read as a DMA data file; ``problems`` lists every reason found."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


def normalise_name(name: str) -> str:
    """Upper case, '&' as AND, punctuation removed, whitespace collapsed (for matching names).

    Apostrophes vanish ("WOMEN'S" is "WOMENS"); other punctuation separates words, so
    "STOKE-ON-TRENT" and "STOKE ON TRENT" are the same name.
    """
    text = name.upper().replace("&", " AND ")
    text = re.sub(r"['\u2019`]", "", text)
    text = re.sub(r"[^\w\s]|_", " ", text)
    return " ".join(text.split())


@dataclass(frozen=True)
class SheetRow:
    """Where a figure came from, for error messages and provenance."""

    sheet: str
    row: int


@dataclass(frozen=True)
class ProviderRow:
    """One secondary care provider × care setting: 2025 pillar scores and overall scores."""

    provider: str
    care_setting: str
    region: str
    ics: str
    pillars: dict[str, float]
    overall_2025: float | None
    overall_2024: float | None
    pillar_source: SheetRow
    overall_source: SheetRow


@dataclass(frozen=True)
class IcbRow:
    """One ICB: 2025 system pillar scores, overall scores, and primary care pillar scores."""

    ics: str
    region: str
    pillars: dict[str, float]
    overall_2025: float | None
    overall_2024: float | None
    primary_care_pillars: dict[str, float]
    pillar_source: SheetRow
    overall_source: SheetRow
    primary_care_source: SheetRow


@dataclass(frozen=True)
class DmaWorkbook:
    providers: list[ProviderRow]
    icbs: list[IcbRow]
    publication_date: str | None = None


@dataclass
class _Table:
    sheet: str
    columns: dict[str, int]
    rows: list[tuple[int, tuple[Any, ...]]]


def read_dma_workbook(path: Path) -> DmaWorkbook:
    """Read the five data sheets of the DMA data file; raises :class:`WorkbookError` listing every
    problem (missing sheet or column, non-numeric or out-of-range score, duplicate or missing row)."""
    import openpyxl  # imported here so importing this module stays cheap

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise WorkbookError([f"{path}: file not found"]) from None
    except Exception as exc:  # openpyxl raises many types for a file that is not a workbook
        raise WorkbookError([f"{path}: not a readable .xlsx workbook ({exc})"]) from None
    try:
        return _read(workbook)
    finally:
        workbook.close()


def _read(workbook) -> DmaWorkbook:
    problems: list[str] = []
    missing = [name for name in REQUIRED_SHEETS if _find_sheet(workbook, name) is None]
    if missing:
        found = ", ".join(repr(n) for n in workbook.sheetnames)
        raise WorkbookError(
            [f"sheet {name!r} is missing (the workbook has {found})" for name in missing]
        )

    tables = {}
    for name in REQUIRED_SHEETS:
        sheet = _find_sheet(workbook, name)
        try:
            tables[name] = _table(sheet, name)
        except WorkbookError as exc:
            problems.extend(exc.problems)
    if problems:
        raise WorkbookError(problems)

    providers = _providers(tables[SHEET_SC_PILLARS], tables[SHEET_SC_OVERALL], problems)
    icbs = _icbs(
        tables[SHEET_ICB_PILLARS], tables[SHEET_ICB_OVERALL], tables[SHEET_PC_PILLARS], problems
    )
    if problems:
        raise WorkbookError(problems)
    return DmaWorkbook(providers=providers, icbs=icbs, publication_date=_publication_date(workbook))


def _find_sheet(workbook, name: str):
    # The published file has a trailing space on some sheet names ("ICB -24 vs 25 Overall DMA ").
    for candidate in workbook.sheetnames:
        if candidate.strip() == name:
            return workbook[candidate]
    return None


def _publication_date(workbook) -> str | None:
    for name in workbook.sheetnames:
        if name.strip().lower() == "introduction":
            for row in workbook[name].iter_rows(max_row=20, values_only=True):
                cells = [c for c in row if c is not None]
                if len(cells) >= 2 and str(cells[0]).strip().lower().startswith("publication date"):
                    return str(cells[1]).strip()
    return None


def _text(value: Any) -> str:
    return "" if value is None else " ".join(str(value).split())


def _table(sheet, name: str) -> _Table:
    rows = list(sheet.iter_rows(values_only=True))
    header_index = None
    for index, row in enumerate(rows[:50]):
        texts = [_text(v).upper() for v in row]
        if "REGION" in texts and "ICS" in texts:
            header_index = index
            break
    if header_index is None:
        raise WorkbookError([f"{name}: no header row with 'Region' and 'ICS' in the first 50 rows"])
    columns: dict[str, int] = {}
    for position, value in enumerate(rows[header_index]):
        heading = normalise_name(_text(value))
        if heading:
            columns[heading] = position

    data: list[tuple[int, tuple[Any, ...]]] = []
    problems: list[str] = []
    ended_at = None
    first_text_column = min(columns.values())
    for index in range(header_index + 1, len(rows)):
        row = rows[index]
        row_number = index + 1
        if all(_text(v) == "" for v in row):
            if data and ended_at is None:
                ended_at = row_number
            continue
        if ended_at is None:
            data.append((row_number, row))
            continue
        # After the data block only notes are allowed, each in a single text column.
        filled = [i for i, v in enumerate(row) if _text(v) != ""]
        if filled != [first_text_column]:
            problems.append(
                f"{name} row {row_number}: data found after the blank row {ended_at} that ends "
                "the table"
            )
    if not data:
        problems.append(f"{name}: no data rows below the header (row {header_index + 1})")
    if problems:
        raise WorkbookError(problems)
    return _Table(sheet=name, columns=columns, rows=data)


def _column(table: _Table, heading: str, problems: list[str]) -> int | None:
    if heading not in table.columns:
        problems.append(f"{table.sheet}: column {heading.title()!r} is missing")
        return None
    return table.columns[heading]


def _pillar_columns(table: _Table, expected: Iterable[str], problems: list[str]) -> dict[str, int]:
    found = {}
    for heading, position in table.columns.items():
        if heading in PILLAR_HEADINGS:
            found[PILLAR_HEADINGS[heading]] = position
    for pillar in expected:
        if pillar not in found:
            problems.append(
                f"{table.sheet}: the {pillar.replace('_', ' ')} pillar column is missing"
            )
    return found


def _score(
    table: _Table, row_number: int, heading: str, value: Any, problems: list[str]
) -> float | None:
    """A published score exactly as stored (blank is None); anything else is reported."""
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        problems.append(
            f"{table.sheet} row {row_number}, column {heading!r}: {value!r} is not a number"
        )
        return None
    number = float(value)
    if not math.isfinite(number) or not MIN_SCORE <= number <= MAX_SCORE:
        problems.append(
            f"{table.sheet} row {row_number}, column {heading!r}: {value!r} is outside 1 to 5"
        )
        return None
    return number


def _heading(table: _Table, position: int) -> str:
    for heading, pos in table.columns.items():
        if pos == position:
            return heading.title()
    return str(position)


def _pillars(
    table: _Table, row_number: int, row: tuple[Any, ...], columns: dict[str, int], problems
) -> dict[str, float]:
    pillars = {}
    for pillar, position in columns.items():
        value = _score(table, row_number, _heading(table, position), _cell(row, position), problems)
        if value is not None:
            pillars[pillar] = value
    return pillars


def _cell(row: tuple[Any, ...], position: int) -> Any:
    return row[position] if position < len(row) else None


ALL_PILLARS = (
    "well_led",
    "smart_foundations",
    "safe_practice",
    "support_people",
    "empower_people",
    "improve_care",
    "healthy_populations",
)
PRIMARY_CARE_PILLARS = (
    "well_led",
    "smart_foundations",
    "support_people",
    "empower_people",
    "improve_care",
)


def _required_text(
    table: _Table, row_number: int, row: tuple[Any, ...], position: int | None, label: str, problems
) -> str:
    if position is None:
        return ""
    value = _text(_cell(row, position))
    if not value:
        problems.append(f"{table.sheet} row {row_number}: the {label} is blank")
    return value


def _providers(
    pillar_table: _Table, overall_table: _Table, problems: list[str]
) -> list[ProviderRow]:
    missing: list[str] = []
    cols = {}
    for table in (pillar_table, overall_table):
        cols[table.sheet] = {
            key: _column(table, key, missing)
            for key in ("REGION", "ICS", "PROVIDER", "CARE SETTING")
        }
    pillar_columns = _pillar_columns(pillar_table, ALL_PILLARS, missing)
    overall_2025 = _column(overall_table, "2025 AVERAGE", missing)
    overall_2024 = _column(overall_table, "2024 AVERAGE", missing)
    if missing:
        problems.extend(missing)
        return []

    def key_of(table: _Table, row_number: int, row) -> tuple[str, str, str, str] | None:
        c = cols[table.sheet]
        provider = _required_text(table, row_number, row, c["PROVIDER"], "provider", problems)
        setting_text = _required_text(
            table, row_number, row, c["CARE SETTING"], "care setting", problems
        )
        region = _text(_cell(row, c["REGION"]))
        ics = _text(_cell(row, c["ICS"]))
        if not provider or not setting_text:
            return None
        setting = CARE_SETTINGS.get(normalise_name(setting_text))
        if setting is None:
            problems.append(
                f"{table.sheet} row {row_number}: care setting {setting_text!r} is not one of "
                "Acute, Community, Mental Health, Ambulance"
            )
            return None
        return provider, setting, region, ics

    overall: dict[tuple[str, str], tuple[int, float | None, float | None]] = {}
    for row_number, row in overall_table.rows:
        key = key_of(overall_table, row_number, row)
        if key is None:
            continue
        ident = (normalise_name(key[0]), key[1])
        if ident in overall:
            problems.append(
                f"{overall_table.sheet} row {row_number}: {key[0]} ({key[1]}) is listed twice "
                f"(also row {overall[ident][0]})"
            )
            continue
        overall[ident] = (
            row_number,
            _score(overall_table, row_number, "2025 Average", _cell(row, overall_2025), problems),
            _score(overall_table, row_number, "2024 Average", _cell(row, overall_2024), problems),
        )

    providers: list[ProviderRow] = []
    seen: dict[tuple[str, str], int] = {}
    for row_number, row in pillar_table.rows:
        key = key_of(pillar_table, row_number, row)
        if key is None:
            continue
        provider, setting, region, ics = key
        ident = (normalise_name(provider), setting)
        if ident in seen:
            problems.append(
                f"{pillar_table.sheet} row {row_number}: {provider} ({setting}) is listed twice "
                f"(also row {seen[ident]})"
            )
            continue
        seen[ident] = row_number
        pillars = _pillars(pillar_table, row_number, row, pillar_columns, problems)
        if ident not in overall:
            problems.append(
                f"{pillar_table.sheet} row {row_number}: {provider} ({setting}) has no row in "
                f"{overall_table.sheet!r}"
            )
            continue
        overall_row, score_2025, score_2024 = overall[ident]
        providers.append(
            ProviderRow(
                provider=provider,
                care_setting=setting,
                region=region,
                ics=ics,
                pillars=pillars,
                overall_2025=score_2025,
                overall_2024=score_2024,
                pillar_source=SheetRow(pillar_table.sheet, row_number),
                overall_source=SheetRow(overall_table.sheet, overall_row),
            )
        )
    for ident, (row_number, _, _) in overall.items():
        if ident not in seen:
            problems.append(
                f"{overall_table.sheet} row {row_number}: {ident[0]} ({ident[1]}) has no row in "
                f"{pillar_table.sheet!r}"
            )
    return providers


def _icbs(
    pillar_table: _Table, overall_table: _Table, pc_table: _Table, problems: list[str]
) -> list[IcbRow]:
    missing: list[str] = []
    tables = (pillar_table, overall_table, pc_table)
    ics_cols = {t.sheet: _column(t, "ICS", missing) for t in tables}
    region_cols = {t.sheet: _column(t, "REGION", missing) for t in tables}
    pillar_columns = _pillar_columns(pillar_table, ALL_PILLARS, missing)
    pc_columns = _pillar_columns(pc_table, PRIMARY_CARE_PILLARS, missing)
    overall_2025 = _column(overall_table, "2025 AVERAGE", missing)
    overall_2024 = _column(overall_table, "2024 AVERAGE", missing)
    if missing:
        problems.extend(missing)
        return []

    def rows_by_ics(table: _Table) -> dict[str, tuple[int, str, tuple[Any, ...]]]:
        found: dict[str, tuple[int, str, tuple[Any, ...]]] = {}
        for row_number, row in table.rows:
            ics = _required_text(table, row_number, row, ics_cols[table.sheet], "ICS", problems)
            if not ics:
                continue
            ident = normalise_name(ics)
            if ident in found:
                problems.append(
                    f"{table.sheet} row {row_number}: {ics} is listed twice "
                    f"(also row {found[ident][0]})"
                )
                continue
            found[ident] = (row_number, ics, row)
        return found

    by_sheet = {t.sheet: rows_by_ics(t) for t in tables}
    main = by_sheet[pillar_table.sheet]
    for table in (overall_table, pc_table):
        for ident, (row_number, ics, _) in by_sheet[table.sheet].items():
            if ident not in main:
                problems.append(
                    f"{table.sheet} row {row_number}: {ics} has no row in {pillar_table.sheet!r}"
                )
        for ident, (row_number, ics, _) in main.items():
            if ident not in by_sheet[table.sheet]:
                problems.append(
                    f"{pillar_table.sheet} row {row_number}: {ics} has no row in {table.sheet!r}"
                )

    icbs: list[IcbRow] = []
    for ident, (row_number, ics, row) in main.items():
        if ident not in by_sheet[overall_table.sheet] or ident not in by_sheet[pc_table.sheet]:
            continue
        overall_row, _, orow = by_sheet[overall_table.sheet][ident]
        pc_row, _, prow = by_sheet[pc_table.sheet][ident]
        icbs.append(
            IcbRow(
                ics=ics,
                region=_text(_cell(row, region_cols[pillar_table.sheet])),
                pillars=_pillars(pillar_table, row_number, row, pillar_columns, problems),
                overall_2025=_score(
                    overall_table, overall_row, "2025 Average", _cell(orow, overall_2025), problems
                ),
                overall_2024=_score(
                    overall_table, overall_row, "2024 Average", _cell(orow, overall_2024), problems
                ),
                primary_care_pillars=_pillars(pc_table, pc_row, prow, pc_columns, problems),
                pillar_source=SheetRow(pillar_table.sheet, row_number),
                overall_source=SheetRow(overall_table.sheet, overall_row),
                primary_care_source=SheetRow(pc_table.sheet, pc_row),
            )
        )
    return icbs
