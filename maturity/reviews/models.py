"""Peer review and validation of committed returns (DESIGN §3 steps 4 and 5).

A committed return is matched with a reviewing organisation (:class:`PeerReviewAssignment`); the
reviewer agrees with or challenges each domain (:class:`DomainReview`); the organisation accepts
or contests; wide or contested challenges go to a national analyst (:class:`Moderation`). The
self-assessed, peer-agreed and published levels of each domain are kept side by side on the
domain review. Statistics raise :class:`ValidationFlag` records that system leads and regional
validators clear or query. Reviewers calibrate on written cases (:class:`CalibrationCase`,
:class:`CalibrationScore`).

Writes go through :mod:`maturity.reviews.services`; every one is audited.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from maturity.core.review.flags import FLAG_KINDS
from maturity.core.review.outcome import MODERATION_REASONS, STATE_LABELS, Decision, Response


def _level_check(field: str, *, nullable: bool = True) -> models.CheckConstraint:
    condition = Q(**{f"{field}__gte": 1, f"{field}__lte": 5})
    if nullable:
        condition |= Q(**{f"{field}__isnull": True})
    return models.CheckConstraint(condition=condition, name=f"%(class)s_{field}_1_to_5")


def _pair_check(at: str, by: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{at}__isnull": True, f"{by}__isnull": True})
        | Q(**{f"{at}__isnull": False, f"{by}__isnull": False}),
        name=f"%(class)s_{at}_{by}_pair",
    )


class AssignmentKind(models.TextChoices):
    PRIMARY = "primary", "Peer review"
    BLIND_SECOND = "blind_second", "Blind second review"


class AssignmentStatus(models.TextChoices):
    ACTIVE = "active", "In review"
    SUBMITTED = "submitted", "Submitted"
    REPLACED = "replaced", "Replaced"


class MatchingRun(models.Model):
    """One run of the peer matching for a cycle, with what could not be matched and why."""

    cycle = models.ForeignKey(
        "assessments.Cycle", on_delete=models.PROTECT, related_name="matching_runs"
    )
    kind = models.CharField(max_length=16, choices=AssignmentKind.choices)
    max_load = models.PositiveSmallIntegerField()
    method = models.CharField(max_length=64)
    matched = models.PositiveIntegerField(default=0)
    reciprocal_pairs = models.PositiveIntegerField(default=0)
    #: [{"return_id": 1, "organisation": "…", "reason": "…"}] for returns left unmatched.
    unmatched = models.JSONField(default=list, blank=True)
    sample_seed = models.BigIntegerField(null=True, blank=True)
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    run_at = models.DateTimeField()

    class Meta:
        ordering = ["-run_at", "-id"]

    def __str__(self) -> str:
        return f"Matching {self.pk} of cycle {self.cycle_id} ({self.kind})"


class PeerReviewAssignment(models.Model):
    """A reviewing organisation assigned to a return, with why it was chosen."""

    cycle = models.ForeignKey(
        "assessments.Cycle", on_delete=models.PROTECT, related_name="peer_review_assignments"
    )
    return_obj = models.ForeignKey(
        "assessments.Return",
        on_delete=models.PROTECT,
        related_name="peer_review_assignments",
        db_column="return_id",
    )
    reviewer_organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="reviews_given"
    )
    kind = models.CharField(
        max_length=16, choices=AssignmentKind.choices, default=AssignmentKind.PRIMARY
    )
    status = models.CharField(
        max_length=16, choices=AssignmentStatus.choices, default=AssignmentStatus.ACTIVE
    )
    # The two integrated care systems when the match was made, so scope checks and the
    # explanation do not depend on later changes to the hierarchy.
    reviewee_ics = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    reviewer_ics = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    explanation = models.TextField()
    size_ratio = models.FloatField(null=True, blank=True)
    reciprocal = models.BooleanField(default=False)
    matching_run = models.ForeignKey(
        MatchingRun, on_delete=models.PROTECT, null=True, blank=True, related_name="assignments"
    )
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    replaced_at = models.DateTimeField(null=True, blank=True)
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    replace_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["cycle", "return_obj", "kind", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["return_obj", "kind"],
                condition=~Q(status=AssignmentStatus.REPLACED),
                name="uniq_current_assignment",
            ),
            models.CheckConstraint(
                condition=~Q(reviewee_ics=models.F("reviewer_ics")),
                name="assignment_other_ics",
            ),
            _pair_check("submitted_at", "submitted_by"),
            models.CheckConstraint(
                condition=Q(replaced_at__isnull=True, replace_reason="")
                | (Q(replaced_at__isnull=False) & ~Q(replace_reason="")),
                name="assignment_replaced_with_reason",
            ),
        ]
        indexes = [models.Index(fields=["reviewer_organisation", "status"])]

    def __str__(self) -> str:
        return f"{self.reviewer_organisation_id} reviews return {self.return_obj_id} ({self.kind})"

    @property
    def is_blind(self) -> bool:
        return self.kind == AssignmentKind.BLIND_SECOND


DecisionChoices = models.TextChoices(
    "DecisionChoices", [(d.name, (d.value, d.value.capitalize())) for d in Decision]
)
ResponseChoices = models.TextChoices(
    "ResponseChoices", [(r.name, (r.value, r.value.capitalize())) for r in Response]
)
StateChoices = models.TextChoices(
    "StateChoices", [(s.name, (s.value, label)) for s, label in STATE_LABELS.items()]
)


class DomainReview(models.Model):
    """One domain of a reviewed return: the reviewer's decision, the organisation's reply and the
    resulting levels. Self-assessed, agreed, counted and published levels are kept side by side."""

    assignment = models.ForeignKey(
        PeerReviewAssignment, on_delete=models.PROTECT, related_name="domain_reviews"
    )
    domain_id = models.CharField(max_length=100)
    pillar_id = models.CharField(max_length=64)
    self_level = models.PositiveSmallIntegerField(help_text="The self-assessed level reviewed")
    decision = models.CharField(max_length=16, choices=DecisionChoices.choices, blank=True)
    proposed_level = models.PositiveSmallIntegerField(null=True, blank=True)
    reason = models.TextField(blank=True)
    evidence_requested = models.TextField(blank=True)
    evidence_confirmed = models.BooleanField(
        default=False, help_text="The reviewer confirmed the evidence for a level 4 or 5"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    response = models.CharField(max_length=16, choices=ResponseChoices.choices, blank=True)
    response_text = models.TextField(blank=True)
    response_evidence = models.TextField(
        blank=True, help_text="Links to or descriptions of the evidence given with the reply"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    state = models.CharField(
        max_length=24, choices=StateChoices.choices, default=StateChoices.AWAITING_REVIEWER
    )
    agreed_level = models.PositiveSmallIntegerField(null=True, blank=True)
    counted_level = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The agreed level after the evidence rule for 4 and 5"
    )
    published_level = models.PositiveSmallIntegerField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["assignment", "domain_id"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "domain_id"], name="uniq_domain_review"),
            _level_check("self_level", nullable=False),
            _level_check("proposed_level"),
            _level_check("agreed_level"),
            _level_check("counted_level"),
            _level_check("published_level"),
            _pair_check("decided_at", "decided_by"),
            _pair_check("responded_at", "responded_by"),
            models.CheckConstraint(
                condition=Q(decision="") | Q(decided_at__isnull=False),
                name="domain_review_decision_dated",
            ),
            models.CheckConstraint(
                condition=~Q(decision=Decision.CHALLENGE.value) | Q(proposed_level__isnull=False),
                name="domain_review_challenge_proposes",
            ),
            models.CheckConstraint(
                condition=Q(published_level__isnull=True, published_at__isnull=True)
                | Q(published_level__isnull=False, published_at__isnull=False),
                name="domain_review_published_pair",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.domain_id} of assignment {self.assignment_id}"

    @property
    def reviewer_level(self) -> int | None:
        """The level the reviewer holds: the self-assessed one if agreed, else the proposed one."""
        if self.decision == Decision.AGREE:
            return self.self_level
        if self.decision == Decision.CHALLENGE:
            return self.proposed_level
        return None


ModerationReason = models.TextChoices(
    "ModerationReason", [(k.upper(), (k, text)) for k, text in MODERATION_REASONS.items()]
)


class Moderation(models.Model):
    """A challenge decided by a national analyst. The decision is final."""

    domain_review = models.OneToOneField(
        DomainReview, on_delete=models.PROTECT, related_name="moderation"
    )
    reason = models.CharField(max_length=16, choices=ModerationReason.choices)
    opened_at = models.DateTimeField()
    decided_level = models.PositiveSmallIntegerField(null=True, blank=True)
    evidence_confirmed = models.BooleanField(
        default=False, help_text="The moderator confirmed the evidence for a level 4 or 5"
    )
    decision_reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["opened_at", "id"]
        constraints = [
            _level_check("decided_level"),
            _pair_check("decided_at", "decided_by"),
            models.CheckConstraint(
                condition=Q(decided_at__isnull=True, decided_level__isnull=True)
                | (
                    Q(decided_at__isnull=False, decided_level__isnull=False)
                    & ~Q(decision_reason="")
                ),
                name="moderation_decided_with_level_and_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Moderation of domain review {self.domain_review_id}"

    @property
    def is_decided(self) -> bool:
        return self.decided_at is not None


class FlagStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLEARED = "cleared", "Cleared"
    QUERIED = "queried", "Queried"


FlagKind = models.TextChoices(
    "FlagKind", [(k.upper(), (k, label)) for k, label in FLAG_KINDS.items()]
)


class ValidationFlag(models.Model):
    """A statistical reason to check a return, with its plain-English explanation."""

    cycle = models.ForeignKey(
        "assessments.Cycle", on_delete=models.PROTECT, related_name="validation_flags"
    )
    return_obj = models.ForeignKey(
        "assessments.Return",
        on_delete=models.PROTECT,
        related_name="validation_flags",
        db_column="return_id",
    )
    kind = models.CharField(max_length=32, choices=FlagKind.choices)
    explanation = models.TextField()
    details = models.JSONField(default=dict, blank=True)
    method = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    raised_at = models.DateTimeField()
    refreshed_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_reason = models.TextField(blank=True)
    reply = models.TextField(blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["cycle", "return_obj", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["return_obj", "kind"], name="uniq_flag_kind"),
            _pair_check("replied_at", "replied_by"),
            models.CheckConstraint(
                condition=Q(status=FlagStatus.OPEN, decided_at__isnull=True)
                | (
                    ~Q(status=FlagStatus.OPEN)
                    & Q(decided_at__isnull=False)
                    & ~Q(decision_reason="")
                ),
                name="flag_decided_with_reason",
            ),
        ]
        indexes = [models.Index(fields=["cycle", "status"])]

    def __str__(self) -> str:
        return f"{self.kind} on return {self.return_obj_id} ({self.status})"

    @property
    def label(self) -> str:
        return FLAG_KINDS.get(self.kind, self.kind)


class CalibrationCase(models.Model):
    """A short written scenario with the level we set as its reference (kept in YAML files)."""

    case_id = models.SlugField(max_length=64, unique=True)
    title = models.CharField(max_length=200)
    care_setting = models.CharField(max_length=32)
    domain_id = models.CharField(max_length=100)
    pillar_id = models.CharField(max_length=64)
    scenario = models.TextField()
    reference_level = models.PositiveSmallIntegerField()
    rationale = models.TextField()
    active = models.BooleanField(default=True)
    source_file = models.CharField(max_length=200)

    class Meta:
        ordering = ["case_id"]
        constraints = [_level_check("reference_level", nullable=False)]

    def __str__(self) -> str:
        return self.title


class CalibrationScore(models.Model):
    """A reviewer's level for a calibration case in a cycle. A first score is kept as given."""

    case = models.ForeignKey(CalibrationCase, on_delete=models.PROTECT, related_name="scores")
    cycle = models.ForeignKey(
        "assessments.Cycle", on_delete=models.PROTECT, related_name="calibration_scores"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="calibration_scores"
    )
    level = models.PositiveSmallIntegerField()
    scored_at = models.DateTimeField()

    class Meta:
        ordering = ["cycle", "reviewer", "case"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "cycle", "reviewer"], name="uniq_calibration_score"
            ),
            _level_check("level", nullable=False),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer_id} scored {self.case_id} {self.level}"


class FundingRound(models.Model):
    """A funding round whose timing the validation flags compare commit dates with."""

    name = models.CharField(max_length=200)
    closes_on = models.DateField()
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["closes_on", "name"]

    def __str__(self) -> str:
        return self.name


class ReviewAudience(models.TextChoices):
    REVIEWER = "reviewer", "Reviewing organisation"
    ORGANISATION = "organisation", "Reviewed organisation"


class ReviewReminder(models.Model):
    """A review deadline reminder sent to an organisation: at most one a day per audience."""

    cycle = models.ForeignKey("assessments.Cycle", on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    audience = models.CharField(max_length=16, choices=ReviewAudience.choices)
    sent_on = models.DateField()
    days_before = models.PositiveSmallIntegerField()
    recipients = models.PositiveIntegerField()
    outstanding = models.PositiveIntegerField(help_text="Domains waiting when it was sent")

    class Meta:
        ordering = ["sent_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "organisation", "audience", "sent_on"],
                name="uniq_review_reminder_per_day",
            )
        ]

    def __str__(self) -> str:
        return f"Review reminder {self.cycle_id} {self.organisation_id} {self.sent_on}"
