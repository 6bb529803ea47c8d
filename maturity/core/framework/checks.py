"""Checks that need a whole edition (or two): ids, references and the rules of each model.

Each check returns :class:`Issue` objects naming the file and the path where the problem was
declared, using the sources the loader recorded on the edition.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import Any

from .errors import Issue, join_path
from .schema import (
    CHOICE_TYPES,
    EVIDENCE_LEVELS,
    LEVELS,
    PILLAR_PREFIXES,
    ContextualQuestion,
    Domain,
    Edition,
    QuestionType,
    ScoringModel,
)

# Which top-level sections each scoring model needs (and so which the others must leave empty).
MODEL_SECTIONS: dict[ScoringModel, tuple[str, ...]] = {
    ScoringModel.CUMULATIVE_LEVELS: ("pillars", "domains"),
    ScoringModel.STAGE: ("capabilities", "stages"),
    ScoringModel.PHASE: ("categories", "indicators"),
    ScoringModel.CQC_BANDS: ("key_questions", "statements"),
    ScoringModel.LOOKUP_0_100: ("lookup_tables", "themes", "items"),
}
# Sections a model may use but does not need.
OPTIONAL_SECTIONS: dict[ScoringModel, tuple[str, ...]] = {ScoringModel.LOOKUP_0_100: ("scales",)}


class _Report:
    def __init__(self, edition: Edition) -> None:
        self.edition = edition
        self.file, _ = edition.source_of("edition")
        self.issues: list[Issue] = []

    def at_edition(self, path: str, message: str) -> None:
        self.issues.append(Issue(self.file, path, message))

    def at_domain(self, domain: Domain, path: str, message: str) -> None:
        file, prefix = self.edition.source_of(domain.id)
        self.issues.append(Issue(file, join_path(prefix, path), message))

    def at_question(
        self, index: int, question: ContextualQuestion, path: str, message: str
    ) -> None:
        file, prefix = self.edition._sources.get(
            question.id, (self.file, f"contextual_questions[{index}]")
        )
        self.issues.append(Issue(file, join_path(prefix, path), message))


def check_edition(edition: Edition) -> list[Issue]:
    """Every problem in one resolved edition that the schema alone cannot see."""
    report = _Report(edition)
    _check_metadata(report)
    if edition.scoring_model == ScoringModel.CUMULATIVE_LEVELS:
        _check_pillars(report)
        _check_domains(report)
    elif edition.scoring_model == ScoringModel.STAGE:
        _check_stages(report)
    elif edition.scoring_model == ScoringModel.PHASE:
        _check_phases(report)
    elif edition.scoring_model == ScoringModel.CQC_BANDS:
        _check_statements(report)
    else:
        _check_lookups(report)
    _check_questions(report)
    return report.issues


def check_comparability(previous: Edition, current: Edition) -> list[Issue]:
    """Problems in ``current``'s ``comparable_with`` references, checked against ``previous``."""
    report = _Report(current)
    if current.previous_edition != previous.id:
        report.at_edition(
            "previous_edition", f"is {current.previous_edition!r}, not {previous.id!r}"
        )
        return report.issues
    if previous.framework != current.framework:
        report.at_edition(
            "previous_edition",
            f"{previous.id} belongs to the framework {previous.framework!r}, "
            f"not {current.framework!r}",
        )
    if previous.year >= current.year:
        report.at_edition("previous_edition", f"{previous.id} is not older than this edition")
    previous_ids = {domain.id: domain for domain in previous.domains}
    claimed: dict[str, str] = {}
    for domain in current.domains:
        target = domain.comparable_with
        if target is None:
            continue
        if target not in previous_ids:
            report.at_domain(domain, "comparable_with", f"{previous.id} has no domain {target}")
            continue
        if previous_ids[target].pillar != domain.pillar:
            report.at_domain(
                domain,
                "comparable_with",
                f"{previous.id}'s {target} is in the {previous_ids[target].pillar} pillar, "
                f"not {domain.pillar}",
            )
        if target in claimed:
            report.at_domain(
                domain,
                "comparable_with",
                f"{claimed[target]} is already comparable with {previous.id}'s {target}",
            )
        claimed[target] = domain.id
    return report.issues


