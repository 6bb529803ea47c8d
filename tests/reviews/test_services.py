"""The peer review services: matching, overrides, the review, replies, moderation, publication,
calibration and reminders. Outcomes are read back from the database and the audit trail."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from maturity.audit.models import AuditRecord
from maturity.organisations.models import Relationship
from maturity.reviews import services
from maturity.reviews.models import (
    AssignmentStatus,
    CalibrationScore,
    DomainReview,
    Moderation,
    PeerReviewAssignment,
    ReviewReminder,
)

from .conftest import LEVELS, assignment_of, calibrate, reviewer_for


def _actions(action: str) -> list[AuditRecord]:
    return list(AuditRecord.objects.filter(action=action))


# --- matching -------------------------------------------------------------------------------------


def test_matching_gives_every_return_a_reviewer_in_another_system(world):
    run = services.matching_run(by=world.analyst, cycle=world.cycle)
    assert run.matched == 4 and run.unmatched == []
    for assignment in PeerReviewAssignment.objects.select_related(
        "return_obj__organisation", "reviewer_organisation", "reviewee_ics", "reviewer_ics"
    ):
        assert assignment.reviewer_organisation != assignment.return_obj.organisation
        assert assignment.reviewee_ics != assignment.reviewer_ics
        assert assignment.reviewer_organisation.name in assignment.explanation
        assert assignment.reviewer_ics.name in assignment.explanation
    # RA1 and RA2 share ICB North A, so neither reviews the other.
    assert assignment_of(world, "RA1").reviewer_organisation.ods_code != "RA2"
    assert assignment_of(world, "RA2").reviewer_organisation.ods_code != "RA1"
    assert len(_actions("review.assigned")) == 4
    assert len(_actions("review.matching_run")) == 1


def test_matching_avoids_a_pair_in_one_system_today(world):
    # Beta is in ICB North B on the cycle's close but in Alpha's system (North A) today.
    today = timezone.localdate()
    switch = today + dt.timedelta(days=10)
    Relationship.objects.filter(child=world.orgs["RB1"]).update(valid_from=switch)
    Relationship.objects.create(
        child=world.orgs["RB1"], parent=world.orgs["QNA"], valid_to=switch, source="test"
    )
    services.matching_run(by=world.analyst, cycle=world.cycle, max_load=4)
    for code in ("RA1", "RA2"):
        assert assignment_of(world, code).reviewer_organisation.ods_code == "RC1"
    assert assignment_of(world, "RB1").reviewer_organisation.ods_code != "RA1"


def test_domain_reviews_open_with_the_self_assessed_levels(matched):
    reviews = {r.domain_id: r for r in assignment_of(matched, "RA1").domain_reviews.all()}
    assert reviews["sf.epr"].self_level == LEVELS["sf.epr"]
    assert reviews["sf.cyber"].self_level == 2
    assert reviews["hp.research"].self_level == 3
    assert reviews["sf.epr"].pillar_id == "smart_foundations"
    assert all(r.state == "awaiting_reviewer" for r in reviews.values())


def test_a_second_matching_assigns_nothing_new(matched):
    run = services.matching_run(by=matched.analyst, cycle=matched.cycle)
    assert run.matched == 0
    assert PeerReviewAssignment.objects.count() == 4


def test_only_national_analysts_match(world):
    for user in (world.lead_a, world.ra1_reviewer, world.nobody):
        with pytest.raises(PermissionDenied):
            services.matching_run(by=user, cycle=world.cycle)
    assert PeerReviewAssignment.objects.count() == 0


def test_blind_second_review_never_goes_to_the_first_reviewer(matched):
    run = services.blind_sample_assign(by=matched.analyst, cycle=matched.cycle, share=1.0, seed=1)
    assert run.matched + len(run.unmatched) == 4
    for code in ("RA1", "RA2", "RB1", "RC1"):
        second = PeerReviewAssignment.objects.filter(
            return_obj=matched.returns[code], kind="blind_second"
        ).first()
        if second is not None:
            assert (
                second.reviewer_organisation != assignment_of(matched, code).reviewer_organisation
            )
            assert second.reviewer_organisation != matched.returns[code].organisation


# --- overrides ------------------------------------------------------------------------------------


def _other_eligible(world, assignment) -> str:
    """An organisation in another system than the return's, other than the current reviewer."""
    current = assignment.reviewer_organisation.ods_code
    return next(code for code in ("RB1", "RC1") if code != current)


