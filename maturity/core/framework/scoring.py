"""The adapter from an edition to the scoring engine (:mod:`maturity.core.scoring`).

:func:`score_edition_answers` scores one set of answers with the model the edition declares:

================== ==================================== =========================================
scoring_model      answers, keyed by id                 result
================== ==================================== =========================================
cumulative_levels  criterion → Answer (met/not_met/na)  :class:`ReturnScore`
stage              capability → Answer                  :class:`StageResult`
phase              indicator → phase 1–5 or None (NA)   :class:`PhaseResult`
cqc_bands          statement → score 1–4 or None (not   :class:`CqcEditionResult`
                   assessed)
lookup_0_100       item → a figure (table items), an    :class:`LookupResult`
                   option label or position (scale
                   items), or None (not applicable)
================== ==================================== =========================================

For cumulative levels and stages a missing answer counts as not met (the engine's rule); for the
other models every item must be answered (``None`` where it does not apply). An answer for an id
the edition does not have is refused with ``ValueError``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from maturity.core.scoring import (
    SCORING_VERSION,
    CqcResult,
    DomainSpec,
    LookupBand,
    LookupTable,
    OrdinalScale,
    PhaseIndicator,
    PhaseResult,
    ReturnScore,
    StageResult,
    StageSpec,
    cqc_rating,
    dmi_index,
    dmi_theme_score,
    gdhm_phase,
    lookup,
    score_return,
    stage_reached,
)
from maturity.core.vocab import CareSetting

from .schema import Edition, ScoringModel


@dataclass(frozen=True)
class CqcEditionResult:
    """The overall rating and one rating per key question (``None`` when none was assessed)."""

    overall: CqcResult
    key_questions: dict[str, CqcResult | None]


@dataclass(frozen=True)
class LookupResult:
    """Each item's 0–100 score (``None``: not applicable), each theme's mean and the index."""

    item_scores: dict[str, int | None]
    theme_scores: dict[str, float | None]
    index: float
    method: str = "dmi_index"


@dataclass(frozen=True)
class EditionScore:
    edition_id: str
    scoring_model: ScoringModel
    care_setting: CareSetting | None
    result: ReturnScore | StageResult | PhaseResult | CqcEditionResult | LookupResult
    scoring_version: str = SCORING_VERSION


def domain_specs(edition: Edition, care_setting: CareSetting | str) -> list[DomainSpec]:
    """The engine's domain specs for the domains this care setting answers."""
    _require(edition, ScoringModel.CUMULATIVE_LEVELS)
    return [
        DomainSpec(
            id=domain.id,
            pillar=str(domain.pillar),
            criteria_by_level={
                level.level: tuple(c.id for c in level.criteria) for level in domain.levels
            },
        )
        for domain in edition.domains_for(care_setting)
    ]


def stage_specs(edition: Edition) -> list[StageSpec]:
    _require(edition, ScoringModel.STAGE)
    return [
        StageSpec(stage=s.stage, capabilities=tuple(s.capabilities), threshold=s.threshold)
        for s in edition.stages
    ]


def lookup_tables(edition: Edition) -> dict[str, LookupTable]:
    return {
        t.name: LookupTable(
            name=t.name,
            bands=tuple(LookupBand(upper=b.upper, score=b.score) for b in t.bands),
            minimum=t.minimum,
        )
        for t in edition.lookup_tables
    }


def answer_scales(edition: Edition) -> dict[str, OrdinalScale]:
    return {
        s.name: OrdinalScale(
            name=s.name,
            scores=tuple(o.score for o in s.options),
            labels=tuple(o.label for o in s.options),
        )
        for s in edition.scales
    }


