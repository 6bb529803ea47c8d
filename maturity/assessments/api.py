"""Returns API, mounted at /api/v1/returns: read a return, write answers with the item's
version, commit. Bearer token (``Authorization: Bearer dmo_…``) or the browser session.

The same rules as the pages: a return the caller cannot see is a 404 on every route (never a
403); one they can see but not change is a 403; a stale version is a 409 carrying the value now
stored, so the client can show both and let the person choose.

Known clients: organisations' own scripts that keep answers elsewhere, and the contract tests
(tests/assessments/test_api.py).
"""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate
from ninja.security import django_auth

from maturity.accounts.api_auth import token_auth

from . import selectors, services
from .exceptions import AnswerConflict, IllegalTransition, InvalidAnswer, MissingItems, ReturnLocked
from .models import EDITION_CONTENT, Return, Score

router = Router(tags=["returns"], auth=[token_auth, django_auth])


class ErrorOut(Schema):
    detail: str


class ScoreOut(Schema):
    edition_id: str
    scoring_version: str
    method: str
    rounding: str
    domain_levels: dict[str, int]
    pillar_scores: dict[str, float] = Field(description="Unrounded means of the domain levels")
    overall: float | None
    overall_comparable: float | None
    computed_at: dt.datetime | None = Field(
        None, description="When a stored score was computed; empty for a live score"
    )


class ReturnSummaryOut(Schema):
    id: int
    organisation_ods_code: str
    organisation_name: str
    care_setting: str
    cycle_id: int
    year: int
    cycle_title: str
    cycle_status: str
    edition_id: str
    status: str = Field(description="not_started, in_progress or committed")
    late: bool
    withdrawn: bool
    committed_at: dt.datetime | None
    is_demonstration: bool


class AnswerOut(Schema):
    item_id: str
    value: Any
    version: int
    copied_from_previous: bool
    updated_at: dt.datetime


class ReturnOut(ReturnSummaryOut):
    can_edit: bool
    can_commit: bool
    answers: list[AnswerOut]
    score: ScoreOut = Field(description="The engine's scores of the answers as they are now")
    stored_score: ScoreOut | None = Field(
        description="The latest score stored (at commit), exactly as it will be reproduced"
    )


class AnswerIn(Schema):
    value: Any = Field(description="met | not_met | na for a criterion; typed for a question")
    version: int | None = Field(
        None, description="The version you read; null when you saw no answer"
    )


class AnswerSavedOut(Schema):
    item_id: str
    value: Any
    version: int


class ConflictOut(Schema):
    detail: str
    item_id: str
    current_value: Any
    current_version: int | None
    attempted_value: Any


class MissingItemOut(Schema):
    item_id: str
    domain_id: str
    label: str


class CommitRefusedOut(Schema):
    detail: str
    missing: list[MissingItemOut]


class ReturnFilters(Schema):
    cycle: int | None = Field(None, description="Only this cycle's returns")
    year: int | None = Field(None, description="Only returns of cycles of this year")
    status: str | None = Field(None, description="not_started, in_progress or committed")


def _summary(r: Return) -> dict[str, Any]:
    return {
        "id": r.pk,
        "organisation_ods_code": r.organisation.ods_code,
        "organisation_name": r.organisation.name,
        "care_setting": r.care_setting,
        "cycle_id": r.cycle_id,
        "year": r.cycle.year,
        "cycle_title": r.cycle.title,
        "cycle_status": r.cycle.status,
        "edition_id": r.cycle.edition.edition_id,
        "status": r.status,
        "late": r.late,
        "withdrawn": r.is_withdrawn,
        "committed_at": r.committed_at,
        "is_demonstration": r.is_demonstration,
    }


def _score(score: Any, edition_id: str, computed_at: dt.datetime | None = None) -> dict[str, Any]:
    return {
        "edition_id": edition_id,
        "scoring_version": score.scoring_version,
        "method": score.method,
        "rounding": score.rounding,
        "domain_levels": dict(score.domain_levels),
        "pillar_scores": dict(score.pillar_scores),
        "overall": score.overall,
        "overall_comparable": score.overall_comparable,
        "computed_at": computed_at,
    }


