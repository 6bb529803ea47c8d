"""Targeted support and peer learning: funding programmes, scenarios and their allocations, what
was actually funded, case studies, contact opt-ins and communities of practice.

Status changes of case studies are immutable records (:class:`CaseStudyEvent`); every write goes
through :mod:`.services`, which also writes the audit trail.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from maturity.organisations.models import CareSettingChoices

PILLAR_CHOICES = [
    ("well_led", "Well led"),
    ("smart_foundations", "Ensure smart foundations"),
    ("safe_practice", "Safe practice"),
    ("support_people", "Support people (workforce)"),
    ("empower_people", "Empower people (citizens)"),
    ("improve_care", "Improve care"),
    ("healthy_populations", "Healthy populations"),
]


class FundingProgramme(models.Model):
    """A pot of money with a target, eligibility rules and the definition of the core level.

    ``core_thresholds`` and ``core_combine`` define "the core level of digitisation" for this
    programme (our assumption; see :mod:`maturity.core.optimise.core_level`). The target is
    ``target_share`` of the organisations of ``target_kinds`` with published results for
    ``care_settings`` in ``baseline_year`` reaching it by ``target_date``.
    """

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    pot_gbp = models.DecimalField(max_digits=14, decimal_places=0)
    deadline = models.DateField(help_text="Last day to allocate or bid for the money")
    target_date = models.DateField(help_text="When the target is to be met")
    target_share = models.FloatField(help_text="Share (0 to 1) of organisations at the core level")
    baseline_year = models.PositiveSmallIntegerField(
        help_text="Year of the published results the allocation starts from"
    )
    core_thresholds = models.JSONField(help_text="Pillar id → minimum pillar score")
    core_combine = models.CharField(max_length=32, default="every_setting")
    target_kinds = models.JSONField(default=list, help_text="Organisation kinds the target counts")
    care_settings = models.JSONField(default=list, help_text="Care settings whose results count")
    eligible_region_codes = models.JSONField(
        default=list, blank=True, help_text="ODS codes of regions eligible; empty: all"
    )
    max_baseline_overall = models.FloatField(
        null=True, blank=True, help_text="Only organisations at or below this overall score"
    )
    is_demonstration = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(pot_gbp__gte=0), name="programme_pot_positive"),
            models.CheckConstraint(
                condition=Q(target_share__gt=0, target_share__lte=1),
                name="programme_target_share_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("support:programme", args=[self.pk])


class Objective(models.TextChoices):
    REACH = "reach", "Bring the most organisations to the core level"
    UPLIFT = "uplift", "Close the most levels of the gap"
    MIN_COST = "min_cost", "Find the least cost of meeting the target"


class ScenarioStatus(models.TextChoices):
    NOT_SOLVED = "not_solved", "Not solved yet"
    OPTIMAL = "optimal", "Optimal"
    FEASIBLE = "feasible", "Best found within the time limit"
    INFEASIBLE = "infeasible", "No allocation meets every constraint"


class Scenario(models.Model):
    """One way of allocating a programme's pot: inputs set by an analyst, and the last solution.

    ``cost_per_level`` is pillar id → pounds to raise a median-sized organisation's pillar score
    one level; ``cost_size_elasticity`` scales it with population served. The result of the last
    solve is kept in ``result`` (outcome, constraints, sensitivity, inputs used) with one
    :class:`ScenarioAllocation` per organisation funded or counted.
    """

    programme = models.ForeignKey(
        FundingProgramme, on_delete=models.PROTECT, related_name="scenarios"
    )
    name = models.CharField(max_length=200)
    notes = models.TextField(blank=True)
    budget_gbp = models.DecimalField(max_digits=14, decimal_places=0)
    objective = models.CharField(max_length=16, choices=Objective.choices, default=Objective.REACH)
    cost_per_level = models.JSONField()
    cost_size_elasticity = models.FloatField(default=0.5)
    realisation = models.FloatField(
        default=1.0,
        help_text="Expected share of funded levels that turn into maturity (0 to 1): the "
        "expected uplift per pound is realisation / cost per level",
    )
    population_exponent = models.FloatField(default=0.0)
    deprivation_weight = models.FloatField(default=0.0)
    cap_per_organisation_gbp = models.DecimalField(
        max_digits=14, decimal_places=0, null=True, blank=True
    )
    icb_floor_gbp = models.DecimalField(max_digits=14, decimal_places=0, null=True, blank=True)
    smart_foundations_first = models.BooleanField(default=True)
    step = models.FloatField(
        null=True, blank=True, help_text="Levels bought in whole steps of this size; empty: any"
    )
    status = models.CharField(
        max_length=16, choices=ScenarioStatus.choices, default=ScenarioStatus.NOT_SOLVED
    )
    result = models.JSONField(null=True, blank=True)
    solved_at = models.DateTimeField(null=True, blank=True)
    solved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    optimiser_version = models.CharField(max_length=16, blank=True)
    is_demonstration = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["programme", "created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(budget_gbp__gte=0), name="scenario_budget_positive"),
            models.CheckConstraint(
                condition=Q(solved_at__isnull=True, solved_by__isnull=True)
                | Q(solved_at__isnull=False, solved_by__isnull=False),
                name="scenario_solved_pair",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("support:scenario", args=[self.pk])


class ScenarioAllocation(models.Model):
    """One organisation in a solved scenario: what it gets and what that buys."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="allocations")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    icb = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    amount_gbp = models.DecimalField(max_digits=14, decimal_places=0)
    need_gbp = models.DecimalField(max_digits=14, decimal_places=0)
    scores = models.JSONField(help_text="Pillar id → baseline score used")
    gaps = models.JSONField(help_text="Pillar id → levels short of the threshold")
    uplift = models.JSONField(help_text="Pillar id → levels funded")
    weight = models.FloatField()
    eligible = models.BooleanField()
    at_target_before = models.BooleanField()
    reaches_target = models.BooleanField()

    class Meta:
        ordering = ["scenario", "-amount_gbp", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["scenario", "organisation"], name="uniq_scenario_allocation"
            )
        ]


