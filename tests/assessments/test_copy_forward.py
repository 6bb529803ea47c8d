"""Copying last year's answers into this year's return, for comparable domains only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from maturity.assessments import selectors, services
from maturity.assessments.exceptions import InvalidInput, MissingItems
from maturity.assessments.models import Answer, AnswerRevision, ReturnStatus
from maturity.audit.models import AuditRecord
from maturity.frameworks.selectors import get_edition

from .factories import answer_everything, open_cycle, return_of, save

pytestmark = pytest.mark.django_db

DATES_2025 = {
    "opens_on": dt.date(2025, 4, 1),
    "closes_on": dt.date(2025, 6, 30),
    "review_closes_on": dt.date(2025, 9, 30),
    "provisional_release_on": dt.date(2025, 12, 1),
    "publication_on": dt.date(2026, 3, 30),
}


def _criteria(edition_id: str, setting: str = "acute") -> list[str]:
    return [c.id for d in get_edition(edition_id).domains_for(setting) for c in d.criteria]


@pytest.fixture
def last_year(cohort):
    """Alpha's committed 2025 acute return (same edition as this year)."""
    cycle = open_cycle(cohort.analyst, year=2025, **DATES_2025)
    previous = return_of(cycle, cohort.alpha, "acute")
    answer_everything(previous, cohort.alpha_contributor, value="not_met")
    save(previous, cohort.alpha_contributor, "narrative:sf.epr", "Last year's story")
    services.return_commit(by=cohort.alpha_submitter, return_=previous)
    return previous


def test_copying_last_years_answers(cohort, last_year, cycle):
    current = return_of(cycle, cohort.alpha, "acute")
    save(current, cohort.alpha_contributor, "sf.epr.l1.a", "met")  # already answered: kept

    result = services.previous_answers_copy(by=cohort.alpha_contributor, return_=current)

    previous = dict(last_year.answers.values_list("item_id", "value"))
    assert result.source.pk == last_year.pk
    # Every answer but the one already given and the narrative (narratives are not copied).
    assert result.copied == len(previous) - 2
    assert result.skipped == 2
    stored = {a.item_id: a for a in current.answers.all()}
    assert stored["sf.epr.l1.a"].value == "met" and not stored["sf.epr.l1.a"].copied_from_previous
    assert "narrative:sf.epr" not in stored
    copies = [a for a in stored.values() if a.copied_from_previous]
    assert len(copies) == result.copied
    assert all(a.value == previous[a.item_id] and a.version == 1 for a in copies)
    assert AnswerRevision.objects.filter(return_obj=current, copied=True).count() == result.copied
    record = AuditRecord.objects.get(action="answer.copied")
    assert record.after["source_return"] == last_year.pk and record.after["copied"] == result.copied
    assert current.status == ReturnStatus.IN_PROGRESS


def test_copies_are_marked_until_confirmed_and_block_the_commit(cohort, last_year, cycle):
    current = return_of(cycle, cohort.alpha, "acute")
    services.previous_answers_copy(by=cohort.alpha_contributor, return_=current)
    tasks = selectors.return_task_list(current)
    statuses = {d.domain_id: (d.status, d.copied) for p in tasks.pillars for d in p.domains}
    assert set(statuses.values()) == {("copied", True)}
    assert tasks.contextual_status == "copied"

    with pytest.raises(MissingItems) as caught:
        services.return_commit(by=cohort.alpha_submitter, return_=current)
    assert "copied from last year: confirm or change it" in caught.value.items[0].label

    confirmed = services.copied_answers_confirm(
        by=cohort.alpha_contributor, return_=current, domain_id="sf.epr"
    )
    assert confirmed == len(get_edition("wgll-2025").domain("sf.epr").criteria)
    assert not current.answers.filter(item_id__startswith="sf.epr.", copied_from_previous=True)
    tasks = selectors.return_task_list(current)
    epr = next(d for p in tasks.pillars for d in p.domains if d.domain_id == "sf.epr")
    assert (epr.status, epr.copied, epr.level) == ("completed", False, 1)  # all not met
    # Changing a copied answer confirms it too.
    answer = current.answers.get(item_id="wl.strategy.l1.a")
    changed = services.answer_save(
        by=cohort.alpha_contributor,
        return_=current,
        item_id=answer.item_id,
        value="met",
        expected_version=answer.version,
    )
    assert changed.version == 2 and not changed.copied_from_previous
    # So does saving the same value over a copy.
    same = current.answers.get(item_id="wl.strategy.l1.b")
    kept = services.answer_save(
        by=cohort.alpha_contributor,
        return_=current,
        item_id=same.item_id,
        value=same.value,
        expected_version=same.version,
    )
    assert kept.version == 2 and not Answer.objects.get(pk=same.pk).copied_from_previous

    for section in [d.id for d in get_edition("wgll-2025").domains_for("acute")] + ["contextual"]:
        services.copied_answers_confirm(
            by=cohort.alpha_submitter, return_=current, domain_id=section
        )
    assert not current.answers.filter(copied_from_previous=True).exists()
    services.return_commit(by=cohort.alpha_submitter, return_=current)


