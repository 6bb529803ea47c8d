"""The annual assessment cycle: cycles, returns, answers and the scores computed from them.

A return is one organisation's self-assessment for one care setting in one cycle (an integrated
trust answers one return per care setting). Every stored score names the framework edition and
the scoring version that produced it, so a past result can be reproduced exactly.

Writes go through :mod:`maturity.assessments.services`. Status changes and answer revisions are
append-only records: they are never updated, and the services never delete them.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from maturity.organisations.models import CareSettingChoices

from .statemachine import CycleState, ReturnState

CycleStatus = models.TextChoices("CycleStatus", [(s.name, (s.value, s.label)) for s in CycleState])
ReturnStateChoices = models.TextChoices(
    "ReturnStateChoices", [(s.name, (s.value, s.label)) for s in ReturnState]
)

_DATE_FIELDS = (
    "opens_on",
    "closes_on",
    "review_closes_on",
    "provisional_release_on",
    "publication_on",
)


class AppendOnlyError(RuntimeError):
    """An attempt to change or delete a record that is kept as it was written."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError(f"{self.model.__name__} records cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{self.model.__name__} records cannot be deleted.")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} {self.pk} cannot be changed.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{type(self).__name__} {self.pk} cannot be deleted.")


class Cycle(models.Model):
    """One year's assessment against one framework edition, for a scope of organisations."""

    year = models.PositiveSmallIntegerField()
    edition = models.ForeignKey(
        "frameworks.FrameworkEdition", on_delete=models.PROTECT, related_name="cycles"
    )
    title = models.CharField(max_length=200)
    is_demonstration = models.BooleanField(
        default=False, help_text="Generated demonstration data, not a real collection"
    )
    status = models.CharField(
        max_length=24, choices=CycleStatus.choices, default=CycleState.DRAFT.value
    )
    opens_on = models.DateField(null=True, blank=True)
    closes_on = models.DateField(null=True, blank=True, help_text="Returns are due by this day")
    review_closes_on = models.DateField(null=True, blank=True)
    provisional_release_on = models.DateField(null=True, blank=True)
    publication_on = models.DateField(null=True, blank=True)
    scope_organisation_kinds = models.JSONField(
        default=list, blank=True, help_text="Organisation kinds that answer (trust, icb…)"
    )
    scope_care_settings = models.JSONField(
        default=list, blank=True, help_text="Care settings answered in this cycle"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "edition", "is_demonstration"],
                name="uniq_cycle_year_edition",
                violation_error_message="There is already a cycle for this year and edition.",
            ),
            # Only a draft may lack its dates.
            models.CheckConstraint(
                condition=Q(status=CycleState.DRAFT.value)
                | Q(**{f"{name}__isnull": False for name in _DATE_FIELDS}),
                name="cycle_dates_when_not_draft",
                violation_error_message="Enter all five dates of the cycle.",
            ),
            models.CheckConstraint(
                condition=Q(opens_on__isnull=True)
                | Q(closes_on__isnull=True)
                | Q(closes_on__gt=F("opens_on")),
                name="cycle_closes_after_opening",
                violation_error_message="The close date must be after the opening date.",
            ),
            models.CheckConstraint(
                condition=Q(closes_on__isnull=True)
                | Q(review_closes_on__isnull=True)
                | Q(review_closes_on__gte=F("closes_on")),
                name="cycle_review_after_close",
                violation_error_message="The review close date cannot be before the close date.",
            ),
            models.CheckConstraint(
                condition=Q(review_closes_on__isnull=True)
                | Q(provisional_release_on__isnull=True)
                | Q(provisional_release_on__gte=F("review_closes_on")),
                name="cycle_release_after_review",
                violation_error_message=(
                    "The provisional release date cannot be before the review close date."
                ),
            ),
            models.CheckConstraint(
                condition=Q(provisional_release_on__isnull=True)
                | Q(publication_on__isnull=True)
                | Q(publication_on__gte=F("provisional_release_on")),
                name="cycle_publication_after_release",
                violation_error_message=(
                    "The publication date cannot be before the provisional release date."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def state(self) -> CycleState:
        return CycleState(self.status)

    @property
    def is_open(self) -> bool:
        return self.status == CycleState.OPEN


class ReturnStatus(models.TextChoices):
    """A return's stored state. Withdrawal is ``withdrawn_at``: the state is kept under it."""

    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    COMMITTED = "committed", "Committed"


class ReturnQuerySet(models.QuerySet):
    def active(self) -> ReturnQuerySet:
        """Returns in their cycle's scope (not withdrawn)."""
        return self.filter(withdrawn_at__isnull=True)


# An edition's resolved content is a large JSON document, read through the cached
# frameworks.selectors.get_edition: queries that select_related a return's edition defer it.
EDITION_CONTENT = "cycle__edition__content"


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
    committed_at = models.DateTimeField(null=True, blank=True)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    late = models.BooleanField(default=False, help_text="Not committed when the cycle closed")
    withdrawn_at = models.DateTimeField(
        null=True, blank=True, help_text="Taken out of the cycle's scope; answers are kept"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReturnQuerySet.as_manager()

    class Meta:
        ordering = ["cycle", "organisation", "care_setting"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "organisation", "care_setting"], name="uniq_return"
            ),
            models.CheckConstraint(
                condition=Q(committed_at__isnull=True, committed_by__isnull=True)
                | Q(committed_at__isnull=False, committed_by__isnull=False),
                name="return_committed_pair",
            ),
            models.CheckConstraint(
                condition=Q(committed_at__isnull=True) | Q(status=ReturnStatus.COMMITTED),
                name="return_committed_at_only_when_committed",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "care_setting"])]

    def __str__(self) -> str:
        return f"{self.organisation} {self.care_setting} ({self.cycle.year})"

    @property
    def state(self) -> ReturnState:
        return ReturnState.WITHDRAWN if self.withdrawn_at else ReturnState(self.status)

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def care_setting_label(self) -> str:
        return CareSettingChoices(self.care_setting).label


