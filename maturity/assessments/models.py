"""The annual assessment cycle: cycles, returns, answers and the scores computed from them.

A return is one organisation's self-assessment for one care setting in one cycle (an integrated
trust answers one return per care setting). Every stored score names the framework edition and
the scoring version that produced it, so a past result can be reproduced exactly.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from maturity.organisations.models import CareSettingChoices


class Cycle(models.Model):
    """One year's assessment against one framework edition."""

    year = models.PositiveSmallIntegerField()
    edition = models.ForeignKey(
        "frameworks.FrameworkEdition", on_delete=models.PROTECT, related_name="cycles"
    )
    title = models.CharField(max_length=200)
    is_demonstration = models.BooleanField(
        default=False, help_text="Generated demonstration data, not a real collection"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "title"]
        constraints = [
            models.UniqueConstraint(fields=["year", "edition"], name="uniq_cycle_year_edition")
        ]

    def __str__(self) -> str:
        return self.title


class ReturnStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    COMMITTED = "committed", "Committed"


class Return(models.Model):
    """An organisation's answers for one care setting in one cycle."""

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="returns")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="returns"
    )
    care_setting = models.CharField(max_length=32, choices=CareSettingChoices.choices)
    status = models.CharField(
        max_length=16, choices=ReturnStatus.choices, default=ReturnStatus.NOT_STARTED
    )
    is_demonstration = models.BooleanField(
        default=False, help_text="Generated demonstration data, not a real submission"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["cycle", "organisation", "care_setting"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "organisation", "care_setting"], name="uniq_return"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.care_setting} ({self.cycle.year})"


class AnswerValue(models.TextChoices):
    """Values of a criterion answer (contextual answers hold a typed value instead)."""

    MET = "met", "Met"
    NOT_MET = "not_met", "Not met"
    NOT_APPLICABLE = "na", "Not applicable"


class Answer(models.Model):
    """One answer: a criterion (met / not met / not applicable) or a contextual question (typed).

    ``version`` starts at 1 and goes up by one on every change, so a stale edit can be refused.
    """

    return_obj = models.ForeignKey(
        Return, on_delete=models.CASCADE, related_name="answers", db_column="return_id"
    )
    item_id = models.CharField(
        max_length=100, help_text="Criterion id or contextual question id in the cycle's edition"
    )
    value = models.JSONField()
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["item_id"]
        constraints = [
            models.UniqueConstraint(fields=["return_obj", "item_id"], name="uniq_answer_item"),
            models.CheckConstraint(condition=Q(version__gte=1), name="answer_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} = {self.value!r}"


class Score(models.Model):
    """The scores of a return as computed at one moment, with everything needed to reproduce them.

    Pillar and overall figures are stored unrounded; they are rounded only for display by the
    rule named in ``rounding``.
    """

    return_obj = models.ForeignKey(
        Return, on_delete=models.CASCADE, related_name="scores", db_column="return_id"
    )
    edition_id = models.CharField(max_length=64)
    scoring_version = models.CharField(max_length=32)
    method = models.CharField(max_length=64)
    rounding = models.CharField(max_length=32)
    domain_levels = models.JSONField()
    pillar_scores = models.JSONField()
    overall = models.FloatField(null=True, blank=True)
    overall_comparable = models.FloatField(null=True, blank=True)
    computed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-computed_at", "-id"]
        get_latest_by = ["computed_at", "id"]

    def __str__(self) -> str:
        return f"Score of {self.return_obj_id} ({self.edition_id}, {self.scoring_version})"
