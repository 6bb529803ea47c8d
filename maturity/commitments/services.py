"""Writes for commitments, evidence and evaluations. Every write checks who is acting.

Only national analysts create and edit commitments, metrics, deadlines and observations, open and
close evaluation rounds and record the government's responses; only expert panel members rate.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from maturity.accounts.models import User
from maturity.accounts.permissions import is_national_analyst, is_panel_member
from maturity.audit import services as audit
from maturity.organisations.reference import REFERENCE_DIR

from . import derivations, selectors
from .links import link_errors
from .models import (
    RATING_QUESTIONS,
    Commitment,
    DeadlineRevision,
    Derivation,
    Direction,
    Evaluation,
    EvaluationRound,
    GovernmentResponse,
    Metric,
    Observation,
    PolicyArea,
    Provenance,
    Rating,
    SuggestionDecision,
)

MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_ROWS = 10_000
IMPORT_COLUMNS = ("commitment", "metric", "date", "value", "source", "date_label", "note")
REQUIRED_IMPORT_COLUMNS = ("commitment", "metric", "date", "value", "source")


def _snapshot(instance: object, names: Iterable[str]) -> dict[str, Any]:
    """The named fields of a row as the audit record keeps them."""
    return {name: getattr(instance, name) for name in names}


COMMITMENT_FIELDS = (
    "slug",
    "title",
    "text",
    "policy_area",
    "policy_area_basis",
    "panel_number",
    "source_document",
    "source_date",
    "source_date_label",
    "citation",
    "owner",
    "original_deadline",
    "original_deadline_label",
    "funding_committed_gbp",
    "funding_text",
    "funding_source",
    "domain_ids",
    "question_ids",
    "notes",
)
METRIC_FIELDS = (
    "slug",
    "name",
    "unit",
    "is_primary",
    "direction",
    "baseline_value",
    "baseline_date",
    "baseline_label",
    "baseline_source",
    "target_value",
    "target_source",
    "minimum",
    "maximum",
    "derivation",
    "notes",
)


def _changed(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    """Only the fields that changed, so the audit trail reads as what was done."""
    names = [k for k in after if before.get(k) != after[k]]
    return {k: before.get(k) for k in names}, {k: after[k] for k in names}


def require_analyst(user: User | AnonymousUser) -> None:
    if not is_national_analyst(user):
        raise PermissionDenied("Only national analysts can change commitments and their evidence.")


def require_panel_member(user: User | AnonymousUser) -> None:
    if not is_panel_member(user):
        raise PermissionDenied("Only expert panel members can rate commitments.")


# --- commitments ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CommitmentData:
    slug: str
    title: str
    text: str
    policy_area: str
    source_document: str
    citation: str
    source_date: dt.date | None = None
    source_date_label: str = ""
    policy_area_basis: str = ""
    panel_number: int | None = None
    owner: str = ""
    original_deadline: dt.date | None = None
    original_deadline_label: str = ""
    funding_committed_gbp: Decimal | None = None
    funding_text: str = ""
    funding_source: str = ""
    domain_ids: list[str] = field(default_factory=list)
    question_ids: list[str] = field(default_factory=list)
    notes: str = ""


# Path segments of the commitments pages that a commitment's slug must not shadow.
RESERVED_SLUGS = frozenset({"new", "import", "summary", "rounds", "evaluations"})


def _check_commitment(data: CommitmentData) -> None:
    errors: dict[str, list[str]] = dict(link_errors(data.domain_ids, data.question_ids))
    if data.slug in RESERVED_SLUGS:
        errors["slug"] = [f'"{data.slug}" is used by the service; choose another short name.']
    if data.policy_area not in PolicyArea.values:
        errors["policy_area"] = ["Choose a policy area."]
    if data.funding_committed_gbp is not None and data.funding_committed_gbp < 0:
        errors["funding_committed_gbp"] = ["Funding cannot be negative."]
    if errors:
        raise ValidationError(errors)


def _apply(commitment: Commitment, data: CommitmentData) -> None:
    for name, value in data.__dict__.items():
        setattr(commitment, name, list(value) if isinstance(value, list) else value)


@transaction.atomic
def commitment_create(*, by: User, data: CommitmentData) -> Commitment:
    require_analyst(by)
    _check_commitment(data)
    if Commitment.objects.filter(slug=data.slug).exists():
        raise ValidationError({"slug": ["Another commitment already uses this short name."]})
    commitment = Commitment(updated_by=by)
    _apply(commitment, data)
    commitment.full_clean()
    commitment.save()
    audit.record(
        actor=by,
        action="commitment.created",
        target=commitment,
        after=_snapshot(commitment, COMMITMENT_FIELDS),
    )
    return commitment


@transaction.atomic
def commitment_update(*, by: User, commitment: Commitment, data: CommitmentData) -> Commitment:
    require_analyst(by)
    _check_commitment(data)
    if Commitment.objects.filter(slug=data.slug).exclude(pk=commitment.pk).exists():
        raise ValidationError({"slug": ["Another commitment already uses this short name."]})
    before = _snapshot(Commitment.objects.get(pk=commitment.pk), COMMITMENT_FIELDS)
    _apply(commitment, data)
    commitment.updated_by = by
    commitment.full_clean()
    commitment.save()
    old, new = _changed(before, _snapshot(commitment, COMMITMENT_FIELDS))
    audit.record(actor=by, action="commitment.changed", target=commitment, before=old, after=new)
    return commitment


@transaction.atomic
def deadline_revise(
    *,
    by: User,
    commitment: Commitment,
    new_deadline: dt.date,
    source: str,
    new_deadline_label: str = "",
    recorded_on: dt.date | None = None,
    recorded_on_label: str = "",
) -> DeadlineRevision:
    """Record a later deadline; earlier deadlines stay in the history."""
    require_analyst(by)
    if not source.strip():
        raise ValidationError({"source": ["Say where the new deadline comes from."]})
    previous = commitment.deadline_revisions.order_by("created_at", "id").last()
    revision = DeadlineRevision(
        commitment=commitment,
        new_deadline=new_deadline,
        new_deadline_label=new_deadline_label,
        recorded_on=recorded_on,
        recorded_on_label=recorded_on_label,
        source=source.strip(),
        created_by=by,
    )
    revision.full_clean()
    revision.save()
    audit.record(
        actor=by,
        action="commitment.deadline_revised",
        target=commitment,
        before={
            "deadline": commitment.original_deadline if previous is None else previous.new_deadline
        },
        after=_snapshot(
            revision,
            ("new_deadline", "new_deadline_label", "recorded_on", "recorded_on_label", "source"),
        )
        | {"revision": revision.pk},
    )
    return revision


# --- metrics and observations --------------------------------------------------------------


@dataclass(frozen=True)
class MetricData:
    slug: str
    name: str
    unit: str
    is_primary: bool = False
    direction: str = Direction.INCREASE
    baseline_value: float | None = None
    baseline_date: dt.date | None = None
    baseline_label: str = ""
    baseline_source: str = ""
    target_value: float | None = None
    target_source: str = ""
    minimum: float | None = None
    maximum: float | None = None
    derivation: str = Derivation.NONE
    notes: str = ""


def _check_metric(commitment: Commitment, data: MetricData, metric: Metric | None) -> None:
    errors: dict[str, list[str]] = {}
    others = commitment.metrics.exclude(pk=metric.pk) if metric else commitment.metrics.all()
    if others.filter(slug=data.slug).exists():
        errors["slug"] = ["This commitment already has a metric with this short name."]
    if data.baseline_value is not None and data.baseline_date is None:
        errors["baseline_date"] = ["Give the date of the baseline."]
    if data.baseline_value is not None and not data.baseline_source.strip():
        errors["baseline_source"] = ["Say where the baseline comes from."]
    if data.target_value is not None and not data.target_source.strip():
        errors["target_source"] = ["Say where the target comes from."]
    if data.minimum is not None and data.maximum is not None and data.minimum >= data.maximum:
        errors["maximum"] = ["The highest possible value must be above the lowest."]
    for name in ("baseline_value", "target_value"):
        value = getattr(data, name)
        if value is not None:
            problem = _out_of_bounds(value, data.minimum, data.maximum)
            if problem:
                errors[name] = [problem]
    if errors:
        raise ValidationError(errors)


def _out_of_bounds(value: float, low: float | None, high: float | None) -> str:
    if low is not None and value < low:
        return f"The value cannot be below {low:g}."
    if high is not None and value > high:
        return f"The value cannot be above {high:g}."
    return ""


def _save_metric(metric: Metric, data: MetricData, *, by: User) -> Metric:
    before = _snapshot(Metric.objects.get(pk=metric.pk), METRIC_FIELDS) if metric.pk else None
    for name, value in data.__dict__.items():
        setattr(metric, name, value)
    if data.is_primary:
        # One primary metric per commitment: the newly marked one takes over.
        Metric.objects.filter(commitment=metric.commitment, is_primary=True).exclude(
            pk=metric.pk
        ).update(is_primary=False)
    metric.full_clean(validate_constraints=False)
    metric.save()
    after = _snapshot(metric, METRIC_FIELDS)
    action = "commitment.metric_added"
    if before is not None:
        action = "commitment.metric_changed"
        before, after = _changed(before, after)
    # Filed against the commitment, so its history is one query; the metric is named inside.
    audit.record(
        actor=by,
        action=action,
        target=metric.commitment,
        before=before,
        after={"metric": metric.pk, "metric_slug": metric.slug} | after,
    )
    return metric


@transaction.atomic
def metric_create(*, by: User, commitment: Commitment, data: MetricData) -> Metric:
    require_analyst(by)
    _check_metric(commitment, data, None)
    return _save_metric(Metric(commitment=commitment), data, by=by)


@transaction.atomic
def metric_update(*, by: User, metric: Metric, data: MetricData) -> Metric:
    require_analyst(by)
    _check_metric(metric.commitment, data, metric)
    return _save_metric(metric, data, by=by)


def _observation_problems(
    metric: Metric, observed_on: dt.date, value: float, source: str, as_of: dt.date
) -> dict[str, str]:
    problems: dict[str, str] = {}
    if observed_on > as_of:
        problems["date"] = "The date is in the future."
    if not math.isfinite(value):
        problems["value"] = "Enter a number."
    else:
        bound = _out_of_bounds(value, metric.minimum, metric.maximum)
        if bound:
            problems["value"] = bound
    if not source.strip():
        problems["source"] = "Say where the value comes from."
    elif Observation.objects.filter(
        metric=metric, observed_on=observed_on, source=source.strip()
    ).exists():
        problems["date"] = "This metric already has an observation on this date from this source."
    return problems


@transaction.atomic
def observation_add(
    *,
    by: User,
    metric: Metric,
    observed_on: dt.date,
    value: float,
    source: str,
    date_label: str = "",
    note: str = "",
    as_of: dt.date | None = None,
) -> Observation:
    """An observation entered by hand."""
    require_analyst(by)
    problems = _observation_problems(metric, observed_on, value, source, as_of or dt.date.today())
    if problems:
        names = {"date": "observed_on"}
        raise ValidationError({names.get(k, k): [v] for k, v in problems.items()})
    observation = Observation.objects.create(
        metric=metric,
        observed_on=observed_on,
        date_label=date_label.strip(),
        value=value,
        source=source.strip(),
        note=note.strip(),
        provenance=Provenance.ENTERED,
        entered_by=by,
    )
    audit.record(
        actor=by,
        action="commitment.observation_added",
        target=metric.commitment,
        after={"metric": metric.pk, "metric_slug": metric.slug, "observation": observation.pk}
        | _snapshot(observation, OBSERVATION_FIELDS),
    )
    return observation


OBSERVATION_FIELDS = ("observed_on", "date_label", "value", "source", "note", "provenance")


@dataclass(frozen=True)
class RowError:
    line: int  # physical line in the file, the header being line 1; 0 for the file as a whole
    column: str  # column name, or "" for the whole row or file
    message: str

    def __str__(self) -> str:
        where = "The file" if self.line == 0 else f"Line {self.line}"
        return f"{where}{f', column {self.column}' if self.column else ''}: {self.message}"


class ImportRejected(Exception):
    """Nothing was imported; ``errors`` says every problem found, by line and column."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        super().__init__(f"{len(errors)} problem(s); nothing was imported")


