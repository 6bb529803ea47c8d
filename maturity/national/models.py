"""Side tables of the generated national data set."""

from __future__ import annotations

from django.db import models


class InflatedReturn(models.Model):
    """A generated return whose answers were deliberately inflated, kept apart from the return
    itself so that validation and review methods can be evaluated against a known truth."""

    return_obj = models.OneToOneField(
        "assessments.Return",
        on_delete=models.CASCADE,
        related_name="+",
        db_column="return_id",
    )
    seed = models.BigIntegerField()
    inflation = models.FloatField(help_text="Levels added to the return's latent maturity")

    def __str__(self) -> str:
        return f"Inflated return {self.return_obj_id} (+{self.inflation:.2f})"
