"""Scoring and storing returns; demonstration returns on a small world (fast)."""

from __future__ import annotations

import pytest

from maturity.assessments.models import Answer, Cycle, Return, Score
from maturity.assessments.services import (
    DemonstrationError,
    generate_demonstration_returns,
    rescore_check,
    score_return_and_store,
)
from maturity.core.scoring import SCORING_VERSION
from maturity.frameworks.models import FrameworkEdition
from maturity.frameworks.selectors import get_edition
from tests.results.factories import make_organisation
from tests.results.small_world import build_small_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def edition_row(db):
    from maturity.frameworks.services import sync_editions

    sync_editions()
    return FrameworkEdition.objects.get(edition_id="wgll-2025")


@pytest.fixture
def acute_return(edition_row):
    cycle = Cycle.objects.create(year=2026, edition=edition_row, title="2026 cycle")
    org = make_organisation(ods_code="RD1", name="ROYAL UNITED HOSPITALS BATH NHS FOUNDATION TRUST")
    return Return.objects.create(cycle=cycle, organisation=org, care_setting="acute")


def _answer(return_, answers: dict) -> None:
    Answer.objects.bulk_create(
        Answer(return_obj=return_, item_id=item, value=value) for item, value in answers.items()
    )


def test_score_return_and_store(acute_return):
    edition = get_edition("wgll-2025")
    strategy = edition.domain("wl.strategy")
    # wl.strategy: levels 1-3 met, one level-4 criterion not met; everything else unanswered.
    answers = {c.id: "met" for lv in strategy.levels if lv.level <= 3 for c in lv.criteria}
    answers[strategy.level(4).criteria[0].id] = "not_met"
    answers["ctx.epr_in_place"] = True  # contextual answers are not scored
    _answer(acute_return, answers)

    score = score_return_and_store(return_=acute_return)

    specs = edition.scoring_specs("acute")
    assert len(score.domain_levels) == len(specs) == 48 - 4  # acute answers 44 domains
    assert score.domain_levels["wl.strategy"] == 3
    assert {d: lv for d, lv in score.domain_levels.items() if d != "wl.strategy"} == {
        s.id: 1 for s in specs if s.id != "wl.strategy"
    }  # an unanswered criterion counts as not met
    assert score.pillar_scores["well_led"] == 1.5  # (3 + 1 + 1 + 1) / 4, unrounded
    assert score.pillar_scores["smart_foundations"] == 1.0
    assert score.overall == 46 / 44
    comparable = edition.comparable_domain_ids() & set(score.domain_levels)
    assert score.overall_comparable == (len(comparable) + 2) / len(comparable)
    assert (score.edition_id, score.scoring_version) == ("wgll-2025", SCORING_VERSION)
    assert (score.method, score.rounding) == ("wgll_cumulative_levels", "half_up_1dp")


def test_rescore_check_reproduces_and_detects_changes(acute_return):
    strategy = get_edition("wgll-2025").domain("wl.strategy")
    _answer(acute_return, {c.id: "met" for c in strategy.criteria})
    score = score_return_and_store(return_=acute_return)
    assert score.domain_levels["wl.strategy"] == 5
    assert rescore_check(score=score) is True
    Answer.objects.filter(return_obj=acute_return, item_id=strategy.level(2).criteria[0].id).update(
        value="na"
    )  # not applicable: left out, so the level stands
    assert rescore_check(score=score) is True
    Answer.objects.filter(return_obj=acute_return, item_id=strategy.level(2).criteria[0].id).update(
        value="not_met"
    )
    assert rescore_check(score=score) is False
    assert score_return_and_store(return_=acute_return).domain_levels["wl.strategy"] == 1
    assert acute_return.scores.count() == 2  # every scoring is kept


def test_a_bad_stored_answer_is_named(acute_return):
    _answer(acute_return, {"wl.strategy.l1.a": "yes"})
    with pytest.raises(ValueError, match="wl.strategy.l1.a"):
        score_return_and_store(return_=acute_return)


def _snapshot() -> dict:
    return {
        (a.return_obj.organisation.ods_code, a.return_obj.care_setting, a.item_id): a.value
        for a in Answer.objects.select_related("return_obj__organisation")
    }


def _clear_demo() -> None:
    Score.objects.all().delete()
    Answer.objects.all().delete()
    Return.objects.all().delete()
    Cycle.objects.all().delete()


@pytest.mark.slow
def test_demonstration_returns_are_deterministic_for_a_seed(edition_row):
    build_small_world()
    summary = generate_demonstration_returns(seed=11)
    assert (summary.rows, summary.returns_created, summary.unmatched) == (3, 3, [])
    first = _snapshot()
    assert len({k[:2] for k in first}) == 3
    _clear_demo()
    generate_demonstration_returns(seed=11)
    assert _snapshot() == first
    _clear_demo()
    generate_demonstration_returns(seed=12)
    assert _snapshot() != first


def test_demonstration_returns_never_join_a_real_cycle(edition_row):
    build_small_world()
    real = Cycle.objects.create(
        year=2025, edition=edition_row, title="2025", is_demonstration=False
    )
    summary = generate_demonstration_returns()
    assert summary.returns_created == 3
    assert real.returns.count() == 0
    demo = Cycle.objects.get(pk=summary.cycle_id)
    assert demo.pk != real.pk and demo.is_demonstration
    assert demo.status == "published" and demo.closes_on.isoformat() == "2025-06-30"
    assert set(Return.objects.values_list("cycle_id", "is_demonstration")) == {(demo.pk, True)}


def test_unknown_edition(db):
    with pytest.raises(DemonstrationError, match="'wgll-2030' is not loaded"):
        generate_demonstration_returns(edition_id="wgll-2030")
