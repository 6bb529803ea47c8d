"""score_edition_answers dispatches to the scoring engine for each scoring model."""

from __future__ import annotations

import pytest

from maturity.core.framework import ScoringModel, load_editions, score_edition_answers
from maturity.core.scoring import Answer, DomainSpec
from maturity.frameworks.services import EDITIONS_DIR

MET, NOT_MET, NA = Answer.MET, Answer.NOT_MET, Answer.NOT_APPLICABLE


@pytest.fixture(scope="module")
def editions():
    return load_editions(EDITIONS_DIR)


# --- cumulative levels (WGLL) ---


def _answers_for_levels(edition, care_setting, levels: dict[str, int]) -> dict[str, Answer]:
    """Met up to each domain's target level, the first criterion of the next level not met."""
    answers = {}
    for domain in edition.domains_for(care_setting):
        target = levels.get(domain.id, 5)
        for level in domain.levels:
            for index, criterion in enumerate(level.criteria):
                if level.level <= target:
                    answers[criterion.id] = MET
                elif level.level == target + 1 and index == 0:
                    answers[criterion.id] = NOT_MET
                else:
                    answers[criterion.id] = MET  # credit above the gap does not count
    return answers


def test_scoring_specs_mirror_the_domains(editions):
    edition = editions["wgll-2025"]
    specs = edition.scoring_specs("primary_care")
    assert all(isinstance(spec, DomainSpec) for spec in specs)
    assert [spec.id for spec in specs] == [d.id for d in edition.domains_for("primary_care")]
    epr = edition.scoring_specs("acute")[4]
    assert epr.id == "sf.epr" and epr.pillar == "smart_foundations"
    assert epr.criteria_by_level[4] == tuple(
        c.id for c in edition.domain("sf.epr").level(4).criteria
    )


def test_cumulative_levels_pillar_and_comparable_means(editions):
    edition = editions["wgll-2025"]
    levels = {
        "wl.strategy": 1,
        "wl.leadership": 2,
        "wl.governance": 3,
        "wl.citizen_voice": 4,
        "sf.interoperability": 1,
    }
    score = score_edition_answers(edition, "acute", _answers_for_levels(edition, "acute", levels))
    result = score.result
    assert score.scoring_model == ScoringModel.CUMULATIVE_LEVELS and score.care_setting == "acute"
    assert result.domain_levels["wl.governance"] == 3
    assert result.pillar_scores["well_led"] == pytest.approx(2.5)
    assert result.pillar_scores["smart_foundations"] == pytest.approx((9 * 5 + 1) / 10)
    domains = edition.domains_for("acute")
    total = sum(levels.get(d.id, 5) for d in domains)
    assert result.overall == pytest.approx(total / len(domains))
    comparable = [d for d in domains if d.comparable_with]
    assert result.overall_comparable == pytest.approx(
        sum(levels.get(d.id, 5) for d in comparable) / len(comparable)
    )


def test_cumulative_levels_refuses_unknown_ids_and_missing_setting(editions):
    edition = editions["wgll-2025"]
    with pytest.raises(ValueError, match="no criterion wl.strategy.l9.z"):
        score_edition_answers(edition, "acute", {"wl.strategy.l9.z": MET})
    with pytest.raises(ValueError, match="give one"):
        score_edition_answers(edition, None, {})
    with pytest.raises(ValueError, match="does not cover"):
        score_edition_answers(editions["wgll-2024"], "adult_social_care", {})


# --- stages ---


def test_stage_model_needs_70_percent_of_each_stage_and_every_earlier_one(editions):
    edition = editions["infrastructure-stages-demo"]
    stages = {s.stage: s.capabilities for s in edition.stages}
    answers = {c: MET for n in (1, 2, 3) for c in stages[n]}
    # Stage 4 has 3 capabilities: 2 of 3 met is 67%, below 70%.
    answers |= {stages[4][0]: MET, stages[4][1]: MET, stages[4][2]: NOT_MET}
    # Stage 5 fully met: it does not count while stage 4 is not reached.
    answers |= {c: MET for c in stages[5]}
    result = score_edition_answers(edition, "acute", answers).result
    assert result.stage == 3
    assert result.extra_capabilities_above == 2 + len(stages[5])
    # Stage 5 has 4 capabilities: 3 of 4 (75%) passes once stage 4 is reached.
    answers[stages[4][2]] = MET
    answers[stages[5][0]] = NOT_MET
    assert score_edition_answers(edition, "acute", answers).result.stage == 5


