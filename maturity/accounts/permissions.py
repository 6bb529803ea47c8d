"""Who may do what. Every check reads active memberships; templates never decide access.

Policy file: changes here change who can see and do what across the service.
"""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Membership, Role


def active_memberships(user) -> QuerySet[Membership]:
    if not getattr(user, "is_authenticated", False):
        return Membership.objects.none()
    return Membership.objects.active().filter(user=user).select_related("organisation")


def has_role(user, role: Role, organisation=None) -> bool:
    memberships = active_memberships(user).filter(role=role)
    if organisation is not None:
        memberships = memberships.filter(organisation=organisation)
    return memberships.exists()


def is_national_analyst(user) -> bool:
    return has_role(user, Role.NATIONAL_ANALYST)


def is_panel_member(user) -> bool:
    return has_role(user, Role.PANEL_MEMBER)


def organisation_ids_with_role(user, *roles: Role) -> set[int]:
    return set(
        active_memberships(user).filter(role__in=roles).values_list("organisation_id", flat=True)
    )
