"""FHIR R4 Questionnaire and QuestionnaireResponse for cumulative-levels editions.

Pure: no Django. The structure, shared by both resources:

- a ``context`` group with the contextual questions, typed (boolean, choice, decimal 0–100 with
  minValue/maxValue, integer, date, string), ``required`` when mandatory and ``enableWhen`` where a
  question depends on another;
- one group per pillar (linkId = pillar id), holding one ``choice`` item per domain
  (linkId = domain id) whose answer options are the levels 1–5, each coding carrying the
  ``itemWeight`` extension (and R4's ``ordinalValue``). The level is derived from the criteria, so
  the item is read-only; its children are the criteria (``choice``: met / not_met / na) and the
  domain's narrative (``text``, linkId ``narrative:<domain id>``).

In a QuestionnaireResponse the criteria and narrative therefore sit under the domain's answer (its
level, as scored at export). Each answer item carries the stored answer's version in an extension
so a response exported from a return and imported back into it can detect answers changed since.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from maturity.core.framework.schema import (
    ContextualQuestion,
    Domain,
    Edition,
    EditionStatus,
    QuestionType,
)
from maturity.core.vocab import CareSetting

from .items import (
    CRITERION_LABELS,
    CRITERION_VALUES,
    Catalogue,
    Item,
    StoredAnswer,
    clean_value,
    narrative_id,
)

FHIR_VERSION = "4.0.1"
ITEM_WEIGHT = "http://hl7.org/fhir/StructureDefinition/itemWeight"
ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
UNIT = "http://hl7.org/fhir/StructureDefinition/questionnaire-unit"
ITEM_CONTROL = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"
ITEM_CONTROL_SYSTEM = "http://hl7.org/fhir/questionnaire-item-control"
UCUM = "http://unitsofmeasure.org"
ODS_SYSTEM = "https://fhir.nhs.uk/Id/ods-organization-code"
CONTEXT_GROUP = "context"

FHIR_PATH = "frameworks-fhir"


@dataclass(frozen=True)
class Canonical:
    """The URLs a deployment publishes its resources and code systems under."""

    base_url: str

    @property
    def root(self) -> str:
        return f"{self.base_url.rstrip('/')}/{FHIR_PATH}"

    def questionnaire(self, edition_id: str, care_setting: str) -> str:
        return f"{self.root}/{edition_id}/{care_setting}/questionnaire.json"

    @property
    def level_system(self) -> str:
        return f"{self.root}/CodeSystem/maturity-level"

    @property
    def criterion_system(self) -> str:
        return f"{self.root}/CodeSystem/criterion-answer"

    def option_system(self, edition_id: str, question_id: str) -> str:
        return f"{self.root}/CodeSystem/{edition_id}/{question_id}"

    @property
    def version_extension(self) -> str:
        return f"{self.root}/StructureDefinition/answer-version"

    @property
    def return_identifier_system(self) -> str:
        return f"{self.base_url.rstrip('/')}/returns"


def resource_id(*parts: str) -> str:
    """A FHIR id ([A-Za-z0-9-.]{1,64}) from our ids, which use underscores."""
    return re.sub(r"[^A-Za-z0-9.-]", "-", "-".join(parts))[:64]


def _computable_name(edition: Edition, care_setting: CareSetting) -> str:
    words = re.split(r"[^A-Za-z0-9]+", f"{edition.id} {care_setting.value}")
    name = "".join(word[:1].upper() + word[1:] for word in words if word)
    return name if name[:1].isalpha() else f"Q{name}"


# --- Questionnaire -------------------------------------------------------------------------------


def edition_to_questionnaire(
    edition: Edition, care_setting: CareSetting | str, *, base_url: str
) -> dict[str, Any]:
    """The edition's questions for one care setting as a FHIR R4 Questionnaire (JSON as a dict)."""
    catalogue = Catalogue(edition, care_setting)
    setting = catalogue.care_setting
    canonical = Canonical(base_url)
    items: list[dict[str, Any]] = []
    if catalogue.questions:
        items.append(
            {
                "linkId": CONTEXT_GROUP,
                "type": "group",
                "text": "Contextual questions",
                "item": [_question_item(edition, q, canonical) for q in catalogue.questions],
            }
        )
    for pillar in edition.pillars:
        domains = [d for d in catalogue.domains if d.pillar == pillar.id]
        if not domains:
            continue
        items.append(
            {
                "linkId": str(pillar.id),
                "type": "group",
                "text": pillar.name,
                "item": [_domain_item(domain, canonical) for domain in domains],
            }
        )
    questionnaire: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": resource_id(edition.id, setting.value),
        "url": canonical.questionnaire(edition.id, setting.value),
        "version": edition.id,
        "name": _computable_name(edition, setting),
        "title": f"{edition.title}: {setting.label}",
        "status": "active" if edition.status == EditionStatus.PUBLISHED else "draft",
        "experimental": edition.illustrative,
        "subjectType": ["Organization"],
        "date": edition.date_reviewed.isoformat(),
        "publisher": edition.authored_by,
        "description": edition.description or edition.title,
        "item": items,
    }
    return questionnaire