def test_stage_model_not_applicable_leaves_the_count(editions):
    edition = editions["infrastructure-stages-demo"]
    first = edition.stages[1].capabilities
    answers = {first[0]: MET, first[1]: NA, first[2]: NA}
    assert score_edition_answers(edition, "community", answers).result.stage == 1
    with pytest.raises(ValueError, match="does not cover"):
        score_edition_answers(edition, "icb", answers)


# --- phases ---


def test_phase_model_means_categories_then_rounds_up(editions):
    edition = editions["national-phase-demo"]
    answers = {i.id: 2 for i in edition.indicators}
    answers["nat.strategy"] = 3  # strategy and investment: (3 + 2) / 2 = 2.5
    answers["nat.connectivity"] = None  # infrastructure: not applicable, left out
    result = score_edition_answers(edition, None, answers).result
    assert result.category_scores["strategy_investment"] == 2.5
    assert result.category_scores["infrastructure"] is None
    # Six scored categories: five at 2 and one at 2.5 → 2.083…, shown 2.1, phase 3.
    assert result.overall == pytest.approx(12.5 / 6)
    assert result.phase == 3


def test_phase_model_needs_every_indicator(editions):
    edition = editions["national-phase-demo"]
    with pytest.raises(ValueError, match="missing: nat.governance_body"):
        score_edition_answers(edition, None, {"nat.strategy": 3})


# --- CQC-style bands ---


def test_cqc_model_bands_the_percentage(editions):
    edition = editions["asc-quality-demo"]
    ids = [s.id for s in edition.statements]
    answers = {statement: 3 for statement in ids}
    answers["asc.safe.records"] = 1
    answers["asc.safe.medicines"] = 2
    result = score_edition_answers(edition, "adult_social_care", answers).result
    # (1 + 2 + 6 × 3) / 32 = 65.6% → 66%: good, lower half of 63–87.
    assert result.overall.rating == "good" and result.overall.position == "lower"
    assert result.key_questions["safe"].percentage == pytest.approx(37.5)
    # 37.5% is shown as 38%: the top of the inadequate band.
    assert result.key_questions["safe"].rating == "inadequate"
    answers["asc.caring.involvement"] = None  # not assessed
    result = score_edition_answers(edition, "adult_social_care", answers).result
    assert result.key_questions["caring"] is None
    assert result.overall.maximum == 28


# --- 0–100 lookup ---


def test_lookup_model_scores_items_themes_and_index(editions):
    edition = editions["dmi-2016-style"]
    answers = {
        "dmi.readiness.strategy": "Agree",
        "dmi.readiness.leadership": "Strongly agree",
        "dmi.capabilities.nhs_number": 50.5,  # the published table: just over 50% scores 17
        "dmi.capabilities.eprescribing": 60,
        "dmi.capabilities.results": None,
        "dmi.infrastructure.wifi": 100,
        "dmi.infrastructure.devices": 2,  # position on the scale: neither agree nor disagree
    }
    result = score_edition_answers(edition, "acute", answers).result
    assert result.item_scores["dmi.capabilities.nhs_number"] == 17
    assert result.item_scores["dmi.capabilities.results"] is None
    assert result.theme_scores == {"readiness": 87.5, "capabilities": 38.5, "infrastructure": 75.0}
    assert result.index == pytest.approx((87.5 + 38.5 + 75.0) / 3)


def test_lookup_model_refuses_values_outside_the_table(editions):
    edition = editions["dmi-2016-style"]
    answers = {i.id: None for i in edition.items} | {"dmi.capabilities.nhs_number": 120}
    with pytest.raises(ValueError, match="outside the range"):
        score_edition_answers(edition, "acute", answers)
