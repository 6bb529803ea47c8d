"""Tables for pages and their CSV downloads: one definition, rendered both ways.

Pages show figures rounded for display (one decimal, halves up); the CSV of the same table gives
them unrounded, as stored, for reuse. A figure that is not shown carries a note saying why
(e.g. "not shown: fewer than 5 organisations").
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    numeric: bool = False
    decimals: int = 1
    suffix: str = ""
    #: The query-string sort key for a sortable column (a page offers sorting only where set).
    sort: str = ""


@dataclass
class Table:
    id: str
    caption: str
    columns: Sequence[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)
    #: Shown when there are no rows.
    empty: str = "There is nothing to show."
    #: The column whose cells are row headers (``<th scope="row">``).
    row_header: str = ""

    def display(self, row: dict[str, Any], column: Column) -> str:
        value = row.get(column.key)
        if value is None:
            return row.get(f"{column.key}__note", "–")
        if column.numeric and isinstance(value, int | float) and not isinstance(value, bool):
            return f"{round_display(value, column.decimals)}{column.suffix}"
        if isinstance(value, bool):
            return "Yes" if value else "No"
        return str(value)

    def href(self, row: dict[str, Any], column: Column) -> str | None:
        return row.get(f"{column.key}__href")

    def body_html(self) -> Markup:
        """The table's rows as NHS.UK table markup, every text escaped (built here rather than
        cell by cell in the template: a national table has thousands of cells)."""
        parts: list[str] = []
        for row in self.rows:
            parts.append('<tr class="nhsuk-table__row">')
            for column in self.columns:
                text = escape(self.display(row, column))
                href = self.href(row, column)
                content = f'<a href="{escape(href)}">{text}</a>' if href else str(text)
                numeric = " nhsuk-table__cell--numeric app-score" if column.numeric else ""
                if column.key == self.row_header:
                    if row.get("_highlight"):
                        content = f"<strong>{content}</strong>"
                    header_numeric = " nhsuk-table__header--numeric" if column.numeric else ""
                    parts.append(
                        f'<th scope="row" class="nhsuk-table__header{header_numeric}">{content}</th>'
                    )
                else:
                    parts.append(f'<td class="nhsuk-table__cell{numeric}">{content}</td>')
            parts.append("</tr>")
        return Markup("".join(parts))

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([c.label for c in self.columns])
        for row in self.rows:
            writer.writerow(
                ["" if row.get(c.key) is None else _csv_value(row.get(c.key)) for c in self.columns]
            )
        return out.getvalue()


def _csv_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def round_display(value: float, decimals: int = 1) -> str:
    """Rounded for display, halves up (2.25 → 2.3), as the published figures are rounded."""
    quantum = Decimal(1).scaleb(-decimals)
    rounded = Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP)
    return str(rounded + 0)  # "+ 0" turns -0.0 into 0.0


def ordinal(number: int) -> str:
    if 10 <= number % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def percentile_words(value: float | None) -> str:
    if value is None:
        return "not shown"
    return f"{ordinal(int(Decimal(repr(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP)))} percentile"
