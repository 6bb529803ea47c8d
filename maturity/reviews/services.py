"""Writes of peer review and validation. Each is atomic, keyword-only, checks who acts and
records an audit entry in the same transaction.

``by`` is the acting user. ``None`` is the system (scheduled tasks and the demonstration): only
the matching, the flags and the reminders may run as the system.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from maturity.accounts.models import Membership, Role
from maturity.assessments.models import Cycle, Return, ReturnStatus
from maturity.audit.services import record
from maturity.core.framework.schema import Edition
from maturity.core.review.flags import FLAGS_METHOD, raise_flags
from maturity.core.review.flags import FundingRound as CoreFundingRound
from maturity.core.review.matching import (
    DEFAULT_CANDIDATES,
    DEFAULT_MAX_LOAD,
    MatchingResult,
    ReviewerOrganisation,
    explain_match,
    match_reviewers,
)
from maturity.core.review.outcome import (
    EVIDENCE_LEVEL,
    Decision,
    Response,
    ReviewRuleError,
    State,
    domain_outcome,
)
from maturity.organisations.models import Organisation

from . import cohort, selectors
from .models import (
    AssignmentKind,
    AssignmentStatus,
    CalibrationCase,
    CalibrationScore,
    DomainReview,
    FlagStatus,
    FundingRound,
    MatchingRun,
    Moderation,
    PeerReviewAssignment,
    ReviewAudience,
    ReviewReminder,
    ValidationFlag,
)

#: Reminders go this many days before the review closes.
REMINDER_DAYS = (14, 7, 3, 1)
TEXT_LIMIT = 5_000
#: Share of reviewed returns given a blind second review, unless the analyst chooses otherwise.
DEFAULT_BLIND_SHARE = 0.1


def _now() -> dt.datetime:
    return timezone.now()


def _require_analyst(by: Any, doing: str, *, system_allowed: bool = False) -> None:
    if by is None and system_allowed:
        return
    if by is None or not selectors.is_national_analyst(by):
        raise PermissionDenied(f"Only national analysts can {doing}.")


def _text(value: str, *, field_name: str, label: str, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field_name: f"Enter {label}."})
    if len(text) > TEXT_LIMIT:
        raise ValidationError(
            {
                field_name: f"{label[0].upper()}{label[1:]} must be {TEXT_LIMIT:,} characters or fewer."
            }
        )
    return text


def _edition(cycle: Cycle) -> Edition:
    from maturity.frameworks.selectors import get_edition

    return get_edition(cycle.edition.edition_id)


# --- matching ----------------------------------------------------------------------------------


def _current_load(cycle: Cycle) -> dict[int, int]:
    load: dict[int, int] = defaultdict(int)
    for org_id in (
        PeerReviewAssignment.objects.filter(cycle=cycle)
        .exclude(status=AssignmentStatus.REPLACED)
        .values_list("reviewer_organisation_id", flat=True)
    ):
        load[org_id] += 1
    return load


def _create_assignment(
    *,
    by: Any,
    cycle: Cycle,
    return_: Return,
    reviewer: Organisation,
    kind: str,
    reviewee_ics: Organisation,
    reviewer_ics: Organisation,
    explanation: str,
    size_ratio: float | None,
    reciprocal: bool,
    run: MatchingRun | None,
    edition: Edition,
    levels: dict[str, int],
) -> PeerReviewAssignment:
    assignment = PeerReviewAssignment.objects.create(
        cycle=cycle,
        return_obj=return_,
        reviewer_organisation=reviewer,
        kind=kind,
        reviewee_ics=reviewee_ics,
        reviewer_ics=reviewer_ics,
        explanation=explanation,
        size_ratio=size_ratio,
        reciprocal=reciprocal,
        matching_run=run,
        created_at=_now(),
        created_by=by,
    )
    pillar_of = {d.id: str(d.pillar) for d in edition.domains}
    DomainReview.objects.bulk_create(
        DomainReview(
            assignment=assignment,
            domain_id=domain_id,
            pillar_id=pillar_of.get(domain_id, ""),
            self_level=int(level),
        )
        for domain_id, level in sorted(levels.items())
    )
    record(
        actor=by,
        action="review.assigned",
        target=assignment,
        organisation=return_.organisation_id,
        after={
            "reviewer": reviewer.ods_code,
            "kind": kind,
            "return": return_.pk,
            "explanation": explanation,
        },
    )
    return assignment


def _store_matching(
    *,
    by: Any,
    cycle: Cycle,
    kind: str,
    returns: list[Return],
    built: cohort.MatchingCohort,
    result: MatchingResult,
    max_load: int,
    seed: int | None,
    no_score: list[Return],
) -> MatchingRun:
    by_pk = {r.pk: r for r in returns}
    scores = cohort.latest_scores(by_pk)
    edition = _edition(cycle)
    unmatched = [
        {
            "return_id": int(u.reviewee),
            "organisation": by_pk[int(u.reviewee)].organisation.name,
            "care_setting": by_pk[int(u.reviewee)].care_setting,
            "reason": u.reason,
        }
        for u in result.unmatched
    ] + [
        {
            "return_id": r.pk,
            "organisation": r.organisation.name,
            "care_setting": r.care_setting,
            "reason": "The return has no stored score to review.",
        }
        for r in no_score
    ]
    run = MatchingRun.objects.create(
        cycle=cycle,
        kind=kind,
        max_load=max_load,
        method=result.method,
        matched=len(result.matches),
        reciprocal_pairs=result.reciprocal_pairs,
        unmatched=unmatched,
        sample_seed=seed,
        run_by=by,
        run_at=_now(),
    )
    for match in result.matches:
        return_ = by_pk[int(match.reviewee)]
        reviewer = built.organisations[int(match.reviewer)]
        _create_assignment(
            by=by,
            cycle=cycle,
            return_=return_,
            reviewer=reviewer,
            kind=kind,
            reviewee_ics=built.placements[return_.organisation_id].ics,
            reviewer_ics=built.placements[reviewer.pk].ics,
            explanation=match.explanation,
            size_ratio=match.size_ratio,
            reciprocal=match.reciprocal,
            run=run,
            edition=edition,
            levels=dict(scores[return_.pk].domain_levels),
        )
    record(
        actor=by,
        action="review.matching_run",
        target=run,
        after={
            "cycle": cycle.pk,
            "kind": kind,
            "matched": run.matched,
            "unmatched": len(unmatched),
            "reciprocal_pairs": run.reciprocal_pairs,
            "max_load": max_load,
        },
    )
    return run


@transaction.atomic
def matching_run(
    *,
    by: Any,
    cycle: Cycle,
    max_load: int = DEFAULT_MAX_LOAD,
    candidates_per_return: int | None = DEFAULT_CANDIDATES,
) -> MatchingRun:
    """Match every committed return of the cycle that has no reviewer yet with a reviewing
    organisation (:mod:`maturity.core.review.matching`), and open its domain reviews.

    Systems are read on the cycle's close; a pair in one system by today's hierarchy is excluded
    too, because a reviewer never sees a return of their own system."""
    _require_analyst(by, "match peer reviewers", system_allowed=True)
    if max_load < 1:
        raise ValidationError({"max_load": "Each organisation must be able to review a return."})
    assigned = set(
        PeerReviewAssignment.objects.filter(cycle=cycle, kind=AssignmentKind.PRIMARY)
        .exclude(status=AssignmentStatus.REPLACED)
        .values_list("return_obj_id", flat=True)
    )
    waiting = [r for r in cohort.reviewable_returns(cycle) if r.pk not in assigned]
    scores = cohort.latest_scores(r.pk for r in waiting)
    returns = [r for r in waiting if r.pk in scores]
    no_score = [r for r in waiting if r.pk not in scores]
    built = cohort.matching_cohort(cycle, returns)
    result = match_reviewers(
        built.reviewees,
        built.reviewers,
        max_load=max_load,
        existing_load={str(k): v for k, v in _current_load(cycle).items()},
        excluded=built.same_system_today,
        candidates_per_return=candidates_per_return,
    )
    return _store_matching(
        by=by,
        cycle=cycle,
        kind=AssignmentKind.PRIMARY,
        returns=returns,
        built=built,
        result=result,
        max_load=max_load,
        seed=None,
        no_score=no_score,
    )


@transaction.atomic
def blind_sample_assign(
    *,
    by: Any,
    cycle: Cycle,
    share: float = DEFAULT_BLIND_SHARE,
    seed: int | None = None,
    max_load: int = DEFAULT_MAX_LOAD + 1,
) -> MatchingRun:
    """Give a seeded random sample of the reviewed returns a blind second review by another
    organisation (never the first reviewer), for the inter-rater reliability report."""
    _require_analyst(by, "assign blind second reviews", system_allowed=True)
    if not 0 < share <= 1:
        raise ValidationError({"share": "The share must be more than 0% and at most 100%."})
    primary = {
        a.return_obj_id: a.reviewer_organisation_id
        for a in PeerReviewAssignment.objects.filter(
            cycle=cycle, kind=AssignmentKind.PRIMARY
        ).exclude(status=AssignmentStatus.REPLACED)
    }
    second = set(
        PeerReviewAssignment.objects.filter(cycle=cycle, kind=AssignmentKind.BLIND_SECOND)
        .exclude(status=AssignmentStatus.REPLACED)
        .values_list("return_obj_id", flat=True)
    )
    eligible = sorted(pk for pk in primary if pk not in second)
    if not eligible:
        raise ValidationError("No reviewed return is left to give a second review.")
    seed = seed if seed is not None else random.SystemRandom().randrange(2**31)
    chosen = set(random.Random(seed).sample(eligible, max(1, round(share * len(eligible)))))
    returns = [r for r in cohort.reviewable_returns(cycle) if r.pk in chosen]
    built = cohort.matching_cohort(cycle, returns)
    result = match_reviewers(
        built.reviewees,
        built.reviewers,
        max_load=max_load,
        existing_load={str(k): v for k, v in _current_load(cycle).items()},
        excluded={(str(pk), str(primary[pk])) for pk in chosen} | built.same_system_today,
    )
    return _store_matching(
        by=by,
        cycle=cycle,
        kind=AssignmentKind.BLIND_SECOND,
        returns=returns,
        built=built,
        result=result,
        max_load=max_load,
        seed=seed,
        no_score=[],
    )


@transaction.atomic
def assignment_override(
    *, by: Any, assignment: PeerReviewAssignment, reviewer_organisation: Organisation, reason: str
) -> PeerReviewAssignment:
    """A national analyst replaces the reviewing organisation, with a reason. The hard rules
    still hold: same care setting, not the organisation itself, another known system."""
    _require_analyst(by, "change a reviewer")
    reason = _text(reason, field_name="reason", label="the reason for the change", required=True)
    assignment = PeerReviewAssignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.status == AssignmentStatus.REPLACED:
        raise ValidationError("This assignment has already been replaced.")
    if assignment.status == AssignmentStatus.SUBMITTED:
        raise ValidationError("The review has been submitted: its reviewer cannot be changed.")
    cycle = assignment.cycle
    return_ = assignment.return_obj
    reviewer = reviewer_organisation
    if reviewer.pk == assignment.reviewer_organisation_id:
        raise ValidationError({"reviewer": "Choose an organisation other than the current one."})
    if reviewer.pk == return_.organisation_id:
        raise ValidationError({"reviewer": "An organisation cannot review its own return."})
    answers_setting = (
        Return.objects.active()
        .filter(cycle=cycle, organisation=reviewer, care_setting=return_.care_setting)
        .exists()
    )
    if not answers_setting:
        raise ValidationError(
            {"reviewer": "The organisation does not answer this care setting in the cycle."}
        )
    if assignment.kind == AssignmentKind.BLIND_SECOND:
        first = (
            PeerReviewAssignment.objects.filter(return_obj=return_, kind=AssignmentKind.PRIMARY)
            .exclude(status=AssignmentStatus.REPLACED)
            .values_list("reviewer_organisation_id", flat=True)
            .first()
        )
        if first == reviewer.pk:
            raise ValidationError(
                {"reviewer": "The second review must be by another organisation."}
            )
    built = cohort.matching_cohort(cycle, [return_])
    reviewee_ics = built.placements[return_.organisation_id].ics
    placed = cohort.placements([reviewer.pk], cohort.hierarchy_date(cycle))[reviewer.pk]
    if reviewee_ics is None or placed.ics is None:
        raise ValidationError(
            {"reviewer": "Both organisations' integrated care systems must be known."}
        )
    if reviewee_ics.pk == placed.ics.pk or (str(return_.pk), str(reviewer.pk)) in (
        built.same_system_today
    ):
        raise ValidationError(
            {"reviewer": "The reviewer must be in another integrated care system."}
        )
    before = {"reviewer": assignment.reviewer_organisation.ods_code}
    assignment.status = AssignmentStatus.REPLACED
    assignment.replaced_at = _now()
    assignment.replaced_by = by
    assignment.replace_reason = reason
    assignment.save(update_fields=["status", "replaced_at", "replaced_by", "replace_reason"])
    load = _current_load(cycle).get(reviewer.pk, 0) + 1
    reviewee = next(r for r in built.reviewees if r.key == str(return_.pk))
    size, basis = cohort.sizes([reviewer])[reviewer.pk]
    reciprocal = (
        PeerReviewAssignment.objects.filter(
            cycle=cycle,
            reviewer_organisation_id=return_.organisation_id,
            return_obj__organisation=reviewer,
        )
        .exclude(status=AssignmentStatus.REPLACED)
        .exists()
    )
    facts = explain_match(
        reviewee,
        ReviewerOrganisation(
            organisation=str(reviewer.pk),
            care_settings=frozenset({return_.care_setting}),
            ics=str(placed.ics.pk),
            size=size,
            name=reviewer.name,
            ics_name=placed.ics.name,
            size_basis=basis,
        ),
        load=load,
        max_load=None,
        reciprocal=reciprocal,
    )
    if reciprocal:
        facts = facts.replace(
            "among the candidates considered, no arrangement matching as many returns avoided "
            "this reciprocal pair.",
            "the national analyst chose this reciprocal pair.",
        )
    analyst = by.get_full_name() or by.get_username()
    explanation = (
        f"Chosen by {analyst} (national analyst) in place of "
        f"{assignment.reviewer_organisation.name}: {reason} {facts}"
    )
    size_ratio = size / reviewee.size if size and reviewee.size else None
    new = _create_assignment(
        by=by,
        cycle=cycle,
        return_=return_,
        reviewer=reviewer,
        kind=assignment.kind,
        reviewee_ics=reviewee_ics,
        reviewer_ics=placed.ics,
        explanation=explanation,
        size_ratio=size_ratio,
        reciprocal=reciprocal,
        run=None,
        edition=_edition(cycle),
        levels={r.domain_id: r.self_level for r in assignment.domain_reviews.all()},
    )
    record(
        actor=by,
        action="review.reviewer_changed",
        target=new,
        organisation=return_.organisation_id,
        before=before,
        after={"reviewer": reviewer.ods_code, "replaces": assignment.pk},
        reason=reason,
    )
    return new


# --- the review -------------------------------------------------------------------------------


def _require_committed(return_: Return) -> None:
    if return_.status != ReturnStatus.COMMITTED or return_.withdrawn_at is not None:
        raise ValidationError(
            "The return has been unlocked or withdrawn: it can be reviewed again once it is "
            "committed."
        )


def _require_reviewer(by: Any, assignment: PeerReviewAssignment) -> None:
    if by is None or not selectors.can_review(by, assignment):
        raise PermissionDenied("Only the assigned organisation's peer reviewers can do this.")


@transaction.atomic
def domain_review_decide(
    *,
    by: Any,
    review: DomainReview,
    decision: str,
    proposed_level: int | None = None,
    reason: str = "",
    evidence_requested: str = "",
    evidence_confirmed: bool = False,
) -> DomainReview:
    """The reviewer agrees with a domain's self-assessed level or challenges it, proposing a level
    with a reason and the evidence asked for. Levels 4 and 5 count only when the reviewer
    confirms their evidence."""
    review = (
        DomainReview.objects.select_for_update()
        .select_related("assignment__cycle", "assignment__return_obj")
        .get(pk=review.pk)
    )
    assignment = review.assignment
    _require_reviewer(by, assignment)
    if assignment.status != AssignmentStatus.ACTIVE:
        raise ValidationError("This review has been submitted and can no longer be changed.")
    _require_committed(assignment.return_obj)
    if not selectors.calibration_done(by, assignment.cycle):
        raise ValidationError(
            "Score the calibration cases for this cycle before reviewing returns."
        )
    if decision not in (Decision.AGREE, Decision.CHALLENGE):
        raise ValidationError({"decision": "Choose whether you agree or challenge."})
    reason = _text(
        reason,
        field_name="reason",
        label="the reason for the challenge",
        required=decision == Decision.CHALLENGE,
    )
    evidence_requested = _text(
        evidence_requested, field_name="evidence_requested", label="the evidence", required=False
    )
    if decision == Decision.AGREE:
        proposed_level = None
    elif proposed_level is None:
        raise ValidationError({"proposed_level": "Choose the level you propose."})
    elif proposed_level == review.self_level:
        raise ValidationError(
            {"proposed_level": "A challenge must propose a level other than the self-assessed one."}
        )
    level = review.self_level if decision == Decision.AGREE else proposed_level
    evidence_confirmed = bool(evidence_confirmed) and level is not None and level >= EVIDENCE_LEVEL
    try:
        outcome = domain_outcome(
            self_level=review.self_level,
            decision=decision,
            proposed_level=proposed_level,
            evidence_confirmed=evidence_confirmed,
        )
    except ReviewRuleError as error:
        raise ValidationError({"proposed_level": str(error)}) from error
    before = _review_snapshot(review)
    review.decision = decision
    review.proposed_level = proposed_level
    review.reason = reason
    review.evidence_requested = evidence_requested
    review.evidence_confirmed = evidence_confirmed
    review.decided_at = _now()
    review.decided_by = by
    review.state = outcome.state
    review.agreed_level = outcome.agreed_level
    review.counted_level = outcome.counted_level
    review.save()
    record(
        actor=by,
        action="review.domain_decided",
        target=review,
        organisation=assignment.reviewer_organisation_id,
        before=before,
        after=_review_snapshot(review),
    )
    return review


def _review_snapshot(review: DomainReview) -> dict[str, Any]:
    return {
        "domain": review.domain_id,
        "decision": review.decision,
        "proposed_level": review.proposed_level,
        "evidence_confirmed": review.evidence_confirmed,
        "response": review.response,
        "state": review.state,
        "agreed_level": review.agreed_level,
        "counted_level": review.counted_level,
    }


@transaction.atomic
def assignment_submit(*, by: Any, assignment: PeerReviewAssignment) -> PeerReviewAssignment:
    """The reviewer submits the review once every domain is decided; the organisation then sees
    it and replies to the challenges."""
    assignment = PeerReviewAssignment.objects.select_for_update().get(pk=assignment.pk)
    _require_reviewer(by, assignment)
    if assignment.status != AssignmentStatus.ACTIVE:
        raise ValidationError("This review has already been submitted.")
    _require_committed(assignment.return_obj)
    undecided = assignment.domain_reviews.filter(decision="").count()
    if undecided:
        raise ValidationError(
            f"Decide every domain before submitting: {undecided} still "
            f"{'needs' if undecided == 1 else 'need'} a decision."
        )
    assignment.status = AssignmentStatus.SUBMITTED
    assignment.submitted_at = _now()
    assignment.submitted_by = by
    assignment.save(update_fields=["status", "submitted_at", "submitted_by"])
    challenged = assignment.domain_reviews.filter(decision=Decision.CHALLENGE).count()
    record(
        actor=by,
        action="review.submitted",
        target=assignment,
        organisation=assignment.return_obj.organisation_id,
        after={"challenged": challenged, "kind": assignment.kind},
    )
    return assignment


@transaction.atomic
def domain_review_reply(
    *, by: Any, review: DomainReview, response: str, text: str = "", evidence: str = ""
) -> DomainReview:
    """The organisation accepts or contests a challenge (contesting needs a reason and may give
    evidence). A contested challenge, or one two levels or more away, goes to moderation."""
    review = (
        DomainReview.objects.select_for_update()
        .select_related("assignment__return_obj")
        .get(pk=review.pk)
    )
    assignment = review.assignment
    return_ = assignment.return_obj
    if by is None or not selectors.is_editor_of(by, return_.organisation_id):
        raise PermissionDenied("Only the organisation's contributors and submitters can reply.")
    if assignment.kind != AssignmentKind.PRIMARY or assignment.status != AssignmentStatus.SUBMITTED:
        raise PermissionDenied("There is no submitted review to reply to.")
    if review.state != State.AWAITING_ORGANISATION:
        raise ValidationError("This domain is not waiting for a reply.")
    if response not in (Response.ACCEPT, Response.CONTEST):
        raise ValidationError({"response": "Choose whether you accept or contest the challenge."})
    text = _text(
        text,
        field_name="text",
        label="why you contest the challenge",
        required=response == Response.CONTEST,
    )
    evidence = _text(evidence, field_name="evidence", label="the evidence", required=False)
    outcome = domain_outcome(
        self_level=review.self_level,
        decision=review.decision,
        proposed_level=review.proposed_level,
        response=response,
        evidence_confirmed=review.evidence_confirmed,
    )
    before = _review_snapshot(review)
    review.response = response
    review.response_text = text
    review.response_evidence = evidence
    review.responded_at = _now()
    review.responded_by = by
    review.state = outcome.state
    review.agreed_level = outcome.agreed_level
    review.counted_level = outcome.counted_level
    review.save()
    if outcome.state == State.IN_MODERATION:
        Moderation.objects.create(
            domain_review=review, reason=outcome.moderation_reason, opened_at=_now()
        )
    record(
        actor=by,
        action="review.replied",
        target=review,
        organisation=return_.organisation_id,
        before=before,
        after=_review_snapshot(review),
        reason=text,
    )
    return review


@transaction.atomic
def moderation_decide(
    *, by: Any, moderation: Moderation, level: int, reason: str, evidence_confirmed: bool = False
) -> Moderation:
    """A national analyst decides a moderated domain's level. The decision is final."""
    _require_analyst(by, "moderate peer reviews")
    moderation = (
        Moderation.objects.select_for_update().select_related("domain_review").get(pk=moderation.pk)
    )
    if moderation.is_decided:
        raise ValidationError("This moderation has been decided; the decision is final.")
    reason = _text(reason, field_name="reason", label="the reason for the decision", required=True)
    if level not in (1, 2, 3, 4, 5):
        raise ValidationError({"level": "Choose a level from 1 to 5."})
    review = DomainReview.objects.select_for_update().get(pk=moderation.domain_review_id)
    confirmed = review.evidence_confirmed or (bool(evidence_confirmed) and level >= EVIDENCE_LEVEL)
    outcome = domain_outcome(
        self_level=review.self_level,
        decision=review.decision,
        proposed_level=review.proposed_level,
        response=review.response,
        moderated_level=level,
        evidence_confirmed=confirmed,
    )
    moderation.decided_level = level
    moderation.evidence_confirmed = bool(evidence_confirmed) and level >= EVIDENCE_LEVEL
    moderation.decision_reason = reason
    moderation.decided_at = _now()
    moderation.decided_by = by
    moderation.save()
    before = _review_snapshot(review)
    review.state = outcome.state
    review.agreed_level = outcome.agreed_level
    review.counted_level = outcome.counted_level
    review.save(update_fields=["state", "agreed_level", "counted_level"])
    record(
        actor=by,
        action="review.moderated",
        target=moderation,
        organisation=review.assignment.return_obj.organisation_id,
        before=before,
        after=_review_snapshot(review) | {"decided_level": level},
        reason=reason,
    )
    return moderation


