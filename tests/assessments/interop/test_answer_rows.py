"""Reading and checking files of answers (pure: no database)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from maturity.assessments.interop.answer_rows import UnreadableFile, check_rows, read_table
from maturity.assessments.interop.items import Catalogue, StoredAnswer


@pytest.fixture(scope="module")
def acute(wgll) -> Catalogue:
    return Catalogue(wgll, "acute")


def _csv(text: str, *, bom: bool = False) -> bytes:
    data = text.replace("\n", "\r\n").encode("utf-8")
    return b"\xef\xbb\xbf" + data if bom else data


def _xlsx(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.create_sheet("Notes").append(["item_id", "value"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_good_csv_is_proposed(wgll, acute):
    c1, c2 = (c.id for c in wgll.domain("sf.epr").level(1).criteria[:2])
    table = read_table(
        _csv(
            f"item_id,value\n{c1},met\n{c2}, Not_Met \nctx.epr_in_place,yes\n"
            "ctx.eprescribing_coverage,45%\nctx.epr_go_live,2021-04-01\n"
            "ctx.nhs_app_integrated,true\nctx.nhs_app_features,appointments; record\n"
            'narrative:sf.epr,"Live, everywhere"\n'
        )
    )
    checked = check_rows(table, acute, {})
    assert checked.problems == []
    assert [(p.line, p.item_id, p.value, p.expected_version) for p in checked.proposed] == [
        (2, c1, "met", None),
        (3, c2, "not_met", None),
        (4, "ctx.epr_in_place", True, None),
        (5, "ctx.eprescribing_coverage", 45.0, None),
        (6, "ctx.epr_go_live", "2021-04-01", None),
        (7, "ctx.nhs_app_integrated", True, None),
        (8, "ctx.nhs_app_features", ["appointments", "record"], None),
        (9, "narrative:sf.epr", "Live, everywhere", None),
    ]


def test_bom_and_extra_columns_and_blank_rows(wgll, acute):
    c1 = wgll.domain("sf.epr").level(1).criteria[0].id
    data = _csv(
        f"Item_ID,kind,Value,Notes\n{c1},criterion,met,from the board paper\n,,,\n"
        f"{wgll.domain('sf.epr').level(2).criteria[0].id},criterion,,\n"
        "sf.epr,domain_level,3,\n",
        bom=True,
    )
    table = read_table(data)
    assert table.columns == ["item_id", "kind", "value", "notes"]
    checked = check_rows(table, acute, {})
    assert checked.problems == []
    assert [(p.line, p.item_id) for p in checked.proposed] == [(2, c1)]
    assert (checked.skipped_blank, checked.skipped_scores) == (1, 1)


def test_every_bad_row_is_reported_and_nothing_proposed(wgll, acute):
    epr = wgll.domain("sf.epr")
    c1, c2, c3 = (c.id for c in epr.level(1).criteria[:1] + epr.level(2).criteria[:2])
    social = wgll.domain("sf.social_care_record")  # not answered by acute returns
    current = {c2: StoredAnswer("not_met", 3), c3: StoredAnswer("met", 1)}
    lines = [
        "item_id,value,version",
        f"{c1},met,",  # 2 fine
        "sf.nope.l1.a,met,",  # 3 unknown item
        f"{c1},not_met,",  # 4 duplicate
        f"{epr.level(3).criteria[0].id},maybe,",  # 5 bad criterion value
        "ctx.eprescribing_coverage,140,",  # 6 out of range
        f"{c2},met,2",  # 7 stale version
        "ctx.gp_clinical_system,emis_web,",  # 8 not asked of acute
        f"{c3},not_met,",  # 9 saved since (empty version = there was no answer)
        "ctx.epr_go_live,2021-02-30,",  # 10 bad date
        ",met,",  # 11 no item id
        f"{epr.level(3).criteria[1].id},met,two",  # 12 bad version
        f"{epr.level(4).criteria[0].id},met,1",  # 13 version for an item with no answer
        f"{social.criteria[0].id},met,",  # 14 another care setting's domain
    ]
    checked = check_rows(read_table(_csv("\n".join(lines) + "\n")), acute, current)
    assert checked.proposed == []
    expected = [
        "line 3, column item_id: 'sf.nope.l1.a' is not an item of wgll-2025",
        f"line 4, column item_id: {c1!r} is already given on line 2",
        "line 5, column value: 'maybe' is not one of met, not_met, na",
        "line 6, column value: '140' is refused: a percentage must be between 0 and 100",
        "line 7, column version: the saved answer is at version 3 (value 'not_met'), not "
        "version 2: someone has changed it since; export the return again and reapply your "
        "change",
        "line 8, column item_id: 'ctx.gp_clinical_system' is not asked of acute returns",
        "line 9, column version: the saved answer is at version 1 (value 'met'), not no answer: "
        "someone has changed it since; export the return again and reapply your change",
        "line 10, column value: '2021-02-30' is refused: enter a date as YYYY-MM-DD",
        "line 11, column item_id: no item id is given",
        "line 12, column version: 'two' is not a version number (a whole number from 1, or "
        "empty if there was no answer)",
        "line 13, column version: version 1 was given but the item has no saved answer; leave "
        "version empty for a new answer",
        f"line 14, column item_id: {social.criteria[0].id!r} is a criterion of a domain acute "
        "returns do not answer",
    ]
    assert checked.problems == expected


def test_answers_to_questions_not_asked_are_refused(acute):
    table = read_table(_csv("item_id,value\nctx.epr_in_place,no\nctx.epr_go_live,2020-01-01\n"))
    checked = check_rows(table, acute, {})
    assert checked.problems == [
        "line 3, column item_id: 'ctx.epr_go_live' is only asked when ctx.epr_in_place is yes, "
        "which the return would not say"
    ]
    # Saved answers count too: with "yes" saved the date is asked.
    checked = check_rows(
        read_table(_csv("item_id,value\nctx.epr_go_live,2020-01-01\n")),
        acute,
        {"ctx.epr_in_place": StoredAnswer(True, 1)},
    )
    assert checked.problems == [] and checked.proposed[0].value == "2020-01-01"


def test_versions_and_unchanged_answers(wgll, acute):
    c1, c2 = (c.id for c in wgll.domain("sf.epr").level(1).criteria[:2])
    current = {c1: StoredAnswer("met", 4), c2: StoredAnswer("met", 2)}
    with_version = check_rows(
        read_table(_csv(f"item_id,value,version\n{c1},not_met,4\n{c2},met,2\n")), acute, current
    )
    assert with_version.problems == []
    assert [(p.item_id, p.expected_version) for p in with_version.proposed] == [(c1, 4)]
    assert with_version.unchanged == 1
    # Without a version column the file replaces what is saved.
    replacing = check_rows(read_table(_csv(f"item_id,value\n{c1},na\n")), acute, current)
    assert [(p.item_id, p.value, p.expected_version) for p in replacing.proposed] == [(c1, "na", 4)]


def test_excel_first_sheet_with_typed_cells(wgll, acute):
    c1 = wgll.domain("sf.epr").level(1).criteria[0].id
    data = _xlsx(
        [
            ["item_id", "value", "version"],
            [c1, "met", None],
            ["ctx.epr_in_place", True, None],
            ["ctx.epr_go_live", dt.datetime(2019, 11, 4), None],
            ["ctx.eprescribing_coverage", 0.5, None],
            [None, None, None],
            ["ctx.remote_monitoring_in_use", "yes", None],
            ["ctx.remote_monitoring_people", 1500.0, None],
            ["ctx.virtual_ward_beds", 12.5, None],
        ]
    )
    table = read_table(data, "answers.xlsx")
    assert table.source == "Excel"
    checked = check_rows(table, acute, {})
    assert checked.problems == [
        "line 9, column value: 12.5 is refused: enter a whole number",
    ]
    table.rows.pop()  # without the bad row
    checked = check_rows(table, acute, {})
    assert checked.problems == []
    assert {p.item_id: p.value for p in checked.proposed} == {
        c1: "met",
        "ctx.epr_in_place": True,
        "ctx.epr_go_live": "2019-11-04",
        "ctx.eprescribing_coverage": 0.5,
        "ctx.remote_monitoring_in_use": True,
        "ctx.remote_monitoring_people": 1500,
    }
    assert [p.line for p in checked.proposed] == [2, 3, 4, 5, 7, 8]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (b"item,answer\nx,y\n", "line 1 must be a header naming the columns item_id and value"),
        (b"item_id,value,value\n", "line 1 names the column value more than once"),
        ("item_id,value\nctx.x,caf\xe9\n".encode("latin-1"), "the file is not UTF-8 text"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old Excel (.xls)"),
        (b"PK\x03\x04 not really a zip", "not an Excel workbook that can be read"),
    ],
)
def test_unreadable_files(data, message):
    with pytest.raises(UnreadableFile, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_table(data)