def test_an_analyst_changes_a_reviewer_with_a_reason(matched):
    old = assignment_of(matched, "RA1")
    code = _other_eligible(matched, old)
    new = services.assignment_override(
        by=matched.analyst,
        assignment=old,
        reviewer_organisation=matched.orgs[code],
        reason="The first reviewer declared a conflict of interest.",
    )
    old.refresh_from_db()
    assert old.status == AssignmentStatus.REPLACED
    assert old.replace_reason == "The first reviewer declared a conflict of interest."
    assert new.reviewer_organisation.ods_code == code
    assert new.explanation.startswith("Chosen by Analyst (national analyst) in place of")
    assert "declared a conflict of interest" in new.explanation
    assert new.domain_reviews.count() == old.domain_reviews.count()
    record = _actions("review.reviewer_changed")[0]
    assert record.reason == "The first reviewer declared a conflict of interest."
    assert record.before == {"reviewer": old.reviewer_organisation.ods_code}


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("RA1", "cannot review its own return"),
        ("RA2", "another integrated care system"),
        ("QNB", "does not answer this care setting"),
    ],
)
def test_an_override_keeps_the_hard_rules(matched, code, message):
    old = assignment_of(matched, "RA1")
    with pytest.raises(ValidationError, match=message):
        services.assignment_override(
            by=matched.analyst,
            assignment=old,
            reviewer_organisation=matched.orgs[code],
            reason="Testing",
        )


def test_an_override_needs_an_analyst_and_a_reason(matched):
    old = assignment_of(matched, "RA1")
    target = matched.orgs[_other_eligible(matched, old)]
    with pytest.raises(PermissionDenied):
        services.assignment_override(
            by=matched.lead_a, assignment=old, reviewer_organisation=target, reason="Because"
        )
    with pytest.raises(ValidationError, match="Enter the reason"):
        services.assignment_override(
            by=matched.analyst, assignment=old, reviewer_organisation=target, reason="  "
        )
    old.refresh_from_db()
    assert old.status == AssignmentStatus.ACTIVE


# --- the review -------------------------------------------------------------------------------------


def _review(world, code: str, domain: str) -> DomainReview:
    return assignment_of(world, code).domain_reviews.get(domain_id=domain)


def test_reviewers_calibrate_before_reviewing(matched):
    assignment = assignment_of(matched, "RA1")
    reviewer = reviewer_for(matched, assignment)
    with pytest.raises(ValidationError, match="calibration"):
        services.domain_review_decide(
            by=reviewer, review=_review(matched, "RA1", "sf.cyber"), decision="agree"
        )
    calibrate(reviewer, matched.cycle)
    review = services.domain_review_decide(
        by=reviewer, review=_review(matched, "RA1", "sf.cyber"), decision="agree"
    )
    assert review.state == "agreed" and review.agreed_level == 2 and review.counted_level == 2


def test_levels_four_and_five_count_only_with_confirmed_evidence(matched):
    assignment = assignment_of(matched, "RA1")
    reviewer = reviewer_for(matched, assignment)
    calibrate(reviewer, matched.cycle)
    epr = services.domain_review_decide(
        by=reviewer, review=_review(matched, "RA1", "sf.epr"), decision="agree"
    )
    assert (epr.agreed_level, epr.counted_level) == (4, 3)
    strategy = services.domain_review_decide(
        by=reviewer,
        review=_review(matched, "RA1", "wl.strategy"),
        decision="agree",
        evidence_confirmed=True,
    )
    assert (strategy.agreed_level, strategy.counted_level) == (5, 5)
    # Confirming evidence means nothing for a level below 4.
    cyber = services.domain_review_decide(
        by=reviewer,
        review=_review(matched, "RA1", "sf.cyber"),
        decision="agree",
        evidence_confirmed=True,
    )
    assert cyber.evidence_confirmed is False


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"decision": "challenge", "proposed_level": 2}, "Enter the reason"),
        ({"decision": "challenge", "reason": "Not met"}, "Choose the level you propose"),
        ({"decision": "challenge", "proposed_level": 3, "reason": "x"}, "other than"),
        ({"decision": "maybe"}, "agree or challenge"),
    ],
)
def test_a_challenge_needs_a_level_and_a_reason(matched, kwargs, message):
    assignment = assignment_of(matched, "RA1")
    reviewer = reviewer_for(matched, assignment)
    calibrate(reviewer, matched.cycle)
    with pytest.raises(ValidationError, match=message):
        services.domain_review_decide(
            by=reviewer, review=_review(matched, "RA1", "hp.research"), **kwargs
        )


def test_an_unlocked_return_is_not_reviewed_until_committed_again(matched):
    from maturity.assessments.models import Return

    assignment = assignment_of(matched, "RA1")
    reviewer = reviewer_for(matched, assignment)
    calibrate(reviewer, matched.cycle)
    Return.objects.filter(pk=matched.returns["RA1"].pk).update(
        status="in_progress", committed_at=None, committed_by=None
    )
    with pytest.raises(ValidationError, match="unlocked"):
        services.domain_review_decide(
            by=reviewer, review=_review(matched, "RA1", "sf.cyber"), decision="agree"
        )