# --- calibration ---------------------------------------------------------------------------------


@transaction.atomic
def calibration_scores_save(*, by: Any, cycle: Cycle, levels: dict[str, int]) -> int:
    """A peer reviewer's levels for calibration cases. A first score is kept as given: a case
    already scored for the cycle cannot be scored again. Returns how many were saved."""
    if by is None or not selectors.is_peer_reviewer(by):
        raise PermissionDenied("Only peer reviewers score calibration cases.")
    cases = {c.case_id: c for c in CalibrationCase.objects.filter(active=True)}
    unknown = sorted(set(levels) - set(cases))
    if unknown:
        raise ValidationError(f"Unknown calibration cases: {', '.join(unknown)}.")
    errors = {
        case_id: "Choose a level from 1 to 5."
        for case_id, level in levels.items()
        if level not in (1, 2, 3, 4, 5)
    }
    if errors:
        raise ValidationError(errors)
    existing = dict(
        CalibrationScore.objects.filter(reviewer=by, cycle=cycle).values_list(
            "case__case_id", "level"
        )
    )
    changed = sorted(c for c, level in levels.items() if c in existing and existing[c] != level)
    if changed:
        raise ValidationError(
            "Calibration scores are kept as first given; these cases are already scored: "
            + ", ".join(changed)
            + "."
        )
    new = {c: level for c, level in levels.items() if c not in existing}
    now = _now()
    CalibrationScore.objects.bulk_create(
        CalibrationScore(case=cases[c], cycle=cycle, reviewer=by, level=level, scored_at=now)
        for c, level in sorted(new.items())
    )
    if new:
        record(
            actor=by,
            action="calibration.scored",
            target=("reviews.calibration", f"{cycle.pk}-{by.pk}"),
            after={"cycle": cycle.pk, "levels": new},
        )
    return len(new)


