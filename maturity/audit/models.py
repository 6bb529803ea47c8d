from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from .chain import HASHED_FIELDS, chain_hash


class AppendOnlyViolation(RuntimeError):
    """An attempt to change or remove an audit record, or to write one outside ``record()``."""


class AuditRecordQuerySet(models.QuerySet):
    # The database triggers refuse these too; refusing here gives a clear error before SQL.
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyViolation("Audit records cannot be updated.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyViolation("Audit records cannot be deleted.")

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        raise AppendOnlyViolation("Audit records cannot be updated.")

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[Any]:
        raise AppendOnlyViolation("Audit records are written one at a time by audit.record().")


class AuditRecord(models.Model):
    """One change, attributed, with its state before and after. Never updated or deleted.

    No foreign key except the actor's (which protects the user from deletion), so records
    survive whatever happens to what they describe.
    """

    sequence = models.BigIntegerField(
        primary_key=True, help_text="Gapless: 1, 2, 3… in the order records were appended."
    )
    occurred_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for system actions.",
    )
    actor_label = models.CharField(
        max_length=300, help_text="The actor's name when they acted, kept if they are renamed."
    )
    action = models.CharField(max_length=100, help_text="Dotted, e.g. answer.saved")
    target_type = models.CharField(max_length=100, help_text="app_label.model, or a caller's type")
    target_id = models.CharField(max_length=100)
    organisation_id = models.BigIntegerField(null=True, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AuditRecordQuerySet.as_manager()

    class Meta:
        ordering = ["sequence"]
        indexes = [
            models.Index(fields=["target_type", "target_id", "sequence"], name="audit_by_target"),
            models.Index(fields=["organisation_id", "sequence"], name="audit_by_organisation"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(sequence__gte=1), name="audit_sequence_positive"),
            models.UniqueConstraint(fields=["hash"], name="audit_hash_unique"),
            # A chain never forks: a second record naming the same predecessor is refused, a
            # last line of defence if appends were ever not serialised.
            models.UniqueConstraint(fields=["previous_hash"], name="audit_previous_hash_unique"),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} {self.target_type}:{self.target_id}"

    def hashed_fields(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in HASHED_FIELDS}

    def compute_hash(self) -> str:
        return chain_hash(self.previous_hash, self.hashed_fields())

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyViolation(f"Audit record {self.sequence} cannot be changed.")
        if not self.hash or self.hash != self.compute_hash():
            raise AppendOnlyViolation(
                "Audit records are written only by maturity.audit.services.record()."
            )
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyViolation(f"Audit record {self.sequence} cannot be deleted.")


def target_key(target: models.Model | tuple[str, object]) -> tuple[str, str]:
    """``(target_type, target_id)`` for a saved model instance or a ``(type, id)`` pair.

    A model is named ``app_label.model_name`` (``assessments.return``), as the selectors expect.
    """
    if isinstance(target, models.Model):
        if target.pk is None:
            raise ValueError("Cannot audit a change to an unsaved object: save it first.")
        return f"{target._meta.app_label}.{target._meta.model_name}", str(target.pk)
    if isinstance(target, tuple) and len(target) == 2:
        target_type, target_id = target
        if not isinstance(target_type, str) or not target_type or target_id in (None, ""):
            raise ValueError(f"An audit target must be (type, id), not {target!r}.")
        return target_type, str(target_id)
    raise TypeError(f"An audit target is a model instance or a (type, id) tuple, not {target!r}.")
