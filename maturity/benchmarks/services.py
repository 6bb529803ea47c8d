"""Writes for benchmarks: building snapshots, and publishing releases.

A build reads a data set in bulk (:mod:`.inputs`), computes every benchmark at once
(:mod:`.compute`) and replaces the data set's snapshot in one transaction, so a page never sees
half a build. An unchanged data set (same inputs, by digest) is not rebuilt unless forced.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone

from maturity.core.scoring import SCORING_VERSION
from maturity.core.stats import STATS_VERSION
from maturity.organisations.models import Organisation, OrganisationKind

from . import compute, methods, opendata
from . import definitions as d
from .inputs import AREA_KINDS, Dataset, LoadedDataset, discover_datasets, load_dataset
from .models import (
    AreaAggregate,
    AreaSummary,
    FunnelPoint,
    FunnelTarget,
    GroupBenchmark,
    OrganisationBenchmark,
    Release,
    ReleaseFile,
    ReleaseStage,
    SnapshotBuild,
)

logger = logging.getLogger(__name__)

NATION_CODE = "E92000001"  # England


@dataclass
class BuildSummary:
    dataset: str
    built: bool
    reason: str = ""
    rows: int = 0
    groups: int = 0
    aggregates: int = 0
    funnel_points: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


# --- Planning: from loaded inputs to rows to write -----------------------------------------------


@dataclass
class _Plan:
    bench_rows: list[compute.BenchRow]
    inputs: list[Any]
    group_labels: dict[tuple[str, str], tuple[str, str]]  # (kind, key) → (label, care setting)
    code_to_pk: dict[str, int]


def _band_cutpoints(
    loaded: LoadedDataset, facts: dict[int, float]
) -> dict[str, tuple[float, float]]:
    by_setting: dict[str, list[float]] = defaultdict(list)
    for row in loaded.rows:
        if row.organisation_id in facts:
            by_setting[row.care_setting].append(facts[row.organisation_id])
    cuts = {}
    for setting, values in by_setting.items():
        found = compute.third_cutpoints(values)
        if found is not None:
            cuts[setting] = found
    return cuts


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.1f}"


def _plan(loaded: LoadedDataset, nation: Organisation | None) -> _Plan:
    orgs = loaded.organisations
    code_to_pk = {info.ods_code: pk for pk, info in orgs.items()}
    if nation is not None:
        code_to_pk[nation.ods_code] = nation.pk
    size_cuts = _band_cutpoints(loaded, loaded.size)
    deprivation_cuts = _band_cutpoints(loaded, loaded.deprivation)
    labels: dict[tuple[str, str], tuple[str, str]] = {}
    rows: list[compute.BenchRow] = []
    for result in loaded.rows:
        info = orgs[result.organisation_id]
        setting = result.care_setting
        plural = d.SETTING_PLURALS.get(setting, setting)
        member = info.kind not in AREA_KINDS
        collection = loaded.collection.get(result.organisation_id)
        current = loaded.current.get(result.organisation_id)
        groups = {d.GROUP_SETTING: setting}
        labels[(d.GROUP_SETTING, setting)] = (f"{plural.capitalize()} in England", setting)
        if collection and collection.region:
            region = orgs[collection.region]
            key = f"{setting}|{region.ods_code}"
            groups[d.GROUP_REGION] = key
            labels[(d.GROUP_REGION, key)] = (f"{plural.capitalize()} in {region.name}", setting)
        if member and collection and collection.icb:
            icb = orgs[collection.icb]
            groups[d.GROUP_ICS] = icb.ods_code
            labels[(d.GROUP_ICS, icb.ods_code)] = (f"Providers in {icb.name}", "")
        for kind, facts, cuts, names in (
            (d.GROUP_SIZE, loaded.size, size_cuts, d.SIZE_BANDS),
            (d.GROUP_DEPRIVATION, loaded.deprivation, deprivation_cuts, d.DEPRIVATION_BANDS),
        ):
            if setting in cuts and result.organisation_id in facts:
                band = compute.third_of(facts[result.organisation_id], cuts[setting])
                key = f"{setting}|{kind}{band}"
                groups[kind] = key
                low, high = cuts[setting]
                what = "population served" if kind == d.GROUP_SIZE else "deprivation score"
                bounds = {
                    1: f"{what} up to {_number(low)}",
                    2: f"{what} above {_number(low)} and up to {_number(high)}",
                    3: f"{what} above {_number(high)}",
                }[band]
                labels[(kind, key)] = (f"{plural.capitalize()}, {names[band]} ({bounds})", setting)
        areas: dict[str, str] = {}
        for geography, place in (
            (d.GEOGRAPHY_COLLECTION, collection),
            (d.GEOGRAPHY_CURRENT, current),
        ):
            if place is None:
                continue
            if place.icb:
                areas[d.area_kind(d.LEVEL_ICB, geography)] = orgs[place.icb].ods_code
            if place.region:
                areas[d.area_kind(d.LEVEL_REGION, geography)] = orgs[place.region].ods_code
                if nation is not None:
                    areas[d.area_kind(d.LEVEL_NATION, geography)] = nation.ods_code
        values = dict(result.values)
        previous = loaded.previous.get((result.organisation_id, setting))
        if previous is not None:
            values[d.CHANGE_OVERALL] = previous["current"] - previous["overall"]
        rows.append(
            compute.BenchRow(
                organisation=info.ods_code,
                care_setting=setting,
                values=values,
                groups=groups,
                member=member,
                population=loaded.size.get(result.organisation_id) if member else None,
                areas=areas,
            )
        )
    return _Plan(rows, loaded.rows, labels, code_to_pk)


def _measures_present(loaded: LoadedDataset, rows: list[compute.BenchRow]) -> dict[str, str]:
    present = {m for row in rows for m in row.values}
    return {m: kind for m, kind in loaded.measures.items() if m in present}


# --- Building ------------------------------------------------------------------------------------


def build_snapshot(
    *, dataset: Dataset, force: bool = False, today: dt.date | None = None
) -> BuildSummary:
    """Build (or rebuild) one data set's benchmark snapshot; skipped when its inputs are unchanged."""
    started = time.perf_counter()
    loaded = load_dataset(dataset, today=today)
    fingerprint = loaded.fingerprint()
    existing = SnapshotBuild.objects.filter(source=dataset.source, year=dataset.year).first()
    if existing is not None and existing.fingerprint == fingerprint and not force:
        return BuildSummary(dataset.slug, False, "unchanged since the last build", existing.rows)
    nation = Organisation.objects.filter(kind=OrganisationKind.NATION, ods_code=NATION_CODE).first()
    plan = _plan(loaded, nation)
    measures = _measures_present(loaded, plan.bench_rows)
    groups = compute.group_statistics(
        plan.bench_rows, measures, d.GROUP_KINDS, kinds_for=d.GROUP_KINDS_BY_MEASURE_KIND
    )
    suggestions = compute.learn_from(plan.bench_rows, groups.percentiles, list(d.PILLARS))
    score_measures = [m for m in d.SCORE_MEASURES if m in measures]
    aggregates: list[compute.AreaAggregate] = []
    targets: list[compute.FunnelTarget] = []
    units: list[compute.FunnelUnit] = []
    domain_measures = [m for m in d.FUNNEL_DOMAINS if m in measures]
    for level in d.LEVELS:
        for geography in d.GEOGRAPHIES:
            if level != d.LEVEL_ICB and geography == d.GEOGRAPHY_COLLECTION:
                # A region's (and England's) providers are the same whichever ICB boundaries are
                # used; only ICBs are shown as they were when the data were collected.
                continue
            kind = d.area_kind(level, geography)
            aggregates.extend(compute.area_aggregates(plan.bench_rows, score_measures, kind))
            if level == d.LEVEL_NATION or (level, geography) not in d.FUNNEL_AREAS:
                continue
            # Overall at every level in FUNNEL_THRESHOLDS; pillars and lens domains at level 3.
            for found_targets, found_units in (
                compute.funnels(
                    plan.bench_rows,
                    [m for m in [d.OVERALL] if m in measures],
                    d.FUNNEL_THRESHOLDS,
                    kind,
                ),
                compute.funnels(
                    plan.bench_rows,
                    [m for m in d.PILLARS if m in measures] + domain_measures,
                    [d.DEFAULT_FUNNEL_THRESHOLD],
                    kind,
                ),
            ):
                targets.extend(found_targets)
                units.extend(found_units)
    summary = _write(
        loaded=loaded,
        plan=plan,
        measures=measures,
        groups=groups,
        suggestions=suggestions,
        aggregates=aggregates,
        targets=targets,
        units=units,
        fingerprint=fingerprint,
        started=started,
    )
    logger.info(
        "Built benchmarks %s: %s rows in %.2fs", dataset.slug, summary.rows, summary.seconds
    )
    return summary


