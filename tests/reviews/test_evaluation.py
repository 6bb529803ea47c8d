"""The demonstration's measurement: inflated returns caught, honest returns hit, nothing stored."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from maturity.assessments.models import Answer, Score
from maturity.core.review.simulation import ReviewModel
from maturity.reviews.evaluation import evaluate
from maturity.reviews.models import PeerReviewAssignment, ValidationFlag

EXACT = ReviewModel(
    reviewer_sd=0.0,
    reviewer_bias_sd=0.0,
    evidence_miss=0.0,
    inflator_contest=0.0,
    moderator_error=0.0,
)


def test_exact_reviewers_catch_every_inflated_return_and_hit_no_honest_one(world):
    answers, scores = Answer.objects.count(), Score.objects.count()
    report = evaluate(world.cycle, share=0.5, seeds=[1, 2, 3], model=EXACT)
    assert report.returns == 4 and report.matched == 4
    for run in report.runs:
        assert len(run.inflated) == 2
        assert run.inflated_levels > 0
        assert sorted(run.review_caught) == run.inflated
        assert run.review_lowered_honest == []
        assert run.levels_removed == run.inflated_levels
        assert run.fully_corrected == 2
        # Every inflated domain is challenged: the self-versus-peer gap flag sees the rest.
        assert set(run.flagged.get("self_peer_gap", [])) <= set(run.inflated)
    data = report.as_dict()
    assert data["sensitivity"]["review"]["mean"] == 1.0
    assert data["false_positive_rate"]["review"]["mean"] == 0.0
    assert data["levels_removed"]["mean"] == 1.0
    # Nothing was stored or changed.
    assert (Answer.objects.count(), Score.objects.count()) == (answers, scores)
    assert not PeerReviewAssignment.objects.exists() and not ValidationFlag.objects.exists()


def test_runs_are_reproducible_for_a_seed(world):
    model = ReviewModel()
    first = evaluate(world.cycle, share=0.5, seeds=[7], model=model).as_dict()["runs"]
    again = evaluate(world.cycle, share=0.5, seeds=[7], model=model).as_dict()["runs"]
    assert first == again


def test_the_command_reports_and_records(world, tmp_path):
    out = StringIO()
    path = tmp_path / "report.json"
    call_command(
        "run_demo_peer_review",
        "--cycle",
        str(world.cycle.pk),
        "--runs",
        "2",
        "--share",
        "0.5",
        "--json",
        str(path),
        "--record",
        stdout=out,
    )
    text = out.getvalue()
    assert "4 committed returns" in text
    assert "Peer review (a level taken back)" in text
    data = json.loads(path.read_text())
    assert data["seeds"] == [2025, 2026] and len(data["runs"]) == 2
    assert PeerReviewAssignment.objects.filter(kind="primary").count() == 4
    assert "4 returns matched" in text


def test_the_command_refuses_bad_options(world):
    with pytest.raises(CommandError, match="share"):
        call_command("run_demo_peer_review", "--cycle", str(world.cycle.pk), "--share", "1.5")
    with pytest.raises(CommandError, match="No demonstration cycle"):
        call_command("run_demo_peer_review")


def test_the_report_describes_the_matching_and_the_inflation(world):
    report = evaluate(world.cycle, share=0.5, seeds=[3], model=EXACT)
    details = report.matching_details
    assert details is not None
    # Every organisation answering the cycle is counted once, by how many returns it reviews.
    assert sum(details.load.values()) == 4
    assert sum(k * n for k, n in details.load.items()) == report.matched == 4
    assert details.sized_matches + details.unknown_size_matches == 4
    if details.sized_matches:
        assert 1.0 <= details.size_ratio_median <= details.size_ratio_max
    assert details.unmatched_returns == []
    data = report.as_dict()
    run = report.runs[0]
    assert data["inflation"]["levels_per_return"] == run.inflated_levels / len(run.inflated)
    assert data["matching"]["load"] == details.load


def test_the_demonstration_round_is_recorded_once(world):
    from maturity.reviews.demo import record_demo_round
    from maturity.reviews.models import CalibrationCase, MatchingRun

    first = record_demo_round(cycle=world.cycle)
    assert first is not None and first.matched == 4 and first.unmatched == 0
    assert CalibrationCase.objects.filter(active=True).exists()
    runs = MatchingRun.objects.count()
    again = record_demo_round(cycle=world.cycle)
    assert again is not None and (again.matched, again.blind_second, again.flags_raised) == (
        0,
        0,
        0,
    )
    assert MatchingRun.objects.count() == runs
    assert PeerReviewAssignment.objects.filter(kind="primary").count() == 4


def test_there_is_no_demonstration_round_without_a_demonstration_cycle(world):
    from maturity.reviews.demo import record_demo_round

    assert record_demo_round() is None
