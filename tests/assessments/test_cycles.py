"""Opening, rescoping, closing and releasing cycles."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from maturity.assessments import services
from maturity.assessments.exceptions import CycleExists, IllegalTransition, InvalidInput
from maturity.assessments.models import (
    Cycle,
    ProvisionalRelease,
    Return,
    ReturnStatus,
    ReturnStatusChange,
    RightOfReply,
    Score,
)
from maturity.audit.models import AuditRecord

from .factories import DATES, EDITION, answer_everything, open_cycle, return_of, save

pytestmark = pytest.mark.django_db


def _pairs(cycle: Cycle, *, active: bool = True) -> set[tuple[str, str]]:
    returns = Return.objects.filter(cycle=cycle)
    if active:
        returns = returns.active()
    return set(returns.values_list("organisation__ods_code", "care_setting"))


def test_opening_a_cycle_creates_a_return_per_organisation_and_care_setting(cohort):
    cycle = open_cycle(cohort.analyst)
    assert cycle.status == "open" and cycle.opened_by == cohort.analyst
    assert (cycle.opens_on, cycle.closes_on) == (DATES["opens_on"], DATES["closes_on"])
    assert _pairs(cycle) == {
        ("RA1", "acute"),
        ("RA1", "community"),  # an integrated trust answers one return per care setting
        ("RB1", "acute"),
        ("RC1", "mental_health"),
        ("RD1", "ambulance"),
        *{(icb, s) for icb in ("QNA", "QNB", "QSC") for s in ("icb", "primary_care")},
    }
    assert set(Return.objects.values_list("status", flat=True)) == {ReturnStatus.NOT_STARTED}
    record = AuditRecord.objects.get(action="cycle.opened")
    assert record.after["returns"] == 11 and record.actor_id == cohort.analyst.pk


def test_the_scope_limits_kinds_and_care_settings(cohort):
    cycle = open_cycle(cohort.analyst, kinds=("trust",), settings=("acute", "mental_health"))
    assert _pairs(cycle) == {("RA1", "acute"), ("RB1", "acute"), ("RC1", "mental_health")}


def test_closed_organisations_get_no_return(cohort):
    cohort.beta.closed_on = dt.date(2026, 4, 1)
    cohort.beta.save()
    cycle = open_cycle(cohort.analyst, kinds=("trust",), settings=("acute",))
    assert _pairs(cycle) == {("RA1", "acute")}


@pytest.mark.parametrize(
    "who", ["alpha_submitter", "alpha_contributor", "lead_a", "north_validator", "panel", "nobody"]
)
def test_only_national_analysts_open_cycles(cohort, who):
    with pytest.raises(PermissionDenied, match="Only national analysts can open a cycle"):
        open_cycle(getattr(cohort, who))
    assert not Cycle.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"closes_on": dt.date(2026, 10, 1)}, "close date must be after the opening date"),
        ({"review_closes_on": dt.date(2027, 1, 1)}, "review close date cannot be before"),
        ({"publication_on": dt.date(2027, 4, 1)}, "publication date cannot be before"),
        ({"opens_on": None}, "Enter the opening date"),
    ],
)
def test_dates_must_be_in_order(cohort, changes, message):
    with pytest.raises(InvalidInput, match=message):
        open_cycle(cohort.analyst, **changes)


def test_scope_must_fit_the_edition(cohort):
    with pytest.raises(InvalidInput, match="do not answer returns: region"):
        open_cycle(cohort.analyst, kinds=("region",))
    with pytest.raises(InvalidInput, match="at least one care setting"):
        open_cycle(cohort.analyst, settings=())
    with pytest.raises(InvalidInput, match="no questions for: dentistry"):
        open_cycle(cohort.analyst, settings=("acute", "dentistry"))


def test_cycles_use_published_editions(cohort):
    with pytest.raises(InvalidInput, match="is a draft"):
        services.cycle_open(
            by=cohort.analyst,
            year=2027,
            edition_id="wgll-2026-draft",
            title="2027",
            organisation_kinds=["trust"],
            care_settings=["acute"],
            **DATES,
        )
    with pytest.raises(InvalidInput, match="No framework edition 'wgll-1999'"):
        services.cycle_open(
            by=cohort.analyst,
            year=2027,
            edition_id="wgll-1999",
            title="2027",
            organisation_kinds=["trust"],
            care_settings=["acute"],
            **DATES,
        )


def test_one_cycle_per_year_and_edition_real_and_demonstration_apart(cohort):
    open_cycle(cohort.analyst)
    with pytest.raises(CycleExists, match="already a 2026 cycle on wgll-2025"):
        open_cycle(cohort.analyst)
    demo = open_cycle(cohort.analyst, is_demonstration=True)
    assert demo.is_demonstration
    assert set(Return.objects.filter(cycle=demo).values_list("is_demonstration", flat=True)) == {
        True
    }


def test_changing_the_scope_adds_withdraws_and_restores_without_losing_answers(cohort):
    cycle = open_cycle(cohort.analyst, kinds=("trust",), settings=("acute", "community"))
    alpha_acute = return_of(cycle, cohort.alpha, "acute")
    save(alpha_acute, cohort.alpha_contributor, "sf.epr.l1.a", "met")

    change = services.cycle_set_scope(
        by=cohort.analyst,
        cycle=cycle,
        organisation_kinds=["trust"],
        care_settings=["community", "mental_health"],
    )
    assert change == services.ScopeChange(added=1, withdrawn=2, restored=0)
    assert _pairs(cycle) == {("RA1", "community"), ("RC1", "mental_health")}
    withdrawn = Return.objects.get(pk=alpha_acute.pk)
    assert withdrawn.is_withdrawn and withdrawn.status == ReturnStatus.IN_PROGRESS
    assert withdrawn.answers.get().value == "met"
    assert cycle.scope_care_settings == ["mental_health", "community"]  # vocabulary order

    back = services.cycle_set_scope(
        by=cohort.analyst, cycle=cycle, organisation_kinds=["trust"], care_settings=["acute"]
    )
    assert back == services.ScopeChange(added=0, withdrawn=2, restored=2)
    restored = Return.objects.get(pk=alpha_acute.pk)
    assert not restored.is_withdrawn and restored.status == ReturnStatus.IN_PROGRESS
    assert restored.answers.get().value == "met"
    changes = list(
        ReturnStatusChange.objects.filter(return_obj=alpha_acute).values_list(
            "from_status", "to_status", "reason"
        )
    )
    assert changes == [
        ("not_started", "in_progress", ""),
        ("in_progress", "withdrawn", "No longer in the cycle's scope"),
        ("withdrawn", "in_progress", "Back in the cycle's scope"),
    ]
    assert AuditRecord.objects.filter(action="return.withdrawn").count() == 4
    assert AuditRecord.objects.filter(action="return.restored").count() == 2


def test_only_analysts_change_the_scope_and_only_before_the_close(cohort, cycle):
    with pytest.raises(PermissionDenied):
        services.cycle_set_scope(
            by=cohort.alpha_submitter,
            cycle=cycle,
            organisation_kinds=["trust"],
            care_settings=["acute"],
        )
    services.cycle_close(by=cohort.analyst, cycle=cycle)
    with pytest.raises(IllegalTransition, match="scope can no longer change"):
        services.cycle_set_scope(
            by=cohort.analyst, cycle=cycle, organisation_kinds=["trust"], care_settings=["acute"]
        )


def test_closing_marks_uncommitted_returns_late(cohort, cycle):
    alpha_acute = return_of(cycle, cohort.alpha, "acute")
    answer_everything(alpha_acute, cohort.alpha_contributor)
    services.return_commit(by=cohort.alpha_submitter, return_=alpha_acute)
    save(return_of(cycle, cohort.beta, "acute"), cohort.beta_contributor, "sf.epr.l1.a", "met")

    late = services.cycle_close(by=cohort.analyst, cycle=cycle)
    assert late == 10 and cycle.status == "closed"
    statuses = dict(Return.objects.filter(cycle=cycle).values_list("pk", "late"))
    assert statuses.pop(alpha_acute.pk) is False  # committed stays committed, not late
    assert set(statuses.values()) == {True}
    assert Return.objects.get(pk=alpha_acute.pk).status == ReturnStatus.COMMITTED
    beta = return_of(cycle, cohort.beta, "acute")
    assert (beta.status, beta.late) == (ReturnStatus.IN_PROGRESS, True)
    assert AuditRecord.objects.filter(action="return.marked_late").count() == 10


def test_only_analysts_close_cycles(cohort, cycle):
    with pytest.raises(PermissionDenied):
        services.cycle_close(by=cohort.alpha_submitter, cycle=cycle)
    services.cycle_close(by=cohort.analyst, cycle=cycle)
    with pytest.raises(IllegalTransition, match="from closed to closed"):
        services.cycle_close(by=cohort.analyst, cycle=cycle)


def test_the_daily_job_closes_cycles_past_their_date_once(cohort, cycle):
    assert services.mark_late_returns(today=DATES["closes_on"]) == 0  # due today: not late
    assert Cycle.objects.get(pk=cycle.pk).status == "open"
    assert services.mark_late_returns(today=DATES["closes_on"] + dt.timedelta(days=1)) == 11
    assert Cycle.objects.get(pk=cycle.pk).status == "closed"
    closed = AuditRecord.objects.get(action="cycle.closed")
    assert closed.actor_id is None and closed.actor_label == "System"
    assert services.mark_late_returns(today=DATES["closes_on"] + dt.timedelta(days=2)) == 0


def test_a_reopened_cycle_takes_late_returns(cohort, cycle):
    services.cycle_close(by=cohort.analyst, cycle=cycle)
    with pytest.raises(InvalidInput, match="reason"):
        services.cycle_reopen(
            by=cohort.analyst, cycle=cycle, closes_on=dt.date(2027, 2, 28), reason=""
        )
    with pytest.raises(InvalidInput, match="no later than the review close date"):
        services.cycle_reopen(
            by=cohort.analyst, cycle=cycle, closes_on=dt.date(2027, 5, 1), reason="Extension"
        )
    with pytest.raises(PermissionDenied):
        services.cycle_reopen(
            by=cohort.alpha_submitter, cycle=cycle, closes_on=dt.date(2027, 2, 28), reason="x"
        )
    services.cycle_reopen(
        by=cohort.analyst, cycle=cycle, closes_on=dt.date(2027, 2, 28), reason="Cyber incident"
    )
    assert (cycle.status, cycle.closes_on) == ("open", dt.date(2027, 2, 28))
    beta = return_of(cycle, cohort.beta, "acute")
    assert beta.late
    save(beta, cohort.beta_contributor, "sf.epr.l1.a", "met")  # answering works again


def test_provisional_release_and_right_of_reply(cohort, cycle):
    alpha_acute = return_of(cycle, cohort.alpha, "acute")
    answer_everything(alpha_acute, cohort.alpha_contributor)
    services.return_commit(by=cohort.alpha_submitter, return_=alpha_acute)
    Score.objects.all().delete()  # a score is stored again if missing

    with pytest.raises(IllegalTransition, match="Close the cycle"):
        services.provisional_release(by=cohort.analyst, cycle=cycle)
    with pytest.raises(IllegalTransition, match="provisionally released"):
        services.right_of_reply_add(
            by=cohort.alpha_submitter, return_=alpha_acute, text="Too early"
        )
    services.cycle_close(by=cohort.analyst, cycle=cycle)
    with pytest.raises(PermissionDenied):
        services.provisional_release(by=cohort.alpha_submitter, cycle=cycle)
    assert services.provisional_release(by=cohort.analyst, cycle=cycle) == 1
    assert cycle.status == "provisional_release"
    assert ProvisionalRelease.objects.get(cycle=cycle).by == cohort.analyst
    assert Score.objects.filter(return_obj=alpha_acute).count() == 1
    with pytest.raises(IllegalTransition):
        services.provisional_release(by=cohort.analyst, cycle=cycle)

    reply = services.right_of_reply_add(
        by=cohort.alpha_contributor, return_=alpha_acute, text="  Our EPR went live in May.  "
    )
    assert (reply.text, reply.by) == ("Our EPR went live in May.", cohort.alpha_contributor)
    with pytest.raises(PermissionDenied):
        services.right_of_reply_add(by=cohort.beta_submitter, return_=alpha_acute, text="No")
    with pytest.raises(InvalidInput, match="Enter the reply"):
        services.right_of_reply_add(by=cohort.alpha_submitter, return_=alpha_acute, text=" ")
    beta = return_of(cycle, cohort.beta, "acute")
    with pytest.raises(IllegalTransition, match="Only committed returns"):
        services.right_of_reply_add(by=cohort.beta_submitter, return_=beta, text="We were late")
    assert RightOfReply.objects.count() == 1
    assert AuditRecord.objects.filter(action="return.reply_added").count() == 1


def test_provisional_results_are_shown_only_once_released(cohort, cycle):
    from maturity.assessments.selectors import provisional_result

    alpha_acute = return_of(cycle, cohort.alpha, "acute")
    answer_everything(alpha_acute, cohort.alpha_contributor)
    services.return_commit(by=cohort.alpha_submitter, return_=alpha_acute)
    assert provisional_result(return_of(cycle, cohort.alpha, "acute")) is None
    services.cycle_close(by=cohort.analyst, cycle=cycle)
    services.provisional_release(by=cohort.analyst, cycle=cycle)
    result = provisional_result(return_of(cycle, cohort.alpha, "acute"))
    assert result.score.overall == 5.0 and result.replies == []
    assert provisional_result(return_of(cycle, cohort.beta, "acute")) is None  # not committed


def test_the_edition_is_named_in_the_cycle(cycle):
    assert cycle.edition.edition_id == EDITION