@transaction.atomic
def _write(
    *,
    loaded: LoadedDataset,
    plan: _Plan,
    measures: dict[str, str],
    groups: compute.GroupOutput,
    suggestions: list[compute.LearnFrom],
    aggregates: list[compute.AreaAggregate],
    targets: list[compute.FunnelTarget],
    units: list[compute.FunnelUnit],
    fingerprint: str,
    started: float,
) -> BuildSummary:
    dataset = loaded.dataset
    SnapshotBuild.objects.filter(source=dataset.source, year=dataset.year).delete()
    build = SnapshotBuild.objects.create(
        source=dataset.source,
        year=dataset.year,
        cycle_id=dataset.cycle_id,
        edition_id=loaded.edition_id,
        title=loaded.title,
        is_demonstration=loaded.is_demonstration,
        source_note=loaded.source_note[:255],
        method=loaded.method,
        collection_date=loaded.collection_date,
        current_date=loaded.current_date,
        built_at=timezone.now(),
        rows=len(plan.bench_rows),
        measures=measures,
        fingerprint=fingerprint,
        stats_version=STATS_VERSION,
        scoring_version=SCORING_VERSION,
        has_previous_year=bool(loaded.previous),
    )
    pk = plan.code_to_pk
    GroupBenchmark.objects.bulk_create(
        [
            GroupBenchmark(
                build=build,
                measure=g.measure,
                measure_kind=measures[g.measure],
                group_kind=g.group_kind,
                group_key=g.group_key,
                group_label=plan.group_labels.get((g.group_kind, g.group_key), (g.group_key, ""))[
                    0
                ][:255],
                care_setting=plan.group_labels.get((g.group_kind, g.group_key), ("", ""))[1],
                n=g.n,
                mean=g.summary.mean,
                median=g.summary.median,
                minimum=g.summary.minimum,
                maximum=g.summary.maximum,
                deciles={str(c): v for c, v in g.summary.deciles.items()},
                extra=g.extra,
            )
            for g in groups.groups
        ],
        batch_size=1000,
    )
    organisation_rows = []
    for index, (row, result) in enumerate(zip(plan.bench_rows, plan.inputs, strict=True)):
        collection = loaded.collection.get(result.organisation_id)
        current = loaded.current.get(result.organisation_id)
        previous = loaded.previous.get((result.organisation_id, result.care_setting))
        advice = suggestions[index]
        organisation_rows.append(
            OrganisationBenchmark(
                build=build,
                organisation_id=result.organisation_id,
                care_setting=result.care_setting,
                values=dict(row.values),
                percentiles=groups.percentiles[index],
                groups=dict(row.groups),
                icb_id=collection.icb if collection else None,
                region_id=collection.region if collection else None,
                current_icb_id=current.icb if current else None,
                current_region_id=current.region if current else None,
                is_member=row.member,
                overall_basis=result.overall_basis[:200],
                method=result.method,
                source_note=result.source_note[:255],
                status=result.status,
                previous=previous,
                weakest=advice.weakest or "",
                learn_from=[
                    {
                        "ods_code": s.organisation,
                        "name": loaded.organisations[pk[s.organisation]].name,
                        "care_setting": s.care_setting,
                        "measure": s.measure,
                        "value": s.value,
                        "own_value": s.own_value,
                    }
                    for s in advice.suggestions
                ],
            )
        )
    OrganisationBenchmark.objects.bulk_create(organisation_rows, batch_size=1000)
    AreaAggregate.objects.bulk_create(
        [
            AreaAggregate(
                build=build,
                level=a.area_kind.split(":")[0],
                geography=a.area_kind.split(":")[1],
                area_id=pk[a.area],
                measure=a.measure,
                method=a.method,
                value=a.value,
                n=a.n,
                n_used=a.n_used,
                description=a.description,
                rank=a.rank,
                ranked=a.ranked,
            )
            for a in aggregates
        ],
        batch_size=1000,
    )
    AreaSummary.objects.bulk_create(_area_summaries(build, loaded, plan), batch_size=1000)
    target_rows = FunnelTarget.objects.bulk_create(
        [
            FunnelTarget(
                build=build,
                level=t.area_kind.split(":")[0],
                geography=t.area_kind.split(":")[1],
                measure=t.measure,
                threshold=t.threshold,
                p0=t.p0,
                total_x=t.total_x,
                total_n=t.total_n,
                curve=[[c.n, c.lower95, c.upper95, c.lower998, c.upper998] for c in t.curve],
            )
            for t in targets
        ],
        batch_size=500,
    )
    if any(t.pk is None for t in target_rows):  # a database that returns no ids from bulk inserts
        target_rows = list(FunnelTarget.objects.filter(build=build))
    target_pk = {(t.level, t.geography, t.measure, t.threshold): t.pk for t in target_rows}
    FunnelPoint.objects.bulk_create(
        [
            FunnelPoint(
                target_id=target_pk[(*u.area_kind.split(":"), u.measure, u.threshold)],
                area_id=pk[u.area],
                x=u.x,
                n=u.n,
                lower95=u.limits.lower95,
                upper95=u.limits.upper95,
                lower998=u.limits.lower998,
                upper998=u.limits.upper998,
                position=u.position,
            )
            for u in units
        ],
        batch_size=1000,
    )
    seconds = time.perf_counter() - started
    SnapshotBuild.objects.filter(pk=build.pk).update(seconds=seconds)
    return BuildSummary(
        dataset.slug,
        True,
        "",
        rows=len(organisation_rows),
        groups=len(groups.groups),
        aggregates=len(aggregates),
        funnel_points=len(units),
        seconds=seconds,
    )