@dataclass(frozen=True)
class ImportResult:
    created: int
    by_metric: dict[str, int]  # "commitment/metric" -> rows


def _parse_number(text: str) -> float | None:
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


@transaction.atomic
def observations_import(*, by: User, content: bytes, as_of: dt.date | None = None) -> ImportResult:
    """Import observations from CSV, all or nothing.

    Columns: commitment (slug), metric (slug), date (YYYY-MM-DD), value, source, and optionally
    date_label and note. Raises :class:`ImportRejected` listing every bad row by line and column.
    """
    require_analyst(by)
    as_of = as_of or dt.date.today()
    if len(content) > MAX_IMPORT_BYTES:
        raise ImportRejected(
            [RowError(0, "", f"The file is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB.")]
        )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRejected(
            [RowError(0, "", "The file is not UTF-8 text (save it as CSV UTF-8).")]
        ) from None
    if not text.strip():
        raise ImportRejected([RowError(0, "", "The file is empty.")])

    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except csv.Error as error:
        raise ImportRejected([RowError(1, "", f"The header cannot be read: {error}.")]) from None
    errors: list[RowError] = []
    missing = [c for c in REQUIRED_IMPORT_COLUMNS if c not in header]
    for column in missing:
        errors.append(RowError(1, column, "This column is missing from the header."))
    for column in header:
        if column not in IMPORT_COLUMNS:
            errors.append(
                RowError(
                    1, column or "(blank)", f"Unknown column; use {', '.join(IMPORT_COLUMNS)}."
                )
            )
    duplicated = {c for c in header if header.count(c) > 1}
    for column in sorted(duplicated):
        errors.append(RowError(1, column, "This column appears more than once."))
    if errors:
        raise ImportRejected(errors)

    commitments = {c.slug: c for c in Commitment.objects.prefetch_related("metrics")}
    pending: list[tuple[Metric, dict]] = []
    seen: dict[tuple[int, dt.date, str], int] = {}
    line = reader.line_num
    rows = 0
    while True:
        start = line + 1
        try:
            raw = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            errors.append(RowError(start, "", f"The row cannot be read: {error}."))
            break
        line = reader.line_num
        if not any(cell.strip() for cell in raw):
            continue
        rows += 1
        if rows > MAX_IMPORT_ROWS:
            errors.append(RowError(start, "", f"More than {MAX_IMPORT_ROWS} rows; split the file."))
            break
        if len(raw) != len(header):
            errors.append(RowError(start, "", f"Expected {len(header)} values, found {len(raw)}."))
            continue
        row = {name: cell.strip() for name, cell in zip(header, raw, strict=True)}
        row_errors: list[RowError] = []

        commitment = commitments.get(row["commitment"])
        metric = None
        if not row["commitment"]:
            row_errors.append(RowError(start, "commitment", "Enter the commitment's short name."))
        elif commitment is None:
            row_errors.append(
                RowError(start, "commitment", f'No commitment "{row["commitment"][:80]}".')
            )
        else:
            metric = next((m for m in commitment.metrics.all() if m.slug == row["metric"]), None)
            if not row["metric"]:
                row_errors.append(RowError(start, "metric", "Enter the metric's short name."))
            elif metric is None:
                row_errors.append(
                    RowError(
                        start,
                        "metric",
                        f'Commitment "{commitment.slug}" has no metric "{row["metric"][:80]}".',
                    )
                )

        observed_on = None
        try:
            observed_on = dt.date.fromisoformat(row["date"])
        except ValueError:
            row_errors.append(
                RowError(start, "date", f'"{row["date"][:40]}" is not a date like 2024-03-31.')
            )
        value = _parse_number(row["value"])
        if value is None:
            row_errors.append(RowError(start, "value", f'"{row["value"][:40]}" is not a number.'))
        if not row["source"]:
            row_errors.append(RowError(start, "source", "Say where the value comes from."))

        if metric is not None and observed_on is not None and value is not None and row["source"]:
            problems = _observation_problems(metric, observed_on, value, row["source"], as_of)
            for column, message in problems.items():
                row_errors.append(RowError(start, column, message))
            key = (metric.pk, observed_on, row["source"])
            if key in seen:
                row_errors.append(
                    RowError(
                        start, "date", f"Repeats line {seen[key]} (same metric, date and source)."
                    )
                )
            seen.setdefault(key, start)
        if row_errors:
            errors.extend(row_errors)
            continue
        pending.append((metric, row | {"observed_on": observed_on, "value_number": value}))

    if errors:
        raise ImportRejected(errors)
    if not pending:
        raise ImportRejected([RowError(0, "", "The file has a header but no observations.")])

    by_metric: dict[str, int] = {}
    created = Observation.objects.bulk_create(
        Observation(
            metric=metric,
            observed_on=row["observed_on"],
            date_label=row.get("date_label", ""),
            value=row["value_number"],
            source=row["source"],
            note=row.get("note", ""),
            provenance=Provenance.IMPORTED,
            entered_by=by,
        )
        for metric, row in pending
    )
    for metric, _row in pending:
        key = f"{metric.commitment.slug}/{metric.slug}"
        by_metric[key] = by_metric.get(key, 0) + 1
    # One record per metric: what the file added to it, value by value.
    per_metric: dict[int, list[Observation]] = {}
    for observation in created:
        per_metric.setdefault(observation.metric_id, []).append(observation)
    metrics_in_order = {metric.pk: metric for metric, _row in pending}
    for metric_pk, rows in per_metric.items():
        metric = metrics_in_order[metric_pk]
        audit.record(
            actor=by,
            action="commitment.observations_imported",
            target=metric.commitment,
            after={
                "metric": metric.pk,
                "metric_slug": metric.slug,
                "created": len(rows),
                "observations": [
                    {"observed_on": o.observed_on, "value": o.value, "source": o.source}
                    for o in rows
                ],
            },
        )
    return ImportResult(created=len(pending), by_metric=by_metric)


