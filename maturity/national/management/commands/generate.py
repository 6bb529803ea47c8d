"""``maturity generate national --seed S [--size national|small] [--asc-providers N] [--cycles 5]
[--practices all|N]``: the national data set, all or nothing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from maturity.national.generate import GenerationError, generate_national


def _practices(value: str) -> int | None:
    if value == "all":
        return None
    try:
        number = int(value)
    except ValueError:
        raise CommandError("--practices must be 'all' or a whole number") from None
    if number < 0:
        raise CommandError("--practices must not be negative")
    return number


class Command(BaseCommand):
    help = "Generate a data set. `generate national`: every real organisation plus synthetic care providers and five cycles of returns."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["national"])
        parser.add_argument("--seed", type=int, required=True)
        parser.add_argument("--size", choices=["national", "small"], default="national")
        parser.add_argument("--asc-providers", type=int, default=15_000)
        parser.add_argument("--cycles", type=int, default=5)
        parser.add_argument("--practices", default="all", help="'all' or how many GP practices")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        practices = _practices(options["practices"])
        quiet = options["no_progress"] or options["verbosity"] == 0
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            disable=quiet,
        ) as bar:
            tasks: dict[str, Any] = {}

            def progress(label: str, advance: int, total: int) -> None:
                if label not in tasks:
                    tasks[label] = bar.add_task(f"answers {label}", total=total or None)
                bar.advance(tasks[label], advance)

            try:
                summary = generate_national(
                    seed=options["seed"],
                    size=options["size"],
                    asc_providers=options["asc_providers"],
                    cycles=options["cycles"],
                    practices=practices,
                    progress=progress,
                )
            except GenerationError as error:
                raise CommandError(str(error)) from error
        self.stdout.write(
            f"Generated {summary.organisations} organisations "
            f"({summary.synthetic_created} synthetic created), {len(summary.cycles)} cycles, "
            f"{summary.returns} returns, {summary.answers} answers, {summary.scores} scores, "
            f"{summary.inflated} inflated returns in {summary.seconds:.1f}s (seed {summary.seed})."
        )
