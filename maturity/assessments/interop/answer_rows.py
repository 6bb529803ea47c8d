"""Reading a file of answers (CSV or Excel) and checking every row before anything is saved.

Pure: no Django. The file has a header row naming at least ``item_id`` and ``value`` (and
optionally ``version``); other columns are ignored, so a CSV exported from a return can be edited
and imported back (its score rows, ``kind`` = domain_level / pillar_score / overall_score, are
skipped). Rows with an empty value are skipped: they leave the item as it is.

``version`` is the version of the answer the person editing the file saw: a number, or empty for
"there was no answer". When the column is absent the file replaces whatever is saved.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .items import Catalogue, StoredAnswer, clean_value, not_asked

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
REQUIRED_COLUMNS = ("item_id", "value")
SCORE_KINDS = frozenset({"domain_level", "pillar_score", "overall_score"})
# Text a spreadsheet would run as a formula; the CSV export puts an apostrophe before it.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UnreadableFile(ValueError):
    """The file as a whole cannot be read (not CSV or Excel, no header, too large)."""


@dataclass(frozen=True)
class Cell:
    line: int
    values: dict[str, Any]


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[Cell]
    source: str  # "CSV" or "Excel"


@dataclass(frozen=True)
class Proposed:
    """A checked row: the answer to save and the version it must replace."""

    line: int
    item_id: str
    value: Any
    expected_version: int | None


@dataclass
class Checked:
    proposed: list[Proposed] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    skipped_blank: int = 0
    skipped_scores: int = 0
    unchanged: int = 0


# --- reading -------------------------------------------------------------------------------------


def read_table(data: bytes, filename: str = "") -> Table:
    """The rows of a CSV (UTF-8, with or without a byte order mark) or of an Excel workbook's
    first sheet; :class:`UnreadableFile` when it is neither."""
    if len(data) > MAX_BYTES:
        raise UnreadableFile(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    if not data.strip():
        raise UnreadableFile("the file is empty")
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise UnreadableFile(
            "this is an old Excel (.xls) workbook: save it as .xlsx or as CSV (UTF-8)"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableFile(
            f"the file is not UTF-8 text (byte {error.start + 1} cannot be read) nor an Excel "
            "workbook: save it as CSV UTF-8 or as .xlsx"
        ) from None
    return _read_csv(text)


def _header(raw: list[Any]) -> list[str]:
    columns = [str(c).strip().lower() if c is not None else "" for c in raw]
    while columns and not columns[-1]:
        columns.pop()
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        found = ", ".join(c for c in columns if c) or "nothing"
        raise UnreadableFile(
            f"line 1 must be a header naming the columns item_id and value (and optionally "
            f"version); it has {found}"
        )
    duplicated = sorted({c for c in columns if c and columns.count(c) > 1})
    if duplicated:
        raise UnreadableFile(f"line 1 names the column {', '.join(duplicated)} more than once")
    return columns


def _cells(columns: list[str], raw: list[Any], line: int) -> Cell | None:
    values = {name: raw[i] if i < len(raw) else None for i, name in enumerate(columns) if name}
    if all(v is None or (isinstance(v, str) and not v.strip()) for v in raw):
        return None
    return Cell(line=line, values=values)


def _read_csv(text: str) -> Table:
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[Cell] = []
    columns: list[str] | None = None
    while True:
        line = reader.line_num + 1
        try:
            raw = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise UnreadableFile(f"line {line}: {error}") from None
        if columns is None:
            if not any(cell.strip() for cell in raw):
                continue
            columns = _header(raw)
            if line != 1:
                raise UnreadableFile("line 1 must be the header row")
            continue
        cell = _cells(columns, raw, line)
        if cell is not None:
            rows.append(cell)
        if len(rows) > MAX_ROWS:
            raise UnreadableFile(f"the file has more than {MAX_ROWS} rows")
    if columns is None:
        raise UnreadableFile("the file is empty")
    return Table(columns=columns, rows=rows, source="CSV")


def _read_xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise UnreadableFile(
            f"the file is not an Excel workbook that can be read ({error})"
        ) from None
    try:
        if not workbook.worksheets:
            raise UnreadableFile("the workbook has no sheet")
        sheet = workbook.worksheets[0]
        lines: Iterator[tuple[Any, ...]] = sheet.iter_rows(values_only=True)
        header = next(lines, None)
        if header is None:
            raise UnreadableFile("the first sheet is empty")
        columns = _header(list(header))
        rows: list[Cell] = []
        for line, raw in enumerate(lines, start=2):
            cell = _cells(columns, list(raw), line)
            if cell is not None:
                rows.append(cell)
            if len(rows) > MAX_ROWS:
                raise UnreadableFile(f"the first sheet has more than {MAX_ROWS} rows")
    finally:
        workbook.close()
    return Table(columns=columns, rows=rows, source="Excel")


# --- checking ------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _version_cell(value: Any) -> int | None:
    """The version given in a cell; ``None`` for empty; ``ValueError`` if not a whole number."""
    if _is_blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    number = int(value) if isinstance(value, int) else int(str(value).strip())
    if number < 1:
        raise ValueError
    return number


def _cell_value(value: Any) -> Any:
    # Excel gives dates as datetimes; a date question takes the day.
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date()
    # Exports put an apostrophe before text a spreadsheet would run as a formula.
    if isinstance(value, str) and value[:1] == "'" and value[1:2] in FORMULA_START:
        return value[1:]
    return value


def check_rows(table: Table, catalogue: Catalogue, current: Mapping[str, StoredAnswer]) -> Checked:
    """Check every row against the edition and the answers saved now; report every problem as
    "line N, column C: why". Nothing is proposed unless there is no problem at all."""
    result = Checked()
    has_version = "version" in table.columns
    has_kind = "kind" in table.columns
    first_line: dict[str, int] = {}
    for row in table.rows:
        cells = row.values
        if has_kind and _text(cells.get("kind")).lower() in SCORE_KINDS:
            result.skipped_scores += 1
            continue
        where = f"line {row.line}"
        item_id = _text(cells.get("item_id"))
        raw_value = cells.get("value")
        if not item_id:
            if _is_blank(raw_value):
                result.skipped_blank += 1
            else:
                result.problems.append(f"{where}, column item_id: no item id is given")
            continue
        item = catalogue.get(item_id)
        if item is None:
            result.problems.append(f"{where}, column item_id: {catalogue.unknown_reason(item_id)}")
            continue
        if item_id in first_line:
            result.problems.append(
                f"{where}, column item_id: {item_id!r} is already given on line "
                f"{first_line[item_id]}"
            )
            continue
        first_line[item_id] = row.line
        if _is_blank(raw_value):
            result.skipped_blank += 1
            continue
        try:
            value = clean_value(item, _cell_value(raw_value))
        except ValueError as error:
            result.problems.append(f"{where}, column value: {error}")
            continue

        saved = current.get(item_id)
        if has_version:
            try:
                seen = _version_cell(cells.get("version"))
            except (TypeError, ValueError):
                result.problems.append(
                    f"{where}, column version: {_text(cells.get('version'))!r} is not a version "
                    "number (a whole number from 1, or empty if there was no answer)"
                )
                continue
            stale = _stale(seen, saved)
            if stale:
                result.problems.append(f"{where}, column version: {stale}")
                continue
        if saved is not None and saved.value == value:
            result.unchanged += 1
            continue
        result.proposed.append(
            Proposed(
                line=row.line,
                item_id=item_id,
                value=value,
                expected_version=None if saved is None else saved.version,
            )
        )

    result.problems.extend(_disabled(result.proposed, catalogue, current))
    if result.problems:
        result.proposed = []
    return result


def _stale(seen: int | None, saved: StoredAnswer | None) -> str | None:
    if saved is None and seen is None:
        return None
    if saved is None:
        return (
            f"version {seen} was given but the item has no saved answer; leave version empty "
            "for a new answer"
        )
    if seen == saved.version:
        return None
    was = "no answer" if seen is None else f"version {seen}"
    return (
        f"the saved answer is at version {saved.version} (value {saved.value!r}), not {was}: "
        "someone has changed it since; export the return again and reapply your change"
    )


def _disabled(
    proposed: list[Proposed], catalogue: Catalogue, current: Mapping[str, StoredAnswer]
) -> list[str]:
    """Answers to contextual questions that would not be asked once the file is applied."""
    reasons = not_asked({p.item_id: p.value for p in proposed}, catalogue, current)
    return [
        f"line {p.line}, column item_id: {reasons[p.item_id]}"
        for p in proposed
        if p.item_id in reasons
    ]
