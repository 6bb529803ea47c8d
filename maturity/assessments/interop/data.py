"""Reads for exchanging a return: its edition's items, its answers as stored, and the export
presenter shared by the CSV and the PDF (so both say exactly the same thing)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from maturity.core.framework.schema import Edition
from maturity.core.scoring import ReturnScore
from maturity.core.vocab import CareSetting
from maturity.frameworks.selectors import get_edition

from ..models import Answer, Return
from .items import Catalogue, Item, StoredAnswer, display_value


def edition_of(return_: Return) -> Edition:
    return get_edition(return_.cycle.edition.edition_id)


def catalogue_of(return_: Return) -> Catalogue:
    return Catalogue(edition_of(return_), return_.care_setting)


def stored_answers(return_: Return) -> dict[str, StoredAnswer]:
    """The return's answers as they are now: item id → (value, version)."""
    return {
        item_id: StoredAnswer(value=value, version=version)
        for item_id, value, version in Answer.objects.filter(return_obj=return_).values_list(
            "item_id", "value", "version"
        )
    }


def current_score(return_: Return, edition: Edition) -> ReturnScore:
    """The scores the return's answers give now (what the answering pages show)."""
    from ..services import compute_score

    answers = dict(Answer.objects.filter(return_obj=return_).values_list("item_id", "value"))
    return compute_score(edition=edition, care_setting=return_.care_setting, answers=answers)


# --- the export presenter ------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportRow:
    item_id: str
    kind: str
    pillar_id: str
    pillar: str
    domain_id: str
    domain: str
    level: int | None
    text: str
    value: Any
    answer: str
    version: int | None
    updated_by: str
    updated_at: dt.datetime | None
    copied: bool


@dataclass(frozen=True)
class DomainExport:
    id: str
    name: str
    level: int | None
    level_title: str
    criteria: list[ExportRow]
    narrative: ExportRow


@dataclass(frozen=True)
class PillarExport:
    id: str
    name: str
    score: float | None
    domains: list[DomainExport]


@dataclass(frozen=True)
class ReturnExport:
    return_id: int
    organisation_name: str
    ods_code: str
    care_setting: str
    care_setting_label: str
    cycle_title: str
    year: int
    edition_id: str
    edition_title: str
    status: str
    status_label: str
    exported_at: dt.datetime
    context: list[ExportRow]
    pillars: list[PillarExport]
    overall: float | None
    overall_comparable: float | None
    scoring_version: str
    scoring_method: str
    answered: int = 0
    items: int = 0

    @property
    def rows(self) -> list[ExportRow]:
        """Every item, in answering order."""
        rows = list(self.context)
        for pillar in self.pillars:
            for domain in pillar.domains:
                rows.extend(domain.criteria)
                rows.append(domain.narrative)
        return rows


def _person(user: Any) -> str:
    if user is None:
        return ""
    return user.get_full_name().strip() or user.get_username()


def export_data(return_: Return) -> ReturnExport:
    """Everything a CSV or PDF export of the return shows, read once."""
    return_ = Return.objects.select_related("organisation", "cycle__edition").get(pk=return_.pk)
    edition = edition_of(return_)
    catalogue = Catalogue(edition, return_.care_setting)
    answers = {
        a.item_id: a for a in Answer.objects.filter(return_obj=return_).select_related("updated_by")
    }
    score = current_score(return_, edition)

    def row(item: Item) -> ExportRow:
        answer = answers.get(item.id)
        domain = item.domain
        pillar_id = "" if domain is None else str(domain.pillar)
        return ExportRow(
            item_id=item.id,
            kind=item.kind,
            pillar_id=pillar_id,
            pillar=edition.pillar(pillar_id).name if pillar_id else "",
            domain_id="" if domain is None else domain.id,
            domain="" if domain is None else domain.name,
            level=None if item.level is None else item.level.level,
            text=item.text,
            value=None if answer is None else answer.value,
            answer="" if answer is None else display_value(item, answer.value),
            version=None if answer is None else answer.version,
            updated_by="" if answer is None else _person(answer.updated_by),
            updated_at=None if answer is None else timezone.localtime(answer.updated_at),
            copied=False if answer is None else answer.copied_from_previous,
        )

    pillars = []
    for pillar in edition.pillars:
        domains = []
        for domain in (d for d in catalogue.domains if d.pillar == pillar.id):
            level = score.domain_levels.get(domain.id)
            domains.append(
                DomainExport(
                    id=domain.id,
                    name=domain.name,
                    level=level,
                    level_title="" if level is None else domain.level(level).title,
                    criteria=[row(catalogue.by_id[c.id]) for c in domain.criteria],
                    narrative=row(catalogue.by_id[f"narrative:{domain.id}"]),
                )
            )
        if domains:
            pillars.append(
                PillarExport(
                    id=str(pillar.id),
                    name=pillar.name,
                    score=score.pillar_scores.get(pillar.id),
                    domains=domains,
                )
            )
    status = return_.status
    return ReturnExport(
        return_id=return_.pk,
        organisation_name=return_.organisation.name,
        ods_code=return_.organisation.ods_code,
        care_setting=return_.care_setting,
        care_setting_label=CareSetting(return_.care_setting).label,
        cycle_title=return_.cycle.title,
        year=return_.cycle.year,
        edition_id=edition.id,
        edition_title=edition.title,
        status=status,
        status_label=return_.get_status_display(),
        exported_at=timezone.localtime(),
        context=[row(catalogue.by_id[q.id]) for q in catalogue.questions],
        pillars=pillars,
        overall=score.overall,
        overall_comparable=score.overall_comparable,
        scoring_version=score.scoring_version,
        scoring_method=score.method,
        answered=sum(1 for item_id in answers if item_id in catalogue.by_id),
        items=len(catalogue.items),
    )
