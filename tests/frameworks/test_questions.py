"""Contextual questions: answers in their canonical types and enable_when conditions."""

from __future__ import annotations

import datetime as dt

import pytest

from maturity.core.framework import ContextualQuestion

YES_NO = ContextualQuestion(id="ctx.a", text="A?", type="yes_no", care_settings=["acute"])
CHOICE = ContextualQuestion(
    id="ctx.b",
    text="B?",
    type="multiple_choice",
    care_settings=["acute"],
    options=[
        {"value": "x", "label": "X"},
        {"value": "y", "label": "Y"},
        {"value": "z", "label": "Z"},
    ],
)


def q(kind: str, **extra) -> ContextualQuestion:
    return ContextualQuestion(id="ctx.q", text="Q?", type=kind, care_settings=["acute"], **extra)


@pytest.mark.parametrize(
    ("question", "value", "expected"),
    [
        (YES_NO, "Yes", True),
        (YES_NO, False, False),
        (CHOICE, ["z", "x"], ["x", "z"]),
        (CHOICE, "y", ["y"]),
        (q("percentage"), "72.5%", 72.5),
        (q("percentage"), 100, 100.0),
        (q("integer"), "40", 40),
        (q("date"), "2024-05-01", dt.date(2024, 5, 1)),
        (q("text"), "  Epic  ", "Epic"),
    ],
)
def test_clean_answer(question, value, expected):
    assert question.clean_answer(value) == expected


@pytest.mark.parametrize(
    ("question", "value", "message"),
    [
        (YES_NO, 1, "answer yes or no"),
        (CHOICE, ["x", "w"], "not an option: w"),
        (CHOICE, [], "choose at least one option"),
        (q("percentage"), 101, "between 0 and 100"),
        (q("percentage"), True, "enter a percentage"),
        (q("integer"), 2.5, "whole number"),
        (q("integer"), -1, "at least 0"),
        (q("integer", maximum=10), 11, "at most 10"),
        (q("date"), "1 May", "YYYY-MM-DD"),
        (q("text"), "   ", "enter some text"),
    ],
)
def test_clean_answer_refuses(question, value, message):
    with pytest.raises(ValueError, match=message):
        question.clean_answer(value)


def _dependent(operator: str, answer, trigger: ContextualQuestion = YES_NO) -> ContextualQuestion:
    return ContextualQuestion(
        id="ctx.d",
        text="D?",
        type="text",
        care_settings=["acute"],
        enable_when={"question": trigger.id, "operator": operator, "answer": answer},
    )


@pytest.mark.parametrize(
    ("trigger", "operator", "answer", "given", "enabled"),
    [
        (YES_NO, "equals", True, True, True),
        (YES_NO, "equals", True, False, False),
        (YES_NO, "not_equals", True, False, True),
        (YES_NO, "equals", True, None, False),
        (CHOICE, "equals", "x", ["x", "y"], True),
        (CHOICE, "equals", "z", ["x", "y"], False),
        (CHOICE, "not_equals", "z", ["x", "y"], True),
        (CHOICE, "in", ["z", "y"], ["y"], True),
        (CHOICE, "in", ["z"], ["x"], False),
    ],
)
def test_is_enabled(trigger, operator, answer, given, enabled):
    dependent = _dependent(operator, answer, trigger)
    questions = {trigger.id: trigger, dependent.id: dependent}
    answers = {} if given is None else {trigger.id: given}
    assert dependent.is_enabled(answers, questions) is enabled


def test_yes_answer_does_not_match_the_number_one():
    number = q("integer")
    dependent = _dependent("equals", 1, number)
    assert dependent.is_enabled({"ctx.q": 1}, {"ctx.q": number}) is True
    yes_dependent = _dependent("equals", True, YES_NO)
    assert yes_dependent.is_enabled({"ctx.a": 1}, {"ctx.a": YES_NO}) is False


def test_a_question_is_not_asked_when_its_trigger_is_not_asked():
    middle = _dependent("equals", True)
    last = ContextualQuestion(
        id="ctx.e",
        text="E?",
        type="text",
        care_settings=["acute"],
        enable_when={"question": "ctx.d", "operator": "equals", "answer": "go"},
    )
    questions = {q.id: q for q in (YES_NO, middle, last)}
    assert last.is_enabled({"ctx.a": True, "ctx.d": "go"}, questions) is True
    assert last.is_enabled({"ctx.a": False, "ctx.d": "go"}, questions) is False