# --- validation flags ------------------------------------------------------------------------------


@dataclass
class FlagRun:
    cycle_id: int
    raised: int = 0
    refreshed: int = 0
    withdrawn: int = 0
    returns: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


def peer_levels_for(cycle: Cycle) -> dict[int, dict[str, int]]:
    """The primary reviewers' levels of each submitted review (agreed or proposed)."""
    levels: dict[int, dict[str, int]] = defaultdict(dict)
    for review in DomainReview.objects.filter(
        assignment__cycle=cycle,
        assignment__kind=AssignmentKind.PRIMARY,
        assignment__status=AssignmentStatus.SUBMITTED,
    ).select_related("assignment"):
        if review.reviewer_level is not None:
            levels[review.assignment.return_obj_id][review.domain_id] = review.reviewer_level
    return levels


@transaction.atomic
def flags_raise(*, by: Any, cycle: Cycle) -> FlagRun:
    """Compute the validation flags of the cycle's committed returns and store them: new flags
    open; open flags still raised are refreshed; open flags no longer raised are closed by the
    system with the reason. A flag a validator has decided is left as decided."""
    _require_analyst(by, "raise validation flags", system_allowed=True)
    edition = _edition(cycle)
    returns = cohort.reviewable_returns(cycle)
    profiles = cohort.build_profiles(cycle, returns, edition, peer_levels=peer_levels_for(cycle))
    rounds = [CoreFundingRound(r.name, r.closes_on) for r in FundingRound.objects.all()]
    found = raise_flags(profiles, edition=cohort.edition_facts(edition), funding_rounds=rounds)
    organisation_of = {r.pk: r.organisation_id for r in returns}
    existing = {
        (f.return_obj_id, f.kind): f
        for f in ValidationFlag.objects.select_for_update().filter(cycle=cycle)
    }
    now = _now()
    run = FlagRun(cycle_id=cycle.pk, returns=len(profiles))
    seen = set()
    for flag in found:
        key = (int(flag.key), flag.kind)
        seen.add(key)
        run.by_kind[flag.kind] = run.by_kind.get(flag.kind, 0) + 1
        current = existing.get(key)
        if current is None:
            stored = ValidationFlag.objects.create(
                cycle=cycle,
                return_obj_id=key[0],
                kind=flag.kind,
                explanation=flag.explanation,
                details=_json(flag.details),
                method=FLAGS_METHOD,
                raised_at=now,
                refreshed_at=now,
            )
            record(
                actor=by,
                action="flag.raised",
                target=stored,
                organisation=organisation_of[key[0]],
                after={"kind": flag.kind, "explanation": flag.explanation},
            )
            run.raised += 1
        elif current.status == FlagStatus.OPEN:
            current.explanation = flag.explanation
            current.details = _json(flag.details)
            current.refreshed_at = now
            current.save(update_fields=["explanation", "details", "refreshed_at"])
            run.refreshed += 1
    for key, current in existing.items():
        if key not in seen and current.status == FlagStatus.OPEN:
            current.status = FlagStatus.CLEARED
            current.decided_at = now
            current.decision_reason = (
                f"No longer raised when the statistics were recomputed on "
                f"{timezone.localdate(now):%d %B %Y}."
            )
            current.save(update_fields=["status", "decided_at", "decision_reason"])
            record(
                actor=by,
                action="flag.withdrawn",
                target=current,
                organisation=current.return_obj.organisation_id,
                before={"status": FlagStatus.OPEN},
                after={"status": FlagStatus.CLEARED},
                reason=current.decision_reason,
            )
            run.withdrawn += 1
    _benchmarks_changed(cycle)
    return run


