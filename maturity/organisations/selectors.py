"""Reads of the organisation registry: search, the hierarchy on a date, history and successions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When

from .models import (
    Organisation,
    OrganisationCareSetting,
    OrganisationChange,
    OrganisationFact,
    OrganisationKind,
    Relationship,
    Succession,
)

# Nearest first: a practice's sub-ICB location comes before its ICB, then the region, the nation.
KIND_RANK: dict[str, int] = {
    OrganisationKind.GP_PRACTICE: 0,
    OrganisationKind.TRUST: 0,
    OrganisationKind.ASC_PROVIDER: 0,
    OrganisationKind.SUB_ICB: 1,
    OrganisationKind.LOCAL_AUTHORITY: 1,
    OrganisationKind.ICB: 2,
    OrganisationKind.REGION: 3,
    OrganisationKind.NATION: 4,
}
MAX_DEPTH = 6


def get_organisation(ods_code: str) -> Organisation | None:
    """The organisation with this ODS code (or CQC location id), case-insensitively."""
    return Organisation.objects.filter(ods_code=ods_code.strip().upper()).first()


def parents_on(organisation: Organisation, on: dt.date) -> list[Organisation]:
    """Every organisation above ``organisation`` on ``on``, nearest first.

    A practice gives [sub-ICB location, ICB, region, nation]; a trust [ICB, region, nation]; an
    adult social care provider [local authority, ICB, region, nation]. One query per level.
    """
    found: dict[int, Organisation] = {}
    frontier = {organisation.pk}
    for _ in range(MAX_DEPTH):
        links = (
            Relationship.objects.valid_on(on).filter(child_id__in=frontier).select_related("parent")
        )
        frontier = set()
        for link in links:
            if link.parent_id not in found and link.parent_id != organisation.pk:
                found[link.parent_id] = link.parent
                frontier.add(link.parent_id)
        if not frontier:
            break
    return sorted(found.values(), key=lambda o: (KIND_RANK.get(o.kind, 9), o.name))


def icb_on(organisation: Organisation, on: dt.date) -> Organisation | None:
    """The ICB ``organisation`` belonged to on ``on`` (an ICB is its own), in one query.

    The ICB is either a direct parent (trust, sub-ICB location, local authority) or the parent
    of a direct parent (practice → sub-ICB location → ICB; provider → local authority → ICB),
    both links valid on that day. A direct link wins.
    """
    if organisation.kind == OrganisationKind.ICB:
        return organisation
    direct = Relationship.objects.valid_on(on).filter(
        child_id=organisation.pk, parent_id=OuterRef("pk")
    )
    middle = Relationship.objects.valid_on(on).filter(child_id=organisation.pk).values("parent_id")
    via = Relationship.objects.valid_on(on).filter(parent_id=OuterRef("pk"), child_id__in=middle)
    return (
        Organisation.objects.filter(kind=OrganisationKind.ICB)
        .annotate(is_direct=Exists(direct))
        .filter(Q(is_direct=True) | Exists(via))
        .order_by("-is_direct", "ods_code")
        .first()
    )


def search_organisations(query: str, kind: str | None = None) -> QuerySet[Organisation]:
    """Organisations whose name contains ``query`` or whose code starts with it (any case).

    An exact code match comes first, then open organisations, then by name.
    """
    query = " ".join((query or "").split())
    qs = Organisation.objects.all()
    if kind:
        qs = qs.filter(kind=kind)
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(ods_code__istartswith=query))
    today = dt.date.today()
    return qs.annotate(
        exact=Case(
            When(ods_code=query.upper(), then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
        is_closed=Case(
            When(closed_on__isnull=False, closed_on__lte=today, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        ),
    ).order_by("exact", "is_closed", "name", "ods_code")


def predecessors(organisation: Organisation) -> list[Succession]:
    """Successions into ``organisation`` (its predecessors), oldest first."""
    return list(
        Succession.objects.filter(successor=organisation)
        .select_related("predecessor")
        .order_by("effective_on", "predecessor__name")
    )


def successors(organisation: Organisation) -> list[Succession]:
    """Successions out of ``organisation`` (its successors), oldest first."""
    return list(
        Succession.objects.filter(predecessor=organisation)
        .select_related("successor")
        .order_by("effective_on", "successor__name")
    )


def parent_links(organisation: Organisation) -> list[Relationship]:
    """Every link from ``organisation`` to a parent, past and present, by start date."""
    links = Relationship.objects.filter(child=organisation).select_related("parent")
    return sorted(
        links,
        key=lambda link: (link.valid_from or dt.date.min, KIND_RANK.get(link.parent.kind, 9)),
    )


@dataclass(frozen=True)
class HistoryEvent:
    on: dt.date | None
    event: str  # opened, closed, joined, left, succeeded, preceded, changed
    text: str
    related: Organisation | None
    source: str


def organisation_history(organisation: Organisation) -> list[HistoryEvent]:
    """What happened to ``organisation``, dated where the register says when: opening and closure,
    joining and leaving parents, successions, and changes later imports found (renames…)."""
    events: list[HistoryEvent] = []
    changes = list(OrganisationChange.objects.filter(organisation=organisation).order_by("id"))
    if organisation.opened_on:
        events.append(HistoryEvent(organisation.opened_on, "opened", "Opened", None, ""))
    if organisation.closed_on:
        closure = [c for c in changes if c.field == "closed_on" and c.new_value]
        events.append(
            HistoryEvent(
                organisation.closed_on,
                "closed",
                "Closed (first day closed)",
                None,
                closure[-1].source if closure else organisation.source,
            )
        )
    for link in parent_links(organisation):
        label = link.parent.get_kind_display()
        if link.valid_from:
            events.append(
                HistoryEvent(
                    link.valid_from, "joined", f"Part of {label}", link.parent, link.source
                )
            )
        if link.valid_to:
            events.append(
                HistoryEvent(
                    link.valid_to, "left", f"No longer part of {label}", link.parent, link.source
                )
            )
    for s in successors(organisation):
        events.append(
            HistoryEvent(
                s.effective_on,
                "succeeded",
                f"Succeeded by ({s.get_kind_display().lower()})",
                s.successor,
                s.source,
            )
        )
    for s in predecessors(organisation):
        events.append(
            HistoryEvent(
                s.effective_on,
                "preceded",
                f"Took over from ({s.get_kind_display().lower()})",
                s.predecessor,
                s.source,
            )
        )
    for change in changes:
        if change.field.startswith("parent_") or (change.field == "closed_on" and change.new_value):
            continue  # shown by the link and closure events above
        text = _change_text(change)
        events.append(
            HistoryEvent(
                change.effective_on or change.data_date, "changed", text, None, change.source
            )
        )
    return sorted(events, key=lambda e: (e.on or dt.date.min, e.event))


_FIELD_LABELS = {
    "name": "Name",
    "opened_on": "Open date",
    "closed_on": "Close date",
    "postcode": "Postcode",
    "register_status": "Register status",
}


def _change_text(change: OrganisationChange) -> str:
    label = _FIELD_LABELS.get(change.field, change.field)
    if change.field == "closed_on" and not change.new_value:
        return f"Re-opened (was closed from {change.old_value})"
    old = change.old_value or "(none)"
    new = change.new_value or "(none)"
    return f"{label} changed from {old} to {new} (seen in data of {change.data_date or 'unknown date'})"


@dataclass(frozen=True)
class Children:
    kind: str
    label: str
    count: int
    shown: list[Organisation]


def children_on(organisation: Organisation, on: dt.date, *, limit: int = 25) -> list[Children]:
    """Organisations directly under ``organisation`` on ``on``, grouped by kind, each group
    capped at ``limit`` (with the full count)."""
    links = Relationship.objects.valid_on(on).filter(parent=organisation)
    kinds = (
        Organisation.objects.filter(parent_links__in=links)
        .values_list("kind", flat=True)
        .distinct()
    )
    groups = []
    for kind in sorted(set(kinds), key=lambda k: (KIND_RANK.get(k, 9), k)):
        qs = Organisation.objects.filter(
            kind=kind,
            parent_links__in=Relationship.objects.valid_on(on).filter(parent=organisation),
        ).distinct()
        groups.append(
            Children(
                kind=kind,
                label=OrganisationKind(kind).label,
                count=qs.count(),
                shown=list(qs.order_by("name")[:limit]),
            )
        )
    return groups


def facts_of(organisation: Organisation) -> list[OrganisationFact]:
    """Dated, sourced facts, newest first within each key."""
    return list(
        OrganisationFact.objects.filter(organisation=organisation).order_by("key", "-as_of")
    )


def care_settings_of(organisation: Organisation) -> list[str]:
    return list(
        OrganisationCareSetting.objects.filter(organisation=organisation)
        .order_by("care_setting")
        .values_list("care_setting", flat=True)
    )


@dataclass(frozen=True)
class OrganisationDetail:
    """Everything the organisation page and API show, as on one date."""

    organisation: Organisation
    on: dt.date
    parents: list[Organisation]
    icb: Organisation | None
    predecessors: list[Succession]
    successors: list[Succession]
    links: list[Relationship]
    history: list[HistoryEvent]
    children: list[Children]
    facts: list[OrganisationFact]
    care_settings: list[str]


def organisation_detail(
    organisation: Organisation, on: dt.date, *, children_limit: int = 25
) -> OrganisationDetail:
    return OrganisationDetail(
        organisation=organisation,
        on=on,
        parents=parents_on(organisation, on),
        icb=icb_on(organisation, on),
        predecessors=predecessors(organisation),
        successors=successors(organisation),
        links=parent_links(organisation),
        history=organisation_history(organisation),
        children=children_on(organisation, on, limit=children_limit),
        facts=facts_of(organisation),
        care_settings=care_settings_of(organisation),
    )
