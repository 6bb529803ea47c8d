"""Writes to the organisation registry: importing reference data (all of it, or one file).

Every import validates the whole file first (encoding, columns, dates, codes, and that every
parent code it names is known) and writes inside one transaction, so a bad file imports nothing.
Re-importing is idempotent; changes are recorded as OrganisationChange rows, nothing is deleted.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from .importers import steps
from .importers.cqc import FORMATS as CQC_FORMATS
from .importers.cqc import parse_cqc
from .importers.csvread import SourceFile
from .importers.errors import ReferenceFileError, RowError
from .importers.mappings import ICB_2026_CHANGE
from .importers.ods import parse_ods
from .importers.steps import FileReport
from .reference import REFERENCE_DIR

__all__ = [
    "CQC_FORMATS",
    "ODS_KINDS",
    "FileReport",
    "ImportSummary",
    "ReferenceFileError",
    "RowError",
    "import_cqc_file",
    "import_ods_file",
    "import_reference_data",
]

ODS_KINDS = tuple(steps.ODS_KINDS)

# The date of the data in each shipped file (see data/reference/SOURCES.md). Facts are dated with
# these; an organisation is only updated by data at least as new as what it holds.
D = dt.date
DATA_DATES: dict[str, dt.date] = {
    "icb_mappings/nhs_england_regions_derived.csv": D(2023, 4, 1),
    "icb_mappings/sub_icb_to_icb_to_region_2023-04.csv": D(2023, 4, 1),
    "icb_mappings/icb_codes.csv": D(2023, 4, 1),
    "icb_mappings/icb_lookup.csv": D(2023, 4, 1),
    "ods_2023/eccg.csv": D(2023, 11, 29),
    "ods_2023/etr.csv": D(2023, 11, 29),
    "ods_2023/ect.csv": D(2023, 11, 29),
    "icb_mappings/icb_trust_financial_apportionment_2023-08.csv": D(2023, 8, 8),
    "icb_mappings/icb_partners_2023-08.csv": D(2023, 8, 8),
    "icb_mappings/icb_2026_reference_derived.csv": ICB_2026_CHANGE,
    "icb_mappings/icb_2026_successions_derived.csv": ICB_2026_CHANGE,
    "ods_current/etr.csv": D(2026, 7, 1),
    "ods_current/epraccur.csv": D(2026, 2, 3),
    "digital_adoption/epr_suppliers_by_trust_2024-10-01.csv": D(2024, 10, 1),
    "digital_adoption/gp_suppliers.csv": D(2025, 10, 1),
    "deprivation_population/practice_demographics.csv": D(2026, 2, 1),
    "deprivation_population/icb_population_deprivation_derived.csv": D(2022, 6, 30),
    "deprivation_population/sub_icb_population_estimates_2022.csv": D(2022, 6, 30),
    "trust_context/catchment_summary.csv": D(2026, 6, 17),
    "trust_context/2022_trust_catchment_populations.csv": D(2022, 6, 30),
    "cqc/Locations-head.csv": D(2025, 8, 28),
    "cqc/output-head.csv": D(2025, 8, 28),
}
IMD_2019_PUBLISHED = D(2019, 9, 26)


@dataclass
class ImportSummary:
    """What an import did, file by file."""

    files: list[FileReport] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def created(self) -> int:
        return sum(f.created for f in self.files)

    @property
    def updated(self) -> int:
        return sum(f.updated for f in self.files)

    @property
    def unchanged(self) -> int:
        return sum(f.unchanged for f in self.files)

    @property
    def warnings(self) -> list[str]:
        return [f"{f.filename}: {w}" for f in self.files for w in f.warnings]

    def __str__(self) -> str:
        return (
            f"{len(self.files)} files in {self.seconds:.1f} s: {self.created} created, "
            f"{self.updated} updated, {self.unchanged} unchanged"
        )


def _source(reference_dir: Path, relative: str) -> SourceFile:
    path = reference_dir / relative
    if not path.is_file():
        raise ReferenceFileError(
            [RowError(relative, None, None, "", f"file not found in {reference_dir}")]
        )
    return SourceFile.read(path, name=relative)


@transaction.atomic
def import_reference_data(
    *,
    reference_dir: Path = REFERENCE_DIR,
    progress: Callable[[str], None] | None = None,
) -> ImportSummary:
    """Import every shipped reference file, in dependency order, idempotently.

    Raises ``ReferenceFileError`` (and writes nothing) if any file has a problem.
    """
    started = time.perf_counter()
    ctx = steps.Context(progress)

    def src(relative: str) -> SourceFile:
        return _source(reference_dir, relative)

    def date(relative: str) -> dt.date:
        return DATA_DATES[relative]

    lookup = "icb_mappings/sub_icb_to_icb_to_region_2023-04.csv"
    successions = "icb_mappings/icb_2026_successions_derived.csv"
    regions = "icb_mappings/nhs_england_regions_derived.csv"
    steps.import_regions(ctx, src(regions), data_date=date(regions))
    steps.import_icbs_2023(
        ctx,
        src(lookup),
        src("icb_mappings/icb_codes.csv"),
        src("icb_mappings/icb_lookup.csv"),
        data_date=date(lookup),
    )
    eccg = "ods_2023/eccg.csv"
    steps.import_ods(
        ctx, parse_ods(src(eccg), "eccg", strict=False), data_date=date(eccg), link_parents=False
    )
    steps.import_sub_icb_links_2023(ctx, src(lookup), data_date=date(lookup))
    reference_2026 = "icb_mappings/icb_2026_reference_derived.csv"
    steps.import_icbs_2026(
        ctx, src(reference_2026), src(successions), data_date=date(reference_2026)
    )
    steps.import_sub_icb_successors(ctx, src(successions), data_date=date(successions))
    # Trusts as at 2023 (names and dates only), then their 42-ICB links from the apportionment,
    # then the 2026 register: renames, closures and the 2026 ICB from 2026-04-01.
    for relative, kind in (("ods_2023/etr.csv", "etr"), ("ods_2023/ect.csv", "ect")):
        steps.import_ods(
            ctx,
            parse_ods(src(relative), kind, strict=False),
            data_date=date(relative),
            link_parents=False,
        )
    apportionment = "icb_mappings/icb_trust_financial_apportionment_2023-08.csv"
    steps.import_trust_icbs_2023(ctx, src(apportionment), data_date=date(apportionment))
    etr = "ods_current/etr.csv"
    steps.import_ods(
        ctx,
        parse_ods(src(etr), "etr", strict=False),
        data_date=date(etr),
        change_from=ICB_2026_CHANGE,
    )
    epraccur = "ods_current/epraccur.csv"
    steps.import_ods(
        ctx, parse_ods(src(epraccur), "epraccur", strict=False), data_date=date(epraccur)
    )
    steps.import_frimley_practices_2026(ctx, src(epraccur), data_date=date(epraccur))
    partners = "icb_mappings/icb_partners_2023-08.csv"
    steps.import_local_authorities(ctx, src(partners), data_date=date(partners))

    epr = "digital_adoption/epr_suppliers_by_trust_2024-10-01.csv"
    steps.import_epr_suppliers(ctx, src(epr), data_date=date(epr))
    gp = "digital_adoption/gp_suppliers.csv"
    steps.import_gp_systems(ctx, src(gp), data_date=date(gp))
    demographics = "deprivation_population/practice_demographics.csv"
    steps.import_practice_demographics(
        ctx, src(demographics), list_size_date=date(demographics), imd_date=IMD_2019_PUBLISHED
    )
    icb_population = "deprivation_population/icb_population_deprivation_derived.csv"
    steps.import_icb_population(
        ctx,
        src(icb_population),
        population_date=date(icb_population),
        practice_date=date(demographics),
    )
    sub_icb_population = "deprivation_population/sub_icb_population_estimates_2022.csv"
    steps.import_sub_icb_population(
        ctx, src(sub_icb_population), src(lookup), data_date=date(sub_icb_population)
    )
    catchment = "trust_context/catchment_summary.csv"
    steps.import_catchment_summary(ctx, src(catchment), data_date=date(catchment))
    ohid = "trust_context/2022_trust_catchment_populations.csv"
    steps.import_ohid_catchment(ctx, src(ohid), data_date=date(ohid))

    for relative, fmt in (
        ("cqc/Locations-head.csv", "locations"),
        ("cqc/output-head.csv", "directory"),
    ):
        steps.import_cqc(ctx, parse_cqc(src(relative), fmt, strict=False), data_date=date(relative))
    return ImportSummary(files=ctx.reports, seconds=time.perf_counter() - started)


@transaction.atomic
def import_ods_file(
    *,
    path: Path,
    kind: str,
    as_of: dt.date | None = None,
    changed_from: dt.date | None = None,
    link_parents: bool = True,
    progress: Callable[[str], None] | None = None,
) -> ImportSummary:
    """Import one ODS file (etr, ect, eccg or epraccur), e.g. a newer download.

    ``as_of`` is the date of the data (default today); ``changed_from`` the earliest day a
    changed parent can have taken effect (default ``as_of``). Parents must already be in the
    registry (run ``import_reference_data`` first).
    """
    if kind not in steps.ODS_KINDS:
        raise ValueError(f"kind must be one of {', '.join(steps.ODS_KINDS)}, not {kind!r}")
    started = time.perf_counter()
    as_of = as_of or dt.date.today()
    parsed = parse_ods(SourceFile.read(path), kind, strict=False)
    ctx = steps.Context(progress)
    steps.import_ods(
        ctx, parsed, data_date=as_of, link_parents=link_parents, change_from=changed_from or as_of
    )
    return ImportSummary(files=ctx.reports, seconds=time.perf_counter() - started)


@transaction.atomic
def import_cqc_file(
    *,
    path: Path,
    fmt: str,
    as_of: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> ImportSummary:
    """Import a CQC file: ``fmt`` "locations" (HSCA active locations) or "directory" (care
    directory). The shipped samples and CQC's full national files read the same way. Local
    authorities must already be in the registry (``import_reference_data``)."""
    if fmt not in CQC_FORMATS:
        raise ValueError(f"format must be one of {', '.join(CQC_FORMATS)}, not {fmt!r}")
    started = time.perf_counter()
    parsed = parse_cqc(SourceFile.read(path), fmt, strict=False)
    ctx = steps.Context(progress)
    steps.import_cqc(ctx, parsed, data_date=as_of or dt.date.today())
    return ImportSummary(files=ctx.reports, seconds=time.perf_counter() - started)