def _areas_of(loaded: LoadedDataset, organisation_id: int) -> list[tuple[str, str, str]]:
    """(level, geography, area ODS code) of the ICB and region an organisation is in, on the
    collection date and today (an ICB's own returns count towards completion and flags).

    An ICB closed since (merged) has no region today; its return still belongs to the region
    it was in, as regions are not changed by ICB mergers.
    """
    orgs = loaded.organisations
    collected = loaded.collection.get(organisation_id)
    found = []
    for geography, places in (
        (d.GEOGRAPHY_COLLECTION, loaded.collection),
        (d.GEOGRAPHY_CURRENT, loaded.current),
    ):
        place = places.get(organisation_id)
        if place is None:
            continue
        if place.icb:
            found.append((d.LEVEL_ICB, geography, orgs[place.icb].ods_code))
        region = place.region or (collected.region if collected else None)
        if region:
            found.append((d.LEVEL_REGION, geography, orgs[region].ods_code))
    return found


def _area_summaries(build: SnapshotBuild, loaded: LoadedDataset, plan: _Plan) -> list[AreaSummary]:
    members: dict[tuple[str, str, str], Counter[str]] = defaultdict(Counter)
    for row in plan.bench_rows:
        if not row.member:
            continue
        for kind, area in row.areas.items():
            level, geography = kind.split(":")
            members[(level, geography, area)][row.care_setting] += 1
    completion: dict[tuple[str, str, str], Counter[str]] = defaultdict(Counter)
    for organisation_id, status in loaded.completion:
        for area_key in _areas_of(loaded, organisation_id):
            completion[area_key][status] += 1
    flags: dict[tuple[str, str, str], dict[str, Counter[str]]] = defaultdict(
        lambda: defaultdict(Counter)
    )
    for organisation_id, kind, status in loaded.flags:
        for area_key in _areas_of(loaded, organisation_id):
            flags[area_key][kind][status] += 1
    keys = set(members) | set(completion) | set(flags)
    return [
        AreaSummary(
            build=build,
            level=level,
            geography=geography,
            area_id=plan.code_to_pk[area],
            members=dict(members.get((level, geography, area), {})),
            completion=dict(completion.get((level, geography, area), {})),
            flags={
                kind: dict(statuses)
                for kind, statuses in flags.get((level, geography, area), {}).items()
            },
        )
        for level, geography, area in sorted(keys)
        if area in plan.code_to_pk
    ]