@router.get(
    "",
    response=list[ReturnSummaryOut],
    summary="Returns you can see",
    description="Newest cycle first, then by organisation and care setting; 50 a page.",
)
@paginate(PageNumberPagination, page_size=50)
def list_returns(request: HttpRequest, filters: Query[ReturnFilters]):
    returns = (
        selectors.returns_visible_to(request.user)
        .select_related("cycle__edition", "organisation")
        .defer(EDITION_CONTENT)
    )
    if filters.cycle is not None:
        returns = returns.filter(cycle_id=filters.cycle)
    if filters.year is not None:
        returns = returns.filter(cycle__year=filters.year)
    if filters.status:
        returns = returns.filter(status=filters.status)
    return _Summaries(
        returns.order_by("-cycle__year", "cycle_id", "organisation__name", "care_setting", "pk")
    )


class _Summaries:
    """The paginator slices this like a queryset: only the page's rows are read."""

    def __init__(self, returns: QuerySet[Return]) -> None:
        self.returns = returns

    def __len__(self) -> int:
        return self.returns.count()

    def __getitem__(self, page: slice) -> list[dict[str, Any]]:
        return [_summary(r) for r in self.returns[page]]


@router.get(
    "/{int:return_id}",
    response={200: ReturnOut, 404: ErrorOut},
    summary="A return with its answers, their versions and its scores",
)
def get_return(request: HttpRequest, return_id: int):
    r = selectors.get_return_for(request.user, return_id)
    answers = list(r.answers.all())
    edition_id = r.cycle.edition.edition_id
    catalogue = selectors.catalogue_of(r)
    live = services.compute_score(
        edition=catalogue.edition,
        care_setting=r.care_setting,
        answers={a.item_id: a.value for a in answers},
    )
    stored = Score.objects.filter(return_obj=r).order_by("-computed_at", "-id").first()
    return {
        **_summary(r),
        "can_edit": selectors.can_edit(request.user, r),
        "can_commit": selectors.can_commit(request.user, r),
        "answers": [
            {
                "item_id": a.item_id,
                "value": a.value,
                "version": a.version,
                "copied_from_previous": a.copied_from_previous,
                "updated_at": a.updated_at,
            }
            for a in answers
        ],
        "score": _score(live, edition_id),
        "stored_score": _score(stored, stored.edition_id, stored.computed_at) if stored else None,
    }


@router.put(
    "/{int:return_id}/answers/{item_id}",
    response={
        200: AnswerSavedOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ConflictOut,
        422: ErrorOut,
    },
    summary="Save one answer if it is still at the version you read",
    description=(
        "Item ids are criterion ids (sf.epr.l2.a), contextual question ids (ctx.epr_in_place) "
        "or narrative:<domain id>. Send the version you read (null if there was no answer). "
        "409: someone saved it since; the body has the value now stored and its version."
    ),
)
def put_answer(request: HttpRequest, return_id: int, item_id: str, payload: AnswerIn):
    r = selectors.get_return_for(request.user, return_id)
    # The service checks the editing role in the query that locks the return: one query less.
    try:
        answer = services.answer_save(
            by=request.user,
            return_=r,
            item_id=item_id,
            value=payload.value,
            expected_version=payload.version,
        )
    except AnswerConflict as conflict:
        return Status(
            409,
            {
                "detail": conflict.message,
                "item_id": conflict.item_id,
                "current_value": conflict.current_value,
                "current_version": conflict.current_version,
                "attempted_value": conflict.attempted_value,
            },
        )
    except InvalidAnswer as error:
        return Status(422, {"detail": error.message})
    except ReturnLocked as error:
        return Status(403, {"detail": error.message})
    except PermissionDenied as error:
        return Status(403, {"detail": str(error) or "You cannot change this return."})
    return {"item_id": answer.item_id, "value": answer.value, "version": answer.version}


@router.post(
    "/{int:return_id}/commit",
    response={200: ReturnSummaryOut, 403: ErrorOut, 404: ErrorOut, 409: CommitRefusedOut},
    summary="Commit (sign off) the return: submitters only, every mandatory item answered",
)
def commit_return(request: HttpRequest, return_id: int):
    r = selectors.get_return_for(request.user, return_id)
    try:
        committed = services.return_commit(by=request.user, return_=r)
    except PermissionDenied as error:
        return Status(403, {"detail": str(error) or "Only submitters can commit a return."})
    except MissingItems as error:
        return Status(
            409,
            {
                "detail": error.message,
                "missing": [
                    {"item_id": m.item_id, "domain_id": m.domain_id, "label": m.label}
                    for m in error.items
                ],
            },
        )
    except IllegalTransition as error:
        return Status(409, {"detail": error.message, "missing": []})
    return _summary(committed)
