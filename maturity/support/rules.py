"""Who may do what in targeted support and peer learning. Policy file: checked by views, the API
and again by the services; templates never decide access.

- National analysts create funding programmes and scenarios, record what was funded and see
  the investment pages; they review case studies before publication.
- An organisation's submitters write its case studies, opt it in to be contacted and join or
  leave communities of practice on its behalf.
- Suggested learning partners draw on returns' domain levels, so they are shown to people in
  the organisation, to system leads of its ICB and to national analysts.
- Everyone, signed in or not, sees published case studies, communities of practice and the
  needs-support lists (published data only).
"""

from __future__ import annotations

import datetime as dt

from maturity.accounts.models import Role
from maturity.accounts.permissions import (
    active_memberships,
    has_role,
    is_national_analyst,
    organisation_ids_with_role,
)
from maturity.organisations.selectors import icb_on

from .models import CaseStudy, CaseStudyStatus

EDITABLE_STATUSES = (CaseStudyStatus.DRAFT, CaseStudyStatus.RETURNED)


def can_plan(user) -> bool:
    return is_national_analyst(user)


def can_review_case_studies(user) -> bool:
    return is_national_analyst(user)


def submitter_organisation_ids(user) -> set[int]:
    return organisation_ids_with_role(user, Role.SUBMITTER)


def is_submitter_of(user, organisation) -> bool:
    return has_role(user, Role.SUBMITTER, organisation)


def can_edit_case_study(user, case_study: CaseStudy) -> bool:
    return case_study.status in EDITABLE_STATUSES and is_submitter_of(user, case_study.organisation)


def can_withdraw_case_study(user, case_study: CaseStudy) -> bool:
    return case_study.status != CaseStudyStatus.DRAFT and (
        is_submitter_of(user, case_study.organisation) or is_national_analyst(user)
    )


def can_view_case_study(user, case_study: CaseStudy) -> bool:
    if case_study.is_published:
        return True
    if is_national_analyst(user):
        return True
    return active_memberships(user).filter(organisation=case_study.organisation).exists()


def can_see_partners(user, organisation) -> bool:
    if is_national_analyst(user):
        return True
    memberships = active_memberships(user)
    if memberships.filter(organisation=organisation).exists():
        return True
    lead_of = set(
        memberships.filter(role=Role.SYSTEM_LEAD).values_list("organisation_id", flat=True)
    )
    if not lead_of:
        return False
    icb = icb_on(organisation, dt.date.today())
    return icb is not None and icb.pk in lead_of


def can_manage_contact(user, organisation) -> bool:
    return is_submitter_of(user, organisation)


def can_manage_communities(user, organisation) -> bool:
    return is_submitter_of(user, organisation)