def build_all_snapshots(*, force: bool = False, today: dt.date | None = None) -> list[BuildSummary]:
    """Build every data set that has results, and remove the snapshots of any that no longer do."""
    datasets = discover_datasets()
    summaries = [build_snapshot(dataset=dataset, force=force, today=today) for dataset in datasets]
    keep = {(dataset.source, dataset.year) for dataset in datasets}
    stale = [b.pk for b in SnapshotBuild.objects.all() if (b.source, b.year) not in keep]
    if stale:
        with transaction.atomic():
            SnapshotBuild.objects.filter(pk__in=stale).delete()
    return summaries


def build_snapshots_for(
    *, source: str | None = None, year: int | None = None, force: bool = False
) -> list[BuildSummary]:
    """Build the data sets matching ``source`` and ``year`` (every one when both are None), and the
    following year's (whose change since the previous year depends on this one)."""
    if source is None and year is None:
        return build_all_snapshots(force=force)
    chosen = [
        dataset
        for dataset in discover_datasets()
        if (source is None or dataset.source == source)
        and (year is None or dataset.year in (year, year + 1))
    ]
    return [build_snapshot(dataset=dataset, force=force) for dataset in chosen]


def schedule_snapshot_build(*, source: str | None = None, year: int | None = None) -> None:
    """Queue a rebuild once the current transaction commits (results have changed).

    Importers and scoring services call this after they write results; the task skips data sets
    whose inputs have not changed, so calling it more often than needed costs little.
    """
    from .tasks import build_snapshots

    transaction.on_commit(partial(build_snapshots.enqueue, source=source, year=year))


