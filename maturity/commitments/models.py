"""Government digital commitments, the evidence on them and the expert panel's ratings.

Dates: when a source gives only a month, a season or a year, the tracker stores the LAST day of
that period (so a deadline is read as generously as its words allow and an observation is never
dated earlier than it can have been made) and keeps the period as the source gave it in the
matching ``*_label`` field, which pages show instead of the full date.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse


class PolicyArea(models.TextChoices):
    """The four areas of the Health and Social Care Committee expert panel's evaluation (2023)."""

    CARE = "care", "Care of patients and people receiving social care"
    POPULATION_HEALTH = "population_health", "Health of the population"
    COST_EFFICIENCY = "cost_efficiency", "Cost and efficiency of care"
    WORKFORCE = "workforce", "Workforce"


class Rating(models.TextChoices):
    """CQC words. A rating that is not known is stored as null, never guessed."""

    OUTSTANDING = "outstanding", "Outstanding"
    GOOD = "good", "Good"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
    INADEQUATE = "inadequate", "Inadequate"


class Direction(models.TextChoices):
    INCREASE = "increase", "Higher is better"
    DECREASE = "decrease", "Lower is better"


class Provenance(models.TextChoices):
    ENTERED = "entered", "Entered by hand"
    IMPORTED = "imported", "Imported from CSV"
    DERIVED = "derived", "Derived from data held by the service"


class Derivation(models.TextChoices):
    """Observations the service can compute itself (see services.derive_observations)."""

    NONE = "", "None: observations are entered or imported"
    EPR_SUPPLIER_SHARE = (
        "epr_supplier_share",
        "Share of trusts with an EPR, from NHS England's EPR supplier extract",
    )
    VIRTUAL_WARD_CAPACITY = (
        "virtual_ward_capacity",
        "Virtual ward capacity in England, from the monthly virtual ward statistics",
    )
    DMA_EPR_IN_PLACE_SHARE = (
        "dma_epr_in_place_share",
        "Share of trusts whose assessment returns say an EPR is in place, per cycle",
    )


class Commitment(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200, help_text="A short name for lists and tables")
    text = models.TextField(help_text="The commitment as the source words it")
    policy_area = models.CharField(max_length=32, choices=PolicyArea.choices)
    policy_area_basis = models.CharField(
        max_length=300,
        blank=True,
        help_text="Who placed the commitment in its area, when it was not the panel",
    )
    panel_number = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Its number in the expert panel's list, if it has one"
    )
    source_document = models.CharField(max_length=300)
    source_date = models.DateField(null=True, blank=True)
    source_date_label = models.CharField(max_length=60, blank=True)
    citation = models.TextField(help_text="Where the wording and facts come from (no URLs)")
    owner = models.CharField(max_length=200, blank=True)
    original_deadline = models.DateField(null=True, blank=True)
    original_deadline_label = models.CharField(max_length=60, blank=True)
    funding_committed_gbp = models.DecimalField(
        max_digits=14, decimal_places=0, null=True, blank=True
    )
    funding_text = models.TextField(blank=True)
    funding_source = models.TextField(blank=True)
    domain_ids = models.JSONField(default=list, blank=True)
    question_ids = models.JSONField(default=list, blank=True)
    notes = models.TextField(blank=True, help_text="Caveats and conflicting figures, with sources")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["policy_area", "panel_number", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(funding_committed_gbp__isnull=True) | Q(funding_committed_gbp__gte=0),
                name="commitment_funding_not_negative",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("commitments:detail", args=[self.slug])

    @property
    def current_deadline(self):
        revision = self.latest_revision
        return revision.new_deadline if revision else self.original_deadline

    @property
    def current_deadline_label(self) -> str:
        revision = self.latest_revision
        if revision:
            return revision.new_deadline_label
        return self.original_deadline_label

    @property
    def latest_revision(self) -> DeadlineRevision | None:
        revisions = list(self.deadline_revisions.all())
        return revisions[-1] if revisions else None


class DeadlineRevision(models.Model):
    """A later deadline. Never edited or deleted: the history of deadlines is the point."""

    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="deadline_revisions"
    )
    new_deadline = models.DateField()
    new_deadline_label = models.CharField(max_length=60, blank=True)
    recorded_on = models.DateField(
        null=True,
        blank=True,
        help_text="Date of the source recording the change (not necessarily when it was decided)",
    )
    recorded_on_label = models.CharField(max_length=60, blank=True)
    source = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.commitment}: {self.new_deadline}"


