"""Saving answers: validation, versions and conflicts, permissions, history, audit, queries."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction

from maturity.assessments import services
from maturity.assessments.exceptions import AnswerConflict, InvalidAnswer, ReturnLocked
from maturity.assessments.models import (
    Answer,
    AnswerRevision,
    Cycle,
    ReturnStatus,
    ReturnStatusChange,
)
from maturity.assessments.services import AnswerChange
from maturity.audit.models import AuditRecord

from .factories import answer_everything, return_of, save

pytestmark = pytest.mark.django_db

ITEM = "sf.epr.l1.a"


@pytest.fixture
def alpha_acute(cohort, cycle):
    return return_of(cycle, cohort.alpha, "acute")


def test_first_answer_is_version_1_and_starts_the_return(cohort, alpha_acute):
    contributor = cohort.alpha_contributor
    answer = services.answer_save(
        by=contributor, return_=alpha_acute, item_id=ITEM, value="met", expected_version=None
    )
    assert (answer.item_id, answer.value, answer.version) == (ITEM, "met", 1)
    assert answer.updated_by == contributor
    alpha_acute.refresh_from_db()
    assert alpha_acute.status == ReturnStatus.IN_PROGRESS
    change = ReturnStatusChange.objects.get(return_obj=alpha_acute)
    assert (change.from_status, change.to_status, change.by) == (
        "not_started",
        "in_progress",
        contributor,
    )
    # The second answer does not record another status change.
    save(alpha_acute, contributor, "sf.epr.l1.b", "na")
    assert ReturnStatusChange.objects.filter(return_obj=alpha_acute).count() == 1


def test_each_change_raises_the_version_and_is_kept_in_the_history(cohort, alpha_acute):
    contributor = cohort.alpha_contributor
    first = save(alpha_acute, contributor, ITEM, "met")
    second = services.answer_save(
        by=cohort.alpha_submitter,
        return_=alpha_acute,
        item_id=ITEM,
        value="not_met",
        expected_version=first.version,
    )
    assert second.version == 2 and second.pk == first.pk
    stored = Answer.objects.get(pk=first.pk)
    assert (stored.value, stored.version, stored.updated_by) == (
        "not_met",
        2,
        cohort.alpha_submitter,
    )
    history = list(
        AnswerRevision.objects.filter(answer=stored).values_list(
            "old_value", "new_value", "version", "by__username"
        )
    )
    assert history == [
        (None, "met", 1, "alpha_contributor"),
        ("met", "not_met", 2, "alpha_submitter"),
    ]


def test_a_stale_version_is_refused_with_both_values(cohort, alpha_acute):
    first = save(alpha_acute, cohort.alpha_contributor, ITEM, "met")
    services.answer_save(
        by=cohort.alpha_contributor_2,
        return_=alpha_acute,
        item_id=ITEM,
        value="not_met",
        expected_version=first.version,
    )
    with pytest.raises(AnswerConflict) as caught:
        services.answer_save(
            by=cohort.alpha_contributor,
            return_=alpha_acute,
            item_id=ITEM,
            value="na",
            expected_version=first.version,
        )
    conflict = caught.value
    assert (conflict.item_id, conflict.current_value, conflict.current_version) == (
        ITEM,
        "not_met",
        2,
    )
    assert conflict.attempted_value == "na"
    assert "Nothing was overwritten" in conflict.message
    assert Answer.objects.get(return_obj=alpha_acute, item_id=ITEM).value == "not_met"
    assert AnswerRevision.objects.filter(return_obj=alpha_acute).count() == 2


def test_answering_an_item_someone_has_just_answered_is_a_conflict(cohort, alpha_acute):
    save(alpha_acute, cohort.alpha_contributor_2, ITEM, "not_met")
    with pytest.raises(AnswerConflict) as caught:
        services.answer_save(
            by=cohort.alpha_contributor,
            return_=alpha_acute,
            item_id=ITEM,
            value="met",
            expected_version=None,  # they saw no answer
        )
    assert (caught.value.current_value, caught.value.current_version) == ("not_met", 1)


def test_a_version_for_an_item_with_no_answer_is_a_conflict(cohort, alpha_acute):
    with pytest.raises(AnswerConflict) as caught:
        services.answer_save(
            by=cohort.alpha_contributor,
            return_=alpha_acute,
            item_id=ITEM,
            value="met",
            expected_version=3,
        )
    assert caught.value.current_version is None
    assert not Answer.objects.exists()


def test_saving_what_is_already_stored_changes_nothing(cohort, alpha_acute):
    first = save(alpha_acute, cohort.alpha_contributor, ITEM, "met")
    audits = AuditRecord.objects.count()
    again = services.answer_save(
        by=cohort.alpha_contributor_2,
        return_=alpha_acute,
        item_id=ITEM,
        value="met",
        expected_version=None,  # stale, but they agree with what is stored
    )
    assert (again.version, again.updated_by_id) == (1, cohort.alpha_contributor.pk)
    assert AnswerRevision.objects.count() == 1
    assert AuditRecord.objects.count() == audits
    assert first.version == 1


@pytest.mark.parametrize(
    ("item_id", "value", "message"),
    [
        (ITEM, "yes", "answer met, not met or not applicable"),
        (ITEM, None, "answer met, not met or not applicable"),
        (ITEM, ["met"], "answer met, not met or not applicable"),
        ("sf.epr.l9.z", "met", "is not a question of this return"),
        ("ic.nonexistent.l1.a", "met", "is not a question of this return"),
        ("ctx.unknown", True, "is not a question of this return"),
        ("narrative:xx.none", "text", "is not a question of this return"),
        ("ctx.epr_in_place", "perhaps", "answer yes or no"),
        ("narrative:sf.epr", "x" * 10_001, "at most 10,000 characters; this one has 10,001"),
        ("narrative:sf.epr", 12, "a narrative is text"),
    ],
)
def test_invalid_values_are_refused(cohort, alpha_acute, item_id, value, message):
    with pytest.raises(InvalidAnswer, match=message):
        services.answer_save(
            by=cohort.alpha_contributor,
            return_=alpha_acute,
            item_id=item_id,
            value=value,
            expected_version=None,
        )
    assert not Answer.objects.exists()
    assert not AuditRecord.objects.filter(action="answer.saved").exists()


def test_items_of_another_care_setting_are_refused(cohort, cycle):
    """An ambulance return does not answer the acute-only domains."""
    from maturity.frameworks.selectors import get_edition

    edition = get_edition("wgll-2025")
    acute_only = next(
        d for d in edition.domains if d.applies_to("acute") and not d.applies_to("ambulance")
    )
    delta = return_of(cycle, cohort.delta, "ambulance")
    with pytest.raises(InvalidAnswer, match="not a question of this return"):
        save(delta, cohort.delta_submitter, acute_only.criteria[0].id, "met")


def test_contextual_answers_are_typed_and_stored_canonically(cohort, alpha_acute):
    from maturity.frameworks.selectors import get_edition

    questions = {q.type: q for q in get_edition("wgll-2025").questions_for("acute")}
    saved = save(alpha_acute, cohort.alpha_contributor, "ctx.epr_in_place", "yes")
    assert saved.value is True
    if "percentage" in questions:
        q = questions["percentage"]
        assert save(alpha_acute, cohort.alpha_contributor, q.id, "45%").value == 45.0
        with pytest.raises(InvalidAnswer, match="between 0 and 100"):
            save(alpha_acute, cohort.alpha_contributor, q.id, 101)
    if "date" in questions:
        q = questions["date"]
        assert save(alpha_acute, cohort.alpha_contributor, q.id, "2025-03-31").value == (
            "2025-03-31"
        )
        with pytest.raises(InvalidAnswer, match="YYYY-MM-DD"):
            save(alpha_acute, cohort.alpha_contributor, q.id, "31/03/2025")
    supplier = get_edition("wgll-2025").question("ctx.epr_supplier")
    with pytest.raises(InvalidAnswer, match="choose one of"):
        save(alpha_acute, cohort.alpha_contributor, supplier.id, "a supplier not listed")
    assert (
        save(alpha_acute, cohort.alpha_contributor, supplier.id, supplier.options[0].value).value
        == supplier.options[0].value
    )


def test_narratives_are_saved_per_domain(cohort, alpha_acute):
    saved = save(alpha_acute, cohort.alpha_contributor, "narrative:sf.epr", "  Our EPR is live.  ")
    assert saved.value == "Our EPR is live."
    assert (
        save(alpha_acute, cohort.alpha_contributor, "narrative:sf.epr", "x" * 10_000).version == 2
    )


@pytest.mark.parametrize("version", [0, -1, "1", 1.5, True])
def test_the_version_must_be_a_positive_whole_number(cohort, alpha_acute, version):
    with pytest.raises(InvalidAnswer, match="version"):
        services.answer_save(
            by=cohort.alpha_contributor,
            return_=alpha_acute,
            item_id=ITEM,
            value="met",
            expected_version=version,
        )


@pytest.mark.parametrize(
    "who",
    [
        "analyst",
        "lead_a",
        "north_validator",
        "beta_submitter",
        "beta_contributor",
        "panel",
        "alpha_reviewer",
        "nobody",
    ],
)
def test_only_the_organisations_contributors_and_submitters_answer(cohort, alpha_acute, who):
    with pytest.raises(PermissionDenied, match="Only contributors and submitters of Alpha"):
        services.answer_save(
            by=getattr(cohort, who),
            return_=alpha_acute,
            item_id=ITEM,
            value="met",
            expected_version=None,
        )
    assert not Answer.objects.exists()


def test_a_revoked_membership_no_longer_edits(cohort, alpha_acute):
    from maturity.accounts.models import Membership
    from maturity.accounts.services import membership_revoke

    membership = Membership.objects.get(user=cohort.alpha_contributor)
    membership_revoke(by=cohort.analyst, membership=membership)
    with pytest.raises(PermissionDenied):
        save(alpha_acute, cohort.alpha_contributor, ITEM, "met")


def test_submitters_and_contributors_both_answer(cohort, alpha_acute):
    save(alpha_acute, cohort.alpha_contributor, ITEM, "met")
    save(alpha_acute, cohort.alpha_submitter, "sf.epr.l1.b", "met")
    assert alpha_acute.answers.count() == 2


def test_a_committed_return_is_locked(cohort, alpha_acute):
    answer_everything(alpha_acute, cohort.alpha_contributor)
    services.return_commit(by=cohort.alpha_submitter, return_=alpha_acute)
    with pytest.raises(ReturnLocked, match="committed and locked"):
        save(alpha_acute, cohort.alpha_contributor, ITEM, "not_met")
    assert Answer.objects.get(return_obj=alpha_acute, item_id=ITEM).value == "met"


def test_answers_need_an_open_cycle(cohort, cycle, alpha_acute):
    Cycle.objects.filter(pk=cycle.pk).update(status="closed")
    with pytest.raises(ReturnLocked, match="The cycle is closed, not open"):
        save(alpha_acute, cohort.alpha_contributor, ITEM, "met")


def test_a_withdrawn_return_accepts_nothing(cohort, cycle, alpha_acute):
    save(alpha_acute, cohort.alpha_contributor, ITEM, "met")
    services.cycle_set_scope(
        by=cohort.analyst, cycle=cycle, organisation_kinds=["trust"], care_settings=["community"]
    )
    with pytest.raises(ReturnLocked, match="withdrawn"):
        save(alpha_acute, cohort.alpha_contributor, ITEM, "not_met")


def test_the_services_state_is_read_from_the_database_not_the_callers_copy(cohort, alpha_acute):
    stale = return_of(alpha_acute.cycle, cohort.alpha, "acute")
    answer_everything(alpha_acute, cohort.alpha_contributor)
    services.return_commit(by=cohort.alpha_submitter, return_=alpha_acute)
    assert stale.status == ReturnStatus.NOT_STARTED  # the caller's copy is out of date
    with pytest.raises(ReturnLocked):
        save(stale, cohort.alpha_contributor, "narrative:sf.epr", "late edit")


def test_the_audit_record_is_written_with_the_answer(cohort, alpha_acute):
    first = save(alpha_acute, cohort.alpha_contributor, ITEM, "met")
    services.answer_save(
        by=cohort.alpha_contributor,
        return_=alpha_acute,
        item_id=ITEM,
        value="not_met",
        expected_version=first.version,
    )
    records = list(AuditRecord.objects.filter(action="answer.saved", target_id=str(alpha_acute.pk)))
    assert [(r.before, r.after) for r in records] == [
        ({ITEM: None}, {ITEM: "met"}),
        ({ITEM: "met"}, {ITEM: "not_met"}),
    ]
    assert {r.organisation_id for r in records} == {cohort.alpha.pk}
    assert {r.actor_id for r in records} == {cohort.alpha_contributor.pk}
    assert records[0].target_type == "assessments.return"


def test_a_rolled_back_save_leaves_no_audit_record(cohort, alpha_acute):
    class Boom(Exception):
        pass

    before = AuditRecord.objects.count()
    with pytest.raises(Boom), transaction.atomic():
        save(alpha_acute, cohort.alpha_contributor, ITEM, "met")
        assert AuditRecord.objects.count() > before
        raise Boom
    assert AuditRecord.objects.count() == before
    assert not Answer.objects.exists()
    assert not AnswerRevision.objects.exists()


def test_batch_save_saves_what_it_can_and_reports_the_rest(cohort, alpha_acute):
    first = save(alpha_acute, cohort.alpha_contributor, ITEM, "met")
    save(alpha_acute, cohort.alpha_contributor_2, ITEM, "na")  # now at version 2
    result = services.answers_save(
        by=cohort.alpha_contributor,
        return_=alpha_acute,
        changes=[
            AnswerChange("sf.epr.l1.b", "met", None),
            AnswerChange(ITEM, "not_met", first.version),  # stale
            AnswerChange("sf.epr.l2.a", "maybe", None),  # invalid
            AnswerChange("nope.nope.l1.a", "met", None),  # not in the return
            AnswerChange("narrative:sf.epr", "Live since 2019", None),
        ],
    )
    assert sorted(a.item_id for a in result.saved) == ["narrative:sf.epr", "sf.epr.l1.b"]
    assert [(c.item_id, c.current_value, c.current_version) for c in result.conflicts] == [
        (ITEM, "na", 2)
    ]
    assert set(result.errors) == {"sf.epr.l2.a", "nope.nope.l1.a"}
    assert "met, not met or not applicable" in result.errors["sf.epr.l2.a"]
    stored = dict(alpha_acute.answers.values_list("item_id", "value"))
    assert stored == {ITEM: "na", "sf.epr.l1.b": "met", "narrative:sf.epr": "Live since 2019"}
    batch = AuditRecord.objects.filter(action="answer.saved").order_by("-sequence").first()
    assert batch.after == {"narrative:sf.epr": "Live since 2019", "sf.epr.l1.b": "met"}


def test_batch_save_refuses_the_same_item_twice(cohort, alpha_acute):
    result = services.answers_save(
        by=cohort.alpha_contributor,
        return_=alpha_acute,
        changes=[AnswerChange(ITEM, "met", None), AnswerChange(ITEM, "na", None)],
    )
    assert result.errors == {ITEM: f"{ITEM} is changed twice in one save."}
    assert [a.value for a in result.saved] == ["met"]


def test_saving_an_answer_takes_few_queries(cohort, alpha_acute, django_assert_max_num_queries):
    first = save(alpha_acute, cohort.alpha_contributor, ITEM, "met")  # warms the edition cache
    # lock+role check, edition digest, read, compare-and-swap, revision, audit (lock, head,
    # insert), and the savepoint pair of the service's atomic block inside the test's.
    with django_assert_max_num_queries(10):
        services.answer_save(
            by=cohort.alpha_contributor,
            return_=alpha_acute,
            item_id=ITEM,
            value="not_met",
            expected_version=first.version,
        )
    with django_assert_max_num_queries(12):  # plus the insert's own savepoint
        services.answer_save(
            by=cohort.alpha_contributor,
            return_=alpha_acute,
            item_id="sf.epr.l1.b",
            value="met",
            expected_version=None,
        )


def test_a_batch_of_many_answers_takes_a_fixed_number_of_queries(
    cohort, alpha_acute, django_assert_max_num_queries
):
    from maturity.frameworks.selectors import get_edition

    criteria = [c.id for d in get_edition("wgll-2025").domains_for("acute") for c in d.criteria]
    save(alpha_acute, cohort.alpha_contributor, criteria[0], "met")
    changes = [AnswerChange(c, "met", None) for c in criteria[1:41]]
    # New answers are inserted in one statement: the count does not grow with the batch.
    with django_assert_max_num_queries(12):
        result = services.answers_save(
            by=cohort.alpha_contributor, return_=alpha_acute, changes=changes
        )
    assert len(result.saved) == 40 and not result.conflicts and not result.errors
