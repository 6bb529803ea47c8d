"""Wording for the framework pages: how questions, conditions and care settings read."""

from __future__ import annotations

import datetime as dt
from typing import Any

from maturity.core.framework import ContextualQuestion, Edition, QuestionType
from maturity.core.vocab import CareSetting


def care_setting_labels(settings: list[Any]) -> str:
    return ", ".join(CareSetting(s).label for s in settings)


def parse_care_setting(value: str | None) -> tuple[CareSetting | None, str | None]:
    """The care setting chosen in a filter, or an error message for a value not in the list."""
    if not value:
        return None, None
    try:
        return CareSetting(value), None
    except ValueError:
        return None, "Choose a care setting from the list"


def answer_text(question: ContextualQuestion, answer: Any) -> str:
    values = answer if isinstance(answer, list) else [answer]
    shown = []
    for value in values:
        if question.type == QuestionType.YES_NO:
            shown.append("yes" if value else "no")
        elif question.type in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
            try:
                shown.append(f"“{question.option_label(value)}”")
            except KeyError:
                shown.append(str(value))
        elif isinstance(value, dt.date):
            shown.append(f"{value.day} {value:%B %Y}")
        else:
            shown.append(str(value))
    return " or ".join(shown)


def describe_condition(question: ContextualQuestion, edition: Edition) -> str | None:
    """When the question is asked, in words: “Asked when ‘…’ is answered yes”."""
    condition = question.enable_when
    if condition is None:
        return None
    try:
        trigger = edition.question(condition.question)
    except KeyError:
        return f"Asked depending on {condition.question}"
    answer = answer_text(trigger, condition.answer)
    if trigger.type == QuestionType.MULTIPLE_CHOICE:
        verb = {"equals": "includes", "not_equals": "does not include", "in": "includes"}
    else:
        verb = {"equals": "is", "not_equals": "is not", "in": "is"}
    return f"Asked when the answer to “{trigger.text}” {verb[condition.operator]} {answer}"


def answer_format(question: ContextualQuestion) -> str:
    text = question.type.label
    if question.unit and question.type == QuestionType.INTEGER:
        text += f" ({question.unit})"
    return text