def _level_option(level: int, title: str, canonical: Canonical) -> dict[str, Any]:
    return {
        "valueCoding": {
            "extension": [
                {"url": ITEM_WEIGHT, "valueDecimal": level},
                {"url": ORDINAL_VALUE, "valueDecimal": level},
            ],
            "system": canonical.level_system,
            "code": str(level),
            "display": f"Level {level}: {title}",
        }
    }


def _criterion_options(canonical: Canonical) -> list[dict[str, Any]]:
    return [
        {
            "valueCoding": {
                "system": canonical.criterion_system,
                "code": code,
                "display": CRITERION_LABELS[code],
            }
        }
        for code in CRITERION_VALUES
    ]


def _domain_item(domain: Domain, canonical: Canonical) -> dict[str, Any]:
    children: list[dict[str, Any]] = []
    for level in domain.levels:
        for criterion in level.criteria:
            children.append(
                {
                    "linkId": criterion.id,
                    "prefix": f"Level {level.level}",
                    "text": criterion.text,
                    "type": "choice",
                    # Every criterion must be answered before a return can be committed.
                    "required": True,
                    "answerOption": _criterion_options(canonical),
                }
            )
    children.append(
        {"linkId": narrative_id(domain.id), "text": f"Narrative for {domain.name}", "type": "text"}
    )
    return {
        "linkId": domain.id,
        "text": domain.name,
        "type": "choice",
        "readOnly": True,
        "answerOption": [
            _level_option(level.level, level.title, canonical) for level in domain.levels
        ],
        "item": children,
    }


_QUESTION_TYPES: dict[QuestionType, str] = {
    QuestionType.YES_NO: "boolean",
    QuestionType.SINGLE_CHOICE: "choice",
    QuestionType.MULTIPLE_CHOICE: "choice",
    QuestionType.PERCENTAGE: "decimal",
    QuestionType.INTEGER: "integer",
    QuestionType.DATE: "date",
    QuestionType.TEXT: "string",
}


def _question_item(
    edition: Edition, question: ContextualQuestion, canonical: Canonical
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "linkId": question.id,
        "text": question.text,
        "type": _QUESTION_TYPES[question.type],
        "required": question.mandatory,
    }
    extensions: list[dict[str, Any]] = []
    if question.type == QuestionType.PERCENTAGE:
        extensions += [
            {"url": MIN_VALUE, "valueDecimal": 0},
            {"url": MAX_VALUE, "valueDecimal": 100},
            {"url": UNIT, "valueCoding": {"system": UCUM, "code": "%", "display": "%"}},
        ]
    elif question.type == QuestionType.INTEGER:
        extensions.append({"url": MIN_VALUE, "valueInteger": question.minimum or 0})
        if question.maximum is not None:
            extensions.append({"url": MAX_VALUE, "valueInteger": question.maximum})
        if question.unit:
            extensions.append(
                {"url": UNIT, "valueCoding": {"system": UCUM, "code": f"{{{question.unit}}}"}}
            )
    if extensions:
        item["extension"] = extensions
    if question.type in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
        system = canonical.option_system(edition.id, question.id)
        item["answerOption"] = [
            {"valueCoding": {"system": system, "code": o.value, "display": o.label}}
            for o in question.options
        ]
    if question.type == QuestionType.MULTIPLE_CHOICE:
        item["repeats"] = True
    if question.enable_when is not None:
        item.update(_enable_when(edition, question, canonical))
    if question.hint:
        item["item"] = [
            {
                "linkId": f"{question.id}.hint",
                "type": "display",
                "text": question.hint,
                "extension": [
                    {
                        "url": ITEM_CONTROL,
                        "valueCodeableConcept": {
                            "coding": [{"system": ITEM_CONTROL_SYSTEM, "code": "flyover"}]
                        },
                    }
                ],
            }
        ]
    return item