def _benchmarks_changed(cycle: Cycle) -> None:
    # Flags and published levels feed the area dashboards: rebuilt by the worker after commit.
    from maturity.benchmarks.services import schedule_cycle_snapshot_build

    schedule_cycle_snapshot_build(cycle=cycle)


def _json(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    if isinstance(value, float):
        return round(value, 6)
    return value


FLAG_DECISIONS = {"clear": FlagStatus.CLEARED, "query": FlagStatus.QUERIED}


@transaction.atomic
def flag_decide(*, by: Any, flag: ValidationFlag, decision: str, reason: str) -> ValidationFlag:
    """A system lead or regional validator (in their area) clears a flag or queries it with the
    organisation, giving a reason. A cleared flag stays cleared."""
    flag = ValidationFlag.objects.select_for_update().get(pk=flag.pk)
    if by is None or not selectors.validation_area(by).filter(pk=flag.return_obj_id).exists():
        raise PermissionDenied("Only validators of the organisation's area can decide this flag.")
    if decision not in FLAG_DECISIONS:
        raise ValidationError({"decision": "Choose whether to clear or query the flag."})
    if flag.status == FlagStatus.CLEARED:
        raise ValidationError("This flag has been cleared.")
    reason = _text(
        reason,
        field_name="reason",
        label="the reason" if decision == "clear" else "the question for the organisation",
        required=True,
    )
    before = {"status": flag.status}
    flag.status = FLAG_DECISIONS[decision]
    flag.decided_at = _now()
    flag.decided_by = by
    flag.decision_reason = reason
    flag.save(update_fields=["status", "decided_at", "decided_by", "decision_reason"])
    record(
        actor=by,
        action=f"flag.{'cleared' if decision == 'clear' else 'queried'}",
        target=flag,
        organisation=flag.return_obj.organisation_id,
        before=before,
        after={"status": flag.status},
        reason=reason,
    )
    _benchmarks_changed(flag.cycle)
    return flag


@transaction.atomic
def flag_reply(*, by: Any, flag: ValidationFlag, text: str) -> ValidationFlag:
    """The organisation answers a validator's query on one of its returns."""
    flag = ValidationFlag.objects.select_for_update().select_related("return_obj").get(pk=flag.pk)
    if by is None or not selectors.is_editor_of(by, flag.return_obj.organisation_id):
        raise PermissionDenied("Only the organisation's contributors and submitters can reply.")
    if flag.status != FlagStatus.QUERIED:
        raise ValidationError("Only a query can be answered.")
    text = _text(text, field_name="text", label="your reply", required=True)
    before = {"reply": flag.reply}
    flag.reply = text
    flag.replied_at = _now()
    flag.replied_by = by
    flag.save(update_fields=["reply", "replied_at", "replied_by"])
    record(
        actor=by,
        action="flag.replied",
        target=flag,
        organisation=flag.return_obj.organisation_id,
        before=before,
        after={"reply": text},
    )
    return flag


# --- publication of levels, funding rounds, reminders ------------------------------------------------


@dataclass
class PublishRun:
    published_returns: int = 0
    published_domains: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)