# --- metadata -----------------------------------------------------------------------------------


# Path segments the framework pages use next to edition ids.
RESERVED_EDITION_IDS = frozenset({"diff"})


def _check_metadata(report: _Report) -> None:
    edition = report.edition
    if edition.id in RESERVED_EDITION_IDS:
        report.at_edition("id", f"{edition.id!r} is reserved; choose another id")
    if edition.next_review <= edition.date_reviewed:
        report.at_edition("next_review", "must be after date_reviewed")
    if edition.previous_edition == edition.id:
        report.at_edition("previous_edition", "an edition cannot follow itself")
    needed = MODEL_SECTIONS[edition.scoring_model]
    for name in needed:
        if not getattr(edition, name):
            report.at_edition(name, f"required by the {edition.scoring_model} scoring model")
    allowed = needed + OPTIONAL_SECTIONS.get(edition.scoring_model, ())
    for model, sections in MODEL_SECTIONS.items():
        if model == edition.scoring_model:
            continue
        for name in sections + OPTIONAL_SECTIONS.get(model, ()):
            if name not in allowed and getattr(edition, name):
                report.at_edition(
                    name, f"belongs to the {model} scoring model, not {edition.scoring_model}"
                )


def _duplicates(ids: Iterable[Any]) -> set[Any]:
    return {value for value, count in Counter(ids).items() if count > 1}


# --- WGLL: pillars, domains, levels, criteria ---------------------------------------------------


def _check_pillars(report: _Report) -> None:
    edition = report.edition
    for index, pillar in enumerate(edition.pillars):
        if pillar.id in _duplicates(p.id for p in edition.pillars):
            report.at_edition(f"pillars[{index}].id", f"{pillar.id} is listed twice")
        if not any(domain.pillar == pillar.id for domain in edition.domains):
            report.at_edition(f"pillars[{index}]", f"no domains for {pillar.id}")


def _check_domains(report: _Report) -> None:
    edition = report.edition
    pillars = {pillar.id for pillar in edition.pillars}
    criterion_owner: dict[str, str] = {}
    for domain in edition.domains:
        prefix = PILLAR_PREFIXES[domain.pillar]
        if not domain.id.startswith(prefix + "."):
            report.at_domain(
                domain, "id", f"a {domain.pillar} domain id must start with '{prefix}.'"
            )
        if domain.pillar not in pillars:
            report.at_domain(domain, "pillar", f"{domain.pillar} is not a pillar of {edition.id}")
        if edition.care_settings is not None:
            outside = [s.value for s in domain.care_settings if s not in edition.care_settings]
            if outside:
                report.at_domain(
                    domain,
                    "care_settings",
                    f"outside the edition's care settings: {', '.join(outside)}",
                )
        _check_comparable_fields(report, domain)
        _check_levels(report, domain, criterion_owner)


def _check_comparable_fields(report: _Report, domain: Domain) -> None:
    edition = report.edition
    if edition.previous_edition is None:
        if domain.comparable_with is not None:
            report.at_domain(
                domain, "comparable_with", f"{edition.id} has no previous edition to compare with"
            )
    elif domain.comparable_with is None and domain.change_note is None:
        report.at_domain(
            domain,
            "change_note",
            "required for a new or changed domain (comparable_with is null): say what changed and why",
        )


