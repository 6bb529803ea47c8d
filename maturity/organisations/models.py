"""The organisation registry: organisations, their dated hierarchy, successions and facts.

Nothing here is ever deleted by an import: closures, renames and moves are recorded with dates.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q

from maturity.core.vocab import CARE_SETTING_LABELS, CareSetting


class OrganisationKind(models.TextChoices):
    NATION = "nation", "Nation"
    REGION = "region", "NHS England region"
    ICB = "icb", "Integrated care board"
    SUB_ICB = "sub_icb", "Sub-ICB location"
    TRUST = "trust", "NHS trust"
    GP_PRACTICE = "gp_practice", "GP practice"
    ASC_PROVIDER = "asc_provider", "Adult social care provider"
    LOCAL_AUTHORITY = "local_authority", "Local authority"


CareSettingChoices = models.TextChoices(
    "CareSettingChoices", [(cs.name, (cs.value, CARE_SETTING_LABELS[cs])) for cs in CareSetting]
)


def _open_on_q(on: dt.date, prefix: str = "") -> Q:
    return (Q(**{f"{prefix}opened_on__isnull": True}) | Q(**{f"{prefix}opened_on__lte": on})) & (
        Q(**{f"{prefix}closed_on__isnull": True}) | Q(**{f"{prefix}closed_on__gt": on})
    )


class OrganisationQuerySet(models.QuerySet):
    def open_on(self, on: dt.date | None = None) -> OrganisationQuerySet:
        return self.filter(_open_on_q(on or dt.date.today()))

    def of_kind(self, *kinds: str) -> OrganisationQuerySet:
        return self.filter(kind__in=kinds)


class Organisation(models.Model):
    ods_code = models.CharField(
        max_length=32, unique=True, help_text="ODS code, or CQC location id"
    )
    name = models.CharField(max_length=255, db_index=True)
    kind = models.CharField(max_length=32, choices=OrganisationKind.choices, db_index=True)
    opened_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    postcode = models.CharField(max_length=16, blank=True)
    source = models.CharField(max_length=128, help_text="Reference file the record came from")
    source_date = models.DateField(
        null=True,
        blank=True,
        help_text="Date of the data in that file: older files never overwrite",
    )
    register_status = models.CharField(
        max_length=16,
        blank=True,
        help_text="Status in the source register (ODS ACTIVE/DORMANT/INACTIVE)",
    )
    synthetic = models.BooleanField(default=False, help_text="Generated, not from a real register")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["kind", "name"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.ods_code})"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("organisations:detail", args=[self.ods_code])

    def is_open_on(self, on: dt.date) -> bool:
        return (self.opened_on is None or self.opened_on <= on) and (
            self.closed_on is None or self.closed_on > on
        )


class RelationshipQuerySet(models.QuerySet):
    def valid_on(self, on: dt.date) -> RelationshipQuerySet:
        return self.filter(
            (Q(valid_from__isnull=True) | Q(valid_from__lte=on))
            & (Q(valid_to__isnull=True) | Q(valid_to__gt=on))
        )


class Relationship(models.Model):
    """A dated parent link: trust → ICB, ICB → region, practice → sub-ICB, provider → local authority.

    ``valid_to`` is exclusive: a link that ends on 2026-04-01 no longer holds on that day.
    """

    child = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="parent_links")
    parent = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="child_links")
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=128)

    objects = RelationshipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["child", "parent", "valid_from"], name="uniq_relationship_start"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gt=models.F("valid_from")),
                name="relationship_valid_range",
            ),
        ]
        indexes = [
            models.Index(fields=["child", "valid_from"]),
            models.Index(fields=["parent", "valid_from"]),
        ]


class SuccessionKind(models.TextChoices):
    MERGER = "merger", "Merger"
    SPLIT = "split", "Split"
    ACQUISITION = "acquisition", "Acquisition"
    RENAME = "rename", "Re-coded"


class Succession(models.Model):
    predecessor = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="successions_out"
    )
    successor = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="successions_in"
    )
    effective_on = models.DateField()
    kind = models.CharField(max_length=16, choices=SuccessionKind.choices)
    source = models.CharField(max_length=128)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor", "effective_on"], name="uniq_succession"
            )
        ]


class OrganisationFact(models.Model):
    """A dated, sourced fact: trust type, EPR supplier, GP system, population, deprivation…"""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="facts")
    key = models.CharField(max_length=64, db_index=True)
    value = models.JSONField()
    as_of = models.DateField()
    source = models.CharField(max_length=255)

    class Meta:
        ordering = ["key", "-as_of"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "key", "as_of", "source"], name="uniq_fact"
            )
        ]


class OrganisationCareSetting(models.Model):
    """A care setting an organisation answers a return for (an integrated trust has several)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="care_settings"
    )
    care_setting = models.CharField(max_length=32, choices=CareSettingChoices.choices)
    source = models.CharField(max_length=255)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "care_setting"], name="uniq_org_care_setting"
            )
        ]


class OrganisationChange(models.Model):
    """History of what re-imports changed on an organisation (renames, closures, re-openings).

    ``effective_on`` is the date the change took effect when the register says so (a closure's
    first day closed, a link's start); ``data_date`` is the date of the data that revealed it.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="changes")
    field = models.CharField(max_length=32)
    old_value = models.CharField(max_length=255, blank=True)
    new_value = models.CharField(max_length=255, blank=True)
    effective_on = models.DateField(null=True, blank=True)
    data_date = models.DateField(null=True, blank=True)
    detected_at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(max_length=128)
    reference_import = models.ForeignKey(
        "ReferenceImport", on_delete=models.PROTECT, null=True, blank=True, related_name="changes"
    )

    class Meta:
        ordering = ["-detected_at", "-id"]


class ReferenceImport(models.Model):
    """One import of one reference file: what it was and what it did.

    Counts are of records (organisations, links, facts, care settings, successions) the file
    touched; ``skipped`` rows were read but are out of scope (e.g. commissioning hubs).
    """

    importer = models.CharField(max_length=64)
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    data_date = models.DateField(null=True, blank=True)
    rows = models.PositiveIntegerField()
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-imported_at", "-id"]

    def __str__(self) -> str:
        return f"{self.importer} {self.filename} ({self.imported_at:%Y-%m-%d %H:%M})"
