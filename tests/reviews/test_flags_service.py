"""Validation flags stored and decided: who may clear or query them, the organisation's replies,
and what a second computation does to flags already decided."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from maturity.accounts.models import Role
from maturity.accounts.services import membership_grant
from maturity.assessments.models import Answer
from maturity.audit.models import AuditRecord
from maturity.frameworks.selectors import get_edition
from maturity.results.models import PublishedResult
from maturity.reviews import selectors, services
from maturity.reviews.models import FlagStatus, FundingRound, ValidationFlag

from .conftest import EDITION, build_world, calibrate


@pytest.fixture
def flagged(editions):
    """RC1 answers level 5 everywhere (straight-lining); RA1 says it has no EPR while counting
    EPR criteria; RA1 was at 1.5 last year by the published results; a funding round closes soon."""
    edition = get_edition(EDITION)
    world = build_world(levels={"RC1": {d.id: 5 for d in edition.domains}})
    Answer.objects.filter(return_obj=world.returns["RA1"], item_id="ctx.epr_in_place").update(
        value=False
    )
    PublishedResult.objects.create(
        organisation=world.orgs["RA1"],
        year=world.cycle.year - 1,
        care_setting="acute",
        overall=1.5,
        overall_basis="comparable domains",
        method="test",
        source_note="test",
        source_file="test.xlsx",
        publication_version="v1",
        published_on=dt.date(world.cycle.year - 1, 12, 1),
    )
    FundingRound.objects.create(
        name="Frontline digitisation round",
        closes_on=timezone.localdate() + dt.timedelta(days=30),
        created_at=timezone.now(),
    )
    services.flags_raise(by=world.analyst, cycle=world.cycle)
    return world


def _flag(world, code: str, kind: str) -> ValidationFlag:
    return ValidationFlag.objects.get(return_obj=world.returns[code], kind=kind)


def test_flags_are_raised_with_their_explanations(flagged):
    kinds = {
        (f.return_obj.organisation.ods_code, f.kind)
        for f in ValidationFlag.objects.select_related("return_obj__organisation")
    }
    assert ("RC1", "straight_lining") in kinds
    assert ("RA1", "epr_contradiction") in kinds
    assert ("RA1", "implausible_jump") in kinds
    assert ("RA1", "jump_before_funding") in kinds
    assert ("RB1", "straight_lining") not in kinds
    straight = _flag(flagged, "RC1", "straight_lining")
    assert "All 44 domains are at level 5." in straight.explanation
    assert straight.status == FlagStatus.OPEN
    epr = _flag(flagged, "RA1", "epr_contradiction")
    assert "Electronic patient record is at level 4" in epr.explanation
    assert "the return's own contextual answers say no EPR is in use" in epr.explanation
    jump = _flag(flagged, "RA1", "implausible_jump")
    assert "NHS England's published" in jump.explanation
    funding = _flag(flagged, "RA1", "jump_before_funding")
    assert "30 days before Frontline digitisation round closed" in funding.explanation
    assert (
        AuditRecord.objects.filter(action="flag.raised").count() == ValidationFlag.objects.count()
    )


def test_system_leads_validate_only_their_own_system(flagged):
    ra1 = _flag(flagged, "RA1", "epr_contradiction")
    rc1 = _flag(flagged, "RC1", "straight_lining")
    with pytest.raises(PermissionDenied):
        services.flag_decide(by=flagged.lead_c, flag=ra1, decision="clear", reason="Fine")
    with pytest.raises(PermissionDenied):
        services.flag_decide(by=flagged.lead_a, flag=rc1, decision="clear", reason="Fine")
    queried = services.flag_decide(
        by=flagged.lead_a, flag=ra1, decision="query", reason="When did your EPR go live?"
    )
    assert queried.status == FlagStatus.QUERIED and queried.decided_by == flagged.lead_a
    cleared = services.flag_decide(
        by=flagged.lead_c, flag=rc1, decision="clear", reason="Audited in person."
    )
    assert cleared.status == FlagStatus.CLEARED
    record = AuditRecord.objects.get(action="flag.cleared")
    assert record.reason == "Audited in person."


def test_regional_validators_validate_their_region(flagged):
    ra1 = _flag(flagged, "RA1", "epr_contradiction")
    rc1 = _flag(flagged, "RC1", "straight_lining")
    services.flag_decide(by=flagged.north_validator, flag=ra1, decision="clear", reason="Seen.")
    with pytest.raises(PermissionDenied):
        services.flag_decide(by=flagged.north_validator, flag=rc1, decision="clear", reason="x")


def test_nobody_validates_their_own_organisation(flagged):
    # A system lead of ICB North A who also answers Alpha's return.
    membership_grant(
        by=None, user=flagged.lead_a, organisation=flagged.orgs["RA1"], role=Role.CONTRIBUTOR
    )
    ra1 = _flag(flagged, "RA1", "epr_contradiction")
    with pytest.raises(PermissionDenied):
        services.flag_decide(by=flagged.lead_a, flag=ra1, decision="clear", reason="Mine.")
    for user in (flagged.ra1_submitter, flagged.rb1_reviewer, flagged.nobody, flagged.panel):
        with pytest.raises(PermissionDenied):
            services.flag_decide(by=user, flag=ra1, decision="clear", reason="x")


def test_decisions_need_a_reason_and_a_cleared_flag_stays_cleared(flagged):
    ra1 = _flag(flagged, "RA1", "epr_contradiction")
    with pytest.raises(ValidationError, match="Enter the question"):
        services.flag_decide(by=flagged.lead_a, flag=ra1, decision="query", reason="")
    with pytest.raises(ValidationError, match="clear or query"):
        services.flag_decide(by=flagged.lead_a, flag=ra1, decision="ignore", reason="x")
    services.flag_decide(by=flagged.lead_a, flag=ra1, decision="clear", reason="Checked.")
    with pytest.raises(ValidationError, match="cleared"):
        services.flag_decide(by=flagged.lead_a, flag=ra1, decision="query", reason="Again?")


def test_the_organisation_sees_and_answers_open_queries(flagged):
    ra1 = _flag(flagged, "RA1", "epr_contradiction")
    assert selectors.open_queries(flagged.returns["RA1"]) == []
    with pytest.raises(ValidationError, match="Only a query"):
        services.flag_reply(by=flagged.ra1_submitter, flag=ra1, text="We have an EPR.")
    services.flag_decide(
        by=flagged.lead_a, flag=ra1, decision="query", reason="When did your EPR go live?"
    )
    assert selectors.open_queries(flagged.returns["RA1"]) == [ra1]
    with pytest.raises(PermissionDenied):
        services.flag_reply(by=flagged.rb1_submitter, flag=ra1, text="Not ours.")
    with pytest.raises(PermissionDenied):
        services.flag_reply(by=flagged.lead_a, flag=ra1, text="I am the validator.")
    replied = services.flag_reply(
        by=flagged.ra1_contributor, flag=ra1, text="Live since 2019; the answer was a slip."
    )
    assert replied.reply == "Live since 2019; the answer was a slip."
    assert replied.status == FlagStatus.QUERIED


def test_recomputing_refreshes_open_flags_and_keeps_decisions(flagged):
    epr = _flag(flagged, "RA1", "epr_contradiction")
    straight = _flag(flagged, "RC1", "straight_lining")
    services.flag_decide(by=flagged.lead_c, flag=straight, decision="clear", reason="Seen.")
    # RA1 corrects its contextual answer: the EPR contradiction is no longer raised.
    Answer.objects.filter(return_obj=flagged.returns["RA1"], item_id="ctx.epr_in_place").update(
        value=True
    )
    run = services.flags_raise(by=None, cycle=flagged.cycle)
    assert run.withdrawn == 1 and run.raised == 0
    epr.refresh_from_db()
    assert epr.status == FlagStatus.CLEARED
    assert epr.decided_by is None and "No longer raised" in epr.decision_reason
    straight.refresh_from_db()
    assert straight.status == FlagStatus.CLEARED and straight.decision_reason == "Seen."


def test_a_queried_flag_is_not_withdrawn_by_the_statistics(flagged):
    epr = _flag(flagged, "RA1", "epr_contradiction")
    services.flag_decide(by=flagged.lead_a, flag=epr, decision="query", reason="Which EPR?")
    Answer.objects.filter(return_obj=flagged.returns["RA1"], item_id="ctx.epr_in_place").update(
        value=True
    )
    services.flags_raise(by=None, cycle=flagged.cycle)
    epr.refresh_from_db()
    assert epr.status == FlagStatus.QUERIED


def test_a_large_gap_with_the_peer_reviewer_is_flagged_after_the_review(flagged):
    from .conftest import assignment_of, reviewer_for

    services.matching_run(by=flagged.analyst, cycle=flagged.cycle)
    assignment = assignment_of(flagged, "RB1")
    reviewer = reviewer_for(flagged, assignment)
    calibrate(reviewer, flagged.cycle)
    for review in assignment.domain_reviews.all():
        if review.domain_id in ("hp.research", "hp.prevention", "hp.inequalities"):
            services.domain_review_decide(
                by=reviewer, review=review, decision="challenge", proposed_level=2, reason="r"
            )
        else:
            services.domain_review_decide(by=reviewer, review=review, decision="agree")
    assert not ValidationFlag.objects.filter(kind="self_peer_gap").exists()
    services.flags_raise(by=flagged.analyst, cycle=flagged.cycle)
    assert not ValidationFlag.objects.filter(kind="self_peer_gap").exists()  # not submitted
    services.assignment_submit(by=reviewer, assignment=assignment)
    services.flags_raise(by=flagged.analyst, cycle=flagged.cycle)
    gap = _flag(flagged, "RB1", "self_peer_gap")
    assert gap.explanation.startswith(
        "The self-assessed levels are higher than the peer reviewer's on 3 domains, by 3 levels"
    )


def test_only_analysts_or_the_system_compute_flags(flagged):
    with pytest.raises(PermissionDenied):
        services.flags_raise(by=flagged.lead_a, cycle=flagged.cycle)
