"""The calibration cases shipped with the product, and how a bad case file is refused."""

from __future__ import annotations

import pytest

from maturity.audit.models import AuditRecord
from maturity.reviews.calibration_cases import (
    CalibrationFileError,
    calibration_cases_sync,
    read_cases,
)
from maturity.reviews.models import CalibrationCase


def test_the_shipped_cases_are_valid_and_varied(editions):
    files = read_cases()
    cases = [case for _name, parsed in files for case in parsed.cases]
    assert len(cases) >= 10
    assert len({c.care_setting for c in cases}) >= 5
    assert len({c.reference_level for c in cases}) >= 3
    assert len({c.domain for c in cases}) == len(cases)


def test_sync_is_idempotent_and_audited(editions):
    first = calibration_cases_sync()
    assert first.created == CalibrationCase.objects.count() >= 10
    second = calibration_cases_sync()
    assert (second.created, second.updated, second.retired) == (0, 0, 0)
    assert AuditRecord.objects.filter(action="calibration.cases_synced").count() == 1
    case = CalibrationCase.objects.get(case_id="epr-paper-wards")
    assert case.reference_level == 2 and case.pillar_id == "smart_foundations"


def test_a_case_no_longer_in_the_files_is_retired(editions, tmp_path):
    calibration_cases_sync()
    (tmp_path / "cases.yaml").write_text(
        """
version: 2
edition: wgll-2025
cases:
  - id: only-case
    title: A single remaining case
    care_setting: acute
    domain: sf.cyber
    reference_level: 2
    scenario: >-
      A trust met the standards of its latest security toolkit return and enforces multi-factor
      authentication, but has never tested restoring its backups.
    rationale: Level 3 needs a tested restore from backups that cannot be altered.
""",
        encoding="utf-8",
    )
    result = calibration_cases_sync(tmp_path)
    assert result.created == 1 and result.retired >= 10
    assert list(CalibrationCase.objects.filter(active=True).values_list("case_id", flat=True)) == [
        "only-case"
    ]


@pytest.mark.parametrize(
    ("case", "problem"),
    [
        ("domain: sf.no_such", "no domain sf.no_such"),
        ("domain: sf.social_care_record", "does not apply to acute"),
        ("domain: sf.cyber\n    reference_level: 7", "less than or equal to 5"),
    ],
)
def test_a_bad_case_file_is_refused_with_the_problem(editions, tmp_path, case, problem):
    level = "" if "reference_level" in case else "\n    reference_level: 2"
    (tmp_path / "bad.yaml").write_text(
        f"""
version: 1
edition: wgll-2025
cases:
  - id: bad-case
    title: A case with a problem
    care_setting: acute
    {case}{level}
    scenario: >-
      A description long enough to pass the length check on scenarios, which asks for
      at least eighty characters of text.
    rationale: A rationale long enough to pass its own check on length.
""",
        encoding="utf-8",
    )
    with pytest.raises(CalibrationFileError, match=problem):
        calibration_cases_sync(tmp_path)
    assert not CalibrationCase.objects.filter(case_id="bad-case").exists()
