"""National rescore: every return of a cycle scored with array operations, scores written in
bulk, then the cycle's benchmark snapshot rebuilt.

Answers are read in one query per cycle and placed into one (returns × criteria) code matrix per
care setting; :mod:`maturity.national.vector` applies the engine's gating rule to the matrix.
Results are identical to :func:`maturity.core.scoring.score_return` (tests/national check this
on random samples).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from . import vector
from .generate import _ts, write_scores


@dataclass
class SettingMatrix:
    care_setting: str
    layout: vector.Layout
    return_ids: np.ndarray
    codes: np.ndarray


@dataclass
class RescoreSummary:
    cycle_id: int
    returns: int = 0
    answers_read: int = 0
    scores_written: int = 0
    load_seconds: float = 0.0
    compute_seconds: float = 0.0
    write_seconds: float = 0.0
    snapshot_seconds: float = 0.0
    snapshot_rows: int | None = None
    by_setting: dict[str, int] = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        return self.load_seconds + self.compute_seconds + self.write_seconds


def _answer_sql() -> str:
    # The stored JSON string as plain text (None for JSON null), so no JSON decoding per row.
    value = (
        "a.value #>> '{}'" if connection.vendor == "postgresql" else "json_extract(a.value, '$')"
    )
    return (
        f"SELECT a.return_id, a.item_id, {value} FROM assessments_answer a "
        "JOIN assessments_return r ON r.id = a.return_id WHERE r.cycle_id = %s"
    )


def load_cycle(cycle_id: int, *, committed_only: bool = True) -> tuple[str, list[SettingMatrix]]:
    """The cycle's edition id and one answer-code matrix per care setting."""
    from maturity.assessments.models import Cycle, Return, ReturnStatus
    from maturity.frameworks.selectors import get_edition

    cycle = Cycle.objects.select_related("edition").get(pk=cycle_id)
    edition_id = cycle.edition.edition_id
    edition = get_edition(edition_id)
    comparable = edition.comparable_domain_ids()
    returns = Return.objects.filter(cycle_id=cycle_id, withdrawn_at__isnull=True)
    if committed_only:
        returns = returns.filter(status=ReturnStatus.COMMITTED)
    by_setting: dict[str, list[int]] = {}
    for pk, setting in returns.order_by("id").values_list("id", "care_setting"):
        by_setting.setdefault(setting, []).append(pk)
    matrices: dict[str, SettingMatrix] = {}
    # return id → (matrix, row); item → column per setting.
    where: dict[int, tuple[SettingMatrix, int]] = {}
    for setting, ids in by_setting.items():
        layout = vector.layout_for(edition.scoring_specs(setting), comparable)
        matrix = SettingMatrix(
            setting,
            layout,
            np.asarray(ids, dtype=np.int64),
            np.zeros((len(ids), len(layout.criteria)), dtype=np.uint8),
        )
        matrices[setting] = matrix
        for row, pk in enumerate(ids):
            where[pk] = (matrix, row)
    codes = vector.CODES
    with connection.cursor() as cursor:
        cursor.execute(_answer_sql(), [cycle_id])
        while True:
            chunk = cursor.fetchmany(100_000)
            if not chunk:
                break
            for return_id, item_id, value in chunk:
                place = where.get(return_id)
                if place is None:
                    continue
                matrix, row = place
                column = matrix.layout.column.get(item_id)
                if column is None:  # contextual answers, narratives: not scored
                    continue
                if value is None:
                    continue
                code = codes.get(value)
                if code is None:
                    raise ValueError(
                        f"return {return_id}: criterion {item_id!r}: answer {value!r} is not one "
                        "of 'met', 'not_met', 'na'"
                    )
                matrix.codes[row, column] = code
    return edition_id, list(matrices.values())


def rescore_cycle(
    *, cycle_id: int, rebuild_snapshot: bool = True, committed_only: bool = True
) -> RescoreSummary:
    """Score every (committed) return of a cycle, store the scores in bulk, rebuild benchmarks."""
    summary = RescoreSummary(cycle_id=cycle_id)
    started = time.perf_counter()
    edition_id, matrices = load_cycle(cycle_id, committed_only=committed_only)
    summary.load_seconds = time.perf_counter() - started
    summary.answers_read = int(sum(np.count_nonzero(m.codes) for m in matrices))
    started = time.perf_counter()
    results = [
        (m, vector.scores(m.layout, vector.domain_levels(m.layout, m.codes))) for m in matrices
    ]
    summary.compute_seconds = time.perf_counter() - started
    started = time.perf_counter()
    at = _ts(timezone.now())
    with transaction.atomic():
        for matrix, scores in results:
            written = write_scores(matrix.return_ids, edition_id, matrix.layout, scores, at=at)
            summary.scores_written += written
            summary.by_setting[matrix.care_setting] = written
    summary.returns = summary.scores_written
    summary.write_seconds = time.perf_counter() - started
    if rebuild_snapshot:
        started = time.perf_counter()
        summary.snapshot_rows = rebuild_snapshot_for(cycle_id)
        summary.snapshot_seconds = time.perf_counter() - started
    return summary


def rebuild_snapshot_for(cycle_id: int) -> int | None:
    """Rebuild the benchmark snapshot of the data set this cycle feeds (None if it feeds none)."""
    from maturity.benchmarks.inputs import discover_datasets
    from maturity.benchmarks.services import build_snapshot

    for dataset in discover_datasets():
        if dataset.cycle_id == cycle_id:
            return build_snapshot(dataset=dataset, force=True).rows
    return None
