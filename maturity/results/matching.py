"""Matching organisation names in published files to organisations in the registry.

Published files often carry names, not ODS codes, and a trust may appear under the name it had
when the data were collected. A name is normalised (see :func:`normalise_name`) and looked up
among the current names of organisations of one kind, then among the names they had before
(renames recorded in ``OrganisationChange``). Only organisations open on the reference date (when
the data were collected) count; a name that fits several of them is ambiguous.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from maturity.organisations.models import Organisation, OrganisationChange

from .workbook import normalise_name


@dataclass(frozen=True)
class NameMatch:
    organisation: Organisation
    matched_on: str  # "current name" or "former name"


class NameNotMatched(Exception):
    pass


class OrganisationNameIndex:
    """Normalised current and former names of every organisation of the given kinds."""

    def __init__(self, kinds: Iterable[str], *, reference_date: dt.date):
        self.reference_date = reference_date
        self.organisations: dict[int, Organisation] = {
            org.pk: org for org in Organisation.objects.filter(kind__in=list(kinds))
        }
        self.current: dict[str, set[int]] = defaultdict(set)
        self.former: dict[str, set[int]] = defaultdict(set)
        for org in self.organisations.values():
            self.current[normalise_name(org.name)].add(org.pk)
        renames = OrganisationChange.objects.filter(
            field="name", organisation_id__in=list(self.organisations)
        ).values_list("organisation_id", "old_value", "new_value")
        for org_id, old_value, new_value in renames:
            for value in (old_value, new_value):
                key = normalise_name(value or "")
                if key and org_id not in self.current[key]:
                    self.former[key].add(org_id)

    def match(self, name: str) -> NameMatch:
        """The organisation with this name; raises :class:`NameNotMatched` saying why not.

        Only organisations open on the reference date count: the data describe that date.
        """
        key = normalise_name(name)
        closed: list[Organisation] = []
        for label, names in (("current name", self.current), ("former name", self.former)):
            candidates = [self.organisations[pk] for pk in sorted(names.get(key, ()))]
            open_then = [c for c in candidates if c.is_open_on(self.reference_date)]
            closed += [c for c in candidates if c not in open_then]
            if len(open_then) > 1:
                codes = ", ".join(sorted(c.ods_code for c in open_then))
                raise NameNotMatched(f"the name fits several organisations ({codes})")
            if open_then:
                return NameMatch(organisation=open_then[0], matched_on=label)
        if closed:
            codes = ", ".join(sorted({c.ods_code for c in closed}))
            on = f"{self.reference_date.day} {self.reference_date:%B %Y}"
            raise NameNotMatched(f"the name fits {codes}, not open on {on}")
        if not self.organisations:
            raise NameNotMatched("the registry has no organisations of this kind; import it first")
        raise NameNotMatched("no organisation in the registry has this name, now or formerly")
