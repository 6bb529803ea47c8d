"""Reads for dashboards, the API and open data: snapshots and releases only, never raw results.

Visibility: NHS England's published results and demonstration data are public. Returns to a
cycle on this platform become public with the cycle's first final release; before that only
national analysts see their benchmarks. Provisional releases are seen by national analysts, and
by members of the organisations in them (their own organisations' rows only).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import Q
from django.db.models.fields.json import KeyTransform

from maturity.accounts.models import Role
from maturity.accounts.permissions import is_national_analyst, organisation_ids_with_role
from maturity.organisations.models import Organisation, OrganisationKind, Succession

from . import definitions as d
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

# --- Data sets -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Catalogue:
    """The data sets a user may see, newest year first within each source."""

    builds: tuple[SnapshotBuild, ...]

    def get(self, source: str, year: int) -> SnapshotBuild | None:
        for build in self.builds:
            if build.source == source and build.year == year:
                return build
        return None

    def sources(self) -> list[str]:
        return [s for s in d.SOURCES if any(b.source == s for b in self.builds)]

    def years(self, source: str) -> list[int]:
        return sorted({b.year for b in self.builds if b.source == source}, reverse=True)

    def default(self, *, need_pillars: bool = True) -> SnapshotBuild | None:
        """Published results first, the latest year with pillar scores (when asked)."""
        for source in self.sources():
            for year in self.years(source):
                build = self.get(source, year)
                if build is not None and (not need_pillars or d.PILLARS[0] in build.measures):
                    return build
        return self.builds[0] if self.builds else None

    def previous(self, build: SnapshotBuild) -> SnapshotBuild | None:
        earlier = [b for b in self.builds if b.source == build.source and b.year < build.year]
        return max(earlier, key=lambda b: b.year) if earlier else None


def catalogue_for(user) -> Catalogue:
    """The snapshot builds ``user`` may see (two queries)."""
    builds = list(SnapshotBuild.objects.defer("method").order_by("source", "-year"))
    if any(b.source == d.SOURCE_RETURNS for b in builds) and not is_national_analyst(user):
        released = set(
            Release.objects.filter(source=d.SOURCE_RETURNS, stage=ReleaseStage.FINAL).values_list(
                "year", flat=True
            )
        )
        builds = [b for b in builds if b.source != d.SOURCE_RETURNS or b.year in released]
    order = {s: i for i, s in enumerate(d.SOURCES)}
    builds.sort(key=lambda b: (order[b.source], -b.year))
    return Catalogue(tuple(builds))


# --- Organisations -------------------------------------------------------------------------------


def get_organisation(ods_code: str) -> Organisation | None:
    return Organisation.objects.filter(ods_code=ods_code.strip().upper()).first()


def organisation_rows(
    organisation: Organisation, builds: Iterable[SnapshotBuild], *, with_areas: bool = False
) -> list[OrganisationBenchmark]:
    """The organisation's snapshot rows in the given builds (one query), with its ICB and region
    organisations when ``with_areas``."""
    ids = [b.pk for b in builds]
    rows = OrganisationBenchmark.objects.filter(organisation=organisation, build_id__in=ids)
    if with_areas:
        rows = rows.select_related("icb", "region", "current_icb", "current_region")
    return list(rows.order_by("build_id", "care_setting"))


def group_rows(
    build: SnapshotBuild, keys: Iterable[tuple[str, str]], measures: Iterable[str] | None = None
) -> list[GroupBenchmark]:
    """Group distributions for (kind, key) pairs (one query)."""
    wanted = set(keys)
    if not wanted:
        return []
    qs = GroupBenchmark.objects.filter(build=build, group_key__in={key for _, key in wanted})
    if measures is not None:
        qs = qs.filter(measure__in=list(measures))
    return [g for g in qs if (g.group_kind, g.group_key) in wanted]


def groups_of_kind(
    build: SnapshotBuild,
    kind: str,
    *,
    measures: Iterable[str] | None = None,
    settings: Iterable[str] | None = None,
) -> list[GroupBenchmark]:
    qs = GroupBenchmark.objects.filter(build=build, group_kind=kind)
    if measures is not None:
        qs = qs.filter(measure__in=list(measures))
    if settings is not None:
        qs = qs.filter(care_setting__in=list(settings))
    return list(qs.order_by("group_key", "measure"))


@dataclass(frozen=True)
class Lineage:
    predecessors: list[Succession] = field(default_factory=list)
    successors: list[Succession] = field(default_factory=list)


def lineage(organisation: Organisation) -> Lineage:
    """Successions into and out of an organisation (one query)."""
    found = list(
        Succession.objects.filter(Q(successor=organisation) | Q(predecessor=organisation))
        .select_related("predecessor", "successor")
        .order_by("effective_on", "predecessor__name", "successor__name")
    )
    return Lineage(
        predecessors=[s for s in found if s.successor_id == organisation.pk],
        successors=[s for s in found if s.predecessor_id == organisation.pk],
    )


# --- Areas ---------------------------------------------------------------------------------------


def area_geography(area: Organisation, build: SnapshotBuild) -> str:
    """Today's boundaries for an area open today; an area that has closed is shown as it was."""
    if area.kind == OrganisationKind.REGION or area.is_open_on(build.current_date):
        return d.GEOGRAPHY_CURRENT
    return d.GEOGRAPHY_COLLECTION


@dataclass(frozen=True)
class Member:
    """One provider counted in an area's figures: the figures of one measure the page shows."""

    ods_code: str
    name: str
    care_setting: str
    value: float | None
    #: Its percentile among the same care setting in England (None where suppressed).
    percentile: float | None