def _enable_when(
    edition: Edition, question: ContextualQuestion, canonical: Canonical
) -> dict[str, Any]:
    """Our ``enable_when`` as FHIR ``enableWhen`` and ``enableBehavior``.

    Ours never enables a question whose trigger is unanswered; FHIR's ``!=`` is true when there is
    no answer, so ``not_equals`` becomes "exists and !=" (all). ``in`` becomes one ``=`` per value
    (any).
    """
    condition = question.enable_when
    assert condition is not None
    trigger = edition.question(condition.question)
    if condition.operator == "in":
        values = condition.answer if isinstance(condition.answer, list) else [condition.answer]
        checks = [
            {"question": trigger.id, "operator": "=", **_answer_x(edition, trigger, v, canonical)}
            for v in values
        ]
        behaviour = "any"
    elif condition.operator == "not_equals":
        checks = [
            {"question": trigger.id, "operator": "exists", "answerBoolean": True},
            {
                "question": trigger.id,
                "operator": "!=",
                **_answer_x(edition, trigger, condition.answer, canonical),
            },
        ]
        behaviour = "all"
    else:
        checks = [
            {
                "question": trigger.id,
                "operator": "=",
                **_answer_x(edition, trigger, condition.answer, canonical),
            }
        ]
        behaviour = None
    result: dict[str, Any] = {"enableWhen": checks}
    if behaviour is not None:
        result["enableBehavior"] = behaviour
    return result


def _answer_x(
    edition: Edition, question: ContextualQuestion, value: Any, canonical: Canonical
) -> dict[str, Any]:
    """A value of a question as FHIR's typed ``answer[x]`` / ``value[x]`` pair."""
    kind = question.type
    if kind == QuestionType.YES_NO:
        return {"answerBoolean": bool(value)}
    if kind in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
        return {"answerCoding": _coding(edition, question, str(value), canonical)}
    if kind == QuestionType.PERCENTAGE:
        return {"answerDecimal": float(value)}
    if kind == QuestionType.INTEGER:
        return {"answerInteger": int(value)}
    if kind == QuestionType.DATE:
        return {"answerDate": value.isoformat() if isinstance(value, dt.date) else str(value)}
    return {"answerString": str(value)}


def _coding(
    edition: Edition, question: ContextualQuestion, value: str, canonical: Canonical
) -> dict[str, Any]:
    coding = {"system": canonical.option_system(edition.id, question.id), "code": value}
    try:
        coding["display"] = question.option_label(value)
    except KeyError:
        pass
    return coding


# --- QuestionnaireResponse -----------------------------------------------------------------------


@dataclass(frozen=True)
class ResponseHeader:
    """What a response says about the return it comes from."""

    return_id: int
    committed: bool
    organisation_ods: str
    organisation_name: str
    authored: dt.datetime | None


def answers_to_response(
    edition: Edition,
    care_setting: CareSetting | str,
    *,
    answers: Mapping[str, StoredAnswer],
    domain_levels: Mapping[str, int],
    header: ResponseHeader,
    base_url: str,
) -> dict[str, Any]:
    """A return's answers as a FHIR R4 QuestionnaireResponse (JSON as a dict).

    Answers to contextual questions that are not asked given the other answers are left out, as a
    form filler would discard them; so are answers the edition no longer has.
    """
    catalogue = Catalogue(edition, care_setting)
    setting = catalogue.care_setting
    canonical = Canonical(base_url)
    values = {item_id: answer.value for item_id, answer in answers.items()}
    clean = catalogue.clean_answers(values)
    items: list[dict[str, Any]] = []

    context_items = [
        _answer_item(catalogue.by_id[q.id], answers[q.id], canonical, edition)
        for q in catalogue.questions
        if q.id in answers and q.id in clean and catalogue.is_enabled(q, clean)
    ]
    if context_items:
        items.append(
            {"linkId": CONTEXT_GROUP, "text": "Contextual questions", "item": context_items}
        )

    for pillar in edition.pillars:
        domain_items = []
        for domain in (d for d in catalogue.domains if d.pillar == pillar.id):
            children = [
                _answer_item(catalogue.by_id[item_id], answers[item_id], canonical, edition)
                for item_id in [c.id for c in domain.criteria] + [narrative_id(domain.id)]
                if item_id in answers
            ]
            level = domain_levels.get(domain.id)
            if not children or level is None:
                continue
            title = domain.level(level).title
            domain_items.append(
                {
                    "linkId": domain.id,
                    "text": domain.name,
                    "answer": [
                        {
                            "valueCoding": _level_option(level, title, canonical)["valueCoding"],
                            "item": children,
                        }
                    ],
                }
            )
        if domain_items:
            items.append({"linkId": str(pillar.id), "text": pillar.name, "item": domain_items})

    response: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": resource_id("return", str(header.return_id)),
        "identifier": {
            "system": canonical.return_identifier_system,
            "value": str(header.return_id),
        },
        "questionnaire": f"{canonical.questionnaire(edition.id, setting.value)}|{edition.id}",
        "status": "completed" if header.committed else "in-progress",
        "subject": {
            "identifier": {"system": ODS_SYSTEM, "value": header.organisation_ods},
            "display": header.organisation_name,
        },
        "item": items,
    }
    if header.authored is not None:
        response["authored"] = header.authored.isoformat(timespec="seconds")
    return response


