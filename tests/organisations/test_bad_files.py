"""A bad file imports nothing and every problem is reported by file, line and column."""

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from maturity.organisations.models import Organisation, ReferenceImport, Relationship
from maturity.organisations.services import (
    ReferenceFileError,
    import_cqc_file,
    import_ods_file,
    import_reference_data,
)

from .conftest import FIXTURES

BAD = FIXTURES / "bad"
ROOT = Path(__file__).resolve().parents[2]


def snapshot():
    return (
        Organisation.objects.count(),
        Relationship.objects.count(),
        ReferenceImport.objects.count(),
        list(Organisation.objects.order_by("pk").values_list("name", "closed_on")),
    )


def errors_of(call) -> list[str]:
    with pytest.raises(ReferenceFileError) as caught:
        call()
    return [str(e) for e in caught.value.errors]


def test_an_etr_file_with_several_problems_reports_them_all_and_imports_nothing(mini_registry):
    before = snapshot()
    errors = errors_of(
        lambda: import_ods_file(
            path=BAD / "etr_problems.csv", kind="etr", as_of=dt.date(2026, 8, 1)
        )
    )
    assert errors == [
        'etr_problems.csv line 2, column 11 (open date): "2023-13-01" is not a date (expected YYYYMMDD)',
        'etr_problems.csv line 3, column 4 (high level health geography): unknown ICB code "QZZ"',
        "etr_problems.csv line 4: has 26 columns, expected 27",
        "etr_problems.csv line 5, column 12 (close date): close date 19800101 is before the open date",
    ]
    assert snapshot() == before


def test_a_file_that_is_not_utf8_is_refused_with_line_and_column(mini_registry):
    before = snapshot()
    errors = errors_of(lambda: import_ods_file(path=BAD / "etr_latin1.csv", kind="etr"))
    assert errors == [
        "etr_latin1.csv line 3, column 2: byte 0xC9 is not valid UTF-8 "
        "(the file must be saved as UTF-8 or plain ASCII)"
    ]
    assert snapshot() == before


def test_an_open_practice_with_an_unknown_commissioner_is_an_error(mini_registry):
    before = snapshot()
    errors = errors_of(lambda: import_ods_file(path=BAD / "epraccur_problems.csv", kind="epraccur"))
    assert errors == [
        'epraccur_problems.csv line 2, column 15 (commissioner): unknown sub-ICB location code "ZZZ"',
        'epraccur_problems.csv line 3, column 16 (join parent date): "2021-04-01" is not a date '
        "(expected YYYYMMDD)",
    ]
    assert snapshot() == before


def test_an_eccg_row_that_is_neither_sub_icb_nor_hub_is_an_error(mini_registry):
    errors = errors_of(lambda: import_ods_file(path=BAD / "eccg_bad_type.csv", kind="eccg"))
    assert errors == [
        'eccg_bad_type.csv line 2, column 14 (organisation sub-type): "X" is not a sub-ICB location '
        '("C") or commissioning hub ("H")'
    ]


def test_a_cqc_file_with_an_unknown_local_authority_and_a_bad_date(mini_registry):
    before = snapshot()
    errors = errors_of(
        lambda: import_cqc_file(path=BAD / "cqc_locations_problems.csv", fmt="locations")
    )
    assert errors == [
        "cqc_locations_problems.csv line 2, column 8 (Location Local Authority): unknown local "
        'authority "Atlantis"',
        'cqc_locations_problems.csv line 3, column 13 (Location HSCA start date): "2021-02-30" is '
        "not a date (expected YYYY-MM-DD or M/D/YYYY)",
    ]
    assert snapshot() == before


def test_a_directory_file_given_as_locations_names_the_missing_columns(mini_registry):
    errors = errors_of(
        lambda: import_cqc_file(
            path=FIXTURES / "reference" / "cqc" / "output-head.csv", fmt="locations"
        )
    )
    assert len(errors) == 1
    assert errors[0].startswith(
        'output-head.csv line 1: the header row lacks the columns "Location ID"'
    )


def test_parents_must_exist_before_an_ods_file_is_imported(db):
    errors = errors_of(
        lambda: import_ods_file(
            path=FIXTURES / "reference" / "ods_2023" / "eccg.csv",
            kind="eccg",
            as_of=dt.date(2023, 11, 29),
        )
    )
    assert (
        errors[0]
        == 'eccg.csv line 1, column 4 (high level health geography): unknown ICB code "QWO"'
    )
    assert Organisation.objects.count() == 0


def test_one_bad_file_in_the_reference_set_leaves_the_registry_empty(db, reference_copy):
    etr = reference_copy / "ods_current" / "etr.csv"
    etr.write_text(
        etr.read_text(encoding="utf-8").replace('"19920401"', '"1992-04-01"', 1), encoding="utf-8"
    )
    errors = errors_of(lambda: import_reference_data(reference_dir=reference_copy))
    assert errors == [
        'ods_current/etr.csv line 2, column 11 (open date): "1992-04-01" is not a date '
        "(expected YYYYMMDD)"
    ]
    assert Organisation.objects.count() == 0
    assert ReferenceImport.objects.count() == 0


def test_a_missing_reference_file_is_named(db, reference_copy):
    (reference_copy / "digital_adoption" / "gp_suppliers.csv").unlink()
    errors = errors_of(lambda: import_reference_data(reference_dir=reference_copy))
    assert errors == [f"digital_adoption/gp_suppliers.csv: file not found in {reference_copy}"]
    assert Organisation.objects.count() == 0


def test_commands_turn_file_problems_into_a_command_error(mini_registry):
    with pytest.raises(CommandError) as caught:
        call_command("import_ods", "etr", str(BAD / "etr_problems.csv"), verbosity=0)
    message = str(caught.value)
    assert message.startswith("4 problems found; nothing was imported from etr_problems.csv:")
    assert 'line 3, column 4 (high level health geography): unknown ICB code "QZZ"' in message
    with pytest.raises(CommandError, match="is not a date"):
        call_command("import_cqc", "--format", "locations", "x.csv", "--as-of", "2025-02-30")
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_cqc", "--format", "locations", str(BAD / "nope.csv"))


@pytest.mark.slow
def test_the_cli_exits_non_zero_without_a_traceback(tmp_path):
    env = {
        **os.environ,
        "MATURITY_ENV": "test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "-m", "maturity.cli", "import-ods", "etr", str(BAD / "etr_latin1.csv")],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "etr_latin1.csv line 3, column 2: byte 0xC9 is not valid UTF-8" in result.stderr
