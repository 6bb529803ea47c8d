"""The framework edition schema: what an edition's YAML files may contain once resolved.

An edition is pillars → domains → levels 1–5 → criteria (for ``cumulative_levels`` editions),
plus contextual (factual) questions. Other scoring models declare their own sections instead of
domains: ``stage`` (capabilities and stages), ``phase`` (categories and indicators), ``cqc_bands``
(key questions and quality statements) and ``lookup_0_100`` (lookup tables, themes and items).

The models check what one object can check alone (types, required fields, allowed values).
Checks that need the whole edition (unique ids, references, level rules) are in
:mod:`maturity.core.framework.checks`, so every problem is reported with its file and path.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    field_validator,
)

from maturity.core.vocab import CareSetting, Pillar

if TYPE_CHECKING:
    from maturity.core.scoring import DomainSpec

# A domain id starts with its pillar's abbreviation: sf.epr is a smart foundations domain.
PILLAR_PREFIXES: dict[Pillar, str] = {
    Pillar.WELL_LED: "wl",
    Pillar.SMART_FOUNDATIONS: "sf",
    Pillar.SAFE_PRACTICE: "sp",
    Pillar.SUPPORT_PEOPLE: "sw",
    Pillar.EMPOWER_PEOPLE: "ep",
    Pillar.IMPROVE_CARE: "ic",
    Pillar.HEALTHY_POPULATIONS: "hp",
}

LEVELS = (1, 2, 3, 4, 5)
EVIDENCE_LEVELS = (4, 5)
MAX_CRITERIA_PER_LEVEL = 4

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
EditionId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*[a-z0-9]$")]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_]*$")]
DomainId = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}\.[a-z][a-z0-9_]*$")]
CriterionId = Annotated[
    str, StringConstraints(pattern=r"^[a-z]{2}\.[a-z][a-z0-9_]*\.l[1-5]\.[a-z]$")
]
QuestionId = Annotated[str, StringConstraints(pattern=r"^ctx\.[a-z][a-z0-9_]*$")]
ItemId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9][a-z0-9_]*)+$")]


class EditionStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class ScoringModel(StrEnum):
    CUMULATIVE_LEVELS = "cumulative_levels"
    STAGE = "stage"
    PHASE = "phase"
    CQC_BANDS = "cqc_bands"
    LOOKUP_0_100 = "lookup_0_100"

    @property
    def label(self) -> str:
        return SCORING_MODEL_LABELS[self]


SCORING_MODEL_LABELS = {
    ScoringModel.CUMULATIVE_LEVELS: "Cumulative levels 1 to 5",
    ScoringModel.STAGE: "Stages with thresholds",
    ScoringModel.PHASE: "Phases 1 to 5",
    ScoringModel.CQC_BANDS: "Quality statements in rating bands",
    ScoringModel.LOOKUP_0_100: "0 to 100 with lookup tables",
}


class QuestionType(StrEnum):
    YES_NO = "yes_no"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    PERCENTAGE = "percentage"
    INTEGER = "integer"
    DATE = "date"
    TEXT = "text"

    @property
    def label(self) -> str:
        return QUESTION_TYPE_LABELS[self]


QUESTION_TYPE_LABELS = {
    QuestionType.YES_NO: "Yes or no",
    QuestionType.SINGLE_CHOICE: "One choice",
    QuestionType.MULTIPLE_CHOICE: "Several choices",
    QuestionType.PERCENTAGE: "Percentage (0 to 100)",
    QuestionType.INTEGER: "Whole number",
    QuestionType.DATE: "Date",
    QuestionType.TEXT: "Text",
}

CHOICE_TYPES = (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE)

_SETTING_ORDER = {setting: index for index, setting in enumerate(CareSetting)}


def _care_settings(value: list[CareSetting]) -> list[CareSetting]:
    # Kept in the vocabulary's order so pages and comparisons never depend on how a file lists them.
    if len(set(value)) != len(value):
        raise ValueError("a care setting is listed twice")
    return sorted(value, key=_SETTING_ORDER.__getitem__)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Criterion(_Model):
    id: CriterionId
    text: Text
    evidence: Text | None = None
    context_question: QuestionId | None = None


class Level(_Model):
    level: int = Field(ge=1, le=5)
    title: Text
    criteria: list[Criterion] = Field(min_length=1, max_length=MAX_CRITERIA_PER_LEVEL)


class Guidance(_Model):
    good_enough: Text
    do_better: Text


class Domain(_Model):
    id: DomainId
    pillar: Pillar
    name: Text
    summary: Text
    care_settings: list[CareSetting] = Field(min_length=1)
    comparable_with: DomainId | None = None
    change_note: Text | None = None
    guidance: Guidance
    levels: list[Level] = Field(min_length=1)

    @field_validator("care_settings")
    @classmethod
    def _sort_settings(cls, value: list[CareSetting]) -> list[CareSetting]:
        return _care_settings(value)

    def applies_to(self, care_setting: CareSetting | str) -> bool:
        return CareSetting(care_setting) in self.care_settings

    def level(self, number: int) -> Level:
        for level in self.levels:
            if level.level == number:
                return level
        raise KeyError(f"domain {self.id} has no level {number}")

    @property
    def criteria(self) -> list[Criterion]:
        return [criterion for level in self.levels for criterion in level.criteria]

    @property
    def is_comparable(self) -> bool:
        return self.comparable_with is not None


class PillarDef(_Model):
    id: Pillar
    name: Text
    description: Text


class Option(_Model):
    value: Slug
    label: Text


Scalar = bool | int | float | dt.date | str


class EnableWhen(_Model):
    """Show a question only when an earlier question has (or has not) a given answer.

    For a multiple-choice question ``equals`` means the option is among those chosen,
    ``not_equals`` that it is not, and ``in`` that any of the listed options is chosen.
    """

    question: QuestionId
    operator: Literal["equals", "not_equals", "in"]
    # bool first: YAML true must stay a boolean, not become 1.
    answer: Scalar | list[Scalar]


class ContextualQuestion(_Model):
    id: QuestionId
    text: Text
    type: QuestionType
    hint: Text | None = None
    unit: Text | None = None
    options: list[Option] = Field(default_factory=list)
    care_settings: list[CareSetting] = Field(min_length=1)
    mandatory: bool = False
    evidences: list[DomainId] = Field(default_factory=list)
    enable_when: EnableWhen | None = None
    # Bounds for integer questions; percentages are always 0–100.
    minimum: int | None = None
    maximum: int | None = None

    @field_validator("care_settings")
    @classmethod
    def _sort_settings(cls, value: list[CareSetting]) -> list[CareSetting]:
        return _care_settings(value)

    def applies_to(self, care_setting: CareSetting | str) -> bool:
        return CareSetting(care_setting) in self.care_settings

    @property
    def option_values(self) -> list[str]:
        return [option.value for option in self.options]

    def option_label(self, value: str) -> str:
        for option in self.options:
            if option.value == value:
                return option.label
        raise KeyError(f"{self.id} has no option {value!r}")

    def clean_answer(self, value: Any) -> Any:
        """The answer in its canonical Python type; ``ValueError`` says why a value is refused.

        yes_no → bool, single_choice → option value, multiple_choice → list of option values
        (in the order declared), percentage → float 0–100, integer → int, date → date, text → str.
        """
        return clean_answer(self, value)

    def is_enabled(self, answers: dict[str, Any], questions: dict[str, ContextualQuestion]) -> bool:
        """Whether the question is asked, given the (clean) answers so far.

        A question whose ``enable_when`` question is unanswered or itself not asked is not asked.
        """
        condition = self.enable_when
        if condition is None:
            return True
        trigger = questions.get(condition.question)
        if trigger is None or not trigger.is_enabled(answers, questions):
            return False
        answer = answers.get(condition.question)
        if answer is None or answer == []:
            return False
        return condition_holds(trigger, condition, answer)


def condition_holds(trigger: ContextualQuestion, condition: EnableWhen, answer: Any) -> bool:
    chosen = answer if isinstance(answer, list) else [answer]
    expected = condition.answer if isinstance(condition.answer, list) else [condition.answer]
    if trigger.type == QuestionType.MULTIPLE_CHOICE:
        hit = any(value in chosen for value in expected)
        return not hit if condition.operator == "not_equals" else hit
    if condition.operator == "equals":
        return _same(answer, condition.answer)
    if condition.operator == "not_equals":
        return not _same(answer, condition.answer)
    return any(_same(answer, value) for value in expected)


def _same(left: Any, right: Any) -> bool:
    # True == 1 in Python; a yes/no answer must not match the number 1.
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left is right
    return left == right


def clean_answer(question: ContextualQuestion, value: Any) -> Any:
    kind = question.type
    if kind == QuestionType.YES_NO:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in {"yes", "true"}:
            return True
        if isinstance(value, str) and value.lower() in {"no", "false"}:
            return False
        raise ValueError("answer yes or no")
    if kind == QuestionType.SINGLE_CHOICE:
        if not isinstance(value, str) or value not in question.option_values:
            raise ValueError(f"choose one of: {', '.join(question.option_values)}")
        return value
    if kind == QuestionType.MULTIPLE_CHOICE:
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list | tuple) or not values:
            raise ValueError("choose at least one option")
        unknown = [v for v in values if v not in question.option_values]
        if unknown:
            raise ValueError(f"not an option: {', '.join(map(str, unknown))}")
        return [v for v in question.option_values if v in values]
    if kind == QuestionType.PERCENTAGE:
        number = _number(value, "a percentage")
        if not 0 <= number <= 100:
            raise ValueError("a percentage must be between 0 and 100")
        return float(number)
    if kind == QuestionType.INTEGER:
        number = _number(value, "a whole number")
        if number != int(number):
            raise ValueError("enter a whole number")
        number = int(number)
        low = 0 if question.minimum is None else question.minimum
        if number < low:
            raise ValueError(f"enter a number of at least {low}")
        if question.maximum is not None and number > question.maximum:
            raise ValueError(f"enter a number of at most {question.maximum}")
        return number
    if kind == QuestionType.DATE:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                raise ValueError("enter a date as YYYY-MM-DD") from None
        raise ValueError("enter a date as YYYY-MM-DD")
    if not isinstance(value, str) or not value.strip():
        raise ValueError("enter some text")
    return value.strip()


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool):
        raise ValueError(f"enter {what}")
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        try:
            return float(value.strip().rstrip("%"))
        except ValueError:
            pass
    raise ValueError(f"enter {what}")


# --- Sections of the other scoring models -------------------------------------------------------


class Capability(_Model):
    """Stage models: something an organisation has or does, answered met or not met."""

    id: ItemId
    area: Text
    text: Text


class Stage(_Model):
    """A stage is reached when its capabilities (and every earlier stage's) are met.

    ``threshold`` is the fraction (above 0, at most 1) of the stage's applicable capabilities
    that must be met, 0.7 for INFRAM; without one every applicable capability must be met.
    """

    stage: int = Field(ge=0, le=10)
    title: Text
    description: Text | None = None
    capabilities: list[ItemId] = Field(default_factory=list)
    threshold: float | None = Field(default=None, gt=0, le=1)


class PhaseCategory(_Model):
    id: Slug
    name: Text


class Indicator(_Model):
    """Phase models: an indicator answered with a phase 1–5 (or not applicable)."""

    id: ItemId
    category: Slug
    name: Text
    phases: dict[int, Text]

    @field_validator("phases")
    @classmethod
    def _five_phases(cls, value: dict[int, str]) -> dict[int, str]:
        if sorted(value) != [1, 2, 3, 4, 5]:
            raise ValueError("describe each phase 1, 2, 3, 4 and 5 exactly once")
        return dict(sorted(value.items()))


class KeyQuestion(_Model):
    id: Slug
    name: Text


class QualityStatement(_Model):
    """CQC-style models: a statement scored 1 (significant shortfalls) to 4 (exceptional)."""

    id: ItemId
    key_question: Slug
    text: Text


class LookupBandDef(_Model):
    upper: float
    score: int = Field(ge=0, le=100)


class LookupTableDef(_Model):
    """Maps a figure (for example a percentage) to a score 0–100: a value scores the first band
    whose upper bound is at or above it; values from ``minimum`` to the last upper are allowed."""

    name: Slug
    description: Text
    minimum: float = 0
    bands: list[LookupBandDef] = Field(min_length=1)


class ScaleOption(_Model):
    label: Text
    score: int = Field(ge=0, le=100)


class ScaleDef(_Model):
    """An ordered answer scale, lowest option first, each option scoring 0–100."""

    name: Slug
    options: list[ScaleOption] = Field(min_length=2)


class Theme(_Model):
    id: Slug
    name: Text


class LookupItem(_Model):
    """A 0–100 item: a figure scored through a lookup ``table``, or an option of a ``scale``."""

    id: ItemId
    theme: Slug
    text: Text
    table: Slug | None = None
    scale: Slug | None = None
    unit: Text | None = None


# --- The edition -------------------------------------------------------------------------------


class EditionFile(_Model):
    """What an edition.yaml may contain. Everything but ``id`` may be inherited from ``base``."""

    id: EditionId
    base: EditionId | None = None
    exclude_domains: list[DomainId] = Field(default_factory=list)
    exclude_questions: list[QuestionId] = Field(default_factory=list)
    framework: Slug | None = None
    framework_name: Text | None = None
    title: Text | None = None
    year: int | None = Field(default=None, ge=1990, le=2100)
    status: EditionStatus | None = None
    illustrative: bool | None = None
    description: Text | None = None
    previous_edition: EditionId | None = None
    scoring_model: ScoringModel | None = None
    authored_by: Text | None = None
    checked_by: Text | None = None
    date_reviewed: dt.date | None = None
    next_review: dt.date | None = None
    change_notes: list[Text] = Field(default_factory=list)
    care_settings: list[CareSetting] | None = None
    pillars: list[PillarDef] | None = None
    contextual_questions: list[ContextualQuestion] | None = None
    capabilities: list[Capability] | None = None
    stages: list[Stage] | None = None
    categories: list[PhaseCategory] | None = None
    indicators: list[Indicator] | None = None
    key_questions: list[KeyQuestion] | None = None
    statements: list[QualityStatement] | None = None
    lookup_tables: list[LookupTableDef] | None = None
    scales: list[ScaleDef] | None = None
    themes: list[Theme] | None = None
    items: list[LookupItem] | None = None


class Edition(_Model):
    """A fully resolved edition: what the loader returns and what is stored and served."""

    id: EditionId
    base: EditionId | None = None
    framework: Slug
    framework_name: Text
    title: Text
    year: int = Field(ge=1990, le=2100)
    status: EditionStatus
    illustrative: bool = False
    description: Text | None = None
    previous_edition: EditionId | None = None
    scoring_model: ScoringModel
    authored_by: Text
    checked_by: Text
    date_reviewed: dt.date
    next_review: dt.date
    change_notes: list[Text] = Field(default_factory=list)
    # The care settings the edition covers; None when the model is not split by care setting.
    care_settings: list[CareSetting] | None = None
    pillars: list[PillarDef] = Field(default_factory=list)
    contextual_questions: list[ContextualQuestion] = Field(default_factory=list)
    domains: list[Domain] = Field(default_factory=list)
    capabilities: list[Capability] = Field(default_factory=list)
    stages: list[Stage] = Field(default_factory=list)
    categories: list[PhaseCategory] = Field(default_factory=list)
    indicators: list[Indicator] = Field(default_factory=list)
    key_questions: list[KeyQuestion] = Field(default_factory=list)
    statements: list[QualityStatement] = Field(default_factory=list)
    lookup_tables: list[LookupTableDef] = Field(default_factory=list)
    scales: list[ScaleDef] = Field(default_factory=list)
    themes: list[Theme] = Field(default_factory=list)
    items: list[LookupItem] = Field(default_factory=list)

    # Where each part came from (file relative to the editions folder, path inside it), set by the
    # loader so checks across editions can name the file; empty for an edition read from JSON.
    _sources: dict[str, tuple[str, str]] = PrivateAttr(default_factory=dict)

    @field_validator("care_settings")
    @classmethod
    def _sort_settings(cls, value: list[CareSetting] | None) -> list[CareSetting] | None:
        return None if value is None else _care_settings(value)

    def source_of(self, key: str) -> tuple[str, str]:
        """(file, path) where a domain (by id) or ``"edition"`` was declared."""
        if key in self._sources:
            return self._sources[key]
        if key == "edition":
            return f"{self.id}/edition.yaml", ""
        for index, domain in enumerate(self.domains):
            if domain.id == key:
                return self.id, f"domains[{index}]"
        return self.id, ""

    # --- reading ---

    @property
    def is_published(self) -> bool:
        return self.status == EditionStatus.PUBLISHED

    def pillar(self, pillar_id: str) -> PillarDef:
        for pillar in self.pillars:
            if pillar.id == pillar_id:
                return pillar
        raise KeyError(f"edition {self.id} has no pillar {pillar_id!r}")

    def covers(self, care_setting: CareSetting | str) -> bool:
        """Whether the edition is answered by this care setting."""
        setting = CareSetting(care_setting)
        if self.scoring_model == ScoringModel.CUMULATIVE_LEVELS:
            return any(domain.applies_to(setting) for domain in self.domains)
        return self.care_settings is None or setting in self.care_settings

    def domains_for(self, care_setting: CareSetting | str) -> list[Domain]:
        """The domains a return for this care setting answers, in pillar order."""
        setting = CareSetting(care_setting)
        return [domain for domain in self.domains if domain.applies_to(setting)]

    def domains_in(
        self, pillar_id: str, care_setting: CareSetting | str | None = None
    ) -> list[Domain]:
        domains = self.domains if care_setting is None else self.domains_for(care_setting)
        return [domain for domain in domains if domain.pillar == pillar_id]

    def domain(self, domain_id: str) -> Domain:
        for domain in self.domains:
            if domain.id == domain_id:
                return domain
        raise KeyError(f"edition {self.id} has no domain {domain_id!r}")

    def has_domain(self, domain_id: str) -> bool:
        return any(domain.id == domain_id for domain in self.domains)

    def question(self, question_id: str) -> ContextualQuestion:
        for question in self.contextual_questions:
            if question.id == question_id:
                return question
        raise KeyError(f"edition {self.id} has no contextual question {question_id!r}")

    def questions_for(self, care_setting: CareSetting | str) -> list[ContextualQuestion]:
        """The contextual questions asked of this care setting, in the order they are asked."""
        setting = CareSetting(care_setting)
        return [q for q in self.contextual_questions if q.applies_to(setting)]

    def enabled_questions(
        self, care_setting: CareSetting | str, answers: dict[str, Any]
    ) -> list[ContextualQuestion]:
        """The questions asked of this care setting given the (clean) answers so far."""
        by_id = {q.id: q for q in self.contextual_questions}
        return [q for q in self.questions_for(care_setting) if q.is_enabled(answers, by_id)]

    def comparable_domain_ids(self) -> set[str]:
        """Ids of the domains comparable with the previous edition (year-on-year change uses these)."""
        return {domain.id for domain in self.domains if domain.comparable_with is not None}

    def criterion_ids(self) -> set[str]:
        return {criterion.id for domain in self.domains for criterion in domain.criteria}

    def criterion(self, criterion_id: str) -> tuple[Domain, Level, Criterion]:
        for domain in self.domains:
            for level in domain.levels:
                for criterion in level.criteria:
                    if criterion.id == criterion_id:
                        return domain, level, criterion
        raise KeyError(f"edition {self.id} has no criterion {criterion_id!r}")

    def care_settings_covered(self) -> list[CareSetting]:
        """Every care setting that answers this edition, in vocabulary order."""
        if self.scoring_model == ScoringModel.CUMULATIVE_LEVELS:
            return [s for s in CareSetting if any(d.applies_to(s) for d in self.domains)]
        return list(self.care_settings or [])

    def scoring_specs(self, care_setting: CareSetting | str) -> list[DomainSpec]:
        """The scoring engine's :class:`DomainSpec` for each domain this care setting answers."""
        from .scoring import domain_specs

        return domain_specs(self, care_setting)
