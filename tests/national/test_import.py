"""Bulk import of a national returns file: good files land, bad files report every bad row and
import nothing; the COPY path on PostgreSQL."""

from __future__ import annotations

import io

import pytest
from django.db import connection

from maturity.assessments.models import Answer, Cycle, Return
from maturity.frameworks.selectors import get_edition
from maturity.national import bulk
from maturity.national.importer import ImportRefused, import_returns
from maturity.organisations.models import Organisation

HEADER = "ods_code,care_setting,cycle_year,item_id,value\n"


def _open_return_target():
    """A 2026 (open cycle) organisation without a return, and two of its criteria."""
    cycle = Cycle.objects.get(year=2026)
    org = Organisation.objects.filter(synthetic=True).exclude(returns__cycle=cycle).first()
    if org is None:
        org = Organisation.objects.create(
            ods_code="SYN-ASC-99999", name="Import test (synthetic)", kind="asc_provider",
            synthetic=True, source="test",
        )  # fmt: skip
    criteria = [
        c
        for spec in get_edition(cycle.edition.edition_id).scoring_specs("adult_social_care")
        for c in spec.criterion_ids
    ]
    return org, criteria


def test_good_file_imports_everything(small_national):
    org, criteria = _open_return_target()
    body = HEADER + "".join(
        f"{org.ods_code},adult_social_care,2026,{c},{'met' if i % 2 else 'na'}\n"
        for i, c in enumerate(criteria[:30])
    )
    before = Answer.objects.count()
    summary = import_returns(io.StringIO(body))
    assert summary.answers_created == 30 and summary.returns_created == 1
    return_ = Return.objects.get(organisation=org, cycle__year=2026)
    assert return_.status == "in_progress" and return_.is_demonstration
    assert Answer.objects.count() == before + 30
    stored = dict(return_.answers.values_list("item_id", "value"))
    assert stored[criteria[1]] == "met" and stored[criteria[0]] == "na"


def test_bad_file_reports_every_bad_row_and_imports_nothing(small_national):
    org, criteria = _open_return_target()
    committed = Return.objects.filter(cycle__year=2025, status="committed").first()
    answered = committed.answers.first()
    rows = [
        f"{org.ods_code},adult_social_care,2026,{criteria[0]},met",  # 2 good
        f"NOPE1,adult_social_care,2026,{criteria[1]},met",  # 3 ods
        f"{org.ods_code},dentistry,2026,{criteria[2]},met",  # 4 care setting
        f"{org.ods_code},adult_social_care,20x6,{criteria[3]},met",  # 5 year
        f"{org.ods_code},adult_social_care,1999,{criteria[3]},met",  # 6 no cycle
        f"{org.ods_code},adult_social_care,2026,not.a.criterion,met",  # 7 item
        f"{org.ods_code},adult_social_care,2026,{criteria[4]},yes",  # 8 value
        f"{org.ods_code},adult_social_care,2026,{criteria[0]},na",  # 9 duplicate of 2
        f"{org.ods_code},adult_social_care,2026",  # 10 short
        f"{committed.organisation.ods_code},{committed.care_setting},2025,"
        f"{answered.item_id},met",  # 11 committed return (and already answered)
    ]
    before = (Answer.objects.count(), Return.objects.count())
    with pytest.raises(ImportRefused) as refused:
        import_returns(io.StringIO(HEADER + "\n".join(rows) + "\n"))
    found = {(e.line, e.column) for e in refused.value.errors}
    assert {
        (3, "ods_code"),
        (4, "care_setting"),
        (5, "cycle_year"),
        (6, "cycle_year"),
        (7, "item_id"),
        (8, "value"),
        (9, "item_id"),
        (10, "-"),
        (11, "ods_code"),
        (11, "item_id"),
    } == found
    assert all(e.line != 2 for e in refused.value.errors)
    assert (Answer.objects.count(), Return.objects.count()) == before


def test_wrong_header_is_refused(db):
    with pytest.raises(ImportRefused) as refused:
        import_returns(io.StringIO("ods,setting\nX,Y\n"))
    assert refused.value.errors[0].line == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_copy_path_on_postgresql(db):
    assert bulk.is_postgres()
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE copy_probe (id bigint, label text, flag boolean)")
    rows = [(1, "tab\there", True), (2, None, False), (3, "back\\slash\nline", None)]
    assert bulk.insert_rows("copy_probe", ("id", "label", "flag"), rows) == 3
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, label, flag FROM copy_probe ORDER BY id")
        assert cursor.fetchall() == rows
