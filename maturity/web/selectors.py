from __future__ import annotations

from maturity.organisations.models import Organisation, OrganisationKind
from maturity.organisations.reference import reference_sources


def registry_counts() -> list[tuple[str, int]]:
    """How many open organisations of each kind the registry holds, for the home page."""
    counts = {kind: 0 for kind in OrganisationKind}
    for row in Organisation.objects.open_on().values_list("kind", flat=True):
        counts[OrganisationKind(row)] += 1
    return [(kind.label, n) for kind, n in counts.items() if n]


def data_sources():
    return reference_sources()