class FundingAward(models.Model):
    """Money actually awarded to an organisation under a programme, as recorded by an analyst."""

    programme = models.ForeignKey(FundingProgramme, on_delete=models.PROTECT, related_name="awards")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="funding_awards"
    )
    amount_gbp = models.DecimalField(max_digits=14, decimal_places=0)
    awarded_on = models.DateField()
    purpose = models.TextField(blank=True)
    pillars = models.JSONField(default=list, blank=True)
    scenario = models.ForeignKey(
        Scenario, on_delete=models.PROTECT, null=True, blank=True, related_name="awards"
    )
    source = models.CharField(max_length=300, help_text="Where the figure comes from")
    is_demonstration = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-awarded_on", "organisation__name"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_gbp__gt=0), name="award_amount_positive")
        ]


class CaseStudyStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Waiting for review"
    RETURNED = "returned", "Returned with comments"
    PUBLISHED = "published", "Published"


class CaseStudy(models.Model):
    """Lessons learnt by an organisation, published after a national analyst has reviewed them."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="case_studies"
    )
    slug = models.SlugField(max_length=120, unique=True)
    title = models.CharField(max_length=200)
    summary = models.TextField()
    what_we_did = models.TextField()
    care_setting = models.CharField(max_length=32, choices=CareSettingChoices.choices)
    supplier = models.CharField(max_length=200, blank=True)
    cost_gbp = models.DecimalField(max_digits=14, decimal_places=0, null=True, blank=True)
    cost_note = models.CharField(max_length=300, blank=True)
    do_differently = models.TextField(blank=True, help_text="What we would do differently")
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True)
    status = models.CharField(
        max_length=16, choices=CaseStudyStatus.choices, default=CaseStudyStatus.DRAFT
    )
    is_demonstration = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-published_at", "-updated_at", "id"]
        verbose_name_plural = "case studies"
        constraints = [
            models.CheckConstraint(
                condition=Q(published_at__isnull=True, published_by__isnull=True)
                | Q(published_at__isnull=False, published_by__isnull=False),
                name="case_study_published_pair",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="case_study_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("support:case-study", args=[self.slug])

    @property
    def is_published(self) -> bool:
        return self.status == CaseStudyStatus.PUBLISHED


class CaseStudyTag(models.Model):
    """A framework domain a case study is about, with its pillar, for search."""

    case_study = models.ForeignKey(CaseStudy, on_delete=models.CASCADE, related_name="tags")
    domain_id = models.CharField(max_length=100)
    pillar = models.CharField(max_length=32, choices=PILLAR_CHOICES)

    class Meta:
        ordering = ["pillar", "domain_id"]
        constraints = [
            models.UniqueConstraint(fields=["case_study", "domain_id"], name="uniq_case_study_tag")
        ]


class CaseStudyEvent(models.Model):
    """One status change of a case study. Never edited."""

    case_study = models.ForeignKey(CaseStudy, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, choices=CaseStudyStatus.choices)
    note = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]


class ContactOptIn(models.Model):
    """An organisation's consent to be contacted by peers who want to learn from it."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="contact_opt_ins"
    )
    contact_name = models.CharField(max_length=200)
    contact_email = models.EmailField()
    topics = models.TextField(blank=True, help_text="What the organisation is happy to talk about")
    opted_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opted_in_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    is_demonstration = models.BooleanField(default=False)

    class Meta:
        ordering = ["-opted_in_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(withdrawn_at__isnull=True),
                name="uniq_active_contact_opt_in",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True, withdrawn_by__isnull=True)
                | Q(withdrawn_at__isnull=False, withdrawn_by__isnull=False),
                name="contact_opt_in_withdrawn_pair",
            ),
        ]


class CommunityMembership(models.Model):
    """An organisation's membership of the community of practice for one pillar."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="communities"
    )
    pillar = models.CharField(max_length=32, choices=PILLAR_CHOICES)
    joined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    joined_at = models.DateTimeField(auto_now_add=True)
    left_at = models.DateTimeField(null=True, blank=True)
    left_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    is_demonstration = models.BooleanField(default=False)

    class Meta:
        ordering = ["pillar", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "pillar"],
                condition=Q(left_at__isnull=True),
                name="uniq_active_community_membership",
            ),
            models.CheckConstraint(
                condition=Q(left_at__isnull=True, left_by__isnull=True)
                | Q(left_at__isnull=False, left_by__isnull=False),
                name="community_left_pair",
            ),
        ]
