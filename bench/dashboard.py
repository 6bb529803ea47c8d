"""Server time of the dashboards: p50 and p95 per kind of page, measured in-process.

Each request goes through Django's test client: URL routing, middleware (including the Content
Security Policy), the view, its queries and the Jinja2 rendering of charts and tables, so the
time is the server's time without the network. Data set: the real organisation registry,
NHS England's published 2024 and 2025 results and the demonstration returns that reproduce them
(what ``maturity demo`` loads), with benchmark snapshots built.

Usage (the first run on an empty database loads the data set, about a minute):

    .venv/bin/python bench/dashboard.py                      # SQLite file var/bench/dashboard.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/maturity_bench_dash \\
        .venv/bin/python bench/dashboard.py --repeat 5 --out var/bench/dashboard-pg.json

Options: ``--repeat N`` requests per page (after one warm-up request each), ``--out PATH``
(JSON results), ``--rebuild`` (rebuild the snapshots even if unchanged; the build is timed), ``--sample N``
(also N organisations of every kind from the largest demonstration data set, e.g. the national
data set's GP practices and care providers).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maturity.settings")
# Production-like: no debug toolbar of queries, templates compiled once.
os.environ.setdefault("MATURITY_ENV", "demo")
os.environ.setdefault("DEBUG", "false")
(ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench' / 'dashboard.sqlite3'}")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


def ensure_data() -> dict[str, float]:
    """Load the data set if the database has none; build the benchmark snapshots."""
    from maturity.results.models import PublishedResult

    seconds: dict[str, float] = {}
    call_command("migrate", verbosity=0, interactive=False)
    if not PublishedResult.objects.exists():
        from maturity.assessments.services import generate_demonstration_returns
        from maturity.frameworks.services import sync_editions
        from maturity.organisations.services import import_reference_data
        from maturity.results.services import import_published_dma

        for name, step in (
            ("registry", import_reference_data),
            ("editions", sync_editions),
            ("published", import_published_dma),
            ("demonstration", generate_demonstration_returns),
        ):
            started = time.perf_counter()
            step()
            seconds[f"load_{name}"] = time.perf_counter() - started
    return seconds


def build(force: bool) -> dict[str, float]:
    from maturity.benchmarks.services import build_all_snapshots

    out = {}
    for summary in build_all_snapshots(force=force):
        if summary.built:
            out[f"build_{summary.dataset}"] = summary.seconds
    return out


def pages(sample: int = 0) -> dict[str, list[str]]:
    """Every page to time, by kind: each organisation with published results, each ICB and
    region (published and demonstration views); with ``sample``, also that many organisations of
    every kind drawn (seeded) from the largest demonstration data set (on the national data set:
    the 2025 cycle's trusts, practices, care providers…)."""
    from maturity.benchmarks import definitions as d
    from maturity.benchmarks.models import OrganisationBenchmark, SnapshotBuild
    from maturity.organisations.models import Organisation, OrganisationKind

    published = SnapshotBuild.objects.get(source="published", year=2025)
    codes = sorted(
        set(
            OrganisationBenchmark.objects.filter(build=published).values_list(
                "organisation__ods_code", flat=True
            )
        )
    )
    demo = "?source=demonstration&year=2025"
    icbs = list(
        Organisation.objects.filter(kind=OrganisationKind.ICB).values_list("ods_code", flat=True)
    )
    regions = list(
        Organisation.objects.filter(kind=OrganisationKind.REGION).values_list("ods_code", flat=True)
    )
    found = {
        "organisation (published)": [f"/dashboards/organisations/{c}/" for c in codes],
        "organisation (demonstration)": [f"/dashboards/organisations/{c}/{demo}" for c in codes],
        "icb": [f"/dashboards/icbs/{c}/" for c in icbs],
        "icb (demonstration)": [f"/dashboards/icbs/{c}/{demo}" for c in icbs],
        "region": [f"/dashboards/regions/{c}/" for c in regions],
        "region (demonstration)": [f"/dashboards/regions/{c}/{demo}" for c in regions],
        "national": ["/national/", f"/national/{demo}", "/national/?source=published&year=2024"],
        "lens": [f"/national/lenses/{lens.slug}/" for lens in d.LENSES]
        + [f"/national/lenses/{lens.slug}/{demo}" for lens in d.LENSES],
    }
    # The largest demonstration data set (on the national data set: the complete 2025 cycle).
    latest = (
        SnapshotBuild.objects.filter(source="demonstration", rows__gt=0)
        .order_by("-rows", "-year")
        .first()
    )
    if sample and latest is not None:
        every = sorted(
            OrganisationBenchmark.objects.filter(build=latest).values_list(
                "organisation__ods_code", "care_setting"
            )
        )
        chosen = random.Random(2026).sample(every, min(sample, len(every)))
        query = f"?source=demonstration&year={latest.year}"
        found[f"organisation (demonstration {latest.year}, sample of every kind)"] = [
            f"/dashboards/organisations/{code}/{query}&setting={setting}"
            for code, setting in chosen
        ]
    return found


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    h = (len(ordered) - 1) * p / 100
    low = int(h)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (h - low) * (ordered[high] - ordered[low])


def measure(repeat: int, sample: int = 0) -> dict[str, dict]:
    client = Client()
    results: dict[str, dict] = {}
    for kind, paths in pages(sample).items():
        times: list[float] = []
        cpu: list[float] = []
        for path in paths:  # warm-up: first rendering of each template, parsed editions
            assert client.get(path).status_code == 200, path
        for _ in range(repeat):
            for path in paths:
                started, started_cpu = time.perf_counter(), time.process_time()
                response = client.get(path)
                times.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
                assert response.status_code == 200, path
        with CaptureQueriesContext(connection) as queries:
            client.get(paths[0])
        results[kind] = {
            "pages": len(paths),
            "requests": len(times),
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(percentile(times, 95), 1),
            "max_ms": round(max(times), 1),
            # CPU time of this process only (the web server's work without waiting for a CPU;
            # with PostgreSQL the database's own work is in another process).
            "cpu_p50_ms": round(statistics.median(cpu), 1),
            "cpu_p95_ms": round(percentile(cpu, 95), 1),
            "queries": len(queries.captured_queries),
        }
    return results


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0, 0, 0)
    return {
        "cpu": cpu,
        "cpus": str(os.cpu_count()),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "database": f"{connection.vendor} {connection.Database.__version__ if hasattr(connection.Database, '__version__') else ''}".strip(),
        "load_average_1m_at_start": f"{load[0]:.2f}",
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument(
        "--sample",
        type=int,
        default=0,
        help="Also time this many organisations of every kind from the largest demonstration data",
    )
    args = parser.parse_args()
    info = machine()
    seconds = ensure_data()
    info["load_average_1m_after_loading"] = f"{os.getloadavg()[0]:.2f}"
    seconds.update(build(args.rebuild))
    results = measure(args.repeat, args.sample)
    info["load_average_1m_at_end"] = f"{os.getloadavg()[0]:.2f}"
    report = {
        "machine": info,
        "seconds": {k: round(v, 2) for k, v in seconds.items()},
        "pages": results,
    }
    print(
        f"Machine: {info['cpu']} ({info['cpus']} CPUs), Python {info['python']}, {info['database']}"
    )
    for name, value in report["seconds"].items():
        print(f"  {name}: {value:.2f} s")
    print(
        f"{'page':44} {'pages':>5} {'requests':>8} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} "
        f"{'cpu p50':>7} {'cpu p95':>7} {'queries':>7}"
    )
    for kind, r in results.items():
        print(
            f"{kind:44} {r['pages']:>5} {r['requests']:>8} {r['p50_ms']:>7.1f} {r['p95_ms']:>7.1f} "
            f"{r['max_ms']:>7.1f} {r['cpu_p50_ms']:>7.1f} {r['cpu_p95_ms']:>7.1f} {r['queries']:>7}"
        )
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=2))
    target = results["organisation (published)"]["p95_ms"]
    print(f"Organisation dashboard p95: {target:.1f} ms (target under 50 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
