"""Observations the service derives from data it already holds.

Each function returns the full set of observations for its derivation; the service replaces a
metric's derived observations with that set, so running it again changes nothing.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from maturity.organisations.reference import REFERENCE_DIR

EPR_SUPPLIERS_FILE = Path("digital_adoption") / "epr_suppliers_by_trust_2024-10-01.csv"
EPR_SUPPLIERS_AS_OF = dt.date(2024, 10, 1)
VIRTUAL_WARDS_FILE = Path("digital_adoption") / "virtual_ward_statistics.csv"


@dataclass(frozen=True)
class Derived:
    observed_on: dt.date
    date_label: str
    value: float
    source: str  # stable for a given data point: the observation's identity with the date
    note: str
    is_demonstration: bool = False


class DerivationUnavailable(Exception):
    """The data a derivation needs is not present (a reference file not yet copied in, say)."""


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u2013", "-").replace("\u2014", "-")).strip().lower()


def _is_no_epr(supplier: str) -> bool:
    # The extract's wording is "No EPR -  in process of getting one" (spacing varies).
    return _normalise(supplier).startswith("no epr")


def epr_supplier_share(reference_dir: Path = REFERENCE_DIR) -> list[Derived]:
    """Share of trusts with an EPR on 1 October 2024: every trust in NHS England's extract whose
    primary EPR supplier is not "No EPR – in process of getting one"."""
    path = Path(reference_dir) / EPR_SUPPLIERS_FILE
    if not path.is_file():
        raise DerivationUnavailable(f"{EPR_SUPPLIERS_FILE} is not in the reference data")
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = [r for r in csv.DictReader(handle) if (r.get("Organisation Code") or "").strip()]
    if not rows:
        raise DerivationUnavailable(f"{EPR_SUPPLIERS_FILE} has no trusts in it")
    without = sum(1 for r in rows if _is_no_epr(r.get("Supplier (Primary EPR)") or ""))
    total = len(rows)
    with_epr = total - without
    return [
        Derived(
            observed_on=EPR_SUPPLIERS_AS_OF,
            date_label="",
            value=100 * with_epr / total,
            source=(
                'NHS England EPR programme extract, sheet "EPR Suppliers 01.10.24" '
                f"(data/reference/{EPR_SUPPLIERS_FILE.as_posix()})"
            ),
            note=(
                f"{with_epr} of {total} trusts have a primary EPR supplier; {without} are listed "
                'as "No EPR – in process of getting one".'
            ),
        )
    ]


def _month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def virtual_ward_capacity(reference_dir: Path = REFERENCE_DIR) -> list[Derived]:
    """Virtual ward capacity (beds) in England each month: the sum over the 42 ICBs."""
    path = Path(reference_dir) / VIRTUAL_WARDS_FILE
    if not path.is_file():
        raise DerivationUnavailable(f"{VIRTUAL_WARDS_FILE} is not in the reference data")
    totals: dict[dt.date, float] = defaultdict(float)
    icbs: dict[dt.date, int] = defaultdict(int)
    with path.open(newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            month = dt.date.fromisoformat(row["date"].strip())
            totals[month] += float(row["capacity"])
            icbs[month] += 1
    source = (
        "NHS England Virtual Ward Capacity and Occupancy monthly statistics, via "
        f"alarthast/virtual-wards-statistics (data/reference/{VIRTUAL_WARDS_FILE.as_posix()})"
    )
    return [
        Derived(
            observed_on=_month_end(month),
            date_label=f"{month:%B %Y}",
            value=totals[month],
            source=source,
            note=f"Sum of the capacity of {icbs[month]} ICBs.",
        )
        for month in sorted(totals)
    ]


def dma_epr_in_place_share(reference_dir: Path = REFERENCE_DIR) -> list[Derived]:
    """Per assessment cycle, the share of trusts whose committed returns say an EPR is in place.

    A trust counts when at least one of its committed returns (not withdrawn from the cycle)
    answers ctx.epr_in_place, and as having an EPR when any of them says yes. A cycle's
    observation is dated the day its returns were due, or the last day of its year when the cycle
    has no closing date; one built from demonstration returns is marked as demonstration data.
    """
    del reference_dir  # read from the assessment returns, not a file
    from maturity.assessments.models import Answer, Cycle, ReturnStatus
    from maturity.organisations.models import OrganisationKind

    answers = (
        Answer.objects.filter(
            item_id="ctx.epr_in_place",
            return_obj__status=ReturnStatus.COMMITTED,
            return_obj__withdrawn_at__isnull=True,
            return_obj__organisation__kind=OrganisationKind.TRUST,
        )
        .values_list(
            "return_obj__cycle_id",
            "return_obj__organisation_id",
            "value",
            "return_obj__is_demonstration",
        )
        .order_by()
    )
    by_cycle: dict[int, dict[int, bool]] = defaultdict(dict)
    demo_cycles: set[int] = set()
    for cycle_id, organisation_id, value, is_demo in answers.iterator():
        trusts = by_cycle[cycle_id]
        trusts[organisation_id] = trusts.get(organisation_id, False) or value is True
        if is_demo:
            demo_cycles.add(cycle_id)
    derived = []
    for cycle in Cycle.objects.filter(pk__in=by_cycle).order_by("year", "pk"):
        trusts = by_cycle[cycle.pk]
        yes = sum(trusts.values())
        demo = cycle.is_demonstration or cycle.pk in demo_cycles
        due = cycle.closes_on
        derived.append(
            Derived(
                observed_on=due or dt.date(cycle.year, 12, 31),
                date_label=f"{cycle.year} assessment"
                + (f" (returns due {due:%-d %B %Y})" if due else ""),
                value=100 * yes / len(trusts),
                source=(
                    f"Assessment returns: {cycle.title} (cycle {cycle.pk}), contextual question "
                    "ctx.epr_in_place in committed returns"
                ),
                note=(
                    f"{yes} of {len(trusts)} trusts with a committed answer say an EPR is in place."
                    + (" Generated demonstration returns, not real submissions." if demo else "")
                ),
                is_demonstration=demo,
            )
        )
    return derived


DERIVATIONS = {
    "epr_supplier_share": epr_supplier_share,
    "virtual_ward_capacity": virtual_ward_capacity,
    "dma_epr_in_place_share": dma_epr_in_place_share,
}