def _check_levels(report: _Report, domain: Domain, criterion_owner: dict[str, str]) -> None:
    numbers = [level.level for level in domain.levels]
    if numbers != list(LEVELS):
        found = ", ".join(map(str, numbers))
        report.at_domain(
            domain, "levels", f"must be levels 1, 2, 3, 4 and 5 in order (found {found})"
        )
    questions = {q.id: q for q in report.edition.contextual_questions}
    for li, level in enumerate(domain.levels):
        for ci, criterion in enumerate(level.criteria):
            where = f"levels[{li}].criteria[{ci}]"
            expected = f"{domain.id}.l{level.level}."
            if not criterion.id.startswith(expected):
                report.at_domain(
                    domain,
                    f"{where}.id",
                    f"{criterion.id} must start with {expected} (then a letter)",
                )
            if criterion.id in criterion_owner:
                report.at_domain(
                    domain,
                    f"{where}.id",
                    f"{criterion.id} is used twice (also in {criterion_owner[criterion.id]})",
                )
            criterion_owner.setdefault(criterion.id, domain.id)
            if level.level in EVIDENCE_LEVELS and criterion.evidence is None:
                report.at_domain(
                    domain,
                    f"{where}.evidence",
                    f"required at level {level.level}: what a peer reviewer would expect to see",
                )
            if criterion.context_question is not None:
                question = questions.get(criterion.context_question)
                if question is None:
                    report.at_domain(
                        domain,
                        f"{where}.context_question",
                        f"{report.edition.id} has no contextual question {criterion.context_question}",
                    )
                elif not set(question.care_settings) & set(domain.care_settings):
                    report.at_domain(
                        domain,
                        f"{where}.context_question",
                        f"{question.id} is not asked in any of this domain's care settings",
                    )
        texts = [c.text for c in level.criteria]
        for ci, criterion in enumerate(level.criteria):
            if criterion.text in _duplicates(texts) and texts.index(criterion.text) != ci:
                report.at_domain(
                    domain, f"levels[{li}].criteria[{ci}].text", "repeats another criterion"
                )


# --- contextual questions -----------------------------------------------------------------------


def _check_questions(report: _Report) -> None:
    edition = report.edition
    questions = edition.contextual_questions
    duplicates = _duplicates(q.id for q in questions)
    seen: dict[str, ContextualQuestion] = {}
    for index, question in enumerate(questions):
        at = _question_reporter(report, index, question)
        if question.id in duplicates and question.id in seen:
            at("id", f"{question.id} is declared twice")
        _check_options(question, at)
        if edition.care_settings is not None:
            outside = [s.value for s in question.care_settings if s not in edition.care_settings]
            if outside:
                at("care_settings", f"outside the edition's care settings: {', '.join(outside)}")
        for ei, domain_id in enumerate(question.evidences):
            if not edition.has_domain(domain_id):
                at(f"evidences[{ei}]", f"{edition.id} has no domain {domain_id}")
            elif not set(edition.domain(domain_id).care_settings) & set(question.care_settings):
                at(
                    f"evidences[{ei}]",
                    f"{domain_id} applies to none of this question's care settings",
                )
        if question.enable_when is not None:
            _check_enable_when(question, seen, at)
        seen.setdefault(question.id, question)


def _question_reporter(report: _Report, index: int, question: ContextualQuestion) -> Any:
    def at(path: str, message: str) -> None:
        report.at_question(index, question, path, message)

    return at


def _check_options(question: ContextualQuestion, at: Any) -> None:
    values = question.option_values
    if question.type in CHOICE_TYPES:
        if len(values) < 2:
            at("options", f"a {question.type} question needs at least two options")
        for oi, value in enumerate(values):
            if value in _duplicates(values) and values.index(value) != oi:
                at(f"options[{oi}].value", f"{value} is listed twice")
    elif values:
        at("options", f"only choice questions have options, not {question.type}")
    if question.type != QuestionType.INTEGER:
        for name in ("minimum", "maximum"):
            if getattr(question, name) is not None:
                at(name, "only integer questions have bounds")
    elif (
        question.minimum is not None
        and question.maximum is not None
        and question.minimum > question.maximum
    ):
        at("maximum", "must not be less than minimum")


