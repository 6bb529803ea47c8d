"""Who may do what. Every check reads active memberships; templates never decide access.

Policy file: changes here change who can see and do what across the service.
"""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Membership, Role
from .rules import ROLE_ORGANISATION_KINDS, role_fits

# What a submitter may hand out in their own organisation (DESIGN §2: the CIO or deputy runs
# their organisation's return); everything else is granted by national analysts.
SUBMITTER_GRANTABLE = (Role.CONTRIBUTOR, Role.SUBMITTER)


def active_memberships(user) -> QuerySet[Membership]:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
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


def roles_fitting(organisation) -> list[Role]:
    """The roles that can be held in this organisation, in the Role order."""
    return [
        r
        for r in Role
        if role_fits(r.value, kind=organisation.kind, ods_code=organisation.ods_code)
    ]


def grantable_roles(user, organisation) -> list[Role]:
    """Roles ``user`` may grant or revoke in ``organisation``: all that fit for a national
    analyst, contributor and submitter for a submitter of that organisation, otherwise none."""
    fitting = roles_fitting(organisation)
    if is_national_analyst(user):
        return fitting
    if has_role(user, Role.SUBMITTER, organisation):
        return [r for r in fitting if r in SUBMITTER_GRANTABLE]
    return []


def can_manage_people(user, organisation) -> bool:
    return bool(grantable_roles(user, organisation))


def can_use_people_pages(user) -> bool:
    return is_national_analyst(user) or has_role(user, Role.SUBMITTER)


__all__ = [
    "ROLE_ORGANISATION_KINDS",
    "active_memberships",
    "can_manage_people",
    "can_use_people_pages",
    "grantable_roles",
    "has_role",
    "is_national_analyst",
    "is_panel_member",
    "organisation_ids_with_role",
    "roles_fitting",
]