def test_only_comparable_domains_are_copied_from_an_earlier_edition(cohort, cycle):
    previous_cycle = services.cycle_open(
        by=cohort.analyst,
        year=2024,
        edition_id="wgll-2024",
        title="2024",
        organisation_kinds=["trust"],
        care_settings=["acute"],
        opens_on=dt.date(2024, 4, 1),
        closes_on=dt.date(2024, 6, 30),
        review_closes_on=dt.date(2024, 9, 30),
        provisional_release_on=dt.date(2024, 12, 1),
        publication_on=dt.date(2025, 3, 30),
    )
    previous = return_of(previous_cycle, cohort.alpha, "acute")
    answer_everything(previous, cohort.alpha_contributor)
    current = return_of(cycle, cohort.alpha, "acute")

    result = services.previous_answers_copy(by=cohort.alpha_contributor, return_=current)

    new = get_edition("wgll-2025")
    old = get_edition("wgll-2024")
    comparable = {d.id for d in new.domains_for("acute") if d.comparable_with}
    copied_domains = {
        a.item_id.rsplit(".", 2)[0]
        for a in current.answers.filter(copied_from_previous=True)
        if not a.item_id.startswith("ctx.")
    }
    assert copied_domains == comparable
    assert "sf.interoperability" not in copied_domains  # new in 2025, not comparable
    expected = sum(len(d.criteria) for d in new.domains_for("acute") if d.comparable_with)
    shared_questions = {q.id for q in old.questions_for("acute")} & {
        q.id for q in new.questions_for("acute")
    }
    copied_questions = set(
        current.answers.filter(item_id__startswith="ctx.").values_list("item_id", flat=True)
    )
    assert copied_questions <= shared_questions and copied_questions
    assert result.copied == expected + len(copied_questions)
    assert result.skipped == previous.answers.count() - result.copied


def test_nothing_to_copy(cohort, cycle):
    current = return_of(cycle, cohort.alpha, "acute")
    assert services.previous_answers_copy(
        by=cohort.alpha_contributor, return_=current
    ) == services.CopyResult(copied=0, skipped=0, source=None)
    assert current.answers.count() == 0


def test_demonstration_and_real_returns_never_mix(cohort, last_year):
    demo = open_cycle(cohort.analyst, is_demonstration=True)
    current = return_of(demo, cohort.alpha, "acute")
    assert (
        services.previous_answers_copy(by=cohort.alpha_contributor, return_=current).source is None
    )


def test_copying_twice_copies_nothing_more(cohort, last_year, cycle):
    current = return_of(cycle, cohort.alpha, "acute")
    first = services.previous_answers_copy(by=cohort.alpha_contributor, return_=current)
    second = services.previous_answers_copy(by=cohort.alpha_contributor, return_=current)
    assert second.copied == 0 and second.skipped == first.copied + first.skipped


def test_only_the_organisations_people_copy_and_confirm(cohort, last_year, cycle):
    current = return_of(cycle, cohort.alpha, "acute")
    with pytest.raises(PermissionDenied):
        services.previous_answers_copy(by=cohort.beta_submitter, return_=current)
    with pytest.raises(PermissionDenied):
        services.previous_answers_copy(by=cohort.analyst, return_=current)
    services.previous_answers_copy(by=cohort.alpha_contributor, return_=current)
    with pytest.raises(PermissionDenied):
        services.copied_answers_confirm(by=cohort.lead_a, return_=current, domain_id="sf.epr")
    with pytest.raises(InvalidInput, match="not a domain"):
        services.copied_answers_confirm(
            by=cohort.alpha_contributor, return_=current, domain_id="zz.none"
        )
    assert _criteria("wgll-2025")  # the edition is loaded