def area_members(
    build: SnapshotBuild, area: Organisation, geography: str, measure: str
) -> list[Member]:
    """The providers counted in an area's figures, with one measure and its percentile.

    The measure is read out of the JSON columns by the database, so a region of the national
    data set (thousands of members) does not decode every member's figures in Python.
    """
    current = geography == d.GEOGRAPHY_CURRENT
    field_name = {
        (OrganisationKind.ICB, True): "current_icb",
        (OrganisationKind.ICB, False): "icb",
        (OrganisationKind.REGION, True): "current_region",
        (OrganisationKind.REGION, False): "region",
    }[(area.kind, current)]
    rows = (
        OrganisationBenchmark.objects.filter(build=build, is_member=True, **{field_name: area})
        .annotate(
            value=KeyTransform(measure, "values"),
            percentile=KeyTransform(measure, KeyTransform(d.GROUP_SETTING, "percentiles")),
        )
        .order_by("organisation__name", "care_setting")
        .values_list(
            "organisation__ods_code", "organisation__name", "care_setting", "value", "percentile"
        )
    )
    return [
        Member(code, name, setting, _number(value), _number(percentile))
        for code, name, setting, value, percentile in rows
    ]


def _number(value: object) -> float | None:
    # A JSON number comes back as a number (SQLite) or already decoded (PostgreSQL).
    if value is None or isinstance(value, bool):
        return None
    return float(value) if isinstance(value, int | float | str) else None


def area_aggregates(
    build: SnapshotBuild, level: str, geography: str, *, measures: Iterable[str] | None = None
) -> list[AreaAggregate]:
    qs = AreaAggregate.objects.filter(build=build, level=level, geography=geography).select_related(
        "area"
    )
    if measures is not None:
        qs = qs.filter(measure__in=list(measures))
    return list(qs.order_by("area__name", "measure", "method"))


def area_summary(build: SnapshotBuild, area: Organisation, geography: str) -> AreaSummary | None:
    level = d.LEVEL_ICB if area.kind == OrganisationKind.ICB else d.LEVEL_REGION
    return AreaSummary.objects.filter(
        build=build, level=level, geography=geography, area=area
    ).first()


def group_history(
    builds: Iterable[SnapshotBuild], kind: str, key: str | None, measure: str
) -> list[GroupBenchmark]:
    """One peer group's distribution of a measure in each of the given builds (its years)."""
    return list(
        GroupBenchmark.objects.filter(
            build__in=list(builds), group_kind=kind, group_key=key, measure=measure
        ).select_related("build")
    )


def area_history(
    builds: Iterable[SnapshotBuild],
    level: str,
    geography: str,
    area: Organisation,
    measure: str,
) -> list[AreaAggregate]:
    """An area's aggregates of a measure under every method, in each of the given builds."""
    return list(
        AreaAggregate.objects.filter(
            build__in=list(builds), level=level, geography=geography, area=area, measure=measure
        ).select_related("build")
    )


def own_rows(
    organisations: list[Organisation], builds: Iterable[SnapshotBuild]
) -> list[OrganisationBenchmark]:
    """An area organisation's (and its predecessors') own returns in the visible builds."""
    return list(
        OrganisationBenchmark.objects.filter(organisation__in=organisations, build__in=list(builds))
        .select_related("organisation", "build")
        .order_by("-build__year", "organisation__name", "care_setting")
    )


def flag_kind_labels() -> dict[str, str]:
    """Validation flag kinds and their names, from the reviews app when it is installed."""
    if not apps.is_installed("maturity.reviews"):
        return {}
    field = apps.get_model("reviews", "ValidationFlag")._meta.get_field("kind")
    return {str(value): str(label) for value, label in field.choices or ()}


def funnel(
    build: SnapshotBuild, level: str, geography: str, measure: str, threshold: float
) -> tuple[FunnelTarget | None, list[FunnelPoint]]:
    target = FunnelTarget.objects.filter(
        build=build, level=level, geography=geography, measure=measure, threshold=threshold
    ).first()
    if target is None:
        return None, []
    points = list(target.points.select_related("area").order_by("area__name"))
    return target, points


def areas_of_kind(kind: str) -> list[Organisation]:
    return list(Organisation.objects.filter(kind=kind).order_by("name"))


# --- Releases ------------------------------------------------------------------------------------


def releases_visible_to(user) -> list[Release]:
    """Final releases for everyone; provisional ones too for analysts and organisation members."""
    qs = Release.objects.select_related("supersedes").order_by("-year", "dataset", "-version")
    if is_national_analyst(user):
        return list(qs)
    if getattr(user, "is_authenticated", False) and organisation_ids_with_role(user, *Role):
        return list(qs)
    return list(qs.filter(stage=ReleaseStage.FINAL))


def get_release(dataset: str, version: int) -> Release | None:
    return (
        Release.objects.filter(dataset=dataset, version=version)
        .select_related("supersedes")
        .first()
    )


def release_history(release: Release) -> list[Release]:
    return list(Release.objects.filter(dataset=release.dataset).order_by("-version"))


def release_files(release: Release) -> list[ReleaseFile]:
    return list(release.files.defer("content").order_by("name"))


def release_file(release: Release, name: str) -> ReleaseFile | None:
    return release.files.filter(name=name).first()


def can_see_release(user, release: Release) -> bool:
    if release.is_final:
        return True
    if is_national_analyst(user):
        return True
    return bool(
        getattr(user, "is_authenticated", False) and organisation_ids_with_role(user, *Role)
    )


def can_download_release(user, release: Release) -> bool:
    """Files of a final release are open data; a provisional release's files are for analysts."""
    return release.is_final or is_national_analyst(user)


def member_organisation_codes(user) -> set[str]:
    ids = organisation_ids_with_role(user, *Role)
    return set(Organisation.objects.filter(pk__in=ids).values_list("ods_code", flat=True))
