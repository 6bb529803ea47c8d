"""Problems found in an edition's files, each named by file and by path inside the file."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Issue:
    """One problem: ``file`` relative to the editions folder, ``path`` inside it (may be empty)."""

    file: str
    path: str
    message: str

    def __str__(self) -> str:
        return (
            f"{self.file}: {self.path}: {self.message}"
            if self.path
            else f"{self.file}: {self.message}"
        )


class EditionError(Exception):
    """An edition (or set of editions) cannot be loaded. ``issues`` lists every problem found."""

    def __init__(self, issues: Iterable[Issue]) -> None:
        self.issues: list[Issue] = _unique(issues)
        super().__init__("\n".join(str(issue) for issue in self.issues))

    @property
    def files(self) -> set[str]:
        return {issue.file for issue in self.issues}


def _unique(issues: Iterable[Issue]) -> list[Issue]:
    seen: set[Issue] = set()
    result = []
    for issue in issues:
        if issue not in seen:
            seen.add(issue)
            result.append(issue)
    return result


def format_loc(loc: Sequence[int | str]) -> str:
    """``(2, 'levels', 3, 'criteria', 0, 'text')`` → ``[2].levels[3].criteria[0].text``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def join_path(prefix: str, path: str) -> str:
    if not prefix:
        return path
    if not path:
        return prefix
    return prefix + path if path.startswith("[") else f"{prefix}.{path}"