def test_only_the_assigned_reviewers_decide(matched):
    assignment = assignment_of(matched, "RA1")
    others = [
        matched.people[f"{code.lower()}_reviewer"]
        for code in ("RA1", "RA2", "RB1", "RC1")
        if code != assignment.reviewer_organisation.ods_code
    ]
    for user in others:
        calibrate(user, matched.cycle)
    for user in [*others, matched.analyst, matched.ra1_submitter]:
        with pytest.raises(PermissionDenied):
            services.domain_review_decide(
                by=user, review=_review(matched, "RA1", "hp.research"), decision="agree"
            )


def _decide_all(world, code: str, **overrides) -> tuple:
    """The reviewer agrees with every domain except those in ``overrides`` (domain → kwargs)."""
    assignment = assignment_of(world, code)
    reviewer = reviewer_for(world, assignment)
    if not CalibrationScore.objects.filter(reviewer=reviewer).exists():
        calibrate(reviewer, world.cycle)
    for review in assignment.domain_reviews.all():
        kwargs = overrides.get(review.domain_id.replace(".", "_"), {"decision": "agree"})
        services.domain_review_decide(by=reviewer, review=review, **kwargs)
    return assignment, reviewer


CHALLENGE = {"decision": "challenge", "proposed_level": 2, "reason": "No dated plan for paper."}


def test_submitting_needs_every_domain_decided_then_locks_the_review(matched):
    assignment = assignment_of(matched, "RA1")
    reviewer = reviewer_for(matched, assignment)
    calibrate(reviewer, matched.cycle)
    services.domain_review_decide(
        by=reviewer, review=_review(matched, "RA1", "sf.epr"), **CHALLENGE
    )
    with pytest.raises(ValidationError, match="still need a decision"):
        services.assignment_submit(by=reviewer, assignment=assignment)
    _decide_all(matched, "RA1", sf_epr=CHALLENGE)
    services.assignment_submit(by=reviewer, assignment=assignment)
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.SUBMITTED
    with pytest.raises(ValidationError, match="submitted"):
        services.domain_review_decide(
            by=reviewer, review=_review(matched, "RA1", "sf.epr"), decision="agree"
        )


def test_the_organisation_accepts_a_challenge_and_the_level_is_agreed(matched):
    assignment, reviewer = _decide_all(
        matched, "RA1", hp_research={"decision": "challenge", "proposed_level": 2, "reason": "r"}
    )
    services.assignment_submit(by=reviewer, assignment=assignment)
    review = services.domain_review_reply(
        by=matched.ra1_contributor,
        review=_review(matched, "RA1", "hp.research"),
        response="accept",
    )
    assert (review.state, review.agreed_level, review.counted_level) == ("agreed", 2, 2)
    assert review.responded_by == matched.ra1_contributor
    assert not Moderation.objects.exists()


def test_a_contested_challenge_goes_to_moderation_and_the_decision_is_final(matched):
    assignment, reviewer = _decide_all(matched, "RA1", sf_epr=CHALLENGE | {"proposed_level": 3})
    services.assignment_submit(by=reviewer, assignment=assignment)
    with pytest.raises(ValidationError, match="why you contest"):
        services.domain_review_reply(
            by=matched.ra1_submitter, review=_review(matched, "RA1", "sf.epr"), response="contest"
        )
    review = services.domain_review_reply(
        by=matched.ra1_submitter,
        review=_review(matched, "RA1", "sf.epr"),
        response="contest",
        text="Every service has a dated plan; see the board paper.",
        evidence="https://example.nhs.uk/board-paper.pdf",
    )
    assert review.state == "in_moderation"
    moderation = Moderation.objects.get(domain_review=review)
    assert moderation.reason == "contested"
    with pytest.raises(PermissionDenied):
        services.moderation_decide(
            by=matched.lead_a, moderation=moderation, level=4, reason="Plan seen."
        )
    services.moderation_decide(
        by=matched.analyst,
        moderation=moderation,
        level=4,
        reason="The board paper dates every service.",
        evidence_confirmed=True,
    )
    review.refresh_from_db()
    assert (review.state, review.agreed_level, review.counted_level) == ("moderated", 4, 4)
    with pytest.raises(ValidationError, match="final"):
        services.moderation_decide(
            by=matched.analyst, moderation=moderation, level=2, reason="Changed my mind."
        )
    assert _actions("review.moderated")[0].reason == "The board paper dates every service."


