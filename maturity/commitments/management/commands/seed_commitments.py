"""``maturity seed-commitments``: load the real government commitments and the panel's ratings."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from maturity.commitments.seeding import SEED_FILE, SeedError, seed_commitments


class Command(BaseCommand):
    help = (
        "Load the government's digital commitments (the 2022 plan's targets and the expert "
        "panel's nine commitments), their deadlines, metrics, sourced observations and the "
        "panel's known ratings. Idempotent: a second run adds nothing and restores seeded facts."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--file", default=str(SEED_FILE), help="Seed file (default: the shipped YAML)."
        )

    def handle(self, *args, **options) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            summary = seed_commitments(path=path)
        except SeedError as error:
            raise CommandError(str(error)) from None
        created = ", ".join(f"{n} {kind}" for kind, n in summary.items()) or "nothing new"
        self.stdout.write(self.style.SUCCESS(f"Commitments seeded: {created}."))
