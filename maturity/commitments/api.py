"""Government digital commitments API, mounted at /api/v1/commitments. Read-only and public.

Known clients: the project's contract tests (tests/commitments/test_api.py) and analysts' scripts
that track commitments alongside the maturity results.
"""

from __future__ import annotations

import datetime as dt

from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from . import selectors
from .models import RATING_QUESTIONS, Commitment, Evaluation, Metric

router = Router(tags=["commitments"])


class ErrorOut(Schema):
    detail: str


class CommitmentSummaryOut(Schema):
    id: str = Field(description="The commitment's short name, used in its web address")
    title: str
    policy_area: str
    policy_area_label: str
    panel_number: int | None
    deadline: dt.date | None = Field(description="The current deadline (after any revisions)")
    deadline_label: str
    latest_overall_rating: str | None = Field(
        description="Overall rating in the latest round that rated it; null when not known"
    )
    url: str


class DeadlineOut(Schema):
    deadline: dt.date | None
    label: str
    recorded: str
    source: str
    is_original: bool
    is_current: bool


class ObservationOut(Schema):
    date: dt.date
    date_label: str
    value: float
    source: str
    provenance: str
    is_demonstration: bool
    note: str


class TrajectoryOut(Schema):
    method: str
    slope_per_year: float
    fitted_at_deadline: float
    lower: float
    upper: float
    interval_level: float
    probability_on_time: float | None
    n: int


class MetricOut(Schema):
    id: str
    name: str
    unit: str
    is_primary: bool
    direction: str
    baseline_value: float | None
    baseline_date: dt.date | None
    baseline_source: str
    target_value: float | None
    target_source: str
    derivation: str
    observations: list[ObservationOut]
    trajectory: TrajectoryOut | None
    summary: str = Field(description="What the trajectory shows, in plain English")


class RatingOut(Schema):
    rating: str | None = Field(description="A CQC word, or null when not known")
    rationale: str
    evidence: str


class ResponseOut(Schema):
    date: dt.date
    text: str
    source: str
    to_round_as_a_whole: bool


class EvaluationOut(Schema):
    round_id: int
    round: str
    round_date: dt.date
    met_or_on_track: RatingOut
    funded: RatingOut
    impact: RatingOut
    appropriate: RatingOut
    overall: RatingOut
    suggested_met_or_on_track: str | None
    suggestion_decision: str
    override_reason: str
    source: str
    government_responses: list[ResponseOut]


class SuggestionOut(Schema):
    rating: str | None
    branch: str
    explanation: str
    rule: str


class CommitmentOut(Schema):
    id: str
    title: str
    text: str
    policy_area: str
    policy_area_label: str
    policy_area_basis: str
    panel_number: int | None
    source_document: str
    source_date: dt.date | None
    citation: str
    owner: str
    deadlines: list[DeadlineOut]
    funding_committed_gbp: int | None
    funding_text: str
    funding_source: str
    domain_ids: list[str]
    question_ids: list[str]
    notes: str
    metrics: list[MetricOut]
    suggestion: SuggestionOut
    evaluations: list[EvaluationOut]


class SummaryRowOut(Schema):
    commitment_id: str
    title: str
    policy_area: str
    policy_area_label: str
    met_or_on_track: str | None
    funded: str | None
    impact: str | None
    appropriate: str | None
    overall: str | None


class SummaryOut(Schema):
    round_id: int | None
    round: str | None
    round_date: dt.date | None
    overall_rating: str | None
    rows: list[SummaryRowOut]


class SummaryQuery(Schema):
    round: int | None = Field(None, description="An evaluation round's id; the latest by default")


def _summary_row(row: selectors.ListRow) -> dict:
    c: Commitment = row.commitment
    return {
        "id": c.slug,
        "title": c.title,
        "policy_area": c.policy_area,
        "policy_area_label": c.get_policy_area_display(),
        "panel_number": c.panel_number,
        "deadline": row.deadline,
        "deadline_label": row.deadline_label,
        "latest_overall_rating": row.latest_overall,
        "url": c.get_absolute_url(),
    }


@router.get(
    "/",
    response=list[CommitmentSummaryOut],
    summary="Commitments",
    description="Every commitment, by policy area in the expert panel's order.",
)
def commitment_list(request):
    return [_summary_row(row) for group in selectors.commitments_by_area() for row in group.rows]


