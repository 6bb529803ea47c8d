"""Peer review in a real browser: a reviewer calibrates and challenges a domain, the organisation
contests it, a national analyst moderates; every page passes axe with no CSP violation."""

from __future__ import annotations

import pytest

from maturity.assessments.models import Answer
from maturity.reviews import services
from maturity.reviews.models import CalibrationCase, DomainReview, ValidationFlag

from .conftest import PASSWORD, assignment_of, build_world, reviewer_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def round_(editions):
    world = build_world()
    services.matching_run(by=world.analyst, cycle=world.cycle)
    Answer.objects.filter(return_obj=world.returns["RA1"], item_id="ctx.epr_in_place").update(
        value=False
    )
    services.flags_raise(by=world.analyst, cycle=world.cycle)
    return world


def sign_in(visitor, username: str) -> None:
    visitor.page.context.clear_cookies()
    visitor.visit("/accounts/sign-in/")
    visitor.page.fill("#id_username", username)
    visitor.page.fill("#id_password", PASSWORD)
    visitor.page.click("button:has-text('Sign in')")
    visitor.check()


def test_reviewer_challenges_and_organisation_replies(visitor, round_):
    assignment = assignment_of(round_, "RA1")
    reviewer = reviewer_for(round_, assignment)
    page = visitor.page

    # The reviewer: the hub, the assignment (asking for calibration first), the cases.
    sign_in(visitor, reviewer.get_username())
    visitor.visit("/reviews/")
    page.click("text=Alpha NHS Trust – Acute")
    visitor.check()
    assert "Calibrate first" in page.content()
    page.click("text=calibration cases for this cycle")
    visitor.check()
    page.click("button:has-text('Save levels')")  # nothing chosen: an error
    visitor.check()
    assert "There is a problem" in page.content()
    for case in CalibrationCase.objects.filter(active=True):
        page.check(f"input[name='{case.case_id}'][value='{case.reference_level}']")
    page.click("button:has-text('Save levels')")
    visitor.check()
    assert "You have scored every case for this cycle." in page.content()

    # A challenge on Cyber security, through the form (first without a reason).
    visitor.visit(f"/reviews/assigned/{assignment.pk}/")
    page.click("a:has-text('Cyber security')")
    visitor.check()
    page.check("input[name='decision'][value='challenge']")
    page.select_option("#id_proposed_level", "1")
    page.click("button:has-text('Save decision')")
    visitor.check()
    assert "Enter the reason for the challenge." in page.content()
    page.fill("#id_reason", "The DSPT was not met this year: standards not met.")
    page.fill("#id_evidence_requested", "The DSPT assessment outcome letter.")
    page.click("button:has-text('Save decision')")
    visitor.check()
    assert "Challenged: level 1" in page.content()
    for review in assignment.domain_reviews.exclude(domain_id="sf.cyber"):
        services.domain_review_decide(by=reviewer, review=review, decision="agree")
    visitor.visit(f"/reviews/assigned/{assignment.pk}/")
    page.click("button:has-text('Submit the review')")
    visitor.check()
    assert "The review was submitted" in page.content()

    # The organisation: its review, the challenge, a contested reply.
    sign_in(visitor, "ra1_submitter")
    visitor.visit("/reviews/")
    assert "1 challenge to answer" in page.content()
    page.click("text=Alpha NHS Trust – Acute (")
    visitor.check()
    page.click("a:has-text('Cyber security')")
    visitor.check()
    assert "The DSPT was not met this year" in page.content()
    page.check("input[name='response'][value='contest']")
    page.click("button:has-text('Send reply')")
    visitor.check()
    assert "Enter why you contest the challenge." in page.content()
    page.check("input[name='response'][value='contest']")
    page.fill("#id_text", "Our DSPT was assessed as meeting standards in June.")
    page.fill("#id_evidence", "https://example.nhs.uk/dspt-letter.pdf")
    page.click("button:has-text('Send reply')")
    visitor.check()
    assert "goes to a national analyst for moderation" in page.content()
    review = DomainReview.objects.get(assignment=assignment, domain_id="sf.cyber")
    assert (review.state, review.response) == ("in_moderation", "contest")

    # The national analyst decides.
    sign_in(visitor, "analyst")
    visitor.visit("/reviews/moderation/")
    page.click("a:has-text('Alpha NHS Trust – Acute: sf.cyber')")
    visitor.check()
    page.check("input[name='level'][value='2']")
    page.fill("#id_reason", "The DSPT letter shows standards met.")
    page.click("button:has-text('Record the decision')")
    visitor.check()
    review.refresh_from_db()
    assert (review.state, review.agreed_level) == ("moderated", 2)

    # Back with the organisation: the levels side by side.
    sign_in(visitor, "ra1_submitter")
    visitor.visit(f"/reviews/returns/{round_.returns['RA1'].pk}/")
    assert "Decided in moderation" in page.content()


def test_validator_and_analyst_pages_are_accessible(visitor, round_):
    page = visitor.page
    flag = ValidationFlag.objects.get(return_obj=round_.returns["RA1"], kind="epr_contradiction")
    sign_in(visitor, "lead_a")
    visitor.visit("/reviews/")
    visitor.visit("/reviews/validation/")
    page.click(f"a[href='/reviews/validation/flags/{flag.pk}/']")
    visitor.check()
    page.check("input[name='decision'][value='query']")
    page.fill("#id_reason", "When did your EPR go live?")
    page.click("button:has-text('Save decision')")
    visitor.check()

    sign_in(visitor, "ra1_contributor")
    visitor.visit(f"/reviews/returns/{round_.returns['RA1'].pk}/")
    assert "When did your EPR go live?" in page.content()
    page.click("a:has-text('Reply')")
    visitor.check()
    page.fill("#id_text", "In 2019; the contextual answer was a mistake.")
    page.click("button:has-text('Send reply')")
    visitor.check()

    sign_in(visitor, "analyst")
    cycle = round_.cycle.pk
    for path in (
        "/reviews/",
        f"/reviews/cycles/{cycle}/",
        f"/reviews/cycles/{cycle}/reliability/",
        f"/reviews/cycles/{cycle}/inflation/",
        f"/reviews/cycles/{cycle}/inflation/?by=region",
        f"/reviews/assignments/{assignment_of(round_, 'RB1').pk}/override/",
        "/reviews/moderation/",
        "/reviews/funding-rounds/",
    ):
        visitor.visit(path)
    page.click("button:has-text('Record the funding round')")  # empty: errors shown
    visitor.check()
    assert "Enter the funding round" in page.content()
