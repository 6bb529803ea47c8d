"""Reads for commitments. Commitments, evidence, ratings and responses are public."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from maturity.charts import TrajectoryChart, TrajectoryPoint, trajectory_chart
from maturity.core.stats import Trajectory, fit_trajectory

from . import presenters
from .anchors import QUESTIONS
from .links import domain_names, question_texts
from .models import (
    RATING_QUESTIONS,
    Commitment,
    DeadlineRevision,
    Evaluation,
    EvaluationRound,
    GovernmentResponse,
    Metric,
    Observation,
    PolicyArea,
)
from .rules import Suggestion, suggest_met_or_on_track

INTERVAL_LEVEL = 0.8


def _commitments() -> QuerySet[Commitment]:
    return Commitment.objects.prefetch_related(
        Prefetch(
            "deadline_revisions", queryset=DeadlineRevision.objects.order_by("created_at", "id")
        ),
        Prefetch("metrics", queryset=Metric.objects.prefetch_related("observations")),
    )


def _area_key(commitment: Commitment) -> tuple:
    return (
        list(PolicyArea.values).index(commitment.policy_area),
        commitment.panel_number is None,
        commitment.panel_number or 0,
        commitment.title,
    )


def get_commitment(slug: str) -> Commitment | None:
    return _commitments().filter(slug=slug).first()


def get_metric(commitment: Commitment, metric_slug: str) -> Metric | None:
    return next((m for m in commitment.metrics.all() if m.slug == metric_slug), None)


def get_round(pk: int) -> EvaluationRound | None:
    return EvaluationRound.objects.filter(pk=pk).first()


def get_evaluation(pk: int) -> Evaluation | None:
    return Evaluation.objects.select_related("commitment", "round").filter(pk=pk).first()


def rounds() -> list[EvaluationRound]:
    return list(EvaluationRound.objects.order_by("-held_on", "-id"))


def open_rounds() -> list[EvaluationRound]:
    return [r for r in rounds() if r.is_open]


# --- lists -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListRow:
    commitment: Commitment
    deadline: dt.date | None
    deadline_label: str
    revised: bool
    latest_overall: str | None
    latest_round: EvaluationRound | None


@dataclass(frozen=True)
class AreaGroup:
    area: str
    label: str
    rows: list[ListRow]


def commitments_by_area() -> list[AreaGroup]:
    """Every commitment under its policy area (in the panel's order), with its current deadline
    and its latest overall rating."""
    latest: dict[int, Evaluation] = {}
    for evaluation in Evaluation.objects.select_related("round").order_by(
        "round__held_on", "round_id"
    ):
        latest[evaluation.commitment_id] = evaluation
    groups: dict[str, list[ListRow]] = {area: [] for area in PolicyArea.values}
    for commitment in sorted(_commitments(), key=_area_key):
        evaluation = latest.get(commitment.pk)
        groups[commitment.policy_area].append(
            ListRow(
                commitment=commitment,
                deadline=commitment.current_deadline,
                deadline_label=commitment.current_deadline_label,
                revised=commitment.latest_revision is not None,
                latest_overall=evaluation.overall if evaluation else None,
                latest_round=evaluation.round if evaluation else None,
            )
        )
    return [
        AreaGroup(area=area, label=PolicyArea(area).label, rows=rows)
        for area, rows in groups.items()
    ]


# --- trajectories and suggestions ----------------------------------------------------------


def fit_points(metric: Metric, as_of: dt.date) -> list[tuple[dt.date, float, str]]:
    """(date, value, label) used for the trend: the baseline, then every observation up to
    ``as_of`` that is not demonstration data."""
    points = []
    if metric.baseline_value is not None and metric.baseline_date is not None:
        points.append((metric.baseline_date, metric.baseline_value, metric.baseline_label))
    points += [
        (o.observed_on, o.value, o.date_label)
        for o in sorted(metric.observations.all(), key=lambda o: (o.observed_on, o.pk))
        if not o.is_demonstration and o.observed_on <= as_of
    ]
    return sorted(points, key=lambda p: p[0])


def metric_trajectory(
    metric: Metric, deadline: dt.date | None, as_of: dt.date
) -> Trajectory | None:
    """The fitted trajectory to the deadline, or None without a target, a deadline or points."""
    if metric.target_value is None or deadline is None:
        return None
    points = [(d, v) for d, v, _ in fit_points(metric, as_of)]
    if not points:
        return None
    bounds = (metric.minimum, metric.maximum)
    try:
        return fit_trajectory(
            points,
            deadline=deadline,
            target=metric.target_value,
            direction=metric.direction,
            interval_level=INTERVAL_LEVEL,
            bounds=bounds if None not in bounds else None,
        )
    except ValueError:  # several points all on one date: no trend can be estimated
        return None


def primary_metric(commitment: Commitment) -> Metric | None:
    return next((m for m in commitment.metrics.all() if m.is_primary), None)


def suggestion_for(commitment: Commitment, *, as_of: dt.date) -> Suggestion:
    """The suggested "met or on track" rating today (see rules.SUGGESTION_RULE)."""
    metric = primary_metric(commitment)
    deadline = commitment.current_deadline
    if metric is None:
        return suggest_met_or_on_track(
            target=None,
            direction="increase",
            baseline=None,
            deadline=deadline,
            observations=[],
            probability_on_time=None,
            as_of=as_of,
        )
    trajectory = metric_trajectory(metric, deadline, as_of)
    return suggest_met_or_on_track(
        target=metric.target_value,
        direction=metric.direction,
        baseline=metric.baseline_value,
        deadline=deadline,
        observations=[
            (o.observed_on, o.value) for o in metric.observations.all() if not o.is_demonstration
        ],
        probability_on_time=trajectory.probability_on_time if trajectory else None,
        as_of=as_of,
    )


# --- one commitment --------------------------------------------------------------------------


@dataclass(frozen=True)
class TableRow:
    when: str
    observed_on: dt.date | None
    value: str
    kind: str
    source: str
    note: str
    is_demonstration: bool


@dataclass(frozen=True)
class MetricView:
    metric: Metric
    observations: list[Observation]
    trajectory: Trajectory | None
    chart_svg: str
    sentence: str
    table: list[TableRow]


@dataclass(frozen=True)
class DeadlineRow:
    deadline: dt.date | None
    label: str
    recorded: str
    source: str
    is_original: bool
    is_current: bool


@dataclass(frozen=True)
class EvaluationView:
    evaluation: Evaluation
    ratings: list[tuple[str, str, str | None, str, str]]  # key, label, rating, rationale, evidence
    responses: list[GovernmentResponse]


@dataclass(frozen=True)
class CommitmentPage:
    commitment: Commitment
    deadlines: list[DeadlineRow]
    metrics: list[MetricView]
    suggestion: Suggestion
    evaluations: list[EvaluationView]
    round_responses: dict[int, list[GovernmentResponse]]
    domains: list[tuple[str, str]]
    questions: list[tuple[str, str]]
    open_rounds: list[EvaluationRound] = field(default_factory=list)


def _fit_line(
    trajectory: Trajectory, start: dt.date, end: dt.date, metric: Metric
) -> tuple[tuple[dt.date, float], tuple[dt.date, float]]:
    def at(day: dt.date) -> float:
        fitted = trajectory.intercept + trajectory.slope_per_year * (day - start).days / 365.25
        if metric.minimum is not None:
            fitted = max(metric.minimum, fitted)
        if metric.maximum is not None:
            fitted = min(metric.maximum, fitted)
        return fitted

    return (start, at(start)), (end, at(end))


def metric_view(
    metric: Metric,
    *,
    deadline: dt.date | None,
    deadline_label: str,
    earlier_deadlines: list[dt.date],
    as_of: dt.date,
    element_id: str,
    with_chart: bool = True,
) -> MetricView:
    observations = sorted(metric.observations.all(), key=lambda o: (o.observed_on, o.pk))
    points = fit_points(metric, as_of)
    trajectory = metric_trajectory(metric, deadline, as_of)
    demo = [o for o in observations if o.is_demonstration]
    chart_points = []
    if metric.baseline_value is not None and metric.baseline_date is not None:
        chart_points.append(
            TrajectoryPoint(metric.baseline_date, metric.baseline_value, "baseline")
        )
    chart_points += [
        TrajectoryPoint(
            o.observed_on, o.value, "demonstration" if o.is_demonstration else "observation"
        )
        for o in observations
    ]
    fit = interval = None
    if trajectory is not None and trajectory.method != "single_observation" and deadline:
        start = points[0][0]
        end = max(deadline, points[-1][0])
        fit = _fit_line(trajectory, start, end, metric)
        if trajectory.method == "trajectory_ols_t":
            interval = (deadline, trajectory.lower, trajectory.upper)
    sentence = presenters.trajectory_sentence(
        name=metric.name,
        unit=metric.unit,
        points=points,
        target=metric.target_value,
        deadline=deadline,
        deadline_label=deadline_label,
        trajectory=trajectory,
        as_of=as_of,
        demonstration_left_out=len(demo),
    )
    spec = TrajectoryChart(
        chart_id=element_id,
        title=f"{metric.name} ({metric.unit})",
        description=sentence,
        unit=metric.unit,
        points=chart_points,
        target=metric.target_value,
        deadline=deadline if metric.target_value is not None else None,
        earlier_deadlines=earlier_deadlines if metric.target_value is not None else [],
        fit=fit,
        interval=interval,
        interval_label=f"{INTERVAL_LEVEL:.0%} interval at the deadline",
        minimum=metric.minimum,
        maximum=metric.maximum,
    )
    table = []
    if metric.baseline_value is not None:
        table.append(
            TableRow(
                when=presenters.when(metric.baseline_date, metric.baseline_label),
                observed_on=metric.baseline_date,
                value=presenters.value(metric.baseline_value, metric.unit),
                kind="Baseline",
                source=metric.baseline_source,
                note="",
                is_demonstration=False,
            )
        )
    table += [
        TableRow(
            when=presenters.when(o.observed_on, o.date_label),
            observed_on=o.observed_on,
            value=presenters.value(o.value, metric.unit),
            kind=o.get_provenance_display(),
            source=o.source,
            note=o.note,
            is_demonstration=o.is_demonstration,
        )
        for o in observations
    ]
    return MetricView(
        metric=metric,
        observations=observations,
        trajectory=trajectory,
        chart_svg=trajectory_chart(spec) if with_chart else "",
        sentence=sentence,
        table=table,
    )


def _evaluation_view(evaluation: Evaluation) -> EvaluationView:
    return EvaluationView(
        evaluation=evaluation,
        ratings=[
            (
                q.key,
                q.label,
                getattr(evaluation, q.key),
                getattr(evaluation, f"{q.key}_rationale"),
                getattr(evaluation, f"{q.key}_evidence"),
            )
            for q in QUESTIONS
        ],
        responses=list(evaluation.responses.all()),
    )


def commitment_page(
    commitment: Commitment, *, as_of: dt.date, with_charts: bool = True
) -> CommitmentPage:
    revisions = list(commitment.deadline_revisions.all())
    deadlines = [
        DeadlineRow(
            deadline=commitment.original_deadline,
            label=commitment.original_deadline_label,
            recorded=presenters.when(commitment.source_date, commitment.source_date_label),
            source=commitment.citation,
            is_original=True,
            is_current=not revisions,
        )
    ]
    deadlines += [
        DeadlineRow(
            deadline=r.new_deadline,
            label=r.new_deadline_label,
            recorded=presenters.when(r.recorded_on, r.recorded_on_label),
            source=r.source,
            is_original=False,
            is_current=index == len(revisions) - 1,
        )
        for index, r in enumerate(revisions)
    ]
    current = commitment.current_deadline
    earlier = [d.deadline for d in deadlines if d.deadline and not d.is_current]
    metrics = [
        metric_view(
            metric,
            deadline=current,
            deadline_label=commitment.current_deadline_label,
            earlier_deadlines=earlier,
            as_of=as_of,
            element_id=f"chart-{metric.slug}",
            with_chart=with_charts,
        )
        for metric in commitment.metrics.all()
    ]
    evaluations = [
        _evaluation_view(e)
        for e in commitment.evaluations.select_related("round", "evaluated_by")
        .prefetch_related("responses")
        .order_by("-round__held_on", "-round_id")
    ]
    round_ids = [e.evaluation.round_id for e in evaluations]
    round_responses: dict[int, list[GovernmentResponse]] = {}
    for response in GovernmentResponse.objects.filter(
        round_id__in=round_ids, evaluation__isnull=True
    ):
        round_responses.setdefault(response.round_id, []).append(response)
    domains = domain_names()
    questions = question_texts()
    return CommitmentPage(
        commitment=commitment,
        deadlines=deadlines,
        metrics=metrics,
        suggestion=suggestion_for(commitment, as_of=as_of),
        evaluations=evaluations,
        round_responses=round_responses,
        domains=[(i, domains.get(i, i)) for i in commitment.domain_ids],
        questions=[(i, questions.get(i, i)) for i in commitment.question_ids],
        open_rounds=open_rounds(),
    )


# --- the summary table -------------------------------------------------------------------------


@dataclass(frozen=True)
class SummaryRow:
    commitment: Commitment
    evaluation: Evaluation
    ratings: list[str | None]  # in RATING_QUESTIONS order


@dataclass(frozen=True)
class SummaryArea:
    area: str
    label: str
    rows: list[SummaryRow]


@dataclass(frozen=True)
class Summary:
    evaluation_round: EvaluationRound | None
    areas: list[SummaryArea]
    responses: list[GovernmentResponse]

    @property
    def count(self) -> int:
        return sum(len(a.rows) for a in self.areas)


def default_round() -> EvaluationRound | None:
    """The latest round that has any evaluations."""
    return (
        EvaluationRound.objects.filter(evaluations__isnull=False)
        .order_by("-held_on", "-id")
        .first()
    )


def summary(evaluation_round: EvaluationRound | None) -> Summary:
    """The commitments evaluated in a round, by area, with their five ratings (the panel's
    report table)."""
    if evaluation_round is None:
        return Summary(None, [], [])
    evaluations = sorted(
        Evaluation.objects.filter(round=evaluation_round).select_related("commitment"),
        key=lambda e: _area_key(e.commitment),
    )
    areas: dict[str, list[SummaryRow]] = {area: [] for area in PolicyArea.values}
    for evaluation in evaluations:
        areas[evaluation.commitment.policy_area].append(
            SummaryRow(
                commitment=evaluation.commitment,
                evaluation=evaluation,
                ratings=[getattr(evaluation, q) for q in RATING_QUESTIONS],
            )
        )
    return Summary(
        evaluation_round=evaluation_round,
        areas=[
            SummaryArea(area=a, label=PolicyArea(a).label, rows=rows)
            for a, rows in areas.items()
            if rows
        ],
        responses=list(
            GovernmentResponse.objects.filter(round=evaluation_round).order_by("responded_on")
        ),
    )


SUMMARY_CSV_COLUMNS = [
    "round",
    "round_date",
    "policy_area",
    "panel_number",
    "commitment",
    "commitment_id",
    *RATING_QUESTIONS,
    "source",
]


def _safe_cell(text: str) -> str:
    # A cell starting with these is run as a formula by spreadsheet programs.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def summary_csv(data: Summary) -> str:
    """The summary table as CSV; an unknown rating is an empty cell."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(SUMMARY_CSV_COLUMNS)
    if data.evaluation_round is None:
        return out.getvalue()
    r = data.evaluation_round
    for area in data.areas:
        for row in area.rows:
            writer.writerow(
                [
                    _safe_cell(r.name),
                    r.held_on.isoformat(),
                    area.label,
                    row.commitment.panel_number or "",
                    _safe_cell(row.commitment.title),
                    row.commitment.slug,
                    *[rating or "" for rating in row.ratings],
                    _safe_cell(row.evaluation.source),
                ]
            )
    return out.getvalue()