@dataclass
class DerivationSummary:
    written: dict[str, int] = field(default_factory=dict)  # "commitment/metric" -> observations
    removed: int = 0
    unavailable: dict[str, str] = field(default_factory=dict)  # derivation -> why


@transaction.atomic
def derive_observations(
    *, by: User | None = None, reference_dir: Path = REFERENCE_DIR
) -> DerivationSummary:
    """Recompute every derived observation; each metric's derived set is replaced as a whole.

    ``by`` is None when run by the service itself (a management command); a person running it
    must be a national analyst.
    """
    if by is not None:
        require_analyst(by)
    summary = DerivationSummary()
    metrics = Metric.objects.exclude(derivation="").select_related("commitment")
    results: dict[str, list[derivations.Derived] | None] = {}
    for metric in metrics:
        if metric.derivation not in results:
            try:
                results[metric.derivation] = derivations.DERIVATIONS[metric.derivation](
                    reference_dir
                )
            except derivations.DerivationUnavailable as reason:
                results[metric.derivation] = None
                summary.unavailable[metric.derivation] = str(reason)
        derived = results[metric.derivation]
        if derived is None:
            continue
        keep = set()
        for item in derived:
            observation, _created = Observation.objects.update_or_create(
                metric=metric,
                observed_on=item.observed_on,
                source=item.source,
                defaults={
                    "date_label": item.date_label,
                    "value": item.value,
                    "note": item.note,
                    "provenance": Provenance.DERIVED,
                    "is_demonstration": item.is_demonstration,
                    "entered_by": by,
                },
            )
            keep.add(observation.pk)
        removed, _ = (
            Observation.objects.filter(metric=metric, provenance=Provenance.DERIVED)
            .exclude(pk__in=keep)
            .delete()
        )
        summary.removed += removed
        summary.written[f"{metric.commitment.slug}/{metric.slug}"] = len(keep)
    # One record per run: every derived set is rewritten, so the run is the change.
    audit.record(
        actor=by,
        action="commitment.observations_derived",
        target=("commitments.derivation", "all"),
        after={
            "written": summary.written,
            "removed": summary.removed,
            "unavailable": summary.unavailable,
        },
    )
    return summary


