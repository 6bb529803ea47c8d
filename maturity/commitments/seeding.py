"""Loading the seed file of real commitments (seed/commitments.yaml), idempotently.

The file is checked in full before anything is written: every source key must be declared,
every link must be a wgll-2025 id, every non-null rating must give its evidence.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import PermissionDenied
from django.db import transaction
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from maturity.accounts.models import User
from maturity.accounts.permissions import is_national_analyst
from maturity.audit import services as audit

from .anchors import RATING_ORDER
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
    SuggestionDecision,
)

SEED_FILE = Path(__file__).resolve().parent / "seed" / "commitments.yaml"

SourceKeys = list[str]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SeedValue(_Strict):
    value: float
    source: SourceKeys = Field(min_length=1)


class SeedBaseline(SeedValue):
    date: dt.date
    label: str = ""


class SeedObservation(_Strict):
    date: dt.date
    label: str = ""
    value: float
    source: SourceKeys = Field(min_length=1)
    note: str = ""


class SeedMetric(_Strict):
    slug: str
    name: str
    unit: str
    primary: bool = False
    direction: Direction = Direction.INCREASE
    baseline: SeedBaseline | None = None
    target: SeedValue | None = None
    minimum: float | None = None
    maximum: float | None = None
    derivation: Derivation = Derivation.NONE
    notes: str = ""
    observations: list[SeedObservation] = Field(default_factory=list)


class SeedRevision(_Strict):
    new_deadline: dt.date
    new_deadline_label: str = ""
    recorded_on: dt.date | None = None
    recorded_on_label: str = ""
    source: SourceKeys = Field(min_length=1)


class SeedFunding(_Strict):
    gbp: int | None = None
    text: str
    source: SourceKeys = Field(min_length=1)


class SeedCommitment(_Strict):
    slug: str
    title: str
    text: str
    policy_area: PolicyArea
    policy_area_basis: str = ""
    panel_number: int | None = None
    source_document: str
    source_date: dt.date | None = None
    source_date_label: str = ""
    citation: SourceKeys = Field(min_length=1)
    owner: str = ""
    original_deadline: dt.date | None = None
    original_deadline_label: str = ""
    revisions: list[SeedRevision] = Field(default_factory=list)
    funding: SeedFunding | None = None
    domain_ids: list[str] = Field(default_factory=list)
    question_ids: list[str] = Field(default_factory=list)
    notes: str = ""
    metrics: list[SeedMetric] = Field(default_factory=list)


class SeedRating(_Strict):
    rating: str | None
    rationale: str
    evidence: SourceKeys = Field(min_length=1)

    @field_validator("rating")
    @classmethod
    def _known_word(cls, value: str | None) -> str | None:
        if value is not None and value not in RATING_ORDER:
            raise ValueError(f"rating must be one of {RATING_ORDER} or null")
        return value


class SeedEvaluation(_Strict):
    commitment: str
    source: SourceKeys = Field(min_length=1)
    met_or_on_track: SeedRating | None = None
    funded: SeedRating | None = None
    impact: SeedRating | None = None
    appropriate: SeedRating | None = None
    overall: SeedRating | None = None


class SeedResponse(_Strict):
    responded_on: dt.date
    text: str
    source: SourceKeys = Field(min_length=1)


class SeedRound(_Strict):
    name: str
    held_on: dt.date
    held_on_label: str = ""
    reference: str = ""
    panel: str
    source: SourceKeys = Field(min_length=1)
    overall_rating: str | None = None
    overall_rationale: str = ""
    overall_source: SourceKeys = Field(default_factory=list)
    responses: list[SeedResponse] = Field(default_factory=list)
    evaluations: list[SeedEvaluation] = Field(default_factory=list)


class SeedFile(_Strict):
    sources: dict[str, str]
    documents: dict[str, Any] = Field(default_factory=dict)  # YAML anchors only
    commitments: list[SeedCommitment]
    rounds: list[SeedRound] = Field(default_factory=list)


class SeedError(Exception):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("The commitments seed file has problems:\n- " + "\n- ".join(problems))


def _all_source_keys(seed: SeedFile) -> list[tuple[str, list[str]]]:
    """(where, keys) for every citation in the file."""
    found: list[tuple[str, list[str]]] = []
    for c in seed.commitments:
        found.append((f"{c.slug} citation", c.citation))
        found += [(f"{c.slug} revision", r.source) for r in c.revisions]
        if c.funding:
            found.append((f"{c.slug} funding", c.funding.source))
        for m in c.metrics:
            if m.baseline:
                found.append((f"{c.slug}/{m.slug} baseline", m.baseline.source))
            if m.target:
                found.append((f"{c.slug}/{m.slug} target", m.target.source))
            found += [(f"{c.slug}/{m.slug} observation", o.source) for o in m.observations]
    for r in seed.rounds:
        found.append((f"round {r.name}", r.source))
        found.append((f"round {r.name} overall", r.overall_source))
        found += [(f"round {r.name} response", resp.source) for resp in r.responses]
        for e in r.evaluations:
            found.append((f"evaluation of {e.commitment}", e.source))
            for q in RATING_QUESTIONS:
                rating = getattr(e, q)
                if rating is not None:
                    found.append((f"evaluation of {e.commitment} {q}", rating.evidence))
    return found


def read_seed(path: Path = SEED_FILE) -> SeedFile:
    """Parse and check the seed file; raises :class:`SeedError` listing every problem."""
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    try:
        seed = SeedFile.model_validate(raw)
    except ValidationError as error:
        raise SeedError(
            [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()]
        ) from None
    problems: list[str] = []
    for where, keys in _all_source_keys(seed):
        problems += [f"{where}: unknown source {k!r}" for k in keys if k not in seed.sources]
    slugs = [c.slug for c in seed.commitments]
    problems += [
        f"commitment {s!r} appears twice" for s in {s for s in slugs if slugs.count(s) > 1}
    ]
    for c in seed.commitments:
        for field_name, messages in link_errors(c.domain_ids, c.question_ids).items():
            problems += [f"{c.slug} {field_name}: {m}" for m in messages]
        if sum(m.primary for m in c.metrics) > 1:
            problems.append(f"{c.slug}: more than one primary metric")
    for r in seed.rounds:
        if r.overall_rating is not None and not r.overall_source:
            problems.append(f"round {r.name}: an overall rating needs overall_source")
        problems += [
            f"round {r.name}: evaluation of unknown commitment {e.commitment!r}"
            for e in r.evaluations
            if e.commitment not in slugs
        ]
    if problems:
        raise SeedError(problems)
    return seed


def _cite(seed: SeedFile, keys: list[str]) -> str:
    return "; ".join(seed.sources[k] for k in keys)


class SeedSummary(dict):
    """Rows created by kind (a second run creates none)."""

    def count(self, kind: str, created: bool) -> None:
        if created:
            self[kind] = self.get(kind, 0) + 1


@transaction.atomic
def seed_commitments(*, by: User | None = None, path: Path = SEED_FILE) -> SeedSummary:
    """Create or restore the seeded commitments, deadlines, metrics, observations, rounds,
    evaluations and responses. Rows the analysts or panel added are left alone.

    ``by`` is None when the service seeds itself (``maturity demo``, the management command);
    a person doing it must be a national analyst.
    """
    if by is not None and not is_national_analyst(by):
        raise PermissionDenied("Only national analysts can change commitments and their evidence.")
    seed = read_seed(path)
    summary = SeedSummary()
    commitments: dict[str, Commitment] = {}
    for c in seed.commitments:
        commitment, created = Commitment.objects.update_or_create(
            slug=c.slug,
            defaults={
                "title": c.title,
                "text": c.text,
                "policy_area": c.policy_area,
                "policy_area_basis": c.policy_area_basis,
                "panel_number": c.panel_number,
                "source_document": c.source_document,
                "source_date": c.source_date,
                "source_date_label": c.source_date_label,
                "citation": _cite(seed, c.citation),
                "owner": c.owner,
                "original_deadline": c.original_deadline,
                "original_deadline_label": c.original_deadline_label,
                "funding_committed_gbp": c.funding.gbp if c.funding else None,
                "funding_text": c.funding.text if c.funding else "",
                "funding_source": _cite(seed, c.funding.source) if c.funding else "",
                "domain_ids": c.domain_ids,
                "question_ids": c.question_ids,
                "notes": c.notes,
            },
        )
        summary.count("commitments", created)
        commitments[c.slug] = commitment
        for r in c.revisions:
            _revision, created = DeadlineRevision.objects.update_or_create(
                commitment=commitment,
                new_deadline=r.new_deadline,
                source=_cite(seed, r.source),
                defaults={
                    "new_deadline_label": r.new_deadline_label,
                    "recorded_on": r.recorded_on,
                    "recorded_on_label": r.recorded_on_label,
                },
            )
            summary.count("deadline revisions", created)
        if any(m.primary for m in c.metrics):
            primary_slug = next(m.slug for m in c.metrics if m.primary)
            commitment.metrics.filter(is_primary=True).exclude(slug=primary_slug).update(
                is_primary=False
            )
        for m in c.metrics:
            metric, created = Metric.objects.update_or_create(
                commitment=commitment,
                slug=m.slug,
                defaults={
                    "name": m.name,
                    "unit": m.unit,
                    "is_primary": m.primary,
                    "direction": m.direction,
                    "baseline_value": m.baseline.value if m.baseline else None,
                    "baseline_date": m.baseline.date if m.baseline else None,
                    "baseline_label": m.baseline.label if m.baseline else "",
                    "baseline_source": _cite(seed, m.baseline.source) if m.baseline else "",
                    "target_value": m.target.value if m.target else None,
                    "target_source": _cite(seed, m.target.source) if m.target else "",
                    "minimum": m.minimum,
                    "maximum": m.maximum,
                    "derivation": m.derivation,
                    "notes": m.notes,
                },
            )
            summary.count("metrics", created)
            for o in m.observations:
                _obs, created = Observation.objects.update_or_create(
                    metric=metric,
                    observed_on=o.date,
                    source=_cite(seed, o.source),
                    defaults={
                        "date_label": o.label,
                        "value": o.value,
                        "note": o.note,
                        "provenance": Provenance.ENTERED,
                        "is_demonstration": False,
                    },
                )
                summary.count("observations", created)

    for r in seed.rounds:
        evaluation_round, created = EvaluationRound.objects.update_or_create(
            name=r.name,
            held_on=r.held_on,
            defaults={
                "held_on_label": r.held_on_label,
                "reference": r.reference,
                "panel": r.panel,
                "source": _cite(seed, r.source),
                # A past evaluation is the record: it is never open to new ratings.
                "is_open": False,
                "overall_rating": r.overall_rating,
                "overall_rationale": r.overall_rationale,
                "overall_source": _cite(seed, r.overall_source),
            },
        )
        summary.count("evaluation rounds", created)
        for e in r.evaluations:
            defaults: dict[str, Any] = {
                "source": _cite(seed, e.source),
                "suggestion_decision": SuggestionDecision.NOT_RECORDED,
            }
            for q in RATING_QUESTIONS:
                given = getattr(e, q)
                defaults[q] = given.rating if given else None
                defaults[f"{q}_rationale"] = given.rationale if given else ""
                defaults[f"{q}_evidence"] = _cite(seed, given.evidence) if given else ""
            _evaluation, created = Evaluation.objects.update_or_create(
                commitment=commitments[e.commitment], round=evaluation_round, defaults=defaults
            )
            summary.count("evaluations", created)
        for resp in r.responses:
            _response, created = GovernmentResponse.objects.update_or_create(
                round=evaluation_round,
                evaluation=None,
                responded_on=resp.responded_on,
                defaults={"text": resp.text, "source": _cite(seed, resp.source)},
            )
            summary.count("government responses", created)
    # One record per run: seeded facts are restored even when nothing new is created.
    audit.record(
        actor=by,
        action="commitment.seeded",
        target=("commitments.seed", path.name),
        after={"file": path.name, "created": dict(summary)},
    )
    return summary
