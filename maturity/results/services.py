"""Writes for published results: importing NHS England's DMA data file, demonstration returns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction

from maturity.organisations.models import (
    Organisation,
    OrganisationCareSetting,
    OrganisationKind,
)

from .matching import NameNotMatched, OrganisationNameIndex
from .models import PublishedResult
from .workbook import DmaWorkbook, SheetRow, WorkbookError, read_dma_workbook

DMA_PATH = (
    Path(settings.BASE_DIR)
    / "data"
    / "reference"
    / "digital_maturity"
    / "digital_maturity_assessment.xlsx"
)
DMA_SOURCE_NOTE = "NHS England, Digital Maturity Assessment data file v2, 30 March 2026"
DMA_PUBLICATION_VERSION = "v2"
DMA_PUBLISHED_ON = dt.date(2026, 3, 30)
# The 2025 collection ran April to June 2025: names are matched as they stood then.
DMA_REFERENCE_DATE = dt.date(2025, 6, 30)
DMA_CARE_SETTING_SOURCE = "NHS England DMA 2025"
DMA_METHOD = (
    "Pillar score: mean of the organisation's domain scores (1 to 5) in the pillar; overall "
    "score: mean of the domain scores comparable between 2024 and 2025 (NHS England DMA). "
    "Stored as published; shown to one decimal place, rounded half up."
)
DMA_OVERALL_BASIS = "comparable domains 2024–2025"


class PublishedResultsImportError(Exception):
    """The file cannot be imported; ``problems`` lists every reason, by sheet and row."""

    def __init__(self, problems: Iterable[str]):
        self.problems = list(problems)
        super().__init__(
            f"{len(self.problems)} problem(s): "
            + "; ".join(self.problems[:5])
            + (" …" if len(self.problems) > 5 else "")
        )


@dataclass(frozen=True)
class MatchedRow:
    """A row of the workbook and the organisation its name was matched to."""

    sheet: str
    row: int
    name: str
    care_setting: str
    ods_code: str
    matched_on: str


@dataclass
class ImportSummary:
    path: Path
    provider_rows: int = 0
    trusts: int = 0
    icb_rows: int = 0
    primary_care_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    care_settings_added: int = 0
    matches: list[MatchedRow] = field(default_factory=list)

    @property
    def results(self) -> int:
        return self.created + self.updated + self.unchanged


@transaction.atomic
def import_published_dma(*, path: Path = DMA_PATH) -> ImportSummary:
    """Import NHS England's DMA data file v2: every figure stored exactly as published.

    All or nothing: a missing sheet or column, a non-numeric or out-of-range score, or a name
    that matches no organisation in the registry raises :class:`PublishedResultsImportError`
    listing every problem, and nothing is written. Re-importing the same file changes nothing.
    """
    path = Path(path)
    try:
        workbook = read_dma_workbook(path)
    except WorkbookError as exc:
        raise PublishedResultsImportError(exc.problems) from None
    published_on = _published_on(workbook)
    summary = ImportSummary(path=path)
    rows, care_settings = _match_rows(workbook, summary)
    _store(
        rows=rows,
        care_settings=care_settings,
        path=path,
        published_on=published_on,
        summary=summary,
    )
    from maturity.benchmarks.services import schedule_snapshot_build

    schedule_snapshot_build(source="published")
    return summary


def _published_on(workbook: DmaWorkbook) -> dt.date:
    if workbook.publication_date:
        try:
            return dt.datetime.strptime(workbook.publication_date, "%d %B %Y").date()
        except ValueError:
            pass
    return DMA_PUBLISHED_ON


def _match_rows(
    workbook: DmaWorkbook, summary: ImportSummary
) -> tuple[list[dict], set[tuple[int, str]]]:
    trusts = OrganisationNameIndex([OrganisationKind.TRUST], reference_date=DMA_REFERENCE_DATE)
    icbs = OrganisationNameIndex([OrganisationKind.ICB], reference_date=DMA_REFERENCE_DATE)
    problems: list[str] = []
    rows: list[dict] = []
    care_settings: set[tuple[int, str]] = set()
    seen: dict[tuple[int, str], str] = {}

    def matched(
        index: OrganisationNameIndex,
        name: str,
        care_setting: str,
        sources: list[tuple[SheetRow, str]],
    ) -> Organisation | None:
        """The organisation a name matches; ``sources`` are the rows (and care settings) it
        appears in, the first being the one named in an error."""
        first = sources[0][0]
        also = "".join(f" (also {s.sheet!r} row {s.row})" for s, _ in sources[1:])
        try:
            match = index.match(name)
        except NameNotMatched as exc:
            problems.append(f"{first.sheet} row {first.row}: {name!r} not matched: {exc}{also}")
            return None
        org = match.organisation
        previous = seen.get((org.pk, care_setting))
        if previous:
            problems.append(
                f"{first.sheet} row {first.row}: {name!r} matched {org.ods_code}, which "
                f"{previous} already matched for {care_setting}"
            )
            return None
        seen[(org.pk, care_setting)] = f"{first.sheet} row {first.row}"
        for source, setting in sources:
            summary.matches.append(
                MatchedRow(source.sheet, source.row, name, setting, org.ods_code, match.matched_on)
            )
        return org

    for provider in workbook.providers:
        setting = provider.care_setting
        org = matched(
            trusts,
            provider.provider,
            setting,
            [(provider.pillar_source, setting), (provider.overall_source, setting)],
        )
        if org is None:
            continue
        care_settings.add((org.pk, provider.care_setting))
        sources = f"{provider.pillar_source.sheet} row {provider.pillar_source.row}"
        overall_sources = f"{provider.overall_source.sheet} row {provider.overall_source.row}"
        rows.append(
            _row(
                org,
                2025,
                provider.care_setting,
                provider.pillars,
                provider.overall_2025,
                DMA_OVERALL_BASIS,
                f"{sources}; {overall_sources}",
            )
        )
        if provider.overall_2024 is not None:
            rows.append(
                _row(
                    org,
                    2024,
                    provider.care_setting,
                    {},
                    provider.overall_2024,
                    DMA_OVERALL_BASIS,
                    overall_sources,
                )
            )

    for icb in workbook.icbs:
        org = matched(
            icbs,
            icb.ics,
            "icb",
            [
                (icb.pillar_source, "icb"),
                (icb.overall_source, "icb"),
                (icb.primary_care_source, "primary_care"),
            ],
        )
        if org is None:
            continue
        pillar_src = f"{icb.pillar_source.sheet} row {icb.pillar_source.row}"
        overall_src = f"{icb.overall_source.sheet} row {icb.overall_source.row}"
        pc_src = f"{icb.primary_care_source.sheet} row {icb.primary_care_source.row}"
        rows.append(
            _row(
                org,
                2025,
                "icb",
                icb.pillars,
                icb.overall_2025,
                DMA_OVERALL_BASIS,
                f"{pillar_src}; {overall_src}",
            )
        )
        if icb.overall_2024 is not None:
            rows.append(
                _row(org, 2024, "icb", {}, icb.overall_2024, DMA_OVERALL_BASIS, overall_src)
            )
        # NHS England published no overall primary care score.
        rows.append(_row(org, 2025, "primary_care", icb.primary_care_pillars, None, "", pc_src))

    if problems:
        raise PublishedResultsImportError(problems)
    summary.provider_rows = len(workbook.providers)
    summary.trusts = len({pk for pk, _ in care_settings})
    summary.icb_rows = len(workbook.icbs)
    summary.primary_care_rows = len(workbook.icbs)
    return rows, care_settings


def _row(
    org: Organisation,
    year: int,
    care_setting: str,
    pillars: dict[str, float],
    overall: float | None,
    basis: str,
    sheets: str,
) -> dict:
    return {
        "organisation": org,
        "year": year,
        "care_setting": care_setting,
        "pillars": dict(pillars),
        "overall": overall,
        "overall_basis": basis,
        "source_sheets": sheets,
    }


_COMPARED = (
    "pillars",
    "overall",
    "overall_basis",
    "method",
    "source_note",
    "source_file",
    "source_sheets",
    "published_on",
)


def _store(
    *,
    rows: list[dict],
    care_settings: set[tuple[int, str]],
    path: Path,
    published_on: dt.date,
    summary: ImportSummary,
) -> None:
    common = {
        "method": DMA_METHOD,
        "source_note": DMA_SOURCE_NOTE,
        "source_file": path.name,
        "publication_version": DMA_PUBLICATION_VERSION,
        "published_on": published_on,
    }
    existing = {
        (r.organisation_id, r.year, r.care_setting): r
        for r in PublishedResult.objects.filter(publication_version=DMA_PUBLICATION_VERSION)
    }
    to_create: list[PublishedResult] = []
    to_update: list[PublishedResult] = []
    for row in rows:
        values = {**row, **common}
        key = (row["organisation"].pk, row["year"], row["care_setting"])
        current = existing.get(key)
        if current is None:
            to_create.append(PublishedResult(**values))
            continue
        changed = False
        for name in _COMPARED:
            if getattr(current, name) != values[name]:
                setattr(current, name, values[name])
                changed = True
        if changed:
            to_update.append(current)
        else:
            summary.unchanged += 1
    PublishedResult.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        PublishedResult.objects.bulk_update(to_update, _COMPARED, batch_size=500)
    summary.created = len(to_create)
    summary.updated = len(to_update)
    summary.care_settings_added = _add_care_settings(care_settings)


def _add_care_settings(pairs: set[tuple[int, str]]) -> int:
    """Record each trust × care setting the DMA file shows, where the registry lacks it."""
    have = set(
        OrganisationCareSetting.objects.filter(
            organisation_id__in={pk for pk, _ in pairs}
        ).values_list("organisation_id", "care_setting")
    )
    missing = [
        OrganisationCareSetting(
            organisation_id=pk, care_setting=care_setting, source=DMA_CARE_SETTING_SOURCE
        )
        for pk, care_setting in sorted(pairs - have)
    ]
    OrganisationCareSetting.objects.bulk_create(missing)
    return len(missing)