def _check_enable_when(
    question: ContextualQuestion, earlier: dict[str, ContextualQuestion], at: Any
) -> None:
    condition = question.enable_when
    assert condition is not None
    trigger = earlier.get(condition.question)
    if trigger is None:
        what = "itself" if condition.question == question.id else condition.question
        at(
            "enable_when.question",
            f"must name an earlier question; {what} is not asked before this one",
        )
        return
    missing = [s.value for s in question.care_settings if s not in trigger.care_settings]
    if missing:
        at(
            "care_settings",
            f"{trigger.id} is not asked in {', '.join(missing)}, so this question never would be",
        )
    if condition.operator == "in":
        if not isinstance(condition.answer, list) or not condition.answer:
            at("enable_when.answer", "the 'in' operator needs a list of answers")
            return
        answers = condition.answer
    else:
        if isinstance(condition.answer, list):
            at("enable_when.answer", f"the '{condition.operator}' operator needs a single answer")
            return
        answers = [condition.answer]
    for answer in answers:
        problem = _incompatible(trigger, answer)
        if problem:
            at("enable_when.answer", problem)


def _incompatible(trigger: ContextualQuestion, answer: Any) -> str | None:
    kind = trigger.type
    if kind == QuestionType.YES_NO:
        return None if isinstance(answer, bool) else f"{trigger.id} is answered true or false"
    if kind in CHOICE_TYPES:
        if answer not in trigger.option_values:
            return f"{answer!r} is not an option of {trigger.id}"
        return None
    if kind == QuestionType.PERCENTAGE:
        ok = isinstance(answer, int | float) and not isinstance(answer, bool) and 0 <= answer <= 100
        return None if ok else f"{trigger.id} is answered with a percentage 0 to 100"
    if kind == QuestionType.INTEGER:
        ok = isinstance(answer, int) and not isinstance(answer, bool)
        return None if ok else f"{trigger.id} is answered with a whole number"
    if kind == QuestionType.DATE:
        return None if isinstance(answer, dt.date) else f"{trigger.id} is answered with a date"
    return None if isinstance(answer, str) else f"{trigger.id} is answered with text"


# --- other models -------------------------------------------------------------------------------


def _check_stages(report: _Report) -> None:
    edition = report.edition
    capability_ids = [c.id for c in edition.capabilities]
    for index in _repeats(capability_ids):
        report.at_edition(f"capabilities[{index}].id", f"{capability_ids[index]} is declared twice")
    numbers = [stage.stage for stage in edition.stages]
    if numbers and numbers != list(range(numbers[0], numbers[0] + len(numbers))):
        report.at_edition(
            "stages", f"stages must count up by one (found {', '.join(map(str, numbers))})"
        )
    if numbers and numbers[0] not in (0, 1):
        report.at_edition("stages[0].stage", "the first stage must be 0 or 1")
    used: dict[str, int] = {}
    for si, stage in enumerate(edition.stages):
        for ci, capability in enumerate(stage.capabilities):
            if capability not in capability_ids:
                report.at_edition(f"stages[{si}].capabilities[{ci}]", f"no capability {capability}")
            elif capability in used:
                report.at_edition(
                    f"stages[{si}].capabilities[{ci}]",
                    f"{capability} already belongs to stage {used[capability]}",
                )
            used.setdefault(capability, stage.stage)
        if stage.threshold is not None and not stage.capabilities:
            report.at_edition(
                f"stages[{si}].threshold", "a stage with no capabilities has no threshold"
            )
    for index, capability in enumerate(capability_ids):
        if capability not in used:
            report.at_edition(f"capabilities[{index}]", f"{capability} belongs to no stage")


