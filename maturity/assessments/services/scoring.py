"""Scoring returns with the engine and storing the result, reproducibly."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from maturity.core.framework.schema import Edition
from maturity.core.scoring import ReturnScore, score_return

from ..models import Return, Score


def _get_edition(edition_id: str) -> Edition:
    from maturity.frameworks.selectors import get_edition

    return get_edition(edition_id)


def compute_score(
    *, edition: Edition, care_setting: str, answers: Mapping[str, Any]
) -> ReturnScore:
    """Score answers (item id → stored value) with the engine, for one edition and care setting.

    Only the answers to the care setting's criteria count; contextual answers are not scored.
    """
    specs = edition.scoring_specs(care_setting)
    criteria = {c for spec in specs for c in spec.criterion_ids}
    criterion_answers = {item: value for item, value in answers.items() if item in criteria}
    return score_return(specs, criterion_answers, edition.comparable_domain_ids())


def _score_row(return_: Return, edition_id: str, result: ReturnScore) -> Score:
    return Score(
        return_obj=return_,
        edition_id=edition_id,
        scoring_version=result.scoring_version,
        method=result.method,
        rounding=result.rounding,
        domain_levels=dict(result.domain_levels),
        pillar_scores=dict(result.pillar_scores),
        overall=result.overall,
        overall_comparable=result.overall_comparable,
    )


@transaction.atomic
def score_return_and_store(*, return_: Return) -> Score:
    """Score a return's current answers with its cycle's edition and store the result."""
    edition_id = return_.cycle.edition.edition_id
    edition = _get_edition(edition_id)
    answers = dict(return_.answers.values_list("item_id", "value"))
    result = compute_score(edition=edition, care_setting=return_.care_setting, answers=answers)
    score = _score_row(return_, edition_id, result)
    score.save()
    return score


def rescore_check(*, score: Score) -> bool:
    """Whether scoring the return's answers again reproduces the stored figures exactly.

    The stored row is read back from the database (so what is compared is what was kept), the
    return is scored with the edition the score names, and the domain levels, unrounded pillar,
    overall and comparable figures, method and rounding must all be equal.
    """
    stored = Score.objects.select_related("return_obj").get(pk=score.pk)
    edition = _get_edition(stored.edition_id)
    answers = dict(stored.return_obj.answers.values_list("item_id", "value"))
    fresh = compute_score(
        edition=edition, care_setting=stored.return_obj.care_setting, answers=answers
    )
    return (
        fresh.domain_levels == stored.domain_levels
        and fresh.pillar_scores == stored.pillar_scores
        and fresh.overall == stored.overall
        and fresh.overall_comparable == stored.overall_comparable
        and fresh.method == stored.method
        and fresh.rounding == stored.rounding
    )