# --- evaluation rounds, evaluations and responses ------------------------------------------


@transaction.atomic
def round_create(
    *,
    by: User,
    name: str,
    held_on: dt.date,
    panel: str,
    held_on_label: str = "",
    reference: str = "",
    source: str = "",
) -> EvaluationRound:
    require_analyst(by)
    if EvaluationRound.objects.filter(name=name.strip(), held_on=held_on).exists():
        raise ValidationError({"name": ["A round with this name and date already exists."]})
    evaluation_round = EvaluationRound(
        name=name.strip(),
        held_on=held_on,
        held_on_label=held_on_label.strip(),
        panel=panel.strip(),
        reference=reference.strip(),
        source=source.strip(),
        is_open=True,
        created_by=by,
    )
    evaluation_round.full_clean()
    evaluation_round.save()
    audit.record(
        actor=by,
        action="commitment.round_opened",
        target=evaluation_round,
        after=_snapshot(
            evaluation_round,
            ("name", "held_on", "held_on_label", "panel", "reference", "source", "is_open"),
        ),
    )
    return evaluation_round


@transaction.atomic
def round_close(*, by: User, evaluation_round: EvaluationRound) -> EvaluationRound:
    """Close a round: its ratings are then the record and can no longer change."""
    require_analyst(by)
    if evaluation_round.is_open:
        evaluation_round.is_open = False
        evaluation_round.save(update_fields=["is_open"])
        audit.record(
            actor=by,
            action="commitment.round_closed",
            target=evaluation_round,
            before={"is_open": True},
            after={"is_open": False},
        )
    return evaluation_round


