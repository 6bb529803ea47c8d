"""CSV import of observations: all or nothing, every bad row reported by line and column."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from maturity.commitments import services
from maturity.commitments.models import Observation
from maturity.commitments.services import ImportRejected, RowError

from .conftest import make_commitment, make_metric

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2025, 1, 1)
HEADER = "commitment,metric,date,value,source,date_label,note\n"


@pytest.fixture
def metrics(analyst, commitment, metric):
    other = make_commitment(analyst, slug="people", title="People")
    people = make_metric(
        analyst,
        other,
        slug="people",
        unit="people",
        maximum=None,
        target_value=500000.0,
        baseline_value=0.0,
    )
    return metric, people


def run(analyst, text: str | bytes) -> services.ImportResult:
    content = text.encode() if isinstance(text, str) else text
    return services.observations_import(by=analyst, content=content, as_of=AS_OF)


def rejected(analyst, text) -> list[tuple[int, str]]:
    with pytest.raises(ImportRejected) as caught:
        run(analyst, text)
    assert Observation.objects.count() == 0
    return [(e.line, e.column) for e in caught.value.errors], caught.value.errors


def test_a_good_file_imports_every_row(analyst, metrics):
    result = run(
        analyst,
        HEADER
        + "epr-all-trusts,trusts-with-epr,2023-12-31,90.5,NHS England,December 2023,\n"
        + "epr-all-trusts,trusts-with-epr,2024-12-31,92,NHS England,,a note\n"
        + ",,,,,,\n"  # blank rows are skipped
        + "people,people,2024-06-30,120000,Sitrep,,\n",
    )
    assert result.created == 3
    assert result.by_metric == {"epr-all-trusts/trusts-with-epr": 2, "people/people": 1}
    rows = Observation.objects.order_by("observed_on")
    assert {o.provenance for o in rows} == {"imported"}
    assert {o.entered_by for o in rows} == {analyst}
    assert rows[0].date_label == "December 2023"
    assert rows[1].value == 120000


def test_columns_may_be_in_any_order_and_optional_ones_left_out(analyst, metrics):
    result = run(
        analyst,
        "Value,Source,Date,Metric,Commitment\n91,NHS,2024-01-31,trusts-with-epr,epr-all-trusts\n",
    )
    assert result.created == 1


def test_every_bad_row_is_reported_and_nothing_imported(analyst, metrics):
    where, errors = rejected(
        analyst,
        HEADER
        + "epr-all-trusts,trusts-with-epr,2023-12-31,90.5,NHS England,,\n"  # line 2: good
        + "nope,trusts-with-epr,2023-12-31,90,S,,\n"  # 3: unknown commitment
        + "epr-all-trusts,nope,2023-12-31,90,S,,\n"  # 4: unknown metric
        + "epr-all-trusts,trusts-with-epr,31/12/2023,90,S,,\n"  # 5: bad date
        + "epr-all-trusts,trusts-with-epr,2023-12-31,ninety,S,,\n"  # 6: not a number
        + "epr-all-trusts,trusts-with-epr,2023-12-31,101,S,,\n"  # 7: above the maximum
        + "epr-all-trusts,trusts-with-epr,2023-12-31,90,,,\n"  # 8: no source
        + "epr-all-trusts,trusts-with-epr,2030-01-01,90,S,,\n"  # 9: in the future
        + "epr-all-trusts,trusts-with-epr,2023-12-31,90.5,NHS England,,\n"  # 10: repeats 2
        + "epr-all-trusts,trusts-with-epr,2023-12-31\n"  # 11: too few values
        + ",trusts-with-epr,2023-12-31,inf,S,,\n",  # 12: two problems
    )
    assert where == [
        (3, "commitment"),
        (4, "metric"),
        (5, "date"),
        (6, "value"),
        (7, "value"),
        (8, "source"),
        (9, "date"),
        (10, "date"),
        (11, ""),
        (12, "commitment"),
        (12, "value"),
    ]
    assert "Repeats line 2" in errors[7].message
    assert str(errors[0]) == 'Line 3, column commitment: No commitment "nope".'


def test_a_row_repeating_a_stored_observation_is_refused(analyst, metrics):
    metric, _ = metrics
    services.observation_add(
        by=analyst,
        metric=metric,
        observed_on=dt.date(2023, 12, 31),
        value=90.0,
        source="S",
        as_of=AS_OF,
    )
    with pytest.raises(ImportRejected) as caught:
        run(analyst, HEADER + "epr-all-trusts,trusts-with-epr,2023-12-31,91,S,,\n")
    assert [(e.line, e.column) for e in caught.value.errors] == [(2, "date")]
    assert Observation.objects.count() == 1


def test_line_numbers_count_quoted_line_breaks(analyst, metrics):
    where, _ = rejected(
        analyst,
        HEADER
        + 'epr-all-trusts,trusts-with-epr,2023-12-31,90,"a source\nover two lines",,\n'
        + "epr-all-trusts,trusts-with-epr,2023-12-31,x,S,,\n",
    )
    assert where == [(4, "value")]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", [(0, "")]),
        (b"   \n", [(0, "")]),
        ("commitment,metric,date,value,source\n".encode("utf-16"), [(0, "")]),
        (b"commitment,metric,date,value,source\n", [(0, "")]),  # no rows
        (b"commitment,metric,when,value,source\n1,2,3,4,5\n", [(1, "date"), (1, "when")]),
        (b"commitment,metric,date,value,source,source\n", [(1, "source")]),
    ],
)
def test_file_problems(analyst, metrics, content, expected):
    where, _ = rejected(analyst, content)
    assert where == expected


def test_too_large_a_file_is_refused(analyst, metrics):
    where, errors = rejected(analyst, b"x" * (services.MAX_IMPORT_BYTES + 1))
    assert where == [(0, "")] and "larger than" in errors[0].message


def test_only_analysts_import(panel_member, metrics):
    with pytest.raises(PermissionDenied):
        services.observations_import(by=panel_member, content=HEADER.encode())


def test_row_error_text():
    assert str(RowError(0, "", "Empty.")) == "The file: Empty."
    assert str(RowError(4, "", "Bad row.")) == "Line 4: Bad row."
