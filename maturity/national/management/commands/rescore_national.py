"""``maturity rescore-national [--cycle ID | --year YYYY] [--no-snapshot] [--all-returns]``:
vectorised rescore of a whole cycle, then its benchmark snapshot rebuild."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from maturity.national.rescore import rescore_cycle


class Command(BaseCommand):
    help = "Rescore every committed return of a cycle with array operations; rebuild benchmarks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cycle", type=int, help="Cycle id")
        parser.add_argument("--year", type=int, help="Every cycle of this year")
        parser.add_argument("--no-snapshot", action="store_true")
        parser.add_argument("--all-returns", action="store_true", help="Not only committed ones")

    def handle(self, *args: Any, **options: Any) -> None:
        from maturity.assessments.models import Cycle

        if options["cycle"]:
            ids = [options["cycle"]]
        elif options["year"]:
            ids = list(Cycle.objects.filter(year=options["year"]).values_list("id", flat=True))
        else:
            raise CommandError("Give --cycle or --year.")
        if not ids or not Cycle.objects.filter(pk__in=ids).count() == len(ids):
            raise CommandError("No such cycle.")
        for cycle_id in ids:
            s = rescore_cycle(
                cycle_id=cycle_id,
                rebuild_snapshot=not options["no_snapshot"],
                committed_only=not options["all_returns"],
            )
            self.stdout.write(
                f"Cycle {cycle_id}: {s.scores_written} returns rescored from {s.answers_read} "
                f"answers: load {s.load_seconds:.2f}s, compute {s.compute_seconds:.2f}s, write "
                f"{s.write_seconds:.2f}s; snapshot {s.snapshot_rows} rows in "
                f"{s.snapshot_seconds:.2f}s."
            )
