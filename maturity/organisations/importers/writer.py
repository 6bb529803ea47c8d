"""Writing parsed reference data into the registry: organisations, dated links, facts, care
settings and successions, in bulk, idempotently, recording what changed.

Rules every importer shares:

* Nothing is deleted. A closure sets ``closed_on``; a move ends the old link and starts a new one.
* Older data never overwrites newer: an organisation is updated only by a file whose data date is
  later than the one it was last updated from (or the same file again).
* ``closed_on`` and ``Relationship.valid_to`` are exclusive: the first day no longer true.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..models import (
    Organisation,
    OrganisationCareSetting,
    OrganisationChange,
    OrganisationFact,
    ReferenceImport,
    Relationship,
    Succession,
)
from .csvread import SourceFile
from .mappings import ICB_ERA_START

KEEP: Any = object()  # "this file does not say": leave the stored value alone
ONE_DAY = dt.timedelta(days=1)


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    warnings: list[str] = field(default_factory=list)

    def add(self, other: Counts) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.skipped += other.skipped
        self.warnings += other.warnings


@dataclass(frozen=True)
class OrgRecord:
    code: str
    kind: str
    name: Any = KEEP
    opened_on: Any = KEEP
    closed_on: Any = KEEP
    postcode: Any = KEEP
    register_status: Any = KEEP


_TRACKED = ("name", "opened_on", "closed_on", "postcode", "register_status")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)[:255]


def _max_date(*dates: dt.date | None) -> dt.date | None:
    present = [d for d in dates if d is not None]
    return max(present) if present else None


def _min_date(*dates: dt.date | None) -> dt.date | None:
    present = [d for d in dates if d is not None]
    return min(present) if present else None


def _valid_on(link: Relationship, on: dt.date) -> bool:
    return (link.valid_from is None or link.valid_from <= on) and (
        link.valid_to is None or link.valid_to > on
    )


class RegistryWriter:
    """Holds the registry in memory for one import run and writes changes in bulk."""

    def __init__(self) -> None:
        self.orgs: dict[str, Organisation] = {o.ods_code: o for o in Organisation.objects.all()}
        self.by_id: dict[int, Organisation] = {o.pk: o for o in self.orgs.values()}
        self.links: dict[int, list[Relationship]] = defaultdict(list)
        for link in Relationship.objects.all():
            self.links[link.child_id].append(link)
        self._new_links: list[Relationship] = []
        self._changed_links: dict[int, Relationship] = {}
        self._changes: list[OrganisationChange] = []

    # --- files -----------------------------------------------------------------------------------
    def start_file(
        self, importer: str, source: SourceFile, *, data_date: dt.date | None, rows: int
    ) -> ReferenceImport:
        return ReferenceImport.objects.create(
            importer=importer,
            filename=source.name,
            sha256=source.sha256,
            data_date=data_date,
            rows=rows,
        )

    def finish_file(self, record: ReferenceImport, counts: Counts) -> None:
        self.flush()
        record.created = counts.created
        record.updated = counts.updated
        record.unchanged = counts.unchanged
        record.skipped = counts.skipped
        record.save(update_fields=["created", "updated", "unchanged", "skipped"])

    # --- organisations ---------------------------------------------------------------------------
    def get(self, code: str) -> Organisation | None:
        return self.orgs.get(code.upper())

    def upsert_organisations(
        self,
        records: Iterable[OrgRecord],
        *,
        source: str,
        data_date: dt.date | None,
        reference_import: ReferenceImport,
        counts: Counts,
    ) -> None:
        to_create: list[Organisation] = []
        to_update: dict[int, Organisation] = {}
        for rec in records:
            org = self.orgs.get(rec.code)
            if org is None:
                org = Organisation(
                    ods_code=rec.code,
                    kind=rec.kind,
                    source=source,
                    source_date=data_date,
                    **{f: getattr(rec, f) for f in _TRACKED if getattr(rec, f) is not KEEP},
                )
                org.postcode = org.postcode or ""
                org.register_status = org.register_status or ""
                self.orgs[rec.code] = org
                to_create.append(org)
                counts.created += 1
                continue
            if org.pk is None:  # created earlier in this same batch: a duplicate row
                counts.unchanged += 1
                continue
            if not self._may_update(org, source, data_date):
                counts.unchanged += 1
                continue
            changed = False
            old_closed = org.closed_on
            for name in _TRACKED:
                new = getattr(rec, name)
                if new is KEEP:
                    continue
                if name in ("postcode", "register_status") and new is None:
                    new = ""
                old = getattr(org, name)
                if old == new:
                    continue
                setattr(org, name, new)
                changed = True
                self._changes.append(
                    OrganisationChange(
                        organisation=org,
                        field=name,
                        old_value=_text(old),
                        new_value=_text(new),
                        effective_on=new if name == "closed_on" and new else None,
                        data_date=data_date,
                        source=source,
                        reference_import=reference_import,
                    )
                )
            if changed and rec.closed_on is not KEEP:
                self._reopened(org, old_closed)
            if changed or org.source != source or org.source_date != data_date:
                org.source = source
                org.source_date = data_date
                to_update[org.pk] = org
            counts.updated += changed
            counts.unchanged += not changed
        if to_create:
            Organisation.objects.bulk_create(to_create, batch_size=2000)
            for org in to_create:
                self.by_id[org.pk] = org
        if to_update:
            Organisation.objects.bulk_update(
                list(to_update.values()), [*_TRACKED, "source", "source_date"], batch_size=2000
            )
        self.clamp_links_to_closures()

    @staticmethod
    def _may_update(org: Organisation, source: str, data_date: dt.date | None) -> bool:
        if org.source_date is None or data_date is None:
            return org.source == source or org.source_date is None
        if data_date > org.source_date:
            return True
        return data_date == org.source_date and org.source == source

    # --- links -----------------------------------------------------------------------------------
    def links_of(self, child: Organisation) -> list[Relationship]:
        return self.links.get(child.pk, [])

    def ensure_link(
        self,
        child: Organisation,
        parent: Organisation,
        *,
        valid_from: dt.date | None,
        valid_to: dt.date | None,
        source: str,
        counts: Counts,
    ) -> Relationship | None:
        """The link child → parent starting ``valid_from``, ending ``valid_to`` (exclusive)."""
        valid_to = _min_date(valid_to, child.closed_on, parent.closed_on)
        if valid_from is not None and valid_to is not None and valid_to <= valid_from:
            counts.skipped += 1
            return None
        for link in self.links_of(child):
            if link.parent_id == parent.pk and link.valid_from == valid_from:
                if link.valid_to != valid_to:
                    link.valid_to = valid_to
                    self._changed_links[id(link)] = link
                    counts.updated += 1
                else:
                    counts.unchanged += 1
                return link
        link = Relationship(
            child=child, parent=parent, valid_from=valid_from, valid_to=valid_to, source=source
        )
        self.links[child.pk].append(link)
        self._new_links.append(link)
        counts.created += 1
        return link

    def set_parent_on(
        self,
        child: Organisation,
        parent: Organisation,
        *,
        on: dt.date,
        change_from: dt.date | None,
        source: str,
        counts: Counts,
        data_date: dt.date | None = None,
        reference_import: ReferenceImport | None = None,
    ) -> None:
        """A file says ``parent`` is ``child``'s parent (of that kind) on ``on``.

        If a link to that parent already holds on that day nothing changes. Otherwise the new link
        starts at the latest of: the child's and parent's opening, 2022-07-01 for ICB parents, and
        ``change_from`` (when the change is known to have happened, e.g. 2026-04-01). When another
        parent of that kind holds on ``on`` and the file cannot say when that changed, the new link
        starts on ``on``. Links to other parents of that kind still open then are ended there.
        """
        if child.closed_on:
            on = min(on, child.closed_on - ONE_DAY)
        same_kind = [
            link for link in self.links_of(child) if self.by_id[link.parent_id].kind == parent.kind
        ]
        if any(link.parent_id == parent.pk and _valid_on(link, on) for link in same_kind):
            counts.unchanged += 1
            return
        start = _max_date(
            child.opened_on,
            parent.opened_on,
            ICB_ERA_START if parent.kind == "icb" else None,
            change_from,
        )
        for link in same_kind:
            if link.parent_id == parent.pk or not _valid_on(link, on):
                continue
            if start is None or (link.valid_from is not None and link.valid_from >= start):
                start = on
            if link.valid_from is not None and link.valid_from >= start:
                counts.skipped += 1
                counts.warnings.append(
                    f"{child.ods_code}: the file gives {parent.ods_code} on {on}, but the link "
                    f"to {self.by_id[link.parent_id].ods_code} starts that day; left as it is"
                )
                return
        self._start_link(
            child,
            parent,
            same_kind,
            start=start,
            source=source,
            counts=counts,
            data_date=data_date,
            reference_import=reference_import,
        )

    def set_dated_parent(
        self,
        child: Organisation,
        parent: Organisation,
        *,
        valid_from: dt.date | None,
        valid_to: dt.date | None,
        source: str,
        counts: Counts,
        data_date: dt.date | None = None,
        reference_import: ReferenceImport | None = None,
    ) -> None:
        """The file dates the link itself (ODS join and left dates): use them as given."""
        same_kind = [
            link for link in self.links_of(child) if self.by_id[link.parent_id].kind == parent.kind
        ]
        self._start_link(
            child,
            parent,
            same_kind,
            start=valid_from,
            end=valid_to,
            source=source,
            counts=counts,
            data_date=data_date,
            reference_import=reference_import,
        )

    def _start_link(
        self,
        child: Organisation,
        parent: Organisation,
        same_kind: list[Relationship],
        *,
        start: dt.date | None,
        source: str,
        counts: Counts,
        end: dt.date | None = None,
        data_date: dt.date | None,
        reference_import: ReferenceImport | None,
    ) -> None:
        end = _min_date(end, child.closed_on, parent.closed_on)
        if start is not None and end is not None and end <= start:
            counts.skipped += 1
            return
        if start is not None:
            for link in same_kind:
                if link.parent_id == parent.pk:
                    continue
                still_open = link.valid_to is None or link.valid_to > start
                begins_before = link.valid_from is None or link.valid_from < start
                if still_open and begins_before:
                    link.valid_to = start
                    self._changed_links[id(link)] = link
                    self._changes.append(
                        OrganisationChange(
                            organisation=child,
                            field=f"parent_{parent.kind}",
                            old_value=self.by_id[link.parent_id].ods_code,
                            new_value=parent.ods_code,
                            effective_on=start,
                            data_date=data_date,
                            source=source,
                            reference_import=reference_import,
                        )
                    )
        self.ensure_link(
            child, parent, valid_from=start, valid_to=end, source=source, counts=counts
        )

    def _reopened(self, org: Organisation, old_closed: dt.date | None) -> None:
        """If ``org`` closed later than before (or re-opened), links that ended only because it
        closed hold again, up to the new closure (of it or of the other end)."""
        if old_closed is None or (org.closed_on is not None and org.closed_on <= old_closed):
            return
        for links in self.links.values():
            for link in links:
                if link.valid_to != old_closed or org.pk not in (link.child_id, link.parent_id):
                    continue
                child, parent = self.by_id[link.child_id], self.by_id[link.parent_id]
                link.valid_to = _min_date(child.closed_on, parent.closed_on)
                self._changed_links[id(link)] = link

    def clamp_links_to_closures(self) -> None:
        """A link cannot outlive its child or its parent: end it when either closes."""
        for child_id, links in self.links.items():
            child = self.by_id.get(child_id)
            for link in links:
                parent = self.by_id.get(link.parent_id)
                closed = _min_date(
                    child.closed_on if child else None, parent.closed_on if parent else None
                )
                if closed is None or (link.valid_to is not None and link.valid_to <= closed):
                    continue
                if link.valid_from is not None and link.valid_from >= closed:
                    continue
                link.valid_to = closed
                self._changed_links[id(link)] = link

    # --- facts, care settings, successions -------------------------------------------------------
    def upsert_facts(
        self,
        facts: Iterable[tuple[Organisation, str, Any, dt.date]],
        *,
        source: str,
        counts: Counts,
    ) -> None:
        facts = list(facts)
        keys = {key for _, key, _, _ in facts}
        existing = {
            (f.organisation_id, f.key, f.as_of): f
            for f in OrganisationFact.objects.filter(source=source, key__in=keys)
        }
        to_create: list[OrganisationFact] = []
        to_update: list[OrganisationFact] = []
        for org, key, value, as_of in facts:
            found = existing.get((org.pk, key, as_of))
            if found is None:
                fact = OrganisationFact(
                    organisation=org, key=key, value=value, as_of=as_of, source=source
                )
                existing[(org.pk, key, as_of)] = fact
                to_create.append(fact)
                counts.created += 1
            elif found.value != value:
                found.value = value
                to_update.append(found)
                counts.updated += 1
            else:
                counts.unchanged += 1
        OrganisationFact.objects.bulk_create(to_create, batch_size=2000)
        if to_update:
            OrganisationFact.objects.bulk_update(to_update, ["value"], batch_size=2000)

    def ensure_care_settings(
        self, pairs: Iterable[tuple[Organisation, str]], *, source: str, counts: Counts
    ) -> None:
        pairs = list(pairs)
        ids = {org.pk for org, _ in pairs}
        existing = set(
            OrganisationCareSetting.objects.filter(organisation_id__in=ids).values_list(
                "organisation_id", "care_setting"
            )
        )
        to_create = []
        for org, setting in pairs:
            if (org.pk, setting) in existing:
                counts.unchanged += 1
                continue
            existing.add((org.pk, setting))
            to_create.append(
                OrganisationCareSetting(organisation=org, care_setting=setting, source=source)
            )
            counts.created += 1
        OrganisationCareSetting.objects.bulk_create(to_create, batch_size=2000)

    def ensure_succession(
        self,
        predecessor: Organisation,
        successor: Organisation,
        *,
        effective_on: dt.date,
        kind: str,
        source: str,
        counts: Counts,
    ) -> None:
        found = Succession.objects.filter(
            predecessor=predecessor, successor=successor, effective_on=effective_on
        ).first()
        if found is None:
            Succession.objects.create(
                predecessor=predecessor,
                successor=successor,
                effective_on=effective_on,
                kind=kind,
                source=source,
            )
            counts.created += 1
        elif found.kind != kind or found.source != source:
            found.kind, found.source = kind, source
            found.save(update_fields=["kind", "source"])
            counts.updated += 1
        else:
            counts.unchanged += 1

    # --- flushing --------------------------------------------------------------------------------
    def flush(self) -> None:
        if self._new_links:
            for link in self._new_links:
                link.child_id = link.child.pk
                link.parent_id = link.parent.pk
            Relationship.objects.bulk_create(self._new_links, batch_size=2000)
            self._new_links = []
        changed = [link for link in self._changed_links.values() if link.pk is not None]
        if changed:
            Relationship.objects.bulk_update(changed, ["valid_to"], batch_size=2000)
        self._changed_links = {}
        if self._changes:
            for change in self._changes:
                change.organisation_id = change.organisation.pk
            OrganisationChange.objects.bulk_create(self._changes, batch_size=2000)
            self._changes = []
