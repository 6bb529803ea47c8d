"""The seeded commitments: the real ones, with sources for every fact and no invented ratings."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

from maturity.commitments.links import link_errors
from maturity.commitments.models import (
    RATING_QUESTIONS,
    Commitment,
    DeadlineRevision,
    Evaluation,
    EvaluationRound,
    GovernmentResponse,
    Metric,
    Observation,
)
from maturity.commitments.seeding import SEED_FILE, SeedError, read_seed, seed_commitments

pytestmark = pytest.mark.django_db

NOTES = Path("/work/shared/docs/domain-notes.md")


@pytest.fixture
def seeded(db):
    return seed_commitments()


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Commitment,
            DeadlineRevision,
            Metric,
            Observation,
            EvaluationRound,
            Evaluation,
            GovernmentResponse,
        )
    }


def test_seed_is_idempotent(seeded):
    before = counts()
    again = seed_commitments()
    assert dict(again) == {}
    assert counts() == before
    assert before["Commitment"] == 17


def test_seed_command_reports_and_is_idempotent(db, capsys):
    call_command("seed_commitments")
    assert "17 commitments" in capsys.readouterr().out
    call_command("seed_commitments")
    assert "nothing new" in capsys.readouterr().out


def test_seed_restores_an_edited_fact_but_keeps_added_rows(seeded, analyst):
    commitment = Commitment.objects.get(slug="nhs-app-75-percent")
    commitment.text = "changed"
    commitment.save()
    from tests.commitments.conftest import make_commitment

    make_commitment(analyst, slug="an-analysts-commitment")
    seed_commitments()
    assert Commitment.objects.get(slug="nhs-app-75-percent").text.startswith("75% of adults")
    assert Commitment.objects.filter(slug="an-analysts-commitment").exists()


def test_the_panels_nine_commitments_in_four_areas(seeded):
    panel = Evaluation.objects.filter(
        round__name="Evaluation of Government commitments made on the digitisation of the NHS"
    ).select_related("commitment")
    assert panel.count() == 9
    by_area = {}
    for evaluation in panel:
        by_area.setdefault(evaluation.commitment.policy_area, 0)
        by_area[evaluation.commitment.policy_area] += 1
    assert by_area == {"care": 3, "population_health": 2, "cost_efficiency": 2, "workforce": 2}
    overall = sorted(e.overall for e in panel)
    assert overall.count("inadequate") == 4
    assert overall.count("requires_improvement") == 5


def test_known_ratings_are_as_reported(seeded):
    strategy = Evaluation.objects.get(commitment__slug="digital-workforce-strategy")
    assert strategy.appropriate == "good"
    assert strategy.funded == "requires_improvement"
    assert {strategy.met_or_on_track, strategy.impact, strategy.overall} == {"inadequate"}
    ddat = Evaluation.objects.get(commitment__slug="ddat-workforce-10500")
    assert {getattr(ddat, q) for q in RATING_QUESTIONS} == {"inadequate"}
    app = Evaluation.objects.get(commitment__slug="nhs-app-75-percent")
    assert (app.funded, app.impact, app.appropriate) == ("requires_improvement",) * 3
    records = Evaluation.objects.get(commitment__slug="integrated-records-for-everyone")
    assert records.overall == "inadequate"
    eprescribing = Evaluation.objects.get(commitment__slug="eprescribing-across-the-nhs")
    assert eprescribing.overall == "inadequate"
    assert eprescribing.round.held_on_label == "July 2023"


def test_unknown_ratings_stay_unknown(seeded):
    app = Evaluation.objects.get(commitment__slug="nhs-app-75-percent")
    assert app.met_or_on_track is None  # "met", but the word is not in the sources
    assert "not in the sources" in app.met_or_on_track_rationale
    ltc = Evaluation.objects.get(commitment__slug="long-term-conditions-at-home")
    assert [getattr(ltc, q) for q in RATING_QUESTIONS[:4]] == [None] * 4
    records = Evaluation.objects.get(commitment__slug="integrated-records-for-everyone")
    assert records.met_or_on_track is None and records.funded is None
    # Nothing seeded claims a suggestion was made before the tracker existed.
    assert set(Evaluation.objects.values_list("suggestion_decision", flat=True)) == {"not_recorded"}
    assert not Evaluation.objects.exclude(suggested_met_or_on_track=None).exists()


def test_every_seeded_fact_cites_a_source(seeded):
    for c in Commitment.objects.all():
        assert c.citation.strip(), c.slug
        assert c.source_document.strip(), c.slug
        if c.funding_text or c.funding_committed_gbp is not None:
            assert c.funding_source.strip(), c.slug
    assert not DeadlineRevision.objects.filter(source="").exists()
    for m in Metric.objects.all():
        if m.baseline_value is not None:
            assert m.baseline_source.strip() and m.baseline_date, m
        if m.target_value is not None:
            assert m.target_source.strip(), m
    assert not Observation.objects.filter(source="").exists()
    for e in Evaluation.objects.all():
        assert e.source.strip()
        for q in RATING_QUESTIONS:
            if getattr(e, q) is not None:
                assert getattr(e, f"{q}_evidence").strip(), (e, q)
                assert getattr(e, f"{q}_rationale").strip(), (e, q)
    for r in EvaluationRound.objects.all():
        assert r.source.strip()
        if r.overall_rating:
            assert r.overall_source.strip()
    assert not GovernmentResponse.objects.filter(source="").exists()


def test_seeded_citations_are_given_exactly_as_the_research_notes_give_them():
    seed = read_seed()
    if not NOTES.exists():
        pytest.skip("the research notes are not available on this machine")
    notes = NOTES.read_text(encoding="utf-8")
    # Each cited source appears in the notes as written (split at "; " where several are cited).
    for key, text in seed.sources.items():
        for part in text.split("; "):
            assert part in notes, (key, part)


def test_the_real_targets_are_seeded(seeded):
    epr = Commitment.objects.get(slug="epr-in-all-trusts")
    assert epr.original_deadline == dt.date(2025, 3, 31)
    assert epr.current_deadline == dt.date(2026, 3, 31)
    assert Commitment.objects.get(slug="epr-90-percent-of-trusts").original_deadline == dt.date(
        2023, 12, 31
    )
    dscr = Metric.objects.get(commitment__slug="social-care-records-80-percent", is_primary=True)
    assert (dscr.target_value, dscr.baseline_value) == (80, 41)
    rm = Metric.objects.get(commitment__slug="remote-monitoring-500000", is_primary=True)
    assert rm.target_value == 500_000
    assert Metric.objects.get(commitment__slug="ddat-workforce-10500").target_value == 10_500
    ep = Commitment.objects.get(slug="eprescribing-across-the-nhs")
    assert ep.current_deadline == dt.date(2026, 12, 31)
    assert Metric.objects.get(commitment=ep).observations.get().value == 3
    app = Metric.objects.get(commitment__slug="nhs-app-75-percent")
    assert app.target_value == 75
    assert GovernmentResponse.objects.get().responded_on == dt.date(2023, 4, 17)


def test_seeded_links_are_wgll_2025_ids(seeded):
    for c in Commitment.objects.all():
        assert link_errors(c.domain_ids, c.question_ids) == {}, c.slug


def test_seed_file_with_an_unknown_source_key_is_refused(tmp_path, db):
    raw = yaml.safe_load(SEED_FILE.read_text())
    raw["commitments"][0]["citation"] = ["no_such_source"]
    raw["commitments"][1]["domain_ids"] = ["sf.not_a_domain"]
    raw["rounds"][0]["evaluations"][0]["overall"]["rating"] = "brilliant"
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(raw))
    with pytest.raises(SeedError) as caught:
        seed_commitments(path=bad)
    assert "rating must be one of" in str(caught.value)
    raw["rounds"][0]["evaluations"][0]["overall"]["rating"] = "good"
    bad.write_text(yaml.safe_dump(raw))
    with pytest.raises(SeedError) as caught:
        seed_commitments(path=bad)
    problems = "\n".join(caught.value.problems)
    assert "unknown source 'no_such_source'" in problems
    assert "sf.not_a_domain" in problems
    assert Commitment.objects.count() == 0
