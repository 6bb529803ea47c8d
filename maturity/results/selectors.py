"""Reads of results: published figures and demonstration returns' scores, for pages and the API."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from maturity.assessments.models import Score
from maturity.core.scoring.rounding import RULES as ROUNDING_RULES
from maturity.core.scoring.wgll import RULES as SCORING_RULES
from maturity.core.vocab import CARE_SETTING_LABELS, PILLAR_LABELS, PILLAR_ORDER, CareSetting
from maturity.organisations.models import Organisation

from .models import PublishedResult

SOURCE_PUBLISHED = "published"
SOURCE_DEMONSTRATION = "demonstration"
DEMONSTRATION_NOTE = "Demonstration data — generated, not a real submission"

_SETTING_ORDER = {setting.value: index for index, setting in enumerate(CareSetting)}


@dataclass(frozen=True)
class PillarFigure:
    pillar: str
    label: str
    value: float


@dataclass(frozen=True)
class ResultRow:
    """One year's scores of one organisation in one care setting, from one source.

    Figures are unrounded (as published, or as computed); round them only for display.
    """

    year: int
    care_setting: str
    source: str  # SOURCE_PUBLISHED or SOURCE_DEMONSTRATION
    pillars: dict[str, float]
    overall: float | None
    overall_basis: str
    method: str
    source_note: str
    published_on: dt.date | None = None
    edition_id: str | None = None
    scoring_version: str | None = None

    @property
    def care_setting_label(self) -> str:
        return CARE_SETTING_LABELS[CareSetting(self.care_setting)]

    @property
    def is_demonstration(self) -> bool:
        return self.source == SOURCE_DEMONSTRATION

    @property
    def pillar_figures(self) -> list[PillarFigure]:
        """The pillars present, in the framework's pillar order, with their labels."""
        return [
            PillarFigure(pillar.value, PILLAR_LABELS[pillar], self.pillars[pillar.value])
            for pillar in PILLAR_ORDER
            if pillar.value in self.pillars
        ]


def get_organisation_by_ods_code(ods_code: str) -> Organisation | None:
    return Organisation.objects.filter(ods_code=ods_code.strip().upper()).first()


def results_for_organisation(organisation: Organisation) -> list[ResultRow]:
    """Published and demonstration results of an organisation, newest year first.

    Within a year: care settings in the vocabulary's order, published figures before
    demonstration ones. Where a publisher issued several versions, only the latest is shown.
    """
    rows = _published(organisation) + _demonstration(organisation)
    rows.sort(key=lambda r: (-r.year, _SETTING_ORDER[r.care_setting], r.source != SOURCE_PUBLISHED))
    return rows


def _ordered(pillars: dict[str, float]) -> dict[str, float]:
    return {p.value: pillars[p.value] for p in PILLAR_ORDER if p.value in pillars}


def _published(organisation: Organisation) -> list[ResultRow]:
    latest: dict[tuple[int, str], PublishedResult] = {}
    for result in PublishedResult.objects.filter(organisation=organisation).order_by(
        "published_on", "publication_version"
    ):
        latest[(result.year, result.care_setting)] = result
    return [
        ResultRow(
            year=r.year,
            care_setting=r.care_setting,
            source=SOURCE_PUBLISHED,
            pillars=_ordered(r.pillars),
            overall=r.overall,
            overall_basis=r.overall_basis,
            method=r.method,
            source_note=r.source_note,
            published_on=r.published_on,
        )
        for r in latest.values()
    ]


def demonstration_method(method: str, rounding: str, scoring_version: str) -> str:
    """The name of a stored score's aggregation and rounding, in words."""
    method_title = SCORING_RULES.get(method, (method,))[0]
    rounding_title = ROUNDING_RULES.get(rounding, (rounding,))[0]
    return (
        f"{method_title}; pillar score: mean of the pillar's domain levels; overall: mean of "
        f"the domain levels comparable with the previous edition; {rounding_title.lower()} "
        f"(scoring version {scoring_version})"
    )


def _demonstration(organisation: Organisation) -> list[ResultRow]:
    scores = (
        Score.objects.filter(
            return_obj__organisation=organisation, return_obj__is_demonstration=True
        )
        .select_related("return_obj__cycle")
        .order_by("return_obj_id", "-computed_at", "-id")
    )
    latest: dict[int, Score] = {}
    for score in scores:
        latest.setdefault(score.return_obj_id, score)
    rows = []
    for score in latest.values():
        return_ = score.return_obj
        comparable = score.overall_comparable is not None
        rows.append(
            ResultRow(
                year=return_.cycle.year,
                care_setting=return_.care_setting,
                source=SOURCE_DEMONSTRATION,
                pillars=_ordered(score.pillar_scores),
                overall=score.overall_comparable if comparable else score.overall,
                overall_basis=(
                    f"domains comparable with the previous edition ({score.edition_id})"
                    if comparable
                    else f"all domains ({score.edition_id})"
                ),
                method=demonstration_method(score.method, score.rounding, score.scoring_version),
                source_note=f"{DEMONSTRATION_NOTE} (edition {score.edition_id})",
                edition_id=score.edition_id,
                scoring_version=score.scoring_version,
            )
        )
    return rows


@dataclass(frozen=True)
class PublishedTarget:
    """A published row's pillar scores, as demonstration returns must reproduce them."""

    organisation: Organisation
    care_setting: str
    pillars: dict[str, float]


def published_pillar_targets(*, year: int) -> list[PublishedTarget]:
    """Every published row of a year that has pillar scores (latest publication version),
    ordered by ODS code and care setting."""
    latest: dict[tuple[int, str], PublishedResult] = {}
    results = (
        PublishedResult.objects.filter(year=year)
        .select_related("organisation")
        .order_by("published_on", "publication_version")
    )
    for result in results:
        latest[(result.organisation_id, result.care_setting)] = result
    rows = [
        PublishedTarget(r.organisation, r.care_setting, _ordered(r.pillars))
        for r in latest.values()
        if r.pillars
    ]
    rows.sort(key=lambda t: (t.organisation.ods_code, _SETTING_ORDER[t.care_setting]))
    return rows
