"""Bulk import of a national returns file, all or nothing.

The file is CSV with a header: ``ods_code,care_setting,cycle_year,item_id,value`` (one criterion
answer a row; value ``met``, ``not_met`` or ``na``). Every row is validated first and every
problem is reported with its line and column; if there is any, nothing is written. Otherwise, in
one transaction, missing returns are created and the answers are written through a staging
table: ``COPY`` into it on PostgreSQL, batched inserts on SQLite, then one
``INSERT … SELECT``.

Only new answers are imported: an item the return already answers is an error (a change to an
existing answer goes through the answer service, which keeps its revision history), as is any
row for a committed or withdrawn return.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from . import bulk
from .generate import _ts
from .vector import CODES

COLUMNS = ("ods_code", "care_setting", "cycle_year", "item_id", "value")
MAX_MESSAGES = 10_000


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.message}"


class ImportRefused(Exception):
    """The file has problems; nothing was imported."""

    def __init__(self, errors: list[RowError], total: int | None = None) -> None:
        self.errors = errors
        self.total = total if total is not None else len(errors)
        super().__init__(f"{self.total} problems; nothing was imported")


@dataclass
class ImportSummary:
    rows: int = 0
    returns_created: int = 0
    answers_created: int = 0
    validate_seconds: float = 0.0
    write_seconds: float = 0.0
    by_cycle: dict[int, int] = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        return self.validate_seconds + self.write_seconds


def import_returns_file(path: Path | str) -> ImportSummary:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return import_returns(handle)


def import_returns(handle: Iterable[str] | io.TextIOBase) -> ImportSummary:
    """Validate and import a returns file (an open text file); raises :class:`ImportRefused`."""
    from maturity.assessments.models import Answer, Cycle, Return, ReturnStatus
    from maturity.core.vocab import CareSetting
    from maturity.frameworks.selectors import get_edition
    from maturity.organisations.models import Organisation

    started = time.perf_counter()
    summary = ImportSummary()
    errors: list[RowError] = []
    total_errors = 0

    def fail(line: int, column: str, message: str) -> None:
        nonlocal total_errors
        total_errors += 1
        if len(errors) < MAX_MESSAGES:
            errors.append(RowError(line, column, message))

    reader = csv.reader(handle)
    header = next(reader, None)
    if header is None:
        raise ImportRefused([RowError(1, "-", "the file is empty")])
    header = [h.strip() for h in header]
    if tuple(header) != COLUMNS:
        raise ImportRefused(
            [RowError(1, "-", f"the header must be {','.join(COLUMNS)} (found {','.join(header)})")]
        )

    orgs = dict(Organisation.objects.values_list("ods_code", "pk"))
    settings = {cs.value for cs in CareSetting}
    cycles: dict[int, tuple[int, str]] = {}
    demo_cycles: set[int] = set()
    for year, pk, edition_id, demo in Cycle.objects.order_by("is_demonstration", "-id").values_list(
        "year", "id", "edition__edition_id", "is_demonstration"
    ):
        cycles.setdefault(year, (pk, edition_id))  # a real cycle wins over a demonstration one
        if demo:
            demo_cycles.add(pk)
    criteria: dict[tuple[str, str], frozenset[str]] = {}

    def criteria_of(edition_id: str, setting: str) -> frozenset[str]:
        key = (edition_id, setting)
        if key not in criteria:
            edition = get_edition(edition_id)
            criteria[key] = frozenset(
                c for spec in edition.scoring_specs(setting) for c in spec.criterion_ids
            )
        return criteria[key]

    # (organisation id, care setting, cycle id) → rows (item, json value) and the first line.
    staged: dict[tuple[int, str, int], list[tuple[str, str]]] = {}
    first_line: dict[tuple[int, str, int, str], int] = {}
    line = 1
    for line, row in enumerate(reader, start=2):
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        if len(row) != len(COLUMNS):
            fail(line, "-", f"expected {len(COLUMNS)} fields, found {len(row)}")
            continue
        ods, setting, year_text, item, value = (v.strip() for v in row)
        ok = True
        org_id = orgs.get(ods)
        if org_id is None:
            fail(line, "ods_code", f"{ods!r} is not an organisation in the registry")
            ok = False
        if setting not in settings:
            fail(line, "care_setting", f"{setting!r} is not a care setting")
            ok = False
        cycle = None
        try:
            year = int(year_text)
        except ValueError:
            fail(line, "cycle_year", f"{year_text!r} is not a year")
            ok = False
        else:
            cycle = cycles.get(year)
            if cycle is None:
                fail(line, "cycle_year", f"there is no {year} cycle")
                ok = False
        if value not in CODES:
            fail(line, "value", f"{value!r} is not one of met, not_met, na")
            ok = False
        if cycle is not None and setting in settings:
            allowed = criteria_of(cycle[1], setting)
            if not allowed:
                fail(line, "care_setting", f"the {cycle[1]} edition has no {setting} criteria")
                ok = False
            elif item not in allowed:
                fail(line, "item_id", f"{item!r} is not a {cycle[1]} {setting} criterion")
                ok = False
        if not ok:
            continue
        key = (org_id, setting, cycle[0])
        seen_at = first_line.setdefault((*key, item), line)
        if seen_at != line:
            fail(line, "item_id", f"{item!r} is already given for this return on line {seen_at}")
            continue
        staged.setdefault(key, []).append((item, f'"{value}"'))
    summary.rows = sum(len(v) for v in staged.values())

    existing = {
        (org, setting, cycle): (pk, status, withdrawn)
        for pk, org, setting, cycle, status, withdrawn in Return.objects.filter(
            cycle_id__in={k[2] for k in staged}
        ).values_list("id", "organisation_id", "care_setting", "cycle_id", "status", "withdrawn_at")
        if (org, setting, cycle) in staged
    }
    for key, (_pk, status, withdrawn) in existing.items():
        if status == ReturnStatus.COMMITTED or withdrawn is not None:
            state = "committed" if status == ReturnStatus.COMMITTED else "withdrawn"
            for item, _ in staged[key]:
                fail(first_line[(*key, item)], "ods_code", f"the return is {state}")
    answered_returns = {pk: key for key, (pk, _, _) in existing.items()}
    if answered_returns:
        ids = list(answered_returns)
        for start in range(0, len(ids), 5000):
            for return_id, item in Answer.objects.filter(
                return_obj_id__in=ids[start : start + 5000]
            ).values_list("return_obj_id", "item_id"):
                key = answered_returns[return_id]
                line_of = first_line.get((*key, item))
                if line_of is not None:
                    fail(line_of, "item_id", f"{item!r} is already answered in this return")
    if total_errors:
        errors.sort(key=lambda e: (e.line, COLUMNS.index(e.column) if e.column in COLUMNS else -1))
        raise ImportRefused(errors, total_errors)
    summary.validate_seconds = time.perf_counter() - started

    started = time.perf_counter()
    with transaction.atomic():
        new_keys = [k for k in staged if k not in existing]
        created = [
            Return(
                organisation_id=org,
                care_setting=setting,
                cycle_id=cycle,
                status=ReturnStatus.IN_PROGRESS,
                is_demonstration=cycle in demo_cycles,
            )
            for org, setting, cycle in new_keys
        ]
        Return.objects.bulk_create(created, batch_size=2000)
        summary.returns_created = len(created)
        return_ids = {k: r.pk for k, r in zip(new_keys, created, strict=True)}
        return_ids.update({k: v[0] for k, v in existing.items()})
        Return.objects.filter(
            pk__in=[v[0] for v in existing.values() if v[1] == ReturnStatus.NOT_STARTED]
        ).update(status=ReturnStatus.IN_PROGRESS)
        summary.answers_created = _write_through_staging(
            (return_ids[key], item, value) for key, rows in staged.items() for item, value in rows
        )
        for (_, _, cycle), rows in staged.items():
            summary.by_cycle[cycle] = summary.by_cycle.get(cycle, 0) + len(rows)
    summary.write_seconds = time.perf_counter() - started
    return summary


STAGING = "national_answer_staging"


def _write_through_staging(rows: Iterable[tuple[int, str, str]]) -> int:
    at = _ts(timezone.now())
    with connection.cursor() as cursor:
        if bulk.is_postgres():
            cursor.execute(
                f"CREATE TEMP TABLE {STAGING} (return_id bigint, item_id varchar(100), "
                "value jsonb) ON COMMIT DROP"
            )
        else:
            cursor.execute(f"DROP TABLE IF EXISTS temp.{STAGING}")
            cursor.execute(
                f"CREATE TEMP TABLE {STAGING} (return_id integer, item_id text, value text)"
            )
    bulk.insert_rows(STAGING, ("return_id", "item_id", "value"), rows)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO assessments_answer (return_id, item_id, value, version, updated_at, "
            f"updated_by_id, copied_from_previous) SELECT return_id, item_id, value, 1, %s, NULL, "
            f"%s FROM {STAGING}",
            [at, False],
        )
        count = cursor.rowcount
        if not bulk.is_postgres():
            cursor.execute(f"DROP TABLE temp.{STAGING}")
    return count