@dataclass(frozen=True)
class RatingInput:
    rating: str | None  # a Rating value, or None for not known
    rationale: str = ""
    evidence: str = ""


EVALUATION_FIELDS = (
    *RATING_QUESTIONS,
    *(f"{q}_rationale" for q in RATING_QUESTIONS),
    *(f"{q}_evidence" for q in RATING_QUESTIONS),
    "suggested_met_or_on_track",
    "suggestion_rule",
    "suggestion_decision",
    "override_reason",
)


class SuggestionChanged(ValidationError):
    """The suggestion moved (new evidence) between showing the form and saving it."""


@transaction.atomic
def evaluation_save(
    *,
    by: User,
    commitment: Commitment,
    evaluation_round: EvaluationRound,
    ratings: dict[str, RatingInput],
    override_reason: str = "",
    suggestion_seen: str | None = None,
    as_of: dt.date | None = None,
) -> Evaluation:
    """Rate a commitment in an open round (one evaluation per commitment per round; saving again
    replaces the panel's earlier answers in that round).

    The suggestion for "met or on track" is worked out again here. If the panel's rating differs
    from it, ``override_reason`` is required. ``suggestion_seen`` is the suggestion the form
    showed ("" for none); if it no longer matches, :class:`SuggestionChanged` is raised.
    """
    require_panel_member(by)
    evaluation_round = EvaluationRound.objects.select_for_update().get(pk=evaluation_round.pk)
    if not evaluation_round.is_open:
        raise PermissionDenied("This evaluation round is closed; its ratings can no longer change.")
    unknown = set(ratings) - set(RATING_QUESTIONS)
    if unknown:
        raise ValueError(f"unknown rating questions: {sorted(unknown)}")
    errors: dict[str, list[str]] = {}
    for question, given in ratings.items():
        if given.rating is not None and given.rating not in Rating.values:
            errors[question] = ["Choose one of the ratings."]
        if given.rating is not None and not given.rationale.strip():
            errors[f"{question}_rationale"] = ["Give the reason for this rating."]

    suggestion = selectors.suggestion_for(commitment, as_of=as_of or dt.date.today())
    if suggestion_seen is not None and (suggestion_seen or None) != suggestion.rating:
        raise SuggestionChanged(
            "The suggested rating changed while you were rating, because the evidence changed. "
            "Check the new suggestion and save again."
        )
    met = ratings.get("met_or_on_track", RatingInput(None)).rating
    reason = override_reason.strip()
    if suggestion.rating is None:
        decision = SuggestionDecision.NO_SUGGESTION
    elif met == suggestion.rating:
        decision = SuggestionDecision.CONFIRMED
    else:
        decision = SuggestionDecision.OVERRIDDEN
        if not reason:
            errors["override_reason"] = [
                "Your rating differs from the suggested rating: give the reason for overriding it."
            ]
    if errors:
        raise ValidationError(errors)

    evaluation = Evaluation.objects.filter(commitment=commitment, round=evaluation_round).first()
    before = None if evaluation is None else _snapshot(evaluation, EVALUATION_FIELDS)
    if evaluation is None:
        evaluation = Evaluation(commitment=commitment, round=evaluation_round)
    for question in RATING_QUESTIONS:
        given = ratings.get(question, RatingInput(None))
        setattr(evaluation, question, given.rating)
        setattr(evaluation, f"{question}_rationale", given.rationale.strip())
        setattr(evaluation, f"{question}_evidence", given.evidence.strip())
    evaluation.suggested_met_or_on_track = suggestion.rating
    evaluation.suggestion_rule = suggestion.rule
    evaluation.suggestion_explanation = suggestion.explanation
    evaluation.suggestion_decision = decision
    evaluation.override_reason = reason if decision == SuggestionDecision.OVERRIDDEN else ""
    evaluation.evaluated_by = by
    evaluation.save()
    after = _snapshot(evaluation, EVALUATION_FIELDS)
    if before is not None:
        before, after = _changed(before, after)
    # Filed against the commitment, so its ratings over time are one query.
    audit.record(
        actor=by,
        action="commitment.evaluated",
        target=commitment,
        before=before,
        after={"evaluation": evaluation.pk, "round": evaluation_round.pk} | after,
        reason=evaluation.override_reason,
    )
    return evaluation


