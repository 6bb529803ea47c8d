from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q


class User(AbstractUser):
    """A person who signs in. What they may do comes from their organisation memberships."""

    class Meta:
        db_table = "accounts_user"


class Role(models.TextChoices):
    """DESIGN §2. National roles are held through a membership of the nation (England)."""

    CONTRIBUTOR = "contributor", "Contributor"
    SUBMITTER = "submitter", "Submitter (CIO or deputy)"
    PEER_REVIEWER = "peer_reviewer", "Peer reviewer"
    SYSTEM_LEAD = "system_lead", "System lead (ICB)"
    REGIONAL_VALIDATOR = "regional_validator", "Regional validator"
    NATIONAL_ANALYST = "national_analyst", "National analyst"
    PANEL_MEMBER = "panel_member", "Expert panel member"


NATIONAL_ROLES = frozenset({Role.NATIONAL_ANALYST, Role.PANEL_MEMBER})


class MembershipQuerySet(models.QuerySet):
    def active(self) -> MembershipQuerySet:
        return self.filter(revoked_at__isnull=True)


class Membership(models.Model):
    """A user's role in an organisation. Revoked, never deleted, so access can be audited."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(max_length=32, choices=Role.choices)
    granted_at = models.DateTimeField(auto_now_add=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"],
                condition=Q(revoked_at__isnull=True),
                name="uniq_active_membership",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True, revoked_by__isnull=True)
                | Q(revoked_at__isnull=False, revoked_by__isnull=False),
                name="membership_revoked_pair",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.organisation}"
