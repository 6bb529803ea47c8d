"""``maturity build-benchmarks``: rebuild the benchmark snapshots that dashboards and the API read."""

from __future__ import annotations

from django.core.management import BaseCommand, CommandError
from django.db import DatabaseError

from maturity.benchmarks import definitions as d
from maturity.benchmarks.services import build_snapshots_for


class Command(BaseCommand):
    help = (
        "Rebuild benchmark snapshots (deciles, percentiles, ICB and region aggregates under each "
        "method, funnel limits) from published results and cycle returns. Data sets whose "
        "results have not changed since their last build are skipped unless --force is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("--source", choices=d.SOURCES, help="Only this source")
        parser.add_argument(
            "--year", type=int, help="Only this year (and the next, whose change depends on it)"
        )
        parser.add_argument("--force", action="store_true", help="Rebuild even if nothing changed")
        parser.add_argument(
            "--queue",
            action="store_true",
            help="Queue the rebuild for `maturity worker` instead of running it now",
        )

    def handle(self, *args, source=None, year=None, force=False, queue=False, **options):
        if queue:
            from maturity.benchmarks.tasks import build_snapshots

            result = build_snapshots.enqueue(source=source, year=year, force=force)
            self.stdout.write(self.style.SUCCESS(f"Queued the rebuild (task {result.id})."))
            return
        try:
            summaries = build_snapshots_for(source=source, year=year, force=force)
        except DatabaseError as exc:
            raise CommandError(
                f"The database is not ready ({exc}). Run `maturity migrate` first."
            ) from None
        if not summaries:
            self.stdout.write(
                "There are no results to build benchmarks from: import results first."
            )
            return
        for summary in summaries:
            if summary.built:
                self.stdout.write(
                    self.style.SUCCESS(
                        f"{summary.dataset}: built from {summary.rows} results in {summary.seconds:.2f}s "
                        f"({summary.groups} group distributions, {summary.aggregates} aggregates, "
                        f"{summary.funnel_points} funnel points)."
                    )
                )
            else:
                self.stdout.write(f"{summary.dataset}: {summary.reason}.")
