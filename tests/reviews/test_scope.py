"""Reviewer scope beyond the matching: a reviewer never sees their own organisation's or their own
system's return, whatever an assignment says, and whatever has moved since the matching."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from maturity.accounts.models import Role
from maturity.accounts.services import membership_grant
from maturity.organisations.models import Relationship
from maturity.reviews import selectors, services
from maturity.reviews.models import PeerReviewAssignment

from .conftest import assignment_of, calibrate


@pytest.fixture
def rb1_reviews_ra1(matched):
    """Beta (ICB North B) reviews Alpha (ICB North A)."""
    assignment = assignment_of(matched, "RA1")
    if assignment.reviewer_organisation.ods_code != "RB1":
        assignment = services.assignment_override(
            by=matched.analyst,
            assignment=assignment,
            reviewer_organisation=matched.orgs["RB1"],
            reason="For the test",
        )
    calibrate(matched.rb1_reviewer, matched.cycle)
    return assignment


def test_the_assigned_reviewer_sees_the_return(matched, rb1_reviews_ra1):
    assert rb1_reviews_ra1 in selectors.reviewer_assignments(matched.rb1_reviewer)
    assert selectors.get_assignment_for_reviewer(matched.rb1_reviewer, rb1_reviews_ra1.pk)


def test_a_reviewer_who_also_belongs_to_the_returns_system_cannot_see_it(matched, rb1_reviews_ra1):
    # The same person also contributes to Alder, in Alpha's system (ICB North A).
    membership_grant(
        by=None, user=matched.rb1_reviewer, organisation=matched.orgs["RA2"], role=Role.CONTRIBUTOR
    )
    assert rb1_reviews_ra1 not in selectors.reviewer_assignments(matched.rb1_reviewer)
    with pytest.raises(Http404):
        selectors.get_assignment_for_reviewer(matched.rb1_reviewer, rb1_reviews_ra1.pk)
    with pytest.raises(PermissionDenied):
        services.domain_review_decide(
            by=matched.rb1_reviewer,
            review=rb1_reviews_ra1.domain_reviews.first(),
            decision="agree",
        )


def test_a_reviewer_who_also_belongs_to_the_reviewed_organisation_cannot_see_it(
    matched, rb1_reviews_ra1
):
    membership_grant(
        by=None, user=matched.rb1_reviewer, organisation=matched.orgs["RA1"], role=Role.SUBMITTER
    )
    assert rb1_reviews_ra1 not in selectors.reviewer_assignments(matched.rb1_reviewer)


def test_a_return_whose_organisation_moved_into_the_reviewers_system_is_hidden(
    matched, rb1_reviews_ra1
):
    # Alpha moves into ICB North B (Beta's system) today.
    today = timezone.localdate()
    Relationship.objects.filter(child=matched.orgs["RA1"], parent=matched.orgs["QNA"]).update(
        valid_to=today
    )
    Relationship.objects.create(
        child=matched.orgs["RA1"], parent=matched.orgs["QNB"], valid_from=today, source="test"
    )
    assert rb1_reviews_ra1 not in selectors.reviewer_assignments(matched.rb1_reviewer)


def test_a_replaced_assignment_is_no_longer_seen(matched, rb1_reviews_ra1):
    services.assignment_override(
        by=matched.analyst,
        assignment=rb1_reviews_ra1,
        reviewer_organisation=matched.orgs["RC1"],
        reason="Workload",
    )
    assert rb1_reviews_ra1 not in selectors.reviewer_assignments(matched.rb1_reviewer)
    with pytest.raises(Http404):
        selectors.get_assignment_for_reviewer(matched.rb1_reviewer, rb1_reviews_ra1.pk)


def test_a_revoked_peer_reviewer_sees_nothing(matched, rb1_reviews_ra1):
    from maturity.accounts.models import Membership

    Membership.objects.filter(user=matched.rb1_reviewer).update(
        revoked_at=timezone.now() - dt.timedelta(minutes=1), revoked_by=matched.analyst
    )
    assert list(selectors.reviewer_assignments(matched.rb1_reviewer)) == []


def test_reliability_report_hand_computed(matched):
    from maturity.reviews.models import CalibrationCase

    cases = list(CalibrationCase.objects.filter(active=True).order_by("case_id"))
    # One reviewer exactly on the references, one a level above on every case it can be.
    calibrate(matched.rb1_reviewer, matched.cycle)
    services.calibration_scores_save(
        by=matched.rc1_reviewer,
        cycle=matched.cycle,
        levels={c.case_id: min(5, c.reference_level + 1) for c in cases},
    )
    data = selectors.reliability(matched.cycle)
    rows = {row.reviewer.get_username(): row.calibration for row in data.reviewers}
    assert rows["rb1_reviewer"].leniency == 0 and rows["rb1_reviewer"].kappa == 1.0
    expected = sum(min(5, c.reference_level + 1) - c.reference_level for c in cases) / len(cases)
    assert rows["rc1_reviewer"].leniency == pytest.approx(expected)
    assert rows["rc1_reviewer"].verdict == "lenient"
    assert data.cases == len(cases)


def test_double_review_units_pair_the_two_reviews(matched):
    services.blind_sample_assign(by=matched.analyst, cycle=matched.cycle, share=1.0, seed=3)
    second = (
        PeerReviewAssignment.objects.filter(kind="blind_second")
        .select_related("reviewer_organisation", "return_obj__organisation")
        .first()
    )
    first = assignment_of(matched, second.return_obj.organisation.ods_code)
    people = matched.people
    for assignment in (first, second):
        reviewer = people[f"{assignment.reviewer_organisation.ods_code.lower()}_reviewer"]
        if not selectors.calibration_done(reviewer, matched.cycle):
            calibrate(reviewer, matched.cycle)
        for review in assignment.domain_reviews.all():
            if assignment is second and review.domain_id == "sf.cyber":
                services.domain_review_decide(
                    by=reviewer, review=review, decision="challenge", proposed_level=1, reason="r"
                )
            else:
                services.domain_review_decide(by=reviewer, review=review, decision="agree")
    units = selectors.double_review_units(matched.cycle)
    assert len(units) == 44
    cyber = next(u for u in units if u.unit.endswith(":sf.cyber"))
    assert cyber.ratings == (2, 1) and cyber.pillar == "smart_foundations"
    report = selectors.reliability(matched.cycle).double
    assert report.overall.units == 44
    # Well led: every rating agrees, but all are 3 or 5: alpha is 1.
    assert report.by_pillar["well_led"].alpha == pytest.approx(1.0)
    assert report.by_pillar["smart_foundations"].alpha < 1
