"""Writes for people and access. Each checks who is acting and is audited in its transaction."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from maturity.audit import services as audit

from . import permissions
from .api_auth import format_token, hash_secret, new_token_parts
from .models import ApiToken, Membership, OidcIdentity, Role, User
from .rules import role_fits, where_role_is_held

MAX_ACTIVE_TOKENS = 20


@dataclass(frozen=True)
class DemoSignIn:
    username: str
    password: str
    role: str
    organisation_ods: str


# Demonstration accounts only: `maturity demo` refuses to run in production.
DEMO_PASSWORD = "demo-observatory-2026"
DEMO_USERS = (
    DemoSignIn("contributor", DEMO_PASSWORD, Role.CONTRIBUTOR, "RD1"),
    DemoSignIn("submitter", DEMO_PASSWORD, Role.SUBMITTER, "RD1"),
    # A second trust in the same ICB, to show that one trust never sees another's return.
    DemoSignIn("contributor2", DEMO_PASSWORD, Role.CONTRIBUTOR, "RN3"),
    # Oxford is in another ICS, so may review Bath's return (never its own ICS's).
    DemoSignIn("reviewer", DEMO_PASSWORD, Role.PEER_REVIEWER, "RTH"),
    DemoSignIn("systemlead", DEMO_PASSWORD, Role.SYSTEM_LEAD, "QOX"),
    DemoSignIn("regional", DEMO_PASSWORD, Role.REGIONAL_VALIDATOR, "Y58"),
    DemoSignIn("analyst", DEMO_PASSWORD, Role.NATIONAL_ANALYST, "E92000001"),
    DemoSignIn("panel", DEMO_PASSWORD, Role.PANEL_MEMBER, "E92000001"),
)


def _membership_snapshot(membership: Membership) -> dict[str, object]:
    return {
        "user": membership.user.get_username(),
        "organisation": membership.organisation.ods_code,
        "role": str(membership.role),
        "active": membership.revoked_at is None,
    }


def validate_role_for_organisation(role: str, organisation) -> None:
    """Raise ValidationError unless ``role`` can be held in ``organisation`` (DESIGN §2)."""
    if role not in Role.values:
        raise ValidationError({"role": f"{role!r} is not a role."}, code="unknown_role")
    if not role_fits(role, kind=organisation.kind, ods_code=organisation.ods_code):
        raise ValidationError(
            {
                "role": f"{Role(role).label} is a role in {where_role_is_held(role)}; "
                f"{organisation.name} is {organisation.get_kind_display().lower()}."
            },
            code="role_does_not_fit",
        )


@transaction.atomic
def membership_grant(*, by: User | None, user: User, organisation, role: Role | str) -> Membership:
    """Give ``user`` a role in ``organisation``. ``by`` None is the system (demo seeding).

    Granting a membership that is already active changes nothing and returns it.
    Raises ValidationError if the role does not fit the organisation's kind or the account is
    deactivated, PermissionDenied if ``by`` may not grant it there.
    """
    validate_role_for_organisation(str(role), organisation)
    if by is not None and role not in permissions.grantable_roles(by, organisation):
        raise PermissionDenied("You cannot grant that role in this organisation.")
    if not user.is_active:
        raise ValidationError({"user": f"{user.get_username()}'s account is deactivated."})
    existing = (
        Membership.objects.select_for_update()
        .active()
        .filter(user=user, organisation=organisation, role=role)
        .first()
    )
    if existing:
        return existing
    membership = Membership.objects.create(
        user=user, organisation=organisation, role=role, granted_by=by
    )
    audit.record(
        actor=by,
        action="membership.granted",
        target=membership,
        organisation=organisation,
        after=_membership_snapshot(membership),
    )
    return membership


@transaction.atomic
def membership_revoke(*, by: User, membership: Membership) -> Membership:
    """End a membership (kept, with who ended it and when). Revoking twice changes nothing."""
    membership = (
        Membership.objects.select_for_update()
        .select_related("user", "organisation")
        .get(pk=membership.pk)
    )
    if membership.role not in permissions.grantable_roles(by, membership.organisation):
        raise PermissionDenied("You cannot revoke that role in this organisation.")
    if membership.revoked_at is not None:
        return membership
    before = _membership_snapshot(membership)
    membership.revoked_at = timezone.now()
    membership.revoked_by = by
    membership.save(update_fields=["revoked_at", "revoked_by"])
    audit.record(
        actor=by,
        action="membership.revoked",
        target=membership,
        organisation=membership.organisation,
        before=before,
        after=_membership_snapshot(membership),
    )
    return membership


@transaction.atomic
def api_token_create(*, by: User, user: User, name: str) -> tuple[ApiToken, str]:
    """A new API token for ``user`` (only its owner creates one). Returns the token and the full
    token string (``dmo_<prefix>_<secret>``): the only time the secret exists outside the request.
    """
    if by.pk != user.pk:
        raise PermissionDenied("API tokens are created by their owner.")
    if not user.is_active:
        raise PermissionDenied("A deactivated account cannot create API tokens.")
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Enter a name for the token"})
    if len(name) > 100:
        raise ValidationError({"name": "Token name must be 100 characters or fewer"})
    if ApiToken.objects.active().filter(user=user).count() >= MAX_ACTIVE_TOKENS:
        raise ValidationError(
            {"name": f"You already have {MAX_ACTIVE_TOKENS} tokens. Revoke one you no longer use."}
        )
    prefix, secret = new_token_parts()
    token = ApiToken.objects.create(
        user=user, name=name, prefix=prefix, secret_hash=hash_secret(secret)
    )
    audit.record(
        actor=by,
        action="api_token.created",
        target=token,
        after={"user": user.get_username(), "name": name, "prefix": prefix},
    )
    return token, format_token(prefix, secret)


@transaction.atomic
def api_token_revoke(*, by: User, token: ApiToken) -> ApiToken:
    """Revoke a token: its owner or a national analyst. Revoking twice changes nothing."""
    token = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
    if by.pk != token.user_id and not permissions.is_national_analyst(by):
        raise PermissionDenied("You can only revoke your own API tokens.")
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.revoked_by = by
    token.save(update_fields=["revoked_at", "revoked_by"])
    audit.record(
        actor=by,
        action="api_token.revoked",
        target=token,
        before={"user": token.user.get_username(), "name": token.name, "prefix": token.prefix},
        after={"revoked": True},
    )
    return token


def _oidc_username(issuer: str, subject: str) -> str:
    # Derived from the identity, not from a name or email: stable, unique, and never the
    # username of a local account someone chose.
    digest = hashlib.sha256(f"{issuer}\n{subject}".encode()).hexdigest()
    return f"oidc-{digest[:20]}"


def _oidc_snapshot(identity: OidcIdentity) -> dict[str, object]:
    return {
        "user": identity.user.get_username(),
        "issuer": identity.issuer,
        "subject": identity.subject,
    }


@transaction.atomic
def oidc_user_for_sign_in(*, issuer: str, subject: str, claims: dict[str, Any]) -> User:
    """The account linked to (issuer, subject), made on first sign-in with no memberships.

    Called by the OpenID Connect backend once the ID token is verified, so the system is the
    actor. Roles are never taken from claims: they are granted with :func:`membership_grant`.
    The caller refuses deactivated accounts.
    """
    identity = (
        OidcIdentity.objects.select_related("user").filter(issuer=issuer, subject=subject).first()
    )
    if identity is not None:
        return identity.user
    # A provider that says the address is unverified does not get it on file (the People pages
    # find accounts by email).
    email = "" if claims.get("email_verified") is False else str(claims.get("email") or "")
    try:
        with transaction.atomic():
            user = User(
                username=_oidc_username(issuer, subject),
                first_name=str(claims.get("given_name") or "")[:150],
                last_name=str(claims.get("family_name") or "")[:150],
                email=email[:254],
            )
            user.set_unusable_password()
            user.save()
            identity = OidcIdentity.objects.create(user=user, issuer=issuer, subject=subject)
            audit.record(
                actor=None,
                action="oidc_identity.created",
                target=identity,
                after=_oidc_snapshot(identity),
                reason="First sign-in through OpenID Connect",
            )
    except IntegrityError:
        # The same person's first sign-in in another tab won the race: use its account.
        return OidcIdentity.objects.select_related("user").get(issuer=issuer, subject=subject).user
    return user


@transaction.atomic
def oidc_identity_link(
    *, by: User | None, user: User, issuer: str, subject: str, reason: str = ""
) -> OidcIdentity:
    """Link an existing account to a person's identity at an OpenID Connect provider, so they
    sign in there with the roles they already have. National analysts only (``by`` None is the
    command line). Linking the same pair twice changes nothing."""
    if by is not None and not permissions.is_national_analyst(by):
        raise PermissionDenied("Only national analysts link sign-in identities.")
    issuer, subject = (issuer or "").strip(), (subject or "").strip()
    if not issuer or not subject:
        raise ValidationError("Enter the provider's issuer and the person's subject.")
    if not user.is_active:
        raise ValidationError({"user": f"{user.get_username()}'s account is deactivated."})
    existing = (
        OidcIdentity.objects.select_for_update()
        .select_related("user")
        .filter(issuer=issuer, subject=subject)
        .first()
    )
    if existing is not None:
        if existing.user_id == user.pk:
            return existing
        raise ValidationError(
            f"That identity already signs in as {existing.user.get_username()}.",
            code="identity_taken",
        )
    if OidcIdentity.objects.filter(user=user, issuer=issuer).exists():
        raise ValidationError(
            f"{user.get_username()} is already linked to another identity at that provider.",
            code="user_linked",
        )
    identity = OidcIdentity.objects.create(user=user, issuer=issuer, subject=subject)
    audit.record(
        actor=by,
        action="oidc_identity.linked",
        target=identity,
        after=_oidc_snapshot(identity),
        reason=reason,
    )
    return identity


@transaction.atomic
def ensure_demo_users() -> list[DemoSignIn]:
    """Create the demonstration sign-ins and their memberships if missing."""
    from maturity.organisations.models import Organisation

    organisations = {
        o.ods_code: o
        for o in Organisation.objects.filter(ods_code__in={d.organisation_ods for d in DEMO_USERS})
    }
    ready = []
    for demo in DEMO_USERS:
        organisation = organisations.get(demo.organisation_ods)
        if organisation is None:
            continue  # the registry was not imported; the sign-in would have nothing to do
        user, created = User.objects.get_or_create(username=demo.username)
        if created:
            user.set_password(demo.password)
            user.save(update_fields=["password"])
        membership_grant(by=None, user=user, organisation=organisation, role=demo.role)
        ready.append(demo)
    return ready
