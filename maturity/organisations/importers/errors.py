"""Problems found in a reference file, each named by file, line and column.

Pure Python (no Django): the parsers collect every problem in a file before anything is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class RowError:
    """One problem. ``line`` and ``column`` are 1-based; either may be None for whole-file issues."""

    file: str
    line: int | None
    column: int | None
    column_name: str
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f" line {self.line}"
        if self.column is not None:
            where += f", column {self.column}"
            if self.column_name:
                where += f" ({self.column_name})"
        return f"{where}: {self.message}"


class ReferenceFileError(Exception):
    """A reference file cannot be imported; ``errors`` lists every problem found, in file order."""

    def __init__(self, errors: Iterable[RowError]) -> None:
        self.errors: list[RowError] = list(dict.fromkeys(errors))
        count = len(self.errors)
        head = f"{count} problem{'s' if count != 1 else ''} found; nothing was imported from "
        files = sorted({e.file for e in self.errors})
        super().__init__(head + ", ".join(files) + ":\n" + "\n".join(str(e) for e in self.errors))

    @property
    def files(self) -> set[str]:
        return {e.file for e in self.errors}