def _answer_item(
    item: Item, stored: StoredAnswer, canonical: Canonical, edition: Edition
) -> dict[str, Any]:
    if item.kind == "criterion":
        answers = [
            {
                "valueCoding": {
                    "system": canonical.criterion_system,
                    "code": stored.value,
                    "display": CRITERION_LABELS.get(stored.value, str(stored.value)),
                }
            }
        ]
    elif item.kind == "narrative":
        answers = [{"valueString": str(stored.value)}]
    else:
        question = item.question
        assert question is not None
        values = stored.value if isinstance(stored.value, list) else [stored.value]
        answers = [
            {_value_key(k): v for k, v in _answer_x(edition, question, value, canonical).items()}
            for value in values
        ]
    return {
        "linkId": item.id,
        "text": item.text,
        "extension": [{"url": canonical.version_extension, "valueInteger": stored.version}],
        "answer": answers,
    }


def _value_key(answer_key: str) -> str:
    return "value" + answer_key.removeprefix("answer")


# --- Reading a QuestionnaireResponse back --------------------------------------------------------


@dataclass(frozen=True)
class ResponseAnswer:
    """A value read from a response for one item, already cleaned for storage."""

    item_id: str
    value: Any
    #: The version the response says the answer had when exported, if it says.
    version: int | None


@dataclass(frozen=True)
class ResponseReading:
    answers: list[ResponseAnswer]
    problems: list[str]
    #: The return the response was exported from, if it names one of ours.
    return_id: int | None


_VALUE_KEYS = (
    "valueBoolean",
    "valueDecimal",
    "valueInteger",
    "valueDate",
    "valueDateTime",
    "valueTime",
    "valueString",
    "valueUri",
    "valueAttachment",
    "valueCoding",
    "valueQuantity",
    "valueReference",
)


def read_response(
    response: Mapping[str, Any],
    edition: Edition,
    care_setting: CareSetting | str,
    *,
    base_url: str,
) -> ResponseReading:
    """The answers a QuestionnaireResponse gives for a return, and every problem, by linkId.

    The response must answer this edition's questionnaire for this care setting (the canonical's
    path and version are compared, not its host, so a response from another deployment of the
    service is accepted). Groups and domain level items are structure: the level is derived from
    the criteria, so a level given in the response is not imported.
    """
    catalogue = Catalogue(edition, care_setting)
    setting = catalogue.care_setting
    canonical = Canonical(base_url)
    problems: list[str] = []
    expected_path = f"/{FHIR_PATH}/{edition.id}/{setting.value}/questionnaire.json"
    reference = str(response.get("questionnaire") or "")
    url, _, version = reference.partition("|")
    if not url.endswith(expected_path) or (version and version != edition.id):
        problems.append(
            f"questionnaire: the response answers {reference or 'no questionnaire'!r}, not the "
            f"{edition.id} questionnaire for {setting.label.lower()} returns (…{expected_path})"
        )
        return ResponseReading(answers=[], problems=problems, return_id=None)

    return_id = None
    identifier = response.get("identifier")
    if isinstance(identifier, Mapping) and identifier.get("system") == (
        canonical.return_identifier_system
    ):
        value = str(identifier.get("value") or "")
        return_id = int(value) if value.isdigit() else None

    found: list[ResponseAnswer] = []
    seen: set[str] = set()
    groups = {CONTEXT_GROUP} | {str(p.id) for p in edition.pillars}
    domains = {d.id for d in catalogue.domains}
    for link_id, node in _walk(response.get("item") or []):
        if link_id in groups or link_id in domains:
            continue
        where = f"item {link_id!r}"
        item = catalogue.get(link_id)
        if item is None:
            problems.append(f"{where}: {catalogue.unknown_reason(link_id)}")
            continue
        if link_id in seen:
            problems.append(f"{where}: answered more than once")
            continue
        seen.add(link_id)
        raw_answers = node.get("answer") or []
        if not raw_answers:
            continue
        try:
            raw = _raw_value(item, raw_answers, canonical, edition)
            value = clean_value(item, raw)
        except ValueError as error:
            problems.append(f"{where}: {error}")
            continue
        found.append(ResponseAnswer(link_id, value, _version(node, canonical)))
    return ResponseReading(answers=found, problems=problems, return_id=return_id)


