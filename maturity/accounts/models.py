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

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ApiTokenQuerySet(models.QuerySet):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A personal API token. Only the SHA-256 of its secret is kept: the secret is shown once.

    The prefix is not secret; it finds the row so the hash comparison is a single constant-time
    compare rather than a database search on secret material.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What the token is for, chosen by its owner")
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64, help_text="SHA-256 of the secret, hex")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class LoginAttempt(models.Model):
    """One sign-in attempt, kept in the database so every web worker sees the same count."""

    username = models.CharField(max_length=150, help_text="As typed, lower-cased")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    attempted_at = models.DateTimeField()
    succeeded = models.BooleanField()

    class Meta:
        ordering = ["-attempted_at"]
        indexes = [
            models.Index(fields=["username", "attempted_at"], name="login_attempt_by_username"),
            models.Index(fields=["ip_address", "attempted_at"], name="login_attempt_by_ip"),
        ]

    def __str__(self) -> str:
        outcome = "succeeded" if self.succeeded else "failed"
        return f"{self.username} from {self.ip_address} {outcome} at {self.attempted_at}"


class OidcIdentity(models.Model):
    """A person's account at an OpenID Connect provider (NHS CIS2, say). Sign-in matches on the
    provider's stable subject (``sub``) within its issuer, never on email: an email address can
    be reused or changed; the subject cannot."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="oidc_identities"
    )
    issuer = models.CharField(max_length=500, help_text="The provider's issuer (iss), exactly")
    subject = models.CharField(max_length=255, help_text="The person's subject (sub) there")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "OpenID Connect identity"
        verbose_name_plural = "OpenID Connect identities"
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="uniq_oidc_subject"),
            # One subject per account per provider, so an account is never two people.
            models.UniqueConstraint(fields=["user", "issuer"], name="uniq_oidc_user_issuer"),
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.issuer}"