def test_a_gap_of_two_levels_goes_to_moderation_even_when_accepted(matched):
    assignment, reviewer = _decide_all(
        matched, "RA1", wl_strategy={"decision": "challenge", "proposed_level": 3, "reason": "r"}
    )
    services.assignment_submit(by=reviewer, assignment=assignment)
    review = services.domain_review_reply(
        by=matched.ra1_submitter, review=_review(matched, "RA1", "wl.strategy"), response="accept"
    )
    assert review.state == "in_moderation"
    assert Moderation.objects.get(domain_review=review).reason == "gap"


def test_only_the_reviewed_organisation_replies_after_submission(matched):
    assignment, reviewer = _decide_all(matched, "RA1", sf_epr=CHALLENGE)
    review = _review(matched, "RA1", "sf.epr")
    with pytest.raises(PermissionDenied, match="no submitted review"):
        services.domain_review_reply(by=matched.ra1_submitter, review=review, response="accept")
    services.assignment_submit(by=reviewer, assignment=assignment)
    for user in (reviewer, matched.rb1_submitter, matched.analyst, matched.lead_a):
        with pytest.raises(PermissionDenied):
            services.domain_review_reply(by=user, review=review, response="accept")
    with pytest.raises(ValidationError, match="not waiting"):
        services.domain_review_reply(
            by=matched.ra1_submitter,
            review=_review(matched, "RA1", "hp.research"),
            response="accept",
        )


# --- publication -------------------------------------------------------------------------------------


def test_levels_are_published_when_the_review_is_final_and_no_flag_is_open(matched):
    assignment, reviewer = _decide_all(matched, "RA1", sf_epr=CHALLENGE | {"proposed_level": 3})
    services.assignment_submit(by=reviewer, assignment=assignment)
    run = services.levels_publish(by=matched.analyst, cycle=matched.cycle)
    assert run.published_returns == 0  # sf.epr waits for the organisation
    services.domain_review_reply(
        by=matched.ra1_submitter, review=_review(matched, "RA1", "sf.epr"), response="accept"
    )
    run = services.levels_publish(by=matched.analyst, cycle=matched.cycle)
    assert run.published_returns == 1
    reviews = {r.domain_id: r for r in assignment.domain_reviews.all()}
    assert reviews["sf.epr"].published_level == 3
    assert reviews["wl.strategy"].published_level == 3  # agreed 5, evidence not confirmed
    assert reviews["wl.strategy"].self_level == 5
    # Published once: a second run changes nothing.
    assert services.levels_publish(by=matched.analyst, cycle=matched.cycle).published_returns == 0
    with pytest.raises(PermissionDenied):
        services.levels_publish(by=matched.lead_a, cycle=matched.cycle)


# --- calibration -------------------------------------------------------------------------------------


def test_calibration_scores_are_kept_as_first_given(world):
    services.calibration_scores_save(
        by=world.rb1_reviewer, cycle=world.cycle, levels={"epr-paper-wards": 3}
    )
    with pytest.raises(ValidationError, match="already scored"):
        services.calibration_scores_save(
            by=world.rb1_reviewer, cycle=world.cycle, levels={"epr-paper-wards": 2}
        )
    # The same level again is not a change.
    assert (
        services.calibration_scores_save(
            by=world.rb1_reviewer, cycle=world.cycle, levels={"epr-paper-wards": 3}
        )
        == 0
    )
    with pytest.raises(ValidationError, match="Unknown calibration cases"):
        services.calibration_scores_save(
            by=world.rb1_reviewer, cycle=world.cycle, levels={"no-such-case": 3}
        )
    with pytest.raises(PermissionDenied):
        services.calibration_scores_save(
            by=world.ra1_submitter, cycle=world.cycle, levels={"epr-paper-wards": 3}
        )
    assert CalibrationScore.objects.get(reviewer=world.rb1_reviewer).level == 3


# --- reminders -------------------------------------------------------------------------------------


def test_reminders_go_on_reminder_days_once(matched, django_capture_on_commit_callbacks):
    closes = matched.cycle.review_closes_on
    assert (
        services.review_reminders_send(
            cycle=matched.cycle, today=closes - dt.timedelta(days=10)
        ).sent
        == 0
    )
    day = closes - dt.timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.review_reminders_send(cycle=matched.cycle, today=day)
    reviewers = {a.reviewer_organisation_id for a in PeerReviewAssignment.objects.all()}
    assert run.sent == len(reviewers)
    assert ReviewReminder.objects.filter(audience="reviewer").count() == len(reviewers)
    assert all("still to review" in m.body for m in mail.outbox)
    assert services.review_reminders_send(cycle=matched.cycle, today=day).already_sent == len(
        reviewers
    )
