"""Published digital maturity results, stored exactly as the publisher released them.

Figures are kept as the floating-point values in the source file (2.2999999999999998 stays
2.2999999999999998) and rounded only for display. A correction by the publisher is a new
``publication_version``, never an edit of the old one.
"""

from __future__ import annotations

from django.db import models

from maturity.organisations.models import CareSettingChoices


class PublishedResult(models.Model):
    """One organisation's published scores for one year and care setting."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="published_results"
    )
    year = models.PositiveSmallIntegerField()
    care_setting = models.CharField(max_length=32, choices=CareSettingChoices.choices)
    pillars = models.JSONField(
        default=dict, blank=True, help_text="Pillar id → score as published; only pillars present"
    )
    overall = models.FloatField(null=True, blank=True)
    overall_basis = models.CharField(
        max_length=200, blank=True, help_text="What the overall score is a mean of"
    )
    method = models.CharField(
        max_length=255, help_text="The aggregation and rounding, as the publisher describes them"
    )
    source_note = models.CharField(max_length=255)
    source_file = models.CharField(max_length=255)
    source_sheets = models.CharField(
        max_length=255, blank=True, help_text="Sheet and row of each figure in the source file"
    )
    publication_version = models.CharField(max_length=16)
    published_on = models.DateField()
    imported_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year", "care_setting"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year", "care_setting", "publication_version"],
                name="uniq_published_result",
            )
        ]
        indexes = [models.Index(fields=["year", "care_setting"])]

    def __str__(self) -> str:
        return (
            f"{self.organisation_id} {self.care_setting} {self.year} ({self.publication_version})"
        )
