"""Reads that every support page starts from: published results (latest publication version),
and each organisation's ICB, region, population served and deprivation on a date.

Everything is read in a handful of bulk queries, whatever the number of organisations.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from maturity.organisations.models import (
    Organisation,
    OrganisationFact,
    OrganisationKind,
    Relationship,
)
from maturity.results.models import PublishedResult

# Population served and deprivation: the fact each kind of organisation holds them in.
POPULATION_FACTS = {
    OrganisationKind.TRUST: ("catchment_population", "acute catchment population"),
    OrganisationKind.ICB: ("population", "ONS mid-2022 population"),
}
DEPRIVATION_FACTS = {
    OrganisationKind.TRUST: ("catchment_imd_2025_score", "catchment IMD 2025 score"),
    OrganisationKind.ICB: ("imd_2019_score_list_weighted", "list-weighted practice IMD 2019 score"),
}


def collection_date(year: int) -> dt.date:
    """The day an assessment year's hierarchy is read on: 30 June, within the collection window
    (NHS England collected the 2025 returns April to June 2025)."""
    return dt.date(year, 6, 30)


@dataclass(frozen=True)
class PublishedRow:
    organisation_id: int
    care_setting: str
    year: int
    pillars: dict[str, float]
    overall: float | None
    overall_basis: str
    source_note: str


def published_rows(
    *,
    years: Iterable[int],
    care_settings: Iterable[str] | None = None,
    kinds: Iterable[str] | None = None,
) -> list[PublishedRow]:
    """Published results of ``years`` (latest publication version of each organisation, year
    and care setting), optionally only some care settings and organisation kinds."""
    qs = PublishedResult.objects.filter(year__in=list(years))
    if care_settings is not None:
        qs = qs.filter(care_setting__in=list(care_settings))
    if kinds is not None:
        qs = qs.filter(organisation__kind__in=list(kinds))
    latest: dict[tuple[int, int, str], PublishedResult] = {}
    for row in qs.order_by("published_on", "publication_version", "id"):
        latest[(row.organisation_id, row.year, row.care_setting)] = row
    return [
        PublishedRow(
            organisation_id=r.organisation_id,
            care_setting=r.care_setting,
            year=r.year,
            pillars=dict(r.pillars or {}),
            overall=r.overall,
            overall_basis=r.overall_basis,
            source_note=r.source_note,
        )
        for r in latest.values()
    ]


def published_years() -> list[int]:
    return sorted(PublishedResult.objects.values_list("year", flat=True).distinct())


@dataclass(frozen=True)
class OrgContext:
    organisation: Organisation
    icb: Organisation | None
    region: Organisation | None
    population: float | None
    population_source: str
    deprivation: float | None
    deprivation_source: str


def _latest_facts(ids: set[int], keys: set[str]) -> dict[tuple[int, str], object]:
    found: dict[tuple[int, str], object] = {}
    facts = OrganisationFact.objects.filter(organisation_id__in=ids, key__in=keys).order_by(
        "as_of", "id"
    )
    for fact in facts.values_list("organisation_id", "key", "value"):
        found[(fact[0], fact[1])] = fact[2]
    return found


def _number(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def organisation_contexts(ids: Iterable[int], *, on: dt.date) -> dict[int, OrgContext]:
    """Each organisation's ICB and region on ``on`` and its population and deprivation facts
    (latest held). An ICB is its own ICB."""
    ids = set(ids)
    organisations = {o.pk: o for o in Organisation.objects.filter(pk__in=ids)}
    icb_of: dict[int, Organisation] = {
        pk: o for pk, o in organisations.items() if o.kind == OrganisationKind.ICB
    }
    links = (
        Relationship.objects.valid_on(on)
        .filter(child_id__in=ids, parent__kind=OrganisationKind.ICB)
        .select_related("parent")
        .order_by("child_id", "parent__ods_code")
    )
    for link in links:
        icb_of.setdefault(link.child_id, link.parent)
    icb_ids = {icb.pk for icb in icb_of.values()}
    region_of: dict[int, Organisation] = {}
    region_links = (
        Relationship.objects.valid_on(on)
        .filter(child_id__in=icb_ids, parent__kind=OrganisationKind.REGION)
        .select_related("parent")
        .order_by("child_id", "parent__ods_code")
    )
    for link in region_links:
        region_of.setdefault(link.child_id, link.parent)
    keys = {k for k, _ in POPULATION_FACTS.values()} | {k for k, _ in DEPRIVATION_FACTS.values()}
    facts = _latest_facts(ids, keys)
    out = {}
    for pk, organisation in organisations.items():
        pop_key, pop_source = POPULATION_FACTS.get(organisation.kind, ("", ""))
        dep_key, dep_source = DEPRIVATION_FACTS.get(organisation.kind, ("", ""))
        population = _number(facts.get((pk, pop_key)))
        deprivation = _number(facts.get((pk, dep_key)))
        icb = icb_of.get(pk)
        out[pk] = OrgContext(
            organisation=organisation,
            icb=icb,
            region=region_of.get(icb.pk) if icb is not None else None,
            population=population,
            population_source=pop_source if population is not None else "not known",
            deprivation=deprivation,
            deprivation_source=dep_source if deprivation is not None else "not known",
        )
    return out
