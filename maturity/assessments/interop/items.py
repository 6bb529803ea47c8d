"""What a return for one care setting can hold, item by item, and how a value given for an item
from outside (a CSV cell, an Excel cell, a FHIR answer) becomes the value stored.

Pure: no Django. Shared by the FHIR import and the bulk CSV/Excel import so both refuse the same
values with the same words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from maturity.core.framework.schema import (
    ContextualQuestion,
    Criterion,
    Domain,
    Edition,
    Level,
    QuestionType,
    ScoringModel,
)
from maturity.core.vocab import CareSetting

NARRATIVE_PREFIX = "narrative:"
CRITERION_VALUES: tuple[str, ...] = ("met", "not_met", "na")
CRITERION_LABELS: dict[str, str] = {"met": "Met", "not_met": "Not met", "na": "Not applicable"}
# Several choices in one spreadsheet cell: "appointments; messages".
MULTIPLE_SEPARATORS = (";", "|", "\n")

ItemKind = Literal["criterion", "narrative", "contextual"]


class NotAnsweredByLevels(ValueError):
    """The edition is not a cumulative-levels edition: it has no domains, levels and criteria."""


@dataclass(frozen=True)
class StoredAnswer:
    """An answer as the return holds it now."""

    value: Any
    version: int


@dataclass(frozen=True)
class Item:
    """One thing a return answers."""

    id: str
    kind: ItemKind
    text: str
    domain: Domain | None = None
    level: Level | None = None
    criterion: Criterion | None = None
    question: ContextualQuestion | None = None

    @property
    def pillar_id(self) -> str | None:
        return None if self.domain is None else str(self.domain.pillar)


def narrative_id(domain_id: str) -> str:
    return NARRATIVE_PREFIX + domain_id


def asked_questions(edition: Edition, care_setting: CareSetting | str) -> list[ContextualQuestion]:
    """The contextual questions of a care setting that can ever be asked.

    A question that depends on a question the care setting is not asked can never be enabled, so
    it is left out (a FHIR Questionnaire may not point an ``enableWhen`` at a missing item).
    """
    questions = edition.questions_for(care_setting)
    by_id = {q.id: q for q in questions}

    def reachable(question: ContextualQuestion, seen: frozenset[str]) -> bool:
        condition = question.enable_when
        if condition is None:
            return True
        trigger = by_id.get(condition.question)
        if trigger is None or trigger.id in seen:
            return False
        return reachable(trigger, seen | {question.id})

    return [q for q in questions if reachable(q, frozenset())]


class Catalogue:
    """Every item of a return for one care setting of one edition, by id, in answering order:
    contextual questions first, then pillar by pillar, domain by domain, criteria then narrative.
    """

    def __init__(self, edition: Edition, care_setting: CareSetting | str) -> None:
        if edition.scoring_model != ScoringModel.CUMULATIVE_LEVELS:
            raise NotAnsweredByLevels(
                f"{edition.id} is a {edition.scoring_model.label.lower()} edition; only editions "
                "with domains, levels and criteria can be exchanged this way"
            )
        self.edition = edition
        self.care_setting = CareSetting(care_setting)
        self.questions = asked_questions(edition, self.care_setting)
        self.domains = edition.domains_for(self.care_setting)
        items: list[Item] = [
            Item(id=q.id, kind="contextual", text=q.text, question=q) for q in self.questions
        ]
        for domain in self.domains:
            for level in domain.levels:
                for criterion in level.criteria:
                    items.append(
                        Item(
                            id=criterion.id,
                            kind="criterion",
                            text=criterion.text,
                            domain=domain,
                            level=level,
                            criterion=criterion,
                        )
                    )
            items.append(
                Item(
                    id=narrative_id(domain.id),
                    kind="narrative",
                    text=f"Narrative for {domain.name}",
                    domain=domain,
                )
            )
        self.items = items
        self.by_id = {item.id: item for item in items}
        self._all_questions = {q.id: q for q in edition.contextual_questions}

    def get(self, item_id: str) -> Item | None:
        return self.by_id.get(item_id)

    def unknown_reason(self, item_id: str) -> str:
        """Why an id is not an item of this return, in words."""
        setting = self.care_setting.label.lower()
        edition = self.edition
        if item_id.startswith(NARRATIVE_PREFIX):
            domain_id = item_id.removeprefix(NARRATIVE_PREFIX)
            if edition.has_domain(domain_id):
                return f"{item_id!r} is a narrative of a domain {setting} returns do not answer"
        elif any(q.id == item_id for q in edition.contextual_questions):
            return f"{item_id!r} is not asked of {setting} returns"
        elif item_id in edition.criterion_ids():
            return f"{item_id!r} is a criterion of a domain {setting} returns do not answer"
        return f"{item_id!r} is not an item of {edition.id}"

    def clean_answers(self, answers: Mapping[str, Any]) -> dict[str, Any]:
        """Contextual answers in their Python types (for ``enable_when``); bad ones left out."""
        clean: dict[str, Any] = {}
        for question in self.questions:
            if question.id in answers:
                try:
                    clean[question.id] = question.clean_answer(answers[question.id])
                except ValueError:
                    continue
        return clean

    def is_enabled(self, question: ContextualQuestion, clean: Mapping[str, Any]) -> bool:
        return question.is_enabled(dict(clean), self._all_questions)


def not_asked(
    values: Mapping[str, Any], catalogue: Catalogue, current: Mapping[str, StoredAnswer]
) -> dict[str, str]:
    """Of the new ``values``, the contextual answers whose question would not be asked once they
    are saved over the ``current`` answers, with why."""
    after = {item_id: answer.value for item_id, answer in current.items()}
    after.update(values)
    clean = catalogue.clean_answers(after)
    reasons: dict[str, str] = {}
    for item_id in values:
        item = catalogue.get(item_id)
        question = None if item is None else item.question
        if question is None or catalogue.is_enabled(question, clean):
            continue
        condition = question.enable_when
        assert condition is not None
        reasons[item_id] = (
            f"{item_id!r} is only asked when {condition.question} "
            f"{_OPERATOR_WORDS[condition.operator]} {_answer_words(condition.answer)}, which the "
            "return would not say"
        )
    return reasons


_OPERATOR_WORDS = {"equals": "is", "not_equals": "is not", "in": "is one of"}


def _answer_words(answer: Any) -> str:
    if isinstance(answer, bool):
        return "yes" if answer else "no"
    if isinstance(answer, list):
        return ", ".join(map(_answer_words, answer))
    return str(answer)


def clean_value(item: Item, raw: Any) -> Any:
    """The value to store for ``raw``, as JSON (dates as ISO text); ``ValueError`` says why not.

    Criteria take met / not_met / na; contextual questions take what their type allows
    (:meth:`ContextualQuestion.clean_answer`); narratives take text.
    """
    if item.kind == "criterion":
        code = raw.strip().lower() if isinstance(raw, str) else raw
        if code not in CRITERION_VALUES:
            raise ValueError(f"{_shown(raw)} is not one of {', '.join(CRITERION_VALUES)}")
        return code
    if item.kind == "narrative":
        if not isinstance(raw, str) or not raw.strip():
            raise ValueError("a narrative must be text")
        return raw.strip()
    question = item.question
    assert question is not None
    if question.type == QuestionType.MULTIPLE_CHOICE and isinstance(raw, str):
        raw = _split_choices(raw)
    try:
        value = question.clean_answer(raw)
    except ValueError as error:
        raise ValueError(f"{_shown(raw)} is refused: {error}") from None
    return to_json(value)


def to_json(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _split_choices(raw: str) -> list[str] | str:
    for separator in MULTIPLE_SEPARATORS:
        if separator in raw:
            return [part.strip() for part in raw.split(separator) if part.strip()]
    return raw.strip()


def _shown(raw: Any) -> str:
    if isinstance(raw, list):
        return "; ".join(map(str, raw))
    if isinstance(raw, dt.datetime | dt.date):
        return raw.isoformat()
    return repr(raw) if isinstance(raw, str) else str(raw)


def display_value(item: Item, value: Any) -> str:
    """A stored value in words: "Met", "Yes", "Epic", "45%", "12 March 2025"."""
    if value is None:
        return ""
    if item.kind == "criterion":
        return CRITERION_LABELS.get(value, str(value))
    if item.kind == "narrative":
        return str(value)
    question = item.question
    assert question is not None
    kind = question.type
    if kind == QuestionType.YES_NO:
        return "Yes" if value is True else "No" if value is False else str(value)
    if kind in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
        values = value if isinstance(value, list) else [value]
        return "; ".join(_option_label(question, v) for v in values)
    if kind == QuestionType.PERCENTAGE:
        return f"{_number(value)}%"
    if kind == QuestionType.INTEGER:
        unit = f" {question.unit}" if question.unit else ""
        return f"{value}{unit}"
    if kind == QuestionType.DATE:
        try:
            day = dt.date.fromisoformat(str(value))
        except ValueError:
            return str(value)
        return f"{day.day} {day:%B %Y}"
    return str(value)


def _option_label(question: ContextualQuestion, value: Any) -> str:
    try:
        return question.option_label(str(value))
    except KeyError:
        return str(value)


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
