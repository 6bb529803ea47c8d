"""Demonstration returns for every published 2025 row, on the real data (slow)."""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest

from maturity.assessments.demo_plan import question_dependents
from maturity.assessments.models import Answer, Cycle, Return, Score
from maturity.assessments.services import generate_demonstration_returns, rescore_check
from maturity.core.scoring import SCORING_VERSION, round_half_up
from maturity.frameworks.selectors import get_edition
from maturity.organisations.models import OrganisationFact
from maturity.results.models import PublishedResult

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def _latest_scores() -> dict[tuple[str, str], Score]:
    latest = {}
    for score in Score.objects.select_related("return_obj__organisation").order_by(
        "computed_at", "id"
    ):
        r = score.return_obj
        latest[(r.organisation.ods_code, r.care_setting)] = score
    return latest


def test_every_published_row_is_reproduced(national):
    demo = national.demo
    assert demo.rows == 369  # 285 trust x care setting, 42 ICB, 42 ICB primary care
    assert demo.returns_created == 369
    report = "\n".join(
        f"{m.ods_code} {m.name} {m.care_setting} {m.pillar}: published {m.published}, "
        f"ours {m.ours} ({m.reason})"
        for m in demo.unmatched
    )
    assert demo.unmatched == [], f"published pillar scores not reproduced:\n{report}"
    assert demo.pillars_checked == demo.pillars_matched == 2498
    # Lincolnshire's primary care Well Led is blank in the file: nothing to match there.
    assert demo.unpublished_pillars == ["QJM primary_care well_led"]
    assert national.seconds["demonstration"] < 60


def test_stored_scores_round_to_the_published_figures(national):
    """Checked from the database, independently of the generator's own summary."""
    latest = _latest_scores()
    failures = []
    published = PublishedResult.objects.filter(year=2025).select_related("organisation")
    for result in published:
        key = (result.organisation.ods_code, result.care_setting)
        score = latest.get(key)
        if score is None:
            failures.append((*key, "no demonstration return"))
            continue
        for pillar, value in result.pillars.items():
            ours = score.pillar_scores.get(pillar)
            if ours is None or round_half_up(ours, 1) != round_half_up(value, 1):
                failures.append((*key, pillar, value, ours))
    assert len(latest) == published.count() == 369
    assert failures == []


def test_scores_name_their_edition_and_version_and_rescore_exactly(national):
    scores = list(Score.objects.all())
    assert len(scores) == 369
    assert {(s.edition_id, s.scoring_version, s.method, s.rounding) for s in scores} == {
        ("wgll-2025", SCORING_VERSION, "wgll_cumulative_levels", "half_up_1dp")
    }
    assert [s.pk for s in scores if not rescore_check(score=s)] == []


def test_rescore_check_notices_a_changed_answer(national):
    score = Score.objects.select_related("return_obj").first()
    domain = next(d for d, level in sorted(score.domain_levels.items()) if level >= 2)
    basic = get_edition("wgll-2025").domain(domain).level(1).criteria[0].id
    assert rescore_check(score=score) is True
    # A basic criterion no longer met takes the domain down to level 1.
    Answer.objects.filter(return_obj=score.return_obj, item_id=basic).update(value="not_met")
    assert rescore_check(score=score) is False


