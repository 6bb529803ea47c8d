"""Peer review and validation API, mounted at /api/v1/reviews. Bearer token or the browser
session; the same rules as the pages: a record outside the caller's scope is a 404, a role the
caller does not hold a 403, a refused step a 400 with the reason.

Known clients: reviewers' and organisations' own tools, analysts' scripts (the inflation index
and reliability report) and the contract tests (tests/reviews/test_api.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.security import django_auth

from maturity.accounts.api_auth import token_auth
from maturity.organisations.models import Organisation

from . import selectors, services
from .models import DomainReview, Moderation, PeerReviewAssignment, ValidationFlag

router = Router(tags=["reviews"], auth=[token_auth, django_auth])


class ErrorOut(Schema):
    detail: str


class DomainReviewOut(Schema):
    domain_id: str
    pillar_id: str
    self_level: int
    decision: str = Field(description="agree, challenge or empty (not decided)")
    proposed_level: int | None
    reason: str
    evidence_requested: str
    evidence_confirmed: bool
    response: str = Field(description="accept, contest or empty")
    response_text: str
    state: str
    agreed_level: int | None
    counted_level: int | None = Field(description="Peer-agreed level after the evidence rule")
    published_level: int | None


class AssignmentOut(Schema):
    id: int
    cycle_id: int
    return_id: int
    organisation_ods_code: str
    organisation_name: str
    care_setting: str
    reviewer_ods_code: str
    reviewer_name: str
    kind: str
    status: str
    explanation: str
    reciprocal: bool
    submitted_at: dt.datetime | None


class AssignmentDetailOut(AssignmentOut):
    domains: list[DomainReviewOut]


class DecisionIn(Schema):
    decision: str = Field(description="agree or challenge")
    proposed_level: int | None = None
    reason: str = ""
    evidence_requested: str = ""
    evidence_confirmed: bool = False


class ReplyIn(Schema):
    response: str = Field(description="accept or contest")
    text: str = ""
    evidence: str = ""


class FlagOut(Schema):
    id: int
    cycle_id: int
    return_id: int
    organisation_ods_code: str
    care_setting: str
    kind: str
    label: str
    explanation: str
    status: str
    decision_reason: str
    reply: str


class FlagDecisionIn(Schema):
    decision: str = Field(description="clear or query")
    reason: str


class FlagReplyIn(Schema):
    text: str


class ReturnReviewOut(Schema):
    return_id: int
    reviewer_name: str | None
    review_status: str | None
    domains: list[DomainReviewOut]
    open_queries: list[FlagOut]


class ModerationOut(Schema):
    id: int
    return_id: int
    organisation_name: str
    domain_id: str
    self_level: int
    proposed_level: int | None
    reason: str
    decided_level: int | None
    decision_reason: str


class ModerationIn(Schema):
    level: int
    reason: str
    evidence_confirmed: bool = False


class OverrideIn(Schema):
    reviewer_ods_code: str
    reason: str


class UnmatchedOut(Schema):
    return_id: int
    organisation: str
    care_setting: str
    reason: str


class MatchingOut(Schema):
    cycle_id: int
    committed: int
    assignments: list[AssignmentOut]
    unmatched: list[UnmatchedOut]


class ReviewerCalibrationOut(Schema):
    reviewer: str
    cases: int
    leniency: float
    exact_agreement: float
    kappa: float | None
    verdict: str


class AlphaOut(Schema):
    pillar: str
    units: int
    alpha: float | None


class ReliabilityOut(Schema):
    cycle_id: int
    reviewers: list[ReviewerCalibrationOut]
    double_review: list[AlphaOut]


class InflationCellOut(Schema):
    pillar: str
    difference: float
    returns: int


class InflationRowOut(Schema):
    group: str
    cells: list[InflationCellOut]


class InflationOut(Schema):
    cycle_id: int
    grouping: str
    returns: int
    rows: list[InflationRowOut]


def _analyst(request: HttpRequest) -> None:
    if not selectors.is_national_analyst(request.user):
        raise HttpError(403, "Only national analysts can use this route.")


def _reviewer(request: HttpRequest) -> None:
    if not selectors.is_peer_reviewer(request.user):
        raise HttpError(403, "Only peer reviewers can use this route.")


def _refused(error: ValidationError) -> HttpError:
    return HttpError(400, " ".join(error.messages))


def _assignment(a: PeerReviewAssignment) -> dict[str, Any]:
    return {
        "id": a.pk,
        "cycle_id": a.cycle_id,
        "return_id": a.return_obj_id,
        "organisation_ods_code": a.return_obj.organisation.ods_code,
        "organisation_name": a.return_obj.organisation.name,
        "care_setting": a.return_obj.care_setting,
        "reviewer_ods_code": a.reviewer_organisation.ods_code,
        "reviewer_name": a.reviewer_organisation.name,
        "kind": a.kind,
        "status": a.status,
        "explanation": a.explanation,
        "reciprocal": a.reciprocal,
        "submitted_at": a.submitted_at,
    }


def _domain(r: DomainReview, *, show_reviewer: bool = True) -> dict[str, Any]:
    hidden = not show_reviewer
    return {
        "domain_id": r.domain_id,
        "pillar_id": r.pillar_id,
        "self_level": r.self_level,
        "decision": "" if hidden else r.decision,
        "proposed_level": None if hidden else r.proposed_level,
        "reason": "" if hidden else r.reason,
        "evidence_requested": "" if hidden else r.evidence_requested,
        "evidence_confirmed": False if hidden else r.evidence_confirmed,
        "response": r.response,
        "response_text": r.response_text,
        "state": "awaiting_reviewer" if hidden else r.state,
        "agreed_level": None if hidden else r.agreed_level,
        "counted_level": None if hidden else r.counted_level,
        "published_level": r.published_level,
    }


def _flag(f: ValidationFlag) -> dict[str, Any]:
    return {
        "id": f.pk,
        "cycle_id": f.cycle_id,
        "return_id": f.return_obj_id,
        "organisation_ods_code": f.return_obj.organisation.ods_code,
        "care_setting": f.return_obj.care_setting,
        "kind": f.kind,
        "label": f.label,
        "explanation": f.explanation,
        "status": f.status,
        "decision_reason": f.decision_reason,
        "reply": f.reply,
    }


def _moderation(m: Moderation) -> dict[str, Any]:
    r = m.domain_review
    return {
        "id": m.pk,
        "return_id": r.assignment.return_obj_id,
        "organisation_name": r.assignment.return_obj.organisation.name,
        "domain_id": r.domain_id,
        "self_level": r.self_level,
        "proposed_level": r.proposed_level,
        "reason": m.reason,
        "decided_level": m.decided_level,
        "decision_reason": m.decision_reason,
    }


# --- reviewers -------------------------------------------------------------------------------------


@router.get(
    "/assignments",
    response={200: list[AssignmentOut], 403: ErrorOut},
    summary="The returns assigned to your organisation for review",
)
def list_assignments(request: HttpRequest):
    _reviewer(request)
    return [_assignment(a) for a in selectors.reviewer_assignments(request.user)]


@router.get(
    "/assignments/{int:assignment_id}",
    response={200: AssignmentDetailOut, 403: ErrorOut, 404: ErrorOut},
    summary="One assigned review with its domains",
)
def get_assignment(request: HttpRequest, assignment_id: int):
    _reviewer(request)
    a = selectors.get_assignment_for_reviewer(request.user, assignment_id)
    return _assignment(a) | {"domains": [_domain(r) for r in a.domain_reviews.all()]}


@router.post(
    "/assignments/{int:assignment_id}/domains/{domain_id}",
    response={200: DomainReviewOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Agree with a domain's level or challenge it",
)
def decide_domain(request: HttpRequest, assignment_id: int, domain_id: str, payload: DecisionIn):
    _reviewer(request)
    a = selectors.get_assignment_for_reviewer(request.user, assignment_id)
    review = a.domain_reviews.filter(domain_id=domain_id).first()
    if review is None:
        raise HttpError(404, "No such domain in this review.")
    try:
        saved = services.domain_review_decide(
            by=request.user, review=review, **payload.model_dump()
        )
    except ValidationError as error:
        raise _refused(error) from error
    except PermissionDenied as error:
        raise HttpError(403, str(error)) from error
    return _domain(saved)


@router.post(
    "/assignments/{int:assignment_id}/submit",
    response={200: AssignmentOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Submit the review once every domain is decided",
)
def submit_assignment(request: HttpRequest, assignment_id: int):
    _reviewer(request)
    a = selectors.get_assignment_for_reviewer(request.user, assignment_id)
    try:
        services.assignment_submit(by=request.user, assignment=a)
    except ValidationError as error:
        raise _refused(error) from error
    return _assignment(selectors.get_assignment_for_reviewer(request.user, assignment_id))


# --- reviewed organisations ------------------------------------------------------------------------


@router.get(
    "/returns/{int:return_id}",
    response={200: ReturnReviewOut, 404: ErrorOut},
    summary="The peer review of one of your returns: levels side by side and open queries",
)
def get_return_review(request: HttpRequest, return_id: int):
    r = selectors.get_return_for_organisation(request.user, return_id)
    a = selectors.primary_assignment(r)
    show = a is not None and a.status == "submitted"
    return {
        "return_id": r.pk,
        "reviewer_name": a.reviewer_organisation.name if a else None,
        "review_status": a.status if a else None,
        "domains": [_domain(d, show_reviewer=show) for d in a.domain_reviews.all()] if a else [],
        "open_queries": [_flag(f) for f in selectors.open_queries(r)],
    }


@router.post(
    "/returns/{int:return_id}/domains/{domain_id}/reply",
    response={200: DomainReviewOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Accept or contest a challenge to one of your domains",
)
def reply_domain(request: HttpRequest, return_id: int, domain_id: str, payload: ReplyIn):
    r = selectors.get_return_for_organisation(request.user, return_id)
    a = selectors.primary_assignment(r)
    review = a.domain_reviews.filter(domain_id=domain_id).first() if a else None
    if review is None:
        raise HttpError(404, "No such domain under review.")
    try:
        saved = services.domain_review_reply(by=request.user, review=review, **payload.model_dump())
    except ValidationError as error:
        raise _refused(error) from error
    except PermissionDenied as error:
        raise HttpError(403, str(error)) from error
    return _domain(saved)


@router.post(
    "/queries/{int:flag_id}/reply",
    response={200: FlagOut, 400: ErrorOut, 404: ErrorOut},
    summary="Answer a validator's query on one of your returns",
)
def reply_query(request: HttpRequest, flag_id: int, payload: FlagReplyIn):
    flag = selectors.get_flag_for_organisation(request.user, flag_id)
    try:
        saved = services.flag_reply(by=request.user, flag=flag, text=payload.text)
    except ValidationError as error:
        raise _refused(error) from error
    return _flag(saved)


# --- validators --------------------------------------------------------------------------------------


class FlagFilters(Schema):
    cycle: int | None = None
    status: str | None = Field(None, description="open, queried or cleared")


@router.get(
    "/flags",
    response={200: list[FlagOut], 403: ErrorOut},
    summary="Validation flags in your area",
)
def list_flags(request: HttpRequest, filters: Query[FlagFilters]):
    if not (selectors.is_validator(request.user) or selectors.is_national_analyst(request.user)):
        raise HttpError(403, "Only validators and national analysts can list flags.")
    cycle = selectors.get_cycle(filters.cycle) if filters.cycle else None
    flags = selectors.validation_flags_for(request.user, cycle=cycle, status=filters.status)
    return [_flag(f) for f in flags[:2000]]


@router.post(
    "/flags/{int:flag_id}/decision",
    response={200: FlagOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Clear a flag, or query it with the organisation, with a reason",
)
def decide_flag(request: HttpRequest, flag_id: int, payload: FlagDecisionIn):
    flag = selectors.get_flag_for_validator(request.user, flag_id)
    try:
        saved = services.flag_decide(
            by=request.user, flag=flag, decision=payload.decision, reason=payload.reason
        )
    except ValidationError as error:
        raise _refused(error) from error
    except PermissionDenied as error:
        raise HttpError(403, str(error)) from error
    return _flag(saved)


# --- national analysts ----------------------------------------------------------------------------


@router.get(
    "/moderations",
    response={200: list[ModerationOut], 403: ErrorOut},
    summary="Challenges waiting for moderation",
)
def list_moderations(request: HttpRequest):
    _analyst(request)
    return [_moderation(m) for m in selectors.moderation_queue()]


@router.post(
    "/moderations/{int:moderation_id}/decision",
    response={200: ModerationOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Decide a moderated domain's level (final)",
)
def decide_moderation(request: HttpRequest, moderation_id: int, payload: ModerationIn):
    _analyst(request)
    m = selectors.get_moderation(moderation_id)
    try:
        saved = services.moderation_decide(by=request.user, moderation=m, **payload.model_dump())
    except ValidationError as error:
        raise _refused(error) from error
    return _moderation(selectors.get_moderation(saved.pk))


@router.get(
    "/cycles/{int:cycle_id}/matching",
    response={200: MatchingOut, 403: ErrorOut, 404: ErrorOut},
    summary="Who reviews whom in a cycle, why, and what could not be matched",
)
def get_matching(request: HttpRequest, cycle_id: int):
    _analyst(request)
    overview = selectors.matching_overview(selectors.get_cycle(cycle_id))
    return {
        "cycle_id": cycle_id,
        "committed": overview.committed,
        "assignments": [_assignment(a) for a in overview.assignments],
        "unmatched": overview.latest_run.unmatched if overview.latest_run else [],
    }


@router.post(
    "/assignments/{int:assignment_id}/override",
    response={200: AssignmentOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Change a return's reviewing organisation, with a reason",
)
def override_assignment(request: HttpRequest, assignment_id: int, payload: OverrideIn):
    _analyst(request)
    a = selectors.get_assignment(assignment_id)
    reviewer = Organisation.objects.filter(
        ods_code=payload.reviewer_ods_code.strip().upper()
    ).first()
    if reviewer is None:
        raise HttpError(400, f"No organisation has the ODS code {payload.reviewer_ods_code}.")
    try:
        new = services.assignment_override(
            by=request.user, assignment=a, reviewer_organisation=reviewer, reason=payload.reason
        )
    except ValidationError as error:
        raise _refused(error) from error
    return _assignment(selectors.get_assignment(new.pk))


@router.get(
    "/cycles/{int:cycle_id}/reliability",
    response={200: ReliabilityOut, 403: ErrorOut, 404: ErrorOut},
    summary="Reviewers' calibration (leniency, weighted kappa) and Krippendorff's alpha",
)
def get_reliability(request: HttpRequest, cycle_id: int):
    _analyst(request)
    data = selectors.reliability(selectors.get_cycle(cycle_id))
    return {
        "cycle_id": cycle_id,
        "reviewers": [
            {
                "reviewer": row.reviewer.get_username(),
                "cases": row.scored,
                "leniency": row.calibration.leniency,
                "exact_agreement": row.calibration.exact_agreement,
                "kappa": row.calibration.kappa,
                "verdict": row.calibration.verdict,
            }
            for row in data.reviewers
        ],
        "double_review": [
            {"pillar": pillar, "units": r.units, "alpha": r.alpha}
            for pillar, r in data.double.by_pillar.items()
        ]
        + [
            {
                "pillar": "all",
                "units": data.double.overall.units,
                "alpha": data.double.overall.alpha,
            }
        ],
    }


class InflationQuery(Schema):
    by: str = Field("ics", description="organisation, ics or region")


@router.get(
    "/cycles/{int:cycle_id}/inflation",
    response={200: InflationOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Self-assessed minus peer-agreed levels per pillar, by organisation, ICS or region",
)
def get_inflation(request: HttpRequest, cycle_id: int, query: Query[InflationQuery]):
    _analyst(request)
    if query.by not in ("organisation", "ics", "region"):
        raise HttpError(400, "by must be organisation, ics or region.")
    table = selectors.inflation(selectors.get_cycle(cycle_id), grouping=query.by)
    return {
        "cycle_id": cycle_id,
        "grouping": query.by,
        "returns": table.returns,
        "rows": [
            {
                "group": name,
                "cells": [
                    {"pillar": p, "difference": c.difference, "returns": c.returns}
                    for p, c in cells.items()
                ],
            }
            for name, cells in table.rows
        ],
    }
