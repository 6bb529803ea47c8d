from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .models import Membership, Role, User


@dataclass(frozen=True)
class DemoSignIn:
    username: str
    password: str
    role: str
    organisation_ods: str


# Demonstration accounts only: `maturity demo` refuses to run in production.
DEMO_PASSWORD = "demo-observatory-2026"
DEMO_USERS = (
    DemoSignIn("analyst", DEMO_PASSWORD, Role.NATIONAL_ANALYST, "E92000001"),
    DemoSignIn("panel", DEMO_PASSWORD, Role.PANEL_MEMBER, "E92000001"),
)


@transaction.atomic
def membership_grant(*, user: User, organisation, role: Role, by: User | None) -> Membership:
    existing = (
        Membership.objects.active().filter(user=user, organisation=organisation, role=role).first()
    )
    if existing:
        return existing
    return Membership.objects.create(user=user, organisation=organisation, role=role, granted_by=by)


@transaction.atomic
def membership_revoke(*, membership: Membership, by: User) -> Membership:
    if membership.revoked_at is None:
        membership.revoked_at = timezone.now()
        membership.revoked_by = by
        membership.save(update_fields=["revoked_at", "revoked_by"])
    return membership


@transaction.atomic
def ensure_demo_users() -> list[DemoSignIn]:
    """Create the demonstration sign-ins and their memberships if missing."""
    from maturity.organisations.models import Organisation

    for demo in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=demo.username, defaults={"is_staff": demo.role == Role.NATIONAL_ANALYST}
        )
        if created:
            user.set_password(demo.password)
            user.save(update_fields=["password"])
        organisation = Organisation.objects.filter(ods_code=demo.organisation_ods).first()
        if organisation is not None:
            membership_grant(user=user, organisation=organisation, role=demo.role, by=None)
    return list(DEMO_USERS)
