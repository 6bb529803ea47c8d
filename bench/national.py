"""National rescore, snapshot rebuild, DuckDB comparison and import throughput.

Run against a database holding the national data set (``maturity generate national``):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/maturity_bench \
        .venv/bin/python bench/national.py --year 2025 --out var/bench/national-pg.json
    DATABASE_URL=sqlite:///var/national.sqlite3 .venv/bin/python bench/national.py --year 2025

Steps, each timed:
1. rescore: the cycle's committed answers loaded into code matrices, scored with array
   operations, scores written in bulk (``maturity.national.rescore``), then the cycle's benchmark
   snapshot rebuilt by the benchmarks app's own builder.
2. duckdb (if ``import duckdb`` works): the same domain levels, pillar means and overall computed
   in DuckDB SQL from the same answer rows; every return's outputs compared for equality.
3. import: a national returns file for the open cycle's not-started returns, validated and
   imported by ``maturity.national.importer`` inside a transaction that is then rolled back (so
   the bench can be rerun).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maturity.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from maturity.assessments.models import Cycle, Return, ReturnStatus  # noqa: E402
from maturity.frameworks.selectors import get_edition  # noqa: E402
from maturity.national import vector  # noqa: E402
from maturity.national.importer import import_returns_file  # noqa: E402
from maturity.national.rescore import load_cycle, rebuild_snapshot_for  # noqa: E402


def _duckdb_scores(matrices) -> tuple[dict, float] | None:
    try:
        import duckdb
    except ImportError:
        return None
    # The same answer rows (return, criterion, code) and the edition's layout, as tables.
    ret, crit, code = [], [], []
    layout_rows = []
    returns_rows = []
    offset = 0
    for m in matrices:
        rows, cols = np.nonzero(m.codes)
        ret.append(m.return_ids[rows])
        crit.append(cols + offset)
        code.append(m.codes[rows, cols])
        lay = m.layout
        for j, _criterion in enumerate(lay.criteria):
            d = int(lay.criterion_domain[j])
            layout_rows.append(
                (m.care_setting, offset + j, lay.domain_ids[d], lay.pillars[d],
                 int(lay.criterion_level[j]), bool(lay.comparable[d]))
            )  # fmt: skip
        returns_rows.extend((int(r), m.care_setting) for r in m.return_ids)
        offset += len(lay.criteria)
    answers = {
        "return_id": np.concatenate(ret).astype(np.int64),
        "crit": np.concatenate(crit).astype(np.int64),
        "code": np.concatenate(code).astype(np.int64),
    }
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE layout (care_setting VARCHAR, crit BIGINT, domain_id VARCHAR, "
        "pillar VARCHAR, level INTEGER, comparable BOOLEAN)"
    )
    con.executemany("INSERT INTO layout VALUES (?, ?, ?, ?, ?, ?)", layout_rows)
    con.execute("CREATE TABLE rets (return_id BIGINT, care_setting VARCHAR)")
    con.executemany("INSERT INTO rets VALUES (?, ?)", returns_rows)
    con.register("answers_np", answers)
    con.execute("CREATE TABLE answers AS SELECT * FROM answers_np")
    started = time.perf_counter()
    # Codes: 1 met, 2 not met, 3 not applicable; no row = no answer (not met). Means are
    # sum / count as doubles, as the engine divides integer sums once.
    con.execute(
        """
        CREATE TEMP TABLE dom AS
        WITH grid AS (
          SELECT r.return_id, l.domain_id, l.pillar, l.comparable, l.level,
                 coalesce(a.code, 0) AS code
          FROM rets r JOIN layout l USING (care_setting)
          LEFT JOIN answers a ON a.return_id = r.return_id AND a.crit = l.crit
        )
        SELECT return_id, domain_id, any_value(pillar) AS pillar,
               any_value(comparable) AS comparable,
               greatest(coalesce(min(level) FILTER (WHERE code NOT IN (1, 3)), 6) - 1, 1) AS lvl
        FROM grid GROUP BY return_id, domain_id
        """
    )
    levels = con.execute("SELECT return_id, domain_id, lvl FROM dom").fetchall()
    pillars = con.execute(
        "SELECT return_id, pillar, sum(lvl)::DOUBLE / count(*) FROM dom GROUP BY ALL"
    ).fetchall()
    overall = con.execute(
        "SELECT return_id, sum(lvl)::DOUBLE / count(*), "
        "sum(lvl) FILTER (WHERE comparable)::DOUBLE / count(*) FILTER (WHERE comparable) "
        "FROM dom GROUP BY return_id"
    ).fetchall()
    seconds = time.perf_counter() - started
    out: dict[int, dict] = {}
    for return_id, domain_id, lvl in levels:
        out.setdefault(return_id, {"levels": {}, "pillars": {}})["levels"][domain_id] = lvl
    for return_id, pillar, mean in pillars:
        out[return_id]["pillars"][pillar] = mean
    for return_id, mean, comparable in overall:
        out[return_id]["overall"] = mean
        out[return_id]["comparable"] = comparable
    return out, seconds


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--no-snapshot", action="store_true")
    parser.add_argument("--no-import", action="store_true")
    args = parser.parse_args()
    cycle = Cycle.objects.filter(year=args.year).order_by("-id").first()
    if cycle is None:
        print(f"No {args.year} cycle: run `maturity generate national` first.", file=sys.stderr)
        return 2
    result: dict = {
        "database": connection.vendor,
        "python": platform.python_version(),
        "cycle": cycle.pk,
        "year": cycle.year,
        "organisations_in_cycle": Return.objects.filter(cycle=cycle)
        .values("organisation_id")
        .distinct()
        .count(),
    }

    # 1. Vectorised rescore (load, compute, write) and the snapshot rebuild.
    t0 = time.perf_counter()
    edition_id, matrices = load_cycle(cycle.pk)
    t1 = time.perf_counter()
    scored = [
        (m, vector.scores(m.layout, vector.domain_levels(m.layout, m.codes))) for m in matrices
    ]
    t2 = time.perf_counter()
    from django.utils import timezone

    from maturity.national.generate import _ts, write_scores

    with transaction.atomic():
        written = sum(
            write_scores(m.return_ids, edition_id, m.layout, s, at=_ts(timezone.now()))
            for m, s in scored
        )
    t3 = time.perf_counter()
    result["rescore"] = {
        "returns": written,
        "answers": int(sum(np.count_nonzero(m.codes) for m in matrices)),
        "load_s": round(t1 - t0, 3),
        "compute_s": round(t2 - t1, 3),
        "write_s": round(t3 - t2, 3),
        "total_s": round(t3 - t0, 3),
    }
    print(json.dumps(result["rescore"]), flush=True)
    if not args.no_snapshot:
        t4 = time.perf_counter()
        rows = rebuild_snapshot_for(cycle.pk)
        result["snapshot"] = {"rows": rows, "seconds": round(time.perf_counter() - t4, 3)}
    print(json.dumps(result, indent=1), flush=True)

    # 2. DuckDB on the same answer rows; outputs compared return by return.
    duck = _duckdb_scores(matrices)
    if duck is None:
        result["duckdb"] = "not installed (ask for duckdb in requirements.lock)"
    else:
        theirs, duck_seconds = duck
        mismatches = 0
        for m, s in scored:
            for i, return_id in enumerate(m.return_ids.tolist()):
                entry = theirs[return_id]
                ours_levels = dict(zip(m.layout.domain_ids, s.levels[i].tolist(), strict=True))
                pillars = entry["pillars"]
                ours_pillars = dict(
                    zip(m.layout.pillar_ids, s.pillar_scores[i].tolist(), strict=True)
                )
                overall = entry["overall"]
                comparable = entry["comparable"]
                ours_comp = s.overall_comparable[i]
                ours_comp = None if ours_comp != ours_comp else float(ours_comp)
                if (
                    entry["levels"] != ours_levels
                    or pillars != ours_pillars
                    or overall != float(s.overall[i])
                    or comparable != ours_comp
                ):
                    mismatches += 1
        result["duckdb"] = {
            "version": __import__("duckdb").__version__,
            "compute_s": round(duck_seconds, 3),
            "returns_compared": written,
            "mismatches": mismatches,
            "ours_compute_s": result["rescore"]["compute_s"],
            "ratio_ours_to_duckdb_compute": round(result["rescore"]["compute_s"] / duck_seconds, 3),
        }

    # 3. Import throughput: a returns file for the open cycle's not-started returns.
    if not args.no_import:
        open_cycle = Cycle.objects.filter(year=2026).order_by("-id").first()
        targets = list(
            Return.objects.filter(cycle=open_cycle, status=ReturnStatus.NOT_STARTED)
            .select_related("organisation")
            .order_by("id")
        )
        edition = get_edition(open_cycle.edition.edition_id)
        rng = np.random.default_rng(7)
        with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, newline="") as f:
            w = csv.writer(f)
            w.writerow(["ods_code", "care_setting", "cycle_year", "item_id", "value"])
            rows = 0
            for r in targets:
                crit = [c for sp in edition.scoring_specs(r.care_setting) for c in sp.criterion_ids]
                vals = rng.choice(["met", "not_met", "na"], size=len(crit), p=[0.6, 0.35, 0.05])
                for c, v in zip(crit, vals, strict=True):
                    w.writerow([r.organisation.ods_code, r.care_setting, 2026, c, v])
                rows += len(crit)
            path = f.name
        t5 = time.perf_counter()
        with transaction.atomic():
            summary = import_returns_file(path)
            transaction.set_rollback(True)  # the bench leaves the data set as it was
        seconds = time.perf_counter() - t5
        Path(path).unlink()
        result["import"] = {
            "rows": rows,
            "returns": len(targets),
            "validate_s": round(summary.validate_seconds, 3),
            "write_s": round(summary.write_seconds, 3),
            "total_s": round(seconds, 3),
            "rows_per_s": round(rows / seconds) if seconds else None,
        }
    print(json.dumps(result, indent=1))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