class ReturnStatusChange(AppendOnlyModel):
    """One change of a return's state, attributed. ``by`` is empty only for system changes."""

    return_obj = models.ForeignKey(
        Return, on_delete=models.CASCADE, related_name="status_changes", db_column="return_id"
    )
    from_status = models.CharField(max_length=16, choices=ReturnStateChoices.choices)
    to_status = models.CharField(max_length=16, choices=ReturnStateChoices.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    by_system = models.BooleanField(default=False)
    at = models.DateTimeField()
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(by__isnull=False, by_system=False) | Q(by__isnull=True, by_system=True),
                name="status_change_attributed",
            ),
            models.CheckConstraint(
                condition=~Q(from_status=F("to_status")), name="status_change_changes"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.return_obj_id}: {self.from_status} → {self.to_status}"


class AnswerValue(models.TextChoices):
    """Values of a criterion answer (contextual answers hold a typed value instead)."""

    MET = "met", "Met"
    NOT_MET = "not_met", "Not met"
    NOT_APPLICABLE = "na", "Not applicable"


class Answer(models.Model):
    """One answer: a criterion (met / not met / not applicable), a contextual question (typed),
    or a domain's narrative (``narrative:<domain id>``).

    ``version`` starts at 1 and goes up by one on every change, so a stale edit can be refused.
    """

    return_obj = models.ForeignKey(
        Return, on_delete=models.CASCADE, related_name="answers", db_column="return_id"
    )
    item_id = models.CharField(
        max_length=100,
        help_text="Criterion id, contextual question id or narrative:<domain id>",
    )
    value = models.JSONField()
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    copied_from_previous = models.BooleanField(
        default=False, help_text="Copied from last year's return and not yet confirmed"
    )

    class Meta:
        ordering = ["item_id"]
        constraints = [
            models.UniqueConstraint(fields=["return_obj", "item_id"], name="uniq_answer_item"),
            models.CheckConstraint(condition=Q(version__gte=1), name="answer_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} = {self.value!r}"


class AnswerRevision(AppendOnlyModel):
    """Every saved value of an answer, in order: the amendment history."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="revisions")
    return_obj = models.ForeignKey(
        Return, on_delete=models.CASCADE, related_name="answer_revisions", db_column="return_id"
    )
    item_id = models.CharField(max_length=100)
    old_value = models.JSONField(null=True, blank=True)
    new_value = models.JSONField()
    version = models.PositiveIntegerField()
    copied = models.BooleanField(default=False, help_text="Copied from last year's return")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["answer", "version"], name="uniq_answer_revision"),
        ]
        indexes = [models.Index(fields=["return_obj", "item_id"])]

    def __str__(self) -> str:
        return f"{self.item_id} v{self.version}"


def evidence_path(instance: Evidence, filename: str) -> str:
    # The stored name is random: the original name is kept in the row, never trusted on disk.
    return f"evidence/{instance.return_obj_id}/{filename}"


class EvidenceKind(models.TextChoices):
    FILE = "file", "File"
    LINK = "link", "Link"


class ScanStatus(models.TextChoices):
    CLEAN = "clean", "Clean"
    INFECTED = "infected", "Infected"
    PENDING = "pending", "Scan pending"
    NOT_SCANNED = "not_scanned", "Not scanned"


class EvidenceQuerySet(models.QuerySet):
    def current(self) -> EvidenceQuerySet:
        return self.filter(removed_at__isnull=True)


class Evidence(models.Model):
    """A file or a link supporting a domain's answers. Removal is soft: the row stays."""

    return_obj = models.ForeignKey(
        Return, on_delete=models.CASCADE, related_name="evidence", db_column="return_id"
    )
    domain_id = models.CharField(max_length=100)
    kind = models.CharField(max_length=8, choices=EvidenceKind.choices)
    file = models.FileField(upload_to=evidence_path, blank=True, max_length=255)
    url = models.URLField(max_length=2000, blank=True)
    note = models.TextField(blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=128, blank=True, help_text="Sniffed from content")
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    scan_status = models.CharField(
        max_length=16, choices=ScanStatus.choices, default=ScanStatus.NOT_SCANNED
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "evidence"
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind=EvidenceKind.FILE, url="", size__isnull=False)
                    & ~Q(file="")
                    & ~Q(sha256="")
                )
                | (Q(kind=EvidenceKind.LINK, file="") & ~Q(url="")),
                name="evidence_file_or_link",
            ),
            models.CheckConstraint(
                condition=Q(removed_at__isnull=True, removed_by__isnull=True)
                | Q(removed_at__isnull=False, removed_by__isnull=False),
                name="evidence_removed_pair",
            ),
        ]
        indexes = [models.Index(fields=["return_obj", "domain_id"])]

    def __str__(self) -> str:
        return self.original_name or self.url

    @property
    def label(self) -> str:
        return self.original_name or self.url