@transaction.atomic
def levels_publish(*, by: Any, cycle: Cycle) -> PublishRun:
    """Publish the peer-agreed (counted) levels of every return whose review is finished and
    which has no open or queried flag. A published level is never changed afterwards."""
    _require_analyst(by, "publish peer-agreed levels")
    run = PublishRun()
    blocked = set(
        ValidationFlag.objects.filter(
            cycle=cycle, status__in=[FlagStatus.OPEN, FlagStatus.QUERIED]
        ).values_list("return_obj_id", flat=True)
    )
    now = _now()
    assignments = (
        PeerReviewAssignment.objects.filter(cycle=cycle, kind=AssignmentKind.PRIMARY)
        .exclude(status=AssignmentStatus.REPLACED)
        .select_related("return_obj")
        .prefetch_related("domain_reviews")
    )
    for assignment in assignments:
        reviews = list(assignment.domain_reviews.all())
        if assignment.status != AssignmentStatus.SUBMITTED or any(
            not State(r.state).is_final for r in reviews
        ):
            run.skipped.append((assignment.return_obj_id, "The review is not finished."))
            continue
        if assignment.return_obj_id in blocked:
            run.skipped.append((assignment.return_obj_id, "A validation flag is open or queried."))
            continue
        fresh = [r for r in reviews if r.published_level is None]
        if not fresh:
            continue
        for review in fresh:
            review.published_level = review.counted_level
            review.published_at = now
        DomainReview.objects.bulk_update(fresh, ["published_level", "published_at"])
        record(
            actor=by,
            action="review.levels_published",
            target=assignment,
            organisation=assignment.return_obj.organisation_id,
            after={r.domain_id: r.published_level for r in fresh},
        )
        run.published_returns += 1
        run.published_domains += len(fresh)
    _benchmarks_changed(cycle)
    return run


