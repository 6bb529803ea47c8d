"""Benchmark snapshots and releases.

Snapshots are derived data: each (source, year) data set has one current :class:`SnapshotBuild`,
replaced whole (in one transaction) when its results change. Pages and the API read only these
tables. Releases are the opposite: once published a release and its files never change; a
correction is a new version with a note.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from maturity.organisations.models import CareSettingChoices

from . import definitions as d


class SnapshotBuild(models.Model):
    """One build of the benchmarks of one data set (a source and a year)."""

    source = models.CharField(
        max_length=16,
        choices=[(s, d.SOURCE_LABELS[s]) for s in d.SOURCES],
    )
    year = models.PositiveSmallIntegerField()
    cycle = models.ForeignKey(
        "assessments.Cycle", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    edition_id = models.CharField(
        max_length=64, blank=True, help_text="The cycle's framework edition (blank for published)"
    )
    title = models.CharField(max_length=200)
    is_demonstration = models.BooleanField(default=False)
    source_note = models.CharField(max_length=255, blank=True)
    method = models.TextField(blank=True)
    #: The hierarchy (ICB, region) is read on this date for "when collected" figures.
    collection_date = models.DateField()
    #: And on this date for "today's boundaries".
    current_date = models.DateField()
    built_at = models.DateTimeField()
    seconds = models.FloatField(default=0)
    rows = models.PositiveIntegerField(default=0)
    measures = models.JSONField(default=dict, help_text="Measure → kind, for every measure built")
    fingerprint = models.CharField(max_length=64, help_text="Digest of the inputs")
    stats_version = models.CharField(max_length=16)
    scoring_version = models.CharField(max_length=16)
    has_previous_year = models.BooleanField(default=False)

    class Meta:
        ordering = ["-year", "source"]
        constraints = [
            models.UniqueConstraint(fields=["source", "year"], name="uniq_snapshot_build")
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.year}"

    @property
    def dataset(self) -> str:
        return f"{self.source}-{self.year}"


class GroupBenchmark(models.Model):
    """A peer group's distribution of one measure: n, mean, median, deciles."""

    build = models.ForeignKey(SnapshotBuild, on_delete=models.CASCADE, related_name="groups")
    measure = models.CharField(max_length=100)
    measure_kind = models.CharField(max_length=16)
    group_kind = models.CharField(max_length=16)
    group_key = models.CharField(max_length=64)
    group_label = models.CharField(max_length=255)
    care_setting = models.CharField(max_length=32, blank=True)
    n = models.PositiveIntegerField()
    mean = models.FloatField()
    median = models.FloatField()
    minimum = models.FloatField()
    maximum = models.FloatField()
    deciles = models.JSONField(help_text='Centile ("10" … "90") → value')
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["build", "measure", "group_kind", "group_key"], name="uniq_group_benchmark"
            )
        ]
        indexes = [models.Index(fields=["build", "group_kind", "group_key"])]


class OrganisationBenchmark(models.Model):
    """One organisation's figures in one care setting, and where they stand in its groups."""

    build = models.ForeignKey(SnapshotBuild, on_delete=models.CASCADE, related_name="organisations")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    care_setting = models.CharField(max_length=32, choices=CareSettingChoices.choices)
    values = models.JSONField(help_text="Measure → value, unrounded")
    percentiles = models.JSONField(help_text="Group kind → measure → percentile (0-100)")
    groups = models.JSONField(help_text="Group kind → group key")
    icb = models.ForeignKey(
        "organisations.Organisation", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    region = models.ForeignKey(
        "organisations.Organisation", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    current_icb = models.ForeignKey(
        "organisations.Organisation", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    current_region = models.ForeignKey(
        "organisations.Organisation", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    is_member = models.BooleanField(default=True, help_text="Counts in ICB and region figures")
    overall_basis = models.CharField(max_length=200, blank=True)
    method = models.TextField(blank=True)
    source_note = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=16, blank=True)
    previous = models.JSONField(
        null=True, blank=True, help_text="Previous year's comparable overall and how it was found"
    )
    weakest = models.CharField(max_length=100, blank=True)
    learn_from = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["build", "organisation", "care_setting"], name="uniq_organisation_benchmark"
            )
        ]
        indexes = [
            models.Index(fields=["organisation", "build"]),
            models.Index(fields=["build", "current_icb"]),
            models.Index(fields=["build", "icb"]),
        ]


class AreaAggregate(models.Model):
    """An ICB's, region's or the nation's figure for one measure under one named method."""

    build = models.ForeignKey(SnapshotBuild, on_delete=models.CASCADE, related_name="aggregates")
    level = models.CharField(max_length=16)
    geography = models.CharField(max_length=16)
    area = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    measure = models.CharField(max_length=100)
    method = models.CharField(max_length=40)
    value = models.FloatField(null=True)
    n = models.PositiveIntegerField()
    n_used = models.PositiveIntegerField()
    description = models.TextField()
    rank = models.PositiveIntegerField(null=True)
    ranked = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["build", "level", "geography", "area", "measure", "method"],
                name="uniq_area_aggregate",
            )
        ]
        indexes = [models.Index(fields=["build", "level", "geography", "measure"])]