def score_edition_answers(
    edition: Edition, care_setting: CareSetting | str | None, answers: Mapping[str, Any]
) -> EditionScore:
    """Score ``answers`` with the edition's scoring model (see the module docstring)."""
    setting = None if care_setting is None else CareSetting(care_setting)
    if setting is None and edition.scoring_model == ScoringModel.CUMULATIVE_LEVELS:
        raise ValueError(f"{edition.id} is scored per care setting: give one")
    if setting is not None and not edition.covers(setting):
        raise ValueError(f"{edition.id} does not cover the {setting.value} care setting")
    model = edition.scoring_model
    if model == ScoringModel.CUMULATIVE_LEVELS:
        _refuse_unknown(answers, edition.criterion_ids(), "criterion")
        assert setting is not None
        result: Any = score_return(
            domain_specs(edition, setting),
            answers,
            comparable_domain_ids=edition.comparable_domain_ids(),
        )
    elif model == ScoringModel.STAGE:
        _refuse_unknown(answers, {c.id for c in edition.capabilities}, "capability")
        result = stage_reached(stage_specs(edition), answers)
    elif model == ScoringModel.PHASE:
        result = _score_phases(edition, answers)
    elif model == ScoringModel.CQC_BANDS:
        result = _score_statements(edition, answers)
    else:
        result = _score_lookups(edition, answers)
    return EditionScore(
        edition_id=edition.id, scoring_model=model, care_setting=setting, result=result
    )


def _score_phases(edition: Edition, answers: Mapping[str, Any]) -> PhaseResult:
    ids = [indicator.id for indicator in edition.indicators]
    _refuse_unknown(answers, set(ids), "indicator")
    _require_all(answers, ids, "indicator")
    return gdhm_phase(
        [
            PhaseIndicator(id=i.id, category=i.category, phase=answers[i.id])
            for i in edition.indicators
        ]
    )


def _score_statements(edition: Edition, answers: Mapping[str, Any]) -> CqcEditionResult:
    ids = [statement.id for statement in edition.statements]
    _refuse_unknown(answers, set(ids), "statement")
    _require_all(answers, ids, "statement")
    assessed = [s for s in edition.statements if answers[s.id] is not None]
    if not assessed:
        raise ValueError("at least one statement must be scored")
    by_key_question: dict[str, CqcResult | None] = {}
    for key_question in edition.key_questions:
        scores = [answers[s.id] for s in assessed if s.key_question == key_question.id]
        by_key_question[key_question.id] = cqc_rating(scores) if scores else None
    return CqcEditionResult(
        overall=cqc_rating([answers[s.id] for s in assessed]), key_questions=by_key_question
    )


def _score_lookups(edition: Edition, answers: Mapping[str, Any]) -> LookupResult:
    ids = [item.id for item in edition.items]
    _refuse_unknown(answers, set(ids), "item")
    _require_all(answers, ids, "item")
    tables = lookup_tables(edition)
    scales = answer_scales(edition)
    item_scores: dict[str, int | None] = {}
    for item in edition.items:
        value = answers[item.id]
        if value is None:
            item_scores[item.id] = None
        elif item.table is not None:
            item_scores[item.id] = lookup(tables[item.table], value)
        else:
            assert item.scale is not None
            item_scores[item.id] = scales[item.scale].score(value)
    theme_scores: dict[str, float | None] = {}
    for theme in edition.themes:
        scores = [item_scores[i.id] for i in edition.items if i.theme == theme.id]
        applicable = [s for s in scores if s is not None]
        theme_scores[theme.id] = dmi_theme_score(applicable) if applicable else None
    scored = {theme: score for theme, score in theme_scores.items() if score is not None}
    if not scored:
        raise ValueError("at least one item must be applicable")
    return LookupResult(item_scores=item_scores, theme_scores=theme_scores, index=dmi_index(scored))


def _require(edition: Edition, model: ScoringModel) -> None:
    if edition.scoring_model != model:
        raise ValueError(f"{edition.id} uses the {edition.scoring_model} model, not {model}")


def _refuse_unknown(answers: Mapping[str, Any], known: set[str], what: str) -> None:
    unknown = sorted(set(answers) - known)
    if unknown:
        raise ValueError(f"no {what} {', '.join(unknown)} in this edition")


def _require_all(answers: Mapping[str, Any], ids: list[str], what: str) -> None:
    missing = [i for i in ids if i not in answers]
    if missing:
        raise ValueError(
            f"every {what} needs an answer (None where it does not apply); missing: "
            + ", ".join(missing)
        )