@transaction.atomic
def funding_round_add(
    *, by: Any, name: str, closes_on: dt.date, description: str = ""
) -> FundingRound:
    """Record a funding round, so a jump committed just before it can be flagged."""
    _require_analyst(by, "record funding rounds")
    name = _text(name, field_name="name", label="the funding round's name", required=True)
    if len(name) > 200:
        raise ValidationError({"name": "The name must be 200 characters or fewer."})
    description = _text(
        description, field_name="description", label="the description", required=False
    )
    funding_round = FundingRound.objects.create(
        name=name, closes_on=closes_on, description=description, created_by=by, created_at=_now()
    )
    record(
        actor=by,
        action="funding_round.added",
        target=funding_round,
        after={"name": name, "closes_on": closes_on.isoformat()},
    )
    return funding_round


@dataclass
class ReminderRun:
    cycle_id: int
    today: dt.date
    days_before: int | None
    sent: int = 0
    already_sent: int = 0


def _emails(organisation_id: int, roles: tuple[Role, ...]) -> list[str]:
    return sorted(
        {
            email
            for email in Membership.objects.active()
            .filter(organisation_id=organisation_id, role__in=roles, user__is_active=True)
            .values_list("user__email", flat=True)
            if email
        }
    )


def review_reminders_send(*, cycle: Cycle, today: dt.date | None = None) -> ReminderRun:
    """Remind reviewing organisations of undecided domains, and reviewed organisations of
    challenges awaiting their reply, 14, 7, 3 and 1 days before the review closes: at most once a
    day per organisation and audience (the record is unique, so a second run sends nothing)."""
    today = today or timezone.localdate()
    closes = cycle.review_closes_on
    days = (closes - today).days if closes else None
    run = ReminderRun(cycle_id=cycle.pk, today=today, days_before=days)
    if days not in REMINDER_DAYS:
        return run
    outstanding: dict[tuple[int, str], int] = defaultdict(int)
    for review in (
        DomainReview.objects.filter(assignment__cycle=cycle)
        .exclude(assignment__status=AssignmentStatus.REPLACED)
        .select_related("assignment__return_obj")
    ):
        assignment = review.assignment
        if assignment.status == AssignmentStatus.ACTIVE and not review.decision:
            outstanding[(assignment.reviewer_organisation_id, ReviewAudience.REVIEWER)] += 1
        elif review.state == State.AWAITING_ORGANISATION:
            key = (assignment.return_obj.organisation_id, ReviewAudience.ORGANISATION)
            outstanding[key] += 1
    for (organisation_id, audience), count in sorted(outstanding.items()):
        roles = (
            (Role.PEER_REVIEWER,)
            if audience == ReviewAudience.REVIEWER
            else (Role.SUBMITTER, Role.CONTRIBUTOR)
        )
        recipients = _emails(organisation_id, roles)
        try:
            with transaction.atomic():
                reminder = ReviewReminder.objects.create(
                    cycle=cycle,
                    organisation_id=organisation_id,
                    audience=audience,
                    sent_on=today,
                    days_before=days,
                    recipients=len(recipients),
                    outstanding=count,
                )
                record(
                    actor=None,
                    action="review.reminder_sent",
                    target=reminder,
                    organisation=organisation_id,
                    after={"audience": audience, "outstanding": count, "days_before": days},
                )
                if recipients:
                    subject, body = _reminder_text(cycle, audience, count, days, closes)
                    transaction.on_commit(
                        lambda s=subject, b=body, to=recipients: send_mail(
                            s, b, settings.DEFAULT_FROM_EMAIL, to
                        )
                    )
        except IntegrityError:
            run.already_sent += 1
            continue
        run.sent += 1
    return run


def _reminder_text(
    cycle: Cycle, audience: str, count: int, days: int, closes: dt.date
) -> tuple[str, str]:
    when = f"{closes.day} {closes:%B %Y}"
    plural = "domain" if count == 1 else "domains"
    if audience == ReviewAudience.REVIEWER:
        return (
            f"Peer review closes in {days} {'day' if days == 1 else 'days'}",
            f"Your organisation has {count} {plural} still to review in {cycle.title}. "
            f"The review closes on {when}.",
        )
    return (
        f"Challenges to answer: peer review closes in {days} {'day' if days == 1 else 'days'}",
        f"Your organisation has {count} challenged {plural} waiting for your reply in "
        f"{cycle.title}. The review closes on {when}.",
    )