@router.get(
    "/summary",
    response={200: SummaryOut, 404: ErrorOut},
    summary="The panel's ratings table",
    description=(
        "The commitments rated in one evaluation round with their five ratings (null = not "
        "known), like the panel's report. The latest round with ratings unless ?round= is given."
    ),
)
def summary(request, query: Query[SummaryQuery]):
    if query.round is None:
        evaluation_round = selectors.default_round()
    else:
        evaluation_round = selectors.get_round(query.round)
        if evaluation_round is None:
            raise HttpError(404, f"No evaluation round {query.round}")
    data = selectors.summary(evaluation_round)
    return {
        "round_id": evaluation_round.pk if evaluation_round else None,
        "round": evaluation_round.name if evaluation_round else None,
        "round_date": evaluation_round.held_on if evaluation_round else None,
        "overall_rating": evaluation_round.overall_rating if evaluation_round else None,
        "rows": [
            {
                "commitment_id": row.commitment.slug,
                "title": row.commitment.title,
                "policy_area": area.area,
                "policy_area_label": area.label,
                **dict(zip(RATING_QUESTIONS, row.ratings, strict=True)),
            }
            for area in data.areas
            for row in area.rows
        ],
    }


def _metric(view: selectors.MetricView) -> dict:
    m: Metric = view.metric
    t = view.trajectory
    return {
        "id": m.slug,
        "name": m.name,
        "unit": m.unit,
        "is_primary": m.is_primary,
        "direction": m.direction,
        "baseline_value": m.baseline_value,
        "baseline_date": m.baseline_date,
        "baseline_source": m.baseline_source,
        "target_value": m.target_value,
        "target_source": m.target_source,
        "derivation": m.derivation,
        "observations": [
            {
                "date": o.observed_on,
                "date_label": o.date_label,
                "value": o.value,
                "source": o.source,
                "provenance": o.provenance,
                "is_demonstration": o.is_demonstration,
                "note": o.note,
            }
            for o in view.observations
        ],
        "trajectory": None
        if t is None
        else {
            "method": t.method,
            "slope_per_year": t.slope_per_year,
            "fitted_at_deadline": t.fitted_at_deadline,
            "lower": t.lower,
            "upper": t.upper,
            "interval_level": t.interval_level,
            "probability_on_time": t.probability_on_time,
            "n": t.n,
        },
        "summary": view.sentence,
    }


def _evaluation(view: selectors.EvaluationView, round_responses: dict) -> dict:
    e: Evaluation = view.evaluation
    responses = view.responses + round_responses.get(e.round_id, [])
    return {
        "round_id": e.round_id,
        "round": e.round.name,
        "round_date": e.round.held_on,
        **{
            q: {
                "rating": getattr(e, q),
                "rationale": getattr(e, f"{q}_rationale"),
                "evidence": getattr(e, f"{q}_evidence"),
            }
            for q in RATING_QUESTIONS
        },
        "suggested_met_or_on_track": e.suggested_met_or_on_track,
        "suggestion_decision": e.suggestion_decision,
        "override_reason": e.override_reason,
        "source": e.source,
        "government_responses": [
            {
                "date": r.responded_on,
                "text": r.text,
                "source": r.source,
                "to_round_as_a_whole": r.evaluation_id is None,
            }
            for r in responses
        ],
    }


@router.get(
    "/{slug}",
    response={200: CommitmentOut, 404: ErrorOut},
    summary="One commitment",
    description=(
        "The commitment with its deadlines, metrics (observations and the fitted trajectory), "
        "the suggested rating for met or on track, and its evaluations with the government's "
        "responses."
    ),
)
def commitment_detail(request, slug: str):
    commitment = selectors.get_commitment(slug)
    if commitment is None:
        raise HttpError(404, f"No commitment {slug}")
    page = selectors.commitment_page(commitment, as_of=dt.date.today(), with_charts=False)
    c = commitment
    return {
        "id": c.slug,
        "title": c.title,
        "text": c.text,
        "policy_area": c.policy_area,
        "policy_area_label": c.get_policy_area_display(),
        "policy_area_basis": c.policy_area_basis,
        "panel_number": c.panel_number,
        "source_document": c.source_document,
        "source_date": c.source_date,
        "citation": c.citation,
        "owner": c.owner,
        "deadlines": [d.__dict__ for d in page.deadlines],
        "funding_committed_gbp": int(c.funding_committed_gbp)
        if c.funding_committed_gbp is not None
        else None,
        "funding_text": c.funding_text,
        "funding_source": c.funding_source,
        "domain_ids": c.domain_ids,
        "question_ids": c.question_ids,
        "notes": c.notes,
        "metrics": [_metric(view) for view in page.metrics],
        "suggestion": {
            "rating": page.suggestion.rating,
            "branch": page.suggestion.branch,
            "explanation": page.suggestion.explanation,
            "rule": page.suggestion.rule,
        },
        "evaluations": [_evaluation(ev, page.round_responses) for ev in page.evaluations],
    }