class Metric(models.Model):
    """A measure of a commitment. The primary metric drives the suggested rating."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="metrics")
    slug = models.SlugField(max_length=80)
    name = models.CharField(max_length=200)
    unit = models.CharField(max_length=40, help_text='For example "%" or "people"')
    is_primary = models.BooleanField(default=False)
    direction = models.CharField(
        max_length=10, choices=Direction.choices, default=Direction.INCREASE
    )
    baseline_value = models.FloatField(null=True, blank=True)
    baseline_date = models.DateField(null=True, blank=True)
    baseline_label = models.CharField(max_length=60, blank=True)
    baseline_source = models.TextField(blank=True)
    target_value = models.FloatField(null=True, blank=True)
    target_source = models.TextField(blank=True)
    minimum = models.FloatField(null=True, blank=True, help_text="Lowest possible value")
    maximum = models.FloatField(null=True, blank=True, help_text="Highest possible value")
    derivation = models.CharField(
        max_length=40, choices=Derivation.choices, default=Derivation.NONE, blank=True
    )
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-is_primary", "name"]
        constraints = [
            models.UniqueConstraint(fields=["commitment", "slug"], name="uniq_metric_slug"),
            models.UniqueConstraint(
                fields=["commitment"], condition=Q(is_primary=True), name="uniq_primary_metric"
            ),
            models.CheckConstraint(
                condition=Q(baseline_value__isnull=True) | Q(baseline_date__isnull=False),
                name="metric_baseline_has_date",
            ),
            models.CheckConstraint(
                condition=Q(minimum__isnull=True)
                | Q(maximum__isnull=True)
                | Q(minimum__lt=models.F("maximum")),
                name="metric_bounds_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.commitment}: {self.name}"

    @property
    def bounds(self) -> tuple[float | None, float | None] | None:
        if self.minimum is None and self.maximum is None:
            return None
        return (self.minimum, self.maximum)


class Observation(models.Model):
    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="observations")
    observed_on = models.DateField()
    date_label = models.CharField(max_length=60, blank=True)
    value = models.FloatField()
    source = models.TextField()
    provenance = models.CharField(max_length=10, choices=Provenance.choices)
    is_demonstration = models.BooleanField(
        default=False, help_text="Derived from generated demonstration data, not real returns"
    )
    note = models.TextField(blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["observed_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["metric", "observed_on", "source"], name="uniq_observation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.metric.name} {self.observed_on}: {self.value}"


class EvaluationRound(models.Model):
    """One evaluation of the commitments by the expert panel. Only an open round takes ratings."""

    name = models.CharField(max_length=300)
    held_on = models.DateField(help_text="Date the evaluation was published or agreed")
    held_on_label = models.CharField(max_length=60, blank=True)
    panel = models.TextField(help_text="Who sat on the panel")
    reference = models.CharField(max_length=200, blank=True)
    source = models.TextField(blank=True)
    is_open = models.BooleanField(default=True)
    overall_rating = models.CharField(max_length=24, choices=Rating.choices, null=True, blank=True)
    overall_rationale = models.TextField(blank=True)
    overall_source = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-held_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["name", "held_on"], name="uniq_round_name_date")
        ]

    def __str__(self) -> str:
        return self.name


class SuggestionDecision(models.TextChoices):
    CONFIRMED = "confirmed", "The panel confirmed the suggested rating"
    OVERRIDDEN = "overridden", "The panel overrode the suggested rating"
    NO_SUGGESTION = "no_suggestion", "The tracker could not suggest a rating"
    NOT_RECORDED = "not_recorded", "Rated before the tracker existed"


RATING_QUESTIONS = ("met_or_on_track", "funded", "impact", "appropriate", "overall")


def _rating_field() -> models.CharField:
    return models.CharField(max_length=24, choices=Rating.choices, null=True, blank=True)


class Evaluation(models.Model):
    """A commitment's five ratings in one round. Null means not known."""

    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="evaluations")
    round = models.ForeignKey(EvaluationRound, on_delete=models.PROTECT, related_name="evaluations")

    met_or_on_track = _rating_field()
    met_or_on_track_rationale = models.TextField(blank=True)
    met_or_on_track_evidence = models.TextField(blank=True)
    funded = _rating_field()
    funded_rationale = models.TextField(blank=True)
    funded_evidence = models.TextField(blank=True)
    impact = _rating_field()
    impact_rationale = models.TextField(blank=True)
    impact_evidence = models.TextField(blank=True)
    appropriate = _rating_field()
    appropriate_rationale = models.TextField(blank=True)
    appropriate_evidence = models.TextField(blank=True)
    overall = _rating_field()
    overall_rationale = models.TextField(blank=True)
    overall_evidence = models.TextField(blank=True)

    # The tracker's suggestion for "met or on track" as it stood when the panel rated.
    suggested_met_or_on_track = _rating_field()
    suggestion_rule = models.TextField(blank=True)
    suggestion_explanation = models.TextField(blank=True)
    suggestion_decision = models.CharField(
        max_length=16, choices=SuggestionDecision.choices, default=SuggestionDecision.NOT_RECORDED
    )
    override_reason = models.TextField(blank=True)

    source = models.TextField(blank=True, help_text="Where a recorded (historical) rating is from")
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-round__held_on", "commitment"]
        constraints = [
            models.UniqueConstraint(fields=["commitment", "round"], name="uniq_evaluation"),
            models.CheckConstraint(
                condition=~Q(suggestion_decision="overridden") | ~Q(override_reason=""),
                name="evaluation_override_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.commitment} in {self.round}"

    def rating(self, question: str) -> str | None:
        return getattr(self, question)


class GovernmentResponse(models.Model):
    """The government's reply to a round as a whole (no evaluation) or to one evaluation."""

    round = models.ForeignKey(EvaluationRound, on_delete=models.PROTECT, related_name="responses")
    evaluation = models.ForeignKey(
        Evaluation, on_delete=models.PROTECT, null=True, blank=True, related_name="responses"
    )
    responded_on = models.DateField()
    text = models.TextField()
    source = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["responded_on", "id"]

    def __str__(self) -> str:
        return f"Response of {self.responded_on}"
