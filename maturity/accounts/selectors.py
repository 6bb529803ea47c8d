"""Reads for the account and People pages."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from maturity.organisations.models import Organisation

from . import permissions
from .models import ApiToken, Membership, Role


def memberships_of(user) -> QuerySet[Membership]:
    return (
        Membership.objects.active()
        .filter(user=user)
        .select_related("organisation")
        .order_by("organisation__name", "role")
    )


def memberships_in(organisation) -> QuerySet[Membership]:
    """Active memberships of one organisation, people in name order."""
    return (
        Membership.objects.active()
        .filter(organisation=organisation)
        .select_related("user", "granted_by")
        .order_by("user__username", "role")
    )


def api_tokens_of(user) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("revoked_at", "-created_at")


def organisations_managed_by(user) -> QuerySet[Organisation]:
    """Organisations whose People page ``user`` may open, with their active membership counts.

    Analysts manage every organisation, so they are shown those that have active members;
    submitters see the organisations they are submitter of.
    """
    active = Q(memberships__revoked_at__isnull=True)
    if permissions.is_national_analyst(user):
        ids = Membership.objects.active().values("organisation_id")
    else:
        ids = permissions.organisation_ids_with_role(user, Role.SUBMITTER)
    return (
        Organisation.objects.filter(pk__in=ids)
        .annotate(people=Count("memberships", filter=active))
        .order_by("name")
    )