def schedule_cycle_snapshot_build(*, cycle: Any) -> None:
    """Queue the rebuild of a cycle's data set once the current transaction commits.

    For the services that change a cycle's results (commit, unlock, rescore, published peer
    review levels, validation flags, cycle stage changes): a demonstration cycle is the
    ``demonstration`` source, any other the ``returns`` source, of the cycle's year.
    """
    source = d.SOURCE_DEMONSTRATION if cycle.is_demonstration else d.SOURCE_RETURNS
    schedule_snapshot_build(source=source, year=cycle.year)


# --- Releases ------------------------------------------------------------------------------------


class ReleaseError(Exception):
    """A release cannot be published; ``field`` names the input at fault."""

    def __init__(self, message: str, *, field: str = "dataset"):
        self.field = field
        super().__init__(message)


@transaction.atomic
def publish_release(
    *, by: Any, source: str, year: int, stage: str, note: str = "", today: dt.date | None = None
) -> Release:
    """Publish the data set's results and benchmarks as a new, immutable release version.

    The snapshot is rebuilt first, so the release holds the results as they stand. Rules: a
    data set is released provisionally, then finally (NHS England's published results, already
    published once, may go straight to final); after a final release, a new version is a
    correction and needs a note saying what changed. ``by`` is the national analyst publishing
    (``None`` for the command line, recorded as the system).
    """
    from maturity.accounts.permissions import is_national_analyst
    from maturity.audit.services import record

    if by is not None and not is_national_analyst(by):
        raise ReleaseError("Only national analysts publish releases.", field="stage")
    if stage not in ReleaseStage.values:
        raise ReleaseError(f"The stage must be provisional or final, not {stage!r}.", field="stage")
    note = (note or "").strip()
    dataset = next(
        (ds for ds in discover_datasets() if ds.source == source and ds.year == year), None
    )
    if dataset is None:
        raise ReleaseError(f"There are no {source} results for {year} to release.")
    # Serialise publication of one data set, so two analysts cannot take the same version.
    existing = list(
        Release.objects.select_for_update().filter(dataset=dataset.slug).order_by("version")
    )
    finals = [r for r in existing if r.stage == ReleaseStage.FINAL]
    if stage == ReleaseStage.PROVISIONAL and finals:
        raise ReleaseError(
            f"{dataset.slug} already has a final release; a change now is a correction: publish it as final with a note.",
            field="stage",
        )
    if stage == ReleaseStage.FINAL and not existing and source != d.SOURCE_PUBLISHED:
        raise ReleaseError(
            "Release results provisionally first, so organisations can check them before the final release.",
            field="stage",
        )
    is_correction = stage == ReleaseStage.FINAL and bool(finals)
    if is_correction and not note:
        raise ReleaseError(
            "A correction needs a note saying what was corrected and why.", field="note"
        )
    build_snapshot(dataset=dataset, today=today)
    build = SnapshotBuild.objects.get(source=source, year=year)
    latest = existing[-1] if existing else None
    if latest is not None and latest.stage == stage and latest.fingerprint == build.fingerprint:
        raise ReleaseError(
            f"Nothing has changed since version {latest.version} of {dataset.slug}; there is nothing to release.",
            field="stage",
        )
    version = (latest.version + 1) if latest else 1
    described = methods.describe()
    rows = opendata.table_rows(build)
    published_at = timezone.now()
    title = f"{build.title}: {'correction, ' if is_correction else ''}{stage} release, version {version}"
    package = {
        "name": f"digital-maturity-{dataset.slug}",
        "title": title,
        "description": (
            f"Digital maturity results and benchmarks ({build.source_note}). "
            + (f"{d.DEMONSTRATION_LABEL}. " if build.is_demonstration else "")
            + "Groups of fewer than 5 organisations are suppressed. Methods: methods.md."
        ),
        "version": f"{version}.0.0",
        "created": published_at.isoformat(),
        "sources": [{"title": build.source_note or build.title}],
        "keywords": ["digital maturity", "What Good Looks Like", "NHS", str(year)],
        "release": {
            "dataset": dataset.slug,
            "version": version,
            "stage": stage,
            "is_correction": is_correction,
            "note": note,
            "supersedes": latest.version if latest else None,
            "is_demonstration": build.is_demonstration,
            "snapshot_built_at": build.built_at.isoformat(),
            "scoring_version": SCORING_VERSION,
            "stats_version": STATS_VERSION,
        },
    }
    files = opendata.release_files(
        rows=rows,
        package=package,
        methods_markdown=methods.markdown(described, heading=f"Methods: {title}"),
    )
    release = Release.objects.create(
        dataset=dataset.slug,
        source=source,
        year=year,
        version=version,
        stage=stage,
        is_correction=is_correction,
        note=note,
        supersedes=latest,
        title=title,
        is_demonstration=build.is_demonstration,
        published_at=published_at,
        published_by=by,
        snapshot_built_at=build.built_at,
        fingerprint=build.fingerprint,
        row_counts={name: len(table) for name, table in rows.items()},
        methods=described,
        stats_version=STATS_VERSION,
        scoring_version=SCORING_VERSION,
    )
    ReleaseFile.objects.bulk_create(
        [
            ReleaseFile(
                release=release,
                name=f.name,
                table=f.table,
                media_type=f.media_type,
                content=f.content,
                sha256=f.sha256,
                size=len(f.content),
            )
            for f in files
        ]
    )
    record(
        actor=by,
        action="release.published",
        target=release,
        after={
            "dataset": dataset.slug,
            "version": version,
            "stage": stage,
            "is_correction": is_correction,
            "files": {f.name: f.sha256 for f in files},
        },
        reason=note,
    )
    # A published release changes who may see a cycle's benchmarks: rebuild after commit.
    schedule_snapshot_build(source=source, year=year)
    return release


def prepare_demo_benchmarks(*, by: Any = None, today: dt.date | None = None) -> list[Release]:
    """Build every snapshot and publish the first releases of the demo, idempotently.

    For ``maturity demo``: NHS England's published results go straight to a final release (they
    were published once already); each demonstration cycle gets a provisional release, so the
    provisional → final path can be shown. A data set that already has a release is left alone,
    so running the demo again publishes nothing new. Returns the releases published now.
    """
    build_all_snapshots(today=today)
    released = set(Release.objects.values_list("dataset", flat=True))
    published: list[Release] = []
    for dataset in discover_datasets():
        if dataset.slug in released or dataset.source == d.SOURCE_RETURNS:
            continue  # real returns are released by a national analyst, never by the demo
        stage = (
            ReleaseStage.FINAL if dataset.source == d.SOURCE_PUBLISHED else ReleaseStage.PROVISIONAL
        )
        note = (
            "NHS England's published results, as published."
            if dataset.source == d.SOURCE_PUBLISHED
            else "Demonstration release: generated returns, not real submissions."
        )
        published.append(
            publish_release(
                by=by,
                source=dataset.source,
                year=dataset.year,
                stage=stage,
                note=note,
                today=today,
            )
        )
    return published
