"""The vectorised national rescore gives exactly the pure engine's scores."""

from __future__ import annotations

import random

import numpy as np
import pytest

from maturity.assessments.models import Answer, Cycle, Return, ReturnStatus, Score
from maturity.assessments.services import compute_score
from maturity.core.scoring import DomainSpec, score_return
from maturity.frameworks.selectors import get_edition
from maturity.national import vector
from maturity.national.rescore import rescore_cycle


def test_matrix_levels_equal_engine_on_random_answers():
    """Random answers (including missing) on a hand-made edition: every level equal."""
    rng = random.Random(3)
    specs = [
        DomainSpec(
            id=f"d{d}",
            pillar=f"p{d % 3}",
            criteria_by_level={
                lvl: tuple(f"d{d}.{lvl}.{k}" for k in range(rng.randint(0, 3)))
                for lvl in range(1, 6)
            },
        )
        for d in range(7)
    ]
    layout = vector.layout_for(specs, {"d1", "d4"})
    codes = np.array(
        [[rng.choice([0, 1, 1, 1, 2, 3]) for _ in layout.criteria] for _ in range(400)],
        dtype=np.uint8,
    )
    result = vector.scores(layout, vector.domain_levels(layout, codes))
    for i in range(codes.shape[0]):
        answers = {
            c: vector.VALUES[int(v)] for c, v in zip(layout.criteria, codes[i], strict=True) if v
        }
        engine = score_return(specs, answers, {"d1", "d4"})
        assert (
            dict(zip(layout.domain_ids, result.levels[i].tolist(), strict=True))
            == engine.domain_levels
        )
        assert dict(zip(layout.pillar_ids, result.pillar_scores[i].tolist(), strict=True)) == (
            engine.pillar_scores
        )
        assert result.overall[i] == engine.overall
        assert result.overall_comparable[i] == engine.overall_comparable


def test_rescore_equals_engine_on_a_random_sample(small_national):
    cycle = Cycle.objects.get(year=2025)
    # Change some answers so the rescore has something new to find.
    for answer in Answer.objects.filter(return_obj__cycle=cycle).order_by("id")[::7][:200]:
        Answer.objects.filter(pk=answer.pk).update(
            value="met" if answer.value != "met" else "not_met"
        )
    summary = rescore_cycle(cycle_id=cycle.pk, rebuild_snapshot=False)
    committed = list(Return.objects.filter(cycle=cycle, status=ReturnStatus.COMMITTED))
    assert summary.scores_written == len(committed) > 0
    edition = get_edition(cycle.edition.edition_id)
    sample = random.Random(1).sample(committed, min(25, len(committed)))
    for return_ in sample:
        stored = Score.objects.filter(return_obj=return_).order_by("-id").first()
        fresh = compute_score(
            edition=edition,
            care_setting=return_.care_setting,
            answers=dict(return_.answers.values_list("item_id", "value")),
        )
        assert stored.domain_levels == fresh.domain_levels
        assert stored.pillar_scores == fresh.pillar_scores
        assert stored.overall == fresh.overall
        assert stored.overall_comparable == fresh.overall_comparable
        assert (stored.method, stored.rounding, stored.scoring_version) == (
            fresh.method,
            fresh.rounding,
            fresh.scoring_version,
        )


def test_rescore_refuses_a_bad_answer(small_national):
    cycle = Cycle.objects.get(year=2024)
    answer = Answer.objects.filter(return_obj__cycle=cycle, return_obj__status="committed").first()
    Answer.objects.filter(pk=answer.pk).update(value="maybe")
    before = Score.objects.count()
    with pytest.raises(ValueError, match="maybe"):
        rescore_cycle(cycle_id=cycle.pk, rebuild_snapshot=False)
    assert Score.objects.count() == before


def test_rescore_rebuilds_the_snapshot(small_national):
    from maturity.benchmarks.models import SnapshotBuild

    cycle = Cycle.objects.get(year=2025)
    summary = rescore_cycle(cycle_id=cycle.pk)
    assert summary.snapshot_rows and summary.snapshot_rows > 0
    assert SnapshotBuild.objects.filter(year=2025).exists()
