from __future__ import annotations

import datetime as dt
import re

import pytest
from django.template import engines

from maturity.audit.models import AuditRecord
from maturity.audit.presenters import audit_rows, describe, value_text


def unsaved(**fields) -> AuditRecord:
    base = {
        "sequence": 1,
        "occurred_at": dt.datetime(2025, 7, 1, 13, 5, 9, 12, tzinfo=dt.UTC),
        "actor_label": "Jane Smith",
        "action": "answer.saved",
        "target_type": "assessments.return",
        "target_id": "17",
        "before": None,
        "after": None,
        "reason": "",
    }
    return AuditRecord(**(base | fields))


def test_an_answer_change_reads_as_a_sentence():
    r = unsaved(before={"sf.epr.l2.a": "not_met"}, after={"sf.epr.l2.a": "met"})
    assert describe(r) == "Jane Smith saved sf.epr.l2.a: not met → met"


def test_a_first_answer_starts_from_blank():
    r = unsaved(after={"sf.epr.l2.a": "not_applicable"})
    assert describe(r) == "Jane Smith saved sf.epr.l2.a: blank → not applicable"


def test_a_status_change_with_a_reason():
    r = unsaved(
        actor_label="Ann Analyst",
        action="return.unlocked",
        before={"status": "committed"},
        after={"status": "in_progress"},
        reason="Figures for 2024 entered by mistake",
    )
    assert describe(r) == (
        "Ann Analyst unlocked status: committed → in progress "
        "(reason: Figures for 2024 entered by mistake)"
    )


def test_an_action_without_values_names_its_target():
    assert describe(unsaved(action="return.committed")) == "Jane Smith committed return 17"


def test_several_changes_are_listed_in_field_order():
    r = unsaved(
        actor_label="System",
        action="membership.granted",
        target_type="accounts.membership",
        target_id="5",
        before={"role": "contributor", "unchanged": 1},
        after={"role": "submitter", "unchanged": 1, "active": True},
    )
    assert describe(r) == (
        "System granted membership 5: active: blank → yes; role: contributor → submitter"
    )


def test_free_text_is_quoted_and_shortened():
    narrative = "We moved every ward onto the electronic record in 2024, " * 3
    r = unsaved(before={"narrative": "Draft"}, after={"narrative": narrative})
    line = describe(r)
    assert line.startswith("Jane Smith saved narrative: “Draft” → “We moved every ward")
    assert line.endswith("…”") and len(line) < 150


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "blank"),
        ("", "blank"),
        (False, "no"),
        (3, "3"),
        (2.5, "2.5"),
        (["a_b", "c"], "a b, c"),
        ("Met", "“Met”"),
        ({"k": 1}, '{"k": 1}'),
    ],
)
def test_values_in_words(value, text):
    assert value_text(value) == text


def test_rows_carry_local_time_and_machine_time():
    (row,) = audit_rows([unsaved(before={"x": "a"}, after={"x": "b"})])
    assert row.when == "1 July 2025, 14:05"  # British Summer Time
    assert row.when_iso == "2025-07-01T13:05:09.000012Z"
    assert (row.who, row.what, row.single_field) == ("Jane Smith", "saved x", True)
    assert row.text == "Jane Smith saved x: a → b"


def render(source: str, **context) -> str:
    return engines["jinja2"].from_string(source).render(context)


def rows_for_table():
    return audit_rows(
        [
            unsaved(sequence=3, before={"sf.epr.l2.a": "not_met"}, after={"sf.epr.l2.a": "met"}),
            unsaved(
                sequence=2,
                action="return.unlocked",
                before={"status": "committed", "locked": True},
                after={"status": "in_progress", "locked": False},
                reason="Typo <b>in</b> level",
            ),
            unsaved(sequence=1, action="return.committed"),
        ]
    )


def test_the_partial_is_an_accessible_table_without_inline_styles_or_scripts():
    html = render(
        '{% from "audit/_records.jinja" import audit_records %}'
        '{{ audit_records(rows, caption="Changes to this return") }}',
        rows=rows_for_table(),
    )
    assert '<caption class="nhsuk-table__caption">Changes to this return</caption>' in html
    headers = re.findall(r'<th scope="col"[^>]*>(.*?)</th>', html)
    assert [re.sub(r"<[^>]+>", "", h) for h in headers] == [
        "When",
        "Who",
        "What",
        "Before →  and after",
        "Reason",
    ]
    assert html.count('<tr class="nhsuk-table__row" role="row">') == 4
    assert "not met" in html and "changed to" in html
    assert "<li>locked: yes" in html and "status: committed" in html
    assert "None recorded" in html and "None given" in html
    assert '<time datetime="2025-07-01T13:05:09.000012Z">1 July 2025, 14:05</time>' in html
    assert "Typo &lt;b&gt;in&lt;/b&gt; level" in html  # escaped
    assert "style" not in html.lower() and "<script" not in html.lower()


def test_the_partial_can_be_included_with_context_variables():
    html = render('{% include "audit/_records.jinja" %}', audit_rows=rows_for_table())
    assert '<caption class="nhsuk-table__caption">Audit trail</caption>' in html
    assert html.count("<tbody") == 1


def test_the_partial_says_when_there_is_nothing_to_show():
    html = render('{% include "audit/_records.jinja" %}', audit_rows=[])
    assert "No changes have been recorded yet." in html and "<table" not in html
    assert render('{% include "audit/_records.jinja" %}').strip() == ""