class AreaSummary(models.Model):
    """An area's members by care setting and, for cycles, its returns by status and its
    validation flags by kind and status."""

    build = models.ForeignKey(SnapshotBuild, on_delete=models.CASCADE, related_name="areas")
    level = models.CharField(max_length=16)
    geography = models.CharField(max_length=16)
    area = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    members = models.JSONField(help_text="Care setting → number of member rows")
    completion = models.JSONField(default=dict, blank=True, help_text="Return status → count")
    flags = models.JSONField(
        default=dict, blank=True, help_text="Validation flag kind → flag status → count"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["build", "level", "geography", "area"], name="uniq_area_summary"
            )
        ]


class FunnelTarget(models.Model):
    """The overall proportion at or above a level and the funnel's limits for every n."""

    build = models.ForeignKey(SnapshotBuild, on_delete=models.CASCADE, related_name="funnels")
    level = models.CharField(max_length=16)
    geography = models.CharField(max_length=16)
    measure = models.CharField(max_length=100)
    threshold = models.FloatField()
    p0 = models.FloatField()
    total_x = models.PositiveIntegerField()
    total_n = models.PositiveIntegerField()
    curve = models.JSONField(help_text="[n, lower95, upper95, lower998, upper998] for n = 1…")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["build", "level", "geography", "measure", "threshold"],
                name="uniq_funnel_target",
            )
        ]


class FunnelPoint(models.Model):
    """One area on a funnel plot: x of its n member rows at or above the level."""

    target = models.ForeignKey(FunnelTarget, on_delete=models.CASCADE, related_name="points")
    area = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    x = models.PositiveIntegerField()
    n = models.PositiveIntegerField()
    lower95 = models.FloatField()
    upper95 = models.FloatField()
    lower998 = models.FloatField()
    upper998 = models.FloatField()
    position = models.CharField(max_length=16)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["target", "area"], name="uniq_funnel_point")]

    @property
    def proportion(self) -> float:
        return self.x / self.n


# --- Releases ------------------------------------------------------------------------------------


class ReleaseImmutable(Exception):
    """A published release or file was about to be changed or deleted."""


class ReleaseStage(models.TextChoices):
    PROVISIONAL = "provisional", "Provisional"
    FINAL = "final", "Final"


class _Immutable(models.Model):
    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ReleaseImmutable(
                f"{type(self).__name__} {self.pk} is published and cannot be changed; publish a "
                "correction as a new version instead."
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ReleaseImmutable(
            f"{type(self).__name__} {self.pk} is published and is never deleted."
        )


class Release(_Immutable):
    """One published version of a data set's results and benchmarks. Never edited in place."""

    dataset = models.CharField(max_length=64, help_text='Source and year, e.g. "published-2025"')
    source = models.CharField(max_length=16)
    year = models.PositiveSmallIntegerField()
    version = models.PositiveSmallIntegerField()
    stage = models.CharField(max_length=16, choices=ReleaseStage.choices)
    is_correction = models.BooleanField(default=False)
    note = models.TextField(blank=True)
    supersedes = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    title = models.CharField(max_length=255)
    is_demonstration = models.BooleanField(default=False)
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    snapshot_built_at = models.DateTimeField()
    fingerprint = models.CharField(max_length=64)
    row_counts = models.JSONField(help_text="Table → rows")
    methods = models.JSONField(help_text="The methods page as it stood when published")
    stats_version = models.CharField(max_length=16)
    scoring_version = models.CharField(max_length=16)

    class Meta:
        ordering = ["dataset", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "version"], name="uniq_release_version"),
            models.CheckConstraint(
                condition=models.Q(is_correction=False) | ~models.Q(note=""),
                name="release_correction_has_note",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dataset} v{self.version} ({self.stage})"

    @property
    def is_final(self) -> bool:
        return self.stage == ReleaseStage.FINAL


class ReleaseFile(_Immutable):
    """One file of a release (CSV, Parquet, datapackage.json, methods), stored as published."""

    release = models.ForeignKey(Release, on_delete=models.PROTECT, related_name="files")
    name = models.CharField(max_length=100)
    table = models.CharField(max_length=64, blank=True)
    media_type = models.CharField(max_length=100)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["release", "name"], name="uniq_release_file")
        ]
