"""Where the shipped reference data lives, and what each file is (for the About page)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

REFERENCE_DIR = Path(settings.BASE_DIR) / "data" / "reference"


@dataclass(frozen=True)
class ReferenceSource:
    path: str
    title: str
    publisher: str
    licence: str
    data_date: str


def reference_sources() -> list[ReferenceSource]:
    return list(SOURCES)


SOURCES: tuple[ReferenceSource, ...] = ()
