"""Organisations for results and assessments tests, built with the registry's factories."""

from __future__ import annotations

import datetime as dt
import itertools

from maturity.organisations.models import Organisation, OrganisationChange, OrganisationKind
from tests.organisations.factories import OrganisationFactory


def make_organisation(
    *,
    name: str,
    kind: str = OrganisationKind.TRUST,
    ods_code: str | None = None,
    opened_on: dt.date | None = dt.date(2000, 4, 1),
    closed_on: dt.date | None = None,
    former_names: tuple[str, ...] = (),
) -> Organisation:
    """An organisation; ``former_names`` become rename records, oldest first."""
    extra = {"ods_code": ods_code} if ods_code else {}
    org = OrganisationFactory(
        name=name, kind=kind, opened_on=opened_on, closed_on=closed_on, **extra
    )
    for old, new in itertools.pairwise([*former_names, name]):
        OrganisationChange.objects.create(
            organisation=org, field="name", old_value=old, new_value=new, source="test"
        )
    return org
