"""Loading a data set for a benchmark build: a fixed handful of bulk queries, no per-row reads.

Everything the computations need is read here into plain values: each result row, the
organisations, their ICB and region on two dates, their population and deprivation facts,
successions, and the previous year's results for change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps

from maturity.assessments.models import Answer, Cycle, Return, ReturnStatus, Score
from maturity.core.scoring import exact_mean
from maturity.organisations.models import (
    Organisation,
    OrganisationFact,
    OrganisationKind,
    Relationship,
    Succession,
)
from maturity.results.models import PublishedResult

from . import compute
from . import definitions as d

#: An organisation of these kinds speaks for a system or an area: its own returns are not
#: members of an ICB's or region's figures.
AREA_KINDS = {OrganisationKind.ICB, OrganisationKind.REGION, OrganisationKind.NATION}
INTERMEDIATE_KINDS = {OrganisationKind.SUB_ICB, OrganisationKind.LOCAL_AUTHORITY}

#: Facts giving the population served and its deprivation, by organisation kind.
SIZE_FACTS = {
    OrganisationKind.TRUST: "catchment_population",
    OrganisationKind.ICB: "population",
    OrganisationKind.GP_PRACTICE: "list_size",
}
DEPRIVATION_FACTS = {
    OrganisationKind.TRUST: "catchment_imd_2025_score",
    OrganisationKind.ICB: "imd_2019_score_list_weighted",
    OrganisationKind.GP_PRACTICE: "imd_2019_score",
}
CONTEXT_KINDS = {
    "yes_no": compute.KIND_YES_NO,
    "percentage": compute.KIND_PERCENTAGE,
    "integer": compute.KIND_COUNT,
}


def collection_date(year: int) -> dt.date:
    """The day the hierarchy is read for a year's results: the end of the collection window
    (NHS England's 2025 collection ran April to June 2025)."""
    return dt.date(year, 6, 30)


@dataclass(frozen=True)
class Dataset:
    source: str
    year: int
    cycle_id: int | None = None

    @property
    def slug(self) -> str:
        return f"{self.source}-{self.year}"


def discover_datasets() -> list[Dataset]:
    """Every data set: each published year, and each cycle with returns (benchmarks come from
    its committed, scored returns; completion from all of them).

    Where two cycles share a source and year (two editions in one year), the newest is used.
    """
    found = [
        Dataset(d.SOURCE_PUBLISHED, year)
        for year in sorted(set(PublishedResult.objects.values_list("year", flat=True)))
    ]
    cycles: dict[tuple[str, int], int] = {}
    with_returns = Return.objects.values("cycle_id")
    for cycle_id, year, demo in (
        Cycle.objects.filter(pk__in=with_returns)
        .order_by("created_at", "id")
        .values_list("id", "year", "is_demonstration")
    ):
        source = d.SOURCE_DEMONSTRATION if demo else d.SOURCE_RETURNS
        cycles[(source, year)] = cycle_id
    found.extend(Dataset(source, year, cycle_id) for (source, year), cycle_id in cycles.items())
    return sorted(found, key=lambda ds: (ds.year, ds.source))


@dataclass
class ResultInput:
    organisation_id: int
    care_setting: str
    values: dict[str, float]
    overall_basis: str = ""
    method: str = ""
    source_note: str = ""
    status: str = ""
    domain_levels: dict[str, int] = field(default_factory=dict)
    edition_id: str = ""


@dataclass
class OrgInfo:
    pk: int
    ods_code: str
    name: str
    kind: str


@dataclass
class Place:
    icb: int | None = None
    region: int | None = None


@dataclass
class LoadedDataset:
    dataset: Dataset
    title: str
    is_demonstration: bool
    source_note: str
    method: str
    rows: list[ResultInput]
    measures: dict[str, str]
    organisations: dict[int, OrgInfo]
    collection: dict[int, Place]
    current: dict[int, Place]
    size: dict[int, float]
    deprivation: dict[int, float]
    previous: dict[tuple[int, str], dict[str, Any]]
    completion: list[tuple[int, str]]  # (organisation id, status) of every return, for cycles
    edition_id: str
    collection_date: dt.date
    current_date: dt.date
    domain_names: dict[str, str] = field(default_factory=dict)
    #: (organisation id, flag kind, flag status) of every validation flag raised in the cycle.
    flags: list[tuple[int, str, str]] = field(default_factory=list)

    def fingerprint(self) -> str:
        """A digest of every input, so an unchanged data set need not be rebuilt. The dates the
        hierarchy was read on are left out: what matters is the places found on them."""
        payload = {
            "rows": [
                [
                    r.organisation_id,
                    r.care_setting,
                    sorted(r.values.items()),
                    r.overall_basis,
                    r.status,
                ]
                for r in sorted(self.rows, key=lambda r: (r.organisation_id, r.care_setting))
            ],
            "collection": sorted((k, v.icb, v.region) for k, v in self.collection.items()),
            "current": sorted((k, v.icb, v.region) for k, v in self.current.items()),
            "size": sorted(self.size.items()),
            "deprivation": sorted(self.deprivation.items()),
            "previous": sorted(
                (k[0], k[1], json.dumps(v, sort_keys=True)) for k, v in self.previous.items()
            ),
            "completion": sorted(Counter(self.completion).items()),
            "names": sorted(
                (o.pk, o.ods_code, o.name, o.kind) for o in self.organisations.values()
            ),
        }
        if self.flags:
            # Only when there are flags, so data sets without any keep their digest.
            payload["flags"] = sorted(Counter(self.flags).items())
        return hashlib.sha256(json.dumps(payload, default=str).encode()).hexdigest()


# --- Results -------------------------------------------------------------------------------------


def _published_rows(year: int) -> list[ResultInput]:
    latest: dict[tuple[int, str], ResultInput] = {}
    results = (
        PublishedResult.objects.filter(year=year)
        .order_by("published_on", "publication_version", "id")
        .values_list(
            "organisation_id",
            "care_setting",
            "pillars",
            "overall",
            "overall_basis",
            "method",
            "source_note",
        )
    )
    for org, setting, pillars, overall, basis, method, note in results:
        values = {p: float(v) for p, v in (pillars or {}).items() if v is not None}
        if overall is not None:
            values[d.OVERALL] = float(overall)
        latest[(org, setting)] = ResultInput(org, setting, values, basis, method, note)
    return [row for row in latest.values() if row.values]


def _edition(edition_id: str):
    from maturity.frameworks.selectors import EditionNotFound, get_edition

    try:
        return get_edition(edition_id)
    except EditionNotFound:
        return None


def _cycle_rows(
    cycle: Cycle,
) -> tuple[list[ResultInput], dict[str, str], dict[str, str], list[tuple[int, str]]]:
    """Committed returns' latest scores, domain levels and numeric contextual answers."""
    from maturity.results.selectors import DEMONSTRATION_NOTE, demonstration_method

    edition = _edition(cycle.edition.edition_id)
    context_kinds: dict[str, str] = {}
    domain_names: dict[str, str] = {}
    if edition is not None:
        context_kinds = {
            q.id: CONTEXT_KINDS[q.type.value]
            for q in edition.contextual_questions
            if q.type.value in CONTEXT_KINDS
        }
        domain_names = {domain.id: domain.name for domain in edition.domains}
    returns = {
        pk: (org, setting, status)
        for pk, org, setting, status in Return.objects.filter(cycle=cycle).values_list(
            "id", "organisation_id", "care_setting", "status"
        )
    }
    completion = [(org, status) for org, _, status in returns.values()]
    latest: dict[int, tuple] = {}
    for row in (
        Score.objects.filter(return_obj__cycle=cycle)
        .order_by("return_obj_id", "computed_at", "id")
        .values_list(
            "return_obj_id",
            "edition_id",
            "scoring_version",
            "method",
            "rounding",
            "domain_levels",
            "pillar_scores",
            "overall",
            "overall_comparable",
        )
    ):
        latest[row[0]] = row
    answers: dict[int, dict[str, float]] = defaultdict(dict)
    if context_kinds:
        for return_id, item, value in Answer.objects.filter(
            return_obj__cycle=cycle, item_id__in=list(context_kinds)
        ).values_list("return_obj_id", "item_id", "value"):
            number = _context_number(context_kinds[item], value)
            if number is not None:
                answers[return_id][item] = number
    rows = []
    for return_id, (
        _return_pk,
        edition_id,
        version,
        method,
        rounding,
        levels,
        pillars,
        overall,
        comparable,
    ) in sorted(latest.items()):
        org, setting, status = returns[return_id]
        if status != ReturnStatus.COMMITTED:
            continue
        values = {p: float(v) for p, v in (pillars or {}).items() if v is not None}
        headline = comparable if comparable is not None else overall
        if headline is not None:
            values[d.OVERALL] = float(headline)
        domain_levels = {k: int(v) for k, v in (levels or {}).items() if v is not None}
        values.update({k: float(v) for k, v in domain_levels.items()})
        values.update(answers.get(return_id, {}))
        basis = (
            f"domains comparable with the previous edition ({edition_id})"
            if comparable is not None
            else f"all domains ({edition_id})"
        )
        note = (
            f"{DEMONSTRATION_NOTE} (edition {edition_id})"
            if cycle.is_demonstration
            else f"{cycle.title} (edition {edition_id})"
        )
        rows.append(
            ResultInput(
                org,
                setting,
                values,
                basis,
                demonstration_method(method, rounding, version),
                note,
                status,
                domain_levels,
                edition_id,
            )
        )
    measures = {m: kind for m, kind in context_kinds.items()}
    measures.update({domain: compute.KIND_LEVEL for domain in domain_names})
    return rows, measures, domain_names, completion


def _cycle_flags(cycle: Cycle) -> list[tuple[int, str, str]]:
    """(organisation id, kind, status) of the cycle's validation flags, in one query.

    Read through the app registry so that benchmarks do not import the reviews app's code: a
    deployment without peer review and validation simply has no flags.
    """
    if not apps.is_installed("maturity.reviews"):
        return []
    flag_model = apps.get_model("reviews", "ValidationFlag")
    return [
        (org, kind, status)
        for org, kind, status in flag_model.objects.filter(cycle=cycle).values_list(
            "return_obj__organisation_id", "kind", "status"
        )
    ]


def _context_number(kind: str, value: Any) -> float | None:
    if kind == compute.KIND_YES_NO:
        if isinstance(value, bool):
            return 1.0 if value else 0.0
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


# --- Organisations, places and facts -------------------------------------------------------------


def _organisations(ids: set[int]) -> dict[int, OrgInfo]:
    return {
        pk: OrgInfo(pk, code, name, kind)
        for pk, code, name, kind in Organisation.objects.filter(pk__in=ids).values_list(
            "id", "ods_code", "name", "kind"
        )
    }


def places_on(organisations: dict[int, OrgInfo], on: dt.date) -> dict[int, Place]:
    """Each organisation's ICB and region on a date, in three queries.

    An ICB is its own ICB. Otherwise the ICB is a direct parent (a trust) or the parent of a
    sub-ICB location or local authority parent (a practice, a care provider); a direct link wins.
    The region is the ICB's region on the same day (a region is its own region).
    """
    ids = set(organisations)
    direct: dict[int, list[tuple[str, str, int]]] = defaultdict(list)
    for child, parent, kind, code in (
        Relationship.objects.valid_on(on)
        .filter(child_id__in=ids)
        .values_list("child_id", "parent_id", "parent__kind", "parent__ods_code")
    ):
        direct[child].append((kind, code, parent))
    icb: dict[int, int] = {}
    middle: dict[int, int] = {}
    for child, links in direct.items():
        icbs = sorted(
            (code, parent) for kind, code, parent in links if kind == OrganisationKind.ICB
        )
        if icbs:
            icb[child] = icbs[0][1]
            continue
        intermediates = sorted(
            (code, parent) for kind, code, parent in links if kind in INTERMEDIATE_KINDS
        )
        if intermediates:
            middle[child] = intermediates[0][1]
    if middle:
        via: dict[int, int] = {}
        for child, parent, _code in (
            Relationship.objects.valid_on(on)
            .filter(child_id__in=set(middle.values()), parent__kind=OrganisationKind.ICB)
            .order_by("parent__ods_code")
            .values_list("child_id", "parent_id", "parent__ods_code")
        ):
            via.setdefault(child, parent)
        for child, intermediate in middle.items():
            if intermediate in via:
                icb[child] = via[intermediate]
    for pk, info in organisations.items():
        if info.kind == OrganisationKind.ICB:
            icb[pk] = pk
    regions: dict[int, int] = {}
    for child, parent in (
        Relationship.objects.valid_on(on)
        .filter(child_id__in=set(icb.values()), parent__kind=OrganisationKind.REGION)
        .order_by("parent__ods_code")
        .values_list("child_id", "parent_id")
    ):
        regions.setdefault(child, parent)
    places = {}
    for pk, info in organisations.items():
        if info.kind == OrganisationKind.REGION:
            places[pk] = Place(None, pk)
            continue
        own_icb = icb.get(pk)
        places[pk] = Place(own_icb, regions.get(own_icb) if own_icb else None)
    return places


def _latest_facts(ids: set[int], keys: set[str]) -> dict[tuple[int, str], float]:
    found: dict[tuple[int, str], float] = {}
    for org, key, value in (
        OrganisationFact.objects.filter(organisation_id__in=ids, key__in=keys)
        .order_by("as_of", "id")
        .values_list("organisation_id", "key", "value")
    ):
        if isinstance(value, int | float) and not isinstance(value, bool):
            found[(org, key)] = float(value)
    return found


# --- Previous year -------------------------------------------------------------------------------


def _previous_published(year: int) -> dict[tuple[int, str], tuple[float, str]]:
    return {
        (row.organisation_id, row.care_setting): (row.values[d.OVERALL], row.overall_basis)
        for row in _published_rows(year)
        if d.OVERALL in row.values
    }


def _comparable_pairs(cycle: Cycle) -> dict[str, str]:
    """New domain id → the previous edition's domain id it is comparable with."""
    edition = _edition(cycle.edition.edition_id)
    if edition is None:
        return {}
    return {
        domain.id: domain.comparable_with for domain in edition.domains if domain.comparable_with
    }


def _previous_cycle_levels(cycle: Cycle) -> dict[tuple[int, str], dict[str, int]]:
    returns = dict(
        (pk, (org, setting))
        for pk, org, setting in Return.objects.filter(
            cycle=cycle, status=ReturnStatus.COMMITTED
        ).values_list("id", "organisation_id", "care_setting")
    )
    latest: dict[tuple[int, str], dict[str, int]] = {}
    for return_id, levels in (
        Score.objects.filter(return_obj_id__in=list(returns))
        .order_by("return_obj_id", "computed_at", "id")
        .values_list("return_obj_id", "domain_levels")
    ):
        latest[returns[return_id]] = {k: int(v) for k, v in (levels or {}).items() if v is not None}
    return latest


def _attach_previous(
    dataset: Dataset,
    cycle: Cycle | None,
    rows: list[ResultInput],
    organisations: dict[int, OrgInfo],
) -> dict[tuple[int, str], dict[str, Any]]:
    """Each row's comparable overall for the previous year (its own, or its predecessors')."""
    predecessors: dict[int, list[int]] = defaultdict(list)
    for predecessor, successor in Succession.objects.values_list("predecessor_id", "successor_id"):
        predecessors[successor].append(predecessor)
    previous_year = dataset.year - 1
    found: dict[tuple[int, str], dict[str, Any]] = {}
    if dataset.source == d.SOURCE_PUBLISHED:
        before = _previous_published(previous_year)
        if not before:
            return found
        for row in rows:
            current = row.values.get(d.OVERALL)
            if current is None:
                continue
            entry = _previous_entry(
                row, before, predecessors, organisations, basis=row.overall_basis
            )
            if entry is not None:
                entry["year"] = previous_year
                entry["current"] = current
                found[(row.organisation_id, row.care_setting)] = entry
        return found
    if cycle is None:
        return found
    earlier = (
        Cycle.objects.filter(year=previous_year, is_demonstration=cycle.is_demonstration)
        .select_related("edition")
        .order_by("-created_at", "-id")
        .first()
    )
    if earlier is None:
        return found
    pairs = _comparable_pairs(cycle)
    before_levels = _previous_cycle_levels(earlier)
    for row in rows:
        own = before_levels.get((row.organisation_id, row.care_setting))
        via: list[str] = []
        candidates = [own] if own is not None else []
        if own is None:
            for pk in predecessors.get(row.organisation_id, []):
                levels = before_levels.get((pk, row.care_setting))
                if levels is not None:
                    candidates.append(levels)
                    via.append(organisations[pk].ods_code if pk in organisations else str(pk))
        if not candidates:
            continue
        new_ids = [domain for domain in row.domain_levels if domain in pairs]
        current_levels: list[int] = []
        previous_means: list[float] = []
        for levels in candidates:
            shared = [domain for domain in new_ids if pairs[domain] in levels]
            if shared:
                previous_means.append(float(exact_mean(levels[pairs[domain]] for domain in shared)))
                current_levels = [row.domain_levels[domain] for domain in shared]
        if not previous_means or not current_levels:
            continue
        found[(row.organisation_id, row.care_setting)] = {
            "year": previous_year,
            "overall": float(exact_mean(previous_means)),
            "current": float(exact_mean(current_levels)),
            "basis": f"the {len(current_levels)} domains comparable with {earlier.edition.edition_id}",
            "via": via,
        }
    return found


def _previous_entry(
    row: ResultInput,
    before: dict[tuple[int, str], tuple[float, str]],
    predecessors: dict[int, list[int]],
    organisations: dict[int, OrgInfo],
    *,
    basis: str,
) -> dict[str, Any] | None:
    own = before.get((row.organisation_id, row.care_setting))
    if own is not None:
        if own[1] != basis:
            return None
        return {"year": None, "overall": own[0], "basis": basis, "via": []}
    values, via = [], []
    for pk in predecessors.get(row.organisation_id, []):
        found = before.get((pk, row.care_setting))
        if found is not None and found[1] == basis:
            values.append(found[0])
            via.append(organisations[pk].ods_code if pk in organisations else str(pk))
    if not values:
        return None
    return {"year": None, "overall": float(exact_mean(values)), "basis": basis, "via": via}


# --- The whole data set --------------------------------------------------------------------------


def load_dataset(dataset: Dataset, *, today: dt.date | None = None) -> LoadedDataset:
    """Every input of a build, read in bulk."""
    current_date = today or dt.date.today()
    cycle = None
    measures: dict[str, str] = {m: compute.KIND_SCORE for m in d.SCORE_MEASURES}
    domain_names: dict[str, str] = {}
    completion: list[tuple[int, str]] = []
    flags: list[tuple[int, str, str]] = []
    if dataset.source == d.SOURCE_PUBLISHED:
        from maturity.results.services import DMA_METHOD, DMA_SOURCE_NOTE

        rows = _published_rows(dataset.year)
        title = f"NHS England published results {dataset.year}"
        is_demonstration = False
        notes = sorted({r.source_note for r in rows})
        source_note = "; ".join(notes) if notes else DMA_SOURCE_NOTE
        methods = sorted({r.method for r in rows})
        method = " ".join(methods) if methods else DMA_METHOD
    else:
        cycle = Cycle.objects.select_related("edition").get(pk=dataset.cycle_id)
        rows, extra, domain_names, completion = _cycle_rows(cycle)
        flags = _cycle_flags(cycle)
        measures.update(extra)
        title = cycle.title
        is_demonstration = cycle.is_demonstration
        source_note = (
            f"{d.DEMONSTRATION_LABEL}: {cycle.title}"
            if is_demonstration
            else f"Returns to the {cycle.title}"
        )
        methods = sorted({r.method for r in rows})
        method = methods[0] if len(methods) == 1 else "; ".join(methods)
    ids = (
        {r.organisation_id for r in rows}
        | {org for org, _ in completion}
        | {org for org, _, _ in flags}
    )
    organisations = _organisations(ids)
    collection_day = collection_date(dataset.year)
    collection = places_on(organisations, collection_day)
    current = places_on(organisations, current_date)
    # Area organisations (ICBs, regions) are needed for labels too.
    area_ids = {p.icb for p in [*collection.values(), *current.values()] if p.icb} | {
        p.region for p in [*collection.values(), *current.values()] if p.region
    }
    organisations.update(_organisations(area_ids - set(organisations)))
    facts = _latest_facts(
        {r.organisation_id for r in rows},
        set(SIZE_FACTS.values()) | set(DEPRIVATION_FACTS.values()),
    )
    size, deprivation = {}, {}
    for pk, info in organisations.items():
        size_key, dep_key = SIZE_FACTS.get(info.kind), DEPRIVATION_FACTS.get(info.kind)
        if size_key and (pk, size_key) in facts:
            size[pk] = facts[(pk, size_key)]
        if dep_key and (pk, dep_key) in facts:
            deprivation[pk] = facts[(pk, dep_key)]
    previous = _attach_previous(dataset, cycle, rows, organisations)
    if previous:
        measures[d.CHANGE_OVERALL] = compute.KIND_CHANGE
    return LoadedDataset(
        dataset=dataset,
        title=title,
        is_demonstration=is_demonstration,
        source_note=source_note,
        method=method,
        rows=rows,
        measures=measures,
        organisations=organisations,
        collection=collection,
        current=current,
        size=size,
        deprivation=deprivation,
        previous=previous,
        completion=completion,
        edition_id=cycle.edition.edition_id if cycle is not None else "",
        collection_date=collection_day,
        current_date=current_date,
        domain_names=domain_names,
        flags=flags,
    )