def _walk(items: Any) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every item of a response, depth first: children of groups and of answers."""
    if not isinstance(items, list):
        return
    for node in items:
        if not isinstance(node, Mapping):
            continue
        yield str(node.get("linkId") or ""), node
        yield from _walk(node.get("item"))
        for answer in node.get("answer") or []:
            if isinstance(answer, Mapping):
                yield from _walk(answer.get("item"))


def _one_value(answer: Mapping[str, Any]) -> tuple[str, Any]:
    keys = [key for key in _VALUE_KEYS if key in answer]
    if len(keys) != 1:
        raise ValueError("each answer must have exactly one value[x]")
    return keys[0], answer[keys[0]]


def _raw_value(item: Item, answers: list[Any], canonical: Canonical, edition: Edition) -> Any:
    """The answer's value as the item's cleaning expects it (codes for codings)."""
    repeats = item.question is not None and item.question.type == QuestionType.MULTIPLE_CHOICE
    if len(answers) > 1 and not repeats:
        raise ValueError(f"has {len(answers)} answers; it takes one")
    values = []
    for answer in answers:
        if not isinstance(answer, Mapping):
            raise ValueError("an answer must be an object")
        key, value = _one_value(answer)
        values.append(_typed(item, key, value, canonical, edition))
    return values if repeats else values[0]


def _typed(item: Item, key: str, value: Any, canonical: Canonical, edition: Edition) -> Any:
    if item.kind == "criterion":
        return _code(key, value, canonical.criterion_system)
    if item.kind == "narrative":
        if key != "valueString":
            raise ValueError(f"takes valueString, not {key}")
        return value
    question = item.question
    assert question is not None
    expected = "value" + _answer_key(question).removeprefix("answer")
    if key != expected:
        raise ValueError(f"takes {expected}, not {key}")
    if key == "valueCoding":
        return _code(key, value, canonical.option_system(edition.id, question.id))
    return value


def _answer_key(question: ContextualQuestion) -> str:
    return {
        QuestionType.YES_NO: "answerBoolean",
        QuestionType.SINGLE_CHOICE: "answerCoding",
        QuestionType.MULTIPLE_CHOICE: "answerCoding",
        QuestionType.PERCENTAGE: "answerDecimal",
        QuestionType.INTEGER: "answerInteger",
        QuestionType.DATE: "answerDate",
        QuestionType.TEXT: "answerString",
    }[question.type]


def _code(key: str, value: Any, system: str) -> str:
    if key != "valueCoding" or not isinstance(value, Mapping):
        raise ValueError(f"takes valueCoding, not {key}")
    given = value.get("system")
    # Systems are compared by path, so responses from another deployment are accepted.
    if given and not _same_path(str(given), system):
        raise ValueError(f"coding system {given!r} is not {system!r}")
    code = value.get("code")
    if not isinstance(code, str):
        raise ValueError("a coding needs a code")
    return code


def _same_path(left: str, right: str) -> bool:
    marker = f"/{FHIR_PATH}/"
    return left.partition(marker)[2] == right.partition(marker)[2] and marker in left


def _version(node: Mapping[str, Any], canonical: Canonical) -> int | None:
    for extension in node.get("extension") or []:
        if not isinstance(extension, Mapping):
            continue
        url = str(extension.get("url") or "")
        if _same_path(url, canonical.version_extension):
            value = extension.get("valueInteger")
            if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
                return value
    return None