@transaction.atomic
def government_response_add(
    *,
    by: User,
    evaluation_round: EvaluationRound,
    responded_on: dt.date,
    text: str,
    source: str,
    evaluation: Evaluation | None = None,
) -> GovernmentResponse:
    """Record the government's response to a round, or to one evaluation in it."""
    require_analyst(by)
    errors: dict[str, list[str]] = {}
    if not text.strip():
        errors["text"] = ["Enter what the government said."]
    if not source.strip():
        errors["source"] = ["Say where the response was published."]
    if evaluation is not None and evaluation.round_id != evaluation_round.pk:
        errors["evaluation"] = ["That evaluation belongs to another round."]
    if responded_on < evaluation_round.held_on:
        errors["responded_on"] = ["A response cannot be dated before the evaluation."]
    if errors:
        raise ValidationError(errors)
    response = GovernmentResponse.objects.create(
        round=evaluation_round,
        evaluation=evaluation,
        responded_on=responded_on,
        text=text.strip(),
        source=source.strip(),
        recorded_by=by,
    )
    audit.record(
        actor=by,
        action="commitment.response_recorded",
        target=evaluation.commitment if evaluation is not None else evaluation_round,
        after={
            "response": response.pk,
            "round": evaluation_round.pk,
            "evaluation": evaluation.pk if evaluation is not None else None,
        }
        | _snapshot(response, ("responded_on", "text", "source")),
    )
    return response