def _check_phases(report: _Report) -> None:
    edition = report.edition
    categories = [c.id for c in edition.categories]
    for index in _repeats(categories):
        report.at_edition(f"categories[{index}].id", f"{categories[index]} is declared twice")
    indicator_ids = [i.id for i in edition.indicators]
    for index in _repeats(indicator_ids):
        report.at_edition(f"indicators[{index}].id", f"{indicator_ids[index]} is declared twice")
    for index, indicator in enumerate(edition.indicators):
        if indicator.category not in categories:
            report.at_edition(f"indicators[{index}].category", f"no category {indicator.category}")
    for index, category in enumerate(categories):
        if not any(i.category == category for i in edition.indicators):
            report.at_edition(f"categories[{index}]", f"no indicators for {category}")


def _check_statements(report: _Report) -> None:
    edition = report.edition
    key_questions = [k.id for k in edition.key_questions]
    for index in _repeats(key_questions):
        report.at_edition(f"key_questions[{index}].id", f"{key_questions[index]} is declared twice")
    statement_ids = [s.id for s in edition.statements]
    for index in _repeats(statement_ids):
        report.at_edition(f"statements[{index}].id", f"{statement_ids[index]} is declared twice")
    for index, statement in enumerate(edition.statements):
        if statement.key_question not in key_questions:
            report.at_edition(
                f"statements[{index}].key_question", f"no key question {statement.key_question}"
            )
    for index, key_question in enumerate(key_questions):
        if not any(s.key_question == key_question for s in edition.statements):
            report.at_edition(f"key_questions[{index}]", f"no statements for {key_question}")


def _check_lookups(report: _Report) -> None:
    edition = report.edition
    tables = [t.name for t in edition.lookup_tables]
    for index in _repeats(tables):
        report.at_edition(f"lookup_tables[{index}].name", f"{tables[index]} is declared twice")
    for ti, table in enumerate(edition.lookup_tables):
        uppers = [band.upper for band in table.bands]
        if any(b <= a for a, b in zip(uppers, uppers[1:], strict=False)):
            report.at_edition(
                f"lookup_tables[{ti}].bands", "upper bounds must rise from band to band"
            )
        if uppers[0] < table.minimum:
            report.at_edition(f"lookup_tables[{ti}].bands[0].upper", "is below the table's minimum")
    scales = [scale.name for scale in edition.scales]
    for index in _repeats(scales):
        report.at_edition(f"scales[{index}].name", f"{scales[index]} is declared twice")
    for si, scale in enumerate(edition.scales):
        scores = [option.score for option in scale.options]
        if any(b < a for a, b in zip(scores, scores[1:], strict=False)):
            report.at_edition(
                f"scales[{si}].options", "scores must not fall from one option to the next"
            )
    themes = [t.id for t in edition.themes]
    for index in _repeats(themes):
        report.at_edition(f"themes[{index}].id", f"{themes[index]} is declared twice")
    item_ids = [i.id for i in edition.items]
    for index in _repeats(item_ids):
        report.at_edition(f"items[{index}].id", f"{item_ids[index]} is declared twice")
    for index, item in enumerate(edition.items):
        if (item.table is None) == (item.scale is None):
            report.at_edition(f"items[{index}]", "give either a lookup table or a scale")
        elif item.table is not None and item.table not in tables:
            report.at_edition(f"items[{index}].table", f"no lookup table {item.table}")
        elif item.scale is not None and item.scale not in scales:
            report.at_edition(f"items[{index}].scale", f"no scale {item.scale}")
        if item.theme not in themes:
            report.at_edition(f"items[{index}].theme", f"no theme {item.theme}")
    for index, theme in enumerate(themes):
        if not any(i.theme == theme for i in edition.items):
            report.at_edition(f"themes[{index}]", f"no items for {theme}")


def _repeats(values: list[str]) -> list[int]:
    """Indexes of values that already appeared earlier in the list."""
    seen: set[str] = set()
    repeats = []
    for index, value in enumerate(values):
        if value in seen:
            repeats.append(index)
        seen.add(value)
    return repeats