class Assignment(models.Model):
    """Who in the organisation is answering a domain (coordination: anyone may still edit)."""

    return_obj = models.ForeignKey(
        Return, on_delete=models.CASCADE, related_name="assignments", db_column="return_id"
    )
    domain_id = models.CharField(max_length=100)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField()

    class Meta:
        ordering = ["domain_id"]
        constraints = [
            models.UniqueConstraint(fields=["return_obj", "domain_id"], name="uniq_assignment")
        ]

    def __str__(self) -> str:
        return f"{self.domain_id} → {self.assignee}"


class Comment(models.Model):
    """A query thread on a domain (as REDCap's data queries): a first comment opens it, replies
    answer it, and resolving the first comment closes it."""

    return_obj = models.ForeignKey(
        Return, on_delete=models.CASCADE, related_name="comments", db_column="return_id"
    )
    domain_id = models.CharField(max_length=100)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True, resolved_by__isnull=True)
                | Q(resolved_at__isnull=False, resolved_by__isnull=False),
                name="comment_resolved_pair",
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | Q(resolved_at__isnull=True),
                name="comment_only_threads_resolve",
            ),
        ]
        indexes = [models.Index(fields=["return_obj", "domain_id"])]

    def __str__(self) -> str:
        return f"Comment {self.pk} on {self.domain_id}"

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None


class RightOfReply(AppendOnlyModel):
    """The organisation's reply to its provisional results (factual accuracy, context)."""

    return_obj = models.ForeignKey(
        Return, on_delete=models.CASCADE, related_name="rights_of_reply", db_column="return_id"
    )
    text = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        verbose_name_plural = "rights of reply"

    def __str__(self) -> str:
        return f"Reply on return {self.return_obj_id}"


class ProvisionalRelease(AppendOnlyModel):
    """When a cycle's results were released to each organisation, before publication."""

    cycle = models.OneToOneField(
        Cycle, on_delete=models.PROTECT, related_name="provisional_release"
    )
    released_at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"Provisional release of {self.cycle}"


class Reminder(AppendOnlyModel):
    """A close-date reminder sent to an organisation's submitters: at most one a day."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="reminders")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    sent_on = models.DateField()
    days_before = models.PositiveSmallIntegerField()
    recipients = models.PositiveIntegerField()
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["sent_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "organisation", "sent_on"], name="uniq_reminder_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"Reminder {self.cycle_id} {self.organisation_id} {self.sent_on}"


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
