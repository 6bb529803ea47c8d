"""Reading reference CSV files strictly: encoding, column counts, dates and numbers.

Pure Python (no Django). Every reader collects all the problems in a file and raises one
``ReferenceFileError`` listing them, so a bad file is never half-imported.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ReferenceFileError, RowError

_BOM = b"\xef\xbb\xbf"
# Full national files are large (CQC lists 50k+ locations with long text fields).
csv.field_size_limit(10_000_000)


@dataclass(frozen=True)
class SourceFile:
    """The raw bytes of one file and the name used for it in messages and records."""

    name: str
    data: bytes

    @classmethod
    def read(cls, path: Path, name: str | None = None) -> SourceFile:
        return cls(name=name or path.name, data=path.read_bytes())

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def decode(source: SourceFile) -> str:
    """The file's text. UTF-8 (plain ASCII is UTF-8) with or without a byte-order mark.

    Any other encoding is refused with the line and column of every byte that is not UTF-8.
    """
    data = source.data[3:] if source.data.startswith(_BOM) else source.data
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    errors: list[RowError] = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad = raw[exc.start : exc.start + 1]
            column, name = _column_of_offset(raw, exc.start)
            errors.append(
                RowError(
                    source.name,
                    number,
                    column,
                    name,
                    f"byte 0x{bad.hex().upper()} is not valid UTF-8 "
                    "(the file must be saved as UTF-8 or plain ASCII)",
                )
            )
    raise ReferenceFileError(errors)


def _column_of_offset(raw: bytes, offset: int) -> tuple[int | None, str]:
    text = raw[:offset].decode("utf-8", errors="replace")
    try:
        fields = next(csv.reader([text]))
    except (csv.Error, StopIteration):
        return None, ""
    return max(len(fields), 1), ""


@dataclass
class Row:
    """One CSV record with its (1-based) line number and, for headed files, the header."""

    file: str
    line: int
    values: list[str]
    header: Sequence[str] = ()
    errors: list[RowError] = field(default_factory=list)

    def _name(self, column: int, name: str) -> str:
        if name:
            return name
        if self.header and column <= len(self.header):
            return self.header[column - 1]
        return ""

    def error(self, column: int | None, message: str, name: str = "") -> None:
        label = self._name(column, name) if column is not None else name
        self.errors.append(RowError(self.file, self.line, column, label, message))

    def raw(self, column: int) -> str:
        return self.values[column - 1] if column <= len(self.values) else ""

    def text(self, column: int, name: str = "", *, required: bool = False) -> str:
        value = self.raw(column).strip()
        if required and not value:
            self.error(column, "is empty", name)
        return value

    def code(self, column: int, name: str = "", *, required: bool = True) -> str:
        """An organisation code: letters and digits (CQC ids also have a hyphen), upper-cased."""
        value = self.raw(column).strip().upper()
        if not value:
            if required:
                self.error(column, "is empty (expected a code)", name)
            return ""
        if not re.fullmatch(r"[A-Z0-9][A-Z0-9-]{0,31}", value):
            self.error(column, f'"{value}" is not a valid code', name)
            return ""
        return value

    def date(self, column: int, name: str = "", *, fmt: str = "ods") -> dt.date | None:
        value = self.raw(column).strip()
        if not value:
            return None
        parsed = parse_date(value, fmt)
        if parsed is None:
            self.error(column, f'"{value}" is not a date (expected {DATE_FORMATS[fmt][0]})', name)
        return parsed

    def integer(self, column: int, name: str = "", *, required: bool = False) -> int | None:
        value = self.raw(column).strip().replace(",", "")
        if not value or value.upper() == "NA":
            if required:
                self.error(column, "is empty (expected a whole number)", name)
            return None
        try:
            return int(value)
        except ValueError:
            self.error(column, f'"{value}" is not a whole number', name)
            return None

    def number(self, column: int, name: str = "", *, required: bool = False) -> float | None:
        value = self.raw(column).strip().replace(",", "").rstrip("%")
        if not value or value.upper() == "NA":
            if required:
                self.error(column, "is empty (expected a number)", name)
            return None
        try:
            number = float(value)
        except ValueError:
            self.error(column, f'"{value}" is not a number', name)
            return None
        if number != number or number in (float("inf"), float("-inf")):
            self.error(column, f'"{value}" is not a number', name)
            return None
        return number

    def choice(self, column: int, allowed: Sequence[str], name: str = "") -> str:
        value = self.raw(column).strip()
        if value not in allowed:
            shown = ", ".join(f'"{a}"' for a in allowed)
            self.error(column, f'"{value}" is not one of {shown}', name)
            return ""
        return value


_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?: \d{1,2}:\d{2}(?::\d{2})?(?: ?[AP]M)?)?")

DATE_FORMATS: dict[str, tuple[str, str]] = {
    "ods": ("YYYYMMDD", r"\d{8}"),
    "iso": ("YYYY-MM-DD", r"\d{4}-\d{2}-\d{2}"),
    # CQC exports dates either as ISO or as US month/day/year with a time.
    "cqc": ("YYYY-MM-DD or M/D/YYYY", ""),
}


def parse_date(value: str, fmt: str = "ods") -> dt.date | None:
    """A date in the given format, or None if it is not one (no exception: callers report)."""
    value = value.strip()
    try:
        if fmt == "ods":
            if re.fullmatch(r"\d{8}", value):
                return dt.date(int(value[:4]), int(value[4:6]), int(value[6:]))
            return None
        if fmt == "iso":
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                return dt.date.fromisoformat(value)
            return None
        if fmt == "cqc":
            iso = re.fullmatch(r"(\d{4}-\d{2}-\d{2})(?:[T ][0-9:.]+Z?)?", value)
            if iso:
                return dt.date.fromisoformat(iso.group(1))
            us = _US_DATE.fullmatch(value)
            if us:
                return dt.date(int(us.group(3)), int(us.group(1)), int(us.group(2)))
            return None
    except ValueError:
        return None
    raise ValueError(f"unknown date format {fmt!r}")


@dataclass
class Table:
    """A parsed CSV file: its rows (with line numbers) and, for headed files, the header."""

    source: SourceFile
    header: list[str]
    rows: list[Row]
    errors: list[RowError]

    def column(self, name: str) -> int:
        """1-based position of a header column (the caller has checked it exists)."""
        return self.header.index(name) + 1


def read_table(
    source: SourceFile,
    *,
    columns: int | None = None,
    header: bool = True,
    required: Sequence[str] = (),
) -> Table:
    """Decode and split a CSV file, checking column counts and required header names.

    Raises ``ReferenceFileError`` at once for problems that make the rest unreadable (encoding,
    missing header columns); per-row problems are returned in ``Table.errors`` so the caller can
    add its own and report them all together.
    """
    text = decode(source)
    errors: list[RowError] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    records = list(_records(reader, source.name, errors))
    if errors:
        raise ReferenceFileError(errors)
    head: list[str] = []
    if header:
        if not records:
            raise ReferenceFileError([RowError(source.name, None, None, "", "the file is empty")])
        _, head = records.pop(0)
        head = [h.strip() for h in head]
        missing = [name for name in required if name not in head]
        if missing:
            shown = ", ".join(f'"{m}"' for m in missing)
            raise ReferenceFileError(
                [
                    RowError(
                        source.name,
                        1,
                        None,
                        "",
                        f"the header row lacks the column{'s' if len(missing) > 1 else ''} {shown}"
                        " — is this the right file for this import?",
                    )
                ]
            )
        columns = len(head)
    rows: list[Row] = []
    for line, values in records:
        if not any(v.strip() for v in values):
            continue
        if columns is not None and len(values) != columns:
            errors.append(
                RowError(
                    source.name, line, None, "", f"has {len(values)} columns, expected {columns}"
                )
            )
            continue
        rows.append(Row(source.name, line, values, head, errors))
    return Table(source, head, rows, errors)


def _records(reader, name: str, errors: list[RowError]) -> Iterator[tuple[int, list[str]]]:
    previous = 0
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            errors.append(RowError(name, reader.line_num, None, "", f"is not valid CSV ({exc})"))
            return
        yield previous + 1, values
        previous = reader.line_num


def raise_if(errors: Sequence[RowError]) -> None:
    if errors:
        raise ReferenceFileError(sorted(errors, key=_order))


def _order(error: RowError) -> tuple:
    return (error.file, error.line or 0, error.column or 0)
