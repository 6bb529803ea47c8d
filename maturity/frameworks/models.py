"""Framework editions as loaded into the database.

The YAML files under ``maturity/frameworks/editions/`` are the source; ``sync_editions`` copies
each resolved edition here, so cycles and scores can reference it and past results can be
reproduced from exactly the content they were scored with.
"""

from __future__ import annotations

from django.db import models

from maturity.core.framework.schema import EditionStatus, ScoringModel

EditionStatusChoices = models.TextChoices(
    "EditionStatusChoices", [(s.name, (s.value, s.label)) for s in EditionStatus]
)
ScoringModelChoices = models.TextChoices(
    "ScoringModelChoices", [(m.name, (m.value, m.label)) for m in ScoringModel]
)


class FrameworkEditionQuerySet(models.QuerySet):
    def published(self) -> FrameworkEditionQuerySet:
        return self.filter(status=EditionStatus.PUBLISHED)


class FrameworkEdition(models.Model):
    edition_id = models.CharField(max_length=64, unique=True)
    framework = models.CharField(max_length=64, db_index=True)
    framework_name = models.CharField(max_length=200)
    year = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)
    status = models.CharField(max_length=16, choices=EditionStatusChoices.choices)
    scoring_model = models.CharField(max_length=32, choices=ScoringModelChoices.choices)
    illustrative = models.BooleanField(
        default=False, help_text="An example of a scoring model, not an official framework"
    )
    previous_edition_id = models.CharField(max_length=64, blank=True)
    sha256 = models.CharField(
        max_length=64, help_text="Digest of the source files (the base editions' included)"
    )
    content = models.JSONField(help_text="The resolved edition, as the schema serialises it")
    loaded_at = models.DateTimeField()

    objects = FrameworkEditionQuerySet.as_manager()

    class Meta:
        ordering = ["framework", "-year", "edition_id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.edition_id})"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("frameworks:edition", args=[self.edition_id])

    @property
    def is_published(self) -> bool:
        return self.status == EditionStatus.PUBLISHED

    @property
    def scoring_model_label(self) -> str:
        return ScoringModel(self.scoring_model).label