def test_returns_answer_every_criterion_and_valid_contextual_questions(national):
    edition = get_edition("wgll-2025")
    answers: dict[int, dict[str, object]] = defaultdict(dict)
    for return_id, item, value in Answer.objects.values_list("return_obj_id", "item_id", "value"):
        answers[return_id][item] = value
    problems = []
    for return_ in Return.objects.select_related("organisation"):
        assert return_.is_demonstration and return_.status == "committed"
        given = answers[return_.pk]
        criteria = {
            c for spec in edition.scoring_specs(return_.care_setting) for c in spec.criterion_ids
        }
        questions = {q.id: q for q in edition.questions_for(return_.care_setting)}
        if set(given) - criteria - set(questions):
            problems.append((return_.organisation.ods_code, "answers outside the edition"))
        if criteria - set(given):
            problems.append((return_.organisation.ods_code, "criteria left unanswered"))
        if {v for k, v in given.items() if k in criteria} - {"met", "not_met", "na"}:
            problems.append((return_.organisation.ods_code, "bad criterion value"))
        for qid, value in given.items():
            if qid in questions:
                try:
                    questions[qid].clean_answer(value)
                except ValueError as exc:
                    problems.append((return_.organisation.ods_code, qid, str(exc)))
        for question in questions.values():
            if question.mandatory and question.is_enabled(given, questions):
                if question.id not in given:
                    problems.append((return_.organisation.ods_code, "unanswered", question.id))
    assert problems == []


def test_contextual_answers_agree_with_criteria_and_reference_data(national):
    edition = get_edition("wgll-2025")
    links = {
        c.id: c.context_question for d in edition.domains for c in d.criteria if c.context_question
    }
    dependents = question_dependents(edition.contextual_questions)
    answers: dict[int, dict[str, object]] = defaultdict(dict)
    for return_id, item, value in Answer.objects.values_list("return_obj_id", "item_id", "value"):
        answers[return_id][item] = value
    contradictions = []
    for return_id, given in answers.items():
        for qid, value in given.items():
            if value is False:
                governed = {qid} | dependents.get(qid, set())
                met = [c for c, q in links.items() if q in governed and given.get(c) == "met"]
                if met:
                    contradictions.append((return_id, qid, met))
    assert contradictions == []

    # The EPR supplier is the one in NHS England's extract; "no EPR" trusts answer no EPR.
    epr = dict(
        OrganisationFact.objects.filter(key="epr_supplier").values_list(
            "organisation__ods_code", "value"
        )
    )
    by_code = defaultdict(list)
    for r in Return.objects.select_related("organisation"):
        by_code[r.organisation.ods_code].append(answers[r.pk])
    no_epr = [code for code, supplier in epr.items() if supplier.startswith("No EPR")]
    assert len(no_epr) == 20
    for code in no_epr:
        for given in by_code.get(code, []):
            assert (given["ctx.epr_in_place"], given["ctx.epr_supplier"]) == (False, "none")
            assert "ctx.epr_go_live" not in given
    epic = [code for code, supplier in epr.items() if supplier == "Epic Systems Corporation"]
    assert epic and all(g["ctx.epr_supplier"] == "epic" for c in epic for g in by_code.get(c, []))
    assert national.demo.facts_overridden == []
    # ICBs' primary care returns name the GP system most of their practices use.
    systems = Counter(
        given["ctx.gp_clinical_system"]
        for given in answers.values()
        if "ctx.gp_clinical_system" in given
    )
    assert sum(systems.values()) == 42 and set(systems) <= {"emis_web", "systmone"}


def test_levels_are_realistic(national):
    levels = Counter(
        level for score in Score.objects.all() for level in score.domain_levels.values()
    )
    assert set(levels) == {1, 2, 3, 4, 5}
    # Profiles are not flat: most returns use at least three different levels.
    varied = sum(len(set(s.domain_levels.values())) >= 3 for s in Score.objects.all())
    assert varied > 300


def test_a_second_run_creates_nothing(national):
    counts = (
        Cycle.objects.count(),
        Return.objects.count(),
        Answer.objects.count(),
        Score.objects.count(),
    )
    again = generate_demonstration_returns()
    assert (again.returns_created, again.returns_existing, again.answers_created) == (0, 369, 0)
    assert again.unmatched == [] and again.pillars_matched == 2498
    assert (
        Cycle.objects.count(),
        Return.objects.count(),
        Answer.objects.count(),
        Score.objects.count(),
    ) == counts
    cycle = Cycle.objects.get()
    assert (cycle.year, cycle.is_demonstration, cycle.edition.edition_id) == (
        2025,
        True,
        "wgll-2025",
    )
