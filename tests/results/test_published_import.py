"""Importing NHS England's DMA data file against the real registry (slow: builds national data)."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from maturity.organisations.models import OrganisationCareSetting
from maturity.results.models import PublishedResult
from maturity.results.services import (
    DMA_PATH,
    DMA_SOURCE_NOTE,
    PublishedResultsImportError,
    import_published_dma,
)
from maturity.results.workbook import (
    SHEET_ICB_OVERALL,
    SHEET_ICB_PILLARS,
    SHEET_PC_PILLARS,
    SHEET_SC_OVERALL,
    SHEET_SC_PILLARS,
    normalise_name,
)
from maturity.web.jinja2env import one_decimal

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

CSV_DIR = DMA_PATH.parent
FIRST_DATA_ROW = 12  # the header is on row 11 in every data sheet of the published file
DERIVED = [
    ("dma_2025_secondary_care_pillar_scores.csv", SHEET_SC_PILLARS, "ODS code (matched)", 285),
    ("dma_2024_vs_2025_secondary_care_overall.csv", SHEET_SC_OVERALL, "ODS code (matched)", 285),
    ("dma_2025_icb_pillar_scores.csv", SHEET_ICB_PILLARS, "ICB ODS code (matched)", 42),
    ("dma_2024_vs_2025_icb_overall.csv", SHEET_ICB_OVERALL, "ICB ODS code (matched)", 42),
    ("dma_2025_icb_primary_care_pillar_scores.csv", SHEET_PC_PILLARS, "ICB ODS code (matched)", 42),
]


def _result(ods_code: str, year: int, care_setting: str) -> PublishedResult:
    return PublishedResult.objects.get(
        organisation__ods_code=ods_code, year=year, care_setting=care_setting
    )


def test_import_counts(national):
    summary = national.dma
    assert (summary.provider_rows, summary.trusts, summary.icb_rows, summary.primary_care_rows) == (
        285,
        204,
        42,
        42,
    )
    assert summary.created == 696  # 285 x (2025, 2024) + 42 x (2025, 2024) + 42 primary care
    counts = Counter(PublishedResult.objects.values_list("year", "care_setting"))
    assert counts == {
        (2025, "acute"): 134,
        (2024, "acute"): 134,
        (2025, "community"): 90,
        (2024, "community"): 90,
        (2025, "mental_health"): 50,
        (2024, "mental_health"): 50,
        (2025, "ambulance"): 11,
        (2024, "ambulance"): 11,
        (2025, "icb"): 42,
        (2024, "icb"): 42,
        (2025, "primary_care"): 42,
    }
    assert national.seconds["published"] < 30


def test_values_are_stored_exactly_and_shown_rounded(national):
    bath = _result("RD1", 2025, "acute")
    assert bath.organisation.name  # matched to the registry's record for RD1
    assert bath.pillars["empower_people"] == 2.2999999999999998
    assert one_decimal(bath.pillars["empower_people"]) == "2.3"
    assert bath.pillars == {
        "well_led": 2.8,
        "smart_foundations": 3.1,
        "safe_practice": 1.8,
        "support_people": 2.5,
        "empower_people": 2.2999999999999998,
        "improve_care": 2.0,
        "healthy_populations": 2.0,
    }
    assert bath.overall == 2.3809523809523805
    assert bath.overall_basis == "comparable domains 2024–2025"
    assert bath.source_note == DMA_SOURCE_NOTE
    assert bath.source_file == "digital_maturity_assessment.xlsx"
    assert bath.publication_version == "v2"
    assert str(bath.published_on) == "2026-03-30"
    assert "SC - 2025 Pillar Summary row 13" in bath.source_sheets

    bath_2024 = _result("RD1", 2024, "acute")
    assert (bath_2024.pillars, bath_2024.overall) == ({}, 2.3214285714285716)

    # An ICB: system pillars, both overall scores, primary care pillars (no overall published).
    lincolnshire = _result("QJM", 2025, "icb")
    assert lincolnshire.pillars["safe_practice"] == 2.7
    assert lincolnshire.overall == 2.486111111111111
    assert _result("QJM", 2024, "icb").overall == 2.4166666666666665
    primary = _result("QJM", 2025, "primary_care")
    assert primary.overall is None
    assert primary.pillars == {  # Well Led is blank in the file, so it is not there
        "smart_foundations": 3.6666666666666665,
        "support_people": 2.0,
        "empower_people": 3.6666666666666665,
        "improve_care": 4.0,
    }
    # A trust that answered two care settings, under its pre-2026 name.
    assert set(
        PublishedResult.objects.filter(organisation__ods_code="RA7", year=2025).values_list(
            "care_setting", flat=True
        )
    ) == {"acute"}


def test_matches_equal_the_derived_csvs_row_by_row(national):
    by_row = {(m.sheet, m.row): m for m in national.dma.matches}
    assert len(by_row) == len(national.dma.matches) == 285 * 2 + 42 * 3
    mismatches = []
    for filename, sheet, code_column, expected_rows in DERIVED:
        with (CSV_DIR / filename).open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert len(rows) == expected_rows
        name_column = "Provider" if "Provider" in rows[0] else "ICS"
        for index, row in enumerate(rows):
            match = by_row.get((sheet, FIRST_DATA_ROW + index))
            got = None if match is None else (normalise_name(match.name), match.ods_code)
            want = (normalise_name(row[name_column]), row[code_column])
            if got != want:
                mismatches.append((filename, index + 2, want, got))
    assert mismatches == []


def test_trusts_are_matched_under_former_names(national):
    former = {m.ods_code for m in national.dma.matches if m.matched_on == "former name"}
    # Renamed since 2023 (ODS 2026 names differ from the names NHS England published).
    assert {"RA7", "RWW", "RRF", "RHU", "RWH", "RXY", "RY3", "RA2"} <= former


def test_care_settings_are_recorded_for_every_trust(national):
    settings = set(
        OrganisationCareSetting.objects.values_list("organisation__ods_code", "care_setting")
    )
    published = set(
        PublishedResult.objects.filter(year=2025)
        .exclude(care_setting__in=["icb", "primary_care"])
        .values_list("organisation__ods_code", "care_setting")
    )
    assert len(published) == 285
    assert published <= settings


def test_reimport_changes_nothing(national):
    before = list(PublishedResult.objects.order_by("pk").values())
    care_settings = OrganisationCareSetting.objects.count()
    again = import_published_dma()
    assert (again.created, again.updated, again.unchanged) == (0, 0, 696)
    assert again.care_settings_added == 0
    assert list(PublishedResult.objects.order_by("pk").values()) == before
    assert OrganisationCareSetting.objects.count() == care_settings


def _copy(tmp_path: Path, change) -> Path:
    workbook = openpyxl.load_workbook(DMA_PATH)
    change(workbook)
    path = tmp_path / "changed.xlsx"
    workbook.save(path)
    return path


def _sheet(workbook, name):
    return next(workbook[n] for n in workbook.sheetnames if n.strip() == name)


def _rename(sheet, old: str, new: str) -> int:
    """Rename an organisation in a sheet; returns the row it is on."""
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value == old:
                cell.value = new
                return cell.row
    raise AssertionError(f"{old} not in {sheet.title}")


def test_an_unmatched_name_is_named_and_nothing_is_imported(national, tmp_path):
    rows = {}

    def change(workbook):
        for name in (SHEET_SC_PILLARS, SHEET_SC_OVERALL):
            rows[name] = _rename(
                _sheet(workbook, name), "SALISBURY NHS FOUNDATION TRUST", "ST ELSEWHERE NHS TRUST"
            )
        for name in (SHEET_ICB_PILLARS, SHEET_ICB_OVERALL, SHEET_PC_PILLARS):
            rows[name] = _rename(
                _sheet(workbook, name),
                "NHS DORSET INTEGRATED CARE BOARD",
                "NHS NOWHERE INTEGRATED CARE BOARD",
            )
        _sheet(workbook, SHEET_SC_PILLARS)["F13"] = 4.9  # a changed score that must not land

    before = list(PublishedResult.objects.order_by("pk").values())
    with pytest.raises(PublishedResultsImportError) as caught:
        import_published_dma(path=_copy(tmp_path, change))
    assert rows == {
        SHEET_SC_PILLARS: 12,
        SHEET_SC_OVERALL: 14,
        SHEET_ICB_PILLARS: 24,
        SHEET_ICB_OVERALL: 24,
        SHEET_PC_PILLARS: 51,
    }
    assert caught.value.problems == [
        f"{SHEET_SC_PILLARS} row 12: 'ST ELSEWHERE NHS TRUST' not matched: no organisation in "
        f"the registry has this name, now or formerly (also {SHEET_SC_OVERALL!r} row 14)",
        f"{SHEET_ICB_PILLARS} row 24: 'NHS NOWHERE INTEGRATED CARE BOARD' not matched: no "
        f"organisation in the registry has this name, now or formerly (also "
        f"{SHEET_ICB_OVERALL!r} row 24) (also {SHEET_PC_PILLARS!r} row 51)",
    ]
    assert list(PublishedResult.objects.order_by("pk").values()) == before


def test_a_non_numeric_score_imports_nothing(national, tmp_path):
    def change(workbook):
        _sheet(workbook, SHEET_SC_PILLARS)["F12"] = 4.9
        _sheet(workbook, SHEET_ICB_OVERALL)["D15"] = "three"

    before = list(PublishedResult.objects.order_by("pk").values())
    with pytest.raises(PublishedResultsImportError) as caught:
        import_published_dma(path=_copy(tmp_path, change))
    assert caught.value.problems == [
        f"{SHEET_ICB_OVERALL} row 15, column '2025 Average': 'three' is not a number"
    ]
    assert list(PublishedResult.objects.order_by("pk").values()) == before


def test_a_missing_sheet_imports_nothing(national, tmp_path):
    before = PublishedResult.objects.count()
    path = _copy(tmp_path, lambda wb: wb.remove(_sheet(wb, SHEET_PC_PILLARS)))
    with pytest.raises(PublishedResultsImportError, match="is missing"):
        import_published_dma(path=path)
    assert PublishedResult.objects.count() == before
