"""Committing and unlocking a return: who may, when, and what is kept."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction

from maturity.assessments import selectors, services
from maturity.assessments.exceptions import (
    IllegalTransition,
    InvalidInput,
    MissingItems,
    ReturnLocked,
)
from maturity.assessments.models import (
    AnswerRevision,
    Cycle,
    Return,
    ReturnStatus,
    ReturnStatusChange,
    Score,
)
from maturity.audit.models import AuditRecord

from .factories import answer_everything, return_of, save

pytestmark = pytest.mark.django_db


@pytest.fixture
def alpha_acute(cohort, cycle):
    return return_of(cycle, cohort.alpha, "acute")


@pytest.fixture
def complete(cohort, alpha_acute):
    answer_everything(alpha_acute, cohort.alpha_contributor)
    return alpha_acute


def test_the_submitter_commits_a_complete_return(cohort, complete):
    committed = services.return_commit(by=cohort.alpha_submitter, return_=complete)
    assert committed.status == ReturnStatus.COMMITTED
    stored = Return.objects.get(pk=complete.pk)
    assert stored.status == ReturnStatus.COMMITTED
    assert stored.committed_by == cohort.alpha_submitter and stored.committed_at is not None
    assert complete.status == ReturnStatus.COMMITTED  # the caller's instance follows
    change = ReturnStatusChange.objects.filter(return_obj=complete).last()
    assert (change.from_status, change.to_status, change.by) == (
        "in_progress",
        "committed",
        cohort.alpha_submitter,
    )
    score = Score.objects.get(return_obj=complete)
    assert set(score.domain_levels.values()) == {5}  # everything met
    record = AuditRecord.objects.get(action="return.committed")
    assert (record.before, record.after["status"]) == ({"status": "in_progress"}, "committed")


@pytest.mark.parametrize(
    "who",
    ["alpha_contributor", "analyst", "lead_a", "north_validator", "beta_submitter", "nobody"],
)
def test_only_a_submitter_of_the_organisation_commits(cohort, complete, who):
    with pytest.raises(PermissionDenied, match="Only a submitter of Alpha"):
        services.return_commit(by=getattr(cohort, who), return_=complete)
    assert Return.objects.get(pk=complete.pk).status == ReturnStatus.IN_PROGRESS
    assert not Score.objects.exists()


def test_an_incomplete_return_lists_what_is_missing(cohort, alpha_acute):
    save(alpha_acute, cohort.alpha_contributor, "sf.epr.l1.a", "met")
    with pytest.raises(MissingItems) as caught:
        services.return_commit(by=cohort.alpha_submitter, return_=alpha_acute)
    missing = caught.value.items
    assert "sf.epr.l1.a" not in {m.item_id for m in missing}
    assert {m.item_id for m in missing} == {m.item_id for m in selectors.missing_items(alpha_acute)}
    first = next(m for m in missing if m.item_id == "sf.epr.l1.b")
    assert first.domain_id == "sf.epr"
    assert first.label.startswith("Electronic patient record, level 1: ")
    contextual = next(m for m in missing if m.item_id == "ctx.epr_in_place")
    assert contextual.domain_id == selectors.CONTEXTUAL_SECTION
    assert Return.objects.get(pk=alpha_acute.pk).status == ReturnStatus.IN_PROGRESS


def test_not_applicable_answers_count_as_answered(cohort, alpha_acute):
    answer_everything(alpha_acute, cohort.alpha_contributor, value="na")
    services.return_commit(by=cohort.alpha_submitter, return_=alpha_acute)
    assert Return.objects.get(pk=alpha_acute.pk).status == ReturnStatus.COMMITTED


def test_a_return_not_started_cannot_be_committed(cohort, alpha_acute):
    with pytest.raises(IllegalTransition, match="not started"):
        services.return_commit(by=cohort.alpha_submitter, return_=alpha_acute)


def test_a_committed_return_cannot_be_committed_again(cohort, complete):
    services.return_commit(by=cohort.alpha_submitter, return_=complete)
    with pytest.raises(IllegalTransition, match="committed"):
        services.return_commit(by=cohort.alpha_submitter, return_=complete)
    assert Score.objects.count() == 1


def test_nothing_is_committed_in_a_closed_cycle(cohort, cycle, complete):
    Cycle.objects.filter(pk=cycle.pk).update(status="closed")
    with pytest.raises(ReturnLocked, match="closed"):
        services.return_commit(by=cohort.alpha_submitter, return_=complete)


def test_an_analyst_unlocks_with_a_reason_and_the_history_is_kept(cohort, complete):
    services.return_commit(by=cohort.alpha_submitter, return_=complete)
    unlocked = services.return_unlock(
        by=cohort.analyst, return_=complete, reason="The trust found an error in sf.epr"
    )
    assert unlocked.status == ReturnStatus.IN_PROGRESS
    stored = Return.objects.get(pk=complete.pk)
    assert (stored.committed_at, stored.committed_by) == (None, None)
    # The organisation amends and commits again; every step stays on record.
    save(stored, cohort.alpha_contributor, "sf.epr.l5.a", "not_met")
    services.return_commit(by=cohort.alpha_submitter, return_=stored)
    changes = list(
        ReturnStatusChange.objects.filter(return_obj=complete).values_list(
            "from_status", "to_status", "by__username", "reason"
        )
    )
    assert changes == [
        ("not_started", "in_progress", "alpha_contributor", ""),
        ("in_progress", "committed", "alpha_submitter", ""),
        ("committed", "in_progress", "analyst", "The trust found an error in sf.epr"),
        ("in_progress", "committed", "alpha_submitter", ""),
    ]
    amended = AnswerRevision.objects.filter(return_obj=complete, item_id="sf.epr.l5.a")
    assert [(r.old_value, r.new_value) for r in amended] == [(None, "met"), ("met", "not_met")]
    assert Score.objects.filter(return_obj=complete).count() == 2
    record = AuditRecord.objects.get(action="return.unlocked")
    assert record.reason == "The trust found an error in sf.epr"
    assert record.before["committed_by"] == cohort.alpha_submitter.pk


@pytest.mark.parametrize(
    "who",
    ["alpha_submitter", "alpha_contributor", "lead_a", "north_validator", "panel", "nobody"],
)
def test_nobody_but_a_national_analyst_unlocks(cohort, complete, who):
    services.return_commit(by=cohort.alpha_submitter, return_=complete)
    with pytest.raises(PermissionDenied, match="Only national analysts"):
        services.return_unlock(by=getattr(cohort, who), return_=complete, reason="Because")
    assert Return.objects.get(pk=complete.pk).status == ReturnStatus.COMMITTED


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_unlocking_needs_a_reason(cohort, complete, reason):
    services.return_commit(by=cohort.alpha_submitter, return_=complete)
    with pytest.raises(InvalidInput, match="reason"):
        services.return_unlock(by=cohort.analyst, return_=complete, reason=reason)


def test_only_committed_returns_are_unlocked(cohort, complete):
    with pytest.raises(IllegalTransition, match="Only a committed return"):
        services.return_unlock(by=cohort.analyst, return_=complete, reason="Why not")


class Boom(Exception):
    pass


def _rolled_back(work) -> None:
    with pytest.raises(Boom), transaction.atomic():
        work()
        raise Boom


def test_audit_records_roll_back_with_the_change(cohort, cycle, complete):
    """Every service audits inside its own transaction: undo the change, the record goes too."""
    before = AuditRecord.objects.count()
    _rolled_back(lambda: services.return_commit(by=cohort.alpha_submitter, return_=complete))
    _rolled_back(
        lambda: services.comment_add(
            by=cohort.alpha_contributor, return_=complete, domain_id="sf.epr", body="Hi"
        )
    )
    _rolled_back(
        lambda: services.evidence_add_link(
            by=cohort.alpha_contributor,
            return_=complete,
            domain_id="sf.epr",
            url="https://example.nhs.uk",
        )
    )
    _rolled_back(lambda: services.cycle_close(by=cohort.analyst, cycle=cycle))
    assert AuditRecord.objects.count() == before
    assert Return.objects.get(pk=complete.pk).status == ReturnStatus.IN_PROGRESS
    assert Cycle.objects.get(pk=cycle.pk).status == "open"
    assert not ReturnStatusChange.objects.filter(to_status="committed").exists()
