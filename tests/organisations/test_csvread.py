"""Strict CSV reading: encoding, column counts and dates, reported by file, line and column."""

import datetime as dt

import pytest

from maturity.organisations.importers.csvread import SourceFile, decode, parse_date, read_table
from maturity.organisations.importers.errors import ReferenceFileError


def test_utf8_with_and_without_byte_order_mark_decodes():
    assert decode(SourceFile("a.csv", "\ufeffa,b\n".encode())) == "a,b\n"
    assert decode(SourceFile("a.csv", b"a,b\n")) == "a,b\n"


def test_non_utf8_bytes_are_reported_on_every_bad_line_with_their_column():
    data = 'x,y\n"ok","CAF\xc9"\n"fine","ok"\n"\xe9t\xe9",z\n'.encode("latin-1")
    with pytest.raises(ReferenceFileError) as caught:
        decode(SourceFile("places.csv", data))
    assert [str(e) for e in caught.value.errors] == [
        "places.csv line 2, column 2: byte 0xC9 is not valid UTF-8 "
        "(the file must be saved as UTF-8 or plain ASCII)",
        "places.csv line 4, column 1: byte 0xE9 is not valid UTF-8 "
        "(the file must be saved as UTF-8 or plain ASCII)",
    ]


@pytest.mark.parametrize(
    ("value", "fmt", "expected"),
    [
        ("20230401", "ods", dt.date(2023, 4, 1)),
        ("20231301", "ods", None),
        ("2023-04-01", "ods", None),
        ("2026-04-01", "iso", dt.date(2026, 4, 1)),
        ("2026-02-30", "iso", None),
        ("6/26/2025 12:00:00 AM", "cqc", dt.date(2025, 6, 26)),
        ("2025-06-26", "cqc", dt.date(2025, 6, 26)),
        ("26.06.2025", "cqc", None),
    ],
)
def test_parse_date(value, fmt, expected):
    assert parse_date(value, fmt) == expected


def test_rows_with_the_wrong_number_of_columns_are_errors_not_dropped():
    table = read_table(SourceFile("t.csv", b"a,b,c\n1,2,3\n1,2\n4,5,6,7\n"))
    assert [r.line for r in table.rows] == [2]
    assert [str(e) for e in table.errors] == [
        "t.csv line 3: has 2 columns, expected 3",
        "t.csv line 4: has 4 columns, expected 3",
    ]


def test_a_file_lacking_required_headers_is_refused_at_once():
    with pytest.raises(ReferenceFileError) as caught:
        read_table(SourceFile("t.csv", b"a,b\n1,2\n"), required=("a", "code"))
    assert str(caught.value.errors[0]) == (
        't.csv line 1: the header row lacks the column "code" — is this the right file for this '
        "import?"
    )


def test_line_numbers_count_physical_lines_when_a_field_spans_lines():
    table = read_table(SourceFile("t.csv", b'a,b\n"x\ny",1\nz,bad,extra\n'))
    assert table.rows[0].line == 2
    assert str(table.errors[0]) == "t.csv line 4: has 3 columns, expected 2"
