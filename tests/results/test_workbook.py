"""Reading the DMA data file: the real shipped workbook, and broken copies of it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from maturity.results.workbook import (
    SHEET_ICB_OVERALL,
    SHEET_PC_PILLARS,
    SHEET_SC_OVERALL,
    SHEET_SC_PILLARS,
    WorkbookError,
    normalise_name,
    read_dma_workbook,
)

REAL = (
    Path(__file__).resolve().parents[2]
    / "data/reference/digital_maturity/digital_maturity_assessment.xlsx"
)


@pytest.fixture(scope="module")
def real():
    return read_dma_workbook(REAL)


def _sheet(workbook, name):
    for candidate in workbook.sheetnames:
        if candidate.strip() == name:
            return workbook[candidate]
    raise KeyError(name)


def _broken_copy(tmp_path, change) -> Path:
    workbook = openpyxl.load_workbook(REAL)
    change(workbook)
    path = tmp_path / "broken.xlsx"
    workbook.save(path)
    return path


def test_real_file_has_every_published_row(real):
    assert len(real.providers) == 285
    assert len({normalise_name(p.provider) for p in real.providers}) == 204
    assert Counter(p.care_setting for p in real.providers) == {
        "acute": 134,
        "community": 90,
        "mental_health": 50,
        "ambulance": 11,
    }
    assert len(real.icbs) == 42
    assert real.publication_date == "30 March 2026"


def test_real_file_values_are_kept_exactly(real):
    bath = next(
        p
        for p in real.providers
        if p.provider == "ROYAL UNITED HOSPITALS BATH NHS FOUNDATION TRUST"
        and p.care_setting == "acute"
    )
    assert bath.pillars["empower_people"] == 2.2999999999999998
    assert bath.pillars == {
        "well_led": 2.8,
        "smart_foundations": 3.1,
        "safe_practice": 1.8,
        "support_people": 2.5,
        "empower_people": 2.2999999999999998,
        "improve_care": 2.0,
        "healthy_populations": 2.0,
    }
    assert bath.overall_2025 == 2.3809523809523805
    assert bath.overall_2024 == 2.3214285714285716
    # The two sheets list providers in different orders; each figure keeps its own row.
    assert (bath.pillar_source.sheet, bath.pillar_source.row) == (SHEET_SC_PILLARS, 13)
    assert (bath.overall_source.sheet, bath.overall_source.row) == (SHEET_SC_OVERALL, 13)


def test_primary_care_blank_pillar_is_left_out(real):
    lincolnshire = next(i for i in real.icbs if i.ics == "NHS LINCOLNSHIRE INTEGRATED CARE BOARD")
    assert lincolnshire.primary_care_pillars == {
        "smart_foundations": 3.6666666666666665,
        "support_people": 2.0,
        "empower_people": 3.6666666666666665,
        "improve_care": 4.0,
    }
    assert set(lincolnshire.pillars) == {
        "well_led",
        "smart_foundations",
        "safe_practice",
        "support_people",
        "empower_people",
        "improve_care",
        "healthy_populations",
    }
    assert lincolnshire.overall_2025 == 2.486111111111111


@pytest.mark.slow
def test_missing_sheet_is_named(tmp_path):
    path = _broken_copy(tmp_path, lambda wb: wb.remove(_sheet(wb, SHEET_ICB_OVERALL)))
    with pytest.raises(WorkbookError) as caught:
        read_dma_workbook(path)
    assert len(caught.value.problems) == 1
    assert f"sheet {SHEET_ICB_OVERALL!r} is missing" in caught.value.problems[0]


@pytest.mark.slow
def test_non_numeric_score_is_reported_by_sheet_row_and_column(tmp_path):
    def change(wb):
        _sheet(wb, SHEET_SC_PILLARS)["J20"] = "n/a"  # column J: Empower People
        _sheet(wb, SHEET_PC_PILLARS)["E30"] = "high"

    with pytest.raises(WorkbookError) as caught:
        read_dma_workbook(_broken_copy(tmp_path, change))
    assert caught.value.problems == [
        f"{SHEET_SC_PILLARS} row 20, column 'Empower People': 'n/a' is not a number",
        f"{SHEET_PC_PILLARS} row 30, column 'Ensuring Smart Foundations': 'high' is not a number",
    ]


@pytest.mark.slow
def test_score_outside_one_to_five_is_reported(tmp_path):
    path = _broken_copy(tmp_path, lambda wb: _sheet(wb, SHEET_SC_OVERALL).__setitem__("F12", 7))
    with pytest.raises(WorkbookError) as caught:
        read_dma_workbook(path)
    assert caught.value.problems == [
        f"{SHEET_SC_OVERALL} row 12, column '2025 Average': 7 is outside 1 to 5"
    ]


@pytest.mark.slow
def test_missing_columns_are_named(tmp_path):
    def change(wb):
        _sheet(wb, SHEET_SC_PILLARS)["H11"] = None  # Safe Practice
        _sheet(wb, SHEET_ICB_OVERALL)["E11"] = "Average 2024"

    with pytest.raises(WorkbookError) as caught:
        read_dma_workbook(_broken_copy(tmp_path, change))
    assert caught.value.problems == [
        f"{SHEET_SC_PILLARS}: the safe practice pillar column is missing",
        f"{SHEET_ICB_OVERALL}: column '2024 Average' is missing",
    ]


@pytest.mark.slow
def test_unknown_care_setting_and_duplicate_rows_are_reported(tmp_path):
    def change(wb):
        sheet = _sheet(wb, SHEET_SC_PILLARS)
        sheet["E12"] = "Dental"
        sheet["D14"] = sheet["D13"].value  # row 14 now repeats row 13's provider (both Acute)

    with pytest.raises(WorkbookError) as caught:
        read_dma_workbook(_broken_copy(tmp_path, change))
    problems = "\n".join(caught.value.problems)
    assert f"{SHEET_SC_PILLARS} row 12: care setting 'Dental' is not one of" in problems
    assert f"{SHEET_SC_PILLARS} row 14: ROYAL UNITED HOSPITALS BATH" in problems
    assert "listed twice (also row 13)" in problems


@pytest.mark.slow
def test_header_row_is_found_wherever_it_is(tmp_path):
    def change(wb):
        for name in (SHEET_SC_PILLARS, SHEET_ICB_OVERALL):
            _sheet(wb, name).insert_rows(3, amount=4)

    workbook = read_dma_workbook(_broken_copy(tmp_path, change))
    assert len(workbook.providers) == 285
    assert len(workbook.icbs) == 42
    first = workbook.providers[0]
    assert first.pillar_source.row == 16
    assert first.provider == "SALISBURY NHS FOUNDATION TRUST"


@pytest.mark.slow
def test_data_after_the_blank_row_is_reported(tmp_path):
    def change(wb):
        sheet = _sheet(wb, SHEET_SC_PILLARS)
        sheet.delete_rows(100)
        sheet.insert_rows(100)

    with pytest.raises(WorkbookError) as caught:
        read_dma_workbook(_broken_copy(tmp_path, change))
    assert (
        f"{SHEET_SC_PILLARS} row 101: data found after the blank row 100"
        in (caught.value.problems[0])
    )


def test_not_a_workbook(tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_text("not a spreadsheet")
    with pytest.raises(WorkbookError, match="not a readable .xlsx workbook"):
        read_dma_workbook(path)
    with pytest.raises(WorkbookError, match="file not found"):
        read_dma_workbook(tmp_path / "missing.xlsx")


@pytest.mark.parametrize(
    ("left", "right"),
    [
        (
            "Sheffield Health & Social Care NHS Foundation Trust",
            "SHEFFIELD HEALTH AND SOCIAL CARE NHS FOUNDATION TRUST",
        ),
        (
            "BIRMINGHAM WOMEN'S AND CHILDREN'S NHS FOUNDATION TRUST",
            "Birmingham Womens and Childrens NHS Foundation Trust",
        ),
        (
            "NHS Staffordshire and Stoke-on-Trent Integrated Care Board",
            "NHS STAFFORDSHIRE AND STOKE ON TRENT INTEGRATED CARE BOARD",
        ),
        (
            "NHS Bath and North East Somerset, Swindon and Wiltshire  ICB",
            "NHS BATH AND NORTH EAST SOMERSET SWINDON AND WILTSHIRE ICB",
        ),
    ],
)
def test_normalise_name_equates_spellings(left, right):
    assert normalise_name(left) == normalise_name(right)


def test_normalise_name_keeps_different_names_apart():
    assert normalise_name("LEEDS TEACHING HOSPITALS NHS TRUST") != normalise_name(
        "LEEDS COMMUNITY HEALTHCARE NHS TRUST"
    )
