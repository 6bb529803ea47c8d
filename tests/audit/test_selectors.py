from __future__ import annotations

from maturity.audit.selectors import records_for_organisation, records_for_target


def test_records_for_a_target_newest_first_a_page_at_a_time(append):
    append(5, target=("assessments.return", "17"))
    append(2, target=("assessments.return", "18"))
    first = records_for_target("assessments.return", 17, per_page=2)
    assert [r.sequence for r in first] == [5, 4]
    assert first.paginator.count == 5 and first.paginator.num_pages == 3
    last = records_for_target("assessments.return", "17", page=3, per_page=2)
    assert [r.sequence for r in last] == [1]
    assert [r.sequence for r in records_for_target("assessments.return", "18")] == [7, 6]


def test_a_page_number_out_of_range_gives_the_nearest_page(append):
    append(3)
    assert records_for_target("assessments.return", "17", page="99", per_page=2).number == 2
    assert records_for_target("assessments.return", "17", page="x", per_page=2).number == 1


def test_records_for_an_organisation(append):
    append(2, organisation=12)
    append(1, organisation=13)
    append(1, organisation=None)
    assert [r.sequence for r in records_for_organisation(12)] == [2, 1]
    assert [r.sequence for r in records_for_organisation(13)] == [3]


def test_no_records_is_an_empty_page(db):
    page = records_for_target("assessments.return", "1")
    assert list(page) == [] and page.paginator.count == 0
