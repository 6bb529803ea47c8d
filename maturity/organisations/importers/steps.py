"""Import steps: each reads one or more reference files, validates everything (including that
every parent code it names is known), then writes through the ``RegistryWriter``.

A step raises ``ReferenceFileError`` before writing anything when a file has problems; the caller
runs steps inside a transaction, so a bad file leaves the registry as it was.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from maturity.core.vocab import CareSetting

from ..models import OrganisationKind as Kind
from ..models import Succession
from . import cqc as cqc_parser
from . import facts as facts_parser
from . import lookups
from .csvread import SourceFile, raise_if
from .errors import RowError
from .mappings import (
    ENGLAND,
    ICB_2026_CHANGE,
    ICB_ERA_START,
    LA_ICB_2026,
    LA_NAME_ALIASES,
    PRINCIPAL_ICB_2022,
    SPLIT_SUB_ICB_2026,
    WALES,
    WELSH_COMMISSIONER_PREFIX,
    normalise_la_name,
    qnq_icb_2026,
)
from .ods import OdsFile
from .writer import Counts, OrgRecord, RegistryWriter

ONE_DAY = dt.timedelta(days=1)

TRUST_TYPE_CARE_SETTINGS: dict[str, tuple[CareSetting, ...]] = {
    "Acute": (CareSetting.ACUTE,),
    "Mental Health and Community (Combined)": (CareSetting.MENTAL_HEALTH, CareSetting.COMMUNITY),
    "Mental Health": (CareSetting.MENTAL_HEALTH,),
    "Community": (CareSetting.COMMUNITY,),
    "Ambulance": (CareSetting.AMBULANCE,),
}
ICB_CARE_SETTINGS = (CareSetting.ICB, CareSetting.PRIMARY_CARE)

# Where the hand-made tables are documented (data/reference/SOURCES.md and importers/mappings.py).
HAND_MAPPING = "importers/mappings.py (documented hand mapping)"


@dataclass
class FileReport:
    """What importing one file did."""

    importer: str
    filename: str
    rows: int
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def __str__(self) -> str:
        text = (
            f"{self.filename} ({self.importer}): {self.rows} rows — {self.created} created, "
            f"{self.updated} updated, {self.unchanged} unchanged"
        )
        if self.skipped:
            text += f", {self.skipped} skipped"
        return text


class Context:
    def __init__(self, progress: Callable[[str], None] | None = None) -> None:
        self.writer = RegistryWriter()
        self.reports: list[FileReport] = []
        self.progress = progress or (lambda _msg: None)

    def run(
        self,
        importer: str,
        source: SourceFile,
        *,
        data_date: dt.date | None,
        rows: int,
        skipped: int = 0,
        body: Callable[..., None],
    ) -> FileReport:
        started = time.perf_counter()
        record = self.writer.start_file(importer, source, data_date=data_date, rows=rows)
        counts = Counts(skipped=skipped)
        body(record, counts)
        self.writer.finish_file(record, counts)
        report = FileReport(
            importer=importer,
            filename=source.name,
            rows=rows,
            created=counts.created,
            updated=counts.updated,
            unchanged=counts.unchanged,
            skipped=counts.skipped,
            warnings=counts.warnings,
            seconds=time.perf_counter() - started,
        )
        self.reports.append(report)
        self.progress(str(report))
        for warning in counts.warnings[:20]:
            self.progress(f"  warning: {warning}")
        if len(counts.warnings) > 20:
            self.progress(f"  … and {len(counts.warnings) - 20} more warnings")
        return report


def _known(
    ctx: Context,
    errors: list[RowError],
    file: str,
    line: int,
    column: int,
    column_name: str,
    code: str,
    kinds: tuple[str, ...],
    what: str,
):
    """The organisation with this code if it is of one of ``kinds``; otherwise a clear error."""
    org = ctx.writer.get(code) if code else None
    if org is None or org.kind not in kinds:
        found = f" (it is a {org.get_kind_display().lower()})" if org else ""
        errors.append(
            RowError(file, line, column, column_name, f'unknown {what} code "{code}"{found}')
        )
        return None
    return org


def _kind_clashes(
    ctx: Context, records: list[tuple[int, OrgRecord]], file: str, column: int, name: str
):
    errors = []
    for line, rec in records:
        org = ctx.writer.get(rec.code)
        if org is not None and org.kind != rec.kind:
            errors.append(
                RowError(
                    file,
                    line,
                    column,
                    name,
                    f'code "{rec.code}" is already used by {org.name} '
                    f"({org.get_kind_display().lower()}), not a {Kind(rec.kind).label.lower()}",
                )
            )
    return errors


# --- nations and regions ---------------------------------------------------------------------------
def import_regions(ctx: Context, source: SourceFile, *, data_date: dt.date) -> FileReport:
    """NHS England regions (and the nations England and Wales, which are not in any file)."""
    rows = lookups.parse_regions(source)
    records = [(0, OrgRecord(code=ENGLAND[0], kind=Kind.NATION, name=ENGLAND[1]))]
    records.append((0, OrgRecord(code=WALES[0], kind=Kind.NATION, name=WALES[1])))
    records += [(r.line, OrgRecord(code=r.code, kind=Kind.REGION, name=r.name)) for r in rows]
    raise_if(_kind_clashes(ctx, records, source.name, 1, "region_ods_code"))

    def body(ri, counts: Counts) -> None:
        w = ctx.writer
        w.upsert_organisations(
            [rec for _, rec in records],
            source=source.name,
            data_date=data_date,
            reference_import=ri,
            counts=counts,
        )
        england = w.get(ENGLAND[0])
        for r in rows:
            w.ensure_link(
                w.get(r.code),
                england,
                valid_from=None,
                valid_to=None,
                source=source.name,
                counts=counts,
            )
        w.upsert_facts(
            [(w.get(r.code), "ons_code", r.ons_code, data_date) for r in rows],
            source=source.name,
            counts=counts,
        )

    return ctx.run("regions", source, data_date=data_date, rows=len(rows), body=body)


# --- the 42 ICBs (2022-07-01 to 2026-03-31) and their sub-ICB locations ---------------------------
def import_icbs_2023(
    ctx: Context,
    lookup: SourceFile,
    icb_codes: SourceFile,
    icb_lookup: SourceFile,
    *,
    data_date: dt.date,
) -> list[FileReport]:
    """The 42 ICBs from the ONS April 2023 lookup, each → its region from 2022-07-01.

    ``icb_codes`` (ONS names and codes) and ``icb_lookup`` (ICB → region names) are checked
    against the lookup: a disagreement is an error, not a silent choice.
    """
    rows = lookups.parse_sub_icb_lookup(lookup)
    codes = lookups.parse_icb_codes(icb_codes)
    names = lookups.parse_icb_lookup(icb_lookup)
    icbs: dict[str, lookups.SubIcbLookupRow] = {}
    errors: list[RowError] = []
    for r in rows:
        first = icbs.setdefault(r.icb_code, r)
        if first.region_code != r.region_code or first.icb_ons != r.icb_ons:
            errors.append(
                RowError(
                    lookup.name, r.line, 7, "NHSER23CDH", f"ICB {r.icb_code} is in two regions"
                )
            )
        _known(
            ctx,
            errors,
            lookup.name,
            r.line,
            8,
            "NHSER23CDH",
            r.region_code,
            (Kind.REGION,),
            "NHS England region",
        )
    for c in codes:
        known = icbs.get(c.code)
        if known is None:
            errors.append(
                RowError(
                    icb_codes.name, c.line, 2, "ICB23CDH", f'ICB "{c.code}" is not in {lookup.name}'
                )
            )
        elif known.icb_ons != c.ons_code:
            errors.append(
                RowError(
                    icb_codes.name,
                    c.line,
                    1,
                    "ICB23CD",
                    f"{c.ons_code} differs from {lookup.name} ({known.icb_ons})",
                )
            )
    if len(codes) != len(icbs) and not errors:
        errors.append(
            RowError(
                icb_codes.name, None, None, "", f"lists {len(codes)} ICBs, the lookup {len(icbs)}"
            )
        )
    for n in names:
        known = icbs.get(n.code)
        if known is None:
            errors.append(
                RowError(
                    icb_lookup.name,
                    n.line,
                    1,
                    "icb_code",
                    f'ICB "{n.code}" is not in {lookup.name}',
                )
            )
        elif n.region_name.lower() != known.region_name.lower():
            errors.append(
                RowError(
                    icb_lookup.name,
                    n.line,
                    3,
                    "icb_region",
                    f'"{n.region_name}" differs from {lookup.name} ("{known.region_name}")',
                )
            )
    records = [
        (r.line, OrgRecord(code=code, kind=Kind.ICB, name=r.icb_name, opened_on=ICB_ERA_START))
        for code, r in icbs.items()
    ]
    errors += _kind_clashes(ctx, records, lookup.name, 5, "ICB23CDH")
    raise_if(errors)

    def body(ri, counts: Counts) -> None:
        w = ctx.writer
        w.upsert_organisations(
            [rec for _, rec in records],
            source=lookup.name,
            data_date=data_date,
            reference_import=ri,
            counts=counts,
        )
        for code, r in icbs.items():
            w.set_parent_on(
                w.get(code),
                w.get(r.region_code),
                on=data_date,
                change_from=ICB_ERA_START,
                source=lookup.name,
                counts=counts,
                data_date=data_date,
                reference_import=ri,
            )
        w.upsert_facts(
            [(w.get(code), "ons_code", r.icb_ons, data_date) for code, r in icbs.items()],
            source=lookup.name,
            counts=counts,
        )
        w.ensure_care_settings(
            [(w.get(code), cs.value) for code in icbs for cs in ICB_CARE_SETTINGS],
            source=lookup.name,
            counts=counts,
        )

    reports = [ctx.run("icbs_2023", lookup, data_date=data_date, rows=len(rows), body=body)]
    for src, n in ((icb_codes, len(codes)), (icb_lookup, len(names))):

        def check(ri, counts: Counts, n: int = n) -> None:
            counts.unchanged += n  # read to cross-check the lookup; nothing of its own to write

        reports.append(ctx.run("icbs_2023_check", src, data_date=data_date, rows=n, body=check))
    return reports


def import_sub_icb_links_2023(
    ctx: Context, lookup: SourceFile, *, data_date: dt.date
) -> FileReport:
    """Sub-ICB location → ICB from 2022-07-01, from the ONS April 2023 lookup."""
    rows = lookups.parse_sub_icb_lookup(lookup)
    errors: list[RowError] = []
    pairs = []
    for r in rows:
        sub = _known(
            ctx,
            errors,
            lookup.name,
            r.line,
            2,
            "SICBL23CDH",
            r.sub_icb_code,
            (Kind.SUB_ICB,),
            "sub-ICB location",
        )
        icb = _known(
            ctx, errors, lookup.name, r.line, 5, "ICB23CDH", r.icb_code, (Kind.ICB,), "ICB"
        )
        pairs.append((sub, icb, r))
    raise_if(errors)

    def body(ri, counts: Counts) -> None:
        w = ctx.writer
        for sub, icb, _ in pairs:
            w.set_parent_on(
                sub,
                icb,
                on=data_date,
                change_from=ICB_ERA_START,
                source=lookup.name,
                counts=counts,
                data_date=data_date,
                reference_import=ri,
            )
        w.upsert_facts(
            [(sub, "ons_code", r.sub_icb_ons, data_date) for sub, _, r in pairs],
            source=lookup.name,
            counts=counts,
        )

    return ctx.run("sub_icb_links_2023", lookup, data_date=data_date, rows=len(rows), body=body)


# --- the 2026 layer: 36 ICBs, successions, closures ------------------------------------------------
def import_icbs_2026(
    ctx: Context, reference: SourceFile, successions: SourceFile, *, data_date: dt.date
) -> list[FileReport]:
    """The 36 ICBs in force from 2026-04-01 and the 16 successions that made them.

    A predecessor that is not among the 36 closes on its succession date (``closed_on`` is the
    first day it no longer exists: 2026-04-01). New ICBs open that day.
    """
    icbs = lookups.parse_icb_2026(reference)
    succ = lookups.parse_successions(successions)
    errors: list[RowError] = []
    in_2026 = {r.code: r for r in icbs}
    opens: dict[str, dt.date] = {}
    for s in succ:
        _known(
            ctx,
            errors,
            successions.name,
            s.line,
            1,
            "predecessor_icb_ods",
            s.predecessor,
            (Kind.ICB,),
            "ICB",
        )
        if s.successor not in in_2026:
            errors.append(
                RowError(
                    successions.name,
                    s.line,
                    3,
                    "successor_icb_ods",
                    f'successor "{s.successor}" is not in {reference.name}',
                )
            )
        if s.effective_on:
            opens[s.successor] = min(opens.get(s.successor, s.effective_on), s.effective_on)
    for r in icbs:
        _known(
            ctx,
            errors,
            reference.name,
            r.line,
            4,
            "nhs_region_ods_code",
            r.region_code,
            (Kind.REGION,),
            "NHS England region",
        )
        if r.status != "new":
            _known(
                ctx,
                errors,
                reference.name,
                r.line,
                1,
                "icb_ods_code",
                r.code,
                (Kind.ICB,),
                "retained ICB",
            )
        for p in r.predecessors:
            _known(
                ctx,
                errors,
                reference.name,
                r.line,
                7,
                "predecessor_icb_ods_codes",
                p,
                (Kind.ICB,),
                "predecessor ICB",
            )
    closing: dict[str, dt.date] = {}
    for s in succ:
        if s.predecessor not in in_2026 and s.effective_on:
            closing[s.predecessor] = min(closing.get(s.predecessor, s.effective_on), s.effective_on)
    records = [
        (
            r.line,
            OrgRecord(
                code=r.code,
                kind=Kind.ICB,
                name=r.name,
                opened_on=opens.get(r.code, ICB_2026_CHANGE),
                closed_on=None,
            ),
        )
        if r.status == "new"
        else (r.line, OrgRecord(code=r.code, kind=Kind.ICB, name=r.name))
        for r in icbs
    ]
    errors += _kind_clashes(ctx, records, reference.name, 1, "icb_ods_code")
    raise_if(errors)

    def body_reference(ri, counts: Counts) -> None:
        w = ctx.writer
        w.upsert_organisations(
            [rec for _, rec in records],
            source=reference.name,
            data_date=data_date,
            reference_import=ri,
            counts=counts,
        )
        for r in icbs:
            w.set_parent_on(
                w.get(r.code),
                w.get(r.region_code),
                on=data_date,
                change_from=ICB_2026_CHANGE,
                source=reference.name,
                counts=counts,
                data_date=data_date,
                reference_import=ri,
            )
        w.upsert_facts(
            [(w.get(r.code), "ons_code", r.ons_code, data_date) for r in icbs],
            source=reference.name,
            counts=counts,
        )
        w.ensure_care_settings(
            [(w.get(r.code), cs.value) for r in icbs for cs in ICB_CARE_SETTINGS],
            source=reference.name,
            counts=counts,
        )

    def body_successions(ri, counts: Counts) -> None:
        w = ctx.writer
        w.upsert_organisations(
            [OrgRecord(code=code, kind=Kind.ICB, closed_on=date) for code, date in closing.items()],
            source=successions.name,
            data_date=data_date,
            reference_import=ri,
            counts=counts,
        )
        for s in succ:
            w.ensure_succession(
                w.get(s.predecessor),
                w.get(s.successor),
                effective_on=s.effective_on,
                kind=s.kind,
                source=successions.name,
                counts=counts,
            )

    return [
        ctx.run("icbs_2026", reference, data_date=data_date, rows=len(icbs), body=body_reference),
        ctx.run(
            "icb_successions_2026",
            successions,
            data_date=data_date,
            rows=len(succ),
            body=body_successions,
        ),
    ]


def import_sub_icb_successors(
    ctx: Context, successions: SourceFile, *, data_date: dt.date
) -> FileReport:
    """Each sub-ICB location whose ICB closed → the ICB that took its area, from that day.

    A whole merger has one successor; for the ICBs that split, ``SPLIT_SUB_ICB_2026`` says which
    successor took each sub-ICB location (None: its area was divided, see the Frimley practices).
    """
    w = ctx.writer
    successors: dict[int, list[Succession]] = defaultdict(list)
    for s in Succession.objects.select_related("successor"):
        successors[s.predecessor_id].append(s)
    plan = []
    errors: list[RowError] = []
    for sub in [o for o in w.orgs.values() if o.kind == Kind.SUB_ICB]:
        for link in w.links_of(sub):
            icb = w.by_id[link.parent_id]
            if icb.kind != Kind.ICB or icb.closed_on is None or link.valid_to != icb.closed_on:
                continue
            if sub.closed_on is not None and sub.closed_on <= icb.closed_on:
                continue
            options = successors.get(icb.pk, [])
            if len(options) == 1:
                plan.append((sub, w.by_id[options[0].successor_id], icb.closed_on))
            elif sub.ods_code in SPLIT_SUB_ICB_2026:
                target = SPLIT_SUB_ICB_2026[sub.ods_code]
                if target is not None:
                    plan.append((sub, w.get(target), icb.closed_on))
            elif options:
                errors.append(
                    RowError(
                        successions.name,
                        None,
                        None,
                        "",
                        f"{icb.ods_code} split between {', '.join(sorted(o.successor.ods_code for o in options))} "
                        f"and no rule says which took sub-ICB location {sub.ods_code} (add it to SPLIT_SUB_ICB_2026)",
                    )
                )
    raise_if(errors)

    def body(ri, counts: Counts) -> None:
        for sub, icb, on in plan:
            if icb is None:
                counts.skipped += 1
                continue
            w.set_parent_on(
                sub,
                icb,
                on=on,
                change_from=on,
                source=f"{successions.name} + {HAND_MAPPING}",
                counts=counts,
                data_date=data_date,
                reference_import=ri,
            )

    return ctx.run(
        "sub_icb_successors_2026", successions, data_date=data_date, rows=len(plan), body=body
    )


# --- ODS files: trusts, care trusts, sub-ICB locations, GP practices -------------------------------
ODS_KINDS = {
    "etr": Kind.TRUST,
    "ect": Kind.TRUST,
    "eccg": Kind.SUB_ICB,
    "epraccur": Kind.GP_PRACTICE,
}


def import_ods(
    ctx: Context,
    parsed: OdsFile,
    *,
    data_date: dt.date,
    link_parents: bool = True,
    change_from: dt.date | None = None,
) -> FileReport:
    """Organisations from an ODS file and, with ``link_parents``, their parents as the file gives.

    * etr/ect: column 4 is the trust's ICB on the file's date; Welsh trusts (GOR "W", no ICB)
      are linked to Wales. ``change_from`` is the earliest day a changed ICB can have taken
      effect (2026-04-01 for the 2026 files; by default the file's date).
    * eccg: column 4 is the sub-ICB location's ICB.
    * epraccur: column 15 is the practice's sub-ICB location, dated by the join and left dates
      (columns 16 and 17). Welsh practices (commissioner 7A…) are linked to Wales. A closed
      practice whose commissioner no longer exists (a former CCG) gets no link.
    """
    source = parsed.source
    kind = ODS_KINDS[parsed.kind]
    change_from = change_from or data_date
    records = [
        (
            r.line,
            OrgRecord(
                code=r.code,
                kind=kind,
                name=r.name,
                opened_on=r.opened_on,
                closed_on=r.closed_on,
                postcode=r.postcode,
                register_status=r.status if parsed.kind == "epraccur" else "",
            ),
        )
        for r in parsed.records
    ]
    errors = list(parsed.errors) + _kind_clashes(ctx, records, source.name, 1, "organisation code")
    plan = []
    stale_commissioners = 0
    wales = ctx.writer.get(WALES[0])
    if link_parents:
        for r in parsed.records:
            if (
                r.closed_on is not None
                and r.closed_on <= ICB_ERA_START
                and parsed.kind != "epraccur"
            ):
                continue
            if parsed.kind == "epraccur":
                if r.commissioner.startswith(WELSH_COMMISSIONER_PREFIX) and wales is not None:
                    plan.append((r, wales))
                    continue
                org = ctx.writer.get(r.commissioner) if r.commissioner else None
                if org is not None and org.kind == Kind.SUB_ICB:
                    plan.append((r, org))
                elif r.closed_on is not None:
                    stale_commissioners += 1
                else:
                    _known(
                        ctx,
                        errors,
                        source.name,
                        r.line,
                        15,
                        "commissioner",
                        r.commissioner,
                        (Kind.SUB_ICB,),
                        "sub-ICB location",
                    )
            elif r.icb:
                parent = _known(
                    ctx,
                    errors,
                    source.name,
                    r.line,
                    4,
                    "high level health geography",
                    r.icb,
                    (Kind.ICB,),
                    "ICB",
                )
                if parent:
                    plan.append((r, parent))
            elif r.gor == "W" and wales is not None:
                plan.append((r, wales))
    raise_if(errors)

    def body(ri, counts: Counts) -> None:
        w = ctx.writer
        w.upsert_organisations(
            [rec for _, rec in records],
            source=source.name,
            data_date=data_date,
            reference_import=ri,
            counts=counts,
        )
        for r, parent in plan:
            child = w.get(r.code)
            if parsed.kind == "epraccur":
                w.set_dated_parent(
                    child,
                    parent,
                    valid_from=r.joined_on,
                    valid_to=r.left_on,
                    source=source.name,
                    counts=counts,
                    data_date=data_date,
                    reference_import=ri,
                )
            else:
                w.set_parent_on(
                    child,
                    parent,
                    on=data_date,
                    change_from=change_from if parent.kind == Kind.ICB else None,
                    source=source.name,
                    counts=counts,
                    data_date=data_date,
                    reference_import=ri,
                )
        if parsed.kind == "epraccur":
            w.ensure_care_settings(
                [(w.get(r.code), CareSetting.PRIMARY_CARE.value) for r in parsed.records],
                source=source.name,
                counts=counts,
            )
        if stale_commissioners:
            counts.warnings.append(
                f"{stale_commissioners} closed practices name a commissioner that is not in the "
                "registry (a former CCG); they have no sub-ICB link"
            )

    return ctx.run(
        parsed.kind,
        source,
        data_date=data_date,
        rows=parsed.rows,
        skipped=parsed.skipped,
        body=body,
    )


def import_trust_icbs_2023(ctx: Context, source: SourceFile, *, data_date: dt.date) -> FileReport:
    """Trust → principal ICB (ICB Financial Apportionment, Aug 2023), from max(open, 2022-07-01)."""
    rows = lookups.parse_apportionment(source)
    errors: list[RowError] = []
    plan = []
    for r in rows:
        trust = _known(
            ctx,
            errors,
            source.name,
            r.line,
            5,
            "ODS Trust Code",
            r.trust_code,
            (Kind.TRUST,),
            "NHS trust",
        )
        icb = _known(
            ctx, errors, source.name, r.line, 2, "ODS ICB Code", r.icb_code, (Kind.ICB,), "ICB"
        )
        plan.append((trust, icb))
    raise_if(errors)

    def body(ri, counts: Counts) -> None:
        for trust, icb in plan:
            ctx.writer.set_parent_on(
                trust,
                icb,
                on=data_date,
                change_from=ICB_ERA_START,
                source=source.name,
                counts=counts,
                data_date=data_date,
                reference_import=ri,
            )

    return ctx.run("trust_icbs_2023", source, data_date=data_date, rows=len(rows), body=body)


def import_frimley_practices_2026(
    ctx: Context, epraccur: SourceFile, *, data_date: dt.date
) -> FileReport:
    """Practices of Frimley's single sub-ICB location (D4U1Y) → their 2026 ICB, by postcode."""
    w = ctx.writer
    frimley = w.get("D4U1Y")
    plan = []
    unmapped = []
    if frimley is not None:
        day_before = ICB_2026_CHANGE - ONE_DAY
        for org in w.orgs.values():
            if org.kind != Kind.GP_PRACTICE or not org.is_open_on(ICB_2026_CHANGE):
                continue
            links = w.links_of(org)
            if not any(
                link.parent_id == frimley.pk
                and (link.valid_from is None or link.valid_from <= day_before)
                and (link.valid_to is None or link.valid_to > ICB_2026_CHANGE)
                for link in links
            ):
                continue
            target = qnq_icb_2026(org.postcode)
            if target is None or w.get(target) is None:
                unmapped.append(org)
            else:
                plan.append((org, w.get(target)))

    def body(ri, counts: Counts) -> None:
        for practice, icb in plan:
            w.set_parent_on(
                practice,
                icb,
                on=ICB_2026_CHANGE,
                change_from=ICB_2026_CHANGE,
                source=f"{epraccur.name} postcode + {HAND_MAPPING}",
                counts=counts,
                data_date=data_date,
                reference_import=ri,
            )
        for org in unmapped:
            counts.skipped += 1
            counts.warnings.append(
                f"{org.ods_code} {org.name} ({org.postcode}): postcode not in QNQ_POSTCODE_2026; "
                "no ICB from 2026-04-01"
            )

    return ctx.run(
        "frimley_practices_2026",
        epraccur,
        data_date=data_date,
        rows=len(plan) + len(unmapped),
        body=body,
    )


# --- local authorities -----------------------------------------------------------------------------
LA_NAME_OVERRIDES = {
    # The sheet uses both names; the county council became the unitary council on 2023-04-01.
    "218": "North Yorkshire Council",
}


def import_local_authorities(ctx: Context, source: SourceFile, *, data_date: dt.date) -> FileReport:
    """Local authorities from the ICB Partners sheet, each → its principal ICB from 2022-07-01,
    and → the 2026 ICB that took its area from 2026-04-01 (successions, or LA_ICB_2026 for LAs
    whose ICB split). Every partner ICB is kept as the "icb_partners" fact.
    """
    rows = lookups.parse_icb_partners(source)
    errors: list[RowError] = []
    partners: dict[str, set[str]] = defaultdict(set)
    names: dict[str, Counter] = defaultdict(Counter)
    first_line: dict[str, int] = {}
    for r in rows:
        _known(ctx, errors, source.name, r.line, 2, "ODS ICB Code", r.icb_code, (Kind.ICB,), "ICB")
        partners[r.la_code].add(r.icb_code)
        names[r.la_code][r.la_name] += 1
        first_line.setdefault(r.la_code, r.line)
    principal: dict[str, str] = {}
    for code, icbs in partners.items():
        if code in PRINCIPAL_ICB_2022:
            principal[code] = PRINCIPAL_ICB_2022[code][0]
        elif len(icbs) == 1:
            principal[code] = next(iter(icbs))
        else:
            errors.append(
                RowError(
                    source.name,
                    first_line[code],
                    8,
                    "ODS LA Code",
                    f"local authority {code} is a partner of {', '.join(sorted(icbs))}; add its "
                    "principal ICB to PRINCIPAL_ICB_2022",
                )
            )
    successors: dict[str, list[str]] = defaultdict(list)
    for s in Succession.objects.select_related("predecessor", "successor"):
        successors[s.predecessor.ods_code].append(s.successor.ods_code)
    later: dict[str, str] = {}
    for code, icb_code in principal.items():
        icb = ctx.writer.get(icb_code)
        if icb is None or icb.closed_on is None:
            continue
        options = successors.get(icb_code, [])
        if code in LA_ICB_2026:
            later[code] = LA_ICB_2026[code]
        elif len(options) == 1:
            later[code] = options[0]
        elif options:
            errors.append(
                RowError(
                    source.name,
                    first_line[code],
                    8,
                    "ODS LA Code",
                    f"the ICB of local authority {code} ({icb_code}) split; add it to LA_ICB_2026",
                )
            )
    records = [
        (
            first_line[code],
            OrgRecord(
                code=code,
                kind=Kind.LOCAL_AUTHORITY,
                name=LA_NAME_OVERRIDES.get(code) or names[code].most_common(1)[0][0],
            ),
        )
        for code in partners
    ]
    errors += _kind_clashes(ctx, records, source.name, 8, "ODS LA Code")
    raise_if(errors)

    def body(ri, counts: Counts) -> None:
        w = ctx.writer
        w.upsert_organisations(
            [rec for _, rec in records],
            source=source.name,
            data_date=data_date,
            reference_import=ri,
            counts=counts,
        )
        for code, icb_code in principal.items():
            w.set_parent_on(
                w.get(code),
                w.get(icb_code),
                on=data_date,
                change_from=ICB_ERA_START,
                source=source.name
                if code not in PRINCIPAL_ICB_2022
                else f"{source.name} + {HAND_MAPPING}",
                counts=counts,
                data_date=data_date,
                reference_import=ri,
            )
        for code, icb_code in later.items():
            w.set_parent_on(
                w.get(code),
                w.get(icb_code),
                on=ICB_2026_CHANGE,
                change_from=ICB_2026_CHANGE,
                source="icb_2026_successions_derived.csv"
                if code not in LA_ICB_2026
                else HAND_MAPPING,
                counts=counts,
                data_date=data_date,
                reference_import=ri,
            )
        w.upsert_facts(
            [
                (w.get(code), "icb_partners", sorted(icbs), data_date)
                for code, icbs in partners.items()
            ],
            source=source.name,
            counts=counts,
        )

    return ctx.run("local_authorities", source, data_date=data_date, rows=len(rows), body=body)


def la_name_index(ctx: Context) -> dict[str, str]:
    """Normalised LA name → LA code, for every unambiguous LA in the registry, plus aliases."""
    found: dict[str, set[str]] = defaultdict(set)
    for org in ctx.writer.orgs.values():
        if org.kind == Kind.LOCAL_AUTHORITY:
            found[normalise_la_name(org.name)].add(org.ods_code)
    index = {name: next(iter(codes)) for name, codes in found.items() if len(codes) == 1}
    index.update({name: code for name, code in LA_NAME_ALIASES.items() if ctx.writer.get(code)})
    return index


# --- facts -------------------------------------------------------------------------------------------
def _facts_step(
    ctx: Context,
    importer: str,
    source: SourceFile,
    rows: list,
    *,
    kinds: tuple[str, ...],
    facts: Callable[[object], list[tuple[str, object, dt.date]]],
    care_settings: Callable[[object], tuple[CareSetting, ...]] | None = None,
    data_date: dt.date,
) -> FileReport:
    """Dated, sourced facts for organisations already in the registry. Rows for organisations the
    registry does not hold are skipped and reported (facts never create organisations)."""
    w = ctx.writer
    missing = [r for r in rows if (w.get(r.code) is None or w.get(r.code).kind not in kinds)]

    def body(ri, counts: Counts) -> None:
        present = [r for r in rows if r not in missing]
        w.upsert_facts(
            [
                (w.get(r.code), key, value, as_of)
                for r in present
                for key, value, as_of in facts(r)
                if value is not None and value != ""
            ],
            source=source.name,
            counts=counts,
        )
        if care_settings:
            w.ensure_care_settings(
                [(w.get(r.code), cs.value) for r in present for cs in care_settings(r)],
                source=source.name,
                counts=counts,
            )
        counts.skipped += len(missing)
        if missing:
            shown = ", ".join(r.code for r in missing[:10])
            counts.warnings.append(
                f"{len(missing)} rows name organisations not in the registry (e.g. {shown}); skipped"
            )

    return ctx.run(importer, source, data_date=data_date, rows=len(rows), body=body)


def import_epr_suppliers(ctx: Context, source: SourceFile, *, data_date: dt.date) -> FileReport:
    rows = facts_parser.parse_epr_suppliers(source)
    return _facts_step(
        ctx,
        "epr_suppliers",
        source,
        rows,
        kinds=(Kind.TRUST,),
        data_date=data_date,
        facts=lambda r: [
            ("trust_type", r.trust_type, data_date),
            ("epr_supplier", r.supplier, data_date),
        ],
        care_settings=lambda r: TRUST_TYPE_CARE_SETTINGS.get(r.trust_type, ()),
    )


def import_gp_systems(ctx: Context, source: SourceFile, *, data_date: dt.date) -> FileReport:
    rows = facts_parser.parse_gp_suppliers(source)
    return _facts_step(
        ctx,
        "gp_systems",
        source,
        rows,
        kinds=(Kind.GP_PRACTICE,),
        data_date=data_date,
        facts=lambda r: [
            ("gp_system", r.system, data_date),
            ("gp_appointment_systems", r.gpad_systems, data_date),
        ],
    )


def import_practice_demographics(
    ctx: Context, source: SourceFile, *, list_size_date: dt.date, imd_date: dt.date
) -> FileReport:
    rows = facts_parser.parse_practice_demographics(source)
    return _facts_step(
        ctx,
        "practice_demographics",
        source,
        rows,
        kinds=(Kind.GP_PRACTICE,),
        data_date=list_size_date,
        facts=lambda r: [
            ("list_size", r.list_size, list_size_date),
            ("imd_2019_score", r.imd_score, imd_date),
        ],
    )


def import_icb_population(
    ctx: Context, source: SourceFile, *, population_date: dt.date, practice_date: dt.date
) -> FileReport:
    rows = facts_parser.parse_icb_population(source)
    return _facts_step(
        ctx,
        "icb_population_deprivation",
        source,
        rows,
        kinds=(Kind.ICB,),
        data_date=population_date,
        facts=lambda r: [
            ("population", r.population, population_date),
            ("gp_practices", r.gp_practices, practice_date),
            ("gp_registered_patients", r.gp_registered_patients, practice_date),
            ("imd_2019_score_list_weighted", r.imd_score, practice_date),
            ("pct_patients_most_deprived_quintile", r.pct_most_deprived_quintile, practice_date),
        ],
    )


def import_sub_icb_population(
    ctx: Context, source: SourceFile, lookup: SourceFile, *, data_date: dt.date
) -> FileReport:
    """ONS mid-2022 population by sub-ICB location (the file is keyed by ONS code: the lookup
    gives each one's ODS code)."""
    ons_to_ods = {r.sub_icb_ons: r.sub_icb_code for r in lookups.parse_sub_icb_lookup(lookup)}
    rows = facts_parser.parse_sub_icb_population(source)
    errors = [
        RowError(
            source.name, r.line, 1, "SICBL 2023 Code", f'"{r.ons_code}" is not in {lookup.name}'
        )
        for r in rows
        if r.ons_code not in ons_to_ods
    ]
    raise_if(errors)

    @dataclass(frozen=True)
    class Keyed:
        code: str
        population: int | None

    keyed = [Keyed(ons_to_ods[r.ons_code], r.population) for r in rows]
    return _facts_step(
        ctx,
        "sub_icb_population",
        source,
        keyed,
        kinds=(Kind.SUB_ICB,),
        data_date=data_date,
        facts=lambda r: [("population", r.population, data_date)],
    )


def import_catchment_summary(ctx: Context, source: SourceFile, *, data_date: dt.date) -> FileReport:
    rows = facts_parser.parse_catchment_summary(source)
    return _facts_step(
        ctx,
        "catchment_summary",
        source,
        rows,
        kinds=(Kind.TRUST,),
        data_date=data_date,
        facts=lambda r: [
            ("catchment_population", r.population, data_date),
            ("catchment_imd_2025_score", r.imd_score, data_date),
        ],
    )


def import_ohid_catchment(ctx: Context, source: SourceFile, *, data_date: dt.date) -> FileReport:
    rows = facts_parser.parse_ohid_catchment(source)
    return _facts_step(
        ctx,
        "ohid_catchment_2022",
        source,
        rows,
        kinds=(Kind.TRUST,),
        data_date=data_date,
        facts=lambda r: [
            ("ohid_catchment_all_admissions", r.all_admissions, data_date),
            ("ohid_catchment_emergency_admissions", r.emergency_admissions, data_date),
        ],
    )


# --- CQC adult social care -------------------------------------------------------------------------
def import_cqc(ctx: Context, parsed: cqc_parser.CqcFile, *, data_date: dt.date) -> FileReport:
    """Adult social care locations (kind asc_provider, keyed by CQC location id), each → its
    local authority, which places it in an ICB. Provider id and name, service types, inspection
    category, beds and rating are dated facts."""
    source = parsed.source
    index = la_name_index(ctx)
    la_column = "Location Local Authority" if parsed.format == "locations" else "Local authority"
    la_col = {"locations": 8, "directory": 11}[parsed.format]
    errors: list[RowError] = list(parsed.errors)
    plan = []
    unplaced = 0
    for loc in parsed.locations:
        la = None
        if loc.local_authority:
            code = index.get(normalise_la_name(loc.local_authority))
            if code is None:
                errors.append(
                    RowError(
                        source.name,
                        loc.line,
                        la_col,
                        la_column,
                        f'unknown local authority "{loc.local_authority}"',
                    )
                )
            else:
                la = ctx.writer.get(code)
        else:
            unplaced += 1
        plan.append((loc, la))
    records = [
        (
            loc.line,
            OrgRecord(
                code=loc.location_id,
                kind=Kind.ASC_PROVIDER,
                name=loc.name,
                **(
                    {"opened_on": loc.opened_on, "closed_on": loc.closed_on}
                    if parsed.format == "locations"
                    else {}
                ),
                **({"postcode": loc.postcode} if loc.postcode else {}),
            ),
        )
        for loc in parsed.locations
    ]
    errors += _kind_clashes(
        ctx, records, source.name, 2 if parsed.format == "locations" else 9, "location id"
    )
    raise_if(errors)

    def body(ri, counts: Counts) -> None:
        w = ctx.writer
        w.upsert_organisations(
            [rec for _, rec in records],
            source=source.name,
            data_date=data_date,
            reference_import=ri,
            counts=counts,
        )
        for loc, la in plan:
            if la is not None:
                w.set_parent_on(
                    w.get(loc.location_id),
                    la,
                    on=data_date,
                    change_from=None,
                    source=source.name,
                    counts=counts,
                    data_date=data_date,
                    reference_import=ri,
                )
        facts = []
        for loc, _ in plan:
            org = w.get(loc.location_id)
            for key, value in (
                ("cqc_provider_id", loc.provider_id),
                ("cqc_provider_name", loc.provider_name),
                ("cqc_service_types", list(loc.service_types)),
                ("cqc_inspection_category", loc.inspection_category),
                ("care_home_beds", loc.care_home_beds),
                ("cqc_overall_rating", loc.overall_rating),
            ):
                if value not in (None, "", []):
                    facts.append((org, key, value, data_date))
        w.upsert_facts(facts, source=source.name, counts=counts)
        w.ensure_care_settings(
            [(w.get(loc.location_id), CareSetting.ADULT_SOCIAL_CARE.value) for loc, _ in plan],
            source=source.name,
            counts=counts,
        )
        if unplaced:
            counts.warnings.append(
                f"{unplaced} locations name no local authority; not placed in an ICB"
            )

    return ctx.run(
        f"cqc_{parsed.format}",
        source,
        data_date=data_date,
        rows=parsed.rows,
        skipped=parsed.skipped,
        body=body,
    )
